//! How a tool runs: `[command]`, `[http]`, `[mcp]`, `[source]`, session, browser.
//!
//! Templates are tokenised and their placeholders resolved by the loader, so at
//! this level a template is a list of argv elements made of typed pieces.

use super::{BrowserSpec, Expr, List, SessionSpec, Str};

/// The one backend of a manifest.
#[derive(Clone, Debug, PartialEq)]
pub enum Backend {
    /// `[command]`: a process, never through a shell.
    Command(CommandSpec),
    /// `[http]`: one HTTP request.
    Http(HttpSpec),
    /// `[mcp]`: a call delegated to another MCP server.
    Mcp(McpSpec),
    /// `[session]`: an interactive PTY session.
    Session(SessionSpec),
    /// `[browser]`: a browser session.
    Browser(BrowserSpec),
    /// `[source] operation = "..."`: implemented in-process by the host.
    Source(SourceSpec),
    /// `dispatch = "callback"`: nothing to run; the manifest types the arguments.
    Callback,
}

/// `[source]` (newer Symbiont manifests): an in-process operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSpec {
    /// The operation the host implements.
    pub operation: Str,
}

/// `[command]`.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandSpec {
    /// Which form runs (`executor` > `exec` > `template`).
    pub run: CommandRun,
    /// `[command.mappings.<arg>]`, one per mapped argument.
    pub mappings: List<Mapping>,
    /// `[command.conditionals.<name>]`, in declaration order.
    pub conditionals: List<Conditional>,
}

/// The command form that runs.
#[derive(Clone, Debug, PartialEq)]
pub enum CommandRun {
    /// `template`: tokenised at build time with POSIX quoting; one token, one argv element.
    Template {
        /// The template as written.
        source: Str,
        /// argv template; `tokens[0]` yields the program.
        tokens: List<Token>,
    },
    /// `exec`: one element per argv entry, never split.
    Exec {
        /// argv template; `tokens[0]` yields the program.
        tokens: List<Token>,
    },
    /// `executor`: run with no arguments; values handed over in `TOOLCLAD_*` variables.
    Executor {
        /// Program path, as written.
        path: Str,
    },
}

/// One argv element of a template (or a splice point, see [`Piece`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The pieces, concatenated.
    pub pieces: List<Piece>,
}

/// Part of a command token.
///
/// A token consisting of exactly one `Mapping` or `Conditional` piece is a *splice*:
/// it expands to the mapped flags' (or the fragment's) own tokens, possibly none.
/// Inside a larger token those pieces insert their text, joined by single spaces.
/// A token referring to an absent optional argument (or an unmapped value, or a
/// false conditional) is dropped as a whole.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    /// Literal text (already unquoted; `{{`/`}}` already turned into braces;
    /// `[command.defaults]` values already substituted).
    Lit(Str),
    /// The value of `args[index]`.
    Arg(usize),
    /// The flags mapped from the value of `mappings[index].arg`.
    Mapping(usize),
    /// The fragment of `conditionals[index]` when its condition holds.
    Conditional(usize),
    /// A variable supplied by the execution context.
    Var(ExecVar),
}

/// Variables supplied at run time by the execution context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExecVar {
    /// `{_scan_id}`
    ScanId,
    /// `{_output_file}`
    OutputFile,
    /// `{_evidence_dir}`
    EvidenceDir,
}

impl ExecVar {
    /// Every variable.
    pub const ALL: [ExecVar; 3] = [ExecVar::ScanId, ExecVar::OutputFile, ExecVar::EvidenceDir];

    /// The placeholder name (without braces).
    pub const fn placeholder(self) -> &'static str {
        match self {
            ExecVar::ScanId => "_scan_id",
            ExecVar::OutputFile => "_output_file",
            ExecVar::EvidenceDir => "_evidence_dir",
        }
    }
}

/// `[command.mappings.<arg>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapping {
    /// Index of the mapped argument in `Manifest::args`.
    pub arg: usize,
    /// One entry per mapped value, in manifest order.
    pub entries: List<MappingEntry>,
}

/// One `value = "flags"` line of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct MappingEntry {
    /// The argument value (an enum's allowed value, or a boolean's `true`/`false`).
    pub value: Str,
    /// The flag string as written.
    pub text: Str,
    /// The flag string split with POSIX quoting rules at build time.
    pub tokens: List<Str>,
}

/// `[command.conditionals.<name>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Conditional {
    /// The name (`{_<name>}` refers to it).
    pub name: Str,
    /// The parsed `when` expression.
    pub when: Expr,
    /// The `when` expression as written.
    pub when_source: Str,
    /// The fragment, tokenised like a template (no nested conditionals).
    pub tokens: List<Token>,
}

/// `[http]`.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpSpec {
    /// Request method.
    pub method: HttpMethod,
    /// The URL as written.
    pub url_source: Str,
    /// The URL; each argument piece knows which URL part it lands in.
    pub url: List<TextPiece>,
    /// Request headers in manifest order.
    pub headers: List<Header>,
    /// Request body.
    pub body: Option<Body>,
    /// Statuses that count as success (empty: any 2xx).
    pub success_status: List<u16>,
    /// Statuses that count as errors (checked first).
    pub error_status: List<u16>,
}

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `PATCH`
    Patch,
    /// `HEAD`
    Head,
}

impl HttpMethod {
    /// Every method.
    pub const ALL: [HttpMethod; 6] = [
        HttpMethod::Get,
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Delete,
        HttpMethod::Patch,
        HttpMethod::Head,
    ];

    /// Upper-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Head => "HEAD",
        }
    }

    /// Parses a method name, case-insensitively.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// One `[http.headers]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Header name.
    pub name: Str,
    /// Header value pieces (the result must not contain CR or LF).
    pub value: List<TextPiece>,
}

/// Part of an HTTP URL or header value.
#[derive(Clone, Debug, PartialEq)]
pub enum TextPiece {
    /// Literal text.
    Lit(Str),
    /// `args[arg]`, encoded for `part` (headers use [`UrlPart::Header`]).
    Arg {
        /// Argument index.
        arg: usize,
        /// Where it lands, which decides the encoding.
        part: UrlPart,
    },
    /// `{_secret:name}`, resolved at run time, encoded for `part`.
    Secret {
        /// Secret name (`[A-Za-z0-9_]+`).
        name: Str,
        /// Where it lands.
        part: UrlPart,
    },
}

/// Where a value lands, which decides its encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UrlPart {
    /// Scheme/authority (only for values whose validated form is already a safe host,
    /// URL or port; inserted verbatim).
    Authority,
    /// A path segment: percent-encoded, `/` included.
    Path,
    /// A query component: percent-encoded, `&`, `=`, `#`, `+` included.
    Query,
    /// The fragment: percent-encoded.
    Fragment,
    /// A header value: inserted verbatim (CR/LF refused).
    Header,
}

/// `body_template`.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// The template as written.
    pub source: Str,
    /// True when the template is JSON (checked at build time): values are JSON-escaped.
    pub json: bool,
    /// The body pieces.
    pub pieces: List<BodyPiece>,
}

/// Part of a body template.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyPiece {
    /// Literal text.
    Lit(Str),
    /// `args[arg]`.
    Arg {
        /// Argument index.
        arg: usize,
        /// Where it lands in JSON (ignored for a non-JSON body).
        slot: JsonSlot,
    },
    /// `{_secret:name}`.
    Secret {
        /// Secret name.
        name: Str,
        /// Where it lands in JSON.
        slot: JsonSlot,
    },
}

/// Where a placeholder sits in a JSON body template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JsonSlot {
    /// Inside a JSON string: the value is escaped as string content.
    InString,
    /// In value position: numbers and booleans as JSON scalars, everything else as a
    /// quoted JSON string.
    Value,
    /// Not JSON: inserted verbatim.
    Raw,
}

/// `[mcp]`.
#[derive(Clone, Debug, PartialEq)]
pub struct McpSpec {
    /// Upstream MCP server name.
    pub server: Str,
    /// Upstream tool name.
    pub tool: Str,
    /// Every argument with the upstream field name it is sent under
    /// (`[mcp.field_map]` renames; unmapped arguments keep their name).
    pub fields: List<McpField>,
}

/// One argument forwarded to an MCP server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct McpField {
    /// Argument index.
    pub arg: usize,
    /// Upstream parameter name.
    pub name: Str,
}

impl Token {
    /// A token of `pieces` (what generated `MANIFEST` literals call, one line each).
    pub const fn new(pieces: List<Piece>) -> Self {
        Token { pieces }
    }
}

impl MappingEntry {
    /// The entry mapping `value` to flag string `text`, split into `tokens`.
    pub const fn new(value: Str, text: Str, tokens: List<Str>) -> Self {
        MappingEntry {
            value,
            text,
            tokens,
        }
    }
}
