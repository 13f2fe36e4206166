//! Proc macros of cladgen. Use them through the `cladgen` crate:
//! `cladgen::include_manifest!`.

use proc_macro::TokenStream;

/// Embeds one ToolClad manifest, checked at compile time.
///
/// `include_manifest!("tools/whois_lookup.clad.toml")` (path relative to the crate
/// root; an optional second literal names the `toolclad.toml` with custom types,
/// otherwise the nearest one is used) expands to `pub mod whois_lookup { ... }` with
/// the items the build-script path generates for that manifest, plus `SOURCE` (the
/// file's exact bytes), `SHA256` and the static `MANIFEST`. An invalid manifest is a
/// compile error listing every diagnostic with its file:line:col. Editing the file
/// (or the types file) recompiles the crate.
#[proc_macro]
pub fn include_manifest(input: TokenStream) -> TokenStream {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    cladgen_codegen::include_manifest(input.into(), dir.as_deref(), &Default::default()).into()
}
