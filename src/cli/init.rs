//! `privflow init`: write a commented starter manifest that passes
//! `privflow check` with no finding, to be edited into the real one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use privflow::diagnostics::{Code, InputError, Text};
use privflow::{InputErrors, Lang};

pub const FILE_NAME: &str = "privflow.yaml";

pub fn run(dir: Option<PathBuf>, force: bool, lang: Lang) -> ExitCode {
    let path = match &dir {
        Some(dir) => dir.join(FILE_NAME),
        None => PathBuf::from(FILE_NAME),
    };
    // A directory that does not exist yet is made, as `cargo new` does; a
    // file in its place is an error.
    if let Some(dir) = dir.filter(|d| !d.is_dir()) {
        let error = if dir.exists() {
            InputError::new(
                Code::InitDir,
                Text::new(
                    format!("`{}` is a file, not a directory", dir.display()),
                    format!("`{}` 是文件，不是目录", dir.display()),
                ),
            )
            .with_help(Text::new(
                "give the directory the manifest goes in",
                "请指定存放清单的目录",
            ))
        } else {
            match std::fs::create_dir_all(&dir) {
                Ok(()) => return write_starter(&path, force, lang),
                Err(e) => InputError::new(
                    Code::Write,
                    Text::new(
                        format!("cannot create `{}`: {e}", dir.display()),
                        format!("无法创建 `{}`：{e}", dir.display()),
                    ),
                ),
            }
        };
        return super::input_errors(&InputErrors(vec![error]).in_lang(lang));
    }
    write_starter(&path, force, lang)
}

fn write_starter(path: &Path, force: bool, lang: Lang) -> ExitCode {
    let path = path.to_path_buf();
    if let Some(error) = super::check::check_target(&path, force) {
        return super::input_errors(&InputErrors(vec![error]).in_lang(lang));
    }
    if let Err(e) = super::check::write_atomic(&path, |out| out.write_all(template(lang).as_bytes()), force) {
        let message = if e.kind() == std::io::ErrorKind::AlreadyExists {
            Text::new(
                format!("`{}` already exists; not overwriting it", path.display()),
                format!("`{}` 已存在，不会覆盖", path.display()),
            )
        } else {
            Text::new(
                format!("cannot write `{}`: {e}", path.display()),
                format!("无法写入 `{}`：{e}", path.display()),
            )
        };
        let error = InputError::new(Code::Write, message);
        return super::input_errors(&InputErrors(vec![error]).in_lang(lang));
    }
    println!("{}", created(&path, lang));
    ExitCode::SUCCESS
}

fn created(path: &Path, lang: Lang) -> String {
    privflow::lang::tr(
        lang,
        format!(
            "wrote {}: describe your product's flows in it, then run `privflow check`",
            path.display()
        ),
        format!(
            "已生成 {}：在其中描述产品的个人信息处理活动，然后运行 `privflow check`",
            path.display()
        ),
    )
}

/// The starter manifest; `tests/commands.rs` checks both languages pass
/// `privflow check` with zero findings.
pub fn template(lang: Lang) -> &'static str {
    match lang {
        Lang::En => TEMPLATE_EN,
        Lang::Zh => TEMPLATE_ZH,
    }
}

// The starters are data, like the rule pack: they name rules (a waiver
// example) and fields, and are checked by tests/commands.rs.
const TEMPLATE_EN: &str = include_str!("../../data/init/privflow.en.yaml");

const TEMPLATE_ZH: &str = include_str!("../../data/init/privflow.zh.yaml");
