//! Manifests: reading a file, deserializing it, checking what serde cannot
//! (references, ids, shapes), and locating nodes for diagnostics and findings.

mod block;
mod fast;
pub mod model;
mod node;
mod validate;
pub mod yaml;

use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, OnceLock};

pub use model::*;
#[doc(hidden)]
pub use yaml::disagreement as span_fast_path_disagreement;
pub use yaml::{render_path, Path, Seg};

/// Where the typed fast path disagrees with serde_yaml on `text`, read as a
/// `Manifest` and as a generic `serde_yaml::Value` (which sees every scalar
/// through `deserialize_any`): `None` when it refuses both, `Some(None)`
/// when every value it reads is serde_yaml's. For the tests and the
/// `yaml_fast` fuzz target.
#[doc(hidden)]
pub fn typed_fast_path_disagreement(text: &str) -> Option<Option<String>> {
    let typed = yaml::typed_disagreement::<Manifest>(text);
    let generic = yaml::typed_disagreement::<serde_yaml::Value>(text);
    match (typed, generic) {
        (Some(Some(difference)), _) => Some(Some(format!("as a manifest: {difference}"))),
        (_, Some(Some(difference))) => Some(Some(format!("as a YAML value: {difference}"))),
        (None, None) => None,
        _ => Some(None),
    }
}

use crate::diagnostics::{did_you_mean, Code, InputError, Text};
use crate::finding::Location;
use crate::lang::{tr, Lang};
use crate::taxonomy::Taxonomy;
use yaml::{ErrorAt, RawError, Section, SectionCheck, SpanIndex};

/// Larger manifests are refused: a product's flows fit in far less.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Diagnostics shown per manifest; a hostile file can have millions, and
/// locating each on a long line would take minutes. The rest are counted.
pub const MAX_ERRORS_PER_FILE: usize = 100;

/// The diagnostic that stands for `dropped` errors not shown, if any.
fn more_errors(source: &SourceFile, dropped: usize) -> Option<InputError> {
    (dropped > 0).then(|| {
        source
            .error(
                Code::TooManyErrors,
                Text::new(
                    format!("{dropped} more input error(s) in `{}` not shown", source.display),
                    format!("`{}` 中另有 {dropped} 个输入错误未显示", source.display),
                ),
            )
            .with_help(Text::new(
                format!(
                    "at most {MAX_ERRORS_PER_FILE} errors are shown per manifest; fix the ones shown and run again"
                ),
                format!("每个清单最多显示 {MAX_ERRORS_PER_FILE} 个错误；请修正后重新运行"),
            ))
    })
}

/// A file's text plus its span index, built on first use.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as the user gave it (or as found under a given directory).
    pub display: String,
    pub text: Arc<str>,
    spans: OnceLock<SpanIndex>,
}

impl SourceFile {
    pub fn new(path: PathBuf, display: String, text: Arc<str>) -> Self {
        SourceFile {
            path,
            display,
            text,
            spans: OnceLock::new(),
        }
    }

    fn spans(&self) -> &SpanIndex {
        self.spans.get_or_init(|| SpanIndex::build(&self.text))
    }

    /// The node at `path`, or its nearest ancestor that exists.
    pub fn locate(&self, path: &[Seg]) -> Location {
        self.spans().locate(path, false)
    }

    /// The key of the entry at `path` (for unknown or duplicate keys).
    pub fn locate_key(&self, path: &[Seg]) -> Location {
        self.spans().locate(path, true)
    }

    pub fn has(&self, path: &[Seg]) -> bool {
        self.spans().has(path)
    }

    pub(crate) fn locate_position(&self, line: usize, column: usize) -> Location {
        yaml::Lines::new(self.text.clone()).location_at(line, column)
    }

    pub fn error(&self, code: Code, message: Text) -> InputError {
        InputError::new(code, message).in_file(&self.display, &self.text)
    }
}

/// A manifest that loaded and passed every input check.
#[derive(Debug)]
pub struct LoadedManifest {
    pub source: SourceFile,
    pub manifest: Manifest,
    /// The built-in taxonomy plus this manifest's categories.
    pub taxonomy: Arc<Taxonomy>,
    /// `facts::cross_border_counts`, computed once: every cross-border
    /// finding's message quotes it.
    pub(crate) cross_border_counts: OnceLock<(Option<u64>, Option<u64>)>,
}

const SECTIONS: &[Section] = &[
    Section {
        key: "version",
        required: true,
        check: SectionCheck::Whole(yaml::check_all::<u32>),
    },
    Section {
        key: "product",
        required: true,
        check: SectionCheck::Whole(yaml::check_all::<Product>),
    },
    Section {
        key: "categories",
        required: false,
        check: SectionCheck::Each(yaml::check_all::<CustomCategory>),
    },
    Section {
        key: "recipients",
        required: false,
        check: SectionCheck::Each(yaml::check_all::<Recipient>),
    },
    Section {
        key: "flows",
        required: false,
        check: SectionCheck::Each(yaml::check_all::<Flow>),
    },
    Section {
        key: "waivers",
        required: false,
        check: SectionCheck::Each(yaml::check_all::<Waiver>),
    },
];

/// What `load` needs besides the file: the rule pack, whose rules waivers
/// may name (except those marked `@waivable("false")`), and the SDK
/// catalogue `recipients[].sdks` names (`None`: the built-in one).
pub struct LoadContext<'a> {
    pub pack: &'a crate::rules::RulePack,
    pub catalogue: Option<&'a crate::scan::catalogue::Catalogue>,
}

/// Reads, parses and checks one manifest, reporting every error it has.
pub fn load(path: &FsPath, display: &str, cx: &LoadContext) -> Result<LoadedManifest, Vec<InputError>> {
    parse_file(path, display)?.check(cx)
}

/// `load` of a text read elsewhere (e.g. a file's version at a git revision).
pub fn load_text(
    path: &FsPath,
    display: &str,
    text: Arc<str>,
    cx: &LoadContext,
) -> Result<LoadedManifest, Vec<InputError>> {
    parse_text(path, display, text)?.check(cx)
}

/// A manifest that read and deserialized, not yet checked: the part of
/// `load` that needs no rule pack.
pub struct Parsed {
    source: SourceFile,
    manifest: Manifest,
    /// Errors of fields that did not deserialize, when the rest did: the
    /// other checks still run, so that one run reports every error.
    pending: Vec<InputError>,
}

impl Parsed {
    /// The checks that need the run's rules (waivers name rule ids).
    pub fn check(self, cx: &LoadContext) -> Result<LoadedManifest, Vec<InputError>> {
        if !self.pending.is_empty() {
            let mut errors = self.pending;
            // A check of a node whose part was taken out judges what is left:
            // its finding would be an echo of the type error inside it.
            let inside = |outer: &InputError| {
                errors.iter().any(|e| match (outer.location, e.location) {
                    (Some(o), Some(i)) => o.offset <= i.offset && i.offset < o.offset + o.len.max(1),
                    _ => false,
                })
            };
            let checked = validate::check(&self.source, &self.manifest, cx)
                .err()
                .unwrap_or_default();
            let checked: Vec<InputError> = checked.into_iter().filter(|e| !inside(e)).collect();
            errors.extend(checked);
            errors.retain(|e| e.code != Code::TooManyErrors);
            let dropped = errors.len().saturating_sub(MAX_ERRORS_PER_FILE);
            errors.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            errors.truncate(MAX_ERRORS_PER_FILE);
            errors.extend(more_errors(&self.source, dropped));
            return Err(errors);
        }
        let taxonomy = validate::check(&self.source, &self.manifest, cx)?;
        Ok(LoadedManifest {
            source: self.source,
            manifest: self.manifest,
            taxonomy,
            cross_border_counts: OnceLock::new(),
        })
    }
}

/// Reads and deserializes one manifest: `load` without the rule-dependent checks.
pub fn parse_file(path: &FsPath, display: &str) -> Result<Parsed, Vec<InputError>> {
    let text = read_text(path, display).map_err(|e| vec![e])?;
    parse_text(path, display, text)
}

fn parse_text(path: &FsPath, display: &str, text: Arc<str>) -> Result<Parsed, Vec<InputError>> {
    let source = SourceFile::new(path.to_path_buf(), display.to_string(), text);

    let (parsed, spans) = yaml::parse_indexed::<Manifest>(&source.text, SECTIONS);
    // The fast path's tree is the index `SpanIndex::build` would make: kept,
    // not built again for the first finding or error.
    if let Some(spans) = spans {
        let _ = source.spans.set(spans);
    }
    let invalid = match parsed {
        Ok(manifest) => {
            return Ok(Parsed {
                source,
                manifest,
                pending: Vec::new(),
            })
        }
        Err(invalid) => invalid,
    };
    // A newer format is reported alone: its other "errors" are its new fields.
    if let Some(error) = unsupported_version(&source) {
        return Err(vec![error]);
    }
    let dropped = invalid.errors.len().saturating_sub(MAX_ERRORS_PER_FILE);
    let mut errors: Vec<InputError> = invalid
        .errors
        .into_iter()
        .take(MAX_ERRORS_PER_FILE)
        .map(|e| convert(&source, e))
        .collect();
    errors.extend(more_errors(&source, dropped));
    match invalid.repaired {
        Some(manifest) if dropped == 0 => Ok(Parsed {
            source,
            manifest,
            pending: errors,
        }),
        _ => Err(errors),
    }
}

/// Reads a file as UTF-8, refusing oversized and non-UTF-8 input.
pub fn read_text(path: &FsPath, display: &str) -> Result<Arc<str>, InputError> {
    let io_error = |e: std::io::Error| {
        InputError::new(
            Code::Io,
            Text::new(
                format!("cannot read `{display}`: {e}"),
                format!("无法读取 `{display}`：{e}"),
            ),
        )
        .with_help(Text::new(
            "check that the file exists and is readable",
            "请确认文件存在且可读",
        ))
    };
    let metadata = std::fs::metadata(path).map_err(io_error)?;
    // Reading a FIFO or a device would block or never end; a directory
    // cannot be read at all.
    if !metadata.is_file() {
        return Err(InputError::new(
            Code::NotAFile,
            Text::new(
                format!("`{display}` is not a regular file"),
                format!("`{display}` 不是普通文件"),
            ),
        )
        .with_help(Text::new(
            "name a regular file (not a directory, FIFO or device)",
            "请指定普通文件（而非目录、FIFO 或设备）",
        )));
    }
    let size = metadata.len();
    let too_large = |size: u64| {
        InputError::new(
            Code::TooLarge,
            Text::new(
                format!("`{display}` is {size} bytes, over the limit of {MAX_FILE_BYTES}"),
                format!("`{display}` 大小为 {size} 字节，超过上限 {MAX_FILE_BYTES}"),
            ),
        )
        .with_help(Text::new(
            "split the product's flows over several manifests",
            "将该产品的数据流拆分到多个清单文件中",
        ))
    };
    if size > MAX_FILE_BYTES {
        return Err(too_large(size));
    }
    // The file may have grown since `metadata` (or be a /proc file that
    // reports size 0): read at most one byte past the limit.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_FILE_BYTES + 1), &mut bytes))
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = &e.as_bytes()[..offset];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        InputError::new(
            Code::NotUtf8,
            Text::new(
                format!("`{display}` is not valid UTF-8 (line {line}, byte {offset})"),
                format!("`{display}` 不是有效的 UTF-8 编码（第 {line} 行，第 {offset} 字节）"),
            ),
        )
        .with_help(Text::new("save the manifest as UTF-8", "请以 UTF-8 编码保存清单"))
    })?;
    // A byte-order mark is legal in YAML files written on Windows; drop it so
    // that positions match what editors show.
    let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
    Ok(Arc::from(text))
}

fn unsupported_version(source: &SourceFile) -> Option<InputError> {
    let version = yaml::top_level_scalar(&source.text, "version")?;
    let number = version.as_u64()?;
    if number == 1 {
        return None;
    }
    let path = [Seg::key("version")];
    Some(
        source
            .error(
                Code::UnsupportedVersion,
                Text::new(
                    format!("unsupported manifest version {number}"),
                    format!("不支持的清单格式版本 {number}"),
                ),
            )
            .at(
                source.locate(&path),
                Text::new("this privflow reads version 1", "本版本 privflow 读取格式版本 1"),
            )
            .with_help(Text::new(
                "write `version: 1`, or upgrade privflow",
                "写为 `version: 1`，或升级 privflow",
            )),
    )
}

/// Turns one serde error into a diagnostic with a span and a help line.
fn convert(source: &SourceFile, raw: RawError) -> InputError {
    let message = raw.message;
    let mut path = match raw.at {
        at if is_limit(&message) => {
            let location = match at {
                ErrorAt::Position { line, column } => source.locate_position(line, column),
                ErrorAt::Path(path) => source.locate(&path),
            };
            return source
                .error(Code::Limit, Text::new(format!("manifest exceeds a limit: {message}"), format!("清单超出限制：{message}")))
                .at(location, Text::new("here", "此处"))
                .with_help(Text::new(format!("manifests may nest at most {} levels and expand YAML aliases only modestly; write the data out plainly", yaml::MAX_FLOW_DEPTH),
                    format!("清单嵌套不得超过 {} 层，YAML 别名展开须适度；请直接写出数据", yaml::MAX_FLOW_DEPTH),
                ));
        }
        ErrorAt::Position { line, column } => {
            let location = source.locate_position(line, column);
            return source
                .error(
                    Code::YamlSyntax,
                    Text::new(
                        format!("malformed YAML: {message}"),
                        format!("YAML 格式错误：{message}"),
                    ),
                )
                .at(location, Text::new("here", "此处"))
                .with_help(Text::new(
                    "fix the YAML syntax (indentation, quotes, colons)",
                    "修正 YAML 语法（缩进、引号、冒号）",
                ));
        }
        ErrorAt::Path(path) => path,
    };
    let expected = yaml::expected_names(&message);
    let name = yaml::quoted_name(&message).unwrap_or_default();
    let suggestion = did_you_mean(&name, expected.iter().map(String::as_str));
    let listing = expected.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ");
    if message.starts_with("unknown field") {
        if path.last() != Some(&Seg::Key(name.clone())) {
            path.push(Seg::Key(name.clone()));
        }
        let help =
            suggestion.unwrap_or_else(|| Text::new(format!("known fields: {listing}"), format!("可用字段：{listing}")));
        return source
            .error(
                Code::UnknownField,
                Text::new(
                    format!(
                        "unknown field `{name}` in {}",
                        render_path(&path[..path.len() - 1]).or_root(Lang::En)
                    ),
                    format!(
                        "{} 中存在未知字段 `{name}`",
                        render_path(&path[..path.len() - 1]).or_root(Lang::Zh)
                    ),
                ),
            )
            .at(
                source.locate_key(&path),
                Text::new("not a field of this entry", "不是该条目的字段"),
            )
            .with_help(help);
    }
    if message.starts_with("unknown variant") {
        let help = match suggestion {
            Some(s) => Text::new(
                format!("{} (one of {listing})", s.en),
                format!("{} (可选值：{listing})", s.zh),
            ),
            None => Text::new(format!("use one of {listing}"), format!("可选值：{listing}")),
        };
        return source
            .error(
                Code::UnknownValue,
                Text::new(
                    format!("unknown value `{name}` for `{}`", render_path(&path)),
                    format!("`{}` 的取值 `{name}` 无效", render_path(&path)),
                ),
            )
            .at(
                source.locate(&path),
                Text::new("not an allowed value", "不是允许的取值"),
            )
            .with_help(help);
    }
    if message.starts_with("missing field") {
        let mut field = path.clone();
        field.push(Seg::Key(name.clone()));
        return source
            .error(
                Code::MissingField,
                Text::new(
                    format!("missing required field `{}`", render_path(&field)),
                    format!("缺少必填字段 `{}`", render_path(&field)),
                ),
            )
            .at(
                source.locate_key(&path),
                Text::new(format!("`{name}` is required here"), format!("此处需要 `{name}`")),
            )
            .with_help(Text::new(
                format!("add `{name}:` to this entry"),
                format!("为该条目添加 `{name}:`"),
            ));
    }
    if message.contains("untagged enum AutomatedDecision") {
        return source
            .error(
                Code::WrongType,
                Text::new(
                    format!("`{}` must be true, false or a mapping", render_path(&path)),
                    format!("`{}` 必须为 true、false 或映射", render_path(&path)),
                ),
            )
            .at(source.locate(&path), Text::new("unexpected value", "取值不符合要求"))
            .with_help(Text::new(
                "write `automated_decision: false` or `automated_decision: { used: true, opt_out: true }`",
                "写为 `automated_decision: false` 或 `automated_decision: { used: true, opt_out: true }`",
            ));
    }
    if let Some(found) = message.strip_prefix(model::UNQUOTED) {
        let found = found.trim();
        let field = render_path(&path);
        return source
            .error(
                Code::WrongType,
                Text::new(
                    format!("`{field}` must be text, found `{found}`"),
                    format!("`{field}` 必须为文本，实际为 `{found}`"),
                ),
            )
            .at(source.locate(&path), Text::new("not text", "不是文本"))
            .with_help(Text::new(
                format!("quote it: `\"{found}\"` (YAML reads a bare number or true/false as another type)"),
                format!("请加引号：`\"{found}\"`（YAML 会把未加引号的数字或 true/false 读作其他类型）"),
            ));
    }
    if message.starts_with("invalid date") {
        return source
            .error(
                Code::InvalidDate,
                Text::new(
                    format!("{message} at `{}`", render_path(&path)),
                    format!("`{}` 的日期无效：{message}", render_path(&path)),
                ),
            )
            .at(source.locate(&path), Text::new("not a date", "不是日期"))
            .with_help(Text::new(
                "write dates as YYYY-MM-DD, e.g. 2026-03-01",
                "日期格式为 YYYY-MM-DD，例如 2026-03-01",
            ));
    }
    if message.contains("expected a mapping") {
        return source
            .error(
                Code::NotAMapping,
                Text::new(
                    format!("`{}`: {message}", render_path(&path).or_root(Lang::En)),
                    format!("`{}`：{message}", render_path(&path).or_root(Lang::Zh)),
                ),
            )
            .at(
                source.locate(&path),
                Text::new("expected `key: value` entries", "应为 `键: 值` 形式的映射"),
            )
            .with_help(Text::new(
                "a manifest is a mapping with `version: 1`, `product:` and `flows:`; run `privflow init` for a starter",
                "清单应为包含 `version: 1`、`product:` 和 `flows:` 的映射；可运行 `privflow init` 生成模板",
            ));
    }
    let (code, help) = if message.starts_with("invalid type") || message.starts_with("invalid value") {
        (
            Code::WrongType,
            Text::new(
                "give a value of the expected type (see `privflow schema`)",
                "请填写符合类型要求的值（见 `privflow schema`）",
            ),
        )
    } else {
        (
            Code::Invalid,
            Text::new(
                "see the manifest reference in the README",
                "参见 README 中的清单格式说明",
            ),
        )
    };
    source
        .error(
            code,
            Text::new(
                format!("`{}`: {message}", render_path(&path).or_root(Lang::En)),
                format!("`{}`：{message}", render_path(&path).or_root(Lang::Zh)),
            ),
        )
        .at(source.locate(&path), Text::new("here", "此处"))
        .with_help(help)
}

/// serde_yaml's and our own words for input that is too big or too deep.
fn is_limit(message: &str) -> bool {
    [
        "recursion limit exceeded",
        "repetition limit exceeded",
        "nesting deeper than",
    ]
    .iter()
    .any(|m| message.contains(m))
}

trait OrRoot {
    fn or_root(self, lang: Lang) -> String;
}

impl OrRoot for String {
    fn or_root(self, lang: Lang) -> String {
        if self.is_empty() {
            tr(lang, "the manifest", "清单")
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::yaml::SpanIndex;
    use super::{parse_text, Code};

    /// The index kept from the fast path is the one `SpanIndex::build`
    /// makes, for every node, key and position.
    fn assert_kept_as_built(text: &Arc<str>, kept: &SpanIndex) {
        let built = SpanIndex::build(text);
        let paths = built.paths();
        assert_eq!(kept.paths(), paths);
        for path in &paths {
            for key_only in [false, true] {
                assert_eq!(kept.locate(path, key_only), built.locate(path, key_only), "{path:?}");
            }
        }
    }

    #[test]
    fn the_fast_path_keeps_its_tree_as_the_span_index() {
        let text: Arc<str> =
            Arc::from("version: 1\nproduct: { id: p, operator: o }\nflows:\n  - id: f\n    data: [phone, email]\n");
        let parsed = parse_text(Path::new("m.yaml"), "m.yaml", text.clone()).ok().unwrap();
        assert_eq!(parsed.manifest.flows[0].data, ["phone", "email"]);
        assert_kept_as_built(&text, parsed.source.spans.get().expect("kept"));

        // Quotes are outside the block reader's subset: serde_yaml reads
        // the file, and the index is built only when needed.
        let quoted: Arc<str> = Arc::from("version: 1\nproduct: { id: p, operator: \"o\" }\n");
        let parsed = parse_text(Path::new("m.yaml"), "m.yaml", quoted).ok().unwrap();
        assert_eq!(parsed.manifest.product.operator, "o");
        assert!(parsed.source.spans.get().is_none());
    }

    #[test]
    fn a_refusal_of_the_fast_path_gives_serde_yaml_s_errors() {
        // Block YAML the fast path refuses (a bare number as text): the
        // error is serde_yaml's, at the number.
        let text: Arc<str> = Arc::from("version: 1\nproduct:\n  id: p\n  operator: 123\n");
        let Err(errors) = parse_text(Path::new("m.yaml"), "m.yaml", text).map(|_| ()) else {
            panic!("no error");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, Code::WrongType);
        let location = errors[0].location.expect("a location");
        assert_eq!((location.line, location.column, location.len), (4, 13, 3));
    }
}
