//! `privflow waivers [PATH]`: the waivers of the manifests under PATH and how
//! each stands, from a full check.

use std::path::PathBuf;
use std::process::ExitCode;

use privflow::report::waivers::{self, WaiversFormat};
use privflow::Options;

use super::args::{LangArg, PoliciesArg};

#[derive(clap::Args)]
pub struct Args {
    /// Manifest file or directory (default: .)
    path: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: WaiversFormat,
    #[command(flatten)]
    lang: LangArg,
    #[command(flatten)]
    policies: PoliciesArg,
    /// The date waivers are judged against (YYYY-MM-DD; default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::args::parse_date)]
    today: Option<chrono::NaiveDate>,
}

pub fn run(args: Args) -> ExitCode {
    let paths: Vec<PathBuf> = args.path.into_iter().collect();
    let options = Options {
        lang: args.lang.lang,
        policies: args.policies.policies,
        today: args.today,
        ..Options::default()
    };
    match privflow::check(&paths, &options) {
        Ok(report) => {
            print!("{}", waivers::render(&report, args.format));
            ExitCode::SUCCESS
        }
        Err(errors) => super::input_errors(&errors),
    }
}
