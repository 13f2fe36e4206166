//! `[http]` tools against a real HTTP/1.1 server on 127.0.0.1 (a small std server
//! the tests start), and the SSRF guard's refusals, which never reach a network:
//! the refused URLs point at a listening test server and the tests assert it saw no
//! connection.

use super::*;
use cladgen_core::invoke::{MapSecrets, Secret, SecretError, SecretResolver};
use cladgen_run::{
    Approval, ApprovalRequest, Approver, BoxFuture, CancellationToken, GateRule, Refusal,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

/// The test server: keep-alive HTTP/1.1, every response with a Content-Length.
///
/// Routes: `/echo` (the request as JSON), `/status/<n>` (that status, a JSON body
/// echoing the Authorization header), `/big?n=<bytes>`, `/slow` (answers after 3 s),
/// `/redirect?to=<percent-encoded URL>` (302), `/loop` (302 to itself).
struct Server {
    ip: String,
    port: u16,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start() -> Server {
        Server::start_on("127.0.0.1")
    }

    /// On another loopback address (Linux routes all of 127/8 to `lo`).
    fn start_on(ip: &str) -> Server {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (c, s) = (connections.clone(), seen.clone());
        let host = ip.to_owned();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                c.fetch_add(1, Ordering::SeqCst);
                let s = s.clone();
                let host = host.clone();
                std::thread::spawn(move || serve_connection(stream, &host, port, &s));
            }
        });
        Server {
            ip: ip.to_owned(),
            port,
            connections,
            seen,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}:{}{path}", self.ip, self.port)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve_connection(stream: TcpStream, host: &str, port: u16, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let req = Seen {
            method,
            target,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        seen.lock().unwrap().push(req.clone());
        let (status, extra, body) = respond(&req, host, port);
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-length: {}\r\n{extra}\r\n",
            body.len()
        );
        if out.write_all(head.as_bytes()).is_err() || out.write_all(&body).is_err() {
            return;
        }
    }
}

fn respond(req: &Seen, host: &str, port: u16) -> (u16, String, Vec<u8>) {
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .map(percent_decode)
    };
    let json_ct = "content-type: application/json\r\n".to_owned();
    match path {
        "/echo" => {
            let headers: serde_json::Map<String, Value> = req
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), Value::from(v.as_str())))
                .collect();
            let body = json!({
                "method": req.method,
                "path": path,
                "query": query,
                "headers": headers,
                "body": req.body,
            });
            (200, json_ct, body.to_string().into_bytes())
        }
        "/big" => {
            let n: usize = param("n").and_then(|n| n.parse().ok()).unwrap_or(0);
            (200, String::new(), vec![b'a'; n])
        }
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            (200, String::new(), b"late".to_vec())
        }
        "/redirect" => {
            let to = param("to").unwrap_or_default();
            (302, format!("location: {to}\r\n"), Vec::new())
        }
        "/loop" => (
            302,
            format!("location: http://{host}:{port}/loop\r\n"),
            Vec::new(),
        ),
        p if p.starts_with("/status/") => {
            let n: u16 = p["/status/".len()..].parse().unwrap_or(500);
            let auth = req
                .headers
                .iter()
                .find(|(h, _)| h == "authorization")
                .map_or("", |(_, v)| v.as_str());
            let body = json!({ "status": n, "echo_auth": auth });
            (n, json_ct, body.to_string().into_bytes())
        }
        _ => (404, String::new(), b"no such route".to_vec()),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len() + 1
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An `[http]` manifest: `args` and `http` are TOML bodies, `output` the
/// `[output]` table's body.
fn http_tool(tool_extra: &str, args: &str, http: &str, output: &str) -> Manifest {
    load(&format!(
        r#"
[tool]
name = "web"
version = "1.0.0"
description = "An HTTP fixture."
timeout_seconds = 1
{tool_extra}

{args}

[http]
{http}

[output]
{output}
"#
    ))
}

const JSON_OUT: &str = "format = \"json\"\nenvelope = true\n\n[output.schema]\ntype = \"object\"\n";

/// A tool whose whole URL is the argument `u` (type `url`).
fn url_tool() -> Manifest {
    http_tool(
        "",
        "[args.u]\ntype = \"url\"\nrequired = true\n",
        "method = \"GET\"\nurl = \"{u}\"",
        "format = \"text\"\nenvelope = true\n",
    )
}

/// A tool requesting exactly `url` (written in the manifest).
fn literal_tool(url: &str) -> Manifest {
    http_tool(
        "",
        "",
        &format!("method = \"GET\"\nurl = \"{url}\""),
        "format = \"text\"\nenvelope = true\n",
    )
}

/// The configuration with a scope listing 127.0.0.1 (the test server).
fn local(dir: &Path) -> RunConfig {
    config(dir).with_scope(Scope::new(["127.0.0.1"], Vec::<&str>::new()).unwrap())
}

fn refusal(r: Result<Envelope, RunError>) -> Refusal {
    match r {
        Err(RunError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn get_with_an_encoded_query_and_headers() {
    let dir = tmp_dir("http-get");
    let srv = Server::start();
    let m = http_tool(
        "",
        "[args.q]\ntype = \"string\"\nrequired = true\n",
        &format!(
            "method = \"GET\"\nurl = \"{}\"\n\n[http.headers]\nX-Trace = \"t-{{q}}\"\nAccept = \"application/json\"",
            srv.url("/echo?q={q}&page=1")
        ),
        JSON_OUT,
    );
    let runner = Runner::new(local(&dir));
    let e = run_json(&runner, &m, json!({"q": "a b=c/d"}))
        .await
        .unwrap();
    let env = checked(&m, &e);
    assert_eq!(e.status, Status::Success, "{env:#}");
    let r = e.results.as_ref().unwrap();
    assert_eq!(r["method"], "GET");
    assert_eq!(r["query"], "q=a%20b%3Dc%2Fd&page=1", "{r:#}");
    assert_eq!(r["headers"]["x-trace"], "t-a b=c/d");
    assert_eq!(r["headers"]["accept"], "application/json");
    assert!(
        r["headers"]["user-agent"]
            .as_str()
            .unwrap()
            .starts_with("cladgen/")
    );
    assert_eq!(e.exit_code, None);
    assert!(e.stderr.starts_with("HTTP/1.1 200"), "{}", e.stderr);
    assert!(
        e.command.starts_with("GET http://127.0.0.1:"),
        "{}",
        e.command
    );
    assert!(e.command.contains("X-Trace: t-a b=c/d"), "{}", e.command);
    // The evidence file holds exactly the body; `checked` verified its hash.
    let file = std::fs::read(e.output_file.as_ref().unwrap()).unwrap();
    assert_eq!(e.stdout_bytes, file.len() as u64);
    assert!(e.output_file.as_ref().unwrap().ends_with(".json"));
}

#[tokio::test]
async fn post_with_a_json_body_and_a_checked_schema() {
    let dir = tmp_dir("http-post");
    let srv = Server::start();
    let m = http_tool(
        "",
        "[args.title]\ntype = \"string\"\nrequired = true\n\n[args.n]\ntype = \"integer\"\nrequired = true\n",
        &format!(
            "method = \"POST\"\nurl = \"{}\"\nbody_template = '{{\"title\": \"{{title}}\", \"n\": {{n}}}}'\n\n[http.headers]\nContent-Type = \"application/json\"",
            srv.url("/echo")
        ),
        "format = \"json\"\nenvelope = true\n\n[output.schema]\ntype = \"object\"\nrequired = [\"method\", \"body\"]\n\n[output.schema.properties.method]\ntype = \"string\"\nenum = [\"POST\"]\n",
    );
    let runner = Runner::new(local(&dir));
    let e = run_json(&runner, &m, json!({"title": "say \"hi\" \\ now", "n": 42}))
        .await
        .unwrap();
    checked(&m, &e);
    assert_eq!(e.status, Status::Success, "{:?}", e.error);
    let sent: Value =
        serde_json::from_str(e.results.as_ref().unwrap()["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent, json!({"title": "say \"hi\" \\ now", "n": 42}));
    let seen = srv.seen();
    assert_eq!(seen[0].method, "POST");
    assert!(
        seen[0]
            .headers
            .contains(&("content-type".into(), "application/json".into()))
    );

    // The same body against a schema it does not match: error, results withheld.
    let strict = http_tool(
        "",
        "[args.title]\ntype = \"string\"\nrequired = true\n",
        &format!(
            "method = \"POST\"\nurl = \"{}\"\nbody_template = '{{\"t\": \"{{title}}\"}}'",
            srv.url("/echo")
        ),
        "format = \"json\"\nenvelope = true\n\n[output.schema]\ntype = \"object\"\nrequired = [\"ticket\"]\n",
    );
    let e = run_json(&runner, &strict, json!({"title": "x"}))
        .await
        .unwrap();
    checked(&strict, &e);
    assert_eq!(e.status, Status::Error);
    assert!(e.results.is_none());
    assert!(
        e.error.as_ref().unwrap().contains("[output.schema]"),
        "{e:?}"
    );
}

/// Counts resolutions; answers from a map.
struct Counting {
    inner: MapSecrets,
    resolved: AtomicUsize,
}

impl SecretResolver for Counting {
    fn resolve(&self, name: &str) -> Result<Secret, SecretError> {
        self.resolved.fetch_add(1, Ordering::SeqCst);
        self.inner.resolve(name)
    }
}

#[tokio::test]
async fn secrets_are_sent_and_never_shown() {
    const TOKEN: &str = "tok-7f3a9c-very-secret";
    const KEY: &str = "key/with&odd=chars";
    let dir = tmp_dir("http-secrets");
    let srv = Server::start();
    let secrets = MapSecrets::new().with("token", TOKEN).with("key", KEY);
    let echo = http_tool(
        "",
        "",
        &format!(
            "method = \"POST\"\nurl = \"{}\"\nbody_template = '{{\"k\": \"{{_secret:key}}\"}}'\n\n[http.headers]\nAuthorization = \"Bearer {{_secret:token}}\"",
            srv.url("/echo?key={_secret:key}")
        ),
        JSON_OUT,
    );
    let runner = Runner::new(local(&dir));
    let call = Call::from_json(&echo, &json!({}), &ParseOptions::default()).unwrap();
    let e = runner.run_call(&call, &secrets).await.unwrap();
    let json = checked(&echo, &e).to_string();
    assert_eq!(e.status, Status::Success, "{:?}", e.error);
    // The server got them...
    let seen = srv.seen();
    assert!(
        seen[0]
            .headers
            .contains(&("authorization".into(), format!("Bearer {TOKEN}")))
    );
    assert!(
        seen[0].target.contains("key=key%2Fwith%26odd%3Dchars"),
        "{}",
        seen[0].target
    );
    assert!(seen[0].body.contains(KEY));
    // ...the envelope never shows them, even where the server echoed them back.
    for s in [TOKEN, KEY, "key%2Fwith%26odd%3Dchars"] {
        assert!(!json.contains(s), "{s} in {json}");
    }
    assert!(e.command.contains("Bearer <secret:token>"), "{}", e.command);
    assert!(e.command.contains("key=<secret:key>"), "{}", e.command);
    assert_eq!(
        e.results.as_ref().unwrap()["headers"]["authorization"],
        "Bearer <secret>"
    );

    // An error status whose body echoes the credential: not in stderr or error.
    let denied = http_tool(
        "",
        "",
        &format!(
            "method = \"GET\"\nurl = \"{}\"\n\n[http.headers]\nAuthorization = \"Bearer {{_secret:token}}\"",
            srv.url("/status/401")
        ),
        JSON_OUT,
    );
    let call = Call::from_json(&denied, &json!({}), &ParseOptions::default()).unwrap();
    let e = runner.run_call(&call, &secrets).await.unwrap();
    let json = checked(&denied, &e).to_string();
    assert_eq!(e.status, Status::Error);
    assert!(e.stderr.contains("echo_auth"), "{}", e.stderr);
    assert!(!json.contains(TOKEN), "{json}");

    // A missing secret is an error naming it, nothing is sent.
    let before = srv.seen().len();
    let call = Call::from_json(&denied, &json!({}), &ParseOptions::default()).unwrap();
    let err = runner
        .run_call(&call, &MapSecrets::new())
        .await
        .unwrap_err();
    assert!(matches!(err, RunError::Invoke { .. }), "{err:?}");
    assert!(err.to_string().contains("token"), "{err}");
    assert_eq!(srv.seen().len(), before);
}

#[tokio::test]
async fn a_call_refused_by_scope_never_resolves_a_secret() {
    let dir = tmp_dir("http-secret-order");
    let m = http_tool(
        "",
        "[args.u]\ntype = \"url\"\nrequired = true\nscope_check = true\n",
        "method = \"GET\"\nurl = \"{u}\"\n\n[http.headers]\nAuthorization = \"Bearer {_secret:token}\"",
        JSON_OUT,
    );
    let secrets = Counting {
        inner: MapSecrets::new().with("token", "x"),
        resolved: AtomicUsize::new(0),
    };
    let runner = Runner::new(local(&dir));
    let call = Call::from_json(
        &m,
        &json!({"u": "https://elsewhere.example.org/"}),
        &ParseOptions::default(),
    )
    .unwrap();
    let r = refusal(runner.run_call(&call, &secrets).await);
    assert_eq!(r.reasons()[0].rule, GateRule::OutOfScope);
    assert_eq!(secrets.resolved.load(Ordering::SeqCst), 0);
}

/// Records the request it was shown and answers as told.
struct Recorder {
    answer: Approval,
    seen: Mutex<Vec<String>>,
}

impl Approver for Recorder {
    fn approve<'a>(&'a self, r: &'a ApprovalRequest<'a>) -> BoxFuture<'a, Approval> {
        let shown = r.http.map(|h| h.to_string()).unwrap_or_default();
        self.seen
            .lock()
            .unwrap()
            .push(format!("{}\n{shown}", r.argv.join(" ")));
        Box::pin(std::future::ready(self.answer.clone()))
    }
}

#[tokio::test]
async fn the_approver_sees_the_redacted_request_before_any_connection() {
    let dir = tmp_dir("http-approval");
    let srv = Server::start();
    let m = http_tool(
        "human_approval = true",
        "",
        &format!(
            "method = \"POST\"\nurl = \"{}\"\nbody_template = '{{\"a\": 1}}'\n\n[http.headers]\nAuthorization = \"Bearer {{_secret:token}}\"",
            srv.url("/echo")
        ),
        JSON_OUT,
    );
    let secrets = MapSecrets::new().with("token", "hunter2-secret");
    for (answer, runs) in [
        (Approval::Denied("not today".into()), false),
        (Approval::Approved, true),
    ] {
        let rec = Arc::new(Recorder {
            answer,
            seen: Mutex::default(),
        });
        let mut cfg = local(&dir);
        cfg.approver = rec.clone();
        let runner = Runner::new(cfg);
        let call = Call::from_json(&m, &json!({}), &ParseOptions::default()).unwrap();
        let r = runner.run_call(&call, &secrets).await;
        let shown = rec.seen.lock().unwrap().join("\n");
        assert!(shown.contains("POST http://127.0.0.1:"), "{shown}");
        assert!(
            shown.contains("Authorization: Bearer <secret:token>"),
            "{shown}"
        );
        assert!(shown.contains("{\"a\": 1}"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        if runs {
            assert!(r.unwrap().is_success());
            assert_eq!(srv.connections(), 1);
        } else {
            let refused = refusal(r);
            assert_eq!(refused.reasons()[0].rule, GateRule::NotApproved);
            assert!(!refused.for_llm().contains("hunter2"));
            assert_eq!(srv.connections(), 0, "a denied call connects nowhere");
        }
    }
}

#[tokio::test]
async fn success_and_error_status_lists() {
    let dir = tmp_dir("http-status");
    let srv = Server::start();
    let listed = |path: &str| {
        http_tool(
            "",
            "",
            &format!(
                "method = \"GET\"\nurl = \"{}\"\nsuccess_status = [201]\nerror_status = [404]",
                srv.url(path)
            ),
            JSON_OUT,
        )
    };
    let runner = Runner::new(local(&dir));
    let cases = [
        ("/status/201", true, ""),
        (
            "/status/404",
            false,
            "HTTP status 404 is listed in error_status [404]",
        ),
        // In neither list: with a success list given, not a success.
        (
            "/status/200",
            false,
            "HTTP status 200 is not in success_status [201]",
        ),
    ];
    for (path, ok, message) in cases {
        let m = listed(path);
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.is_success(), ok, "{path}: {e:?}");
        if !ok {
            assert_eq!(e.error.as_deref(), Some(message), "{path}");
            assert!(e.results.is_none());
            // The failing response's body is shown after its head.
            assert!(e.stderr.contains("\"status\":"), "{}", e.stderr);
            assert!(e.output_file.is_some(), "the body is evidence either way");
        }
    }
    // No lists: any 2xx succeeds, anything else fails.
    for (path, ok) in [
        ("/status/202", true),
        ("/status/500", false),
        ("/status/302", false),
    ] {
        let m = http_tool(
            "",
            "",
            &format!("method = \"GET\"\nurl = \"{}\"", srv.url(path)),
            JSON_OUT,
        );
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.is_success(), ok, "{path}: {e:?}");
        if !ok {
            assert!(
                e.error.as_ref().unwrap().contains("only 2xx succeeds"),
                "{:?}",
                e.error
            );
        }
    }
}

#[tokio::test]
async fn a_body_over_the_caps_is_cut_and_says_so() {
    let dir = tmp_dir("http-cap");
    let srv = Server::start();
    let mut cfg = local(&dir);
    cfg.output_cap = 1000;
    cfg.evidence_cap = 5000;
    let runner = Runner::new(cfg);
    let text = http_tool(
        "",
        "",
        &format!("method = \"GET\"\nurl = \"{}\"", srv.url("/big?n=200000")),
        "format = \"text\"\nenvelope = true\n",
    );
    let e = run_json(&runner, &text, json!({})).await.unwrap();
    checked(&text, &e);
    assert_eq!(e.status, Status::Success, "{:?}", e.error);
    assert!(e.stdout_truncated && e.output_file_truncated);
    assert_eq!(
        e.stdout_bytes, 200_000,
        "Content-Length says how long it was"
    );
    assert_eq!(
        e.results.as_ref().unwrap()["raw_output"]
            .as_str()
            .unwrap()
            .len(),
        1000
    );
    assert_eq!(
        std::fs::metadata(e.output_file.as_ref().unwrap())
            .unwrap()
            .len(),
        5000
    );
    let json = http_tool(
        "",
        "",
        &format!("method = \"GET\"\nurl = \"{}\"", srv.url("/big?n=200000")),
        JSON_OUT,
    );
    let e = run_json(&runner, &json, json!({})).await.unwrap();
    checked(&json, &e);
    assert_eq!(e.status, Status::Error);
    assert!(
        e.error
            .as_ref()
            .unwrap()
            .contains("longer than the output cap"),
        "{:?}",
        e.error
    );
}

#[tokio::test]
async fn a_slow_server_times_out_and_cancellation_aborts() {
    let dir = tmp_dir("http-slow");
    let srv = Server::start();
    let m = http_tool(
        "",
        "",
        &format!("method = \"GET\"\nurl = \"{}\"", srv.url("/slow")),
        "format = \"text\"\nenvelope = true\n",
    );
    let runner = Runner::new(local(&dir));
    let started = std::time::Instant::now();
    let e = run_json(&runner, &m, json!({})).await.unwrap();
    checked(&m, &e);
    assert_eq!(e.status, Status::Timeout, "{e:?}");
    assert!(e.error.as_ref().unwrap().contains("timed out after 1 s"));
    assert!(started.elapsed() < Duration::from_millis(2500));

    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        c.cancel();
    });
    let started = std::time::Instant::now();
    let call = Call::from_json(&m, &json!({}), &ParseOptions::default()).unwrap();
    let e = runner
        .run_until(
            &m,
            call.values(),
            |ctx| call.plan(ctx, &EnvSecrets),
            &cancel,
        )
        .await
        .unwrap();
    checked(&m, &e);
    assert_eq!(e.status, Status::Error);
    assert!(e.error.as_ref().unwrap().contains("cancelled"), "{e:?}");
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn redirects_are_followed_only_where_the_guard_allows() {
    let dir = tmp_dir("http-redirect");
    // On 127.0.0.2, the only address the scope lists: `localhost` (127.0.0.1, ::1)
    // is then internal and unlisted.
    let srv = Server::start_on("127.0.0.2");
    let runner = Runner::new(
        config(&dir).with_scope(Scope::new(["127.0.0.2"], Vec::<&str>::new()).unwrap()),
    );
    let to = |target: &str| {
        http_tool(
            "",
            "",
            &format!(
                "method = \"GET\"\nurl = \"{}\"",
                srv.url(&format!("/redirect?to={}", enc(target)))
            ),
            JSON_OUT,
        )
    };
    // Allowed: same server, followed, and stderr says so.
    let m = to(&srv.url("/echo?via=redirect"));
    let e = run_json(&runner, &m, json!({})).await.unwrap();
    checked(&m, &e);
    assert_eq!(e.status, Status::Success, "{e:?}");
    assert_eq!(e.results.as_ref().unwrap()["query"], "via=redirect");
    assert!(e.stderr.starts_with("after 1 redirect(s)"), "{}", e.stderr);
    // Internal: the metadata address (a literal) and `localhost` (a name whose
    // addresses the scope does not list: ::1) are not followed.
    for (target, says) in [
        (
            "http://169.254.169.254/latest/meta-data/",
            "cloud metadata service",
        ),
        (
            &*format!("http://localhost:{}/echo", srv.port),
            "'localhost' (it resolves to",
        ),
        (&*format!("http://[::1]:{}/echo", srv.port), "loopback"),
    ] {
        let m = to(target);
        let before = srv.seen().len();
        let e = run_json(&runner, &m, json!({})).await.unwrap();
        checked(&m, &e);
        assert_eq!(e.status, Status::Error, "{target}");
        let err = e.error.as_ref().unwrap();
        assert!(
            err.contains(says) && err.contains("refused to connect"),
            "{target}: {err}"
        );
        assert!(
            e.stderr.contains("302"),
            "the 3xx head is shown: {}",
            e.stderr
        );
        assert_eq!(
            srv.seen().len(),
            before + 1,
            "only the first hop reached the server"
        );
    }
    // A loop stops at the cap.
    let m = http_tool(
        "",
        "",
        &format!("method = \"GET\"\nurl = \"{}\"", srv.url("/loop")),
        JSON_OUT,
    );
    let before = srv.seen().len();
    let e = run_json(&runner, &m, json!({})).await.unwrap();
    assert!(
        e.error.as_ref().unwrap().contains("more than 5 redirects"),
        "{e:?}"
    );
    assert_eq!(srv.seen().len() - before, 6);
}

#[tokio::test]
async fn secrets_never_follow_a_redirect_off_the_origin() {
    let dir = tmp_dir("http-redirect-secret");
    let srv = Server::start();
    let other = Server::start();
    let runner = Runner::new(local(&dir));
    let m = http_tool(
        "",
        "",
        &format!(
            "method = \"GET\"\nurl = \"{}\"\n\n[http.headers]\nX-Api-Key = \"{{_secret:token}}\"",
            srv.url(&format!("/redirect?to={}", enc(&other.url("/echo"))))
        ),
        JSON_OUT,
    );
    let call = Call::from_json(&m, &json!({}), &ParseOptions::default()).unwrap();
    let e = runner
        .run_call(&call, &MapSecrets::new().with("token", "abc123"))
        .await
        .unwrap();
    assert_eq!(e.status, Status::Error);
    assert!(
        e.error.as_ref().unwrap().contains("carries secrets"),
        "{e:?}"
    );
    assert_eq!(other.connections(), 0);
}

#[tokio::test]
async fn one_client_per_runner_reuses_connections() {
    let dir = tmp_dir("http-reuse");
    let srv = Server::start();
    let m = http_tool(
        "",
        "",
        &format!("method = \"GET\"\nurl = \"{}\"", srv.url("/echo")),
        JSON_OUT,
    );
    let runner = Runner::new(local(&dir));
    for _ in 0..3 {
        assert!(run_json(&runner, &m, json!({})).await.unwrap().is_success());
    }
    assert_eq!(srv.seen().len(), 3);
    assert_eq!(srv.connections(), 1, "the pooled connection was reused");
}

#[tokio::test]
async fn the_guard_refuses_internal_addresses_before_any_connection() {
    let dir = tmp_dir("http-ssrf");
    let srv = Server::start();
    let p = srv.port;
    let m = url_tool();
    let none = Runner::new(config(&dir));
    let cases = [
        // The metadata service, by literal.
        (
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            "cloud metadata service",
        ),
        // IPv4-mapped loopback.
        (format!("http://[::ffff:127.0.0.1]:{p}/echo"), "loopback"),
        // Hex and short forms the URL parser reads as 127.0.0.1.
        (
            format!("http://0x7f.1:{p}/echo"),
            "address 127.0.0.1: loopback",
        ),
        (format!("http://2130706433:{p}/echo"), "address 127.0.0.1"),
        // A name that resolves to loopback.
        (
            format!("http://localhost:{p}/echo"),
            "'localhost' (it resolves to",
        ),
        // NAT64 of loopback.
        (
            format!("http://[64:ff9b::7f00:1]:{p}/echo"),
            "NAT64 of 127.0.0.1",
        ),
        (format!("http://[::1]:{p}/echo"), "loopback"),
    ];
    for (url, says) in &cases {
        // IPv6 literals cannot be `url` arguments (`[` is refused), so every case
        // is also tried as the manifest's own URL.
        let literal = literal_tool(url);
        let r = refusal(run_json(&none, &literal, json!({})).await);
        let reason = &r.reasons()[0];
        assert_eq!(reason.rule, GateRule::InternalAddress, "{url}");
        assert!(reason.message.contains(says), "{url}: {}", reason.message);
        if url.contains('[') {
            continue;
        }
        // As an argument, the `url` type refuses a host in another spelling than
        // its canonical one before the guard sees it.
        let call = match Call::from_json(&m, &json!({ "u": url }), &ParseOptions::default()) {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    e.for_llm().contains("not in canonical form"),
                    "{url}: {e:?}"
                );
                continue;
            }
        };
        let r = refusal(none.run_call(&call, &EnvSecrets).await);
        let reason = &r.reasons()[0];
        assert_eq!(reason.rule, GateRule::InternalAddress, "{url}");
        assert!(reason.message.contains(says), "{url}: {}", reason.message);
        assert!(r.for_llm().contains("nothing was sent"), "{}", r.for_llm());
    }
    // An out-of-scope private range: the scope lists another one.
    let ten = Runner::new(
        config(&dir).with_scope(Scope::new(["10.0.0.0/8"], Vec::<&str>::new()).unwrap()),
    );
    let r = refusal(run_json(&ten, &m, json!({"u": "http://192.168.1.1/"})).await);
    assert!(r.reasons()[0].message.contains("private (RFC 1918)"), "{r}");
    // The scope listing 127.0.0.1 lets exactly that address through...
    let listed = Runner::new(local(&dir));
    let e = run_json(&listed, &m, json!({ "u": srv.url("/echo") }))
        .await
        .unwrap();
    assert!(e.is_success(), "{e:?}");
    // ...and the IPv4-mapped spelling of it, but not NAT64 (another address).
    let mapped = literal_tool(&format!("http://[::ffff:127.0.0.1]:{p}/echo"));
    let e = run_json(&listed, &mapped, json!({})).await.unwrap();
    assert!(e.is_success(), "{e:?}");
    let nat64 = literal_tool(&format!("http://[64:ff9b::7f00:1]:{p}/echo"));
    let r = refusal(run_json(&listed, &nat64, json!({})).await);
    assert_eq!(r.reasons()[0].rule, GateRule::InternalAddress);
    assert_eq!(srv.connections(), 2, "only the two allowed calls connected");
}
