//! `privflow diff --base REV`: material changes against a git revision, in
//! temporary git repositories. Each test commits a base manifest, edits the
//! working tree and compares it with `HEAD`.

mod common;
use common::git;

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

struct Repo {
    dir: TempDir,
}

fn privflow_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // git looks no higher than the temporary directories.
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        // Set in GitHub Actions: `--format github` would append to it.
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run privflow");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

impl Repo {
    /// A repository whose first commit holds `files`.
    fn new(files: &[(&str, &str)]) -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        git(repo.path(), &["init", "-q"]);
        for (name, text) in files {
            repo.write(name, text);
        }
        git(repo.path(), &["add", "-A"]);
        git(repo.path(), &["commit", "-q", "--allow-empty", "-m", "base"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn privflow(&self, args: &[&str]) -> (i32, String, String) {
        privflow_in(self.path(), args)
    }

    /// The findings of `privflow diff --base HEAD --format json`.
    fn findings(&self, extra: &[&str]) -> Vec<serde_json::Value> {
        let mut args = vec!["diff", "--base", "HEAD", "--format", "json"];
        args.extend(extra);
        let (code, stdout, stderr) = self.privflow(&args);
        assert!(code == 0 || code == 1, "exit {code}: {stderr}");
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let findings = report["findings"].as_array().unwrap().clone();
        // Warnings fail nothing by default.
        assert_eq!(code, 0, "{stdout}");
        findings
    }
}

const HEADER: &str = "version: 1
product:
  id: shop
  operator: 示例科技有限公司
recipients:
  - { id: sms, name: 示例短信有限公司, role: third-party, country: CN, contact: sms@example.com }
  - { id: ads, name: Example Ads Inc., role: third-party, country: US, contact: ads@example.com }
flows:
";

const LOGIN: &str = "  - id: login
    data: [phone]
    purpose: account-login
    basis: contract
    storage: { country: CN, encrypted: true }
    retention: { days: 365 }
";

fn manifest(flows: &[&str]) -> String {
    format!("{HEADER}{}", flows.concat())
}

fn one(findings: &[serde_json::Value]) -> &serde_json::Value {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "change-requires-notice");
    assert_eq!(findings[0]["severity"], "warning");
    assert_eq!(findings[0]["flow"], "login");
    &findings[0]
}

fn message(finding: &serde_json::Value) -> &str {
    finding["message"].as_str().unwrap()
}

#[test]
fn new_purpose() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write(
        "privflow.yaml",
        &manifest(&[&LOGIN.replace("account-login", "marketing")]),
    );
    let findings = repo.findings(&[]);
    let f = one(&findings);
    assert_eq!(
        message(f),
        "flow `login` changes its purpose from `account-login` to `marketing`"
    );
    // The purpose line.
    assert_eq!(f["line"], 11);
}

#[test]
fn new_sensitive_category() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write(
        "privflow.yaml",
        &manifest(&[&LOGIN.replace("[phone]", "[phone, email, face]")]),
    );
    let findings = repo.findings(&[]);
    let f = one(&findings);
    assert_eq!(
        message(f),
        "flow `login` now processes sensitive personal information it did not before: `face`"
    );
    assert_eq!(f["line"], 10);
    let findings = repo.findings(&["--lang", "zh"]);
    assert!(message(one(&findings)).contains("人脸信息（`face`）"));
}

#[test]
fn new_recipient() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write("privflow.yaml", &manifest(&[LOGIN, "    recipients: [{ to: sms }]\n"]));
    let findings = repo.findings(&[]);
    let f = one(&findings);
    assert_eq!(message(f), "flow `login` now provides data to new recipients: `sms`");
    assert_eq!(f["line"], 15);
}

#[test]
fn newly_leaving_china() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write(
        "privflow.yaml",
        &manifest(&[&LOGIN.replace("country: CN", "country: SG")]),
    );
    let findings = repo.findings(&[]);
    let f = one(&findings);
    assert_eq!(
        message(f),
        "flow `login` now sends data outside China (SG); before, it stayed in China"
    );
    assert_eq!(f["line"], 13);
}

#[test]
fn a_new_foreign_recipient_is_two_changes() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write("privflow.yaml", &manifest(&[LOGIN, "    recipients: [{ to: ads }]\n"]));
    let findings = repo.findings(&[]);
    assert_eq!(findings.len(), 2, "{findings:#?}");
    assert!(findings.iter().any(|f| message(f).contains("new recipients: `ads`")));
    assert!(findings.iter().any(|f| message(f).contains("outside China (US (ads))")));
}

const FACE: &str = "  - id: face-login
    data: [face]
    purpose: account-login
    basis: consent
    consent: separate
    storage: { country: CN, encrypted: true }
    retention: { days: 30 }
";

const NEWSLETTER: &str = "  - id: newsletter
    data: [email]
    purpose: newsletter
    basis: consent
    consent: separate
    storage: { country: CN, encrypted: true }
    retention: { days: 30 }
";

#[test]
fn new_flow_with_sensitive_data() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write("privflow.yaml", &manifest(&[LOGIN, FACE]));
    let findings = repo.findings(&[]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["flow"], "face-login");
    assert_eq!(
        message(&findings[0]),
        "new flow `face-login` processes sensitive personal information: `face`"
    );
    assert_eq!(findings[0]["line"], 16);
}

#[test]
fn new_flow_for_a_new_purpose_is_material() {
    // PIPL 17 ¶2: a purpose the notice did not state must be told.
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write("privflow.yaml", &manifest(&[LOGIN, NEWSLETTER]));
    let findings = repo.findings(&[]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["flow"], "newsletter");
    assert_eq!(
        message(&findings[0]),
        "new flow `newsletter` processes data for a purpose the product did not have: `newsletter`"
    );
}

#[test]
fn new_flow_for_a_purpose_the_product_had_is_no_change() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    let second = LOGIN
        .replace("id: login", "id: login-email")
        .replace("[phone]", "[email]");
    repo.write("privflow.yaml", &manifest(&[LOGIN, &second]));
    assert!(repo.findings(&[]).is_empty());
}

/// A flow stored in Singapore with a declared count since 1 January.
fn abroad(id: &str, data: &str, individuals: u64) -> String {
    format!(
        "  - id: {id}
    data: [{data}]
    purpose: support
    basis: consent
    consent: separate
    storage: {{ country: SG, encrypted: true }}
    retention: {{ days: 30 }}
    cross_border: {{ mechanism: standard-contract, consent: separate, individuals: {individuals} }}
"
    )
}

#[test]
fn cross_border_count_crossing_a_threshold_is_material() {
    let crossed = |base: &str, head: &str| -> Vec<serde_json::Value> {
        let repo = Repo::new(&[("privflow.yaml", &manifest(&[base]))]);
        repo.write("privflow.yaml", &manifest(&[head]));
        repo.findings(&[])
    };
    // Ordinary data: 99,999 → 100,000 crosses; 100,000 → 999,999 does not.
    let findings = crossed(&abroad("help", "email", 99999), &abroad("help", "email", 100000));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(message(&findings[0]).contains("crossed a threshold (100000 individuals, ordinary data)"));
    assert!(crossed(&abroad("help", "email", 100000), &abroad("help", "email", 999999)).is_empty());
    assert_eq!(
        crossed(&abroad("help", "email", 999999), &abroad("help", "email", 1000000)).len(),
        1
    );
    // Sensitive data: 9,999 → 10,000.
    assert_eq!(
        crossed(&abroad("help", "face", 9999), &abroad("help", "face", 10000)).len(),
        1
    );
    assert!(crossed(&abroad("help", "face", 9000), &abroad("help", "face", 9999)).is_empty());
}

#[test]
fn unchanged_manifest_has_no_change() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN, FACE]))]);
    assert!(repo.findings(&[]).is_empty());
    // Reordering and rewording a description are not material.
    repo.write("privflow.yaml", &manifest(&[FACE, LOGIN]));
    assert!(repo.findings(&[]).is_empty());
}

#[test]
fn manifest_absent_at_the_base_is_entirely_new() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write("sub/app.flows.yaml", &manifest(&[NEWSLETTER, FACE]));
    let findings = repo.findings(&[]);
    // Every purpose is new; the face flow's finding is about its sensitive data.
    assert_eq!(findings.len(), 2, "{findings:#?}");
    assert_eq!(findings[0]["file"], "sub/app.flows.yaml");
    assert_eq!(findings[0]["flow"], "newsletter");
    assert_eq!(findings[1]["flow"], "face-login");
    // Named explicitly, in a subdirectory.
    let (code, stdout, stderr) = privflow_in(
        &repo.path().join("sub"),
        &["diff", "--base", "HEAD", "app.flows.yaml", "--format", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("\"file\": \"app.flows.yaml\""), "{stdout}");
    assert!(stdout.contains("new flow `face-login`"), "{stdout}");
}

#[test]
fn deleted_manifest_is_not_an_error() {
    let repo = Repo::new(&[
        ("privflow.yaml", &manifest(&[LOGIN])),
        ("old.flows.yaml", &manifest(&[FACE])),
    ]);
    std::fs::remove_file(repo.path().join("old.flows.yaml")).unwrap();
    let (code, stdout, stderr) = repo.privflow(&["diff", "--base", "HEAD"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("checked 1 file(s), 1 flow(s)"), "{stdout}");
}

#[test]
fn renamed_flow_is_compared_with_its_old_self() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN, FACE]))]);
    // Same data and purpose under a new id: a rename, not a new flow.
    repo.write(
        "privflow.yaml",
        &manifest(&[LOGIN, &FACE.replace("face-login", "face-sign-in")]),
    );
    assert!(repo.findings(&[]).is_empty());
    // A rename that also adds a recipient reports just the recipient.
    repo.write(
        "privflow.yaml",
        &manifest(&[
            LOGIN,
            &FACE.replace("face-login", "face-sign-in"),
            "    recipients: [{ to: sms }]\n",
        ]),
    );
    let findings = repo.findings(&[]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["flow"], "face-sign-in");
    assert!(message(&findings[0]).contains("new recipients: `sms`"));
}

#[test]
fn bad_revision_is_an_input_error() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    for rev in ["no-such-branch", "--upload-pack=x", "HEAD~5"] {
        let (code, stdout, stderr) = repo.privflow(&["diff", &format!("--base={rev}")]);
        assert_eq!(code, 2, "{rev}: {stdout}{stderr}");
        assert!(stderr.contains("is not a commit"), "{stderr}");
        assert!(stderr.contains("help:"), "{stderr}");
    }
}

#[test]
fn outside_a_git_work_tree_is_an_input_error() {
    let (code, _, stderr) = privflow_in(&std::env::temp_dir(), &["diff", "--base", "HEAD", "no-such-dir"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("does not exist"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("privflow.yaml"), manifest(&[LOGIN])).unwrap();
    let (code, stdout, stderr) = privflow_in(dir.path(), &["diff", "--base", "HEAD"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("is not inside a git work tree"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
}

/// Every kind of change at once, for the report snapshots.
fn all_changes() -> Repo {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN, NEWSLETTER]))]);
    repo.write(
        "privflow.yaml",
        &manifest(&[
            &LOGIN
                .replace("account-login", "marketing")
                .replace("[phone]", "[phone, face]")
                .replace("country: CN", "country: SG"),
            NEWSLETTER,
            "    recipients: [{ to: sms }]\n",
            FACE,
        ]),
    );
    repo
}

#[test]
fn json_report() {
    let repo = all_changes();
    let (code, stdout, stderr) = repo.privflow(&["diff", "--base", "HEAD", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn markdown_report() {
    let repo = all_changes();
    let (code, stdout, stderr) = repo.privflow(&["diff", "--base", "HEAD", "--format", "markdown"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("需要重新告知或重新取得同意的变更"));
    insta::assert_snapshot!(stdout);
    // `check` has no change findings, so no such section.
    let (_, stdout, _) = repo.privflow(&["check", "--format", "markdown"]);
    assert!(!stdout.contains("需要重新告知或重新取得同意的变更"));
}

#[test]
fn every_format_renders_and_fail_on_warning_fails() {
    let repo = all_changes();
    for format in ["human", "json", "sarif", "junit", "github", "markdown"] {
        let (code, stdout, stderr) = repo.privflow(&["diff", "--base", "HEAD", "--format", format]);
        assert_eq!(code, 0, "{format}: {stderr}");
        assert!(stdout.contains("change-requires-notice"), "{format}: {stdout}");
    }
    let (code, _, _) = repo.privflow(&["diff", "--base", "HEAD", "--fail-on", "warning"]);
    assert_eq!(code, 1);
}

const NEW_CATEGORY_POLICY: &str = r#"
@id("new-category-review")
@severity("info")
@law("PIPL 14")
@source("team")
@message_en("flow `{flow}` processes a new kind of personal information")
@help_en("ask the privacy team for a review")
forbid (principal, action == Action::"change", resource)
when { !context.new_flow && !context.new_categories.isEmpty() };

@id("new-recipient-review")
@severity("warning")
@law("PIPL 23")
@source("team")
@message_en("flow `{flow}` has new recipients: {new_recipients}")
forbid (principal, action == Action::"change", resource)
when { !context.new_recipients.isEmpty() };
"#;

#[test]
fn team_policies_switch_changes_off_and_add_their_own() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write("team/changes.cedar", NEW_CATEGORY_POLICY);
    repo.write(
        "privflow.yaml",
        &manifest(&[
            &LOGIN.replace("[phone]", "[phone, email]"),
            "    recipients: [{ to: sms }]\n",
        ]),
    );
    // Built in: only the new recipient is material (email is not sensitive).
    let findings = repo.findings(&[]);
    assert!(message(one(&findings)).contains("new recipients"));
    // A team adds a rule for any new category and its own recipient rule...
    let findings = repo.findings(&["--policies", "team"]);
    let mut rules: Vec<&str> = findings.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    rules.sort();
    assert_eq!(
        rules,
        ["change-requires-notice", "new-category-review", "new-recipient-review"],
        "{findings:#?}"
    );
    // ...and switches the built-in rule off in .privflow.yaml.
    repo.write(".privflow.yaml", "severity:\n  change-requires-notice: off\n");
    let findings = repo.findings(&["--policies", "team"]);
    let rules: Vec<&str> = findings.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["new-category-review", "new-recipient-review"], "{findings:#?}");
    assert_eq!(message(&findings[1]), "flow `login` has new recipients: `sms`");
    // `check` never makes "change" requests.
    let (code, stdout, stderr) = repo.privflow(&["check", "--policies", "team", "--format", "json"]);
    assert!(code == 0 || code == 1, "{stderr}");
    assert!(!stdout.contains("review"), "{stdout}");
}

#[test]
fn each_manifest_is_judged_by_its_own_config() {
    // `a` switches the change rule off; `b` has no config.
    let base = manifest(&[LOGIN]);
    let repo = Repo::new(&[
        ("a/privflow.yaml", &base),
        ("a/.privflow.yaml", "severity:\n  change-requires-notice: off\n"),
        ("b/privflow.yaml", &base),
    ]);
    let changed = manifest(&[&LOGIN.replace("account-login", "marketing")]);
    repo.write("a/privflow.yaml", &changed);
    repo.write("b/privflow.yaml", &changed);
    for paths in [["a", "b"], ["b", "a"]] {
        let findings = repo.findings(&paths);
        let files: Vec<&str> = findings.iter().map(|f| f["file"].as_str().unwrap()).collect();
        assert_eq!(files, ["b/privflow.yaml"], "{paths:?}");
    }
}

#[test]
fn a_team_change_rule_lands_in_the_markdown_changes_section() {
    let repo = Repo::new(&[("privflow.yaml", &manifest(&[LOGIN]))]);
    repo.write("team/changes.cedar", NEW_CATEGORY_POLICY);
    repo.write(
        "privflow.yaml",
        &manifest(&[&LOGIN.replace("[phone]", "[phone, email]")]),
    );
    repo.write(".privflow.yaml", "severity:\n  change-requires-notice: off\n");
    let (code, stdout, stderr) =
        repo.privflow(&["diff", "--base", "HEAD", "--policies", "team", "--format", "markdown"]);
    assert_eq!(code, 0, "{stderr}");
    let section = stdout
        .split("### ")
        .find(|s| s.starts_with("需要重新告知或重新取得同意的变更"))
        .unwrap_or_else(|| panic!("no changes section:\n{stdout}"));
    assert_eq!(
        section.lines().filter(|l| l.starts_with("- ")).collect::<Vec<_>>(),
        ["- `privflow.yaml:9` · flow `login`: flow `login` processes a new kind of personal information"],
        "{stdout}"
    );
}
