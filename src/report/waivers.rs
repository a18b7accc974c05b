//! `privflow waivers`: every waiver with its rule, flow, reason, expiry,
//! days left and whether it named a finding, as evidence for an audit.

use crate::diagnostics::tr;
use crate::engine::WaiverStatus;
use crate::lang::Lang;
use crate::Report;

/// A waiver list format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WaiversFormat {
    Human,
    Json,
    Markdown,
}

pub fn render(report: &Report, format: WaiversFormat) -> String {
    match format {
        WaiversFormat::Human => human(&report.waivers, report.lang),
        WaiversFormat::Json => json(&report.waivers),
        WaiversFormat::Markdown => markdown(&report.waivers, report.lang),
    }
}

fn headers(lang: Lang) -> [String; 8] {
    [
        tr(lang, "place", "位置"),
        tr(lang, "rule", "规则"),
        tr(lang, "flow", "数据流"),
        tr(lang, "expires", "到期日"),
        tr(lang, "days left", "剩余天数"),
        tr(lang, "matched", "匹配数"),
        tr(lang, "state", "状态"),
        tr(lang, "reason", "理由"),
    ]
}

fn state(waiver: &WaiverStatus, lang: Lang) -> String {
    if !waiver.active {
        tr(lang, "expired", "已到期")
    } else if waiver.matched == 0 {
        tr(lang, "unused", "未使用")
    } else {
        tr(lang, "waiving", "生效中")
    }
}

fn row(waiver: &WaiverStatus, lang: Lang) -> [String; 8] {
    [
        format!("{}:{}", waiver.file, waiver.line),
        waiver.rule.clone(),
        waiver.flow.clone().unwrap_or_else(|| tr(lang, "(all)", "（全部）")),
        waiver.expires.clone(),
        waiver.days_left.to_string(),
        waiver.matched.to_string(),
        state(waiver, lang),
        waiver.reason.clone(),
    ]
}

/// Aligned columns; the reason, last, runs on.
fn human(waivers: &[WaiverStatus], lang: Lang) -> String {
    let rows: Vec<[String; 8]> = std::iter::once(headers(lang))
        .chain(waivers.iter().map(|w| row(w, lang)))
        .collect();
    let mut widths = [0usize; 8];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let unused = waivers.iter().filter(|w| w.active && w.matched == 0).count();
    let expired = waivers.iter().filter(|w| !w.active).count();
    out.push_str(&tr(
        lang,
        format!("{} waiver(s): {unused} unused, {expired} expired\n", waivers.len()),
        format!("共 {} 项豁免：{unused} 项未使用，{expired} 项已到期\n", waivers.len()),
    ));
    out
}

fn json(waivers: &[WaiverStatus]) -> String {
    let value = serde_json::json!({ "schema_version": crate::SCHEMA_VERSION, "waivers": waivers });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn markdown(waivers: &[WaiverStatus], lang: Lang) -> String {
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let headers = headers(lang);
    let mut out = format!("| {} |\n", headers.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(headers.len())));
    for waiver in waivers {
        let cells: Vec<String> = row(waiver, lang).iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}
