//! What the scan sees: evidence of SDKs and permissions in an app's build
//! and platform files, read statically (no Gradle, CocoaPods or network).
//!
//! Each detector is a pure function from a file's displayed path and text to
//! the evidence it holds, each item at its 1-based line and column (in
//! characters). A malformed file is an input error with a span, never a
//! panic. Which files belong to a manifest is `walk`; which SDK a piece of
//! evidence names is `catalogue`; which data a permission reaches is
//! `permissions`.
//!
//! Not understood, by design of a static reader: dependencies whose group
//! is computed (`"$group:core:1.0"`, variables holding whole coordinates),
//! `add("implementation", …)` calls, dependencies declared in `buildSrc/` or
//! convention plugins, declarations spread over several lines in map notation,
//! Podfile `eval`s and Ruby loops, and every transitive dependency (only what
//! a developer declares is seen; lock files only corroborate). Interpolated
//! versions are fine: the version is not needed to name an SDK.

pub mod android_manifest;
pub mod catalogue;
pub mod gradle;
pub mod harmony;
pub mod info_plist;
pub mod miniprogram;
pub mod npm;
pub mod permissions;
pub mod podfile;
pub mod pubspec;
pub mod report;
pub mod suggest;
pub mod version_catalog;
pub mod walk;

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostics::{Code, InputError, Text};
use crate::finding::Location;

/// Whether a run scans the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScanMode {
    /// `check` without `scan: true`.
    #[default]
    Off,
    /// `check` with `scan: true`: the scan findings join the others.
    Also,
    /// `privflow scan`: the scan findings only.
    Only,
}

/// What the scan reads besides the files: the SDK catalogue (built-in plus
/// a team's) and the permission map.
#[derive(Debug, Clone)]
pub struct Catalogues {
    pub sdks: catalogue::Catalogue,
    pub permissions: permissions::PermissionMap,
}

impl Catalogues {
    /// The built-in catalogue with `team` files merged over it, in order.
    pub fn load(team: &[std::path::PathBuf]) -> Result<Catalogues, Vec<InputError>> {
        let taxonomy = crate::taxonomy::Taxonomy::builtin();
        let mut errors = Vec::new();
        let mut sdks = match catalogue::Catalogue::shared_builtin() {
            Some(builtin) => builtin.clone(),
            None => catalogue::Catalogue::builtin()?,
        };
        let permissions = permissions::PermissionMap::builtin()?;
        for path in team {
            let display = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    if let Err(e) = sdks.merge(&display, &text, &taxonomy) {
                        errors.extend(e);
                    }
                }
                Err(e) => errors.push(InputError::new(
                    Code::Catalogue,
                    Text::new(
                        format!("the SDK catalogue `{display}` could not be read: {e}"),
                        format!("无法读取 SDK 目录 `{display}`：{e}"),
                    ),
                )),
            }
        }
        if errors.is_empty() {
            Ok(Catalogues { sdks, permissions })
        } else {
            Err(errors)
        }
    }
}

/// Platform files larger than this are skipped: real ones are kilobytes.
pub const MAX_FILE_BYTES: u64 = crate::manifest::MAX_FILE_BYTES;

/// What a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Kind {
    /// A Maven coordinate `group:artifact[:version]` declared in a Gradle file
    /// (directly or through a version-catalog alias).
    Maven,
    /// A version-catalog reference `libs.x.y` not yet resolved; `resolve`
    /// turns it into `Maven` at the same line.
    CatalogRef,
    /// A CocoaPods pod declared in a Podfile (`Name` or `Name/Subspec`).
    Pod,
    /// A pod installed per Podfile.lock: corroborates only.
    PodLock,
    /// An npm package in package.json.
    Npm,
    /// A Dart package in pubspec.yaml.
    Pub,
    /// An ohpm package in oh-package.json5.
    Ohpm,
    /// `<uses-permission android:name>`.
    AndroidPermission,
    /// An activity, service, receiver or provider class name.
    AndroidComponent,
    /// A `<meta-data android:name>` key (SDK app keys live here).
    AndroidMetaData,
    /// An Info.plist `NS…UsageDescription` key.
    IosUsageKey,
    /// A mini-program `requiredPrivateInfos` interface.
    MiniProgramPrivateInfo,
    /// A mini-program `permission` scope.
    MiniProgramScope,
    /// A mini-program plugin's provider id.
    MiniProgramPlugin,
    /// A HarmonyOS `requestPermissions` name.
    HarmonyPermission,
}

impl Kind {
    /// The kind's name as output shows it (`maven`, `ios-usage-key`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether the evidence only corroborates (a lock file): it never gives
    /// a finding of its own.
    pub fn corroborates_only(self) -> bool {
        matches!(self, Kind::PodLock)
    }
}

/// One thing found in one file, at the place that names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The file as displayed (relative to what the user named).
    pub file: String,
    #[serde(serialize_with = "serialize_location")]
    pub location: Location,
    pub kind: Kind,
    /// What was found, as written: `com.umeng.umsdk:common:9.6.3`,
    /// `android.permission.CAMERA`, `AMapLocation/Core`, `getLocation`.
    pub value: String,
}

fn serialize_location<S: serde::Serializer>(location: &Location, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut out = s.serialize_struct("Location", 4)?;
    out.serialize_field("line", &location.line)?;
    out.serialize_field("column", &location.column)?;
    out.serialize_field("end_line", &location.end_line)?;
    out.serialize_field("end_column", &location.end_column)?;
    out.end()
}

impl Evidence {
    fn new(file: &str, text: &str, range: std::ops::Range<usize>, kind: Kind, value: impl Into<String>) -> Evidence {
        Evidence {
            file: file.to_string(),
            location: locate(text, range.start, range.end),
            kind,
            value: value.into(),
        }
    }

    /// `file:line:column kind value`, for tests and debugging.
    pub fn brief(&self) -> String {
        format!(
            "{}:{}:{} {} {}",
            self.file,
            self.location.line,
            self.location.column,
            self.kind.as_str(),
            self.value
        )
    }
}

/// The detector a file name calls for, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detector {
    Gradle,
    VersionCatalog,
    AndroidManifest,
    Podfile,
    PodfileLock,
    InfoPlist,
    PackageJson,
    Pubspec,
    MiniProgramApp,
    HarmonyModule,
    OhPackage,
}

impl Detector {
    /// Chooses by file name (and, for catalogs, the parent directory).
    pub fn for_path(path: &Path) -> Option<Detector> {
        Detector::for_name(path.file_name()?.to_str()?, path)
    }

    /// Chooses by `name`, the file name of `path` (a walk has it already:
    /// taking it apart again for every file of a large tree costs).
    pub fn for_name(name: &str, path: &Path) -> Option<Detector> {
        Some(match name {
            "build.gradle" | "build.gradle.kts" => Detector::Gradle,
            _ if name.ends_with(".versions.toml")
                && path.parent().and_then(|p| p.file_name()) == Some("gradle".as_ref()) =>
            {
                Detector::VersionCatalog
            }
            "AndroidManifest.xml" => Detector::AndroidManifest,
            "Podfile" => Detector::Podfile,
            "Podfile.lock" => Detector::PodfileLock,
            _ if name == "Info.plist" || name.ends_with("-Info.plist") => Detector::InfoPlist,
            "package.json" => Detector::PackageJson,
            "pubspec.yaml" => Detector::Pubspec,
            "app.json" => Detector::MiniProgramApp,
            "module.json5" => Detector::HarmonyModule,
            "oh-package.json5" => Detector::OhPackage,
            _ => return None,
        })
    }

    /// Runs the detector on one file's text.
    pub fn detect(self, file: &str, text: &str) -> Result<Vec<Evidence>, InputError> {
        match self {
            Detector::Gradle => Ok(gradle::detect(file, text)),
            // A catalog names libraries; evidence is where a build file uses them.
            Detector::VersionCatalog => version_catalog::parse(file, text).map(|_| Vec::new()),
            Detector::AndroidManifest => android_manifest::detect(file, text),
            Detector::Podfile => Ok(podfile::detect(file, text)),
            Detector::PodfileLock => podfile::detect_lock(file, text),
            Detector::InfoPlist => info_plist::detect(file, text),
            Detector::PackageJson => npm::detect(file, text),
            Detector::Pubspec => pubspec::detect(file, text),
            Detector::MiniProgramApp => miniprogram::detect(file, text),
            Detector::HarmonyModule => harmony::detect_module(file, text),
            Detector::OhPackage => harmony::detect_package(file, text),
        }
    }
}

/// The evidence of a set of files, catalog references resolved, sorted.
/// `files` are (path to read, path to display).
pub fn scan_files(files: &[(std::path::PathBuf, String)]) -> (Vec<Evidence>, Vec<InputError>) {
    let mut evidence = Vec::new();
    let mut errors = Vec::new();
    let mut catalogs = Vec::new();
    for (path, display) in files {
        let Some(detector) = Detector::for_path(path) else {
            continue;
        };
        let text = match read(path, display) {
            Ok(Some(text)) => text,
            Ok(None) => continue,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let result = match detector {
            Detector::VersionCatalog => version_catalog::parse(display, &text).map(|c| {
                catalogs.push(c);
                Vec::new()
            }),
            _ => detector.detect(display, &text),
        };
        match result {
            Ok(found) => evidence.extend(found),
            Err(e) => errors.push(e),
        }
    }
    let mut evidence = version_catalog::resolve(evidence, &catalogs);
    evidence.sort_by(|a, b| {
        (&a.file, a.location.offset, a.kind, &a.value).cmp(&(&b.file, b.location.offset, b.kind, &b.value))
    });
    evidence.dedup();
    (evidence, errors)
}

/// Reads a platform file; `None` when it is over the size limit (skipped:
/// no real build file is that large, and hostile ones must stay bounded).
pub(crate) fn read(path: &Path, display: &str) -> Result<Option<String>, InputError> {
    let io_error = |e: std::io::Error| {
        InputError::new(
            Code::Io,
            Text::new(
                format!("`{display}` could not be read: {e}"),
                format!("无法读取 `{display}`：{e}"),
            ),
        )
    };
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    if size > MAX_FILE_BYTES {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_FILE_BYTES + 1), &mut bytes))
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(None);
    }
    String::from_utf8(bytes).map(Some).map_err(|_| {
        InputError::new(
            Code::NotUtf8,
            Text::new(
                format!("`{display}` is not UTF-8 text"),
                format!("`{display}` 不是 UTF-8 文本"),
            ),
        )
        .with_help(Text::new(
            "save the file as UTF-8 (binary plists: convert with `plutil -convert xml1`)",
            "请以 UTF-8 保存该文件（二进制 plist 可用 `plutil -convert xml1` 转换）",
        ))
    })
}

/// An input error at `offset..offset + len` of a data file (an SDK
/// catalogue, a permission map), with its text for the snippet.
pub(crate) fn data_error(
    file: &str,
    text: &std::sync::Arc<str>,
    (offset, len): (usize, usize),
    code: Code,
    message: Text,
    help: Text,
) -> InputError {
    InputError::new(code, message)
        .with_help(help)
        .in_file(file, text)
        .at(locate(text, offset, offset + len), Text::new("here", "此处"))
}

/// The location of bytes `start..end` of `text`: 1-based line, column in
/// characters.
pub(crate) fn locate(text: &str, start: usize, end: usize) -> Location {
    let start = floor_char(text, start.min(text.len()));
    let end = floor_char(text, end.clamp(start, text.len()));
    let (line, column) = line_col(text, start);
    let (end_line, end_column) = line_col(text, end);
    Location {
        offset: start,
        len: end - start,
        line,
        column,
        end_line,
        end_column,
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The byte offset of a 1-based line and character column.
pub(crate) fn offset_at(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// A malformed platform file: the parser's message at its position.
pub(crate) fn syntax_error(file: &str, text: &str, offset: usize, format: &str, detail: &str) -> InputError {
    let shared: Arc<str> = Arc::from(text);
    let location = locate(text, offset, offset);
    InputError::new(
        Code::ScanSyntax,
        Text::new(
            format!("`{file}` is not well-formed {format}: {detail}"),
            format!("`{file}` 不是格式正确的 {format}：{detail}"),
        ),
    )
    .with_help(Text::new(
        format!("fix the {format} syntax here; the scan reads this file to find SDKs and permissions"),
        format!("请修正此处的 {format} 语法；扫描需读取此文件以发现 SDK 与权限"),
    ))
    .in_file(file, &shared)
    .at(location, Text::new("here", "此处"))
}

/// Where `key` appears as an object key (quoted with " or ', or bare as
/// JSON5 allows) at or after byte `from`: the range of the key without
/// quotes. Keys are located in the text because the JSON parsers keep no
/// positions; the first occurrence after the enclosing key is the one meant.
pub(crate) fn find_key(text: &str, from: usize, key: &str) -> Option<std::ops::Range<usize>> {
    find_token(text, from, key, true)
}

/// Where the string `value` appears (quoted) at or after `from`.
pub(crate) fn find_string(text: &str, from: usize, value: &str) -> Option<std::ops::Range<usize>> {
    find_token(text, from, value, false)
}

fn find_token(text: &str, from: usize, token: &str, as_key: bool) -> Option<std::ops::Range<usize>> {
    let from = floor_char(text, from.min(text.len()));
    let mut at = from;
    while let Some(i) = text[at..].find(token) {
        let start = at + i;
        let end = start + token.len();
        at = end;
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let quoted = matches!((before, after), (Some('"'), Some('"')) | (Some('\''), Some('\'')));
        let bare = as_key
            && !before.is_some_and(|c| c.is_alphanumeric() || "_$\"'.-".contains(c))
            && !after.is_some_and(|c| c.is_alphanumeric() || "_$\"'.-".contains(c));
        if !(quoted || bare) {
            continue;
        }
        if as_key {
            let rest = text[end + usize::from(quoted)..].trim_start();
            if !rest.starts_with(':') {
                continue;
            }
        }
        return Some(start..end);
    }
    None
}

/// What the detectors' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use super::Evidence;
    use crate::diagnostics::{Code, InputError};

    /// Each piece of evidence in brief: `file:line:column kind name`.
    pub fn briefs(found: &[Evidence]) -> Vec<String> {
        found.iter().map(Evidence::brief).collect()
    }

    /// The line of a syntax error in a scanned file.
    pub fn syntax_error_line(error: &InputError) -> usize {
        assert_eq!(error.code, Code::ScanSyntax);
        error.location.as_ref().expect("a syntax error has a place").line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "名字\n  好 x";
        let at = text.find('x').unwrap();
        let l = locate(text, at, at + 1);
        assert_eq!((l.line, l.column), (2, 5));
        assert_eq!(offset_at(text, 2, 5), at);
    }

    #[test]
    fn keys_are_found_quoted_or_bare() {
        let text = "{ \"peerDependencies\": {}, \"dependencies\": { a: 1, 'b': 2, \"c\" : 3, \"ab\": \"c\" } }";
        let deps = find_key(text, 0, "dependencies").unwrap();
        assert_eq!(&text[deps.start - 1..deps.end + 1], "\"dependencies\"");
        assert_eq!(&text[find_key(text, deps.end, "a").unwrap()], "a");
        assert!(find_key(text, deps.end, "b").is_some());
        let c = find_key(text, deps.end, "c").unwrap();
        assert_eq!(&text[c.start - 1..c.start], "\"");
        assert_eq!(find_string(text, 0, "c").unwrap(), c);
    }
}
