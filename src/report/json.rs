//! `--format json`: the shape of SPEC §6.

use crate::Report;

pub fn render(report: &Report) -> String {
    // Report holds only strings, numbers and options: serialization cannot fail.
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}
