//! `privflow graph [PATH]`: the manifests as a Mermaid flowchart.

use std::path::PathBuf;
use std::process::ExitCode;

use privflow::{report, Lang, Options};

pub fn run(path: Option<PathBuf>, lang: Option<Lang>, policies: Vec<PathBuf>) -> ExitCode {
    let paths: Vec<PathBuf> = path.into_iter().collect();
    let options = Options {
        lang,
        policies,
        ..Options::default()
    };
    // The full check loads and validates the manifests; its findings do not
    // matter here, so a manifest with findings still draws.
    match privflow::check(&paths, &options) {
        Ok(report) => {
            print!("{}", report::graph::render(&report));
            ExitCode::SUCCESS
        }
        Err(errors) => super::input_errors(&errors),
    }
}
