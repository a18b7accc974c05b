//! `check --output` (pairing, atomic writes, --force), `init`, `graph` and
//! `schema`, run as a user would: the real binary on real files.

mod common;
use common::{privflow, privflow_in};

use std::path::{Path, PathBuf};

use serde_json::Value;

const TODAY: &str = "2026-11-23";
const CROSS_BORDER: &str = "examples/focused/cross-border.flows.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An absolute path to a manifest under examples/, for runs elsewhere.
fn example(path: &str) -> String {
    root().join(path).to_string_lossy().into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn outputs_pair_with_formats_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("privflow.sarif");
    let junit = dir.path().join("junit.xml");
    let manifest = example(CROSS_BORDER);
    let (code, stdout, stderr) = privflow_in(
        dir.path(),
        &[
            "check",
            &manifest,
            "--today",
            TODAY,
            "--format",
            "sarif",
            "--output",
            "privflow.sarif",
            "--format",
            "junit",
            "--output",
            "junit.xml",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let log: Value = serde_json::from_str(&read(&sarif)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(read(&junit).starts_with("<?xml"));
    assert_eq!(
        entries(dir.path()),
        ["junit.xml", "privflow.sarif"],
        "no temporary file is left"
    );
}

#[test]
fn one_output_fewer_sends_the_first_format_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = example(CROSS_BORDER);
    let (code, stdout, stderr) = privflow_in(
        dir.path(),
        &[
            "check",
            &manifest,
            "--today",
            TODAY,
            "--format",
            "github",
            "--format",
            "markdown",
            "--output",
            "report.md",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.starts_with("::error file="), "{stdout}");
    assert!(read(&dir.path().join("report.md")).starts_with("## privflow"));
    // The human report of the same run is the default for a single output.
    let (code, stdout, _) = privflow_in(
        dir.path(),
        &["check", &manifest, "--today", TODAY, "--output", "human.txt"],
    );
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(read(&dir.path().join("human.txt")).contains("cross-border-mechanism"));
}

#[test]
fn output_count_mismatch_is_a_usage_error() {
    let (code, stdout, stderr) = privflow(&[
        "check",
        CROSS_BORDER,
        "--today",
        TODAY,
        "--format",
        "json",
        "--output",
        "/nonexistent/a",
        "--output",
        "/nonexistent/b",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("1 --format but 2 --output"), "{stderr}");
}

#[test]
fn existing_output_is_refused_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    std::fs::write(&target, "keep me").unwrap();
    let manifest = example(CROSS_BORDER);
    let args = [
        "check",
        &manifest,
        "--today",
        TODAY,
        "--format",
        "json",
        "--output",
        "report.json",
    ];
    let (code, _, stderr) = privflow_in(dir.path(), &args);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(read(&target), "keep me");

    let (code, _, stderr) = privflow_in(dir.path(), &[&args[..], &["--force"]].concat());
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&read(&target)).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(entries(dir.path()), ["report.json"]);
}

#[test]
fn refusal_comes_before_any_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.xml"), "old").unwrap();
    let manifest = example(CROSS_BORDER);
    let (code, _, _) = privflow_in(
        dir.path(),
        &[
            "check", &manifest, "--today", TODAY, "--format", "sarif", "--output", "a.sarif", "--format", "junit",
            "--output", "b.xml",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(entries(dir.path()), ["b.xml"], "a.sarif must not be written");
}

#[cfg(unix)]
#[test]
fn written_reports_are_not_private_temp_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let manifest = example(CROSS_BORDER);
    privflow_in(
        dir.path(),
        &[
            "check", &manifest, "--today", TODAY, "--format", "json", "--output", "r.json",
        ],
    );
    let mode = std::fs::metadata(dir.path().join("r.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_ne!(
        mode & 0o044,
        0,
        "mode {mode:o}: readable by group or others like any new file"
    );
}

#[test]
fn input_errors_write_no_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.flows.yaml"), "version: 1\nproduct: [\n").unwrap();
    let (code, _, _) = privflow_in(
        dir.path(),
        &["check", ".", "--format", "sarif", "--output", "out.sarif"],
    );
    assert_eq!(code, 2);
    assert_eq!(entries(dir.path()), ["bad.flows.yaml"]);
}

#[test]
fn init_writes_a_clean_starter_and_refuses_to_overwrite() {
    for lang in ["en", "zh"] {
        let dir = tempfile::tempdir().unwrap();
        let (code, stdout, stderr) = privflow_in(dir.path(), &["init", "--lang", lang]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("privflow.yaml"), "{stdout}");
        let path = dir.path().join("privflow.yaml");
        let written = read(&path);
        assert!(written.starts_with("# yaml-language-server: $schema="));
        assert_eq!(entries(dir.path()), ["privflow.yaml"]);

        let (code, stdout, stderr) = privflow_in(dir.path(), &["check", "--format", "json", "--today", TODAY]);
        assert_eq!(code, 0, "{lang}: {stdout}{stderr}");
        let report: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["summary"]["files"], 1);
        assert_eq!(report["findings"], Value::Array(vec![]), "{lang}");
        // Also with the strictest threshold.
        let (code, _, _) = privflow_in(dir.path(), &["check", "--fail-on", "warning", "--today", TODAY]);
        assert_eq!(code, 0);

        std::fs::write(&path, "edited").unwrap();
        let (code, _, stderr) = privflow_in(dir.path(), &["init", "--lang", lang]);
        assert_eq!(code, 2);
        assert!(stderr.contains("--force"), "{stderr}");
        assert_eq!(read(&path), "edited");

        let (code, _, _) = privflow_in(dir.path(), &["init", "--lang", lang, "--force"]);
        assert_eq!(code, 0);
        assert_eq!(read(&path), written);
    }
}

#[test]
fn init_writes_a_notice_line_to_uncomment() {
    for lang in ["en", "zh"] {
        let dir = tempfile::tempdir().unwrap();
        let (code, _, stderr) = privflow_in(dir.path(), &["init", "--lang", lang]);
        assert_eq!(code, 0, "{stderr}");
        let path = dir.path().join("privflow.yaml");
        let written = read(&path);
        assert!(
            written.contains("\n  # notice: privacy-policy.md "),
            "{lang}: {written}"
        );
        // Uncommented, it names a notice that must exist, and is then read.
        std::fs::write(
            &path,
            written.replace("  # notice: privacy-policy.md ", "  notice: privacy-policy.md   "),
        )
        .unwrap();
        let (code, _, stderr) = privflow_in(dir.path(), &["check", "--today", TODAY]);
        assert_eq!(code, 2, "{lang}: {stderr}");
        assert!(stderr.contains("privacy-policy.md"), "{stderr}");
        std::fs::write(
            dir.path().join("privacy-policy.md"),
            "一旦您开始使用本产品，即表示您同意本政策。\n",
        )
        .unwrap();
        let (code, stdout, stderr) = privflow_in(dir.path(), &["check", "--format", "json", "--today", TODAY]);
        assert_eq!(code, 1, "{lang}: {stderr}");
        assert!(stdout.contains("notice-implied-consent"), "{stdout}");
    }
}

#[test]
fn init_into_another_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("privacy")).unwrap();
    let (code, _, stderr) = privflow_in(dir.path(), &["init", "--dir", "privacy"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.path().join("privacy/privflow.yaml").is_file());
    // A directory that does not exist yet is made, nested ones too.
    let (code, _, stderr) = privflow_in(dir.path(), &["init", "--dir", "new/privacy"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.path().join("new/privacy/privflow.yaml").is_file());
    // A file in the directory's place is an error that says so.
    std::fs::write(dir.path().join("notes"), "").unwrap();
    let (code, _, stderr) = privflow_in(dir.path(), &["init", "--dir", "notes"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`notes` is a file, not a directory"), "{stderr}");
}

#[test]
fn graph_of_the_cross_border_example() {
    let (code, stdout, stderr) = privflow(&["graph", CROSS_BORDER]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn graph_of_several_manifests() {
    let (code, stdout, stderr) = privflow(&["graph", "examples/focused", "--lang", "zh"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn ci_docs_embed_the_cross_border_graph() {
    let page = read(&root().join("docs/ci.md"));
    let (_, graph, _) = privflow(&["graph", CROSS_BORDER]);
    assert!(
        page.contains(&format!("```mermaid\n{graph}```")),
        "docs/ci.md's Mermaid example differs from `privflow graph {CROSS_BORDER}`:\n{graph}"
    );
}

#[test]
fn committed_schema_is_current() {
    let (code, stdout, _) = privflow(&["schema"]);
    assert_eq!(code, 0);
    let committed = read(&root().join("schema/privflow.schema.json"));
    assert!(
        committed == stdout,
        "schema/privflow.schema.json is stale: run `cargo run -- schema > schema/privflow.schema.json`"
    );
}

fn schema_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&read(&root().join("schema/privflow.schema.json"))).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn validate(validator: &jsonschema::Validator, yaml: &str) -> Vec<String> {
    let value: Value = serde_yaml::from_str(yaml).unwrap();
    validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn every_example_and_the_starters_validate_against_the_schema() {
    let validator = schema_validator();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(root().join("examples")) {
        let path = entry.unwrap().into_path();
        let name = path.to_string_lossy();
        // A team's rule pack with its test cases (expected.yaml is no manifest).
        if !(name.ends_with(".yaml") || name.ends_with(".yml")) || name.contains("examples/team-rules/") {
            continue;
        }
        let text = read(&path);
        assert!(
            text.contains("yaml-language-server: $schema="),
            "{name}: no schema line"
        );
        let errors = validate(&validator, &text);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        checked += 1;
    }
    assert!(checked >= 10);
    for lang in ["en", "zh"] {
        let dir = tempfile::tempdir().unwrap();
        privflow_in(dir.path(), &["init", "--lang", lang]);
        let errors = validate(&validator, &read(&dir.path().join("privflow.yaml")));
        assert!(errors.is_empty(), "init --lang {lang}: {errors:#?}");
    }
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = schema_validator();
    let base = "version: 1\nproduct: { id: shop, operator: Example Ltd }\n";
    assert!(validate(&validator, base).is_empty());
    for bad in [
        "version: 2\nproduct: { id: shop, operator: Example Ltd }\n",
        "version: 1\nproduct: { id: Shop, operator: Example Ltd }\n",
        "version: 1\nproduct: { id: shop }\n",
        "version: 1\nproduct: { id: shop, operator: X, colour: red }\n",
        &format!("{base}flows: [{{ id: a, data: [name], consent: maybe }}]\n"),
        &format!("{base}flows: [{{ id: a, data: [name], pia: 2026-13-45 }}]\n"),
        &format!("{base}waivers: [{{ rule: pia-missing }}]\n"),
    ] {
        assert!(!validate(&validator, bad).is_empty(), "accepted: {bad}");
    }
}

/// A value the loader accepts validates against the schema, and one the
/// schema refuses the loader refuses too, with a hint to quote it: a phone
/// number written as a bare YAML integer is the classic case.
#[test]
fn the_loader_and_the_schema_agree_on_unquoted_text() {
    let validator = schema_validator();
    let product = |contact: &str| {
        format!("version: 1\nproduct: {{ id: shop, operator: Example Ltd, contact: {contact} }}\nflows: []\n")
    };
    for (text, accepted) in [
        (product("\"4008001234\""), true),
        (product("privacy@example.com"), true),
        (product("4008001234"), false),
        (product("true"), false),
        (
            "version: 1\nproduct: { id: shop, operator: 12345 }\nflows: []\n".to_string(),
            false,
        ),
        (
            "version: 1\nproduct: { id: shop, operator: X }\nflows: [{ id: a, data: [name], purpose: 404 }]\n"
                .to_string(),
            false,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("privflow.yaml"), &text).unwrap();
        let (code, _, stderr) = privflow_in(dir.path(), &["check", "privflow.yaml", "--fail-on", "never"]);
        assert_eq!(validate(&validator, &text).is_empty(), accepted, "schema: {text}");
        assert_eq!(code == 0, accepted, "loader: {text}\n{stderr}");
        if !accepted {
            assert!(stderr.contains("privflow::wrong-type"), "{stderr}");
            assert!(stderr.contains("quote it"), "{stderr}");
        }
    }
}
