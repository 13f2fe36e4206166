//! Compile-time behaviour of `include_manifest!`, checked with trybuild: each file in
//! `tests/ui/fail/` must fail to compile with exactly the error in its `.stderr`, each
//! file in `tests/ui/pass/` must compile and run.
//!
//! The `.stderr` files are specific to the toolchain they were blessed with (rustc
//! 1.95): rustc's framing of errors (arrows, notes, line numbers of macro calls)
//! changes between releases. After a toolchain change, or after changing a message on
//! purpose, review the diff and re-bless with
//! `TRYBUILD=overwrite cargo test --test ui`.
//!
//! trybuild compiles the test files as binaries of a generated crate whose root (and so
//! `CARGO_MANIFEST_DIR`, the base of the macro's relative paths) is
//! `<target dir>/tests/trybuild/<this package>/`. The fixture manifests are copied
//! there, under the same relative paths they have here, before the cases run.

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn ui() {
    let project = trybuild_crate_root();
    stage_fixtures(&project);
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
    // Every case is built in one run when `cases` is dropped.
}

/// The root of the crate trybuild generates. Asks Cargo for the target directory, as
/// trybuild does, so `CARGO_TARGET_DIR` and `build.target-dir` are honoured.
fn trybuild_crate_root() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version=1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let target = meta["target_directory"]
        .as_str()
        .expect("cargo metadata names the target directory");
    Path::new(target)
        .join("tests")
        .join("trybuild")
        .join(env!("CARGO_PKG_NAME"))
}

/// Copies the fixture manifests into the generated crate (replacing stale copies, so a
/// deleted fixture cannot linger), and `outside.clad.toml` next to that crate's root
/// for the "outside the crate" case.
fn stage_fixtures(project: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let dst = project.join("tests/ui");
    if dst.exists() {
        std::fs::remove_dir_all(&dst).expect("remove stale fixtures");
    }
    for dir in ["manifests", "types"] {
        copy_dir(&src.join(dir), &dst.join(dir));
    }
    let parent = project.parent().expect("the crate root has a parent");
    std::fs::copy(
        src.join("outside.clad.toml"),
        parent.join("outside.clad.toml"),
    )
    .expect("stage outside.clad.toml");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create fixture directory");
    for entry in std::fs::read_dir(from).expect("read fixture directory") {
        let entry = entry.expect("fixture directory entry");
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy fixture");
        }
    }
}
