//! `--format json`: the shape of SPEC §6.
//!
//! Written as serde_json's pretty printer would write the whole `Report`,
//! but the findings are serialized a window at a time over the pool: at
//! 100,000 flows one thread serializing them all is a third of the run's
//! wall time, and the whole text would take hundreds of megabytes.

use std::io::Write;

use rayon::prelude::*;
use serde::Serialize;

use crate::finding::Finding;
use crate::Report;

pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Report holds only strings, numbers and options, and memory takes
    // every write: this cannot fail.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Findings serialized together before they are written: bounds memory.
const WINDOW: usize = 8192;
/// Findings one worker serializes at a time.
const CHUNK: usize = 256;

/// Writes the report to `out` as it is serialized; the same bytes as
/// `serde_json::to_writer_pretty(report)` and a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut object = Object { out, first: true };
    // The fields of `Report` that serialize, in its order.
    object.value("version", &report.version)?;
    object.value("schema_version", &report.schema_version)?;
    object.value("lang", &report.lang)?;
    object.value("files", &report.files)?;
    object.value("summary", &report.summary)?;
    object.findings("findings", &report.findings)?;
    if !report.suppressed.is_empty() {
        object.findings("suppressed", &report.suppressed)?;
    }
    if let Some(fixed) = &report.fixed {
        object.value("fixed", fixed)?;
    }
    object.out.write_all(b"\n}\n")
}

/// The top-level object as the pretty printer writes it: two spaces per
/// level, `"key": value`, entries separated by `,` and a newline.
struct Object<'a> {
    out: &'a mut dyn Write,
    first: bool,
}

impl Object<'_> {
    fn key(&mut self, key: &str) -> std::io::Result<()> {
        let open: &[u8] = if self.first { b"{\n  \"" } else { b",\n  \"" };
        self.first = false;
        self.out.write_all(open)?;
        self.out.write_all(key.as_bytes())?;
        self.out.write_all(b"\": ")
    }

    fn value(&mut self, key: &str, value: &impl Serialize) -> std::io::Result<()> {
        self.key(key)?;
        let mut buf = Vec::new();
        pretty(value, 2, &mut buf);
        self.out.write_all(&buf)
    }

    fn findings(&mut self, key: &str, findings: &[Finding]) -> std::io::Result<()> {
        self.key(key)?;
        if findings.is_empty() {
            return self.out.write_all(b"[]");
        }
        self.out.write_all(b"[")?;
        for (w, window) in findings.chunks(WINDOW).enumerate() {
            let parts: Vec<Vec<u8>> = window
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(c, chunk)| {
                    let mut buf = Vec::with_capacity(chunk.len() * 1024);
                    for (i, finding) in chunk.iter().enumerate() {
                        let first = w == 0 && c == 0 && i == 0;
                        buf.extend_from_slice(if first { b"\n    " } else { b",\n    " });
                        pretty(finding, 4, &mut buf);
                    }
                    buf
                })
                .collect();
            for part in parts {
                self.out.write_all(&part)?;
            }
        }
        self.out.write_all(b"\n  ]")
    }
}

/// `value` pretty-printed at `indent` spaces: every line after its first
/// indented. A newline in the pretty printer's output is always layout;
/// inside strings it is escaped.
fn pretty(value: &impl Serialize, indent: usize, out: &mut Vec<u8>) {
    let mut text = Vec::new();
    // Serializing to memory: strings, numbers and options cannot fail.
    let _ = serde_json::to_writer_pretty(&mut text, value);
    let mut lines = text.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        out.extend_from_slice(first);
    }
    for line in lines {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', indent));
        out.extend_from_slice(line);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_report_is_what_serde_json_writes() {
        let options = crate::Options::default();
        for path in ["examples/", "tests/fixtures/apps/android"] {
            let mut report = crate::check(&[path], &options).unwrap();
            let mut expected = serde_json::to_string_pretty(&report).unwrap();
            expected.push('\n');
            assert_eq!(super::render(&report), expected, "{path}");
            // Suppressed findings and `fixed` too, and more than a window.
            report.suppressed = report.findings.clone();
            report.fixed = Some(Vec::new());
            let copies = super::WINDOW / report.findings.len().max(1) + 2;
            report.findings = (0..copies).flat_map(|_| report.findings.iter().cloned()).collect();
            let mut expected = serde_json::to_string_pretty(&report).unwrap();
            expected.push('\n');
            assert!(report.findings.len() > super::WINDOW);
            assert!(
                super::render(&report) == expected,
                "{path}: differs with suppressed, fixed and many findings"
            );
        }
    }
}
