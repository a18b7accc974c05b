//! `--format github`: one GitHub Actions workflow command per finding, so
//! each finding shows as an annotation on the pull request's diff.
//!
//! Grammar: `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=T::MESSAGE`.

use std::path::{Component, Path, PathBuf};

use crate::diagnostics::tr;
use crate::finding::{Finding, Severity};
use crate::Report;

/// Renders every finding as a workflow command; `base` is the directory
/// paths are made relative to (the working directory, i.e. the checkout).
pub fn render(report: &Report, base: &Path) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&command(finding, report.lang, base));
        out.push('\n');
    }
    out
}

fn command(finding: &Finding, lang: crate::lang::Lang, base: &Path) -> String {
    let name = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let l = finding.location;
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
