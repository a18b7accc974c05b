//! privflow checks personal-data flows declared in YAML manifests against a
//! Cedar rule pack derived from Chinese personal-information law.
//!
//! The pipeline: discover → load → facts → Cedar → findings → report.
//!
//! ```no_run
//! let report = privflow::check(&["privacy/"], &privflow::Options::default())?;
//! assert_eq!(report.summary.errors, 0);
//! # Ok::<(), privflow::InputErrors>(())
//! ```

// Input errors carry their source text and are the cold path: boxing them
// would only add indirection to every `?`.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod discover;
pub mod engine;
pub mod finding;
pub mod manifest;
pub mod notice;
pub mod report;
pub mod rules;
pub mod taxonomy;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use diagnostics::{InputError, InputErrors};
pub use finding::{Finding, Location, Severity};
use manifest::model::Date;
pub use rules::RulePack;

/// The language of every message and help text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// The lowest severity that fails a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    #[default]
    Error,
    Warning,
    Never,
}

/// What a run is told; `None` means "from `.privflow.yaml`, else the default".
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub lang: Option<Lang>,
    pub fail_on: Option<FailOn>,
    /// Extra rule directories, added to the built-in pack.
    pub policies: Vec<PathBuf>,
    /// The date waivers are judged against (default: today).
    pub today: Option<chrono::NaiveDate>,
    /// The privacy notice every manifest is checked against, in place of
    /// each manifest's own `product.notice`.
    pub notice: Option<PathBuf>,
}

/// Counts over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub flows: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub waived: usize,
}

/// The result of a run: deterministic, serializable (SPEC §6 JSON shape).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// Manifest texts by displayed path, for reports that quote the source.
    #[serde(skip)]
    pub sources: BTreeMap<String, Arc<str>>,
    /// The manifests themselves, for reports that list flows.
    #[serde(skip)]
    pub manifests: Vec<(String, Arc<manifest::Manifest>, Arc<taxonomy::Taxonomy>)>,
    /// The rules of every rule pack the run used, for reports that describe
    /// them (SARIF), including those of directories named in `.privflow.yaml`.
    #[serde(skip)]
    pub rules: BTreeMap<String, rules::RuleInfo>,
    #[serde(skip)]
    pub lang: Lang,
    #[serde(skip)]
    pub fail_on: FailOn,
}

impl Report {
    /// An empty report; `add` each manifest's evaluation, then `finish`.
    pub fn new(lang: Lang, fail_on: FailOn) -> Report {
        Report {
            version: 1,
            summary: Summary::default(),
            findings: Vec::new(),
            sources: BTreeMap::new(),
            manifests: Vec::new(),
            rules: BTreeMap::new(),
            lang,
            fail_on,
        }
    }

    /// Records one manifest and its findings.
    pub fn add(
        &mut self,
        display: String,
        text: Arc<str>,
        manifest: manifest::Manifest,
        taxonomy: Arc<taxonomy::Taxonomy>,
        evaluation: engine::Evaluation,
    ) {
        self.summary.files += 1;
        self.summary.flows += manifest.flows.len();
        self.summary.waived += evaluation.waived;
        self.findings.extend(evaluation.findings);
        self.sources.insert(display.clone(), text);
        self.manifests.push((display, Arc::new(manifest), taxonomy));
    }

    /// Records the rules of a pack the run used; the first description of
    /// a rule id wins.
    pub fn add_rules<'a>(&mut self, rules: impl IntoIterator<Item = &'a rules::RuleInfo>) {
        for rule in rules {
            self.rules.entry(rule.id.clone()).or_insert_with(|| rule.clone());
        }
    }

    /// Sorts the findings into report order and counts them.
    pub fn finish(mut self) -> Report {
        self.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        for f in &self.findings {
            match f.severity {
                Severity::Error => self.summary.errors += 1,
                Severity::Warning => self.summary.warnings += 1,
                Severity::Info => self.summary.infos += 1,
            }
        }
        self
    }

    /// Whether any finding is at or above the `fail_on` threshold.
    pub fn fails(&self) -> bool {
        let threshold = match self.fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Never => return false,
        };
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}

/// Checks the manifests under `paths`. Input errors (exit 2) come back as
/// `Err`, all of them; findings are in the `Report`.
pub fn check<P: AsRef<Path>>(paths: &[P], options: &Options) -> Result<Report, InputErrors> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.iter().map(|p| p.as_ref().to_path_buf()).collect()
    };
    // Run-wide settings come from the config nearest the first path.
    let first_dir = if paths[0].is_dir() {
        paths[0].clone()
    } else {
        paths[0].parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let lang_guess = options.lang.unwrap_or_default();
    let mut errors = Vec::new();
    let mut configs: HashMap<PathBuf, Option<Arc<config::Loaded>>> = HashMap::new();
    let mut config_for = |dir: &Path, errors: &mut Vec<InputError>| -> Option<Arc<config::Loaded>> {
        let path = config::find(dir)?;
        configs
            .entry(path.clone())
            .or_insert_with(|| match config::load(&path, lang_guess) {
                Ok(loaded) => Some(Arc::new(loaded)),
                Err(e) => {
                    errors.push(e);
                    None
                }
            })
            .clone()
    };
    let run_config = config_for(&first_dir, &mut errors);
    let lang = options
        .lang
        .or(run_config.as_ref().and_then(|c| c.config.lang))
        .unwrap_or_default();
    let fail_on = options
        .fail_on
        .or(run_config.as_ref().and_then(|c| c.config.fail_on))
        .unwrap_or_default();
    let today = Date(options.today.unwrap_or_else(|| chrono::Local::now().date_naive()));

    let (found, walk_errors) = discover::discover(&paths, lang);
    errors.extend(walk_errors);
    let run_notice = options.notice.as_ref().and_then(|path| {
        notice::Notice::read(path, &path.display().to_string(), lang)
            .map_err(|e| errors.push(e))
            .ok()
            .map(Arc::new)
    });

    // One engine per distinct set of policy directories.
    let mut engines: HashMap<Vec<PathBuf>, Option<(Arc<engine::ThreadEngines>, engine::Settings)>> = HashMap::new();
    let mut jobs = Vec::new();
    let load_engines = || {
        for item in &found {
            let dir = item.path.parent().unwrap_or(Path::new("."));
            let config = config_for(dir, &mut errors);
            let mut dirs = options.policies.clone();
            if let Some(c) = &config {
                dirs.extend(c.policy_dirs());
            }
            let slot = engines.entry(dirs.clone()).or_insert_with(|| {
                let refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
                match RulePack::load(&refs, lang) {
                    Ok(pack) => {
                        let mut severity = BTreeMap::new();
                        if let Some(c) = &config {
                            errors.extend(c.check_rule_ids(&pack.rule_ids(), lang));
                            severity.extend(c.config.severity.iter().map(|(k, v)| (k.clone(), v.severity())));
                        }
                        let first = engine::Engine::new(Arc::new(pack));
                        Some((
                            Arc::new(engine::ThreadEngines::new(first, dirs.clone(), lang)),
                            engine::Settings {
                                lang,
                                today,
                                severity,
                                split_flows: false,
                            },
                        ))
                    }
                    Err(e) => {
                        errors.extend(e);
                        None
                    }
                }
            });
            if let Some((engine, settings)) = slot {
                jobs.push((item, engine.clone(), settings.clone()));
            }
        }
    };
    // A lone manifest is read and parsed while the rule pack loads.
    let (mut lone, ()) = rayon::join(
        || match found.as_slice() {
            [item] => Some(manifest::parse_file(&item.path, &item.display, lang)),
            _ => None,
        },
        load_engines,
    );

    // A lone manifest gets both cores by splitting its flows instead.
    if let [(_, _, settings)] = jobs.as_mut_slice() {
        settings.split_flows = true;
    }

    type Job<'a> = (&'a discover::Found, Arc<engine::ThreadEngines>, engine::Settings);
    let work = |(item, engines, settings): &Job, parsed: Option<Result<manifest::Parsed, Vec<InputError>>>| {
        let engine = engines.get();
        let rule_ids = engine.pack().rule_ids();
        let cx = manifest::LoadContext {
            lang,
            rule_ids: &rule_ids,
        };
        let parsed = parsed.unwrap_or_else(|| manifest::parse_file(&item.path, &item.display, lang));
        let loaded = parsed?.check(&cx)?;
        let notice = notice::for_manifest(&loaded, run_notice.as_ref(), lang).map_err(|e| vec![e])?;
        let evaluation = engine
            .evaluate_with(&loaded, notice.as_ref(), settings)
            .map_err(|e| vec![e])?;
        // Keep the text and the model; the span index is dropped here, in the
        // worker, instead of piling up for every file until the report.
        let manifest::LoadedManifest {
            source,
            manifest,
            taxonomy,
        } = loaded;
        Ok::<_, Vec<InputError>>((
            (source.display.clone(), source.text.clone(), manifest, taxonomy),
            evaluation,
        ))
    };
    // One file is evaluated here, its flows split over the pool (no second
    // engine to build); several go one per worker.
    let results: Vec<_> = if jobs.len() > 1 {
        jobs.par_iter().map(|job| work(job, None)).collect()
    } else {
        jobs.iter().map(|job| work(job, lone.take())).collect()
    };

    let mut report = Report::new(lang, fail_on);
    for (used, _) in engines.values().flatten() {
        report.add_rules(used.pack().rules());
    }
    for result in results {
        match result {
            Ok(((display, text, manifest, taxonomy), evaluation)) => {
                report.add(display, text, manifest, taxonomy, evaluation)
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors::sorted(errors));
    }
    Ok(report.finish())
}
