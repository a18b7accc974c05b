//! Output formats; each reads only the Report. Adding a format is one file
//! here plus one arm in [`Format`] and its [`Format::render`].
pub mod cases;
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rules;
pub mod sarif;
pub mod waivers;

use std::cmp::Reverse;
use std::io::Write;
use std::path::Path;

use crate::finding::Finding;
use crate::run::{Keep, KeepSources};
use crate::Report;

/// The findings most serious first, for the reports a person reads top
/// down (human, github): severity, then the rule's rank in the pack (see
/// `RuleInfo::rank`: the order of the policy files and of the policies in
/// them), then the report order (file, line, column). A rule the run's packs
/// do not describe comes last within its severity. The JSON, SARIF and JUnit
/// reports keep the report order: their readers sort for themselves.
pub fn by_importance(report: &Report) -> Vec<&Finding> {
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    // Stable: the report order breaks ties.
    findings.sort_by_key(|f| (Reverse(f.severity), rank(report, &f.rule)));
    findings
}

/// A rule's rank in the run's packs; unknown rules after every known one.
pub fn rank(report: &Report, rule: &str) -> usize {
    report.rules.get(rule).map_or(usize::MAX, |r| r.rank)
}

/// A report format, as `--format` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

impl Format {
    /// The report as text. `base` is the directory paths are made relative
    /// to (SARIF, GitHub); `color` is for terminals (human).
    pub fn render(self, report: &Report, base: &Path, color: bool) -> String {
        match self {
            Format::Human => human::render(report, color),
            Format::Json => json::render(report),
            Format::Sarif => sarif::render(report, base),
            Format::Junit => junit::render(report),
            Format::Github => github::render(report, base),
            Format::Markdown => markdown::render(report),
        }
    }

    /// What of the manifests the format reads besides the findings (the
    /// GitHub format's step summary is the Markdown report: see
    /// [`github::STEP_SUMMARY`]).
    pub fn keeps(self) -> Keep {
        match self {
            // Against a baseline the CLI keeps every quoted text: the
            // findings it shows are fewer than the run's.
            Format::Human => Keep {
                sources: KeepSources::WithFindingsUpTo(human::COMPACT_OVER),
                ..Keep::NOTHING
            },
            Format::Json | Format::Sarif | Format::Github => Keep::NOTHING,
            // JUnit's suites name the product and the flows, no more.
            Format::Junit => Keep {
                outlines: true,
                ..Keep::NOTHING
            },
            Format::Markdown => Keep {
                manifests: true,
                ..Keep::NOTHING
            },
        }
    }

    /// Writes the report to `out` (see [`Format::render`]); JSON and SARIF
    /// are serialized straight to it, the others rendered first.
    pub fn write(self, report: &Report, base: &Path, color: bool, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Format::Json => json::write(report, out),
            Format::Sarif => sarif::write(report, base, out),
            Format::Markdown => markdown::write(report, out),
            Format::Junit => junit::write(report, out),
            _ => out.write_all(self.render(report, base, color).as_bytes()),
        }
    }

    /// Whether the format describes every rule the run applied, so a run
    /// that found no manifest must still be given the rule list.
    pub fn describes_rules(self) -> bool {
        self == Format::Sarif
    }
}
