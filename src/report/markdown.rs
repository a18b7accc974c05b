//! `--format markdown`: the report a reviewer reads in a pull request — a
//! one-line summary, the 个人信息收集清单 (what is collected), the 第三方共享清单
//! (who receives it), the material changes when `privflow diff` found any
//! (需要重新告知或重新取得同意的变更), then the findings by severity with their law.
//!
//! Headings follow `--lang`; in English they carry the Chinese list names too,
//! since those are the names regulators and privacy teams use.

use std::io::Write;

use crate::diagnostics::tr;
use crate::finding::{Finding, Severity};
use crate::lang::Lang;
use crate::manifest::{Flow, Manifest, Retention, RetentionEvent};
use crate::taxonomy::Taxonomy;
use crate::Report;

pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Memory takes every write.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report to `out` part by part, never the whole text at once.
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let lang = report.lang;
    let mut out = OneNewlineAtEnd::new(out);
    out.text(tr(
        lang,
        "## privflow: personal-information review · 个人信息合规检查\n\n",
        "## privflow 个人信息合规检查\n\n",
    ))?;
    out.text(summary(report))?;
    out.text("\n\n")?;

    let mut manifests: Vec<_> = report.manifests.iter().collect();
    manifests.sort_by(|a, b| a.0.cmp(&b.0));

    out.text(tr(
        lang,
        "### 个人信息收集清单 · Personal information collected\n\n",
        "### 个人信息收集清单\n\n",
    ))?;
    for (file, manifest, taxonomy) in &manifests {
        out.text(product_heading(file, manifest, Some(lang)))?;
        out.text(collection_table(manifest, taxonomy, lang))?;
        out.text("\n")?;
    }
    if manifests.is_empty() {
        out.text(none(lang))?;
    }
    out.text(tr(
        lang,
        "**Bold** data is sensitive personal information (PIPL 28).\n\n",
        "**加粗**的为敏感个人信息（《个人信息保护法》第二十八条）。\n\n",
    ))?;

    out.text(tr(
        lang,
        "### 第三方共享清单 · Personal information shared\n\n",
        "### 第三方共享清单\n\n",
    ))?;
    for (file, manifest, taxonomy) in &manifests {
        out.text(product_heading(file, manifest, None))?;
        out.text(sharing_table(manifest, taxonomy, lang))?;
        out.text("\n")?;
        out.text(sdk_table(manifest, taxonomy, &report.sdks, lang))?;
    }
    if manifests.is_empty() {
        out.text(none(lang))?;
    }

    out.text(changes(report))?;
    out.text(tr(lang, "### Findings · 问题\n\n", "### 问题\n\n"))?;
    if report.findings.is_empty() {
        out.text(none(lang))?;
    }
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let group: Vec<&Finding> = report.findings.iter().filter(|f| f.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        out.text(format!(
            "#### {} ({})\n\n",
            severity_heading(severity, lang),
            group.len()
        ))?;
        for finding in group {
            out.text(finding_item(finding, lang))?;
        }
        out.text("\n")?;
    }
    // One trailing newline, whatever the last section was.
    out.finish()
}

/// `privflow diff`: the material changes — findings of the rules that judge
/// changes (policies/diff.cedar and a team's own "change" rules) — listed
/// apart from the other findings because each needs the notice updated (and
/// often new consent).
fn changes(report: &Report) -> String {
    let lang = report.lang;
    let judges_changes = |f: &&Finding| report.rules.get(f.rule.as_str()).is_some_and(|r| r.judges_changes());
    let items: Vec<&Finding> = report.findings.iter().filter(judges_changes).collect();
    if items.is_empty() {
        return String::new();
    }
    let mut out = tr(
        lang,
        "### 需要重新告知或重新取得同意的变更 · Changes that need notice or new consent\n\n",
        "### 需要重新告知或重新取得同意的变更\n\n",
    );
    for finding in items {
        let mut place = format!("`{}:{}`", finding.file, finding.line);
        if let Some(flow) = &finding.flow {
            place.push_str(&format!(" · {} `{flow}`", tr(lang, "flow", "数据流")));
        }
        out.push_str(&format!("- {place}: {}\n", inline(&finding.message)));
    }
    out.push('\n');
    out
}

fn summary(report: &Report) -> String {
    let s = &report.summary;
    let icon = if report.fails() {
        "❌"
    } else if report.findings.is_empty() {
        "✅"
    } else {
        "⚠️"
    };
    tr(
        report.lang,
        format!(
            "{icon} **{} error(s)**, {} warning(s), {} info(s), {} waived — {} file(s), {} flow(s) checked.",
            s.errors, s.warnings, s.infos, s.waived, s.files, s.flows
        ),
        format!(
            "{icon} **{} 个错误**，{} 个警告，{} 个提示，{} 个已豁免 — 共检查 {} 个文件、{} 个数据流。",
            s.errors, s.warnings, s.infos, s.waived, s.files, s.flows
        ),
    )
}

/// The product's heading; with `lang`, also the processor's name.
fn product_heading(file: &str, manifest: &Manifest, lang: Option<Lang>) -> String {
    let product = &manifest.product;
    let name = match &product.name {
        Some(name) => format!("{} (`{}`)", inline(name), product.id),
        None => format!("`{}`", product.id),
    };
    let mut out = format!("#### {name} — `{file}`\n\n");
    if let Some(lang) = lang {
        out.push_str(&format!(
            "{}{}\n\n",
            tr(lang, "Processor 处理者: ", "个人信息处理者："),
            inline(&product.operator)
        ));
    }
    out
}

fn collection_table(manifest: &Manifest, taxonomy: &Taxonomy, lang: Lang) -> String {
    if manifest.flows.is_empty() {
        return none(lang);
    }
    let mut out = tr(
        lang,
        "| flow | data 数据 | purpose 目的 | basis 依据 | consent 同意 | storage 存储地 | retention 保存期限 |\n",
        "| 数据流 | 数据 | 目的 | 处理依据 | 同意方式 | 存储地 | 保存期限 |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    for flow in &manifest.flows {
        let storage = flow
            .storage
            .as_ref()
            .and_then(|s| s.country.as_deref())
            .map_or_else(|| tr(lang, "— (not declared)", "—（未声明）"), str::to_string);
        let storage = if flow.storage.as_ref().is_some_and(|s| s.none) {
            tr(lang, "none (not kept)", "不存储")
        } else {
            storage
        };
        let row = [
            format!("`{}`", cell(&flow.id)),
            cell(&data_names(&flow.data, taxonomy)),
            cell(flow.purpose.as_deref().unwrap_or("—")),
            code(flow.basis.map(<&str>::from)),
            code(flow.consent.map(<&str>::from)),
            cell(&storage),
            cell(&retention(flow.retention.as_ref(), lang)),
        ];
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

fn sharing_table(manifest: &Manifest, taxonomy: &Taxonomy, lang: Lang) -> String {
    let rows: Vec<(&Flow, &crate::manifest::Provision)> = manifest
        .flows
        .iter()
        .flat_map(|flow| flow.recipients.iter().map(move |p| (flow, p)))
        .collect();
    if rows.is_empty() {
        return none(lang);
    }
    let mut out = tr(
        lang,
        "| recipient 接收方 | legal name 名称 | role 身份 | country 国家/地区 | flow | data 数据 | purpose 目的 | consent 同意 |\n",
        "| 接收方 | 名称 | 身份 | 国家/地区 | 数据流 | 数据 | 目的 | 同意方式 |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for (flow, provision) in rows {
        let recipient = manifest.recipients.iter().find(|r| r.id == provision.to);
        let row = [
            format!("`{}`", cell(&provision.to)),
            cell(recipient.and_then(|r| r.name.as_deref()).unwrap_or("—")),
            code(recipient.map(|r| <&str>::from(r.role))),
            cell(recipient.and_then(|r| r.country.as_deref()).unwrap_or("—")),
            format!("`{}`", cell(&flow.id)),
            cell(&data_names(flow.provision_data(provision), taxonomy)),
            cell(flow.purpose.as_deref().unwrap_or("—")),
            code(flow.provision_consent(provision).map(<&str>::from)),
        ];
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// The 第三方SDK清单 app stores ask for, when recipients list SDKs: one row
/// per SDK with its developer, package, the purposes and data of the flows
/// that provide data to its recipient, and its privacy policy.
fn sdk_table(
    manifest: &Manifest,
    taxonomy: &Taxonomy,
    sdks: &std::collections::BTreeMap<String, crate::scan::catalogue::Sdk>,
    lang: Lang,
) -> String {
    let rows: Vec<(&crate::manifest::Recipient, &String)> = manifest
        .recipients
        .iter()
        .flat_map(|r| r.sdks.iter().map(move |id| (r, id)))
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out = tr(
        lang,
        "**第三方SDK清单 · Third-party SDKs**\n\n| SDK | developer 开发者 | package 包名 | purpose 目的 | data 收集的信息 | privacy policy 隐私政策 |\n",
        "**第三方SDK清单**\n\n| SDK 名称 | 开发者 | 包名 | 使用目的 | 收集的个人信息 | 隐私政策链接 |\n",
    );
    out.push_str("|---|---|---|---|---|---|\n");
    for (recipient, id) in rows {
        let sdk = sdks.get(id);
        let name = sdk.map_or_else(
            || id.clone(),
            |s| match lang {
                Lang::En => s.name.en.clone(),
                Lang::Zh => s.name.zh.clone(),
            },
        );
        let developer = sdk
            .and_then(|s| s.developer.clone())
            .or_else(|| recipient.name.clone())
            .unwrap_or_else(|| "—".into());
        let flows: Vec<&Flow> = manifest
            .flows
            .iter()
            .filter(|f| f.recipients.iter().any(|p| p.to == recipient.id))
            .collect();
        let mut purposes: Vec<&str> = flows.iter().filter_map(|f| f.purpose.as_deref()).collect();
        purposes.dedup();
        let mut data: Vec<String> = Vec::new();
        for flow in &flows {
            for provision in flow.recipients.iter().filter(|p| p.to == recipient.id) {
                for category in flow.provision_data(provision) {
                    if !data.contains(category) {
                        data.push(category.clone());
                    }
                }
            }
        }
        let row = [
            format!("{} (`{}`)", cell(&name), cell(id)),
            cell(&developer),
            cell(&sdk.map(packages).unwrap_or_else(|| "—".into())),
            cell(&if purposes.is_empty() {
                "—".to_string()
            } else {
                purposes.join(", ")
            }),
            cell(&if data.is_empty() {
                "—".to_string()
            } else {
                data_names(&data, taxonomy)
            }),
            cell(sdk.and_then(|s| s.privacy_policy.as_deref()).unwrap_or("—")),
        ];
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out.push('\n');
    out
}

/// The package names the catalogue knows the SDK by (Maven groups, pods,
/// npm, pub and ohpm packages), without wildcards.
fn packages(sdk: &crate::scan::catalogue::Sdk) -> String {
    let ids = &sdk.identifiers;
    let mut names: Vec<String> = Vec::new();
    let maven = ids.maven.iter().map(|m| m.split(':').next().unwrap_or(m).to_string());
    let others = ids
        .pods
        .iter()
        .chain(&ids.npm)
        .chain(&ids.pub_)
        .chain(&ids.ohpm)
        .cloned();
    for name in maven.chain(others) {
        let name = name
            .trim_end_matches('*')
            .trim_end_matches(['.', '-', ':', '_'])
            .to_string();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names.truncate(4);
    names.join(", ")
}

/// Chinese names, sensitive ones in bold.
fn data_names(ids: &[String], taxonomy: &Taxonomy) -> String {
    ids.iter()
        .map(|id| {
            let name = taxonomy.display_name(id, Lang::Zh);
            if taxonomy.is_sensitive(id) {
                format!("**{name}**")
            } else {
                name
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn retention(retention: Option<&Retention>, lang: Lang) -> String {
    let Some(r) = retention else {
        return tr(lang, "— (not declared)", "—（未声明）");
    };
    if r.forever == Some(true) {
        return tr(lang, "forever", "永久");
    }
    let mut parts = Vec::new();
    if let Some(days) = r.days {
        parts.push(tr(lang, format!("{days} days"), format!("{days} 天")));
    }
    if let Some(event) = r.until {
        let event = match event {
            RetentionEvent::AccountClosure => tr(lang, "account closure", "注销账号"),
            RetentionEvent::PurposeFulfilled => tr(lang, "purpose fulfilled", "处理目的实现"),
            RetentionEvent::UserDeletion => tr(lang, "deleted by the user", "用户删除"),
        };
        parts.push(match r.max_days {
            Some(max) => tr(
                lang,
                format!("until {event}, then at most {max} days"),
                format!("至{event}后最多 {max} 天"),
            ),
            None => tr(lang, format!("until {event}"), format!("至{event}")),
        });
    } else if let Some(max) = r.max_days {
        parts.push(tr(lang, format!("at most {max} days"), format!("最多 {max} 天")));
    }
    if parts.is_empty() {
        parts.push("—".to_string());
    }
    let mut text = parts.join(tr(lang, "; ", "；").as_str());
    if let Some(basis) = &r.basis {
        text.push_str(&tr(lang, format!(" ({basis})"), format!("（{basis}）")));
    }
    text
}

fn finding_item(finding: &Finding, lang: Lang) -> String {
    let mut place = format!("`{}:{}:{}`", finding.file, finding.line, finding.column);
    if let Some(flow) = &finding.flow {
        place.push_str(&format!(" · {} `{flow}`", tr(lang, "flow", "数据流")));
    }
    if let Some(recipient) = &finding.recipient {
        place.push_str(&format!(" · {} `{recipient}`", tr(lang, "recipient", "接收方")));
    }
    let mut out = format!("- **`{}`** {place}<br>\n  {}", finding.rule, inline(&finding.message));
    if let Some(law) = super::github::law_of(finding) {
        out.push_str(&format!(
            "<br>\n  {}{}",
            tr(lang, "*Law:* ", "*法律依据：*"),
            inline(&crate::law::cite(law, lang))
        ));
    }
    if !finding.help.is_empty() {
        out.push_str(&format!(
            "<br>\n  {}{}",
            tr(lang, "*Fix:* ", "*修复建议：*"),
            inline(&finding.help)
        ));
    }
    out.push('\n');
    out
}

fn severity_heading(severity: Severity, lang: Lang) -> String {
    match severity {
        Severity::Error => tr(lang, "Errors · 错误", "错误"),
        Severity::Warning => tr(lang, "Warnings · 警告", "警告"),
        Severity::Info => tr(lang, "Infos · 提示", "提示"),
    }
}

fn none(lang: Lang) -> String {
    tr(lang, "_None._\n\n", "_无。_\n\n")
}

fn code(value: Option<&str>) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("`{v}`"))
}

/// Text in a table cell: `|` would end the cell and a newline the row.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Text in running Markdown: no raw HTML, no line breaks that end a list item.
fn inline(text: &str) -> String {
    text.trim()
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// A writer that ends the text with at most one newline (the sections end
/// with blank lines): newlines are held back until more text follows.
struct OneNewlineAtEnd<'a> {
    out: &'a mut dyn Write,
    held: usize,
}

impl<'a> OneNewlineAtEnd<'a> {
    fn new(out: &'a mut dyn Write) -> Self {
        OneNewlineAtEnd { out, held: 0 }
    }

    fn text(&mut self, text: impl AsRef<str>) -> std::io::Result<()> {
        let text = text.as_ref();
        let body = text.trim_end_matches('\n');
        if !body.is_empty() {
            for _ in 0..self.held {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(body.as_bytes())?;
            self.held = 0;
        }
        self.held += text.len() - body.len();
        Ok(())
    }

    fn finish(self) -> std::io::Result<()> {
        if self.held > 0 {
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_ends_with_one_newline_and_keeps_the_others() {
        let text = |parts: &[&str]| {
            let mut out = Vec::new();
            let mut w = OneNewlineAtEnd::new(&mut out);
            for part in parts {
                w.text(part).unwrap();
            }
            w.finish().unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(&["a\n\n", "\n", "b\n\n\n"]), "a\n\n\nb\n");
        assert_eq!(text(&["a", "", "b"]), "ab");
        assert_eq!(text(&["\n\n"]), "\n");
        assert_eq!(text(&[]), "");
    }

    #[test]
    fn cells_are_escaped() {
        assert_eq!(cell("a | b\nc <d>"), "a \\| b<br>c &lt;d&gt;");
    }
}
