//! Command-line interface: flags in one place, one file per subcommand.

mod args;
mod categories;
mod check;
mod diff;
mod graph;
mod init;
mod render;
mod rules;
mod scan;
mod schema;
mod test;
mod waivers;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use privflow::{FailOn, InputErrors};

use args::{LangArg, PoliciesArg};

#[derive(Parser)]
#[command(
    name = "privflow",
    version,
    about = "Check personal-data flows against PIPL rules written in Cedar"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate manifests and report findings
    Check(check::Args),
    /// Report material changes of manifests against a git revision
    Diff(diff::Args),
    /// List the rules (id, severity, law)
    Rules {
        #[command(flatten)]
        lang: LangArg,
        /// Print a Markdown table instead of plain text
        #[arg(long)]
        markdown: bool,
        #[command(flatten)]
        policies: PoliciesArg,
    },
    /// Explain one rule: law, sources, why it matters, how to fix, an example
    Explain {
        rule: String,
        #[command(flatten)]
        lang: LangArg,
        #[command(flatten)]
        policies: PoliciesArg,
    },
    /// Print the data-category taxonomy
    Categories {
        #[command(flatten)]
        lang: LangArg,
        /// Also print the words a privacy notice is searched for, per category
        #[arg(long)]
        terms: bool,
    },
    /// Print the manifest's JSON Schema (for editors)
    Schema,
    /// Write a commented starter manifest (privflow.yaml)
    Init {
        /// Directory to write privflow.yaml in (default: .)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Overwrite an existing privflow.yaml
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        lang: LangArg,
    },
    /// List the SDKs and permissions found in the build and platform files of each manifest's app
    Scan(scan::Args),
    /// Print a Mermaid flowchart: data → flows → storage countries and recipients
    Graph {
        /// Manifest file or directory (default: .)
        path: Option<PathBuf>,
        #[command(flatten)]
        lang: LangArg,
        #[command(flatten)]
        policies: PoliciesArg,
    },
    /// List every waiver: rule, flow, reason, expiry, days left, whether it matched
    Waivers(waivers::Args),
    /// Run rule-pack test cases (a manifest and expected.yaml per directory); report rule coverage
    Test(test::Args),
    /// Render a JSON report of `check` in another format, as `check` would
    Render(render::Args),
}

/// Exit codes: 0 clean, 1 findings at or above --fail-on, 2 input or usage error.
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_INPUT: u8 = 2;

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_INPUT } else { 0 });
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Rules {
            lang,
            markdown,
            policies,
        } => rules::list(lang.get(), markdown, &policies.policies),
        Command::Explain { rule, lang, policies } => rules::explain(&rule, lang.get(), &policies.policies),
        Command::Categories { lang, terms } => categories::run(lang.get(), terms),
        Command::Schema => schema::run(),
        Command::Init { dir, force, lang } => init::run(dir, force, lang.get()),
        Command::Scan(args) => scan::run(args),
        Command::Graph { path, lang, policies } => graph::run(path, lang.lang, policies.policies),
        Command::Waivers(args) => waivers::run(args),
        Command::Test(args) => test::run(args),
        Command::Render(args) => render::run(args),
    }
}

/// Prints every input error to stderr and returns exit code 2.
pub fn input_errors(errors: &InputErrors) -> ExitCode {
    let color = std::io::stderr().is_terminal();
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for error in &errors.0 {
        let _ = handler.render_report(&mut out, error);
        out.push('\n');
    }
    eprint!("{out}");
    ExitCode::from(EXIT_INPUT)
}

/// The exit code for a finished check.
pub fn exit_for(fail_on: FailOn, fails: bool) -> ExitCode {
    let _ = fail_on;
    ExitCode::from(if fails { EXIT_FINDINGS } else { 0 })
}
