//! The memo against plain evaluation: every generated manifest checked both
//! ways must give the same findings, in the same order.

#[path = "../benches/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::path::Path;
use std::sync::Arc;

use privflow::engine::{Engine, Settings};
use privflow::manifest::{self, model::Date};
use privflow::{Lang, RulePack};
use proptest::prelude::*;

fn settings() -> Settings {
    Settings::plain(Lang::En, Date::parse("2026-11-23").unwrap())
}

/// Findings of one manifest file, with and without the memo.
fn both_ways(memo: &Engine, plain: &Engine, path: &Path) -> (String, String) {
    let cx = manifest::LoadContext {
        pack: memo.pack(),
        catalogue: None,
    };
    let loaded = manifest::load(path, &path.display().to_string(), &cx).unwrap();
    let settings = settings();
    let with = memo.evaluate_with(&loaded, None, &settings).unwrap();
    let without = plain.evaluate_with(&loaded, None, &settings).unwrap();
    (
        format!("{:#?} waived {}", with.findings, with.waived),
        format!("{:#?} waived {}", without.findings, without.waived),
    )
}

/// Each of `manifests` (by name) checked both ways, which must agree; the
/// findings of all of them. One engine sees them all, so later manifests
/// are answered mostly from the memo.
fn all_both_ways(memo: &Engine, plain: &Engine, manifests: impl IntoIterator<Item = (String, String)>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut all = String::new();
    for (name, text) in manifests {
        let path = dir.path().join(format!("{name}.flows.yaml"));
        std::fs::write(&path, text).unwrap();
        let (with, without) = both_ways(memo, plain, &path);
        assert_eq!(with, without, "{name}");
        all.push_str(&with);
    }
    all
}

fn engines() -> (Engine, Engine) {
    let pack = Arc::new(RulePack::builtin().unwrap());
    (Engine::new(pack.clone()), Engine::plain(pack))
}

/// Every action is memoised but "waiver-review", whose `waiver-expiring`
/// compares two attributes (`days_left <= warn_within`): Cedar judges it.
#[test]
fn every_action_of_the_builtin_pack_is_memoised_but_waiver_review() {
    let (memo, _) = engines();
    let explained = memo.explain_memo();
    assert_eq!(explained.len(), privflow::rules::ActionKind::ALL.len());
    for line in &explained {
        if line.starts_with("action `waiver-review`") {
            assert!(
                line.contains("memo off") && line.contains("two attributes compared"),
                "{line}"
            );
        } else {
            assert!(line.ends_with("memoised per policy"), "{line}");
        }
    }
}

#[test]
fn generated_manifests_give_the_same_findings_with_and_without_the_memo() {
    let (memo, plain) = engines();
    let manifests = (0..40).map(|seed| (format!("m{seed}"), generate::manifest(seed, 150)));
    let findings = all_both_ways(&memo, &plain, manifests).matches("rule: ").count();
    assert!(findings > 1000, "the generator should produce findings, got {findings}");
}

#[test]
fn the_dense_corpus_gives_the_same_findings_with_and_without_the_memo() {
    let (memo, plain) = engines();
    let manifests = (0..30).map(|seed| (format!("d{seed}"), generate::dense(seed, 100)));
    let findings = all_both_ways(&memo, &plain, manifests).matches("rule: ").count();
    // About two findings per flow.
    assert!(findings > 30 * 100 * 3 / 2, "the dense corpus has {findings} findings");
}

/// A team's permit is a reason only when no forbid fires, so its verdict
/// is not its own to remember: the memo is off for its action, and the
/// findings are plain evaluation's.
#[test]
fn a_team_permit_switches_the_memo_off_for_its_action() {
    let team = tempfile::tempdir().unwrap();
    std::fs::write(
        team.path().join("team.cedar"),
        "@id(\"team-permit\")\n@severity(\"info\")\npermit (principal, action == Action::\"flow\", resource) \
         when { context has storage_country && context.storage_country == \"CN\" };",
    )
    .unwrap();
    let pack = Arc::new(RulePack::load(&[team.path()]).unwrap());
    let (memo, plain) = (Engine::new(pack.clone()), Engine::plain(pack));
    let flow = memo
        .explain_memo()
        .into_iter()
        .find(|l| l.starts_with("action `flow`"))
        .unwrap();
    assert!(flow.contains("memo off") && flow.contains("a permit policy"), "{flow}");
    let manifests = (0..10).map(|seed| (format!("m{seed}"), generate::manifest(seed, 150)));
    let permits = all_both_ways(&memo, &plain, manifests).matches("team-permit").count();
    assert!(permits > 0, "some flow should be allowed by the permit alone");
}

#[test]
fn the_examples_give_the_same_findings_with_and_without_the_memo() {
    let (memo, plain) = engines();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut seen = 0;
    for entry in walk(&examples) {
        if entry.to_string_lossy().ends_with(".flows.yaml") {
            // Twice: the second time every decision comes from the memo.
            for _ in 0..2 {
                let (with, without) = both_ways(&memo, &plain, &entry);
                assert_eq!(with, without, "{}", entry.display());
            }
            seen += 1;
        }
    }
    assert!(seen >= 5);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any generated manifest, of any size, checked by an engine whose memo
    /// has seen other manifests: the same findings as plain evaluation.
    #[test]
    fn the_memo_equals_plain_evaluation(seed in any::<u64>(), flows in 1usize..120) {
        let (memo, plain) = engines();
        let dir = tempfile::tempdir().unwrap();
        for (k, seed) in [seed, seed.wrapping_add(1)].into_iter().enumerate() {
            let path = dir.path().join(format!("m{k}.flows.yaml"));
            let text = if seed % 2 == 0 { generate::manifest(seed, flows) } else { generate::dense(seed, flows) };
            std::fs::write(&path, text).unwrap();
            let (with, without) = both_ways(&memo, &plain, &path);
            prop_assert_eq!(with, without);
        }
    }
}
