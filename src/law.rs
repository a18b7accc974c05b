//! Law references as readers write them: the rule pack cites compactly
//! (`PIPL 38; 促进和规范数据跨境流动规定 (2024) 5, 8`); a Chinese report cites
//! as Chinese texts do (《个人信息保护法》第三十八条；《促进和规范数据跨境流动规定》（2024）第五条、第八条).

use crate::lang::Lang;

/// The instruments the pack cites by an English short name, with their
/// Chinese titles. Instruments cited by their Chinese title need no entry.
const TITLES: &[(&str, &str)] = &[
    ("PIPL", "个人信息保护法"),
    ("Cybersecurity Law", "网络安全法"),
    ("Electronic Signature Law", "电子签名法"),
    ("GB/T 35273-2020", "GB/T 35273-2020《信息安全技术 个人信息安全规范》"),
];

/// A law reference in the run's language. English keeps the pack's own text.
pub fn cite(law: &str, lang: Lang) -> String {
    match lang {
        Lang::En => law.to_string(),
        Lang::Zh => law
            .split(';')
            .map(|part| cite_zh(part.trim()))
            .collect::<Vec<_>>()
            .join("；"),
    }
}

/// One instrument and its articles: `PIPL 38, 40` → 《个人信息保护法》第三十八条、第四十条.
fn cite_zh(part: &str) -> String {
    // A trailing note such as `(2016 numbering)`; a year is part of the title.
    let (body, note) = match part.strip_suffix(')').and_then(|p| p.rsplit_once(" (")) {
        Some((body, note)) if !is_year(note) && !note.contains(['(', ')']) => (body, Some(note)),
        _ => (part, None),
    };
    let words: Vec<&str> = body.split(' ').collect();
    let articles_from = (0..words.len())
        .rev()
        .take_while(|&i| is_article(words[i].trim_end_matches(',')))
        .last()
        .unwrap_or(words.len());
    let mut title = words[..articles_from].join(" ");
    let mut year = None;
    if let Some((name, y)) = title.clone().strip_suffix(')').and_then(|t| t.rsplit_once(" (")) {
        if is_year(y) {
            title = name.to_string();
            year = Some(y.to_string());
        }
    }
    if title.is_empty() || title == "—" {
        return part.to_string();
    }
    let mut out = match TITLES.iter().find(|(en, _)| *en == title) {
        Some((_, zh)) if zh.contains('《') => zh.to_string(),
        Some((_, zh)) => format!("《{zh}》"),
        None => format!("《{title}》"),
    };
    if let Some(year) = year {
        out.push_str(&format!("（{year}）"));
    }
    let cited: Vec<String> = words[articles_from..]
        .iter()
        .map(|w| article_zh(w.trim_end_matches(',')))
        .collect();
    out.push_str(&cited.join("、"));
    if let Some(note) = note {
        let note = if note == "2016 numbering" {
            "2016 年条文序号"
        } else {
            note
        };
        out.push_str(&format!("（{note}）"));
    }
    out
}

fn is_year(text: &str) -> bool {
    text.len() == 4 && text.chars().all(|c| c.is_ascii_digit())
}

/// An article (`52`), a range of articles (`45-47`), a clause of a standard
/// (`6.3`) or an item written in Chinese (`六(3)`).
fn is_article(word: &str) -> bool {
    let short_number = |n: &str| !n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit());
    match word.split_once('-') {
        Some((from, to)) => short_number(from) && short_number(to),
        None => {
            short_number(word)
                || (word.contains('.') && word.split('.').all(short_number))
                || word.starts_with(|c: char| "一二三四五六七八九十".contains(c))
        }
    }
}

/// `52` → 第五十二条; `45-47` → 第四十五条至第四十七条; a clause such as
/// `6.3` or `六(3)` stays as written.
fn article_zh(article: &str) -> String {
    if let Some((from, to)) = article.split_once('-') {
        return format!("{}至{}", article_zh(from), article_zh(to));
    }
    match article.parse::<u32>() {
        Ok(n) => format!("第{}条", numeral(n)),
        // A clause of a standard (`6.3`) or an item in Chinese (`六(3)`).
        Err(_) => article.to_string(),
    }
}

/// Chinese numerals up to 999, as article numbers are written.
fn numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let (hundreds, tens, ones) = (n / 100, n / 10 % 10, n % 10);
    let mut out = String::new();
    if hundreds > 0 {
        out.push_str(DIGITS[hundreds as usize]);
        out.push('百');
        if tens == 0 && ones > 0 {
            out.push('零');
        }
    }
    if tens > 0 {
        if !(tens == 1 && hundreds == 0) {
            out.push_str(DIGITS[tens as usize]);
        }
        out.push('十');
    }
    if ones > 0 || n == 0 {
        out.push_str(DIGITS[ones as usize]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        let cases = [
            (1, "一"),
            (10, "十"),
            (14, "十四"),
            (20, "二十"),
            (52, "五十二"),
            (105, "一百零五"),
        ];
        for (n, zh) in cases {
            assert_eq!(numeral(n), zh, "{n}");
        }
    }

    #[test]
    fn chinese_citations() {
        let cases = [
            ("PIPL 52", "《个人信息保护法》第五十二条"),
            ("PIPL 13, 14", "《个人信息保护法》第十三条、第十四条"),
            ("PIPL 15, 45-47", "《个人信息保护法》第十五条、第四十五条至第四十七条"),
            (
                "PIPL 38; 促进和规范数据跨境流动规定 (2024) 5, 8",
                "《个人信息保护法》第三十八条；《促进和规范数据跨境流动规定》（2024）第五条、第八条",
            ),
            (
                "Cybersecurity Law 21 (2016 numbering); Electronic Signature Law 24",
                "《网络安全法》第二十一条（2016 年条文序号）；《电子签名法》第二十四条",
            ),
            (
                "GB/T 35273-2020 6.3",
                "GB/T 35273-2020《信息安全技术 个人信息安全规范》6.3",
            ),
            (
                "App违法违规收集使用个人信息行为认定方法 (2019) 六(3), 六(5)",
                "《App违法违规收集使用个人信息行为认定方法》（2019）六(3)、六(5)",
            ),
            (
                "个人信息保护合规审计管理办法 (2025)",
                "《个人信息保护合规审计管理办法》（2025）",
            ),
            (
                "网络数据安全管理条例 21, 24",
                "《网络数据安全管理条例》第二十一条、第二十四条",
            ),
            ("—", "—"),
        ];
        for (law, zh) in cases {
            assert_eq!(cite(law, Lang::Zh), zh, "{law}");
            assert_eq!(cite(law, Lang::En), law);
        }
    }
}
