//! `Finding`: the one type every report reads.

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub law: String,
    /// The manifest path as given on the command line (or found under it).
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Where the span ends (the position after it), so that a renderer can
    /// show it again from the JSON report (`privflow render`).
    #[serde(default)]
    pub end_line: usize,
    #[serde(default)]
    pub end_column: usize,
    pub product: String,
    pub flow: Option<String>,
    pub recipient: Option<String>,
    pub message: String,
    pub help: String,
    /// What a scan finding is about in the code: the catalogue id of an SDK
    /// or the permission as written. Absent from other findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The Cedar policy that produced the finding: its file and line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::rules::PolicyOrigin>,
    /// Set on a finding an active waiver covers (reported as suppressed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waived>,
    /// With `--baseline`: `new`, or `unchanged` when the baseline has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
    /// What tells the finding apart beyond rule, product, flow and
    /// recipient, in no language: a data entry's category, a waiver's rule.
    #[serde(skip)]
    pub detail: Option<String>,
    #[serde(skip)]
    pub location: Location,
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
}
