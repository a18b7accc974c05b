//! The other subcommands and cross-cutting behaviour: rules, explain,
//! categories, custom policies, `.privflow.yaml`, and the README staying in
//! sync with the rule pack.

mod common;
use common::{privflow, privflow_in};

#[test]
fn rules_lists_every_rule() {
    let (code, stdout, _) = privflow(&["rules"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

const COMMANDS: [&str; 9] = [
    "check",
    "diff",
    "rules",
    "explain",
    "categories",
    "schema",
    "init",
    "scan",
    "graph",
];

/// Every command's `--help`: which flags, in which order, with which text.
#[test]
fn help_of_every_command() {
    let (code, mut all, _) = privflow(&["--help"]);
    assert_eq!(code, 0);
    for command in COMMANDS {
        let (code, stdout, _) = privflow(&[command, "--help"]);
        assert_eq!(code, 0, "{command}");
        all.push_str(&format!("\n$ privflow {command} --help\n{stdout}"));
    }
    insta::assert_snapshot!(all);
}

/// A flag several commands take is declared once, so its help reads the
/// same in each.
#[test]
fn shared_flags_read_the_same_everywhere() {
    for (flag, commands) in [
        ("--lang <LANG>", &COMMANDS[..]),
        ("--policies <DIR>", &["check", "diff", "rules", "explain", "graph"][..]),
    ] {
        let mut lines = std::collections::BTreeSet::new();
        for command in commands.iter().filter(|c| **c != "schema") {
            let (_, stdout, _) = privflow(&[command, "-h"]);
            let line = stdout
                .lines()
                .find(|l| l.contains(flag))
                .unwrap_or_else(|| panic!("{command} -h lists no {flag}:\n{stdout}"));
            lines.insert(line.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        assert_eq!(lines.len(), 1, "{flag}: {lines:#?}");
    }
}

#[test]
fn readme_rule_table_matches_the_pack() {
    let (_, table, _) = privflow(&["rules", "--markdown"]);
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("<!-- rules:start -->\n").expect("rules:start marker") + "<!-- rules:start -->\n".len();
    let end = readme.find("<!-- rules:end -->").expect("rules:end marker");
    assert_eq!(
        &readme[start..end],
        table,
        "regenerate with `privflow rules --markdown`"
    );
}

#[test]
fn explain_in_both_languages() {
    for lang in ["en", "zh"] {
        let (code, stdout, _) = privflow(&["explain", "sensitive-separate-consent", "--lang", lang]);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("explain_{lang}"), stdout);
    }
}

#[test]
fn explain_has_law_why_fix_and_example_for_every_builtin_rule() {
    let (_, list, _) = privflow(&["rules"]);
    for id in list
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
    {
        let (code, text, _) = privflow(&["explain", id]);
        assert_eq!(code, 0, "{id}");
        for heading in ["Law:", "Seen in:", "Why it matters", "How to fix", "Compliant example"] {
            if id.starts_with("waiver-") && (heading == "Law:" || heading == "Seen in:") {
                continue;
            }
            assert!(text.contains(heading), "explain {id} lacks {heading}:\n{text}");
        }
    }
}

#[test]
fn explain_unknown_rule_suggests() {
    let (code, _, stderr) = privflow(&["explain", "consent-implyed"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `consent-implied`?"), "{stderr}");
}

#[test]
fn categories_tree() {
    let (code, stdout, _) = privflow(&["categories"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn custom_policies_add_rules() {
    let manifest = "tests/fixtures/policies/marketing.flows.yaml";
    let (code, _, _) = privflow(&["check", manifest]);
    assert_eq!(code, 0);
    let (code, stdout, stderr) = privflow(&[
        "check",
        manifest,
        "--policies",
        "tests/fixtures/policies/good",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["rule"], "no-face-for-marketing");
    assert_eq!(findings[0]["law"], "PIPL 6");
    assert_eq!(findings[0]["line"], 11);
    assert_eq!(findings[0]["message"], "flow `face-ads` uses face data for marketing");
    let (code, _, _) = privflow(&["rules", "--policies", "tests/fixtures/policies/good"]);
    assert_eq!(code, 0);
}

#[test]
fn broken_custom_policies_are_input_errors() {
    for (dir, code) in [
        ("syntax", "privflow::policy-syntax"),
        ("invalid", "privflow::policy-invalid"),
        ("no-id", "privflow::policy-annotation"),
    ] {
        let (exit, _, stderr) = privflow(&[
            "check",
            "tests/fixtures/policies/marketing.flows.yaml",
            "--policies",
            &format!("tests/fixtures/policies/{dir}"),
        ]);
        assert_eq!(exit, 2, "{dir}");
        assert!(stderr.starts_with(code), "{dir}: {stderr}");
        insta::assert_snapshot!(format!("policy_{dir}"), stderr);
    }
}

#[test]
fn config_overrides_severity_and_language() {
    let (code, stdout, _) = privflow(&["check", "tests/fixtures/config/ok"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("数据流 `sync` 未加密传输个人信息"), "{stdout}");
    // Flags win over the file.
    let (code, stdout, _) = privflow(&[
        "check",
        "tests/fixtures/config/ok",
        "--lang",
        "en",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("flow `sync` transmits personal information without encryption"),
        "{stdout}"
    );
}

#[test]
fn config_errors() {
    let (code, _, stderr) = privflow(&["check", "tests/fixtures/config/bad-key"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("config_bad_key", stderr);
    let (code, _, stderr) = privflow(&["check", "tests/fixtures/config/bad-rule"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("config_bad_rule", stderr);
}

/// A manifest with one defect that a config can switch off: no contact.
const NO_CONTACT: &str = "version: 1
product:
  id: PRODUCT
  operator: 示例科技有限公司
flows:
  - id: login
    data: [phone]
    purpose: account-login
    basis: contract
    storage: { country: CN, encrypted: true }
    retention: { days: 365 }
";

/// Directories `a` (contact-missing off), `b` (no config) and `c` (a config
/// naming an unknown rule), each with a manifest lacking `product.contact`.
fn three_configs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (sub, config) in [
        ("a", Some("severity:\n  contact-missing: off\n")),
        ("b", None),
        ("c", Some("severity:\n  no-such-rule: off\n")),
    ] {
        let path = dir.path().join(sub);
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("privflow.yaml"), NO_CONTACT.replace("PRODUCT", sub)).unwrap();
        if let Some(config) = config {
            std::fs::write(path.join(".privflow.yaml"), config).unwrap();
        }
    }
    dir
}

fn products_with(stdout: &str, rule: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["product"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_config_governs_only_the_manifests_below_it() {
    let dir = three_configs();
    let run = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend(args);
        privflow_in(dir.path(), &all)
    };
    let (_, stdout, _) = run(&["b"]);
    assert_eq!(products_with(&stdout, "contact-missing"), ["b"]);
    // a's override must not reach b, whichever comes first.
    for args in [["a", "b"], ["b", "a"]] {
        let (_, stdout, stderr) = run(&args);
        assert_eq!(products_with(&stdout, "contact-missing"), ["b"], "{args:?}: {stderr}");
    }
    // c's unknown rule is an input error, also after a valid config.
    for args in [&["c"][..], &["a", "c"], &["c", "a"], &["b", "c"]] {
        let (code, _, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(stderr.contains("unknown rule `no-such-rule`"), "{args:?}: {stderr}");
    }
}

#[test]
fn input_errors_in_chinese_have_no_english_words() {
    let dir = tempfile::tempdir().unwrap();
    let text = NO_CONTACT.replace("PRODUCT", "shop") + "colour: blue\n";
    std::fs::write(dir.path().join("privflow.yaml"), text).unwrap();
    let (code, _, stderr) = privflow_in(dir.path(), &["check", "--lang", "zh"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("未知字段 `colour`"), "{stderr}");
    assert!(!stderr.contains("the manifest"), "{stderr}");
}

/// `explain` quotes the law's own words, naming the instrument, where the
/// rule carries them; in English it adds the rendering after the original.
#[test]
fn explain_shows_the_law_text() {
    let (code, stdout, _) = privflow(&["explain", "face-no-alternative", "--lang", "zh"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("法律原文\n  《人脸识别技术应用安全管理办法》第十条：“实现相同目的或者达到同等业务要求"),
        "{stdout}"
    );
    let (_, stdout, _) = privflow(&["explain", "sensitive-separate-consent"]);
    assert!(
        stdout.contains("The law's words\n  《个人信息保护法》第二十九条：“处理敏感个人信息应当取得个人的单独同意”\n  (English rendering, not an official translation)\n  PIPL 29: "),
        "{stdout}"
    );
    // Every built-in rule whose article text is on record shows it.
    for rule in [
        "retention-below-legal-minimum",
        "cross-border-mechanism",
        "profile-tags-undeletable",
        "audit-overdue",
        "provision-no-contract",
        "data-security-officer-missing",
    ] {
        let (_, stdout, _) = privflow(&["explain", rule, "--lang", "zh"]);
        assert!(stdout.contains("法律原文\n  《"), "{rule}: {stdout}");
    }
    // No text on record (PIPL 53 was not read verbatim): no section at all.
    let (_, stdout, _) = privflow(&["explain", "cn-representative-missing"]);
    assert!(!stdout.contains("The law's words"), "{stdout}");
}
