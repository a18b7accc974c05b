//! Every YAML call lives here: fast typed parsing with serde_yaml, and a
//! span index built with yaml-rust2's event parser, only for files where a
//! finding or an error needs a position (serde_yaml keeps none for valid values).

use serde::de::DeserializeOwned;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::node::{Entry, Key, Kind, Node};
use crate::finding::Location;

/// One step of a path into a YAML document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl Seg {
    pub fn key(name: &str) -> Seg {
        Seg::Key(name.to_string())
    }
}

/// A path from the document root, e.g. `flows[2].recipients[0].to`.
pub type Path = Vec<Seg>;

pub fn render_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A problem found while deserializing: where, and serde's words for it.
#[derive(Debug)]
pub struct RawError {
    pub at: ErrorAt,
    pub message: String,
}

#[derive(Debug)]
pub enum ErrorAt {
    /// A position serde_yaml reported itself (1-based line and column).
    Position { line: usize, column: usize },
    /// A path to be resolved through the span index.
    Path(Path),
}

/// Parses `text` into `T` with serde_yaml. On failure, reparses section by
/// section so that every error of the file is reported, each with a path or
/// a position.
fn parse<T: DeserializeOwned>(text: &str, sections: &[Section]) -> Result<T, Invalid<T>> {
    if let Some(error) = too_deep(text) {
        return Err(Invalid {
            errors: vec![error],
            repaired: None,
        });
    }
    match serde_yaml::from_str::<T>(text) {
        Ok(value) => Ok(value),
        Err(first) => Err(collect_errors(text, first, sections)),
    }
}

/// `parse` with the one-pass fast path first: plain block YAML is read by
/// the block reader and deserialized from its tree (fast.rs), and that tree
/// is the file's span index. On any refusal the text goes to serde_yaml as
/// in `parse`, so every value and every error is serde_yaml's; the index is
/// returned whenever the block reader answered.
pub(super) fn parse_indexed<T: DeserializeOwned>(
    text: &std::sync::Arc<str>,
    sections: &[Section],
) -> (Result<T, Invalid<T>>, Option<SpanIndex>) {
    // The block reader refuses flow nesting deeper than libyaml may see, so
    // the depth check is needed only before the text goes to serde_yaml.
    let tree = super::block::index(text);
    let fast = tree
        .as_ref()
        .and_then(|root| super::fast::deserialize::<T>(text, root).ok());
    let spans = tree.map(|root| SpanIndex::from_tree(text, root));
    match fast {
        Some(value) => (Ok(value), spans),
        None => (parse(text, sections), spans),
    }
}

/// `T` from the fast path alone, `None` where it refuses (for the tests,
/// the benchmark and the `yaml_fast` fuzz target).
#[doc(hidden)]
pub fn parse_fast<T: DeserializeOwned>(text: &str) -> Option<T> {
    let root = super::block::index(text)?;
    super::fast::deserialize::<T>(text, &root).ok()
}

/// A document that does not deserialize: every error found, and the
/// document with the offending nodes taken out when that deserializes.
pub struct Invalid<T> {
    pub errors: Vec<RawError>,
    pub repaired: Option<T>,
}

/// The deepest flow-style nesting (`[`, `{`) a manifest may have. A manifest
/// needs four or five levels; libyaml's scanner is quadratic in this depth,
/// so it is checked before parsing. Block nesting is bounded by the file size
/// limit, since every level adds indentation to each line below it.
pub const MAX_FLOW_DEPTH: usize = 64;

/// Finds flow nesting deeper than `MAX_FLOW_DEPTH`, skipping quoted strings
/// and comments.
fn too_deep(text: &str) -> Option<RawError> {
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            (line, column, comment) = (line + 1, 0, false);
            // A plain multi-line scalar cannot hold quotes across lines in a
            // way that matters here; a broken quote is reported by the parser.
        } else if comment {
        } else if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else {
            match c {
                '"' | '\'' if matches!(previous, ' ' | '[' | '{' | ',' | ':' | '\n' | '\t') => quote = Some(c),
                '#' if matches!(previous, ' ' | '\n' | '\t') => comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(RawError {
                            at: ErrorAt::Position { line, column },
                            message: format!("nesting deeper than {MAX_FLOW_DEPTH} levels"),
                        });
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        previous = c;
    }
    None
}

/// How to check one top-level key in the slow path: either the whole value
/// (`Whole`) or each element of a sequence on its own (`Each`).
pub struct Section {
    pub key: &'static str,
    pub required: bool,
    pub check: SectionCheck,
}

pub enum SectionCheck {
    Whole(fn(&mut serde_yaml::Value) -> Repair),
    Each(fn(&mut serde_yaml::Value) -> Repair),
}

/// The errors of one entry, and whether taking out the offending nodes left
/// a value that deserializes (so that the file's other checks can still run).
pub struct Repair {
    pub errors: Vec<(Path, String)>,
    pub repaired: bool,
}

/// At most this many errors are collected from one entry.
const MAX_ERRORS_PER_ENTRY: usize = 32;

/// Every error of deserializing `value` as `T`, not only the first: after
/// each error the offending node is taken out and the rest deserialized
/// again. Paths are those of the original value. A required field that was
/// taken out is not reported again as missing; a missing field ends the
/// entry (there is nothing to take out).
pub fn check_all<T: DeserializeOwned>(value: &mut serde_yaml::Value) -> Repair {
    let mut errors = Vec::new();
    let mut repaired = false;
    // Nodes taken out so far, in original coordinates.
    let mut removed: Vec<Path> = Vec::new();
    while errors.len() < MAX_ERRORS_PER_ENTRY {
        let Err((path, message)) = check_as::<T>(value) else {
            repaired = true;
            break;
        };
        let original = to_original(&path, &removed);
        if message.starts_with("missing field") {
            let mut field = original.clone();
            field.extend(quoted_name(&message).map(Seg::Key));
            if !removed.contains(&field) {
                errors.push((original, message));
            }
            break;
        }
        // An unknown field's path is its mapping: take out the field itself.
        let mut target = path;
        if message.starts_with("unknown field") {
            if let Some(name) = quoted_name(&message) {
                if target.last() != Some(&Seg::Key(name.clone())) {
                    target.push(Seg::Key(name));
                }
            }
        }
        errors.push((original, message));
        let target_original = to_original(&target, &removed);
        if target.is_empty() || !take_out(value, &target) {
            break;
        }
        removed.push(target_original);
    }
    Repair { errors, repaired }
}

/// `path` in the current value as a path in the original one, given the
/// nodes taken out (sequence indices shift down after each removal).
fn to_original(path: &[Seg], removed: &[Path]) -> Path {
    let mut out: Path = Vec::with_capacity(path.len());
    for seg in path {
        match seg {
            Seg::Index(i) => {
                let mut gone: Vec<usize> = removed
                    .iter()
                    .filter(|r| r.len() == out.len() + 1 && r[..out.len()] == out[..])
                    .filter_map(|r| match r.last() {
                        Some(Seg::Index(j)) => Some(*j),
                        _ => None,
                    })
                    .collect();
                gone.sort_unstable();
                let mut index = *i;
                for j in gone {
                    if j <= index {
                        index += 1;
                    }
                }
                out.push(Seg::Index(index));
            }
            key => out.push(key.clone()),
        }
    }
    out
}

/// Removes the node at `path`; false when there is none.
fn take_out(value: &mut serde_yaml::Value, path: &[Seg]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut node = value;
    for seg in parents {
        let next = match (seg, node) {
            (Seg::Key(k), serde_yaml::Value::Mapping(map)) => map.get_mut(k.as_str()),
            (Seg::Index(i), serde_yaml::Value::Sequence(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => return false,
        }
    }
    match (last, node) {
        (Seg::Key(k), serde_yaml::Value::Mapping(map)) => map.remove(k.as_str()).is_some(),
        (Seg::Index(i), serde_yaml::Value::Sequence(items)) if *i < items.len() => {
            items.remove(*i);
            true
        }
        _ => false,
    }
}

/// Deserializes `value` as `T`, returning the failing path and message.
pub fn check_as<T: DeserializeOwned>(value: &serde_yaml::Value) -> Result<(), (Path, String)> {
    serde_path_to_error::deserialize::<_, T>(value)
        .map(|_| ())
        .map_err(|e| (convert_path(e.path()), e.inner().to_string()))
}

fn convert_path(path: &serde_path_to_error::Path) -> Path {
    path.iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => None,
        })
        .collect()
}

fn position_of(error: &serde_yaml::Error) -> ErrorAt {
    match error.location() {
        Some(loc) => ErrorAt::Position {
            line: loc.line(),
            column: loc.column(),
        },
        None => ErrorAt::Path(Vec::new()),
    }
}

fn strip_position(message: &str) -> String {
    // serde_yaml appends " at line L column C"; the diagnostic shows it itself.
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn collect_errors<T: DeserializeOwned>(text: &str, first: serde_yaml::Error, sections: &[Section]) -> Invalid<T> {
    let only = |error: RawError| Invalid {
        errors: vec![error],
        repaired: None,
    };
    let mut value: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(value) => value,
        Err(syntax) => {
            return only(RawError {
                at: position_of(&syntax),
                message: strip_position(&syntax.to_string()),
            })
        }
    };
    let mut errors = Vec::new();
    let mut repaired = true;
    let Some(map) = value.as_mapping_mut() else {
        let found = match value {
            serde_yaml::Value::Null => "an empty document",
            serde_yaml::Value::Sequence(_) => "a sequence",
            _ => "a scalar",
        };
        return only(RawError {
            at: ErrorAt::Path(Vec::new()),
            message: format!("invalid type: {found}, expected a mapping"),
        });
    };
    for section in sections.iter().filter(|s| s.required) {
        if !map.contains_key(section.key) {
            repaired = false;
            errors.push(RawError {
                at: ErrorAt::Path(Vec::new()),
                message: format!("missing field `{}`", section.key),
            });
        }
    }
    {
        let known: Vec<&str> = sections.iter().map(|s| s.key).collect();
        for key in map.keys() {
            let name = key.as_str().unwrap_or_default();
            if !known.contains(&name) {
                repaired = false;
                let expected = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>();
                errors.push(RawError {
                    at: ErrorAt::Path(vec![Seg::key(name)]),
                    message: format!("unknown field `{name}`, expected one of {}", expected.join(", ")),
                });
            }
        }
        for section in sections {
            let Some(item) = map.get_mut(section.key) else { continue };
            let mut push = |prefix: Path, (path, message): (Path, String)| {
                let mut full = prefix;
                full.extend(path);
                errors.push(RawError {
                    at: ErrorAt::Path(full),
                    message,
                });
            };
            match (&section.check, &mut *item) {
                (SectionCheck::Each(check), serde_yaml::Value::Sequence(items)) => {
                    for (i, element) in items.iter_mut().enumerate() {
                        let repair = check(element);
                        repaired &= repair.repaired;
                        for e in repair.errors {
                            push(vec![Seg::key(section.key), Seg::Index(i)], e);
                        }
                    }
                }
                (SectionCheck::Each(_), serde_yaml::Value::Null) => {}
                (SectionCheck::Each(_), _) => {
                    repaired = false;
                    push(
                        vec![Seg::key(section.key)],
                        (Vec::new(), "invalid type, expected a sequence".to_string()),
                    )
                }
                (SectionCheck::Whole(check), item) => {
                    let repair = check(item);
                    repaired &= repair.repaired;
                    for e in repair.errors {
                        push(vec![Seg::key(section.key)], e);
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        // Nothing more precise found (e.g. a missing top-level field): report
        // serde_yaml's own error with its position.
        return only(RawError {
            at: position_of(&first),
            message: strip_position(&first.to_string()),
        });
    }
    // Checks beyond the types (references, ids) may still run on the rest,
    // but only when every entry survived: a dropped recipient would make each
    // flow that names it look wrong.
    let repaired = if repaired {
        serde_yaml::from_value::<T>(value).ok()
    } else {
        None
    };
    Invalid { errors, repaired }
}

/// Reads one top-level scalar without deserializing the rest (used to check
/// `version` before judging fields that a newer format might add).
pub fn top_level_scalar(text: &str, key: &str) -> Option<serde_yaml::Value> {
    if too_deep(text).is_some() {
        return None;
    }
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    value.get(key).cloned()
}

/// Deserializes a small standalone YAML document (the project config).
pub fn parse_plain<T: DeserializeOwned>(text: &str) -> Result<T, RawError> {
    serde_path_to_error::deserialize::<_, T>(serde_yaml::Deserializer::from_str(text)).map_err(|e| {
        let path = convert_path(e.path());
        let inner = e.into_inner();
        let at = if path.is_empty() {
            position_of(&inner)
        } else {
            ErrorAt::Path(path)
        };
        RawError {
            at,
            message: strip_position(&inner.to_string()),
        }
    })
}

/// Positions of the nodes of one YAML document.
#[derive(Debug)]
pub struct SpanIndex {
    root: Option<Node>,
    lines: Lines,
}

/// Line starts of a text, for turning byte offsets into lines and columns.
#[derive(Debug)]
pub struct Lines {
    text: std::sync::Arc<str>,
    starts: Vec<usize>,
    /// (byte offset, characters before it) every `CHECKPOINT_BYTES` or so, so
    /// that a column on a long line costs a short scan, not the whole line.
    checkpoints: Vec<(usize, usize)>,
}

/// Distance between character-count checkpoints.
const CHECKPOINT_BYTES: usize = 4096;

impl Lines {
    pub fn new(text: std::sync::Arc<str>) -> Lines {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut checkpoints = vec![(0, 0)];
        let (mut at, mut chars) = (0, 0);
        while at + CHECKPOINT_BYTES < text.len() {
            let mut next = at + CHECKPOINT_BYTES;
            while !text.is_char_boundary(next) {
                next += 1;
            }
            chars += text[at..next].chars().count();
            checkpoints.push((next, chars));
            at = next;
        }
        Lines {
            text,
            starts,
            checkpoints,
        }
    }

    /// The number of characters before byte `offset` (a char boundary).
    fn chars_before(&self, offset: usize) -> Option<usize> {
        let i = self.checkpoints.partition_point(|&(at, _)| at <= offset).max(1) - 1;
        let (at, chars) = self.checkpoints[i];
        Some(chars + self.text.get(at..offset)?.chars().count())
    }

    /// A location for a 1-based line and column as serde_yaml reports them:
    /// from there to the end of the line.
    pub fn location_at(&self, line: usize, column: usize) -> Location {
        let text = &*self.text;
        let offset = byte_offset(text, &self.starts, line, column);
        // To the end of the line, but not past 80 bytes: hostile lines are long.
        let mut end = text[offset..]
            .find('\n')
            .map_or(text.len(), |n| offset + n)
            .max(offset)
            .min(offset + 80);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let end = if end == offset {
            (offset + 1).min(text.len())
        } else {
            end
        };
        self.location(offset, end)
    }

    fn line_end(&self, start: usize, end: usize) -> usize {
        let (line, _) = self.line_col(start);
        let next_line = self.starts.get(line).map_or(self.text.len(), |&s| s.saturating_sub(1));
        end.min(next_line).max(start)
    }

    fn location(&self, start: usize, end: usize) -> Location {
        let (line, column) = self.line_col(start);
        let (end_line, end_column) = self.line_col(end);
        Location {
            offset: start,
            len: end.saturating_sub(start),
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// 1-based line and column; columns count characters, not bytes.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        // A line of usual length is counted directly; a long one from the
        // nearest checkpoints.
        let column = match self.text.get(start..offset) {
            Some(before) if before.len() < CHECKPOINT_BYTES => before.chars().count(),
            _ => match (self.chars_before(start), self.chars_before(offset)) {
                (Some(a), Some(b)) => b - a,
                _ => offset - start,
            },
        };
        (line, column + 1)
    }
}

impl SpanIndex {
    pub fn build(text: &std::sync::Arc<str>) -> SpanIndex {
        Self::build_fast(text).unwrap_or_else(|| Self::build_parsed(text))
    }

    /// The index from one pass over the lines, for plain block YAML only
    /// (`block::index`).
    pub(super) fn build_fast(text: &std::sync::Arc<str>) -> Option<SpanIndex> {
        Some(Self::from_tree(text, super::block::index(text)?))
    }

    fn from_tree(text: &std::sync::Arc<str>, root: Node) -> SpanIndex {
        SpanIndex {
            root: Some(root),
            lines: Lines::new(text.clone()),
        }
    }

    /// Every path of the index, in document order.
    pub(super) fn paths(&self) -> Vec<Path> {
        fn walk(node: &Node, text: &str, prefix: &mut Path, out: &mut Vec<Path>) {
            out.push(prefix.clone());
            match &node.kind {
                Kind::Scalar => {}
                Kind::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        prefix.push(Seg::Index(i));
                        walk(item, text, prefix, out);
                        prefix.pop();
                    }
                }
                Kind::Map(entries) => {
                    for (key, start, child) in entries {
                        prefix.push(Seg::key(key.name(text, *start)));
                        walk(child, text, prefix, out);
                        prefix.pop();
                    }
                }
            }
        }
        let mut out = Vec::new();
        if let Some(root) = &self.root {
            walk(root, &self.lines.text, &mut Vec::new(), &mut out);
        }
        out
    }

    /// The index from a full YAML parse (yaml-rust2).
    pub(super) fn build_parsed(text: &std::sync::Arc<str>) -> SpanIndex {
        let lines = Lines::new(text.clone());
        let mut builder = Builder {
            text,
            line_starts: &lines.starts,
            cursor: (usize::MAX, 0, 0),
            stack: Vec::new(),
            root: None,
        };
        let mut parser = Parser::new_from_str(text);
        // A syntax error leaves the index partial; lookups then fall back to
        // the nearest node that was recorded.
        let _ = parser.load(&mut builder, false);
        let root = builder.root.take().or_else(|| builder.unwind());
        SpanIndex { root, lines }
    }

    /// The location of the node at `path`, or of its nearest recorded ancestor.
    /// For a mapping entry, `key_only` points at the key instead of the value.
    pub fn locate(&self, path: &[Seg], key_only: bool) -> Location {
        let Some(mut node) = self.root.as_ref() else {
            return self.lines.location(0, 0);
        };
        let mut key_at = None;
        for (i, seg) in path.iter().enumerate() {
            let next = match (&node.kind, seg) {
                (Kind::Map(entries), Seg::Key(k)) => entries
                    .iter()
                    .map(|(key, key_start, child)| (key.name(&self.lines.text, *key_start), *key_start, child))
                    .find(|(name, _, _)| name == k)
                    .map(|(name, key_start, child)| (Some((key_start, name.len())), child)),
                (Kind::Seq(items), Seg::Index(j)) => items.get(*j).map(|child| (None, child)),
                _ => None,
            };
            match next {
                Some((key, child)) => {
                    key_at = if i + 1 == path.len() { key } else { None };
                    node = child;
                }
                None => break,
            }
        }
        match key_at {
            Some((start, len)) if key_only => self.lines.location(start, start + len),
            // A block mapping or sequence spans many lines; its first line
            // is what a reader needs to find it.
            _ if !matches!(node.kind, Kind::Scalar) => self
                .lines
                .location(node.start, self.lines.line_end(node.start, node.end)),
            _ => self.lines.location(node.start, node.end),
        }
    }

    /// Whether a node exists at exactly `path`.
    pub fn has(&self, path: &[Seg]) -> bool {
        let Some(mut node) = self.root.as_ref() else {
            return false;
        };
        for seg in path {
            let next = match (&node.kind, seg) {
                (Kind::Map(entries), Seg::Key(k)) => entries
                    .iter()
                    .find(|(key, start, _)| key.name(&self.lines.text, *start) == k)
                    .map(|(_, _, child)| child),
                (Kind::Seq(items), Seg::Index(j)) => items.get(*j),
                _ => None,
            };
            match next {
                Some(child) => node = child,
                None => return false,
            }
        }
        true
    }
}

/// Where the fast path disagrees with yaml-rust2 on `text`: `None` when it
/// declines the text, `Some(None)` when both give the same nodes, keys and
/// positions. For the tests and the `spans` fuzz target.
#[doc(hidden)]
pub fn disagreement(text: &str) -> Option<Option<String>> {
    let text: std::sync::Arc<str> = std::sync::Arc::from(text);
    let fast = SpanIndex::build_fast(&text)?;
    let parsed = SpanIndex::build_parsed(&text);
    let (fast_paths, parsed_paths) = (fast.paths(), parsed.paths());
    if fast_paths != parsed_paths {
        let at = fast_paths.iter().zip(&parsed_paths).take_while(|(a, b)| a == b).count();
        return Some(Some(format!(
            "different nodes from node {at}: {:?} against {:?}",
            fast_paths.get(at),
            parsed_paths.get(at)
        )));
    }
    for path in &parsed_paths {
        for key_only in [false, true] {
            let (a, b) = (fast.locate(path, key_only), parsed.locate(path, key_only));
            if a != b {
                return Some(Some(format!("{path:?} (key only: {key_only}): {a:?} against {b:?}")));
            }
        }
    }
    Some(None)
}

/// Where the typed fast path disagrees with serde_yaml on `text` read as
/// `T`: `None` when it refuses the text, `Some(None)` when serde_yaml reads
/// the same value (compared by `Debug`) and the kept tree gives yaml-rust2's
/// positions. For the tests and the `yaml_fast` fuzz target.
#[doc(hidden)]
pub fn typed_disagreement<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> Option<Option<String>> {
    // `parse_indexed` checks the flow depth before the fast path runs.
    if too_deep(text).is_some() {
        return None;
    }
    let fast = parse_fast::<T>(text)?;
    let fast = format!("{fast:#?}");
    let slow = match serde_yaml::from_str::<T>(text) {
        Ok(slow) => format!("{slow:#?}"),
        Err(error) => return Some(Some(format!("serde_yaml refuses what the fast path reads: {error}"))),
    };
    if fast != slow {
        let line = fast.lines().zip(slow.lines()).position(|(a, b)| a != b).unwrap_or(0);
        let (a, b) = (fast.lines().nth(line), slow.lines().nth(line));
        return Some(Some(format!(
            "different values at line {line} of their Debug: {a:?} against {b:?}"
        )));
    }
    match disagreement(text) {
        Some(Some(difference)) => Some(Some(difference)),
        None => Some(Some("the block reader answered, then declined".to_string())),
        Some(None) => Some(None),
    }
}

/// Converts a 1-based line and a 1-based character column to a byte offset.
fn byte_offset(text: &str, line_starts: &[usize], line: usize, column: usize) -> usize {
    let Some(&start) = line_starts.get(line.saturating_sub(1)) else {
        return text.len();
    };
    let line_text = &text[start..];
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    start + within
}

/// How far `scalar_end` looks for the end of a scalar it cannot match.
const MAX_SCALAR_SCAN: usize = 1024;

struct Builder<'a> {
    text: &'a str,
    line_starts: &'a [usize],
    /// The last mark converted: (line, column, byte offset). Events come in
    /// text order, so the next one is found from here rather than from the
    /// start of its line (which is quadratic on a long flow-style line).
    cursor: (usize, usize, usize),
    stack: Vec<Open>,
    root: Option<Node>,
}

enum Open {
    Seq {
        start: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        entries: Vec<Entry>,
        key: Option<(String, usize)>,
    },
}

impl Builder<'_> {
    fn offset(&mut self, mark: Marker) -> usize {
        let (line, column) = (mark.line(), mark.col());
        let (last_line, last_column, last_at) = self.cursor;
        let at = if line == last_line && column >= last_column {
            let rest = &self.text[last_at..];
            last_at
                + rest
                    .char_indices()
                    .nth(column - last_column)
                    .map_or(rest.len(), |(i, _)| i)
        } else {
            byte_offset(self.text, self.line_starts, line, column + 1)
        };
        self.cursor = (line, column, at);
        at
    }

    /// The end of a scalar that starts at `start`: a plain one spans its
    /// value, a quoted one runs to its closing quote, a block one to its line end.
    fn scalar_end(&self, start: usize, value: &str) -> usize {
        let rest = &self.text[start..];
        if !value.is_empty() && rest.starts_with(value) {
            return start + value.len();
        }
        // Only the first bytes are looked at: a label needs no more, and
        // scanning to the end of a megabyte-long line for every scalar on it
        // would be quadratic.
        let mut limit = rest.len().min(MAX_SCALAR_SCAN);
        while !rest.is_char_boundary(limit) {
            limit -= 1;
        }
        let rest = &rest[..limit];
        let line = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
        let len = match line.chars().next() {
            Some(q @ ('"' | '\'')) => line[1..]
                .char_indices()
                .find(|&(i, c)| c == q && !(q == '"' && line[1..][..i].ends_with('\\')))
                .map_or(line.len(), |(i, _)| i + 2),
            _ => line.find(" #").map_or(line, |i| &line[..i]).trim_end().len(),
        };
        start + len.max(1).min(rest.len())
    }

    fn attach(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, .. }) => match key.take() {
                Some((name, key_start)) => entries.push((Key::Value(name), key_start, node)),
                None => {
                    // A scalar in key position becomes the pending key; a
                    // complex key is recorded under an empty name.
                    entries.push((Key::Value(String::new()), node.start, node));
                }
            },
        }
    }

    fn close(&mut self, end: usize) {
        let node = match self.stack.pop() {
            Some(Open::Seq { start, items }) => Node {
                start,
                end: end.max(start),
                kind: Kind::Seq(items),
            },
            Some(Open::Map { start, entries, .. }) => Node {
                start,
                end: end.max(start),
                kind: Kind::Map(entries),
            },
            None => return,
        };
        self.attach(node);
    }

    /// Closes whatever is still open after a syntax error.
    fn unwind(&mut self) -> Option<Node> {
        while self.stack.len() > 1 {
            self.close(self.text.len());
        }
        match self.stack.pop() {
            Some(Open::Seq { start, items }) => Some(Node {
                start,
                end: self.text.len(),
                kind: Kind::Seq(items),
            }),
            Some(Open::Map { start, entries, .. }) => Some(Node {
                start,
                end: self.text.len(),
                kind: Kind::Map(entries),
            }),
            None => None,
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = self.offset(mark);
        match event {
            Event::Scalar(value, ..) => {
                if let Some(Open::Map { key: key @ None, .. }) = self.stack.last_mut() {
                    *key = Some((value, at));
                    return;
                }
                let end = self.scalar_end(at, &value);
                self.attach(Node {
                    start: at,
                    end,
                    kind: Kind::Scalar,
                });
            }
            Event::Alias(_) => {
                if let Some(Open::Map { key: key @ None, .. }) = self.stack.last_mut() {
                    *key = Some((String::new(), at));
                    return;
                }
                let end = self.scalar_end(at, "");
                self.attach(Node {
                    start: at,
                    end,
                    kind: Kind::Scalar,
                });
            }
            Event::SequenceStart(..) => self.stack.push(Open::Seq {
                start: at,
                items: Vec::new(),
            }),
            Event::MappingStart(..) => self.stack.push(Open::Map {
                start: at,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => self.close(at),
            _ => {}
        }
    }
}

/// Pulls the candidate names out of serde's "expected one of `a`, `b`" text.
pub fn expected_names(message: &str) -> Vec<String> {
    let Some(i) = message.find("expected") else {
        return Vec::new();
    };
    message[i..].split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The first backtick-quoted name in a serde message (`unknown field `x``).
pub fn quoted_name(message: &str) -> Option<String> {
    message.split('`').nth(1).map(str::to_string)
}

/// The benchmark's manifest generator, as test input.
#[cfg(test)]
#[path = "../../benches/generate.rs"]
mod generate;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::generate;

    #[test]
    fn every_error_of_an_entry_at_its_original_path() {
        let mut value: serde_yaml::Value =
            serde_yaml::from_str("id: a\ndata: [1, phone, [2], email]\nbasis: nope\nextra: x\n").unwrap();
        let repair = super::check_all::<crate::manifest::Flow>(&mut value);
        let paths: Vec<String> = repair.errors.iter().map(|(p, _)| super::render_path(p)).collect();
        // Indices stay those of the file although earlier entries were taken out.
        assert_eq!(paths, ["data[0]", "data[2]", "basis", "extra"], "{:?}", repair.errors);
        assert!(repair.errors[3].1.starts_with("unknown field `extra`"));
        assert!(repair.repaired);
        // A required field taken out is not reported again as missing.
        let mut value: serde_yaml::Value = serde_yaml::from_str("id: [x]\ndata: [phone]\n").unwrap();
        let repair = super::check_all::<crate::manifest::Flow>(&mut value);
        assert_eq!(repair.errors.len(), 1, "{:?}", repair.errors);
        assert!(!repair.repaired);
    }

    /// Whether the fast path answered for `text`; if it did, it must agree
    /// with yaml-rust2 on every node, key and position.
    fn agrees(name: &str, text: &str) -> bool {
        match super::disagreement(text) {
            None => false,
            Some(None) => true,
            Some(Some(difference)) => panic!("{name}: {difference}"),
        }
    }

    #[test]
    fn agrees_with_yaml_rust2_on_the_repository_manifests() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let yaml = |path: &Path| path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let files: Vec<std::path::PathBuf> = ["examples", "tests/fixtures", "tests/malformed"]
            .iter()
            .flat_map(|dir| walkdir::WalkDir::new(root.join(dir)).into_iter().flatten())
            .map(walkdir::DirEntry::into_path)
            .filter(|path| yaml(path))
            .collect();
        let mut answered = 0;
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            answered += usize::from(agrees(&file.display().to_string(), &text));
        }
        // Quotes and block scalars send a few to yaml-rust2 (41 of 47 answered when written).
        assert!(
            answered >= 35,
            "the fast path answered for {answered} of {} files",
            files.len()
        );
    }

    #[test]
    fn agrees_with_yaml_rust2_on_generated_manifests() {
        for seed in 0..20 {
            let text = generate::manifest(seed, 50);
            assert!(
                agrees(&format!("generated {seed}"), &text),
                "generated {seed}: not answered"
            );
        }
    }

    #[test]
    fn agrees_with_yaml_rust2_on_edge_cases() {
        let answered = [
            "a: 1\nb:\n- x\n- y\nc: { d: [e, f], g: h }\n",
            "# comment\nflows:\n  - id: a   # trailing\n    data: [ phone , email ]\n  -   id: b\n      data: []\n",
            "k: a, b [c] {d}\nn: -1\nurl: https://example.com/x#y\nempty: {}\n",
            "list:\n  - [a, b]\n  - {x: y}\n  - plain words 中文\n",
            "数据: 值\nnested:\n    deep:\n        deeper: x\n",
            "flows:\n- id: a\n  data: [x]\n- id: b\nnext: 1\n",
            "a:\n-   spaced\n- [x]\nb:\n- { k: v }\n",
            "contact: dpo@example.com\nq: what? it's fine\ntag: a!b &c *d\n",
        ];
        for (i, text) in answered.iter().enumerate() {
            assert!(agrees(&format!("edge case {i}"), text), "edge case {i}: not answered");
        }
        let declined = [
            "a: \"quoted\"\n",
            "a: 'quoted'\n",
            "a: &x 1\nb: *x\n",
            "a: |\n  text\n",
            "a: >\n  text\n",
            "a: !tag x\n",
            "a:\tb\n",
            "a: b\r\n",
            "---\na: b\n",
            "a: b: c\n",
            "a:\n",
            "a: plain\n  continued\n",
            "- - x\n",
            "-\n  a: b\n",
            "a: [b,\n  c]\n",
            "a: {b:c}\n",
            "? a\n: b\n",
            "\u{feff}a: b\n",
            "a: b\0c\n",
            "a: b\u{85}c\n",
            "a: b\u{2028}c\n",
            "a: b\u{7f}\n",
            "a: [b -, c]\n",
            "a: [b - c]\n",
            "a: [b#c]\n",
            "a: [b, c, ]\n",
            "a:\n - { id: x ,}\n",
        ];
        let long_key = format!("{}: 1\n", "k".repeat(1100));
        let long_flow_key = format!("a: {{ {}: 1 }}\n", "k".repeat(1100));
        let deep_block: String = (0..5_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>() + "x: 1\n";
        let deep_flow = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        for text in declined.iter().copied().chain([
            deep_block.as_str(),
            deep_flow.as_str(),
            long_key.as_str(),
            long_flow_key.as_str(),
        ]) {
            assert!(
                super::super::block::index(text).is_none(),
                "{text:?} should go to yaml-rust2"
            );
        }
    }
}
