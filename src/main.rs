//! The `privflow` command: argument parsing and exit codes only.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
