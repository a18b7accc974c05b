//! Bytes → a manifest file → `privflow::check` → rendered findings or
//! diagnostics. Any panic, hang or unbounded allocation is a bug (SPEC §8).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// One directory per fuzzing process, removed when the process ends normally.
fn manifest_path() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("fuzz.flows.yaml");
        (dir, path)
    });
    path
}

fuzz_target!(|data: &[u8]| {
    let path = manifest_path();
    std::fs::write(path, data).expect("write manifest");
    let options = privflow::Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        ..Default::default()
    };
    match privflow::check(&[path], &options) {
        // Rendering reads every finding's span against the source text.
        Ok(report) => {
            let _ = privflow::report::human::render(&report, false);
        }
        Err(errors) => {
            let _ = errors.render_plain();
        }
    }
});
