//! `cladgen expand <MANIFEST>`: print the Rust code generated for one manifest.

use std::path::PathBuf;
use std::process::ExitCode;

use cladgen_core::load::UnknownKeys;

/// Arguments of `cladgen expand`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExpandArgs {
    /// The manifest (`*.clad.toml`).
    manifest: PathBuf,
    /// `toolclad.toml` with custom types (default: the nearest one from the manifest's
    /// folder up to its package root).
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
    // Loaded like every command (same types-file policy, warnings on stderr), then
    // rendered exactly as a build script would.
    let set = crate::project(args.types.as_deref(), UnknownKeys::Error).load_file(&args.manifest);
    eprint!("{}", set.render(crate::styled()));
    if set.has_input_errors() {
        return ExitCode::from(crate::EXIT_IO);
    }
    let builder = cladgen_build::Builder::new()
        .base_dir(".")
        .runtime_path(args.runtime_path.clone());
    match builder.render_set(&set) {
        Ok(g) => {
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
        // Already printed above.
        Err(cladgen_build::Error::Manifests { .. }) => ExitCode::from(crate::EXIT_INVALID),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(crate::EXIT_INVALID)
        }
    }
}
