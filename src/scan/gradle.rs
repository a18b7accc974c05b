//! `build.gradle` (Groovy) and `build.gradle.kts` (Kotlin DSL): the
//! dependencies a module declares, by a small grammar of the forms real
//! projects use, not by running Gradle.
//!
//! Understood, after a configuration name (`implementation`, `api`,
//! `compileOnly`, `runtimeOnly`, `kapt`, `ksp`, `annotationProcessor`, and any
//! `…Implementation`/`…Api`/`…CompileOnly`/`…RuntimeOnly` such as
//! `debugImplementation` or a flavour's `huaweiImplementation`), with or
//! without parentheses, several arguments separated by commas:
//! - string notation `'g:a:v'`, `"g:a:v@aar"`, `"g:a:$version"`;
//! - map notation `group: 'g', name: 'a', version: 'v'` (Groovy) and
//!   `group = "g", name = "a"` (Kotlin), on one line;
//! - version-catalog references `libs.umeng.common`, `libs.bundles.push`
//!   (resolved by `version_catalog::resolve`);
//! - `platform(…)` and `enforcedPlatform(…)` around any of these.
//!
//! Not understood: a group that is interpolated (`"$group:a:1"`), a whole
//! coordinate held in a variable, `add("implementation", …)`, map notation
//! spread over lines, `buildSrc/` and convention plugins, `project(…)` and
//! `files(…)` (local code, not a third party).

use super::{Evidence, Kind};

/// The dependencies declared in one Gradle build file.
pub fn detect(file: &str, text: &str) -> Vec<Evidence> {
    let code = blank_comments(text);
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in code.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let mut p = Parser {
            code: &code,
            pos: line_start + indent,
            end: (line_start + line.trim_end().len()).max(line_start + indent),
        };
        line_start += line.len();
        let Some(name) = p.identifier() else {
            continue;
        };
        if !is_configuration(name) {
            continue;
        }
        p.skip_ws();
        p.eat("(");
        loop {
            p.skip_ws();
            if !p.argument(file, text, &mut found) {
                break;
            }
            p.skip_ws();
            // A closing parenthesis of `platform(…)` or of the call itself.
            while p.eat(")") {
                p.skip_ws();
            }
            if !p.eat(",") {
                break;
            }
        }
    }
    found
}

fn is_configuration(name: &str) -> bool {
    matches!(
        name,
        "implementation" | "api" | "compileOnly" | "runtimeOnly" | "kapt" | "ksp" | "annotationProcessor" | "compile"
    ) || ["Implementation", "Api", "CompileOnly", "RuntimeOnly"]
        .iter()
        .any(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
}

struct Parser<'a> {
    code: &'a str,
    pos: usize,
    end: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.code[self.pos..self.end]
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn identifier(&mut self) -> Option<&'a str> {
        self.take_while(|c| c.is_ascii_alphanumeric() || c == '_')
            .filter(|s| s.starts_with(|c: char| !c.is_ascii_digit()))
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> Option<&'a str> {
        let rest = self.rest();
        let len = rest.find(|c: char| !f(c)).unwrap_or(rest.len());
        if len == 0 {
            return None;
        }
        self.pos += len;
        Some(&rest[..len])
    }

    /// A quoted string: its content's range.
    fn string(&mut self) -> Option<std::ops::Range<usize>> {
        let quote = self.rest().chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let start = self.pos + 1;
        let mut escaped = false;
        for (i, c) in self.code[start..self.end].char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == quote {
                self.pos = start + i + 1;
                return Some(start..start + i);
            }
        }
        None
    }

    /// One dependency argument; false when none is here.
    fn argument(&mut self, file: &str, text: &str, found: &mut Vec<Evidence>) -> bool {
        for wrapper in ["platform(", "enforcedPlatform("] {
            if self.eat(wrapper) {
                self.skip_ws();
                return self.argument(file, text, found);
            }
        }
        if let Some(range) = self.string() {
            let value = &self.code[range.clone()];
            if let Some(coordinate) = coordinate(value) {
                found.push(Evidence::new(file, text, range, Kind::Maven, coordinate));
            }
            return true;
        }
        let start = self.pos;
        let Some(word) = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') else {
            return false;
        };
        if let Some(alias) = word.strip_prefix("libs.") {
            // `libs.plugins.*` are Gradle plugins and `libs.versions.*` bare
            // versions: neither names a library.
            if !alias.starts_with("plugins.") && !alias.starts_with("versions.") {
                let alias = alias.strip_suffix(".get").unwrap_or(alias);
                found.push(Evidence::new(file, text, start..self.pos, Kind::CatalogRef, alias));
            }
            self.eat("()");
            return true;
        }
        if matches!(word, "group" | "name" | "version") {
            self.pos = start;
            return self.map_notation(file, text, found);
        }
        false
    }

    /// `group: 'g', name: 'a', version: 'v'` or `group = "g", name = "a"`.
    fn map_notation(&mut self, file: &str, text: &str, found: &mut Vec<Evidence>) -> bool {
        let start = self.pos;
        let (mut group, mut name, mut version) = (None, None, None);
        let mut end = start;
        loop {
            self.skip_ws();
            let save = self.pos;
            let Some(key) = self.identifier() else {
                break;
            };
            self.skip_ws();
            if !(self.eat(":") || self.eat("=")) {
                self.pos = save;
                break;
            }
            self.skip_ws();
            let Some(range) = self.string() else {
                break;
            };
            end = range.end;
            let value = &self.code[range];
            match key {
                "group" => group = Some(value),
                "name" => name = Some(value),
                "version" => version = Some(value),
                _ => {}
            }
            self.skip_ws();
            let save = self.pos;
            if !self.eat(",") {
                break;
            }
            self.skip_ws();
            if !self.rest().starts_with(|c: char| c.is_ascii_alphabetic()) {
                self.pos = save;
                break;
            }
        }
        if let (Some(group), Some(name)) = (group, name) {
            let written = match version {
                Some(v) => format!("{group}:{name}:{v}"),
                None => format!("{group}:{name}"),
            };
            if let Some(coordinate) = coordinate(&written) {
                found.push(Evidence::new(file, text, start..end, Kind::Maven, coordinate));
            }
        }
        end > start
    }
}

/// `group:artifact[:version][@type]` with a literal group and artifact.
fn coordinate(value: &str) -> Option<String> {
    let mut parts = value.split(':');
    let group = parts.next()?;
    let artifact = parts.next()?;
    let literal = |s: &str| !s.is_empty() && !s.contains(['$', ' ', '{', '}', '/', '\\']);
    (literal(group) && literal(artifact.split('@').next().unwrap_or(""))).then(|| value.to_string())
}

/// The text with `//` and `/* */` comments turned into spaces (newlines
/// kept), so offsets still match the original.
pub(crate) fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    let blank = |out: &mut String, c: char| {
        if c == '\n' {
            out.push('\n');
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    };
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else if c == q || c == '\n' {
                quote = None;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                blank(&mut out, c);
                while let Some(&next) = chars.peek() {
                    if next == '\n' {
                        break;
                    }
                    blank(&mut out, next);
                    chars.next();
                }
            }
            ('/', Some('*')) => {
                blank(&mut out, c);
                let mut last = ' ';
                for next in chars.by_ref() {
                    blank(&mut out, next);
                    if last == '*' && next == '/' {
                        break;
                    }
                    last = next;
                }
            }
            ('\'' | '"', _) => {
                quote = Some(c);
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support;

    fn briefs(text: &str) -> Vec<String> {
        test_support::briefs(&detect("build.gradle", text))
    }

    #[test]
    fn groovy_string_notation() {
        let text = "dependencies {\n    implementation 'com.umeng.umsdk:common:9.6.8'\n    api \"cn.jiguang.sdk:jpush:5.0.3\"\n}\n";
        assert_eq!(
            briefs(text),
            [
                "build.gradle:2:21 maven com.umeng.umsdk:common:9.6.8",
                "build.gradle:3:10 maven cn.jiguang.sdk:jpush:5.0.3",
            ]
        );
    }

    #[test]
    fn kotlin_calls_and_every_configuration() {
        let text = r#"dependencies {
    implementation("com.tencent.bugly:crashreport:4.1.9.3")
    compileOnly("com.a:b:1")
    kapt("com.c:d:1")
    ksp("com.e:f:1")
    debugImplementation("com.squareup.leakcanary:leakcanary-android:2.14")
    huaweiImplementation("com.huawei.hms:push:6.12.0.300")
    testImplementation("junit:junit:4.13.2")
    annotationProcessor 'com.g:h:1'
    runtimeOnly("com.i:j:1@aar")
}
"#;
        assert_eq!(
            briefs(text),
            [
                "build.gradle:2:21 maven com.tencent.bugly:crashreport:4.1.9.3",
                "build.gradle:3:18 maven com.a:b:1",
                "build.gradle:4:11 maven com.c:d:1",
                "build.gradle:5:10 maven com.e:f:1",
                "build.gradle:6:26 maven com.squareup.leakcanary:leakcanary-android:2.14",
                "build.gradle:7:27 maven com.huawei.hms:push:6.12.0.300",
                "build.gradle:8:25 maven junit:junit:4.13.2",
                "build.gradle:9:26 maven com.g:h:1",
                "build.gradle:10:18 maven com.i:j:1@aar",
            ]
        );
    }

    #[test]
    fn map_notation_groovy_and_kotlin() {
        let text = "dependencies {\n  implementation group: 'com.amap.api', name: 'location', version: '6.4.3'\n  implementation(group = \"com.baidu.lbsyun\", name = \"BaiduMapSDK_Location\", version = \"9.6.0\")\n}\n";
        assert_eq!(
            briefs(text),
            [
                "build.gradle:2:18 maven com.amap.api:location:6.4.3",
                "build.gradle:3:18 maven com.baidu.lbsyun:BaiduMapSDK_Location:9.6.0",
            ]
        );
    }

    #[test]
    fn catalog_references_and_platforms() {
        let text = "dependencies {\n    implementation(libs.umeng.common)\n    implementation(platform(libs.firebase.bom))\n    implementation platform('com.google.firebase:firebase-bom:32.7.0')\n    implementation(libs.bundles.push)\n    implementation(libs.plugins.android.application)\n}\n";
        assert_eq!(
            briefs(text),
            [
                "build.gradle:2:20 catalog-ref umeng.common",
                "build.gradle:3:29 catalog-ref firebase.bom",
                "build.gradle:4:30 maven com.google.firebase:firebase-bom:32.7.0",
                "build.gradle:5:20 catalog-ref bundles.push",
            ]
        );
    }

    #[test]
    fn several_arguments_versions_interpolated() {
        let text = "dependencies {\n    implementation 'a.b:c:1', \"d.e:f:$fVersion\"\n    implementation(\"g.h:i:${libVersion}\")\n}\n";
        assert_eq!(
            briefs(text),
            [
                "build.gradle:2:21 maven a.b:c:1",
                "build.gradle:2:32 maven d.e:f:$fVersion",
                "build.gradle:3:21 maven g.h:i:${libVersion}",
            ]
        );
    }

    #[test]
    fn not_understood_forms_give_nothing() {
        let text = r#"dependencies {
    // implementation 'commented.out:lib:1'
    /* implementation("block:comment:1") */
    implementation("$group:core:1.0")
    implementation(project(":core"))
    implementation(fileTree(mapOf("dir" to "libs", "include" to listOf("*.jar"))))
    implementation files('libs/open_sdk.jar')
    classpath 'com.android.tools.build:gradle:8.2.0'
    implementation(deps.someLib)
    val implementation = "not:a:dependency"
}
"#;
        assert_eq!(briefs(text), Vec::<String>::new());
    }

    #[test]
    fn comments_keep_offsets() {
        let text = "a // 注释\n/* x */b";
        let blanked = blank_comments(text);
        assert_eq!(blanked.len(), text.len());
        assert_eq!(blanked.find('b'), text.rfind('b'));
    }
}
