//! Whether a notice claims that personal information collected in China is
//! stored in China, and where it says so. The words are the lexicon's
//! `domestic_storage` lists; this module only knows how they combine.

use super::lexicon::{ClaimWords, Cover};
use super::normalize::{clauses, sentences};

/// The offset in normalised `text` of the first unqualified claim of domestic
/// storage, if the notice makes one.
pub fn domestic_claim(text: &str, words: &ClaimWords) -> Option<usize> {
    paragraphs(text).find_map(|(at, paragraph)| paragraph_claim(paragraph, words).map(|i| at + i))
}

/// The paragraphs of normalised text (separated by `\n`) with their offsets.
fn paragraphs(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split('\n').map(move |paragraph| {
        let start = at;
        at += paragraph.len() + 1;
        (start, paragraph)
    })
}

/// The first claiming clause of a paragraph. A paragraph that also allows
/// data abroad (如需向境外提供…) qualifies its claim, so it makes none.
fn paragraph_claim(paragraph: &str, words: &ClaimWords) -> Option<usize> {
    let pieces: Vec<(usize, &str)> = sentences(paragraph)
        .into_iter()
        .flat_map(|(s, sentence)| clauses(sentence).into_iter().map(move |(c, clause)| (s + c, clause)))
        .collect();
    if pieces.iter().any(|(_, clause)| allows_abroad(clause, words)) {
        return None;
    }
    pieces
        .iter()
        .find_map(|(at, clause)| clause_claim(clause, words).map(|i| at + i))
}

/// A clause that mentions going abroad without negating it.
fn allows_abroad(clause: &str, words: &ClaimWords) -> bool {
    words.abroad.any_in(clause) && !words.negations.any_in(clause)
}

/// Where a clause claims domestic storage: at a domestic place named next to
/// a storage word (存储于中国境内), or at a negated place abroad named next to
/// a storage or transfer word (不会传输至境外).
fn clause_claim(clause: &str, words: &ClaimWords) -> Option<usize> {
    let abroad = words.abroad.find_in(clause);
    let first_abroad = abroad.iter().map(|a| a.start).min();
    let abroad = Cover::new(abroad);
    let place = words
        .places
        .find_in(clause)
        .into_iter()
        .filter(|p| !abroad.covers(p))
        .map(|p| p.start)
        .min();
    if let Some(at) = place.filter(|_| words.storage.any_in(clause)) {
        return Some(at);
    }
    let negated = first_abroad.filter(|_| words.negations.any_in(clause));
    negated.filter(|_| words.storage.any_in(clause) || words.moves.any_in(clause))
}

#[cfg(test)]
mod tests {
    use super::super::lexicon::Lexicon;
    use super::super::normalize::normalize_term;
    use super::*;

    fn claims(text: &str) -> bool {
        let lexicon = Lexicon::builtin().unwrap_or_else(|e| panic!("{e}"));
        domestic_claim(&normalize_term(text), &lexicon.claim).is_some()
    }

    #[test]
    fn chinese_claims_are_found() {
        assert!(claims(
            "我们会将在中华人民共和国境内收集的个人信息存储在中华人民共和国境内。"
        ));
        assert!(claims("收集的信息，仅存放于中国境内。"));
        assert!(claims("您的信息保存在位于中国大陆的服务器。"));
        assert!(claims("个人信息不会传输至境外。"));
    }

    #[test]
    fn english_claims_are_found() {
        assert!(claims(
            "Personal information collected in China is stored in mainland China."
        ));
        assert!(claims("We keep your data on servers within the PRC."));
        assert!(claims("Your data is never transferred abroad."));
    }

    #[test]
    fn qualified_or_unrelated_sentences_are_not_claims() {
        assert!(!claims("信息存储于中国境内，如需向境外提供，我们将另行取得您的同意。"));
        assert!(!claims("我们在境内外均设有数据中心。"));
        assert!(!claims("对于在中国境内收集的信息，我们会加密。存储期限为一年。"));
        assert!(!claims("We store your data in Singapore."));
        assert!(!claims("Data may be stored outside mainland China."));
    }

    #[test]
    fn the_claim_is_located_at_its_place() {
        let lexicon = Lexicon::builtin().unwrap_or_else(|e| panic!("{e}"));
        let text = normalize_term("期限为一年。存储于中国境内。");
        let at = domestic_claim(&text, &lexicon.claim);
        assert_eq!(at.map(|i| &text[i..]), Some("中国境内。"));
    }
}
