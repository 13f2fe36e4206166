//! The library form of the MCP server: the generated `Tools` registry served with
//! `ToolSet::from_tools` (what `examples/serve.rs` does), driven by rmcp's own
//! client over an in-memory pipe. `tools/list` is the registry's definitions;
//! `tools/call` runs the generated code: a real grep, every argument error at once,
//! and session commands refused as not supported yet.

use crate::generated::tools::{self, Tools};
use cladgen::run::{CancellationToken, RunConfig, Runner};
use cladgen_serve::{McpServer, ToolSet};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

fn args(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn text(r: &rmcp::model::CallToolResult) -> String {
    serde_json::to_value(&r.content).unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_tools_served_over_mcp_list_and_call() {
    let dir = std::env::temp_dir().join(format!("cladgen-it-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scans")).unwrap();
    std::fs::write(dir.join("scans/web01.txt"), "22/tcp open ssh OpenSSH_7.4\n").unwrap();
    let mut config = RunConfig::default().with_evidence_dir(dir.join("ev"));
    config.working_dir = Some(dir.clone());
    let set = ToolSet::from_tools::<Tools>().expect("the registry is servable");
    assert_eq!(set.len(), Tools::NAMES.len());
    // The same definitions as the dynamic path over the same manifests.
    let dynamic = ToolSet::from_manifests(<Tools as cladgen::Registry>::MANIFESTS).unwrap();
    assert_eq!(dynamic.tools(), set.tools());

    let (client_side, server_side) = tokio::io::duplex(1 << 20);
    let (sr, sw) = tokio::io::split(server_side);
    let served = tokio::spawn(McpServer::new(set, Runner::new(config)).serve_io(
        sr,
        sw,
        CancellationToken::new(),
    ));
    let client = ().serve(tokio::io::split(client_side)).await.expect("initialize");

    let listed = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, Tools::NAMES);
    let search = listed.iter().find(|t| t.name == "search_evidence").unwrap();
    let schema = Value::Object((**search.output_schema.as_ref().unwrap()).clone());
    assert_eq!(&schema, tools::search_evidence::output_schema().unwrap());
    let validator = jsonschema::draft202012::new(&schema).unwrap();

    let ok = client
        .call_tool(
            CallToolRequestParams::new("search_evidence")
                .with_arguments(args(json!({"text": "openssh"}))),
        )
        .await
        .unwrap();
    assert_eq!(ok.is_error, Some(false), "{}", text(&ok));
    let env = ok.structured_content.expect("structuredContent");
    assert!(validator.is_valid(&env), "{env}");
    assert!(
        env["results"]["raw_output"]
            .as_str()
            .unwrap()
            .contains("web01.txt:1:22/tcp open ssh OpenSSH_7.4"),
        "{env}"
    );

    let bad = client
        .call_tool(
            CallToolRequestParams::new("search_evidence").with_arguments(args(
                json!({"text": "x", "max_matches": "many", "extra": 1}),
            )),
        )
        .await
        .unwrap();
    assert_eq!(bad.is_error, Some(true));
    let t = text(&bad);
    for arg in ["extra", "text", "max_matches"] {
        assert!(t.contains(arg), "{t}");
    }

    let session = client
        .call_tool(
            CallToolRequestParams::new("msf_console__list_sessions")
                .with_arguments(args(json!({"command": "sessions -l"}))),
        )
        .await
        .unwrap();
    assert_eq!(session.is_error, Some(true));
    assert!(
        text(&session).contains("not supported yet"),
        "{}",
        text(&session)
    );

    client.cancel().await.unwrap();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), served).await;
    let _ = std::fs::remove_dir_all(&dir);
}
