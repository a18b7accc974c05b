//! `gradle/libs.versions.toml`: the version catalog that build files refer
//! to as `libs.x.y`. The catalog only names libraries; the evidence is the
//! build-file line that uses one (SPEC §6a), so `resolve` rewrites each
//! `libs.…` reference into the Maven coordinate it stands for.

use std::collections::BTreeMap;

use super::{syntax_error, Evidence, Kind};
use crate::diagnostics::InputError;

/// A catalog's libraries and bundles, by normalized alias (`umeng.common`
/// for `umeng-common`, `umeng_common` and `umeng.common`, as Gradle's
/// accessors do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub libraries: BTreeMap<String, String>,
    pub bundles: BTreeMap<String, Vec<String>>,
}

/// Parses a catalog; a malformed one is an input error at its position.
pub fn parse(file: &str, text: &str) -> Result<Catalog, InputError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        syntax_error(file, text, offset, "TOML", e.message())
    })?;
    let versions = table.get("versions").and_then(|v| v.as_table());
    let version_of = |entry: &toml::Table| -> Option<String> {
        match entry.get("version")? {
            toml::Value::String(v) => Some(v.clone()),
            toml::Value::Table(t) => {
                if let Some(name) = t.get("ref").and_then(|r| r.as_str()) {
                    versions?.get(name)?.as_str().map(str::to_string)
                } else {
                    t.get("strictly")
                        .or_else(|| t.get("require"))?
                        .as_str()
                        .map(str::to_string)
                }
            }
            _ => None,
        }
    };
    let mut catalog = Catalog::default();
    if let Some(libraries) = table.get("libraries").and_then(|v| v.as_table()) {
        for (alias, entry) in libraries {
            let coordinate = match entry {
                toml::Value::String(s) => Some(s.clone()),
                toml::Value::Table(t) => {
                    let module = t
                        .get("module")
                        .and_then(|m| m.as_str())
                        .map(str::to_string)
                        .or_else(|| Some(format!("{}:{}", t.get("group")?.as_str()?, t.get("name")?.as_str()?)));
                    module.map(|m| match version_of(t) {
                        Some(v) => format!("{m}:{v}"),
                        None => m,
                    })
                }
                _ => None,
            };
            if let Some(coordinate) = coordinate {
                catalog.libraries.insert(normalize(alias), coordinate);
            }
        }
    }
    if let Some(bundles) = table.get("bundles").and_then(|v| v.as_table()) {
        for (alias, members) in bundles {
            let members = members
                .as_array()
                .map(|a| a.iter().filter_map(|m| m.as_str()).map(normalize).collect())
                .unwrap_or_default();
            catalog.bundles.insert(normalize(alias), members);
        }
    }
    Ok(catalog)
}

/// Gradle's accessor for an alias: `-` and `_` separate like `.`.
pub fn normalize(alias: &str) -> String {
    alias.replace(['-', '_'], ".")
}

/// Replaces each `libs.…` reference by the coordinates it stands for, at the
/// reference's place; a reference no catalog resolves is kept as it is.
pub fn resolve(evidence: Vec<Evidence>, catalogs: &[Catalog]) -> Vec<Evidence> {
    let library = |alias: &str| catalogs.iter().find_map(|c| c.libraries.get(alias));
    let mut out = Vec::with_capacity(evidence.len());
    for item in evidence {
        if item.kind != Kind::CatalogRef {
            out.push(item);
            continue;
        }
        let alias = normalize(&item.value);
        let coordinates: Vec<&String> = match alias.strip_prefix("bundles.") {
            Some(bundle) => catalogs
                .iter()
                .find_map(|c| c.bundles.get(bundle))
                .map(|members| members.iter().filter_map(|m| library(m)).collect())
                .unwrap_or_default(),
            None => library(&alias).into_iter().collect(),
        };
        if coordinates.is_empty() {
            out.push(item);
            continue;
        }
        for coordinate in coordinates {
            out.push(Evidence {
                kind: Kind::Maven,
                value: coordinate.clone(),
                ..item.clone()
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::{briefs, syntax_error_line};

    const CATALOG: &str = r#"[versions]
umeng = "9.6.8"
agp = "8.2.2"

[libraries]
umeng-common = { module = "com.umeng.umsdk:common", version.ref = "umeng" }
umeng_asms = { group = "com.umeng.umsdk", name = "asms", version = "1.8.0" }
bugly = "com.tencent.bugly:crashreport:4.1.9.3"
amap-location = { module = "com.amap.api:location" }

[bundles]
umeng = ["umeng-common", "umeng-asms"]

[plugins]
android-application = { id = "com.android.application", version.ref = "agp" }
"#;

    #[test]
    fn every_library_form() {
        let catalog = parse("gradle/libs.versions.toml", CATALOG).unwrap();
        let libs: Vec<_> = catalog.libraries.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            libs,
            [
                "amap.location=com.amap.api:location",
                "bugly=com.tencent.bugly:crashreport:4.1.9.3",
                "umeng.asms=com.umeng.umsdk:asms:1.8.0",
                "umeng.common=com.umeng.umsdk:common:9.6.8",
            ]
        );
        assert_eq!(catalog.bundles["umeng"], ["umeng.common", "umeng.asms"]);
    }

    #[test]
    fn references_resolve_at_the_build_file_line() {
        let catalog = parse("gradle/libs.versions.toml", CATALOG).unwrap();
        let build = "dependencies {\n    implementation(libs.umeng.common)\n    implementation(libs.bundles.umeng)\n    implementation(libs.unknown.lib)\n}\n";
        let evidence = super::super::gradle::detect("app/build.gradle.kts", build);
        let resolved = briefs(&resolve(evidence, &[catalog]));
        assert_eq!(
            resolved,
            [
                "app/build.gradle.kts:2:20 maven com.umeng.umsdk:common:9.6.8",
                "app/build.gradle.kts:3:20 maven com.umeng.umsdk:common:9.6.8",
                "app/build.gradle.kts:3:20 maven com.umeng.umsdk:asms:1.8.0",
                "app/build.gradle.kts:4:20 catalog-ref unknown.lib",
            ]
        );
    }

    #[test]
    fn malformed_toml_is_an_error_at_its_line() {
        let text = "[libraries]\numeng = { module = \"com.umeng.umsdk:common\"\n";
        let error = parse("gradle/libs.versions.toml", text).unwrap_err();
        assert_eq!(syntax_error_line(&error), 2);
    }
}
