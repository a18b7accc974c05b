//! The README and the pages under docs/ stay true: every relative link leads
//! to a file (and a heading, when it names one), every page is reachable from
//! the README, the example manifests pass, the commands shown print what
//! is shown, every input error code is listed, every instrument a rule cites is listed under "Law sources",
//! and the "Catalogue sources" record in docs/scan.md matches data/sdks.yaml.

mod common;
use common::{privflow, privflow_in};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// README.md and every Markdown page under docs/, sorted.
fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages.insert(0, root().join("README.md"));
    pages
}

/// The lines of a Markdown text outside fenced code blocks, with inline code
/// spans removed, so that code that looks like a link or a heading is neither.
fn prose(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop `code` spans but keep what surrounds them.
        let mut kept = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                kept.push_str(part);
            }
        }
        out.push(kept);
    }
    out
}

/// The targets of the inline links `[text](target)` of a Markdown text.
fn link_targets(text: &str) -> Vec<String> {
    let link = regex::Regex::new(r"\]\(([^()\s]+)\)").unwrap();
    prose(text)
        .iter()
        .flat_map(|line| link.captures_iter(line).map(|c| c[1].to_string()).collect::<Vec<_>>())
        .collect()
}

/// GitHub's anchors for the headings of a Markdown text: lower case,
/// punctuation dropped, spaces turned into hyphens, repeats numbered.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        if fenced {
            continue;
        }
        let heading = heading.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let slug: String = heading
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut anchor = slug.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{slug}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

fn is_external(target: &str) -> bool {
    ["http://", "https://", "mailto:"].iter().any(|s| target.starts_with(s))
}

#[test]
fn relative_links_lead_to_existing_files_and_headings() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = read(&page);
        let dir = page.parent().unwrap();
        for target in link_targets(&text) {
            if is_external(&target) {
                continue;
            }
            checked += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() { page.clone() } else { dir.join(path) };
            if !file.exists() {
                broken.push(format!("{}: {target} (no such file)", page.display()));
                continue;
            }
            let is_markdown = file.extension().is_some_and(|e| e == "md");
            if let (Some(anchor), true) = (anchor, is_markdown) {
                if !anchors(&read(&file)).contains(anchor) {
                    broken.push(format!("{}: {target} (no such heading)", page.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    // The README and the pages link to each other and into the repository.
    assert!(
        checked >= 20,
        "only {checked} relative links found: is the link parser broken?"
    );
}

#[test]
fn link_checker_sees_broken_links_and_ignores_code() {
    let text = "See [a](docs/a.md#b) and [`x`](../x.yml).\n\
                `[not](a-link.md)`\n\
                ```md\n[not](a-link-either.md)\n```\n\
                [web](https://example.com)\n";
    assert_eq!(link_targets(text), ["docs/a.md#b", "../x.yml", "https://example.com"]);
    let headings =
        "# Title\n## Editors: `privflow schema`\n## 个人信息 · Personal\n## Title\n```sh\n# not a heading\n```\n";
    let expected: BTreeSet<String> = ["title", "editors-privflow-schema", "个人信息--personal", "title-1"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(anchors(headings), expected);
}

#[test]
fn every_docs_page_is_linked_from_the_readme() {
    let targets: BTreeSet<String> = link_targets(&read(&root().join("README.md")))
        .into_iter()
        .map(|t| t.split('#').next().unwrap().to_string())
        .collect();
    for page in pages().iter().skip(1) {
        let name = format!("docs/{}", page.file_name().unwrap().to_string_lossy());
        assert!(targets.contains(&name), "README.md does not link to {name}");
    }
}

/// The text of the first fenced block of `lang` after `heading`.
fn block_after<'a>(text: &'a str, heading: &str, lang: &str) -> &'a str {
    let section = &text[text.find(heading).unwrap_or_else(|| panic!("no {heading}"))..];
    let open = format!("```{lang}\n");
    let start = section
        .find(&open)
        .unwrap_or_else(|| panic!("no {lang} block after {heading}"))
        + open.len();
    let len = section[start..].find("```").expect("closing fence");
    &section[start..start + len]
}

#[test]
fn readme_example_manifest_passes_check() {
    let readme = read(&root().join("README.md"));
    let manifest = block_after(&readme, "\n## The manifest\n", "yaml");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("privflow.yaml"), manifest).unwrap();
    let (code, stdout, stderr) = privflow_in(dir.path(), &["check", "--today", "2026-11-23"]);
    assert_eq!(
        stdout, "privflow: checked 1 file(s), 1 flow(s): 0 error(s), 0 warning(s), 0 info(s), 0 waived\n",
        "the README says its example passes with no finding:\n{stderr}"
    );
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn manifest_reference_example_passes_check() {
    let page = read(&root().join("docs/manifest.md"));
    let manifest = block_after(&page, "\n## Every field\n", "yaml");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("privflow.yaml"), manifest).unwrap();
    // The example names its notice; one that discloses the face data will do.
    std::fs::create_dir(dir.path().join("notices")).unwrap();
    std::fs::write(
        dir.path().join("notices/privacy.md"),
        "我们收集人脸信息，用于核验身份。\n",
    )
    .unwrap();
    let (code, stdout, stderr) = privflow_in(dir.path(), &["check", "--today", "2026-11-23", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    // The example's waiver shows the syntax; with nothing to waive it is unused.
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["waiver-unused"], "{stdout}");
}

#[test]
fn errors_page_lists_every_input_error_code() {
    let page = read(&root().join("docs/errors.md"));
    let start = page.find("<!-- codes:start -->\n").expect("codes:start marker") + "<!-- codes:start -->\n".len();
    let end = page.find("<!-- codes:end -->").expect("codes:end marker");
    let mut table = String::from("| code | meaning |\n|---|---|\n");
    for code in privflow::diagnostics::Code::ALL {
        table.push_str(&format!("| `{}` | {} |\n", code.as_str(), code.description()));
    }
    assert_eq!(
        &page[start..end],
        table,
        "docs/errors.md lists other codes than diagnostics::Code"
    );
}

/// The `text` blocks of a Markdown text that begin with `$ privflow …`:
/// the command's arguments and the output shown under it.
fn shown_runs(text: &str) -> Vec<(Vec<String>, String)> {
    let mut runs = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("```text\n$ privflow ") {
        let block = &rest[at + "```text\n$ privflow ".len()..];
        let end = block.find("\n```").expect("closing fence");
        let (command, output) = block[..end].split_once('\n').unwrap_or((&block[..end], ""));
        runs.push((
            command.split_whitespace().map(String::from).collect(),
            format!("{output}\n"),
        ));
        rest = &block[end..];
    }
    runs
}

#[test]
fn shown_runs_print_what_the_pages_show() {
    let mut count = 0;
    for page in pages() {
        for (args, shown) in shown_runs(&read(&page)) {
            count += 1;
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            // `init` writes a file: run it where that harms nothing.
            let dir = tempfile::tempdir().unwrap();
            let (_, stdout, stderr) = if args[0] == "init" {
                privflow_in(dir.path(), &args)
            } else {
                privflow(&args)
            };
            let printed = format!("{stdout}{stderr}");
            assert_eq!(
                printed.trim_end(),
                shown.trim_end(),
                "{}: `privflow {}` prints something else",
                page.display(),
                args.join(" ")
            );
        }
    }
    assert!(count >= 5, "only {count} runs shown");
}

/// The first column of the first Markdown table after `heading`, and the
/// column `col`, one pair per row.
fn table_after(text: &str, heading: &str, col: usize) -> Vec<(String, String)> {
    let section = &text[text.find(heading).unwrap_or_else(|| panic!("no {heading}"))..];
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[0].to_string(), cells[col].trim_matches('`').to_string())
        })
        .collect()
}

#[test]
fn law_sources_name_every_instrument_the_pack_cites() {
    let page = read(&root().join("docs/law-sources.md"));
    let instruments = table_after(&page, "\n## Instruments the rule pack cites\n", 2);
    assert!(instruments.len() >= 5, "{instruments:?}");
    let (code, table, _) = privflow(&["rules", "--markdown"]);
    assert_eq!(code, 0);
    let mut unlisted = BTreeSet::new();
    for row in table.lines().filter(|l| l.starts_with("| `")) {
        let law = row.split(" | ").nth(2).expect("law column");
        // The seed notices a rule was seen in are sources, not instruments.
        let instruments_cited = law
            .split(';')
            .map(str::trim)
            .filter(|c| *c != "—" && !c.starts_with("seeds "));
        for citation in instruments_cited {
            let listed = instruments.iter().any(|(_, cited_as)| {
                citation
                    .strip_prefix(cited_as.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
            });
            if !listed {
                unlisted.insert(citation.to_string());
            }
        }
    }
    assert!(
        unlisted.is_empty(),
        "cited by the rule pack but not in docs/law-sources.md: {unlisted:?}"
    );
}

#[test]
fn readme_law_sources_list_the_same_instruments_as_the_page() {
    let page = read(&root().join("docs/law-sources.md"));
    let readme = read(&root().join("README.md"));
    let names = |rows: Vec<(String, String)>| rows.into_iter().map(|(name, _)| name).collect::<Vec<_>>();
    assert_eq!(
        names(table_after(&readme, "\n## Law sources\n", 1)),
        names(table_after(&page, "\n## Instruments the rule pack cites\n", 1)),
    );
}

/// Each catalogue entry's id and `source:`, as data/sdks.yaml has them.
fn catalogue_sources() -> Vec<(String, String)> {
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&read(&root().join("data/sdks.yaml"))).expect("data/sdks.yaml parses");
    yaml["sdks"]
        .as_sequence()
        .expect("sdks is a list")
        .iter()
        .map(|sdk| {
            let field = |key: &str| {
                sdk[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("{key} in {sdk:?}"))
                    .to_string()
            };
            (field("id"), field("source"))
        })
        .collect()
}

#[test]
fn catalogue_sources_record_matches_the_catalogue() {
    // The words a `source:` uses for "not checked against the vendor's page".
    const UNCHECKED: &str = "尚未对照厂商页面核对";
    let page = read(&root().join("docs/scan.md"));
    let section = &page[page
        .find("\n### Catalogue sources\n")
        .expect("Catalogue sources section")..];
    let ids_of = |rows: Vec<(String, String)>| -> BTreeSet<String> {
        rows.iter()
            .map(|(first, _)| {
                first
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_matches('`')
                    .to_string()
            })
            .collect()
    };
    let vendor = ids_of(table_after(section, "\n### Catalogue sources\n", 0));
    let lists = ids_of(table_after(
        section,
        "The vendor pages of the entries below could not be read.",
        0,
    ));
    let unchecked_at = section
        .find("\nNot checked against any page:")
        .expect("the list of unchecked entries");
    let paragraph = section[unchecked_at + 1..].split("\n\n").next().unwrap_or("");
    let unchecked: BTreeSet<String> = paragraph.split('`').skip(1).step_by(2).map(str::to_string).collect();
    assert!(
        vendor.len() >= 10 && !lists.is_empty() && !unchecked.is_empty(),
        "{vendor:?} {lists:?} {unchecked:?}"
    );

    let sources = catalogue_sources();
    let ids: BTreeSet<String> = sources.iter().map(|(id, _)| id.clone()).collect();
    for id in vendor.iter().chain(&lists).chain(&unchecked) {
        assert!(
            ids.contains(id),
            "docs/scan.md names `{id}`, which data/sdks.yaml lacks"
        );
    }
    let marked: BTreeSet<String> = sources
        .iter()
        .filter(|(_, source)| source.contains(UNCHECKED))
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(marked, &lists | &unchecked, "entries whose source says {UNCHECKED}");
    assert!(
        vendor.is_disjoint(&marked),
        "checked against a vendor page, yet marked unchecked"
    );
}
