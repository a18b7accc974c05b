//! `privflow rules` and `privflow explain RULE`, generated from the policies'
//! annotations.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use privflow::diagnostics::{did_you_mean, Code, InputError, Text};
use privflow::report::rules as text;
use privflow::{InputErrors, Lang, RulePack};

fn pack(lang: Lang, policies: &[PathBuf]) -> Result<RulePack, ExitCode> {
    let dirs: Vec<&Path> = policies.iter().map(PathBuf::as_path).collect();
    RulePack::load(&dirs).map_err(|e| super::input_errors(&InputErrors::sorted(e).in_lang(lang)))
}

pub fn list(lang: Lang, markdown: bool, policies: &[PathBuf]) -> ExitCode {
    match pack(lang, policies) {
        Ok(pack) => {
            if markdown {
                print!("{}", text::markdown_table(&pack, lang));
            } else {
                print!("{}", text::table(&pack, lang));
            }
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

pub fn explain(rule: &str, lang: Lang, policies: &[PathBuf]) -> ExitCode {
    let pack = match pack(lang, policies) {
        Ok(pack) => pack,
        Err(code) => return code,
    };
    match pack.rule(rule) {
        Some(info) => {
            print!("{}", text::explain(info, lang));
            ExitCode::SUCCESS
        }
        None => {
            let ids = pack.rule_ids();
            let help = did_you_mean(rule, ids.iter().map(String::as_str)).unwrap_or_else(|| {
                Text::new(
                    "run `privflow rules` for the rule ids",
                    "运行 `privflow rules` 查看规则 id",
                )
            });
            let error = InputError::new(
                Code::UnknownRule,
                Text::new(format!("unknown rule `{rule}`"), format!("未知的规则 `{rule}`")),
            )
            .with_help(help);
            super::input_errors(&InputErrors(vec![error]).in_lang(lang))
        }
    }
}
