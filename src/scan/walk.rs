//! Which build and platform files belong to a manifest: its directory tree
//! down to, not into, a directory holding another manifest (that one owns
//! it), or the `product.sources` directories instead. Build outputs and
//! installed dependencies are skipped: they are not what a developer edits,
//! and they are large.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::Detector;
use crate::diagnostics::{Code, InputError, Text};
use crate::discover::is_manifest_name;

/// Directories never entered (besides hidden ones).
pub(crate) const SKIPPED: &[&str] = &[
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
    files_of(manifest_dir, sources, None)
}

/// What discovery's walk saw that the scan needs: the directories walked,
/// those holding a manifest and the files a detector reads. The scan takes
/// a manifest's files from here instead of walking its tree again.
#[derive(Debug, Default)]
pub struct Seen {
    dirs: HashSet<PathBuf>,
    manifest_dirs: HashSet<PathBuf>,
    files: Vec<PathBuf>,
}

impl Seen {
    /// Records a directory the walk went into.
    pub fn dir(&mut self, path: &Path) {
        self.dirs.insert(path.to_path_buf());
    }

    /// Records a file (or anything else not walked into) named `name`.
    pub fn file(&mut self, path: &Path, name: &str, is_file: bool) {
        // As `enters` judges: a manifest name that is a file, through a symlink or not.
        if is_manifest_name(name) && (is_file || path.is_file()) {
            if let Some(parent) = path.parent() {
                self.manifest_dirs.insert(parent.to_path_buf());
            }
        }
        if is_file && Detector::for_name(name, path).is_some() {
            self.files.push(path.to_path_buf());
        }
    }

    /// The platform files of the manifest in `manifest_dir`, as
    /// [`platform_files`] finds them; a root the walk did not go into (a
    /// source outside it, a manifest named on its own) is walked here.
    pub fn platform_files(
        &self,
        manifest_dir: &Path,
        sources: &[PathBuf],
    ) -> (Vec<(PathBuf, String)>, Vec<InputError>) {
        files_of(manifest_dir, sources, Some(self))
    }

    /// The files under `root` the walk from `root` would find, or `None`
    /// when discovery did not walk `root`. Discovery enters every
    /// directory the scan enters (it skips fewer), so its files suffice.
    fn under(&self, root: &Path) -> Option<Vec<PathBuf>> {
        if !self.dirs.contains(root) {
            return None;
        }
        let owned = |rel: &Path| {
            let mut dir = root.to_path_buf();
            rel.parent().into_iter().flat_map(Path::components).all(|part| {
                dir.push(part);
                enters_name(&dir) && !self.manifest_dirs.contains(&dir)
            })
        };
        Some(
            self.files
                .iter()
                .filter_map(|file| file.strip_prefix(root).ok())
                .filter(|rel| owned(rel))
                // Joined as a walk from `root` joins: the same path, shown the same.
                .map(|rel| root.join(rel))
                .collect(),
        )
    }
}

fn files_of(
    manifest_dir: &Path,
    sources: &[PathBuf],
    seen: Option<&Seen>,
) -> (Vec<(PathBuf, String)>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let roots: Vec<PathBuf> = if sources.is_empty() {
        vec![manifest_dir.to_path_buf()]
    } else {
        sources.iter().map(|s| manifest_dir.join(s)).collect()
    };
    for root in &roots {
        if let Some(found) = seen.and_then(|seen| seen.under(root)) {
            files.extend(found.into_iter().map(|path| {
                let shown = path.display().to_string();
                (path, shown)
            }));
            continue;
        }
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
        // Unsorted: the files are sorted below.
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
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
    if !enters_name(dir) {
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

/// Whether a directory's name lets the walk in: not hidden, not a build
/// output or installed dependencies.
fn enters_name(dir: &Path) -> bool {
    dir.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| !name.starts_with('.') && !SKIPPED.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty file at `rel` under `root`, with its directories.
    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "").unwrap();
    }

    /// The files' paths relative to `root`.
    fn relative<T>(files: &[(PathBuf, T)], root: &Path) -> Vec<String> {
        files
            .iter()
            .map(|(p, _)| p.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn stops_at_other_manifests_and_skips_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str| touch(root, rel);
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
        let rel = relative(&files, root);
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

    /// A tree with every case of ownership: nested manifests, skipped and
    /// hidden directories, symlinks, a manifest-named directory.
    fn tricky_tree(root: &Path) {
        for rel in [
            "privflow.yaml",
            "app/build.gradle.kts",
            "app/src/main/AndroidManifest.xml",
            "app/build/intermediates/AndroidManifest.xml",
            "app/target/Podfile",
            "gradle/libs.versions.toml",
            "other/libs.versions.toml",
            ".hidden/Podfile",
            "ios/Pods/Foo/Info.plist",
            "ios/Podfile",
            "ios/App/App-Info.plist",
            "web/node_modules/x/package.json",
            "web/package.json",
            "web/oh_modules/y/oh-package.json5",
            "mini/privflow.yaml",
            "mini/app.json",
            "mini/sub/package.json",
            "mini/build/app.json",
            "pay/pay.flows.yaml",
            "pay/deep/pubspec.yaml",
            "named/privflow.yaml/Podfile",
            "named/Podfile",
            "linked/module.json5",
            "elsewhere/real.yaml",
        ] {
            touch(root, rel);
        }
        #[cfg(unix)]
        {
            // A manifest through a symlink owns its directory; a linked directory is not entered.
            std::os::unix::fs::symlink(root.join("elsewhere/real.yaml"), root.join("linked/privflow.yaml")).unwrap();
            std::os::unix::fs::symlink(root.join("ios"), root.join("ios-link")).unwrap();
        }
    }

    #[test]
    fn discovery_walk_gives_what_a_walk_of_its_own_gives() {
        let dir = tempfile::tempdir().unwrap();
        tricky_tree(dir.path());
        let with_slash = PathBuf::from(format!("{}/", dir.path().display()));
        for root in [dir.path().to_path_buf(), with_slash, dir.path().join("mini")] {
            let (found, seen, errors) = crate::discover::discover(std::slice::from_ref(&root));
            assert!(errors.is_empty());
            assert!(!found.is_empty());
            for manifest in &found {
                let manifest_dir = manifest.path.parent().unwrap();
                for sources in [
                    vec![],
                    vec![PathBuf::from("ios")],
                    vec![PathBuf::from("./app/"), PathBuf::from("web")],
                    vec![PathBuf::from("../mini"), PathBuf::from("missing")],
                    vec![PathBuf::from("sub"), PathBuf::from("build")],
                ] {
                    let (own, own_errors) = platform_files(manifest_dir, &sources);
                    let (reused, reused_errors) = seen.platform_files(manifest_dir, &sources);
                    assert_eq!(reused, own, "{} {sources:?}", manifest.display);
                    let codes = |e: &[InputError]| e.iter().map(|e| e.code).collect::<Vec<_>>();
                    assert_eq!(codes(&reused_errors), codes(&own_errors));
                }
            }
        }
    }

    #[test]
    fn the_scan_takes_its_files_from_discovery() {
        let dir = tempfile::tempdir().unwrap();
        tricky_tree(dir.path());
        let (_, seen, _) = crate::discover::discover(&[dir.path().to_path_buf()]);
        // Added after discovery: only a second walk would see it.
        std::fs::write(dir.path().join("app/Podfile"), "").unwrap();
        let (reused, _) = seen.platform_files(dir.path(), &[]);
        let (own, _) = platform_files(dir.path(), &[]);
        assert_eq!(own.len(), reused.len() + 1);
        let rel = relative(&reused, dir.path());
        assert_eq!(
            rel,
            [
                "app/build.gradle.kts",
                "app/src/main/AndroidManifest.xml",
                "gradle/libs.versions.toml",
                "ios/App/App-Info.plist",
                "ios/Podfile",
                "named/Podfile",
                "named/privflow.yaml/Podfile",
                "web/package.json",
            ]
        );
    }
}
