//! `--format json`: the shape of SPEC §6.

use std::io::Write;

use crate::Report;

pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Report holds only strings, numbers and options, and memory takes
    // every write: this cannot fail.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report to `out` as it is serialized, without the whole text
/// in memory (hundreds of megabytes at 100,000 flows).
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
