//! `tools/call` round trips over stdio for a short tool: `cladgen serve` (the release
//! `cladgen` binary, serving `bench/manifests/echo_bench.clad.toml`, `/bin/echo
//! {message}`) against the same tool served by the official Python SDK's high-level
//! server (`MCPServer`, formerly `FastMCP`, `bench/peers/fastmcp_server.py`, whose tool
//! runs `subprocess.run`), both driven by the same client (rmcp's) in this process.
//!
//! Both servers are started once as child processes speaking MCP on their
//! stdin/stdout, initialized with the same protocol version, and checked to return
//! `hello\n` before timing. Then, alternating between the servers round by round so
//! machine load hits both alike:
//!
//! - latency: sequential calls, one in flight; p50 and p99 over every call;
//! - throughput: 16 calls in flight (16 client tasks sharing the one session, each
//!   calling again as soon as its answer arrives); calls per second per round, and the
//!   median of the per-round ratios.
//!
//! `cladgen serve` runs with `--max-concurrent 16` (so 16 calls really run at once,
//! as in the Python server, which has no limit) and, as a third side, with its
//! default `--max-concurrent 4`.
//!
//! Needs `target/release/cladgen` (`cargo build --release -p cladgen-cli`; or
//! `$CLADGEN_BIN`) and a Python with `mcp` (`.ci/venv/bin/python`, which `.ci/run`
//! creates; or `$CLADGEN_BENCH_PYTHON`). A missing one is an error, never a skip.
//!
//! `cargo bench -p cladgen-bench --bench mcp`

use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use rmcp::model::{CallToolResult, ProtocolVersion};
use rmcp::service::{Peer, RoleClient, RunningService, ServiceExt};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Calls in flight in the throughput measurement.
const IN_FLIGHT: usize = 16;
/// Calls per client task in one throughput round.
const CALLS_PER_TASK: usize = 20;
/// Sequential calls per latency round.
const LATENCY_CALLS: usize = 100;
/// Rounds of each measurement (alternating servers).
const ROUNDS: usize = 5;
/// Calls before timing starts (each server).
const WARM_UP: usize = 30;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cladgen_bin() -> PathBuf {
    let path = std::env::var_os("CLADGEN_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/release/cladgen"));
    assert!(
        path.exists(),
        "{} is missing: build it first (cargo build --release -p cladgen-cli) or set CLADGEN_BIN",
        path.display()
    );
    path
}

fn python() -> PathBuf {
    let path = std::env::var_os("CLADGEN_BENCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".ci/venv/bin/python"));
    assert!(
        path.exists(),
        "{} is missing: .ci/run creates it (python3 -m venv .ci/venv && .ci/venv/bin/pip install mcp), or set CLADGEN_BENCH_PYTHON",
        path.display()
    );
    path
}

/// One server under test: its child process and the client session to it.
struct Side {
    label: String,
    child: tokio::process::Child,
    session: RunningService<RoleClient, ClientConfig>,
    /// Checks one answer.
    check: fn(&CallToolResult) -> Result<(), String>,
}

/// The client both servers see: the same name, no capabilities, and the protocol
/// pinned to the newest one with an `initialize` handshake, which both speak.
fn client_config() -> ClientConfig {
    let mut c = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("cladgen-bench", "0"),
    );
    c.protocol_version = ProtocolVersion::V_2025_11_25;
    c
}

async fn start(
    label: &str,
    mut cmd: tokio::process::Command,
    check: fn(&CallToolResult) -> Result<(), String>,
) -> Side {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{label}: cannot start the server: {e}"));
    let (Some(stdout), Some(stdin)) = (child.stdout.take(), child.stdin.take()) else {
        panic!("{label}: no stdio pipes");
    };
    let session = client_config()
        .serve((stdout, stdin))
        .await
        .unwrap_or_else(|e| panic!("{label}: initialize failed: {e}"));
    let side = Side {
        label: label.to_owned(),
        child,
        session,
        check,
    };
    let r = call(side.session.peer()).await;
    if let Err(e) = r.and_then(|r| check(&r)) {
        panic!("{label}: the first call is wrong: {e}");
    }
    side
}

fn arguments() -> serde_json::Map<String, Value> {
    match json!({"message": "hello"}) {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

async fn call(peer: &Peer<RoleClient>) -> Result<CallToolResult, String> {
    peer.call_tool(CallToolRequestParams::new("echo_bench").with_arguments(arguments()))
        .await
        .map_err(|e| e.to_string())
}

fn text_of(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

/// cladgen: a successful envelope whose `results.raw_output` is the tool's stdout.
fn check_cladgen(r: &CallToolResult) -> Result<(), String> {
    let out = r
        .structured_content
        .as_ref()
        .and_then(|s| s["results"]["raw_output"].as_str());
    if r.is_error == Some(false) && out == Some("hello\n") {
        Ok(())
    } else {
        Err(format!("{r:?}"))
    }
}

/// The Python server: the tool's return value, as text.
fn check_python(r: &CallToolResult) -> Result<(), String> {
    if r.is_error != Some(true) && text_of(r) == "hello\n" {
        Ok(())
    } else {
        Err(format!("{r:?}"))
    }
}

/// Sequential calls: every call's latency, in µs.
async fn latencies(side: &Side, n: usize) -> Vec<f64> {
    let peer = side.session.peer();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = call(peer).await;
        out.push(t.elapsed().as_secs_f64() * 1e6);
        if let Err(e) = r.and_then(|r| (side.check)(&r)) {
            panic!("{}: a call is wrong: {e}", side.label);
        }
    }
    out
}

/// `IN_FLIGHT` client tasks, `CALLS_PER_TASK` calls each: calls per second.
async fn throughput(side: &Side) -> f64 {
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let peer = side.session.peer().clone();
        let check = side.check;
        set.spawn(async move {
            for _ in 0..CALLS_PER_TASK {
                call(&peer).await.and_then(|r| check(&r))?;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(done) = set.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("{}: a concurrent call is wrong: {e}", side.label),
            Err(e) => panic!("{}: a client task panicked: {e}", side.label),
        }
    }
    (IN_FLIGHT * CALLS_PER_TASK) as f64 / start.elapsed().as_secs_f64()
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn median(v: &[f64]) -> f64 {
    percentile(v, 0.5)
}

fn main() {
    // Only `cargo bench` runs this (no criterion): listing or testing does nothing.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(bench());
}

async fn bench() {
    let manifest = workspace_root().join("bench/manifests/echo_bench.clad.toml");
    let evidence = std::env::temp_dir().join(format!("cladgen-bench-mcp-{}", std::process::id()));
    let cladgen = |max: &str| {
        let mut c = tokio::process::Command::new(cladgen_bin());
        c.arg("serve")
            .arg("--evidence-dir")
            .arg(&evidence)
            .arg("--max-concurrent")
            .arg(max)
            .arg(&manifest);
        c
    };
    let mut py = tokio::process::Command::new(python());
    py.arg(workspace_root().join("bench/peers/fastmcp_server.py"));
    let mut sides = vec![
        start(
            "cladgen serve (--max-concurrent 16)",
            cladgen("16"),
            check_cladgen,
        )
        .await,
        start("Python SDK MCPServer + subprocess.run", py, check_python).await,
        start(
            "cladgen serve (default --max-concurrent 4)",
            cladgen("4"),
            check_cladgen,
        )
        .await,
    ];
    for s in &sides {
        let v = s
            .session
            .peer_info()
            .map(|i| {
                let (name, version) = i
                    .server_info
                    .as_ref()
                    .map_or(("?", "?"), |s| (s.name.as_str(), s.version.as_str()));
                format!("{name} {version}, protocol {}", i.protocol_version)
            })
            .unwrap_or_default();
        eprintln!("{}: {v}", s.label);
        latencies(s, WARM_UP).await;
    }

    let mut lat: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
    let mut tput: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
    for _ in 0..ROUNDS {
        for (i, s) in sides.iter().enumerate() {
            lat[i].extend(latencies(s, LATENCY_CALLS).await);
        }
        for (i, s) in sides.iter().enumerate() {
            tput[i].push(throughput(s).await);
        }
        let _ = std::fs::remove_dir_all(&evidence);
    }

    println!();
    println!(
        "| `echo_bench` over stdio, rmcp client | p50 latency (µs) | p99 latency (µs) | calls/s, {IN_FLIGHT} in flight (median of {ROUNDS} rounds) | min-max calls/s |"
    );
    println!("|---|---|---|---|---|");
    for (i, s) in sides.iter().enumerate() {
        let lo = tput[i].iter().copied().fold(f64::INFINITY, f64::min);
        let hi = tput[i].iter().copied().fold(0.0, f64::max);
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {lo:.0}-{hi:.0} |",
            s.label,
            percentile(&lat[i], 0.5),
            percentile(&lat[i], 0.99),
            median(&tput[i]),
        );
    }
    let ratio = |a: usize, b: usize| {
        let per_round: Vec<f64> = tput[a].iter().zip(&tput[b]).map(|(x, y)| x / y).collect();
        median(&per_round)
    };
    let lat_ratio = |a: usize, b: usize| percentile(&lat[b], 0.5) / percentile(&lat[a], 0.5);
    println!();
    println!(
        "| ratio (cladgen / Python) | throughput, {IN_FLIGHT} in flight (median of per-round ratios) | p50 latency (Python / cladgen) |"
    );
    println!("|---|---|---|");
    println!(
        "| `--max-concurrent 16` | **{:.2}x** | {:.2}x |",
        ratio(0, 1),
        lat_ratio(0, 1)
    );
    println!(
        "| default `--max-concurrent 4` | {:.2}x | {:.2}x |",
        ratio(2, 1),
        lat_ratio(2, 1)
    );
    eprintln!(
        "mcp: throughput cladgen/Python {:.2}x with --max-concurrent 16 (target >= 3x), {:.2}x with the default 4",
        ratio(0, 1),
        ratio(2, 1)
    );

    for s in sides.drain(..) {
        let Side {
            mut child, session, ..
        } = s;
        let _ = session.cancel().await;
        let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
        let _ = child.kill().await;
    }
    let _ = std::fs::remove_dir_all(&evidence);
}
