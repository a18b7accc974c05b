//! Baselines, for adopting privflow on a repository that already has
//! findings: `--write-baseline FILE` records today's findings by a content
//! fingerprint, `--baseline FILE` marks each finding `new` or `unchanged`
//! and lists the recorded ones that are gone (fixed). Only new findings fail
//! the run.
//!
//! The fingerprint is the rule, product, flow, recipient and the finding's
//! language-free detail (a data entry's category, a waiver's rule) — never a
//! line, a column or a message — so moving a flow, reformatting the file or
//! switching `--lang` keeps it. Findings that share a fingerprint are
//! counted: two in the baseline cover two today.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, InputError, Text};
use crate::finding::{BaselineState, Finding};
use crate::Report;

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub product: String,
    pub flow: Option<String>,
    pub recipient: Option<String>,
    /// Where it was when recorded; not part of the fingerprint.
    pub file: String,
}

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub schema_version: u32,
    pub findings: Vec<Entry>,
}

/// A finding's content fingerprint.
pub fn fingerprint(finding: &Finding) -> String {
    let identity = [
        finding.rule.as_str(),
        finding.product.as_str(),
        finding.flow.as_deref().unwrap_or(""),
        finding.recipient.as_deref().unwrap_or(""),
        finding.detail.as_deref().unwrap_or(""),
    ]
    .join("\0");
    format!("{:016x}", crate::report::sarif::fnv1a(identity.as_bytes()))
}

fn entry(finding: &Finding) -> Entry {
    Entry {
        fingerprint: fingerprint(finding),
        rule: finding.rule.to_string(),
        product: finding.product.to_string(),
        flow: finding.flow.clone(),
        recipient: finding.recipient.clone(),
        file: finding.file.to_string(),
    }
}

impl Baseline {
    /// The baseline of a report's findings (waived ones are not findings).
    pub fn of(report: &Report) -> Baseline {
        let mut findings: Vec<Entry> = report.findings.iter().map(entry).collect();
        findings.sort();
        Baseline {
            schema_version: crate::SCHEMA_VERSION,
            findings,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn read(path: &Path) -> Result<Baseline, InputError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::new(
                Code::Baseline,
                Text::new(
                    format!("cannot read baseline `{shown}`: {e}"),
                    format!("无法读取基线文件 `{shown}`：{e}"),
                ),
            )
            .with_help(Text::new(
                "write one with `privflow check --write-baseline FILE`",
                "可用 `privflow check --write-baseline FILE` 生成",
            ))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            let line = e.line().max(1);
            let offset: usize = text.lines().take(line - 1).map(|l| l.len() + 1).sum();
            let offset = (offset + e.column().saturating_sub(1)).min(text.len());
            InputError::new(
                Code::Baseline,
                Text::new(
                    format!("`{shown}` is not a privflow baseline: {e}"),
                    format!("`{shown}` 不是 privflow 基线文件：{e}"),
                ),
            )
            .in_file(&shown, &std::sync::Arc::from(text.as_str()))
            .at(
                crate::finding::Location {
                    offset,
                    len: 1,
                    ..Default::default()
                },
                Text::new("here", "此处"),
            )
            .with_help(Text::new(
                "write it with `privflow check --write-baseline FILE`; do not edit it by hand",
                "请用 `privflow check --write-baseline FILE` 生成，不要手工编辑",
            ))
        })
    }

    /// Marks each finding `new` or `unchanged` and records the baseline's
    /// findings that are gone as `fixed`.
    pub fn apply(&self, report: &mut Report) {
        let mut left: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for entry in &self.findings {
            left.entry(entry.fingerprint.as_str()).or_default().push(entry);
        }
        for finding in &mut report.findings {
            let print = fingerprint(finding);
            let known = left.get_mut(print.as_str()).and_then(Vec::pop).is_some();
            finding.baseline = Some(if known {
                BaselineState::Unchanged
            } else {
                BaselineState::New
            });
        }
        let mut fixed: Vec<Entry> = left.into_values().flatten().cloned().collect();
        fixed.sort();
        report.fixed = Some(fixed);
    }
}
