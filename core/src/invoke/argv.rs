//! [`Argv`]: the one argv builder behind both the generated `argv_cow()` and the
//! dynamic [`Call::argv`](super::Call::argv), so the rules that keep a value one argv
//! element are written once.
//!
//! The rules (the security fence between an LLM's values and a program):
//! - one value is one argv element: it is never split, quoted or re-parsed;
//! - a piece that is absent (an optional argument without value, a value without
//!   mapping, a false conditional) drops its whole token, never only its own text;
//! - a token that is exactly one mapping ([`Argv::splice`]) or one conditional
//!   ([`Argv::when`]) expands to that piece's own tokens, possibly none;
//! - inside a larger token ([`Argv::token`]) a mapping inserts its flag string as
//!   written and a conditional its fragment's tokens joined by single spaces;
//! - executor variables (`{_scan_id}`, `{_output_file}`, `{_evidence_dir}`) come
//!   from the [`ExecContext`].
//!
//! Allocation: literals, whole values and context variables are borrowed; only a
//! compound token allocates, once, exactly sized, and only when none of its pieces
//! is absent.

use super::ExecContext;
use crate::model::ExecVar;
use crate::value::{ArgValue, Value};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::fmt;

/// The argv text of a value: what [`Argv`] puts into an element.
///
/// Implemented for every [`ArgValue`] (generated enums and extern types included)
/// and for the dynamic [`Value`].
pub trait ArgvText {
    /// The exact argv text, borrowed when the value keeps it.
    fn argv_text(&self) -> Cow<'_, str>;
}

impl<T: ArgValue> ArgvText for T {
    #[inline]
    fn argv_text(&self) -> Cow<'_, str> {
        self.to_argv()
    }
}

impl ArgvText for Value {
    fn argv_text(&self) -> Cow<'_, str> {
        match self {
            Value::Text(v) => v.to_argv(),
            Value::Integer(v) => v.to_argv(),
            Value::Number(v) => v.to_argv(),
            Value::Port(v) => v.to_argv(),
            Value::Boolean(v) => v.to_argv(),
            Value::Enum(v) => v.to_argv(),
            Value::ScopeTarget(v) => v.to_argv(),
            Value::Url(v) => v.to_argv(),
            Value::Path(v) => v.to_argv(),
            Value::IpAddress(v) => v.to_argv(),
            Value::Cidr(v) => v.to_argv(),
            Value::MsfOptions(v) => v.to_argv(),
            Value::CredentialFile(v) => v.to_argv(),
            Value::Duration(v) => v.to_argv(),
            Value::RegexMatch(v) => v.to_argv(),
        }
    }
}

/// The flags one `[command.mappings.<arg>]` line gives a value: the flag string as
/// written and its tokens (split with POSIX quoting at build time).
///
/// `S` is `&str` in generated code and the model's string type on the dynamic path.
pub struct Flags<'a, S = &'a str> {
    text: &'a str,
    tokens: &'a [S],
}

impl<'a, S> Flags<'a, S> {
    /// The flags `text`, split into `tokens`.
    #[inline]
    pub const fn new(text: &'a str, tokens: &'a [S]) -> Self {
        Flags { text, tokens }
    }

    /// The flag string as written (what a compound token inserts).
    pub const fn text(&self) -> &'a str {
        self.text
    }

    /// The tokens (what a whole-token splice appends).
    pub const fn tokens(&self) -> &'a [S] {
        self.tokens
    }
}

// By hand: a derive would require `S: Copy`, but only references are copied.
impl<S> Clone for Flags<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Flags<'_, S> {}

impl<S: fmt::Debug> fmt::Debug for Flags<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flags")
            .field("text", &self.text)
            .field("tokens", &self.tokens)
            .finish()
    }
}

/// An argv under construction: one method per kind of template token, in template
/// order, then [`finish`](Argv::finish).
///
/// ```
/// use cladgen_core::invoke::{Argv, ExecContext, Flags};
/// use cladgen_core::model::{Constraints, ExecVar};
/// use cladgen_core::value::{ArgSpec, ArgValue, ParseOptions, Text};
///
/// let spec = ArgSpec::new("target", &Constraints::NONE);
/// let target = Text::parse_str(&spec, "10.0.1.0/24", &ParseOptions::DEFAULT).unwrap();
/// let exclude: Option<&Text> = None;
/// let ctx = ExecContext::new("scan-1", "/ev");
/// let service = Flags::new("-sT -sV", &["-sT", "-sV"]);
///
/// // `nmap {_scan_type_flags} --exclude={exclude} -oN {_output_file} {target}`
/// let argv = Argv::with_capacity(7)
///     .lit("nmap")
///     .splice(service)
///     .token(|t| t.lit("--exclude=").opt(exclude)) // absent: the whole token goes
///     .lit("-oN")
///     .var(&ctx, ExecVar::OutputFile)
///     .arg(&target)
///     .finish();
/// assert_eq!(argv, ["nmap", "-sT", "-sV", "-oN", "/ev/scan-1-output", "10.0.1.0/24"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "an argv does nothing until `finish` returns it"]
pub struct Argv<'a> {
    argv: Vec<Cow<'a, str>>,
}

impl<'a> Argv<'a> {
    /// An empty argv.
    #[inline]
    pub fn new() -> Self {
        Argv { argv: Vec::new() }
    }

    /// An empty argv with room for `n` elements (generated code passes the most the
    /// template can produce, so building never reallocates).
    #[inline]
    pub fn with_capacity(n: usize) -> Self {
        Argv {
            argv: Vec::with_capacity(n),
        }
    }

    /// A fixed token, borrowed.
    #[inline]
    pub fn lit(mut self, text: &'a str) -> Self {
        self.argv.push(Cow::Borrowed(text));
        self
    }

    /// A token that is exactly one value: its text is one element, never split.
    #[inline]
    pub fn arg<V: ArgvText>(mut self, value: &'a V) -> Self {
        self.argv.push(value.argv_text());
        self
    }

    /// A token that is exactly one optional value: one element when present, nothing
    /// when absent.
    #[inline]
    pub fn opt<V: ArgvText>(self, value: Option<&'a V>) -> Self {
        match value {
            Some(v) => self.arg(v),
            None => self,
        }
    }

    /// A token that is exactly one executor variable, borrowed from `ctx`.
    #[inline]
    pub fn var(mut self, ctx: &'a ExecContext, var: ExecVar) -> Self {
        self.argv.push(ctx.var(var));
        self
    }

    /// A token that is exactly one mapping (`{_<arg>_flags}`): the mapped flags' own
    /// tokens, each one element; nothing when the value has no mapping (`None`).
    #[inline]
    pub fn splice<S: AsRef<str> + 'a>(mut self, flags: impl Into<Option<Flags<'a, S>>>) -> Self {
        if let Some(flags) = flags.into() {
            self.argv
                .extend(flags.tokens.iter().map(|t| Cow::Borrowed(t.as_ref())));
        }
        self
    }

    /// A token that is exactly one conditional (`{_<name>}`): the fragment's tokens
    /// when `holds`, nothing otherwise.
    #[inline]
    pub fn when(self, holds: bool, fragment: impl FnOnce(Self) -> Self) -> Self {
        if holds { fragment(self) } else { self }
    }

    /// A token made of several pieces, built by `build` on a [`Token`]: one element,
    /// or none when any of its pieces is absent.
    #[inline]
    pub fn token(self, build: impl FnOnce(Token<'a>) -> Token<'a>) -> Self {
        self.push_token(build(Token::new()))
    }

    /// Appends a finished [`Token`] (what [`token`](Self::token) does with the
    /// closure's result; for callers that build the token in a loop).
    #[inline]
    pub fn push_token(mut self, token: Token<'a>) -> Self {
        if let Some(text) = token.finish() {
            self.argv.push(text);
        }
        self
    }

    /// The elements so far.
    pub fn as_slice(&self) -> &[Cow<'a, str>] {
        &self.argv
    }

    /// The argv: `argv[0]` is the program.
    #[inline]
    pub fn finish(self) -> Vec<Cow<'a, str>> {
        self.argv
    }
}

/// Pieces a compound token keeps before joining: a typical token (`--port={port}`,
/// `{user}@{host}`) fits without a heap allocation.
type Parts<'a> = SmallVec<[Cow<'a, str>; 4]>;

/// One compound template token (`--exclude={exclude}`) under construction, inside
/// [`Argv::token`].
///
/// The pieces are kept (borrowed where possible) and joined once at the end into an
/// exactly sized `String`; after an absent piece the rest is skipped and nothing is
/// allocated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "a token is only used once passed to `Argv::push_token`"]
pub struct Token<'a> {
    parts: Parts<'a>,
    absent: bool,
}

impl<'a> Token<'a> {
    /// An empty token.
    #[inline]
    pub fn new() -> Self {
        Token {
            parts: SmallVec::new(),
            absent: false,
        }
    }

    #[inline]
    fn push(mut self, part: impl FnOnce() -> Cow<'a, str>) -> Self {
        if !self.absent {
            self.parts.push(part());
        }
        self
    }

    /// Literal text.
    #[inline]
    pub fn lit(self, text: &'a str) -> Self {
        self.push(|| Cow::Borrowed(text))
    }

    /// A value's exact text.
    #[inline]
    pub fn arg<V: ArgvText>(self, value: &'a V) -> Self {
        self.push(|| value.argv_text())
    }

    /// An optional value's text; absent drops the whole token.
    #[inline]
    pub fn opt<V: ArgvText>(mut self, value: Option<&'a V>) -> Self {
        match value {
            Some(v) => self.arg(v),
            None => {
                self.absent = true;
                self
            }
        }
    }

    /// An executor variable from `ctx`.
    #[inline]
    pub fn var(self, ctx: &'a ExecContext, var: ExecVar) -> Self {
        self.push(|| ctx.var(var))
    }

    /// A mapping's flag string as written; a value without mapping (`None`) drops
    /// the whole token.
    #[inline]
    pub fn flags<S: 'a>(mut self, flags: impl Into<Option<Flags<'a, S>>>) -> Self {
        match flags.into() {
            Some(f) => self.push(|| Cow::Borrowed(f.text)),
            None => {
                self.absent = true;
                self
            }
        }
    }

    /// A conditional's fragment, its tokens joined by single spaces; a false
    /// condition drops the whole token.
    #[inline]
    pub fn when(self, holds: bool, fragment: impl FnOnce(Argv<'a>) -> Argv<'a>) -> Self {
        if !holds || self.absent {
            return self.fragment(None);
        }
        self.fragment(Some(fragment(Argv::new())))
    }

    /// A conditional's fragment already built (`None`: the condition is false, the
    /// whole token is dropped); what [`when`](Self::when) does with its closure.
    pub fn fragment(mut self, fragment: Option<Argv<'a>>) -> Self {
        let Some(fragment) = fragment else {
            self.absent = true;
            return self;
        };
        if !self.absent {
            for (i, part) in fragment.argv.into_iter().enumerate() {
                if i > 0 {
                    self.parts.push(Cow::Borrowed(" "));
                }
                self.parts.push(part);
            }
        }
        self
    }

    /// The token's text, or `None` when a piece was absent. One piece stays as it
    /// is (borrowed when it was); several are joined into one exactly sized string.
    #[inline]
    pub fn finish(self) -> Option<Cow<'a, str>> {
        // Inline so an absent token costs only this test at the call site.
        if self.absent {
            return None;
        }
        Some(join(self.parts))
    }
}

fn join(parts: Parts<'_>) -> Cow<'_, str> {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Cow::Borrowed("");
    };
    let rest = parts.as_slice();
    if rest.is_empty() {
        return first;
    }
    let len = first.len() + rest.iter().map(|p| p.len()).sum::<usize>();
    let mut text = String::with_capacity(len);
    text.push_str(&first);
    for part in rest {
        text.push_str(part);
    }
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Constraints;
    use crate::value::{ArgSpec, Integer, ParseOptions, Text};

    fn text(s: &str) -> Text {
        let spec = ArgSpec::new("t", &Constraints::NONE);
        Text::parse_str(&spec, s, &ParseOptions::DEFAULT).unwrap()
    }

    /// Text the value rules would refuse: the builder must still keep it whole.
    struct Raw(&'static str);

    impl ArgvText for Raw {
        fn argv_text(&self) -> Cow<'_, str> {
            Cow::Borrowed(self.0)
        }
    }

    fn ctx() -> ExecContext {
        ExecContext::new("s1", "/ev")
    }

    fn borrowed(argv: &[Cow<'_, str>]) -> Vec<bool> {
        argv.iter().map(|c| matches!(c, Cow::Borrowed(_))).collect()
    }

    #[test]
    fn a_value_with_spaces_quotes_or_a_dash_is_one_element() {
        let v = Raw("a 'b' \"c\" -iL /etc/shadow; d");
        let argv = Argv::new().lit("echo").arg(&v).finish();
        assert_eq!(argv, ["echo", "a 'b' \"c\" -iL /etc/shadow; d"]);
        let argv = Argv::new().token(|t| t.lit("--x=").arg(&v)).finish();
        assert_eq!(argv, ["--x=a 'b' \"c\" -iL /etc/shadow; d"]);
    }

    #[test]
    fn an_absent_optional_drops_its_whole_token() {
        let present = text("p");
        let argv = Argv::new()
            .lit("cmd")
            .opt(None::<&Text>)
            .token(|t| t.lit("--x=").opt(None::<&Text>))
            .token(|t| t.opt(None::<&Text>).lit("-suffix"))
            .token(|t| t.lit("--y=").arg(&present).lit(":").opt(None::<&Text>))
            .opt(Some(&present))
            .finish();
        assert_eq!(argv, ["cmd", "p"]);
    }

    #[test]
    fn an_empty_compound_token_is_dropped_when_its_only_value_is_absent() {
        assert_eq!(Token::new().opt(None::<&Text>).finish(), None);
        assert_eq!(
            Argv::new().token(|t| t.opt(None::<&Text>)).finish().len(),
            0
        );
        // A token whose pieces are all present but empty stays: only absence drops.
        assert_eq!(Token::new().lit("").finish(), Some(Cow::Borrowed("")));
    }

    #[test]
    fn literals_values_and_variables_are_borrowed_compound_tokens_owned() {
        let v = text("10.0.0.1");
        let ctx = ctx();
        let argv = Argv::with_capacity(4)
            .lit("nmap")
            .arg(&v)
            .var(&ctx, ExecVar::OutputFile)
            .token(|t| t.lit("--exclude=").arg(&v))
            .finish();
        assert_eq!(
            argv,
            ["nmap", "10.0.0.1", "/ev/s1-output", "--exclude=10.0.0.1"]
        );
        assert_eq!(borrowed(&argv), [true, true, true, false]);
        // The joined token was sized exactly.
        assert_eq!(argv[3].len(), "--exclude=10.0.0.1".len());
        // A compound token of one piece keeps it borrowed.
        let one = Token::new().arg(&v).finish();
        assert!(matches!(one, Some(Cow::Borrowed("10.0.0.1"))));
    }

    #[test]
    fn splice_appends_the_mapped_tokens_and_none_appends_nothing() {
        let f = Flags::new("-sT -T4", &["-sT", "-T4"]);
        let argv = Argv::new()
            .lit("nmap")
            .splice(f)
            .splice(None::<Flags<'_>>)
            .splice(Some(Flags::new("", &[] as &[&str])))
            .finish();
        assert_eq!(argv, ["nmap", "-sT", "-T4"]);
        // Inside a token a mapping inserts its text as written; no mapping drops it.
        let argv = Argv::new()
            .token(|t| t.lit("--flags=").flags(f))
            .token(|t| t.lit("--none=").flags(None::<Flags<'_>>))
            .finish();
        assert_eq!(argv, ["--flags=-sT -T4"]);
        // The model's owned strings splice the same way.
        let owned: Vec<Cow<'static, str>> = vec!["-a".into(), "b c".into()];
        let argv = Argv::new().splice(Flags::new("-a 'b c'", &owned)).finish();
        assert_eq!(argv, ["-a", "b c"]);
    }

    #[test]
    fn fragments_splice_as_tokens_or_join_with_one_space() {
        let port = text("8080");
        let argv = Argv::new()
            .lit("curl")
            .when(true, |a| a.lit("-p").arg(&port))
            .when(false, |a| a.lit("-never"))
            .token(|t| t.lit("[").when(true, |a| a.lit("-p").arg(&port)).lit("]"))
            .token(|t| t.lit("--off=").when(false, |a| a.lit("x")))
            .token(|t| t.lit("--empty=").when(true, |a| a.opt(None::<&Text>)))
            .finish();
        assert_eq!(argv, ["curl", "-p", "8080", "[-p 8080]", "--empty="]);
        // The prebuilt form used by the dynamic path gives the same results.
        let frag = Argv::new().lit("a").lit("b");
        assert_eq!(
            Token::new()
                .lit("<")
                .fragment(Some(frag))
                .finish()
                .as_deref(),
            Some("<a b")
        );
        assert_eq!(Token::new().lit("<").fragment(None).finish(), None);
    }

    #[test]
    fn exec_elements_and_variables() {
        let ctx = ctx().with_output_file("/out/x.xml");
        let n = {
            let spec = ArgSpec::new("n", &Constraints::NONE);
            Integer::parse_str(&spec, "42", &ParseOptions::DEFAULT).unwrap()
        };
        // `exec = ["tool", "{_scan_id}", "{_evidence_dir}/{n}.log", "{_output_file}"]`
        let argv = Argv::new()
            .lit("tool")
            .var(&ctx, ExecVar::ScanId)
            .token(|t| {
                t.var(&ctx, ExecVar::EvidenceDir)
                    .lit("/")
                    .arg(&n)
                    .lit(".log")
            })
            .var(&ctx, ExecVar::OutputFile)
            .finish();
        assert_eq!(argv, ["tool", "s1", "/ev/42.log", "/out/x.xml"]);
    }

    /// Counts this thread's heap allocations, so the allocation profile of the
    /// builder is asserted, not assumed (tests run in parallel threads).
    mod counting {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        thread_local! {
            static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
        }

        struct Counting;

        fn count() {
            // `try_with`: the allocator may run while the thread is being torn down.
            let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        }

        // SAFETY: every call is forwarded unchanged to the system allocator.
        unsafe impl GlobalAlloc for Counting {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                count();
                // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
                unsafe { System.alloc(layout) }
            }

            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                // SAFETY: `ptr` came from `System` through this allocator.
                unsafe { System.dealloc(ptr, layout) }
            }

            unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
                count();
                // SAFETY: as for `dealloc`; the caller upholds `realloc`'s contract.
                unsafe { System.realloc(ptr, layout, new_size) }
            }
        }

        #[global_allocator]
        static COUNTING: Counting = Counting;

        /// `f`'s result and the heap allocations (and reallocations) it made.
        pub fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
            let before = ALLOCATIONS.with(Cell::get);
            let out = f();
            (out, ALLOCATIONS.with(Cell::get) - before)
        }
    }

    #[test]
    fn only_the_vector_and_present_compound_tokens_allocate() {
        let target = text("10.0.1.0/24");
        let exclude = text("10.0.1.0/28");
        let ctx = ctx();
        // The nmap template, as generated code builds it.
        fn nmap<'a>(
            ctx: &'a ExecContext,
            target: &'a Text,
            exclude: Option<&'a Text>,
        ) -> (Vec<Cow<'a, str>>, usize) {
            let flags = Flags::new("-sT -sV", &["-sT", "-sV"]);
            counting::allocations(|| {
                Argv::with_capacity(9)
                    .lit("nmap")
                    .splice(flags)
                    .token(|t| t.lit("--exclude=").opt(exclude))
                    .lit("-oN")
                    .var(ctx, ExecVar::OutputFile)
                    .when(true, |a| a.lit("-v"))
                    .arg(target)
                    .finish()
            })
        }
        let (argv, n) = nmap(&ctx, &target, None);
        assert_eq!(argv.len(), 7);
        assert_eq!(n, 1, "only the vector: the absent token allocates nothing");
        let (argv, n) = nmap(&ctx, &target, Some(&exclude));
        assert_eq!(argv[3], "--exclude=10.0.1.0/28");
        assert_eq!(n, 2, "the vector and the one compound token, exactly sized");
        // The dynamic path's owned-string form of a value borrows it too.
        let v = Value::Text(text("x"));
        let (_, n) = counting::allocations(|| Argv::with_capacity(1).arg(&v).finish());
        assert_eq!(n, 1);
    }

    #[test]
    fn the_dynamic_value_gives_the_same_text() {
        let v = Value::Text(text("a b"));
        let argv = Argv::new().arg(&v).token(|t| t.lit("-").arg(&v)).finish();
        assert_eq!(argv, ["a b", "-a b"]);
        assert_eq!(borrowed(&argv), [true, false]);
    }

    #[test]
    fn a_token_longer_than_the_inline_parts_behaves_the_same() {
        // More pieces than fit inline (the parts spill to the heap), then absence.
        let v = text("v");
        let t = Token::new()
            .lit("1")
            .lit("2")
            .arg(&v)
            .lit("4")
            .lit("5")
            .opt(None::<&Text>)
            .arg(&v);
        assert_eq!(t.finish(), None);
        let long = Token::new()
            .lit("a")
            .lit("b")
            .lit("c")
            .lit("d")
            .lit("e")
            .arg(&v);
        assert_eq!(long.finish().as_deref(), Some("abcdev"));
    }
}
