//! Rebuild tracking of `include_manifest!`, end to end with Cargo: the fixture crate
//! `tests/fixtures/rebuild` embeds `tools/x.clad.toml` (and its custom types from
//! `tools/toolclad.toml`). Editing either file must recompile the crate; a broken edit
//! must fail the build with the located diagnostic.
//!
//! The fixture is copied to a temporary folder (its path dependency pointed at this
//! repository) and built with a target directory kept under `target/tmp`, so the
//! dependencies are compiled once and later runs only rebuild the fixture itself.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Fixture {
    dir: PathBuf,
    target: PathBuf,
}

impl Fixture {
    /// A fresh copy of the fixture crate.
    fn new() -> Fixture {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let dir = tmp.join(format!("rebuild-fixture-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("remove an old fixture copy");
        }
        let src = repo.join("tests/fixtures/rebuild");
        for file in [
            "Cargo.toml",
            "src/main.rs",
            "tools/x.clad.toml",
            "tools/toolclad.toml",
        ] {
            let to = dir.join(file);
            std::fs::create_dir_all(to.parent().expect("a file has a folder"))
                .expect("create fixture folder");
            std::fs::copy(src.join(file), &to).expect("copy fixture file");
        }
        let cargo_toml = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
        let dep = format!("path = {:?}", repo.to_string_lossy());
        let patched = cargo_toml.replace(r#"path = "../../..""#, &dep);
        assert_ne!(
            patched, cargo_toml,
            "the fixture's path dependency was not found"
        );
        std::fs::write(dir.join("Cargo.toml"), patched).expect("write Cargo.toml");
        // The repository's lock file: the same dependency versions, all already
        // downloaded, so the build works offline.
        std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
        Fixture {
            dir,
            target: tmp.join("rebuild-target"),
        }
    }

    fn build(&self) -> Output {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        Command::new(cargo)
            .args(["build", "--offline", "--color", "never"])
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .output()
            .expect("cargo runs")
    }

    /// Builds, expecting success; returns Cargo's stderr.
    fn build_ok(&self) -> String {
        let out = self.build();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "fixture build failed:\n{stderr}");
        stderr
    }

    fn run(&self) -> String {
        let exe = self
            .target
            .join("debug")
            .join(format!("fixture{}", std::env::consts::EXE_SUFFIX));
        let out = Command::new(&exe).output().expect("fixture binary runs");
        assert!(out.status.success(), "fixture binary failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.dir.join(file);
        let text = std::fs::read_to_string(&path).expect("fixture file");
        assert!(text.contains(from), "{file} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write fixture file");
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn recompiled(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|l| l.trim_start().starts_with("Compiling fixture"))
}

#[test]
fn editing_the_manifest_or_its_types_recompiles_and_a_broken_edit_fails_located() {
    let f = Fixture::new();
    f.build_ok();
    let first = f.run();
    assert!(first.contains("description: first description"), "{first}");
    assert!(first.contains(r"pattern: ^[a-z0-9.-]+\.lab$"), "{first}");

    // Nothing changed: Cargo considers the crate fresh.
    let again = f.build_ok();
    assert!(!recompiled(&again), "rebuilt without a change:\n{again}");

    // A valid edit of the manifest.
    f.edit(
        "tools/x.clad.toml",
        "first description",
        "second description",
    );
    let stderr = f.build_ok();
    assert!(
        recompiled(&stderr),
        "manifest edit did not recompile:\n{stderr}"
    );
    let second = f.run();
    assert!(
        second.contains("description: second description"),
        "{second}"
    );
    let sha = |out: &str| {
        out.lines()
            .find(|l| l.starts_with("sha256: "))
            .map(str::to_owned)
    };
    assert_ne!(sha(&first), sha(&second), "SHA256 must follow the file");

    // A valid edit of the types file found next to the manifest.
    f.edit("tools/toolclad.toml", r"\\.lab$", r"\\.lab\\.example$");
    let stderr = f.build_ok();
    assert!(
        recompiled(&stderr),
        "types edit did not recompile:\n{stderr}"
    );
    let third = f.run();
    assert!(
        third.contains(r"pattern: ^[a-z0-9.-]+\.lab\.example$"),
        "{third}"
    );

    // A broken edit: the build fails with the diagnostic at the file, line and column.
    f.edit("tools/x.clad.toml", "required = true", "requird = true");
    let out = f.build();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a broken manifest built:\n{stderr}");
    assert!(
        stderr.contains("error: [unknown-key]: unknown key `requird` in [args.host]"),
        "{stderr}"
    );
    assert!(stderr.contains("tools/x.clad.toml:9:1"), "{stderr}");
    assert!(stderr.contains("did you mean `required`?"), "{stderr}");
    assert!(
        stderr.contains("src/main.rs:3:28"),
        "not spanned at the literal:\n{stderr}"
    );

    // Fixing it builds again.
    f.edit("tools/x.clad.toml", "requird = true", "required = true");
    f.build_ok();
    assert!(f.run().contains("description: second description"));
}
