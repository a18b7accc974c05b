//! The report of `privflow test`: one line per case (with what differs for a
//! failing one), then the rule coverage — as text, JSON or JUnit XML.

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use crate::diagnostics::tr;
use crate::testing::{CaseResult, Outcome};

/// A `privflow test` report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CasesFormat {
    Human,
    Json,
    Junit,
}

pub fn render(outcome: &Outcome, format: CasesFormat) -> String {
    match format {
        CasesFormat::Human => human(outcome),
        CasesFormat::Json => {
            let mut text = serde_json::to_string_pretty(outcome).unwrap_or_default();
            text.push('\n');
            text
        }
        CasesFormat::Junit => junit(outcome),
    }
}

/// What differs in a failing case, one line each.
fn differences(case: &CaseResult, lang: crate::lang::Lang) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(error) = &case.error {
        lines.extend(error.lines().map(str::to_string));
    }
    for key in &case.missing {
        lines.push(tr(lang, format!("missing: {key}"), format!("缺少：{key}")));
    }
    for key in &case.unexpected {
        lines.push(tr(lang, format!("unexpected: {key}"), format!("多出：{key}")));
    }
    lines
}

fn human(outcome: &Outcome) -> String {
    let lang = outcome.lang;
    let mut out = String::new();
    for case in &outcome.cases {
        let word = if case.passed { "ok  " } else { "FAIL" };
        out.push_str(&format!("{word} {}\n", case.name));
        for line in differences(case, lang) {
            out.push_str(&format!("       {line}\n"));
        }
    }
    let coverage = &outcome.coverage;
    out.push_str(&tr(
        lang,
        format!(
            "\nrule coverage: {}/{} rules fire in some case ({:.1}%)\n",
            coverage.fired, coverage.rules, coverage.percent
        ),
        format!(
            "\n规则覆盖率：{}/{} 条规则在用例中触发（{:.1}%）\n",
            coverage.fired, coverage.rules, coverage.percent
        ),
    ));
    if !coverage.not_fired.is_empty() {
        out.push_str(&tr(lang, "no case fires: ", "没有用例触发："));
        out.push_str(&coverage.not_fired.join(", "));
        out.push('\n');
    }
    let total = outcome.cases.len();
    let passed = outcome.passed();
    out.push_str(&tr(
        lang,
        format!(
            "privflow test: {total} case(s): {passed} passed, {} failed\n",
            total - passed
        ),
        format!(
            "privflow test：{total} 个用例：{passed} 个通过，{} 个失败\n",
            total - passed
        ),
    ));
    out
}

fn junit(outcome: &Outcome) -> String {
    let mut junit = JunitReport::new("privflow test");
    let mut suite = TestSuite::new("cases");
    for case in &outcome.cases {
        let status = if case.passed {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let lines = differences(case, outcome.lang);
            status.set_message(lines.first().cloned().unwrap_or_default());
            status.set_description(lines.join("\n"));
            status
        };
        let mut test = TestCase::new(case.name.as_str(), status);
        test.set_classname("privflow.test");
        suite.add_test_case(test);
    }
    junit.add_test_suite(suite);
    let mut text = junit.to_string().unwrap_or_default();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
