//! `include_manifest!` on the bundled manifests: reading `MANIFEST` and `SOURCE` does not
//! allocate, `SOURCE`/`SHA256` are the file and its digest, and the module holds the same
//! items, with the same behaviour, as the build-script path (`include_tools!()`, from
//! this crate's build script over `manifests/`).
//!
//! Its own test binary, because it installs a counting global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::cell::Cell;
use std::path::Path;

use cladgen::model::{
    Backend, BodyPiece, CommandRun, Manifest, Piece, Scalar, TextPiece, Token, TypeKind,
};
use cladgen::{ExecContext, MapSecrets, Tool};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Counts allocations of the current thread only, so tests running in parallel on
/// other threads cannot disturb a measurement.
struct Counting;

thread_local! {
    // `const` initialisation and no destructor: touching it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread-local may already be gone while a thread shuts down.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The build-script path.
mod built {
    cladgen::include_tools!();
}

/// The macro path, one call per bundled manifest (custom types from
/// `manifests/toolclad.toml`, found next to them).
mod embedded {
    cladgen::include_manifest!("manifests/code_search.clad.toml");
    cladgen::include_manifest!("manifests/create_ticket.clad.toml");
    cladgen::include_manifest!("manifests/dig_lookup.clad.toml");
    cladgen::include_manifest!("manifests/http_headers.clad.toml");
    cladgen::include_manifest!("manifests/hydra_bruteforce.clad.toml");
    cladgen::include_manifest!("manifests/list_evidence.clad.toml");
    cladgen::include_manifest!("manifests/msf_console.clad.toml");
    cladgen::include_manifest!("manifests/msf_exploit.clad.toml");
    cladgen::include_manifest!("manifests/nikto_scan.clad.toml");
    cladgen::include_manifest!("manifests/nmap_scan.clad.toml");
    cladgen::include_manifest!("manifests/search_evidence.clad.toml");
    cladgen::include_manifest!("manifests/triage_finding.clad.toml");
    cladgen::include_manifest!("manifests/webapp_browser.clad.toml");
    cladgen::include_manifest!("manifests/whois_lookup.clad.toml");
}

/// What a module of each path exposes for one tool, for table-driven checks.
struct Embedded {
    file: &'static str,
    manifest: &'static Manifest,
    source: &'static str,
    sha256: &'static str,
    sha256_bytes: [u8; 32],
}

/// The definitions of one flavour on both paths, as JSON text.
fn definitions(
    a: fn(cladgen::Flavor) -> &'static [Value],
    b: fn(cladgen::Flavor) -> &'static [Value],
    flavor: cladgen::Flavor,
) -> (String, String) {
    let text = |d: &[Value]| serde_json::to_string(d).unwrap_or_default();
    (text(a(flavor)), text(b(flavor)))
}

macro_rules! each_tool {
    ($($m:ident),* $(,)?) => {
        /// `(embedded, [NAME, INPUT_SCHEMA, the definitions of each flavour] of both
        /// paths, MANIFEST of the build-script path)`.
        fn tools() -> Vec<(Embedded, [(String, String); 5], &'static Manifest)> {
            vec![$((
                Embedded {
                    file: concat!("manifests/", stringify!($m), ".clad.toml"),
                    manifest: &embedded::$m::MANIFEST,
                    source: embedded::$m::SOURCE,
                    sha256: embedded::$m::SHA256,
                    sha256_bytes: embedded::$m::SHA256_BYTES,
                },
                [
                    (embedded::$m::NAME.into(), built::$m::NAME.into()),
                    (embedded::$m::INPUT_SCHEMA.into(), built::$m::INPUT_SCHEMA.into()),
                    definitions(embedded::$m::tool_definitions, built::$m::tool_definitions, cladgen::Flavor::Mcp),
                    definitions(embedded::$m::tool_definitions, built::$m::tool_definitions, cladgen::Flavor::OpenAiStrict),
                    definitions(embedded::$m::tool_definitions, built::$m::tool_definitions, cladgen::Flavor::Anthropic),
                ],
                &built::$m::MANIFEST,
            )),*]
        }
    };
}

each_tool!(
    code_search,
    create_ticket,
    dig_lookup,
    http_headers,
    hydra_bruteforce,
    list_evidence,
    msf_console,
    msf_exploit,
    nikto_scan,
    nmap_scan,
    search_evidence,
    triage_finding,
    webapp_browser,
    whois_lookup,
);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Touches every string, list and number reachable from the parts of a manifest an
/// executor reads; returns a sum so nothing is optimised away.
fn walk(m: &Manifest) -> usize {
    let mut n = m.tool.name.len() + m.tool.version.len() + m.tool.description.len();
    n += m.tool.timeout_seconds as usize + usize::from(m.tool.human_approval);
    if let Some(c) = &m.tool.cedar {
        n += c.resource.len() + c.action.len();
    }
    for a in m.args.iter() {
        n += a.name.len() + a.description.len() + a.ty.name.len() + usize::from(a.required);
        if let TypeKind::Extern { rust_path } = &a.ty.kind {
            n += rust_path.len();
        }
        let c = &a.ty.constraints;
        n += c.pattern.as_ref().map_or(0, |p| p.as_str().len());
        n += c
            .allowed
            .iter()
            .flat_map(|v| v.iter())
            .map(|v| v.len())
            .sum::<usize>();
        n += c
            .schemes
            .iter()
            .flat_map(|v| v.iter())
            .map(|v| v.len())
            .sum::<usize>();
        n += (c.min.unwrap_or(0) + c.max.unwrap_or(0)).unsigned_abs() as usize;
        n += match &a.default {
            Some(Scalar::String(s)) => s.len(),
            Some(Scalar::Integer(i)) => i.unsigned_abs() as usize,
            Some(Scalar::Boolean(b)) => usize::from(*b),
            Some(Scalar::Float(f)) => usize::from(f.is_finite()),
            None => 0,
        };
    }
    let tokens = |ts: &[Token]| -> usize {
        ts.iter()
            .flat_map(|t| t.pieces.iter())
            .map(|p| match p {
                Piece::Lit(s) => s.len(),
                Piece::Arg(i) | Piece::Mapping(i) | Piece::Conditional(i) => *i + 1,
                Piece::Var(v) => v.placeholder().len(),
            })
            .sum()
    };
    let text = |ps: &[TextPiece]| -> usize {
        ps.iter()
            .map(|p| match p {
                TextPiece::Lit(s) | TextPiece::Secret { name: s, .. } => s.len(),
                TextPiece::Arg { arg, .. } => *arg + 1,
            })
            .sum()
    };
    match &m.backend {
        Backend::Command(c) => {
            n += match &c.run {
                CommandRun::Template { source, tokens: t } => source.len() + tokens(t),
                CommandRun::Exec { tokens: t } => tokens(t),
                CommandRun::Executor { path } => path.len(),
            };
            for map in c.mappings.iter() {
                n += map.arg;
                for e in map.entries.iter() {
                    n += e.value.len()
                        + e.text.len()
                        + e.tokens.iter().map(|t| t.len()).sum::<usize>();
                }
            }
            for cond in c.conditionals.iter() {
                n += cond.name.len() + cond.when_source.len() + tokens(&cond.tokens);
            }
        }
        Backend::Http(h) => {
            n += h.url_source.len() + text(&h.url);
            for hd in h.headers.iter() {
                n += hd.name.len() + text(&hd.value);
            }
            if let Some(b) = &h.body {
                n += b.source.len();
                n += b
                    .pieces
                    .iter()
                    .map(|p| match p {
                        BodyPiece::Lit(s) | BodyPiece::Secret { name: s, .. } => s.len(),
                        BodyPiece::Arg { arg, .. } => *arg + 1,
                    })
                    .sum::<usize>();
            }
            n += h
                .success_status
                .iter()
                .map(|s| usize::from(*s))
                .sum::<usize>();
        }
        Backend::Mcp(x) => {
            n += x.server.len() + x.tool.len();
            n += x.fields.iter().map(|f| f.arg + f.name.len()).sum::<usize>();
        }
        Backend::Source(s) => n += s.operation.len(),
        Backend::Session(_) | Backend::Browser(_) | Backend::Callback => n += 1,
    }
    if let Some(o) = &m.output {
        n += o.format.as_str().len() + o.schema_json.len() + usize::from(o.envelope);
    }
    n
}

#[test]
fn reading_manifest_and_source_does_not_allocate() {
    let tools = tools();
    // The counter works: an allocation between two reads is seen.
    let before = allocations();
    let probe = std::hint::black_box(String::from("allocates"));
    assert!(
        allocations() > before,
        "the counting allocator counts nothing"
    );
    drop(probe);

    let mut total = 0usize;
    let before = allocations();
    for (e, _, _) in &tools {
        total += walk(e.manifest);
        total += e.source.len();
        total += e.source.bytes().map(usize::from).sum::<usize>();
        total += e.sha256.len() + usize::from(e.sha256_bytes[0]);
    }
    // Reading the arguments of one tool by name, as a dispatcher does.
    let nmap = &embedded::nmap_scan::MANIFEST;
    let scan_type = nmap.arg("scan_type").map(|a| &a.ty.constraints.allowed);
    total += scan_type.map_or(0, |a| a.as_ref().map_or(0, |v| v.len()));
    let after = allocations();
    assert_eq!(after - before, 0, "reading MANIFEST/SOURCE allocated");
    assert!(std::hint::black_box(total) > 0);
    assert!(nmap.arg("scan_type").is_some(), "nmap_scan has `scan_type`");

    // Static data all the way down: borrowed, never owned.
    for (e, _, _) in &tools {
        assert!(
            matches!(e.manifest.tool.name, Cow::Borrowed(_)),
            "{}",
            e.file
        );
        assert!(matches!(e.manifest.args, Cow::Borrowed(_)), "{}", e.file);
        for a in e.manifest.args.iter() {
            assert!(matches!(a.name, Cow::Borrowed(_)), "{}: {}", e.file, a.name);
        }
    }
}

#[test]
fn source_is_the_file_and_sha256_its_digest() {
    for (e, _, _) in tools() {
        let bytes = std::fs::read(repo().join(e.file)).expect("bundled manifest");
        assert_eq!(e.source.as_bytes(), bytes.as_slice(), "{}", e.file);
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(e.sha256, hex, "{}", e.file);
        assert_eq!(e.sha256_bytes.as_slice(), digest.as_slice(), "{}", e.file);
    }
}

#[test]
fn same_items_as_the_build_script_path_and_the_loader() {
    let types = cladgen_core::load::load_types_file(
        &repo().join("manifests/toolclad.toml"),
        Default::default(),
    )
    .expect("bundled types file");
    for (e, consts, built_manifest) in tools() {
        for (i, (macro_const, build_const)) in consts.iter().enumerate() {
            assert_eq!(macro_const, build_const, "{}: constant #{i}", e.file);
        }
        assert_eq!(e.manifest, built_manifest, "{}: MANIFEST", e.file);
        let opts = cladgen_core::load::LoadOptions {
            custom_types: Some(types.clone()),
            ..Default::default()
        };
        let loaded = cladgen_core::load::load_file(&repo().join(e.file), &opts);
        assert_eq!(
            loaded.manifest.as_ref(),
            Some(e.manifest),
            "{}: MANIFEST differs from a run-time load",
            e.file
        );
    }
}

/// Both paths' argument types accept, refuse and run every call identically.
fn same_behaviour<A, B, O>(calls: &[Value], run_a: impl Fn(&A) -> O, run_b: impl Fn(&B) -> O)
where
    A: Tool,
    B: Tool,
    O: PartialEq + std::fmt::Debug,
{
    assert_eq!(A::name(), B::name());
    assert_eq!(A::TOOL_NAMES, B::TOOL_NAMES);
    assert_eq!(A::MANIFEST, B::MANIFEST);
    assert_eq!(A::cedar(), B::cedar());
    assert_eq!(
        (A::risk_tier(), A::human_approval(), A::timeout()),
        (B::risk_tier(), B::human_approval(), B::timeout())
    );
    assert_eq!(
        A::definitions(cladgen::Flavor::Mcp),
        B::definitions(cladgen::Flavor::Mcp)
    );
    let mut accepted = 0;
    for call in calls {
        match (
            A::from_call(A::TOOL_NAMES[0], call),
            B::from_call(B::TOOL_NAMES[0], call),
        ) {
            (Ok(a), Ok(b)) => {
                accepted += 1;
                assert_eq!(a.to_json(), b.to_json(), "{call}");
                assert_eq!(run_a(&a), run_b(&b), "{call}");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{call}"),
            (a, b) => panic!(
                "{call}: macro path {:?}, build-script path {:?}",
                a.map(|a| a.to_json()),
                b.map(|b| b.to_json())
            ),
        }
    }
    assert!(
        accepted > 0 && accepted < calls.len(),
        "calls must include good and bad ones"
    );
}

fn ctx() -> ExecContext {
    ExecContext::new("scan-1", "/var/evidence")
}

#[test]
fn from_json_argv_and_plan_behave_the_same() {
    use built::{create_ticket as b_ticket, dig_lookup as b_dig, nmap_scan as b_nmap};
    use embedded::{create_ticket as e_ticket, dig_lookup as e_dig, nmap_scan as e_nmap};

    same_behaviour::<e_nmap::NmapScanArgs, b_nmap::NmapScanArgs, _>(
        &[
            json!({"target": "10.0.1.0/24", "scan_type": "service"}),
            json!({"target": "10.0.1.0/24", "scan_type": "quick", "exclude": "10.0.1.0/28"}),
            json!({"target": "10.0.1.1; rm -rf /", "scan_type": "stealth", "extra": 1}),
            json!({"scan_type": "service"}),
        ],
        |a| a.argv(&ctx()),
        |b| b.argv(&ctx()),
    );
    same_behaviour::<e_dig::DigLookupArgs, b_dig::DigLookupArgs, _>(
        &[
            json!({"target": "example.com"}),
            json!({"target": "example.com", "record_type": "MX", "use_tcp": true, "nameserver": "192.0.2.53"}),
            json!({"target": "example.com", "record_type": "ANY"}),
            json!({"target": "-x"}),
        ],
        |a| a.argv(&ctx()),
        |b| b.argv(&ctx()),
    );
    let secrets = MapSecrets::new().with("api_token", "tok-123");
    let ticket = json!({
        "project": "SEC",
        "title": "Open SMB share on fs1",
        "details": "Guest users can write to the public share",
        "severity": "high",
        "cvss_score": 7.5
    });
    same_behaviour::<e_ticket::CreateTicketArgs, b_ticket::CreateTicketArgs, _>(
        &[
            ticket.clone(),
            json!({"project": "sec", "title": "short", "severity": "urgent", "cvss_score": 11}),
            json!([]),
        ],
        |a| a.plan(&ctx(), &secrets),
        |b| b.plan(&ctx(), &secrets),
    );
    // The dynamic path runs from the embedded MANIFEST and agrees with both.
    let call = json!({"target": "10.0.1.0/24", "scan_type": "service"});
    let generated = e_nmap::NmapScanArgs::from_json(&call).unwrap();
    let dynamic =
        cladgen::Call::from_json(&e_nmap::MANIFEST, &call, &cladgen::ParseOptions::DEFAULT)
            .unwrap();
    assert_eq!(dynamic.argv(&ctx()).unwrap(), generated.argv(&ctx()));
    assert_eq!(
        dynamic.plan(&ctx(), &secrets).unwrap(),
        generated.plan(&ctx(), &secrets).unwrap()
    );
    // Without the secret both paths refuse to build the request, identically.
    let no_secrets = MapSecrets::new();
    same_behaviour::<e_ticket::CreateTicketArgs, b_ticket::CreateTicketArgs, _>(
        &[ticket, json!({})],
        |a| a.plan(&ctx(), &no_secrets),
        |b| b.plan(&ctx(), &no_secrets),
    );
}
