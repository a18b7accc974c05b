//! The published privacy notice (`product.notice` or `--notice FILE`): reading
//! it, and the facts it gives the rules — which categories and recipients it
//! names, and whether it claims domestic storage. Rust only says what the
//! notice says; `policies/notice.cedar` decides what is a finding.

pub mod claim;
pub mod lexicon;
pub mod normalize;
pub mod phrase;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostics::{Code, InputError, Text};
use crate::manifest::{Flow, LoadedManifest, Manifest, Seg};
use crate::taxonomy::Taxonomy;
use claim::Claim;
use lexicon::{Entry, Lexicon};
use normalize::{find_term, normalize, normalize_term, sentences, strip_markup, Normalized};

/// A notice, read and normalised.
#[derive(Debug)]
pub struct Notice {
    /// The notice file as findings name it.
    pub display: String,
    text: Normalized,
    /// `text` without the sentences that quote a statutory definition: where
    /// categories are looked for.
    described: String,
    /// The claim of domestic storage, if the notice makes one.
    claim: Option<Claim>,
    /// Built-in categories one of whose lexicon terms occurs.
    named: BTreeSet<String>,
}

impl Notice {
    /// Reads a notice file (UTF-8 plain text, Markdown or HTML), refusing
    /// oversized and non-UTF-8 files like manifests.
    pub fn read(path: &Path, display: &str) -> Result<Notice, InputError> {
        let raw = crate::manifest::read_text(path, display).map_err(notice_help)?;
        Notice::parse(display, &raw).map_err(|e| InputError::new(Code::Lexicon, Text::same(e)))
    }

    /// Normalises notice text and looks up the built-in lexicon in it.
    pub fn parse(display: &str, raw: &str) -> Result<Notice, String> {
        let lexicon = Lexicon::builtin()?;
        let text = normalize(&strip_markup(raw));
        let described = without_boilerplate(&text.text, lexicon);
        let claim = claim::domestic_claim(&text.text, &lexicon.claim);
        let named = lexicon
            .categories
            .iter()
            .filter(|(_, entry)| entry.occurs_in(&described))
            .map(|(id, _)| id.clone())
            .collect();
        Ok(Notice {
            display: display.to_string(),
            text,
            described,
            claim,
            named,
        })
    }

    /// The line that claims personal information stays in China, if any.
    pub fn claim_line(&self) -> Option<usize> {
        self.claim.as_ref().map(|c| self.text.line_of(c.at))
    }

    /// The exceptions the notice declares to its domestic-storage claim.
    pub fn claim_exceptions(&self) -> impl Iterator<Item = &str> {
        self.claim
            .iter()
            .flat_map(|c| c.exceptions.iter().map(|(_, e)| e.as_str()))
    }

    /// The lines where each kind of defective phrase first occurs.
    pub fn phrases(&self, phrases: &phrase::Phrases) -> phrase::Found {
        phrases.find(&self.text)
    }

    /// Whether a built-in category's lexicon terms occur (not counting the
    /// categories under it).
    pub fn names_builtin(&self, category: &str) -> bool {
        self.named.contains(category)
    }

    /// Whether one of the entry's terms occurs.
    pub fn names(&self, entry: &Entry) -> bool {
        entry.occurs_in(&self.described)
    }

    /// Whether a recipient's legal name occurs, in full or without its
    /// company-form suffix.
    pub fn names_recipient(&self, legal_name: &str) -> bool {
        let full = normalize_term(legal_name);
        let occurs = |name: &str| !name.is_empty() && find_term(&self.text.text, name).next().is_some();
        occurs(&full) || company_stem(&full).is_some_and(occurs)
    }
}

/// Company-form suffixes, longest first, in normalised spelling.
const COMPANY_FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "公司",
    "company limited",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd.",
    "co.ltd",
    "limited",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "llc",
    "gmbh",
    "corporation",
    "corp.",
    "corp",
];

/// A stem shorter than this does not identify a company on its own.
const MIN_STEM_CHARS: usize = 4;

/// The legal name without its company-form suffix. Notices often shorten the
/// form (`天威诚信电子商务服务公司` for `…有限公司`, `Example` for `Example Co.,
/// Ltd.`) while the part that tells companies apart is the stem before it; a
/// stem of fewer than four characters (a bare brand) is not accepted, so a
/// short stem cannot match a word that merely happens to occur.
fn company_stem(name: &str) -> Option<&str> {
    let stem = COMPANY_FORMS.iter().find_map(|form| name.strip_suffix(form))?;
    let stem = stem.trim_end_matches([' ', ',', '.']);
    (stem.chars().count() >= MIN_STEM_CHARS).then_some(stem)
}

/// The text without the sentences that contain a boilerplate phrase, nor
/// those that continue such a sentence (`包括…`, `such as …`).
fn without_boilerplate(text: &str, lexicon: &Lexicon) -> String {
    let mut previous = false;
    sentences(text)
        .into_iter()
        .filter(|(_, sentence)| {
            let boilerplate = lexicon.boilerplate.any_in(sentence) || (previous && lexicon.continues.starts(sentence));
            previous = boilerplate;
            !boilerplate
        })
        .map(|(_, sentence)| sentence)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Gives `read_text`'s errors a help line about notices rather than manifests.
fn notice_help(mut error: InputError) -> InputError {
    let help = match error.code {
        Code::NotUtf8 => Text::new(
            "save the notice as UTF-8 (e.g. `iconv -f GBK -t UTF-8`)",
            "请以 UTF-8 编码保存隐私政策（例如 `iconv -f GBK -t UTF-8`）",
        ),
        Code::TooLarge => Text::new(
            "a privacy notice fits in far less; check that the path names the notice",
            "隐私政策远小于该上限；请确认路径指向隐私政策文件",
        ),
        _ => return error,
    };
    error.help = Some(help);
    error
}

/// What the notices say about one manifest.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The notice files as findings name them, joined.
    pub display: String,
    /// Categories named, directly or through a category under them.
    disclosed: BTreeSet<String>,
    /// Per recipient, in manifest order: whether its legal name occurs, or
    /// `None` when it declares no name.
    pub recipients: Vec<Option<bool>>,
    /// The line of the notice that claims domestic storage.
    pub claim_line: Option<usize>,
    /// The notice file that makes that claim.
    pub claim_notice: Option<String>,
    /// Per flow, in manifest order: the exception to the claim that names
    /// the flow's purpose, recipient or country, if one does.
    pub excepted: Vec<Option<String>>,
    /// Where the notices take use for consent: file and line.
    pub implied_consent: Option<(String, usize)>,
    /// Where they take continued use for acceptance of a change.
    pub change_by_use: Option<(String, usize)>,
}

impl Facts {
    /// Looks up the manifest's categories and recipients in the notices;
    /// `phrases` are the defective phrases looked for.
    pub fn new(notices: &[Arc<Notice>], taxonomy: &Taxonomy, manifest: &Manifest, phrases: &phrase::Phrases) -> Facts {
        let mut named: BTreeSet<String> = BTreeSet::new();
        for notice in notices {
            named.extend(notice.named.iter().cloned());
            named.extend(manifest_named(notice, taxonomy, manifest));
        }
        let disclosed = named
            .iter()
            .flat_map(|id| taxonomy.ancestors_and_self(id))
            .cloned()
            .collect();
        let recipients = manifest
            .recipients
            .iter()
            .map(|r| {
                let name = r.name.as_deref().filter(|n| !n.trim().is_empty())?;
                Some(notices.iter().any(|n| n.names_recipient(name)))
            })
            .collect();
        let claimant = notices.iter().find(|n| n.claim.is_some());
        let excepted = manifest
            .flows
            .iter()
            .map(|flow| {
                let words = flow_words(manifest, flow);
                claimant?
                    .claim_exceptions()
                    .find(|e| names_flow(e, &words))
                    .map(str::to_string)
            })
            .collect();
        let mut implied_consent = None;
        let mut change_by_use = None;
        for notice in notices {
            let found = notice.phrases(phrases);
            let at = |line: Option<usize>| line.map(|l| (notice.display.clone(), l));
            implied_consent = implied_consent.or_else(|| at(found.implied_consent));
            change_by_use = change_by_use.or_else(|| at(found.change_by_use));
        }
        Facts {
            display: notices
                .iter()
                .map(|n| n.display.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            disclosed,
            recipients,
            claim_line: claimant.and_then(|n| n.claim_line()),
            claim_notice: claimant.map(|n| n.display.clone()),
            excepted,
            implied_consent,
            change_by_use,
        }
    }

    /// Whether the notice names the category or a category under it.
    pub fn discloses(&self, category: &str) -> bool {
        self.disclosed.contains(category)
    }

    /// Whether a declared exception to the domestic-storage claim names flow `i`.
    pub fn excepts(&self, i: usize) -> bool {
        self.excepted.get(i).is_some_and(Option::is_some)
    }
}

/// Chinese names of the countries a notice's exception is likeliest to name.
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("US", "美国"),
    ("SG", "新加坡"),
    ("HK", "香港"),
    ("MO", "澳门"),
    ("TW", "台湾"),
    ("JP", "日本"),
    ("KR", "韩国"),
    ("DE", "德国"),
    ("FR", "法国"),
    ("GB", "英国"),
    ("IE", "爱尔兰"),
    ("NL", "荷兰"),
    ("AU", "澳大利亚"),
    ("CA", "加拿大"),
];

/// The words that identify a flow's transfer: its purpose, and each
/// recipient's id, legal name (and its stem), country and country name.
fn flow_words(manifest: &Manifest, flow: &Flow) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    if let Some(purpose) = &flow.purpose {
        words.push(purpose.clone());
        words.push(purpose.replace('-', " "));
    }
    for provision in &flow.recipients {
        let Some(r) = manifest.recipients.iter().find(|r| r.id == provision.to) else {
            continue;
        };
        words.push(r.id.replace('-', " "));
        if let Some(name) = &r.name {
            let name = normalize_term(name);
            words.extend(company_stem(&name).map(str::to_string));
            words.push(name);
        }
        if let Some(country) = &r.country {
            words.push(country.clone());
            let zh = COUNTRY_NAMES
                .iter()
                .find(|(code, _)| code.eq_ignore_ascii_case(country));
            words.extend(zh.map(|(_, name)| name.to_string()));
        }
    }
    words
        .iter()
        .map(|w| normalize_term(w))
        .filter(|w| w.chars().count() >= 2)
        .collect()
}

/// A Chinese run this long shared by a purpose and an exception names the same
/// thing (跨境支付 in 为完成跨境支付); shorter runs (境外) say too little.
const MIN_SHARED_CHARS: usize = 4;

/// Whether an exception names one of the flow's words, or shares a run of
/// at least four characters with one of them.
fn names_flow(exception: &str, words: &[String]) -> bool {
    words.iter().any(|w| {
        find_term(exception, w).next().is_some() || {
            let chars: Vec<char> = w.chars().collect();
            chars
                .windows(MIN_SHARED_CHARS)
                .any(|run| !run.iter().all(char::is_ascii) && exception.contains(&run.iter().collect::<String>()))
        }
    })
}

/// The manifest's categories named by the manifest's own wording: the
/// `terms` of any entry, plus the `name` of a category it adds.
fn manifest_named(notice: &Notice, taxonomy: &Taxonomy, manifest: &Manifest) -> Vec<String> {
    let lexicon = Lexicon::builtin().ok();
    manifest
        .categories
        .iter()
        .filter(|c| taxonomy.contains(&c.id))
        .filter(|c| {
            let builtin = lexicon.and_then(|l| l.entry(&c.id));
            let mut terms = c.terms.clone();
            if builtin.is_none() {
                terms.extend(c.name.clone());
            }
            !terms.is_empty() && notice.names(&builtin.cloned().unwrap_or_default().with_terms(&terms))
        })
        .map(|c| c.id.clone())
        .collect()
}

/// The notices a manifest is checked against: the run's `--notice`, else its
/// own `product.notice` (one path or a list, relative to the manifest), else
/// none. `phrases` are the defective phrases looked for.
pub fn for_manifest(
    loaded: &LoadedManifest,
    run_notice: Option<&Arc<Notice>>,
    phrases: &phrase::Phrases,
) -> Result<Option<Facts>, InputError> {
    let notices = match (run_notice, &loaded.manifest.product.notice) {
        (Some(notice), _) => vec![notice.clone()],
        (None, Some(paths)) => {
            let listed = matches!(paths, crate::manifest::model::NoticePaths::Many(_));
            let read = paths.paths().iter().enumerate().map(|(k, relative)| {
                let index = listed.then_some(k);
                read_for(loaded, relative, index).map(Arc::new)
            });
            read.collect::<Result<Vec<_>, _>>()?
        }
        (None, None) => Vec::new(),
    };
    if notices.is_empty() {
        return Ok(None);
    }
    Ok(Some(Facts::new(&notices, &loaded.taxonomy, &loaded.manifest, phrases)))
}

/// Reads one notice of `product.notice`; an error points at that field of
/// the manifest (at entry `index` of a list).
fn read_for(loaded: &LoadedManifest, relative: &str, index: Option<usize>) -> Result<Notice, InputError> {
    let source = &loaded.source;
    let dir = source.path.parent().unwrap_or(Path::new("."));
    let shown = Path::new(&source.display)
        .parent()
        .unwrap_or(Path::new(""))
        .join(relative);
    Notice::read(&dir.join(relative), &shown.display().to_string()).map_err(|e| {
        let mut path = vec![Seg::key("product"), Seg::key("notice")];
        path.extend(index.map(Seg::Index));
        let at = source.locate(&path);
        let mut located = source
            .error(e.code, e.message)
            .at(at, Text::new("the notice named here", "此处指定的隐私政策"));
        located.help = e.help;
        located
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(text: &str) -> Notice {
        Notice::parse("privacy.md", text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn categories_are_named_by_any_of_their_terms() {
        let n = notice("我们收集您的**人脸**信息与 ＧＰＳ 位置。");
        assert!(n.names_builtin("face"));
        assert!(n.names_builtin("gps"));
        assert!(!n.names_builtin("fingerprint"));
    }

    #[test]
    fn statutory_definitions_name_nothing() {
        let n = notice("敏感个人信息是一旦泄露或者非法使用，容易导致人格尊严受到侵害的信息，包括宗教信仰、指纹。");
        assert!(!n.names_builtin("religious-belief"));
        assert!(!n.names_builtin("fingerprint"));
        let n = notice("敏感个人信息：是一旦泄露或者非法使用的信息。包括生物识别、宗教信仰、医疗健康等信息。");
        assert!(!n.names_builtin("religious-belief"));
        assert!(!n.names_builtin("medical-health"));
    }

    #[test]
    fn recipients_match_in_full_or_without_the_company_form() {
        let n = notice("我们将数据提供给示例云计算(北京)公司与 Example Analytics。");
        assert!(n.names_recipient("示例云计算（北京）有限公司"));
        assert!(n.names_recipient("Example Analytics Co., Ltd."));
        assert!(!n.names_recipient("另一家有限公司"));
        assert!(!n.names_recipient("示例有限公司"));
    }

    #[test]
    fn hostile_notices_are_read_without_panics_in_bounded_time() {
        let started = std::time::Instant::now();
        let units = [
            "<a",
            "[x",
            "[a](",
            "&#",
            "<script></script>",
            "<!--",
            "生命健康",
            "境内外存储",
            "](",
            "*`~_",
        ];
        for unit in units {
            let n = notice(&unit.repeat(20_000));
            assert!(!n.names_builtin("medical-health"), "{unit}");
        }
        let alphabet: Vec<char> = "<>[]()!&#;*_~`/\n 人脸境内存储外abc.,。-–ＩＰ\u{1F}".chars().collect();
        let mut seed = 7u64;
        for _ in 0..300 {
            let text: String = (0..400)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect();
            let _ = notice(&text).claim_line();
        }
        assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    }

    #[test]
    fn the_claim_line_is_the_source_line() {
        let n = notice("# 隐私政策\n\n## 存储\n\n<p>您的信息\n存储于中国境内。</p>\n");
        assert_eq!(n.claim_line(), Some(6));
    }
}
