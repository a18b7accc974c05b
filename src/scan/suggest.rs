//! `privflow scan --suggest`: YAML to paste for what the scan rules found
//! undeclared. Which findings call for which stub is the rules' own
//! statement (`@suggest("recipient" | "provision" | "collection")` on the
//! policy); this only writes the stubs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Catalogues, Kind};
use crate::diagnostics::InputErrors;
use crate::engine::scan::{provided_to, uncovered};
use crate::run::Options;

/// What one manifest needs added.
#[derive(Default)]
struct Stubs {
    /// Recipient stubs by catalogue id.
    recipients: BTreeSet<String>,
    /// (recipient id, SDK id) → categories to provide it.
    sdk_flows: BTreeMap<(String, String), BTreeSet<String>>,
    /// Categories of permissions no flow collects.
    categories: BTreeSet<String>,
}

/// The stubs for every manifest under `paths` with something undeclared,
/// each block headed by the manifest it belongs to.
pub fn suggest<P: AsRef<Path>>(paths: &[P], options: &Options) -> Result<String, InputErrors> {
    let mut options = options.clone();
    options.scan_only = true;
    let report = crate::check(paths, &options)?;
    let catalogues = Catalogues::load(&options.catalogues).map_err(InputErrors::sorted)?;
    let mut out = String::new();
    for (display, manifest, taxonomy) in &report.manifests {
        let mut stubs = Stubs::default();
        let findings = report.findings.iter().filter(|f| f.product == manifest.product.id);
        for finding in findings {
            let Some(evidence) = &finding.evidence else {
                continue;
            };
            let kind = report
                .rules
                .get(finding.rule.as_str())
                .and_then(|r| r.suggest.as_deref());
            match kind {
                Some("recipient") => {
                    stubs.recipients.insert(evidence.clone());
                    let collects = catalogues
                        .sdks
                        .get(evidence)
                        .map(|s| s.collects.clone())
                        .unwrap_or_default();
                    stubs
                        .sdk_flows
                        .entry((evidence.clone(), evidence.clone()))
                        .or_default()
                        .extend(collects);
                }
                Some("provision") => {
                    let Some(recipient) = &finding.recipient else {
                        continue;
                    };
                    let collects = catalogues
                        .sdks
                        .get(evidence)
                        .map(|s| s.collects.as_slice())
                        .unwrap_or_default();
                    let missing = uncovered(taxonomy, collects, &provided_to(manifest, recipient));
                    stubs
                        .sdk_flows
                        .entry((recipient.clone(), evidence.clone()))
                        .or_default()
                        .extend(missing);
                }
                Some("collection") => {
                    let kinds = [
                        Kind::AndroidPermission,
                        Kind::IosUsageKey,
                        Kind::MiniProgramPrivateInfo,
                        Kind::HarmonyPermission,
                    ];
                    if let Some(categories) = kinds
                        .iter()
                        .find_map(|kind| catalogues.permissions.categories(*kind, evidence))
                    {
                        stubs.categories.extend(categories.iter().cloned());
                    }
                }
                _ => {}
            }
        }
        // A category an SDK flow stub already collects needs no flow of its own.
        let by_sdks: BTreeSet<&String> = stubs.sdk_flows.values().flatten().collect();
        stubs.categories.retain(|c| !by_sdks.contains(c));
        if stubs.recipients.is_empty() && stubs.sdk_flows.is_empty() && stubs.categories.is_empty() {
            continue;
        }
        out += &render(display, &stubs, &catalogues);
    }
    Ok(out)
}

fn render(manifest: &str, stubs: &Stubs, catalogues: &Catalogues) -> String {
    let mut out = format!("# {manifest}\n");
    if !stubs.recipients.is_empty() {
        out += "recipients:\n";
        for id in &stubs.recipients {
            let sdk = catalogues.sdks.get(id);
            let name = sdk.and_then(|s| s.developer.clone()).unwrap_or_default();
            let country = sdk.and_then(|s| s.country.clone()).unwrap_or_default();
            let contact = sdk.and_then(|s| s.privacy_policy.clone()).unwrap_or_default();
            out += &format!("  - id: {id}\n");
            out += &format!("    name: {}\n", quote(&name));
            out += "    role: third-party                 # TODO: or entrusted, with `contract: true`\n";
            out += &format!("    country: {}\n", quote(&country));
            if contact.is_empty() {
                out += "    contact: \"\"                       # TODO: how individuals reach the vendor\n";
            } else {
                out += &format!("    contact: {}\n", quote(&contact));
            }
            out += &format!("    sdks: [{id}]\n");
        }
    }
    if !stubs.sdk_flows.is_empty() || !stubs.categories.is_empty() {
        out += "flows:\n";
        for ((recipient, sdk), categories) in &stubs.sdk_flows {
            if categories.is_empty() {
                continue;
            }
            out += &format!("  - id: {:<30}# {TODO}\n", format!("{sdk}-sdk"));
            out += &format!("    data: [{}]\n", join(categories));
            out += "    storage: none\n";
            out += &format!("    recipients: [{{ to: {recipient} }}]\n");
        }
        for category in &stubs.categories {
            out += &format!("  - id: {:<30}# {TODO}\n", format!("collect-{category}"));
            out += &format!("    data: [{category}]\n");
        }
    }
    out
}

/// The mark on every flow stub: what only its author can fill in.
const TODO: &str = "TODO: purpose, basis, retention";

fn join(values: &BTreeSet<String>) -> String {
    values.iter().map(String::as_str).collect::<Vec<_>>().join(", ")
}

/// A YAML double-quoted string.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}
