//! `.privflow.yaml`: a repository's own settings, found by walking up from
//! each manifest (like cargo-deny's deny.toml). Command-line flags win.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostics::{did_you_mean, Code, InputError, Text};
use crate::finding::Severity;
use crate::lang::Lang;
use crate::manifest::{self, yaml, SourceFile};
use crate::notice::phrase::{Phrase, Phrases};
use crate::run::FailOn;

pub const FILE_NAME: &str = ".privflow.yaml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub policies: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, Level>,
    pub fail_on: Option<FailOn>,
    pub lang: Option<Lang>,
    /// Defective notice phrases of the team's own, added to the shipped ones.
    pub notice_phrases: Option<crate::notice::phrase::Written>,
    /// `privflow check` also holds each manifest against its app's code
    /// (`privflow scan`).
    pub scan: Option<bool>,
    /// Team SDK catalogues (the format of `data/sdks.yaml`), relative to
    /// this file, merged over the built-in one.
    #[serde(default)]
    pub catalogue: Vec<String>,
    /// Warn about waivers that expire within this window (`14d`).
    pub warn_expiring_within: Option<Days>,
}

/// A number of days, written `14d` (or `14`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days(pub i64);

impl Days {
    pub fn parse(text: &str) -> Result<Days, String> {
        let digits = text.trim().strip_suffix('d').unwrap_or(text.trim());
        digits
            .parse::<u32>()
            .map(|n| Days(i64::from(n)))
            .map_err(|_| format!("`{text}` is not a number of days; write e.g. `14d`"))
    }
}

impl<'de> Deserialize<'de> for Days {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Days, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u32),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Number(n) => Ok(Days(i64::from(n))),
            Raw::Text(text) => Days::parse(&text).map_err(serde::de::Error::custom),
        }
    }
}

/// A severity override: a new severity, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Off,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Off => None,
        }
    }
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub config: Config,
    source: Arc<SourceFile>,
}

impl Loaded {
    /// Extra policy directories, relative to the config's directory.
    pub fn policy_dirs(&self) -> Vec<PathBuf> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        self.config.policies.iter().map(|p| dir.join(p)).collect()
    }

    /// Rejects overrides of rules that do not exist.
    pub fn check_rule_ids(&self, rule_ids: &[String]) -> Vec<InputError> {
        self.config
            .severity
            .keys()
            .filter(|id| !rule_ids.contains(id))
            .map(|id| {
                let path = [manifest::Seg::key("severity"), manifest::Seg::key(id)];
                let help = did_you_mean(id, rule_ids.iter().map(String::as_str)).unwrap_or_else(|| {
                    Text::new(
                        "run `privflow rules` for the rule ids",
                        "运行 `privflow rules` 查看规则 id",
                    )
                });
                self.source
                    .error(
                        Code::UnknownRule,
                        Text::new(
                            format!("unknown rule `{id}` in {FILE_NAME}"),
                            format!("{FILE_NAME} 中存在未知规则 `{id}`"),
                        ),
                    )
                    .at(self.source.locate_key(&path), Text::new("no such rule", "没有该规则"))
                    .with_help(help)
            })
            .collect()
    }
}

impl Loaded {
    /// The team catalogues, relative to the config's directory; one that
    /// does not exist is an input error at its entry.
    pub fn catalogue_files(&self) -> Result<Vec<PathBuf>, InputError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut files = Vec::new();
        for (k, name) in self.config.catalogue.iter().enumerate() {
            let path = dir.join(name);
            if !path.is_file() {
                let at = [manifest::Seg::key("catalogue"), manifest::Seg::Index(k)];
                return Err(self
                    .source
                    .error(
                        Code::Catalogue,
                        Text::new(
                            format!("the SDK catalogue `{name}` does not exist"),
                            format!("SDK 目录 `{name}` 不存在"),
                        ),
                    )
                    .at(self.source.locate(&at), Text::new("not found", "未找到"))
                    .with_help(Text::new(
                        format!("give the catalogue's path relative to {FILE_NAME}"),
                        format!("填写相对于 {FILE_NAME} 的目录文件路径"),
                    )));
            }
            files.push(path);
        }
        Ok(files)
    }

    /// The shipped notice phrases plus `notice_phrases`; a phrase with an
    /// empty part (it would match everywhere) is an input error.
    pub fn notice_phrases(&self) -> Result<Phrases, InputError> {
        let builtin = Phrases::builtin().cloned().unwrap_or_default();
        let Some(written) = &self.config.notice_phrases else {
            return Ok(builtin);
        };
        let lists = [
            ("implied_consent", &written.implied_consent),
            ("change_by_use", &written.change_by_use),
        ];
        for (list, phrases) in lists {
            for (k, phrase) in phrases.iter().enumerate() {
                if Phrase::parse(phrase).is_some() {
                    continue;
                }
                let path = [
                    manifest::Seg::key("notice_phrases"),
                    manifest::Seg::key(list),
                    manifest::Seg::Index(k),
                ];
                return Err(self
                    .source
                    .error(
                        Code::Config,
                        Text::new(
                            format!("notice phrase `{phrase}` in {FILE_NAME} has an empty part"),
                            format!("{FILE_NAME} 中的隐私政策用语 `{phrase}` 含有空的片段"),
                        ),
                    )
                    .at(self.source.locate(&path), Text::new("this phrase", "此用语"))
                    .with_help(Text::new(
                        "write the words in order, `…` between parts that need not be adjacent and `|` between alternatives, e.g. `继续使用…视为|即表示…同意`",
                        "按顺序书写用语，不必相邻的片段之间用 `…` 分隔，可互换的说法用 `|` 分隔，例如 `继续使用…视为|即表示…同意`",
                    )));
            }
        }
        let more = Phrases::parse(written).unwrap_or_default();
        Ok(builtin.with(&more))
    }
}

/// The nearest `.privflow.yaml` at or above `dir`.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let start = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let absolute = std::path::absolute(start).ok()?;
    absolute.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

pub fn load(path: &Path) -> Result<Loaded, InputError> {
    // Shown relative to the working directory, as users wrote their paths.
    let cwd = std::env::current_dir().unwrap_or_default();
    let display = path.strip_prefix(&cwd).unwrap_or(path).display().to_string();
    let text = manifest::read_text(path, &display)?;
    let source = Arc::new(SourceFile::new(path.to_path_buf(), display, text));
    match yaml::parse_plain::<Option<Config>>(&source.text) {
        Ok(config) => Ok(Loaded {
            path: path.to_path_buf(),
            config: config.unwrap_or_default(),
            source,
        }),
        Err(raw) => {
            let location = match &raw.at {
                yaml::ErrorAt::Path(p) => source.locate_key(p),
                yaml::ErrorAt::Position { line, column } => source.locate_position(*line, *column),
            };
            let expected = yaml::expected_names(&raw.message);
            let name = yaml::quoted_name(&raw.message).unwrap_or_default();
            let help = did_you_mean(&name, expected.iter().map(String::as_str)).unwrap_or_else(|| {
                Text::new(
                    "known keys: policies, severity, fail_on, lang, notice_phrases, warn_expiring_within, scan, catalogue",
                    "可用键：policies、severity、fail_on、lang、notice_phrases、warn_expiring_within、scan、catalogue",
                )
            });
            Err(source
                .error(
                    Code::Config,
                    Text::new(
                        format!("invalid {FILE_NAME}: {}", raw.message),
                        format!("{FILE_NAME} 无效：{}", raw.message),
                    ),
                )
                .at(location, Text::new("here", "此处"))
                .with_help(help))
        }
    }
}
