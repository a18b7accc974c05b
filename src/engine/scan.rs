//! `privflow scan` (and `scan: true`): the manifest against its app's code.
//! One Cedar "sdk" request per SDK the build files declare and per
//! `recipients[].sdks` entry, one "permission" request per permission the
//! platform files request; policies/scan.cedar decides which mismatch is a
//! finding. A finding about the code points at the build or platform file.

use std::collections::{BTreeMap, BTreeSet};

use cedar_policy::Request;

use super::{
    facts, fill, internal, names, waived_by, waiver_of, waiver_statuses, Engine, Evaluation, Settings, Target,
};
use crate::finding::{Finding, Location};
use crate::lang::Lang;
use crate::manifest::{LoadedManifest, Manifest, Seg};
use crate::rules::ActionKind;
use crate::scan::catalogue::{declarations, Catalogue};
use crate::scan::permissions::PermissionMap;
use crate::scan::{Evidence, Kind};
use crate::taxonomy::Taxonomy;

/// Where a scan request's finding points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// A line of a build or platform file.
    Code(Evidence),
    /// `recipients[r].sdks[s]` of the manifest.
    Entry(usize, usize),
}

/// One "sdk" request's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkFact {
    pub sdk: String,
    pub at: At,
    pub in_code: bool,
    pub declared: bool,
    pub uncovered: BTreeSet<String>,
}

/// One "permission" request's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionFact {
    pub evidence: Evidence,
    pub categories: Vec<String>,
    pub collected: BTreeSet<String>,
    pub private_infos: BTreeSet<String>,
}

/// Everything the scan rules judge for one manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanFacts {
    pub sdks: Vec<SdkFact>,
    pub permissions: Vec<PermissionFact>,
}

/// Whether a flow's category `declared` covers `wanted`: the same, an
/// ancestor or a descendant of it (SPEC §6a).
pub fn covers(taxonomy: &Taxonomy, declared: &str, wanted: &str) -> bool {
    taxonomy.is_under(declared, wanted) || taxonomy.is_under(wanted, declared)
}

/// The categories some flow of the manifest provides to recipient `id`.
pub fn provided_to<'a>(manifest: &'a Manifest, id: &str) -> BTreeSet<&'a str> {
    let mut provided = BTreeSet::new();
    for flow in &manifest.flows {
        for provision in flow.recipients.iter().filter(|p| p.to == id) {
            provided.extend(flow.provision_data(provision).iter().map(String::as_str));
        }
    }
    provided
}

/// The categories of `wanted` that none of `declared` covers.
pub fn uncovered<'a>(
    taxonomy: &Taxonomy,
    wanted: impl IntoIterator<Item = &'a String>,
    declared: &BTreeSet<&str>,
) -> BTreeSet<String> {
    wanted
        .into_iter()
        .filter(|w| !declared.iter().any(|d| covers(taxonomy, d, w)))
        .cloned()
        .collect()
}

/// The facts of one manifest's scan: `evidence` from its platform files.
pub fn scan_facts(
    loaded: &LoadedManifest,
    evidence: &[Evidence],
    catalogue: &Catalogue,
    permissions: &PermissionMap,
) -> ScanFacts {
    let manifest = &loaded.manifest;
    let taxonomy = &loaded.taxonomy;
    let in_code: BTreeMap<String, &Evidence> = declarations(evidence, catalogue);
    let listed: BTreeSet<&str> = manifest
        .recipients
        .iter()
        .flat_map(|r| r.sdks.iter().map(String::as_str))
        .collect();
    let mut facts = ScanFacts::default();
    for (id, item) in &in_code {
        facts.sdks.push(SdkFact {
            sdk: id.clone(),
            at: At::Code((*item).clone()),
            in_code: true,
            declared: listed.contains(id.as_str()),
            uncovered: BTreeSet::new(),
        });
    }
    for (r, recipient) in manifest.recipients.iter().enumerate() {
        let provided = provided_to(manifest, &recipient.id);
        for (s, id) in recipient.sdks.iter().enumerate() {
            let collects = catalogue.get(id).map(|sdk| sdk.collects.as_slice()).unwrap_or_default();
            facts.sdks.push(SdkFact {
                sdk: id.clone(),
                at: At::Entry(r, s),
                in_code: in_code.contains_key(id),
                declared: true,
                uncovered: uncovered(taxonomy, collects, &provided),
            });
        }
    }
    let collected: BTreeSet<&str> = manifest
        .flows
        .iter()
        .flat_map(|f| f.data.iter().map(String::as_str))
        .collect();
    for item in evidence {
        let Some(categories) = permissions.categories(item.kind, &item.value) else {
            continue;
        };
        let missing = uncovered(taxonomy, categories, &collected);
        let private_infos = if item.kind == Kind::MiniProgramPrivateInfo {
            private_infos(evidence, &item.file)
        } else {
            BTreeSet::new()
        };
        facts.permissions.push(PermissionFact {
            evidence: item.clone(),
            categories: categories.to_vec(),
            collected: categories.iter().filter(|c| !missing.contains(*c)).cloned().collect(),
            private_infos,
        });
    }
    facts
}

/// Every `requiredPrivateInfos` interface declared in `file`.
fn private_infos(evidence: &[Evidence], file: &str) -> BTreeSet<String> {
    evidence
        .iter()
        .filter(|e| e.kind == Kind::MiniProgramPrivateInfo && e.file == file)
        .map(|e| e.value.clone())
        .collect()
}

impl Engine {
    /// Evaluates the scan policies ("sdk", "permission") on a manifest's
    /// scan facts. Waivers apply as in `check`; their own findings belong to it.
    pub fn evaluate_scan(
        &self,
        loaded: &LoadedManifest,
        scan: &ScanFacts,
        catalogue: &Catalogue,
        settings: &Settings,
    ) -> Result<Evaluation, crate::InputError> {
        let manifest = &loaded.manifest;
        let product = facts::product_facts(manifest, &loaded.taxonomy, settings.today);
        let entities = self.entities(loaded, &[], false, &product)?;
        let (active, entities) = self.standing_waivers(loaded, entities, product, 0..0, settings)?;
        let principal = facts::product_uid(manifest);
        let schema = self.pack.debug_schema();
        let mut asked: Vec<(ActionKind, cedar_policy::EntityUid, super::memo::Facts, Hit)> = Vec::new();
        for fact in &scan.sdks {
            let listed = matches!(fact.at, At::Entry(..));
            asked.push((
                ActionKind::Sdk,
                facts::uid("Sdk", &fact.sdk),
                facts::sdk_context(&fact.sdk, listed, fact.in_code, fact.declared, &fact.uncovered),
                Hit::Sdk(fact),
            ));
        }
        for fact in &scan.permissions {
            asked.push((
                ActionKind::Permission,
                facts::uid("Permission", &fact.evidence.value),
                facts::permission_context(
                    fact.evidence.kind.as_str(),
                    &fact.evidence.value,
                    &fact.categories,
                    &fact.collected,
                    &fact.private_infos,
                ),
                Hit::Permission(fact),
            ));
        }
        let mut evaluation = Evaluation::default();
        // The findings each waiver names, for the waiver review in `check`.
        let mut matched = vec![0usize; manifest.waivers.len()];
        for (action, resource, context, hit) in asked {
            let request = Request::new(
                principal.clone(),
                facts::uid("Action", action.name()),
                resource,
                context.to_context(),
                schema,
            )
            .map_err(|e| internal(loaded, format!("request does not fit the schema: {e}")))?;
            let response = self.authorize(loaded, &request, self.pack.set(action), &entities)?;
            for (meta, severity) in self.fired_with_severity(&response, settings) {
                let lang = settings.lang;
                let (target, file, location, recipient, evidence) = hit.place(loaded);
                let values = |key: &str| hit.placeholder(loaded, catalogue, key, lang);
                let mut finding = Finding {
                    rule: meta.rule.as_str().into(),
                    severity,
                    law: meta.law.as_str().into(),
                    file: file.into(),
                    line: location.line,
                    column: location.column,
                    end_line: location.end_line,
                    end_column: location.end_column,
                    product: manifest.product.id.as_str().into(),
                    flow: None,
                    recipient,
                    message: fill(meta.message(lang), &values),
                    help: fill(meta.help(lang), &values).into(),
                    span: crate::finding::Span::of(&location),
                    evidence: Some(evidence.clone()),
                    policy: Some(meta.origin.clone()),
                    waived: None,
                    baseline: None,
                    detail: Some(evidence),
                };
                for (w, count) in matched.iter_mut().enumerate() {
                    if names(manifest, w, target, &finding) {
                        *count += 1;
                    }
                }
                // Kept, as every waived finding is, for the reports that list them.
                if let Some(w) = waiver_of(manifest, &active, target, &finding) {
                    finding.waived = Some(Box::new(waived_by(&manifest.waivers[w])));
                    evaluation.waived += 1;
                    evaluation.suppressed.push(finding);
                } else {
                    evaluation.findings.push(finding);
                }
            }
        }
        evaluation.waivers = waiver_statuses(loaded, &active, &matched, settings.today);
        Ok(evaluation)
    }
}

/// What a scan request was about, for its finding.
enum Hit<'a> {
    Sdk(&'a SdkFact),
    Permission(&'a PermissionFact),
}

impl Hit<'_> {
    /// The waiver target, file, location, recipient and evidence of a finding.
    fn place(&self, loaded: &LoadedManifest) -> (Target, String, Location, Option<String>, String) {
        let code = |e: &Evidence| (Target::Product, e.file.clone(), e.location, None);
        let (target, file, location, recipient) = match self {
            Hit::Permission(fact) => code(&fact.evidence),
            Hit::Sdk(SdkFact { at: At::Code(e), .. }) => code(e),
            Hit::Sdk(SdkFact {
                at: At::Entry(r, s), ..
            }) => {
                let path = vec![Seg::key("recipients"), Seg::Index(*r), Seg::key("sdks"), Seg::Index(*s)];
                (
                    Target::Recipient(*r),
                    loaded.source.display.clone(),
                    loaded.source.locate(&path),
                    loaded.manifest.recipients.get(*r).map(|r| r.id.clone()),
                )
            }
        };
        let evidence = match self {
            Hit::Sdk(fact) => fact.sdk.clone(),
            Hit::Permission(fact) => fact.evidence.value.clone(),
        };
        (target, file, location, recipient, evidence)
    }

    fn placeholder(&self, loaded: &LoadedManifest, catalogue: &Catalogue, key: &str, lang: Lang) -> Option<String> {
        let list = |ids: &mut dyn Iterator<Item = &String>| {
            ids.map(|id| match lang {
                Lang::En => format!("`{id}`"),
                Lang::Zh => format!("{}（`{id}`）", loaded.taxonomy.display_name(id, lang)),
            })
            .collect::<Vec<_>>()
            .join(if lang == Lang::Zh { "、" } else { ", " })
        };
        match self {
            Hit::Sdk(fact) => {
                let sdk = catalogue.get(&fact.sdk);
                Some(match key {
                    "sdk" => fact.sdk.clone(),
                    "sdk_name" => sdk.map_or_else(
                        || fact.sdk.clone(),
                        |s| match lang {
                            Lang::En => s.name.en.clone(),
                            Lang::Zh => s.name.zh.clone(),
                        },
                    ),
                    "developer" => sdk
                        .and_then(|s| s.developer.clone())
                        .unwrap_or_else(|| crate::lang::tr(lang, "developer unknown", "开发者未知")),
                    "categories" => list(&mut fact.uncovered.iter()),
                    "recipient" => match fact.at {
                        At::Entry(r, _) => loaded.manifest.recipients.get(r)?.id.clone(),
                        At::Code(_) => return None,
                    },
                    _ => return None,
                })
            }
            Hit::Permission(fact) => Some(match key {
                "permission" => fact.evidence.value.clone(),
                "categories" => list(&mut fact.categories.iter()),
                "private_infos" => fact
                    .private_infos
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => return None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_is_covered_by_itself_an_ancestor_or_a_descendant() {
        let taxonomy = Taxonomy::builtin();
        assert!(covers(&taxonomy, "device-id", "device-id"));
        assert!(covers(&taxonomy, "device", "imei"));
        assert!(covers(&taxonomy, "imei", "device"));
        // Siblings do not cover each other.
        assert!(!covers(&taxonomy, "device-id", "imei"));
        let wanted = ["imei".to_string(), "mac-address".to_string(), "photo".to_string()];
        let declared = BTreeSet::from(["device"]);
        assert_eq!(
            uncovered(&taxonomy, &wanted, &declared),
            BTreeSet::from(["photo".to_string()])
        );
    }
}
