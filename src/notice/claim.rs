//! Whether a notice claims that personal information collected in China is
//! stored in China, where it says so, and the exceptions it declares. The
//! words are the lexicon's `domestic_storage` lists; this module only knows
//! how they combine.

use super::lexicon::{ClaimWords, Cover};
use super::normalize::{clauses, sentences};

/// A claim of domestic storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Offset in normalised text of the claiming place.
    pub at: usize,
    /// The cases the notice declares after the claim (以下情形除外：1. …),
    /// each with its offset; empty when it declares none.
    pub exceptions: Vec<(usize, String)>,
}

/// The first claim of domestic storage that is unqualified or qualified only
/// by a declared list of exceptions.
pub fn domestic_claim(text: &str, words: &ClaimWords) -> Option<Claim> {
    let all: Vec<(usize, &str)> = paragraphs(text).collect();
    all.iter().enumerate().find_map(|(k, &(at, paragraph))| {
        // A claim qualified by "except" ends where the exceptions begin.
        let marker = words
            .exceptions
            .find_in(paragraph)
            .into_iter()
            .min_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let (claim, listed) = match marker {
            Some(marker) => (&paragraph[..marker.end], Some(marker.end)),
            None => (paragraph, None),
        };
        let i = paragraph_claim(claim, words)?;
        let exceptions = match listed {
            Some(end) => {
                let rest = &paragraph[end..];
                // Without a colon the exception ends with its sentence.
                let listed = rest.chars().take(4).any(|c| c == ':');
                let rest = if listed {
                    rest
                } else {
                    rest.split('。').next().unwrap_or("")
                };
                let (lead, mut items) = items(at + end, rest);
                // Numbered exceptions in the paragraphs that follow.
                let following = all[k + 1..].iter().take_while(|(_, p)| enumerated(p).is_some());
                for &(p_at, p) in following.filter(|_| listed) {
                    items.extend(items_of(p_at, p));
                }
                // Text before the first numbered item introduces the list.
                if items.is_empty() {
                    items = lead;
                }
                items
            }
            None => Vec::new(),
        };
        Some(Claim { at: at + i, exceptions })
    })
}

/// The items of an exception list written in one run of text, split at `;`
/// and before each enumeration mark (`1.`, `(2)`, `③`, `四、`): the text
/// before the first mark, and the items from it on.
type Items = Vec<(usize, String)>;
fn items(at: usize, text: &str) -> (Items, Items) {
    let mut cuts = vec![0];
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        // A mark right after a letter or digit (`v1.`, `2.5`) is part of a word.
        let mark = !prev.is_some_and(|p| p.is_ascii_alphanumeric()) && enumerated(&text[i..]).is_some();
        if c == ';' || mark {
            cuts.push(i);
        }
        prev = Some(c);
    }
    cuts.push(text.len());
    cuts.dedup();
    let first_mark = cuts
        .iter()
        .copied()
        .find(|&i| enumerated(text[i..].trim_start_matches([';', ':', ' '])).is_some());
    let split = first_mark.unwrap_or(text.len());
    let of = |w: &[usize]| items_of(at + w[0], &text[w[0]..w[1]]);
    let lead = cuts.windows(2).filter(|w| w[1] <= split).flat_map(of).collect();
    let numbered = cuts.windows(2).filter(|w| w[0] >= split).flat_map(of).collect();
    (lead, numbered)
}

/// One item without its enumeration mark and punctuation; none if empty.
fn items_of(at: usize, piece: &str) -> Vec<(usize, String)> {
    let trimmed = piece.trim_start_matches([';', ':', ' ']);
    let body = enumerated(trimmed).unwrap_or(trimmed);
    let body = body.trim_matches([';', ':', ',', ' ', '.', '。']);
    if body.chars().count() < 2 {
        return Vec::new();
    }
    let offset = at + (piece.len() - piece.trim_start_matches([';', ':', ' ']).len());
    vec![(offset, body.to_string())]
}

/// The text after an enumeration mark at the start of `text`: `1.` `1、`
/// `1)` `(1)` `①` `一、` `(一)` `a)`; `None` when it starts with none.
fn enumerated(text: &str) -> Option<&str> {
    const NUMERALS: &str = "一二三四五六七八九十";
    let inner = text.strip_prefix('(');
    let rest = inner.unwrap_or(text);
    let number = rest
        .char_indices()
        .take_while(|&(_, c)| c.is_ascii_digit() || NUMERALS.contains(c))
        .last()
        .map(|(i, c)| i + c.len_utf8());
    if let Some(c) = rest.chars().next().filter(|c| ('①'..='⑳').contains(c)) {
        return Some(&rest[c.len_utf8()..]);
    }
    let after = &rest[number?..];
    let closers: &[char] = if inner.is_some() { &[')'] } else { &['.', '、', ')'] };
    let after = after.strip_prefix(closers)?;
    // `1.5` is a number, not an item.
    (!after.starts_with(|c: char| c.is_ascii_digit())).then_some(after)
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
        assert_eq!(at.map(|c| &text[c.at..]), Some("中国境内。"));
    }

    fn exceptions(text: &str) -> Vec<String> {
        let lexicon = Lexicon::builtin().unwrap_or_else(|e| panic!("{e}"));
        let text = super::super::normalize::normalize(text).text;
        let claim = domestic_claim(&text, &lexicon.claim).unwrap_or_else(|| panic!("no claim in {text}"));
        claim.exceptions.into_iter().map(|(_, e)| e).collect()
    }

    #[test]
    fn numbered_exceptions_after_the_claim_are_read() {
        let lines = "我们在中国境内收集的个人信息存储于中国境内，以下情形除外：\n1. 为完成跨境支付，向境外支付机构提供；\n2. 经您单独同意，向境外关联公司提供。\n\n其他内容。";
        assert_eq!(
            exceptions(lines),
            ["为完成跨境支付,向境外支付机构提供", "经您单独同意,向境外关联公司提供"]
        );
        let paragraphs = "信息存储于中国境内，除外情形如下：\n\n(1) 跨境支付；\n\n(2) 国际漫游\n\n第三条";
        assert_eq!(exceptions(paragraphs), ["跨境支付", "国际漫游"]);
        let english = "Data is stored in mainland China, except: (1) international payments; (2) roaming.";
        assert_eq!(exceptions(english), ["international payments", "roaming"]);
        assert_eq!(exceptions("存储于中国境内。"), Vec::<String>::new());
        let unpunctuated = "信息存储于中国境内，以下情形除外：\n1. 跨境支付\n2. 国际漫游\n\n其他。";
        assert_eq!(exceptions(unpunctuated), ["跨境支付", "国际漫游"]);
    }

    #[test]
    fn enumeration_marks_are_recognised() {
        assert_eq!(enumerated("1.跨境"), Some("跨境"));
        assert_eq!(enumerated("(2)跨境"), Some("跨境"));
        assert_eq!(enumerated("③跨境"), Some("跨境"));
        assert_eq!(enumerated("四、跨境"), Some("跨境"));
        assert_eq!(enumerated("1.5 倍"), None);
        assert_eq!(enumerated("跨境"), None);
    }
}
