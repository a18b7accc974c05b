//! `privflow test [DIR]`: the rule pack's cases, pass or fail, and its rule
//! coverage. Exit 1 on a failing case or coverage below `--min-coverage`.

use std::path::PathBuf;
use std::process::ExitCode;

use privflow::report::cases::{self, CasesFormat};
use privflow::{InputErrors, Options};

use super::args::{LangArg, PoliciesArg};

#[derive(clap::Args)]
pub struct Args {
    /// Directory of cases: each subdirectory with an expected.yaml (default: .)
    dir: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: CasesFormat,
    /// Fail when fewer than N% of the rules fire in some case
    #[arg(long, value_name = "N")]
    min_coverage: Option<f64>,
    #[command(flatten)]
    lang: LangArg,
    #[command(flatten)]
    policies: PoliciesArg,
    /// The date cases are judged on, unless a case's expected.yaml sets `today:`
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::args::parse_date)]
    today: Option<chrono::NaiveDate>,
}

pub fn run(args: Args) -> ExitCode {
    let lang = args.lang.get();
    let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
    let options = Options {
        lang: Some(lang),
        policies: args.policies.policies,
        today: args.today,
        ..Options::default()
    };
    match privflow::testing::run(&dir, &options, lang) {
        Ok(outcome) => {
            print!("{}", cases::render(&outcome, args.format));
            let below = args.min_coverage.is_some_and(|min| outcome.coverage.percent < min);
            if below && args.format == CasesFormat::Human {
                eprintln!(
                    "{}",
                    privflow::lang::tr(
                        lang,
                        format!(
                            "rule coverage {:.1}% is below --min-coverage {}",
                            outcome.coverage.percent,
                            args.min_coverage.unwrap_or_default()
                        ),
                        format!(
                            "规则覆盖率 {:.1}% 低于 --min-coverage {}",
                            outcome.coverage.percent,
                            args.min_coverage.unwrap_or_default()
                        ),
                    )
                );
            }
            ExitCode::from(if outcome.failed() || below {
                super::EXIT_FINDINGS
            } else {
                0
            })
        }
        Err(error) => super::input_errors(&InputErrors(vec![error]).in_lang(lang)),
    }
}
