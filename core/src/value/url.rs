//! The `url` type: WHATWG URLs, with a parser-free fast path for the common shape.
//!
//! Most URLs an agent sends look like `https://host.example.com:8443/path?q=1`. For
//! that shape (an `http`/`https` scheme, a DNS host name or dotted-quad IPv4 address,
//! an optional decimal port, then a path, query or fragment) the answer of the `url`
//! crate is known in advance: it parses, the host is the text as written (in lower
//! case), and nothing can hide another host. [`plain_http`] recognises exactly that
//! shape and the parsed `url::Url` is built only when [`Url::as_url`] asks for it.
//! Every other input goes through the parser. The two paths are checked against each
//! other by `core/tests/it/url_fast_path.rs` and the `url_fast_path` fuzz target: whatever
//! the fast path accepts, the parser accepts with the same scheme and host.

use super::check::{check_edge_whitespace, check_injection, json_str, shown};
use super::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};
use std::ops::Range;
use std::sync::OnceLock;

/// A `url` argument, parsed by the `url` crate (WHATWG URL).
///
/// Rules, in order: no surrounding whitespace; no injection character (so `&` in a
/// query and `[` of an IPv6 literal are refused, as in the reference); not empty; no
/// backslash; parses as an absolute URL; scheme in the argument's `schemes` (default
/// `http`, `https`); written as `scheme://authority...`; has a host; no userinfo
/// (`user:pass@`); the host is written the way the parser reads it (no percent
/// escapes, non-ASCII or numeric shorthands such as `http://2130706433/`), so that
/// the host a scope check sees is the host the tool connects to.
///
/// `Display` is the text as given; [`Url::host`] is the parsed host. Equality and
/// hashing compare the text.
///
/// ```
/// use cladgen_core::model::Constraints;
/// use cladgen_core::value::{ArgSpec, ArgValue, ParseOptions, Url};
///
/// let spec = ArgSpec::new("endpoint", &Constraints::NONE);
/// let url = Url::parse_str(&spec, "https://API.example.com:8443/v1", &ParseOptions::DEFAULT)?;
/// assert_eq!(url.host(), "api.example.com");
/// assert_eq!(url.as_url().port(), Some(8443));
/// assert_eq!(url.to_string(), "https://API.example.com:8443/v1");
///
/// let err = Url::parse_str(&spec, "https://user:pw@example.com/", &ParseOptions::DEFAULT)
///     .unwrap_err();
/// assert_eq!(err.message, "argument 'endpoint' URL must not contain userinfo (user:password@)");
/// # Ok::<(), cladgen_core::value::ArgError>(())
/// ```
#[derive(Clone)]
pub struct Url {
    text: Box<str>,
    form: Form,
}

#[derive(Clone)]
enum Form {
    /// Recognised by [`plain_http`]; the parsed URL is built on first use.
    Plain {
        https: bool,
        /// The host's byte range in the text.
        host: Range<usize>,
        /// The host in lower case, when the text has upper-case letters in it.
        lower_host: Option<Box<str>>,
        parsed: OnceLock<url::Url>,
    },
    /// Read by the parser.
    Parsed(url::Url),
}

impl Url {
    /// The value exactly as it goes into the argv element (the text as given).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed URL.
    pub fn as_url(&self) -> &url::Url {
        match &self.form {
            Form::Parsed(url) => url,
            Form::Plain { parsed, .. } => parsed.get_or_init(|| {
                url::Url::parse(&self.text)
                    .expect("the url crate parses every URL of the plain http shape")
            }),
        }
    }

    /// The host as the parser reads it (lower case; an IPv4 address as text).
    pub fn host(&self) -> &str {
        match &self.form {
            Form::Parsed(url) => url.host_str().unwrap_or_default(),
            Form::Plain {
                host, lower_host, ..
            } => lower_host.as_deref().unwrap_or(&self.text[host.clone()]),
        }
    }

    /// The scheme, lower case.
    pub fn scheme(&self) -> &str {
        match &self.form {
            Form::Parsed(url) => url.scheme(),
            Form::Plain { https: true, .. } => "https",
            Form::Plain { https: false, .. } => "http",
        }
    }
}

const DEFAULT_SCHEMES: [&str; 2] = ["http", "https"];

/// Schemes a `url` argument never accepts, whatever its `schemes` list says, with
/// the reason. A `url` names a network resource: these run script (`javascript`,
/// `vbscript`), carry their own content (`data`, `blob`), read local files (`file`,
/// `filesystem`, `jar`) or open browser-internal pages and extensions. The loader
/// refuses a `schemes` entry from this list (`forbidden-scheme`).
pub const FORBIDDEN_SCHEMES: &[(&str, &str)] = &[
    ("javascript", "runs script in the page"),
    ("vbscript", "runs script in the page"),
    (
        "data",
        "carries its own content, which can be a script or a page",
    ),
    ("blob", "carries content made by a page"),
    (
        "file",
        "reads local files (use a `path` argument for files)",
    ),
    ("filesystem", "reads a browser's local storage"),
    ("jar", "reads inside local archives"),
    ("view-source", "opens a browser-internal page"),
    ("about", "opens a browser-internal page"),
    ("chrome", "opens a browser-internal page"),
    ("chrome-untrusted", "opens a browser-internal page"),
    ("chrome-search", "opens a browser-internal page"),
    ("chrome-extension", "opens a browser extension"),
    ("devtools", "opens the browser's developer tools"),
    ("edge", "opens a browser-internal page"),
    ("brave", "opens a browser-internal page"),
    ("opera", "opens a browser-internal page"),
    ("vivaldi", "opens a browser-internal page"),
    ("resource", "opens a browser-internal page"),
    ("moz-extension", "opens a browser extension"),
    ("ms-browser-extension", "opens a browser extension"),
    ("safari-extension", "opens a browser extension"),
    ("intent", "starts another application"),
];

/// Why scheme `scheme` (any case) is never accepted, if it is one of
/// [`FORBIDDEN_SCHEMES`].
pub fn forbidden_scheme(scheme: &str) -> Option<&'static str> {
    FORBIDDEN_SCHEMES
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(scheme))
        .map(|(_, why)| *why)
}

/// The run-time rule for a value placed in a URL's authority (before the path) of an
/// `[http] url` template, after its type's own rules: the loader lets only host-like
/// types (`scope_target`, `ip_address`, `enum`) into the host and `port` or digit
/// enums after a literal `:`. Their text must still read as one host name, IPv4
/// address or port: no CIDR range (`/` would start the path), no IPv6 literal (its
/// `:` would be read as a port separator; IPv6 hosts are written literally or passed
/// as a whole `url`), no `@`, `%`, brackets or other character that changes where
/// the host ends. `Err` gives the reason.
pub fn check_url_authority_value(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("it is empty, which leaves the URL without a host or port");
    }
    if value.contains('/') {
        return Err("a '/' (as in a CIDR range) would end the host and start the path");
    }
    if value.contains(':') {
        return Err(
            "a ':' (as in an IPv6 address) would be read as a port separator; only IPv4 addresses and host names can be placed in a URL host",
        );
    }
    match value
        .bytes()
        .find(|b| !(b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-'))
    {
        Some(_) => Err("only letters, digits, '.' and '-' can be placed in a URL host or port"),
        None => Ok(()),
    }
}

fn scheme_allowed(spec: &ArgSpec<'_>, scheme: &str) -> bool {
    if forbidden_scheme(scheme).is_some() {
        return false;
    }
    match &spec.constraints.schemes {
        Some(list) => list.iter().any(|s| s.eq_ignore_ascii_case(scheme)),
        None => DEFAULT_SCHEMES
            .iter()
            .any(|s| s.eq_ignore_ascii_case(scheme)),
    }
}

impl ArgValue for Url {
    fn to_value(&self) -> super::Value {
        super::Value::Url(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        check_edge_whitespace(spec.name, input)?;
        check_injection(spec.name, input)?;
        if let Some(plain) = plain_http(input)
            && scheme_allowed(spec, plain.scheme())
        {
            let written = &input[plain.host.clone()];
            let lower_host = written
                .bytes()
                .any(|b| b.is_ascii_uppercase())
                .then(|| written.to_ascii_lowercase().into());
            return Ok(Url {
                text: input.into(),
                form: Form::Plain {
                    https: plain.https,
                    host: plain.host,
                    lower_host,
                    parsed: OnceLock::new(),
                },
            });
        }
        let url = parse_with_parser(spec, input)?;
        Ok(Url {
            text: input.into(),
            form: Form::Parsed(url),
        })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "url")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.as_str().into()
    }
}

/// The rules after whitespace and injection, with the `url` crate as the authority.
fn parse_with_parser(spec: &ArgSpec<'_>, input: &str) -> Result<url::Url, ArgError> {
    let name = spec.name;
    // Messages are built only on failure.
    let scheme_list = || match &spec.constraints.schemes {
        Some(list) => list.join(", "),
        None => DEFAULT_SCHEMES.join(", "),
    };
    let bad = |rule: Rule, what: String| {
        ArgError::new(name, rule, what)
            .with_value(input)
            .with_expected(format!(
                "an absolute URL with scheme {}, e.g. https://example.com/path",
                scheme_list()
            ))
    };
    if input.is_empty() {
        return Err(bad(
            Rule::Empty,
            format!("argument '{name}' URL must not be empty"),
        ));
    }
    if input.contains('\\') {
        return Err(bad(
            Rule::Url,
            format!("argument '{name}' URL must not contain a backslash"),
        ));
    }
    let url = url::Url::parse(input).map_err(|e| {
        bad(
            Rule::Url,
            format!("argument '{name}' is not a valid URL ({e})"),
        )
    })?;
    let scheme = url.scheme();
    let listed = || {
        spec.constraints
            .schemes
            .as_ref()
            .is_some_and(|l| l.iter().any(|s| s.eq_ignore_ascii_case(scheme)))
    };
    if let Some(why) = forbidden_scheme(scheme)
        && listed()
    {
        return Err(bad(
            Rule::Scheme,
            format!("argument '{name}' URL scheme '{scheme}' is never accepted: it {why}"),
        ));
    }
    if !scheme_allowed(spec, scheme) {
        return Err(bad(
            Rule::Scheme,
            format!(
                "argument '{name}' URL scheme '{scheme}' is not allowed (allowed: {})",
                scheme_list()
            ),
        ));
    }
    // The authority as written: after `scheme://`, up to the path, query or fragment.
    let after = input
        .get(scheme.len()..)
        .and_then(|rest| rest.strip_prefix("://"))
        .ok_or_else(|| {
            bad(
                Rule::Url,
                format!("argument '{name}' URL must start with '{scheme}://'"),
            )
        })?;
    let authority = after.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(bad(
            Rule::Url,
            format!("argument '{name}' URL must not contain userinfo (user:password@)"),
        ));
    }
    let parsed_host = url.host_str().unwrap_or_default();
    if parsed_host.is_empty() {
        return Err(bad(
            Rule::Url,
            format!("argument '{name}' URL must have a host"),
        ));
    }
    // Strip `:port` (IPv6 literals cannot get here: `[` is an injection character).
    let written_host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    if !written_host.eq_ignore_ascii_case(parsed_host) {
        return Err(bad(
            Rule::Url,
            format!(
                "argument '{name}' URL host '{}' is not in canonical form (it is read as '{parsed_host}')",
                shown(written_host)
            ),
        ));
    }
    Ok(url)
}

/// Where [`plain_http`] found the scheme and the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PlainHttp {
    /// `https` rather than `http`.
    pub https: bool,
    /// The host's byte range in the text (as written, any case).
    pub host: Range<usize>,
}

impl PlainHttp {
    fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }
}

/// Recognises `http://` or `https://` (any case), then a host that is either a DNS
/// name or a canonical dotted quad, then an optional `:port` of 1–5 digits up to
/// 65535, then nothing, or `/`, `?` or `#` followed by anything but spaces, ASCII
/// controls and `\`. DNS name here means labels of 1–63 ASCII letters, digits and
/// hyphens, no hyphen at either end, no `--` as third and fourth characters (the
/// `xn--` labels IDNA decodes), a last label that does not start with a digit, and
/// at most one trailing dot.
///
/// `None` does not mean invalid: it means "ask the parser". The shape is chosen so that
/// the WHATWG parser can neither fail on it (it only percent-encodes a path, query or
/// fragment) nor read a host other than the one written, lower-cased: no userinfo, no
/// percent escape, no IDNA mapping beyond ASCII case, no number it would reinterpret.
pub(crate) fn plain_http(input: &str) -> Option<PlainHttp> {
    let bytes = input.as_bytes();
    let starts = |prefix: &[u8]| {
        bytes
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    let https = if starts(b"https://") {
        true
    } else if starts(b"http://") {
        false
    } else {
        return None;
    };
    let host_start = if https { 8 } else { 7 };
    let rest = &bytes[host_start..];
    let authority_len = rest
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let host_len = match authority.iter().position(|&b| b == b':') {
        Some(colon) => {
            if !plain_port(&authority[colon + 1..]) {
                return None;
            }
            colon
        }
        None => authority_len,
    };
    if !plain_host(&authority[..host_len]) {
        return None;
    }
    let tail = &rest[authority_len..];
    if tail.iter().any(|&b| b <= b' ' || b == 0x7f || b == b'\\') {
        return None;
    }
    Some(PlainHttp {
        https,
        host: host_start..host_start + host_len,
    })
}

fn plain_port(port: &[u8]) -> bool {
    (1..=5).contains(&port.len())
        && port.iter().all(u8::is_ascii_digit)
        && port.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')) <= u32::from(u16::MAX)
}

/// Whether `host` is a host the URL parser reads as written: a DNS name not ending
/// in a numeric label, or a canonical dotted quad (the loader checks enum hosts so).
#[cfg(feature = "load")]
pub(crate) fn plain_host_str(host: &str) -> bool {
    plain_host(host.as_bytes())
}

fn plain_host(host: &[u8]) -> bool {
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    // The parser keeps one trailing dot of a DNS name (`example.com.`).
    let (name, dotted) = match host.strip_suffix(b".") {
        Some(name) => (name, true),
        None => (host, false),
    };
    let last = name.rsplit(|&b| b == b'.').next().unwrap_or_default();
    if last.first().is_some_and(u8::is_ascii_digit) {
        // The parser reads a host ending in a number as IPv4 (`0x7f.1`, `010.0.0.1`,
        // `2130706433`, `1.2.3.4.`): only the canonical dotted quad reads as itself.
        return !dotted && canonical_ipv4(name);
    }
    name.split(|&b| b == b'.').all(plain_label)
}

fn plain_label(label: &[u8]) -> bool {
    (1..=63).contains(&label.len())
        && label
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
        && label.first() != Some(&b'-')
        && label.last() != Some(&b'-')
        && label.get(2..4) != Some(b"--")
}

fn canonical_ipv4(host: &[u8]) -> bool {
    let mut parts = 0;
    for part in host.split(|&b| b == b'.') {
        parts += 1;
        let canonical = matches!(part.len(), 1..=3)
            && part.iter().all(u8::is_ascii_digit)
            && (part.len() == 1 || part[0] != b'0')
            && part.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')) <= 255;
        if !canonical {
            return false;
        }
    }
    parts == 4
}

/// Test support for the fast path (used by `core/tests/it/url_fast_path.rs` and the
/// `url_fast_path` fuzz target): `Ok(true)` when `parse_str` takes the fast path for
/// `input` and the parser path agrees (accepts, same scheme and host), `Ok(false)`
/// when the fast path does not apply, `Err` with what differs otherwise.
#[doc(hidden)]
pub fn fast_path_agreement(spec: &ArgSpec<'_>, input: &str) -> Result<bool, String> {
    // What `parse_str` itself decided, so the test follows any change to its rules.
    let Ok(fast) = Url::parse_str(spec, input, &ParseOptions::DEFAULT) else {
        return Ok(false);
    };
    if matches!(fast.form, Form::Parsed(_)) {
        return Ok(false);
    }
    let (scheme, host) = (fast.scheme(), fast.host());
    match parse_with_parser(spec, input) {
        Err(e) => Err(format!(
            "the fast path accepts {input:?}, the parser path refuses it: {e}"
        )),
        Ok(url) if url.scheme() != scheme || url.host_str() != Some(host) => Err(format!(
            "the fast path reads {input:?} as scheme {scheme:?} host {host:?}, the parser as {:?} {:?}",
            url.scheme(),
            url.host_str()
        )),
        Ok(_) => Ok(true),
    }
}

impl PartialEq for Url {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Url {}

impl std::hash::Hash for Url {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Url")
            .field("text", &self.as_str())
            .field("host", &self.host())
            .finish()
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Url {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl serde::Serialize for Url {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_shape_is_recognised() {
        let p = plain_http("https://api.example.com:8443/v1?q=1#top").unwrap();
        assert!(p.https);
        assert_eq!(p.host, 8..23);
        assert_eq!(plain_http("http://10.0.0.1").unwrap().host, 7..15);
        assert_eq!(plain_http("http://a.b?x").unwrap().host, 7..10);
        assert_eq!(plain_http("HTTP://Example.COM./").unwrap().host, 7..19);
        assert_eq!(plain_http("https://a.com/é?ü#ß").unwrap().host, 8..13);
    }

    #[test]
    fn everything_else_goes_to_the_parser() {
        for s in [
            "https://example.com../",
            "https://.example.com/",
            "https://a..b/",
            "https://-a.com/",
            "https://a-.com/",
            "https://xn--nxasmq6b.com/",
            "https://XN--nxasmq6b.com/",
            "https://ab--c.com/",
            "https://010.0.0.1/",
            "https://1.2.3/",
            "https://1.2.3.4./",
            "https://1.2.3.4.5/",
            "https://256.1.1.1/",
            "https://0x7f.1/",
            "https://2130706433/",
            "https://a.1b/",
            "https://user@a.com/",
            "https://a.com:/",
            "https://a.com:65536/",
            "https://a.com:123456/",
            "https://a.com:8x/",
            "https://%61.com/",
            "https://é.com/",
            "https:///a.com/",
            "https:/a.com/",
            "https://a.com/p q",
            "https://a.com/\\x",
            "https://a.com/\tx",
            "ftp://a.com/",
            "https://",
        ] {
            assert_eq!(plain_http(s), None, "{s}");
        }
    }
}
