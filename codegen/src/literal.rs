//! Model values as Rust expressions that build them in a `static`.
//!
//! Every tool module holds its checked manifest as `static MANIFEST`, in a private
//! module `data` that imports the model (`use super::__rt::lit::*`), so it reads
//! `Arg { name: B("target"), position: Some(1), .. }`. Lists whose elements may hold a
//! [`Pattern`] (which caches its compiled regex in a `OnceLock`) cannot be borrowed
//! temporaries in a static, so they are hoisted into named statics of their own
//! (`ARGS`, `COMMANDS`, `USE_MODULE_ARGS`), which generated code also reads.

use cladgen_core::model::*;
use proc_macro2::{Ident, Literal as PmLiteral, TokenStream};
use quote::{format_ident, quote};

/// Emits model literals; collects the hoisted statics they refer to.
pub struct Emitter {
    rt: TokenStream,
    /// Short names (`Arg`, `B`, `Some`): the expression goes inside a block that
    /// imports `lit::*`. Otherwise every path is absolute.
    short: bool,
    hoisted: Vec<TokenStream>,
}

impl Emitter {
    /// An emitter of absolute paths, using `rt` (e.g. `::cladgen`) as the runtime
    /// crate path.
    pub fn new(rt: TokenStream) -> Self {
        Emitter {
            rt,
            short: false,
            hoisted: Vec::new(),
        }
    }

    /// An emitter of short names, for `MANIFEST` and the hoisted statics, which the
    /// tool module keeps in a private `mod data { use super::__rt::lit::*; … }`.
    pub fn short(rt: TokenStream) -> Self {
        Emitter {
            rt,
            short: true,
            hoisted: Vec::new(),
        }
    }

    /// The statics referenced by the expressions emitted so far.
    pub fn hoisted(&self) -> &[TokenStream] {
        &self.hoisted
    }

    /// The path prefix of model items (empty for short names).
    fn m(&self) -> TokenStream {
        let rt = &self.rt;
        match self.short {
            true => TokenStream::new(),
            false => quote!(#rt::model::),
        }
    }

    fn some(&self, t: TokenStream) -> TokenStream {
        match self.short {
            true => quote!(Some(#t)),
            false => quote!(::core::option::Option::Some(#t)),
        }
    }

    fn none(&self) -> TokenStream {
        match self.short {
            true => quote!(None),
            false => quote!(::core::option::Option::None),
        }
    }

    fn borrowed(&self, t: TokenStream) -> TokenStream {
        match self.short {
            true => quote!(B(#t)),
            false => quote!(::std::borrow::Cow::Borrowed(#t)),
        }
    }

    /// `Cow::Borrowed("...")`.
    pub fn str(&self, s: &str) -> TokenStream {
        self.borrowed(quote!(#s))
    }

    fn opt<T>(
        &mut self,
        v: &Option<T>,
        f: impl FnOnce(&mut Self, &T) -> TokenStream,
    ) -> TokenStream {
        match v {
            Some(x) => {
                let t = f(self, x);
                self.some(t)
            }
            None => self.none(),
        }
    }

    fn opt_str(&mut self, v: &Option<Str>) -> TokenStream {
        self.opt(v, |e, s| e.str(s))
    }

    fn list<T>(
        &mut self,
        items: &[T],
        mut f: impl FnMut(&mut Self, &T) -> TokenStream,
    ) -> TokenStream {
        let items: Vec<_> = items.iter().map(|x| f(self, x)).collect();
        self.borrowed(quote!(&[#(#items),*]))
    }

    /// A list in a static of its own named `name`, beside `MANIFEST` in the module that
    /// imports the model.
    fn hoist<T>(
        &mut self,
        name: Ident,
        ty: TokenStream,
        items: &[T],
        mut f: impl FnMut(&mut Self, &T) -> TokenStream,
    ) -> TokenStream {
        let items: Vec<_> = items.iter().map(|x| f(self, x)).collect();
        let len = crate::index(items.len());
        let ty = match self.short {
            true => ty,
            false => {
                let rt = &self.rt;
                quote!(#rt::model::#ty)
            }
        };
        self.hoisted
            .push(quote!(pub(super) static #name: [#ty; #len] = [#(#items),*];));
        self.borrowed(quote!(&#name))
    }

    /// A session command's [`TextBinding`].
    fn text_binding(&mut self, b: &TextBinding) -> TokenStream {
        let mp = self.m();
        match b {
            TextBinding::Free => quote!(#mp TextBinding::Free),
            TextBinding::Captures => quote!(#mp TextBinding::Captures),
            TextBinding::Template { source, pieces } => {
                let source = self.str(source);
                let pieces = self.list(pieces, |e, p| {
                    let mp = e.m();
                    match p {
                        TemplatePiece::Text(t) => {
                            let t = e.str(t);
                            quote!(#mp TemplatePiece::Text(#t))
                        }
                        TemplatePiece::Arg(i) => {
                            let i = crate::index(*i);
                            quote!(#mp TemplatePiece::Arg(#i))
                        }
                    }
                });
                quote!(#mp TextBinding::Template { source: #source, pieces: #pieces })
            }
        }
    }

    fn str_list(&mut self, items: &[Str]) -> TokenStream {
        self.list(items, |e, s| e.str(s))
    }

    fn u64(&self, v: u64) -> TokenStream {
        let l = PmLiteral::u64_unsuffixed(v);
        quote!(#l)
    }

    fn i64(&self, v: i64) -> TokenStream {
        let l = PmLiteral::i64_unsuffixed(v);
        quote!(#l)
    }

    fn f64(&self, v: f64) -> TokenStream {
        let l = PmLiteral::f64_unsuffixed(v);
        quote!(#l)
    }

    /// The whole manifest.
    pub fn manifest(&mut self, m: &Manifest) -> TokenStream {
        let mp = self.m();
        let tool = self.tool(&m.tool);
        let args = self.args(None, &m.args);
        let backend = self.backend(&m.backend);
        let output = self.opt(&m.output, |e, o| e.output(o));
        quote!(#mp Manifest { tool: #tool, args: #args, backend: #backend, output: #output })
    }

    fn tool(&mut self, t: &ToolMeta) -> TokenStream {
        let mp = self.m();
        let name = self.str(&t.name);
        let version = self.str(&t.version);
        let description = self.str(&t.description);
        let timeout = self.u64(t.timeout_seconds);
        let risk = self.risk(t.risk_tier);
        // The identity, timeout and risk are always written; the rest only when it
        // differs from `ToolMeta::BASE`.
        let mut fields = vec![
            quote!(name: #name),
            quote!(version: #version),
            quote!(description: #description),
            quote!(timeout_seconds: #timeout),
            quote!(risk_tier: #risk),
        ];
        if t.binary.is_some() {
            let binary = self.opt_str(&t.binary);
            fields.insert(2, quote!(binary: #binary));
        }
        match t.mode {
            Mode::Oneshot => {}
            Mode::Session => fields.push(quote!(mode: #mp Mode::Session)),
            Mode::Browser => fields.push(quote!(mode: #mp Mode::Browser)),
        }
        if let Dispatch::Callback = t.dispatch {
            fields.push(quote!(dispatch: #mp Dispatch::Callback));
        }
        if t.human_approval {
            fields.push(quote!(human_approval: true));
        }
        if t.cedar.is_some() {
            let cedar = self.opt(&t.cedar, |e, c| {
                let (r, a) = (e.str(&c.resource), e.str(&c.action));
                quote!(#mp Cedar::new(#r, #a))
            });
            fields.push(quote!(cedar: #cedar));
        }
        if t.evidence.is_some() {
            let evidence = self.opt(&t.evidence, |e, ev| {
                let dir = e.str(&ev.output_dir);
                let hash = e.str(&ev.hash);
                let (capture, shots) = (ev.capture, ev.screenshots);
                quote!(#mp Evidence { output_dir: #dir, capture: #capture, hash: #hash, screenshots: #shots })
            });
            fields.push(quote!(evidence: #evidence));
        }
        quote!(#mp ToolMeta { #(#fields,)* ..#mp ToolMeta::BASE })
    }

    /// A risk tier.
    pub fn risk(&self, r: RiskTier) -> TokenStream {
        let mp = self.m();
        match r {
            RiskTier::Info => quote!(#mp RiskTier::Info),
            RiskTier::Low => quote!(#mp RiskTier::Low),
            RiskTier::Medium => quote!(#mp RiskTier::Medium),
            RiskTier::High => quote!(#mp RiskTier::High),
            RiskTier::Critical => quote!(#mp RiskTier::Critical),
        }
    }

    /// An argument list, hoisted into `crate::names::args_static(command)`.
    fn args(&mut self, command: Option<&str>, args: &[Arg]) -> TokenStream {
        self.hoist(
            crate::names::args_static(command),
            quote!(Arg),
            args,
            |e, a| e.arg(a),
        )
    }

    /// An argument: its name, description and type always, the rest only when it
    /// differs from `Arg::BASE`.
    fn arg(&mut self, a: &Arg) -> TokenStream {
        let mp = self.m();
        let name = self.str(&a.name);
        let description = self.str(&a.description);
        let ty = self.arg_type(&a.ty);
        let mut fields = vec![quote!(name: #name)];
        if a.position.is_some() {
            let position = self.opt(&a.position, |e, p| e.i64(*p));
            fields.push(quote!(position: #position));
        }
        if a.required {
            fields.push(quote!(required: true));
        }
        fields.push(quote!(description: #description));
        fields.push(quote!(ty: #ty));
        if a.default.is_some() {
            let default = self.opt(&a.default, |e, s| e.scalar(s));
            fields.push(quote!(default: #default));
        }
        if a.scope_check {
            fields.push(quote!(scope_check: true));
        }
        if a.feeds_decision {
            fields.push(quote!(feeds_decision: true));
        }
        if !a.sanitize.is_empty() {
            let sanitize = self.str_list(&a.sanitize);
            fields.push(quote!(sanitize: #sanitize));
        }
        quote!(#mp Arg { #(#fields,)* ..#mp Arg::BASE })
    }

    fn arg_type(&mut self, t: &ArgType) -> TokenStream {
        let mp = self.m();
        let name = self.str(&t.name);
        let kind = self.type_kind(&t.kind);
        if t.constraints == Constraints::NONE {
            return quote!(#mp ArgType::plain(#name, #kind));
        }
        let constraints = self.constraints(&t.constraints);
        quote!(#mp ArgType::new(#name, #kind, #constraints))
    }

    /// A type kind.
    pub fn type_kind(&mut self, k: &TypeKind) -> TokenStream {
        let mp = self.m();
        match k {
            TypeKind::Extern { rust_path } => {
                let p = self.str(rust_path);
                quote!(#mp TypeKind::Extern { rust_path: #p })
            }
            other => {
                let v = format_ident!("{}", crate::names::pascal(other.as_str()));
                quote!(#mp TypeKind::#v)
            }
        }
    }

    /// Constraints (usable as the initialiser of a `static`): only the fields that
    /// differ from `Constraints::NONE`, so the generated code reads like the manifest.
    pub fn constraints(&mut self, c: &Constraints) -> TokenStream {
        let mp = self.m();
        let mut fields = Vec::new();
        if let Some(p) = &c.pattern {
            let p = self.pattern(p);
            let p = self.some(p);
            fields.push(quote!(pattern: #p));
        }
        if let Some(l) = &c.allowed {
            let l = self.str_list(l);
            let x = self.some(l);
            fields.push(quote!(allowed: #x));
        }
        if let Some(v) = c.min {
            let v = self.i64(v);
            let x = self.some(v);
            fields.push(quote!(min: #x));
        }
        if let Some(v) = c.max {
            let v = self.i64(v);
            let x = self.some(v);
            fields.push(quote!(max: #x));
        }
        if let Some(v) = c.min_float {
            let v = self.f64(v);
            let x = self.some(v);
            fields.push(quote!(min_float: #x));
        }
        if let Some(v) = c.max_float {
            let v = self.f64(v);
            let x = self.some(v);
            fields.push(quote!(max_float: #x));
        }
        if c.clamp {
            fields.push(quote!(clamp: true));
        }
        if let Some(l) = &c.schemes {
            let l = self.str_list(l);
            let x = self.some(l);
            fields.push(quote!(schemes: #x));
        }
        if c.allow_option_values {
            fields.push(quote!(allow_option_values: true));
        }
        if c.negative_is_option {
            fields.push(quote!(negative_is_option: true));
        }
        if let Some(l) = &c.allowed_keys {
            let l = self.str_list(l);
            fields.push(quote!(allowed_keys: ::core::option::Option::Some(#l)));
        }
        if fields.is_empty() {
            quote!(#mp Constraints::NONE)
        } else {
            quote!(#mp Constraints { #(#fields,)* ..#mp Constraints::NONE })
        }
    }

    fn pattern(&self, p: &Pattern) -> TokenStream {
        let mp = self.m();
        let s = p.as_str();
        quote!(#mp Pattern::prechecked(#s))
    }

    /// A scalar.
    pub fn scalar(&mut self, s: &Scalar) -> TokenStream {
        let mp = self.m();
        match s {
            Scalar::String(v) => {
                let v = self.str(v);
                quote!(#mp Scalar::String(#v))
            }
            Scalar::Integer(i) => {
                let i = self.i64(*i);
                quote!(#mp Scalar::Integer(#i))
            }
            Scalar::Float(f) => {
                let f = self.f64(*f);
                quote!(#mp Scalar::Float(#f))
            }
            Scalar::Boolean(b) => quote!(#mp Scalar::Boolean(#b)),
        }
    }

    fn backend(&mut self, b: &Backend) -> TokenStream {
        let mp = self.m();
        match b {
            Backend::Command(c) => {
                let c = self.command(c);
                quote!(#mp Backend::Command(#c))
            }
            Backend::Http(h) => {
                let h = self.http(h);
                quote!(#mp Backend::Http(#h))
            }
            Backend::Mcp(x) => {
                let server = self.str(&x.server);
                let tool = self.str(&x.tool);
                let fields = self.list(&x.fields, |e, f| {
                    let mp = e.m();
                    let arg = crate::index(f.arg);
                    let name = e.str(&f.name);
                    quote!(#mp McpField { arg: #arg, name: #name })
                });
                quote!(#mp Backend::Mcp(#mp McpSpec { server: #server, tool: #tool, fields: #fields }))
            }
            Backend::Session(s) => {
                let s = self.session(s);
                quote!(#mp Backend::Session(#s))
            }
            Backend::Browser(b) => {
                let b = self.browser(b);
                quote!(#mp Backend::Browser(#b))
            }
            Backend::Source(s) => {
                let op = self.str(&s.operation);
                quote!(#mp Backend::Source(#mp SourceSpec { operation: #op }))
            }
            Backend::Callback => quote!(#mp Backend::Callback),
        }
    }

    fn command(&mut self, c: &CommandSpec) -> TokenStream {
        let mp = self.m();
        let run = match &c.run {
            CommandRun::Template { source, tokens } => {
                let source = self.str(source);
                let tokens = self.tokens(tokens);
                quote!(#mp CommandRun::Template { source: #source, tokens: #tokens })
            }
            CommandRun::Exec { tokens } => {
                let tokens = self.tokens(tokens);
                quote!(#mp CommandRun::Exec { tokens: #tokens })
            }
            CommandRun::Executor { path } => {
                let path = self.str(path);
                quote!(#mp CommandRun::Executor { path: #path })
            }
        };
        let mappings = self.list(&c.mappings, |e, m| {
            let mp = e.m();
            let arg = crate::index(m.arg);
            let entries = e.list(&m.entries, |e, en| {
                let mp = e.m();
                let value = e.str(&en.value);
                let text = e.str(&en.text);
                let tokens = e.str_list(&en.tokens);
                quote!(#mp MappingEntry::new(#value, #text, #tokens))
            });
            quote!(#mp Mapping { arg: #arg, entries: #entries })
        });
        let conditionals = self.list(&c.conditionals, |e, c| {
            let mp = e.m();
            let name = e.str(&c.name);
            let when = e.expr(&c.when);
            let when_source = e.str(&c.when_source);
            let tokens = e.tokens(&c.tokens);
            quote!(#mp Conditional { name: #name, when: #when, when_source: #when_source, tokens: #tokens })
        });
        quote!(#mp CommandSpec { run: #run, mappings: #mappings, conditionals: #conditionals })
    }

    fn tokens(&mut self, tokens: &[Token]) -> TokenStream {
        self.list(tokens, |e, t| {
            let mp = e.m();
            let pieces = e.list(&t.pieces, |e, p| e.piece(p));
            quote!(#mp Token::new(#pieces))
        })
    }

    fn piece(&mut self, p: &Piece) -> TokenStream {
        let mp = self.m();
        match p {
            Piece::Lit(s) => {
                let s = self.str(s);
                quote!(#mp Piece::Lit(#s))
            }
            Piece::Arg(i) => {
                let i = crate::index(*i);
                quote!(#mp Piece::Arg(#i))
            }
            Piece::Mapping(i) => {
                let i = crate::index(*i);
                quote!(#mp Piece::Mapping(#i))
            }
            Piece::Conditional(i) => {
                let i = crate::index(*i);
                quote!(#mp Piece::Conditional(#i))
            }
            Piece::Var(v) => {
                let v = self.exec_var(*v);
                quote!(#mp Piece::Var(#v))
            }
        }
    }

    pub(crate) fn exec_var(&self, v: ExecVar) -> TokenStream {
        let mp = self.m();
        match v {
            ExecVar::ScanId => quote!(#mp ExecVar::ScanId),
            ExecVar::OutputFile => quote!(#mp ExecVar::OutputFile),
            ExecVar::EvidenceDir => quote!(#mp ExecVar::EvidenceDir),
        }
    }

    fn expr(&mut self, x: &Expr) -> TokenStream {
        let mp = self.m();
        match x {
            Expr::Or(v) => {
                let v = self.list(v, |e, x| e.expr(x));
                quote!(#mp Expr::Or(#v))
            }
            Expr::And(v) => {
                let v = self.list(v, |e, x| e.expr(x));
                quote!(#mp Expr::And(#v))
            }
            Expr::Compare { arg, op, value } => {
                let op = match op {
                    CmpOp::Eq => quote!(#mp CmpOp::Eq),
                    CmpOp::Ne => quote!(#mp CmpOp::Ne),
                };
                let value = match value {
                    Literal::Str(s) => {
                        let s = self.str(s);
                        quote!(#mp Literal::Str(#s))
                    }
                    Literal::Int(i) => {
                        let i = self.i64(*i);
                        quote!(#mp Literal::Int(#i))
                    }
                    Literal::Float(f) => {
                        let f = self.f64(*f);
                        quote!(#mp Literal::Float(#f))
                    }
                    Literal::Bool(b) => quote!(#mp Literal::Bool(#b)),
                };
                let arg = crate::index(*arg);
                quote!(#mp Expr::Compare { arg: #arg, op: #op, value: #value })
            }
            Expr::Present { arg } => {
                let arg = crate::index(*arg);
                quote!(#mp Expr::Present { arg: #arg })
            }
        }
    }

    pub(crate) fn url_part(&self, p: UrlPart) -> TokenStream {
        let mp = self.m();
        match p {
            UrlPart::Authority => quote!(#mp UrlPart::Authority),
            UrlPart::Path => quote!(#mp UrlPart::Path),
            UrlPart::Query => quote!(#mp UrlPart::Query),
            UrlPart::Fragment => quote!(#mp UrlPart::Fragment),
            UrlPart::Header => quote!(#mp UrlPart::Header),
        }
    }

    fn text_pieces(&mut self, pieces: &[TextPiece]) -> TokenStream {
        self.list(pieces, |e, p| {
            let mp = e.m();
            match p {
                TextPiece::Lit(s) => {
                    let s = e.str(s);
                    quote!(#mp TextPiece::Lit(#s))
                }
                TextPiece::Arg { arg, part } => {
                    let part = e.url_part(*part);
                    let arg = crate::index(*arg);
                    quote!(#mp TextPiece::Arg { arg: #arg, part: #part })
                }
                TextPiece::Secret { name, part } => {
                    let name = e.str(name);
                    let part = e.url_part(*part);
                    quote!(#mp TextPiece::Secret { name: #name, part: #part })
                }
            }
        })
    }

    pub(crate) fn json_slot(&self, s: JsonSlot) -> TokenStream {
        let mp = self.m();
        match s {
            JsonSlot::InString => quote!(#mp JsonSlot::InString),
            JsonSlot::Value => quote!(#mp JsonSlot::Value),
            JsonSlot::Raw => quote!(#mp JsonSlot::Raw),
        }
    }

    fn http(&mut self, h: &HttpSpec) -> TokenStream {
        let mp = self.m();
        let method = format_ident!("{}", crate::names::pascal(h.method.as_str()));
        let url_source = self.str(&h.url_source);
        let url = self.text_pieces(&h.url);
        let headers = self.list(&h.headers, |e, hd| {
            let mp = e.m();
            let name = e.str(&hd.name);
            let value = e.text_pieces(&hd.value);
            quote!(#mp Header { name: #name, value: #value })
        });
        let body = self.opt(&h.body, |e, b| {
            let mp = e.m();
            let source = e.str(&b.source);
            let json = b.json;
            let pieces = e.list(&b.pieces, |e, p| {
                let mp = e.m();
                match p {
                    BodyPiece::Lit(s) => {
                        let s = e.str(s);
                        quote!(#mp BodyPiece::Lit(#s))
                    }
                    BodyPiece::Arg { arg, slot } => {
                        let slot = e.json_slot(*slot);
                        let arg = crate::index(*arg);
                        quote!(#mp BodyPiece::Arg { arg: #arg, slot: #slot })
                    }
                    BodyPiece::Secret { name, slot } => {
                        let name = e.str(name);
                        let slot = e.json_slot(*slot);
                        quote!(#mp BodyPiece::Secret { name: #name, slot: #slot })
                    }
                }
            });
            quote!(#mp Body { source: #source, json: #json, pieces: #pieces })
        });
        let (ok, err) = (&h.success_status, &h.error_status);
        let ok = self.borrowed(quote!(&[#(#ok),*]));
        let err = self.borrowed(quote!(&[#(#err),*]));
        quote!(#mp HttpSpec {
            method: #mp HttpMethod::#method, url_source: #url_source, url: #url,
            headers: #headers, body: #body,
            success_status: #ok, error_status: #err,
        })
    }

    fn session(&mut self, s: &SessionSpec) -> TokenStream {
        let mp = self.m();
        let startup_command = self.str(&s.startup_command);
        let startup_argv = self.str_list(&s.startup_argv);
        let ready = self.pattern(&s.ready_pattern);
        let (st, it, se, mi) = (
            self.u64(s.startup_timeout_seconds),
            self.u64(s.idle_timeout_seconds),
            self.u64(s.session_timeout_seconds),
            self.u64(s.max_interactions),
        );
        let sanitize = self.str_list(&s.interaction.input_sanitize);
        let (omb, owm) = (
            self.u64(s.interaction.output_max_bytes),
            self.u64(s.interaction.output_wait_ms),
        );
        let commands = self.hoist(
            crate::names::ident("COMMANDS"),
            quote!(SessionCommand),
            &s.commands,
            |e, c| {
                let mp = e.m();
                let name = e.str(&c.name);
                let pattern = e.pattern(&c.pattern);
                let description = e.str(&c.description);
                let risk = e.risk(c.risk_tier);
                let (ha, et) = (c.human_approval, c.extract_target);
                let args = e.args(Some(&c.name), &c.args);
                let binding = e.text_binding(&c.binding);
                quote!(#mp SessionCommand {
                    name: #name, pattern: #pattern, description: #description, risk_tier: #risk,
                    human_approval: #ha, extract_target: #et, args: #args, binding: #binding,
                })
            },
        );
        let child = self.opt(&s.child_detection, |e, c| {
            let mp = e.m();
            let pattern = e.pattern(&c.pattern);
            let kind = e.str(&c.kind);
            let manifest = e.str(&c.manifest);
            quote!(#mp ChildDetection { pattern: #pattern, kind: #kind, manifest: #manifest })
        });
        let events = self.opt(&s.events, |e, ev| {
            let mp = e.m();
            let enabled = ev.enabled;
            let (q, p, t) = (
                e.u64(ev.max_queue_depth),
                e.u64(ev.poll_interval_ms),
                e.u64(ev.ttl_seconds),
            );
            let types = e.str_list(&ev.event_types);
            quote!(#mp SessionEvents {
                enabled: #enabled, max_queue_depth: #q, poll_interval_ms: #p,
                event_types: #types, ttl_seconds: #t,
            })
        });
        quote!(#mp SessionSpec {
            startup_command: #startup_command, startup_argv: #startup_argv, ready_pattern: #ready,
            startup_timeout_seconds: #st, idle_timeout_seconds: #it, session_timeout_seconds: #se,
            max_interactions: #mi,
            interaction: #mp Interaction { input_sanitize: #sanitize, output_max_bytes: #omb, output_wait_ms: #owm },
            commands: #commands, child_detection: #child, events: #events,
        })
    }

    fn browser(&mut self, b: &BrowserSpec) -> TokenStream {
        let mp = self.m();
        let engine = format_ident!("{}", crate::names::pascal(b.engine.as_str()));
        let connect = format_ident!("{}", crate::names::pascal(b.connect.as_str()));
        let extract = format_ident!("{}", crate::names::pascal(b.extract_mode.as_str()));
        let headless = b.headless;
        let (st, se, it, mi) = (
            self.u64(b.startup_timeout_seconds),
            self.u64(b.session_timeout_seconds),
            self.u64(b.idle_timeout_seconds),
            self.u64(b.max_interactions),
        );
        let scope = self.opt(&b.scope, |e, s| {
            let mp = e.m();
            let allowed = e.str_list(&s.allowed_domains);
            let blocked = e.str_list(&s.blocked_domains);
            let ext = s.allow_external;
            quote!(#mp BrowserScope { allowed_domains: #allowed, blocked_domains: #blocked, allow_external: #ext })
        });
        let commands = self.hoist(crate::names::ident("COMMANDS"), quote!(BrowserCommand), &b.commands, |e, c| {
            let mp = e.m();
            let name = e.str(&c.name);
            let description = e.str(&c.description);
            let risk = e.risk(c.risk_tier);
            let ha = c.human_approval;
            let args = e.args(Some(&c.name), &c.args);
            quote!(#mp BrowserCommand { name: #name, description: #description, risk_tier: #risk, human_approval: #ha, args: #args })
        });
        let state = self.opt(&b.state, |e, s| {
            let mp = e.m();
            let fields = e.str_list(&s.fields);
            quote!(#mp BrowserState { fields: #fields })
        });
        let defaults = self.list(&b.defaults, |e, (k, v)| {
            let k = e.str(k);
            let v = e.scalar(v);
            quote!((#k, #v))
        });
        let auth = self.list(&b.auth_flows, |e, a| {
            let mp = e.m();
            let name = e.str(&a.name);
            let login_url = e.str(&a.login_url);
            let us = e.str(&a.username_selector);
            let ps = e.str(&a.password_selector);
            let ss = e.str(&a.submit_selector);
            let si = e.opt_str(&a.success_indicator);
            let sr = e.str(&a.secret_ref);
            let mh = e.opt_str(&a.mfa_handler);
            let ms = e.opt_str(&a.mfa_selector);
            let msr = e.opt_str(&a.mfa_secret_ref);
            quote!(#mp AuthFlow {
                name: #name, login_url: #login_url, username_selector: #us, password_selector: #ps,
                submit_selector: #ss, success_indicator: #si, secret_ref: #sr, mfa_handler: #mh,
                mfa_selector: #ms, mfa_secret_ref: #msr,
            })
        });
        quote!(#mp BrowserSpec {
            engine: #mp BrowserEngine::#engine, headless: #headless,
            connect: #mp BrowserConnect::#connect, extract_mode: #mp ExtractMode::#extract,
            startup_timeout_seconds: #st, session_timeout_seconds: #se, idle_timeout_seconds: #it,
            max_interactions: #mi, scope: #scope, commands: #commands, state: #state,
            defaults: #defaults, auth_flows: #auth,
        })
    }

    fn output(&mut self, o: &Output) -> TokenStream {
        let mp = self.m();
        let format = self.format(o.format);
        let parser = match &o.parser {
            Parser::Builtin(f) => {
                let f = self.format(*f);
                quote!(#mp Parser::Builtin(#f))
            }
            Parser::Custom(p) => {
                let p = self.str(p);
                quote!(#mp Parser::Custom(#p))
            }
        };
        let envelope = o.envelope;
        let schema = self.str(&o.schema_json);
        quote!(#mp Output { format: #format, parser: #parser, envelope: #envelope, schema_json: #schema })
    }

    fn format(&self, f: OutputFormat) -> TokenStream {
        let mp = self.m();
        let v = format_ident!("{}", crate::names::pascal(f.as_str()));
        quote!(#mp OutputFormat::#v)
    }
}
