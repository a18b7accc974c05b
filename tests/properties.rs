//! Properties of evaluation over generated valid manifests: it is
//! deterministic, a waiver removes exactly the findings of its rule and flow,
//! and making a flow more protective never adds a finding.
//!
//! Log and certificate categories are left out of the generator on purpose:
//! for them a shorter retention is a finding (`retention-below-legal-minimum`,
//! the law sets a minimum), so "shorter is more protective" does not hold.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const PRODUCT: &str = "version: 1
product:
  id: demo
  operator: Demo Ltd
  contact: privacy@demo.example
  individuals: 1000
  children_rules: true
  rights: { access: self-service, correct: self-service, delete: self-service, withdraw: self-service, close_account: self-service, response_days: 15 }
recipients:
  - { id: cloud, name: Demo Cloud Ltd, role: entrusted, country: CN, contract: true }
  - { id: partner, name: Partner Co Ltd, role: third-party, country: CN, contact: dpo@partner.example }
  - { id: cobrand, name: Cobrand Ltd, role: joint, country: CN, contact: dpo@cobrand.example }
  - { id: vendor, name: Vendor Ltd, role: entrusted, country: CN }
  - { id: sg-partner, name: SG Partner Pte Ltd, role: third-party, country: SG, contact: dpo@sg.example }
";

const CATEGORIES: &[&str] = &[
    "phone",
    "email",
    "name",
    "ip-address",
    "order",
    "face",
    "fingerprint",
    "medical-record",
    "bank-card",
    "id-card-number",
];
const CONSENTS: &[&str] = &[
    "none", "implied", "bundled", "general", "separate", "written", "guardian",
];
/// Consents weaker than `separate`: raising them to `separate` is more protective.
const WEAK_CONSENTS: &[&str] = &["none", "implied", "bundled", "general"];
const BASES: &[&str] = &["consent", "contract", "employment", "legal-duty", "other-law"];
const COUNTRIES: &[&str] = &["CN", "CN", "SG", "US"];
const RECIPIENTS: &[&str] = &["cloud", "partner", "cobrand", "vendor", "sg-partner"];
const MECHANISMS: &[&str] = &["security-assessment", "standard-contract", "certification", "exempt"];

#[derive(Debug, Clone)]
enum Retention {
    Days(u32),
    Forever,
    UntilClosure(u32),
}

#[derive(Debug, Clone)]
struct CrossBorder {
    mechanism: &'static str,
    consent: Option<&'static str>,
    individuals: u32,
}

#[derive(Debug, Clone)]
struct Flow {
    data: Vec<&'static str>,
    child: bool,
    basis: Option<&'static str>,
    consent: Option<&'static str>,
    necessity: bool,
    country: &'static str,
    encrypted: Option<bool>,
    retention: Option<Retention>,
    recipients: Vec<(&'static str, Option<&'static str>)>,
    cross_border: Option<CrossBorder>,
    transport: Option<&'static str>,
    pia: bool,
}

fn retention() -> impl Strategy<Value = Option<Retention>> {
    proptest::option::of(prop_oneof![
        (1u32..4000).prop_map(Retention::Days),
        Just(Retention::Forever),
        (1u32..4000).prop_map(Retention::UntilClosure),
    ])
}

fn cross_border() -> impl Strategy<Value = Option<CrossBorder>> {
    proptest::option::of(
        (
            select(MECHANISMS),
            proptest::option::of(select(CONSENTS)),
            prop_oneof![1u32..2000, 2000u32..200_000],
        )
            .prop_map(|(mechanism, consent, individuals)| CrossBorder {
                mechanism,
                consent,
                individuals,
            }),
    )
}

prop_compose! {
    fn flow()(
        data in subsequence(CATEGORIES, 1..=3),
        child in prop::bool::weighted(0.15),
        basis in proptest::option::weighted(0.9, select(BASES)),
        consent in proptest::option::weighted(0.8, select(CONSENTS)),
        necessity in any::<bool>(),
        country in select(COUNTRIES),
        encrypted in proptest::option::of(any::<bool>()),
        retention in retention(),
        recipients in subsequence(RECIPIENTS, 0..=2),
        recipient_consents in proptest::collection::vec(proptest::option::of(select(CONSENTS)), 2),
        cross_border in cross_border(),
        transport in proptest::option::of(select(&["tls", "none"][..])),
        pia in any::<bool>(),
    ) -> Flow {
        let recipients = recipients.into_iter().zip(recipient_consents).collect();
        Flow { data, child, basis, consent, necessity, country, encrypted, retention, recipients, cross_border, transport, pia }
    }
}

fn render(flows: &[Flow], waivers: &[(String, String)]) -> String {
    let mut text = String::from(PRODUCT);
    text.push_str("flows:\n");
    for (i, f) in flows.iter().enumerate() {
        text.push_str(&format!("  - id: flow-{i}\n    purpose: service\n"));
        text.push_str(&format!("    data: [{}]\n", f.data.join(", ")));
        if f.child {
            text.push_str("    subjects: [child]\n");
        }
        if let Some(basis) = f.basis {
            text.push_str(&format!("    basis: {basis}\n"));
        }
        if let Some(consent) = f.consent {
            text.push_str(&format!("    consent: {consent}\n"));
        }
        if f.necessity {
            text.push_str("    necessity: needed to provide the service\n");
        }
        text.push_str(&format!("    storage: {{ country: {}", f.country));
        if let Some(encrypted) = f.encrypted {
            text.push_str(&format!(", encrypted: {encrypted}"));
        }
        text.push_str(" }\n");
        match &f.retention {
            None => {}
            Some(Retention::Days(days)) => text.push_str(&format!("    retention: {{ days: {days} }}\n")),
            Some(Retention::Forever) => text.push_str("    retention: { forever: true }\n"),
            Some(Retention::UntilClosure(max)) => text.push_str(&format!(
                "    retention: {{ until: account-closure, max_days: {max} }}\n"
            )),
        }
        if !f.recipients.is_empty() {
            text.push_str("    recipients:\n");
            for (to, consent) in &f.recipients {
                text.push_str(&format!("      - to: {to}\n"));
                if let Some(consent) = consent {
                    text.push_str(&format!("        consent: {consent}\n"));
                }
            }
        }
        if let Some(cb) = &f.cross_border {
            text.push_str(&format!(
                "    cross_border: {{ mechanism: {}, individuals: {}",
                cb.mechanism, cb.individuals
            ));
            if let Some(consent) = cb.consent {
                text.push_str(&format!(", consent: {consent}"));
            }
            text.push_str(" }\n");
        }
        if let Some(transport) = f.transport {
            text.push_str(&format!("    transport: {transport}\n"));
        }
        if f.pia {
            text.push_str("    pia: 2026-06-01\n");
        }
    }
    if !waivers.is_empty() {
        text.push_str("waivers:\n");
        for (rule, flow) in waivers {
            text.push_str(&format!(
                "  - {{ rule: {rule}, flow: {flow}, reason: property test, expires: 2099-12-31 }}\n"
            ));
        }
    }
    text
}

/// What identifies a finding for these properties.
type Key = (String, Option<String>, Option<String>, usize, usize, String);

fn check(text: &str) -> Vec<Key> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.flows.yaml");
    std::fs::write(&path, text).unwrap();
    let options = privflow::Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        ..Default::default()
    };
    match privflow::check(&[&path], &options) {
        Ok(report) => report
            .findings
            .into_iter()
            .map(|f| (f.rule.into(), f.flow, f.recipient, f.line, f.column, f.message))
            .collect(),
        Err(e) => panic!("input errors in a generated manifest:\n{}\n{text}", e.render_plain()),
    }
}

/// Findings as a multiset of (rule, flow, recipient), for comparisons where
/// lines move.
fn counted(findings: &[Key]) -> BTreeMap<(String, Option<String>, Option<String>), usize> {
    let mut counts = BTreeMap::new();
    for (rule, flow, recipient, ..) in findings {
        *counts
            .entry((rule.clone(), flow.clone(), recipient.clone()))
            .or_default() += 1;
    }
    counts
}

/// One way of making a flow more protective.
#[derive(Debug, Clone, Copy)]
enum Tighten {
    SeparateConsent,
    Encrypt,
    Pia,
    ShorterRetention,
    Tls,
    Necessity,
}

fn tighten(flow: &mut Flow, how: Tighten) {
    match how {
        // For a child only a guardian's consent counts (PIPL 31): `separate`
        // would trade `consent-missing` for `child-guardian-consent`.
        Tighten::SeparateConsent if flow.child => flow.consent = Some("guardian"),
        Tighten::SeparateConsent => {
            if flow.consent.is_none_or(|c| WEAK_CONSENTS.contains(&c)) {
                flow.consent = Some("separate");
            }
        }
        Tighten::Encrypt => flow.encrypted = Some(true),
        Tighten::Pia => flow.pia = true,
        Tighten::ShorterRetention => match &mut flow.retention {
            Some(Retention::Days(days)) | Some(Retention::UntilClosure(days)) => *days = (*days / 2).max(1),
            _ => {}
        },
        Tighten::Tls => flow.transport = Some("tls"),
        Tighten::Necessity => flow.necessity = true,
    }
}

fn tightenings() -> impl Strategy<Value = Vec<Tighten>> {
    proptest::collection::vec(
        select(
            &[
                Tighten::SeparateConsent,
                Tighten::Encrypt,
                Tighten::Pia,
                Tighten::ShorterRetention,
                Tighten::Tls,
                Tighten::Necessity,
            ][..],
        ),
        1..=4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn evaluation_is_deterministic(flows in proptest::collection::vec(flow(), 1..=3)) {
        let text = render(&flows, &[]);
        prop_assert_eq!(check(&text), check(&text));
    }

    #[test]
    fn a_waiver_removes_exactly_its_rule_and_flow(
        flows in proptest::collection::vec(flow(), 1..=3),
        pick in any::<prop::sample::Index>(),
    ) {
        let text = render(&flows, &[]);
        let before = check(&text);
        // A rule marked `@waivable("false")` cannot be waived at all.
        let not_waivable = privflow::RulePack::builtin().unwrap().not_waivable();
        let per_flow: Vec<&Key> = before
            .iter()
            .filter(|f| f.1.is_some() && !not_waivable.contains(&f.0))
            .collect();
        prop_assume!(!per_flow.is_empty());
        let chosen = pick.get(&per_flow);
        let (rule, flow) = (chosen.0.clone(), chosen.1.clone().unwrap());
        let after = check(&render(&flows, &[(rule.clone(), flow.clone())]));
        let expected: Vec<Key> = before
            .iter()
            .filter(|f| !(f.0 == rule && f.1.as_deref() == Some(flow.as_str())))
            .cloned()
            .collect();
        prop_assert_eq!(after, expected);
    }

    #[test]
    fn a_more_protective_flow_never_adds_a_finding(
        flows in proptest::collection::vec(flow(), 1..=3),
        pick in any::<prop::sample::Index>(),
        changes in tightenings(),
    ) {
        let before = counted(&check(&render(&flows, &[])));
        let mut tighter = flows.clone();
        let target = pick.index(tighter.len());
        for how in &changes {
            tighten(&mut tighter[target], *how);
        }
        let after = counted(&check(&render(&tighter, &[])));
        for (key, count) in &after {
            let had = before.get(key).copied().unwrap_or(0);
            prop_assert!(*count <= had, "{:?} added by {:?} on flow-{}: {} > {}", key, changes, target, count, had);
        }
    }
}

/// Findings of `text` checked alone, and checked as one of two manifests.
fn alone_and_among_others(text: &str) -> (Vec<Key>, Vec<Key>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.flows.yaml");
    std::fs::write(&path, text).unwrap();
    let other = dir.path().join("other.flows.yaml");
    std::fs::write(&other, render(&[], &[])).unwrap();
    let options = privflow::Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        ..Default::default()
    };
    let keys = |paths: &[&std::path::Path]| -> Vec<Key> {
        let report = privflow::check(paths, &options).unwrap_or_else(|e| panic!("{}", e.render_plain()));
        report
            .findings
            .into_iter()
            .filter(|f| f.file.ends_with("case.flows.yaml"))
            .map(|f| (f.rule.into(), f.flow, f.recipient, f.line, f.column, f.message))
            .collect()
    };
    (keys(&[&path]), keys(&[&path, &other]))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    /// A lone manifest's flows are split over the worker threads; a run of
    /// several manifests evaluates each whole. Both must find the same.
    #[test]
    fn splitting_a_manifest_over_threads_changes_nothing(flows in proptest::collection::vec(flow(), 64..=150)) {
        let (alone, among_others) = alone_and_among_others(&render(&flows, &[]));
        prop_assert!(!alone.is_empty());
        prop_assert_eq!(alone, among_others);
    }
}
