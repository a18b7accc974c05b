//! Input errors: everything a user can get wrong (manifests, configuration,
//! their own Cedar rules), each a miette diagnostic with a stable code, a span
//! and a help line. Texts are held in both languages and shown in the run's
//! language, chosen once where the errors are printed (`InputErrors::in_lang`).

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::finding::Location;
pub use crate::lang::{tr, Lang, Text};

/// Longest source line shown in a snippet.
const MAX_SNIPPET_LINE: usize = 2000;

macro_rules! codes {
    ($($variant:ident => $code:literal, $what:literal;)*) => {
        /// Every input error's stable code (`privflow::…`), as cargo-deny's
        /// diagnostic codes: tools and users may match on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!("privflow::", $code),)*
                }
            }

            /// What the code means, for the documentation.
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $what,)*
                }
            }
        }
    };
}

codes! {
    // Reading input
    NoSuchPath => "no-such-path", "a path given on the command line does not exist";
    NotAFile => "not-a-file", "a path is neither a regular file nor a directory (a FIFO, a device, a dangling link)";
    Walk => "walk", "a directory could not be read while searching for manifests";
    Io => "io", "a file could not be read";
    NotUtf8 => "not-utf8", "a manifest, notice or config that is not UTF-8 text";
    TooLarge => "too-large", "a file exceeds the size limit";
    // The manifest's YAML and types
    YamlSyntax => "yaml-syntax", "the file is not well-formed YAML";
    Limit => "limit", "nesting or alias expansion beyond the limits for hostile input";
    NotAMapping => "not-a-mapping", "a mapping was expected (the manifest itself or an entry)";
    UnknownField => "unknown-field", "a field the manifest format does not have";
    MissingField => "missing-field", "a required field is absent";
    UnknownValue => "unknown-value", "a value outside a field's allowed set";
    WrongType => "wrong-type", "a value of the wrong type";
    InvalidDate => "invalid-date", "a date that is not YYYY-MM-DD";
    Invalid => "invalid", "any other value the manifest format rejects";
    UnsupportedVersion => "unsupported-version", "a manifest `version` this release does not read";
    TooManyErrors => "too-many-errors", "more errors in one file than are shown";
    // The manifest's meaning
    InvalidId => "invalid-id", "an id that is not [a-z0-9-]+";
    DuplicateId => "duplicate-id", "two flows, recipients or categories with one id";
    EmptyData => "empty-data", "a flow without data categories";
    UnknownCategory => "unknown-category", "a data category that is neither built in nor declared";
    BuiltinCategory => "builtin-category", "a custom category that redefines a built-in one";
    CategoryCycle => "category-cycle", "custom categories whose parents form a cycle";
    EmptyTerm => "empty-term", "an empty notice term of a custom category";
    UnknownRecipient => "unknown-recipient", "a flow provides data to an undeclared recipient";
    UnknownSdk => "unknown-sdk", "a recipient's `sdks:` names an id that is in no SDK catalogue";
    ProvisionData => "provision-data", "a recipient entry lists data its flow does not carry";
    InvalidCountry => "invalid-country", "a country that is not an ISO 3166-1 alpha-2 code";
    InvalidRetention => "invalid-retention", "a retention that is not exactly one of days, until or forever";
    UnknownFlow => "unknown-flow", "a waiver names a flow the manifest does not have";
    UnknownRule => "unknown-rule", "a waiver or `.privflow.yaml` names a rule no loaded pack has";
    NotWaivable => "not-waivable", "a waiver names a rule marked `@waivable(\"false\")`";
    WaiverReason => "waiver-reason", "a waiver without a reason";
    WaiverExpiry => "waiver-expiry", "a waiver without an expiry date";
    MissingNotice => "missing-notice", "the privacy notice a manifest or `--notice` names does not exist";
    Lexicon => "lexicon", "the notice lexicon cannot be read";
    // Scanning apps' build and platform files
    ScanSyntax => "scan-syntax", "a build or platform file the scan reads is malformed (XML, TOML, JSON, JSON5, YAML, plist)";
    ScanSource => "scan-source", "a `product.sources` directory does not exist";
    Catalogue => "catalogue", "an SDK catalogue or the permission map is malformed";
    // Configuration and rules
    Config => "config", "`.privflow.yaml` is malformed or has an unknown key";
    Baseline => "baseline", "a `--baseline` file cannot be read or is not a baseline";
    ReportFile => "report-file", "the file `privflow render` reads is not a privflow JSON report";
    PoliciesDir => "policies-dir", "a rule directory does not exist or cannot be read";
    PolicySyntax => "policy-syntax", "a team's Cedar rule file does not parse";
    PolicyInvalid => "policy-invalid", "a team's Cedar rule does not validate against the facts schema";
    PolicyAnnotation => "policy-annotation", "a team's Cedar rule lacks an annotation every rule needs";
    // Commands
    Usage => "usage", "flags that do not fit together";
    OutputExists => "output-exists", "an --output file exists and --force is not given";
    OutputIsDirectory => "output-is-directory", "an --output path is a directory";
    Write => "write", "a report or starter manifest could not be written";
    InitDir => "init-dir", "`privflow init --dir` names a path that is not a directory";
    NotAGitWorkTree => "not-a-git-work-tree", "`privflow diff` on a path outside a git work tree";
    BadRevision => "bad-revision", "`privflow diff --base` names a revision git does not know";
    Git => "git", "git could not be run or failed";
    // Defects of privflow itself or of a team's rules at run time
    Schema => "schema", "internal: the built-in facts schema does not parse";
    Evaluation => "evaluation", "a rule failed to evaluate on the facts (usually a team's own rule)";
}

/// One input error. Rendered by miette; never a panic.
#[derive(Debug)]
pub struct InputError {
    pub code: Code,
    pub message: Text,
    pub help: Option<Text>,
    pub label: Option<Text>,
    /// The language the error is shown in; set where errors are printed.
    pub lang: Lang,
    /// The file as the user named it, when the error is in a file.
    pub file: Option<String>,
    pub source: Option<NamedSource<Arc<str>>>,
    pub location: Option<Location>,
    /// Cedar's own diagnostic for a broken user rule, with its spans.
    pub cedar: Option<Box<dyn Diagnostic + Send + Sync>>,
}

impl InputError {
    pub fn new(code: Code, message: Text) -> Self {
        InputError {
            code,
            message,
            help: None,
            label: None,
            lang: Lang::default(),
            file: None,
            source: None,
            location: None,
            cedar: None,
        }
    }

    pub fn with_help(mut self, help: Text) -> Self {
        self.help = Some(help);
        self
    }

    pub fn in_file(mut self, file: &str, text: &Arc<str>) -> Self {
        self.file = Some(file.to_string());
        self.source = Some(NamedSource::new(file, text.clone()));
        self
    }

    pub fn at(mut self, location: Location, label: Text) -> Self {
        // A snippet of a very long line (hostile input) is unreadable and slow
        // to render: name the position instead.
        if let Some(source) = &self.source {
            let text: &str = source.inner();
            let start = text[..location.offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            if end - start > MAX_SNIPPET_LINE {
                let place = format!("({}:{}:{})", source.name(), location.line, location.column);
                self.message = self.message.map(|words, _| format!("{words} {place}"));
                self.source = None;
                self.location = None;
                return self;
            }
        }
        self.location = Some(location);
        self.label = Some(label);
        self
    }

    /// Sort key: file, then position.
    pub fn sort_key(&self) -> (Option<&str>, usize, &str) {
        (
            self.file.as_deref(),
            self.location.map_or(0, |l| l.offset),
            &self.message.en,
        )
    }

    /// Renders with miette's graphical handler (no colour, fixed width) for
    /// terminals without colour and for snapshot tests.
    pub fn render_plain(&self) -> String {
        let mut out = String::new();
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor()).with_width(100);
        let _ = handler.render_report(&mut out, self);
        out
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message.get(self.lang))
    }
}

impl std::error::Error for InputError {}

impl Diagnostic for InputError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match (&self.help, &self.cedar) {
            (Some(help), _) => Some(Box::new(help.get(self.lang))),
            (None, Some(cedar)) => cedar.help(),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if let Some(cedar) = &self.cedar {
            if let Some(labels) = cedar.labels() {
                return Some(labels);
            }
        }
        let location = self.location?;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            self.label.as_ref().map(|l| l.get(self.lang).to_string()),
            location.offset,
            location.len.max(1),
        ))))
    }
}

/// Every input error of a run, sorted. Returned instead of a report; exit 2.
#[derive(Debug)]
pub struct InputErrors(pub Vec<InputError>);

impl InputErrors {
    pub fn sorted(mut errors: Vec<InputError>) -> Self {
        errors.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        InputErrors(errors)
    }

    /// Shows every error in `lang`.
    pub fn in_lang(mut self, lang: Lang) -> Self {
        for error in &mut self.0 {
            error.lang = lang;
        }
        self
    }

    pub fn render_plain(&self) -> String {
        self.0
            .iter()
            .map(InputError::render_plain)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} input error(s)", self.0.len())
    }
}

impl std::error::Error for InputErrors {}

/// "did you mean `x`?" from the closest candidate, if any is close enough.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<Text> {
    let best = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    Some(Text::new(
        format!("did you mean `{}`?", best.1),
        format!("是否应为 `{}`？", best.1),
    ))
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn codes_are_unique_and_prefixed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(code.as_str().starts_with("privflow::"), "{code:?}");
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert!(!code.description().is_empty());
        }
    }
}
