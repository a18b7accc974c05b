//! Input errors: everything a user can get wrong (manifests, configuration,
//! their own Cedar rules), each a miette diagnostic with a span and a help line.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::finding::Location;
use crate::Lang;

/// Longest source line shown in a snippet.
const MAX_SNIPPET_LINE: usize = 2000;

/// One input error. Rendered by miette; never a panic.
#[derive(Debug)]
pub struct InputError {
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub label: Option<String>,
    /// The file as the user named it, when the error is in a file.
    pub file: Option<String>,
    pub source: Option<NamedSource<Arc<str>>>,
    pub location: Option<Location>,
    /// Cedar's own diagnostic for a broken user rule, with its spans.
    pub cedar: Option<Box<dyn Diagnostic + Send + Sync>>,
}

impl InputError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        InputError {
            code,
            message: message.into(),
            help: None,
            label: None,
            file: None,
            source: None,
            location: None,
            cedar: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn in_file(mut self, file: &str, text: &Arc<str>) -> Self {
        self.file = Some(file.to_string());
        self.source = Some(NamedSource::new(file, text.clone()));
        self
    }

    pub fn at(mut self, location: Location, label: impl Into<String>) -> Self {
        // A snippet of a very long line (hostile input) is unreadable and slow
        // to render: name the position instead.
        if let Some(source) = &self.source {
            let text: &str = source.inner();
            let start = text[..location.offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            if end - start > MAX_SNIPPET_LINE {
                self.message = format!(
                    "{} ({}:{}:{})",
                    self.message,
                    source.name(),
                    location.line,
                    location.column
                );
                self.source = None;
                self.location = None;
                return self;
            }
        }
        self.location = Some(location);
        self.label = Some(label.into());
        self
    }

    /// Sort key: file, then position.
    pub fn sort_key(&self) -> (Option<&str>, usize, &str) {
        (
            self.file.as_deref(),
            self.location.map_or(0, |l| l.offset),
            &self.message,
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
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

impl Diagnostic for InputError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match (&self.help, &self.cedar) {
            (Some(help), _) => Some(Box::new(help)),
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
            self.label.clone(),
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
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>, lang: Lang) -> Option<String> {
    let best = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    Some(match lang {
        Lang::En => format!("did you mean `{}`?", best.1),
        Lang::Zh => format!("是否应为 `{}`？", best.1),
    })
}

/// Picks the English or Chinese text.
pub fn tr(lang: Lang, en: impl Into<String>, zh: impl Into<String>) -> String {
    match lang {
        Lang::En => en.into(),
        Lang::Zh => zh.into(),
    }
}
