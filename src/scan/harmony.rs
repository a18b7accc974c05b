//! HarmonyOS: a module's `module.json5` (`module.requestPermissions`) and
//! `oh-package.json5` (ohpm `dependencies` and `devDependencies`), read with
//! a JSON5 parser (comments, unquoted keys, trailing commas).

use super::{find_key, find_string, npm::dependencies, offset_at, syntax_error, Evidence, Kind};
use crate::diagnostics::InputError;

fn parse_json5(file: &str, text: &str) -> Result<serde_json::Value, InputError> {
    json5::from_str(text).map_err(|e| {
        // json5 counts lines and columns from 0.
        let offset = e.position().map_or(0, |p| offset_at(text, p.line + 1, p.column + 1));
        syntax_error(file, text, offset, "JSON5", &e.to_string())
    })
}

/// The permissions a module requests, each at its name.
pub fn detect_module(file: &str, text: &str) -> Result<Vec<Evidence>, InputError> {
    let value = parse_json5(file, text)?;
    let Some(requests) = value
        .get("module")
        .and_then(|m| m.get("requestPermissions"))
        .and_then(|r| r.as_array())
    else {
        return Ok(Vec::new());
    };
    let Some(start) = find_key(text, 0, "requestPermissions") else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    let mut from = start.end;
    for name in requests.iter().filter_map(|r| r.get("name")?.as_str()) {
        if let Some(range) = find_string(text, from, name) {
            from = range.end;
            found.push(Evidence::new(file, text, range, Kind::HarmonyPermission, name));
        }
    }
    Ok(found)
}

/// The ohpm packages an oh-package.json5 declares.
pub fn detect_package(file: &str, text: &str) -> Result<Vec<Evidence>, InputError> {
    Ok(dependencies(file, text, &parse_json5(file, text)?, Kind::Ohpm))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::{briefs, syntax_error_line};

    #[test]
    fn module_permissions() {
        let text = r#"{
  module: {
    name: "entry",
    type: "entry",
    // Location for nearby stores
    requestPermissions: [
      { name: "ohos.permission.INTERNET" },
      {
        name: 'ohos.permission.APPROXIMATELY_LOCATION',
        reason: "$string:location_reason",
        usedScene: { abilities: ["EntryAbility"], when: "inuse" },
      },
      { "name": "ohos.permission.LOCATION", reason: "$string:location_reason" },
    ],
  },
}
"#;
        let found = briefs(&detect_module("entry/src/main/module.json5", text).unwrap());
        assert_eq!(
            found,
            [
                "entry/src/main/module.json5:7:16 harmony-permission ohos.permission.INTERNET",
                "entry/src/main/module.json5:9:16 harmony-permission ohos.permission.APPROXIMATELY_LOCATION",
                "entry/src/main/module.json5:13:18 harmony-permission ohos.permission.LOCATION",
            ]
        );
    }

    #[test]
    fn package_dependencies() {
        let text = "{\n  name: 'entry',\n  dependencies: {\n    '@ohos/axios': '^2.2.0',\n    \"@umeng/common\": \"^1.1.3\", // analytics\n  },\n  devDependencies: { '@ohos/hypium': '1.0.18' },\n}\n";
        let found = briefs(&detect_package("entry/oh-package.json5", text).unwrap());
        assert_eq!(
            found,
            [
                "entry/oh-package.json5:4:6 ohpm @ohos/axios",
                "entry/oh-package.json5:5:6 ohpm @umeng/common",
                "entry/oh-package.json5:7:23 ohpm @ohos/hypium",
            ]
        );
    }

    #[test]
    fn broken_json5_is_an_error_at_its_line() {
        let error = detect_module("module.json5", "{\n  module: {\n    name: \"entry\" \"x\"\n  }\n}\n").unwrap_err();
        assert_eq!(syntax_error_line(&error), 3);
    }
}
