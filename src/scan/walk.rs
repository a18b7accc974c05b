//! Which build and platform files belong to a manifest: its directory tree
//! down to, not into, a directory holding another manifest (that one owns
//! it), or the `product.sources` directories instead. Build outputs and
//! installed dependencies are skipped: they are not what a developer edits,
//! and they are large.

use std::path::{Path, PathBuf};

use super::Detector;
use crate::diagnostics::{Code, InputError, Text};
use crate::discover::is_manifest_name;

/// Directories never entered.
const SKIPPED: &[&str] = &[
    "build",
    ".gradle",
    "Pods",
    "node_modules",
    "oh_modules",
    "target",
    "DerivedData",
];

/// The platform files of the manifest in `manifest_dir`: (path, path shown),
/// sorted. `sources` (relative to the manifest's directory) replace the
/// default of the whole tree.
pub fn platform_files(manifest_dir: &Path, sources: &[PathBuf]) -> (Vec<(PathBuf, String)>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let roots: Vec<PathBuf> = if sources.is_empty() {
        vec![manifest_dir.to_path_buf()]
    } else {
        sources.iter().map(|s| manifest_dir.join(s)).collect()
    };
    for root in &roots {
        if !root.is_dir() {
            let shown = root.display().to_string();
            errors.push(
                InputError::new(
                    Code::ScanSource,
                    Text::new(
                        format!("the source directory `{shown}` does not exist"),
                        format!("源码目录 `{shown}` 不存在"),
                    ),
                )
                .with_help(Text::new(
                    "`product.sources` lists directories relative to the manifest",
                    "`product.sources` 列出相对于清单所在目录的路径",
                )),
            );
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| entry.depth() == 0 || !entry.file_type().is_dir() || enters(entry.path()));
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    errors.push(InputError::new(
                        Code::Walk,
                        Text::new(
                            format!("a directory could not be read: {e}"),
                            format!("无法读取目录：{e}"),
                        ),
                    ));
                    continue;
                }
            };
            if entry.file_type().is_file() && Detector::for_path(entry.path()).is_some() {
                let path = entry.path().to_path_buf();
                let shown = path.display().to_string();
                files.push((path, shown));
            }
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

/// Whether the walk goes into a directory below the root.
fn enters(dir: &Path) -> bool {
    let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if name.starts_with('.') || SKIPPED.contains(&name) {
        return false;
    }
    // Another manifest's directory is that manifest's to scan.
    let holds_manifest = std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_str().is_some_and(is_manifest_name) && e.path().is_file())
    });
    !holds_manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_at_other_manifests_and_skips_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        };
        write("privflow.yaml");
        write("app/build.gradle.kts");
        write("app/src/main/AndroidManifest.xml");
        write("app/build/intermediates/AndroidManifest.xml");
        write("gradle/libs.versions.toml");
        write(".gradle/x/build.gradle");
        write("ios/Pods/Foo/Info.plist");
        write("ios/Podfile");
        write("web/node_modules/x/package.json");
        write("web/package.json");
        write("README.md");
        write("mini/privflow.yaml");
        write("mini/app.json");
        let (files, errors) = platform_files(root, &[]);
        assert!(errors.is_empty());
        let rel: Vec<_> = files
            .iter()
            .map(|(p, _)| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            rel,
            [
                "app/build.gradle.kts",
                "app/src/main/AndroidManifest.xml",
                "gradle/libs.versions.toml",
                "ios/Podfile",
                "web/package.json",
            ]
        );
        let (files, errors) = platform_files(root, &[PathBuf::from("ios"), PathBuf::from("missing")]);
        assert_eq!(files.len(), 1);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, Code::ScanSource);
    }
}
