//! Typed argument structs, enums for enum arguments, JSON parsing and builders.
//!
//! Used for a tool's `[args]` and, with the same code, for the arguments of each
//! session and browser command. Impls spell runtime names `__rt::…`: the tool module
//! puts them inside `const _: () = { use <runtime>::__private as __rt; … };`.

use crate::names;
use crate::{CodegenError, Gen};
use cladgen_core::model::{Arg, Scalar, TypeKind};
use cladgen_core::value::{self as v, ArgSpec, ArgValue, ParseOptions};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// Everything generated for one argument list.
pub struct ArgSet<'a> {
    /// The arguments, in model order (indices match `Piece::Arg`).
    pub args: &'a [Arg],
    /// Name of the struct, e.g. `NmapScanArgs`.
    pub ty: Ident,
    /// One entry per argument.
    pub fields: Vec<Field>,
    /// For a session command: its name. The struct then starts with a `command` field
    /// holding the checked command text.
    pub session_command: Option<String>,
    /// For a session command with a `template`: its name. The struct holds only the
    /// typed arguments; `text()` renders and checks the command text, and
    /// `from_json` refuses a call whose rendered text fails its checks.
    pub session_template: Option<String>,
    /// The static of the manifest holding these arguments (`ARGS`, `USE_MODULE_ARGS`).
    pub list: Ident,
}

/// One argument as a Rust field.
pub struct Field {
    /// The field identifier.
    pub ident: Ident,
    /// The value type (a runtime value type, an enum generated here, or an extern type).
    pub value_ty: TokenStream,
    /// `Some` for an enum argument: the generated enum's name.
    pub enum_ty: Option<Ident>,
    /// Whether the field is an `Option` (optional without default).
    pub optional: bool,
}

impl<'a> ArgSet<'a> {
    /// Plans the fields of `args` (held by static `list`); `taken` holds type names
    /// already used in the module.
    pub fn new(
        g: &Gen,
        args: &'a [Arg],
        ty: Ident,
        list: Ident,
        taken: &mut Vec<String>,
    ) -> Result<Self, CodegenError> {
        let mut fields = Vec::new();
        for a in args {
            let ident = names::field_ident(&a.name);
            let (value_ty, enum_ty) = match &a.ty.kind {
                TypeKind::Enum => {
                    let name = cladgen_core::names::type_name(&a.name);
                    claim(taken, &name, &g.tool, &a.name)?;
                    // Allowed values become variants: two that map to one Rust name
                    // (`a-b` and `a_b`) would not compile.
                    let mut variants: Vec<(String, &str)> = Vec::new();
                    for v in a.ty.constraints.allowed.iter().flat_map(|l| l.iter()) {
                        let variant = cladgen_core::names::type_name(v);
                        if let Some((_, first)) = variants.iter().find(|(n, _)| *n == variant) {
                            return Err(CodegenError::NameCollision {
                                tool: g.tool.clone(),
                                what: format!(
                                    "the values `{first}` and `{v}` of enum argument `{}`",
                                    a.name
                                ),
                                name: variant,
                            });
                        }
                        variants.push((variant, v));
                    }
                    let id = names::ident(&name);
                    (quote!(#id), Some(id))
                }
                TypeKind::Extern { rust_path } => {
                    let path: syn::Path =
                        syn::parse_str(rust_path).map_err(|e| CodegenError::ExternPath {
                            tool: g.tool.clone(),
                            arg: a.name.to_string(),
                            path: rust_path.to_string(),
                            reason: e.to_string(),
                        })?;
                    (quote!(#path), None)
                }
                kind => {
                    let t = value_type_name(kind);
                    (quote!(__rt::#t), None)
                }
            };
            fields.push(Field {
                ident,
                value_ty,
                enum_ty,
                optional: !a.required && a.default.is_none(),
            });
        }
        Ok(ArgSet {
            args,
            ty,
            fields,
            session_command: None,
            session_template: None,
            list,
        })
    }

    /// The field type as declared in the struct.
    fn field_ty(f: &Field) -> TokenStream {
        let t = &f.value_ty;
        if f.optional {
            quote!(__rt::Option<#t>)
        } else {
            t.clone()
        }
    }

    /// The field identifiers of the declared arguments, in order.
    fn all_idents(&self) -> Vec<&Ident> {
        self.fields.iter().map(|f| &f.ident).collect()
    }

    /// Enums, the struct, its builder and their impls.
    pub fn items(&self, doc: &str) -> TokenStream {
        let mut out = TokenStream::new();
        for (i, (a, f)) in self.args.iter().zip(&self.fields).enumerate() {
            if let Some(e) = &f.enum_ty {
                out.extend(enum_items(a, e, i));
            }
        }
        out.extend(self.struct_items(doc));
        out.extend(self.parse_fn());
        out.extend(self.builder_items());
        out.extend(self.serde_items());
        out
    }

    fn has_command(&self) -> bool {
        self.session_command.is_some()
    }

    /// The struct, `ARG_NAMES`, `builder`, `from_json` and `to_json`.
    fn struct_items(&self, doc: &str) -> TokenStream {
        let ty = &self.ty;
        let builder = format_ident!("{}Builder", ty);
        let docs = crate::doc_lines(doc);
        let field_decls = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let id = &f.ident;
            let t = Self::field_ty(f);
            let d = crate::doc_lines(&arg_doc(a));
            quote!(#d pub #id: #t,)
        });
        let text_decl = self.session_command.as_deref().map(|cmd| {
            let doc = crate::doc_lines(&format!(
                "The text sent to the session for `{cmd}`, checked against the command's pattern (whole value), the injection set and `input_sanitize`."
            ));
            quote!(#doc pub command: __rt::CommandText,)
        });
        let command = self.has_command().then(|| format_ident!("command"));
        let command = command.as_slice();
        let req_params = self
            .args
            .iter()
            .zip(&self.fields)
            .filter(|(a, _)| a.required)
            .map(|(_, f)| {
                let (id, t) = (&f.ident, &f.value_ty);
                quote!(#id: #t)
            });
        let builder_init = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let id = &f.ident;
            if a.required {
                quote!(#id)
            } else {
                quote!(#id: __rt::None)
            }
        });
        let to_json = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let (id, name) = (&f.ident, a.name.as_ref());
            if f.optional {
                quote!(.opt(#name, &self.#id))
            } else {
                quote!(.put(#name, &self.#id))
            }
        });
        let command_json = command.iter().map(|c| quote!(.command(&self.#c)));
        let values = self.fields.iter().map(|f| {
            let id = &f.ident;
            if f.optional {
                quote!(.opt(&self.#id))
            } else {
                quote!(.put(&self.#id))
            }
        });
        let n = crate::index(self.fields.len());
        let text_fn = self.text_fn();
        quote! {
            #docs
            #[derive(Clone, Debug, PartialEq)]
            pub struct #ty {
                #text_decl
                #(#field_decls)*
            }

            impl #ty {
                /// Starts a builder from the required arguments.
                pub fn builder(#(#command: __rt::CommandText,)* #(#req_params),*) -> #builder {
                    #builder { #(#command,)* #(#builder_init),* }
                }

                /// Validates an LLM's call, reporting every invalid, missing or unknown argument at once.
                pub fn from_json(value: &__rt::Value) -> __rt::Result<Self, __rt::ArgErrors> {
                    Self::from_json_with(value, &__rt::ParseOptions::DEFAULT)
                }

                /// The arguments as a JSON object (absent optional arguments omitted).
                pub fn to_json(&self) -> __rt::Value {
                    __rt::JsonArgs::new() #(#command_json)* #(#to_json)* .finish()
                }

                /// The validated values in argument order, as the runner's gate reads them.
                pub fn values(&self) -> __rt::Vec<__rt::Option<__rt::DynValue>> {
                    __rt::Values::with_capacity(#n) #(#values)* .finish()
                }
            }

            #text_fn
        }
    }

    /// `text()` of a templated session command: the template rendered from the
    /// fields (each the argv form of its value, in argument order).
    fn text_fn(&self) -> TokenStream {
        let Some(cmd) = &self.session_template else {
            return TokenStream::new();
        };
        let ty = &self.ty;
        let ids = self.all_idents();
        let doc = crate::doc_lines(&format!(
            "The text sent to the session for `{cmd}`: its template rendered from the fields (each value one token), checked against the command's pattern (whole value), the injection set and `input_sanitize`."
        ));
        quote! {
            impl #ty {
                #doc
                pub fn text(&self) -> __rt::Result<__rt::CommandText, __rt::ArgError> {
                    __rt::CommandText::render(&MANIFEST, #cmd, &[#(&self.#ids as &dyn __rt::fmt::Display),*])
                }
            }
        }
    }

    /// `from_json_with`: one `Reader` call per argument, in argument order (as the
    /// dynamic path), then every error at once.
    fn parse_fn(&self) -> TokenStream {
        let ty = &self.ty;
        let list = &self.list;
        let mut idents: Vec<&Ident> = self.all_idents();
        // The reader must not be shadowed by an argument of the same name.
        let reader = if idents.iter().any(|i| *i == "r") {
            format_ident!("__r")
        } else {
            format_ident!("r")
        };
        let mut calls: Vec<TokenStream> = self
            .args
            .iter()
            .zip(&self.fields)
            .enumerate()
            .map(|(i, (a, f))| {
                let i = crate::index(i);
                match (a.required, a.default.is_some(), f.optional) {
                    (true, _, _) => quote!(#reader.required(#i)),
                    (false, true, _) => quote!(#reader.defaulted(#i)),
                    _ => quote!(#reader.optional(#i)),
                }
            })
            .collect();
        let command = format_ident!("command");
        if let Some(cmd) = &self.session_command {
            calls.insert(0, quote!(#reader.command_text(&MANIFEST, #cmd)));
            idents.insert(0, &command);
        }
        let new = if self.has_command() {
            quote!(with_command)
        } else {
            quote!(new)
        };
        let mutability = if idents.is_empty() {
            quote!()
        } else {
            quote!(mut)
        };
        // Each read is `Some` unless it recorded an error; `finish` builds only when
        // there was none.
        let inits = idents.iter().map(|id| quote!(#id: #id?));
        // A templated session command: the rendered text must pass its checks too.
        let check_text = self
            .session_template
            .as_ref()
            .map(|_| quote!(.and_then(|parsed| { parsed.text()?; __rt::Ok(parsed) })));
        quote! {
            impl #ty {
                /// [`Self::from_json`] with options (e.g. the credential file base directory).
                pub fn from_json_with(value: &__rt::Value, opts: &__rt::ParseOptions) -> __rt::Result<Self, __rt::ArgErrors> {
                    let #mutability #reader = __rt::Reader::#new(value, &data::#list, opts)?;
                    #(let #idents = #calls;)*
                    #reader.finish(|| __rt::Some(Self { #(#inits),* })) #check_text
                }
            }
        }
    }

    /// The builder: required arguments are parameters of `builder()`, so they cannot
    /// be forgotten; optional ones are setters; `build()` applies the defaults.
    fn builder_items(&self) -> TokenStream {
        let ty = &self.ty;
        let builder = format_ident!("{}Builder", ty);
        let list = &self.list;
        let sd = crate::doc_lines(&format!(
            "Builds [`{ty}`]: required arguments are parameters of [`{ty}::builder`]."
        ));
        let command = self.has_command().then(|| format_ident!("command"));
        let command = command.as_slice();
        let builder_fields = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let (id, t) = (&f.ident, &f.value_ty);
            if a.required {
                quote!(#id: #t,)
            } else {
                quote!(#id: __rt::Option<#t>,)
            }
        });
        let setters = self
            .args
            .iter()
            .zip(&self.fields)
            .filter(|(a, _)| !a.required)
            .map(|(a, f)| {
                let (id, t) = (&f.ident, &f.value_ty);
                let d = crate::doc_lines(&format!("Sets `{}`.", a.name));
                quote! {
                    #d
                    pub fn #id(mut self, value: #t) -> Self {
                        self.#id = __rt::Some(value);
                        self
                    }
                }
            });
        // Defaults of the built-in scalar types are parsed here, at build time, by the
        // runtime's own parser; only what depends on the run (the filesystem of a
        // `credential_file`, an extern type) is parsed in `build()`, which can then fail.
        let mut fallible: Vec<&Ident> = Vec::new();
        let inits: Vec<TokenStream> = self
            .args
            .iter()
            .zip(&self.fields)
            .enumerate()
            .map(|(i, (a, f))| {
                let id = &f.ident;
                match (&a.default, a.required) {
                    (Some(d), false) => match prechecked_default(a, f, d) {
                        // A variant or a `const fn` is taken as it is; text allocates, so
                        // only when needed.
                        Some(value) if allocates(a) => quote!(self.#id.unwrap_or_else(|| #value)),
                        Some(value) => quote!(self.#id.unwrap_or(#value)),
                        None => {
                            let i = crate::index(i);
                            fallible.push(id);
                            quote!(self.#id.or_else(|| errors.collect(__rt::field::default_of(&data::#list[#i]))))
                        }
                    },
                    _ => quote!(self.#id),
                }
            })
            .collect();
        let idents = self.all_idents();
        let build = if fallible.is_empty() {
            quote! {
                /// Applies the defaults of unset optional arguments and builds the arguments.
                pub fn build(self) -> #ty {
                    #ty { #(#command: self.#command,)* #(#idents: #inits),* }
                }
            }
        } else {
            // The fallible fields are `Option`s until every default was tried, so every
            // failing default is reported.
            let pats = idents.iter().map(|id| {
                if fallible.contains(id) {
                    quote!(__rt::Some(#id))
                } else {
                    quote!(#id)
                }
            });
            quote! {
                /// Applies the defaults of unset optional arguments and builds the
                /// arguments. A default that depends on the run (a `credential_file`
                /// must exist, an extern type's parser) is checked here.
                pub fn build(self) -> __rt::Result<#ty, __rt::ArgErrors> {
                    let mut errors = __rt::ArgErrors::new();
                    let (#(#pats,)*) = (#(#inits,)*) else {
                        return __rt::Err(errors);
                    };
                    __rt::Ok(#ty { #(#command: self.#command,)* #(#idents),* })
                }
            }
        };
        quote! {
            #sd
            #[derive(Clone, Debug)]
            #[must_use]
            pub struct #builder {
                #(#command: __rt::CommandText,)*
                #(#builder_fields)*
            }

            impl #builder {
                #(#setters)*
                #build
            }
        }
    }

    /// serde: the JSON form, and deserialising that validates like `from_json`.
    fn serde_items(&self) -> TokenStream {
        let ty = &self.ty;
        // Serialised as its JSON form; deserialising validates like `from_json`.
        quote!(__rt::serde_args!(#ty);)
    }
}

/// Whether the prechecked default of `a` allocates (text-backed types).
fn allocates(a: &Arg) -> bool {
    matches!(
        a.ty.kind,
        TypeKind::String | TypeKind::Path | TypeKind::Duration
    )
}

/// The value of a default as a constant expression, when the default is of a
/// built-in scalar type: parsed now by the runtime's parser (so clamping and every
/// rule apply exactly as at run time). `None` when it must be parsed at run time.
fn prechecked_default(a: &Arg, f: &Field, d: &Scalar) -> Option<TokenStream> {
    let spec = ArgSpec::new(&a.name, &a.ty.constraints);
    let json = d.to_json();
    let opts = ParseOptions::DEFAULT;
    let t = &f.value_ty;
    if let Some(e) = &f.enum_ty {
        let Scalar::String(s) = d else { return None };
        let allowed = a.ty.constraints.allowed.as_deref().unwrap_or(&[]);
        allowed.iter().find(|v| v.as_ref() == s.as_ref())?;
        let variant = names::type_ident(s);
        return Some(quote!(#e::#variant));
    }
    Some(match &a.ty.kind {
        TypeKind::Integer => {
            let n = v::Integer::parse_json(&spec, &json, &opts).ok()?.get();
            quote!(#t::prechecked(#n))
        }
        TypeKind::Number => {
            let n = v::Number::parse_json(&spec, &json, &opts).ok()?.get();
            let n = proc_macro2::Literal::f64_suffixed(n);
            quote!(#t::prechecked(#n))
        }
        TypeKind::Port => {
            let n = v::Port::parse_json(&spec, &json, &opts).ok()?.get();
            quote!(#t::prechecked(#n))
        }
        TypeKind::Boolean => {
            let b = v::Boolean::parse_json(&spec, &json, &opts).ok()?.get();
            quote!(#t::prechecked(#b))
        }
        TypeKind::String => {
            let x = v::Text::parse_json(&spec, &json, &opts).ok()?;
            let s = x.as_str();
            quote!(#t::prechecked(#s))
        }
        TypeKind::Path => {
            let x = v::RelPath::parse_json(&spec, &json, &opts).ok()?;
            let s = x.as_str();
            quote!(#t::prechecked(#s))
        }
        TypeKind::Duration => {
            let x = v::Duration::parse_json(&spec, &json, &opts).ok()?;
            let (s, ms) = (x.as_str(), x.millis());
            quote!(#t::prechecked(#s, #ms))
        }
        _ => return None,
    })
}

/// Reserves a type name in the module, or reports the collision.
pub fn claim(
    taken: &mut Vec<String>,
    name: &str,
    tool: &str,
    arg: &str,
) -> Result<(), CodegenError> {
    if taken.iter().any(|t| t == name) {
        return Err(CodegenError::NameCollision {
            tool: tool.to_owned(),
            what: format!("argument `{arg}`"),
            name: name.to_owned(),
        });
    }
    taken.push(name.to_owned());
    Ok(())
}

/// The runtime value type for a built-in type.
pub fn value_type_name(kind: &TypeKind) -> Ident {
    let n = match kind {
        TypeKind::String => "Text",
        TypeKind::Integer => "Integer",
        TypeKind::Number => "Number",
        TypeKind::Port => "Port",
        TypeKind::Boolean => "Boolean",
        TypeKind::Enum => "EnumValue",
        TypeKind::ScopeTarget => "ScopeTarget",
        TypeKind::Url => "Url",
        TypeKind::Path => "RelPath",
        TypeKind::IpAddress => "IpAddress",
        TypeKind::Cidr => "Cidr",
        TypeKind::MsfOptions => "MsfOptions",
        TypeKind::CredentialFile => "CredentialFile",
        TypeKind::Duration => "Duration",
        TypeKind::RegexMatch => "RegexMatch",
        TypeKind::Extern { .. } => "Text",
    };
    names::ident(n)
}

fn arg_doc(a: &Arg) -> String {
    let mut d = if a.description.is_empty() {
        format!("Argument `{}`.", a.name)
    } else {
        crate::manifest_prose(&a.description)
    };
    let mut facts = vec![format!("type `{}`", a.ty.name)];
    if a.required {
        facts.push("required".into());
    } else if let Some(def) = &a.default {
        facts.push(format!("default {}", crate::code_span(&def.to_text())));
    } else {
        facts.push("optional".into());
    }
    d.push_str(&format!("\n\n({})", facts.join(", ")));
    d
}

/// Whether clippy's `enum_variant_names` could fire: a variant starting or ending
/// with the enum's name, or at least three variants sharing their first or last
/// CamelCase word (clippy's default threshold).
fn variant_names_repeat(enum_name: &str, variants: &[Ident]) -> bool {
    let enum_name = enum_name.trim_end_matches('_');
    let words = |v: &str| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in v.chars() {
            match out.last_mut() {
                Some(w) if !c.is_ascii_uppercase() => w.push(c),
                _ => out.push(c.to_string()),
            }
        }
        out
    };
    let names: Vec<String> = variants
        .iter()
        .map(|v| v.to_string().trim_end_matches('_').to_owned())
        .collect();
    if names
        .iter()
        .any(|v| v.starts_with(enum_name) || v.ends_with(enum_name))
    {
        return true;
    }
    if names.len() < 3 {
        return false;
    }
    let split: Vec<Vec<String>> = names.iter().map(|v| words(v)).collect();
    let shared = |pick: fn(&Vec<String>) -> Option<&String>| {
        let first = pick(&split[0]);
        first.is_some() && split.iter().all(|w| w.len() > 1 && pick(w) == first)
    };
    shared(|w| w.first()) || shared(|w| w.last())
}

fn enum_items(a: &Arg, e: &Ident, _index: usize) -> TokenStream {
    let allowed: Vec<&str> =
        a.ty.constraints
            .allowed
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|s| s.as_ref())
            .collect();
    let variants: Vec<Ident> = allowed.iter().map(|v| names::type_ident(v)).collect();
    let n = crate::index(allowed.len());
    let vdocs = allowed
        .iter()
        .map(|v| crate::doc_lines(&crate::code_span(v)));
    let doc = crate::doc_lines(&if a.description.is_empty() {
        format!("Allowed values of argument `{}`.", a.name)
    } else {
        format!(
            "{}\n\nAllowed values of argument `{}`.",
            crate::manifest_prose(&a.description),
            a.name
        )
    });
    let name = a.name.as_ref();
    let default_impl = match &a.default {
        Some(Scalar::String(d)) => allowed.iter().position(|v| *v == d.as_ref()).map(|i| {
            let v = &variants[i];
            quote! {
                /// The manifest's default value.
                impl __rt::Default for #e {
                    fn default() -> Self {
                        Self::#v
                    }
                }
            }
        }),
        _ => None,
    };
    // The variants are the manifest's values: when they repeat the enum's name or a
    // common word (clippy's `enum_variant_names`), renaming them would misspell the
    // manifest, so that lint alone is allowed on that enum.
    let allow = variant_names_repeat(&e.to_string(), &variants)
        .then(|| quote!(#[allow(clippy::enum_variant_names)]));
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #allow
        pub enum #e {
            #(#vdocs #variants,)*
        }

        impl #e {
            /// Every allowed value, in manifest order.
            pub const ALL: [Self; #n] = [#(Self::#variants),*];
            /// The allowed values as written in the manifest.
            pub const VALUES: [&'static str; #n] = [#(#allowed),*];

            /// The value exactly as written in the manifest.
            pub const fn as_str(self) -> &'static str {
                Self::VALUES[self as usize]
            }
        }

        impl __rt::ManifestEnum for #e {
            const ARG: &'static str = #name;
            const ALL: &'static [Self] = &Self::ALL;
            const VALUES: &'static [&'static str] = &Self::VALUES;
        }

        #default_impl

        // Display, FromStr and serde: the manifest's text, through `ManifestEnum`.
        __rt::enum_traits!(#e);
    }
}
