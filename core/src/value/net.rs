//! Network types: `scope_target`, `ip_address`, `cidr` (`url` is in `url.rs`).

use super::check::{check_edge_whitespace, check_injection, json_str, whitespace_or};
use super::text::text_backed;
use super::{ArgError, ArgSpec, ArgValue, ParseOptions, Rule};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// RFC 1035 §2.3.4: a domain name is at most 253 characters in text form.
const MAX_TARGET_LEN: usize = 253;

/// What a [`ScopeTarget`] denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// One IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A network (`10.0.0.0/24`, `2001:db8::/32`), as written: host bits may be set.
    Cidr(IpNet),
    /// A DNS host name (ASCII, labels of 1–63 characters, no trailing dot).
    Hostname,
}

/// A `scope_target` argument: an IP address, a CIDR range or a host name.
///
/// The checks run in the reference's order, with its messages, so that the message
/// tells which fence fired: whitespace, injection, empty, length > 253, `*`, path
/// traversal, `/` outside CIDR notation, backslash, non-ASCII, punycode (`xn--`)
/// labels; then the value must be one of:
/// * an IPv4 address with octets 0–255 and no leading zeros, or any IPv6 address;
/// * a CIDR range, IPv4 (prefix 0–32) or IPv6 (prefix 0–128);
/// * a host name: labels of 1–63 letters, digits and hyphens, not starting or ending
///   with a hyphen, no trailing dot, and not ending in a numeric label (`1.2.3`,
///   `999.1.1.1`, `0x7f.1` are refused: resolvers read them as IPv4 numbers).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScopeTarget {
    text: String,
    kind: TargetKind,
}

text_backed!(ScopeTarget);

impl ScopeTarget {
    /// What the target denotes.
    pub const fn kind(&self) -> &TargetKind {
        &self.kind
    }

    /// The host part: the address for an IP or a CIDR range (without the prefix), the
    /// name for a host name. As written.
    pub fn host(&self) -> &str {
        match self.kind {
            TargetKind::Cidr(_) => self.text.split('/').next().unwrap_or(&self.text),
            _ => &self.text,
        }
    }

    /// The address, when the target is one IP address.
    pub const fn ip(&self) -> Option<IpAddr> {
        match self.kind {
            TargetKind::Ip(ip) => Some(ip),
            _ => None,
        }
    }

    /// The network, when the target is a CIDR range.
    pub const fn network(&self) -> Option<IpNet> {
        match self.kind {
            TargetKind::Cidr(net) => Some(net),
            _ => None,
        }
    }

    /// The host name, when the target is one.
    pub fn hostname(&self) -> Option<&str> {
        match self.kind {
            TargetKind::Hostname => Some(&self.text),
            _ => None,
        }
    }
}

impl ArgValue for ScopeTarget {
    fn to_value(&self) -> super::Value {
        super::Value::ScopeTarget(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let name = spec.name;
        let fence = |rule: Rule, what: &str| {
            ArgError::new(name, rule, format!("argument '{name}' {what}"))
                .with_value(input)
                .with_expected(TARGET_FORMS)
        };
        check_edge_whitespace(name, input)?;
        check_injection(name, input)?;
        if input.is_empty() {
            return Err(fence(Rule::Empty, "scope_target must not be empty"));
        }
        if input.len() > MAX_TARGET_LEN {
            return Err(fence(
                Rule::ScopeTarget,
                "scope_target exceeds 253-character limit (RFC 1035 §2.3.4)",
            ));
        }
        if input.contains('*') {
            return Err(fence(
                Rule::ScopeTarget,
                "scope_target must not contain wildcards",
            ));
        }
        if input.contains("../") || input.contains("..\\") || input.contains("/..") {
            return Err(fence(
                Rule::ScopeTarget,
                "scope_target must not contain path traversal sequences",
            ));
        }
        if input.contains('/') && !cidr_shaped(input) {
            return Err(fence(
                Rule::ScopeTarget,
                "scope_target must not contain '/' (use CIDR notation for ranges)",
            ));
        }
        if input.contains('\\') {
            return Err(fence(
                Rule::ScopeTarget,
                "scope_target must not contain backslash escape sequences",
            ));
        }
        if !input.is_ascii() {
            return Err(fence(
                Rule::ScopeTarget,
                "scope_target must be ASCII (non-ASCII hostnames including IDN homoglyphs are rejected; gate IDN registration upstream if needed)",
            ));
        }
        if input
            .split('.')
            .any(|l| l.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")))
        {
            return Err(fence(
                Rule::ScopeTarget,
                "scope_target must not contain punycode (xn--) labels — IDN/IDNA hostnames are rejected to prevent homoglyph bypass; gate IDN registration upstream if needed",
            ));
        }
        match classify(input) {
            Ok(kind) => Ok(ScopeTarget {
                text: input.to_string(),
                kind,
            }),
            Err(why) => Err(ArgError::new(
                name,
                Rule::ScopeTarget,
                format!("argument '{name}' is not a valid scope target (IP, CIDR, or hostname)"),
            )
            .with_value(input)
            .with_expected(format!("{TARGET_FORMS} ({why})"))),
        }
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "scope_target")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.as_str().into()
    }
}

/// Parses an IP address of the family its text shows: only IPv6 contains ':'. Parsing
/// one family is cheaper than trying IPv4 and then IPv6.
fn parse_ip(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        s.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        s.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
    }
}

const TARGET_FORMS: &str = "an IPv4 or IPv6 address, a CIDR range, or a host name";

/// The reference's `/` fence lets IPv4-CIDR-shaped text through
/// (`\d{1,3}(\.\d{1,3}){3}/\d{1,2}`); cladgen also lets IPv6-CIDR-shaped text through
/// (hex digits, `:` and `.` before one `/`, 1–3 digits after). Range checks come later.
fn cidr_shaped(s: &str) -> bool {
    let Some((addr, prefix)) = s.split_once('/') else {
        return false;
    };
    let digits = |t: &str, max: usize| {
        !t.is_empty() && t.len() <= max && t.bytes().all(|b| b.is_ascii_digit())
    };
    if !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.is_empty() {
        return false;
    }
    let v4 = prefix.len() <= 2 && {
        let mut parts = 0;
        addr.split('.').all(|p| {
            parts += 1;
            digits(p, 3)
        }) && parts == 4
    };
    let v6 = prefix.len() <= 3
        && addr.contains(':')
        && addr
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    v4 || v6
}

/// `08`, `032`: tools disagree on whether a leading zero means octal, so a prefix is
/// written without one (`0` itself is fine).
fn leading_zero(prefix: &str) -> bool {
    prefix.len() > 1 && prefix.starts_with('0')
}

/// The final classification, after the fences; `Err` says why nothing fits.
fn classify(s: &str) -> Result<TargetKind, &'static str> {
    if let Some((addr, prefix)) = s.split_once('/') {
        let ip: IpAddr =
            parse_ip(addr).ok_or("the address part of the CIDR range is not a valid IP address")?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        if leading_zero(prefix) {
            return Err("a CIDR prefix must not have leading zeros");
        }
        let p: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= max)
            .ok_or(if ip.is_ipv4() {
                "an IPv4 CIDR prefix is 0-32"
            } else {
                "an IPv6 CIDR prefix is 0-128"
            })?;
        return IpNet::new(ip, p)
            .map(TargetKind::Cidr)
            .map_err(|_| "invalid CIDR prefix");
    }
    if s.contains(':') {
        return s
            .parse::<Ipv6Addr>()
            .map(|ip| TargetKind::Ip(IpAddr::V6(ip)))
            .map_err(|_| "not a valid IPv6 address");
    }
    if ends_in_number(s) {
        return s
            .parse::<Ipv4Addr>()
            .map(|ip| TargetKind::Ip(IpAddr::V4(ip)))
            .map_err(|_| {
                "a numeric host must be a dotted-quad IPv4 address with octets 0-255 and no leading zeros"
            });
    }
    check_host_name(s).map(|()| TargetKind::Hostname)
}

/// WHATWG URL's "ends in a number": the last label is all digits or `0x` + hex digits.
/// Such names are parsed as IPv4 numbers by resolvers (`inet_aton`), so they must be
/// canonical dotted quads to be accepted.
fn ends_in_number(s: &str) -> bool {
    let last = s.rsplit('.').next().unwrap_or(s);
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    last.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x"))
        && last.bytes().skip(2).all(|b| b.is_ascii_hexdigit())
}

/// Checks RFC 1123 host name syntax: labels of 1–63 `[A-Za-z0-9-]`, not starting or
/// ending with `-`, no empty label, no trailing dot. `Err` says what is wrong. (It
/// does not check the total length or numeric labels; [`ScopeTarget`] does.)
pub fn check_host_name(s: &str) -> Result<(), &'static str> {
    if s.ends_with('.') {
        return Err("a host name must not end with a dot");
    }
    for label in s.split('.') {
        if label.is_empty() {
            return Err("a host name must not contain empty labels");
        }
        if label.len() > 63 {
            return Err("a DNS label is at most 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("a host name contains only letters, digits, hyphens and dots");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a DNS label must not start or end with a hyphen");
        }
    }
    Ok(())
}

/// An `ip_address` argument: a strict IPv4 (no leading zeros) or IPv6 address
/// (no zone, no brackets). `Display` is the text as given.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IpAddress {
    text: ShortText,
    ip: IpAddr,
}

text_backed!(IpAddress);

impl IpAddress {
    /// The address.
    pub const fn get(&self) -> IpAddr {
        self.ip
    }
}

impl ArgValue for IpAddress {
    fn to_value(&self) -> super::Value {
        super::Value::IpAddress(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let name = spec.name;
        let ip = parse_ip(input).ok_or(()).map_err(|()| {
            whitespace_or(name, input, || {
                ArgError::new(
                    name,
                    Rule::IpAddress,
                    format!("argument '{name}' is not a valid IP address"),
                )
                .with_value(input)
                .with_expected(
                    "an IPv4 address such as 192.0.2.1 or an IPv6 address such as 2001:db8::1",
                )
            })
        })?;
        // A parsed address is at most 45 characters, so this cannot fail.
        let text = ShortText::new(input).ok_or_else(|| {
            ArgError::new(
                name,
                Rule::IpAddress,
                format!("argument '{name}' is not a valid IP address"),
            )
            .with_value(input)
        })?;
        Ok(IpAddress { text, ip })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "ip_address")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.as_str().into()
    }
}

/// A `cidr` argument: an IPv4 (prefix 0–32) or IPv6 (prefix 0–128) network.
///
/// Host bits may be set (`10.0.0.1/24`, as every implementation accepts); containment
/// checks use the whole range ([`Cidr::network`] truncates). `Display` is the text as
/// given.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    text: ShortText,
    net: IpNet,
}

text_backed!(Cidr);

impl Cidr {
    /// The network as written (host bits kept).
    pub const fn get(&self) -> IpNet {
        self.net
    }

    /// The network with host bits cleared (`10.0.0.1/24` → `10.0.0.0/24`).
    pub fn network(&self) -> IpNet {
        self.net.trunc()
    }

    /// Whether `ip` lies in the range.
    pub fn contains(&self, ip: &IpAddr) -> bool {
        self.net.contains(ip)
    }

    /// Whether the whole range `other` lies in this range.
    pub fn contains_net(&self, other: &IpNet) -> bool {
        self.net.contains(other)
    }
}

impl ArgValue for Cidr {
    fn to_value(&self) -> super::Value {
        super::Value::Cidr(self.clone())
    }

    fn to_argv(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.as_str())
    }

    fn parse_str(spec: &ArgSpec<'_>, input: &str, _opts: &ParseOptions) -> Result<Self, ArgError> {
        let name = spec.name;
        check_edge_whitespace(name, input)?;
        let err = |msg: String, expected: &str| {
            ArgError::new(name, Rule::Cidr, msg)
                .with_value(input)
                .with_expected(expected.to_string())
        };
        const FORM: &str = "CIDR notation such as 10.0.0.0/24 or 2001:db8::/32";
        let Some((addr, prefix)) = input.split_once('/') else {
            return Err(err(
                format!("argument '{name}' is not valid CIDR notation (e.g. 10.0.0.0/24)"),
                FORM,
            ));
        };
        if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                format!("argument '{name}' is not valid CIDR notation (e.g. 10.0.0.0/24)"),
                FORM,
            ));
        }
        let ip: IpAddr = match parse_ip(addr).ok_or(()) {
            Ok(ip) => ip,
            Err(()) if addr.contains(':') => {
                return Err(err(
                    format!("argument '{name}' has invalid IPv6 address in CIDR"),
                    FORM,
                ));
            }
            Err(())
                if !addr.is_empty() && addr.bytes().all(|b| b.is_ascii_digit() || b == b'.') =>
            {
                return Err(err(
                    format!("argument '{name}' has invalid IPv4 address in CIDR"),
                    FORM,
                ));
            }
            Err(_) => {
                return Err(err(
                    format!("argument '{name}' is not valid CIDR notation (e.g. 10.0.0.0/24)"),
                    FORM,
                ));
            }
        };
        let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
        if leading_zero(prefix) {
            return Err(err(
                format!("argument '{name}' CIDR prefix must not have leading zeros"),
                FORM,
            ));
        }
        let p = prefix
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= max)
            .ok_or_else(|| {
                err(
                    format!("argument '{name}' CIDR prefix must be 0-{max}"),
                    FORM,
                )
            })?;
        let net = IpNet::new(ip, p).map_err(|_| {
            err(
                format!("argument '{name}' CIDR prefix must be 0-{max}"),
                FORM,
            )
        })?;
        // At most 45 + 1 + 3 characters after the checks above, so this cannot fail.
        let text = ShortText::new(input).ok_or_else(|| {
            err(
                format!("argument '{name}' is not valid CIDR notation (e.g. 10.0.0.0/24)"),
                FORM,
            )
        })?;
        Ok(Cidr { text, net })
    }

    fn parse_json(
        spec: &ArgSpec<'_>,
        input: &serde_json::Value,
        opts: &ParseOptions,
    ) -> Result<Self, ArgError> {
        Self::parse_str(spec, json_str(spec.name, input, "cidr")?, opts)
    }

    fn to_json(&self) -> serde_json::Value {
        self.as_str().into()
    }
}

/// Text of at most [`ShortText::CAP`] bytes stored inline, so that IP and CIDR
/// values need no allocation (the hot path of scope-heavy tools).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ShortText {
    len: u8,
    buf: [u8; ShortText::CAP],
}

impl ShortText {
    const CAP: usize = 52;

    fn new(s: &str) -> Option<Self> {
        let mut buf = [0; Self::CAP];
        buf.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(ShortText {
            len: u8::try_from(s.len()).ok()?,
            buf,
        })
    }
}

impl std::ops::Deref for ShortText {
    type Target = str;
    fn deref(&self) -> &str {
        // Always valid: built from a `&str`, cut at its own length.
        self.buf
            .get(..usize::from(self.len))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for ShortText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}
