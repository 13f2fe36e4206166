//! `cladgen expand`: the generated Rust for one manifest.

use std::process::Command;

fn cladgen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cladgen"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("run cladgen")
}

#[test]
fn expand_prints_the_same_code_the_build_script_writes() {
    let out = cladgen(&["expand", "manifests/nmap_scan.clad.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = String::from_utf8(out.stdout).unwrap();
    let golden = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/golden/nmap_scan.rs"
    ))
    .unwrap();
    assert_eq!(code, golden);
}

#[test]
fn expand_with_registry_prints_the_index_too() {
    let out = cladgen(&[
        "expand",
        "--with-registry",
        "manifests/whois_lookup.clad.toml",
    ]);
    assert!(out.status.success());
    let code = String::from_utf8(out.stdout).unwrap();
    assert!(code.contains("pub enum Tools"), "{code}");
    assert!(code.contains("pub struct WhoisLookupArgs"));
}

#[test]
fn expand_of_an_invalid_manifest_fails_with_located_diagnostics() {
    let dir = std::env::temp_dir().join(format!("cladgen-expand-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.clad.toml");
    std::fs::write(
        &bad,
        "[tool]\nname = \"bad\"\nversion = \"1\"\ndescription = \"x\"\n\n[args.a]\ntype = \"strng\"\n\n[command]\nexec = [\"echo\", \"{a}\"]\n\n[output]\nformat = \"text\"\n",
    )
    .unwrap();
    let out = cladgen(&["expand", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.clad.toml:7:"), "{err}");
    assert!(
        err.contains("string"),
        "a suggestion names the built-in type: {err}"
    );
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn expand_of_a_missing_file_is_a_usage_error() {
    let out = cladgen(&["expand", "manifests/nope.clad.toml"]);
    assert_eq!(out.status.code(), Some(2));
}
