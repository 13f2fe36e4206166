//! The dynamic path on manifests loaded from TOML text: the known holes of the
//! reference implementations, and a sweep over `manifests/` and the shared corpus.

use cladgen_core::invoke::{Call, ExecContext, PlaceholderSecrets, Plan};
use cladgen_core::load::{self, LoadOptions, UnknownKeys};
use cladgen_core::model::Manifest;
use cladgen_core::value::{ParseOptions, Rule};
use serde_json::json;
use std::path::{Path, PathBuf};

const OPTS: ParseOptions = ParseOptions::DEFAULT;

fn ctx() -> ExecContext {
    ExecContext::new("scan-1", "/ev")
}

fn load_text(text: &str) -> Manifest {
    let loaded = load::load_str(Path::new("test.clad.toml"), text, &LoadOptions::default());
    match loaded.manifest {
        Some(m) => m,
        None => panic!("manifest does not load:\n{}", loaded.render(false)),
    }
}

fn options_for(path: &Path) -> LoadOptions {
    let dir = path.parent().unwrap_or(Path::new("."));
    // Unbounded on purpose: the fixtures sit in folders of their own, not in crates.
    let custom_types = load::find_types_file(dir, Path::new("/")).map(|t| {
        load::load_types_file(&t, UnknownKeys::Error).unwrap_or_else(|d| panic!("{t:?}: {d:?}"))
    });
    LoadOptions {
        custom_types,
        ..LoadOptions::default()
    }
}

fn load_path(path: &Path) -> Option<Manifest> {
    load::load_file(path, &options_for(path)).manifest
}

fn argv(m: &Manifest, args: serde_json::Value) -> Vec<String> {
    let call = Call::from_json(m, &args, &OPTS).unwrap_or_else(|e| panic!("{e}"));
    call.argv(&ctx()).unwrap_or_else(|e| panic!("{e}"))
}

const NMAP: &str = r#"
[tool]
name = "nmap_scan"
version = "1.0.0"
description = "scan"

[args.target]
position = 1
required = true
type = "scope_target"
description = "target"

[args.scan_type]
position = 2
required = true
type = "enum"
allowed = ["ping", "service"]
description = "type"

[args.extra_flags]
position = 3
required = false
type = "string"
default = ""
description = "extra"

[command]
template = "nmap {_scan_flags} --max-rate {max_rate} -oX {_output_file} {extra_flags} {target}"

[command.defaults]
max_rate = 1000

[command.mappings.scan_type]
ping = "-sn -PE"
service = "-sT -sV --version-intensity 5"

[output]
format = "xml"
"#;

#[test]
fn scan_flags_resolve_and_values_stay_whole() {
    let m = load_text(NMAP);
    assert_eq!(
        argv(&m, json!({"target": "10.0.1.0/24", "scan_type": "ping"})),
        [
            "nmap",
            "-sn",
            "-PE",
            "--max-rate",
            "1000",
            "-oX",
            "/ev/scan-1-output",
            "10.0.1.0/24"
        ]
    );
    assert_eq!(
        argv(
            &m,
            json!({"target": "host.example", "scan_type": "service", "extra_flags": "a b 'c'"})
        ),
        [
            "nmap",
            "-sT",
            "-sV",
            "--version-intensity",
            "5",
            "--max-rate",
            "1000",
            "-oX",
            "/ev/scan-1-output",
            "a b 'c'",
            "host.example"
        ]
    );
    let e = Call::from_json(
        &m,
        &json!({"target": "10.0.1.1", "scan_type": "ping", "extra_flags": "-iL /etc/shadow"}),
        &OPTS,
    )
    .unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e.as_slice()[0].rule, Rule::OptionLike);
}

const CURL: &str = r#"
[tool]
name = "curl_fetch"
version = "1.0.0"
description = "fetch"

[args.url]
position = 1
required = true
type = "url"
description = "url"

[args.method]
position = 2
required = false
type = "enum"
allowed = ["GET", "HEAD"]
default = "GET"
description = "method"

[args.headers]
position = 3
required = false
type = "string"
description = "headers"

[args.verbose]
position = 4
required = false
type = "boolean"
description = "verbose"

[command]
template = "curl -X {method} -w '\\n%{{http_code}}' {_header_flags} {_verbose_flag} {url}"

[command.conditionals]
header_flags = { when = "headers != '' or verbose", template = "-H '{headers}'" }
verbose_flag = { when = "verbose == true and method != 'HEAD'", template = "-v" }

[output]
format = "text"
"#;

#[test]
fn doubled_braces_quotes_and_or_from_text() {
    let m = load_text(CURL);
    let url = "https://example.com/";
    assert_eq!(
        argv(&m, json!({"url": url})),
        ["curl", "-X", "GET", "-w", "\\n%{http_code}", url]
    );
    // A quote in a value cannot close the template's quote.
    assert_eq!(
        argv(&m, json!({"url": url, "headers": "x' -o /tmp/pwn '"})),
        [
            "curl",
            "-X",
            "GET",
            "-w",
            "\\n%{http_code}",
            "-H",
            "x' -o /tmp/pwn '",
            url
        ]
    );
    // `or`: true through `verbose` alone; the fragment's `{headers}` token is then
    // dropped (absent), `-H` stays.
    assert_eq!(
        argv(&m, json!({"url": url, "verbose": true, "method": "HEAD"})),
        ["curl", "-X", "HEAD", "-w", "\\n%{http_code}", "-H", url]
    );
    assert_eq!(
        argv(&m, json!({"url": url, "verbose": true})),
        [
            "curl",
            "-X",
            "GET",
            "-w",
            "\\n%{http_code}",
            "-H",
            "-v",
            url
        ]
    );
}

#[test]
fn json_body_value_ending_in_a_quote_stays_valid_json() {
    let text = r#"
[tool]
name = "post_note"
version = "1.0.0"
description = "post"

[args.text]
required = true
type = "string"
description = "text"

[args.count]
required = false
type = "integer"
description = "n"

[http]
method = "POST"
url = "https://api.example/notes/{text}?n={count}"
body_template = '{"text": "{text}", "count": {count}, "auth": "{_secret:token}"}'

[http.headers]
Authorization = "Bearer {_secret:token}"

[output]
format = "json"
"#;
    let m = load_text(text);
    let value = "ends with a quote\" and a backslash\\";
    let call = Call::from_json(&m, &json!({"text": value, "count": 3}), &OPTS).unwrap();
    let secrets = cladgen_core::invoke::MapSecrets::new().with("token", "T0K");
    let r = call.http_request(&ctx(), &secrets).unwrap();
    let body: serde_json::Value = serde_json::from_str(r.body().unwrap()).unwrap();
    assert_eq!(body, json!({"text": value, "count": 3, "auth": "T0K"}));
    assert!(
        r.url()
            .starts_with("https://api.example/notes/ends%20with%20a%20quote%22"),
        "{}",
        r.url()
    );
    assert!(!format!("{r:?}").contains("T0K"));
    // Absent count: `null`, still valid JSON.
    let call = Call::from_json(&m, &json!({"text": "x"}), &OPTS).unwrap();
    let r = call.http_request(&ctx(), &secrets).unwrap();
    let body: serde_json::Value = serde_json::from_str(r.body().unwrap()).unwrap();
    assert_eq!(body["count"], serde_json::Value::Null);
}

/// Every manifest that loads: a call without arguments is refused with exactly the
/// required arguments as `missing` (in order), or, when nothing is required, it
/// builds a plan; nothing panics.
fn sweep(dir: &Path) -> usize {
    let Ok(paths) = load::collect_manifests(&[dir.to_path_buf()]) else {
        return 0;
    };
    let mut checked = 0;
    for path in paths {
        let Some(m) = load_path(&path) else { continue };
        let required: Vec<&str> = m
            .args
            .iter()
            .filter(|a| a.required)
            .map(|a| a.name.as_ref())
            .collect();
        for empty in [json!({}), json!(null)] {
            match Call::from_json(&m, &empty, &OPTS) {
                Ok(call) => {
                    assert!(required.is_empty(), "{path:?}");
                    let plan = call.plan(&ctx(), &PlaceholderSecrets);
                    assert!(plan.is_ok(), "{path:?}: {plan:?}");
                }
                Err(e) if empty.is_null() => {
                    assert_eq!(e.as_slice()[0].rule, Rule::JsonType, "{path:?}");
                }
                Err(e) => {
                    let got: Vec<(&str, Rule)> =
                        e.iter().map(|e| (e.arg.as_str(), e.rule)).collect();
                    let want: Vec<(&str, Rule)> =
                        required.iter().map(|r| (*r, Rule::Missing)).collect();
                    assert_eq!(got, want, "{path:?}");
                }
            }
        }
        checked += 1;
    }
    checked
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new(".."))
        .to_path_buf()
}

#[test]
fn sweep_bundled_manifests() {
    let n = sweep(&repo().join("manifests"));
    assert!(n >= 10, "only {n} bundled manifests loaded");
}

#[test]
fn sweep_corpus() {
    let corpus = repo().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("note: {} is absent; skipping", corpus.display());
        return;
    }
    let n = sweep(&corpus);
    eprintln!("{n} corpus manifests checked");
    assert!(n > 0, "no corpus manifest loaded");
}

#[test]
fn bundled_nmap_and_http_headers() {
    let nmap = repo().join("manifests/nmap_scan.clad.toml");
    let m = load_path(&nmap).expect("bundled nmap loads");
    let call = Call::from_json(
        &m,
        &json!({"target": "10.0.0.1", "scan_type": "quick"}),
        &OPTS,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let Plan::Argv(words) = call.plan(&ctx(), &PlaceholderSecrets).unwrap() else {
        panic!("nmap is a command")
    };
    assert_eq!(words.first().map(String::as_str), Some("nmap"));
    assert!(words.iter().all(|a| !a.contains('{')), "{words:?}");

    let hh = repo().join("manifests/http_headers.clad.toml");
    let m = load_path(&hh).expect("bundled http_headers loads");
    let url = "https://app.example/login";
    let with = argv(&m, json!({"url": url, "follow_redirects": true}));
    let without = argv(&m, json!({"url": url}));
    assert!(
        with.windows(3)
            .any(|w| w == ["--location", "--max-redirs", "5"]),
        "{with:?}"
    );
    assert!(!without.contains(&"--location".to_owned()), "{without:?}");
    assert_eq!(with.last().map(String::as_str), Some(url));
}
