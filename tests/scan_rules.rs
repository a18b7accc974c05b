//! The scan rules (policies/scan.cedar): each fires and does not fire, on
//! small apps written to a temporary directory; `scan: true`, team
//! catalogues, waivers, and `--suggest` pasted back into a manifest.

mod common;

use std::path::Path;

use common::privflow_in;

/// A compliant product with one recipient slot; tests add recipients and flows.
const HEAD: &str = "version: 1
product:
  id: app
  operator: 示例科技有限公司
  contact: privacy@app.example
";

/// The flow that gives JPush what its catalogue entry says it collects.
const JPUSH: &str = "recipients:
  - id: jpush
    name: 深圳市和讯华谷信息技术有限公司
    role: third-party
    country: CN
    contact: https://www.jiguang.cn/license/privacy
    contract: true
    sdks: [jpush]
flows:
  - id: push
    data: [device-id, device-model, os, ip-address]
    purpose: push-notifications
    basis: consent
    consent: general
    storage: none
    retention: { days: 30, after: delete }
    recipients: [{ to: jpush }]
";

const PACKAGE_JSON: &str = r#"{
  "name": "app",
  "dependencies": {
    "react-native": "0.74.0",
    "jpush-react-native": "3.1.0"
  }
}
"#;

/// A finding as the JSON report has it: (rule, file, line, recipient, evidence).
type Seen = (String, String, u64, Option<String>, Option<String>);

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// (rule, file, line, recipient, evidence) of every finding of `privflow scan`.
fn scan(files: &[(&str, &str)]) -> Vec<Seen> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    let (code, stdout, stderr) = privflow_in(dir.path(), &["scan", "--format", "json", "--fail-on", "never"]);
    assert_eq!(code, 0, "{stderr}");
    findings(&stdout)
}

fn findings(json: &str) -> Vec<Seen> {
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(&f["rule"]).unwrap(),
                text(&f["file"]).unwrap(),
                f["line"].as_u64().unwrap(),
                text(&f["recipient"]),
                text(&f["evidence"]),
            )
        })
        .collect()
}

fn finding(rule: &str, file: &str, line: u64, recipient: Option<&str>, evidence: &str) -> Seen {
    (
        rule.into(),
        file.into(),
        line,
        recipient.map(Into::into),
        Some(evidence.into()),
    )
}

/// `findings` of the scan rules only (they name their evidence).
fn scan_findings(json: &str) -> Vec<Seen> {
    findings(json).into_iter().filter(|f| f.4.is_some()).collect()
}

#[test]
fn sdk_undeclared_points_at_the_dependency_line() {
    let manifest = HEAD.to_string();
    assert_eq!(
        scan(&[("privflow.yaml", &manifest), ("package.json", PACKAGE_JSON)]),
        [finding("sdk-undeclared", "package.json", 5, None, "jpush")]
    );
    // Listed by a recipient whose flow provides what it collects: nothing.
    let manifest = format!("{HEAD}{JPUSH}");
    assert_eq!(
        scan(&[("privflow.yaml", &manifest), ("package.json", PACKAGE_JSON)]),
        []
    );
}

#[test]
fn sdk_data_undeclared_points_at_the_sdks_entry() {
    let manifest = format!(
        "{HEAD}{}",
        JPUSH.replace(
            "data: [device-id, device-model, os, ip-address]",
            "data: [device-id, os]"
        )
    );
    assert_eq!(
        scan(&[("privflow.yaml", &manifest), ("package.json", PACKAGE_JSON)]),
        [finding(
            "sdk-data-undeclared",
            "privflow.yaml",
            13,
            Some("jpush"),
            "jpush"
        )]
    );
    // An ancestor covers: `device` holds device-id, device-model, os.
    let manifest = format!(
        "{HEAD}{}",
        JPUSH.replace(
            "data: [device-id, device-model, os, ip-address]",
            "data: [device, ip-address]"
        )
    );
    assert_eq!(
        scan(&[("privflow.yaml", &manifest), ("package.json", PACKAGE_JSON)]),
        []
    );
}

#[test]
fn sdk_not_found_is_info_at_the_sdks_entry() {
    let manifest = format!("{HEAD}{JPUSH}");
    assert_eq!(
        scan(&[("privflow.yaml", &manifest)]),
        [finding("sdk-not-found", "privflow.yaml", 13, Some("jpush"), "jpush")]
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("privflow.yaml", &manifest)]);
    let (code, stdout, _) = privflow_in(dir.path(), &["scan", "--format", "json"]);
    // An info does not fail the run.
    assert_eq!(code, 0);
    assert!(stdout.contains("\"severity\": \"info\""), "{stdout}");
}

const ANDROID_MANIFEST: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android">

    <uses-permission android:name="android.permission.INTERNET" />
    <uses-permission android:name="android.permission.CAMERA" />

    <application android:label="App" />
</manifest>
"#;

#[test]
fn permission_undeclared_data_points_at_the_permission() {
    let files = [
        ("privflow.yaml", HEAD),
        ("app/src/main/AndroidManifest.xml", ANDROID_MANIFEST),
    ];
    assert_eq!(
        scan(&files),
        [finding(
            "permission-undeclared-data",
            "app/src/main/AndroidManifest.xml",
            5,
            None,
            "android.permission.CAMERA"
        )]
    );
    let manifest = format!(
        "{HEAD}flows:\n  - id: receipts\n    data: [photo]\n    purpose: receipts\n    basis: consent\n    consent: general\n    storage: {{ country: CN, encrypted: true }}\n    retention: {{ days: 30, after: delete }}\n"
    );
    assert_eq!(
        scan(&[
            ("privflow.yaml", &manifest),
            ("app/src/main/AndroidManifest.xml", ANDROID_MANIFEST)
        ]),
        []
    );
}

#[test]
fn miniprogram_location_conflict_needs_both_kinds() {
    let flows = "flows:\n  - id: nearby\n    data: [location]\n    purpose: nearby-stores\n    basis: consent\n    consent: separate\n    necessity: nearby stores\n    storage: none\n    retention: { days: 1, after: delete }\n";
    let manifest = format!("{HEAD}{flows}");
    let both = "{\n  \"pages\": [\"pages/index/index\"],\n  \"requiredPrivateInfos\": [\n    \"getFuzzyLocation\",\n    \"getLocation\"\n  ]\n}\n";
    assert_eq!(
        scan(&[("privflow.yaml", &manifest), ("app.json", both)]),
        [finding(
            "miniprogram-location-conflict",
            "app.json",
            4,
            None,
            "getFuzzyLocation"
        )]
    );
    let fuzzy = "{\n  \"pages\": [\"pages/index/index\"],\n  \"requiredPrivateInfos\": [\"getFuzzyLocation\", \"chooseAddress\"]\n}\n";
    let manifest = manifest.replace("data: [location]", "data: [location, address]");
    assert_eq!(scan(&[("privflow.yaml", &manifest), ("app.json", fuzzy)]), []);
}

#[test]
fn check_scans_only_with_scan_true() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("privflow.yaml", HEAD), ("package.json", PACKAGE_JSON)]);
    let (code, stdout, stderr) = privflow_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(scan_findings(&stdout).is_empty(), "{stdout}");
    write(dir.path(), &[(".privflow.yaml", "scan: true\n")]);
    let (code, stdout, _) = privflow_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(
        scan_findings(&stdout),
        [finding("sdk-undeclared", "package.json", 5, None, "jpush")]
    );
    // Severity overrides apply to scan rules as to any other.
    write(
        dir.path(),
        &[(".privflow.yaml", "scan: true\nseverity: { sdk-undeclared: warning }\n")],
    );
    let (code, _, _) = privflow_in(dir.path(), &["check"]);
    assert_eq!(code, 0);
}

#[test]
fn a_broken_android_manifest_under_check_with_scan_is_exit_2_with_a_span() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("privflow.yaml", HEAD),
            (".privflow.yaml", "scan: true\n"),
            (
                "app/src/main/AndroidManifest.xml",
                "<manifest>\n  <uses-permission android:name=\"x\">\n</manifest>\n",
            ),
        ],
    );
    let (code, _, stderr) = privflow_in(dir.path(), &["check"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("privflow::scan-syntax"), "{stderr}");
    assert!(stderr.contains("AndroidManifest.xml:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The manifest with a waiver of `sdk-undeclared` until 2099.
fn waiving_sdk_undeclared() -> String {
    format!(
        "{HEAD}waivers:\n  - rule: sdk-undeclared\n    reason: declared in the parent company's manifest\n    expires: 2099-01-01\n"
    )
}

#[test]
fn a_waiver_covers_a_scan_finding() {
    let manifest = waiving_sdk_undeclared();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[("privflow.yaml", &manifest), ("package.json", PACKAGE_JSON)],
    );
    let (code, stdout, stderr) = privflow_in(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(findings(&stdout).is_empty());
    assert!(stdout.contains("\"waived\": 1"), "{stdout}");
}

#[test]
fn a_waived_scan_finding_is_kept_in_suppressed() {
    let manifest = waiving_sdk_undeclared();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("privflow.yaml", &manifest),
            ("package.json", PACKAGE_JSON),
            (".privflow.yaml", "scan: true\n"),
        ],
    );
    for command in ["scan", "check"] {
        let (code, stdout, stderr) = privflow_in(dir.path(), &[command, "--format", "json", "--fail-on", "never"]);
        assert_eq!(code, 0, "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(json["summary"]["waived"], 1, "{command}: {stdout}");
        let suppressed = json["suppressed"].as_array().expect(&stdout);
        let brief: Vec<_> = suppressed
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap(),
                    f["file"].as_str().unwrap(),
                    f["line"].as_u64().unwrap(),
                    f["evidence"].as_str().unwrap(),
                    f["waived"]["reason"].as_str().unwrap(),
                    f["waived"]["expires"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            brief,
            [(
                "sdk-undeclared",
                "package.json",
                5,
                "jpush",
                "declared in the parent company's manifest",
                "2099-01-01"
            )],
            "{command}"
        );
        // Nor is the waiver unused: the scan finding it covers counts.
        let rules: Vec<_> = findings(&stdout).into_iter().map(|f| f.0).collect();
        assert!(
            !rules.iter().any(|r| r == "sdk-undeclared" || r == "waiver-unused"),
            "{command}: {rules:?}"
        );
    }
}

const TEAM: &str = "version: 1
sdks:
  - id: acme-push
    name: { zh: 某推送, en: Acme Push }
    developer: 某推送科技有限公司
    country: CN
    identifiers:
      npm: [acme-push-rn]
    collects: [device-id]
    source: the vendor's SDK privacy notice
";

#[test]
fn team_catalogues_from_the_flag_and_the_config() {
    let package = "{\n  \"dependencies\": {\n    \"acme-push-rn\": \"1.0.0\"\n  }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("privflow.yaml", HEAD),
            ("package.json", package),
            ("sdks/team.yaml", TEAM),
        ],
    );
    // Without the team catalogue the SDK is unknown: nothing to say.
    let (_, stdout, _) = privflow_in(dir.path(), &["scan", "--format", "json"]);
    assert!(findings(&stdout).is_empty(), "{stdout}");
    let (code, stdout, stderr) = privflow_in(
        dir.path(),
        &["scan", "--format", "json", "--catalogue", "sdks/team.yaml"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        findings(&stdout),
        [finding("sdk-undeclared", "package.json", 3, None, "acme-push")]
    );
    write(dir.path(), &[(".privflow.yaml", "catalogue: [sdks/team.yaml]\n")]);
    let (code, _, _) = privflow_in(dir.path(), &["scan"]);
    assert_eq!(code, 1);
    // A team id is valid in `sdks:` only with its catalogue.
    let manifest = format!(
        "{HEAD}recipients:\n  - {{ id: acme, name: 某推送科技有限公司, role: third-party, country: CN, contact: a@acme.example, contract: true, sdks: [acme-push] }}\n"
    );
    write(dir.path(), &[("privflow.yaml", &manifest)]);
    let (code, _, stderr) = privflow_in(dir.path(), &["check"]);
    assert_ne!(code, 2, "{stderr}");
    std::fs::remove_file(dir.path().join(".privflow.yaml")).unwrap();
    let (code, _, stderr) = privflow_in(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("privflow::unknown-sdk"), "{stderr}");
}

#[test]
fn a_missing_or_broken_team_catalogue_is_an_input_error_with_a_span() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("privflow.yaml", HEAD),
            (".privflow.yaml", "scan: true\ncatalogue: [nope.yaml]\n"),
        ],
    );
    let (code, _, stderr) = privflow_in(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("privflow::catalogue"), "{stderr}");
    assert!(stderr.contains(".privflow.yaml:2:"), "{stderr}");
    write(
        dir.path(),
        &[
            (".privflow.yaml", "scan: true\ncatalogue: [team.yaml]\n"),
            (
                "team.yaml",
                &TEAM.replace("collects: [device-id]", "collects: [device-idd]"),
            ),
        ],
    );
    let (code, _, stderr) = privflow_in(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("privflow::unknown-category"), "{stderr}");
    assert!(stderr.contains("team.yaml:9:16"), "{stderr}");
}

/// Pastes `--suggest`'s items into the manifest: recipient items after
/// `recipients:`, flow items at the end of `flows:` (the last section).
fn paste(manifest: &str, suggestion: &str) -> String {
    let mut recipients = String::new();
    let mut flows = String::new();
    let mut section = "";
    for line in suggestion.lines() {
        match line {
            "recipients:" | "flows:" => section = line,
            _ if line.starts_with('#') => {}
            _ if section == "recipients:" => recipients += &format!("{line}\n"),
            _ => flows += &format!("{line}\n"),
        }
    }
    let with_recipients = manifest.replacen("recipients:\n", &format!("recipients:\n{recipients}"), 1);
    format!("{with_recipients}{flows}")
}

#[test]
fn suggest_output_pasted_into_the_manifest_settles_the_scan() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apps/android");
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&app, dir.path());
    let (code, before, stderr) = privflow_in(dir.path(), &["scan", "--format", "json", "--fail-on", "never"]);
    assert_eq!(code, 0, "{stderr}");
    let rules: Vec<String> = findings(&before).into_iter().map(|f| f.0).collect();
    for rule in ["sdk-undeclared", "sdk-data-undeclared", "permission-undeclared-data"] {
        assert!(rules.iter().any(|r| r == rule), "{rule} should fire before: {rules:?}");
    }
    let (code, suggestion, stderr) = privflow_in(dir.path(), &["scan", "--suggest"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("scan_suggest_android", suggestion);
    assert_eq!(
        suggestion.matches("# TODO: purpose, basis, retention").count(),
        6,
        "{suggestion}"
    );
    let manifest = std::fs::read_to_string(dir.path().join("privflow.yaml")).unwrap();
    std::fs::write(dir.path().join("privflow.yaml"), paste(&manifest, &suggestion)).unwrap();
    let (code, after, stderr) = privflow_in(dir.path(), &["scan", "--format", "json", "--fail-on", "never"]);
    assert_eq!(code, 0, "{stderr}");
    // Only what pasting cannot settle is left: a listed SDK the code lacks.
    let left: Vec<String> = findings(&after).into_iter().map(|f| f.0).collect();
    assert_eq!(left, ["sdk-not-found"], "{after}");
    let (code, again, _) = privflow_in(dir.path(), &["scan", "--suggest"]);
    assert_eq!(code, 0);
    assert_eq!(again, "");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every output format of `privflow scan` for each sample app: the findings
/// about build and platform files keep their file, line and evidence.
#[test]
fn every_format_of_every_sample_app() {
    let apps = ["android", "ios", "react-native", "miniprogram", "harmony", "flutter"];
    let formats = ["human", "json", "sarif", "junit", "github", "markdown"];
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex::escape(env!("CARGO_PKG_VERSION")), "[VERSION]");
    for app in apps {
        let path = format!("tests/fixtures/apps/{app}");
        for format in formats {
            let (code, mut stdout, stderr) = common::privflow(&["scan", "--format", format, &path]);
            assert!(code == 0 || code == 1, "{app} {format}: {stderr}");
            if format == "sarif" {
                // The rule list is the same in every run (formats.rs holds it whole).
                let mut sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                let rules = &mut sarif["runs"][0]["tool"]["driver"]["rules"];
                let ids: Vec<serde_json::Value> = rules.as_array().unwrap().iter().map(|r| r["id"].clone()).collect();
                *rules = serde_json::Value::Array(ids);
                stdout = serde_json::to_string_pretty(&sarif).unwrap();
            }
            settings.bind(|| insta::assert_snapshot!(format!("scan_{app}_{format}"), stdout));
        }
    }
    let (_, stdout, _) = common::privflow(&["scan", "--lang", "zh", "tests/fixtures/apps/miniprogram"]);
    insta::assert_snapshot!("scan_miniprogram_human_zh", stdout);
}

/// A JSON report with scan findings renders in every format as `check`
/// renders it directly: the build files the findings point at are quoted
/// too, though the report's `files` name only the manifests.
#[test]
fn render_quotes_the_build_files_of_scan_findings() {
    let dir = tempfile::tempdir().unwrap();
    let umeng = "dependencies {\n    implementation(\"com.umeng.umsdk:common:9.6.3\")\n}\n";
    let manifest = "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n  <uses-permission android:name=\"android.permission.READ_CONTACTS\" />\n</manifest>\n";
    write(
        dir.path(),
        &[
            ("privflow.yaml", &format!("{HEAD}{JPUSH}")),
            (".privflow.yaml", "scan: true\n"),
            ("web/package.json", PACKAGE_JSON),
            ("android/app/build.gradle.kts", umeng),
            ("android/app/src/main/AndroidManifest.xml", manifest),
        ],
    );
    let (code, _, err) = privflow_in(dir.path(), &["check", "--format", "json", "--output", "report.json"]);
    assert_eq!(code, 1, "{err}");
    let (_, json, _) = privflow_in(dir.path(), &["check", "--format", "json"]);
    let files: Vec<_> = findings(&json).into_iter().map(|f| f.1).collect();
    assert!(files.contains(&"android/app/build.gradle.kts".to_string()), "{files:?}");
    assert!(
        files.contains(&"android/app/src/main/AndroidManifest.xml".to_string()),
        "{files:?}"
    );
    for format in ["human", "json", "sarif", "junit", "github", "markdown"] {
        let (_, direct, _) = privflow_in(dir.path(), &["check", "--format", format]);
        let (code, rendered, err) = privflow_in(dir.path(), &["render", "report.json", "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        assert!(rendered == direct, "{format}:\n{rendered}\n---\n{direct}");
    }
}
