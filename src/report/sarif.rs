//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF
//! viewers. Rule metadata (law, why, fix, example) comes from the rule packs
//! the run used (`Report::rules`);
//! results come from the findings alone.

use std::collections::BTreeMap;
use std::path::Path;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Suppression, Tool,
    ToolComponent,
};

use crate::diagnostics::tr;
use crate::finding::{Finding, Severity};
use crate::lang::Lang;
use crate::rules::RuleInfo;
use crate::Report;

const SCHEMA_URI: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/privflow/privflow";
/// The key of our fingerprint; bump the version if its recipe changes.
const FINGERPRINT_KEY: &str = "privflow/v1";

/// Renders the report; `base` is the directory artifact URIs are relative to.
pub fn render(report: &Report, base: &Path) -> String {
    let lang = report.lang;
    let rules = descriptors(report);
    let index: BTreeMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    // Waived findings follow, marked suppressed by the manifest's waiver.
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .chain(&report.suppressed)
        .map(|finding| {
            let uri = uri(&super::github::relative_path(&finding.file, base));
            // Identical findings (same rule, place in the model) are told apart
            // by their order, which the deterministic sort keeps stable.
            let identity = format!(
                "{}\0{}\0{}\0{}\0{}",
                finding.rule,
                uri,
                finding.product,
                finding.flow.as_deref().unwrap_or(""),
                finding.recipient.as_deref().unwrap_or("")
            );
            let occurrence = seen.entry(identity.clone()).or_default();
            *occurrence += 1;
            let fingerprint = format!("{:016x}:{}", fnv1a(identity.as_bytes()), occurrence);
            result(finding, &uri, index.get(finding.rule.as_str()).copied(), fingerprint)
        })
        .collect();

    let driver = ToolComponent::builder()
        .name("privflow")
        .full_name(format!("privflow {}", env!("CARGO_PKG_VERSION")))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .language(language_tag(lang))
        .rules(rules.into_iter().map(|r| r.descriptor).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .language(language_tag(lang))
        // privflow counts columns in characters, not UTF-16 code units.
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    // Plain data (strings, numbers, maps with string keys): cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

struct Rule {
    id: String,
    descriptor: ReportingDescriptor,
}

/// Every rule the run used, then any rule a finding names that no pack
/// describes, described from the finding itself.
fn descriptors(report: &Report) -> Vec<Rule> {
    let lang = report.lang;
    let mut rules: Vec<Rule> = report
        .rules
        .values()
        .map(|info| Rule {
            id: info.id.clone(),
            descriptor: from_info(info, lang),
        })
        .collect();
    let mut extra: BTreeMap<&str, &Finding> = BTreeMap::new();
    for finding in &report.findings {
        if !report.rules.contains_key(&finding.rule) {
            extra.entry(finding.rule.as_str()).or_insert(finding);
        }
    }
    for (id, finding) in extra {
        let mut info = RuleInfo::default();
        info.id = id.to_string();
        info.severity = Some(finding.severity);
        if !finding.law.is_empty() {
            info.laws.push(finding.law.clone());
        }
        info.help_en = finding.help.clone();
        info.help_zh = finding.help.clone();
        rules.push(Rule {
            id: id.to_string(),
            descriptor: from_info(&info, lang),
        });
    }
    rules
}

fn from_info(info: &RuleInfo, lang: Lang) -> ReportingDescriptor {
    let law = info.law();
    let why = info.why(lang).trim();
    let fix = info.help(lang).trim();
    let short = first_sentence(why).unwrap_or_else(|| {
        if law.is_empty() {
            info.id.clone()
        } else {
            format!("{} ({law})", info.id)
        }
    });
    let full = if why.is_empty() { short.clone() } else { why.to_string() };

    let law_label = tr(lang, "Law", "法律依据");
    let why_label = tr(lang, "Why it matters", "为什么重要");
    let fix_label = tr(lang, "How to fix", "如何修复");
    let example_label = tr(lang, "Compliant example", "合规示例");
    let sources_label = tr(lang, "Seen in", "来源条款");
    let mut text = String::new();
    let mut markdown = String::new();
    if !law.is_empty() {
        text.push_str(&format!("{law_label}: {law}\n"));
        markdown.push_str(&format!("**{law_label}:** {law}\n\n"));
    }
    if !why.is_empty() {
        text.push_str(&format!("\n{why_label}: {why}\n"));
        markdown.push_str(&format!("**{why_label}:** {why}\n\n"));
    }
    if !fix.is_empty() {
        text.push_str(&format!("\n{fix_label}: {fix}\n"));
        markdown.push_str(&format!("**{fix_label}:** {fix}\n\n"));
    }
    if !info.example.is_empty() {
        text.push_str(&format!("\n{example_label}:\n{}\n", info.example.trim_end()));
        markdown.push_str(&format!(
            "**{example_label}:**\n\n```yaml\n{}\n```\n\n",
            info.example.trim_end()
        ));
    }
    if !info.sources.is_empty() {
        let sources = info.sources.join("; ");
        text.push_str(&format!("\n{sources_label}: {sources}\n"));
        markdown.push_str(&format!("{sources_label}: {sources}\n\n"));
    }
    text.push_str(&format!("\n`privflow explain {}`\n", info.id));
    markdown.push_str(&format!("`privflow explain {}`\n", info.id));

    let mut tags = vec!["privacy".to_string(), "pipl".to_string()];
    if !info.builtin {
        tags.push("custom".to_string());
    }
    ReportingDescriptor::builder()
        .id(info.id.clone())
        .name(pascal_case(&info.id))
        .short_description(message_string(short, None))
        .full_description(message_string(full, None))
        .help(message_string(
            text.trim().to_string(),
            Some(markdown.trim().to_string()),
        ))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(
                    level(info.severity.unwrap_or(Severity::Warning)).to_string()
                ))
                .build(),
        )
        .properties(rule_properties(info, tags))
        .build()
}

/// A rule's tags, and where its Cedar policies are written
/// (`policies: ["policies/consent.cedar:42"]`), to open the rule text.
fn rule_properties(info: &RuleInfo, tags: Vec<String>) -> PropertyBag {
    let policies: Vec<String> = info.policies.iter().map(|p| p.to_string()).collect();
    let mut extra = BTreeMap::new();
    if !policies.is_empty() {
        extra.insert("policies".to_string(), serde_json::json!(policies));
    }
    PropertyBag::builder().tags(tags).additional_properties(extra).build()
}

fn result(finding: &Finding, uri: &str, rule_index: Option<usize>, fingerprint: String) -> SarifResult {
    let l = finding.location;
    let artifact = ArtifactLocation::builder().uri(uri).build();
    let physical = if l.line > 0 {
        let region = Region::builder()
            .start_line(l.line as i64)
            .start_column(l.column.max(1) as i64)
            .end_line(l.end_line.max(l.line) as i64)
            .end_column(l.end_column.max(1) as i64)
            .build();
        PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(region)
            .build()
    } else {
        PhysicalLocation::builder().artifact_location(artifact).build()
    };
    let text = if finding.help.is_empty() {
        finding.message.clone()
    } else {
        format!("{}\n{}", finding.message, finding.help)
    };
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), fingerprint);
    let mut properties = BTreeMap::new();
    if let Some(law) = super::github::law_of(finding) {
        properties.insert("law".to_string(), serde_json::json!(law));
    }
    properties.insert("product".to_string(), serde_json::json!(finding.product));
    if let Some(flow) = &finding.flow {
        properties.insert("flow".to_string(), serde_json::json!(flow));
    }
    if let Some(recipient) = &finding.recipient {
        properties.insert("recipient".to_string(), serde_json::json!(recipient));
    }
    let result = SarifResult::builder()
        .rule_id(finding.rule.clone())
        .level(level(finding.severity))
        .message(Message::builder().text(text).build())
        .locations(vec![Location::builder().physical_location(physical).build()])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(properties).build());
    let mut result = match rule_index {
        Some(index) => result.rule_index(index as i64).build(),
        None => result.build(),
    };
    if let Some(state) = finding.baseline {
        let state = match state {
            crate::finding::BaselineState::New => "new",
            crate::finding::BaselineState::Unchanged => "unchanged",
        };
        result.baseline_state = Some(serde_json::json!(state));
    }
    if let Some(waived) = &finding.waived {
        let mut bag = BTreeMap::new();
        bag.insert("expires".to_string(), serde_json::json!(waived.expires));
        result.suppressions = Some(vec![Suppression::builder()
            .kind(serde_json::json!("inSource"))
            .justification(waived.reason.clone())
            .properties(PropertyBag::builder().additional_properties(bag).build())
            .build()]);
    }
    result
}

fn message_string(text: String, markdown: Option<String>) -> MultiformatMessageString {
    match markdown {
        Some(markdown) => MultiformatMessageString::builder()
            .text(text)
            .markdown(markdown)
            .build(),
        None => MultiformatMessageString::builder().text(text).build(),
    }
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn language_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en-US",
        Lang::Zh => "zh-CN",
    }
}

/// A rule id in PascalCase (`some-rule-id` → `SomeRuleId`), the SARIF rule name.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The first sentence of a text, English or Chinese.
fn first_sentence(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let end = text
        .char_indices()
        .find(|&(i, c)| c == '。' || (c == '.' && text[i + 1..].starts_with(' ')))
        .map_or(text.len(), |(i, c)| i + c.len_utf8());
    Some(text[..end].to_string())
}

/// A relative path as a URI reference: unreserved characters and `/` stay,
/// everything else is percent-encoded as UTF-8.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// FNV-1a, 64 bits: tiny and fixed, so fingerprints do not change with the
/// Rust version (std's hasher makes no such promise).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sentences_and_uris() {
        assert_eq!(pascal_case("cross-border-mechanism"), "CrossBorderMechanism");
        assert_eq!(first_sentence("One. Two."), Some("One.".to_string()));
        assert_eq!(first_sentence("第一句。第二句。"), Some("第一句。".to_string()));
        assert_eq!(
            first_sentence("PIPL 13 v1.2 applies"),
            Some("PIPL 13 v1.2 applies".to_string())
        );
        assert_eq!(uri("a b/隐私.yaml"), "a%20b/%E9%9A%90%E7%A7%81.yaml");
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    }
}
