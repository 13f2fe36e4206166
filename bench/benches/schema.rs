//! Reading a tool's LLM schema, for the nmap manifest: what cladgen generates at
//! build time against the published `toolclad` 0.6.1 crate's `generate_mcp_schema`,
//! which builds the MCP definition from the parsed manifest on every call. Same
//! manifest (`bench/manifests/nmap_scan.clad.toml`), same run; toolclad parses it
//! once, outside the timed loop.
//!
//! cladgen is measured three ways:
//! - reading the `&'static str` schema constants (`INPUT_SCHEMA`, `OUTPUT_SCHEMA`);
//! - the typed accessors (`tool_definitions(Flavor::Mcp)`, `input_schema()`), which
//!   return `&'static serde_json::Value`s built once per process;
//! - that one build of the MCP definitions from the static `MANIFEST`, which the
//!   first accessor call of a process pays (reported separately).
//!
//! A table after criterion's groups prints the ratios (toolclad time / cladgen time).
//!
//! `cargo bench -p cladgen-bench --bench schema -- --warm-up-time 1 --measurement-time 3`

// The generated API is complete; the bench uses only part of it.
#[allow(dead_code)]
mod tools {
    cladgen::include_tools!();
}

use cladgen::Flavor;
use criterion::{Criterion, criterion_group};
use serde_json::Value;
use std::hint::black_box;
use std::time::{Duration, Instant};
use toolclad::types::Manifest;
use tools::nmap_scan;

/// The manifest both sides read (cladgen's copy went through `build.rs`).
const MANIFEST: &str = include_str!("../manifests/nmap_scan.clad.toml");

fn peer_manifest() -> Manifest {
    match toolclad::parse_manifest(MANIFEST) {
        Ok(m) => m,
        Err(e) => panic!("toolclad 0.6.1 rejects the bench manifest: {e}"),
    }
}

/// cladgen: the input and output schemas as sent on the wire.
fn cladgen_read() -> usize {
    black_box(nmap_scan::INPUT_SCHEMA).len() + black_box(nmap_scan::OUTPUT_SCHEMA).len()
}

/// cladgen: the MCP definition and input schema as JSON values (cached).
fn cladgen_accessors() -> (&'static [Value], &'static Value) {
    (
        nmap_scan::tool_definitions(black_box(Flavor::Mcp)),
        nmap_scan::input_schema(),
    )
}

/// cladgen: building the MCP definitions from the static manifest (the accessor's
/// first call).
fn cladgen_parse() -> Option<Vec<Value>> {
    cladgen::schema::tool_definitions(black_box(&nmap_scan::MANIFEST), Flavor::Mcp).ok()
}

/// toolclad: the MCP definition, generated from the parsed manifest.
fn toolclad_value(m: &Manifest) -> Value {
    toolclad::generate_mcp_schema(black_box(m))
}

/// Both sides describe the same tool with the same arguments, and the accessors
/// agree with the constants: otherwise the comparison is meaningless.
fn check(m: &Manifest) {
    let (defs, input) = cladgen_accessors();
    let theirs = toolclad_value(m);
    let [tool] = defs else {
        panic!("cladgen: one MCP definition expected, got {defs:?}");
    };
    for key in ["name", "description"] {
        assert_eq!(tool.get(key), theirs.get(key), "{key}");
    }
    let props = |v: &Value| -> Vec<String> {
        v.pointer("/inputSchema/properties")
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(props(tool), props(&theirs), "input properties");
    assert_eq!(tool.get("inputSchema"), Some(input), "input_schema()");
    assert_eq!(
        cladgen_parse().as_deref(),
        Some(defs),
        "a fresh build and tool_definitions agree"
    );
}

fn bench_schema(c: &mut Criterion) {
    let m = peer_manifest();
    check(&m);
    let mut group = c.benchmark_group("schema/nmap_scan");
    group.bench_function("cladgen INPUT_SCHEMA + OUTPUT_SCHEMA (&'static str)", |b| {
        b.iter(cladgen_read)
    });
    group.bench_function(
        "cladgen tool_definitions + input_schema (&'static Value)",
        |b| b.iter(cladgen_accessors),
    );
    group.bench_function("cladgen first call: build from MANIFEST (Value)", |b| {
        b.iter(cladgen_parse)
    });
    group.bench_function("toolclad generate_mcp_schema (Value)", |b| {
        b.iter(|| toolclad_value(&m))
    });
    group.finish();
}

/// Mean time per call of `f` in nanoseconds (fractional: a constant read takes
/// less than one), measured for about `budget`.
fn per_call<T>(budget: Duration, mut f: impl FnMut() -> T) -> f64 {
    let mut iters: u32 = 1;
    loop {
        let start = Instant::now();
        for _ in 0..iters {
            black_box(f());
        }
        let took = start.elapsed();
        if took >= budget || iters >= 1 << 30 {
            return took.as_secs_f64() * 1e9 / f64::from(iters);
        }
        iters *= 2;
    }
}

/// Medians over `ROUNDS` alternating short measurements of `ours` and `theirs`:
/// (ours ns/call, theirs ns/call, theirs / ours). Alternating keeps both sides
/// under the same machine load; the median ratio is taken per round, so a busy
/// moment that slows one round does not skew the result.
fn compare<A, B>(mut ours: impl FnMut() -> A, mut theirs: impl FnMut() -> B) -> (f64, f64, f64) {
    const ROUNDS: usize = 21;
    let budget = Duration::from_millis(40);
    let mut rounds: Vec<(f64, f64)> = (0..ROUNDS)
        .map(|_| (per_call(budget, &mut ours), per_call(budget, &mut theirs)))
        .collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let ratio = median(rounds.iter().map(|(a, b)| b / a.max(1e-3)).collect());
    rounds.sort_by(|x, y| x.0.total_cmp(&y.0));
    let a = median(rounds.iter().map(|r| r.0).collect());
    let b = median(rounds.iter().map(|r| r.1).collect());
    (a, b, ratio)
}

/// The ratio table: each cladgen variant timed alternately with toolclad (see
/// [`compare`]).
fn ratio_table() {
    let m = peer_manifest();
    let theirs = || toolclad_value(&m);
    let (read, t1, r_read) = compare(cladgen_read, theirs);
    let (cached, t2, r_cached) = compare(cladgen_accessors, theirs);
    let (parse, t3, r_parse) = compare(cladgen_parse, theirs);
    // The definitions differ in size: cladgen's describes every envelope field of
    // the output schema, which is what its one-off parse mostly pays for.
    let theirs_len = toolclad_value(&m).to_string().len();
    let ours_len = Value::Array(nmap_scan::tool_definitions(Flavor::Mcp).to_vec())
        .to_string()
        .len();
    println!();
    println!(
        "| nmap_scan MCP definition | JSON bytes | cladgen (ns/call) | toolclad 0.6.1 `generate_mcp_schema` ({theirs_len} bytes, ns/call) | ratio (toolclad / cladgen) |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| `INPUT_SCHEMA` + `OUTPUT_SCHEMA` (`&'static str`) | {ours_len} | {read:.2} | {t1:.0} | {r_read:.0}x |"
    );
    println!(
        "| `tool_definitions` + `input_schema()` (`&'static Value`) | {ours_len} | {cached:.2} | {t2:.0} | {r_cached:.0}x |"
    );
    println!(
        "| first call: build the definitions from `MANIFEST` (Value, once per process) | {ours_len} | {parse:.0} | {t3:.0} | {r_parse:.2}x |"
    );
    eprintln!("schema ratio (read the constants): {r_read:.0}x");
    eprintln!("schema ratio (cached accessors): {r_cached:.0}x");
    eprintln!("schema ratio (one-off build from MANIFEST): {r_parse:.2}x");
}

criterion_group!(benches, bench_schema);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Skip the table when criterion only lists, tests or profiles the benches.
    let args: Vec<String> = std::env::args().collect();
    if !args
        .iter()
        .any(|a| a == "--list" || a == "--test" || a == "--profile-time")
    {
        ratio_table();
    }
}
