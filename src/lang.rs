//! The language of user-facing text, and text held in both languages until
//! it is shown. A leaf module: it imports nothing of the crate, so any module
//! can carry a `Text` without knowing the run's language.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The language of every message and help text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// Picks the English or Chinese text, for output rendered in a known language.
pub fn tr(lang: Lang, en: impl Into<String>, zh: impl Into<String>) -> String {
    match lang {
        Lang::En => en.into(),
        Lang::Zh => zh.into(),
    }
}

/// A text in English and Chinese; the language is chosen where it is shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// The same words in both languages: a path, a name, a tool's own message.
    pub fn same(text: impl Into<String>) -> Text {
        let text = text.into();
        Text {
            zh: text.clone(),
            en: text,
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    /// Builds a text from one template applied to each language's words.
    pub fn map(&self, f: impl Fn(&str, Lang) -> String) -> Text {
        Text {
            en: f(&self.en, Lang::En),
            zh: f(&self.zh, Lang::Zh),
        }
    }
}

impl fmt::Display for Text {
    /// English, for logs and `Debug`-like uses; reports choose with `get`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_chosen_where_shown() {
        let text = Text::new("unknown field", "未知字段");
        assert_eq!(text.get(Lang::En), "unknown field");
        assert_eq!(text.get(Lang::Zh), "未知字段");
        let quoted = text.map(|words, lang| tr(lang, format!("{words}!"), format!("{words}！")));
        assert_eq!(quoted, Text::new("unknown field!", "未知字段！"));
    }
}
