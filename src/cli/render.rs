//! `privflow render REPORT.json --format F`: one analysis, many renderings.
//! The JSON report of a `check` is rendered in another format, byte for byte
//! as `check --format F` would have, so that one run can gate, annotate and
//! archive.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use privflow::diagnostics::{Code, InputError, Text};
use privflow::report::Format;
use privflow::{InputErrors, Options, Report};

use super::args::PoliciesArg;

#[derive(clap::Args)]
pub struct Args {
    /// A report written by `privflow check --format json`
    report: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// The policy directories the check used (for rule descriptions)
    #[command(flatten)]
    policies: PoliciesArg,
    /// As `check --show-policy`
    #[arg(long)]
    show_policy: bool,
}

pub fn run(args: Args) -> ExitCode {
    let shown = args.report.display().to_string();
    let parsed = std::fs::read_to_string(&args.report)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<Report>(&text).map_err(|e| e.to_string()));
    let report = match parsed {
        Ok(report) => report,
        Err(e) => {
            let error = InputError::new(
                Code::ReportFile,
                Text::new(
                    format!("`{shown}` is not a privflow JSON report: {e}"),
                    format!("`{shown}` 不是 privflow JSON 报告：{e}"),
                ),
            )
            .with_help(Text::new(
                "write one with `privflow check --format json --output FILE`",
                "可用 `privflow check --format json --output FILE` 生成",
            ));
            return super::input_errors(&InputErrors(vec![error]));
        }
    };
    let options = Options {
        lang: Some(report.lang),
        fail_on: Some(report.fail_on),
        policies: args.policies.policies,
        ..Options::default()
    };
    match privflow::reload(report, &options) {
        Ok(mut report) => {
            report.show_policy = args.show_policy;
            let base = std::env::current_dir().unwrap_or_default();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let _ = args
                .format
                .write(&report, &base, false, &mut out)
                .and_then(|()| out.flush());
            ExitCode::SUCCESS
        }
        Err(errors) => super::input_errors(&errors),
    }
}
