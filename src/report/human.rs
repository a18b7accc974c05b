//! `--format human`: one miette report per finding (rule id, severity, law,
//! message, help, the source snippet), then a one-line summary.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use crate::diagnostics::tr;
use crate::finding::{Finding, Severity};
use crate::Report;

struct Shown<'a> {
    finding: &'a Finding,
    source: Option<NamedSource<Arc<str>>>,
    law_label: String,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl Diagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.finding.help.is_empty()).then(|| Box::new(&self.finding.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let l = self.finding.location;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.law_label.clone()),
            l.offset,
            l.len.max(1),
        ))))
    }
}

/// Renders the report; `color` for terminals.
pub fn render(report: &Report, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let lang = report.lang;
    let mut out = String::new();
    for finding in &report.findings {
        let source = report
            .sources
            .get(&finding.file)
            .map(|text| NamedSource::new(&finding.file, text.clone()));
        let law = if finding.law.is_empty() {
            finding.severity.as_str().to_string()
        } else {
            finding.law.clone()
        };
        let law_label = format!("{} · {}", severity_word(finding.severity, lang), law);
        let shown = Shown {
            finding,
            source,
            law_label,
        };
        let _ = handler.render_report(&mut out, &shown);
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

fn severity_word(severity: Severity, lang: crate::lang::Lang) -> String {
    match severity {
        Severity::Error => tr(lang, "error", "错误"),
        Severity::Warning => tr(lang, "warning", "警告"),
        Severity::Info => tr(lang, "info", "提示"),
    }
}

/// "checked 3 files, 20 flows: 2 errors, 1 warning, 0 infos, 1 waived".
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    tr(
        report.lang,
        format!(
            "privflow: checked {} file(s), {} flow(s): {} error(s), {} warning(s), {} info(s), {} waived",
            s.files, s.flows, s.errors, s.warnings, s.infos, s.waived
        ),
        format!(
            "privflow：检查了 {} 个文件、{} 个数据流：{} 个错误，{} 个警告，{} 个提示，{} 个已豁免",
            s.files, s.flows, s.errors, s.warnings, s.infos, s.waived
        ),
    )
}
