//! `cladgen expand <MANIFEST>`: print the Rust code generated for one manifest.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `cladgen expand`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExpandArgs {
    /// The manifest (`*.clad.toml`).
    manifest: PathBuf,
    /// `toolclad.toml` with custom types (default: the nearest one above the manifest).
    #[arg(long)]
    types: Option<PathBuf>,
    /// Runtime crate path used in the generated code.
    #[arg(long, default_value = "::cladgen")]
    runtime_path: String,
    /// Also print the registry (`mod.rs`) that a build script would write.
    #[arg(long)]
    with_registry: bool,
}

pub(crate) fn run(args: &ExpandArgs) -> ExitCode {
    if !args.manifest.is_file() {
        eprintln!(
            "error: cannot read manifest {}: no such file",
            args.manifest.display()
        );
        return ExitCode::from(2);
    }
    let mut b = cladgen_build::Builder::new()
        .base_dir(".")
        .manifest(&args.manifest)
        .runtime_path(args.runtime_path.clone());
    if let Some(t) = &args.types {
        b = b.types_file(t);
    }
    match b.render() {
        Ok(g) => {
            eprint!("{}", g.rendered_warnings);
            for f in &g.files {
                let is_index = f.path.as_os_str() == "mod.rs";
                if !is_index || args.with_registry {
                    if args.with_registry {
                        println!("// ---- {} ----", f.path.display());
                    }
                    print!("{}", f.contents);
                }
            }
            ExitCode::SUCCESS
        }
        Err(cladgen_build::Error::Manifests { rendered, .. }) => {
            eprint!("{rendered}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
