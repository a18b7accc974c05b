//! `Info.plist` (XML plists): the `NS…UsageDescription` keys an iOS app
//! declares, each at its `<key>` line. The plist crate reads the values; the
//! XML parser gives positions (and the span of a syntax error).

use super::{android_manifest::parse_xml, syntax_error, Evidence, Kind};
use crate::diagnostics::InputError;

/// The usage-description keys of the top-level dictionary.
pub fn detect(file: &str, text: &str) -> Result<Vec<Evidence>, InputError> {
    let document = parse_xml(file, text)?;
    let value = plist::Value::from_reader_xml(text.as_bytes()).map_err(|e| {
        // The plist crate names a byte offset only in its message.
        let message = e.to_string();
        let offset = message
            .rsplit_once("offset ")
            .and_then(|(_, n)| n.trim_end_matches(')').parse().ok())
            .unwrap_or(0);
        syntax_error(file, text, offset, "plist", &message)
    })?;
    let Some(dict) = value.as_dictionary() else {
        return Ok(Vec::new());
    };
    let top = document.root_element().children().find(|n| n.has_tag_name("dict"));
    let mut found = Vec::new();
    for key in top
        .into_iter()
        .flat_map(|d| d.children())
        .filter(|n| n.has_tag_name("key"))
    {
        let Some(name) = key.text() else {
            continue;
        };
        if !name.starts_with("NS") || !name.ends_with("UsageDescription") || dict.get(name).is_none() {
            continue;
        }
        let range = key.first_child().map_or(key.range(), |t| t.range());
        found.push(Evidence::new(file, text, range, Kind::IosUsageKey, name));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::{briefs, syntax_error_line};

    const PLIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CFBundleIdentifier</key>
	<string>$(PRODUCT_BUNDLE_IDENTIFIER)</string>
	<key>NSCameraUsageDescription</key>
	<string>用于扫码和上传头像</string>
	<key>NSLocationWhenInUseUsageDescription</key>
	<string>用于推荐附近门店</string>
	<key>UIBackgroundModes</key>
	<array><string>remote-notification</string></array>
	<key>Nested</key>
	<dict><key>NSContactsUsageDescription</key><string>x</string></dict>
</dict>
</plist>
"#;

    #[test]
    fn usage_keys_at_their_key_line() {
        let found = briefs(&detect("ios/Shop/Info.plist", PLIST).unwrap());
        assert_eq!(
            found,
            [
                "ios/Shop/Info.plist:7:7 ios-usage-key NSCameraUsageDescription",
                "ios/Shop/Info.plist:9:7 ios-usage-key NSLocationWhenInUseUsageDescription",
            ]
        );
    }

    #[test]
    fn broken_plist_xml_is_an_error() {
        let text = "<plist version=\"1.0\">\n<dict>\n\t<key>NSCameraUsageDescription</key>\n\t<string>x</strin>\n</dict>\n</plist>\n";
        let error = detect("Info.plist", text).unwrap_err();
        assert_eq!(syntax_error_line(&error), 4);
    }

    #[test]
    fn well_formed_xml_that_is_no_plist_is_an_error() {
        let text = "<plist version=\"1.0\">\n<dict>\n<key>A</key>\n<integer>twelve</integer>\n</dict>\n</plist>\n";
        let error = detect("Info.plist", text).unwrap_err();
        assert_eq!(error.code, crate::diagnostics::Code::ScanSyntax);
    }
}
