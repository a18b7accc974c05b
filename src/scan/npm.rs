//! `package.json` (React Native, uni-app, Taro, web): the packages in
//! `dependencies` and `devDependencies`, each at its key's line.

use super::{find_key, syntax_error, Evidence, Kind};
use crate::diagnostics::InputError;

/// Parses JSON with serde_json, an error at its line and column.
pub(crate) fn parse_json(file: &str, text: &str) -> Result<serde_json::Value, InputError> {
    serde_json::from_str(text).map_err(|e| {
        let offset = super::offset_at(text, e.line(), e.column());
        syntax_error(file, text, offset, "JSON", &e.to_string())
    })
}

/// The keys of object `section` of `value`, each located in `text` after
/// the section's own key.
fn section_keys(file: &str, text: &str, value: &serde_json::Value, section: &str, kind: Kind) -> Vec<Evidence> {
    let Some(object) = value.get(section).and_then(|v| v.as_object()) else {
        return Vec::new();
    };
    let Some(start) = find_key(text, 0, section) else {
        return Vec::new();
    };
    object
        .keys()
        .filter_map(|name| {
            let range = find_key(text, start.end, name)?;
            Some(Evidence::new(file, text, range, kind, name.as_str()))
        })
        .collect()
}

/// The packages of `dependencies` and `devDependencies` (npm and ohpm
/// manifests share the shape).
pub(crate) fn dependencies(file: &str, text: &str, value: &serde_json::Value, kind: Kind) -> Vec<Evidence> {
    let mut found = section_keys(file, text, value, "dependencies", kind);
    found.extend(section_keys(file, text, value, "devDependencies", kind));
    found
}

/// The npm packages a package.json declares.
pub fn detect(file: &str, text: &str) -> Result<Vec<Evidence>, InputError> {
    Ok(dependencies(file, text, &parse_json(file, text)?, Kind::Npm))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::{briefs, syntax_error_line};

    #[test]
    fn dependencies_and_dev_dependencies() {
        let text = r#"{
  "name": "shop-rn",
  "peerDependencies": { "react": "*" },
  "dependencies": {
    "react": "18.2.0",
    "react-native": "0.73.4",
    "@sentry/react-native": "^5.19.0",
    "jpush-react-native": "^3.1.1"
  },
  "devDependencies": {
    "@babel/core": "^7.23.0"
  }
}
"#;
        let found = briefs(&detect("package.json", text).unwrap());
        assert_eq!(
            found,
            [
                "package.json:5:6 npm react",
                "package.json:6:6 npm react-native",
                "package.json:7:6 npm @sentry/react-native",
                "package.json:8:6 npm jpush-react-native",
                "package.json:11:6 npm @babel/core",
            ]
        );
    }

    #[test]
    fn broken_json_is_an_error_at_its_line() {
        let error = detect("package.json", "{\n  \"dependencies\": {\n    \"a\": \"1\",\n  }\n}\n").unwrap_err();
        assert_eq!(syntax_error_line(&error), 4);
    }
}
