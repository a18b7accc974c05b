//! Hostile and malformed input (SPEC §8): one case per failure mode, each
//! with its exact diagnostic (snapshot) or its correct result, and never a
//! panic. Committed cases live in tests/malformed/; large or filesystem-bound
//! ones are generated in a temporary directory and run from inside it, so
//! that the paths in their diagnostics are stable.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use privflow::manifest::{yaml::MAX_FLOW_DEPTH, MAX_FILE_BYTES};

/// Each case must finish well within this, even in a debug build.
const TIME_LIMIT: Duration = Duration::from_secs(20);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn privflow_in(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args(args)
        .args(["--today", "2026-11-23"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run privflow");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        started.elapsed() < TIME_LIMIT,
        "privflow {args:?} took {:?}",
        started.elapsed()
    );
    assert!(!run.stderr.contains("panicked"), "panic for {args:?}:\n{}", run.stderr);
    run
}

fn privflow(args: &[&str]) -> Run {
    privflow_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn codes(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("privflow::")).collect()
}

/// An input error: exit 2, nothing on stdout, exactly these codes.
fn assert_input_error(run: &Run, expected: &[&str]) {
    assert_eq!(run.code, 2, "exit code\n{}", run.stderr);
    assert_eq!(run.stdout, "", "nothing on stdout");
    assert_eq!(codes(&run.stderr), expected, "diagnostic codes\n{}", run.stderr);
}

fn malformed(name: &str) -> String {
    format!("tests/malformed/{name}.flows.yaml")
}

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(malformed(name))).unwrap()
}

#[test]
fn alias_bomb() {
    let run = privflow(&["check", &malformed("alias-bomb")]);
    assert_input_error(&run, &["privflow::limit"]);
    insta::assert_snapshot!("alias-bomb", run.stderr);
}

#[test]
fn hundred_thousand_levels_of_flow_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 100_000;
    let text = format!("version: 1\nproduct: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    std::fs::write(dir.path().join("deep.flows.yaml"), text).unwrap();
    let run = privflow_in(dir.path(), &["check", "deep.flows.yaml"]);
    assert_input_error(&run, &["privflow::limit"]);
    assert!(run
        .stderr
        .contains(&format!("nesting deeper than {MAX_FLOW_DEPTH} levels")));
    insta::assert_snapshot!("deep-nesting", run.stderr);
}

#[test]
fn scalar_larger_than_the_file_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("version: 1\nproduct:\n  id: ");
    text.push_str(&"a".repeat(MAX_FILE_BYTES as usize + 1));
    std::fs::write(dir.path().join("huge.flows.yaml"), text).unwrap();
    let run = privflow_in(dir.path(), &["check", "huge.flows.yaml"]);
    assert_input_error(&run, &["privflow::too-large"]);
    insta::assert_snapshot!("huge-scalar", run.stderr);
}

#[test]
fn ten_million_entry_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("version: 1\nproduct: { id: demo, operator: Demo Ltd }\nflows: [");
    text.push_str(&"0,".repeat(10_000_000));
    text.push_str("]\n");
    std::fs::write(dir.path().join("long.flows.yaml"), text).unwrap();
    let run = privflow_in(dir.path(), &["check", "long.flows.yaml"]);
    assert_input_error(&run, &["privflow::too-large"]);
    insta::assert_snapshot!("ten-million-entries", run.stderr);
}

#[test]
fn invalid_utf8() {
    let run = privflow(&["check", &malformed("invalid-utf8")]);
    assert_input_error(&run, &["privflow::not-utf8"]);
    insta::assert_snapshot!("invalid-utf8", run.stderr);
}

/// Runs `check x.flows.yaml` on `bytes` in a fresh directory, in `formats`.
fn check_bytes(bytes: &[u8], format: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.flows.yaml"), bytes).unwrap();
    privflow_in(dir.path(), &["check", "x.flows.yaml", "--format", format])
}

#[test]
fn byte_order_mark_changes_nothing() {
    let with_bom = read_fixture("bom");
    let without = with_bom
        .strip_prefix("\u{feff}".as_bytes())
        .expect("fixture starts with a BOM");
    for format in ["human", "json"] {
        let (a, b) = (check_bytes(&with_bom, format), check_bytes(without, format));
        assert_eq!(a.code, 1, "{}", a.stderr);
        assert_eq!(
            (a.code, &a.stdout, &a.stderr),
            (b.code, &b.stdout, &b.stderr),
            "{format}"
        );
    }
    insta::assert_snapshot!("bom", check_bytes(&with_bom, "human").stdout);
}

#[test]
fn crlf_line_endings_keep_lines_and_columns() {
    let crlf = read_fixture("crlf");
    assert!(crlf.windows(2).any(|w| w == b"\r\n"), "fixture has CRLF line endings");
    let lf = String::from_utf8(crlf.clone()).unwrap().replace("\r\n", "\n");
    let (a, b) = (check_bytes(&crlf, "json"), check_bytes(lf.as_bytes(), "json"));
    assert_eq!(a.code, 1, "{}", a.stderr);
    // Same findings at the same lines and columns (JSON carries no byte offsets).
    assert_eq!(a.stdout, b.stdout);
    let human = check_bytes(&crlf, "human");
    assert_eq!(human.code, 1);
    insta::assert_snapshot!("crlf", human.stdout.replace('\r', "␍"));
}

#[cfg(unix)]
#[test]
fn symlink_loop_in_a_walked_directory() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    let flagged = read_fixture("bom");
    std::fs::write(root.join("sub/app.flows.yaml"), &flagged[3..]).unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    symlink(&root, root.join("sub/again.flows.yaml")).unwrap();
    symlink("self.flows.yaml", root.join("self.flows.yaml")).unwrap();
    let run = privflow_in(&root, &["check", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("checked 1 file(s)"), "{}", run.stdout);
    let alone = privflow_in(&root, &["check", "sub/app.flows.yaml"]);
    assert_eq!(run.stdout, alone.stdout);
}

#[cfg(unix)]
#[test]
fn fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("mkfifo")
        .arg(dir.path().join("pipe.flows.yaml"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    // Named explicitly, as a manifest and as a notice: reading either would
    // block forever, since nothing writes to the FIFO.
    let run = privflow_in(dir.path(), &["check", "pipe.flows.yaml"]);
    assert_input_error(&run, &["privflow::not-a-file"]);
    insta::assert_snapshot!("fifo", run.stderr);
    std::fs::write(dir.path().join("ok.flows.yaml"), &read_fixture("bom")[3..]).unwrap();
    let run = privflow_in(dir.path(), &["check", "ok.flows.yaml", "--notice", "pipe.flows.yaml"]);
    assert_input_error(&run, &["privflow::not-a-file"]);
    // In a walked directory, anything but a regular file is not a manifest.
    let run = privflow_in(dir.path(), &["check", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("checked 1 file(s)"), "{}", run.stdout);
}

#[test]
fn directory_named_like_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("x.flows.yaml")).unwrap();
    let run = privflow_in(dir.path(), &["check", "x.flows.yaml", "--format", "json"]);
    // A directory is walked, whatever its name; this one holds no manifest.
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"files\": 0"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn vanished_file_is_skipped_in_a_walk_and_reported_when_named() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.flows.yaml"), &read_fixture("bom")[3..]).unwrap();
    // What a walk sees of a file deleted after it was listed: a name that
    // no longer leads to a file.
    symlink("deleted.flows.yaml", dir.path().join("gone.flows.yaml")).unwrap();
    let run = privflow_in(dir.path(), &["check", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("checked 1 file(s)"), "{}", run.stdout);
    let run = privflow_in(dir.path(), &["check", "gone.flows.yaml"]);
    assert_input_error(&run, &["privflow::io"]);
    insta::assert_snapshot!("vanished", run.stderr);
}

#[test]
fn two_hundred_thousand_errors_are_counted_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("version: 1\nproduct: { id: demo, operator: Demo Ltd }\nflows: [");
    text.push_str(&"0,".repeat(200_000));
    text.push_str("]\n");
    std::fs::write(dir.path().join("errors.flows.yaml"), text).unwrap();
    let run = privflow_in(dir.path(), &["check", "errors.flows.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let found = codes(&run.stderr);
    assert_eq!(found.len(), privflow::manifest::MAX_ERRORS_PER_FILE + 1);
    assert_eq!(found[0], "privflow::too-many-errors");
    let summary = run.stderr.split("\n\n").take(2).collect::<Vec<_>>().join("\n\n");
    insta::assert_snapshot!("too-many-errors", summary);
}

/// Thousands of flows on one flow-style line: every finding's column used to
/// be counted from the start of the line (minutes; now linear).
#[test]
fn thousands_of_flows_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let flow = "{ id: f, data: [face], purpose: p, basis: consent, consent: separate, necessity: n, \
                storage: { country: CN, encrypted: true }, retention: { forever: true }, transport: tls, pia: 2026-01-05, alternative: true }";
    let flows: Vec<String> = (0..2000).map(|i| flow.replace("id: f", &format!("id: f{i}"))).collect();
    let text = format!(
        "version: 1\nproduct: {{ id: demo, operator: Demo Ltd, contact: privacy@demo.example, individuals: 1000, \
         rights: {{ access: self-service, copy: self-service, correct: self-service, delete: self-service, withdraw: self-service, \
         close_account: self-service, response_days: 15 }} }}\nflows: [{}]\n",
        flows.join(", ")
    );
    std::fs::write(dir.path().join("wide.flows.yaml"), &text).unwrap();
    let line3 = text.split('\n').nth(2).unwrap();
    let last_flow = line3.find("id: f1999,").unwrap();
    let column = last_flow + line3[last_flow..].find("forever: true").unwrap() + "forever: ".len() + 1;
    let run = privflow_in(dir.path(), &["check", "wide.flows.yaml", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2000, "one retention-unbounded per flow");
    // The last flow's finding is on line 3, at the character column of its `forever`.
    let last = &findings[1999];
    assert_eq!(last["flow"], "f1999");
    assert_eq!((&last["line"], &last["column"]), (&3.into(), &column.into()));
}
