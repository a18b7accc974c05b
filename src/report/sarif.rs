//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF
//! viewers. Rule metadata (law, why, fix, example) comes from the rule packs
//! the run used (`Report::rules`);
//! results come from the findings alone.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::Serialize;

use serde_sarif::sarif::{MultiformatMessageString, PropertyBag, ReportingConfiguration, ReportingDescriptor};

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
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(report, base, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report to `out`. The results are built one at a time from
/// the findings as they are written, never as a whole tree: a run of
/// 100,000 flows has hundreds of thousands of them.
pub fn write(report: &Report, base: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let lang = report.lang;
    let (ids, rules): (Vec<String>, Vec<ReportingDescriptor>) =
        descriptors(report).into_iter().map(|r| (r.id, r.descriptor)).unzip();
    let index: BTreeMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    // Waived findings follow, marked suppressed by the manifest's waiver.
    let findings: Vec<&Finding> = report.findings.iter().chain(&report.suppressed).collect();
    let uris: HashMap<&str, String> = findings
        .iter()
        .map(|f| f.file.as_str())
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .map(|file| (file, uri(&super::github::relative_path(file, base))))
        .collect();
    // Identical findings (same rule, place in the model) are told apart by
    // their order, which the deterministic sort keeps stable. Counted one
    // file at a time: the identity names the file.
    let mut by_uri: Vec<usize> = (0..findings.len()).collect();
    by_uri.sort_by_key(|&i| uris[findings[i].file.as_str()].as_str());
    let mut occurrences = vec![0usize; findings.len()];
    let mut seen: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
    for (n, &i) in by_uri.iter().enumerate() {
        let uri_of = |i: usize| uris[findings[i].file.as_str()].as_str();
        if n > 0 && uri_of(by_uri[n - 1]) != uri_of(i) {
            seen.clear();
        }
        let f = findings[i];
        let occurrence = seen
            .entry((
                &f.rule,
                &f.product,
                f.flow.as_deref().unwrap_or(""),
                f.recipient.as_deref().unwrap_or(""),
            ))
            .or_default();
        *occurrence += 1;
        occurrences[i] = *occurrence;
    }
    drop((seen, by_uri));
    let results = Results {
        findings: &findings,
        occurrences: &occurrences,
        uris: &uris,
        index: &index,
    };
    let version = env!("CARGO_PKG_VERSION");
    let log = Log {
        schema: SCHEMA_URI,
        runs: [RunOut {
            // privflow counts columns in characters, not UTF-16 code units.
            column_kind: "unicodeCodePoints",
            language: language_tag(lang),
            results,
            tool: ToolOut {
                driver: Driver {
                    full_name: format!("privflow {version}"),
                    information_uri: INFORMATION_URI,
                    language: language_tag(lang),
                    name: "privflow",
                    rules,
                    semantic_version: version,
                    version,
                },
            },
        }],
        version: "2.1.0",
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

// The SARIF log as privflow writes it: the fields it uses, in the order
// and shape of the SARIF 2.1.0 schema (keys sorted, as serde-sarif writes
// them), borrowing from the findings.

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [RunOut<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunOut<'a> {
    column_kind: &'static str,
    language: &'static str,
    results: Results<'a>,
    tool: ToolOut,
}

#[derive(Serialize)]
struct ToolOut {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    full_name: String,
    information_uri: &'static str,
    language: &'static str,
    name: &'static str,
    rules: Vec<ReportingDescriptor>,
    semantic_version: &'static str,
    version: &'static str,
}

/// The results, each built from its finding as it is written.
struct Results<'a> {
    findings: &'a [&'a Finding],
    /// Each finding's place among the findings of the same identity.
    occurrences: &'a [usize],
    uris: &'a HashMap<&'a str, String>,
    index: &'a BTreeMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.findings.len()))?;
        for (finding, occurrence) in self.findings.iter().zip(self.occurrences) {
            let uri = self.uris[finding.file.as_str()].as_str();
            let identity = format!(
                "{}\0{}\0{}\0{}\0{}",
                finding.rule,
                uri,
                finding.product,
                finding.flow.as_deref().unwrap_or(""),
                finding.recipient.as_deref().unwrap_or("")
            );
            let fingerprint = format!("{:016x}:{}", fnv1a(identity.as_bytes()), occurrence);
            let rule = self.index.get(&*finding.rule).copied();
            seq.serialize_element(&result(finding, uri, rule, &fingerprint))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    level: &'static str,
    locations: [LocationOut<'a>; 1],
    message: MessageOut<'a>,
    partial_fingerprints: Fingerprint<'a>,
    properties: ResultProperties<'a>,
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[SuppressionOut<'a>; 1]>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationOut<'a> {
    physical_location: PhysicalOut<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalOut<'a> {
    artifact_location: ArtifactOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<RegionOut>,
}

#[derive(Serialize)]
struct ArtifactOut<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegionOut {
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
}

/// `{"text": message, help}`, joined as it is written.
struct MessageOut<'a> {
    message: &'a str,
    help: &'a str,
}

impl Serialize for MessageOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Text<'b>(&'b MessageOut<'b>);
        impl Serialize for Text<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if self.0.help.is_empty() {
                    serializer.serialize_str(self.0.message)
                } else {
                    serializer.collect_str(&format_args!("{}\n{}", self.0.message, self.0.help))
                }
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("text", &Text(self))?;
        map.end()
    }
}

struct Fingerprint<'a>(&'a str);

impl Serialize for Fingerprint<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(FINGERPRINT_KEY, self.0)?;
        map.end()
    }
}

/// A result's properties, keys sorted.
#[derive(Serialize)]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    flow: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    law: Option<&'a str>,
    product: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    recipient: Option<&'a str>,
}

#[derive(Serialize)]
struct SuppressionOut<'a> {
    justification: &'a str,
    kind: &'static str,
    properties: Expires<'a>,
}

#[derive(Serialize)]
struct Expires<'a> {
    expires: &'a str,
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
        if !report.rules.contains_key(finding.rule.as_str()) {
            extra.entry(finding.rule.as_str()).or_insert(finding);
        }
    }
    for (id, finding) in extra {
        let mut info = RuleInfo::default();
        info.id = id.to_string();
        info.severity = Some(finding.severity);
        if !finding.law.is_empty() {
            info.laws.push(finding.law.to_string());
        }
        info.help_en = finding.help.to_string();
        info.help_zh = finding.help.to_string();
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
                .level(serde_json::json!(level(info.severity.unwrap_or(Severity::Warning))))
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

fn result<'a>(finding: &'a Finding, uri: &'a str, rule_index: Option<usize>, fingerprint: &'a str) -> ResultOut<'a> {
    let l = finding.location();
    let region = (l.line > 0).then(|| RegionOut {
        end_column: l.end_column.max(1),
        end_line: l.end_line.max(l.line),
        start_column: l.column.max(1),
        start_line: l.line,
    });
    ResultOut {
        baseline_state: finding.baseline.map(|state| match state {
            crate::finding::BaselineState::New => "new",
            crate::finding::BaselineState::Unchanged => "unchanged",
        }),
        level: level(finding.severity),
        locations: [LocationOut {
            physical_location: PhysicalOut {
                artifact_location: ArtifactOut { uri },
                region,
            },
        }],
        message: MessageOut {
            message: &finding.message,
            help: &finding.help,
        },
        partial_fingerprints: Fingerprint(fingerprint),
        properties: ResultProperties {
            flow: finding.flow.as_deref(),
            law: super::github::law_of(finding),
            product: &finding.product,
            recipient: finding.recipient.as_deref(),
        },
        rule_id: &finding.rule,
        rule_index,
        suppressions: finding.waived.as_ref().map(|waived| {
            [SuppressionOut {
                justification: &waived.reason,
                kind: "inSource",
                properties: Expires {
                    expires: &waived.expires,
                },
            }]
        }),
    }
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

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
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
