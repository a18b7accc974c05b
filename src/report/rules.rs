//! Text for `privflow rules` and `privflow explain`, from rule annotations.

use crate::diagnostics::tr;
use crate::lang::Lang;
use crate::rules::{RuleInfo, RulePack};

/// One line per rule: id, severity, law.
pub fn table(pack: &RulePack, lang: Lang) -> String {
    let rules: Vec<&RuleInfo> = pack.rules().collect();
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for rule in rules {
        let severity = rule.severity.map_or("-", |s| s.as_str());
        let law = rule.law();
        let law = if law.is_empty() { "—".to_string() } else { law };
        out.push_str(&format!("{:<width$}  {:<7}  {}\n", rule.id, severity, law));
    }
    out.push_str(&tr(
        lang,
        "\n`privflow explain RULE` tells why a rule exists and how to fix it.\n",
        "\n运行 `privflow explain 规则id` 查看规则依据与修复方法。\n",
    ));
    out
}

/// The rule list as a Markdown table (the README embeds it; a test keeps
/// the two equal).
pub fn markdown_table(pack: &RulePack, lang: Lang) -> String {
    let mut out = tr(
        lang,
        "| rule | severity | law | seed sources |\n|---|---|---|---|\n",
        "| 规则 | 级别 | 法律依据 | 来源条款 |\n|---|---|---|---|\n",
    );
    for rule in pack.rules() {
        let severity = rule.severity.map_or("-", |s| s.as_str());
        let law = rule.law();
        let law = if law.is_empty() { "—".to_string() } else { law };
        let sources = if rule.sources.is_empty() {
            "—".to_string()
        } else {
            rule.sources.join("; ")
        };
        out.push_str(&format!("| `{}` | {severity} | {law} | {sources} |\n", rule.id));
    }
    out
}

/// The full explanation of one rule.
pub fn explain(rule: &RuleInfo, lang: Lang) -> String {
    let mut out = String::new();
    let severity = rule.severity.map_or("-", |s| s.as_str());
    out.push_str(&format!("{} ({severity})\n\n", rule.id));
    let law = crate::law::cite(&rule.law(), lang);
    if !law.is_empty() {
        out.push_str(&format!("{}: {law}\n", tr(lang, "Law", "法律依据")));
    }
    if !rule.sources.is_empty() {
        out.push_str(&format!(
            "{}: {}\n",
            tr(lang, "Seen in", "来源条款"),
            rule.sources.join("; ")
        ));
    }
    if !rule.law_text_zh.is_empty() {
        // The Chinese text is the law; an English rendering only follows it.
        out.push_str(&format!("\n{}\n", tr(lang, "The law's words", "法律原文")));
        for line in rule.law_text_zh.lines() {
            out.push_str(&format!("  {line}\n"));
        }
        if lang == Lang::En && !rule.law_text_en.is_empty() {
            out.push_str("  (English rendering, not an official translation)\n");
            for line in rule.law_text_en.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    if !rule.why(lang).is_empty() {
        out.push_str(&format!(
            "\n{}\n  {}\n",
            tr(lang, "Why it matters", "为什么重要"),
            rule.why(lang)
        ));
    }
    if !rule.help(lang).is_empty() {
        out.push_str(&format!(
            "\n{}\n  {}\n",
            tr(lang, "How to fix", "如何修复"),
            rule.help(lang)
        ));
    }
    if !rule.example.is_empty() {
        out.push_str(&format!("\n{}\n", tr(lang, "Compliant example", "合规示例")));
        for line in rule.example.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}
