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
    Map(Vec<(String, usize, Node)>),
}
