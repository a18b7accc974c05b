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
            memo_agrees(path);
        }
        Err(errors) => {
            let _ = errors.render_plain();
        }
    }
});

/// The memo's answers against plain evaluation of the same manifest.
fn memo_agrees(path: &std::path::Path) {
    use privflow::engine::{Engine, Settings};
    static ENGINES: OnceLock<(Engine, Engine)> = OnceLock::new();
    let (memo, plain) = ENGINES.get_or_init(|| {
        let pack = std::sync::Arc::new(privflow::RulePack::builtin().expect("built-in pack"));
        (Engine::new(pack.clone()), Engine::plain(pack))
    });
    let cx = privflow::manifest::LoadContext {
        pack: memo.pack(),
        catalogue: None,
    };
    let Ok(loaded) = privflow::manifest::load(path, "fuzz", &cx) else {
        return;
    };
    let today = privflow::manifest::model::Date::parse("2026-11-23").expect("date");
    let settings = Settings::plain(privflow::Lang::En, today);
    let with = memo.evaluate_with(&loaded, None, &settings).map(|e| format!("{:?}", e.findings));
    let without = plain.evaluate_with(&loaded, None, &settings).map(|e| format!("{:?}", e.findings));
    assert_eq!(with.ok(), without.ok(), "the memo disagrees with plain evaluation");
}
