//! The `privflow` command: argument parsing and exit codes only.

mod cli;

// Evaluation allocates many small values; mimalloc is measurably faster
// than the system allocator for it (see README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
