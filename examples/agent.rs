//! A minimal agent loop: JSON tool calls (as an LLM would send them) become typed
//! arguments and an argv, or a list of every problem for the model to fix.
//!
//! Run with `cargo run --example agent`, or pass your own call:
//! `cargo run --example agent -- nmap_scan '{"target": "10.0.1.0/24", "scan_type": "service"}'`

mod tools {
    cladgen::include_tools!();
}

use cladgen::ExecContext;
use tools::Tools;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let calls: Vec<(String, String)> = match args.as_slice() {
        [name, json] => vec![(name.clone(), json.clone())],
        _ => vec![
            (
                "nmap_scan".into(),
                r#"{"target": "10.0.1.0/24", "scan_type": "service"}"#.into(),
            ),
            (
                "nmap_scan".into(),
                r#"{"target": "10.0.1.1; rm -rf /", "scan_type": "stealth", "extra": 1}"#.into(),
            ),
            ("whois_lookup".into(), r#"{"target": "example.com"}"#.into()),
        ],
    };
    let ctx = ExecContext::new("scan-1", "/var/evidence");
    for (name, json) in calls {
        println!("call {name} {json}");
        let value: serde_json::Value = match serde_json::from_str(&json) {
            Ok(v) => v,
            Err(e) => {
                println!("  not JSON: {e}\n");
                continue;
            }
        };
        match Tools::from_call(&name, &value) {
            Ok(Tools::NmapScan(a)) => println!("  argv: {:?}\n", a.argv(&ctx)),
            Ok(Tools::WhoisLookup(a)) => println!("  argv: {:?}\n", a.argv(&ctx)),
            Ok(other) => println!("  valid call of {}\n", other.tool_name()),
            Err(e) => println!(
                "  refused; for the model:\n  {}\n",
                e.for_llm().replace('\n', "\n  ")
            ),
        }
    }
}
