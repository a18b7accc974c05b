//! The scan's view of the sample apps under tests/fixtures/apps: every piece
//! of evidence, the SDK it names and the categories a permission reaches,
//! snapshotted; and each malformed platform file's exact input error.

use std::path::{Path, PathBuf};

use privflow::diagnostics::Code;
use privflow::scan::catalogue::Catalogue;
use privflow::scan::permissions::PermissionMap;
use privflow::scan::{scan_files, walk, Detector};

const APPS: &str = "tests/fixtures/apps";

/// One line per piece of evidence: place, kind, value, and what it means.
fn describe(app: &str) -> String {
    let dir = Path::new(APPS).join(app);
    let (files, errors) = walk::platform_files(&dir, &[]);
    assert!(errors.is_empty(), "{}", privflow::InputErrors(errors).render_plain());
    let (evidence, errors) = scan_files(&files);
    assert!(errors.is_empty(), "{}", privflow::InputErrors(errors).render_plain());
    let catalogue = Catalogue::builtin().unwrap();
    let permissions = PermissionMap::builtin().unwrap();
    let prefix = format!("{}/", dir.display());
    let mut out = String::new();
    for item in &evidence {
        let mut line = item.brief().replacen(&prefix, "", 1);
        let sdks = catalogue.matches(item);
        if !sdks.is_empty() {
            line += &format!("  => sdk {}", sdks.join(", "));
        }
        if let Some(categories) = permissions.categories(item.kind, &item.value) {
            line += &format!("  => data [{}]", categories.join(", "));
        }
        if item.kind.corroborates_only() {
            line += "  (corroborates)";
        }
        out += &line;
        out.push('\n');
    }
    out
}

#[test]
fn android_app() {
    insta::assert_snapshot!("scan_android", describe("android"));
}

#[test]
fn ios_app() {
    insta::assert_snapshot!("scan_ios", describe("ios"));
}

#[test]
fn react_native_app() {
    insta::assert_snapshot!("scan_react_native", describe("react-native"));
}

#[test]
fn miniprogram_app() {
    insta::assert_snapshot!("scan_miniprogram", describe("miniprogram"));
}

#[test]
fn flutter_app() {
    insta::assert_snapshot!("scan_flutter", describe("flutter"));
}

#[test]
fn harmony_app() {
    insta::assert_snapshot!("scan_harmony", describe("harmony"));
}

#[test]
fn walk_of_all_apps_stops_at_each_manifest() {
    // From the apps directory itself (no manifest there), only the broken
    // files are its own: every app directory holds a manifest.
    let (files, errors) = walk::platform_files(Path::new(APPS), &[]);
    assert!(errors.is_empty());
    let shown: Vec<_> = files
        .iter()
        .map(|(_, shown)| shown.replacen("tests/fixtures/apps/", "", 1))
        .collect();
    assert_eq!(
        shown,
        [
            "broken/json/package.json",
            "broken/json5/module.json5",
            "broken/lock/Podfile.lock",
            "broken/miniprogram/app.json",
            "broken/plist/Info.plist",
            "broken/toml/gradle/libs.versions.toml",
            "broken/xml/AndroidManifest.xml",
            "broken/yaml/pubspec.yaml",
        ]
    );
}

#[test]
fn product_sources_replace_the_tree() {
    let dir = Path::new(APPS).join("android");
    let (files, errors) = walk::platform_files(&dir, &[PathBuf::from("gradle")]);
    assert!(errors.is_empty());
    assert_eq!(files.len(), 1);
    assert!(files[0].1.ends_with("gradle/libs.versions.toml"));
}

/// Each broken file: (path under broken/, code, line, column).
const BROKEN: &[(&str, Code, usize, usize)] = &[
    ("xml/AndroidManifest.xml", Code::ScanSyntax, 6, 5),
    ("toml/gradle/libs.versions.toml", Code::ScanSyntax, 6, 1),
    ("json/package.json", Code::ScanSyntax, 5, 3),
    ("json5/module.json5", Code::ScanSyntax, 6, 7),
    ("plist/Info.plist", Code::ScanSyntax, 8, 1),
    ("yaml/pubspec.yaml", Code::ScanSyntax, 6, 9),
    ("lock/Podfile.lock", Code::ScanSyntax, 6, 1),
    ("miniprogram/app.json", Code::ScanSyntax, 3, 42),
];

#[test]
fn each_broken_format_is_an_input_error_at_its_place() {
    let mut got = Vec::new();
    for (rel, _, _, _) in BROKEN {
        let path = Path::new(APPS).join("broken").join(rel);
        let shown = format!("broken/{rel}");
        // The detector is chosen by name: every broken file is one the scan reads.
        assert!(Detector::for_path(&path).is_some(), "{rel}");
        let (evidence, errors) = scan_files(&[(path, shown.clone())]);
        assert!(evidence.is_empty(), "{rel}");
        assert_eq!(errors.len(), 1, "{rel}");
        let error = &errors[0];
        assert!(error.help.is_some(), "{rel}");
        assert_eq!(error.file.as_deref(), Some(shown.as_str()));
        assert!(error.render_plain().contains("privflow::scan-syntax"), "{rel}");
        let at = error.location.expect(rel);
        got.push((*rel, error.code, at.line, at.column));
    }
    assert_eq!(got, BROKEN);
}

#[test]
fn broken_android_manifest_renders_with_span_and_help() {
    let path = Path::new(APPS).join("broken/xml/AndroidManifest.xml");
    let (_, errors) = scan_files(&[(path, "broken/xml/AndroidManifest.xml".into())]);
    insta::assert_snapshot!(
        "scan_broken_android_manifest",
        privflow::InputErrors(errors).render_plain()
    );
}

#[test]
fn oversized_files_are_skipped_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("package.json");
    let big = format!(
        "{{\"dependencies\": {{\"jpush-react-native\": \"1\"}}, \"pad\": \"{}\"}}",
        "x".repeat(9 * 1024 * 1024)
    );
    std::fs::write(&path, big).unwrap();
    let (evidence, errors) = scan_files(&[(path, "package.json".into())]);
    assert!(evidence.is_empty());
    assert!(errors.is_empty());
}

mod common;
use common::privflow;

#[test]
fn scan_command_human_and_json() {
    let (code, stdout, stderr) = privflow(&["scan", "--evidence", "tests/fixtures/apps/miniprogram"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("scan_cli_miniprogram_human", stdout);
    let (code, stdout, stderr) = privflow(&[
        "scan",
        "--evidence",
        "--format",
        "json",
        "tests/fixtures/apps/react-native",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let sentry = &json["manifests"][0]["evidence"][1];
    assert_eq!(sentry["value"], "@sentry/react-native");
    assert_eq!(sentry["sdks"], serde_json::json!(["sentry"]));
    assert_eq!(sentry["location"]["line"], 14);
}

#[test]
fn scan_command_in_chinese_without_manifests() {
    let (code, stdout, _) = privflow(&["scan", "--evidence", "--lang", "zh", "tests/fixtures/apps/broken"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "未找到清单\n");
}

#[test]
fn scan_command_broken_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("privflow.yaml"),
        "version: 1\nproduct: { id: p, operator: o }\n",
    )
    .unwrap();
    let main = dir.path().join("app/src/main");
    std::fs::create_dir_all(&main).unwrap();
    std::fs::copy(
        Path::new(APPS).join("broken/xml/AndroidManifest.xml"),
        main.join("AndroidManifest.xml"),
    )
    .unwrap();
    let (code, stdout, stderr) = common::privflow_in(dir.path(), &["scan"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("privflow::scan-syntax"), "{stderr}");
    assert!(stderr.contains("app/src/main/AndroidManifest.xml:6:5"), "{stderr}");
}

#[test]
fn one_declaration_per_sdk_at_the_build_file() {
    let catalogue = Catalogue::builtin().unwrap();
    let mut lines = Vec::new();
    for app in ["android", "ios"] {
        let dir = Path::new(APPS).join(app);
        let (files, _) = walk::platform_files(&dir, &[]);
        let (evidence, _) = scan_files(&files);
        let prefix = format!("{}/", dir.display());
        for (id, at) in privflow::scan::catalogue::declarations(&evidence, &catalogue) {
            lines.push(format!("{app}: {id} at {}", at.brief().replacen(&prefix, "", 1)));
        }
    }
    assert_eq!(
        lines,
        [
            "android: amap at app/build.gradle.kts:30:21 maven com.amap.api:3dmap:9.8.3",
            "android: bugly at app/build.gradle.kts:33:21 maven com.tencent.bugly:crashreport:4.1.9.3",
            "android: jpush at app/build.gradle.kts:27:20 maven cn.jiguang.sdk:jpush:5.0.3",
            "android: umeng at app/build.gradle.kts:25:20 maven com.umeng.umsdk:asms:1.8.0",
            "ios: amap at Podfile:8:8 pod AMapLocation",
            "ios: bugly at Podfile:16:8 pod Bugly",
            "ios: umeng at Podfile:12:8 pod UMCommon",
            "ios: wechat-opensdk at Podfile:19:8 pod WechatOpenSDK-XCFramework",
        ]
    );
}

#[test]
fn a_component_declares_an_sdk_only_without_a_build_file_line() {
    let catalogue = Catalogue::builtin().unwrap();
    let text = "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n  <application>\n    <service android:name=\"com.amap.api.location.APSService\" />\n  </application>\n</manifest>\n";
    let evidence = privflow::scan::android_manifest::detect("AndroidManifest.xml", text).unwrap();
    let found = privflow::scan::catalogue::declarations(&evidence, &catalogue);
    assert_eq!(found.len(), 1);
    assert_eq!(found["amap"].location.line, 3);
    // A lock file alone declares nothing.
    let lock = privflow::scan::podfile::detect_lock("Podfile.lock", "PODS:\n  - Bugly (2.6.1)\n").unwrap();
    assert!(privflow::scan::catalogue::declarations(&lock, &catalogue).is_empty());
}

/// Every detector, on any text (real-shaped fragments, multibyte characters,
/// cut anywhere), returns evidence or an input error: never a panic.
mod never_panics {
    use privflow::scan::Detector;
    use proptest::prelude::*;

    const DETECTORS: &[(&str, Detector)] = &[
        ("app/build.gradle.kts", Detector::Gradle),
        ("gradle/libs.versions.toml", Detector::VersionCatalog),
        ("AndroidManifest.xml", Detector::AndroidManifest),
        ("Podfile", Detector::Podfile),
        ("Podfile.lock", Detector::PodfileLock),
        ("Info.plist", Detector::InfoPlist),
        ("package.json", Detector::PackageJson),
        ("pubspec.yaml", Detector::Pubspec),
        ("app.json", Detector::MiniProgramApp),
        ("module.json5", Detector::HarmonyModule),
        ("oh-package.json5", Detector::OhPackage),
    ];

    fn fragment() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "implementation",
                "(",
                ")",
                "'",
                "\"",
                ":",
                ",",
                " ",
                "\n",
                "libs.",
                "a.b",
                "group:",
                "name=",
                "platform(",
                "//",
                "/*",
                "*/",
                "pod ",
                "{",
                "}",
                "[",
                "]",
                "\"dependencies\"",
                "dependencies:",
                "requiredPrivateInfos",
                "getLocation",
                "<key>",
                "</key>",
                "<dict>",
                "<manifest>",
                "android:name=",
                "名",
                "😀",
                "$",
                "\\",
                "=",
                "  - ",
                "PODS:",
                "requestPermissions",
                "ohos.permission.CAMERA",
            ]),
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn detectors_never_panic(text in fragment()) {
            for (file, detector) in DETECTORS {
                let _ = detector.detect(file, &text);
            }
        }

        #[test]
        fn detectors_never_panic_on_any_unicode(text in "\\PC{0,200}") {
            for (file, detector) in DETECTORS {
                let _ = detector.detect(file, &text);
            }
        }
    }
}
