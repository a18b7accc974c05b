//! The shipped examples: human and JSON output snapshots, exit codes, and the
//! findings each seed example must (and must not) produce.

mod common;
use common::privflow;

use std::path::{Path, PathBuf};

/// Every manifest under examples/, relative to the crate root, sorted.
fn examples() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(root.join("examples"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.to_string_lossy().ends_with(".flows.yaml") || p.ends_with("privflow.yaml"))
        // A team's rule pack with its test cases: `privflow test` runs those.
        .filter(|p| !p.to_string_lossy().contains("examples/team-rules/"))
        .collect();
    found.sort();
    found
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
        .collect()
}

fn snapshot_name(example: &str, format: &str) -> String {
    let stem = example
        .trim_start_matches("examples/")
        .trim_end_matches(".yaml")
        .replace('/', "__");
    format!("{format}__{stem}")
}

#[test]
fn human_and_json_output_of_every_example() {
    let list = examples();
    assert!(list.len() >= 10, "examples: {list:?}");
    for example in &list {
        for format in ["human", "json"] {
            let (code, stdout, stderr) = privflow(&["check", example, "--format", format, "--today", "2026-11-23"]);
            assert!(code == 0 || code == 1, "{example}: exit {code}\n{stderr}");
            insta::assert_snapshot!(snapshot_name(example, format), stdout);
        }
    }
}

#[test]
fn chinese_output_of_the_counter_example() {
    let (_, stdout, _) = privflow(&[
        "check",
        "examples/leliao.flows.yaml",
        "--lang",
        "zh",
        "--today",
        "2026-11-23",
        "--format",
        "human",
    ]);
    insta::assert_snapshot!(stdout);
}

/// (rule, flow, recipient) of every finding in one example.
fn findings(example: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let options = privflow::Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        ..Default::default()
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
    let report = privflow::check(&[path], &options).unwrap_or_else(|e| panic!("{}", e.render_plain()));
    report
        .findings
        .into_iter()
        .map(|f| (f.rule.into(), f.flow, f.recipient))
        .collect()
}

fn rules_of(example: &str, flow: &str) -> Vec<String> {
    findings(example)
        .into_iter()
        .filter(|(_, f, _)| f.as_deref() == Some(flow))
        .map(|(r, ..)| r)
        .collect()
}

#[test]
fn the_leliao_counter_example_shows_what_its_notice_implies() {
    let example = "examples/leliao.flows.yaml";
    // Use means consent, for face and for bank data.
    for flow in ["face-verification", "bank-account"] {
        let rules = rules_of(example, flow);
        assert!(rules.contains(&"consent-implied".to_string()), "{flow}: {rules:?}");
        assert!(
            rules.contains(&"sensitive-separate-consent".to_string()),
            "{flow}: {rules:?}"
        );
        assert!(rules.contains(&"retention-missing".to_string()), "{flow}: {rules:?}");
    }
    // Unnamed partners, with no agreement.
    for rule in ["recipient-unnamed", "provision-no-contract"] {
        assert!(findings(example).contains(&(rule.into(), None, Some("partners".into()))));
    }
    // Face data without another way, nor a filing; no copies.
    assert!(rules_of(example, "face-verification").contains(&"face-no-alternative".to_string()));
    for rule in ["face-filing-missing", "rights-missing"] {
        assert!(findings(example).contains(&(rule.into(), None, None)), "{rule}");
    }
    // No assessment anywhere: one finding on the product, not one per flow.
    assert!(findings(example).contains(&("pia-missing".into(), None, None)));
    assert_eq!(findings(example).len(), 30);
}

#[test]
fn the_other_seed_examples_keep_the_findings_their_notices_imply() {
    // Each finding is explained by a comment in the example: what the notice
    // does not say (a recipient's name or agreement, another way than the face,
    // a face-recognition filing the 2025 measures brought in after it).
    type Finding = (&'static str, Option<&'static str>, Option<&'static str>);
    let cases: [(&str, &[Finding]); 4] = [
        (
            "examples/wecard.flows.yaml",
            &[
                ("face-filing-missing", None, None),
                ("provision-no-contract", None, Some("pingan-bank")),
                ("provision-no-contract", None, Some("bocom")),
                ("recipient-unnamed", None, Some("enterprise-chosen-apps")),
                ("provision-no-contract", None, Some("enterprise-chosen-apps")),
                ("face-no-alternative", Some("face-verification"), None),
            ],
        ),
        (
            "examples/lexiang.flows.yaml",
            &[
                ("face-filing-missing", None, None),
                ("recipient-unnamed", None, Some("partner-apps")),
                ("provision-no-contract", None, Some("partner-apps")),
                ("face-no-alternative", Some("real-name-verification"), None),
                ("face-no-alternative", Some("training-face-check"), None),
            ],
        ),
        (
            "examples/esign.flows.yaml",
            &[
                ("face-filing-missing", None, None),
                ("recipient-unnamed", None, Some("itrus-ca")),
                ("provision-no-contract", None, Some("itrus-ca")),
                ("face-no-alternative", Some("face-signing"), None),
            ],
        ),
        (
            "examples/tencent-cloud.flows.yaml",
            &[
                ("face-filing-missing", None, None),
                ("recipient-unnamed", None, Some("tencent-computer")),
                ("provision-no-contract", None, Some("tencent-computer")),
                ("recipient-unnamed", None, Some("marketplace-vendors")),
                ("provision-no-contract", None, Some("marketplace-vendors")),
            ],
        ),
    ];
    for (example, expected) in cases {
        let expected: Vec<(String, Option<String>, Option<String>)> = expected
            .iter()
            .map(|(r, f, c)| (r.to_string(), f.map(str::to_string), c.map(str::to_string)))
            .collect();
        assert_eq!(findings(example), expected, "{example}");
    }
}

#[test]
fn focused_examples() {
    for clean in ["clean", "children", "custom-category"] {
        assert_eq!(findings(&format!("examples/focused/{clean}.flows.yaml")), [], "{clean}");
    }
    assert_eq!(
        findings("examples/focused/cross-border.flows.yaml"),
        [(
            "cross-border-mechanism".into(),
            Some("health-consult-abroad".into()),
            None
        )]
    );
    assert_eq!(
        findings("examples/focused/waivers.flows.yaml"),
        [("waiver-expired".into(), Some("staff-directory".into()), None)]
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let clean = "examples/focused/clean.flows.yaml";
    let warnings_only = "tests/fixtures/warning-only.flows.yaml";
    assert_eq!(privflow(&["check", clean]).0, 0);
    assert_eq!(privflow(&["check", "examples/", "--today", "2026-11-23"]).0, 1);
    assert_eq!(
        privflow(&["check", "examples/", "--fail-on", "never", "--today", "2026-11-23"]).0,
        0
    );
    assert_eq!(privflow(&["check", warnings_only]).0, 0);
    assert_eq!(privflow(&["check", warnings_only, "--fail-on", "warning"]).0, 1);
}

/// The human report of the counter example (30 findings, so compact): each
/// rule of a file is one item whose headline names the rule, however many
/// places it has; errors come before warnings; the whole report fits about
/// one screen; the count table at the end agrees with the JSON report.
#[test]
fn human_report_groups_repeated_rules_and_counts_them() {
    let example = "examples/leliao.flows.yaml";
    let (_, human, _) = privflow(&["check", example, "--today", "2026-11-23"]);
    let mut counts: std::collections::BTreeMap<(String, String), usize> = Default::default();
    let (_, json, _) = privflow(&["check", example, "--today", "2026-11-23", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    for f in json["findings"].as_array().unwrap() {
        let key = (
            f["rule"].as_str().unwrap().to_string(),
            f["severity"].as_str().unwrap().to_string(),
        );
        *counts.entry(key).or_default() += 1;
    }
    assert!(counts.values().any(|n| *n > 1) && counts.values().any(|n| *n == 1));
    assert!(human.lines().count() <= 70, "{} lines:\n{human}", human.lines().count());
    // Each item's headline: a severity mark and `[rule · law]`, in order.
    let headers: Vec<&str> = human
        .lines()
        .take_while(|l| !l.starts_with("rule "))
        .filter_map(|l| l.strip_prefix("× [").or_else(|| l.strip_prefix("⚠ [")))
        .filter_map(|l| l.split([' ', ']']).next())
        .collect();
    for (rule, _) in counts.keys() {
        assert_eq!(headers.iter().filter(|h| *h == rule).count(), 1, "{rule}: {headers:?}");
    }
    // Every place of a repeated rule is listed under its one headline.
    assert!(
        human.contains("71:9\u{a0}account-registration · 90:9\u{a0}face-verification"),
        "{human}"
    );
    // Errors first.
    let severity_of = |rule: &str| counts.keys().find(|(r, _)| r == rule).unwrap().1.clone();
    let severities: Vec<String> = headers.iter().map(|h| severity_of(h)).collect();
    let first_warning = severities.iter().position(|s| s == "warning").unwrap();
    assert!(severities[first_warning..].iter().all(|s| s != "error"), "{headers:?}");
    // The table: one row per rule, its severity and count, then the summary.
    let table: Vec<&str> = human
        .lines()
        .skip_while(|l| !l.starts_with("rule "))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(table.len(), counts.len());
    for row in &table {
        let cells: Vec<&str> = row.split_whitespace().collect();
        let key = (cells[0].to_string(), cells[1].to_string());
        assert_eq!(
            counts.get(&key).map(usize::to_string).as_deref(),
            Some(cells[2]),
            "{row}"
        );
    }
    let row_severities: Vec<&str> = table.iter().map(|r| r.split_whitespace().nth(1).unwrap()).collect();
    let mut sorted = row_severities.clone();
    sorted.sort_by_key(|s| ["error", "warning", "info"].iter().position(|x| x == s));
    assert_eq!(row_severities, sorted);
    assert!(human
        .trim_end()
        .ends_with("25 error(s), 5 warning(s), 0 info(s), 0 waived"));
}

/// A report with one finding has no table: one row would repeat it.
#[test]
fn human_report_of_one_finding_has_no_count_table() {
    let (_, human, _) = privflow(&[
        "check",
        "examples/focused/cross-border.flows.yaml",
        "--today",
        "2026-11-23",
    ]);
    assert!(!human.contains("severity  count"), "{human}");
    let (_, human, _) = privflow(&[
        "check",
        "examples/leliao.flows.yaml",
        "--today",
        "2026-11-23",
        "--lang",
        "zh",
    ]);
    assert!(human.contains("\n规则 "), "{human}");
    assert!(
        human.contains("× [retention-missing · 《个人信息保护法》第十七条、第十九条]"),
        "{human}"
    );
}

/// A short report keeps its snippets, and still says a repeated rule once.
#[test]
fn short_human_report_groups_a_rule_repeated_on_two_flows() {
    let dir = tempfile::tempdir().unwrap();
    let flow = |id: &str| {
        format!(
            "  - id: {id}\n    data: [phone]\n    purpose: login\n    basis: contract\n    storage: {{ country: CN, encrypted: true }}\n"
        )
    };
    let text = format!(
        "version: 1\nproduct: {{ id: shop, operator: 示例科技有限公司, contact: a@example.cn }}\nflows:\n{}{}",
        flow("a"),
        flow("b")
    );
    std::fs::write(dir.path().join("privflow.yaml"), text).unwrap();
    let (_, human, _) = common::privflow_in(dir.path(), &["check"]);
    assert!(
        human.contains("2 places in privflow.yaml (error · PIPL 17, 19):"),
        "{human}"
    );
    assert!(human.contains("flow `…` declares no retention period"), "{human}");
    assert_eq!(
        human.matches("retention-missing").count(),
        2,
        "headline and table row:\n{human}"
    );
}
