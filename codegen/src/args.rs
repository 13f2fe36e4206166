//! Typed argument structs, enums for enum arguments, JSON parsing and builders.
//!
//! Used for a tool's `[args]` and, with the same code, for the arguments of each
//! session and browser command.

use crate::names;
use crate::{CodegenError, Gen};
use cladgen_core::model::{Arg, TypeKind};
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
    /// Name of the private `static` holding the constraints.
    pub constraints: Ident,
}

impl<'a> ArgSet<'a> {
    /// Plans the fields of `args`; `taken` holds type names already used in the module.
    pub fn new(
        g: &Gen,
        args: &'a [Arg],
        ty: Ident,
        prefix: &str,
        taken: &mut Vec<String>,
    ) -> Result<Self, CodegenError> {
        let rt = &g.rt;
        let mut fields = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let ident = names::field_ident(&a.name);
            let (value_ty, enum_ty) = match &a.ty.kind {
                TypeKind::Enum => {
                    let name = names::pascal(&a.name);
                    claim(taken, &name, &g.tool, &a.name)?;
                    // Allowed values become variants: two that map to one Rust name
                    // (`a-b` and `a_b`) would not compile.
                    let mut variants: Vec<(String, &str)> = Vec::new();
                    for v in a.ty.constraints.allowed.iter().flat_map(|l| l.iter()) {
                        let variant = names::pascal(v);
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
                    (quote!(#rt::value::#t), None)
                }
            };
            fields.push(Field {
                ident,
                value_ty,
                enum_ty,
                optional: !a.required && a.default.is_none(),
                constraints: format_ident!("{}_C{}", prefix, i),
            });
        }
        Ok(ArgSet {
            args,
            ty,
            fields,
            session_command: None,
        })
    }

    /// The field type as declared in the struct.
    fn field_ty(f: &Field) -> TokenStream {
        let t = &f.value_ty;
        if f.optional {
            quote!(::core::option::Option<#t>)
        } else {
            t.clone()
        }
    }

    /// Constraint statics, enums, the struct, its builder and its impls.
    pub fn items(&self, g: &Gen, doc: &str) -> TokenStream {
        let rt = &g.rt;
        let mut out = TokenStream::new();
        for (a, f) in self.args.iter().zip(&self.fields) {
            let mut em = crate::literal::Emitter::new(rt.clone());
            let c = em.constraints(&a.ty.constraints);
            let name = &f.constraints;
            out.extend(quote!(static #name: #rt::model::Constraints = #c;));
            if let Some(e) = &f.enum_ty {
                out.extend(enum_items(g, a, e, name));
            }
        }
        out.extend(self.struct_items(g, doc));
        out
    }

    fn struct_items(&self, g: &Gen, doc: &str) -> TokenStream {
        let rt = &g.rt;
        let ty = &self.ty;
        let builder = format_ident!("{}Builder", ty);
        let docs = crate::doc_lines(doc);
        let field_decls = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let id = &f.ident;
            let t = Self::field_ty(f);
            let d = crate::doc_lines(&arg_doc(a));
            quote!(#d pub #id: #t,)
        });
        let mut names: Vec<&str> = self.args.iter().map(|a| a.name.as_ref()).collect();
        // A session command's text comes first, as the `command` field.
        let text = self.session_command.as_deref().map(|cmd| {
            let doc = crate::doc_lines(&format!(
                "The text sent to the session for `{cmd}`, checked against the command's pattern (whole value), the injection set and `input_sanitize`."
            ));
            (
                quote!(#doc pub command: #rt::invoke::CommandText,),
                quote! {
                    let command = errors.collect(#rt::invoke::CommandText::from_json(
                        &MANIFEST, #cmd, __slot_command.filter(|v| !v.is_null()),
                    ));
                },
            )
        });
        if text.is_some() {
            names.insert(0, "command");
        }
        let (text_decl, text_parse) = text.unzip();
        // One `Option<&Value>` slot per key the call may carry.
        let slot_names: Vec<&str> = names.clone();
        let slots: Vec<Ident> = slot_names
            .iter()
            .map(|n| format_ident!("__slot_{}", n))
            .collect();
        let walk = if slots.is_empty() {
            quote! {
                for key in obj.keys() {
                    errors.push(#rt::ArgError::unknown(key, &Self::ARG_NAMES));
                }
            }
        } else {
            quote! {
                for (key, value) in obj {
                    match key.as_str() {
                        #(#slot_names => #slots = ::core::option::Option::Some(value),)*
                        _ => errors.push(#rt::ArgError::unknown(key, &Self::ARG_NAMES)),
                    }
                }
            }
        };
        let text_ident: Vec<Ident> = self
            .session_command
            .iter()
            .map(|_| format_ident!("command"))
            .collect();
        let parse_fields = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let t = &f.value_ty;
            let c = &f.constraints;
            let name = a.name.as_ref();
            let required = a.required;
            let default = match &a.default {
                Some(s) => {
                    let mut em = crate::literal::Emitter::new(rt.clone());
                    let s = em.scalar(s);
                    quote!(::core::option::Option::Some(&#s))
                }
                None => quote!(::core::option::Option::None),
            };
            let slot = format_ident!("__slot_{}", a.name.as_ref());
            let var = local(a);
            quote! {
                let #var = errors.collect(#rt::__private::field::parse_value::<#t>(
                    #slot, &#rt::ArgSpec::new(#name, &#c), #required, #default, opts,
                ));
            }
        });
        let idents: Vec<&Ident> = self.fields.iter().map(|f| &f.ident).collect();
        let locals: Vec<Ident> = self.args.iter().map(local).collect();
        // `Some(x)` patterns: required/defaulted fields come back as `Some(Some(v))`.
        let pats = self.fields.iter().zip(&locals).map(|(f, id)| {
            if f.optional {
                quote!(::core::option::Option::Some(#id))
            } else {
                quote!(::core::option::Option::Some(::core::option::Option::Some(#id)))
            }
        });
        let to_json = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let id = &f.ident;
            let name = a.name.as_ref();
            if f.optional {
                quote! {
                    if let ::core::option::Option::Some(v) = &self.#id {
                        map.insert(#name.into(), #rt::ArgValue::to_json(v));
                    }
                }
            } else {
                quote!(map.insert(#name.into(), #rt::ArgValue::to_json(&self.#id));)
            }
        });
        // Builder: required arguments are parameters of `builder()`, so they cannot be
        // forgotten; optional ones are setters; defaults are applied by `build()`.
        let required: Vec<(&Arg, &Field)> = self
            .args
            .iter()
            .zip(&self.fields)
            .filter(|(a, _)| a.required)
            .collect();
        let req_params = self
            .session_command
            .iter()
            .map(|_| quote!(command: #rt::invoke::CommandText))
            .chain(required.iter().map(|(_, f)| {
                let id = &f.ident;
                let t = &f.value_ty;
                quote!(#id: #t)
            }));
        let builder_fields = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let id = &f.ident;
            let t = &f.value_ty;
            if a.required {
                quote!(#id: #t,)
            } else {
                quote!(#id: ::core::option::Option<#t>,)
            }
        });
        let builder_init = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let id = &f.ident;
            if a.required {
                quote!(#id,)
            } else {
                quote!(#id: ::core::option::Option::None,)
            }
        });
        let setters = self
            .args
            .iter()
            .zip(&self.fields)
            .filter(|(a, _)| !a.required)
            .map(|(a, f)| {
                let id = &f.ident;
                let t = &f.value_ty;
                let d = crate::doc_lines(&format!("Sets `{}`.", a.name));
                quote! {
                    #d
                    pub fn #id(mut self, value: #t) -> Self {
                        self.#id = ::core::option::Option::Some(value);
                        self
                    }
                }
            });
        let build_fields = self.args.iter().zip(&self.fields).map(|(a, f)| {
            let id = &f.ident;
            let t = &f.value_ty;
            let c = &f.constraints;
            let name = a.name.as_ref();
            match (&a.default, a.required) {
                (_, true) | (None, false) => {
                    let var = local(a);
                    quote!(let #var = ::core::option::Option::Some(self.#id);)
                }
                (Some(d), false) => {
                    let mut em = crate::literal::Emitter::new(rt.clone());
                    let s = em.scalar(d);
                    let var = local(a);
                    quote! {
                        let #var = match self.#id {
                            ::core::option::Option::Some(v) => ::core::option::Option::Some(v),
                            ::core::option::Option::None => errors.collect(
                                <#t as #rt::ArgValue>::parse_json(
                                    &#rt::ArgSpec::new(#name, &#c),
                                    &(#s).to_json(),
                                    &#rt::ParseOptions::DEFAULT,
                                ),
                            ),
                        };
                    }
                }
            }
        });
        let build_pats = locals
            .iter()
            .map(|id| quote!(::core::option::Option::Some(#id)));
        let has_defaults = self.args.iter().any(|a| !a.required && a.default.is_some());
        let errors_decl = if has_defaults {
            quote!(let mut errors = #rt::ArgErrors::new();)
        } else {
            quote!(let errors = #rt::ArgErrors::new();)
        };
        let map_decl = if self.args.is_empty() && self.session_command.is_none() {
            quote!(let map = #rt::__private::serde_json::Map::new();)
        } else {
            quote!(let mut map = #rt::__private::serde_json::Map::new();)
        };
        let n_args_total = self.args.len() + usize::from(self.session_command.is_some());
        let opts_param = if self.args.is_empty() {
            quote!(_opts)
        } else {
            quote!(opts)
        };
        let struct_doc =
            format!("Builds [`{ty}`]: required arguments are parameters of [`{ty}::builder`].");
        let sd = crate::doc_lines(&struct_doc);
        let n_args = crate::index(n_args_total);
        quote! {
            #docs
            #[derive(Clone, Debug, PartialEq)]
            pub struct #ty {
                #text_decl
                #(#field_decls)*
            }

            impl #ty {
                /// Every argument name, in argument order.
                pub const ARG_NAMES: [&'static str; #n_args] = [#(#names),*];

                /// Starts a builder from the required arguments.
                pub fn builder(#(#req_params),*) -> #builder {
                    #builder { #(#text_ident,)* #(#builder_init)* }
                }

                /// Validates the JSON arguments of a call with the default options (see
                /// [`Self::from_json_with`]).
                ///
                /// Every invalid, missing or unknown argument is reported at once.
                pub fn from_json(value: &#rt::__private::serde_json::Value) -> ::core::result::Result<Self, #rt::ArgErrors> {
                    Self::from_json_with(value, &#rt::ParseOptions::DEFAULT)
                }

                /// Like [`Self::from_json`], with explicit options (e.g. the credential file base directory).
                pub fn from_json_with(
                    value: &#rt::__private::serde_json::Value,
                    #opts_param: &#rt::ParseOptions,
                ) -> ::core::result::Result<Self, #rt::ArgErrors> {
                    let obj = #rt::__private::field::object(value)?;
                    let mut errors = #rt::ArgErrors::new();
                    // One walk over the call: each key to its argument's slot, unknown keys
                    // reported in key order; then each argument in order (as the dynamic path).
                    #(let mut #slots: ::core::option::Option<&#rt::__private::serde_json::Value> = ::core::option::Option::None;)*
                    #walk
                    #text_parse
                    #(#parse_fields)*
                    match (#(#text_ident,)* #(#locals,)*) {
                        (#(::core::option::Option::Some(#text_ident),)* #(#pats,)*) if errors.is_empty() => {
                            ::core::result::Result::Ok(Self { #(#text_ident,)* #(#idents: #locals),* })
                        }
                        _ => ::core::result::Result::Err(errors),
                    }
                }

                /// The arguments as a JSON object (absent optional arguments omitted).
                pub fn to_json(&self) -> #rt::__private::serde_json::Value {
                    #map_decl
                    #(map.insert("command".into(), self.#text_ident.to_json());)*
                    #(#to_json)*
                    #rt::__private::serde_json::Value::Object(map)
                }
            }

            #sd
            #[derive(Clone, Debug)]
            #[must_use]
            pub struct #builder {
                #(#text_ident: #rt::invoke::CommandText,)*
                #(#builder_fields)*
            }

            impl #builder {
                #(#setters)*

                /// Applies the defaults of unset optional arguments and builds the arguments.
                pub fn build(self) -> ::core::result::Result<#ty, #rt::ArgErrors> {
                    #errors_decl
                    #(#build_fields)*
                    match (#(#locals,)*) {
                        (#(#build_pats,)*) if errors.is_empty() => {
                            ::core::result::Result::Ok(#ty { #(#text_ident: self.#text_ident,)* #(#idents: #locals),* })
                        }
                        _ => ::core::result::Result::Err(errors),
                    }
                }
            }

            impl #rt::__private::serde::Serialize for #ty {
                fn serialize<S: #rt::__private::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                    #rt::__private::serde::Serialize::serialize(&self.to_json(), serializer)
                }
            }

            /// Deserialising validates like [`from_json`](Self::from_json) and refuses unknown fields.
            impl<'de> #rt::__private::serde::Deserialize<'de> for #ty {
                fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                    let value = <#rt::__private::serde_json::Value as #rt::__private::serde::Deserialize>::deserialize(deserializer)?;
                    Self::from_json(&value).map_err(<D::Error as #rt::__private::serde::de::Error>::custom)
                }
            }
        }
    }
}

/// The local variable holding an argument while a value is assembled: prefixed, so
/// an argument named like a local of the generated code (`errors`, `opts`) or a
/// keyword cannot clash. The JSON slots are `__slot_<name>`: the two prefixes can
/// never produce the same name.
fn local(a: &Arg) -> Ident {
    format_ident!("__arg_{}", a.name.as_ref())
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

fn enum_items(g: &Gen, a: &Arg, e: &Ident, constraints: &Ident) -> TokenStream {
    let rt = &g.rt;
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
        Some(cladgen_core::model::Scalar::String(d)) => {
            allowed.iter().position(|v| *v == d.as_ref()).map(|i| {
                let v = &variants[i];
                quote! {
                    /// The manifest's default value.
                    impl ::core::default::Default for #e {
                        fn default() -> Self { Self::#v }
                    }
                }
            })
        }
        _ => None,
    };
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
                match self { #(Self::#variants => #allowed,)* }
            }

            fn from_index(spec: &#rt::ArgSpec<'_>, i: usize) -> ::core::result::Result<Self, #rt::ArgError> {
                Self::ALL.get(i).copied().ok_or_else(|| {
                    #rt::ArgError::new(spec.name, #rt::Rule::NotAllowed, "enum index out of range")
                })
            }
        }

        #default_impl

        impl ::core::fmt::Display for #e {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for #e {
            type Err = #rt::ArgError;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                <Self as #rt::ArgValue>::parse_str(&#rt::ArgSpec::new(#name, &#constraints), s, &#rt::ParseOptions::DEFAULT)
            }
        }

        impl #rt::ArgValue for #e {
            fn parse_str(spec: &#rt::ArgSpec<'_>, input: &str, _opts: &#rt::ParseOptions) -> ::core::result::Result<Self, #rt::ArgError> {
                Self::from_index(spec, #rt::value::parse_enum(spec, input, &Self::VALUES)?)
            }
            fn parse_json(spec: &#rt::ArgSpec<'_>, input: &#rt::__private::serde_json::Value, _opts: &#rt::ParseOptions) -> ::core::result::Result<Self, #rt::ArgError> {
                Self::from_index(spec, #rt::value::parse_enum_json(spec, input, &Self::VALUES)?)
            }
            fn to_json(&self) -> #rt::__private::serde_json::Value {
                #rt::__private::serde_json::Value::String(self.as_str().into())
            }
            fn to_argv(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
        }

        impl #rt::__private::serde::Serialize for #e {
            fn serialize<S: #rt::__private::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> #rt::__private::serde::Deserialize<'de> for #e {
            fn deserialize<D: #rt::__private::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                let value = <#rt::__private::serde_json::Value as #rt::__private::serde::Deserialize>::deserialize(deserializer)?;
                <Self as #rt::ArgValue>::parse_json(&#rt::ArgSpec::new(#name, &#constraints), &value, &#rt::ParseOptions::DEFAULT)
                    .map_err(<D::Error as #rt::__private::serde::de::Error>::custom)
            }
        }
    }
}
