//! `--format junit`: JUnit XML for CI test-report views. One testsuite per
//! manifest, one testcase per flow plus one for the product-level checks
//! (product, recipients, waivers); a testcase with findings fails.
//!
//! JUnit allows one `<failure>` per testcase, so a testcase with several
//! findings carries them all in that failure: the message names each
//! finding's rule, the text holds one block per finding.

use quick_junit::{NonSuccessKind, Property, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use crate::diagnostics::tr;
use crate::finding::Finding;
use crate::{Lang, Report};

pub fn render(report: &Report) -> String {
    let lang = report.lang;
    let mut junit = JunitReport::new("privflow");
    let mut manifests: Vec<_> = report.manifests.iter().collect();
    manifests.sort_by(|a, b| a.0.cmp(&b.0));
    for (file, manifest, _) in manifests {
        let findings: Vec<&Finding> = report.findings.iter().filter(|f| &f.file == file).collect();
        let product = &manifest.product.id;
        let mut suite = TestSuite::new(file.as_str());
        suite.add_property(Property::new("product", product.as_str()));

        let is_flow = |f: &Finding| {
            f.flow
                .as_deref()
                .is_some_and(|id| manifest.flows.iter().any(|flow| flow.id == id))
        };
        let product_level: Vec<&Finding> = findings.iter().copied().filter(|f| !is_flow(f)).collect();
        suite.add_test_case(test_case(
            &tr(lang, "product-level checks", "产品级检查"),
            product,
            &product_level,
            lang,
        ));
        for flow in &manifest.flows {
            let own: Vec<&Finding> = findings
                .iter()
                .copied()
                .filter(|f| f.flow.as_deref() == Some(flow.id.as_str()))
                .collect();
            suite.add_test_case(test_case(&flow.id, product, &own, lang));
        }
        junit.add_test_suite(suite);
    }
    // Serializing owned, well-formed strings to memory cannot fail.
    let mut text = junit.to_string().unwrap_or_default();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn test_case(name: &str, product: &str, findings: &[&Finding], lang: Lang) -> TestCase {
    let status = if findings.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        let message = match findings {
            [only] => format!("{}: {}", only.rule, only.message),
            _ => tr(
                lang,
                format!("{} findings: {}", findings.len(), rules.join(", ")),
                format!("{} 个问题：{}", findings.len(), rules.join("、")),
            ),
        };
        status.set_message(message);
        status.set_type(rules.join(", "));
        let blocks: Vec<String> = findings.iter().map(|f| block(f, lang)).collect();
        status.set_description(blocks.join("\n\n"));
        status
    };
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
