//! What `privflow scan` prints: per manifest, the evidence found in its
//! platform files, with the catalogue's SDK ids and the permission map's
//! categories for each piece. No judgement yet: the rules that compare this
//! with the manifest's declarations come later, in Cedar.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::catalogue::Catalogue;
use super::permissions::PermissionMap;
use super::{scan_files, Evidence};
use crate::diagnostics::{InputError, InputErrors, Lang, Text};

/// One manifest's scan.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestScan {
    /// The manifest as found under the paths given.
    pub manifest: String,
    pub evidence: Vec<Item>,
}

/// One piece of evidence and what it means.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    #[serde(flatten)]
    pub evidence: Evidence,
    /// Catalogue ids of the SDKs it names.
    pub sdks: Vec<String>,
    /// Categories a permission reaches (empty for SDK evidence).
    pub categories: Vec<String>,
    /// From a lock file: corroborates a declaration, never stands alone.
    pub corroborates: bool,
}

/// Scans the platform files of every manifest under `paths` (each
/// manifest's directory tree, down to the next manifest). Every input error
/// is collected.
pub fn scan_paths(paths: &[PathBuf]) -> Result<Vec<ManifestScan>, Vec<InputError>> {
    let (found, seen, mut errors) = crate::discover::discover(paths);
    let catalogue = Catalogue::builtin();
    let permissions = PermissionMap::builtin();
    let (catalogue, permissions) = match (catalogue, permissions) {
        (Ok(c), Ok(p)) => (c, p),
        (c, p) => {
            errors.extend(c.err().unwrap_or_default());
            errors.extend(p.err().unwrap_or_default());
            return Err(errors);
        }
    };
    let mut scans = Vec::new();
    for manifest in found {
        let dir = manifest.path.parent().unwrap_or(Path::new("."));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let (files, walk_errors) = seen.platform_files(dir, &[]);
        errors.extend(walk_errors);
        let (evidence, scan_errors) = scan_files(&files);
        errors.extend(scan_errors);
        let evidence = evidence
            .into_iter()
            .map(|evidence| Item {
                sdks: catalogue.matches(&evidence).into_iter().map(str::to_string).collect(),
                categories: permissions
                    .categories(evidence.kind, &evidence.value)
                    .map(<[String]>::to_vec)
                    .unwrap_or_default(),
                corroborates: evidence.kind.corroborates_only(),
                evidence,
            })
            .collect();
        scans.push(ManifestScan {
            manifest: manifest.display,
            evidence,
        });
    }
    if errors.is_empty() {
        Ok(scans)
    } else {
        Err(InputErrors::sorted(errors).0)
    }
}

/// The human report: one block per manifest, one line per piece of evidence.
pub fn render_human(scans: &[ManifestScan], lang: Lang) -> String {
    let mut out = String::new();
    if scans.is_empty() {
        out += Text::new("no manifests found", "未找到清单").get(lang);
        out.push('\n');
    }
    for scan in scans {
        out += &scan.manifest;
        out.push('\n');
        if scan.evidence.is_empty() {
            out += "  ";
            out += Text::new("no build or platform files found", "未发现构建或平台文件").get(lang);
            out.push('\n');
        }
        for item in &scan.evidence {
            let e = &item.evidence;
            let mut line = format!(
                "  {}:{}:{}  {}  {}",
                e.file,
                e.location.line,
                e.location.column,
                e.kind.as_str(),
                e.value
            );
            if !item.sdks.is_empty() {
                line += &format!("  → {}", item.sdks.join(", "));
            }
            if !item.categories.is_empty() {
                line += &format!("  → [{}]", item.categories.join(", "));
            }
            if item.corroborates {
                line += Text::new("  (lock file)", "  （锁文件）").get(lang);
            }
            out += &line;
            out.push('\n');
        }
    }
    out
}

/// The JSON report: `{"version": 1, "manifests": [...]}`.
pub fn render_json(scans: &[ManifestScan]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        version: u32,
        manifests: &'a [ManifestScan],
    }
    serde_json::to_string_pretty(&Out {
        version: 1,
        manifests: scans,
    })
    .unwrap_or_default()
        + "\n"
}
