//! `privflow scan`: the manifests against their apps' code (SDKs,
//! permissions), through check's pipeline with the scan rules only. With
//! `--evidence`, what the build and platform files show, before any rule.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use privflow::report::Format;
use privflow::scan::report;
use privflow::InputErrors;

use super::args::RunArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    run: RunArgs,
    /// List the evidence found (SDKs, permissions) instead of judging it (human, or json with --format json)
    #[arg(long, conflicts_with = "suggest")]
    evidence: bool,
    /// Print YAML to paste into the manifest for what the code shows and the manifest does not declare
    #[arg(long)]
    suggest: bool,
}

pub fn run(args: Args) -> ExitCode {
    if args.evidence {
        return evidence(args.run);
    }
    if args.suggest {
        return suggest(args.run);
    }
    args.run.execute_with(None, true, privflow::check)
}

fn paths(run: &RunArgs) -> Vec<PathBuf> {
    if run.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        run.paths.clone()
    }
}

fn evidence(run: RunArgs) -> ExitCode {
    let lang = run.lang.get();
    match report::scan_paths(&paths(&run)) {
        Ok(scans) => {
            let text = if run.format.contains(&Format::Json) {
                report::render_json(&scans)
            } else {
                report::render_human(&scans, lang)
            };
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(errors) => super::input_errors(&InputErrors::sorted(errors).in_lang(lang)),
    }
}

fn suggest(run: RunArgs) -> ExitCode {
    let lang = run.lang.get();
    let options = privflow::Options {
        lang: run.lang.lang,
        fail_on: run.fail_on,
        policies: run.policies.policies.clone(),
        today: run.today,
        notice: None,
        scan_only: true,
        catalogues: run.catalogue.clone(),
        ..Default::default()
    };
    match privflow::scan::suggest::suggest(&paths(&run), &options) {
        Ok(text) => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(errors) => super::input_errors(&errors.in_lang(lang)),
    }
}
