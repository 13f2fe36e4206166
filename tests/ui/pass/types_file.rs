//! An explicit types file as the second argument: `lab_host` is declared there.

use cladgen::Rule;

cladgen::include_manifest!(
    "tests/ui/manifests/lab_host.clad.toml",
    "tests/ui/types/lab.toolclad.toml",
);

fn main() {
    let ctx = cladgen::ExecContext::new("scan-1", "/var/evidence");
    let ok =
        lab_probe::LabProbeArgs::from_json(&serde_json::json!({"host": "db1.lab.example.com"}))
            .unwrap();
    assert_eq!(
        ok.argv(&ctx),
        ["curl", "--head", "https://db1.lab.example.com/"]
    );

    let err = lab_probe::LabProbeArgs::from_json(&serde_json::json!({"host": "example.com"}))
        .unwrap_err();
    let rules: Vec<Rule> = err.iter().map(|e| e.rule).collect();
    assert_eq!(rules, [Rule::Pattern]);

    let host = &lab_probe::MANIFEST.args[0];
    assert_eq!(host.ty.name, "lab_host");
    assert_eq!(host.ty.kind, cladgen::model::TypeKind::String);
    assert_eq!(
        host.ty.constraints.pattern.as_ref().map(|p| p.as_str()),
        Some("^([a-z0-9-]+\\.)+lab\\.example\\.com$")
    );
}
