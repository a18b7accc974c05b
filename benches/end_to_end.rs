//! The speed benchmark (SPEC §7): generated manifests checked end to end by
//! the release binary (median wall time, peak memory), next to serde_yaml
//! parsing and bare Cedar evaluation of exactly the same requests.
//!
//! Run: `cargo bench --bench end_to_end` (add `-- quick` for fewer repeats,
//! `-- scan` for the scan case alone).

mod generate;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cedar_policy::Authorizer;
use privflow::engine::{Engine, Settings};
use privflow::manifest::{self, Manifest};
use privflow::{Lang, RulePack};
use rayon::prelude::*;

// The allocator the `privflow` binary uses, so that the bare serde_yaml and
// Cedar baselines run on the same one as what they are compared with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// (files, flows per file): 100, 10,000 and 100,000 flows, plus one typical product.
const SIZES: &[(usize, usize)] = &[(1, 100), (1, 200), (100, 100), (1000, 100)];

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    if std::env::args().any(|a| a == "scan") {
        scan_case(&root.join("scan-tree"), if quick { 3 } else { 21 });
        return;
    }
    let repeats = |flows: usize| {
        if quick {
            3
        } else if flows >= 100_000 {
            7
        } else {
            21
        }
    };
    // Every run of the binary first, while this process is small: a child
    // forked from a large process reports that process's peak as its own.
    let mut cases = Vec::new();
    for &(shape, generator) in SHAPES {
        for &(files, flows) in SIZES {
            let dir = root.join(format!("{shape}-{files}x{flows}"));
            let paths = generate_into(&dir, files, flows, generator);
            let runs: Vec<(Duration, u64, Duration)> = (0..repeats(files * flows)).map(|_| run_binary(&dir)).collect();
            cases.push((shape, files, flows, paths, runs));
        }
    }
    println!(
        "| corpus | flows | files | input | end to end (median) | CPU (median) | peak RSS | memo hits | serde_yaml | bare Cedar | ratio |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (shape, files, flows, paths, runs) in cases {
        let input: u64 = paths.iter().map(|p| std::fs::metadata(p).map_or(0, |m| m.len())).sum();
        let repeats = repeats(files * flows);
        let wall = median(runs.iter().map(|r| r.0).collect());
        let cpu = median(runs.iter().map(|r| r.2).collect());
        let rss = runs.iter().map(|r| r.1).max().unwrap_or(0);
        let hits = memo_hit_rate(&paths);

        let texts: Vec<String> = paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
        let yaml = median((0..repeats).map(|_| time(|| parse_all(&texts))).collect());
        let cedar = median(bare_cedar(&paths, repeats));
        let ratio = wall.as_secs_f64() / (yaml + cedar).as_secs_f64();
        println!(
            "| {shape} | {} | {files} | {:.1} MB | {:.1} ms | {:.1} ms | {:.0} MB | {:.2} % | {:.1} ms | {:.1} ms | {ratio:.2} |",
            files * flows,
            input as f64 / 1e6,
            ms(wall),
            ms(cpu),
            rss as f64 / 1e6,
            hits * 100.0,
            ms(yaml),
            ms(cedar),
        );
    }
    scan_case(&root.join("scan-tree"), if quick { 3 } else { 21 });
}

/// The two corpus shapes: about one finding per two flows, and the dense
/// one with about two per flow and the newer manifest fields.
type Generator = fn(u64, usize) -> String;
const SHAPES: &[(&str, Generator)] = &[("sparse", generate::manifest), ("dense", generate::dense)];

/// The share of requests the memo answered without Cedar, over the corpus
/// checked once in-process (both cores, each with its own memo).
fn memo_hit_rate(paths: &[PathBuf]) -> f64 {
    let engine = Engine::new(std::sync::Arc::new(RulePack::builtin().unwrap()));
    let settings = settings();
    let cx = manifest::LoadContext {
        pack: engine.pack(),
        catalogue: None,
    };
    let (hits0, all0) = privflow::engine::memo::hit_rate();
    paths.par_iter().for_each(|p| {
        let loaded = manifest::load(p, &p.display().to_string(), &cx).unwrap();
        std::hint::black_box(engine.evaluate_with(&loaded, None, &settings).unwrap());
    });
    let (hits, all) = privflow::engine::memo::hit_rate();
    (hits - hits0) as f64 / ((all - all0) as f64).max(1.0)
}

fn settings() -> Settings {
    Settings::plain(Lang::En, manifest::model::Date::parse("2026-11-23").unwrap())
}

/// `check` with `scan: true` against `check` alone, on one product whose
/// tree holds 5,000 source files and 20 build and platform files: the scan
/// reads only the build files (SPEC §7: within 1.2 × check alone).
fn scan_case(dir: &Path, repeats: usize) {
    generate_app_tree(dir);
    let config = dir.join(".privflow.yaml");
    // Alternated, so that a change of load on the machine falls on both.
    let (mut alone, mut scanned) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        let _ = std::fs::remove_file(&config);
        alone.push(run_binary(dir));
        std::fs::write(&config, "scan: true\n").unwrap();
        scanned.push(run_binary(dir));
    }
    let _ = std::fs::remove_file(&config);
    let wall = |runs: &[(Duration, u64, Duration)]| median(runs.iter().map(|r| r.0).collect());
    let cpu = |runs: &[(Duration, u64, Duration)]| median(runs.iter().map(|r| r.2).collect());
    println!();
    println!("| tree | check (median) | check with scan: true | ratio | CPU ratio |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| 1 manifest, 5,000 source files, 20 build files | {:.1} ms | {:.1} ms | {:.2} | {:.2} |",
        ms(wall(&alone)),
        ms(wall(&scanned)),
        wall(&scanned).as_secs_f64() / wall(&alone).as_secs_f64(),
        cpu(&scanned).as_secs_f64() / cpu(&alone).as_secs_f64()
    );
}

/// A product of 100 flows with an Android, an iOS and a web app: 5,000
/// small source files and 20 build and platform files.
fn generate_app_tree(dir: &Path) {
    if dir.join("privflow.yaml").exists() {
        return;
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("privflow.yaml"), generate::manifest(0, 100)).unwrap();
    let build_files: Vec<(String, String)> = (0..20)
        .map(|i| match i % 4 {
            0 => (
                format!("android/module{i}/build.gradle.kts"),
                "dependencies {\n    implementation(\"com.umeng.umsdk:common:9.6.3\")\n    implementation(\"cn.jiguang.sdk:jpush:5.0.0\")\n    implementation(\"androidx.core:core-ktx:1.12.0\")\n}\n".to_string(),
            ),
            1 => (
                format!("android/module{i}/src/main/AndroidManifest.xml"),
                "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\">\n    <uses-permission android:name=\"android.permission.CAMERA\" />\n    <uses-permission android:name=\"android.permission.ACCESS_FINE_LOCATION\" />\n</manifest>\n".to_string(),
            ),
            2 => (
                format!("ios/Target{i}/Podfile"),
                "platform :ios, '13.0'\ntarget 'App' do\n  pod 'AMapLocation', '~> 2.10'\n  pod 'Bugly'\nend\n".to_string(),
            ),
            _ => (
                format!("web/pkg{i}/package.json"),
                "{\n  \"dependencies\": {\n    \"react\": \"18.2.0\",\n    \"@sentry/react-native\": \"5.0.0\"\n  }\n}\n".to_string(),
            ),
        })
        .collect();
    for (name, text) in &build_files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    for i in 0..5000 {
        let (sub, ext) = match i % 3 {
            0 => ("android/module0/src/main/java/com/example", "kt"),
            1 => ("ios/Target2/Sources", "swift"),
            _ => ("web/pkg3/src", "ts"),
        };
        let path = dir.join(format!("{sub}/d{}/File{i}.{ext}", i % 50));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("// generated source file {i}\nfun f{i}() = {i}\n")).unwrap();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn generate_into(dir: &Path, files: usize, flows: usize, generator: Generator) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (0..files)
        .map(|i| {
            let path = dir.join(format!("product-{i:04}.flows.yaml"));
            if !path.exists() {
                std::fs::write(&path, generator(i as u64, flows)).unwrap();
            }
            path
        })
        .collect()
}

/// One run of the release binary, from process start to exit: wall time and
/// peak resident memory (from wait4's rusage).
// The child is reaped by `wait4`, which also reports its peak memory.
#[allow(clippy::zombie_processes)]
fn run_binary(dir: &Path) -> (Duration, u64, Duration) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_privflow"))
        .args([
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--today",
            "2026-11-23",
        ])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn privflow");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; `usage` is a valid out-pointer.
    unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let cpu = |t: libc::timeval| Duration::from_micros(t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64);
    (
        start.elapsed(),
        usage.ru_maxrss as u64 * 1024,
        cpu(usage.ru_utime) + cpu(usage.ru_stime),
    )
}

/// The serde_yaml baseline: the same files, both cores, as privflow reads them.
fn parse_all(texts: &[String]) {
    texts.par_iter().for_each(|t| {
        let manifest: Manifest = serde_yaml::from_str(t).unwrap();
        std::hint::black_box(manifest);
    });
}

/// Bare Cedar: the same PolicySets, entities and requests privflow makes,
/// `is_authorized` in a loop over both cores, each with its own copy of the
/// policies; no manifest work is timed.
fn bare_cedar(paths: &[PathBuf], repeats: usize) -> Vec<Duration> {
    let pack = std::sync::Arc::new(RulePack::builtin().unwrap());
    let engine = Engine::new(pack.clone());
    // One copy of the policies per worker, as privflow has: Cedar scales
    // across cores only when threads share no policy data.
    let packs: Vec<RulePack> = (0..rayon::current_num_threads())
        .map(|_| RulePack::builtin().unwrap())
        .collect();
    let settings = Settings {
        lang: Lang::En,
        today: manifest::model::Date::parse("2026-11-23").unwrap(),
        severity: Default::default(),
        split_flows: false,
        notice_phrases: Default::default(),
        scan: Default::default(),
        catalogues: None,
        warn_within: None,
    };
    let cx = manifest::LoadContext {
        pack: &pack,
        catalogue: None,
    };
    let plans: Vec<_> = paths
        .par_iter()
        .map(|p| {
            let loaded = manifest::load(p, &p.display().to_string(), &cx).unwrap();
            let plan = engine.plan(&loaded, None, &settings).unwrap();
            let requests = plan.cedar_requests(&engine).unwrap();
            (plan.entities.into_inner().unwrap(), requests)
        })
        .collect();
    let authorizer = Authorizer::new();
    (0..repeats)
        .map(|_| {
            time(|| {
                plans.par_iter().for_each(|(entities, requests)| {
                    let pack = &packs[rayon::current_thread_index().unwrap_or(0)];
                    for (action, scope_mask, request) in requests {
                        let policies = pack.set_for(*action, *scope_mask);
                        std::hint::black_box(authorizer.is_authorized(request, policies, entities));
                    }
                })
            })
        })
        .collect()
}
