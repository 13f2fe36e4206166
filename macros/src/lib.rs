//! Proc macros of cladgen. Use them through the `cladgen` crate:
//! `cladgen::include_manifest!`.

use proc_macro::TokenStream;

/// Embeds one ToolClad manifest, checked at compile time.
///
/// `include_manifest!("tools/whois_lookup.clad.toml")` (path relative to the crate
/// root) expands to `pub mod whois_lookup { ... }` with the items the build-script path
/// generates for that manifest, plus `SOURCE` (the file's exact bytes), `SHA256` and
/// the static `MANIFEST`. An invalid manifest is a compile error listing every
/// diagnostic with its file:line:col. Editing the file (or the types file) recompiles
/// the crate.
///
/// Options may follow the path:
///
/// ```ignore
/// cladgen::include_manifest!(
///     "tools/read_csv.clad.toml",
///     types = "config/toolclad.toml", // default: the nearest toolclad.toml
///     extern_types = { allowed_csv_path = crate::files::CsvPath },
///     unknown_keys = warn,            // default: error
/// );
/// ```
///
/// The types file may also be given as a bare second literal:
/// `include_manifest!("tools/x.clad.toml", "config/toolclad.toml")`.
#[proc_macro]
pub fn include_manifest(input: TokenStream) -> TokenStream {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    cladgen_codegen::include_manifest(input.into(), dir.as_deref(), &Default::default()).into()
}
