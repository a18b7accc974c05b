//! `privflow scan`: what the build and platform files next to each manifest
//! show (SDKs, permissions), before any rule compares it with the manifest.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use privflow::scan::report;
use privflow::InputErrors;

use super::args::{LangArg, ScanFormat};

#[derive(clap::Args)]
pub struct Args {
    /// Manifest files or directories to search (default: .)
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: ScanFormat,
    #[command(flatten)]
    pub lang: LangArg,
}

pub fn run(args: Args) -> ExitCode {
    let lang = args.lang.get();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    match report::scan_paths(&paths) {
        Ok(scans) => {
            let text = match args.format {
                ScanFormat::Human => report::render_human(&scans, lang),
                ScanFormat::Json => report::render_json(&scans),
            };
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(errors) => super::input_errors(&InputErrors::sorted(errors).in_lang(lang)),
    }
}
