//! The CI formats (sarif, junit, github, markdown) of every shipped example:
//! snapshots, plus checks against each format's own grammar — the SARIF
//! 2.1.0 schema, JUnit XML counts, the GitHub workflow-command syntax and
//! well-formed Markdown tables. (human and json are in tests/examples.rs.)

use std::process::Command;

mod common;
use common::privflow;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

const TODAY: &str = "2026-11-23";

/// `privflow check EXAMPLE --format FORMAT`, which must not be an input error.
fn check(example: &str, format: &str) -> String {
    let (code, stdout, stderr) = privflow(&["check", example, "--format", format, "--today", TODAY]);
    assert!(
        code == 0 || code == 1,
        "{example} --format {format}: exit {code}\n{stderr}"
    );
    stdout
}

/// Every manifest under examples/, relative to the crate root, sorted.
fn examples() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(root.join("examples"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.to_string_lossy().ends_with(".flows.yaml") || p.ends_with("privflow.yaml"))
        // A team's rule pack with its test cases: `privflow test` runs those.
        .filter(|p| !p.to_string_lossy().contains("examples/team-rules/"))
        .collect();
    found.sort();
    let list: Vec<String> = found
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    assert!(list.len() >= 10, "examples: {list:?}");
    list
}

fn snapshot_name(example: &str, format: &str) -> String {
    let stem = example
        .trim_start_matches("examples/")
        .trim_end_matches(".yaml")
        .replace('/', "__");
    format!("{format}__{stem}")
}

/// The JSON report's findings of one example.
fn json_findings(example: &str) -> Vec<Value> {
    let report: Value = serde_json::from_str(&check(example, "json")).unwrap();
    report["findings"].as_array().unwrap().clone()
}

/// Snapshots stay valid across releases: the crate version is masked.
fn version_filter() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex::escape(env!("CARGO_PKG_VERSION")), "[VERSION]");
    settings
}

#[test]
fn sarif_of_every_example() {
    for example in examples() {
        let mut sarif: Value = serde_json::from_str(&check(&example, "sarif")).unwrap();
        // The rule list is the same in every run; one snapshot below holds it
        // whole, the others name the rules only.
        let rules = &mut sarif["runs"][0]["tool"]["driver"]["rules"];
        let ids: Vec<Value> = rules.as_array().unwrap().iter().map(|r| r["id"].clone()).collect();
        *rules = Value::Array(ids);
        let text = serde_json::to_string_pretty(&sarif).unwrap();
        version_filter().bind(|| insta::assert_snapshot!(snapshot_name(&example, "sarif"), text));
    }
}

#[test]
fn sarif_rule_metadata() {
    let text = check("examples/focused/cross-border.flows.yaml", "sarif");
    version_filter().bind(|| insta::assert_snapshot!("sarif_full__focused__cross-border.flows", text));
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/fixtures/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    // The validator does reject what is not SARIF.
    assert!(!validator.is_valid(&serde_json::json!({ "version": "2.1.0", "runs": [{ "results": [] }] })));
    for example in examples() {
        for lang in ["en", "zh"] {
            let (_, stdout, _) = privflow(&["check", &example, "--format", "sarif", "--lang", lang, "--today", TODAY]);
            let sarif: Value = serde_json::from_str(&stdout).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&sarif)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{example} ({lang}): {errors:#?}");
        }
    }
}

/// What GitHub code scanning needs beyond the schema: rules with help and a
/// level, results that point at a rule and a region, and fingerprints that
/// are unique in a run and the same in the next.
#[test]
fn sarif_meets_code_scanning_expectations() {
    for example in examples() {
        let first: Value = serde_json::from_str(&check(&example, "sarif")).unwrap();
        let again: Value = serde_json::from_str(&check(&example, "sarif")).unwrap();
        let run = &first["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "privflow");
        assert!(driver["version"].is_string() && driver["informationUri"].is_string());
        let rules = driver["rules"].as_array().unwrap();
        for rule in rules {
            for key in ["id", "name"] {
                assert!(rule[key].is_string(), "{example}: rule without {key}: {rule}");
            }
            for key in ["shortDescription", "fullDescription"] {
                assert!(!rule[key]["text"].as_str().unwrap().is_empty(), "{example}: {rule}");
            }
            assert!(rule["help"]["text"].is_string() && rule["help"]["markdown"].is_string());
            assert!(["error", "warning", "note"].contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
        }
        let results = run["results"].as_array().unwrap();
        // Waived findings are results too, marked suppressed.
        let report: Value = serde_json::from_str(&check(&example, "json")).unwrap();
        let suppressed = report["suppressed"].as_array().map_or(0, Vec::len);
        assert_eq!(results.len(), json_findings(&example).len() + suppressed, "{example}");
        let mut fingerprints = BTreeSet::new();
        for result in results {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"], "{example}");
            let location = &result["locations"][0]["physicalLocation"];
            let uri = location["artifactLocation"]["uri"].as_str().unwrap();
            assert!(uri.starts_with("examples/") && !uri.starts_with('/'), "{uri}");
            let region = &location["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().unwrap() >= 1, "{example}: {region}");
            }
            assert!(region["endLine"].as_u64() >= region["startLine"].as_u64());
            let fingerprint = result["partialFingerprints"]["privflow/v1"].as_str().unwrap();
            assert!(
                fingerprints.insert(fingerprint.to_string()),
                "{example}: duplicate {fingerprint}"
            );
        }
        assert_eq!(
            first["runs"][0]["results"], again["runs"][0]["results"],
            "{example}: not stable across runs"
        );
    }
}

#[test]
fn junit_of_every_example() {
    for example in examples() {
        insta::assert_snapshot!(snapshot_name(&example, "junit"), check(&example, "junit"));
    }
}

/// The XML parses; one testsuite per manifest, one failing testcase per
/// finding (named after its rule and target), and one passing testcase for
/// the product and for each flow without findings.
#[test]
fn junit_counts_match_the_findings() {
    for example in examples() {
        let xml = check(&example, "junit");
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{example}: {e}\n{xml}"));
        let manifest: Value = serde_yaml::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
        let flows: Vec<&str> = manifest["flows"]
            .as_array()
            .map(|f| f.iter().map(|f| f["id"].as_str().unwrap()).collect())
            .unwrap_or_default();
        let findings = json_findings(&example);

        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
        assert_eq!(suites.len(), 1, "{example}");
        let suite = suites[0];
        assert_eq!(suite.attribute("name"), Some(example.as_str()));
        let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        let count = findings.len().to_string();
        assert_eq!(suite.attribute("failures"), Some(count.as_str()), "{example}");
        assert_eq!(root.attribute("failures"), Some(count.as_str()), "{example}");
        assert_eq!(suite.attribute("tests"), Some(cases.len().to_string().as_str()));

        // Each finding is one failing testcase: its rule as the type and the
        // start of the name, its flow or recipient in the name.
        let mut expected: Vec<String> = findings
            .iter()
            .map(|f| {
                let target = match (f["flow"].as_str(), f["recipient"].as_str()) {
                    (Some(flow), _) => format!("flow {flow}"),
                    (None, Some(recipient)) => format!("recipient {recipient}"),
                    (None, None) => "product".to_string(),
                };
                format!("{} · {target}", f["rule"].as_str().unwrap())
            })
            .collect();
        let mut failing = Vec::new();
        let mut passing = Vec::new();
        for case in &cases {
            let name = case.attribute("name").unwrap().to_string();
            let failures: Vec<_> = case.children().filter(|n| n.has_tag_name("failure")).collect();
            match failures.as_slice() {
                [] => passing.push(name),
                [failure] => {
                    let rule = failure.attribute("type").unwrap();
                    assert!(name.starts_with(&format!("{rule} · ")), "{example}: {name}");
                    failing.push(name);
                }
                _ => panic!("{example}: {name} has {} failures", failures.len()),
            }
        }
        expected.sort();
        failing.sort();
        assert_eq!(failing, expected, "{example}");

        // What was checked and found clean still shows.
        let mut clean: Vec<String> = flows
            .iter()
            .filter(|id| !findings.iter().any(|f| f["flow"].as_str() == Some(**id)))
            .map(|id| format!("flow {id}"))
            .collect();
        if !findings.iter().any(|f| f["flow"].is_null() && f["recipient"].is_null()) {
            clean.insert(0, "product".to_string());
        }
        assert_eq!(passing, clean, "{example}");
    }
}

/// (testcases, the `failures` attribute of the testsuites, `<failure>`
/// elements) of a JUnit report.
fn junit_counts(xml: &str) -> (usize, usize, usize) {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let attribute = |name: &str| doc.root_element().attribute(name).unwrap().parse::<usize>().unwrap();
    let failures = doc.descendants().filter(|n| n.has_tag_name("failure")).count();
    (attribute("tests"), attribute("failures"), failures)
}

/// A test reporter's failure count is the finding count, also where one
/// flow has several findings (the JUnit report once had one failure per
/// flow).
#[test]
fn junit_has_one_failure_per_finding() {
    let leliao = "examples/leliao.flows.yaml";
    let findings = json_findings(leliao).len();
    assert!(findings > 20, "{findings}");
    let (tests, failures, elements) = junit_counts(&check(leliao, "junit"));
    assert_eq!((failures, elements), (findings, findings));
    // leliao's product has findings of its own (face filing, copy right):
    // no passing testcase.
    assert_eq!(tests, findings);

    // sync: two findings; backup: two expired waivers (same rule and flow,
    // so the testcase names add the line); the product: clean.
    let two = "tests/fixtures/two-findings.flows.yaml";
    assert_eq!(json_findings(two).len(), 4);
    let xml = check(two, "junit");
    assert_eq!(junit_counts(&xml), (5, 4, 4));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "product",
            "retention-missing · flow sync",
            "transport-unencrypted · flow sync",
            "waiver-expired · flow backup (line 28)",
            "waiver-expired · flow backup (line 32)",
        ]
    );
}

#[test]
fn github_of_every_example() {
    for example in examples() {
        insta::assert_snapshot!(snapshot_name(&example, "github"), check(&example, "github"));
    }
}

/// Every line is a workflow command: a known command, the properties GitHub
/// reads with `,` and `:` escaped inside values, and a one-line message.
#[test]
fn github_lines_follow_the_workflow_command_grammar() {
    let grammar = regex::Regex::new(
        r"^::(error|warning|notice) file=[^,:\r\n]+,line=[1-9][0-9]*,col=[1-9][0-9]*,endLine=[1-9][0-9]*,endColumn=[1-9][0-9]*,title=[^,:\r\n]+::[^\r\n]+$",
    )
    .unwrap();
    for example in examples() {
        let text = check(&example, "github");
        let mut lines: Vec<&str> = text.lines().collect();
        // Beyond GitHub's limits, a last plain line says what was left out.
        if lines.last().is_some_and(|l| l.starts_with("privflow: ")) {
            lines.pop();
            assert!(json_findings(&example).len() > lines.len(), "{example}");
        } else {
            assert_eq!(lines.len(), json_findings(&example).len(), "{example}");
        }
        for line in lines {
            assert!(grammar.is_match(line), "{example}: {line}");
            // `%` only ever starts an escape.
            let rest = ["%25", "%0D", "%0A", "%3A", "%2C"]
                .iter()
                .fold(line.to_string(), |text, escape| text.replace(escape, ""));
            assert!(!rest.contains('%'), "{example}: stray % in {line}");
        }
    }
}

#[test]
fn markdown_of_every_example() {
    for example in examples() {
        insta::assert_snapshot!(snapshot_name(&example, "markdown"), check(&example, "markdown"));
    }
}

#[test]
fn markdown_in_chinese() {
    let (_, stdout, _) = privflow(&[
        "check",
        "examples/focused/cross-border.flows.yaml",
        "--format",
        "markdown",
        "--lang",
        "zh",
        "--today",
        TODAY,
    ]);
    insta::assert_snapshot!(stdout);
}

/// Every table row has as many cells as its header: a `|` inside a cell
/// is escaped, a newline is a `<br>`.
#[test]
fn markdown_tables_are_well_formed() {
    let cells = |row: &str| {
        let mut count = 0;
        let mut escaped = false;
        for c in row.trim().trim_matches('|').chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => count += 1,
                _ => escaped = false,
            }
        }
        count + 1
    };
    for example in examples() {
        let text = check(&example, "markdown");
        let mut header = None;
        for line in text.lines() {
            if line.starts_with('|') {
                let n = cells(line);
                let expected = *header.get_or_insert(n);
                assert_eq!(n, expected, "{example}: {line}");
            } else {
                header = None;
            }
        }
    }
}

/// A rule that only `.privflow.yaml` loads gets a SARIF rule entry from its
/// annotations, and the log stays valid.
#[test]
fn sarif_describes_custom_rules_from_the_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::copy(
        root.join("tests/fixtures/policies/good/marketing.cedar"),
        dir.path().join("rules/marketing.cedar"),
    )
    .unwrap();
    std::fs::copy(
        root.join("tests/fixtures/policies/marketing.flows.yaml"),
        dir.path().join("marketing.flows.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join(".privflow.yaml"), "policies: [rules]\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args(["check", ".", "--format", "sarif", "--today", TODAY])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "no-face-for-marketing");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "marketing.flows.yaml"
    );
    let rule = &run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "no-face-for-marketing");
    assert!(rule["help"]["text"].as_str().unwrap().contains("PIPL 6"));
    assert_eq!(
        rule["fullDescription"]["text"],
        "Customers were promised that their face is used only to sign in."
    );

    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/fixtures/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    assert!(jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
        .is_valid(&sarif));
}

/// The kind of each workflow command (`error`, `warning`, `notice`) and the
/// rule named in its title.
fn annotations(text: &str) -> Vec<(String, String)> {
    let command = regex::Regex::new(r"^::(error|warning|notice) .*title=privflow ([a-z0-9-]+)").unwrap();
    text.lines()
        .filter_map(|line| command.captures(line))
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

/// The counter example has 26 errors and 4 warnings: GitHub would show 10
/// errors, so privflow emits exactly 10, the 4 warnings, and one line on the
/// 16 it left out.
#[test]
fn github_stays_within_ten_annotations_of_each_kind() {
    let example = "examples/leliao.flows.yaml";
    let findings = json_findings(example);
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert!(errors > 10, "the test needs more than 10 errors, has {errors}");
    let text = check(example, "github");
    let lines: Vec<&str> = text.lines().collect();
    let count = |kind: &str| lines.iter().filter(|l| l.starts_with(&format!("::{kind} "))).count();
    assert_eq!(count("error"), 10);
    assert_eq!(count("warning"), findings.len() - errors);
    assert_eq!(lines.len(), 10 + (findings.len() - errors) + 1);
    let left_out = errors - 10;
    assert_eq!(
        lines.last().copied(),
        Some(
            format!(
                "privflow: {left_out} more finding(s) not annotated ({left_out} error(s)): GitHub shows only 10 \
                 errors, 10 warnings and 10 notices per step. Every finding is in the job summary, in code \
                 scanning (the SARIF upload) and in `--format json`."
            )
            .as_str()
        )
    );
    // Every rule with an error gets an annotation before any rule a second.
    let error_rules: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    let shown: BTreeSet<String> = annotations(&text).into_iter().map(|(_, rule)| rule).collect();
    for rule in error_rules {
        assert!(shown.contains(rule), "{rule} has no annotation");
    }
}

/// Errors before warnings, and within a severity the rules in pack order,
/// whatever their lines: in the counter example a warning (line 66) and
/// `retention-missing` (line 64) precede `consent-implied` (line 72).
#[test]
fn github_orders_by_severity_then_rule_rank() {
    let pack = privflow::RulePack::builtin().unwrap_or_else(|_| panic!("built-in pack"));
    let rank = |rule: &str| pack.rule(rule).map(|r| r.rank).unwrap();
    let severity = |kind: &str| match kind {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    };
    let text = check("examples/leliao.flows.yaml", "github");
    let shown = annotations(&text);
    assert!(shown.iter().any(|(kind, _)| kind == "warning"));
    let keys: Vec<(i32, usize)> = shown.iter().map(|(kind, rule)| (severity(kind), rank(rule))).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "{shown:?}");
    // The report order (by line) would have put other rules first.
    let json = json_findings("examples/leliao.flows.yaml");
    assert_ne!(json[0]["rule"], shown[0].1.as_str());
}

/// `privflow check --format FORMAT` with `GITHUB_STEP_SUMMARY` set to
/// `summary` (or removed when `None`), in a fresh directory.
fn check_with_step_summary(format: &str, summary: Option<&Path>) -> (i32, String) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/leliao.flows.yaml");
    let mut command = Command::new(env!("CARGO_BIN_EXE_privflow"));
    command
        .args(["check", example.to_str().unwrap(), "--format", format, "--today", TODAY])
        .env("NO_COLOR", "1");
    match summary {
        Some(path) => command.env("GITHUB_STEP_SUMMARY", path),
        None => command.env_remove("GITHUB_STEP_SUMMARY"),
    };
    let out = command.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// With `GITHUB_STEP_SUMMARY` set, `--format github` appends the whole
/// Markdown report to that file (once per run), and prints the same
/// annotations as without it.
#[test]
fn github_appends_the_markdown_report_to_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let (code, with) = check_with_step_summary("github", Some(&summary));
    assert_eq!(code, 1);
    let (_, markdown) = check_with_step_summary("markdown", None);
    let written = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(written, format!("earlier step\n{markdown}\n"));
    let (code, again) = check_with_step_summary("github", Some(&summary));
    assert_eq!(code, 1);
    assert_eq!(again, with);
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap(),
        format!("earlier step\n{markdown}\n{markdown}\n")
    );
    // Every finding is there, annotated or not.
    for finding in json_findings("examples/leliao.flows.yaml") {
        assert!(written.contains(finding["message"].as_str().unwrap()), "{finding}");
    }
}

/// Without the variable nothing is written; other formats never write it.
#[test]
fn the_step_summary_is_written_only_by_github_with_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let (_, without) = check_with_step_summary("github", None);
    assert!(!summary.exists());
    for format in ["human", "json", "sarif", "junit", "markdown"] {
        check_with_step_summary(format, Some(&summary));
        assert!(!summary.exists(), "--format {format} wrote the step summary");
    }
    let (_, with) = check_with_step_summary("github", Some(&summary));
    assert_eq!(with, without);
    assert!(summary.exists());
}

/// An unwritable step summary is a write error (exit 2), not a panic.
#[test]
fn an_unwritable_step_summary_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _) = check_with_step_summary("github", Some(dir.path()));
    assert_eq!(code, 2);
}

/// A run keeps of each manifest only what its formats read (`Options::keep`,
/// set by the CLI from `--format`): the findings and every format's output
/// are the same whatever it keeps.
#[test]
fn a_run_keeps_only_what_its_formats_read() {
    use privflow::report::Format;
    use privflow::{Keep, KeepSources, Options};
    let clean = "examples/focused/clean.flows.yaml";
    let found = "examples/focused/cross-border.flows.yaml";
    let run = |keep: Keep| {
        let options = Options {
            today: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()),
            keep,
            ..Options::default()
        };
        privflow::check(&[clean, found], &options).unwrap_or_else(|e| panic!("{}", e.render_plain()))
    };
    let all = run(Keep::default());
    assert_eq!(all.sources.keys().collect::<Vec<_>>(), [clean, found]);
    assert_eq!(all.manifests.len(), 2);

    let nothing = run(Keep::NOTHING);
    assert!(nothing.sources.is_empty() && nothing.manifests.is_empty());
    let quoted = run(Keep {
        sources: KeepSources::WithFindings,
        ..Keep::NOTHING
    });
    assert_eq!(quoted.sources.keys().collect::<Vec<_>>(), [found]);
    assert!(quoted.manifests.is_empty());
    // The human report quotes texts only up to a few findings.
    assert_eq!(run(Format::Human.keeps()).sources.keys().collect::<Vec<_>>(), [found]);
    let listed = run(Keep {
        manifests: true,
        ..Keep::NOTHING
    });
    assert!(listed.sources.is_empty());
    assert_eq!(listed.manifests.len(), 2);
    // JUnit names the product and the flows: their ids, not the manifests.
    let outlined = run(Format::Junit.keeps());
    assert!(outlined.sources.is_empty() && outlined.manifests.is_empty());
    let flows: Vec<usize> = outlined.outlines.iter().map(|(_, o)| o.flows.len()).collect();
    assert_eq!(
        flows,
        all.manifests.iter().map(|(_, m, _)| m.flows.len()).collect::<Vec<_>>()
    );

    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (format, kept) in [
        (Format::Json, &nothing),
        (Format::Sarif, &nothing),
        (Format::Github, &nothing),
        (Format::Human, &quoted),
        (Format::Junit, &outlined),
        (Format::Markdown, &listed),
    ] {
        assert_eq!(kept.findings, all.findings);
        assert_eq!(kept.summary, all.summary);
        let whole = format.render(&all, base, false);
        assert_eq!(format.render(kept, base, false), whole, "{format:?}");
        // Written through a writer as the CLI does, byte for byte the text.
        let mut written = Vec::new();
        format.write(kept, base, false, &mut written).unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), whole, "{format:?}");
    }
}

/// Past a dozen findings the human report is compact and quotes no text, so
/// a run for it keeps none; against a baseline (fewer findings shown) the
/// CLI keeps them.
#[test]
fn a_long_human_report_keeps_no_text() {
    use privflow::report::Format;
    use privflow::{Keep, Options};
    let paths = ["examples/focused/cross-border.flows.yaml", "examples/leliao.flows.yaml"];
    let run = |keep: Keep| {
        let options = Options {
            today: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()),
            keep,
            ..Options::default()
        };
        privflow::check(&paths, &options).unwrap_or_else(|e| panic!("{}", e.render_plain()))
    };
    let all = run(Keep::default());
    let human = run(Format::Human.keeps());
    assert!(human.findings.len() > 12, "{}", human.findings.len());
    assert!(human.sources.is_empty(), "{:?}", human.sources.keys());
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        Format::Human.render(&human, base, false),
        Format::Human.render(&all, base, false)
    );
}
