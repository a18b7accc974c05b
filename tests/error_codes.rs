//! Every input-error code has a case that produces it through the real
//! binary (docs/errors.md lists them; tests/docs.rs keeps that list current).

mod common;
use common::git;

use std::path::Path;

use privflow::diagnostics::Code;
use tempfile::TempDir;

/// Codes no input can produce: defects of privflow itself, or conditions a
/// test running as root cannot create (an unreadable directory).
const NOT_PRODUCIBLE: &[(&str, &str)] = &[
    ("privflow::schema", "the embedded facts schema fails to parse"),
    ("privflow::lexicon", "the embedded notice lexicon fails to parse"),
    (
        "privflow::walk",
        "a directory that cannot be listed; root lists every directory",
    ),
    (
        "privflow::invalid",
        "the fallback for a deserializer message no other code classifies; none is known to reach it",
    ),
];

const MANIFEST: &str = "version: 1
product: { id: shop, operator: 示例科技有限公司, contact: privacy@example.cn }
recipients:
  - { id: sms, name: 示例短信有限公司, role: entrusted, country: CN, contract: true }
flows:
  - id: login
    data: [phone]
    purpose: account-login
    basis: contract
    storage: { country: CN, encrypted: true }
    retention: { days: 365 }
";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs privflow in `dir` with `args`; returns (exit code, stderr).
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A manifest with `edit` applied, checked in a fresh directory.
fn manifest_case(dir: &TempDir, edit: impl Fn(&str) -> String) -> (i32, String) {
    write(dir.path(), "privflow.yaml", &edit(MANIFEST));
    run_in(dir.path(), &["check"], &[])
}

/// Produces `code` through the binary; returns (exit code, stderr).
fn produce(code: &str) -> (i32, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = |name: &str| {
        let path = format!("tests/fixtures/errors/{name}.flows.yaml");
        run_in(root, &["check", &path], &[])
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    match code.trim_start_matches("privflow::") {
        "no-such-path" => run_in(root, &["check", "no/such/dir"], &[]),
        "not-a-file" => {
            let fifo = d.join("pipe.flows.yaml");
            let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
            run_in(d, &["check", "pipe.flows.yaml"], &[])
        }
        "io" => run_in(root, &["check", "/proc/self/mem"], &[]),
        "too-large" => {
            let file = std::fs::File::create(d.join("big.flows.yaml")).unwrap();
            file.set_len(9 << 20).unwrap();
            run_in(d, &["check"], &[])
        }
        "not-utf8" => {
            std::fs::write(d.join("privflow.yaml"), b"version: 1\nproduct: \xff\n").unwrap();
            run_in(d, &["check"], &[])
        }
        "yaml-syntax" => fixture("yaml-syntax"),
        "limit" => manifest_case(&dir, |m| format!("{m}extra: {}{}\n", "[".repeat(80), "]".repeat(80))),
        "not-a-mapping" => fixture("not-a-mapping"),
        "unknown-field" => fixture("unknown-field"),
        "missing-field" => fixture("missing-field"),
        "unknown-value" => fixture("unknown-value"),
        "wrong-type" => fixture("wrong-type"),
        "invalid-date" => fixture("invalid-date"),
        "unsupported-version" => fixture("unsupported-version"),
        "too-many-errors" => manifest_case(&dir, |m| {
            let data: Vec<String> = (0..120).map(|i| format!("nope-{i}")).collect();
            m.replace("data: [phone]", &format!("data: [{}]", data.join(", ")))
        }),
        "invalid-id" => fixture("invalid-ids"),
        "duplicate-id" => fixture("duplicate-flow"),
        "empty-data" => fixture("empty-data"),
        "unknown-category" => fixture("unknown-category"),
        "builtin-category" => manifest_case(&dir, |m| {
            format!("{m}categories:\n  - {{ id: phone, parent: personal, name: 电话 }}\n")
        }),
        "category-cycle" => fixture("category-cycle"),
        "empty-term" => manifest_case(&dir, |m| {
            format!("{m}categories:\n  - {{ id: badge, parent: personal, name: 工牌, terms: [\"\"] }}\n")
        }),
        "unknown-recipient" => fixture("unknown-recipient"),
        "unknown-sdk" => manifest_case(&dir, |m| {
            m.replace("contract: true }", "contract: true, sdks: [umemg] }")
        }),
        "provision-data" => manifest_case(&dir, |m| {
            m.replace(
                "retention: { days: 365 }",
                "retention: { days: 365 }\n    recipients: [{ to: sms, data: [email] }]",
            )
        }),
        "invalid-country" => manifest_case(&dir, |m| {
            m.replace("country: CN, encrypted", "country: china, encrypted")
        }),
        "invalid-retention" => fixture("invalid-retention"),
        "unknown-flow" | "unknown-rule" => fixture("waiver-unknown-rule-and-flow"),
        "not-waivable" => fixture("waiver-not-waivable"),
        "waiver-reason" => fixture("waiver-without-reason"),
        "waiver-expiry" => fixture("waiver-without-expiry"),
        "missing-notice" => fixture("missing-notice"),
        "config" => run_in(root, &["check", "tests/fixtures/config/bad-key"], &[]),
        "report-file" => run_in(root, &["render", "Cargo.toml"], &[]),
        // A file that is not a baseline.
        "baseline" => run_in(
            root,
            &["check", "examples/focused/clean.flows.yaml", "--baseline", "Cargo.toml"],
            &[],
        ),
        "policies-dir" => run_in(root, &["check", "examples", "--policies", "no/such/rules"], &[]),
        "policy-syntax" | "policy-invalid" | "policy-annotation" => {
            let name = match code {
                "privflow::policy-syntax" => "syntax",
                "privflow::policy-invalid" => "invalid",
                _ => "no-id",
            };
            let rules = format!("tests/fixtures/policies/{name}");
            run_in(
                root,
                &[
                    "check",
                    "tests/fixtures/policies/marketing.flows.yaml",
                    "--policies",
                    &rules,
                ],
                &[],
            )
        }
        "usage" => run_in(
            root,
            &[
                "check", "examples", "--format", "json", "--output", "a", "--output", "b",
            ],
            &[],
        ),
        "output-exists" => {
            write(d, "report.json", "{}");
            let out = d.join("report.json");
            run_in(
                root,
                &[
                    "check",
                    "examples",
                    "--format",
                    "json",
                    "--output",
                    out.to_str().unwrap(),
                ],
                &[],
            )
        }
        "output-is-directory" => run_in(
            root,
            &["check", "examples", "--format", "json", "--output", d.to_str().unwrap()],
            &[],
        ),
        "write" => {
            let out = d.join("no/such/dir/report.json");
            run_in(
                root,
                &[
                    "check",
                    "examples",
                    "--format",
                    "json",
                    "--output",
                    out.to_str().unwrap(),
                ],
                &[],
            )
        }
        "init-dir" => {
            write(d, "a-file", "");
            run_in(d, &["init", "--dir", "a-file"], &[])
        }
        "scan-syntax" => {
            write(d, "privflow.yaml", MANIFEST);
            write(
                d,
                "app/src/main/AndroidManifest.xml",
                "<manifest>\n  <application>\n</manifest>\n",
            );
            run_in(d, &["scan"], &[])
        }
        "scan-source" => {
            write(
                d,
                "privflow.yaml",
                &MANIFEST.replace(
                    "contact: privacy@example.cn }",
                    "contact: privacy@example.cn, sources: [android] }",
                ),
            );
            run_in(d, &["scan"], &[])
        }
        "catalogue" => {
            write(d, "privflow.yaml", MANIFEST);
            write(d, ".privflow.yaml", "scan: true\ncatalogue: [missing.yaml]\n");
            run_in(d, &["check"], &[])
        }
        "not-a-git-work-tree" => {
            write(d, "privflow.yaml", MANIFEST);
            run_in(d, &["diff", "--base", "HEAD"], &[])
        }
        "bad-revision" | "git" => {
            write(d, "privflow.yaml", MANIFEST);
            git(d, &["init", "-q"]);
            git(d, &["add", "-A"]);
            git(d, &["commit", "-q", "-m", "base"]);
            if code == "privflow::git" {
                // No git on the PATH.
                run_in(d, &["diff", "--base", "HEAD"], &[("PATH", "")])
            } else {
                run_in(d, &["diff", "--base", "no-such-revision"], &[])
            }
        }
        "evaluation" => {
            // A team rule that overflows at run time, on a waiver request.
            write(
                d,
                "rules/overflow.cedar",
                "@id(\"overflow\")\n@severity(\"error\")\n@message_en(\"x\")\n\
                 forbid (principal, action == Action::\"waiver\", resource)\n\
                 when { context.days_left * 9223372036854775807 > 0 };\n",
            );
            let waived = MANIFEST.to_string()
                + "waivers:\n  - { rule: contact-missing, reason: accepted, expires: 2999-01-01 }\n";
            write(d, "privflow.yaml", &waived);
            run_in(d, &["check", "--policies", "rules"], &[])
        }
        other => panic!("no case produces privflow::{other}: add one to tests/error_codes.rs"),
    }
}

#[test]
fn every_code_has_a_case_that_produces_it() {
    for code in Code::ALL {
        let code = code.as_str();
        if NOT_PRODUCIBLE.iter().any(|(c, _)| *c == code) {
            continue;
        }
        let (exit, stderr) = produce(code);
        assert_eq!(exit, 2, "{code}: {stderr}");
        assert!(
            stderr.lines().any(|line| line.trim() == code),
            "{code} not reported:\n{stderr}"
        );
    }
}

#[test]
fn codes_that_no_input_produces_are_few_and_known() {
    for (code, _) in NOT_PRODUCIBLE {
        assert!(Code::ALL.iter().any(|c| c.as_str() == *code), "{code} is not a code");
    }
}
