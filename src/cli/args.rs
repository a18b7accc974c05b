//! Flags that several subcommands share, each declared once and flattened
//! (`#[command(flatten)]`) where it is used, so a flag reads and behaves the
//! same everywhere.

use std::path::PathBuf;
use std::process::ExitCode;

use privflow::report::Format;
use privflow::{FailOn, InputErrors, Lang, Options, Report};

/// `--lang`.
#[derive(clap::Args)]
pub struct LangArg {
    /// Language of messages and help
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
}

impl LangArg {
    /// The language asked for, else the default.
    pub fn get(&self) -> Lang {
        self.lang.unwrap_or_default()
    }
}

/// `--policies`.
#[derive(clap::Args)]
pub struct PoliciesArg {
    /// Extra Cedar rule directories (repeatable)
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

/// What `check` and `diff` share: the manifests, the reports to write and
/// the run's settings.
#[derive(clap::Args)]
pub struct RunArgs {
    /// Manifest files or directories to search (default: .)
    pub paths: Vec<PathBuf>,
    /// Output format (repeatable, paired with --output; default human)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<Format>,
    /// Write a report to FILE (repeatable)
    ///
    /// Each --output is paired, in order, with a --format: `--format sarif
    /// --output a.sarif --format junit --output b.xml`. With one --output fewer
    /// than --format, the first format goes to stdout and the others, in
    /// order, to the files. Files are written atomically and never
    /// overwritten without --force.
    #[arg(long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Overwrite existing --output files
    #[arg(long)]
    pub force: bool,
    /// Lowest severity that fails the run
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    #[command(flatten)]
    pub lang: LangArg,
    #[command(flatten)]
    pub policies: PoliciesArg,
    /// The date waivers are judged against (YYYY-MM-DD; default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<chrono::NaiveDate>,
    /// A team SDK catalogue (format of data/sdks.yaml) to merge over the built-in one (repeatable)
    #[arg(long = "catalogue", value_name = "FILE")]
    pub catalogue: Vec<PathBuf>,
    /// Name the Cedar policy (file:line) behind every finding in the human
    /// report, not only behind a team's own rules
    #[arg(long)]
    pub show_policy: bool,
    /// Warn about waivers that expire within this window (e.g. 14d)
    #[arg(long, value_name = "DAYS", value_parser = parse_days)]
    pub warn_expiring_within: Option<i64>,
}

impl RunArgs {
    /// Plans the outputs (usage errors come before a possibly long run),
    /// runs `run` with the options these flags give, and writes the reports.
    pub fn execute(
        self,
        notice: Option<PathBuf>,
        run: impl FnOnce(&[PathBuf], &Options) -> Result<Report, InputErrors>,
    ) -> ExitCode {
        self.execute_with(notice, false, run)
    }

    /// `execute`, with `scan_only` for `privflow scan`.
    pub fn execute_with(
        self,
        notice: Option<PathBuf>,
        scan_only: bool,
        run: impl FnOnce(&[PathBuf], &Options) -> Result<Report, InputErrors>,
    ) -> ExitCode {
        let plan = match super::check::plan(&self.format, &self.output, self.force) {
            Ok(plan) => plan,
            Err(error) => return super::input_errors(&InputErrors(vec![error]).in_lang(self.lang.get())),
        };
        let options = Options {
            lang: self.lang.lang,
            fail_on: self.fail_on,
            policies: self.policies.policies,
            today: self.today,
            notice,
            scan_only,
            catalogues: self.catalogue,
            warn_expiring_within: self.warn_expiring_within,
            keep: super::check::keeps(&plan),
        };
        match run(&self.paths, &options) {
            Ok(mut report) => {
                report.show_policy = self.show_policy;
                let code = super::check::write_reports(&report, &plan, &options.policies, self.force);
                // The process ends next: freeing a large report finding by
                // finding takes longer than the kernel takes to drop its pages.
                std::mem::forget(report);
                code
            }
            Err(errors) => super::input_errors(&errors),
        }
    }
}
fn parse_days(text: &str) -> Result<i64, String> {
    privflow::config::Days::parse(text).map(|d| d.0)
}

pub fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| format!("{e}; expected YYYY-MM-DD"))
}
