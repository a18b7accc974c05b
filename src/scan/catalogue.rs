//! The SDK catalogue (`data/sdks.yaml`, embedded; teams merge their own in
//! the same format): who makes each SDK, how to recognise it in a build or
//! platform file, and which categories of personal information it collects.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Evidence, Kind};
use crate::diagnostics::{did_you_mean, Code, InputError, Text};
use crate::finding::Location;
use crate::taxonomy::Taxonomy;

/// The catalogue shipped with privflow.
pub const BUILTIN: &str = include_str!("../../data/sdks.yaml");
const BUILTIN_NAME: &str = "data/sdks.yaml";

/// One SDK.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Sdk {
    /// Stable id, as a manifest's `recipients[].sdks` names it.
    pub id: String,
    pub name: Names,
    /// The developer's registered legal name.
    #[serde(default)]
    pub developer: Option<String>,
    /// ISO 3166-1 alpha-2 country of the developer.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub identifiers: Identifiers,
    /// privflow categories the SDK collects.
    #[serde(default)]
    pub collects: Vec<String>,
    /// Permissions the SDK needs for its basic function.
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub privacy_policy: Option<String>,
    /// The vendor's public disclosure the facts come from.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub zh: String,
    pub en: String,
}

/// How an SDK shows in files; patterns may hold `*`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Identifiers {
    #[serde(default)]
    pub maven: Vec<String>,
    #[serde(default)]
    pub pods: Vec<String>,
    #[serde(default)]
    pub npm: Vec<String>,
    #[serde(default)]
    #[serde(rename = "pub")]
    pub pub_: Vec<String>,
    #[serde(default)]
    pub ohpm: Vec<String>,
    #[serde(default)]
    pub android_components: Vec<String>,
    #[serde(default)]
    pub android_meta_data: Vec<String>,
    #[serde(default)]
    pub miniprogram_plugins: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    version: u32,
    sdks: Vec<Sdk>,
}

/// SDKs by id, in file order (built-in first, then each team file).
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub sdks: Vec<Sdk>,
}

impl Catalogue {
    /// The embedded catalogue, checked against the built-in taxonomy.
    pub fn builtin() -> Result<Catalogue, Vec<InputError>> {
        let mut catalogue = Catalogue::default();
        catalogue.merge(BUILTIN_NAME, BUILTIN, &Taxonomy::builtin())?;
        Ok(catalogue)
    }

    /// The built-in catalogue, parsed once per process (`None` if broken:
    /// `builtin` reports why).
    pub fn shared_builtin() -> Option<&'static Catalogue> {
        static BUILTIN_CATALOGUE: std::sync::OnceLock<Option<Catalogue>> = std::sync::OnceLock::new();
        BUILTIN_CATALOGUE.get_or_init(|| Catalogue::builtin().ok()).as_ref()
    }

    /// Adds a catalogue file's SDKs (a team's: same format); an id already
    /// present is replaced. Every problem is reported, each with a span.
    pub fn merge(&mut self, file: &str, text: &str, taxonomy: &Taxonomy) -> Result<(), Vec<InputError>> {
        let shared: Arc<str> = Arc::from(text);
        let error = |offset: usize, len: usize, code: Code, message: Text, help: Text| {
            super::data_error(file, &shared, (offset, len), code, message, help)
        };
        let parsed: CatalogueFile = serde_yaml::from_str(text).map_err(|e| {
            let offset = e.location().map_or(0, |l| l.index());
            vec![error(
                offset,
                0,
                Code::Catalogue,
                Text::new(
                    format!("the SDK catalogue `{file}` is malformed: {e}"),
                    format!("SDK 目录 `{file}` 格式错误：{e}"),
                ),
                Text::new(
                    "an SDK catalogue is `version: 1` and `sdks:`, a list of entries with id, name, source, …",
                    "SDK 目录由 `version: 1` 与 `sdks:` 列表组成，每项含 id、name、source 等",
                ),
            )]
        })?;
        let mut errors = Vec::new();
        if parsed.version != 1 {
            let at = word(text, 0, "version").map_or(0, |r| r.start);
            errors.push(error(
                at,
                7,
                Code::UnsupportedVersion,
                Text::new(
                    format!("SDK catalogue version {} is not supported", parsed.version),
                    format!("不支持 SDK 目录版本 {}", parsed.version),
                ),
                Text::new("write `version: 1`", "请写 `version: 1`"),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut from = 0;
        for sdk in &parsed.sdks {
            // Each entry's position: its `id:` after the previous one.
            let at = entry_at(text, from, &sdk.id).unwrap_or(from);
            from = at + sdk.id.len();
            if sdk.id.is_empty()
                || !sdk
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                errors.push(error(
                    at,
                    sdk.id.len(),
                    Code::InvalidId,
                    Text::new(
                        format!("SDK id `{}` is not [a-z0-9-]+", sdk.id),
                        format!("SDK 编号 `{}` 不符合 [a-z0-9-]+", sdk.id),
                    ),
                    Text::new(
                        "use lowercase letters, digits and hyphens",
                        "请使用小写字母、数字与连字符",
                    ),
                ));
            }
            if !seen.insert(sdk.id.as_str()) {
                errors.push(error(
                    at,
                    sdk.id.len(),
                    Code::DuplicateId,
                    Text::new(
                        format!("SDK id `{}` appears twice", sdk.id),
                        format!("SDK 编号 `{}` 重复出现", sdk.id),
                    ),
                    Text::new("give each SDK one entry", "每个 SDK 只写一项"),
                ));
            }
            if let Some(country) = &sdk.country {
                if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
                    let at = word(text, at, country).map_or(at, |r| r.start);
                    errors.push(error(
                        at,
                        country.len(),
                        Code::InvalidCountry,
                        Text::new(
                            format!("country `{country}` is not an ISO 3166-1 alpha-2 code"),
                            format!("国家 `{country}` 不是 ISO 3166-1 二位字母代码"),
                        ),
                        Text::new("write a code such as CN, US, IL", "请写如 CN、US、IL 的代码"),
                    ));
                }
            }
            for category in &sdk.collects {
                if taxonomy.contains(category) {
                    continue;
                }
                let place = word(text, at, category).map_or(at, |r| r.start);
                let help = did_you_mean(category, taxonomy.ids()).unwrap_or_else(|| {
                    Text::new(
                        "`privflow categories` lists the categories",
                        "`privflow categories` 列出全部类别",
                    )
                });
                errors.push(error(
                    place,
                    category.len(),
                    Code::UnknownCategory,
                    Text::new(
                        format!("SDK `{}` collects `{category}`, which is not a category", sdk.id),
                        format!("SDK `{}` 收集的 `{category}` 不是已知类别", sdk.id),
                    ),
                    help,
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        for sdk in parsed.sdks {
            match self.sdks.iter_mut().find(|s| s.id == sdk.id) {
                Some(existing) => *existing = sdk,
                None => self.sdks.push(sdk),
            }
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Sdk> {
        self.sdks.iter().find(|s| s.id == id)
    }

    /// The ids of the SDKs a piece of evidence names, sorted.
    pub fn matches(&self, evidence: &Evidence) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .sdks
            .iter()
            .filter(|sdk| sdk.identifies(evidence.kind, &evidence.value))
            .map(|sdk| sdk.id.as_str())
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// Where each SDK found is declared: one place per SDK however many files
/// mention it (SPEC §6a), preferring the build file a developer edits
/// (Gradle, Podfile, package.json, pubspec.yaml, oh-package.json5) over a
/// component or meta-data key of AndroidManifest.xml; a lock file alone
/// declares nothing. Among equals, the first in `evidence`'s order.
pub fn declarations<'a>(
    evidence: &'a [Evidence],
    catalogue: &Catalogue,
) -> std::collections::BTreeMap<String, &'a Evidence> {
    let rank = |kind: Kind| match kind {
        Kind::Maven | Kind::Pod | Kind::Npm | Kind::Pub | Kind::Ohpm => Some(0),
        Kind::AndroidComponent | Kind::AndroidMetaData | Kind::MiniProgramPlugin => Some(1),
        _ => None,
    };
    let mut best: std::collections::BTreeMap<String, (u8, &Evidence)> = std::collections::BTreeMap::new();
    for item in evidence {
        let Some(r) = rank(item.kind) else {
            continue;
        };
        for id in catalogue.matches(item) {
            match best.get(id) {
                Some((held, _)) if *held <= r => {}
                _ => {
                    best.insert(id.to_string(), (r, item));
                }
            }
        }
    }
    best.into_iter().map(|(id, (_, item))| (id, item)).collect()
}

impl Sdk {
    /// Whether evidence of `kind` with `value` names this SDK.
    pub fn identifies(&self, kind: Kind, value: &str) -> bool {
        let ids = &self.identifiers;
        let any = |patterns: &[String], value: &str| patterns.iter().any(|p| glob(p, value));
        match kind {
            Kind::Maven => {
                let mut parts = value.split(':');
                let (Some(group), Some(artifact)) = (parts.next(), parts.next()) else {
                    return false;
                };
                let artifact = artifact.split('@').next().unwrap_or(artifact);
                ids.maven.iter().any(|p| match p.split_once(':') {
                    Some((g, a)) => glob(g, group) && glob(a, artifact),
                    None => glob(p, group),
                })
            }
            Kind::Pod | Kind::PodLock => any(&ids.pods, value.split('/').next().unwrap_or(value)),
            Kind::Npm => any(&ids.npm, value),
            Kind::Pub => any(&ids.pub_, value),
            Kind::Ohpm => any(&ids.ohpm, value),
            Kind::AndroidComponent => ids.android_components.iter().any(|p| value.starts_with(p.as_str())),
            Kind::AndroidMetaData => ids.android_meta_data.iter().any(|k| k == value),
            Kind::MiniProgramPlugin => ids.miniprogram_plugins.iter().any(|k| k == value),
            Kind::CatalogRef
            | Kind::AndroidPermission
            | Kind::IosUsageKey
            | Kind::MiniProgramPrivateInfo
            | Kind::MiniProgramScope
            | Kind::HarmonyPermission => false,
        }
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob(pattern: &str, value: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = value.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A YAML scalar `token` standing alone (plain or quoted) at or after `from`.
fn word(text: &str, from: usize, token: &str) -> Option<std::ops::Range<usize>> {
    let mut at = from.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    while let Some(i) = text[at..].find(token) {
        let start = at + i;
        let end = start + token.len();
        at = end;
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'));
        if edge(before) && edge(after) {
            return Some(start..end);
        }
    }
    None
}

/// Where the entry `id: <id>` is, at or after `from`.
fn entry_at(text: &str, mut from: usize, id: &str) -> Option<usize> {
    loop {
        let range = word(text, from, id)?;
        let before = text[..range.start].trim_end_matches([' ', '"', '\'']);
        if before.ends_with("id:") {
            return Some(range.start);
        }
        from = range.end;
    }
}

/// The location of a catalogue entry's id, for reports pointing into a
/// team catalogue.
pub fn locate_id(text: &str, id: &str) -> Option<Location> {
    entry_at(text, 0, id).map(|start| super::locate(text, start, start + id.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("com.umeng.umsdk:*", "com.umeng.umsdk:common"));
        assert!(glob("*", ""));
        assert!(glob("Firebase*", "FirebaseAnalytics"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(!glob("abc", "abcd"));
        assert!(glob("firebase_*", "firebase_core"));
        assert!(!glob("firebase_*", "firebase"));
    }

    #[test]
    fn team_catalogue_merges_and_replaces() {
        let mut catalogue = Catalogue::builtin().unwrap();
        let before = catalogue.sdks.len();
        let team = "version: 1\nsdks:\n  - id: acme-push\n    name: { zh: 某推送, en: Acme push }\n    identifiers: { maven: [\"com.acme:push\"] }\n    collects: [device-id]\n    source: Acme SDK privacy policy\n  - id: sentry\n    name: { zh: Sentry, en: Sentry }\n    source: team review 2026\n";
        catalogue.merge("team-sdks.yaml", team, &Taxonomy::builtin()).unwrap();
        assert_eq!(catalogue.sdks.len(), before + 1);
        assert_eq!(catalogue.get("sentry").unwrap().source, "team review 2026");
        let evidence = Evidence {
            file: "build.gradle".into(),
            location: super::super::locate("", 0, 0),
            kind: Kind::Maven,
            value: "com.acme:push:1.0".into(),
        };
        assert_eq!(catalogue.matches(&evidence), ["acme-push"]);
    }

    #[test]
    fn unknown_category_is_an_error_at_its_place() {
        let team = "version: 1\nsdks:\n  - id: acme\n    name: { zh: 甲, en: Acme }\n    collects: [device-id,\n      imie]\n    source: x\n";
        let errors = Catalogue::default()
            .merge("team-sdks.yaml", team, &Taxonomy::builtin())
            .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, Code::UnknownCategory);
        let at = errors[0].location.unwrap();
        assert_eq!((at.line, at.column), (6, 7));
        assert_eq!(errors[0].help.as_ref().unwrap().en, "did you mean `imei`?");
    }

    #[test]
    fn duplicate_ids_bad_country_and_syntax() {
        let team = "version: 1\nsdks:\n  - id: a\n    name: { zh: 甲, en: A }\n    country: China\n    source: x\n  - id: a\n    name: { zh: 甲, en: A }\n    source: x\n";
        let errors = Catalogue::default()
            .merge("t.yaml", team, &Taxonomy::builtin())
            .unwrap_err();
        let got: Vec<_> = errors.iter().map(|e| (e.code, e.location.unwrap().line)).collect();
        assert_eq!(got, [(Code::InvalidCountry, 5), (Code::DuplicateId, 7)]);

        let errors = Catalogue::default()
            .merge(
                "t.yaml",
                "version: 1\nsdks:\n  - id: a\n    nmae: x\n",
                &Taxonomy::builtin(),
            )
            .unwrap_err();
        assert_eq!(errors[0].code, Code::Catalogue);
        assert_eq!(errors[0].location.unwrap().line, 4);
    }
}

#[cfg(test)]
mod builtin_tests {
    use super::*;

    #[test]
    fn builtin_parses() {
        if let Err(errors) = Catalogue::builtin() {
            panic!("{}", crate::InputErrors(errors).render_plain());
        }
    }
}

#[cfg(test)]
mod spec_tests {
    use super::*;

    /// SPEC §6a: the ids that must exist.
    const SPEC_IDS: &[&str] = &[
        "umeng",
        "jpush",
        "getui",
        "bugly",
        "amap",
        "baidu-map",
        "wechat-opensdk",
        "qq-connect",
        "weibo-sdk",
        "douyin-opensdk",
        "alipay",
        "unionpay",
        "aliyun-oss",
        "tencent-cos",
        "huawei-push",
        "xiaomi-push",
        "oppo-push",
        "vivo-push",
        "honor-push",
        "pangle",
        "gdt",
        "kuaishou-ads",
        "sensorsdata",
        "growingio",
        "talkingdata",
        "tencent-x5",
        "msa-oaid",
        "netease-im",
        "rongcloud",
        "agora",
        "qiniu",
        "tencent-faceid",
        "aliyun-faceid",
        "shumei",
        "tongdun",
        "firebase",
        "google-play-services",
        "facebook-sdk",
        "appsflyer",
        "sentry",
    ];

    #[test]
    fn every_spec_id_is_present_once_with_a_source_and_an_identifier() {
        let catalogue = Catalogue::builtin().unwrap();
        assert_eq!(SPEC_IDS.len(), 40);
        for id in SPEC_IDS {
            assert!(catalogue.get(id).is_some(), "missing {id}");
        }
        let mut ids: Vec<_> = catalogue.sdks.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "duplicate ids");
        let taxonomy = Taxonomy::builtin();
        for sdk in &catalogue.sdks {
            assert!(!sdk.source.trim().is_empty(), "{} has no source", sdk.id);
            let i = &sdk.identifiers;
            let count = i.maven.len()
                + i.pods.len()
                + i.npm.len()
                + i.pub_.len()
                + i.ohpm.len()
                + i.android_components.len()
                + i.android_meta_data.len()
                + i.miniprogram_plugins.len();
            assert!(count > 0, "{} cannot be recognised", sdk.id);
            assert!(sdk.collects.iter().all(|c| taxonomy.contains(c)), "{}", sdk.id);
            assert!(
                sdk.permissions.iter().all(|p| p.starts_with("android.permission.")),
                "{}",
                sdk.id
            );
        }
    }

    #[test]
    fn common_declarations_match_one_sdk() {
        let catalogue = Catalogue::builtin().unwrap();
        let cases = [
            (Kind::Maven, "com.umeng.umsdk:common:9.6.8", "umeng"),
            (Kind::Maven, "cn.jiguang.sdk:jpush:5.0.3", "jpush"),
            (Kind::Maven, "com.amap.api:location:6.4.3", "amap"),
            (Kind::Maven, "com.google.firebase:firebase-bom:32.7.0", "firebase"),
            (Kind::Maven, "com.huawei.hms:push:6.12.0.300", "huawei-push"),
            (Kind::Pod, "AMapLocation", "amap"),
            (Kind::Pod, "Bugly/Core", "bugly"),
            (Kind::PodLock, "FirebaseAnalytics", "firebase"),
            (Kind::Npm, "@sentry/react-native", "sentry"),
            (Kind::Npm, "jpush-react-native", "jpush"),
            (Kind::Pub, "amap_flutter_location", "amap"),
            (Kind::Ohpm, "@umeng/common", "umeng"),
            (Kind::AndroidComponent, "com.amap.api.location.APSService", "amap"),
            (Kind::AndroidMetaData, "com.baidu.lbsapi.API_KEY", "baidu-map"),
            // Identifiers added when the entries were checked against their
            // vendors' pages (docs/scan.md, "Catalogue sources").
            (Kind::AndroidMetaData, "BUGLY_APPID", "bugly"),
            (Kind::Maven, "com.heytap.msp:push:3.4.0", "oppo-push"),
            (Kind::Maven, "cn.rongcloud.sdk.push:honor:5.24.1", "rongcloud"),
            (Kind::AndroidComponent, "com.trustdecision.mobrisk.TDRisk", "tongdun"),
            (Kind::MiniProgramPlugin, "wx76a9a06e5b4e693e", "tencent-lbs-miniprogram"),
        ];
        for (kind, value, id) in cases {
            let found = catalogue.matches(&Evidence {
                file: String::new(),
                location: super::super::locate("", 0, 0),
                kind,
                value: value.into(),
            });
            assert_eq!(found, [id], "{value}");
        }
        let nothing = Evidence {
            file: String::new(),
            location: super::super::locate("", 0, 0),
            kind: Kind::Maven,
            value: "androidx.core:core-ktx:1.12.0".into(),
        };
        assert!(catalogue.matches(&nothing).is_empty());
    }
}
