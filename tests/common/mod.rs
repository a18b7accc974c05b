//! Running the real binary, shared by the integration tests.

// Each test crate includes this module and uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Runs privflow in `dir` without colour; returns (exit code, stdout, stderr).
pub fn privflow_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // Set in GitHub Actions: `--format github` would append to the job's
        // own summary.
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run privflow");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs privflow at the crate root, so paths read as in the README.
pub fn privflow(args: &[&str]) -> (i32, String, String) {
    privflow_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs git in `dir` with a fixed identity and no user or system config;
/// fails the test on a git error.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
