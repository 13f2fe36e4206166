//! `[command]`: argv built by straight-line code generated from the template tokens.
//!
//! Semantics (shared with the dynamic path in `cladgen_core::invoke`): each token is one
//! argv element; a token that is exactly one mapping or conditional piece is a splice
//! (it expands to that piece's own tokens, possibly none); a token that refers to an
//! absent optional argument, an unmapped value or a false conditional is dropped.

use crate::Gen;
use crate::args::ArgSet;
use cladgen_core::model::{
    Arg, CmpOp, CommandRun, CommandSpec, Conditional, ExecVar, Expr, Literal, Mapping, Piece,
    Token, TypeKind,
};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// Methods on the args struct for a `[command]` backend.
pub fn items(g: &Gen, set: &ArgSet<'_>, spec: &CommandSpec) -> TokenStream {
    let rt = &g.rt;
    let ty = &set.ty;
    let cg = CmdGen { g, set, spec };
    let helpers = cg.helpers();
    let body = match &spec.run {
        CommandRun::Template { tokens, source } => {
            let pushes = cg.tokens(tokens);
            let (ctx, decl) = (ctx_param(tokens), argv_decl(tokens));
            let doc = crate::doc_lines(&format!(
                "The argv of this call: {} tokenised at build time.\n\nEach token is one argv element; values are never split and never pass through a shell. `argv[0]` is the program. Fixed tokens, values and context variables are borrowed: only tokens that combine several pieces are allocated.",
                crate::code_span(source)
            ));
            let owned = owned_argv(rt);
            quote! {
                #doc
                pub fn argv_cow<'a>(&'a self, #ctx: &'a #rt::ExecContext) -> ::std::vec::Vec<::std::borrow::Cow<'a, str>> {
                    #decl
                    #pushes
                    argv
                }

                #owned
            }
        }
        CommandRun::Exec { tokens } => {
            let pushes = cg.tokens(tokens);
            let (ctx, decl) = (ctx_param(tokens), argv_decl(tokens));
            let owned = owned_argv(rt);
            quote! {
                /// The argv of this call from the manifest's `exec` array: one element per
                /// entry, never split, never through a shell. `argv[0]` is the program.
                ///
                /// Fixed tokens, values and context variables are borrowed: only tokens
                /// that combine several pieces are allocated.
                pub fn argv_cow<'a>(&'a self, #ctx: &'a #rt::ExecContext) -> ::std::vec::Vec<::std::borrow::Cow<'a, str>> {
                    #decl
                    #pushes
                    argv
                }

                #owned
            }
        }
        CommandRun::Executor { path } => {
            let env = set.args.iter().zip(&set.fields).map(|(a, f)| {
                let id = &f.ident;
                let name = a.name.as_ref();
                if f.optional {
                    quote! {
                        if let ::core::option::Option::Some(v) = &self.#id {
                            env.push((#name, ::std::string::ToString::to_string(v)));
                        }
                    }
                } else {
                    quote!(env.push((#name, ::std::string::ToString::to_string(&self.#id)));)
                }
            });
            let tool = g.tool.as_str();
            // Room for every argument: the pushes never reach the capacity.
            let cap = crate::index(set.args.len() + 1);
            let out_dir = match g.evidence_output_dir.as_deref() {
                Some(d) => quote!(::core::option::Option::Some(#d)),
                None => quote!(::core::option::Option::None),
            };
            quote! {
                /// The escape-hatch executor call: the program runs with no arguments and
                /// receives each present argument as `TOOLCLAD_ARG_<NAME>`, plus
                /// `TOOLCLAD_SCAN_ID`, `TOOLCLAD_TOOL_NAME`, `TOOLCLAD_EVIDENCE_DIR` and
                /// `TOOLCLAD_OUTPUT_DIR`.
                pub fn executor(&self, ctx: &#rt::ExecContext) -> ::core::result::Result<#rt::ExecutorCall, #rt::InvokeError> {
                    let mut env: ::std::vec::Vec<(&'static str, ::std::string::String)> = ::std::vec::Vec::with_capacity(#cap);
                    #(#env)*
                    #rt::ExecutorCall::new(#path, #tool, ctx, #out_dir, env)
                }

                /// The argv of an executor tool: the program alone (values travel in the environment).
                pub fn argv(&self, _ctx: &#rt::ExecContext) -> ::std::vec::Vec<::std::string::String> {
                    ::std::vec![::std::string::String::from(#path)]
                }
            }
        }
    };
    let command = match &spec.run {
        CommandRun::Executor { .. } => quote! {
            /// A [`std::process::Command`] for the executor (environment set, no shell).
            pub fn command(&self, ctx: &#rt::ExecContext) -> ::std::process::Command {
                match self.executor(ctx) {
                    ::core::result::Result::Ok(call) => call.to_command(),
                    // Only an empty program fails, and the loader refuses empty executor
                    // paths; spawning this command would fail cleanly all the same.
                    ::core::result::Result::Err(_) => ::std::process::Command::new(""),
                }
            }
        },
        _ => quote! {
            /// A [`std::process::Command`] running [`argv`](Self::argv) directly (never a shell).
            pub fn command(&self, ctx: &#rt::ExecContext) -> ::std::process::Command {
                let argv = self.argv_cow(ctx);
                let mut parts = argv.iter().map(|s| s.as_ref());
                // A checked template always yields a program; an empty one fails at spawn.
                let mut cmd = ::std::process::Command::new(parts.next().unwrap_or_default());
                cmd.args(parts);
                cmd
            }
        },
    };
    quote! {
        impl #ty {
            #body
            #command
            #helpers
        }
    }
}

/// Whether building `tokens` reads the execution context.
fn uses_ctx(tokens: &[Token]) -> bool {
    tokens
        .iter()
        .flat_map(|t| t.pieces.iter())
        .any(|p| matches!(p, Piece::Var(_) | Piece::Conditional(_)))
}

fn ctx_param(tokens: &[Token]) -> Ident {
    format_ident!("{}", if uses_ctx(tokens) { "ctx" } else { "_ctx" })
}

/// `Vec::with_capacity` large enough that the pushes never reach it (no reallocation
/// for plain tokens; splices may grow it).
fn argv_decl(tokens: &[Token]) -> TokenStream {
    let cap = crate::index(tokens.len() + 8);
    quote!(let mut argv: ::std::vec::Vec<::std::borrow::Cow<'a, str>> = ::std::vec::Vec::with_capacity(#cap);)
}

struct CmdGen<'a> {
    g: &'a Gen,
    set: &'a ArgSet<'a>,
    spec: &'a CommandSpec,
}

impl CmdGen<'_> {
    fn arg(&self, i: usize) -> (&Arg, &crate::args::Field) {
        (&self.set.args[i], &self.set.fields[i])
    }

    /// Private helpers: one per mapping (the mapped text and tokens of the current
    /// value) and two per conditional (its condition and its fragment).
    fn helpers(&self) -> TokenStream {
        let rt = &self.g.rt;
        let mut out = TokenStream::new();
        for (i, m) in self.spec.mappings.iter().enumerate() {
            out.extend(self.mapping_fn(i, m));
        }
        for (i, c) in self.spec.conditionals.iter().enumerate() {
            let cond = format_ident!("__cond_{}", i);
            let frag = format_ident!("__fragment_{}", i);
            let expr = self.expr(&c.when, false);
            let pushes = self.tokens(&c.tokens);
            let ctx = ctx_param(&c.tokens);
            let doc = crate::doc_lines(&cond_doc(c));
            out.extend(quote! {
                #doc
                fn #cond(&self) -> bool { #expr }
                fn #frag<'a>(&'a self, #ctx: &'a #rt::ExecContext, argv: &mut ::std::vec::Vec<::std::borrow::Cow<'a, str>>) {
                    #pushes
                }
            });
        }
        out
    }

    fn mapping_fn(&self, i: usize, m: &Mapping) -> TokenStream {
        let name = format_ident!("__mapping_{}", i);
        let (a, f) = self.arg(m.arg);
        let id = &f.ident;
        let bind = if f.optional {
            quote!(let v = self.#id.as_ref()?;)
        } else {
            quote!(let v = &self.#id;)
        };
        let arms = m.entries.iter().map(|e| {
            let text = e.text.as_ref();
            let toks: Vec<&str> = e.tokens.iter().map(|t| t.as_ref()).collect();
            let result = quote!(::core::option::Option::Some((#text, &[#(#toks),*])));
            match &f.enum_ty {
                Some(en) => {
                    let v = crate::names::type_ident(&e.value);
                    quote!(#en::#v => #result,)
                }
                None => {
                    let value = e.value.as_ref();
                    quote!(#value => #result,)
                }
            }
        });
        let scrutinee = if f.enum_ty.is_some() {
            quote!(*v)
        } else {
            let rt = &self.g.rt;
            quote!(&*#rt::ArgValue::to_argv(v))
        };
        let doc = crate::doc_lines(&format!(
            "The flags `[command.mappings.{}]` maps the current value to: (text, tokens).",
            a.name
        ));
        quote! {
            #doc
            #[allow(unreachable_patterns)] // every enum value may be mapped
            fn #name(&self) -> ::core::option::Option<(&'static str, &'static [&'static str])> {
                #bind
                match #scrutinee {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    }

    /// Code that pushes the argv elements of `tokens` onto `argv`.
    fn tokens(&self, tokens: &[Token]) -> TokenStream {
        tokens.iter().map(|t| self.token(t)).collect()
    }

    fn token(&self, t: &Token) -> TokenStream {
        let rt = &self.g.rt;
        if let [single] = &t.pieces[..] {
            match single {
                Piece::Mapping(i) => {
                    let f = format_ident!("__mapping_{}", i);
                    return quote! {
                        if let ::core::option::Option::Some((_, flags)) = self.#f() {
                            argv.extend(flags.iter().map(|s| ::std::borrow::Cow::Borrowed(*s)));
                        }
                    };
                }
                Piece::Conditional(i) => {
                    let (c, fr) = (
                        format_ident!("__cond_{}", i),
                        format_ident!("__fragment_{}", i),
                    );
                    return quote! {
                        if self.#c() {
                            self.#fr(ctx, &mut argv);
                        }
                    };
                }
                Piece::Lit(s) => {
                    let s = s.as_ref();
                    return quote!(argv.push(::std::borrow::Cow::Borrowed(#s)););
                }
                Piece::Arg(i) => {
                    let (_, f) = self.arg(*i);
                    let id = &f.ident;
                    return if f.optional {
                        quote! {
                            if let ::core::option::Option::Some(v) = &self.#id {
                                argv.push(#rt::ArgValue::to_argv(v));
                            }
                        }
                    } else {
                        quote!(argv.push(#rt::ArgValue::to_argv(&self.#id));)
                    };
                }
                Piece::Var(v) => {
                    let v = self.var(*v);
                    return quote!(argv.push(#v););
                }
            }
        }
        // A compound token: bind every piece that may be absent, then concatenate.
        let mut guards = Vec::new();
        let mut appends = Vec::new();
        for (k, p) in t.pieces.iter().enumerate() {
            let b = format_ident!("p{}", k);
            match p {
                Piece::Lit(s) => {
                    let mut chars = s.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => appends.push(quote!(t.push(#c);)),
                        _ => {
                            let s = s.as_ref();
                            appends.push(quote!(t.push_str(#s);));
                        }
                    }
                }
                Piece::Arg(i) => {
                    let (_, f) = self.arg(*i);
                    let id = &f.ident;
                    if f.optional {
                        guards.push(quote!(let ::core::option::Option::Some(#b) = &self.#id else { break 'token; };));
                        appends.push(quote!(t.push_str(&#rt::ArgValue::to_argv(#b));));
                    } else {
                        appends.push(quote!(t.push_str(&#rt::ArgValue::to_argv(&self.#id));));
                    }
                }
                Piece::Mapping(i) => {
                    let f = format_ident!("__mapping_{}", i);
                    guards.push(quote!(let ::core::option::Option::Some((#b, _)) = self.#f() else { break 'token; };));
                    appends.push(quote!(t.push_str(#b);));
                }
                Piece::Conditional(i) => {
                    let (c, fr) = (
                        format_ident!("__cond_{}", i),
                        format_ident!("__fragment_{}", i),
                    );
                    guards.push(quote! {
                        if !self.#c() { break 'token; }
                        let mut #b = ::std::vec::Vec::new();
                        self.#fr(ctx, &mut #b);
                    });
                    appends.push(quote!(t.push_str(&#b.join(" "));));
                }
                Piece::Var(v) => {
                    let v = self.var(*v);
                    appends.push(quote!(t.push_str(#v.as_ref());));
                }
            }
        }
        // Room for the literal text and a typical value: appending rarely reallocates.
        let lits: usize = t
            .pieces
            .iter()
            .map(|p| if let Piece::Lit(s) = p { s.len() } else { 0 })
            .sum();
        let cap = crate::index(lits + 32);
        if guards.is_empty() {
            return quote! {
                {
                    let mut t = ::std::string::String::with_capacity(#cap);
                    #(#appends)*
                    argv.push(::std::borrow::Cow::Owned(t));
                }
            };
        }
        // A labelled block: any absent piece leaves it early and drops the token.
        quote! {
            'token: {
                #(#guards)*
                let mut t = ::std::string::String::with_capacity(#cap);
                #(#appends)*
                argv.push(::std::borrow::Cow::Owned(t));
            }
        }
    }

    fn var(&self, v: ExecVar) -> TokenStream {
        let var = crate::literal::Emitter::new(self.g.rt.clone()).exec_var(v);
        quote!(ctx.var(#var))
    }

    /// A `when` expression as Rust boolean code over the typed fields; `nested`
    /// operands get parentheses.
    fn expr(&self, x: &Expr, nested: bool) -> TokenStream {
        let rt = &self.g.rt;
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
                            quote!(#rt::ArgValue::to_argv(&self.#id).is_empty())
                        }
                        (false, true) => {
                            quote!(!#rt::ArgValue::to_argv(&self.#id).is_empty())
                        }
                    };
                }
                let cmp = compare(&self.g.rt, a, f.enum_ty.as_ref(), value, ne);
                match (f.optional, ne) {
                    // Absent differs from every non-empty literal.
                    (true, false) => quote!(self.#id.as_ref().is_some_and(|v| #cmp)),
                    (true, true) => quote!(self.#id.as_ref().is_none_or(|v| #cmp)),
                    (false, _) => quote!({ let v = &self.#id; #cmp }),
                }
            }
        }
    }
}

/// `v == literal` (or `!=` when `ne`) for a present value `v: &T`, following the
/// argument's type.
fn compare(
    rt: &TokenStream,
    a: &Arg,
    enum_ty: Option<&Ident>,
    lit: &Literal,
    ne: bool,
) -> TokenStream {
    let op = if ne { quote!(!=) } else { quote!(==) };
    match (&a.ty.kind, lit) {
        (TypeKind::Integer, Literal::Int(i)) => quote!(v.get() #op #i),
        (TypeKind::Port, Literal::Int(i)) => quote!(i64::from(v.get()) #op #i),
        (TypeKind::Number, Literal::Int(i)) => {
            let f = *i as f64;
            quote!(v.get() #op #f)
        }
        (TypeKind::Number, Literal::Float(f)) => quote!(v.get() #op #f),
        (TypeKind::Boolean, Literal::Bool(b)) => {
            // `v.get() == true` is just `v.get()`.
            match (b, ne) {
                (true, false) | (false, true) => quote!(v.get()),
                _ => quote!(!v.get()),
            }
        }
        (_, Literal::Str(s)) if enum_ty.is_some() => {
            let s = s.as_ref();
            quote!(v.as_str() #op #s)
        }
        (_, lit) => {
            let text = match lit {
                Literal::Str(s) => s.to_string(),
                Literal::Int(i) => i.to_string(),
                Literal::Float(f) => f.to_string(),
                Literal::Bool(b) => b.to_string(),
            };
            quote!(#rt::ArgValue::to_argv(v) #op #text)
        }
    }
}

fn cond_doc(c: &Conditional) -> String {
    format!(
        "Conditional `{}`: {}, compiled at build time.",
        c.name,
        crate::code_span(&c.when_source)
    )
}

/// `argv()`: the owned form of `argv_cow()`.
fn owned_argv(rt: &TokenStream) -> TokenStream {
    quote! {
        /// The argv of this call as owned strings (see [`argv_cow`](Self::argv_cow)).
        pub fn argv(&self, ctx: &#rt::ExecContext) -> ::std::vec::Vec<::std::string::String> {
            self.argv_cow(ctx).into_iter().map(::std::borrow::Cow::into_owned).collect()
        }
    }
}
