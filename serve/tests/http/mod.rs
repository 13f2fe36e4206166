//! An `[http]` tool served over MCP: rmcp's client calls it, the runner (feature
//! `http`, on in cladgen-serve) sends the request to a server this test starts on
//! 127.0.0.1, and the `structuredContent` is the envelope, valid against the
//! advertised `outputSchema`. Without a scope listing 127.0.0.1 the SSRF guard
//! refuses and nothing reaches the server.

use super::*;
use cladgen_core::scope::Scope;
use std::io::{BufRead, BufReader as StdBufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Answers every request with `{"line": <request line>}`; keeps the request lines.
fn echo_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = StdBufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let first = first.trim_end().to_owned();
            s.lock().unwrap().push(first.clone());
            let body = json!({ "line": first }).to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

fn http_tools(dir: &Path, port: u16) -> PathBuf {
    let tools = dir.join("http-tools");
    std::fs::create_dir_all(&tools).unwrap();
    std::fs::write(
        tools.join("lookup.clad.toml"),
        format!(
            r#"
[tool]
name = "lookup"
version = "1.0.0"
description = "Looks a word up on the local test server."
timeout_seconds = 5

[args.word]
type = "string"
required = true
description = "The word."

[http]
method = "GET"
url = "http://127.0.0.1:{port}/lookup?word={{word}}"

[output]
format = "json"
envelope = true

[output.schema]
type = "object"
required = ["line"]

[output.schema.properties.line]
type = "string"
"#
        ),
    )
    .unwrap();
    tools
}

async fn call_lookup(server: McpServer) -> (Value, rmcp::model::CallToolResult) {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let (client_side, server_side) = tokio::io::duplex(256 * 1024);
    let (sr, sw) = tokio::io::split(server_side);
    let shutdown = CancellationToken::new();
    let served = tokio::spawn(server.serve_io(sr, sw, shutdown.clone()));
    let client = ().serve(tokio::io::split(client_side)).await.expect("initialize");
    let tools = client.list_all_tools().await.unwrap();
    let lookup = tools.iter().find(|t| t.name == "lookup").expect("lookup");
    let schema = Value::Object((**lookup.output_schema.as_ref().expect("outputSchema")).clone());
    let args = json!({"word": "a b"}).as_object().unwrap().clone();
    let result = client
        .call_tool(CallToolRequestParams::new("lookup").with_arguments(args))
        .await
        .unwrap();
    client.cancel().await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), served).await;
    assert!(ended.is_ok(), "the session ends when the client leaves");
    (schema, result)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_tool_is_called_over_mcp() {
    let dir = tmp_dir("http-tool");
    let (port, seen) = echo_server();
    let tools = ToolSet::load(&[http_tools(&dir.0, port)], None).expect("the tool loads");
    let scope = Scope::new(["127.0.0.1"], Vec::<&str>::new()).unwrap();
    let config = RunConfig::default()
        .with_evidence_dir(dir.0.join("evidence"))
        .with_scope(scope);
    let (schema, ok) = call_lookup(McpServer::new(tools, Runner::new(config))).await;
    assert_eq!(ok.is_error, Some(false), "{ok:?}");
    let env = ok.structured_content.expect("structuredContent");
    let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
    assert!(validator.is_valid(&env), "{env}");
    assert_eq!(env["status"], "success", "{env}");
    assert_eq!(env["results"]["line"], "GET /lookup?word=a%20b HTTP/1.1");
    assert_eq!(seen.lock().unwrap().len(), 1);

    // No scope: 127.0.0.1 is internal and unlisted, the guard refuses it.
    let tools = ToolSet::load(&[http_tools(&dir.0, port)], None).expect("the tool loads");
    let config = RunConfig::default().with_evidence_dir(dir.0.join("evidence"));
    let (_, refused) = call_lookup(McpServer::new(tools, Runner::new(config))).await;
    assert_eq!(refused.is_error, Some(true), "{refused:?}");
    let text = serde_json::to_string(&refused).unwrap();
    assert!(
        text.contains("internal-address") || text.contains("SSRF guard"),
        "{text}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1, "nothing reached the server");
}
