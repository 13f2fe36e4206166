//! `cladgen run` on an `[http]` manifest, end to end: the binary sends the request
//! to a server this test starts on 127.0.0.1, with a secret from the environment.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "cli-secret-5e1f";

/// Answers every request with a JSON echo of its request line and headers; keeps
/// what it saw.
fn server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; len];
            let _ = reader.read_exact(&mut body);
            s.lock().unwrap().push(head.clone());
            let reply = json!({
                "request_line": head.lines().next().unwrap_or(""),
                "body": String::from_utf8_lossy(&body),
            })
            .to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (port, seen)
}

fn manifest(port: u16) -> String {
    format!(
        r#"
[tool]
name = "file_note"
version = "1.0.0"
description = "Files a note over HTTP."
timeout_seconds = 5

[args.title]
type = "string"
required = true

[http]
method = "POST"
url = "http://127.0.0.1:{port}/notes?title={{title}}"
body_template = '{{"title": "{{title}}"}}'
success_status = [201]

[http.headers]
Authorization = "Bearer {{_secret:token}}"

[output]
format = "json"
envelope = true

[output.schema]
type = "object"
required = ["request_line"]
"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn run_sends_an_http_request_and_prints_a_valid_envelope() {
    let dir = std::env::temp_dir().join(format!("cladgen-cli-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (port, seen) = server();
    let m = write(&dir, "note.clad.toml", &manifest(port));
    let scope = write(&dir, "scope.toml", "[scope]\ntargets = [\"127.0.0.1\"]\n");
    let ev = dir.join("ev");
    // Proxies from the environment are ignored: a proxy would connect past the
    // guard. This one would see any connection.
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let o = Command::new(env!("CARGO_BIN_EXE_cladgen"))
        .args(["run", &m, "--arg", "title=a b", "--scope", &scope, "--json"])
        .args(["--evidence-dir", ev.to_str().unwrap()])
        .env("TOOLCLAD_SECRET_TOKEN", TOKEN)
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    assert_eq!(
        proxy.accept().map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::WouldBlock),
        "the environment's proxy got a connection"
    );
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{stdout}\n{stderr}");
    let e: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(e["status"], "success", "{e:#}");
    assert_eq!(
        e["results"]["request_line"],
        "POST /notes?title=a%20b HTTP/1.1"
    );
    assert_eq!(e["results"]["body"], "{\"title\": \"a b\"}");
    assert!(
        e["command"]
            .as_str()
            .unwrap()
            .contains("Authorization: Bearer <secret:token>"),
        "{e:#}"
    );
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    assert!(
        seen.lock().unwrap()[0].contains(&format!("Bearer {TOKEN}")),
        "the server got the secret"
    );
    // The envelope is valid against the schema `cladgen schema` generates.
    let loaded = cladgen_core::load::load_file(Path::new(&m), &Default::default());
    let schema = cladgen_core::schema::output_schema(loaded.manifest.as_ref().unwrap())
        .unwrap()
        .unwrap();
    let v = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&e).map(|x| x.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");

    // Without a scope listing 127.0.0.1 the guard refuses, and nothing is sent.
    let before = seen.lock().unwrap().len();
    let o = Command::new(env!("CARGO_BIN_EXE_cladgen"))
        .args(["run", &m, "--arg", "title=x", "--json"])
        .args(["--evidence-dir", ev.to_str().unwrap()])
        .env("TOOLCLAD_SECRET_TOKEN", TOKEN)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    let r: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["errors"][0]["rule"], "internal-address", "{r:#}");
    assert!(!stdout.contains(TOKEN));
    assert_eq!(seen.lock().unwrap().len(), before);
    let _ = std::fs::remove_dir_all(&dir);
}
