//! `Finding`: the one type every report reads.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered so that `Error` is the greatest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A position in a source file: byte range plus 1-based line and column
/// (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    pub offset: usize,
    pub len: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// One rule violation at one place. Serializes to the JSON shape of SPEC §6.
///
/// What every finding of a rule in a file has in common (rule, law, file,
/// product, usually the help) is shared, not copied: see [`share`]. A run
/// of 100,000 flows has hundreds of thousands of findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Shared,
    pub severity: Severity,
    pub law: Shared,
    /// The manifest path as given on the command line (or found under it).
    pub file: Shared,
    pub line: usize,
    pub column: usize,
    /// Where the span ends (the position after it), so that a renderer can
    /// show it again from the JSON report (`privflow render`).
    #[serde(default)]
    pub end_line: usize,
    #[serde(default)]
    pub end_column: usize,
    pub product: Shared,
    pub flow: Option<String>,
    pub recipient: Option<String>,
    pub message: String,
    pub help: Shared,
    /// What a scan finding is about in the code: the catalogue id of an SDK
    /// or the permission as written. Absent from other findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The Cedar policy that produced the finding: its file and line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::rules::PolicyOrigin>,
    /// Set on a finding an active waiver covers (reported as suppressed).
    /// Boxed: few findings have one, and every finding carries the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<Box<Waived>>,
    /// With `--baseline`: `new`, or `unchanged` when the baseline has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
    /// What tells the finding apart beyond rule, product, flow and
    /// recipient, in no language: a data entry's category, a waiver's rule.
    #[serde(skip)]
    pub detail: Option<String>,
    /// Where the span lies in the file's text; its lines and columns are
    /// the fields above (see [`Finding::location`]).
    #[serde(skip)]
    pub span: Span,
}

/// A finding's byte range in its file. Half the size of a `Location`,
/// whose lines and columns a finding already has: a large run holds
/// hundreds of thousands of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub offset: u32,
    pub len: u32,
}

impl Span {
    /// The span of `len` bytes at `offset` (past 4 GiB, the largest).
    pub fn new(offset: usize, len: usize) -> Span {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span {
            offset: narrow(offset),
            len: narrow(len),
        }
    }

    pub fn of(location: &Location) -> Span {
        Span::new(location.offset, location.len)
    }
}

/// A finding against a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    New,
    Unchanged,
}

/// The waiver that covers a suppressed finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waived {
    pub reason: String,
    pub expires: String,
}

impl Finding {
    /// The deterministic report order: file, line, column, rule, message.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (&self.file, self.line, self.column, &self.rule, &self.message)
    }

    /// The finding's place: its span with its lines and columns.
    pub fn location(&self) -> Location {
        Location {
            offset: self.span.offset as usize,
            len: self.span.len as usize,
            line: self.line,
            column: self.column,
            end_line: self.end_line,
            end_column: self.end_column,
        }
    }

    /// Sets the span from the byte offsets of the finding's own start and
    /// end positions in a text read again (`privflow render`).
    pub fn place(&mut self, start: usize, end: usize) {
        self.span = Span::new(start, end.saturating_sub(start));
    }
}

/// Makes equal texts of `findings` (rule, law, file, product, help) one
/// shared allocation each, so that a file's findings hold each only once,
/// and gives each message back the room it does not use.
pub fn share<'a>(findings: impl IntoIterator<Item = &'a mut Finding>) {
    let mut seen: HashSet<Shared> = HashSet::new();
    let mut one = |text: &mut Shared| match seen.get(text.as_str()) {
        Some(shared) => *text = shared.clone(),
        None => {
            seen.insert(text.clone());
        }
    };
    for finding in findings {
        one(&mut finding.rule);
        one(&mut finding.law);
        one(&mut finding.file);
        one(&mut finding.product);
        one(&mut finding.help);
        // A filled-in message may have grown past its length.
        finding.message.shrink_to_fit();
    }
}

/// A text many findings have in common (a rule id, a law, a path): one
/// allocation, cloned by reference count. It reads and compares as a `str`
/// and serializes as a string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shared(Arc<str>);

impl Shared {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Shared {
    fn default() -> Shared {
        Shared(Arc::from(""))
    }
}

impl std::ops::Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Shared {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<String> for Shared {
    fn from(text: String) -> Shared {
        Shared(Arc::from(text))
    }
}

impl From<&str> for Shared {
    fn from(text: &str) -> Shared {
        Shared(Arc::from(text))
    }
}

impl From<&String> for Shared {
    fn from(text: &String) -> Shared {
        Shared(Arc::from(text.as_str()))
    }
}

impl From<Shared> for String {
    fn from(text: Shared) -> String {
        text.0.to_string()
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Shared {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Shared> for String {
    fn eq(&self, other: &Shared) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Shared> for str {
    fn eq(&self, other: &Shared) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Shared> for &str {
    fn eq(&self, other: &Shared) -> bool {
        **self == *other.0
    }
}

impl Serialize for Shared {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Shared {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Shared, D::Error> {
        String::deserialize(deserializer).map(Shared::from)
    }
}
