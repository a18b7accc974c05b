//! Finding manifests under the paths a user gives.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::{Code, InputError, Text};
use crate::scan::walk::Seen;

/// Directories never walked into (besides hidden ones). The scan skips
/// these too, so that discovery's walk covers the scan's.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// Whether a file name is a manifest's: `privflow.yaml`, `*.flows.yaml` (or `.yml`).
pub fn is_manifest_name(name: &str) -> bool {
    matches!(name, "privflow.yaml" | "privflow.yml") || name.ends_with(".flows.yaml") || name.ends_with(".flows.yml")
}

/// A manifest found: its path and the path to show (as the user wrote it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub path: PathBuf,
    pub display: String,
}

/// Manifests under each path, sorted and without duplicates, and what the
/// walk saw that the scan needs (so that it does not walk the tree again).
/// A file given explicitly is taken whatever its name.
pub fn discover(paths: &[PathBuf]) -> (Vec<Found>, Seen, Vec<InputError>) {
    let mut found = Vec::new();
    let mut seen = Seen::default();
    let mut errors = Vec::new();
    for root in paths {
        // Anything named explicitly that exists and is not a directory (a
        // FIFO, a socket, a symlink loop or a dangling symlink) is handed to
        // the reader, which says exactly why it cannot be read.
        let exists = std::fs::symlink_metadata(root).is_ok();
        if root.is_file() || (exists && !root.is_dir()) {
            found.push(entry(root));
            continue;
        }
        if !exists {
            errors.push(
                InputError::new(
                    Code::NoSuchPath,
                    Text::new(
                        format!("`{}` does not exist", root.display()),
                        format!("`{}` 不存在", root.display()),
                    ),
                )
                .with_help(Text::new(
                    "give a manifest file or a directory to search",
                    "请指定清单文件或要搜索的目录",
                )),
            );
            continue;
        }
        // Unsorted: `found` is sorted below, and sorting every directory's
        // entries by name is a measurable part of walking a large tree.
        let walker = WalkDir::new(root).follow_links(false).into_iter().filter_entry(|e| {
            e.depth() == 0 || !e.file_type().is_dir() || !skipped(e.file_name().to_str().unwrap_or_default())
        });
        for item in walker {
            match item {
                Ok(e) if e.file_type().is_dir() => seen.dir(e.path()),
                Ok(e) => {
                    let name = e.file_name().to_str().unwrap_or_default();
                    let is_file = e.file_type().is_file();
                    if is_file && is_manifest_name(name) {
                        found.push(entry(e.path()));
                    }
                    seen.file(e.path(), name, is_file);
                }
                Err(e) => {
                    // Files that vanish mid-walk are simply gone; anything else is reported.
                    if e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) {
                        continue;
                    }
                    let at = e.path().map(|p| p.display().to_string()).unwrap_or_default();
                    errors.push(
                        InputError::new(
                            Code::Walk,
                            Text::new(format!("cannot read `{at}`: {e}"), format!("无法读取 `{at}`：{e}")),
                        )
                        .with_help(Text::new("check the permissions of that path", "请检查该路径的权限")),
                    );
                }
            }
        }
    }
    found.sort();
    found.dedup();
    (found, seen, errors)
}

fn skipped(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRS.contains(&name)
}

fn entry(path: &Path) -> Found {
    let display = path.display().to_string();
    let display = display.strip_prefix("./").map(str::to_string).unwrap_or(display);
    Found {
        path: path.to_path_buf(),
        display,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_manifest_name, SKIPPED_DIRS};

    #[test]
    fn the_scan_skips_what_discovery_skips() {
        // Otherwise the scan would miss files in directories discovery never saw.
        for dir in SKIPPED_DIRS {
            assert!(crate::scan::walk::SKIPPED.contains(dir), "{dir}");
        }
    }

    #[test]
    fn manifest_names() {
        assert!(is_manifest_name("privflow.yaml"));
        assert!(is_manifest_name("pay.flows.yml"));
        assert!(!is_manifest_name("flows.yaml"));
        assert!(!is_manifest_name("privflow.json"));
    }
}
