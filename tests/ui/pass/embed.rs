//! What `include_manifest!` gives a crate: the typed arguments, the `Tool` impl, the
//! static `MANIFEST`, the file as `SOURCE` and its digest.

use cladgen::{Rule, Tool};

cladgen::include_manifest!("tests/ui/manifests/demo.clad.toml");

// The manifest is usable in `static` and `const` contexts.
static DEMO: &cladgen::Manifest = &demo::MANIFEST;
const SOURCE_LEN: usize = demo::SOURCE.len();

fn main() {
    let ctx = cladgen::ExecContext::new("scan-1", "/var/evidence");
    let args = demo::DemoArgs::from_json(&serde_json::json!({"target": "example.org"})).unwrap();
    assert_eq!(
        args.argv(&ctx),
        ["echo", "--target=example.org", "--port=443"]
    );
    assert_eq!(
        args.to_json(),
        serde_json::json!({"target": "example.org", "port": 443})
    );

    let err = demo::DemoArgs::from_json(&serde_json::json!({"target": "Not A Host", "port": 0}))
        .unwrap_err();
    let rules: Vec<(String, Rule)> = err.iter().map(|e| (e.arg.clone(), e.rule)).collect();
    assert_eq!(
        rules,
        [
            ("target".to_string(), Rule::Pattern),
            ("port".to_string(), Rule::Port)
        ]
    );

    assert_eq!(<demo::DemoArgs as Tool>::name(), "demo");
    assert_eq!(demo::NAME, DEMO.tool.name);
    assert_eq!(DEMO.tool.description, "Echo a target and an optional port");
    let names: Vec<&str> = DEMO.args.iter().map(|a| a.name.as_ref()).collect();
    assert_eq!(names, ["target", "port"]);

    assert!(demo::SOURCE.starts_with("# A valid manifest"));
    assert_eq!(SOURCE_LEN, demo::SOURCE.len());
    let hex: String = demo::SHA256_BYTES
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hex, demo::SHA256);
}
