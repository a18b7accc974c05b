//! Checking the published privacy notice against the manifest: each of the
//! three notice rules fires and does not fire, on the committed fixture
//! notices (Markdown, HTML, plain text), and the five seed notices are read
//! when `../shared/seeds` is present.

use std::path::{Path, PathBuf};

use privflow::{Finding, Options};

const NOTICE_RULES: [&str; 3] = [
    "notice-contradiction",
    "notice-undisclosed-data",
    "notice-undisclosed-recipient",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/notices")
        .join(name)
}

fn today() -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
}

/// A manifest under test; fields are YAML snippets.
struct Case {
    notice: Option<&'static str>,
    commitments: &'static str,
    categories: &'static str,
    data: &'static str,
    storage: &'static str,
    recipients: &'static str,
    provisions: &'static str,
}

const CASE: Case = Case {
    notice: Some("privacy.md"),
    commitments: "[]",
    categories: "",
    data: "[name, phone]",
    storage: "CN",
    recipients: "",
    provisions: "",
};

impl Case {
    fn yaml(&self) -> String {
        let notice = self.notice.map(|n| format!("  notice: {n}\n")).unwrap_or_default();
        format!(
            "version: 1\nproduct:\n  id: demo\n  operator: 示例门禁科技有限公司\n  contact: privacy@demo.example\n{notice}  commitments: {}\n{}\nrecipients:\n{}\nflows:\n  - id: access\n    data: {}\n    purpose: door-access\n    basis: consent\n    consent: separate\n    storage: {{ country: {}, encrypted: true }}\n    retention: {{ days: 30 }}\n{}",
            self.commitments, self.categories, self.recipients, self.data, self.storage, self.provisions
        )
    }
}

/// Runs a case in a fresh directory holding the fixture notices; `run_notice`
/// is `Options.notice` (a fixture name).
fn check(case: &Case, run_notice: Option<&str>) -> (String, Vec<Finding>) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for name in ["privacy.md", "privacy.html", "privacy.txt"] {
        std::fs::copy(fixture(name), dir.path().join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let text = case.yaml();
    let path = dir.path().join("privflow.yaml");
    std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        today: today(),
        notice: run_notice.map(fixture),
        ..Default::default()
    };
    match privflow::check(&[&path], &options) {
        Ok(report) => (text, report.findings),
        Err(e) => panic!("input errors:\n{}\n{text}", e.render_plain()),
    }
}

/// The notice findings of a case.
fn notice_findings(case: &Case) -> Vec<Finding> {
    let (_, findings) = check(case, None);
    findings
        .into_iter()
        .filter(|f| NOTICE_RULES.contains(&f.rule.as_str()))
        .collect()
}

fn rules(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

/// The 1-based line and column of the first `needle` in `text` at or after `after`.
fn position(text: &str, after: &str, needle: &str) -> (usize, usize) {
    let start = text.find(after).unwrap_or(0);
    let at = start
        + text[start..]
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` not in text"));
    let line = text[..at].matches('\n').count() + 1;
    let column = text[..at].rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[test]
fn undisclosed_data_points_at_the_data_entry_and_names_the_notice() {
    let case = Case {
        data: "[name, fingerprint, phone]",
        ..CASE
    };
    let (text, findings) = check(&case, None);
    let notice: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "notice-undisclosed-data")
        .collect();
    assert_eq!(notice.len(), 1, "{findings:#?}");
    let f = notice[0];
    assert_eq!((f.line, f.column), position(&text, "data:", "fingerprint"));
    assert_eq!(f.flow.as_deref(), Some("access"));
    assert_eq!(f.severity, privflow::Severity::Error);
    assert_eq!(f.law, "PIPL 17");
    assert!(
        f.message.contains("`fingerprint`") && f.message.contains("privacy.md"),
        "{}",
        f.message
    );
}

#[test]
fn disclosed_data_does_not_fire_whatever_the_markup_and_width() {
    // privacy.md: bold, a link text, full-width ＩＰ and ＧＰＳ.
    let case = Case {
        data: "[name, phone, face, ip-address, gps, location]",
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), Vec::<&str>::new());
    // privacy.html: tags inside a term, numeric entities, &nbsp;, plurals.
    let case = Case {
        notice: Some("privacy.html"),
        data: "[name, phone, health-code, face, face-image]",
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), Vec::<&str>::new());
    // privacy.txt: hard-wrapped plain text, full-width ＷｉＦｉ.
    let case = Case {
        notice: Some("privacy.txt"),
        data: "[name, phone, wifi-location]",
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), Vec::<&str>::new());
}

#[test]
fn statutory_definitions_scripts_and_comments_disclose_nothing() {
    // privacy.md quotes a definition naming 宗教信仰 and 指纹.
    let case = Case {
        data: "[religious-belief, fingerprint]",
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), ["notice-undisclosed-data"; 2]);
    // privacy.html names 指纹 and 虹膜 only in a script and a comment.
    let case = Case {
        notice: Some("privacy.html"),
        data: "[fingerprint, iris]",
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), ["notice-undisclosed-data"; 2]);
}

#[test]
fn a_specific_category_discloses_its_ancestors_not_its_siblings() {
    let case = Case {
        notice: Some("privacy.html"),
        data: "[health-code, medical-health, sensitive]",
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), Vec::<&str>::new());
    let case = Case {
        notice: Some("privacy.html"),
        data: "[medical-record, vaccination]",
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), ["notice-undisclosed-data"; 2]);
}

#[test]
fn manifest_terms_disclose_builtin_and_custom_categories() {
    // privacy.txt says 刷脸 (not a lexicon term) and 打卡记录.
    let base = Case {
        notice: Some("privacy.txt"),
        data: "[face, attendance]",
        ..CASE
    };
    let without = Case {
        categories: "categories:\n  - { id: attendance, parent: personal }",
        ..base
    };
    assert_eq!(rules(&notice_findings(&without)), ["notice-undisclosed-data"; 2]);
    let with = Case {
        categories:
            "categories:\n  - { id: face, terms: [刷脸] }\n  - { id: attendance, parent: personal, terms: [打卡记录] }",
        ..base
    };
    assert_eq!(rules(&notice_findings(&with)), Vec::<&str>::new());
    let by_name = Case {
        categories:
            "categories:\n  - { id: face, terms: [刷脸] }\n  - { id: attendance, parent: personal, name: 打卡记录 }",
        ..base
    };
    assert_eq!(rules(&notice_findings(&by_name)), Vec::<&str>::new());
}

const NAMED: &str =
    "  - { id: sms, name: 示例云服务（上海）有限公司, role: third-party, country: CN, contact: a@sms.example }";

#[test]
fn a_named_recipient_does_not_fire() {
    let case = Case {
        recipients: NAMED,
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), Vec::<&str>::new());
    // The notice shortens the company form: `Example Analytics` for the legal name.
    let case = Case {
        notice: Some("privacy.html"),
        recipients:
            "  - { id: bi, name: 'Example Analytics Co., Ltd.', role: joint, country: CN, contact: a@bi.example }",
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), Vec::<&str>::new());
}

#[test]
fn an_unnamed_third_party_in_the_notice_fires_at_its_name() {
    let recipients = "  - { id: ads, name: 示例广告联盟有限公司, role: third-party, country: CN, contact: a@ads.example }\n  - { id: host, name: 另一家主机服务有限公司, role: entrusted, country: CN, contract: true }";
    let case = Case { recipients, ..CASE };
    let (text, findings) = check(&case, None);
    let notice: Vec<&Finding> = findings.iter().filter(|f| f.rule.starts_with("notice-")).collect();
    assert_eq!(
        rules(&notice.iter().map(|f| (*f).clone()).collect::<Vec<_>>()),
        ["notice-undisclosed-recipient"]
    );
    let f = notice[0];
    assert_eq!(f.recipient.as_deref(), Some("ads"));
    assert_eq!(f.flow, None);
    assert_eq!(f.law, "PIPL 23, 39");
    assert_eq!((f.line, f.column), position(&text, "id: ads", "示例广告联盟有限公司"));
    assert!(
        f.message.contains("示例广告联盟有限公司") && f.message.contains("privacy.md"),
        "{}",
        f.message
    );
}

#[test]
fn a_recipient_without_a_name_is_left_to_recipient_unnamed() {
    let case = Case {
        recipients: "  - { id: partners, role: third-party, country: CN }",
        ..CASE
    };
    let (_, findings) = check(&case, None);
    assert!(findings.iter().any(|f| f.rule == "recipient-unnamed"));
    assert!(!findings.iter().any(|f| f.rule == "notice-undisclosed-recipient"));
}

fn claim_line(fixture_name: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(fixture(fixture_name)).unwrap_or_else(|e| panic!("{e}"));
    position(&text, "", needle).0
}

#[test]
fn storage_abroad_contradicts_a_domestic_claim_and_names_its_line() {
    let case = Case { storage: "SG", ..CASE };
    let (text, findings) = check(&case, None);
    let notice: Vec<&Finding> = findings.iter().filter(|f| f.rule.starts_with("notice-")).collect();
    assert_eq!(notice.len(), 1, "{findings:#?}");
    let f = notice[0];
    assert_eq!(f.rule, "notice-contradiction");
    assert_eq!(f.law, "PIPL 7");
    assert_eq!((f.line, f.column), position(&text, "storage:", "SG"));
    let line = claim_line("privacy.md", "我们存储于中华人民共和国境内");
    assert!(f.message.contains(&format!("line {line} ")), "{}", f.message);
    assert!(
        f.message.contains("privacy.md") && f.message.contains("SG"),
        "{}",
        f.message
    );
}

#[test]
fn a_recipient_abroad_contradicts_it_at_the_flow_recipients() {
    let case = Case {
        notice: Some("privacy.html"),
        recipients: "  - { id: sg, name: Example Analytics, role: entrusted, country: SG, contract: true }",
        provisions: "    recipients:\n      - to: sg\n",
        ..CASE
    };
    let (text, findings) = check(&case, None);
    let f = findings
        .iter()
        .find(|f| f.rule == "notice-contradiction")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(f.line, position(&text, "flows:", "      - to: sg").0);
    let line = claim_line("privacy.html", "Personal information collected in China");
    assert!(f.message.contains(&format!("line {line} ")), "{}", f.message);
}

#[test]
fn no_contradiction_when_data_stays_the_claim_is_qualified_or_a_commitment_reports_it() {
    assert_eq!(rules(&notice_findings(&CASE)), Vec::<&str>::new());
    // privacy.txt allows transfers abroad with separate consent.
    let case = Case {
        notice: Some("privacy.txt"),
        storage: "SG",
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), Vec::<&str>::new());
    // One mistake, one finding: commitment-broken already says it.
    let case = Case {
        storage: "SG",
        commitments: "[store-in-china]",
        ..CASE
    };
    let (_, findings) = check(&case, None);
    assert!(findings.iter().any(|f| f.rule == "commitment-broken"));
    assert!(!findings.iter().any(|f| f.rule == "notice-contradiction"));
}

#[test]
fn without_a_notice_no_notice_rule_fires() {
    let case = Case {
        notice: None,
        data: "[fingerprint]",
        storage: "SG",
        recipients: NAMED,
        ..CASE
    };
    assert_eq!(rules(&notice_findings(&case)), Vec::<&str>::new());
}

#[test]
fn the_run_notice_replaces_the_manifest_notice() {
    // privacy.md names 姓名, privacy.txt does not name 健康码.
    let case = Case {
        data: "[name, health-code]",
        ..CASE
    };
    let (_, findings) = check(&case, Some("privacy.txt"));
    let notice: Vec<&Finding> = findings.iter().filter(|f| f.rule.starts_with("notice-")).collect();
    assert_eq!(notice.len(), 1);
    assert!(notice[0].message.contains("privacy.txt"), "{}", notice[0].message);
    let case = Case {
        notice: None,
        data: "[health-code]",
        ..CASE
    };
    let (_, findings) = check(&case, Some("privacy.html"));
    assert!(!findings.iter().any(|f| f.rule.starts_with("notice-")));
}

#[test]
fn messages_are_translated() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(fixture("privacy.md"), dir.path().join("privacy.md")).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("privflow.yaml");
    std::fs::write(
        &path,
        Case {
            data: "[fingerprint]",
            storage: "SG",
            ..CASE
        }
        .yaml(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        today: today(),
        lang: Some(privflow::Lang::Zh),
        ..Default::default()
    };
    let report = privflow::check(&[&path], &options).unwrap_or_else(|e| panic!("{}", e.render_plain()));
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("notice-"))
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("指纹（`fingerprint`）") && m.contains("未提及")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("第 ") && m.contains("境内")),
        "{messages:#?}"
    );
}

#[test]
fn a_notice_that_is_not_utf8_is_an_input_error_at_product_notice() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("privacy.md"), b"\xd2\xfe\xcb\xbd\xd5\xfe\xb2\xdf")
        .unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("privflow.yaml");
    std::fs::write(&path, CASE.yaml()).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        today: today(),
        ..Default::default()
    };
    let errors = match privflow::check(&[&path], &options) {
        Ok(report) => panic!("expected an input error, got {:#?}", report.findings),
        Err(errors) => errors,
    };
    assert_eq!(errors.0.len(), 1);
    let error = &errors.0[0];
    assert_eq!(error.code.as_str(), "privflow::not-utf8");
    assert!(error.message.en.contains("privacy.md"), "{}", error.message);
    assert!(error.help.as_ref().is_some_and(|h| h.en.contains("UTF-8")));
    let at = error.location.unwrap_or_else(|| panic!("no location"));
    assert_eq!((at.line, at.column), position(&CASE.yaml(), "notice:", "privacy.md"));
    // The same file given with --notice: an error without a manifest span.
    let options = Options {
        today: today(),
        notice: Some(dir.path().join("privacy.md")),
        ..Default::default()
    };
    let errors = privflow::check(&[&path], &options)
        .err()
        .unwrap_or_else(|| panic!("expected an input error"));
    assert!(errors.0.iter().any(|e| e.code.as_str() == "privflow::not-utf8"));
}

#[test]
fn the_focused_example_has_exactly_one_undisclosed_category() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/focused/notice/privflow.yaml");
    let options = Options {
        today: today(),
        ..Default::default()
    };
    let report = privflow::check(&[&path], &options).unwrap_or_else(|e| panic!("{}", e.render_plain()));
    let summary: Vec<(&str, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.flow.as_deref()))
        .collect();
    assert_eq!(summary, [("notice-undisclosed-data", Some("visitor-booking"))]);
}

/// The seed notices: which declared categories of each example manifest the
/// matching finds disclosed, and the misses judged genuine (see README).
struct Seed {
    file: &'static str,
    manifest: &'static str,
    misses: &'static [&'static str],
    /// A category the notice does not mention, added to check it is reported.
    absent: &'static [&'static str],
}

const SEEDS: &[Seed] = &[
    Seed {
        file: "000_1a1c8711a1a55c82.txt",
        manifest: "wecard",
        misses: &[],
        absent: &["iris", "religious-belief"],
    },
    Seed {
        file: "001_63a76410d889ffc3.txt",
        manifest: "lexiang",
        misses: &[],
        absent: &["iris", "religious-belief"],
    },
    Seed {
        file: "002_105f4bc9759c57dd.txt",
        manifest: "esign",
        misses: &[],
        absent: &["iris", "health-code"],
    },
    // §2.1.7 names operation records and "related log information" only.
    Seed {
        file: "003_71482c2de05472e8.txt",
        manifest: "tencent-cloud",
        misses: &["network-log"],
        absent: &["iris", "religious-belief"],
    },
    // §2.2.1 says "the version used by the mobile device" and "log information"
    // without naming the operating system or operation logs.
    Seed {
        file: "004_e8b0232a168ddec0.txt",
        manifest: "leliao",
        misses: &["operation-log", "os"],
        absent: &["iris", "fingerprint"],
    },
];

#[test]
fn seed_notices_disclose_what_the_example_manifests_declare() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    if !seeds.is_dir() {
        println!("skipped: {} is not present", seeds.display());
        return;
    }
    for seed in SEEDS {
        let notice = seeds.join(seed.file);
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{}.flows.yaml", seed.manifest));
        let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{e}"));
        let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let declared: std::collections::BTreeSet<String> = value["flows"]
            .as_sequence()
            .into_iter()
            .flatten()
            .flat_map(|f| f["data"].as_sequence().cloned().unwrap_or_default())
            .filter_map(|d| d.as_str().map(str::to_string))
            .collect();

        let misses = undisclosed(&manifest, &notice);
        println!(
            "{} ({}): {}/{} declared categories disclosed; misses: {:?}",
            seed.file,
            seed.manifest,
            declared.len() - misses.len(),
            declared.len(),
            misses
        );
        assert_eq!(misses, seed.misses, "{}", seed.file);

        // Declare what the notice does not mention: it is reported.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut value = value;
        let flows = value["flows"].as_sequence_mut().unwrap_or_else(|| panic!("no flows"));
        let mut extra = flows[0].clone();
        extra["id"] = "undisclosed-extra".into();
        extra["data"] = seed.absent.iter().map(|c| serde_yaml::Value::from(*c)).collect();
        extra["recipients"] = serde_yaml::Value::Sequence(Vec::new());
        flows.push(extra);
        let path = dir.path().join("seed.flows.yaml");
        std::fs::write(&path, serde_yaml::to_string(&value).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
        let mut expected: Vec<String> = seed.misses.iter().chain(seed.absent).map(|c| c.to_string()).collect();
        expected.sort();
        assert_eq!(undisclosed(&path, &notice), expected, "{}", seed.file);

        // Every seed claims domestic storage on a line that says 境内 or 中国大陆.
        let parsed =
            privflow::notice::Notice::read(&notice, seed.file).unwrap_or_else(|e| panic!("{}", e.render_plain()));
        let raw = std::fs::read_to_string(&notice).unwrap_or_default();
        let line = parsed
            .claim_line()
            .and_then(|l| raw.lines().nth(l - 1))
            .unwrap_or_default();
        assert!(
            line.contains("境内") || line.contains("中国大陆"),
            "{}: claim line {line:?}",
            seed.file
        );
    }
}

/// The categories reported as undisclosed, sorted; no recipient finding may
/// appear (every named third party of the examples is named by its notice).
fn undisclosed(manifest: &Path, notice: &Path) -> Vec<String> {
    let options = Options {
        today: today(),
        notice: Some(notice.to_path_buf()),
        ..Default::default()
    };
    let report = privflow::check(&[manifest], &options).unwrap_or_else(|e| panic!("{}", e.render_plain()));
    assert!(
        !report.findings.iter().any(|f| f.rule == "notice-undisclosed-recipient"),
        "{:#?}",
        report.findings
    );
    let mut misses: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule == "notice-undisclosed-data")
        .filter_map(|f| f.message.split('`').nth(3).map(str::to_string))
        .collect();
    misses.sort();
    misses.dedup();
    misses
}

#[test]
fn an_empty_manifest_term_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("privflow.yaml");
    let case = Case {
        notice: None,
        categories: "categories:\n  - { id: face, terms: ['  '] }",
        ..CASE
    };
    std::fs::write(&path, case.yaml()).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        today: today(),
        ..Default::default()
    };
    let errors = privflow::check(&[&path], &options)
        .err()
        .unwrap_or_else(|| panic!("expected an input error"));
    assert_eq!(
        errors.0.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(),
        ["privflow::empty-term"]
    );
}

/// Runs `manifest` in a fresh directory with `files` (name, text) beside it;
/// input errors come back rendered.
fn check_files(manifest: &str, files: &[(&str, &str)]) -> Result<Vec<Finding>, String> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let path = dir.path().join("privflow.yaml");
    std::fs::write(&path, manifest).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        today: today(),
        ..Default::default()
    };
    privflow::check(&[&path], &options)
        .map(|report| report.findings)
        .map_err(|e| e.render_plain())
}

/// A manifest whose one flow the given notice lines fully disclose, so only
/// the rules under test fire. `notice` is the `product.notice` value.
fn phrase_manifest(notice: &str) -> String {
    format!(
        "version: 1\nproduct:\n  id: demo\n  operator: 示例科技有限公司\n  contact: privacy@demo.example\n  notice: {notice}\nflows:\n  - id: login\n    data: [phone]\n    purpose: login\n    basis: consent\n    consent: general\n    storage: {{ country: CN, encrypted: true }}\n    retention: {{ days: 30 }}\n"
    )
}

const PHRASE_RULES: [&str; 2] = ["notice-change-by-use", "notice-implied-consent"];

fn phrase_findings(notice: &str, files: &[(&str, &str)]) -> Vec<Finding> {
    let findings = check_files(&phrase_manifest(notice), files).unwrap_or_else(|e| panic!("{e}"));
    findings
        .into_iter()
        .filter(|f| PHRASE_RULES.contains(&f.rule.as_str()))
        .collect()
}

#[test]
fn implied_consent_fires_on_the_notice_line_and_names_it() {
    let notice = "# 隐私政策\n\n我们收集您的手机号码用于登录。\n\n一旦你开始使用我们的产品，即表示同意本政策。\n";
    let findings = phrase_findings("privacy.md", &[("privacy.md", notice)]);
    assert_eq!(rules(&findings), ["notice-implied-consent"]);
    let f = &findings[0];
    assert_eq!(f.severity, privflow::Severity::Error);
    assert_eq!(f.law, "PIPL 14");
    // The finding sits on `product.notice` (line 6) and names the notice line.
    assert_eq!(f.line, 6);
    assert!(
        f.message.contains("line 5") && f.message.contains("privacy.md"),
        "{}",
        f.message
    );

    let english = "We collect your phone number.\n\nBy using the App, you agree to this Policy.\n";
    let findings = phrase_findings("privacy.md", &[("privacy.md", english)]);
    assert_eq!(rules(&findings), ["notice-implied-consent"]);
}

#[test]
fn change_by_use_fires_and_is_not_also_implied_consent() {
    let notice = "我们收集您的手机号码。\n\n本政策更新后，继续使用即视为接受更新后的政策。\n";
    let findings = phrase_findings("privacy.md", &[("privacy.md", notice)]);
    assert_eq!(rules(&findings), ["notice-change-by-use"]);
    assert_eq!(findings[0].severity, privflow::Severity::Warning);
    assert!(findings[0].message.contains("line 3"), "{}", findings[0].message);

    let english = "We collect your phone number.\n\nIf you continue to use the App after we post changes, you accept the updated Policy.\n";
    let findings = phrase_findings("privacy.md", &[("privacy.md", english)]);
    assert_eq!(rules(&findings), ["notice-change-by-use"]);
}

#[test]
fn explicit_consent_and_notified_changes_do_not_fire() {
    let notice = "我们收集您的手机号码。请您点击“同意”以表示您同意本政策。\n\n政策更新时，我们会以弹窗通知您并再次征得您的同意。\n\n一旦您开始使用本产品，我们将按本政策处理。同意本政策后方可注册。\n";
    assert_eq!(phrase_findings("privacy.md", &[("privacy.md", notice)]), []);
}

#[test]
fn notice_phrases_of_privflow_yaml_extend_the_shipped_lists() {
    let notice = "我们收集您的手机号码。\n\n您注册账号即代表认可本政策。\n";
    let manifest = phrase_manifest("privacy.md");
    let config = "notice_phrases:\n  implied_consent: [注册…即代表|即表示…认可]\n";
    let without = check_files(&manifest, &[("privacy.md", notice)]).unwrap_or_else(|e| panic!("{e}"));
    assert!(!rules(&without).contains(&"notice-implied-consent"));
    let with =
        check_files(&manifest, &[("privacy.md", notice), (".privflow.yaml", config)]).unwrap_or_else(|e| panic!("{e}"));
    let hits: Vec<&Finding> = with.iter().filter(|f| f.rule == "notice-implied-consent").collect();
    assert_eq!(hits.len(), 1, "{with:#?}");
    assert!(hits[0].message.contains("line 3"), "{}", hits[0].message);

    let bad = "notice_phrases:\n  change_by_use: [\"继续使用… …\"]\n";
    let error = check_files(&manifest, &[("privacy.md", notice), (".privflow.yaml", bad)])
        .err()
        .unwrap_or_else(|| panic!("an empty part is an input error"));
    assert!(
        error.contains("empty part") && error.contains(".privflow.yaml"),
        "{error}"
    );
}

#[test]
fn a_list_of_notices_discloses_what_any_of_them_discloses() {
    let manifest = "version: 1\nproduct:\n  id: demo\n  operator: 示例科技有限公司\n  contact: privacy@demo.example\n  notice: [privacy.md, sdk.md]\nrecipients:\n  - id: push\n    name: 示例推送科技有限公司\n    role: third-party\n    country: CN\n    contact: dpo@push.example\nflows:\n  - id: login\n    data: [phone, device-id]\n    purpose: login\n    basis: consent\n    consent: separate\n    storage: { country: CN, encrypted: true }\n    retention: { days: 30 }\n    recipients:\n      - to: push\n        data: [device-id]\n";
    let privacy = ("privacy.md", "我们收集您的手机号码用于登录。\n");
    let sdk = (
        "sdk.md",
        "| SDK | 公司 | 信息 |\n|---|---|---|\n| 推送 | 示例推送科技有限公司 | 设备标识符 |\n",
    );
    let findings = check_files(manifest, &[privacy, sdk]).unwrap_or_else(|e| panic!("{e}"));
    let notice: Vec<&str> = rules(&findings)
        .into_iter()
        .filter(|r| NOTICE_RULES.contains(r))
        .collect();
    assert_eq!(notice, Vec::<&str>::new(), "{findings:#?}");

    // Without the SDK list, its category and recipient are undisclosed.
    let alone = manifest.replace("[privacy.md, sdk.md]", "[privacy.md]");
    let findings = check_files(&alone, &[privacy, sdk]).unwrap_or_else(|e| panic!("{e}"));
    let mut notice: Vec<&str> = rules(&findings)
        .into_iter()
        .filter(|r| NOTICE_RULES.contains(r))
        .collect();
    notice.sort_unstable();
    assert_eq!(notice, ["notice-undisclosed-data", "notice-undisclosed-recipient"]);

    // A missing list entry is an input error at that entry.
    let error = check_files(manifest, &[privacy])
        .err()
        .unwrap_or_else(|| panic!("a missing notice is an input error"));
    assert!(error.contains("sdk.md"), "{error}");
}

/// A manifest with one flow that pays through a recipient in `country`.
fn transfer_manifest(purpose: &str, country: &str) -> String {
    format!(
        "version: 1\nproduct:\n  id: demo\n  operator: 示例科技有限公司\n  contact: privacy@demo.example\n  notice: privacy.md\nrecipients:\n  - id: payments\n    name: Example Payments Ltd.\n    role: entrusted\n    country: {country}\n    contact: dpo@pay.example\nflows:\n  - id: pay\n    data: [phone]\n    purpose: {purpose}\n    basis: contract\n    storage: {{ country: CN, encrypted: true }}\n    retention: {{ days: 30 }}\n    recipients:\n      - to: payments\n"
    )
}

fn contradictions(manifest: &str, notice: &str) -> Vec<Finding> {
    let findings = check_files(manifest, &[("privacy.md", notice)]).unwrap_or_else(|e| panic!("{e}"));
    findings
        .into_iter()
        .filter(|f| f.rule == "notice-contradiction")
        .collect()
}

const CLAIM_WITH_EXCEPTIONS: &str = "我们收集您的手机号码。\n\n我们在中国境内收集的个人信息存储于中国境内，以下情形除外：\n1. 为完成跨境支付，向境外支付机构提供；\n2. 经您单独同意，向新加坡的关联公司提供。\n\n联系我们。\n";

#[test]
fn a_transfer_among_the_declared_exceptions_does_not_contradict_the_claim() {
    // By purpose words (跨境支付), by the recipient's country name (新加坡).
    assert_eq!(
        contradictions(&transfer_manifest("跨境支付结算", "US"), CLAIM_WITH_EXCEPTIONS),
        []
    );
    assert_eq!(
        contradictions(&transfer_manifest("group-reporting", "SG"), CLAIM_WITH_EXCEPTIONS),
        []
    );
}

#[test]
fn a_transfer_outside_the_declared_exceptions_still_contradicts_the_claim() {
    let findings = contradictions(&transfer_manifest("group-reporting", "US"), CLAIM_WITH_EXCEPTIONS);
    assert_eq!(rules(&findings), ["notice-contradiction"]);
    assert_eq!(findings[0].severity, privflow::Severity::Error);
    assert!(findings[0].message.contains("line 3"), "{}", findings[0].message);
    // The same claim without exceptions contradicts every transfer.
    let plain = "我们收集您的手机号码。\n\n我们在中国境内收集的个人信息存储于中国境内。\n";
    let findings = contradictions(&transfer_manifest("跨境支付结算", "SG"), plain);
    assert_eq!(rules(&findings), ["notice-contradiction"]);
}

/// Whether notice-undisclosed-data fires on a flow of `category` against a
/// notice of `text` (which also names the phone number the flow needs).
fn undisclosed_with(category: &str, text: &str) -> bool {
    let manifest = phrase_manifest("privacy.md").replace("data: [phone]", &format!("data: [{category}]"));
    let findings = check_files(&manifest, &[("privacy.md", text)]).unwrap_or_else(|e| panic!("{e}"));
    findings.iter().any(|f| f.rule == "notice-undisclosed-data")
}

#[test]
fn a_definition_of_sensitive_information_discloses_nothing() {
    let definition = "敏感个人信息是指容易导致自然人受到歧视的个人信息。包括生物识别、宗教信仰、医疗健康等信息。\n\n我们不收集其他信息。";
    assert!(undisclosed_with("religious-belief", definition));
    assert!(undisclosed_with("medical-health", definition));
    let english = "Sensitive personal information means information that may harm a person. It includes religion and health information.";
    assert!(undisclosed_with("religious-belief", english));
    assert!(!undisclosed_with(
        "religious-belief",
        "为提供宗教活动预约，我们收集您的宗教信仰。"
    ));
}

#[test]
fn a_profile_motto_is_no_signature() {
    assert!(undisclosed_with("signature", "您可以设置头像、昵称与个性签名。"));
    assert!(!undisclosed_with("signature", "签署合同时，我们收集您的手写签名。"));
}

#[test]
fn a_fingerprint_lock_is_no_fingerprint() {
    assert!(undisclosed_with(
        "fingerprint",
        "本应用可绑定您家中的指纹锁，并生成设备指纹以识别风险。"
    ));
    assert!(!undisclosed_with(
        "fingerprint",
        "开通指纹登录时，我们收集您的指纹特征。"
    ));
}

#[test]
fn the_operators_own_address_is_no_address() {
    let contact = "如有疑问，请将信件寄至我们的通讯地址：北京市海淀区示例路1号，或我们的办公地址。";
    assert!(undisclosed_with("address", contact));
    assert!(undisclosed_with(
        "address",
        "You can write to us at our postal address in Beijing."
    ));
    assert!(!undisclosed_with("address", "为配送商品，我们收集您的收货地址。"));
}

#[test]
fn a_regulator_is_no_department() {
    assert!(undisclosed_with("department", "您可以向网信部门、公安部门投诉举报。"));
    assert!(!undisclosed_with("department", "我们收集您的姓名与所属部门。"));
}

#[test]
fn healthy_growth_is_no_health_data() {
    assert!(undisclosed_with(
        "medical-health",
        "我们关注未成年人的健康成长，营造健康的网络环境。"
    ));
    assert!(!undisclosed_with(
        "medical-health",
        "使用体检预约功能时，我们收集您的健康信息。"
    ));
}

#[test]
fn common_wording_names_company_service_logs_and_operation_logs() {
    assert!(!undisclosed_with("company", "认证时，我们收集您所在公司的名称。"));
    // The operator calling itself 公司 names nobody's employer.
    assert!(undisclosed_with("company", "本公司重视您的隐私。"));
    assert!(!undisclosed_with(
        "service-log",
        "我们保存您的客服沟通记录，以便处理投诉。"
    ));
    assert!(undisclosed_with("service-log", "我们提供在线客服。"));
    assert!(!undisclosed_with("operation-log", "我们收集您的浏览、点击、搜索记录。"));
    assert!(!undisclosed_with("operation-log", "我们保存您的搜索记录。"));
    assert!(undisclosed_with("operation-log", "您可以搜索内容。"));
}
