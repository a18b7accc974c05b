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

use quick_junit::{NonSuccessKind, Property, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

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

/// Writes the report to `out` as it is serialized, ending with a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let lang = report.lang;
    let mut junit = JunitReport::new("privflow");
    let mut manifests: Vec<_> = report.manifests.iter().collect();
    manifests.sort_by(|a, b| a.0.cmp(&b.0));
    // Each manifest's findings, and those of the scan about its product's
    // code, with their place in the report: found in one pass, not one
    // pass per manifest.
    let mut by_file: BTreeMap<&str, Vec<(usize, &Finding)>> =
        manifests.iter().map(|m| (m.0.as_str(), Vec::new())).collect();
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
    for (file, manifest, _) in manifests {
        let product = manifest.product.id.as_str();
        let mut mine: Vec<(usize, &Finding)> = by_file.get(file.as_str()).cloned().unwrap_or_default();
        mine.extend(in_code.get(product).into_iter().flatten().copied());
        // In report order.
        mine.sort_by_key(|(i, _)| *i);
        let findings: Vec<(Target, &Finding)> = mine.into_iter().map(|(_, f)| (Target::of(f, file), f)).collect();
        let mut suite = TestSuite::new(file.as_str());
        suite.add_property(Property::new("product", product));
        let mut cases = Cases {
            suite: &mut suite,
            findings: &findings,
            repeated: repeated(&findings, lang),
            product,
            lang,
        };
        cases.add(|t| *t == Target::Product, Some(Target::Product));
        cases.add(|t| matches!(t, Target::Recipient(_)), None);
        for flow in &manifest.flows {
            let own = Target::Flow(flow.id.clone());
            cases.add(|t| *t == own, Some(own.clone()));
        }
        // A finding about a flow the manifest does not declare (a waiver
        // naming an unknown flow) still counts.
        let declared = |id: &str| manifest.flows.iter().any(|flow| flow.id == id);
        cases.add(|t| matches!(t, Target::Flow(id) if !declared(id)), None);
        cases.add(|t| matches!(t, Target::Code(_)), None);
        junit.add_test_suite(suite);
    }
    let mut out = LastByte { out, last: None };
    junit.serialize(&mut out).map_err(std::io::Error::other)?;
    if out.last != Some(b'\n') {
        out.out.write_all(b"\n")?;
    }
    Ok(())
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
struct Cases<'a> {
    suite: &'a mut TestSuite,
    findings: &'a [(Target, &'a Finding)],
    repeated: BTreeSet<String>,
    product: &'a str,
    lang: Lang,
}

impl Cases<'_> {
    /// One failing testcase per finding whose target is `wanted`; with none,
    /// one passing testcase for `passing`, if given.
    fn add(&mut self, wanted: impl Fn(&Target) -> bool, passing: Option<Target>) {
        let mut any = false;
        for (target, finding) in self.findings.iter().filter(|(t, _)| wanted(t)) {
            let mut name = case_name(target, finding, self.lang);
            if self.repeated.contains(&name) {
                let line = finding.line;
                name.push_str(&tr(self.lang, format!(" (line {line})"), format!("（第 {line} 行）")));
            }
            self.suite
                .add_test_case(failing(&name, self.product, finding, self.lang));
            any = true;
        }
        if let (false, Some(target)) = (any, passing) {
            let mut case = TestCase::new(target.name(self.lang), TestCaseStatus::success());
            case.set_classname(self.product);
            self.suite.add_test_case(case);
        }
    }
}

fn failing(name: &str, product: &str, finding: &Finding, lang: Lang) -> TestCase {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_message(format!("{}: {}", finding.rule, finding.message));
    status.set_type(finding.rule.as_str());
    status.set_description(block(finding, lang));
    let mut case = TestCase::new(name, status);
    case.set_classname(product);
    case
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
