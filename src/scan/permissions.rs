//! The permission map (`data/permissions.yaml`, embedded): which categories
//! of personal information a granted permission, usage key or mini-program
//! interface lets an app read.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use super::Kind;
use crate::diagnostics::{did_you_mean, Code, InputError, Text};
use crate::taxonomy::Taxonomy;

/// The map shipped with privflow.
pub const BUILTIN: &str = include_str!("../../data/permissions.yaml");

/// Permission → categories, per platform, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionMap {
    version: u32,
    #[serde(default)]
    pub android: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub ios: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub miniprogram: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub harmony: BTreeMap<String, Vec<String>>,
}

impl PermissionMap {
    /// The embedded map, checked against the built-in taxonomy.
    pub fn builtin() -> Result<PermissionMap, Vec<InputError>> {
        PermissionMap::parse("data/permissions.yaml", BUILTIN, &Taxonomy::builtin())
    }

    /// Parses and checks a map; every unknown category is an error at its place.
    pub fn parse(file: &str, text: &str, taxonomy: &Taxonomy) -> Result<PermissionMap, Vec<InputError>> {
        let shared: Arc<str> = Arc::from(text);
        let error = |offset: usize, len: usize, code: Code, message: Text, help: Text| {
            super::data_error(file, &shared, (offset, len), code, message, help)
        };
        let map: PermissionMap = serde_yaml::from_str(text).map_err(|e| {
            vec![error(
                e.location().map_or(0, |l| l.index()),
                0,
                Code::Catalogue,
                Text::new(
                    format!("the permission map `{file}` is malformed: {e}"),
                    format!("权限映射 `{file}` 格式错误：{e}"),
                ),
                Text::new(
                    "a permission map is `version: 1` and android/ios/miniprogram/harmony mappings of a name to a list of categories",
                    "权限映射由 `version: 1` 与 android/ios/miniprogram/harmony 下“名称: [类别…]”组成",
                ),
            )]
        })?;
        let mut errors = Vec::new();
        if map.version != 1 {
            errors.push(error(
                0,
                0,
                Code::UnsupportedVersion,
                Text::new(
                    format!("permission map version {} is not supported", map.version),
                    format!("不支持权限映射版本 {}", map.version),
                ),
                Text::new("write `version: 1`", "请写 `version: 1`"),
            ));
        }
        for table in [&map.android, &map.ios, &map.miniprogram, &map.harmony] {
            for (name, categories) in table {
                for category in categories.iter().filter(|c| !taxonomy.contains(c)) {
                    let line = super::find_key(text, 0, name).map_or(0, |r| r.end);
                    let at = text[line..].find(category.as_str()).map_or(line, |i| line + i);
                    let help = did_you_mean(category, taxonomy.ids()).unwrap_or_else(|| {
                        Text::new(
                            "`privflow categories` lists the categories",
                            "`privflow categories` 列出全部类别",
                        )
                    });
                    errors.push(error(
                        at,
                        category.len(),
                        Code::UnknownCategory,
                        Text::new(
                            format!("`{name}` maps to `{category}`, which is not a category"),
                            format!("`{name}` 映射到的 `{category}` 不是已知类别"),
                        ),
                        help,
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(map)
        } else {
            Err(errors)
        }
    }

    /// The categories a declaration of `kind` named `name` reaches; `None`
    /// when the map does not know it (or the kind is no permission).
    pub fn categories(&self, kind: Kind, name: &str) -> Option<&[String]> {
        let table = match kind {
            Kind::AndroidPermission => &self.android,
            Kind::IosUsageKey => &self.ios,
            Kind::MiniProgramPrivateInfo | Kind::MiniProgramScope => &self.miniprogram,
            Kind::HarmonyPermission => &self.harmony,
            _ => return None,
        };
        table.get(name).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_map_holds_the_spec_minimum() {
        let map = match PermissionMap::builtin() {
            Ok(map) => map,
            Err(errors) => panic!("{}", crate::InputErrors(errors).render_plain()),
        };
        let expect = [
            (
                Kind::AndroidPermission,
                "android.permission.ACCESS_FINE_LOCATION",
                "precise-location",
            ),
            (
                Kind::IosUsageKey,
                "NSLocationWhenInUseUsageDescription",
                "precise-location",
            ),
            (
                Kind::IosUsageKey,
                "NSLocationAlwaysAndWhenInUseUsageDescription",
                "precise-location",
            ),
            (Kind::MiniProgramPrivateInfo, "getLocation", "precise-location"),
            (Kind::MiniProgramPrivateInfo, "chooseLocation", "precise-location"),
            (Kind::MiniProgramScope, "scope.userLocation", "precise-location"),
            (Kind::HarmonyPermission, "ohos.permission.LOCATION", "precise-location"),
            (
                Kind::AndroidPermission,
                "android.permission.READ_CONTACTS",
                "contact-list",
            ),
            (Kind::IosUsageKey, "NSContactsUsageDescription", "contact-list"),
            (Kind::HarmonyPermission, "ohos.permission.READ_CONTACTS", "contact-list"),
            (
                Kind::AndroidPermission,
                "android.permission.READ_PHONE_STATE",
                "device-id",
            ),
            (Kind::AndroidPermission, "android.permission.CAMERA", "photo"),
            (Kind::IosUsageKey, "NSCameraUsageDescription", "photo"),
            (Kind::HarmonyPermission, "ohos.permission.CAMERA", "photo"),
            (Kind::MiniProgramPrivateInfo, "chooseAddress", "address"),
        ];
        for (kind, name, category) in expect {
            let got = map.categories(kind, name).unwrap_or_default();
            assert!(got.iter().any(|c| c == category), "{name} → {got:?}");
        }
        assert_eq!(
            map.categories(Kind::AndroidPermission, "android.permission.INTERNET"),
            None
        );
        assert_eq!(map.categories(Kind::Npm, "react"), None);
    }

    #[test]
    fn unknown_category_is_an_error_at_its_place() {
        let text =
            "version: 1\nandroid:\n  android.permission.CAMERA: [photo]\n  android.permission.READ_SMS: [text-sms]\n";
        let errors = PermissionMap::parse("p.yaml", text, &Taxonomy::builtin()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, Code::UnknownCategory);
        let at = errors[0].location.unwrap();
        assert_eq!((at.line, at.column), (4, 33));
    }

    #[test]
    fn malformed_map_is_an_error() {
        let errors = PermissionMap::parse("p.yaml", "version: 1\nios: [\n", &Taxonomy::builtin()).unwrap_err();
        assert_eq!(errors[0].code, Code::Catalogue);
    }
}
