//! An `[http]` tool end to end, from a JSON call to the evidence envelope:
//! cladgen's runner (`cladgen_run::Runner::run_call` with feature `http`: the call
//! checked, the gate, the SSRF guard, the request, the body streamed to the
//! evidence file and hashed, the parser and the `[output.schema]` check) against
//! the published `toolclad` 0.6.1 crate's `executor::execute` on the same manifest
//! text (`MANIFEST` below), both against the same small
//! HTTP/1.1 server this bench starts on 127.0.0.1 (keep-alive, a fixed 64-byte
//! body), in the same process.
//!
//! toolclad 0.6.1 builds a new `reqwest::blocking::Client` (and so a new
//! connection) for every call; cladgen's runner keeps one client per `Runner` and
//! reuses its pooled connection. So the bench also shows cladgen with a fresh
//! `Runner` per call (a new client and connection each time), the like-for-like
//! figure.
//!
//! After criterion's groups, a table times the sides back to back and prints the
//! ratios (toolclad's time over cladgen's: > 1 means cladgen is faster).
//!
//! `cargo bench -p cladgen-bench --bench http -- --warm-up-time 1 --measurement-time 3`

use cladgen_core::invoke::{Call, EnvSecrets};
use cladgen_core::load::{LoadOptions, load_str};
use cladgen_core::model::Manifest;
use cladgen_core::scope::Scope;
use cladgen_core::value::ParseOptions;
use cladgen_run::{Envelope, RunConfig, Runner, Status};
use criterion::{Criterion, criterion_group};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// The manifest both sides run, with `PORT` for the server's port. Kept here, not
/// in `bench/manifests/` (which `bench/build.rs` compiles to typed code): the bench
/// measures the dynamic path, as `cladgen run` and `cladgen serve` use it.
const MANIFEST: &str = r#"# The `[http]` tool the `http` bench runs end to end (JSON call to envelope) on both
# sides: cladgen's runner (feature `http`) and the published `toolclad` 0.6.1
# crate's `executor::execute`, against a small HTTP/1.1 server the bench starts on
# 127.0.0.1. `PORT` is replaced by the server's port before either side loads it.
# Written for both: a GET with one query argument, one header, text output.

[tool]
name = "http_bench"
version = "1.0.0"
# toolclad 0.6.1 requires the field even for [http] tools; neither side runs it.
binary = "curl"
description = "Fetch one item from the local bench server (a benchmark fixture)."
timeout_seconds = 10
risk_tier = "low"

[args.q]
position = 1
required = true
type = "string"
description = "The item to fetch, e.g. hello."

[http]
method = "GET"
url = "http://127.0.0.1:PORT/item?q={q}"

[http.headers]
Accept = "text/plain"

[output]
format = "text"

[output.schema]
type = "object"

[output.schema.properties.raw_output]
type = "string"
"#;

/// The body every request gets.
const BODY: &str = "item: hello; a fixed 64-byte body for the cladgen http bench...\n";

/// Serves `GET /item` forever on a thread per connection, keep-alive; returns the
/// port.
fn start_server() -> u16 {
    let listener = match TcpListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(e) => panic!("cannot listen on 127.0.0.1: {e}"),
    };
    let port = listener.local_addr().map_or(0, |a| a.port());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || {
                let Ok(read_half) = stream.try_clone() else {
                    return;
                };
                let mut reader = BufReader::new(read_half);
                let mut out = stream;
                loop {
                    // Request line and headers; the bench's GETs have no body.
                    let mut blank = false;
                    let mut any = false;
                    while !blank {
                        let mut line = String::new();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        blank = line == "\r\n" && any;
                        any = true;
                    }
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{BODY}",
                        BODY.len()
                    );
                    if out.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn load(toml: &str) -> Manifest {
    let loaded = load_str(Path::new("bench.clad.toml"), toml, &LoadOptions::default());
    match loaded.manifest.clone() {
        Some(m) => m,
        None => panic!(
            "cladgen rejects the bench manifest:\n{}",
            loaded.render(false)
        ),
    }
}

fn config(evidence_dir: &Path) -> RunConfig {
    let scope = match Scope::new(["127.0.0.1"], Vec::<&str>::new()) {
        Ok(s) => s,
        Err(e) => panic!("scope: {e}"),
    };
    // The SSRF guard refuses loopback unless the scope lists it.
    RunConfig::default()
        .with_evidence_dir(evidence_dir)
        .with_scope(scope)
}

struct Setup {
    rt: Runtime,
    runner: Runner,
    cladgen: Manifest,
    toolclad: toolclad::types::Manifest,
    call: Value,
    evidence_dir: PathBuf,
}

impl Setup {
    fn cladgen_with(&self, runner: &Runner) -> Result<Envelope, String> {
        let call = black_box(&self.call);
        self.rt.block_on(async {
            let call = Call::from_json(&self.cladgen, call, &ParseOptions::DEFAULT)
                .map_err(|e| e.to_string())?;
            runner
                .run_call(&call, &EnvSecrets)
                .await
                .map_err(|e| e.to_string())
        })
    }

    /// The shared runner: one client, its connection reused.
    fn cladgen(&self) -> Result<Envelope, String> {
        self.cladgen_with(&self.runner)
    }

    /// A new runner per call: a new client and a new connection, as toolclad does.
    fn cladgen_fresh(&self) -> Result<Envelope, String> {
        self.cladgen_with(&Runner::new(config(&self.evidence_dir)))
    }

    /// toolclad 0.6.1: JSON values to the strings `execute` takes, then `execute`
    /// (synchronous: reqwest's blocking client, on the bench thread).
    fn toolclad(&self) -> Result<toolclad::types::EvidenceEnvelope, String> {
        let Value::Object(obj) = black_box(&self.call) else {
            return Err("the call is not an object".into());
        };
        let mut args = HashMap::with_capacity(obj.len());
        for (k, v) in obj {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            args.insert(k.clone(), s);
        }
        toolclad::executor::execute(&self.toolclad, &args).map_err(|e| e.to_string())
    }

    fn clear_evidence(&self) {
        let _ = std::fs::remove_dir_all(&self.evidence_dir);
    }
}

/// Starts the server, loads both sides and checks each gets the same body from the
/// call: otherwise the comparison is meaningless.
fn setup() -> Setup {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("cannot start a tokio runtime: {e}"),
    };
    let port = start_server();
    let text = MANIFEST.replace("PORT", &port.to_string());
    let evidence_dir =
        std::env::temp_dir().join(format!("cladgen-bench-http-{}", std::process::id()));
    let toolclad = match toolclad::parse_manifest(&text) {
        Ok(m) => m,
        Err(e) => panic!("toolclad 0.6.1 rejects the bench manifest: {e}"),
    };
    let s = Setup {
        rt,
        runner: Runner::new(config(&evidence_dir)),
        cladgen: load(&text),
        toolclad,
        call: json!({ "q": "hello" }),
        evidence_dir,
    };
    for (label, e) in [
        ("shared runner", s.cladgen()),
        ("fresh runner", s.cladgen_fresh()),
    ] {
        let e = match e {
            Ok(e) => e,
            Err(e) => panic!("cladgen ({label}) does not run the call: {e}"),
        };
        assert_eq!(e.status, Status::Success, "cladgen ({label}): {e:?}");
        assert_eq!(
            e.results,
            Some(json!({ "raw_output": BODY })),
            "cladgen ({label})"
        );
    }
    let theirs = match s.toolclad() {
        Ok(e) => e,
        Err(e) => panic!("toolclad does not run the call: {e}"),
    };
    assert_eq!(theirs.status, "success", "toolclad: {}", theirs.status);
    assert_eq!(theirs.results["raw_output"], BODY, "toolclad");
    s.clear_evidence();
    s
}

fn bench_http(c: &mut Criterion) {
    let s = setup();
    let mut group = c.benchmark_group("http/get");
    group.bench_function("cladgen runner (shared client)", |b| b.iter(|| s.cladgen()));
    group.bench_function("cladgen runner (new Runner per call)", |b| {
        b.iter(|| s.cladgen_fresh())
    });
    group.bench_function("toolclad 0.6.1 execute", |b| b.iter(|| s.toolclad()));
    group.finish();
    s.clear_evidence();
}

/// Mean time per run of `f` in microseconds, measured for about `budget`.
fn per_run<T>(budget: Duration, mut f: impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    let mut runs: u32 = 0;
    while runs == 0 || start.elapsed() < budget {
        black_box(f());
        runs += 1;
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(runs)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Medians over alternating short rounds: (ours µs/run, theirs µs/run, theirs /
/// ours), the ratio taken per round so machine load hits both sides alike.
fn compare<A, B>(mut ours: impl FnMut() -> A, mut theirs: impl FnMut() -> B) -> (f64, f64, f64) {
    const ROUNDS: usize = 15;
    let budget = Duration::from_millis(100);
    let rounds: Vec<(f64, f64)> = (0..ROUNDS)
        .map(|_| (per_run(budget, &mut ours), per_run(budget, &mut theirs)))
        .collect();
    let ratio = median(rounds.iter().map(|(a, b)| b / a.max(1e-3)).collect());
    let a = median(rounds.iter().map(|r| r.0).collect());
    let b = median(rounds.iter().map(|r| r.1).collect());
    (a, b, ratio)
}

fn ratio_table() {
    let s = setup();
    let (ours, theirs, shared) = compare(|| s.cladgen(), || s.toolclad());
    s.clear_evidence();
    let (fresh, theirs_f, fresh_ratio) = compare(|| s.cladgen_fresh(), || s.toolclad());
    s.clear_evidence();
    println!();
    println!(
        "| `http_bench` (GET on 127.0.0.1), JSON call to envelope | cladgen µs/run | toolclad µs/run | toolclad / cladgen |"
    );
    println!("|---|---|---|---|");
    println!(
        "| cladgen runner, shared client, vs toolclad 0.6.1 `execute` | {ours:.0} | {theirs:.0} | {shared:.1}x |"
    );
    println!(
        "| cladgen, new `Runner` per call, vs toolclad 0.6.1 `execute` | {fresh:.0} | {theirs_f:.0} | {fresh_ratio:.1}x |"
    );
    eprintln!(
        "http ratios: toolclad/cladgen {shared:.1}x (shared client), {fresh_ratio:.1}x (new Runner per call)"
    );
}

criterion_group!(benches, bench_http);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let args: Vec<String> = std::env::args().collect();
    if !args
        .iter()
        .any(|a| a == "--list" || a == "--test" || a == "--profile-time")
    {
        ratio_table();
    }
}
