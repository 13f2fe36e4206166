//! `[command]`: argv built by a chain of runtime builder calls that reads like the
//! template.
//!
//! Each template token becomes one call on `Argv` (`cladgen_core::invoke::Argv`), the
//! builder the dynamic path drives too, so the argv rules live there once: `.lit`
//! for fixed text, `.arg`/`.opt` for a value, `.var` for an executor variable,
//! `.splice` for a whole-token mapping, `.when` for a whole-token conditional and
//! `.token(|t| ...)` for a token of several pieces. Mappings and conditionals get
//! private helpers named after the manifest's own names (`scan_type_flags()` for
//! `{_scan_type_flags}`, `cond_verbose()` for `{_verbose}`).

use crate::Gen;
use crate::args::ArgSet;
use cladgen_core::model::{
    Arg, CmpOp, CommandRun, CommandSpec, Conditional, ExecVar, Expr, Literal, Mapping, Piece,
    Token, TypeKind,
};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// Methods on the args struct for a `[command]` backend.
pub fn items(g: &Gen, set: &ArgSet<'_>, spec: &CommandSpec) -> TokenStream {
    let ty = &set.ty;
    let cg = CmdGen::new(set, spec);
    let body = match &spec.run {
        CommandRun::Template { tokens, source } => {
            let doc = crate::doc_lines(&format!(
                "The argv of this call: {} tokenised at build time.\n\nEach token is one argv element; values are never split and never pass through a shell. `argv[0]` is the program. Fixed tokens, values and context variables are borrowed: only tokens that combine several pieces are allocated.",
                crate::code_span(source)
            ));
            let argv_cow = cg.argv_cow(tokens);
            let owned = owned_argv();
            quote! {
                #doc
                #argv_cow
                #owned
            }
        }
        CommandRun::Exec { tokens } => {
            let argv_cow = cg.argv_cow(tokens);
            let owned = owned_argv();
            quote! {
                /// The argv of this call from the manifest's `exec` array: one element per
                /// entry, never split, never through a shell. `argv[0]` is the program.
                ///
                /// Fixed tokens, values and context variables are borrowed: only tokens
                /// that combine several pieces are allocated.
                #argv_cow
                #owned
            }
        }
        CommandRun::Executor { path } => {
            let env = set.args.iter().zip(&set.fields).map(|(a, f)| {
                let id = &f.ident;
                let name = a.name.as_ref();
                if f.optional {
                    quote! {
                        if let __rt::Some(v) = &self.#id {
                            env.push((#name, __rt::ToString::to_string(v)));
                        }
                    }
                } else {
                    quote!(env.push((#name, __rt::ToString::to_string(&self.#id)));)
                }
            });
            let tool = g.tool.as_str();
            // Room for every argument: the pushes never reach the capacity.
            let cap = crate::index(set.args.len() + 1);
            let out_dir = match g.evidence_output_dir.as_deref() {
                Some(d) => quote!(__rt::Some(#d)),
                None => quote!(__rt::None),
            };
            quote! {
                /// The escape-hatch executor call: the program runs with no arguments and
                /// receives each present argument as `TOOLCLAD_ARG_<NAME>`, plus
                /// `TOOLCLAD_SCAN_ID`, `TOOLCLAD_TOOL_NAME`, `TOOLCLAD_EVIDENCE_DIR` and
                /// `TOOLCLAD_OUTPUT_DIR`.
                pub fn executor(&self, ctx: &__rt::ExecContext) -> __rt::Result<__rt::ExecutorCall, __rt::InvokeError> {
                    let mut env: __rt::Vec<(&'static str, __rt::String)> = __rt::Vec::with_capacity(#cap);
                    #(#env)*
                    __rt::ExecutorCall::new(#path, #tool, ctx, #out_dir, env)
                }

                /// The argv of an executor tool: the program alone (values travel in the environment).
                pub fn argv(&self, _ctx: &__rt::ExecContext) -> __rt::Vec<__rt::String> {
                    ::std::vec![__rt::String::from(#path)]
                }
            }
        }
    };
    let command = match &spec.run {
        CommandRun::Executor { .. } => quote! {
            /// A [`std::process::Command`] for the executor (environment set, no shell).
            pub fn command(&self, ctx: &__rt::ExecContext) -> __rt::Command {
                __rt::executor_command(self.executor(ctx))
            }
        },
        // `argv()` and `command()` from `argv_cow()` (with `owned_argv()` above).
        _ => TokenStream::new(),
    };
    let helpers = match &spec.run {
        CommandRun::Executor { .. } => TokenStream::new(),
        CommandRun::Template { tokens, .. } | CommandRun::Exec { tokens } => cg.helpers(tokens),
    };
    quote! {
        impl #ty {
            #body
            #command
            #helpers
        }
    }
}

struct CmdGen<'a> {
    set: &'a ArgSet<'a>,
    spec: &'a CommandSpec,
    /// `__rt` (the tool module's alias of `cladgen::__private`): where `Argv`,
    /// `Flags` and `ExecVar` live.
    p: TokenStream,
    /// Helper names: `mapping_fns[i]` for `mappings[i]`, `cond_fns[i]` for
    /// `conditionals[i]`.
    mapping_fns: Vec<Ident>,
    cond_fns: Vec<Ident>,
}

impl<'a> CmdGen<'a> {
    fn new(set: &'a ArgSet<'a>, spec: &'a CommandSpec) -> Self {
        // Named after the manifest's names (`cladgen_core::names::helper_names`, the
        // rule the loader checks for collisions).
        let (mapping_fns, cond_fns) = cladgen_core::names::helper_names(
            spec.mappings
                .iter()
                .map(|m| set.args.get(m.arg).map_or("mapping", |a| a.name.as_ref())),
            spec.conditionals.iter().map(|c| c.name.as_ref()),
        );
        let mapping_fns: Vec<Ident> = mapping_fns.iter().map(|n| format_ident!("{n}")).collect();
        let cond_fns: Vec<Ident> = cond_fns.iter().map(|n| format_ident!("{n}")).collect();
        CmdGen {
            set,
            spec,
            p: quote!(__rt),
            mapping_fns,
            cond_fns,
        }
    }

    fn arg(&self, i: usize) -> (&Arg, &crate::args::Field) {
        (&self.set.args[i], &self.set.fields[i])
    }

    /// `argv_cow()`: one builder call per token, in template order.
    fn argv_cow(&self, tokens: &[Token]) -> TokenStream {
        let p = &self.p;
        let ctx = format_ident!("{}", if self.uses_ctx(tokens) { "ctx" } else { "_ctx" });
        // The most elements the template can produce: building never reallocates.
        let cap = crate::index(self.max_len(tokens, false));
        let calls = self.calls(tokens, false);
        quote! {
            pub fn argv_cow<'a>(&'a self, #ctx: &'a __rt::ExecContext) -> __rt::Vec<__rt::Cow<'a, str>> {
                #p::Argv::with_capacity(#cap)
                    #calls
                    .finish()
            }
        }
    }

    /// The builder calls for `tokens` (`.lit("-v").arg(&self.target)...`).
    fn calls(&self, tokens: &[Token], in_fragment: bool) -> TokenStream {
        tokens.iter().map(|t| self.call(t, in_fragment)).collect()
    }

    fn call(&self, t: &Token, in_fragment: bool) -> TokenStream {
        match &t.pieces[..] {
            [Piece::Mapping(i)] => {
                let flags = self.flags_call(*i);
                quote!(.splice(#flags))
            }
            [Piece::Conditional(i)] => {
                let holds = self.holds_call(*i);
                let fragment = self.fragment(*i, in_fragment);
                quote!(.when(#holds, |a| a #fragment))
            }
            [single] => self.piece(single, in_fragment),
            pieces => {
                let parts = pieces.iter().map(|p| self.piece(p, in_fragment));
                quote!(.token(|t| t #(#parts)*))
            }
        }
    }

    /// One piece as a call on `Argv` (a token of its own) or on `Token` (part of a
    /// larger token): `Argv` and `Token` share the method names, except for the
    /// pieces handled as whole tokens in [`call`](Self::call).
    fn piece(&self, piece: &Piece, in_fragment: bool) -> TokenStream {
        match piece {
            Piece::Lit(s) => {
                let s = s.as_ref();
                quote!(.lit(#s))
            }
            Piece::Arg(i) => {
                let (_, f) = self.arg(*i);
                let id = &f.ident;
                if f.optional {
                    quote!(.opt(self.#id.as_ref()))
                } else {
                    quote!(.arg(&self.#id))
                }
            }
            Piece::Var(v) => {
                let v = self.var(*v);
                quote!(.var(ctx, #v))
            }
            Piece::Mapping(i) => {
                let flags = self.flags_call(*i);
                quote!(.flags(#flags))
            }
            Piece::Conditional(i) => {
                let holds = self.holds_call(*i);
                let fragment = self.fragment(*i, in_fragment);
                quote!(.when(#holds, |a| a #fragment))
            }
        }
    }

    /// `self.<arg>_flags()` for mapping `i`.
    fn flags_call(&self, i: usize) -> TokenStream {
        match self.mapping_fns.get(i) {
            Some(f) => quote!(self.#f()),
            None => model_error(&format!("mapping index {i} is out of range")),
        }
    }

    /// `self.cond_<name>()` for conditional `i`.
    fn holds_call(&self, i: usize) -> TokenStream {
        match self.cond_fns.get(i) {
            Some(f) => quote!(self.#f()),
            None => model_error(&format!("conditional index {i} is out of range")),
        }
    }

    /// The tokens of conditional `i`'s fragment (none for an index the model lacks).
    fn fragment_tokens(&self, i: usize) -> &[Token] {
        self.spec.conditionals.get(i).map_or(&[], |c| &c.tokens)
    }

    /// The builder calls of conditional `i`'s fragment.
    fn fragment(&self, i: usize, in_fragment: bool) -> TokenStream {
        if in_fragment {
            // The loader refuses this; a hand-built model fails to compile.
            let error = model_error(&format!(
                "conditional index {i} is used inside another conditional's fragment"
            ));
            return quote!(.lit(#error));
        }
        self.calls(self.fragment_tokens(i), true)
    }

    /// The most argv elements `tokens` can produce.
    fn max_len(&self, tokens: &[Token], in_fragment: bool) -> usize {
        tokens
            .iter()
            .map(|t| match &t.pieces[..] {
                [Piece::Mapping(i)] => self
                    .spec
                    .mappings
                    .get(*i)
                    .and_then(|m| m.entries.iter().map(|e| e.tokens.len()).max())
                    .unwrap_or(0),
                [Piece::Conditional(i)] if !in_fragment => {
                    self.max_len(self.fragment_tokens(*i), true)
                }
                _ => 1,
            })
            .sum()
    }

    /// The mappings and conditionals `tokens` refer to (through fragments too).
    fn referenced(&self, tokens: &[Token], in_fragment: bool, out: &mut Refs) {
        for p in tokens.iter().flat_map(|t| t.pieces.iter()) {
            match p {
                Piece::Mapping(i) if *i < self.spec.mappings.len() => {
                    out.mappings.insert(*i);
                }
                Piece::Conditional(i)
                    if !in_fragment
                        && *i < self.spec.conditionals.len()
                        && out.conditionals.insert(*i) =>
                {
                    self.referenced(self.fragment_tokens(*i), true, out);
                }
                _ => {}
            }
        }
    }

    /// Whether building `tokens` reads the execution context.
    fn uses_ctx(&self, tokens: &[Token]) -> bool {
        let mut refs = Refs::default();
        self.referenced(tokens, false, &mut refs);
        let fragments = refs
            .conditionals
            .iter()
            .flat_map(|i| self.fragment_tokens(*i).iter());
        tokens
            .iter()
            .chain(fragments)
            .flat_map(|t| t.pieces.iter())
            .any(|p| matches!(p, Piece::Var(_)))
    }

    /// The private helpers the argv uses: one per mapping (the current value's
    /// flags) and one per conditional (whether it holds). Unreferenced ones are left
    /// out (the loader warns about them), so nothing is dead code.
    fn helpers(&self, tokens: &[Token]) -> TokenStream {
        let mut refs = Refs::default();
        self.referenced(tokens, false, &mut refs);
        let mut out = TokenStream::new();
        for &i in &refs.mappings {
            out.extend(self.mapping_fn(i, &self.spec.mappings[i]));
        }
        for &i in &refs.conditionals {
            let c = &self.spec.conditionals[i];
            let name = &self.cond_fns[i];
            let expr = self.expr(&c.when, false);
            let doc = crate::doc_lines(&cond_doc(c));
            out.extend(quote! {
                #doc
                fn #name(&self) -> bool {
                    #expr
                }
            });
        }
        out
    }

    /// `fn <arg>_flags(&self)`: the flags of the current value; an `Option` only when
    /// the argument may be absent or a value has no flags.
    fn mapping_fn(&self, i: usize, m: &Mapping) -> TokenStream {
        let p = &self.p;
        let name = &self.mapping_fns[i];
        let (a, f) = self.arg(m.arg);
        let id = &f.ident;
        let values: Vec<&str> = match (&a.ty.kind, &a.ty.constraints.allowed) {
            (TypeKind::Boolean, _) => vec!["true", "false"],
            (_, Some(allowed)) => allowed.iter().map(|v| v.as_ref()).collect(),
            _ => Vec::new(),
        };
        let total = values
            .iter()
            .all(|v| m.entries.iter().any(|e| e.value == *v));
        let is_bool = a.ty.kind == TypeKind::Boolean;
        let arms = m.entries.iter().filter_map(|e| {
            let pattern = match (&f.enum_ty, is_bool) {
                (Some(en), _) => {
                    let v = crate::names::type_ident(&e.value);
                    quote!(#en::#v)
                }
                // The loader keys a boolean's mapping by `true`/`false` only.
                (None, true) => match e.value.as_ref() {
                    "true" => quote!(true),
                    "false" => quote!(false),
                    _ => return None,
                },
                (None, false) => {
                    let v = e.value.as_ref();
                    quote!(#v)
                }
            };
            let text = e.text.as_ref();
            let toks = e.tokens.iter().map(|t| t.as_ref());
            let flags = quote!(#p::Flags::new(#text, &[#(#toks),*]));
            Some(if total {
                quote!(#pattern => #flags,)
            } else {
                quote!(#pattern => __rt::Some(#flags),)
            })
        });
        // The value to match: enums and booleans by value (both are `Copy`), other
        // types by their argv text.
        let value = match (&f.enum_ty, is_bool, f.optional) {
            (Some(_), _, false) => quote!(self.#id),
            (Some(_), _, true) => quote!(self.#id?),
            (None, true, false) => quote!(self.#id.get()),
            (None, true, true) => quote!(self.#id?.get()),
            (None, false, false) => quote!(&*__rt::ArgValue::to_argv(&self.#id)),
            (None, false, true) => quote!(&*__rt::ArgValue::to_argv(self.#id.as_ref()?)),
        };
        let doc = crate::doc_lines(&format!(
            "`{{_{}_flags}}`: the flags `[command.mappings.{}]` gives the current value.",
            a.name, a.name
        ));
        let flags_ty = quote!(#p::Flags<'static>);
        match (total, f.optional) {
            (true, false) => quote! {
                #doc
                fn #name(&self) -> #flags_ty {
                    match #value {
                        #(#arms)*
                    }
                }
            },
            (true, true) => quote! {
                #doc
                fn #name(&self) -> __rt::Option<#flags_ty> {
                    __rt::Some(match #value {
                        #(#arms)*
                    })
                }
            },
            (false, _) => quote! {
                #doc
                fn #name(&self) -> __rt::Option<#flags_ty> {
                    match #value {
                        #(#arms)*
                        _ => __rt::None,
                    }
                }
            },
        }
    }

    fn var(&self, v: ExecVar) -> TokenStream {
        let p = &self.p;
        match v {
            ExecVar::ScanId => quote!(#p::ExecVar::ScanId),
            ExecVar::OutputFile => quote!(#p::ExecVar::OutputFile),
            ExecVar::EvidenceDir => quote!(#p::ExecVar::EvidenceDir),
        }
    }

    /// A `when` expression as Rust boolean code over the typed fields; `nested`
    /// operands get parentheses.
    fn expr(&self, x: &Expr, nested: bool) -> TokenStream {
        match x {
            Expr::Or(v) | Expr::And(v) => {
                let parts = v.iter().map(|x| self.expr(x, true));
                let joined = if matches!(x, Expr::Or(_)) {
                    quote!(#(#parts)||*)
                } else {
                    quote!(#(#parts)&&*)
                };
                if nested { quote!((#joined)) } else { joined }
            }
            Expr::Present { arg } => {
                let (a, f) = self.arg(*arg);
                let id = &f.ident;
                let is_bool = a.ty.kind == TypeKind::Boolean;
                match (f.optional, is_bool) {
                    (true, true) => quote!(self.#id.as_ref().is_some_and(|v| v.get())),
                    (true, false) => quote!(self.#id.is_some()),
                    (false, true) => quote!(self.#id.get()),
                    (false, false) => quote!(true),
                }
            }
            Expr::Compare { arg, op, value } => {
                let (a, f) = self.arg(*arg);
                let id = &f.ident;
                let ne = *op == CmpOp::Ne;
                if matches!(value, Literal::Str(s) if s.is_empty()) {
                    // An absent argument equals ''. An optional argument is never present
                    // with empty text (the empty string means absent); a required or
                    // defaulted one is compared by its text.
                    return match (f.optional, ne) {
                        (true, false) => quote!(self.#id.is_none()),
                        (true, true) => quote!(self.#id.is_some()),
                        (false, false) => {
                            quote!(__rt::ArgValue::to_argv(&self.#id).is_empty())
                        }
                        (false, true) => {
                            quote!(!__rt::ArgValue::to_argv(&self.#id).is_empty())
                        }
                    };
                }
                let en = f.enum_ty.as_ref();
                if !f.optional {
                    let operand = (quote!(self.#id), quote!(&self.#id));
                    return compare(a, en, &operand, value, ne);
                }
                let cmp = compare(a, en, &(quote!(v), quote!(v)), value, ne);
                if ne {
                    quote!(self.#id.as_ref().is_none_or(|v| #cmp))
                } else {
                    // Absent differs from every non-empty literal.
                    quote!(self.#id.as_ref().is_some_and(|v| #cmp))
                }
            }
        }
    }
}

/// `value == literal` (or `!=` when `ne`) for a present value, following the
/// argument's type. `operand` is the value as a method receiver (`v`, `self.x`) and
/// as a `&T` (`v`, `&self.x`).
fn compare(
    a: &Arg,
    enum_ty: Option<&Ident>,
    operand: &(TokenStream, TokenStream),
    lit: &Literal,
    ne: bool,
) -> TokenStream {
    let (v, v_ref) = operand;
    let op = if ne { quote!(!=) } else { quote!(==) };
    match (&a.ty.kind, lit) {
        (TypeKind::Integer, Literal::Int(i)) => {
            let i = proc_macro2::Literal::i64_unsuffixed(*i);
            quote!(#v.get() #op #i)
        }
        (TypeKind::Port, Literal::Int(i)) => match u16::try_from(*i) {
            Ok(port) => {
                let port = proc_macro2::Literal::u16_unsuffixed(port);
                quote!(#v.get() #op #port)
            }
            // No port has that number.
            Err(_) => {
                let i = proc_macro2::Literal::i64_unsuffixed(*i);
                quote!(i64::from(#v.get()) #op #i)
            }
        },
        (TypeKind::Number, Literal::Int(i)) => {
            let f = float(*i as f64);
            quote!(#v.get() #op #f)
        }
        (TypeKind::Number, Literal::Float(f)) => {
            let f = float(*f);
            quote!(#v.get() #op #f)
        }
        (TypeKind::Boolean, Literal::Bool(b)) => {
            // `v.get() == true` is just `v.get()`.
            match (b, ne) {
                (true, false) | (false, true) => quote!(#v.get()),
                _ => quote!(!#v.get()),
            }
        }
        (_, Literal::Str(s)) if enum_ty.is_some() => {
            let s = s.as_ref();
            quote!(#v.as_str() #op #s)
        }
        (_, lit) => {
            let text = match lit {
                Literal::Str(s) => s.to_string(),
                Literal::Int(i) => i.to_string(),
                Literal::Float(f) => f.to_string(),
                Literal::Bool(b) => b.to_string(),
            };
            quote!(__rt::ArgValue::to_argv(#v_ref) #op #text)
        }
    }
}

/// An `f64` expression (the loader only lets finite literals through; the others
/// are spelled as constants rather than panicking the literal constructor).
fn float(f: f64) -> TokenStream {
    if f.is_nan() {
        quote!(f64::NAN)
    } else if f == f64::INFINITY {
        quote!(f64::INFINITY)
    } else if f == f64::NEG_INFINITY {
        quote!(f64::NEG_INFINITY)
    } else {
        let f = proc_macro2::Literal::f64_unsuffixed(f);
        quote!(#f)
    }
}

/// Generated code that does not compile, for a model the loader would have refused
/// (a hand-built one): the build fails with `detail` instead of producing an argv.
fn model_error(detail: &str) -> TokenStream {
    let msg = format!("cladgen: the command model is inconsistent: {detail}");
    quote!(::core::compile_error!(#msg))
}

/// The mapping and conditional indices an argv refers to, in index order.
#[derive(Default)]
struct Refs {
    mappings: BTreeSet<usize>,
    conditionals: BTreeSet<usize>,
}

fn cond_doc(c: &Conditional) -> String {
    format!(
        "Conditional `{}`: {}, compiled at build time.",
        c.name,
        crate::code_span(&c.when_source)
    )
}

/// `argv()` and `command()`: the owned form of `argv_cow()` and that argv run
/// directly, one runtime macro for every argv tool.
fn owned_argv() -> TokenStream {
    quote!(__rt::argv_methods!();)
}

#[cfg(test)]
mod tests {
    use crate::GenOptions;
    use cladgen_core::load::{self, LoadOptions};
    use cladgen_core::model::{Backend, Manifest, Piece, Token};
    use std::borrow::Cow;
    use std::path::Path;

    fn load(text: &str) -> Manifest {
        let loaded = load::load_str(Path::new("t.clad.toml"), text, &LoadOptions::default());
        match loaded.manifest {
            Some(m) => m,
            None => panic!("the test manifest must load: {:?}", loaded.diagnostics),
        }
    }

    fn generate(m: &Manifest) -> String {
        crate::tool_items(m, &GenOptions::default())
            .unwrap()
            .to_string()
    }

    const COLLIDING: &str = r#"[tool]
name = "names"
version = "1.0.0"
description = "Helper names that could meet"

[args.cond_x]
type = "boolean"
description = "mapped: its helper is cond_x_flags"

[command]
template = "tool {_cond_x_flags} {_x_flags}"

[command.mappings.cond_x]
true = "--on"
false = "--off"

[command.conditionals.x_flags]
when = "cond_x"
template = "-v"

[output]
format = "text"
"#;

    #[test]
    fn helpers_are_named_after_the_manifest_and_never_collide() {
        let code = generate(&load(COLLIDING));
        // The mapping helper is named after `{_cond_x_flags}`; the conditional's
        // natural name `cond_x_flags` is taken, so it gets a suffix.
        assert!(code.contains("fn cond_x_flags (& self)"), "{code}");
        assert!(
            code.contains("fn cond_x_flags_holds (& self) -> bool"),
            "{code}"
        );
        assert!(code.contains(". splice (self . cond_x_flags ())"), "{code}");
        assert!(
            code.contains(". when (self . cond_x_flags_holds () , | a | a . lit (\"-v\"))"),
            "{code}"
        );
        assert!(
            !code.contains("__mapping") && !code.contains("__cond"),
            "{code}"
        );
    }

    #[test]
    fn a_nested_conditional_in_a_hand_built_model_is_a_generator_error_not_recursion() {
        let mut m = load(COLLIDING);
        let Backend::Command(spec) = &mut m.backend else {
            panic!("a command tool")
        };
        // The loader refuses this: a fragment that refers to its own conditional.
        let nested = Token {
            pieces: Cow::Owned(vec![Piece::Conditional(0)]),
        };
        spec.conditionals.to_mut()[0].tokens = Cow::Owned(vec![nested]);
        // Never handed on as code: `compile_error!` in the output is an error.
        let err = crate::tool_items(&m, &GenOptions::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("conditional index 0 is used inside another conditional's fragment"),
            "{err}"
        );
    }

    #[test]
    fn the_argv_capacity_is_the_most_the_template_produces() {
        let code = generate(&load(COLLIDING));
        // `tool`, the longest mapping (one token), the fragment (one token).
        assert!(code.contains("Argv :: with_capacity (3)"), "{code}");
    }
}
