//! Flutter's `pubspec.yaml`: the Dart packages in `dependencies` and
//! `dev_dependencies`, each at its key's line; the Flutter SDK itself
//! (`flutter: {sdk: flutter}`) is not a third party.

use super::{find_key, syntax_error, Evidence, Kind};
use crate::diagnostics::InputError;

/// The pub packages a pubspec declares.
pub fn detect(file: &str, text: &str) -> Result<Vec<Evidence>, InputError> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let offset = e.location().map_or(0, |l| l.index());
        syntax_error(file, text, offset, "YAML", &e.to_string())
    })?;
    let mut found = Vec::new();
    for section in ["dependencies", "dev_dependencies"] {
        let Some(map) = value.get(section).and_then(|v| v.as_mapping()) else {
            continue;
        };
        let Some(start) = top_level_key(text, section) else {
            continue;
        };
        for (name, spec) in map {
            let Some(name) = name.as_str() else {
                continue;
            };
            if spec.get("sdk").is_some() {
                continue;
            }
            if let Some(range) = find_key(text, start, name) {
                found.push(Evidence::new(file, text, range, Kind::Pub, name));
            }
        }
    }
    Ok(found)
}

/// The offset just after a top-level `key:` line.
fn top_level_key(text: &str, key: &str) -> Option<usize> {
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
        {
            return Some(line_start + line.len());
        }
        line_start += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::briefs;

    #[test]
    fn dependencies_without_the_sdk() {
        let text = r#"name: shop
environment:
  sdk: ">=3.0.0 <4.0.0"

dependencies:
  flutter:
    sdk: flutter
  amap_flutter_location: ^3.0.0
  fluwx: ^4.5.5
  sentry_flutter:
    version: ^7.16.0

dev_dependencies:
  flutter_test:
    sdk: flutter
  flutter_lints: ^3.0.0
"#;
        let found = briefs(&detect("pubspec.yaml", text).unwrap());
        assert_eq!(
            found,
            [
                "pubspec.yaml:8:3 pub amap_flutter_location",
                "pubspec.yaml:9:3 pub fluwx",
                "pubspec.yaml:10:3 pub sentry_flutter",
                "pubspec.yaml:16:3 pub flutter_lints",
            ]
        );
    }

    #[test]
    fn broken_yaml_is_an_error() {
        let error = detect("pubspec.yaml", "name: x\ndependencies:\n  a: [1\n").unwrap_err();
        assert_eq!(error.code, crate::diagnostics::Code::ScanSyntax);
    }
}
