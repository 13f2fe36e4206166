//! A short-lived tool end to end, from a JSON call to the evidence envelope:
//! cladgen's runner (`cladgen_run::Runner::run_call`, the dynamic path: the call
//! parsed and checked by `Call::from_json`, then the gate, the process, the evidence
//! file, the parser and the `[output.schema]` check) against the published
//! `toolclad` 0.6.1 crate's `executor::execute` on the same manifest text
//! (`bench/manifests/echo_bench.clad.toml`, `/bin/echo hello`), and against the
//! floor: a bare `tokio::process::Command` spawn and wait of the same program.
//!
//! Both manifests are parsed once, outside the timed loop (we measure a run, not
//! loading). cladgen and the floor run on one current-thread tokio runtime (what
//! `Runner::run_blocking` uses); toolclad's `execute` is synchronous and runs on
//! the bench thread, as its callers do.
//!
//! After criterion's groups, a table times the sides back to back and prints the
//! ratios (the slower side's time over cladgen's, so for toolclad > 1 means cladgen
//! is faster; for the floor, cladgen / floor, so 1.0 is no overhead at all), and the
//! wall time of 100 concurrent runs of a 200 ms tool (`/bin/sleep 0.2`) through one
//! shared runner on a multi-thread runtime, next to 100 bare concurrent spawns of
//! the same program. The `run/parts` group shows what the runner's pieces cost
//! (evidence capture off, no `[output.schema]`).
//!
//! `cargo bench -p cladgen-bench --bench run -- --warm-up-time 1 --measurement-time 3`

use cladgen_core::invoke::{Call, EnvSecrets};
use cladgen_core::load::{LoadOptions, load_str};
use cladgen_core::model::Manifest;
use cladgen_core::value::ParseOptions;
use cladgen_run::{Envelope, RunConfig, RunError, Runner, Status};
use criterion::{Criterion, criterion_group};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// The manifest both sides run.
const MANIFEST: &str = include_str!("../manifests/echo_bench.clad.toml");

/// The 200 ms tool of the concurrency run (cladgen only: it measures the runner
/// under load, not a comparison).
const SLEEP_MANIFEST: &str = r#"
[tool]
name = "sleep_bench"
version = "1.0.0"
binary = "sleep"
description = "Sleep for 200 ms (a benchmark fixture)."
timeout_seconds = 10
risk_tier = "low"

[command]
exec = ["/bin/sleep", "0.2"]

[output]
format = "text"
"#;

/// How many runs of the 200 ms tool go at once.
const CONCURRENT: usize = 100;

/// The program and argument the floor runs: what the manifest builds from the call.
const PROGRAM: &str = "/bin/echo";
const MESSAGE: &str = "hello";

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

/// cladgen: JSON call to envelope.
async fn cladgen_run(runner: &Runner, m: &Manifest, call: &Value) -> Result<Envelope, String> {
    let call = Call::from_json(m, call, &ParseOptions::DEFAULT).map_err(|e| e.to_string())?;
    runner
        .run_call(&call, &EnvSecrets)
        .await
        .map_err(|e: RunError| e.to_string())
}

/// toolclad 0.6.1: JSON values to the strings `execute` takes, then `execute`.
fn toolclad_run(
    m: &toolclad::types::Manifest,
    call: &Value,
) -> Result<toolclad::types::EvidenceEnvelope, String> {
    let Value::Object(obj) = call else {
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
    toolclad::executor::execute(m, &args).map_err(|e| e.to_string())
}

/// The floor: spawn and wait, stdio closed; nothing read, nothing recorded.
async fn floor_status() -> std::io::Result<std::process::ExitStatus> {
    tokio::process::Command::new(PROGRAM)
        .arg(MESSAGE)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
}

/// The floor with the output read: spawn, wait and collect stdout and stderr, the
/// least any runner returning the output must do.
async fn floor_output() -> std::io::Result<std::process::Output> {
    tokio::process::Command::new(PROGRAM)
        .arg(MESSAGE)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
}

struct Setup {
    rt: Runtime,
    runner: Runner,
    cladgen: Manifest,
    /// The same tool with `[tool.evidence] capture = false`.
    no_capture: Manifest,
    /// The same tool without `[output.schema]`.
    no_schema: Manifest,
    toolclad: toolclad::types::Manifest,
    call: Value,
    evidence_dir: PathBuf,
}

impl Setup {
    fn cladgen(&self, m: &Manifest) -> Result<Envelope, String> {
        self.rt
            .block_on(cladgen_run(&self.runner, m, black_box(&self.call)))
    }

    fn toolclad(&self) -> Result<toolclad::types::EvidenceEnvelope, String> {
        toolclad_run(&self.toolclad, black_box(&self.call))
    }

    fn floor_status(&self) -> std::io::Result<std::process::ExitStatus> {
        self.rt.block_on(floor_status())
    }

    fn floor_output(&self) -> std::io::Result<std::process::Output> {
        self.rt.block_on(floor_output())
    }
}

fn evidence_dir() -> PathBuf {
    std::env::temp_dir().join(format!("cladgen-bench-run-{}", std::process::id()))
}

/// Loads both sides and checks each produces the same successful result from the
/// call: otherwise the comparison is meaningless.
fn setup() -> Setup {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("cannot start a tokio runtime: {e}"),
    };
    let evidence_dir = evidence_dir();
    let runner = Runner::new(RunConfig::default().with_evidence_dir(&evidence_dir));
    let toolclad = match toolclad::parse_manifest(MANIFEST) {
        Ok(m) => m,
        Err(e) => panic!("toolclad 0.6.1 rejects the bench manifest: {e}"),
    };
    let no_capture = MANIFEST.replace(
        "[args.message]",
        "[tool.evidence]\noutput_dir = \"{evidence_dir}\"\ncapture = false\n\n[args.message]",
    );
    let schema_at = MANIFEST.find("[output.schema]").unwrap_or(MANIFEST.len());
    let s = Setup {
        rt,
        runner,
        cladgen: load(MANIFEST),
        no_capture: load(&no_capture),
        no_schema: load(&MANIFEST[..schema_at]),
        toolclad,
        call: json!({ "message": MESSAGE }),
        evidence_dir,
    };
    let expected = json!({ "raw_output": format!("{MESSAGE}\n") });
    for (label, m) in [
        ("as written", &s.cladgen),
        ("capture off", &s.no_capture),
        ("no schema", &s.no_schema),
    ] {
        let e = match s.cladgen(m) {
            Ok(e) => e,
            Err(e) => panic!("cladgen ({label}) does not run the call: {e}"),
        };
        assert_eq!(e.status, Status::Success, "cladgen ({label}): {e:?}");
        assert_eq!(e.results.as_ref(), Some(&expected), "cladgen ({label})");
        assert_eq!(
            e.output_file.is_some(),
            label != "capture off",
            "cladgen ({label}): evidence capture"
        );
    }
    let theirs = match s.toolclad() {
        Ok(e) => e,
        Err(e) => panic!("toolclad does not run the call: {e}"),
    };
    assert_eq!(theirs.status, "success", "toolclad: {}", theirs.status);
    assert_eq!(theirs.results, expected, "toolclad");
    match s.floor_output() {
        Ok(o) => assert_eq!(o.stdout, format!("{MESSAGE}\n").as_bytes(), "floor"),
        Err(e) => panic!("the floor cannot run {PROGRAM}: {e}"),
    }
    s
}

fn bench_run(c: &mut Criterion) {
    let s = setup();
    let mut group = c.benchmark_group("run/echo");
    group.bench_function("cladgen runner", |b| b.iter(|| s.cladgen(&s.cladgen)));
    group.bench_function("toolclad 0.6.1 execute", |b| b.iter(|| s.toolclad()));
    group.bench_function("floor: tokio spawn + wait", |b| b.iter(|| s.floor_status()));
    group.bench_function("floor: tokio spawn + wait + read output", |b| {
        b.iter(|| s.floor_output())
    });
    group.finish();

    let mut group = c.benchmark_group("run/parts");
    group.bench_function("cladgen runner, evidence capture off", |b| {
        b.iter(|| s.cladgen(&s.no_capture))
    });
    group.bench_function("cladgen runner, no [output.schema]", |b| {
        b.iter(|| s.cladgen(&s.no_schema))
    });
    group.bench_function("cladgen Call::from_json alone", |b| {
        b.iter(|| Call::from_json(&s.cladgen, black_box(&s.call), &ParseOptions::DEFAULT).is_ok())
    });
    group.finish();
}

/// Mean time per run of `f` in microseconds, measured for about `budget` (at least
/// one run).
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

/// Medians over `ROUNDS` alternating short measurements of `ours` and `theirs`:
/// (ours µs/run, theirs µs/run, theirs / ours). Alternating keeps both sides under
/// the same machine load; the median ratio is taken per round, so a busy moment
/// that slows one round does not skew the result.
fn compare<A, B>(mut ours: impl FnMut() -> A, mut theirs: impl FnMut() -> B) -> (f64, f64, f64) {
    // Many short rounds: on a shared machine load comes in bursts, and a short round
    // is likelier to see the same load on both sides.
    const ROUNDS: usize = 41;
    let budget = Duration::from_millis(40);
    let rounds: Vec<(f64, f64)> = (0..ROUNDS)
        .map(|_| (per_run(budget, &mut ours), per_run(budget, &mut theirs)))
        .collect();
    let ratio = median(rounds.iter().map(|(a, b)| b / a.max(1e-3)).collect());
    let a = median(rounds.iter().map(|r| r.0).collect());
    let b = median(rounds.iter().map(|r| r.1).collect());
    (a, b, ratio)
}

/// Wall time of `CONCURRENT` runs of the 200 ms tool through one shared runner, all
/// spawned at once on a multi-thread runtime; panics unless every run succeeded
/// with its own scan id.
fn concurrent_cladgen(rt: &Runtime, runner: &Arc<Runner>, m: &Arc<Manifest>) -> Duration {
    rt.block_on(async {
        let start = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENT {
            let (runner, m) = (Arc::clone(runner), Arc::clone(m));
            set.spawn(async move { cladgen_run(&runner, &m, &json!({})).await });
        }
        let mut ids = std::collections::HashSet::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok(Ok(e)) => {
                    assert_eq!(e.status, Status::Success, "{e:?}");
                    assert!(ids.insert(e.scan_id.clone()), "scan id reused");
                }
                Ok(Err(e)) => panic!("a concurrent run did not run: {e}"),
                Err(e) => panic!("a concurrent run panicked: {e}"),
            }
        }
        start.elapsed()
    })
}

/// The same `CONCURRENT` programs as bare tokio spawns and waits.
fn concurrent_floor(rt: &Runtime) -> Duration {
    rt.block_on(async {
        let start = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENT {
            set.spawn(async {
                tokio::process::Command::new("/bin/sleep")
                    .arg("0.2")
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .await
            });
        }
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok(Ok(status)) => assert!(status.success(), "{status}"),
                Ok(Err(e)) => panic!("a bare spawn failed: {e}"),
                Err(e) => panic!("a bare spawn panicked: {e}"),
            }
        }
        start.elapsed()
    })
}

/// CPU time this process has used (all threads, user + system), from
/// `/proc/self/stat`; `None` where that is not readable.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports them in USER_HZ, 100 on every architecture it supports.
    Some(Duration::from_millis(ticks * 10))
}

/// Context switches of this process's live threads so far (voluntary and not), from
/// `/proc/self/task/*/status`; `None` where that is not readable.
fn context_switches() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let status = std::fs::read_to_string(task.ok()?.path().join("status")).ok()?;
        for line in status.lines() {
            if let Some(n) = line
                .strip_prefix("voluntary_ctxt_switches:")
                .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
            {
                total += n.trim().parse::<u64>().ok()?;
            }
        }
    }
    Some(total)
}

/// CPU time (µs) and context switches of this process per run of `f`, over about
/// 1 s of runs: what the runner itself costs (the tool's own CPU is in its process,
/// not counted), far less sensitive to other load on the machine than wall time.
/// A switch is a thread going to sleep or being preempted: each trip through tokio's
/// blocking pool adds some.
fn cpu_per_run<T>(mut f: impl FnMut() -> T) -> Option<(f64, f64)> {
    // One run first, so threads started lazily (tokio's blocking pool) are counted.
    black_box(f());
    let (before, switches) = (cpu_time()?, context_switches()?);
    let start = Instant::now();
    let mut runs: u32 = 0;
    while start.elapsed() < Duration::from_secs(1) {
        black_box(f());
        runs += 1;
    }
    let used = cpu_time()?.checked_sub(before)?;
    let switched = context_switches()?.saturating_sub(switches);
    let runs = f64::from(runs.max(1));
    Some((used.as_secs_f64() * 1e6 / runs, switched as f64 / runs))
}

/// The ratio table and the concurrency figures.
fn ratio_table() {
    let s = setup();
    let (ours, theirs, vs_toolclad) = compare(|| s.cladgen(&s.cladgen), || s.toolclad());
    let (floor, ours_f, vs_floor) = compare(|| s.floor_status(), || s.cladgen(&s.cladgen));
    let (floor_out, ours_o, vs_floor_out) = compare(|| s.floor_output(), || s.cladgen(&s.cladgen));
    let (no_capture, ours_c, vs_no_capture) =
        compare(|| s.cladgen(&s.no_capture), || s.cladgen(&s.cladgen));
    let cpu = [
        cpu_per_run(|| s.floor_output()),
        cpu_per_run(|| s.cladgen(&s.no_capture)),
        cpu_per_run(|| s.cladgen(&s.cladgen)),
    ];
    println!();
    println!(
        "| `echo_bench` (`/bin/echo hello`), JSON call to envelope | µs/run | µs/run | ratio |"
    );
    println!("|---|---|---|---|");
    println!(
        "| cladgen runner vs toolclad 0.6.1 `execute` | {ours:.0} | {theirs:.0} | toolclad / cladgen = {vs_toolclad:.1}x |"
    );
    println!(
        "| floor (tokio spawn + wait) vs cladgen runner | {floor:.0} | {ours_f:.0} | cladgen / floor = {vs_floor:.2}x |"
    );
    println!(
        "| floor (tokio spawn + wait + read output) vs cladgen runner | {floor_out:.0} | {ours_o:.0} | cladgen / floor = {vs_floor_out:.2}x |"
    );
    println!(
        "| capture off vs on (the evidence file's cost) | {no_capture:.0} | {ours_c:.0} | on / off = {vs_no_capture:.2}x |"
    );
    let show = |v: Option<(f64, f64)>| {
        v.map_or_else(
            || "n/a".to_owned(),
            |(cpu, sw)| format!("{cpu:.0} µs, {sw:.1} switches"),
        )
    };
    println!();
    println!(
        "| CPU time and context switches of the bench process per run (about 1 s each) | floor (spawn + wait + read output) | cladgen, capture off | cladgen |"
    );
    println!("|---|---|---|---|");
    println!(
        "| `echo_bench` | {} | {} | {} |",
        show(cpu[0]),
        show(cpu[1]),
        show(cpu[2])
    );
    eprintln!(
        "run ratios: toolclad/cladgen {vs_toolclad:.1}x (target >= 10x); cladgen/floor {vs_floor:.2}x, cladgen/floor-with-output {vs_floor_out:.2}x (target <= 1.3x)"
    );

    let multi = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("cannot start a tokio runtime: {e}"),
    };
    let runner = Arc::new(Runner::new(
        RunConfig::default().with_evidence_dir(&s.evidence_dir),
    ));
    let sleep = Arc::new(load(SLEEP_MANIFEST));
    const ROUNDS: usize = 5;
    let mut ours = Vec::with_capacity(ROUNDS);
    let mut bare = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        ours.push(concurrent_cladgen(&multi, &runner, &sleep).as_secs_f64() * 1e3);
        bare.push(concurrent_floor(&multi).as_secs_f64() * 1e3);
    }
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(0.0, f64::max);
        (lo, hi)
    };
    let ((ol, oh), (bl, bh)) = (range(&ours), range(&bare));
    let (om, bm) = (median(ours), median(bare));
    println!();
    println!(
        "| {CONCURRENT} concurrent runs of `/bin/sleep 0.2` ({ROUNDS} rounds) | median wall (ms) | min-max (ms) |"
    );
    println!("|---|---|---|");
    println!(
        "| cladgen runner (one shared `Runner`, multi-thread runtime) | {om:.0} | {ol:.0}-{oh:.0} |"
    );
    println!("| bare tokio spawn + wait | {bm:.0} | {bl:.0}-{bh:.0} |");
    eprintln!(
        "{CONCURRENT} concurrent 200 ms runs: cladgen {om:.0} ms median (target < 1500 ms), bare {bm:.0} ms"
    );
}

criterion_group!(benches, bench_run);

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
    // Evidence files pile up (one per cladgen run) and are removed only now: deleting
    // thousands of files makes ext4's inode allocator slower for the next ones
    // (docs/benchmarks.md), which would charge the runner for the bench's cleanup.
    let _ = std::fs::remove_dir_all(evidence_dir());
}
