//! `Podfile` (Ruby) and `Podfile.lock` (YAML). A Podfile is read by a small
//! grammar: `pod 'Name'`, `pod "Name/Subspec", '~> 1.0'`, with any options
//! after the name (`:git =>`, `:configurations =>`), one per line, `#`
//! comments ignored. Not understood: names built by Ruby code (variables,
//! loops, `eval`), pods brought in by `podspec` or other pods (transitive).
//! The lock file lists what was installed; it only corroborates.

use super::{syntax_error, Evidence, Kind};
use crate::diagnostics::InputError;

/// The pods a Podfile declares, at the name's place.
pub fn detect(file: &str, text: &str) -> Vec<Evidence> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let here = line_start;
        line_start += line.len();
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("pod") else {
            continue;
        };
        // `pod 'X'` or `pod('X')`; not `pods_for_app` or `podspec`.
        let args = match rest.strip_prefix('(') {
            Some(args) => args,
            None if rest.starts_with([' ', '\t']) => rest.trim_start(),
            None => continue,
        };
        let Some(quote) = args.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            continue;
        };
        let Some(len) = args[1..].find(quote) else {
            continue;
        };
        let name = &args[1..1 + len];
        if name.is_empty() || name.contains(['#', '$', ' ']) {
            continue;
        }
        let start = here + (line.len() - args.len()) + 1;
        found.push(Evidence::new(file, text, start..start + len, Kind::Pod, name));
    }
    found
}

/// The pods Podfile.lock lists as installed (top-level `PODS:` entries).
pub fn detect_lock(file: &str, text: &str) -> Result<Vec<Evidence>, InputError> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let offset = e.location().map_or(0, |l| l.index());
        syntax_error(file, text, offset, "YAML", &e.to_string())
    })?;
    if value.get("PODS").is_none() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let mut in_pods = false;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let here = line_start;
        line_start += line.len();
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_pods = line.trim_end() == "PODS:";
            continue;
        }
        // `  - Name (1.0)` or `  - Name (1.0):`; deeper lines are a pod's own
        // dependencies.
        let Some(entry) = line.strip_prefix("  - ").filter(|_| in_pods) else {
            continue;
        };
        let entry = entry.trim_start_matches(['"', '\'']);
        let len = entry.find([' ', '"', '\'', ':']).unwrap_or(entry.trim_end().len());
        if len == 0 {
            continue;
        }
        let start = here + (line.len() - entry.len());
        found.push(Evidence::new(
            file,
            text,
            start..start + len,
            Kind::PodLock,
            &entry[..len],
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::{briefs, syntax_error_line};

    #[test]
    fn podfile_forms() {
        let text = r#"platform :ios, '13.0'
use_frameworks!

target 'Shop' do
  pod 'AMapLocation', '~> 2.10.0'
  pod "UMCommon"
  pod 'Bugly/Core', :configurations => ['Release']
  pod('WechatOpenSDK-XCFramework')
  pod 'MyLib', :git => 'https://example.com/mylib.git', :tag => '1.0'
  # pod 'JPush'
  pods_helper
  podspec :path => 'Local.podspec'
end
"#;
        let found = briefs(&detect("ios/Podfile", text));
        assert_eq!(
            found,
            [
                "ios/Podfile:5:8 pod AMapLocation",
                "ios/Podfile:6:8 pod UMCommon",
                "ios/Podfile:7:8 pod Bugly/Core",
                "ios/Podfile:8:8 pod WechatOpenSDK-XCFramework",
                "ios/Podfile:9:8 pod MyLib",
            ]
        );
    }

    #[test]
    fn lock_lists_installed_pods() {
        let text = "PODS:\n  - AMapFoundation (1.8.2)\n  - AMapLocation (2.10.0):\n    - AMapFoundation (>= 1.8.0)\n  - \"UMCommon (7.4.7)\"\n\nDEPENDENCIES:\n  - AMapLocation (~> 2.10.0)\n\nCOCOAPODS: 1.15.2\n";
        let found = briefs(&detect_lock("ios/Podfile.lock", text).unwrap());
        assert_eq!(
            found,
            [
                "ios/Podfile.lock:2:5 pod-lock AMapFoundation",
                "ios/Podfile.lock:3:5 pod-lock AMapLocation",
                "ios/Podfile.lock:5:6 pod-lock UMCommon",
            ]
        );
    }

    #[test]
    fn broken_lock_is_an_error() {
        let error = detect_lock("Podfile.lock", "PODS:\n  - A (1.0)\n - B: [\n").unwrap_err();
        assert_eq!(syntax_error_line(&error), 3);
    }
}
