//! The `privflow` command: argument parsing and exit codes only.

mod cli;

// Findings, facts and YAML nodes are many small allocations made on two
// threads at once; mimalloc serves them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
