//! `privflow check`: run the pipeline, then write each requested report to
//! stdout or to its `--output` file (the writing is shared with `diff`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use privflow::baseline::Baseline;
use privflow::diagnostics::{Code, InputError, Text};
use privflow::report::{github, Format};
use privflow::{InputErrors, Keep, KeepSources, Report, RulePack};

use super::args::RunArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    run: RunArgs,
    /// Privacy notice to check every manifest against (instead of product.notice)
    #[arg(long, value_name = "FILE")]
    notice: Option<PathBuf>,
    /// Only findings not in this baseline fail the run; lists fixed ones
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record today's findings as a baseline in FILE (overwritten)
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let Args {
        run,
        notice,
        baseline,
        write_baseline,
    } = args;
    run.execute(notice, move |paths, options| {
        let lang = options.lang.unwrap_or_default();
        // The human report shows only the findings new against a baseline,
        // perhaps few enough to quote: keep the texts whatever the count.
        let mut options = options.clone();
        if baseline.is_some() {
            if let KeepSources::WithFindingsUpTo(_) = options.keep.sources {
                options.keep.sources = KeepSources::WithFindings;
            }
        }
        let options = &options;
        // A broken baseline is reported before the run.
        let baseline = match &baseline {
            Some(path) => Some(Baseline::read(path).map_err(|e| InputErrors(vec![e]).in_lang(lang))?),
            None => None,
        };
        let mut report = privflow::check(paths, options)?;
        if let Some(path) = &write_baseline {
            let text = Baseline::of(&report).to_json();
            write_atomic(path, |out| out.write_all(text.as_bytes()), true)
                .map_err(|e| InputErrors(vec![write_error(path, &e)]).in_lang(report.lang))?;
        }
        if let Some(baseline) = &baseline {
            baseline.apply(&mut report);
        }
        Ok(report)
    })
}

/// Writes `report` in each planned format (to stdout or its file) and
/// returns the run's exit code; shared with `privflow diff`.
pub(super) fn write_reports(
    report: &Report,
    plan: &[(Format, Option<PathBuf>)],
    policies: &[PathBuf],
    force: bool,
) -> ExitCode {
    // SARIF describes the rules the run used; a run that found no manifest
    // used none, and lists the rules it would have applied.
    let described;
    let report = if plan.iter().any(|(format, _)| format.describes_rules()) && report.rules.is_empty() {
        let dirs: Vec<&Path> = policies.iter().map(PathBuf::as_path).collect();
        let mut copy = report.clone();
        match RulePack::load(&dirs) {
            Ok(pack) => copy.add_rules(pack.rules()),
            Err(errors) => return super::input_errors(&InputErrors::sorted(errors).in_lang(report.lang)),
        }
        described = copy;
        &described
    } else {
        report
    };
    let base = std::env::current_dir().unwrap_or_default();
    let mut errors = Vec::new();
    for (format, output) in plan {
        let color = output.is_none() && std::io::stdout().is_terminal();
        if *format == Format::Github {
            // Annotations are capped per step; the job summary lists all.
            let summary = std::env::var_os(github::STEP_SUMMARY).filter(|path| !path.is_empty());
            if let Some(path) = summary.map(PathBuf::from) {
                if let Err(error) = github::append_step_summary(report, &path) {
                    errors.push(write_error(&path, &error));
                }
            }
        }
        let write = |out: &mut dyn Write| format.write(report, &base, color, out);
        match output {
            None => {
                // A closed pipe (`| head`) is not an error of the run.
                let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                let _ = write(&mut out).and_then(|()| out.flush());
            }
            Some(path) => {
                if let Err(error) = write_atomic(path, write, force) {
                    errors.push(write_error(path, &error));
                }
            }
        }
    }
    if !errors.is_empty() {
        return super::input_errors(&InputErrors(errors).in_lang(report.lang));
    }
    super::exit_for(report.fail_on, report.fails())
}

/// What the run keeps for the planned formats: nothing but the findings
/// for JSON and SARIF, so that their memory grows with the findings only.
pub(super) fn keeps(plan: &[(Format, Option<PathBuf>)]) -> Keep {
    plan.iter().fold(Keep::NOTHING, |keep, (format, _)| {
        let mut keep = keep.and(format.keeps());
        // The GitHub format also writes the Markdown report to the job summary.
        if *format == Format::Github && std::env::var_os(github::STEP_SUMMARY).is_some_and(|p| !p.is_empty()) {
            keep = keep.and(Format::Markdown.keeps());
        }
        keep
    })
}

/// Pairs formats with destinations (`None` = stdout): N formats take N
/// outputs in order, or N-1 with the first format on stdout.
// Called once per run: the size of the error does not matter (as in lib.rs).
#[allow(clippy::result_large_err)]
pub(super) fn plan(
    formats: &[Format],
    outputs: &[PathBuf],
    force: bool,
) -> Result<Vec<(Format, Option<PathBuf>)>, InputError> {
    let formats = if formats.is_empty() {
        &[Format::Human][..]
    } else {
        formats
    };
    let plan: Vec<(Format, Option<PathBuf>)> = if outputs.len() == formats.len() {
        formats
            .iter()
            .zip(outputs)
            .map(|(f, o)| (*f, Some(o.clone())))
            .collect()
    } else if outputs.len() + 1 == formats.len() {
        let mut plan = vec![(formats[0], None)];
        plan.extend(formats[1..].iter().zip(outputs).map(|(f, o)| (*f, Some(o.clone()))));
        plan
    } else {
        let (f, o) = (formats.len(), outputs.len());
        return Err(InputError::new(
            Code::Usage,
            Text::new(
                format!("{f} --format but {o} --output"),
                format!("给出了 {f} 个 --format，但有 {o} 个 --output"),
            ),
        )
        .with_help(Text::new(
            "give one --output per --format, or one fewer to send the first format to stdout",
            "每个 --format 对应一个 --output；或少给一个 --output，让第一个格式输出到标准输出",
        )));
    };
    let mut seen: Vec<&Path> = Vec::new();
    for (_, output) in &plan {
        let Some(path) = output else { continue };
        if seen.contains(&path.as_path()) {
            return Err(InputError::new(
                Code::Usage,
                Text::new(
                    format!("`{}` is given as --output twice", path.display()),
                    format!("`{}` 被多次用作 --output", path.display()),
                ),
            ));
        }
        seen.push(path);
        if let Some(error) = check_target(path, force) {
            return Err(error);
        }
    }
    Ok(plan)
}

/// Refuses a directory, and an existing file unless `force`.
pub fn check_target(path: &Path, force: bool) -> Option<InputError> {
    if path.is_dir() {
        return Some(InputError::new(
            Code::OutputIsDirectory,
            Text::new(
                format!("`{}` is a directory", path.display()),
                format!("`{}` 是一个目录", path.display()),
            ),
        ));
    }
    if !force && path.exists() {
        return Some(exists_error(path));
    }
    None
}

fn exists_error(path: &Path) -> InputError {
    InputError::new(
        Code::OutputExists,
        Text::new(
            format!("`{}` already exists; not overwriting it", path.display()),
            format!("`{}` 已存在，不会覆盖", path.display()),
        ),
    )
    .with_help(Text::new("pass --force to overwrite it", "如需覆盖，请加上 --force"))
}

fn write_error(path: &Path, error: &std::io::Error) -> InputError {
    if error.kind() == std::io::ErrorKind::AlreadyExists {
        return exists_error(path);
    }
    InputError::new(
        Code::Write,
        Text::new(
            format!("cannot write `{}`: {error}", path.display()),
            format!("无法写入 `{}`：{error}", path.display()),
        ),
    )
}

/// Writes to `path` atomically what `write` writes: a temporary file in the
/// same directory (written through a buffer), renamed over the target, so
/// readers never see half a report. Without `force` the rename refuses to
/// replace an existing file, even one created since the check in `plan`.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    force: bool,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".privflow-");
    // A temporary file is private (0600); the report should not be.
    #[cfg(unix)]
    let permissions = std::fs::metadata(path).map(|m| m.permissions()).unwrap_or_else(|_| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o644)
    });
    #[cfg(unix)]
    builder.permissions(permissions);
    let mut file = builder.tempfile_in(dir)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file.as_file_mut());
    write(&mut out)?;
    out.flush()?;
    drop(out);
    file.as_file().sync_all()?;
    if force {
        file.persist(path).map_err(|e| e.error)?;
    } else {
        file.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_pair_with_formats() {
        let p = |s: &str| PathBuf::from(format!("/nonexistent-privflow-test/{s}"));
        let plan = plan(&[Format::Json, Format::Sarif], &[p("a")], false).ok();
        let plan = plan.unwrap_or_default();
        assert_eq!(plan.len(), 2);
        assert!(plan[0].0 == Format::Json && plan[0].1.is_none());
        assert!(plan[1].0 == Format::Sarif && plan[1].1 == Some(p("a")));
        assert!(super::plan(&[Format::Json], &[p("a"), p("b")], false).is_err());
        assert!(super::plan(&[Format::Json, Format::Sarif], &[p("a"), p("a")], false).is_err());
        let default = super::plan(&[], &[], false).unwrap_or_default();
        assert!(default.len() == 1 && default[0].0 == Format::Human && default[0].1.is_none());
    }
}
