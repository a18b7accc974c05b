//! `--format github`: one GitHub Actions workflow command per finding, so
//! each finding shows as an annotation on the pull request's diff.
//!
//! Grammar: `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=T::MESSAGE`.
//!
//! GitHub shows at most [`LIMIT`] annotations of each kind per step and drops
//! the rest, so the most serious findings come first (severity, then the
//! rule's rank in the pack: see [`super::by_importance`]), at most `LIMIT`
//! of each kind are emitted (every rule's first finding before any rule's
//! second), and one last plain line says how many were left
//! out and where every finding is: the step summary (which this format fills
//! when `GITHUB_STEP_SUMMARY` is set), code scanning, the JSON report.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::diagnostics::tr;
use crate::finding::{Finding, Severity};
use crate::Report;

/// Annotations GitHub shows per step, for each of error, warning and notice.
pub const LIMIT: usize = 10;

/// The variable naming the file whose Markdown GitHub shows as the job summary.
pub const STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";

/// Renders the findings as workflow commands, most serious first, at most
/// [`LIMIT`] of each kind (see [`annotated`]), then a line on what was left
/// out (if anything); `base` is the directory paths are made relative to
/// (the working directory, i.e. the checkout).
pub fn render(report: &Report, base: &Path) -> String {
    let ordered = super::by_importance(report);
    let keep = annotated(&ordered);
    let mut out = String::new();
    // Left out, per severity: [info, warning, error].
    let mut left_out = [0usize; 3];
    for (finding, keep) in ordered.iter().zip(keep) {
        if keep {
            out.push_str(&command(finding, report.lang, base));
            out.push('\n');
        } else {
            left_out[kind(finding.severity)] += 1;
        }
    }
    if left_out.iter().any(|n| *n > 0) {
        out.push_str(&left_out_line(left_out, report.lang));
        out.push('\n');
    }
    out
}

fn kind(severity: Severity) -> usize {
    match severity {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

/// Which of the findings (in importance order) get an annotation: per
/// severity at most [`LIMIT`], taken round by round over the rules in rank
/// order (each rule's first finding, then each rule's second, …), so that a
/// rule repeated on every flow cannot crowd the other rules out.
pub fn annotated(ordered: &[&Finding]) -> Vec<bool> {
    let mut keep = vec![false; ordered.len()];
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        // Each rule's findings, the rules in order of their first finding.
        let mut rules: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, finding) in ordered.iter().enumerate() {
            if finding.severity != severity {
                continue;
            }
            match rules.iter_mut().find(|(rule, _)| *rule == finding.rule) {
                Some((_, indices)) => indices.push(i),
                None => rules.push((&finding.rule, vec![i])),
            }
        }
        let mut taken = 0;
        for round in 0.. {
            if taken == LIMIT || rules.iter().all(|(_, indices)| indices.len() <= round) {
                break;
            }
            for (_, indices) in &rules {
                if taken < LIMIT && round < indices.len() {
                    keep[indices[round]] = true;
                    taken += 1;
                }
            }
        }
    }
    keep
}

/// How many findings have no annotation, by kind, and where to see them.
fn left_out_line([infos, warnings, errors]: [usize; 3], lang: crate::lang::Lang) -> String {
    let total = infos + warnings + errors;
    let parts: Vec<String> = [
        (errors, "error(s)", "个错误"),
        (warnings, "warning(s)", "个警告"),
        (infos, "notice(s)", "个提示"),
    ]
    .iter()
    .filter(|(n, ..)| *n > 0)
    .map(|(n, en, zh)| tr(lang, format!("{n} {en}"), format!("{n} {zh}")))
    .collect();
    tr(
        lang,
        format!(
            "privflow: {total} more finding(s) not annotated ({}): GitHub shows only {LIMIT} errors, \
             {LIMIT} warnings and {LIMIT} notices per step. Every finding is in the job summary, \
             in code scanning (the SARIF upload) and in `--format json`.",
            parts.join(", ")
        ),
        format!(
            "privflow：另有 {total} 个问题未作为注解显示（{}）：GitHub 每个步骤只显示 {LIMIT} 个错误、\
             {LIMIT} 个警告和 {LIMIT} 个提示。全部问题见作业摘要（job summary）、代码扫描（上传的 SARIF）\
             和 `--format json` 的输出。",
            parts.join("，")
        ),
    )
}

/// Appends the full Markdown report to the step summary file at `path`
/// (the value of [`STEP_SUMMARY`]), where every finding is listed.
pub fn append_step_summary(report: &Report, path: &Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    super::markdown::write(report, &mut out)?;
    // A blank line keeps it apart from whatever an earlier step wrote.
    out.write_all(b"\n")?;
    out.flush()
}

fn command(finding: &Finding, lang: crate::lang::Lang, base: &Path) -> String {
    let name = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let l = finding.location();
    let mut properties = vec![("file", relative_path(&finding.file, base))];
    // A finding without a position (line 0) annotates the whole file.
    if l.line > 0 {
        properties.push(("line", l.line.to_string()));
        properties.push(("col", l.column.to_string()));
        properties.push(("endLine", l.end_line.max(l.line).to_string()));
        properties.push(("endColumn", l.end_column.to_string()));
    }
    let title = match law_of(finding) {
        Some(law) => format!("privflow {} ({law})", finding.rule),
        None => format!("privflow {}", finding.rule),
    };
    properties.push(("title", title));
    let properties: Vec<String> = properties
        .into_iter()
        .map(|(key, value)| format!("{key}={}", escape_property(&value)))
        .collect();
    let mut message = finding.message.clone();
    if !finding.help.is_empty() {
        message.push('\n');
        message.push_str(&tr(lang, "help: ", "修复建议："));
        message.push_str(&finding.help);
    }
    format!("::{name} {}::{}", properties.join(","), escape_data(&message))
}

/// The finding's law; `None` where its rule cites none (annotated `—`).
pub fn law_of(finding: &Finding) -> Option<&str> {
    let law = finding.law.trim();
    (!law.is_empty() && law != "—" && law != "-").then_some(law)
}

/// Escapes a command's message (GitHub's `escapeData`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (GitHub's `escapeProperty`): also `:` and `,`,
/// which would otherwise end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `file` relative to `base`, with `/` separators and without `./`: the form
/// GitHub and SARIF consumers resolve against the repository root. Purely
/// lexical (no file-system access), so it cannot fail.
pub fn relative_path(file: &str, base: &Path) -> String {
    let path = Path::new(file);
    let relative = if path.is_absolute() && base.is_absolute() {
        lexical_diff(&normalise(path), &normalise(base)).unwrap_or_else(|| path.to_path_buf())
    } else {
        normalise(path)
    };
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/").replace('\\', "/");
    // A root component renders as "/" itself, giving "//x" after the join.
    if let Some(rest) = joined.strip_prefix("//") {
        format!("/{rest}")
    } else {
        joined
    }
}

/// Drops `.` components and folds `dir/..` where a normal component precedes.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `base`, both absolute and normalised; `None` when they
/// share no root (another drive on Windows).
fn lexical_diff(path: &Path, base: &Path) -> Option<PathBuf> {
    let path: Vec<Component> = path.components().collect();
    let base: Vec<Component> = base.components().collect();
    if path.first() != base.first() {
        return None;
    }
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for component in &path[common..] {
        out.push(component.as_os_str());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn paths_become_relative() {
        let base = Path::new("/repo");
        assert_eq!(relative_path("./examples/a.flows.yaml", base), "examples/a.flows.yaml");
        assert_eq!(relative_path("/repo/examples/a.yaml", base), "examples/a.yaml");
        assert_eq!(relative_path("/other/a.yaml", base), "../other/a.yaml");
        assert_eq!(relative_path("x/../../a.yaml", base), "../a.yaml");
        assert_eq!(relative_path("a.yaml", Path::new("relative")), "a.yaml");
    }
}
