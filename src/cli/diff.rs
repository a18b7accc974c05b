//! `privflow diff --base REV`: material changes against a git revision,
//! reported like `check` (same formats, outputs and exit codes).

use std::process::ExitCode;

use super::args::RunArgs;

#[derive(clap::Args)]
pub struct Args {
    /// The git revision to compare with (branch, tag or commit; e.g. origin/main)
    #[arg(long, value_name = "REV")]
    base: String,
    #[command(flatten)]
    run: RunArgs,
}

pub fn run(args: Args) -> ExitCode {
    let base = args.base;
    args.run
        .execute(None, |paths, options| privflow::diff::diff(paths, &base, options))
}
