//! One test per input error: the exact diagnostic (snapshot), exit code 2,
//! and nothing on stdout.

mod common;
use common::privflow;

/// Runs `check` on tests/fixtures/errors/<name>.flows.yaml and snapshots stderr.
fn assert_input_error(name: &str, codes: &[&str]) {
    let path = format!("tests/fixtures/errors/{name}.flows.yaml");
    let (code, stdout, stderr) = privflow(&["check", &path, "--today", "2026-11-23"]);
    assert_eq!(code, 2, "exit code for {name}\n{stderr}");
    assert_eq!(stdout, "", "nothing on stdout for {name}");
    let found: Vec<&str> = stderr.lines().filter(|l| l.starts_with("privflow::")).collect();
    assert_eq!(found, codes, "diagnostic codes for {name}");
    insta::assert_snapshot!(name, stderr);
}

macro_rules! input_errors {
    ($($test:ident: $name:literal => [$($code:literal),*];)*) => {
        $(
            #[test]
            fn $test() {
                assert_input_error($name, &[$($code),*]);
            }
        )*
    };
}

input_errors! {
    malformed_yaml: "yaml-syntax" => ["privflow::yaml-syntax"];
    wrong_type: "wrong-type" => ["privflow::wrong-type"];
    unknown_field_with_suggestion: "unknown-field" => ["privflow::unknown-field"];
    unknown_top_level_field: "unknown-top-level-field" => ["privflow::unknown-field"];
    unknown_enum_value: "unknown-value" => ["privflow::unknown-value"];
    unknown_category: "unknown-category" => ["privflow::unknown-category"];
    unknown_recipient: "unknown-recipient" => ["privflow::unknown-recipient"];
    duplicate_flow_id: "duplicate-flow" => ["privflow::duplicate-id"];
    duplicate_recipient_id: "duplicate-recipient" => ["privflow::duplicate-id"];
    custom_category_unknown_parent: "category-parent-unknown" => ["privflow::unknown-category"];
    custom_category_cycle: "category-cycle" => ["privflow::category-cycle", "privflow::category-cycle"];
    waiver_without_reason: "waiver-without-reason" => ["privflow::waiver-reason"];
    waiver_without_expiry: "waiver-without-expiry" => ["privflow::waiver-expiry"];
    waiver_unknown_rule_and_flow: "waiver-unknown-rule-and-flow" => ["privflow::unknown-rule", "privflow::unknown-flow"];
    waiver_of_a_rule_that_is_not_waivable: "waiver-not-waivable" => ["privflow::not-waivable"];
    unsupported_version: "unsupported-version" => ["privflow::unsupported-version"];
    missing_notice_file: "missing-notice" => ["privflow::missing-notice"];
    missing_required_fields: "missing-field" => ["privflow::missing-field", "privflow::missing-field"];
    invalid_date: "invalid-date" => ["privflow::invalid-date"];
    invalid_retention_shape: "invalid-retention" => ["privflow::invalid-retention", "privflow::invalid-retention"];
    empty_data: "empty-data" => ["privflow::empty-data"];
    invalid_ids_and_countries: "invalid-ids" => ["privflow::invalid-id", "privflow::invalid-country", "privflow::invalid-id", "privflow::invalid-country"];
    not_a_mapping: "not-a-mapping" => ["privflow::not-a-mapping"];
    empty_file: "empty" => ["privflow::not-a-mapping"];
    every_error_of_a_file: "many-errors" => ["privflow::unknown-field", "privflow::unknown-value", "privflow::unknown-value", "privflow::wrong-type"];
    every_error_of_a_flow_and_its_references: "every-error-of-a-flow" => ["privflow::unknown-category", "privflow::unknown-value", "privflow::unknown-value", "privflow::wrong-type", "privflow::unknown-field", "privflow::wrong-type", "privflow::unknown-recipient"];
    names_instead_of_ids: "names-instead-of-ids" => ["privflow::unknown-category", "privflow::unknown-category", "privflow::unknown-category", "privflow::invalid-country"];
}

#[test]
fn errors_of_every_file_are_reported() {
    let (code, _, stderr) = privflow(&[
        "check",
        "tests/fixtures/errors/unknown-value.flows.yaml",
        "tests/fixtures/errors/duplicate-flow.flows.yaml",
    ]);
    assert_eq!(code, 2);
    let codes: Vec<&str> = stderr.lines().filter(|l| l.starts_with("privflow::")).collect();
    assert_eq!(codes, ["privflow::duplicate-id", "privflow::unknown-value"]);
}

#[test]
fn diagnostics_follow_lang() {
    let (code, _, stderr) = privflow(&[
        "check",
        "tests/fixtures/errors/unknown-value.flows.yaml",
        "--lang",
        "zh",
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(stderr);
}

#[test]
fn missing_path() {
    let (code, _, stderr) = privflow(&["check", "no/such/dir"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(stderr);
}

#[test]
fn usage_error_exits_2() {
    let (code, _, stderr) = privflow(&["check", "--format", "yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid value 'yaml'"), "{stderr}");
}

#[test]
fn an_unknown_sdk_id_is_an_input_error_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("privflow.yaml");
    std::fs::write(
        &path,
        "version: 1\nproduct: { id: p, operator: o }\nrecipients:\n  - { id: u, name: U Ltd, role: third-party, country: CN, sdks: [jpush, umemg] }\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("privflow::unknown-sdk"), "{stderr}");
    assert!(stderr.contains("did you mean `umeng`?"), "{stderr}");
    assert!(stderr.contains(":4:"), "span on the entry's line: {stderr}");
    assert!(!stderr.contains("`jpush`"), "{stderr}");
}
