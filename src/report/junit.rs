//! `--format junit`: JUnit XML for CI test-report views, one testcase per
//! finding (as checkov does), so a reporter's failure count is the finding
//! count.
//!
//! One testsuite per manifest (classname: the product id). Each finding is
//! a failing testcase named after its rule and target, e.g.
//! `<rule> · flow login`, `<rule> · recipient umeng` or `<rule> · product`. The product and each flow without findings
//! keep one passing testcase (`product`, `flow login`), so the suite shows
//! what was checked. Two findings that would share a name (two expired
//! waivers of one flow) also name their line. Order: the product, its
//! recipients, the flows in manifest order, then scan findings about the
//! app's code (`sdk-undeclared · code app/build.gradle:27 jpush`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use std::borrow::Cow;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::diagnostics::tr;
use crate::finding::Finding;
use crate::lang::Lang;
use crate::Report;

pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    // Memory takes every write.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report to `out` suite by suite, ending with a newline: the
/// whole document of a large run would hold every testcase at once (half
/// a gigabyte at 100,000 flows).
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let lang = report.lang;
    // The manifests' product and flow ids: from the manifests where the
    // report has them, else from the outlines the run kept instead.
    let mut manifests: Vec<(&str, &str, Vec<&str>)> = if report.manifests.is_empty() {
        (report.outlines.iter())
            .map(|(file, o)| {
                (
                    file.as_str(),
                    o.product.as_str(),
                    o.flows.iter().map(String::as_str).collect(),
                )
            })
            .collect()
    } else {
        (report.manifests.iter())
            .map(|(file, m, _)| {
                (
                    file.as_str(),
                    m.product.id.as_str(),
                    m.flows.iter().map(|f| f.id.as_str()).collect(),
                )
            })
            .collect()
    };
    manifests.sort_by(|a, b| a.0.cmp(b.0));
    // Each manifest's findings, and those of the scan about its product's
    // code, with their place in the report: found in one pass, not one
    // pass per manifest.
    let mut by_file: BTreeMap<&str, Vec<(usize, &Finding)>> = manifests.iter().map(|m| (m.0, Vec::new())).collect();
    let mut in_code: BTreeMap<&str, Vec<(usize, &Finding)>> = BTreeMap::new();
    for (i, finding) in report.findings.iter().enumerate() {
        match by_file.get_mut(finding.file.as_str()) {
            Some(own) => own.push((i, finding)),
            // A scan finding about the code is in the file it names, not in
            // a manifest: it joins the suite of its product's manifest.
            None if finding.evidence.is_some() => in_code.entry(&finding.product).or_default().push((i, finding)),
            None => {}
        }
    }
    let suites: Vec<Suite> = manifests
        .into_iter()
        .map(|(file, product, flows)| {
            let mut mine: Vec<(usize, &Finding)> = by_file.remove(file).unwrap_or_default();
            mine.extend(in_code.get(product).into_iter().flatten().copied());
            // In report order.
            mine.sort_by_key(|(i, _)| *i);
            let findings = mine.into_iter().map(|(_, f)| f).collect();
            Suite {
                file,
                product,
                flows,
                findings,
            }
        })
        .collect();
    let counts: Vec<(usize, usize)> = suites.iter().map(Suite::counts).collect();
    let (tests, failures) = counts
        .iter()
        .fold((0, 0), |(t, f), (tests, failures)| (t + tests, f + failures));
    // The events quick-junit's serializer writes, so the same escapes and
    // indents; the totals open the document, so they are counted first.
    let mut xml = Xml::new_with_indent(LastByte { out, last: None }, b' ', 4);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut tag = BytesStart::new("testsuites");
    tag.push_attribute(("name", "privflow"));
    tag.extend_attributes([
        ("tests", tests.to_string().as_str()),
        ("skipped", "0"),
        ("failures", failures.to_string().as_str()),
        ("errors", "0"),
    ]);
    xml.write_event(Event::Start(tag))?;
    for (suite, counts) in suites.iter().zip(counts) {
        suite.write(&mut xml, counts, lang)?;
    }
    xml.write_event(Event::End(BytesEnd::new("testsuites")))?;
    xml.write_event(Event::Eof)?;
    xml.write_indent()?;
    let out = xml.into_inner();
    if out.last != Some(b'\n') {
        out.out.write_all(b"\n")?;
    }
    Ok(())
}

type Xml<'a> = quick_xml::Writer<LastByte<'a>>;

/// Text as quick-junit keeps it: without ANSI escapes and the control
/// characters XML does not allow. Most text has neither, and is kept as is
/// without running the escape parser over it.
fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| matches!(c, '\n' | ' '..='~' | '\u{a0}'..)) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(quick_junit::XmlString::new(text).into_string())
    }
}

/// One manifest's testsuite: its findings in report order.
struct Suite<'a> {
    file: &'a str,
    product: &'a str,
    /// Its flows' ids, in manifest order.
    flows: Vec<&'a str>,
    findings: Vec<&'a Finding>,
}

impl Suite<'_> {
    fn targets(&self) -> Vec<(Target, &Finding)> {
        self.findings.iter().map(|f| (Target::of(f, self.file), *f)).collect()
    }

    /// Testcases and failures, as `write` writes them: a failing testcase
    /// per finding, a passing one for the product and each flow without.
    fn counts(&self) -> (usize, usize) {
        let mut flagged: BTreeSet<&str> = BTreeSet::new();
        let mut product = false;
        for finding in &self.findings {
            match Target::of(finding, self.file) {
                Target::Product => product = true,
                Target::Flow(_) => {
                    flagged.insert(finding.flow.as_deref().unwrap_or_default());
                }
                Target::Recipient(_) | Target::Code(_) => {}
            }
        }
        let passing = usize::from(!product) + self.flows.iter().filter(|flow| !flagged.contains(*flow)).count();
        (self.findings.len() + passing, self.findings.len())
    }

    /// The suite's testcases: the product, its recipients, the flows in
    /// manifest order, then findings about undeclared flows and the code.
    fn write(&self, xml: &mut Xml, (tests, failures): (usize, usize), lang: Lang) -> std::io::Result<()> {
        let product = clean(self.product);
        let findings = self.targets();
        let mut tag = BytesStart::new("testsuite");
        tag.extend_attributes([
            ("name", clean(self.file).as_ref()),
            ("tests", tests.to_string().as_str()),
            ("skipped", "0"),
            ("errors", "0"),
            ("failures", failures.to_string().as_str()),
        ]);
        xml.write_event(Event::Start(tag))?;
        xml.write_event(Event::Start(BytesStart::new("properties")))?;
        let mut property = BytesStart::new("property");
        property.extend_attributes([("name", "product"), ("value", product.as_ref())]);
        xml.write_event(Event::Empty(property))?;
        xml.write_event(Event::End(BytesEnd::new("properties")))?;
        let mut cases = Cases {
            xml,
            findings: &findings,
            repeated: repeated(&findings, lang),
            product: &product,
            lang,
        };
        cases.add(|t| *t == Target::Product, Some(Target::Product))?;
        cases.add(|t| matches!(t, Target::Recipient(_)), None)?;
        for flow in &self.flows {
            let own = Target::Flow(flow.to_string());
            cases.add(|t| *t == own, Some(own.clone()))?;
        }
        // A finding about a flow the manifest does not declare (a waiver
        // naming an unknown flow) still counts.
        let declared = |id: &str| self.flows.contains(&id);
        cases.add(|t| matches!(t, Target::Flow(id) if !declared(id)), None)?;
        cases.add(|t| matches!(t, Target::Code(_)), None)?;
        xml.write_event(Event::End(BytesEnd::new("testsuite")))
    }
}

/// A writer that remembers the last byte written through it.
struct LastByte<'a> {
    out: &'a mut dyn Write,
    last: Option<u8>,
}

impl Write for LastByte<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// What a finding is about: a flow, else a recipient, else the product;
/// or, for a scan finding, a line of the app's code (`file:line evidence`).
#[derive(Clone, PartialEq, Eq)]
enum Target {
    Product,
    Recipient(String),
    Flow(String),
    Code(String),
}

impl Target {
    fn of(finding: &Finding, manifest: &str) -> Target {
        match (&finding.flow, &finding.recipient, &finding.evidence) {
            (Some(flow), _, _) => Target::Flow(flow.clone()),
            (None, Some(recipient), _) => Target::Recipient(recipient.clone()),
            (None, None, Some(evidence)) if finding.file != manifest => {
                Target::Code(format!("{}:{} {evidence}", finding.file, finding.line))
            }
            (None, None, _) => Target::Product,
        }
    }

    fn name(&self, lang: Lang) -> String {
        match self {
            Target::Product => tr(lang, "product", "产品"),
            Target::Recipient(id) => format!("{} {id}", tr(lang, "recipient", "接收方")),
            Target::Flow(id) => format!("{} {id}", tr(lang, "flow", "数据流")),
            Target::Code(at) => format!("{} {at}", tr(lang, "code", "代码")),
        }
    }
}

/// A failing testcase's name: rule and target.
fn case_name(target: &Target, finding: &Finding, lang: Lang) -> String {
    format!("{} · {}", finding.rule, target.name(lang))
}

/// The names more than one finding of a suite would get (say two waivers
/// of one flow that both expired); those testcases also name their line,
/// since reporters merge testcases of the same name.
fn repeated(findings: &[(Target, &Finding)], lang: Lang) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    findings
        .iter()
        .map(|(target, finding)| case_name(target, finding, lang))
        .filter(|name| !seen.insert(name.clone()))
        .collect()
}

/// The testcases of one suite.
struct Cases<'a, 'w> {
    xml: &'a mut Xml<'w>,
    findings: &'a [(Target, &'a Finding)],
    repeated: BTreeSet<String>,
    product: &'a str,
    lang: Lang,
}

impl Cases<'_, '_> {
    /// One failing testcase per finding whose target is `wanted`; with none,
    /// one passing testcase for `passing`, if given.
    fn add(&mut self, wanted: impl Fn(&Target) -> bool, passing: Option<Target>) -> std::io::Result<()> {
        let mut any = false;
        for (target, finding) in self.findings.iter().filter(|(t, _)| wanted(t)) {
            let mut name = case_name(target, finding, self.lang);
            if self.repeated.contains(&name) {
                let line = finding.line;
                name.push_str(&tr(self.lang, format!(" (line {line})"), format!("（第 {line} 行）")));
            }
            self.failing(&name, finding)?;
            any = true;
        }
        if let (false, Some(target)) = (any, passing) {
            let mut case = BytesStart::new("testcase");
            case.extend_attributes([
                ("name", clean(&target.name(self.lang)).as_ref()),
                ("classname", self.product),
            ]);
            self.xml.write_event(Event::Empty(case))?;
        }
        Ok(())
    }

    fn failing(&mut self, name: &str, finding: &Finding) -> std::io::Result<()> {
        let mut case = BytesStart::new("testcase");
        case.extend_attributes([("name", clean(name).as_ref()), ("classname", self.product)]);
        self.xml.write_event(Event::Start(case))?;
        let mut failure = BytesStart::new("failure");
        let message = format!("{}: {}", finding.rule, finding.message);
        failure.extend_attributes([
            ("message", clean(&message).as_ref()),
            ("type", clean(&finding.rule).as_ref()),
        ]);
        self.xml.write_event(Event::Start(failure))?;
        let description = block(finding, self.lang);
        self.xml
            .write_event(Event::Text(BytesText::new(&clean(&description))))?;
        self.xml.write_event(Event::End(BytesEnd::new("failure")))?;
        self.xml.write_event(Event::End(BytesEnd::new("testcase")))
    }
}

/// One finding as plain text: where, what, which law, how to fix.
fn block(finding: &Finding, lang: Lang) -> String {
    let mut out = format!(
        "{}[{}] {}:{}:{}: {}",
        finding.severity.as_str(),
        finding.rule,
        finding.file,
        finding.line,
        finding.column,
        finding.message
    );
    if let Some(law) = super::github::law_of(finding) {
        out.push_str(&format!("\n  {}: {law}", tr(lang, "law", "法律依据")));
    }
    if !finding.help.is_empty() {
        out.push_str(&format!("\n  {}: {}", tr(lang, "help", "修复建议"), finding.help));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::clean;

    /// `clean` keeps text as quick-junit's `XmlString` keeps it, whether it
    /// takes the short way (text as is) or quick-junit's.
    #[test]
    fn clean_keeps_what_quick_junit_keeps() {
        let texts = [
            "plain `flow-1`: consent <implied> & \"quoted\" 'single'",
            "个人敏感信息（人脸）需要单独同意",
            "two\nlines",
            "emoji 🙂 and nbsp\u{a0}here",
            "tab\there",
            "carriage\r\nreturn",
            "\u{1b}[31mred\u{1b}[0m text",
            "bell\u{7} and nul\u{0}",
            "del\u{7f} and c1\u{85}\u{9b}31m",
            "",
        ];
        for text in texts {
            let expected = quick_junit::XmlString::new(text);
            assert_eq!(clean(text), expected.as_str(), "{text:?}");
        }
        assert!(matches!(clean("plain 个人 \n text"), std::borrow::Cow::Borrowed(_)));
    }
}
