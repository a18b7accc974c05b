//! One run's setup, shared by `check` and `diff`: the manifests under the
//! given paths, the `.privflow.yaml` that governs each (the nearest one up the
//! tree), and the engine and settings for that configuration.
//!
//! Rule packs are cached by their policy directories (loading one is the
//! costly part); settings are per configuration, so one directory's severity
//! overrides never reach a manifest outside it, and every configuration that
//! governs a manifest of the run is validated against its own pack.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, Loaded};
use crate::diagnostics::InputError;
use crate::discover::{self, Found};
use crate::engine::{Settings, ThreadEngines};
use crate::lang::Lang;
use crate::manifest::model::Date;
use crate::rules::{RuleInfo, RulePack};
use crate::scan::catalogue::Catalogue;
use crate::scan::walk::Seen;
use crate::scan::{Catalogues, ScanMode};

/// The lowest severity that fails a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
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
    /// The date waivers and audits are judged against (default: today).
    pub today: Option<chrono::NaiveDate>,
    /// The privacy notice every manifest is checked against, in place of
    /// each manifest's own `product.notice`.
    pub notice: Option<PathBuf>,
    /// `privflow scan`: only the scan findings. Otherwise `check` scans
    /// where `.privflow.yaml` says `scan: true`.
    pub scan_only: bool,
    /// Team SDK catalogues (`--catalogue`), merged after the built-in one
    /// and before those of `.privflow.yaml`.
    pub catalogues: Vec<PathBuf>,
    /// Warn about waivers that expire within this many days.
    pub warn_expiring_within: Option<i64>,
    /// What the report keeps besides the findings (default: everything);
    /// the CLI keeps only what its formats read.
    pub keep: Keep,
}

/// What a report keeps of each manifest for the formats that read more
/// than the findings: a run of 100,000 flows holds tens of megabytes of
/// manifest text and several times that of typed manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    /// Manifest texts (`Report::sources`), for the snippets of the human report.
    pub sources: KeepSources,
    /// Typed manifests (`Report::manifests`), for the reports that list
    /// flows (Markdown, the graph).
    pub manifests: bool,
    /// Each manifest's product and flow ids (`Report::outlines`), for
    /// JUnit's suites, where typed manifests are not kept.
    pub outlines: bool,
}

/// Which manifest texts a report keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepSources {
    All,
    /// Only those of files with a finding: the only ones a report quotes.
    WithFindings,
    /// Those of files with a finding while the run has at most this many
    /// findings: a longer human report is compact and quotes none.
    WithFindingsUpTo(usize),
    None,
}

impl Default for Keep {
    fn default() -> Keep {
        Keep::ALL
    }
}

impl Keep {
    /// Everything: what the library's callers get unless they say otherwise.
    pub const ALL: Keep = Keep {
        sources: KeepSources::All,
        manifests: true,
        outlines: false,
    };
    /// Only the findings (the JSON and SARIF reports).
    pub const NOTHING: Keep = Keep {
        sources: KeepSources::None,
        manifests: false,
        outlines: false,
    };

    /// What either of two keeps.
    pub fn and(self, other: Keep) -> Keep {
        use KeepSources::*;
        let sources = match (self.sources, other.sources) {
            (All, _) | (_, All) => All,
            (WithFindings, _) | (_, WithFindings) => WithFindings,
            (WithFindingsUpTo(a), WithFindingsUpTo(b)) => WithFindingsUpTo(a.max(b)),
            (WithFindingsUpTo(n), None) | (None, WithFindingsUpTo(n)) => WithFindingsUpTo(n),
            (None, None) => None,
        };
        Keep {
            sources,
            manifests: self.manifests || other.manifests,
            outlines: self.outlines || other.outlines,
        }
    }
}

/// What applies to the whole run: its language, threshold and date, and the
/// manifests found. Errors are collected, never returned early.
pub struct Run {
    pub lang: Lang,
    pub fail_on: FailOn,
    pub today: Date,
    pub found: Vec<Found>,
    /// What discovery's walk saw that the scan reuses.
    pub seen: Seen,
    /// The directory of the first path, where `diff` looks for git.
    pub first_dir: PathBuf,
    pub errors: Vec<InputError>,
}

/// A manifest with the engine and settings of the configuration governing it.
pub struct Job<'a> {
    pub item: &'a Found,
    pub engines: Arc<ThreadEngines>,
    pub settings: Settings,
}

/// The jobs of a run and the rules of every pack they use.
pub struct Jobs<'a> {
    pub jobs: Vec<Job<'a>>,
    pub rules: Vec<RuleInfo>,
    pub errors: Vec<InputError>,
}

impl Run {
    /// Discovers the manifests and settles the run-wide settings: flags
    /// first, then the configuration governing the first path.
    pub fn start<P: AsRef<Path>>(paths: &[P], options: &Options) -> Run {
        let paths: Vec<PathBuf> = if paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            paths.iter().map(|p| p.as_ref().to_path_buf()).collect()
        };
        let first_dir = if paths[0].is_dir() {
            paths[0].clone()
        } else {
            match paths[0].parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        let mut errors = Vec::new();
        // A broken config is reported once, by `jobs`, with the manifests it governs.
        let first_config = config::find(&first_dir).map(|path| config::load(&path));
        let first = first_config.as_ref().and_then(|loaded| loaded.as_ref().ok());
        let lang = options.lang.or(first.and_then(|c| c.config.lang)).unwrap_or_default();
        let fail_on = options
            .fail_on
            .or(first.and_then(|c| c.config.fail_on))
            .unwrap_or_default();
        let today = Date(options.today.unwrap_or_else(|| chrono::Local::now().date_naive()));
        let (found, seen, walk_errors) = discover::discover(&paths);
        errors.extend(walk_errors);
        // A broken config governing no manifest found is reported here.
        if let Some(Err(e)) = first_config {
            if found.is_empty() {
                errors.push(e);
            }
        }
        Run {
            lang,
            fail_on,
            today,
            found,
            seen,
            first_dir,
            errors,
        }
    }

    /// For each manifest, the configuration governing it, that
    /// configuration's engine and its settings.
    pub fn jobs(&self, options: &Options) -> Jobs<'_> {
        let mut errors = Vec::new();
        let mut configs: HashMap<PathBuf, Option<Arc<Loaded>>> = HashMap::new();
        // Ordered, so that the rules of several packs are described in a stable order.
        let mut packs: BTreeMap<Vec<PathBuf>, Option<Arc<ThreadEngines>>> = BTreeMap::new();
        // Per configuration file (`None`: no file): its engine and settings.
        let mut setups: HashMap<Option<PathBuf>, Option<(Arc<ThreadEngines>, Settings)>> = HashMap::new();
        let mut jobs = Vec::new();
        // Manifests of one directory share its config: look it up once.
        let mut governing: HashMap<&Path, Option<PathBuf>> = HashMap::new();
        for item in &self.found {
            let dir = item.path.parent().unwrap_or(Path::new("."));
            let config_path = governing.entry(dir).or_insert_with(|| config::find(dir)).clone();
            let setup = setups.entry(config_path.clone()).or_insert_with(|| {
                let config = match &config_path {
                    Some(path) => configs
                        .entry(path.clone())
                        .or_insert_with(|| match config::load(path) {
                            Ok(loaded) => Some(Arc::new(loaded)),
                            Err(e) => {
                                errors.push(e);
                                None
                            }
                        })
                        .clone()
                        .map(Some)?,
                    None => None,
                };
                let mut dirs = options.policies.clone();
                if let Some(c) = &config {
                    dirs.extend(c.policy_dirs());
                }
                let scan = match (options.scan_only, config.as_ref().and_then(|c| c.config.scan)) {
                    (true, _) => ScanMode::Only,
                    (false, Some(true)) => ScanMode::Also,
                    (false, _) => ScanMode::Off,
                };
                if scan != ScanMode::Off {
                    // The built-in SDK catalogue is parsed on another core while
                    // the rule pack loads (`Catalogues::load` waits for it).
                    rayon::spawn(|| {
                        Catalogue::shared_builtin();
                    });
                }
                let engines = packs
                    .entry(dirs.clone())
                    .or_insert_with(|| {
                        let refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
                        match RulePack::load(&refs) {
                            Ok(pack) => Some(Arc::new(ThreadEngines::new(
                                crate::engine::Engine::new(Arc::new(pack)),
                                dirs.clone(),
                            ))),
                            Err(e) => {
                                errors.extend(e);
                                None
                            }
                        }
                    })
                    .clone()?;
                let mut severity = BTreeMap::new();
                let mut notice_phrases = crate::notice::phrase::Phrases::builtin().cloned().unwrap_or_default();
                if let Some(c) = &config {
                    match c.notice_phrases() {
                        Ok(phrases) => notice_phrases = phrases,
                        Err(e) => {
                            errors.push(e);
                            return None;
                        }
                    }
                    let unknown = c.check_rule_ids(&engines.pack().rule_ids());
                    if !unknown.is_empty() {
                        errors.extend(unknown);
                        return None;
                    }
                    severity.extend(c.config.severity.iter().map(|(k, v)| (k.clone(), v.severity())));
                }
                let mut team = options.catalogues.clone();
                if let Some(c) = &config {
                    match c.catalogue_files() {
                        Ok(files) => team.extend(files),
                        Err(e) => {
                            errors.push(e);
                            return None;
                        }
                    }
                }
                let catalogues = if scan != ScanMode::Off || !team.is_empty() {
                    match Catalogues::load(&team) {
                        Ok(c) => Some(Arc::new(c)),
                        Err(e) => {
                            errors.extend(e);
                            return None;
                        }
                    }
                } else {
                    None
                };
                Some((
                    engines,
                    Settings {
                        lang: self.lang,
                        today: self.today,
                        severity,
                        split_flows: false,
                        notice_phrases: Arc::new(notice_phrases),
                        scan,
                        catalogues,
                        warn_within: options
                            .warn_expiring_within
                            .or(config.as_ref().and_then(|c| c.config.warn_expiring_within.map(|d| d.0))),
                    },
                ))
            });
            if let Some((engines, settings)) = setup {
                jobs.push(Job {
                    item,
                    engines: engines.clone(),
                    settings: settings.clone(),
                });
            }
        }
        // A lone manifest gets both cores by splitting its flows instead.
        if let [job] = jobs.as_mut_slice() {
            job.settings.split_flows = true;
        }
        let mut rules = Vec::new();
        for engines in packs.values().flatten() {
            rules.extend(engines.pack().rules().cloned());
        }
        Jobs { jobs, rules, errors }
    }
}
