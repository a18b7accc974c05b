//! `privflow diff`: material changes (重大变更) of each manifest against its
//! version at a git revision — new purposes, new sensitive data, new
//! recipients, new transfers abroad, new flows with sensitive data.
//!
//! This module reads the base version with git, matches flows (by id, or as a
//! rename) and computes the comparison facts; the "change" policies in
//! policies/diff.cedar decide what is material (engine/changes.rs).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::diagnostics::{Code, InputError, InputErrors, Text};
use crate::engine::changes::ChangeFacts;
use crate::engine::facts;
use crate::manifest::{self, Flow, LoadContext, Manifest, MAX_FILE_BYTES};
use crate::run::{Options, Run};
use crate::taxonomy::Taxonomy;
use crate::Report;

/// Compares the manifests under `paths` with their versions at the git
/// revision `base`. Input errors (exit 2) — a bad revision, a path outside a
/// git work tree, a manifest that does not load — come back as `Err`.
pub fn diff<P: AsRef<Path>>(paths: &[P], base: &str, options: &Options) -> Result<Report, InputErrors> {
    let mut run = Run::start(paths, options);
    let lang = run.lang;
    let mut errors = std::mem::take(&mut run.errors);
    if !errors.is_empty() {
        // A missing path comes before what git would say about it.
        return Err(InputErrors::sorted(errors).in_lang(lang));
    }
    let jobs = run.jobs(options);
    errors.extend(jobs.errors);
    let repo = Repo::open(&run.first_dir, base).map_err(|e| InputErrors(vec![e]).in_lang(lang))?;
    let mut report = Report::new(lang, run.fail_on);
    report.add_rules(&jobs.rules);
    for job in &jobs.jobs {
        let engine = job.engines.get();
        let cx = LoadContext {
            pack: engine.pack(),
            catalogue: None,
        };
        let item = job.item;
        let head = match manifest::load(&item.path, &item.display, &cx) {
            Ok(head) => head,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        let old = match repo.base_text(&item.path, &item.display) {
            Ok(Some((display, text))) => match manifest::load_text(&item.path, &display, text, &cx) {
                Ok(old) => Some(old),
                Err(e) => {
                    errors.extend(e);
                    continue;
                }
            },
            Ok(None) => None,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let changes = compare(old.as_ref().map(|o| &o.manifest), &head.manifest, &head.taxonomy);
        match engine.evaluate_changes(&head, &changes, &job.settings) {
            Ok(evaluation) => report.add(
                head.source.display.clone(),
                head.source.text.clone(),
                head.manifest,
                head.taxonomy,
                evaluation,
            ),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors::sorted(errors).in_lang(lang));
    }
    Ok(report.finish())
}

/// The comparison facts of every head flow against the base manifest (`None`:
/// the manifest is new at the head, so every flow is).
pub fn compare(base: Option<&Manifest>, head: &Manifest, taxonomy: &Taxonomy) -> Vec<(usize, ChangeFacts)> {
    let matches = match base {
        Some(base) => match_flows(base, head),
        None => vec![None; head.flows.len()],
    };
    // Product-wide facts of the base: its purposes and cross-border counts
    // (a file new at head had none and sent nobody abroad).
    let base_purposes: BTreeSet<&str> = base
        .map(|b| b.flows.iter().filter_map(purpose).collect())
        .unwrap_or_default();
    let (base_n, base_s) = base.map_or((Some(0), Some(0)), |b| facts::cross_border_counts(b, taxonomy));
    head.flows
        .iter()
        .enumerate()
        .map(|(i, flow)| {
            let old = base.zip(matches[i]).map(|(b, j)| (b, &b.flows[j]));
            let mut facts = facts_of(old, head, flow, taxonomy);
            facts.purpose_new_to_product = purpose(flow).is_some_and(|p| !base_purposes.contains(p));
            facts.base_cross_border_n = base_n;
            facts.base_cross_border_s = base_s;
            (i, facts)
        })
        .collect()
}

/// For each head flow, the base flow it continues: the one with its id, else
/// the only removed base flow with the same data and purpose (a rename).
fn match_flows(base: &Manifest, head: &Manifest) -> Vec<Option<usize>> {
    let head_ids: BTreeSet<&str> = head.flows.iter().map(|f| f.id.as_str()).collect();
    let removed: Vec<usize> = (0..base.flows.len())
        .filter(|&j| !head_ids.contains(base.flows[j].id.as_str()))
        .collect();
    head.flows
        .iter()
        .map(|flow| {
            if let Some(j) = base.flows.iter().position(|b| b.id == flow.id) {
                return Some(j);
            }
            let data: BTreeSet<&String> = flow.data.iter().collect();
            let mut same = removed.iter().copied().filter(|&j| {
                let b = &base.flows[j];
                purpose(b) == purpose(flow) && b.data.iter().collect::<BTreeSet<_>>() == data
            });
            match (same.next(), same.next()) {
                (Some(j), None) => Some(j),
                _ => None,
            }
        })
        .collect()
}

fn purpose(flow: &Flow) -> Option<&str> {
    flow.purpose.as_deref().map(str::trim).filter(|p| !p.is_empty())
}

fn facts_of(old: Option<(&Manifest, &Flow)>, head: &Manifest, flow: &Flow, taxonomy: &Taxonomy) -> ChangeFacts {
    let leaves_cn = flow.leaves_cn(&head.recipients);
    let new_purpose = purpose(flow).map(str::to_string);
    let recipients = || flow.recipients.iter().map(|p| p.to.clone());
    let sensitive = |ids: &BTreeSet<String>| ids.iter().filter(|d| taxonomy.is_sensitive(d)).cloned().collect();
    let Some((base, old)) = old else {
        let new_categories: BTreeSet<String> = flow.data.iter().cloned().collect();
        return ChangeFacts {
            new_flow: true,
            purpose_changed: false,
            old_purpose: None,
            new_purpose,
            new_sensitive: sensitive(&new_categories),
            new_categories,
            new_recipients: recipients().collect(),
            leaves_cn,
            newly_leaves_cn: leaves_cn,
            ..ChangeFacts::default()
        };
    };
    // A category is new unless the base flow had it or a category above it.
    let new_categories: BTreeSet<String> = flow
        .data
        .iter()
        .filter(|d| {
            let above = taxonomy.ancestors_and_self(d);
            !old.data.iter().any(|b| above.contains(b))
        })
        .cloned()
        .collect();
    let old_recipients: BTreeSet<&str> = old.recipients.iter().map(|p| p.to.as_str()).collect();
    ChangeFacts {
        new_flow: false,
        purpose_changed: new_purpose.is_some() && purpose(flow) != purpose(old),
        old_purpose: purpose(old).map(str::to_string),
        new_purpose,
        new_sensitive: sensitive(&new_categories),
        new_categories,
        new_recipients: recipients().filter(|r| !old_recipients.contains(r.as_str())).collect(),
        leaves_cn,
        newly_leaves_cn: leaves_cn && !old.leaves_cn(&base.recipients),
        ..ChangeFacts::default()
    }
}

/// The git work tree the manifests are in, and the base commit.
struct Repo {
    root: PathBuf,
    rev: String,
    commit: String,
}

impl Repo {
    fn open(dir: &Path, rev: &str) -> Result<Repo, InputError> {
        let top = git(dir, &["rev-parse", "--show-toplevel"])?;
        let root = match top {
            Ok(out) => PathBuf::from(out.trim_end_matches(['\n', '\r'])),
            Err(_) => return Err(not_in_work_tree(&dir.display().to_string())),
        };
        let root = root.canonicalize().unwrap_or(root);
        // A revision starting with `-` would be read as an option.
        let verified = if rev.is_empty() || rev.starts_with('-') {
            Err(String::new())
        } else {
            git(
                &root,
                &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")],
            )?
        };
        match verified {
            Ok(commit) => Ok(Repo {
                root,
                rev: rev.to_string(),
                commit: commit.trim().to_string(),
            }),
            Err(_) => Err(InputError::new(
                Code::BadRevision,
                Text::new(format!("`{rev}` is not a commit of the git repository at `{}`", root.display()),
                    format!("`{rev}` 不是 `{}` 处 git 仓库中的提交", root.display()),
                ),
            )
            .with_help(Text::new("give a branch, tag or commit with --base (e.g. `--base origin/main`); in CI, fetch the base branch first",
                "请用 --base 指定分支、标签或提交（如 `--base origin/main`）；在 CI 中请先 fetch 基准分支",
            ))),
        }
    }

    /// The file's text at the base commit and its displayed name
    /// (`REV:path`), or `None` when the file did not exist there.
    fn base_text(&self, path: &Path, display: &str) -> Result<Option<(String, Arc<str>)>, InputError> {
        let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let Ok(relative) = absolute.strip_prefix(&self.root) else {
            return Err(not_in_work_tree(display));
        };
        let relative: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let relative = relative.join("/");
        let spec = format!("{}:{relative}", self.commit);
        let shown = format!("{}:{relative}", self.rev);
        let output = run_git(&self.root, &["show", &spec])?;
        if !output.status.success() {
            return Ok(None);
        }
        if output.stdout.len() as u64 > MAX_FILE_BYTES {
            return Err(InputError::new(
                Code::TooLarge,
                Text::new(
                    format!("`{shown}` is larger than {MAX_FILE_BYTES} bytes"),
                    format!("`{shown}` 超过 {MAX_FILE_BYTES} 字节"),
                ),
            ));
        }
        match String::from_utf8(output.stdout) {
            Ok(text) => Ok(Some((shown, Arc::from(text)))),
            Err(_) => Err(InputError::new(
                Code::NotUtf8,
                Text::new(format!("`{shown}` is not UTF-8"), format!("`{shown}` 不是 UTF-8 编码")),
            )
            .with_help(Text::new("manifests are UTF-8 YAML", "清单须为 UTF-8 编码的 YAML"))),
        }
    }
}

fn not_in_work_tree(path: &str) -> InputError {
    InputError::new(
        Code::NotAGitWorkTree,
        Text::new(
            format!("`{path}` is not inside a git work tree"),
            format!("`{path}` 不在 git 工作区内"),
        ),
    )
    .with_help(Text::new(
        "privflow diff compares manifests with a git revision: run it on manifests of a git repository",
        "privflow diff 将清单与 git 版本比较：请对 git 仓库中的清单运行",
    ))
}

fn run_git(dir: &Path, args: &[&str]) -> Result<std::process::Output, InputError> {
    Command::new("git")
        .arg("--no-pager")
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            InputError::new(
                Code::Git,
                Text::new(format!("cannot run git: {e}"), format!("无法运行 git：{e}")),
            )
            .with_help(Text::new(
                "privflow diff needs git on the PATH",
                "privflow diff 需要 PATH 中有 git",
            ))
        })
}

/// git's stdout on success, its stderr otherwise; `Err` only when git cannot run.
fn git(dir: &Path, args: &[&str]) -> Result<Result<String, String>, InputError> {
    let output = run_git(dir, args)?;
    Ok(if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(flows: &str) -> Manifest {
        let text = format!(
            "version: 1\nproduct: {{ id: p, operator: o }}\nrecipients:\n  - {{ id: ads, name: A, role: third-party, country: US }}\n  - {{ id: sms, name: S, role: third-party, country: CN }}\nflows:\n{flows}"
        );
        serde_yaml::from_str(&text).unwrap()
    }

    #[test]
    fn renamed_flows_match_on_data_and_purpose() {
        let base =
            manifest("  - { id: a, data: [phone], purpose: login }\n  - { id: b, data: [email], purpose: mail }\n");
        let head = manifest("  - { id: a2, data: [phone], purpose: login }\n  - { id: c, data: [face], purpose: x }\n");
        assert_eq!(match_flows(&base, &head), vec![Some(0), None]);
    }

    #[test]
    fn facts_name_what_is_new() {
        let taxonomy = Taxonomy::builtin();
        let base = manifest(
            "  - { id: a, data: [phone], purpose: login, storage: { country: CN }, recipients: [{ to: sms }] }\n",
        );
        let head = manifest("  - { id: a, data: [phone, face], purpose: ads, storage: { country: CN }, recipients: [{ to: sms }, { to: ads }] }\n");
        let facts = compare(Some(&base), &head, &taxonomy);
        let f = &facts[0].1;
        assert!(!f.new_flow && f.purpose_changed && f.newly_leaves_cn);
        assert_eq!(f.old_purpose.as_deref(), Some("login"));
        assert_eq!(f.new_sensitive, BTreeSet::from(["face".to_string()]));
        assert_eq!(f.new_recipients, BTreeSet::from(["ads".to_string()]));
        assert!(compare(Some(&head), &head, &taxonomy)
            .iter()
            .all(|(_, f)| !f.purpose_changed
                && f.new_categories.is_empty()
                && f.new_recipients.is_empty()
                && !f.newly_leaves_cn));
    }
}
