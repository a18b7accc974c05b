//! The typed fast path (src/manifest/fast.rs) against serde_yaml: wherever
//! it reads a text, the value must be serde_yaml's, as a manifest and as a
//! generic YAML value, and its kept tree must give yaml-rust2's positions;
//! wherever serde_yaml refuses a text, the fast path must refuse it too.

#[path = "../benches/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::path::{Path, PathBuf};

use privflow::manifest::{self, Manifest};
use proptest::prelude::*;
use proptest::sample::select;

/// Whether the fast path read `text`; a disagreement fails the test.
fn fast_reads(name: &str, text: &str) -> bool {
    match manifest::typed_fast_path_disagreement(text) {
        None => false,
        Some(None) => true,
        Some(Some(difference)) => panic!("{name}: {difference}\n{text}"),
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let yaml = |path: &Path| path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    out.extend(
        walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .map(walkdir::DirEntry::into_path)
            .filter(|path| yaml(path)),
    );
}

#[test]
fn the_repository_manifests_read_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(&root.join("examples"), &mut files);
    yaml_files(&root.join("tests"), &mut files);
    let (mut manifests, mut read) = (0, 0);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if serde_yaml::from_str::<serde_yaml::Value>(&text).is_err() {
            continue;
        }
        let fast = fast_reads(&file.display().to_string(), &text);
        if serde_yaml::from_str::<Manifest>(&text).is_ok() {
            manifests += 1;
            read += usize::from(fast && manifest::yaml::parse_fast::<Manifest>(&text).is_some());
        }
    }
    // Quotes and block scalars send the rest to serde_yaml (125 of 144
    // valid manifests read when written).
    assert!(
        manifests >= 100 && read * 4 >= manifests * 3,
        "the fast path read {read} of {manifests} valid manifests"
    );
}

#[test]
fn generated_manifests_read_the_same_both_ways() {
    for seed in 0..12 {
        for (shape, text) in [
            ("sparse", generate::manifest(seed, 60)),
            ("dense", generate::dense(seed, 60)),
        ] {
            let name = format!("{shape} {seed}");
            assert!(fast_reads(&name, &text), "{name}: refused");
            assert!(
                manifest::yaml::parse_fast::<Manifest>(&text).is_some(),
                "{name}: not read as a manifest"
            );
        }
    }
}

/// Tricky plain scalars: YAML 1.1 booleans (strings to serde_yaml), numbers
/// in every notation it knows, nulls, times, dates, CJK, and things the
/// fast path must leave alone (quotes, a lone dash).
const SCALARS: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "true",
    "false",
    "True",
    "FALSE",
    "1e3",
    "1.5",
    ".inf",
    "-.inf",
    ".nan",
    "0x1F",
    "0o17",
    "0b11",
    "+1",
    "-1",
    "007",
    "1_000",
    "123",
    "0",
    "18446744073709551616",
    "~",
    "null",
    "Null",
    "NULL",
    "\"quoted\"",
    "'single'",
    "12:30",
    "-",
    "2026-03-01",
    "2026-3-1",
    "2026-02-30",
    "用户数据",
    "手机号 和 邮箱",
    "a#b",
    "a, b",
    "x]",
    "-x",
    "1",
    "phone",
    "email",
    "consent",
    "contract",
    "CN",
    "US",
    "none",
    "tls",
    "delete",
    "third-party",
    "entrusted",
    "self-service",
    "standard-contract",
    "privacy.md",
    "p",
    "o",
];

/// A field value: mostly one of the valid values, else any tricky scalar.
fn value(valid: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        8 => select(valid).prop_map(str::to_string),
        1 => select(SCALARS).prop_map(str::to_string),
    ]
}

/// Trailing spaces and a comment, or nothing.
fn tail() -> impl Strategy<Value = &'static str> {
    select(&["", "", "", "  ", " # note", "   # 注释 #x", " #"][..])
}

/// One flow, in block or flow style.
fn flow() -> impl Strategy<Value = (bool, Vec<(String, String)>)> {
    let fields = (
        value(&["f1", "f2", "login", "1"]),
        prop::collection::vec(value(&["phone", "email", "device-id", "health"]), 0..3),
        prop::option::of(value(&["consent", "contract", "legal-duty"])),
        prop::option::of(value(&["none", "~"])),
        prop::option::of((value(&["CN", "US", "SG"]), value(&["true", "false"]))),
        prop::option::of(value(&["30", "365", "0x1F", "1e3"])),
        prop::option::of(value(&["false", "true", "yes"])),
        prop::option::of(value(&["2026-03-01", "2025-12-31"])),
        any::<bool>(),
    );
    fields.prop_map(|(id, data, basis, storage, kept, days, automated, pia, block)| {
        let mut entries = vec![
            ("id".to_string(), id),
            ("data".to_string(), format!("[{}]", data.join(", "))),
        ];
        entries.extend(basis.map(|b| ("basis".to_string(), b)));
        match (storage, kept) {
            (_, Some((country, encrypted))) => entries.push((
                "storage".to_string(),
                format!("{{ country: {country}, encrypted: {encrypted} }}"),
            )),
            (Some(none), None) => entries.push(("storage".to_string(), none)),
            (None, None) => {}
        }
        entries.extend(days.map(|d| ("retention".to_string(), format!("{{ days: {d} }}"))));
        entries.extend(automated.map(|a| ("automated_decision".to_string(), a)));
        entries.extend(pia.map(|p| ("pia".to_string(), p)));
        (block, entries)
    })
}

fn manifest_text() -> impl Strategy<Value = String> {
    let head = (
        value(&["1", "2"]),
        value(&["demo", "p"]),
        value(&["Demo Ltd", "示例公司"]),
        prop::option::of(value(&["100000", "1000", "0x10"])),
        prop::option::of(value(&["true", "false"])),
        prop::option::of(value(&["privacy.md", "[privacy.md, sdk.md]"])),
        prop::option::of((
            value(&["cloud", "ads"]),
            value(&["entrusted", "third-party"]),
            value(&["CN", "US"]),
        )),
    );
    let flows = prop::collection::vec(flow(), 0..4);
    let tails = prop::collection::vec(tail(), 40);
    (head, flows, tails, any::<bool>(), select(&[2usize, 4][..])).prop_map(
        |((version, id, operator, individuals, officer, notice, recipient), flows, tails, duplicate, indent)| {
            let pad = " ".repeat(indent);
            let mut lines = vec![format!("version: {version}"), "product:".to_string()];
            lines.push(format!("{pad}id: {id}"));
            lines.push(format!("{pad}operator: {operator}"));
            lines.extend(individuals.map(|i| format!("{pad}individuals: {i}")));
            lines.extend(officer.map(|o| format!("{pad}pi_officer: {o}")));
            lines.extend(notice.map(|n| format!("{pad}notice: {n}")));
            if let Some((rid, role, country)) = recipient {
                lines.push("recipients:".to_string());
                lines.push(format!("{pad}- {{ id: {rid}, role: {role}, country: {country} }}"));
            }
            if !flows.is_empty() {
                lines.push("flows:".to_string());
            }
            for (block, entries) in &flows {
                if *block {
                    for (i, (key, value)) in entries.iter().enumerate() {
                        let dash = if i == 0 { "- " } else { "  " };
                        lines.push(format!("{pad}{dash}{key}: {value}"));
                    }
                } else {
                    let inline: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    lines.push(format!("{pad}- {{ {} }}", inline.join(", ")));
                }
            }
            if duplicate {
                lines.insert(1, format!("version: {version}"));
            }
            let mut text = String::new();
            for (line, tail) in lines.iter().zip(tails.iter().cycle()) {
                text.push_str(line);
                text.push_str(tail);
                text.push('\n');
            }
            text
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Fast Ok ⇒ serde_yaml Ok with the same value; serde_yaml Err ⇒ the
    /// fast path refused (both checked by `typed_fast_path_disagreement`).
    #[test]
    fn generated_block_yaml_reads_the_same_both_ways(text in manifest_text()) {
        if let Some(Some(difference)) = manifest::typed_fast_path_disagreement(&text) {
            prop_assert!(false, "{}\n{}", difference, text);
        }
        if serde_yaml::from_str::<Manifest>(&text).is_err() {
            prop_assert!(manifest::yaml::parse_fast::<Manifest>(&text).is_none(), "{}", text);
        }
    }
}

/// The property above is not vacuous: manifests full of tricky but valid
/// scalars are read by the fast path, and bad ones are refused.
#[test]
fn tricky_scalars_are_read_or_refused_as_serde_yaml_would() {
    let read = "version: 1   # trailing comment\nproduct:\n  id: p\n  operator: 示例公司 #x\n  individuals: 0x10\n  pi_officer: true  \n  notice: [privacy.md, sdk.md]\n  last_audit: 2026-03-01\nflows:\n  - id: f\n    data: [phone, email]\n    purpose: yes\n    description: 12:30\n    storage: none\n    retention: { days: 30, after: delete }\n  - { id: g, data: [phone], storage: ~, automated_decision: false }\n";
    assert!(fast_reads("read", read));
    let m = manifest::yaml::parse_fast::<Manifest>(read).unwrap();
    assert_eq!(m.product.individuals, Some(16));
    assert_eq!(m.flows[0].purpose.as_deref(), Some("yes"));
    assert!(m.flows[0].storage.as_ref().is_some_and(|s| s.none));
    assert!(m.flows[1].storage.is_none());
    assert_eq!(m.flows[0].description.as_deref(), Some("12:30"));
    assert_eq!(m.flows[0].retention.as_ref().and_then(|r| r.days), Some(30));
    // `1e3x` is no number: serde_yaml refuses it, and so does the fast path.
    let bad = read.replace("days: 30", "days: 1e3x");
    assert!(manifest::yaml::parse_fast::<Manifest>(&bad).is_none());
    assert!(fast_reads("bad", &bad), "read as a generic value");
    for refused in [
        // `1e3` is a float to serde_yaml, not a u32.
        "version: 1\nproduct: { id: p, operator: o }\nflows:\n- { id: f, data: [x], retention: { days: 1e3 } }\n",
        // A bare number is not text.
        "version: 1\nproduct: { id: p, operator: 123 }\n",
        // `yes` is no boolean to serde_yaml.
        "version: 1\nproduct: { id: p, operator: o, pi_officer: yes }\n",
        // A duplicate key.
        "version: 1\nversion: 1\nproduct: { id: p, operator: o }\n",
        "version: 1\nproduct: { id: p, id: q, operator: o }\n",
        // A null where text is required.
        "version: 1\nproduct: { id: p, operator: ~ }\n",
        // An unknown field.
        "version: 1\nproduct: { id: p, operator: o, extra: x }\n",
    ] {
        assert!(serde_yaml::from_str::<Manifest>(refused).is_err(), "{refused}");
        assert!(manifest::yaml::parse_fast::<Manifest>(refused).is_none(), "{refused}");
        assert!(
            !matches!(manifest::typed_fast_path_disagreement(refused), Some(Some(_))),
            "{refused}"
        );
    }
}

/// Parse time of a benchmark corpus, serde_yaml against the fast path (run
/// by hand in a release build: `cargo test --release --test yaml_fast --
/// --ignored --nocapture`; `PRIVFLOW_CORPUS` names the directory, default
/// the 100,000-flow sparse corpus the benchmark writes).
#[test]
#[ignore]
fn parse_time_of_the_benchmark_corpus() {
    use rayon::prelude::*;
    use std::time::Instant;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var("PRIVFLOW_CORPUS").map_or(root.join("target/bench-data/sparse-1000x100"), PathBuf::from);
    let mut paths = Vec::new();
    yaml_files(&dir, &mut paths);
    paths.sort();
    let texts: Vec<String> = paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let time = |f: &(dyn Fn(&(PathBuf, String)) + Sync), parallel: bool| {
        let pairs: Vec<(PathBuf, String)> = paths.iter().cloned().zip(texts.iter().cloned()).collect();
        let mut runs: Vec<f64> = (0..5)
            .map(|_| {
                let start = Instant::now();
                if parallel {
                    pairs.par_iter().for_each(f);
                } else {
                    pairs.iter().for_each(f);
                }
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        runs.sort_by(f64::total_cmp);
        runs[runs.len() / 2]
    };
    let serde_yaml = |(_, text): &(PathBuf, String)| {
        std::hint::black_box(serde_yaml::from_str::<Manifest>(text).unwrap());
    };
    let fast = |(_, text): &(PathBuf, String)| {
        std::hint::black_box(manifest::yaml::parse_fast::<Manifest>(text).unwrap());
    };
    let parse_file = |(path, _): &(PathBuf, String)| {
        std::hint::black_box(manifest::parse_file(path, "x").ok().unwrap());
    };
    println!(
        "{} files, {:.1} MB, median of 5 runs",
        texts.len(),
        texts.iter().map(String::len).sum::<usize>() as f64 / 1e6
    );
    for parallel in [false, true] {
        println!(
            "{}: serde_yaml {:.1} ms, fast path {:.1} ms, parse_file (read, fast path, index kept) {:.1} ms",
            if parallel { "both cores" } else { "one core" },
            time(&serde_yaml, parallel),
            time(&fast, parallel),
            time(&parse_file, parallel),
        );
    }
}
