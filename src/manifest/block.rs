//! The span index's fast path. Most manifests are plain block YAML:
//! indentation, `key: value`, `- item`, one-line flow collections and
//! comments. One pass over the lines indexes such a file many times faster
//! than a YAML parser. Anything else (quotes, anchors, aliases, tags, block
//! scalars, multi-line values, tabs, CR, several documents) returns `None`
//! and goes to yaml-rust2. Tests in yaml.rs check that both give the same
//! positions wherever this path answers.

use super::node::{Key, Kind, Node};

/// The index of `text`, or `None` when it is not plain block YAML.
pub(super) fn index(text: &str) -> Option<Node> {
    let lines = logical_lines(text)?;
    let mut parser = BlockParser {
        text,
        lines: &lines,
        at: 0,
        depth: 0,
    };
    let root = parser.block()?;
    (parser.at == lines.len()).then_some(root)
}

/// Deeper nesting goes to yaml-rust2, whose parser keeps its own stack: this
/// one recurses, and a hostile file could nest thousands of levels.
const MAX_DEPTH: usize = 64;

/// YAML limits an implicit key to 1,024 characters; longer keys (and any
/// near the limit) are left to the parser.
const MAX_KEY_BYTES: usize = 1000;

/// Bytes that may not start a plain scalar: indicators of flow collections,
/// comments, anchors, aliases, tags, block scalars, quotes, directives and
/// complex keys. Inside a scalar they are plain text.
const INDICATORS: &[u8] = b"[]{},:#-&*!|>'\"%@`?";

/// `INDICATORS` as a table, for scans that look at every byte.
const IS_INDICATOR: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < INDICATORS.len() {
        table[INDICATORS[i] as usize] = true;
        i += 1;
    }
    table
};

/// Where the two bytes `a` `b` first occur together in `s` (ASCII bytes,
/// so never inside a multi-byte character). A byte loop: the files are
/// scanned line by line, and a substring searcher's set-up would cost more
/// than the search on lines this short.
fn find_pair(s: &str, a: u8, b: u8) -> Option<usize> {
    s.as_bytes().windows(2).position(|w| w[0] == a && w[1] == b)
}

/// One line's content, or the part of a `- ` line after its dash.
#[derive(Debug)]
struct Line {
    /// Column of the content; for a dash, of the dash.
    indent: usize,
    /// Byte range of the content, comment and trailing spaces excluded.
    start: usize,
    end: usize,
    /// `- ` opening a sequence item; its content is the next line.
    dash: bool,
    /// The content after a dash: a scalar is allowed here.
    after_dash: bool,
}

fn logical_lines(text: &str) -> Option<Vec<Line>> {
    // Printable ASCII needs no decoding; anything else is checked per character.
    if !text.bytes().all(|b| matches!(b, b'\n' | b' '..=b'~')) && !text.chars().all(handled_char) {
        return None;
    }
    // About one logical line per 30 bytes in manifests: one allocation, mostly.
    let mut lines = Vec::with_capacity(text.len() / 24);
    let mut offset = 0;
    for raw in text.split('\n') {
        let line_start = offset;
        offset += raw.len() + 1;
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let content = &raw[indent..];
        if content.starts_with("---") || content.starts_with("...") {
            return None;
        }
        let content = strip_comment(content).trim_end_matches(' ');
        if content.is_empty() {
            continue;
        }
        let start = line_start + indent;
        let end = start + content.len();
        let Some(rest) = content.strip_prefix("- ") else {
            if content == "-" {
                return None;
            }
            lines.push(Line {
                indent,
                start,
                end,
                dash: false,
                after_dash: false,
            });
            continue;
        };
        let gap = rest.len() - rest.trim_start_matches(' ').len();
        if rest[gap..].starts_with("- ") {
            return None;
        }
        lines.push(Line {
            indent,
            start,
            end: start + 1,
            dash: true,
            after_dash: false,
        });
        lines.push(Line {
            indent: indent + 2 + gap,
            start: start + 2 + gap,
            end,
            dash: false,
            after_dash: true,
        });
    }
    Some(lines)
}

/// Characters this path reads as YAML reads them: printable ones (YAML
/// rejects the rest) other than tab, CR, NEL, the line and paragraph
/// separators and the byte-order mark.
fn handled_char(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// The line without its comment: `#` at its start or after a space.
fn strip_comment(content: &str) -> &str {
    if content.starts_with('#') {
        return "";
    }
    find_pair(content, b' ', b'#').map_or(content, |i| &content[..i])
}

struct BlockParser<'a> {
    text: &'a str,
    lines: &'a [Line],
    at: usize,
    depth: usize,
}

impl BlockParser<'_> {
    /// The block node starting at the current line.
    fn block(&mut self) -> Option<Node> {
        self.depth += 1;
        let node = self.block_at_depth();
        self.depth -= 1;
        node
    }

    fn block_at_depth(&mut self) -> Option<Node> {
        let line = self.lines.get(self.at)?;
        if self.depth > MAX_DEPTH {
            return None;
        }
        if line.dash {
            self.sequence(line.indent)
        } else if key_colon(&self.text[line.start..line.end]).is_some() {
            self.mapping(line.indent)
        } else if line.after_dash {
            self.at += 1;
            value(self.text, line.start, line.end)
        } else {
            None
        }
    }

    fn sequence(&mut self, indent: usize) -> Option<Node> {
        let start = self.lines[self.at].start;
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.at) {
            if line.indent < indent || (line.indent == indent && !line.dash) {
                break;
            }
            if line.indent > indent || !line.dash {
                return None;
            }
            self.at += 1;
            // The item's content always follows its dash (see `logical_lines`).
            items.push(self.block()?);
        }
        Some(Node {
            start,
            end: self.text.len(),
            kind: Kind::Seq(items),
        })
    }

    fn mapping(&mut self, indent: usize) -> Option<Node> {
        // yaml-rust2 marks a block mapping at its first key's `:`.
        let first = &self.lines[self.at];
        let start = first.start + key_colon(&self.text[first.start..first.end])?;
        let mut entries = Vec::new();
        while let Some(line) = self.lines.get(self.at) {
            if line.indent < indent || (line.indent == indent && line.dash) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let content = &self.text[line.start..line.end];
            let colon = key_colon(content)?;
            let key = content[..colon].trim_end_matches(' ');
            let rest = &content[colon + 1..];
            let value_start = line.start + colon + 1 + (rest.len() - rest.trim_start_matches(' ').len());
            self.at += 1;
            let node = if value_start < line.end {
                value(self.text, value_start, line.end)?
            } else {
                // A nested block: deeper, or a sequence at the key's own column.
                let next = self.lines.get(self.at)?;
                if next.indent > indent {
                    self.block()?
                } else if next.indent == indent && next.dash {
                    // yaml-rust2 marks a sequence at its key's column where
                    // its first item's content begins.
                    let content = self.lines.get(self.at + 1)?.start;
                    let mut node = self.sequence(indent)?;
                    node.start = content;
                    node
                } else {
                    return None;
                }
            };
            entries.push((Key::InText { len: key.len() }, line.start, node));
        }
        Some(Node {
            start,
            end: self.text.len(),
            kind: Kind::Map(entries),
        })
    }
}

/// Where the `:` of a `key: value` line is, when its key is a plain scalar.
fn key_colon(content: &str) -> Option<usize> {
    // Byte loops: every line passes here, and most are a few dozen bytes.
    let bytes = content.as_bytes();
    let colon = (0..bytes.len()).find(|&i| bytes[i] == b':' && matches!(bytes.get(i + 1), None | Some(b' ')))?;
    let key = content[..colon].trim_end_matches(' ');
    let flow_indicator = |b: &u8| matches!(b, b'[' | b']' | b'{' | b'}' | b',' | b'#');
    (plain_start(key) && key.len() < MAX_KEY_BYTES && !key.as_bytes().iter().any(flow_indicator)).then_some(colon)
}

/// Whether `s` can start a plain scalar this path handles.
fn plain_start(s: &str) -> bool {
    match s.as_bytes().first() {
        None => false,
        Some(b'-') => !s[1..].is_empty() && !s[1..].starts_with(' '),
        Some(b) => !INDICATORS.contains(b),
    }
}

/// The value in `text[start..end]` (one line): a flow collection or a scalar.
fn value(text: &str, start: usize, end: usize) -> Option<Node> {
    let s = &text[start..end];
    if s.starts_with('[') || s.starts_with('{') {
        let mut flow = Flow {
            text,
            at: start,
            end,
            depth: 0,
        };
        let node = flow.node()?;
        flow.skip_spaces();
        return (flow.at == end).then_some(node);
    }
    // In block context a plain scalar may hold `,` and brackets, not `: `.
    if !plain_start(s) || find_pair(s, b':', b' ').is_some() || s.ends_with(':') {
        return None;
    }
    Some(Node {
        start,
        end,
        kind: Kind::Scalar,
    })
}

/// A one-line flow collection.
struct Flow<'a> {
    text: &'a str,
    at: usize,
    end: usize,
    depth: usize,
}

impl Flow<'_> {
    fn peek(&self) -> Option<u8> {
        (self.at < self.end).then(|| self.text.as_bytes()[self.at])
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn node(&mut self) -> Option<Node> {
        match self.peek()? {
            b'[' => self.collection(b']', false),
            b'{' => self.collection(b'}', true),
            _ => self.scalar(),
        }
    }

    /// `[a, b]` or `{k: v, …}`: from its opening bracket to its closing one.
    fn collection(&mut self, close: u8, mapping: bool) -> Option<Node> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let start = self.at;
        self.at += 1;
        let mut items = Vec::new();
        let mut entries = Vec::new();
        loop {
            self.skip_spaces();
            if self.peek()? == close {
                break;
            }
            if mapping {
                let key = self.scalar()?;
                if key.end - key.start >= MAX_KEY_BYTES {
                    return None;
                }
                self.skip_spaces();
                if self.peek()? != b':' {
                    return None;
                }
                self.at += 1;
                if self.peek()? != b' ' {
                    return None;
                }
                self.skip_spaces();
                let len = key.end - key.start;
                entries.push((Key::InText { len }, key.start, self.node()?));
            } else {
                items.push(self.node()?);
            }
            self.skip_spaces();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.skip_spaces();
                    // yaml-rust2 ends a collection with a trailing comma at
                    // the comma: leave those to it.
                    if self.peek()? == close {
                        return None;
                    }
                }
                b if b == close => break,
                _ => return None,
            }
        }
        let end = self.at;
        self.at += 1;
        self.depth -= 1;
        let kind = if mapping { Kind::Map(entries) } else { Kind::Seq(items) };
        Some(Node { start, end, kind })
    }

    /// A plain scalar in a flow: up to `,`, a bracket or a `:`.
    fn scalar(&mut self) -> Option<Node> {
        let start = self.at;
        let rest = &self.text[start..self.end];
        let len = rest
            .bytes()
            .position(|b| matches!(b, b',' | b'[' | b']' | b'{' | b'}' | b':'))
            .unwrap_or(rest.len());
        let scalar = rest[..len].trim_end_matches(' ');
        // `a:b` would be one scalar to a YAML parser; leave it to one.
        if !plain_start(scalar) || (rest[len..].starts_with(':') && !rest[len + 1..].starts_with(' ')) {
            return None;
        }
        // Flow scalars here are ids and short words: indicators inside them,
        // or a dash beside a space, are left to the parser, whose reading
        // of them differs from the plain one.
        let bytes = scalar.as_bytes();
        if bytes.iter().any(|&b| b != b'-' && IS_INDICATOR[b as usize])
            || find_pair(scalar, b' ', b'-').is_some()
            || find_pair(scalar, b'-', b' ').is_some()
            || scalar.ends_with('-')
        {
            return None;
        }
        self.at = start + scalar.len();
        Some(Node {
            start,
            end: self.at,
            kind: Kind::Scalar,
        })
    }
}
