//! The notice lexicon (`data/lexicon.yaml`, embedded and parsed once): the
//! terms that name each data category in a notice, the statutory boilerplate
//! that names none, and the words of a domestic-storage claim.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use serde::Deserialize;

use super::normalize::{find_term, normalize_term};

/// The lexicon file as shipped.
pub const SOURCE: &str = include_str!("../../data/lexicon.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    boilerplate: Vec<String>,
    definition_continues: Vec<String>,
    categories: BTreeMap<String, RawEntry>,
    domestic_storage: RawClaim,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    terms: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    places: Vec<String>,
    storage: Vec<String>,
    moves: Vec<String>,
    abroad: Vec<String>,
    negations: Vec<String>,
    exceptions: Vec<String>,
}

/// A list of words, normalised for lookup.
#[derive(Debug, Clone, Default)]
pub struct Words(Vec<String>);

impl Words {
    /// Normalises `written`, dropping words that normalise to nothing.
    pub fn new(written: &[String]) -> Words {
        Words(
            written
                .iter()
                .map(|w| normalize_term(w))
                .filter(|w| !w.is_empty())
                .collect(),
        )
    }

    /// Every occurrence of every word in `text`.
    pub fn find_in(&self, text: &str) -> Vec<Range<usize>> {
        self.0.iter().flat_map(|w| find_term(text, w)).collect()
    }

    /// Whether `text` starts with one of the words.
    pub fn starts(&self, text: &str) -> bool {
        let text = text.trim_start();
        self.0
            .iter()
            .any(|w| find_term(text, w).next().is_some_and(|r| r.start == 0))
    }

    /// Whether any word occurs in `text`.
    pub fn any_in(&self, text: &str) -> bool {
        self.0.iter().any(|w| find_term(text, w).next().is_some())
    }
}

/// A set of ranges, asked whether one of them covers a given range; built in
/// O(n log n) and asked in O(log n), so hostile text with many overlapping
/// matches stays linear-logarithmic.
pub struct Cover {
    /// Range starts, sorted.
    starts: Vec<usize>,
    /// The greatest end among the ranges up to each position of `starts`.
    reach: Vec<usize>,
}

impl Cover {
    pub fn new(mut ranges: Vec<Range<usize>>) -> Cover {
        ranges.sort_by_key(|r| r.start);
        let reach = ranges
            .iter()
            .scan(0, |max, r| {
                *max = (*max).max(r.end);
                Some(*max)
            })
            .collect();
        Cover {
            starts: ranges.iter().map(|r| r.start).collect(),
            reach,
        }
    }

    /// Whether a range starting at or before `inner` ends at or after it.
    pub fn covers(&self, inner: &Range<usize>) -> bool {
        let before = self.starts.partition_point(|&s| s <= inner.start);
        before > 0 && self.reach[before - 1] >= inner.end
    }
}

/// The terms that name one category, as written and as matched.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// The terms as the lexicon or the manifest writes them.
    pub written: Vec<String>,
    terms: Words,
    except: Words,
}

impl Entry {
    /// An entry of `written` terms that do not count inside `except` phrases.
    pub fn new(written: Vec<String>, except: &[String]) -> Entry {
        Entry {
            terms: Words::new(&written),
            except: Words::new(except),
            written,
        }
    }

    /// This entry with a manifest's own terms added.
    pub fn with_terms(&self, more: &[String]) -> Entry {
        let mut written = self.written.clone();
        written.extend(more.iter().cloned());
        Entry {
            terms: Words::new(&written),
            except: self.except.clone(),
            written,
        }
    }

    /// Whether a term occurs in `text` other than inside an `except` phrase.
    pub fn occurs_in(&self, text: &str) -> bool {
        let mut hits = self.terms.find_in(text).into_iter().peekable();
        if hits.peek().is_none() {
            return false;
        }
        let excepted = Cover::new(self.except.find_in(text));
        hits.any(|hit| !excepted.covers(&hit))
    }
}

/// The words a domestic-storage claim is made of (see `data/lexicon.yaml`).
#[derive(Debug, Clone, Default)]
pub struct ClaimWords {
    pub places: Words,
    pub storage: Words,
    pub moves: Words,
    pub abroad: Words,
    pub negations: Words,
    /// Words that open a list of exceptions to the claim (以下情形除外).
    pub exceptions: Words,
}

/// The parsed lexicon.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Phrases of sentences that quote a statutory definition.
    pub boilerplate: Words,
    /// Words that open a sentence continuing the definition before it.
    pub continues: Words,
    /// Category id → its terms.
    pub categories: BTreeMap<String, Entry>,
    pub claim: ClaimWords,
}

static BUILTIN: LazyLock<Result<Lexicon, String>> = LazyLock::new(|| Lexicon::parse(SOURCE));

impl Lexicon {
    /// The embedded lexicon. Its tests make an error here a build defect.
    pub fn builtin() -> Result<&'static Lexicon, String> {
        BUILTIN.as_ref().map_err(Clone::clone)
    }

    /// Parses a lexicon file.
    pub fn parse(text: &str) -> Result<Lexicon, String> {
        let raw: RawLexicon = serde_yaml::from_str(text).map_err(|e| format!("data/lexicon.yaml: {e}"))?;
        let c = raw.domestic_storage;
        Ok(Lexicon {
            boilerplate: Words::new(&raw.boilerplate),
            continues: Words::new(&raw.definition_continues),
            categories: raw
                .categories
                .into_iter()
                .map(|(id, e)| (id, Entry::new(e.terms, &e.except)))
                .collect(),
            claim: ClaimWords {
                places: Words::new(&c.places),
                storage: Words::new(&c.storage),
                moves: Words::new(&c.moves),
                abroad: Words::new(&c.abroad),
                negations: Words::new(&c.negations),
                exceptions: Words::new(&c.exceptions),
            },
        })
    }

    /// The terms of a category, if the lexicon has any.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.categories.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::Taxonomy;

    #[test]
    fn the_embedded_lexicon_parses() {
        assert!(Lexicon::builtin().is_ok(), "{:?}", Lexicon::builtin().err());
    }

    #[test]
    fn every_builtin_category_has_terms_and_every_entry_is_a_category() {
        let lexicon = Lexicon::builtin().unwrap_or_else(|e| panic!("{e}"));
        let taxonomy = Taxonomy::builtin();
        for id in taxonomy.ids() {
            let entry = lexicon.entry(id);
            assert!(entry.is_some_and(|e| !e.written.is_empty()), "no terms for `{id}`");
        }
        for id in lexicon.categories.keys() {
            assert!(taxonomy.contains(id), "lexicon entry `{id}` is not a category");
        }
    }

    #[test]
    fn every_builtin_category_is_named_by_its_own_chinese_name() {
        let lexicon = Lexicon::builtin().unwrap_or_else(|e| panic!("{e}"));
        let taxonomy = Taxonomy::builtin();
        for id in taxonomy.ids() {
            let zh = taxonomy.display_name(id, crate::lang::Lang::Zh);
            let text = normalize_term(&zh);
            let entry = lexicon.entry(id).cloned().unwrap_or_default();
            assert!(entry.occurs_in(&text), "`{id}` is not found in its own name {zh}");
        }
    }

    #[test]
    fn except_phrases_hide_a_term_only_where_they_cover_it() {
        let entry = Entry::new(vec!["地址".into()], &["IP地址".into()]);
        assert!(!entry.occurs_in("登录ip地址"));
        assert!(entry.occurs_in("登录ip地址和家庭地址"));
    }

    #[test]
    fn a_cover_finds_the_range_around_another() {
        let cover = Cover::new(vec![10..12, 0..8, 3..4]);
        assert!(cover.covers(&(2..5)));
        assert!(cover.covers(&(10..12)));
        assert!(!cover.covers(&(7..9)));
        assert!(!Cover::new(Vec::new()).covers(&(0..1)));
    }

    #[test]
    fn manifest_terms_extend_an_entry() {
        let entry = Entry::new(vec!["人脸".into()], &[]).with_terms(&["刷脸".into(), "  ".into()]);
        assert!(entry.occurs_in("支持刷脸支付"));
        assert_eq!(entry.written.len(), 3);
    }
}
