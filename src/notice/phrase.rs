//! Phrases of a notice that are defects in themselves: use taken for consent
//! (`implied_consent`) and continued use taken for acceptance of a change
//! (`change_by_use`). The lists are `data/notice_phrases.yaml`, extended by
//! `.privflow.yaml`'s `notice_phrases`; this module only finds them.

use std::sync::LazyLock;

use serde::Deserialize;

use super::normalize::{find_term, normalize_term, sentences, Normalized};

/// The phrase lists as shipped.
pub const SOURCE: &str = include_str!("../../data/notice_phrases.yaml");

/// Phrase lists as written (the shipped file, or `.privflow.yaml`'s key).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Written {
    #[serde(default)]
    pub implied_consent: Vec<String>,
    #[serde(default)]
    pub change_by_use: Vec<String>,
}

/// One phrase: parts in order, each a set of alternatives, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase(Vec<Vec<String>>);

impl Phrase {
    /// Parses `a…b|c`; `None` when a part has no alternative that normalises
    /// to something (it would match everywhere).
    pub fn parse(written: &str) -> Option<Phrase> {
        let parts: Vec<Vec<String>> = written
            .replace("...", "…")
            .split('…')
            .map(|part| {
                part.split('|')
                    .map(normalize_term)
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect();
        (!parts.is_empty() && parts.iter().all(|p| !p.is_empty())).then_some(Phrase(parts))
    }

    /// Where the phrase starts in `sentence`, its parts in order.
    fn find_in(&self, sentence: &str) -> Option<usize> {
        let mut from = 0;
        let mut start = None;
        for part in &self.0 {
            let hit = part
                .iter()
                .filter_map(|w| find_term(&sentence[from..], w).next())
                .min_by_key(|r| r.start)?;
            start.get_or_insert(from + hit.start);
            from += hit.end;
        }
        start
    }
}

/// Both lists, parsed.
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    pub implied_consent: Vec<Phrase>,
    pub change_by_use: Vec<Phrase>,
}

static BUILTIN: LazyLock<Result<Phrases, String>> = LazyLock::new(|| {
    let written: Written = serde_yaml::from_str(SOURCE).map_err(|e| format!("data/notice_phrases.yaml: {e}"))?;
    Phrases::parse(&written).map_err(|p| format!("data/notice_phrases.yaml: phrase `{p}` has an empty part"))
});

impl Phrases {
    /// The shipped lists. Their tests make an error here a build defect.
    pub fn builtin() -> Result<&'static Phrases, String> {
        BUILTIN.as_ref().map_err(Clone::clone)
    }

    /// Parses written lists; the error is the first phrase with an empty part.
    pub fn parse(written: &Written) -> Result<Phrases, String> {
        let list = |l: &[String]| {
            l.iter()
                .map(|w| Phrase::parse(w).ok_or_else(|| w.clone()))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Phrases {
            implied_consent: list(&written.implied_consent)?,
            change_by_use: list(&written.change_by_use)?,
        })
    }

    /// The shipped lists with `more` added.
    pub fn with(&self, more: &Phrases) -> Phrases {
        let mut all = self.clone();
        all.implied_consent.extend(more.implied_consent.iter().cloned());
        all.change_by_use.extend(more.change_by_use.iter().cloned());
        all
    }

    /// The first line of `text` with each kind of phrase. A sentence that
    /// takes continued use for acceptance of a change is that only, not also
    /// implied consent.
    pub fn find(&self, text: &Normalized) -> Found {
        let mut found = Found::default();
        for (at, sentence) in sentences(&text.text) {
            let first = |list: &[Phrase]| list.iter().filter_map(|p| p.find_in(sentence)).min();
            if let Some(i) = first(&self.change_by_use) {
                found.change_by_use.get_or_insert(text.line_of(at + i));
            } else if let Some(i) = first(&self.implied_consent) {
                found.implied_consent.get_or_insert(text.line_of(at + i));
            }
        }
        found
    }
}

/// The 1-based lines where each kind of phrase first occurs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Found {
    pub implied_consent: Option<usize>,
    pub change_by_use: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::super::normalize::{normalize, strip_markup};
    use super::*;

    fn found(text: &str) -> Found {
        let phrases = Phrases::builtin().unwrap_or_else(|e| panic!("{e}"));
        phrases.find(&normalize(&strip_markup(text)))
    }

    #[test]
    fn the_shipped_phrases_parse() {
        let phrases = Phrases::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(!phrases.implied_consent.is_empty() && !phrases.change_by_use.is_empty());
    }

    #[test]
    fn a_phrase_matches_with_gaps_within_one_sentence_only() {
        let phrase = Phrase::parse("一旦…使用…即表示|视为…同意").unwrap_or_else(|| panic!("parses"));
        assert_eq!(phrase.find_in("一旦您开始使用本产品,即表示您已同意本政策"), Some(0));
        assert_eq!(phrase.find_in("前言:一旦你使用,即视为同意"), Some("前言:".len()));
        assert_eq!(phrase.find_in("同意一旦使用即表示"), None);
        let found = found("一旦您开始使用本产品。我们即表示同意。");
        assert_eq!(found.implied_consent, None);
    }

    #[test]
    fn empty_parts_are_refused() {
        assert_eq!(Phrase::parse("继续使用…  …同意"), None);
        assert_eq!(Phrase::parse("|"), None);
        assert!(Phrase::parse("by using...you agree").is_some());
    }

    #[test]
    fn the_issue_phrases_are_found_on_their_lines() {
        let text = "# 隐私政策\n\n一旦你开始使用我们的产品，即表示同意本政策。\n\n本政策更新后，继续使用即视为接受更新后的政策。\n";
        assert_eq!(
            found(text),
            Found {
                implied_consent: Some(3),
                change_by_use: Some(5)
            }
        );
        let english = "By using the App, you agree to this Policy.\n\nIf you continue to use the App after we post changes, you accept the updated Policy.";
        assert_eq!(
            found(english),
            Found {
                implied_consent: Some(1),
                change_by_use: Some(3)
            }
        );
    }

    #[test]
    fn explicit_consent_and_notified_changes_are_not_defects() {
        let text = "请您点击“同意”按钮，以表示您同意本政策。政策更新时，我们将以弹窗方式通知您并再次征得您的同意。We will ask for your consent before any change takes effect.";
        assert_eq!(found(text), Found::default());
    }
}
