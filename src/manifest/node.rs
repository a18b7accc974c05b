//! The tree a span index keeps: one node per YAML node, with its position.
//! Built by the fast path (block.rs) and by yaml-rust2's events (yaml.rs).

#[derive(Debug)]
pub(super) struct Node {
    /// Byte range of the node's first token (for a scalar: the scalar).
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: Kind,
}

#[derive(Debug)]
pub(super) enum Kind {
    Scalar,
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping entry: its key, where the key starts, its value.
pub(super) type Entry = (Key, usize, Node);

/// A mapping key.
#[derive(Debug)]
pub(super) enum Key {
    /// A plain key (block.rs): the `len` bytes of the text at its start,
    /// so that reading a file allocates nothing per key.
    InText { len: usize },
    /// The key's value as a parser gives it (unquoted, unescaped).
    Value(String),
}

impl Key {
    /// The key's name, given the text and the key's start.
    pub(super) fn name<'a>(&'a self, text: &'a str, start: usize) -> &'a str {
        match self {
            Key::InText { len } => text.get(start..start + len).unwrap_or_default(),
            Key::Value(value) => value,
        }
    }
}
