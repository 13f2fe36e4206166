//! The registry of a manifest set: one enum with a variant per tool, so a runtime can
//! dispatch an LLM's call by name.

use crate::{CodegenError, Gen, GenOptions, names};
use cladgen_core::model::{Backend, Manifest};
use proc_macro2::TokenStream;
use quote::quote;

/// The `Tools` enum for `manifests` (each generated in module `tool_module_name(m)`).
pub fn registry(manifests: &[&Manifest], opts: &GenOptions) -> Result<TokenStream, CodegenError> {
    let g = Gen::new(opts, "")?;
    let rt = &g.rt;
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut variants = Vec::new();
    let mut payloads = Vec::new();
    let mut arms = Vec::new();
    let mut name_arms = Vec::new();
    let mut llm_names: Vec<String> = Vec::new();
    let mut modules = Vec::new();
    for m in manifests {
        let tool = m.tool.name.as_ref();
        let vname = cladgen_core::names::type_name(tool);
        let stem = names::pascal(tool);
        if let Some((_, other)) = seen.iter().find(|(v, _)| *v == vname) {
            return Err(CodegenError::DuplicateModule(
                other.clone(),
                tool.to_owned(),
            ));
        }
        seen.push((vname.clone(), tool.to_owned()));
        let v = names::ident(&vname);
        let module = crate::tool_module_name(m);
        let payload = match &m.backend {
            Backend::Session(_) | Backend::Browser(_) => names::ident(&format!("{stem}Command")),
            _ => names::ident(&format!("{stem}Args")),
        };
        let calls: Vec<String> = match &m.backend {
            Backend::Session(s) => s
                .commands
                .iter()
                .map(|c| format!("{tool}__{}", c.name))
                .collect(),
            Backend::Browser(b) => b
                .commands
                .iter()
                .map(|c| format!("{tool}__{}", c.name))
                .collect(),
            _ => vec![tool.to_owned()],
        };
        payloads.push(quote!(#module::#payload));
        // A command tool's commands share one arm; the trait validates the call.
        arms.push(quote! {
            #(#calls)|* => __rt::call(name, args).map(Self::#v),
        });
        llm_names.extend(calls);
        name_arms.push(quote!(Self::#v(_) => #tool,));
        variants.push(v);
        modules.push(module);
    }
    let n = crate::index(llm_names.len());
    let k = crate::index(manifests.len());
    let docs = manifests
        .iter()
        .map(|m| crate::doc_lines(&crate::manifest_prose(&m.tool.description)));
    Ok(quote! {
        /// Every tool of this manifest set, with its validated arguments.
        ///
        /// Session and browser tools hold their command enum; their LLM tool names are
        /// `<tool>__<command>`.
        #[derive(Clone, Debug, PartialEq)]
        #[allow(dead_code)] // generated API: a crate uses only what it needs
        pub enum Tools {
            #(#docs #variants(#payloads),)*
        }

        const _: () = {
            use #rt::__private as __rt;

            #[allow(dead_code)] // generated API: a crate uses only what it needs
            impl Tools {
                /// Every tool name an LLM may call, in order.
                pub const NAMES: [&'static str; #n] = [#(#llm_names),*];

                /// Validates a call by tool name, reporting every argument error at once.
                pub fn from_call(name: &str, args: &__rt::Value) -> __rt::Result<Self, __rt::CallError> {
                    match name {
                        #(#arms)*
                        _ => __rt::Err(__rt::CallError::UnknownTool { name: name.into(), known: &Self::NAMES }),
                    }
                }

                /// The manifest's tool name of this call.
                pub fn tool_name(&self) -> &'static str {
                    match self { #(#name_arms)* }
                }

                /// What running this call means (argv, executor, HTTP request, MCP call, ...).
                pub fn plan(&self, ctx: &__rt::ExecContext, secrets: &dyn __rt::SecretResolver) -> __rt::Result<__rt::Plan, __rt::InvokeError> {
                    match self { #(Self::#variants(t) => __rt::Tool::plan(t, ctx, secrets),)* }
                }

                /// The arguments of this call as JSON (`command` text included for sessions).
                pub fn to_json(&self) -> __rt::Value {
                    match self { #(Self::#variants(t) => __rt::Tool::to_json(t),)* }
                }

                /// Every tool definition of one flavour (what an MCP `tools/list` returns).
                pub fn definitions(flavor: __rt::Flavor) -> __rt::Vec<__rt::Value> {
                    let mut all = __rt::Vec::new();
                    #(all.extend_from_slice(#modules::tool_definitions(flavor));)*
                    all
                }

                /// The checked manifests of the set, in order.
                pub fn manifests() -> [&'static __rt::Manifest; #k] {
                    [#(&#modules::MANIFEST),*]
                }
            }

            impl __rt::Registry for Tools {
                const NAMES: &'static [&'static str] = &Tools::NAMES;
                const MANIFESTS: &'static [&'static __rt::Manifest] = &[#(&#modules::MANIFEST),*];
                fn from_call(name: &str, args: &__rt::Value) -> __rt::Result<Self, __rt::CallError> {
                    Tools::from_call(name, args)
                }
                fn tool(&self) -> &(dyn __rt::DynTool + __rt::Send + __rt::Sync) {
                    match self { #(Self::#variants(t) => t,)* }
                }
            }
        };
    })
}

impl GenOptions {
    /// Options with another runtime crate path.
    pub fn with_runtime_path(mut self, path: impl Into<String>) -> Self {
        self.runtime_path = path.into();
        self
    }
}
