//! `privflow check`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use privflow::{report, FailOn, Lang, Options};

#[derive(clap::Args)]
pub struct Args {
    /// Manifest files or directories to search (default: .)
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
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

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| format!("{e}; expected YYYY-MM-DD"))
}

pub fn run(args: Args) -> ExitCode {
    let options = Options {
        lang: args.lang,
        fail_on: args.fail_on,
        policies: args.policies,
        today: args.today,
    };
    let report = match privflow::check(&args.paths, &options) {
        Ok(report) => report,
        Err(errors) => return super::input_errors(&errors),
    };
    let text = match args.format {
        Format::Human => report::human::render(&report, std::io::stdout().is_terminal()),
        Format::Json => report::json::render(&report),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    super::exit_for(report.fail_on, report.fails())
}
