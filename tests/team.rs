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

const HYGIENE: &str = "tests/fixtures/waivers/hygiene.flows.yaml";

fn rules_and_lines(report: &Value, key: &str) -> Vec<(String, u64)> {
    report[key]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|f| (f["rule"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_unused_waiver_is_a_warning_on_the_waiver() {
    let (code, out, _) = privflow(&["check", HYGIENE, "--today", "2026-12-31", "--format", "json"]);
    // A warning does not fail the run at the default threshold.
    assert_eq!(code, 0);
    let report = json(&out);
    // Line 22 is the unused waiver's `rule:`.
    assert_eq!(
        rules_and_lines(&report, "findings"),
        [("waiver-unused".to_string(), 22)]
    );
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(report["findings"][0]["policy"]["file"], "policies/waivers.cedar");
}

#[test]
fn waivers_expiring_within_the_window_warn_by_flag_or_config() {
    let base = ["check", HYGIENE, "--format", "json"];
    let run = |extra: &[&str]| {
        let (code, out, err) = privflow(&[&base[..], extra].concat());
        // Warnings only, until the waiver has expired (an error).
        let found = rules_and_lines(&json(&out), "findings");
        let expired = found.iter().any(|(rule, _)| rule == "waiver-expired");
        assert_eq!(code, i32::from(expired), "{err}");
        found
    };
    let unused = ("waiver-unused".to_string(), 22);
    let expiring = ("waiver-expiring".to_string(), 21);
    // Ten days left: inside a 14-day window, outside a 9-day one, and never without one.
    assert_eq!(
        run(&["--today", "2026-12-31", "--warn-expiring-within", "14d"]),
        [expiring.clone(), unused.clone()]
    );
    assert_eq!(
        run(&["--today", "2026-12-31", "--warn-expiring-within", "9d"]),
        std::slice::from_ref(&unused)
    );
    assert_eq!(run(&["--today", "2026-12-31"]), std::slice::from_ref(&unused));
    // On the last day still a warning, the day after the waiver has expired.
    assert_eq!(
        run(&["--today", "2027-01-10", "--warn-expiring-within", "14"]),
        [expiring.clone(), unused.clone()]
    );
    let after = run(&["--today", "2027-01-11", "--warn-expiring-within", "14d"]);
    assert!(after.contains(&("waiver-expired".to_string(), 21)), "{after:?}");

    // The same window from `.privflow.yaml`.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(HYGIENE, dir.path().join("hygiene.flows.yaml")).unwrap();
    std::fs::write(dir.path().join(".privflow.yaml"), "warn_expiring_within: 14d\n").unwrap();
    let (code, out, err) = common::privflow_in(
        dir.path(),
        &[
            "check",
            "hygiene.flows.yaml",
            "--today",
            "2026-12-31",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(rules_and_lines(&json(&out), "findings"), [expiring, unused]);

    // A window that is not a number of days is a usage error.
    let (code, _, err) = privflow(&["check", HYGIENE, "--warn-expiring-within", "two weeks"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn waived_findings_are_reported_as_suppressed_in_json_and_sarif() {
    let (_, out, _) = privflow(&["check", HYGIENE, "--today", "2026-12-31", "--format", "json"]);
    let report = json(&out);
    assert_eq!(report["summary"]["waived"], 1);
    assert_eq!(
        rules_and_lines(&report, "suppressed"),
        [("transport-unencrypted".to_string(), 16)]
    );
    assert_eq!(
        report["suppressed"][0]["waived"],
        serde_json::json!({ "reason": "legacy sync, replaced in ticket OPS-9", "expires": "2027-01-10" })
    );

    let (_, sarif, _) = privflow(&["check", HYGIENE, "--today", "2026-12-31", "--format", "sarif"]);
    let sarif = json(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(results.len(), 2);
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["ruleId"], "transport-unencrypted");
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{
            "kind": "inSource",
            "justification": "legacy sync, replaced in ticket OPS-9",
            "properties": { "expires": "2027-01-10" }
        }])
    );
}

#[test]
fn privflow_waivers_lists_every_waiver_in_three_formats() {
    let args = ["waivers", HYGIENE, "--today", "2026-12-31"];
    let (code, human, err) = privflow(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        human,
        "place                                         rule                   flow   expires     days left  matched  state    reason
tests/fixtures/waivers/hygiene.flows.yaml:18  transport-unencrypted  sync   2027-01-10  10         1        waiving  legacy sync, replaced in ticket OPS-9
tests/fixtures/waivers/hygiene.flows.yaml:22  pia-missing            (all)  2027-06-30  181        0        unused   assessment booked, ticket PRIV-3
2 waiver(s): 1 unused, 0 expired
"
    );
    let (_, out, _) = privflow(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(
        json(&out),
        serde_json::json!({
            "schema_version": 2,
            "waivers": [
                { "file": HYGIENE, "line": 18, "rule": "transport-unencrypted", "flow": "sync",
                  "reason": "legacy sync, replaced in ticket OPS-9", "expires": "2027-01-10",
                  "days_left": 10, "matched": 1, "active": true },
                { "file": HYGIENE, "line": 22, "rule": "pia-missing", "flow": null,
                  "reason": "assessment booked, ticket PRIV-3", "expires": "2027-06-30",
                  "days_left": 181, "matched": 0, "active": true }
            ]
        })
    );
    let (_, markdown, _) = privflow(&[&args[..], &["--format", "markdown", "--lang", "zh"]].concat());
    assert_eq!(
        markdown,
        "| 位置 | 规则 | 数据流 | 到期日 | 剩余天数 | 匹配数 | 状态 | 理由 |
|---|---|---|---|---|---|---|---|
| tests/fixtures/waivers/hygiene.flows.yaml:18 | transport-unencrypted | sync | 2027-01-10 | 10 | 1 | 生效中 | legacy sync, replaced in ticket OPS-9 |
| tests/fixtures/waivers/hygiene.flows.yaml:22 | pia-missing | （全部） | 2027-06-30 | 181 | 0 | 未使用 | assessment booked, ticket PRIV-3 |
"
    );
}

#[test]
fn a_team_rule_marked_not_waivable_cannot_be_waived() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let rule = |waivable: &str| {
        format!(
            "@id(\"no-public-flows\")\n@severity(\"error\")\n{waivable}forbid (principal, action == Action::\"flow\", resource)\nwhen {{ context.public }};\n"
        )
    };
    let manifest = "version: 1\nproduct: { id: p, operator: o }\nflows:\n  - { id: f, data: [phone] }\nwaivers:\n  - rule: no-public-flows\n    reason: r\n    expires: 2099-01-01\n";
    std::fs::write(dir.path().join("privflow.yaml"), manifest).unwrap();
    let check = || {
        common::privflow_in(
            dir.path(),
            &["check", "--policies", "rules", "--format", "json", "--fail-on", "never"],
        )
    };

    // Waivable by default: the waiver names nothing here and is only unused.
    std::fs::write(rules.join("team.cedar"), rule("")).unwrap();
    let (code, out, err) = check();
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    let unused: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "no-public-flows" || f["rule"] == "waiver-unused")
        .collect();
    assert_eq!(unused.len(), 1, "{out}");
    assert_eq!(unused[0]["rule"], "waiver-unused");

    std::fs::write(rules.join("team.cedar"), rule("@waivable(\"false\")\n")).unwrap();
    let (code, out, err) = check();
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("privflow::not-waivable"), "{err}");
    assert!(err.contains("no-public-flows cannot be waived"), "{err}");
    assert!(err.contains("privflow.yaml:6:11"), "{err}");

    // Any other value is a rule annotation error.
    std::fs::write(rules.join("team.cedar"), rule("@waivable(\"no\")\n")).unwrap();
    let (code, _, err) = check();
    assert_eq!(code, 2);
    assert!(err.contains("privflow::policy-annotation"), "{err}");
}

#[test]
fn the_builtin_rules_that_cannot_be_waived() {
    let pack = privflow::RulePack::builtin().unwrap();
    assert_eq!(
        pack.not_waivable(),
        [
            "child-guardian-consent",
            "cross-border-mechanism",
            "sensitive-separate-consent",
            "waiver-expired",
            "waiver-expiring",
            "waiver-unused",
        ]
    );
}

/// The built-in pack's own cases, in the format teams use for theirs: every
/// built-in rule fires in some case.
#[test]
fn the_builtin_pack_passes_its_cases() {
    let (code, out, err) = privflow(&["test", "tests/cases", "--min-coverage", "100"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.lines().filter(|l| l.starts_with("FAIL")).count() == 0, "{out}");
    // Every case directory ran: one firing and one passing case per rule.
    let mut dirs: Vec<String> = std::fs::read_dir("tests/cases")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    // One directory per built-in rule, named by its id; rules on changes are
    // `privflow diff`'s and have no case here.
    let pack = privflow::RulePack::builtin().unwrap();
    let mut ids: Vec<String> = pack
        .rules()
        .filter(|r| !r.judges_changes())
        .map(|r| r.id.clone())
        .collect();
    ids.sort();
    assert_eq!(dirs, ids);
    let (cases, rules) = (dirs.len(), ids.len());
    assert!(out.contains(&format!("privflow test: {} case(s)", cases * 2)), "{out}");
    assert!(out.contains(" 0 failed\n"), "{out}");
    assert!(
        out.contains(&format!(
            "rule coverage: {rules}/{rules} rules fire in some case (100.0%)\n"
        )),
        "{out}"
    );
    assert!(!out.contains("no case fires"), "{out}");
}

#[test]
fn the_team_rules_example_passes_its_cases_with_full_coverage() {
    let (code, out, err) = privflow(&[
        "test",
        "examples/team-rules/cases",
        "--policies",
        "examples/team-rules/rules",
        "--min-coverage",
        "100",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "ok   ads-separate-consent/fires
ok   ads-separate-consent/other-purpose
ok   ads-separate-consent/passes

rule coverage: 1/1 rules fire in some case (100.0%)
privflow test: 3 case(s): 3 passed, 0 failed
"
    );
    // Without the team's rule its firing case fails.
    let (code, out, _) = privflow(&["test", "examples/team-rules/cases"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("FAIL ads-separate-consent/fires\n       missing: ads-separate-consent · flow ad-profile\n"),
        "{out}"
    );
}

#[test]
fn a_failing_case_says_what_differs_in_every_format() {
    let dir = "tests/fixtures/cases-failing";
    let (code, human, _) = privflow(&["test", dir]);
    assert_eq!(code, 1);
    assert!(
        human.starts_with(
            "ok   right
FAIL wrong
       missing: basis-missing · flow login
       unexpected: transport-unencrypted · flow login

rule coverage: 1/49 rules fire in some case (2.0%)
"
        ),
        "{human}"
    );
    assert!(
        human.ends_with("privflow test: 2 case(s): 1 passed, 1 failed\n"),
        "{human}"
    );

    let (code, out, _) = privflow(&["test", dir, "--format", "json"]);
    assert_eq!(code, 1);
    let report = json(&out);
    assert_eq!(
        report["cases"],
        serde_json::json!([
            { "name": "right", "passed": true, "missing": [], "unexpected": [] },
            { "name": "wrong", "passed": false,
              "missing": [{ "rule": "basis-missing", "flow": "login", "recipient": null }],
              "unexpected": [{ "rule": "transport-unencrypted", "flow": "login", "recipient": null }] }
        ])
    );
    assert_eq!(report["coverage"]["fired"], 1);

    let (code, xml, _) = privflow(&["test", dir, "--format", "junit"]);
    assert_eq!(code, 1);
    assert!(
        xml.contains(r#"<testsuites name="privflow test" tests="2" skipped="0" failures="1" errors="0">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase name="right" classname="privflow.test"/>"#),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"missing: basis-missing · flow login\">missing: basis-missing · flow login\nunexpected: transport-unencrypted · flow login</failure>"),
        "{xml}"
    );

    // Not a directory: an input error.
    let (code, _, err) = privflow(&["test", "no/such/cases"]);
    assert_eq!(code, 2);
    assert!(err.contains("privflow::no-such-path"), "{err}");
}

const PRODUCT_HEAD: &str = "version: 1
product:
  id: shop
  operator: Demo Ltd
  contact: privacy@demo.example
  rights: { access: self-service, copy: self-service, correct: self-service, delete: self-service, withdraw: self-service, close_account: self-service, portability: on-request, explain: on-request, response_days: 15 }
flows:
";
const LOGIN_PLAIN_HTTP: &str = "  - id: login
    data: [phone]
    purpose: account-login
    basis: contract
    storage: { country: CN, encrypted: true }
    retention: { days: 30, after: delete }
    transport: none
";
const EXPORT_NO_RETENTION: &str = "  - id: export
    data: [email]
    purpose: newsletter
    basis: contract
    storage: { country: CN, encrypted: true }
    transport: tls
";

fn check_in(dir: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    common::privflow_in(
        dir,
        &[&["check", "privflow.yaml", "--today", "2026-11-23"][..], extra].concat(),
    )
}

#[test]
fn fingerprints_survive_moving_and_reformatting_flows() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("privflow.yaml");
    std::fs::write(
        &manifest,
        format!("{PRODUCT_HEAD}{LOGIN_PLAIN_HTTP}{EXPORT_NO_RETENTION}"),
    )
    .unwrap();
    // retention-missing is an error: the run fails as it would without a baseline.
    let (code, _, err) = check_in(dir.path(), &["--write-baseline", "before.json"]);
    assert_eq!(code, 1, "{err}");
    let before = std::fs::read_to_string(dir.path().join("before.json")).unwrap();
    let baseline = json(&before);
    let rules: Vec<&str> = baseline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    let mut sorted = rules.clone();
    sorted.sort();
    assert_eq!(sorted, ["retention-missing", "transport-unencrypted"]);

    // The flows swapped, written in flow style, with comments and blank lines.
    let moved = format!(
        "# reformatted\n{PRODUCT_HEAD}  - {{ id: export, data: [email], purpose: newsletter, basis: contract,\n      storage: {{ country: CN, encrypted: true }}, transport: tls }}\n\n  # the login flow, moved down\n  - {{ id: login, data: [phone], purpose: account-login, basis: contract, storage: {{ country: CN, encrypted: true }}, retention: {{ days: 30, after: delete }}, transport: none }}\n"
    );
    std::fs::write(&manifest, moved).unwrap();
    let (code, _, err) = check_in(dir.path(), &["--write-baseline", "after.json", "--lang", "zh"]);
    assert_eq!(code, 1, "{err}");
    let after = std::fs::read_to_string(dir.path().join("after.json")).unwrap();
    assert_eq!(after, before);
    // Against the old baseline nothing is new and nothing fixed.
    let (code, out, _) = check_in(dir.path(), &["--baseline", "before.json", "--format", "json"]);
    assert_eq!(code, 0);
    let report = json(&out);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["baseline"] == "unchanged"));
    assert_eq!(report["fixed"], serde_json::json!([]));
}

#[test]
fn against_a_baseline_only_new_findings_block_and_fixed_ones_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("privflow.yaml");
    std::fs::write(
        &manifest,
        format!("{PRODUCT_HEAD}{LOGIN_PLAIN_HTTP}{EXPORT_NO_RETENTION}"),
    )
    .unwrap();
    // An error (retention-missing) in the baseline: adopting does not fail.
    let (code, _, _) = check_in(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(code, 1, "the baseline run itself reports as usual");
    let (code, _, _) = check_in(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 0);

    // login fixed; a new flow without a legal basis.
    let fixed_login = LOGIN_PLAIN_HTTP.replace("transport: none", "transport: tls");
    let share = EXPORT_NO_RETENTION
        .replace("id: export", "id: share")
        .replace("    basis: contract\n", "")
        .replace(
            "    transport: tls\n",
            "    retention: { days: 30, after: delete }\n    transport: tls\n",
        );
    std::fs::write(
        &manifest,
        format!("{PRODUCT_HEAD}{fixed_login}{EXPORT_NO_RETENTION}{share}"),
    )
    .unwrap();

    let (code, out, _) = check_in(dir.path(), &["--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(code, 1);
    let report = json(&out);
    let states: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["flow"].as_str().unwrap().to_string(),
                f["baseline"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("retention-missing".into(), "export".into(), "unchanged".into()),
            ("basis-missing".into(), "share".into(), "new".into()),
        ]
    );
    assert_eq!(report["fixed"].as_array().unwrap().len(), 1);
    assert_eq!(report["fixed"][0]["rule"], "transport-unencrypted");
    assert_eq!(report["fixed"][0]["flow"], "login");

    // SARIF: baselineState on each result.
    let (_, sarif, _) = check_in(dir.path(), &["--baseline", "baseline.json", "--format", "sarif"]);
    let sarif = json(&sarif);
    let states: Vec<(&str, &str)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["baselineState"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("retention-missing", "unchanged"), ("basis-missing", "new")]);

    // Human: the new finding only, then what the baseline accounts for.
    let (code, human, _) = check_in(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    assert!(human.starts_with("basis-missing\n"), "{human}");
    assert!(!human.contains("retention-missing"), "{human}");
    assert!(
        human.ends_with(
            "baseline: 1 new, 1 unchanged (not shown), 1 fixed\n  fixed: transport-unencrypted · flow login (privflow.yaml)\n"
        ),
        "{human}"
    );
    // Without --baseline the run reads as before.
    let (_, plain, _) = check_in(dir.path(), &[]);
    assert!(
        plain.contains("retention-missing") && !plain.contains("baseline:"),
        "{plain}"
    );
}

/// One analysis, many renderings: `render` of the JSON report equals
/// `check --format F` byte for byte, for every format.
#[test]
fn render_of_the_json_report_equals_rendering_directly() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("report.json");
    let saved = saved.to_str().unwrap();
    let runs: [&[&str]; 4] = [
        &["examples", "--today", "2026-11-23"],
        &["examples/leliao.flows.yaml", "--today", "2026-11-23", "--lang", "zh"],
        &[HYGIENE, "--today", "2026-12-31", "--warn-expiring-within", "14d"],
        &[
            "tests/fixtures/policies/marketing.flows.yaml",
            "--policies",
            "tests/fixtures/policies/good",
        ],
    ];
    for run in runs {
        let policies: Vec<&str> = run
            .windows(2)
            .filter(|w| w[0] == "--policies")
            .flat_map(|w| ["--policies", w[1]])
            .collect();
        let (code, _, err) =
            privflow(&[&["check"][..], run, &["--format", "json", "--output", saved, "--force"]].concat());
        assert!(code == 0 || code == 1, "{err}");
        for format in ["human", "json", "sarif", "junit", "github", "markdown"] {
            let (_, direct, _) = privflow(&[&["check"][..], run, &["--format", format]].concat());
            let (code, rendered, err) = privflow(&[&["render", saved, "--format", format][..], &policies].concat());
            assert_eq!(code, 0, "{run:?} {format}: {err}");
            assert!(rendered == direct, "{run:?} {format}:\n{rendered}\n---\n{direct}");
        }
    }
    // Not a report: an input error.
    let (code, _, err) = privflow(&["render", "Cargo.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("privflow::report-file"), "{err}");
}
