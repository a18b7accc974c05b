//! Manifest → Cedar: entities and request contexts. Facts only; the rules
//! that judge them live in policies/*.cedar, typed by policies/schema.cedarschema.

use std::collections::{BTreeSet, HashSet};

use cedar_policy::{Entity, EntityId, EntityTypeName, EntityUid};

// Facts are built as memo values; Cedar values only when Cedar evaluates.
use super::memo::{Facts, Val as Expr};

use crate::manifest::model::{is_cn, Date, Subject};
use crate::manifest::{AutomatedDecision, Flow, Manifest, Recipient, Waiver};
use crate::taxonomy::Taxonomy;

pub fn uid(kind: &str, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(type_name(kind), EntityId::new(id))
}

/// Parsed once: every request and entity names one of the schema's types.
fn type_name(kind: &str) -> EntityTypeName {
    const KINDS: [&str; 10] = [
        "Action",
        "DataCategory",
        "DataEntry",
        "Flow",
        "Permission",
        "Product",
        "Provision",
        "Recipient",
        "Sdk",
        "Waiver",
    ];
    static PARSED: std::sync::LazyLock<Vec<EntityTypeName>> =
        std::sync::LazyLock::new(|| KINDS.iter().filter_map(|k| k.parse().ok()).collect());
    match KINDS.iter().position(|k| *k == kind).and_then(|i| PARSED.get(i)) {
        Some(name) => name.clone(),
        // The type names are the schema's own and always parse.
        None => kind.parse().unwrap_or_else(|_| unreachable!("entity type {kind}")),
    }
}

fn string(s: &str) -> Expr {
    Expr::new_string(s.to_string())
}

fn long(n: u64) -> Expr {
    Expr::new_long(i64::try_from(n).unwrap_or(i64::MAX))
}

fn name<T: Into<&'static str>>(value: T) -> Expr {
    string(value.into())
}

type Pairs = Vec<(&'static str, Expr)>;

fn record(pairs: Pairs) -> Expr {
    // Keys are distinct literals at every call site.
    Expr::new_record(pairs.into_iter().map(|(k, v)| (k.to_string(), v)))
        .unwrap_or_else(|_| unreachable!("duplicate record key"))
}

fn context(pairs: Pairs) -> Facts {
    Facts::new(pairs).unwrap_or_else(|_| unreachable!("duplicate context key"))
}

fn push_some(pairs: &mut Pairs, key: &'static str, value: Option<Expr>) {
    if let Some(value) = value {
        pairs.push((key, value));
    }
}

/// Every category the data sits under, as entity parents.
fn category_parents(taxonomy: &Taxonomy, data: &[String]) -> HashSet<EntityUid> {
    let mut all: BTreeSet<&String> = BTreeSet::new();
    for id in data {
        all.extend(taxonomy.ancestors_and_self(id));
    }
    all.iter().map(|c| uid("DataCategory", c)).collect()
}

pub fn flow_uid(flow: &Flow) -> EntityUid {
    uid("Flow", &flow.id)
}

pub fn provision_uid(flow: &Flow, index: usize) -> EntityUid {
    uid("Provision", &format!("{}/{index}", flow.id))
}

pub fn data_entry_uid(flow: &Flow, index: usize) -> EntityUid {
    uid("DataEntry", &format!("{}/{index}", flow.id))
}

/// A flow's entity, child of the categories of its data.
pub fn flow_entity(taxonomy: &Taxonomy, flow: &Flow) -> Entity {
    Entity::new_no_attrs(flow_uid(flow), category_parents(taxonomy, &flow.data))
}

/// The entity of a flow's `index`-th recipient entry, child of the
/// categories of the data it provides.
pub fn provision_entity(taxonomy: &Taxonomy, flow: &Flow, index: usize) -> Entity {
    let data = flow.provision_data(&flow.recipients[index]);
    Entity::new_no_attrs(provision_uid(flow, index), category_parents(taxonomy, data))
}

/// The entity of a flow's `index`-th data entry, child of its category.
pub fn data_entry_entity(taxonomy: &Taxonomy, flow: &Flow, index: usize) -> Entity {
    let data = std::slice::from_ref(&flow.data[index]);
    Entity::new_no_attrs(data_entry_uid(flow, index), category_parents(taxonomy, data))
}

/// One DataEntry entity per entry of each flow's `data`, child of its
/// category: needed only when a notice is checked ("disclosure" requests).
pub fn data_entries(taxonomy: &Taxonomy, flows: &[Flow]) -> Vec<Entity> {
    let mut out = Vec::new();
    for flow in flows {
        out.extend((0..flow.data.len()).map(|k| data_entry_entity(taxonomy, flow, k)));
    }
    out
}

/// The Flow and Provision entities of some flows, children of their categories.
pub fn entities(taxonomy: &Taxonomy, flows: &[Flow]) -> Vec<Entity> {
    let mut out = Vec::new();
    for flow in flows {
        out.push(flow_entity(taxonomy, flow));
        out.extend((0..flow.recipients.len()).map(|j| provision_entity(taxonomy, flow, j)));
    }
    out
}

/// The product's cross-border counts since 1 January over every flow that
/// leaves CN (SPEC §4): N over flows without sensitive data (at least
/// `product.cross_border_individuals`), S over flows with it. `None` is an
/// unknown count: some such flow declares no `cross_border.individuals`
/// (for N, only when the product gives no count of its own).
pub fn cross_border_counts(manifest: &Manifest, taxonomy: &Taxonomy) -> (Option<u64>, Option<u64>) {
    let mut n = Some(0u64);
    let mut s = Some(0u64);
    for flow in manifest.flows.iter().filter(|f| f.leaves_cn(&manifest.recipients)) {
        let count = flow.cross_border.as_ref().and_then(|x| x.individuals);
        let sum = if flow.data.iter().any(|d| taxonomy.is_sensitive(d)) {
            &mut s
        } else {
            &mut n
        };
        *sum = sum.zip(count).map(|(a, b)| a.saturating_add(b));
    }
    let n = match (n, manifest.product.cross_border_individuals) {
        (Some(sum), Some(declared)) => Some(sum.max(declared)),
        (None, declared) => declared,
        (sum, None) => sum,
    };
    (n, s)
}

/// Individuals whose face information is stored: `product.face_individuals`,
/// else `product.individuals`; `None` when neither is declared.
pub fn face_count(manifest: &Manifest) -> Option<u64> {
    manifest.product.face_individuals.or(manifest.product.individuals)
}

fn product_pairs(manifest: &Manifest, taxonomy: &Taxonomy, today: Date) -> Pairs {
    let p = &manifest.product;
    let rights = p.rights.clone().unwrap_or_default();
    let mut r: Pairs = Vec::new();
    for (key, mode) in [
        ("access", rights.access),
        ("copy", rights.copy),
        ("correct", rights.correct),
        ("delete", rights.delete),
        ("withdraw", rights.withdraw),
        ("close_account", rights.close_account),
        ("portability", rights.portability),
        ("explain", rights.explain),
    ] {
        push_some(&mut r, key, mode.map(name));
    }
    push_some(&mut r, "response_days", rights.response_days.map(|d| long(d.into())));
    let mut pairs: Pairs = vec![
        (
            "contact",
            Expr::new_bool(p.contact.as_deref().is_some_and(|c| !c.trim().is_empty())),
        ),
        ("pi_officer", Expr::new_bool(p.pi_officer == Some(true))),
        ("ciio", Expr::new_bool(p.ciio == Some(true))),
        ("children_rules", Expr::new_bool(p.children_rules == Some(true))),
        ("pia", Expr::new_bool(p.pia.is_some())),
        ("commitments", Expr::new_set(p.commitments.iter().map(|c| name(*c)))),
        ("rights", record(r)),
    ];
    let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let subjects = |s: Subject| manifest.flows.iter().any(|f| f.subjects.contains(&s));
    pairs.extend([
        (
            "operator_abroad",
            Expr::new_bool(p.operator_country.as_deref().is_some_and(|c| !is_cn(c))),
        ),
        ("cn_representative", Expr::new_bool(present(&p.cn_representative))),
        (
            "data_security_officer",
            Expr::new_bool(p.data_security_officer == Some(true)),
        ),
        (
            "certification_authority",
            Expr::new_bool(p.certification_authority == Some(true)),
        ),
        (
            "minors",
            Expr::new_bool(subjects(Subject::Minor) || subjects(Subject::Child)),
        ),
        (
            "face_data",
            Expr::new_bool(
                manifest
                    .flows
                    .iter()
                    .any(|f| f.data.iter().any(|d| taxonomy.is_under(d, "face"))),
            ),
        ),
        ("face_filing", Expr::new_bool(p.face_filing.is_some())),
    ]);
    push_some(&mut pairs, "individuals", p.individuals.map(long));
    push_some(&mut pairs, "face_individuals", face_count(manifest).map(long));
    push_some(
        &mut pairs,
        "days_since_audit",
        p.last_audit.map(|d| Expr::new_long(d.days_until(today))),
    );
    let (n, s) = cross_border_counts(manifest, taxonomy);
    push_some(&mut pairs, "cross_border_n", n.map(long));
    push_some(&mut pairs, "cross_border_s", s.map(long));
    pairs
}

/// The Product entity, every request's principal. Its facts are its
/// attributes, evaluated once per entity store rather than in every flow's
/// context.
pub fn product(manifest: &Manifest, facts: &Facts) -> Result<Entity, String> {
    let attrs = facts.0.iter().map(|(k, v)| (k.to_string(), v.to_cedar())).collect();
    Entity::new(product_uid(manifest), attrs, HashSet::new()).map_err(|e| e.to_string())
}

/// The product's facts: the principal's attributes.
pub fn product_facts(manifest: &Manifest, taxonomy: &Taxonomy, today: Date) -> Facts {
    context(product_pairs(manifest, taxonomy, today))
}

pub fn product_uid(manifest: &Manifest) -> EntityUid {
    uid("Product", &manifest.product.id)
}

/// The "product" request reads its principal, and with a notice the
/// notice's defective phrases: `(implied consent, change by use)` found.
pub fn product_context(notice_phrases: Option<(bool, bool)>) -> Facts {
    let mut pairs: Pairs = Vec::new();
    if let Some((implied, change)) = notice_phrases {
        pairs.push(("notice_implied_consent", Expr::new_bool(implied)));
        pairs.push(("notice_change_by_use", Expr::new_bool(change)));
    }
    context(pairs)
}

/// `notice_claims_domestic` is `None` when no notice is checked;
/// `notice_excepts` (a declared exception to that claim names the flow) too.
pub fn flow_context(
    manifest: &Manifest,
    flow: &Flow,
    notice_claims_domestic: Option<bool>,
    notice_excepts: Option<bool>,
) -> Facts {
    let storage = flow.storage.clone().unwrap_or_default();
    let automated = flow.automated_decision.as_ref().is_some_and(AutomatedDecision::used);
    let (opt_out, personalised, tag_deletion) = match &flow.automated_decision {
        Some(AutomatedDecision::Detail(d)) => (
            d.opt_out == Some(true),
            d.personalised == Some(true),
            d.tag_deletion == Some(true),
        ),
        _ => (false, false, false),
    };
    let roles: BTreeSet<&'static str> = flow
        .recipients
        .iter()
        .filter_map(|p| manifest.recipients.iter().find(|r| r.id == p.to))
        .map(|r| r.role.into())
        .collect();
    let mut pairs: Pairs = vec![
        ("subjects", Expr::new_set(flow.subjects.iter().map(|s| name(*s)))),
        (
            "necessity",
            Expr::new_bool(flow.necessity.as_deref().is_some_and(|n| !n.trim().is_empty())),
        ),
        ("storage_encrypted", Expr::new_bool(storage.encrypted == Some(true))),
        ("storage_none", Expr::new_bool(storage.none)),
        ("leaves_cn", Expr::new_bool(flow.leaves_cn(&manifest.recipients))),
        ("automated_decision", Expr::new_bool(automated)),
        ("automated_opt_out", Expr::new_bool(opt_out)),
        ("personalised", Expr::new_bool(personalised)),
        ("tag_deletion", Expr::new_bool(tag_deletion)),
        ("alternative", Expr::new_bool(flow.alternative == Some(true))),
        ("public", Expr::new_bool(flow.public == Some(true))),
        ("pia", Expr::new_bool(flow.pia.is_some())),
        ("recipient_roles", Expr::new_set(roles.into_iter().map(string))),
    ];
    push_some(
        &mut pairs,
        "purpose",
        flow.purpose.as_deref().filter(|p| !p.trim().is_empty()).map(string),
    );
    push_some(&mut pairs, "basis", flow.basis.map(name));
    push_some(&mut pairs, "consent", flow.consent.map(name));
    push_some(&mut pairs, "storage_country", storage.country.as_deref().map(string));
    push_some(&mut pairs, "storage_form", storage.form.map(name));
    push_some(&mut pairs, "transport", flow.transport.map(name));
    if let Some(retention) = &flow.retention {
        let (kind, days) = if retention.forever == Some(true) {
            ("forever", None)
        } else if retention.until.is_some() {
            ("until", retention.max_days)
        } else {
            ("days", retention.days)
        };
        let mut r: Pairs = vec![("kind", string(kind))];
        push_some(&mut r, "days", days.map(|d| long(d.into())));
        push_some(&mut r, "after", retention.after.map(name));
        pairs.push(("retention", record(r)));
    }
    if let Some(xb) = &flow.cross_border {
        let mut r: Pairs = Vec::new();
        push_some(&mut r, "mechanism", xb.mechanism.map(name));
        push_some(&mut r, "consent", xb.consent.map(name));
        push_some(&mut r, "individuals", xb.individuals.map(long));
        pairs.push(("cross_border", record(r)));
    }
    push_some(
        &mut pairs,
        "notice_claims_domestic",
        notice_claims_domestic.map(Expr::new_bool),
    );
    push_some(&mut pairs, "notice_excepts", notice_excepts.map(Expr::new_bool));
    context(pairs)
}

/// `in_notice` is `None` without a notice or without a legal name.
pub fn recipient_context(recipient: &Recipient, in_notice: Option<bool>) -> Facts {
    let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let mut pairs: Pairs = vec![
        ("role", name(recipient.role)),
        ("named", Expr::new_bool(present(&recipient.name))),
        ("contact", Expr::new_bool(present(&recipient.contact))),
        ("contract", Expr::new_bool(recipient.contract == Some(true))),
        ("abroad", Expr::new_bool(recipient.abroad())),
    ];
    push_some(&mut pairs, "country", recipient.country.as_deref().map(string));
    push_some(&mut pairs, "in_notice", in_notice.map(Expr::new_bool));
    context(pairs)
}

/// Whether the notice names a data entry's category (or one under it).
pub fn disclosure_context(disclosed: bool) -> Facts {
    context(vec![("disclosed", Expr::new_bool(disclosed))])
}

pub fn provision_context(flow: &Flow, index: usize, recipient: &Recipient) -> Facts {
    let provision = &flow.recipients[index];
    let mut pairs: Pairs = vec![("role", name(recipient.role))];
    push_some(&mut pairs, "country", recipient.country.as_deref().map(string));
    push_some(&mut pairs, "basis", flow.basis.map(name));
    push_some(&mut pairs, "declared_consent", provision.consent.map(name));
    push_some(&mut pairs, "consent", flow.provision_consent(provision).map(name));
    context(pairs)
}

pub fn waiver_context(waiver: &Waiver, today: Date) -> Facts {
    // Loading guarantees `expires`; a waiver without one never reaches here.
    let days_left = waiver.expires.map_or(0, |expires| today.days_until(expires));
    context(vec![
        ("rule", string(&waiver.rule)),
        ("days_left", Expr::new_long(days_left)),
    ])
}

/// An SDK's request (the schema's SdkFacts): one per SDK the code declares
/// (`listed` false) and one per `recipients[].sdks` entry (`listed` true).
pub fn sdk_context(sdk: &str, listed: bool, in_code: bool, declared: bool, uncovered: &BTreeSet<String>) -> Facts {
    context(vec![
        ("sdk", string(sdk)),
        ("listed", Expr::new_bool(listed)),
        ("in_code", Expr::new_bool(in_code)),
        ("declared", Expr::new_bool(declared)),
        ("uncovered", Expr::new_set(uncovered.iter().map(|c| string(c)))),
    ])
}

/// A permission's request (the schema's PermissionFacts).
pub fn permission_context(
    kind: &str,
    permission: &str,
    categories: &[String],
    collected: &BTreeSet<String>,
    private_infos: &BTreeSet<String>,
) -> Facts {
    context(vec![
        ("kind", string(kind)),
        ("permission", string(permission)),
        ("categories", Expr::new_set(categories.iter().map(|c| string(c)))),
        ("collected", Expr::new_set(collected.iter().map(|c| string(c)))),
        ("private_infos", Expr::new_set(private_infos.iter().map(|c| string(c)))),
    ])
}

/// The facts of a waiver against the run's findings: `matched` is counted
/// in Rust, whether that is "unused" is the policies' call.
pub fn waiver_review_context(waiver: &Waiver, today: Date, matched: usize, warn_within: Option<i64>) -> Facts {
    let days_left = waiver.expires.map_or(0, |expires| today.days_until(expires));
    let mut pairs: Pairs = vec![
        ("rule", string(&waiver.rule)),
        ("days_left", Expr::new_long(days_left)),
        ("matched", long(matched as u64)),
    ];
    push_some(&mut pairs, "warn_within", warn_within.map(Expr::new_long));
    context(pairs)
}
