//! `--format human`: one miette report per finding (rule id, severity, law,
//! message, help, the source snippet), most serious first; a rule that fires
//! in more than a few places of one file as one report listing them; then a
//! count per rule and a one-line summary.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};

use crate::diagnostics::tr;
use crate::finding::{Finding, Severity};
use crate::Report;

struct Shown<'a> {
    finding: &'a Finding,
    source: Option<Excerpt>,
    law_label: String,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl Diagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.finding.severity))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.finding.help.is_empty()).then(|| Box::new(&self.finding.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let l = self.finding.location();
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.law_label.clone()),
            l.offset,
            l.len.max(1),
        ))))
    }
}

/// A rule that fires in more places than this in one file is shown once,
/// as one diagnostic listing every place. A snippet takes about a dozen
/// lines, and the second snippet of a rule repeats the first: the places
/// and their differing words say the same in a line or two each, which
/// keeps a manifest with 40 findings on about one screen.
const GROUP_OVER: usize = 1;

/// A report with more findings than this is shown compactly, a line or two
/// per rule and file without snippets, so that a manifest's findings and
/// the count table fit about one screen; a smaller run, `privflow explain
/// RULE` and the other formats give the rest.
pub const COMPACT_OVER: usize = 12;

/// The terminal width the report is laid out for.
const WIDTH: usize = 100;

/// One item of the human report: a finding on its own, or every finding of
/// one rule (at one severity) in one file.
enum Entry<'a> {
    One(&'a Finding),
    Group(Vec<&'a Finding>),
}

/// The report's items, most serious first (see [`super::by_importance`]); a
/// group stands where its first finding would.
fn entries<'a>(report: &'a Report) -> Vec<Entry<'a>> {
    let ordered = super::by_importance(report);
    let key = |f: &'a Finding| (f.file.as_str(), f.rule.as_str(), f.severity);
    let mut groups: BTreeMap<(&str, &str, Severity), Vec<&Finding>> = BTreeMap::new();
    for finding in &ordered {
        groups.entry(key(finding)).or_default().push(finding);
    }
    // A long report shows every item compactly (see `render_compact`).
    let compact = report.findings.len() > COMPACT_OVER;
    let mut out = Vec::new();
    for finding in ordered {
        match groups.remove(&key(finding)) {
            Some(group) if group.len() > GROUP_OVER || compact => out.push(Entry::Group(group)),
            Some(group) => out.extend(group.into_iter().map(Entry::One)),
            // Already shown with its group.
            None => {}
        }
    }
    out
}

/// Renders the report; `color` for terminals. The serious findings first,
/// a rule that fires in many places of a file once, then a count per rule
/// and the summary line.
pub fn render(report: &Report, color: bool) -> String {
    // Against a baseline only new findings are shown; the rest are counted.
    let new_only;
    let report = match &report.fixed {
        Some(_) => {
            let mut copy = report.clone();
            copy.findings
                .retain(|f| f.baseline != Some(crate::finding::BaselineState::Unchanged));
            new_only = copy;
            &new_only
        }
        None => report,
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme.clone()).with_width(WIDTH);
    // A group's lines are laid out here (hanging indents), not re-wrapped.
    let group_handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_wrap_lines(false);
    let lang = report.lang;
    if report.findings.len() > COMPACT_OVER {
        return render_compact(report);
    }
    let mut out = String::new();
    // Each quoted file's text with its line starts, found once.
    let mut excerpts: BTreeMap<&str, Excerpt> = BTreeMap::new();
    for entry in entries(report) {
        match entry {
            Entry::One(finding) => {
                let _ = handler.render_report(&mut out, &single(report, finding, &mut excerpts));
                out.push_str(&policy_footnote(report, &[finding]));
            }
            Entry::Group(findings) => {
                let _ = group_handler.render_report(&mut out, &group(&findings, lang));
                out.push_str(&policy_footnote(report, &findings));
            }
        }
        out.push('\n');
    }
    out.push_str(&count_table(report));
    out.push_str(&summary_line(report));
    out.push('\n');
    out.push_str(&baseline_lines(report));
    out
}

/// Against a baseline: how many findings it already had, and those it had
/// that are gone, so that it can shrink.
fn baseline_lines(report: &Report) -> String {
    let Some(fixed) = &report.fixed else {
        return String::new();
    };
    let lang = report.lang;
    let total = report.summary.errors + report.summary.warnings + report.summary.infos;
    let unchanged = total - report.findings.len();
    let mut out = tr(
        lang,
        format!(
            "baseline: {} new, {unchanged} unchanged (not shown), {} fixed\n",
            report.findings.len(),
            fixed.len()
        ),
        format!(
            "基线：{} 个新问题，{unchanged} 个未变（未显示），{} 个已修复\n",
            report.findings.len(),
            fixed.len()
        ),
    );
    for entry in fixed {
        let mut what = entry.rule.clone();
        if let Some(flow) = &entry.flow {
            what.push_str(&format!(" · flow {flow}"));
        }
        if let Some(recipient) = &entry.recipient {
            what.push_str(&format!(" · recipient {recipient}"));
        }
        let label = tr(lang, "fixed", "已修复");
        out.push_str(&format!("  {label}: {what} ({})\n", entry.file));
    }
    out
}

/// The compact layout of a long report: per rule and file, one line with
/// the severity, rule, law and the words its findings share, then their
/// places (with what differs between them); then the count table.
fn render_compact(report: &Report) -> String {
    let lang = report.lang;
    let mut out = String::new();
    let indent = "    ";
    for entry in entries(report) {
        let findings = match entry {
            Entry::One(finding) => vec![finding],
            Entry::Group(findings) => findings,
        };
        let first = findings[0];
        let symbol = match first.severity {
            Severity::Error => "×",
            Severity::Warning => "⚠",
            Severity::Info => "ℹ",
        };
        let law = crate::law::cite(&first.law, lang);
        let class = if law.is_empty() || law == "—" {
            first.rule.to_string()
        } else {
            format!("{} · {law}", first.rule)
        };
        let place = |f: &Finding| format!("{}:{}", f.line, f.column);
        let mut lines: Vec<String> = Vec::new();
        let mut headline = |words: &str| {
            let text = format!("{symbol} [{class}] {words}");
            for (i, line) in wrap(&text, WIDTH - indent.len()).into_iter().enumerate() {
                lines.push(if i == 0 { line } else { format!("{indent}{line}") });
            }
        };
        if findings.len() == 1 {
            headline(&first.message);
            lines.push(format!("{indent}{}:{}", first.file, place(first)));
        } else if let Some(shared) = shared_message(&findings) {
            headline(&shared);
            let places: Vec<String> = findings
                .iter()
                .map(|f| format!("{}\u{a0}{}", place(f), f.flow.as_deref().unwrap_or_default()))
                .collect();
            let text = format!("{}: {}", first.file, places.join(" · "));
            lines.extend(
                wrap(&text, WIDTH - indent.len())
                    .into_iter()
                    .map(|l| format!("{indent}{l}")),
            );
        } else if let Some((template, parts)) = differing_parts(&findings) {
            headline(&template);
            lines.push(format!("{indent}{}:", first.file));
            for (finding, part) in findings.iter().zip(parts) {
                let flow = finding.flow.as_deref().unwrap_or_default();
                let text = format!("{:<8}{flow}: {part}", place(finding));
                lines.extend(
                    wrap(&text, WIDTH - 2 * indent.len())
                        .into_iter()
                        .enumerate()
                        .map(|(i, l)| {
                            if i == 0 {
                                format!("{indent}{indent}{l}")
                            } else {
                                format!("{indent}{indent}        {l}")
                            }
                        }),
                );
            }
        } else {
            headline(&tr(
                lang,
                format!("{} places:", findings.len()),
                format!("{} 处：", findings.len()),
            ));
            lines.push(format!("{indent}{}:", first.file));
            for finding in &findings {
                let text = format!("{:<8}{}", place(finding), finding.message);
                lines.extend(
                    wrap(&text, WIDTH - 2 * indent.len())
                        .into_iter()
                        .map(|l| format!("{indent}{indent}{l}")),
                );
            }
        }
        out.push_str(&lines.join("\n"));
        out.push('\n');
        let note = policy_footnote(report, &findings);
        if !note.is_empty() {
            out.push_str(indent.get(2..).unwrap_or_default());
            out.push_str(&note);
        }
    }
    out.push('\n');
    out.push_str(&count_table(report));
    out.push_str(&tr(
        lang,
        "`privflow explain RULE` says why each rule matters and how to fix it.\n",
        "`privflow explain 规则` 说明每条规则的依据与修复方法。\n",
    ));
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// The footnote naming the Cedar policies behind an entry's findings
/// (`policy: policies/consent.cedar:42`): for a team's own rules always,
/// for the built-in pack with `--show-policy`, so that reports of the
/// built-in pack alone read as before.
fn policy_footnote(report: &Report, findings: &[&Finding]) -> String {
    let builtin = |f: &Finding| report.rules.get(f.rule.as_str()).is_some_and(|r| r.builtin);
    let mut places: Vec<String> = Vec::new();
    for finding in findings {
        if !report.show_policy && builtin(finding) {
            continue;
        }
        if let Some(origin) = &finding.policy {
            let place = origin.to_string();
            if !places.contains(&place) {
                places.push(place);
            }
        }
    }
    if places.is_empty() {
        return String::new();
    }
    let label = tr(report.lang, "policy", "规则出处");
    let colon = tr(report.lang, ": ", "：");
    format!("  {label}{colon}{}\n", places.join(", "))
}

fn single<'a>(report: &'a Report, finding: &'a Finding, excerpts: &mut BTreeMap<&'a str, Excerpt>) -> Shown<'a> {
    let source = match excerpts.get(finding.file.as_str()) {
        Some(excerpt) => Some(excerpt.clone()),
        None => report.sources.get(finding.file.as_str()).map(|text| {
            let excerpt = Excerpt::new(&finding.file, text.clone());
            excerpts.insert(&finding.file, excerpt.clone());
            excerpt
        }),
    };
    let law = if finding.law.is_empty() {
        finding.severity.as_str().to_string()
    } else {
        crate::law::cite(&finding.law, report.lang)
    };
    let law_label = format!("{} · {}", severity_word(finding.severity, report.lang), law);
    Shown {
        finding,
        source,
        law_label,
    }
}

/// A manifest's text for miette, with its line starts, so that a span's
/// lines cost a binary search and the lines themselves: `str` as a
/// `SourceCode` scans from the start of the text for every span. What it
/// gives miette is the same, byte for byte.
#[derive(Clone)]
struct Excerpt {
    name: String,
    text: Arc<str>,
    /// Where each line starts; a line ends at `\n`, `\r\n` or `\r`, as
    /// miette counts them.
    starts: Arc<[usize]>,
}

impl Excerpt {
    fn new(name: &str, text: Arc<str>) -> Excerpt {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            i += match (bytes[i], bytes.get(i + 1)) {
                (b'\r', Some(b'\n')) => 2,
                (b'\r' | b'\n', _) => 1,
                _ => {
                    i += 1;
                    continue;
                }
            };
            starts.push(i);
        }
        Excerpt {
            name: name.to_string(),
            text,
            starts: starts.into(),
        }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette reads from the first line it shows: start there, then put
        // the lines skipped and their offset back. (An empty span looks one
        // byte back, perhaps before that line: it reads the whole text.)
        if span.is_empty() {
            let contents = self.text.read_span(span, context_lines_before, context_lines_after)?;
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                contents.data(),
                *contents.span(),
                contents.line(),
                contents.column(),
                contents.line_count(),
            )));
        }
        let line = self.starts.partition_point(|&s| s <= span.offset()).saturating_sub(1);
        let first = line.saturating_sub(context_lines_before);
        let from = self.starts[first];
        let local = SourceSpan::new((span.offset() - from).into(), span.len());
        let inner = self.text.as_bytes()[from..].read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

/// Every finding of one rule in one file, as one diagnostic: a headline with
/// the file, severity and law, then each place (line:column) with its own
/// message, then the help.
struct Grouped<'a> {
    first: &'a Finding,
    message: String,
    help: String,
}

impl fmt::Debug for Grouped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Grouped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Grouped<'_> {}

impl Diagnostic for Grouped<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.first.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.first.severity))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }
}

fn group<'a>(findings: &[&'a Finding], lang: crate::lang::Lang) -> Grouped<'a> {
    let first = findings[0];
    let mut laws: Vec<&str> = Vec::new();
    let mut helps: Vec<&str> = Vec::new();
    for finding in findings {
        let law = finding.law.trim();
        if !law.is_empty() && law != "—" && !laws.contains(&law) {
            laws.push(law);
        }

        if !finding.help.is_empty() && !helps.contains(&finding.help.as_str()) {
            helps.push(&finding.help);
        }
    }
    let mut class = severity_word(first.severity, lang);
    if !laws.is_empty() {
        let laws: Vec<String> = laws.iter().map(|l| crate::law::cite(l, lang)).collect();
        class = format!("{class} · {}", laws.join(tr(lang, "; ", "；").as_str()));
    }
    let n = findings.len();
    let file = &first.file;
    if n == 1 {
        // One finding of a long report: its message and place, no snippet.
        let mut lines = wrap(&first.message, WIDTH - 4);
        lines.push(format!("{file}:{}:{} ({class})", first.line, first.column));
        let help: Vec<String> = helps.iter().flat_map(|h| wrap(h, WIDTH - 8)).collect();
        return Grouped {
            first,
            message: lines.join("\n"),
            help: help.join("\n"),
        };
    }
    let mut lines = vec![tr(
        lang,
        format!("{n} places in {file} ({class}):"),
        format!("{file} 中 {n} 处（{class}）："),
    )];
    let place = |f: &Finding| {
        if f.line == 0 {
            "-".to_string()
        } else {
            format!("{}:{}", f.line, f.column)
        }
    };
    // "  × " or "  │ " precedes each line.
    if let Some(shared) = shared_message(findings) {
        // The same words for every flow: say them once, then list the places.
        lines.extend(wrap(&shared, WIDTH - 4));
        let places: Vec<String> = findings
            .iter()
            // A no-break space keeps a place and its flow on one line.
            .map(|f| format!("{}\u{a0}{}", place(f), f.flow.as_deref().unwrap_or_default()))
            .collect();
        lines.extend(wrap(&places.join(" · "), WIDTH - 4));
        let help: Vec<String> = helps.iter().flat_map(|h| wrap(h, WIDTH - 8)).collect();
        return Grouped {
            first,
            message: lines.join("\n"),
            help: help.join("\n"),
        };
    }
    let column = findings.iter().map(|f| place(f).len()).max().unwrap_or(0) + 2;
    let room = WIDTH.saturating_sub(4 + column).max(20);
    if let Some((template, parts)) = differing_parts(findings) {
        // Mostly the same words: say them once, and per place only its own.
        lines.extend(wrap(&template, WIDTH - 4));
        for (finding, part) in findings.iter().zip(parts) {
            let flow = finding.flow.as_deref().unwrap_or_default();
            for (i, line) in wrap(&format!("{flow}: {part}"), room).into_iter().enumerate() {
                let place = if i == 0 { place(finding) } else { String::new() };
                lines.push(format!("{place:column$}{line}"));
            }
        }
        let help: Vec<String> = helps.iter().flat_map(|h| wrap(h, WIDTH - 8)).collect();
        return Grouped {
            first,
            message: lines.join("\n"),
            help: help.join("\n"),
        };
    }
    for finding in findings {
        for (i, line) in wrap(&finding.message, room).into_iter().enumerate() {
            let place = if i == 0 { place(finding) } else { String::new() };
            lines.push(format!("{place:column$}{line}"));
        }
    }
    // "  help: " precedes the help's first line, as many spaces the others.
    let help: Vec<String> = helps.iter().flat_map(|h| wrap(h, WIDTH - 8)).collect();
    Grouped {
        first,
        message: lines.join("\n"),
        help: help.join("\n"),
    }
}

/// The message every finding of a group shares once its flow's id is left
/// out (`flow `…` declares no retention period`), if they share one.
fn shared_message(findings: &[&Finding]) -> Option<String> {
    let mut shared: Option<String> = None;
    for finding in findings {
        let flow = finding.flow.as_deref()?;
        let message = finding.message.replace(&format!("`{flow}`"), "`…`");
        match &shared {
            None => shared = Some(message),
            Some(seen) if *seen == message => {}
            Some(_) => return None,
        }
    }
    shared
}

/// When the messages of a group (flow ids left out) share most of their
/// words, the shared frame with `…` where they differ, and each one's own
/// part: `flow `…` processes sensitive data … consent` and `(face) with `implied``.
fn differing_parts(findings: &[&Finding]) -> Option<(String, Vec<String>)> {
    let messages: Vec<Vec<char>> = findings
        .iter()
        .map(|f| {
            let flow = f.flow.as_deref().unwrap_or("\u{0}");
            f.message.replace(&format!("`{flow}`"), "`…`").chars().collect()
        })
        .collect();
    let shortest = messages.iter().map(Vec::len).min()?;
    let same_at = |pick: &dyn Fn(&Vec<char>) -> Option<char>| {
        let first = pick(&messages[0]);
        first.is_some() && messages.iter().all(|m| pick(m) == first)
    };
    let mut prefix = (0..shortest).take_while(|&i| same_at(&|m| m.get(i).copied())).count();
    let mut suffix = (0..shortest - prefix)
        .take_while(|&i| same_at(&|m| m.get(m.len() - 1 - i).copied()))
        .count();
    // Cut between words (at a space or a wide character), and keep brackets
    // with what they enclose.
    let cuts = |c: char| c == ' ' || is_wide(c);
    let opening = |c: char| "（(《“「【[".contains(c);
    let closing = |c: char| "）)》”」】]".contains(c);
    let first = &messages[0];
    while prefix > 0
        && (opening(first[prefix - 1]) || !(cuts(first[prefix - 1]) || first.get(prefix).is_some_and(|&c| cuts(c))))
    {
        prefix -= 1;
    }
    while suffix > 0 && {
        let at = first.len() - suffix;
        closing(first[at]) || !(cuts(first[at]) || (at > 0 && cuts(first[at - 1])))
    } {
        suffix -= 1;
    }
    // Worth it only when the frame carries most of the words.
    if (prefix + suffix) * 2 < shortest {
        return None;
    }
    let head: String = first[..prefix].iter().collect();
    let tail: String = first[first.len() - suffix..].iter().collect();
    let template = format!("{} … {}", head.trim_end(), tail.trim_start());
    let parts = messages
        .iter()
        .map(|m| {
            m[prefix..m.len() - suffix]
                .iter()
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect();
    Some((template, parts))
}

/// Rule, severity and number of findings, errors first, in the order of
/// the report; empty for a single finding (one row would repeat it).
fn count_table(report: &Report) -> String {
    if report.findings.len() < 2 {
        return String::new();
    }
    let lang = report.lang;
    let mut counts: BTreeMap<(Reverse<Severity>, usize, &str), usize> = BTreeMap::new();
    for finding in &report.findings {
        let rank = super::rank(report, &finding.rule);
        *counts
            .entry((Reverse(finding.severity), rank, &finding.rule))
            .or_default() += 1;
    }
    if counts.is_empty() {
        return String::new();
    }
    let mut rows = vec![[
        tr(lang, "rule", "规则"),
        tr(lang, "severity", "级别"),
        tr(lang, "count", "数量"),
    ]];
    for ((Reverse(severity), _, rule), count) in &counts {
        rows.push([rule.to_string(), severity_word(*severity, lang), count.to_string()]);
    }
    let widths: Vec<usize> = (0..3)
        .map(|i| rows.iter().map(|row| width(&row[i])).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let pad = |i: usize| " ".repeat(widths[i] - width(&row[i]));
        // Counts are right-aligned, the words left.
        out.push_str(&format!(
            "{}{}  {}{}  {}{}\n",
            row[0],
            pad(0),
            row[1],
            pad(1),
            pad(2),
            row[2]
        ));
    }
    out.push('\n');
    out
}

/// Columns a text takes in a terminal: East Asian wide characters take two.
fn width(text: &str) -> usize {
    text.chars().map(width_of).sum()
}

fn width_of(c: char) -> usize {
    if is_wide(c) {
        2
    } else {
        1
    }
}

/// The wide ranges of Unicode's East Asian Width that Chinese text uses:
/// Hangul Jamo, CJK radicals to Yi, Hangul syllables, compatibility
/// ideographs, vertical and CJK compatibility forms, full-width forms.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE10..=0xFE19 | 0xFE30..=0xFE6F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// Breaks `text` into lines of at most `room` columns: at spaces, or before
/// a wide character (Chinese has no spaces); a word longer than a line is
/// cut where it overflows.
fn wrap(text: &str, room: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        // The line's width, kept as it grows: measuring it again for each
        // character made long paragraphs quadratic.
        let mut line_width = 0;
        let mut brk: Option<usize> = None;
        for c in paragraph.chars() {
            // Chinese punctuation stays with its neighbour: no line starts
            // with a closing mark or ends with an opening one.
            let after_opening = line.ends_with(['（', '“', '‘', '「', '《', '【']);
            if c == ' ' || (is_wide(c) && !line.is_empty() && !"，。、；：）”’」》】！？".contains(c) && !after_opening)
            {
                brk = Some(line.len());
            }
            line.push(c);
            line_width += width_of(c);
            if line_width > room {
                let at = brk
                    .filter(|&b| b > 0)
                    .unwrap_or(line.len() - c.len_utf8())
                    .max(c.len_utf8().min(line.len()));
                let rest = line.split_off(at);
                lines.push(line.trim_end().to_string());
                line = rest.trim_start().to_string();
                line_width = width(&line);
                brk = line.rfind(' ');
            }
        }
        lines.push(line);
    }
    lines
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn severity_word(severity: Severity, lang: crate::lang::Lang) -> String {
    match severity {
        Severity::Error => tr(lang, "error", "错误"),
        Severity::Warning => tr(lang, "warning", "警告"),
        Severity::Info => tr(lang, "info", "提示"),
    }
}

/// "checked 3 files, 20 flows: 2 errors, 1 warning, 0 infos, 1 waived".
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    tr(
        report.lang,
        format!(
            "privflow: checked {} file(s), {} flow(s): {} error(s), {} warning(s), {} info(s), {} waived",
            s.files, s.flows, s.errors, s.warnings, s.infos, s.waived
        ),
        format!(
            "privflow：检查了 {} 个文件、{} 个数据流：{} 个错误，{} 个警告，{} 个提示，{} 个已豁免",
            s.files, s.flows, s.errors, s.warnings, s.infos, s.waived
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_reads_every_span_as_its_whole_text_does() {
        let text = "a: 1\nflows:\r\n  - id: 登录\n    data: [phone]\rlast: x\n\nend";
        let excerpt = Excerpt::new("m.yaml", Arc::from(text));
        for offset in 0..text.len() {
            for len in [0, 1, 3, 9] {
                for (before, after) in [(0, 0), (1, 1), (2, 3), (5, 5)] {
                    let span = SourceSpan::new(offset.into(), len);
                    let whole = text.read_span(&span, before, after);
                    let ours = excerpt.read_span(&span, before, after);
                    let (whole, ours) = match (whole, ours) {
                        (Ok(whole), Ok(ours)) => (whole, ours),
                        (Err(_), Err(_)) => continue,
                        _ => panic!("only one reads {offset}+{len} ({before}, {after})"),
                    };
                    let at = format!("{offset}+{len} ({before}, {after})");
                    assert_eq!(whole.data(), ours.data(), "{at}");
                    assert_eq!(whole.span(), ours.span(), "{at}");
                    assert_eq!(whole.line(), ours.line(), "{at}");
                    assert_eq!(whole.column(), ours.column(), "{at}");
                    assert_eq!(whole.line_count(), ours.line_count(), "{at}");
                    assert_eq!(ours.name(), Some("m.yaml"));
                }
            }
        }
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(width("规则a"), 5);
        assert_eq!(width("（，）"), 6);
        assert_eq!(width("rule"), 4);
    }

    #[test]
    fn wraps_at_spaces_and_before_chinese_but_not_before_its_punctuation() {
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("一二三，四五", 6), ["一二", "三，四", "五"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
        for line in wrap(
            "数据流 `bank-account` 处理敏感个人信息（银行账户），仅取得同意，未取得单独同意",
            20,
        ) {
            assert!(width(&line) <= 20, "{line}");
            assert!(!line.starts_with(['，', '）']), "{line}");
        }
    }
}
