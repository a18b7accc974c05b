//! Output formats; each reads only the Report. Adding a format is one file
//! here plus one arm in [`Format`] and its [`Format::render`].
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rules;
pub mod sarif;

use std::path::Path;

use crate::Report;

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

    /// Whether the format describes every rule the run applied, so a run
    /// that found no manifest must still be given the rule list.
    pub fn describes_rules(self) -> bool {
        self == Format::Sarif
    }
}
