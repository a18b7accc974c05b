//! privflow checks personal-data flows declared in YAML manifests against a
//! Cedar rule pack derived from Chinese personal-information law.
//!
//! The pipeline: discover → load → facts → Cedar → findings → report
//! (src/run.rs sets up a run; check and diff share it).
//!
//! The stable API, for a team's own snapshot tests, is [`check`] (and
//! [`diff::diff`]) with [`Options`], returning a deterministic, serializable
//! [`Report`] of [`Finding`]s, or every [`InputError`] of the run:
//!
//! ```
//! let options = privflow::Options::default();
//! let report = privflow::check(&["examples/focused/cross-border.flows.yaml"], &options)?;
//! assert_eq!(report.summary.files, 1);
//! // The example sends data abroad without the mechanism the law requires.
//! assert!(report.findings.iter().any(|f| f.rule.starts_with("cross-border")));
//! assert!(report.findings.iter().all(|f| f.line > 0 && f.file.ends_with("cross-border.flows.yaml")));
//! // In a team's test suite: insta::assert_yaml_snapshot!(report);
//! # Ok::<(), privflow::InputErrors>(())
//! ```
//!
//! The other modules are public for the `privflow` binary, the tests and the
//! benchmark; they are not a stable API and are hidden from the docs.

// Input errors carry their source text and are the cold path: boxing them
// would only add indirection to every `?`.
#![allow(clippy::result_large_err)]

#[doc(hidden)]
pub mod baseline;
#[doc(hidden)]
pub mod config;
pub mod diagnostics;
pub mod diff;
#[doc(hidden)]
pub mod discover;
#[doc(hidden)]
pub mod engine;
pub mod finding;
pub mod lang;
pub mod law;
#[doc(hidden)]
pub mod manifest;
#[doc(hidden)]
pub mod notice;
#[doc(hidden)]
pub mod report;
#[doc(hidden)]
pub mod rules;
pub mod run;
pub mod scan;
#[doc(hidden)]
pub mod taxonomy;
#[doc(hidden)]
pub mod testing;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

pub use diagnostics::{InputError, InputErrors};
pub use finding::{Finding, Location, Severity};
pub use lang::Lang;
#[doc(hidden)]
pub use rules::RulePack;
pub use run::{FailOn, Keep, KeepSources, Options};

/// The JSON report's `schema_version` (2: findings name their `policy`).
pub const SCHEMA_VERSION: u32 = 2;

/// Counts over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Summary {
    pub files: usize,
    pub flows: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub waived: usize,
}

/// The result of a run: deterministic, serializable (SPEC §6 JSON shape).
/// The JSON report reads back (`privflow render`) with the manifests it
/// names for the parts it does not carry.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Report {
    pub version: u32,
    /// The JSON report's shape: raised when a field changes meaning or goes;
    /// new fields are additive and leave it.
    #[serde(default)]
    pub schema_version: u32,
    /// The language of its messages.
    #[serde(default)]
    pub lang: Lang,
    /// Every manifest checked, in report order.
    #[serde(default)]
    pub files: Vec<String>,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// The findings an active waiver covers, each with its `waived`; they
    /// neither count nor fail the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Finding>,
    /// With `--baseline`: its findings the run no longer has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<Vec<baseline::Entry>>,
    /// Every waiver of the run and how it stands (`privflow waivers`).
    #[serde(skip)]
    pub waivers: Vec<engine::WaiverStatus>,
    /// Manifest texts by displayed path, for reports that quote the source.
    #[serde(skip)]
    pub sources: BTreeMap<String, Arc<str>>,
    /// The manifests themselves, for reports that list flows.
    #[serde(skip)]
    pub manifests: Vec<(String, Arc<manifest::Manifest>, Arc<taxonomy::Taxonomy>)>,
    /// Each manifest's product and flow ids, where the run keeps them
    /// instead of the manifests (see [`run::Keep`]).
    #[serde(skip)]
    pub outlines: Vec<(String, Outline)>,
    /// The rules of every rule pack the run used, for reports that describe
    /// them (SARIF), including those of directories named in `.privflow.yaml`.
    #[serde(skip)]
    pub rules: BTreeMap<String, rules::RuleInfo>,
    /// The catalogue entries of the SDKs the manifests' recipients list,
    /// for the Markdown report's SDK list.
    #[serde(skip)]
    pub sdks: BTreeMap<String, scan::catalogue::Sdk>,
    #[serde(skip)]
    pub fail_on: FailOn,
    /// Whether the human report names the policy behind every finding, not
    /// only behind a team's own rules (`--show-policy`).
    #[serde(skip)]
    pub show_policy: bool,
}

impl Report {
    /// An empty report; `add` each manifest's evaluation, then `finish`.
    pub fn new(lang: Lang, fail_on: FailOn) -> Report {
        Report {
            version: 1,
            schema_version: SCHEMA_VERSION,
            files: Vec::new(),
            summary: Summary::default(),
            findings: Vec::new(),
            suppressed: Vec::new(),
            fixed: None,
            waivers: Vec::new(),
            sources: BTreeMap::new(),
            manifests: Vec::new(),
            outlines: Vec::new(),
            rules: BTreeMap::new(),
            sdks: BTreeMap::new(),
            lang,
            fail_on,
            show_policy: false,
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
        let flows = manifest.flows.len();
        self.add_kept(display, flows, Some(text), Some((manifest, taxonomy)), evaluation);
    }

    /// Records one manifest of `flows` flows and its findings, with its
    /// text and model where the run keeps them (see [`run::Keep`]).
    pub fn add_kept(
        &mut self,
        display: String,
        flows: usize,
        text: Option<Arc<str>>,
        model: Option<(manifest::Manifest, Arc<taxonomy::Taxonomy>)>,
        evaluation: engine::Evaluation,
    ) {
        self.summary.files += 1;
        self.summary.flows += flows;
        self.summary.waived += evaluation.waived;
        self.findings.extend(evaluation.findings);
        self.suppressed.extend(evaluation.suppressed);
        self.waivers.extend(evaluation.waivers);
        self.files.push(display.clone());
        if let Some(text) = text {
            self.sources.insert(display.clone(), text);
        }
        if let Some((manifest, taxonomy)) = model {
            self.manifests.push((display, Arc::new(manifest), taxonomy));
        }
    }

    /// Records the rules of a pack the run used; the first description of
    /// a rule id wins.
    pub fn add_rules<'a>(&mut self, rules: impl IntoIterator<Item = &'a rules::RuleInfo>) {
        for rule in rules {
            self.rules.entry(rule.id.clone()).or_insert_with(|| rule.clone());
        }
    }

    /// Makes room for the findings of the files still to come at the rate
    /// of the `done` files so far (of `all`), with a margin: a vector of
    /// hundreds of thousands of findings that doubles as it goes holds the
    /// old copy and the new at once, half again the peak. Room not used is
    /// never touched, so it costs no memory.
    fn expect_more(&mut self, done: usize, all: usize) {
        if done == 0 || done >= all {
            return;
        }
        let expected = self.findings.len() / done * all + self.findings.len() / 4;
        self.findings.reserve(expected.saturating_sub(self.findings.len()));
    }

    /// Sorts the findings into report order and counts them.
    pub fn finish(mut self) -> Report {
        // Each file's findings come sorted, usually in file order too; a
        // stable sort would take scratch room for half of them to find so.
        for findings in [&mut self.findings, &mut self.suppressed] {
            if !findings.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
                findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            }
        }
        self.files.sort();
        self.waivers.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
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
        // With a baseline, only new findings block.
        self.findings
            .iter()
            .filter(|f| f.baseline != Some(finding::BaselineState::Unchanged))
            .any(|f| f.severity >= threshold)
    }
}

/// Platform files as (path to read, path shown).
type PlatformFiles = Vec<(std::path::PathBuf, String)>;

/// The evidence in the build and platform files of one manifest (its
/// directory tree, or `product.sources`), and those files as (path to read,
/// path shown).
fn scan_manifest(
    loaded: &manifest::LoadedManifest,
    path: &Path,
    seen: &scan::walk::Seen,
) -> Result<(Vec<scan::Evidence>, PlatformFiles), Vec<InputError>> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let sources: Vec<std::path::PathBuf> = loaded.manifest.product.sources.iter().map(Into::into).collect();
    let (mut files, mut errors) = seen.platform_files(dir, &sources);
    if dir == Path::new(".") && !loaded.source.display.starts_with("./") {
        // Shown as the manifest is: `app/build.gradle` beside `privflow.yaml`.
        for (_, shown) in &mut files {
            if let Some(rest) = shown.strip_prefix("./") {
                *shown = rest.to_string();
            }
        }
    }
    let (evidence, scan_errors) = scan::scan_files(&files);
    errors.extend(scan_errors);
    if errors.is_empty() {
        Ok((evidence, files))
    } else {
        Err(errors)
    }
}

/// The catalogue entries of the SDKs a manifest's recipients list, for the
/// Markdown report's SDK list.
fn listed_sdks(manifest: &manifest::Manifest, catalogues: Option<&scan::Catalogues>) -> Vec<scan::catalogue::Sdk> {
    let mut ids = manifest.recipients.iter().flat_map(|r| &r.sdks).peekable();
    // The built-in catalogue is parsed only when there is something to look up.
    if ids.peek().is_none() {
        return Vec::new();
    }
    let catalogue = match catalogues {
        Some(c) => Some(&c.sdks),
        None => scan::catalogue::Catalogue::shared_builtin(),
    };
    ids.filter_map(|id| catalogue.and_then(|c| c.get(id)).cloned())
        .collect()
}

/// The texts of the files scan findings point at, by displayed path (the
/// reports quote them); read again only for the files with findings.
fn finding_sources(findings: &[Finding], files: &[(std::path::PathBuf, String)]) -> Vec<(String, Arc<str>)> {
    files
        .iter()
        .filter(|(_, shown)| findings.iter().any(|f| f.evidence.is_some() && &f.file == shown))
        .filter_map(|(path, shown)| Some((shown.clone(), Arc::from(std::fs::read_to_string(path).ok()?))))
        .collect()
}

/// For a report read back: the texts of the build and platform files its
/// scan findings point at (its `files` name only the manifests), read again
/// as `check` read them, and the findings' spans in them. A file gone since
/// leaves its findings unquoted.
fn reload_finding_sources(report: &mut Report) {
    let named: std::collections::BTreeSet<String> = report
        .findings
        .iter()
        .filter(|f| f.evidence.is_some() && !report.sources.contains_key(f.file.as_str()))
        .map(|f| f.file.to_string())
        .collect();
    for file in named {
        let Ok(Some(text)) = scan::read(Path::new(&file), &file) else {
            continue;
        };
        for finding in report.findings.iter_mut().filter(|f| f.file == file && f.line > 0) {
            let start = scan::offset_at(&text, finding.line, finding.column);
            let end = scan::offset_at(&text, finding.end_line, finding.end_column);
            finding.place(start, end);
        }
        report.sources.insert(file, Arc::from(text));
    }
}

/// What a worker keeps of one checked manifest: its displayed path, flow
/// count, text and model (as the run keeps them), its evaluation, and the
/// scanned files quoted and SDKs listed.
type Checked = (
    (String, usize, Option<Arc<str>>, Model),
    engine::Evaluation,
    (Vec<(String, Arc<str>)>, Vec<scan::catalogue::Sdk>),
);

/// What a worker keeps of a manifest's model.
enum Model {
    Whole(Box<manifest::Manifest>, Arc<taxonomy::Taxonomy>),
    Outline(Outline),
    Nothing,
}

/// A manifest's product and flow ids, in manifest order: what JUnit's
/// suites name, a small part of the typed manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    pub product: String,
    pub flows: Vec<String>,
}

impl Outline {
    pub fn of(manifest: &manifest::Manifest) -> Outline {
        Outline {
            product: manifest.product.id.clone(),
            flows: manifest.flows.iter().map(|flow| flow.id.clone()).collect(),
        }
    }
}

/// Checks the manifests under `paths`. Input errors (exit 2) come back as
/// `Err`, all of them, in the run's language; findings are in the `Report`.
pub fn check<P: AsRef<Path>>(paths: &[P], options: &Options) -> Result<Report, InputErrors> {
    let mut run = run::Run::start(paths, options);
    let lang = run.lang;
    let mut errors = std::mem::take(&mut run.errors);
    let run_notice = options.notice.as_ref().and_then(|path| {
        notice::Notice::read(path, &path.display().to_string())
            .map_err(|e| errors.push(e))
            .ok()
            .map(Arc::new)
    });
    // A lone manifest is read and parsed while the rule pack loads.
    let (mut lone, jobs) = rayon::join(
        || match run.found.as_slice() {
            [item] => Some(manifest::parse_file(&item.path, &item.display)),
            _ => None,
        },
        || run.jobs(options),
    );
    errors.extend(jobs.errors);

    let work = |job: &run::Job, parsed: Option<Result<manifest::Parsed, Vec<InputError>>>| {
        let engine = job.engines.get();
        let catalogues = job.settings.catalogues.as_deref();
        let cx = manifest::LoadContext {
            pack: engine.pack(),
            catalogue: catalogues.map(|c| &c.sdks),
        };
        let parsed = parsed.unwrap_or_else(|| manifest::parse_file(&job.item.path, &job.item.display));
        let loaded = parsed?.check(&cx)?;
        let scanning = catalogues.filter(|_| job.settings.scan != scan::ScanMode::Off);
        // The scan reads files while the rules run: it costs little wall time.
        let (evaluation, found) = rayon::join(
            || {
                if job.settings.scan == scan::ScanMode::Only {
                    return Ok::<_, Vec<InputError>>((engine::Evaluation::default(), None));
                }
                let notice = notice::for_manifest(&loaded, run_notice.as_ref(), &job.settings.notice_phrases)
                    .map_err(|e| vec![e])?;
                // The waivers are reviewed once the scan's findings count too.
                let evaluation = engine
                    .evaluate_unreviewed(&loaded, notice.as_ref(), &job.settings)
                    .map_err(|e| vec![e])?;
                Ok((evaluation, notice))
            },
            || {
                scanning
                    .map(|_| scan_manifest(&loaded, &job.item.path, &run.seen))
                    .transpose()
            },
        );
        let ((mut evaluation, notice), found) = (evaluation?, found?);
        let listed = listed_sdks(&loaded.manifest, catalogues);
        let mut scanned = Vec::new();
        if let (Some(catalogues), Some((found, files))) = (scanning, found) {
            let facts = engine::scan::scan_facts(&loaded, &found, &catalogues.sdks, &catalogues.permissions);
            let scan = engine
                .evaluate_scan(&loaded, &facts, &catalogues.sdks, &job.settings)
                .map_err(|e| vec![e])?;
            evaluation.findings.extend(scan.findings);
            evaluation.waived += scan.waived;
            evaluation.suppressed.extend(scan.suppressed);
            for (status, scanned) in evaluation.waivers.iter_mut().zip(&scan.waivers) {
                status.matched += scanned.matched;
            }
            // The reports quote the files the scan findings point at.
            scanned = finding_sources(&evaluation.findings, &files);
        }
        if job.settings.scan != scan::ScanMode::Only {
            engine
                .review_waivers(&loaded, notice.as_ref(), &job.settings, &mut evaluation)
                .map_err(|e| vec![e])?;
        }
        // Keep what the reports read and drop the rest (the span index, and
        // the text and model unless a format needs them) here, in the worker,
        // instead of piling it up for every file until the report.
        let manifest::LoadedManifest {
            source,
            manifest,
            taxonomy,
            ..
        } = loaded;
        let quoted = match options.keep.sources {
            run::KeepSources::All => true,
            run::KeepSources::WithFindings | run::KeepSources::WithFindingsUpTo(_) => {
                evaluation.findings.iter().any(|f| f.file == source.display)
            }
            run::KeepSources::None => false,
        };
        if options.keep.sources == run::KeepSources::None {
            scanned.clear();
        }
        finding::share(evaluation.findings.iter_mut().chain(&mut evaluation.suppressed));
        // Sorted here, in parallel: the report's sort then finds runs in
        // order (stable sorts both: the order is the same).
        evaluation.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        evaluation.suppressed.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let flows = manifest.flows.len();
        let text = quoted.then(|| source.text.clone());
        let model = if options.keep.manifests {
            Model::Whole(Box::new(manifest), taxonomy)
        } else if options.keep.outlines {
            Model::Outline(Outline::of(&manifest))
        } else {
            Model::Nothing
        };
        Ok::<Checked, Vec<InputError>>((
            (source.display.clone(), flows, text, model),
            evaluation,
            (scanned, listed),
        ))
    };
    let mut report = Report::new(lang, run.fail_on);
    report.add_rules(&jobs.rules);
    let mut add = |report: &mut Report, result: Result<Checked, Vec<InputError>>| match result {
        Ok(((display, flows, mut text, model), evaluation, (mut scanned, listed))) => {
            if let run::KeepSources::WithFindingsUpTo(most) = options.keep.sources {
                // Past `most` findings no text is quoted: drop those kept.
                if report.findings.len() + evaluation.findings.len() > most {
                    report.sources.clear();
                    text = None;
                    scanned.clear();
                }
            }
            report.sources.extend(scanned);
            report.sdks.extend(listed.into_iter().map(|sdk| (sdk.id.clone(), sdk)));
            let model = match model {
                Model::Whole(manifest, taxonomy) => Some((*manifest, taxonomy)),
                Model::Outline(outline) => {
                    report.outlines.push((display.clone(), outline));
                    None
                }
                Model::Nothing => None,
            };
            report.add_kept(display, flows, text, model, evaluation)
        }
        Err(e) => errors.extend(e),
    };
    // One file is evaluated here, its flows split over the pool (no second
    // engine to build); several go one per worker, a batch at a time, each
    // batch added to the report in order before the next: its per-file
    // vectors are freed and their memory reused, instead of every file's
    // living beside the report's until the end (a third of the peak at
    // 100,000 flows).
    if jobs.jobs.len() > 1 {
        let batch = rayon::current_num_threads().max(1) * 64;
        let (all, mut done) = (jobs.jobs.len(), 0);
        for jobs in jobs.jobs.chunks(batch) {
            let results: Vec<_> = jobs.par_iter().map(|job| work(job, None)).collect();
            results.into_iter().for_each(|result| add(&mut report, result));
            done += jobs.len();
            report.expect_more(done, all);
        }
    } else {
        jobs.jobs
            .iter()
            .for_each(|job| add(&mut report, work(job, lone.take())));
    }
    if !errors.is_empty() {
        return Err(InputErrors::sorted(errors).in_lang(lang));
    }
    Ok(report.finish())
}

/// A JSON report read back for `privflow render`: the findings are the
/// report's own; the manifests it names are read again (not evaluated) for
/// the source snippets, flow lists and spans, and the rule packs loaded for
/// the rule descriptions, as `check` would with the same `options`.
pub fn reload(mut report: Report, options: &Options) -> Result<Report, InputErrors> {
    let lang = report.lang;
    let mut run = run::Run::start(&report.files, options);
    let mut errors = std::mem::take(&mut run.errors);
    let jobs = run.jobs(options);
    errors.extend(jobs.errors);
    report.add_rules(&jobs.rules);
    for job in &jobs.jobs {
        let cx = manifest::LoadContext {
            pack: job.engines.pack(),
            catalogue: job.settings.catalogues.as_deref().map(|c| &c.sdks),
        };
        let loaded = match manifest::parse_file(&job.item.path, &job.item.display).and_then(|p| p.check(&cx)) {
            Ok(loaded) => loaded,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        let display = loaded.source.display.clone();
        for finding in report.findings.iter_mut().chain(report.suppressed.iter_mut()) {
            if finding.file != display || finding.line == 0 {
                continue;
            }
            let start = loaded.source.locate_position(finding.line, finding.column).offset;
            let end = loaded
                .source
                .locate_position(finding.end_line, finding.end_column)
                .offset;
            finding.place(start, end);
        }
        report.sources.insert(display.clone(), loaded.source.text.clone());
        let listed = listed_sdks(&loaded.manifest, job.settings.catalogues.as_deref());
        report.sdks.extend(listed.into_iter().map(|sdk| (sdk.id.clone(), sdk)));
        report
            .manifests
            .push((display, Arc::new(loaded.manifest), loaded.taxonomy));
    }
    if !errors.is_empty() {
        return Err(InputErrors::sorted(errors).in_lang(lang));
    }
    reload_finding_sources(&mut report);
    Ok(report)
}
