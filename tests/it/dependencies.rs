//! What a crate that depends on `cladgen` compiles: the runtime's normal and build
//! dependencies, as Cargo resolves them for a dependent (no dev-dependencies, so the
//! internal `dogfood` feature is off).

use std::process::Command;

/// The package names in `cargo tree -p cladgen -e normal,build` with `args`.
fn tree(args: &[&str]) -> Vec<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "cladgen",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ])
        .args(["--format", "{p}"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_generator_is_only_compiled_for_the_proc_macro() {
    let without_macros = tree(&["--no-default-features"]);
    for generator in [
        "cladgen-build",
        "cladgen-codegen",
        "cladgen-macros",
        "prettyplease",
        "toml",
        "annotate-snippets",
    ] {
        assert!(
            !without_macros.iter().any(|n| n == generator),
            "{generator} is compiled without the macros feature: {without_macros:?}"
        );
    }
    assert!(without_macros.iter().any(|n| n == "cladgen-core"));

    let default = tree(&[]);
    assert!(default.iter().any(|n| n == "cladgen-macros"), "{default:?}");
    for build_only in ["cladgen-build", "prettyplease"] {
        assert!(
            !default.iter().any(|n| n == build_only),
            "{build_only} is compiled for a dependent: {default:?}"
        );
    }

    // The repository's own tests do turn it on.
    let dogfood = tree(&["--features", "dogfood"]);
    assert!(dogfood.iter().any(|n| n == "cladgen-build"), "{dogfood:?}");
}

/// Governed execution is opt-in: without the `run` feature a dependent compiles no
/// tokio (nor the runner); with it, both.
#[test]
fn tokio_is_only_compiled_with_the_run_feature() {
    for features in [&["--no-default-features"][..], &[]] {
        let names = tree(features);
        for runner in ["tokio", "tokio-util", "cladgen-run", "jsonschema"] {
            assert!(
                !names.iter().any(|n| n == runner),
                "{runner} is compiled without the run feature ({features:?}): {names:?}"
            );
        }
    }
    let run = tree(&["--no-default-features", "--features", "run"]);
    for runner in ["tokio", "cladgen-run"] {
        assert!(run.iter().any(|n| n == runner), "{run:?}");
    }
}
