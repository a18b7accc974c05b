//! Notice text → text that terms can be looked up in: Markdown and HTML markup
//! removed, width and case folded, whitespace reduced, and the line of every
//! position kept so that a finding can quote the notice's own line number.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

/// Put where markup ends a block (`</p>`, `<br>`, `</li>`): a sentence break
/// that is not a line of the file.
const BLOCK: char = '\u{1F}';

/// Tags longer than this are taken for text that merely contains `<`.
const MAX_TAG: usize = 4096;

/// Markdown link texts and targets longer than this are not links.
const MAX_LINK: usize = 2048;

/// HTML elements that end a block of text.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Named HTML entities that occur in notices; others stay as written.
const ENTITIES: &[(&str, char)] = &[
    ("nbsp", ' '),
    ("ensp", ' '),
    ("emsp", ' '),
    ("thinsp", ' '),
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("hellip", '…'),
    ("middot", '·'),
    ("bull", '•'),
    ("copy", '©'),
    ("reg", '®'),
    ("times", '×'),
    ("yen", '¥'),
];

/// Removes Markdown and HTML markup, keeping the text and every line break
/// (a tag or comment that spans lines leaves its newlines behind).
pub fn strip_markup(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        let consumed = match c {
            '<' => html(rest, &mut out),
            '&' => entity(rest, &mut out),
            '[' => link(rest, 0, &mut out),
            '!' if rest.starts_with("![") => link(rest, 1, &mut out),
            // Emphasis and code marks.
            '*' | '`' => 1,
            '~' | '_' if rest[1..].starts_with(c) => 2,
            _ => 0,
        };
        if consumed == 0 {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        } else {
            rest = &rest[consumed..];
        }
    }
    out
}

/// Pushes one newline per line break in `skipped`, so line numbers survive.
fn keep_lines(skipped: &str, out: &mut String) {
    out.extend(skipped.chars().filter(|&c| c == '\n'));
}

/// The byte offset of `needle` in the first `limit` bytes of `hay`, unless
/// one of `stops` comes first. Stopping where the construct cannot continue
/// keeps a hostile run of `<` or `[` from being rescanned again and again.
fn find_within(hay: &str, needle: char, limit: usize, stops: &[char]) -> Option<usize> {
    hay.char_indices()
        .skip(1)
        .take_while(|&(i, c)| i < limit && (c == needle || !stops.contains(&c)))
        .find(|&(_, c)| c == needle)
        .map(|(i, _)| i)
}

/// A comment, a tag or a `<script>`/`<style>` element at the start of `rest`:
/// the bytes it spans, or 0 when `rest` is text that starts with `<`.
fn html(rest: &str, out: &mut String) -> usize {
    if rest.starts_with("<!--") {
        let end = rest.find("-->").map_or(rest.len(), |i| i + 3);
        keep_lines(&rest[..end], out);
        return end;
    }
    let opens_tag = rest[1..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
    let Some(close) = find_within(rest, '>', MAX_TAG, &['<']).filter(|_| opens_tag) else {
        return 0;
    };
    let end = close + 1;
    let name = tag_name(&rest[..end]);
    let end = match name.as_str() {
        "script" | "style" => raw_text_end(rest, end, &name),
        _ => end,
    };
    keep_lines(&rest[..end], out);
    if BLOCK_TAGS.contains(&name.as_str()) {
        out.push(BLOCK);
    }
    end
}

/// The lower-case element name of a tag (`</P class=x>` → `p`).
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches(['<', '/', '!', '?'])
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The end of a `<script>` or `<style>` element whose opening tag ends at
/// `start`: after its closing tag, or the end of the text.
fn raw_text_end(rest: &str, start: usize, name: &str) -> usize {
    let closing = rest[start..].match_indices("</").map(|(i, _)| start + i).find(|&i| {
        rest.get(i + 2..i + 2 + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    });
    let Some(after) = closing else {
        return rest.len();
    };
    find_within(&rest[after..], '>', MAX_TAG, &['<']).map_or(rest.len(), |i| after + i + 1)
}

/// An entity (`&nbsp;`, `&#20154;`, `&#x4EBA;`) at the start of `rest`,
/// decoded into `out`: the bytes it spans, or 0 when it is not one.
fn entity(rest: &str, out: &mut String) -> usize {
    let Some(semi) = find_within(rest, ';', 12, &['&']) else {
        return 0;
    };
    let name = &rest[1..semi];
    let decoded = match name.strip_prefix('#') {
        Some(number) => {
            let value = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse::<u32>().ok(),
            };
            value.and_then(char::from_u32)
        }
        None => ENTITIES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c),
    };
    match decoded {
        Some(c) => {
            out.push(c);
            semi + 1
        }
        None => 0,
    }
}

/// A Markdown link or image (`[text](url)`, `[text][ref]`, `![alt](url)`)
/// whose `[` is at byte `open` of `rest`: its text goes to `out` (markup
/// stripped), the target is dropped. Returns the bytes it spans, or 0.
fn link(rest: &str, open: usize, out: &mut String) -> usize {
    let body = &rest[open..];
    let Some(close) = find_within(body, ']', MAX_LINK, &['[', '\n']) else {
        return 0;
    };
    let text = &body[1..close];
    let after = &body[close + 1..];
    let closer = match after.chars().next() {
        Some('(') => ')',
        Some('[') => ']',
        _ => return 0,
    };
    let Some(end) = find_within(after, closer, MAX_LINK, &['[', ']', '\n']) else {
        return 0;
    };
    out.push_str(&strip_markup(text));
    open + close + 1 + end + 1
}

/// Normalised text and where each of its lines starts.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// Folded text; `\n` only where a paragraph or block ends.
    pub text: String,
    /// Offsets in `text` where lines 1, 2, … of the source begin.
    line_starts: Vec<usize>,
}

impl Normalized {
    /// The 1-based source line of a byte offset of `text`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset).max(1)
    }
}

/// Folds `text` for matching: NFKC (full-width letters, digits and punctuation
/// become ASCII), lower case, curly quotes and dashes unified, zero-width
/// characters dropped, and whitespace kept only as one space between two
/// ASCII letters or digits (so `IP 地址` and `IP地址` read the same). A blank
/// line or a block tag becomes `\n`, a break no term or sentence spans.
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        line_starts: vec![0],
    };
    let mut space = false;
    let mut breaks = 0;
    for c in text.nfkc() {
        match c {
            '\n' => {
                breaks += 1;
                out.line_starts.push(out.text.len());
            }
            BLOCK => breaks += 2,
            c if c.is_whitespace() => space = true,
            c => {
                for folded in c.to_lowercase().filter_map(fold) {
                    push(&mut out.text, folded, space || breaks == 1, breaks >= 2);
                    (space, breaks) = (false, 0);
                }
            }
        }
    }
    out
}

/// Appends `c` after the whitespace that preceded it.
fn push(text: &mut String, c: char, space: bool, paragraph: bool) {
    let last = text.chars().next_back();
    if paragraph && last.is_some_and(|l| l != '\n') {
        text.push('\n');
    } else if space && last.is_some_and(|l| l.is_ascii_alphanumeric()) && c.is_ascii_alphanumeric() {
        text.push(' ');
    }
    text.push(c);
}

/// One folded character, or `None` for characters that carry nothing.
fn fold(c: char) -> Option<char> {
    match c {
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' => None,
        '‘' | '’' | '′' => Some('\''),
        '“' | '”' | '″' => Some('"'),
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => Some('-'),
        c if c.is_control() => None,
        c => Some(c),
    }
}

/// A term or name folded like notice text, on one line.
pub fn normalize_term(term: &str) -> String {
    normalize(term).text.replace('\n', "").trim().to_string()
}

/// Where `term` (already normalised) occurs in `text`. A term that begins or
/// ends with an ASCII letter or digit only matches at a word boundary there;
/// one that ends with a letter may take a plural `s` or `es`.
pub fn find_term<'a>(text: &'a str, term: &'a str) -> impl Iterator<Item = Range<usize>> + 'a {
    let ascii_start = term.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let ascii_end = term.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
    let plural = term.chars().next_back().is_some_and(|c| c.is_ascii_alphabetic());
    text.match_indices(term)
        .filter(move |_| !term.is_empty())
        .filter(move |&(at, _)| !ascii_start || !ends_in_word(&text[..at]))
        .filter_map(move |(at, _)| {
            let end = at + term.len();
            if !ascii_end {
                return Some(at..end);
            }
            let suffixes: &[&str] = if plural { &["", "s", "es"] } else { &[""] };
            suffixes
                .iter()
                .filter(|s| text[end..].starts_with(**s))
                .map(|s| end + s.len())
                .find(|&e| !starts_word(&text[e..]))
                .map(|e| at..e)
        })
}

fn ends_in_word(before: &str) -> bool {
    before.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
}

fn starts_word(after: &str) -> bool {
    after.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Splits normalised text into sentences, each with its byte offset: at
/// `。！？!?`, at a paragraph break, and at `.` unless it sits between digits.
pub fn sentences(text: &str) -> Vec<(usize, &str)> {
    split(text, |before, c, after| match c {
        '。' | '!' | '?' | '\n' => true,
        '.' => !(ends_with_digit(before) && after.starts_with(|a: char| a.is_ascii_digit())),
        _ => false,
    })
}

/// Splits a sentence into clauses at `,` and `;` (full-width forms are folded
/// to these by normalisation) and at the enumeration comma `、` is not split.
pub fn clauses(sentence: &str) -> Vec<(usize, &str)> {
    split(sentence, |_, c, _| matches!(c, ',' | ';'))
}

fn ends_with_digit(text: &str) -> bool {
    text.chars().next_back().is_some_and(|c| c.is_ascii_digit())
}

/// Splits at every character for which `at(before, c, after)` holds; the
/// separator ends the piece before it. Empty pieces are dropped.
fn split(text: &str, at: impl Fn(&str, char, &str) -> bool) -> Vec<(usize, &str)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if at(&text[..i], c, &text[end..]) {
            if i > start {
                pieces.push((start, &text[start..i]));
            }
            start = end;
        }
    }
    if start < text.len() {
        pieces.push((start, &text[start..]));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        normalize(&strip_markup(text)).text
    }

    #[test]
    fn full_width_letters_digits_and_punctuation_fold_to_ascii() {
        assert_eq!(norm("ＩＰ地址，ＧＰＳ（１２３）"), "ip地址,gps(123)");
    }

    #[test]
    fn case_folds_and_whitespace_only_separates_ascii_words() {
        assert_eq!(norm("  IP \t 地址  "), "ip地址");
        assert_eq!(norm("Facial   Recognition"), "facial recognition");
        assert_eq!(norm("人 脸\u{3000}信 息"), "人脸信息");
        assert_eq!(norm("Wi\u{2011}Fi"), "wi-fi");
        assert_eq!(norm("zero\u{200B}width"), "zerowidth");
    }

    #[test]
    fn html_tags_comments_scripts_and_entities_are_removed() {
        assert_eq!(norm("<p>人<b>脸</b>&nbsp;信息</p>"), "人脸信息");
        assert_eq!(norm("A &amp; B &lt;c&gt; &#20154;&#x8138;"), "a&b<c>人脸");
        assert_eq!(norm("<style>.face{}</style><script>var gps</script>ok"), "ok");
        assert_eq!(norm("<!-- face -->ok"), "ok");
        assert_eq!(norm("&unknown; & text"), "&unknown;&text");
    }

    #[test]
    fn text_with_angle_brackets_is_not_a_tag() {
        assert_eq!(norm("年龄 < 14 岁 > 0"), "年龄<14岁>0");
        assert_eq!(norm("1<2 且 3>2"), "1<2且3>2");
    }

    #[test]
    fn markdown_links_keep_their_text_and_drop_the_target() {
        assert_eq!(norm("见[《隐私政策》](https://example.com/face)。"), "见《隐私政策》。");
        assert_eq!(norm("![人脸](img.png) [ref][1] [](id:x)"), "人脸ref");
        assert_eq!(norm("**人脸信息** `GPS` ~~x~~ __y__"), "人脸信息gps x y");
        assert_eq!(norm("[not a link] (x)"), "[not a link](x)");
    }

    #[test]
    fn line_numbers_survive_markup_that_spans_lines() {
        let n = normalize(&strip_markup("第一行\n<a\nhref=x>第三行</a>\n\n第五行"));
        let at = |s: &str| n.text.find(s).map(|i| n.line_of(i));
        assert_eq!(at("第一行"), Some(1));
        assert_eq!(at("第三行"), Some(3));
        assert_eq!(at("第五行"), Some(5));
        // The newline inside the tag leaves a blank line: a paragraph break.
        assert_eq!(n.text, "第一行\n第三行\n第五行");
    }

    #[test]
    fn blank_lines_and_block_tags_break_paragraphs() {
        assert_eq!(norm("a\nb"), "a b");
        assert_eq!(norm("a\n\nb"), "a\nb");
        assert_eq!(norm("<li>a</li><li>b</li>"), "a\nb");
    }

    #[test]
    fn ascii_terms_match_whole_words_with_plurals() {
        let hits = |text: &str, term: &str| find_term(text, term).count();
        assert_eq!(hits("ip地址", "ip"), 1);
        assert_eq!(hits("ship", "ip"), 0);
        assert_eq!(hits("cookies and cookie", "cookie"), 2);
        assert_eq!(hits("ip addresses", "ip address"), 1);
        assert_eq!(hits("interface", "face"), 0);
        assert_eq!(hits("人脸识别", "人脸"), 1);
        assert_eq!(hits("anything", ""), 0);
    }

    #[test]
    fn sentences_and_clauses_split_at_their_marks() {
        let s: Vec<&str> = sentences("a。b!c\nd. e 1.5").into_iter().map(|(_, s)| s).collect();
        assert_eq!(s, ["a", "b", "c", "d", " e 1.5"]);
        let c: Vec<&str> = clauses("a,b;c、d").into_iter().map(|(_, s)| s).collect();
        assert_eq!(c, ["a", "b", "c、d"]);
    }

    #[test]
    fn terms_normalise_like_text() {
        assert_eq!(normalize_term(" ＩＰ 地址 "), "ip地址");
        assert_eq!(normalize_term("Co., Ltd."), "co.,ltd.");
    }
}
