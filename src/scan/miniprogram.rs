//! A WeChat mini-program's `app.json`: the private-information interfaces
//! it declares (`requiredPrivateInfos`), the authorization scopes it explains
//! (`permission`) and the plugins it uses (`plugins`, by provider AppID).
//! Other files named `app.json` (an Expo app's) have none of these keys and
//! give nothing.

use super::{find_key, find_string, npm::parse_json, Evidence, Kind};
use crate::diagnostics::InputError;

/// The private infos, permission scopes and plugin providers of an app.json.
pub fn detect(file: &str, text: &str) -> Result<Vec<Evidence>, InputError> {
    let value = parse_json(file, text)?;
    let mut found = Vec::new();
    if let (Some(infos), Some(start)) = (
        value.get("requiredPrivateInfos").and_then(|v| v.as_array()),
        find_key(text, 0, "requiredPrivateInfos"),
    ) {
        for info in infos.iter().filter_map(|i| i.as_str()) {
            if let Some(range) = find_string(text, start.end, info) {
                found.push(Evidence::new(file, text, range, Kind::MiniProgramPrivateInfo, info));
            }
        }
    }
    if let (Some(scopes), Some(start)) = (
        value.get("permission").and_then(|v| v.as_object()),
        find_key(text, 0, "permission"),
    ) {
        for scope in scopes.keys().filter(|k| k.starts_with("scope.")) {
            if let Some(range) = find_key(text, start.end, scope) {
                found.push(Evidence::new(file, text, range, Kind::MiniProgramScope, scope.as_str()));
            }
        }
    }
    if let (Some(plugins), Some(start)) = (
        value.get("plugins").and_then(|v| v.as_object()),
        find_key(text, 0, "plugins"),
    ) {
        for (name, plugin) in plugins {
            let Some(provider) = plugin.get("provider").and_then(|p| p.as_str()) else {
                continue;
            };
            let from = find_key(text, start.end, name).map_or(start.end, |r| r.end);
            if let Some(range) = find_string(text, from, provider) {
                found.push(Evidence::new(file, text, range, Kind::MiniProgramPlugin, provider));
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::{briefs, syntax_error_line};

    #[test]
    fn private_infos_scopes_and_plugins() {
        let text = r#"{
  "pages": ["pages/index/index"],
  "permission": {
    "scope.userLocation": {
      "desc": "你的位置信息将用于查找附近门店"
    }
  },
  "requiredPrivateInfos": ["getLocation", "chooseAddress"],
  "plugins": {
    "WechatSI": {
      "version": "0.3.5",
      "provider": "wx069ba97219f66d99"
    }
  }
}
"#;
        let found = briefs(&detect("app.json", text).unwrap());
        assert_eq!(
            found,
            [
                "app.json:8:29 mini-program-private-info getLocation",
                "app.json:8:44 mini-program-private-info chooseAddress",
                "app.json:4:6 mini-program-scope scope.userLocation",
                "app.json:12:20 mini-program-plugin wx069ba97219f66d99",
            ]
        );
    }

    #[test]
    fn expo_app_json_gives_nothing() {
        let text = r#"{ "expo": { "name": "shop", "plugins": ["expo-camera"] } }"#;
        assert_eq!(detect("app.json", text).unwrap(), Vec::new());
    }

    #[test]
    fn broken_json_is_an_error() {
        let error = detect("app.json", "{\n  \"pages\": [\"a\"\n}\n").unwrap_err();
        assert_eq!(syntax_error_line(&error), 3);
    }
}
