//! Team rules and waivers: provenance of findings to their Cedar policy,
//! waiver hygiene and non-waivable rules.

mod common;

use common::privflow;
use serde_json::Value;

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("JSON report")
}

/// The 1-based line of the last line starting with `prefix` at or before
/// the first line of `file` that contains `after`: a policy's `@id` line.
fn line_of(file: &str, after: &str, prefix: &str) -> usize {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains(after)).unwrap();
    (0..=at).rev().find(|&i| lines[i].starts_with(prefix)).unwrap() + 1
}

#[test]
fn json_findings_name_the_builtin_policy_file_and_line() {
    let (code, out, _) = privflow(&["check", "examples/focused/cross-border.flows.yaml", "--format", "json"]);
    assert_eq!(code, 1);
    let report = json(&out);
    assert_eq!(report["schema_version"], 2);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "cross-border-mechanism");
    // The policy that fired is the one about `exempt`: its `@id` line.
    let line = line_of("policies/cross_border.cedar", "as `exempt`", "@id(");
    assert_eq!(
        finding["policy"],
        serde_json::json!({ "file": "policies/cross_border.cedar", "line": line })
    );
}

#[test]
fn a_team_rule_finding_names_the_team_file_in_every_format() {
    let args = [
        "check",
        "tests/fixtures/policies/marketing.flows.yaml",
        "--policies",
        "tests/fixtures/policies/good",
    ];
    let (code, out, _) = privflow(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 1);
    let report = json(&out);
    let team: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "no-face-for-marketing")
        .collect();
    assert_eq!(team.len(), 1);
    assert_eq!(
        team[0]["policy"]["file"],
        "tests/fixtures/policies/good/marketing.cedar"
    );
    assert_eq!(team[0]["policy"]["line"], 2);

    // Human: a footnote under a team rule's finding, none under the built-in ones.
    let (_, human, _) = privflow(&args);
    assert!(
        human.contains("  policy: tests/fixtures/policies/good/marketing.cedar:2\n"),
        "{human}"
    );
    assert_eq!(human.matches("  policy: ").count(), 1, "{human}");
    let (_, zh, _) = privflow(&[&args[..], &["--lang", "zh"]].concat());
    assert!(
        zh.contains("  规则出处：tests/fixtures/policies/good/marketing.cedar:2\n"),
        "{zh}"
    );

    // SARIF: the rule lists where its policies are written.
    let (_, sarif, _) = privflow(&[&args[..], &["--format", "sarif"]].concat());
    let sarif = json(&sarif);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["id"] == "no-face-for-marketing").unwrap();
    assert_eq!(
        rule["properties"]["policies"],
        serde_json::json!(["tests/fixtures/policies/good/marketing.cedar:2"])
    );
}

#[test]
fn show_policy_names_the_builtin_policy_in_the_human_report() {
    let file = "examples/focused/cross-border.flows.yaml";
    let (_, plain, _) = privflow(&["check", file]);
    assert!(!plain.contains("policy:"), "{plain}");
    let (code, shown, _) = privflow(&["check", file, "--show-policy"]);
    assert_eq!(code, 1);
    let line = line_of("policies/cross_border.cedar", "as `exempt`", "@id(");
    let footnote = format!("  policy: policies/cross_border.cedar:{line}\n\n");
    assert!(shown.contains(&footnote), "{shown}");
    // Only the footnote is added.
    assert_eq!(shown.replace(&footnote, "\n"), plain);
}
