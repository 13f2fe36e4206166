//! From a JSON call to argv, for the nmap manifest: the code cladgen generates at
//! build time (`NmapScanArgs::from_json(&call)?.argv(&ctx)`) against the published
//! `toolclad` 0.6.1 crate doing the same job the way its own `executor::execute`
//! does it (JSON values to strings, `validator::validate_arg` per argument,
//! `executor::build_command`, `shlex::split`), on the same calls, in the same run.
//!
//! Both sides read the same manifest, `bench/manifests/nmap_scan.clad.toml`:
//! cladgen through `build.rs`, toolclad through `parse_manifest`, once, outside the
//! timed loop (we measure a call, not loading). The call is an already parsed
//! `serde_json::Value`, as an agent runtime holds it.
//!
//! After criterion's groups, a table times both sides back to back and prints the
//! ratio (toolclad time / cladgen time, so > 1 means cladgen is faster), also
//! against toolclad stopping at its command line (`validate_arg` + `build_command`,
//! without the split), and the ceiling any implementation returning `Vec<String>`
//! could reach: toolclad's time over the time of merely allocating the same tokens.
//! The `argv/parts` group shows where the time goes, including that floor.
//!
//! `cargo bench -p cladgen-bench --bench argv -- --warm-up-time 1 --measurement-time 3`

// The generated API is complete; the bench uses only part of it.
#[allow(dead_code)]
mod tools {
    cladgen::include_tools!();
}

use cladgen::{ArgErrors, ExecContext};
use criterion::{Criterion, criterion_group};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};
use toolclad::types::{Manifest, ToolCladError};
use tools::nmap_scan::NmapScanArgs;

/// The manifest both sides read (cladgen's copy went through `build.rs`).
const MANIFEST: &str = include_str!("../manifests/nmap_scan.clad.toml");

/// One benchmarked call.
struct Call {
    label: &'static str,
    json: Value,
}

fn calls() -> Vec<Call> {
    vec![
        Call {
            label: "target+scan_type",
            json: json!({"target": "10.0.1.0/24", "scan_type": "service"}),
        },
        Call {
            label: "target+scan_type+exclude",
            json: json!({"target": "10.0.1.0/24", "scan_type": "service", "exclude": "10.0.1.0/28"}),
        },
    ]
}

/// cladgen: the generated parser and argv builder.
fn cladgen_argv(call: &Value, ctx: &ExecContext) -> Result<Vec<String>, ArgErrors> {
    Ok(NmapScanArgs::from_json(call)?.argv(ctx))
}

/// cladgen's borrowing form (`argv_cow`, what `command()` uses): the argv borrows the
/// fixed tokens, the values and the context; it is used (its length read) and
/// dropped inside the call, so both sides pay for building and freeing their argv.
fn cladgen_argv_cow(call: &Value, ctx: &ExecContext) -> Result<usize, ArgErrors> {
    let args = NmapScanArgs::from_json(call)?;
    let argv = args.argv_cow(ctx);
    Ok(black_box(&argv).len())
}

fn toolclad_strings(call: &Value) -> Result<HashMap<String, String>, ToolCladError> {
    let Value::Object(obj) = call else {
        return Err(ToolCladError::ValidationError(
            "the call is not an object".into(),
        ));
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
    Ok(args)
}

/// toolclad: validate every argument as `executor::execute` does (phase 1). The
/// manifest's arguments have no `default`, so a missing optional argument is simply
/// left out, as `execute` does.
fn toolclad_validated(
    m: &Manifest,
    call: &Value,
) -> Result<HashMap<String, String>, ToolCladError> {
    let args = toolclad_strings(call)?;
    let mut validated = HashMap::with_capacity(args.len());
    for (name, def) in &m.args {
        if let Some(val) = args.get(name) {
            let clean = toolclad::validator::validate_arg(name, def, val)?;
            validated.insert(name.clone(), clean);
        } else if def.required {
            return Err(ToolCladError::ValidationError(format!(
                "missing required argument '{name}'"
            )));
        }
    }
    Ok(validated)
}

/// toolclad: validated arguments, then its command line.
fn toolclad_line(m: &Manifest, call: &Value) -> Result<String, ToolCladError> {
    toolclad::executor::build_command(m, &toolclad_validated(m, call)?)
}

/// toolclad: the whole way to argv (`execute` splits the line with shlex).
fn toolclad_argv(m: &Manifest, call: &Value) -> Result<Vec<String>, ToolCladError> {
    let line = toolclad_line(m, call)?;
    shlex::split(&line).ok_or_else(|| ToolCladError::CommandError("mismatched quotes".into()))
}

/// The argv with the evidence file (the element after `-oN`) replaced: each side
/// names it from its own scan id.
fn masked(mut argv: Vec<String>) -> Vec<String> {
    if let Some(i) = argv.iter().position(|a| a == "-oN")
        && let Some(file) = argv.get_mut(i + 1)
    {
        *file = "<output file>".into();
    }
    argv
}

struct Setup {
    manifest: Manifest,
    ctx: ExecContext,
    calls: Vec<Call>,
}

/// Parses the peer's manifest once and checks both sides build the same argv from
/// every call: otherwise the comparison is meaningless.
fn setup() -> Setup {
    let manifest = match toolclad::parse_manifest(MANIFEST) {
        Ok(m) => m,
        Err(e) => panic!("toolclad 0.6.1 rejects the bench manifest: {e}"),
    };
    let ctx = ExecContext::new("scan-1", "/tmp/ev");
    let calls = calls();
    for c in &calls {
        let ours = match cladgen_argv(&c.json, &ctx) {
            Ok(a) => masked(a),
            Err(e) => panic!("{}: cladgen rejects the call: {e}", c.label),
        };
        let mut theirs = match toolclad_argv(&manifest, &c.json) {
            Ok(a) => masked(a),
            Err(e) => panic!("{}: toolclad rejects the call: {e}", c.label),
        };
        // toolclad 0.6.1 leaves the placeholder of an absent optional argument in
        // the command line; cladgen drops the token. Everything else must agree.
        if c.json.get("exclude").is_none() {
            let before = theirs.len();
            theirs.retain(|a| a != "--exclude={exclude}");
            assert_eq!(before, theirs.len() + 1, "{}: {theirs:?}", c.label);
        }
        assert_eq!(
            ours, theirs,
            "{}: both sides must build the same argv",
            c.label
        );
    }
    Setup {
        manifest,
        ctx,
        calls,
    }
}

fn bench_argv(c: &mut Criterion) {
    let s = setup();
    for call in &s.calls {
        let mut group = c.benchmark_group(format!("argv/{}", call.label));
        group.bench_function("cladgen", |b| {
            b.iter(|| cladgen_argv(black_box(&call.json), &s.ctx))
        });
        group.bench_function("toolclad", |b| {
            b.iter(|| toolclad_argv(&s.manifest, black_box(&call.json)))
        });
        group.finish();
    }
    // Where the time goes, for the longer call.
    if let Some(call) = s.calls.last() {
        let mut group = c.benchmark_group("argv/parts");
        let parsed = NmapScanArgs::from_json(&call.json).ok();
        group.bench_function("cladgen from_json", |b| {
            b.iter(|| NmapScanArgs::from_json(black_box(&call.json)))
        });
        group.bench_function("cladgen argv", |b| {
            b.iter(|| parsed.as_ref().map(|a| a.argv(black_box(&s.ctx))))
        });
        group.bench_function("toolclad validate_arg (JSON to validated strings)", |b| {
            b.iter(|| toolclad_validated(&s.manifest, black_box(&call.json)))
        });
        let validated = toolclad_validated(&s.manifest, &call.json).unwrap_or_default();
        group.bench_function("toolclad build_command", |b| {
            b.iter(|| toolclad::executor::build_command(&s.manifest, black_box(&validated)))
        });
        let line = toolclad_line(&s.manifest, &call.json).unwrap_or_default();
        group.bench_function("toolclad shlex::split", |b| {
            b.iter(|| shlex::split(black_box(&line)))
        });
        // The floor of any implementation returning `Vec<String>`: allocating the
        // same tokens (cladgen's argv for this call), with nothing computed.
        let tokens: Vec<String> = parsed.as_ref().map(|a| a.argv(&s.ctx)).unwrap_or_default();
        group.bench_function("floor: the same argv as fresh Strings", |b| {
            b.iter(|| {
                black_box(&tokens)
                    .iter()
                    .map(|t| String::from(t.as_str()))
                    .collect::<Vec<String>>()
            })
        });
        group.finish();
    }
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

/// The ratio table: both sides timed alternately, per call (see [`compare`]).
fn ratio_table() {
    let s = setup();
    println!();
    println!(
        "| call (nmap_scan) | cladgen `argv()` (ns/call) | toolclad 0.6.1 to argv (ns/call) | ratio | cladgen `argv_cow()` (ns/call) | ratio | toolclad 0.6.1 to command line, no split (ns/call) | ratio vs `argv()` | ceiling: toolclad to argv / allocating the argv alone |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for call in &s.calls {
        let ours = || cladgen_argv(black_box(&call.json), &s.ctx);
        let (a, b, ratio) = compare(ours, || toolclad_argv(&s.manifest, black_box(&call.json)));
        let (cow, _, ratio_cow) = compare(
            || cladgen_argv_cow(black_box(&call.json), &s.ctx),
            || toolclad_argv(&s.manifest, black_box(&call.json)),
        );
        let (_, c, ratio_line) =
            compare(ours, || toolclad_line(&s.manifest, black_box(&call.json)));
        // The best any `Vec<String>` result could do: only allocating the tokens.
        let tokens = cladgen_argv(&call.json, &s.ctx).unwrap_or_default();
        let floor = || {
            black_box(&tokens)
                .iter()
                .map(|t| String::from(t.as_str()))
                .collect::<Vec<String>>()
        };
        let (_, _, ceiling) = compare(floor, || toolclad_argv(&s.manifest, black_box(&call.json)));
        println!(
            "| {} | {a:.0} | {b:.0} | {ratio:.1}x | {cow:.0} | {ratio_cow:.1}x | {c:.0} | {ratio_line:.1}x | {ceiling:.1}x |",
            call.label,
        );
        eprintln!(
            "argv ratio ({}): {ratio:.1}x (toolclad to argv / cladgen argv()), {ratio_cow:.1}x with argv_cow(), {ratio_line:.1}x without shlex::split; ceiling for a Vec<String> result {ceiling:.1}x",
            call.label,
        );
    }
}

criterion_group!(benches, bench_argv);

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
