//! `privflow diff --base REV`: material changes against a git revision,
//! reported like `check` (same formats, outputs and exit codes).

use std::path::PathBuf;
use std::process::ExitCode;

use privflow::{FailOn, InputErrors, Lang, Options};

use super::check::{parse_date, plan, write_reports, Format};

#[derive(clap::Args)]
pub struct Args {
    /// The git revision to compare with (branch, tag or commit; e.g. origin/main)
    #[arg(long, value_name = "REV")]
    base: String,
    /// Manifest files or directories to search (default: .)
    paths: Vec<PathBuf>,
    /// Output format (repeatable, paired with --output; default human)
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Vec<Format>,
    /// Write a report to FILE (repeatable; paired with --format as in `check`)
    #[arg(long, value_name = "FILE")]
    output: Vec<PathBuf>,
    /// Overwrite existing --output files
    #[arg(long)]
    force: bool,
    /// Lowest severity that fails the run
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Language of messages and help
    #[arg(long, value_enum)]
    lang: Option<Lang>,
    /// Extra Cedar rule directories (repeatable)
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// The date waivers are judged against (YYYY-MM-DD; default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    today: Option<chrono::NaiveDate>,
}

pub fn run(args: Args) -> ExitCode {
    let lang = args.lang.unwrap_or_default();
    let plan = match plan(&args.format, &args.output, args.force) {
        Ok(plan) => plan,
        Err(error) => return super::input_errors(&InputErrors(vec![error]).in_lang(lang)),
    };
    let options = Options {
        lang: args.lang,
        fail_on: args.fail_on,
        policies: args.policies.clone(),
        today: args.today,
        notice: None,
    };
    match privflow::diff::diff(&args.paths, &args.base, &options) {
        Ok(report) => write_reports(&report, &plan, &args.policies, args.force),
        Err(errors) => super::input_errors(&errors),
    }
}
