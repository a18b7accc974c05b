//! `privflow graph`: a Mermaid flowchart of the manifests — data categories
//! → flows → storage countries and recipients. Sensitive data and flows,
//! countries and recipients outside China are highlighted.

use std::collections::BTreeMap;

use crate::lang::Lang;
use crate::manifest::{is_cn, Manifest};
use crate::taxonomy::Taxonomy;
use crate::Report;

pub fn render(report: &Report) -> String {
    let lang = report.lang;
    let mut out = String::from("flowchart LR\n");
    let mut manifests: Vec<_> = report.manifests.iter().collect();
    manifests.sort_by(|a, b| a.0.cmp(&b.0));
    let several = manifests.len() > 1;
    let mut sensitive = Vec::new();
    let mut abroad = Vec::new();
    for (index, (_, manifest, taxonomy)) in manifests.iter().enumerate() {
        // Node ids are positional so that any category or recipient id is safe.
        let prefix = if several { format!("m{index}_") } else { String::new() };
        let indent = if several { "    " } else { "  " };
        if several {
            let title = manifest.product.name.as_deref().unwrap_or(&manifest.product.id);
            out.push_str(&format!("  subgraph m{index}[\"{}\"]\n", label(title)));
        }
        let graph = product_graph(manifest, taxonomy, lang, &prefix);
        for line in &graph.lines {
            out.push_str(indent);
            out.push_str(line);
            out.push('\n');
        }
        if several {
            out.push_str("  end\n");
        }
        sensitive.extend(graph.sensitive);
        abroad.extend(graph.abroad);
    }
    out.push_str("  classDef sensitive fill:#fde2e1,stroke:#c0392b,color:#7b241c\n");
    out.push_str("  classDef abroad fill:#fff3cd,stroke:#b7791f,stroke-width:2px,color:#744210\n");
    if !sensitive.is_empty() {
        out.push_str(&format!("  class {} sensitive\n", sensitive.join(",")));
    }
    if !abroad.is_empty() {
        out.push_str(&format!("  class {} abroad\n", abroad.join(",")));
    }
    out
}

struct ProductGraph {
    lines: Vec<String>,
    sensitive: Vec<String>,
    abroad: Vec<String>,
}

fn product_graph(manifest: &Manifest, taxonomy: &Taxonomy, lang: Lang, prefix: &str) -> ProductGraph {
    let mut lines = Vec::new();
    let mut sensitive = Vec::new();
    let mut abroad = Vec::new();

    // Data nodes, once each, in order of first use.
    let mut data: BTreeMap<&str, String> = BTreeMap::new();
    for flow in &manifest.flows {
        for id in &flow.data {
            if !data.contains_key(id.as_str()) {
                let node = format!("{prefix}d{}", data.len());
                lines.push(format!(
                    "{node}[\"{}<br/><small>{}</small>\"]",
                    label(&taxonomy.display_name(id, lang)),
                    label(id)
                ));
                if taxonomy.is_sensitive(id) {
                    sensitive.push(node.clone());
                }
                data.insert(id, node);
            }
        }
    }

    let mut countries: BTreeMap<String, String> = BTreeMap::new();
    let mut country_node = |country: Option<&str>, lines: &mut Vec<String>, abroad: &mut Vec<String>| {
        // An undeclared country counts as outside CN (SPEC §4).
        let key = country.map_or_else(|| "?".to_string(), str::to_uppercase);
        if let Some(node) = countries.get(&key) {
            return node.clone();
        }
        let node = format!("{prefix}c{}", countries.len());
        let text = match country {
            Some(c) => c.to_uppercase(),
            None => crate::diagnostics::tr(lang, "country not declared", "未声明国家"),
        };
        lines.push(format!("{node}[(\"{}\")]", label(&text)));
        if !country.is_some_and(is_cn) {
            abroad.push(node.clone());
        }
        countries.insert(key, node.clone());
        node
    };

    let mut recipients: BTreeMap<&str, String> = BTreeMap::new();
    for (index, flow) in manifest.flows.iter().enumerate() {
        let node = format!("{prefix}f{index}");
        let text = match &flow.purpose {
            Some(purpose) => format!("{}<br/><small>{}</small>", label(&flow.id), label(purpose)),
            None => label(&flow.id),
        };
        lines.push(format!("{node}([\"{text}\"])"));
        if flow.leaves_cn(&manifest.recipients) {
            abroad.push(node.clone());
        }
        for id in &flow.data {
            if let Some(data_node) = data.get(id.as_str()) {
                lines.push(format!("{data_node} --> {node}"));
            }
        }
        let storage = flow.storage.as_ref().and_then(|s| s.country.as_deref());
        let country = country_node(storage, &mut lines, &mut abroad);
        let stored = crate::diagnostics::tr(lang, "stored in", "存储于");
        lines.push(format!("{node} -->|{stored}| {country}"));
        for provision in &flow.recipients {
            let recipient_node = match recipients.get(provision.to.as_str()) {
                Some(existing) => existing.clone(),
                None => {
                    let recipient_node = format!("{prefix}r{}", recipients.len());
                    let declared = manifest.recipients.iter().find(|r| r.id == provision.to);
                    let mut text = label(&provision.to);
                    if let Some(r) = declared {
                        let role: &str = r.role.into();
                        let country = r.country.as_deref().unwrap_or("?");
                        text.push_str(&format!("<br/><small>{} · {}</small>", label(role), label(country)));
                        if !r.country.as_deref().is_some_and(is_cn) {
                            abroad.push(recipient_node.clone());
                        }
                    }
                    lines.push(format!("{recipient_node}{{{{\"{text}\"}}}}"));
                    recipients.insert(&provision.to, recipient_node.clone());
                    recipient_node
                }
            };
            let shares = crate::diagnostics::tr(lang, "provides", "提供");
            lines.push(format!("{node} -->|{shares}| {recipient_node}"));
        }
    }
    ProductGraph {
        lines,
        sensitive,
        abroad,
    }
}

/// Text inside a quoted Mermaid label: quotes and markup become entities.
fn label(text: &str) -> String {
    text.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\n', " ")
}
