//! `privflow test`: rule packs tested by example. A case is a directory with
//! a manifest and an `expected.yaml` listing every finding it must produce
//! (rule, flow, recipient); the comparison is exact. Coverage says which rules
//! no case makes fire.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, InputError, Text};
use crate::run::{FailOn, Options};

/// The name of a case's expectations file.
pub const EXPECTED: &str = "expected.yaml";

/// What a case expects: every finding, and the date it is judged on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The run's date (waivers, assessments); default: the run's `--today`.
    pub today: Option<crate::manifest::model::Date>,
    #[serde(default)]
    pub findings: Vec<Key>,
}

/// A finding as a case names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Key {
    pub rule: String,
    #[serde(default)]
    pub flow: Option<String>,
    #[serde(default)]
    pub recipient: Option<String>,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.rule)?;
        if let Some(flow) = &self.flow {
            write!(f, " · flow {flow}")?;
        }
        if let Some(recipient) = &self.recipient {
            write!(f, " · recipient {recipient}")?;
        }
        Ok(())
    }
}

/// One case's result.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The case directory, as found under the given path.
    pub name: String,
    pub passed: bool,
    /// Expected findings the run did not produce.
    pub missing: Vec<Key>,
    /// Findings the run produced that the case does not expect.
    pub unexpected: Vec<Key>,
    /// Why the case could not run (its manifest or expectations are broken).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The rules the case made fire.
    #[serde(skip)]
    pub fired: BTreeSet<String>,
}

/// Which rules the cases make fire.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// The rules counted: a team's own with `--policies`, else the built-in
    /// pack; rules that judge only changes (`privflow diff`) are left out.
    pub rules: usize,
    pub fired: usize,
    pub percent: f64,
    pub not_fired: Vec<String>,
}

/// All cases of a run and the coverage.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub schema_version: u32,
    pub cases: Vec<CaseResult>,
    pub coverage: Coverage,
    #[serde(skip)]
    pub lang: crate::lang::Lang,
}

impl Outcome {
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }

    pub fn failed(&self) -> bool {
        self.cases.iter().any(|c| !c.passed)
    }
}

/// Every case directory under `root` (any depth), sorted.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, InputError> {
    if !root.is_dir() {
        return Err(InputError::new(
            Code::NoSuchPath,
            Text::new(
                format!("`{}` is not a directory of test cases", root.display()),
                format!("`{}` 不是测试用例目录", root.display()),
            ),
        )
        .with_help(Text::new(
            "give a directory whose subdirectories each hold a manifest and an expected.yaml",
            "请指定一个目录，其子目录各含一个清单和一个 expected.yaml",
        )));
    }
    let mut cases = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join(EXPECTED).is_file() {
            cases.push(dir.clone());
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    cases.sort();
    Ok(cases)
}

/// Runs every case under `root` with the built-in pack plus `policies`.
pub fn run(root: &Path, options: &Options, lang: crate::lang::Lang) -> Result<Outcome, InputError> {
    let cases = discover(root)?;
    let results: Vec<CaseResult> = cases.iter().map(|dir| run_case(root, dir, options)).collect();
    let dirs: Vec<&Path> = options.policies.iter().map(PathBuf::as_path).collect();
    let pack = crate::RulePack::load(&dirs).map_err(|mut errors| errors.remove(0))?;
    let counted: Vec<String> = pack
        .rules()
        .filter(|r| !r.judges_changes() && (options.policies.is_empty() || !r.builtin))
        .map(|r| r.id.clone())
        .collect();
    let fired: BTreeSet<&String> = results.iter().flat_map(|c| &c.fired).collect();
    let not_fired: Vec<String> = counted.iter().filter(|r| !fired.contains(r)).cloned().collect();
    let fired_count = counted.len() - not_fired.len();
    let percent = if counted.is_empty() {
        100.0
    } else {
        (fired_count as f64 * 1000.0 / counted.len() as f64).round() / 10.0
    };
    Ok(Outcome {
        schema_version: crate::SCHEMA_VERSION,
        cases: results,
        coverage: Coverage {
            rules: counted.len(),
            fired: fired_count,
            percent,
            not_fired,
        },
        lang,
    })
}

fn run_case(root: &Path, dir: &Path, options: &Options) -> CaseResult {
    let name = dir
        .strip_prefix(root)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(dir)
        .display()
        .to_string();
    let failed = |error: String| CaseResult {
        name: name.clone(),
        passed: false,
        missing: Vec::new(),
        unexpected: Vec::new(),
        error: Some(error),
        fired: BTreeSet::new(),
    };
    let expected: Expected = match std::fs::read_to_string(dir.join(EXPECTED))
        .map_err(|e| e.to_string())
        .and_then(|text| serde_yaml::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(expected) => expected,
        Err(e) => return failed(format!("{EXPECTED}: {e}")),
    };
    let options = Options {
        today: expected.today.map(|d| d.0).or(options.today),
        fail_on: Some(FailOn::Never),
        ..options.clone()
    };
    // Only the case's own manifests: its expected.yaml is not one.
    let report = match crate::check(&[dir], &options) {
        Ok(report) => report,
        Err(errors) => return failed(errors.render_plain()),
    };
    if report.summary.files == 0 {
        return failed("no manifest in the case directory".to_string());
    }
    let key = |f: &crate::Finding| Key {
        rule: f.rule.to_string(),
        flow: f.flow.clone(),
        recipient: f.recipient.clone(),
    };
    let mut actual: Vec<Key> = report.findings.iter().map(key).collect();
    let fired = actual.iter().map(|k| k.rule.clone()).collect();
    let mut wanted = expected.findings.clone();
    // Exact comparison as multisets: each expected finding takes one actual.
    let mut missing = Vec::new();
    wanted.sort();
    actual.sort();
    for want in wanted {
        match actual.iter().position(|a| *a == want) {
            Some(i) => {
                actual.remove(i);
            }
            None => missing.push(want),
        }
    }
    CaseResult {
        name,
        passed: missing.is_empty() && actual.is_empty(),
        missing,
        unexpected: actual,
        error: None,
        fired,
    }
}
