//! `AndroidManifest.xml`: permissions requested (`uses-permission`, also
//! `uses-permission-sdk-23`), component class names (activity, activity-alias,
//! service, receiver, provider: SDKs bring their own, merged from their AARs
//! or declared by hand) and `meta-data` keys (where push and map SDKs read
//! their app keys). Each at the `android:name` attribute that names it.

use super::{offset_at, syntax_error, Evidence, Kind};
use crate::diagnostics::InputError;

const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";
const TOOLS_NS: &str = "http://schemas.android.com/tools";

/// The permissions, components and meta-data keys of one manifest.
pub fn detect(file: &str, text: &str) -> Result<Vec<Evidence>, InputError> {
    let document = parse_xml(file, text)?;
    let package = document.root_element().attribute("package").unwrap_or("");
    let mut found = Vec::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        let kind = match node.tag_name().name() {
            "uses-permission" | "uses-permission-sdk-23" => Kind::AndroidPermission,
            "activity" | "activity-alias" | "service" | "receiver" | "provider" => Kind::AndroidComponent,
            "meta-data" => Kind::AndroidMetaData,
            _ => continue,
        };
        // `tools:node="remove"` strips what an SDK's own manifest would merge
        // in: the app does not ask for it.
        if matches!(node.attribute((TOOLS_NS, "node")), Some("remove" | "removeAll")) {
            continue;
        }
        let Some(attribute) = node
            .attributes()
            .find(|a| a.namespace() == Some(ANDROID_NS) && a.name() == "name")
        else {
            continue;
        };
        let value = attribute.value();
        // `.MainActivity` is relative to the manifest's package.
        let value = match (kind, value.strip_prefix('.')) {
            (Kind::AndroidComponent, Some(relative)) if !package.is_empty() => format!("{package}.{relative}"),
            _ => value.to_string(),
        };
        found.push(Evidence::new(file, text, attribute.range_value(), kind, value));
    }
    Ok(found)
}

/// Parses XML (DTDs allowed: plists carry one), mapping a syntax error to an
/// input error at its position.
pub(crate) fn parse_xml<'a>(file: &str, text: &'a str) -> Result<roxmltree::Document<'a>, InputError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        let offset = offset_at(text, pos.row as usize, pos.col as usize);
        syntax_error(file, text, offset, "XML", &e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::{briefs, syntax_error_line};

    const MANIFEST: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    xmlns:tools="http://schemas.android.com/tools"
    package="com.example.shop">

    <uses-permission android:name="android.permission.INTERNET" />
    <uses-permission android:name="android.permission.ACCESS_FINE_LOCATION" />
    <uses-permission-sdk-23 android:name="android.permission.CAMERA" />

    <application android:name=".ShopApp" android:label="@string/app_name">
        <activity
            android:name=".MainActivity"
            android:exported="true" />
        <service android:name="com.amap.api.location.APSService" />
        <receiver android:name="cn.jpush.android.service.JPushMessageReceiver" android:exported="false" />
        <provider android:name="androidx.core.content.FileProvider" android:authorities="x" />
        <meta-data android:name="com.amap.api.v2.apikey" android:value="${AMAP_KEY}" />
        <!-- <meta-data android:name="UMENG_APPKEY" android:value="x" /> -->
        <uses-permission android:name="android.permission.READ_PHONE_STATE" tools:node="remove" />
    </application>
</manifest>
"#;

    #[test]
    fn permissions_components_and_meta_data() {
        let found = briefs(&detect("app/src/main/AndroidManifest.xml", MANIFEST).unwrap());
        assert_eq!(
            found,
            [
                "app/src/main/AndroidManifest.xml:6:36 android-permission android.permission.INTERNET",
                "app/src/main/AndroidManifest.xml:7:36 android-permission android.permission.ACCESS_FINE_LOCATION",
                "app/src/main/AndroidManifest.xml:8:43 android-permission android.permission.CAMERA",
                "app/src/main/AndroidManifest.xml:12:27 android-component com.example.shop.MainActivity",
                "app/src/main/AndroidManifest.xml:14:32 android-component com.amap.api.location.APSService",
                "app/src/main/AndroidManifest.xml:15:33 android-component cn.jpush.android.service.JPushMessageReceiver",
                "app/src/main/AndroidManifest.xml:16:33 android-component androidx.core.content.FileProvider",
                "app/src/main/AndroidManifest.xml:17:34 android-meta-data com.amap.api.v2.apikey",
            ]
        );
    }

    #[test]
    fn broken_xml_is_an_error_at_its_line() {
        let text = "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n  <uses-permission android:name=\"x\">\n</manifest>\n";
        let error = detect("AndroidManifest.xml", text).unwrap_err();
        assert_eq!(syntax_error_line(&error), 3);
        assert!(error.help.is_some());
    }
}
