//! Project scope (`scope/scope.toml`): which hosts and networks a tool may touch.
//!
//! A [`Scope`] is a list of allowed entries and a list of excluded ones. An entry is an
//! IP address, a CIDR range, a host name, or a wildcard `*.example.com` (which matches
//! every name below `example.com`, at any depth, but **not** `example.com` itself).
//! Exclusions always win. Host names match case-insensitively, and one trailing dot
//! is ignored. Names are never resolved: a host name is in scope only through a host
//! or wildcard entry, an address only through an address or CIDR entry.
//!
//! With feature `scope-file` (part of `load`), [`Scope::from_toml`] and [`Scope::load`]
//! read both shapes of `scope.toml` found in real projects:
//!
//! ```toml
//! [scope]
//! targets = ["10.0.1.0/24", "192.168.1.0/24"]
//! domains = ["example.com", "*.test.example.com"]
//! exclude = ["10.0.1.1"]
//! ```
//!
//! ```toml
//! [[targets]]
//! cidr = "10.0.1.0/24"
//! description = "staging"      # other keys are metadata and ignored
//!
//! [[excluded]]
//! cidr = "10.0.0.1/32"
//! reason = "Core router"
//! ```

use crate::value::{ArgError, Rule, ScopeTarget, TargetKind, Url};
use ipnet::IpNet;
use std::fmt;
use std::net::IpAddr;

/// One scope entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ScopeEntry {
    /// An address (as a /32 or /128) or a CIDR range (host bits cleared).
    Network(IpNet),
    /// An exact host name, lower case, without a trailing dot.
    Host(String),
    /// `*.suffix`: any name strictly below `suffix` (lower case, no trailing dot).
    Wildcard(String),
}

impl ScopeEntry {
    /// Parses `*.example.com`, `example.com`, `10.0.0.1`, `10.0.0.0/24`, `2001:db8::/32`.
    pub fn parse(entry: &str) -> Result<ScopeEntry, ScopeError> {
        let invalid = |reason: &'static str| ScopeError::InvalidEntry {
            entry: entry.to_string(),
            reason,
        };
        if entry.contains('/') {
            let net: IpNet = entry
                .parse()
                .map_err(|_| invalid("not a valid CIDR range"))?;
            if cidr_prefix_text(entry).is_some_and(|p| p.len() > 1 && p.starts_with('0')) {
                return Err(invalid("a CIDR prefix must not have leading zeros"));
            }
            return Ok(ScopeEntry::Network(canonical_net(net.trunc())));
        }
        if let Ok(ip) = entry.parse::<IpAddr>() {
            return Ok(ScopeEntry::Network(IpNet::from(canonical_ip(ip))));
        }
        if let Some(suffix) = entry.strip_prefix("*.") {
            let suffix = normalise_host(suffix).map_err(invalid)?;
            return Ok(ScopeEntry::Wildcard(suffix));
        }
        if entry.contains('*') {
            return Err(invalid("a wildcard is only allowed as a leading '*.'"));
        }
        normalise_host(entry).map(ScopeEntry::Host).map_err(invalid)
    }

    fn matches_host(&self, host: &str) -> bool {
        match self {
            ScopeEntry::Network(_) => false,
            ScopeEntry::Host(h) => h == host,
            ScopeEntry::Wildcard(suffix) => host
                .strip_suffix(suffix.as_str())
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')),
        }
    }
}

impl fmt::Display for ScopeEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeEntry::Network(n) => write!(f, "{n}"),
            ScopeEntry::Host(h) => f.write_str(h),
            ScopeEntry::Wildcard(s) => write!(f, "*.{s}"),
        }
    }
}

/// Lower case, one trailing dot removed, then a syntactically valid host name that
/// does not end in a numeric label (resolvers read `1.2.3` or `0x7f.1` as addresses).
fn normalise_host(host: &str) -> Result<String, &'static str> {
    let h = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if h.is_empty() || h.len() > 253 {
        return Err("a host name has 1-253 characters");
    }
    crate::value::check_host_name(&h)?;
    let last = h.rsplit('.').next().unwrap_or(&h);
    if last.bytes().all(|b| b.is_ascii_digit())
        || (last.starts_with("0x") && last.bytes().skip(2).all(|b| b.is_ascii_hexdigit()))
    {
        return Err("a host name must not end in a numeric label");
    }
    Ok(h)
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) reach the IPv4 host: treat them so.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The digits after the `/` of a CIDR entry.
fn cidr_prefix_text(entry: &str) -> Option<&str> {
    entry.rsplit_once('/').map(|(_, p)| p)
}

/// An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) names IPv4 hosts: it becomes the
/// IPv4 range it names (`10.0.0.0/8`), so that it matches what [`canonical_ip`]
/// produces. Ranges wider than the mapped block stay IPv6; an exclusion among them
/// still matches IPv4 hosts through [`excludes_ip`].
fn canonical_net(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.network().to_ipv4_mapped() {
            Some(v4) => ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96).map_or(net, IpNet::V4),
            None => net,
        },
        other => other,
    }
}

/// The IPv4-mapped IPv6 form of an IPv4 range (`10.0.0.0/8` -> `::ffff:10.0.0.0/104`).
fn mapped_net(net: &IpNet) -> Option<IpNet> {
    match net {
        IpNet::V4(v4) => ipnet::Ipv6Net::new(v4.network().to_ipv6_mapped(), v4.prefix_len() + 96)
            .ok()
            .map(IpNet::V6),
        IpNet::V6(_) => None,
    }
}

/// Whether exclusion `x` covers address `ip` (canonical): directly, or, for an IPv4
/// address, through its IPv4-mapped IPv6 form (an exclusion `::/64` covers the whole
/// mapped block, so every IPv4 host).
fn excludes_ip(x: &IpNet, ip: IpAddr) -> bool {
    x.contains(&ip)
        || match ip {
            IpAddr::V4(v4) => x.contains(&IpAddr::V6(v4.to_ipv6_mapped())),
            IpAddr::V6(_) => false,
        }
}

/// Whether exclusion `x` overlaps range `net` (canonical), also through the
/// IPv4-mapped form of an IPv4 range.
fn excludes_net(x: &IpNet, net: &IpNet) -> bool {
    let overlaps = |n: &IpNet| x.contains(n) || n.contains(x);
    overlaps(net) || mapped_net(net).is_some_and(|m| overlaps(&m))
}

/// A project scope: allowed entries minus excluded ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    targets: Vec<ScopeEntry>,
    excluded: Vec<ScopeEntry>,
    /// The allowed networks merged, so a range spanning adjacent entries is covered.
    merged: Vec<IpNet>,
}

impl Scope {
    /// A scope from entry texts (see [`ScopeEntry::parse`]). Every entry must parse.
    pub fn new<T, E>(
        targets: impl IntoIterator<Item = T>,
        excluded: impl IntoIterator<Item = E>,
    ) -> Result<Scope, ScopeError>
    where
        T: AsRef<str>,
        E: AsRef<str>,
    {
        let targets = targets
            .into_iter()
            .map(|t| ScopeEntry::parse(t.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let excluded = excluded
            .into_iter()
            .map(|e| ScopeEntry::parse(e.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scope::from_entries(targets, excluded))
    }

    /// A scope from parsed entries.
    pub fn from_entries(targets: Vec<ScopeEntry>, excluded: Vec<ScopeEntry>) -> Scope {
        let nets: Vec<IpNet> = targets
            .iter()
            .filter_map(|t| match t {
                ScopeEntry::Network(n) => Some(*n),
                _ => None,
            })
            .collect();
        Scope {
            merged: IpNet::aggregate(&nets),
            targets,
            excluded,
        }
    }

    /// The allowed entries.
    pub fn targets(&self) -> &[ScopeEntry] {
        &self.targets
    }

    /// The excluded entries.
    pub fn excluded(&self) -> &[ScopeEntry] {
        &self.excluded
    }

    /// Checks one address: excluded by a network entry, else allowed by one.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), ScopeViolation> {
        let ip = canonical_ip(ip);
        if let Some(rule) = self.excluded.iter().find(|e| match e {
            ScopeEntry::Network(n) => excludes_ip(n, ip),
            _ => false,
        }) {
            return Err(ScopeViolation::Excluded {
                target: ip.to_string(),
                rule: rule.to_string(),
            });
        }
        if self.merged.iter().any(|n| n.contains(&ip)) {
            Ok(())
        } else {
            Err(ScopeViolation::NotInScope {
                target: ip.to_string(),
            })
        }
    }

    /// Checks a whole range: every address in it must be allowed and none excluded
    /// (a range that merely overlaps an exclusion is refused).
    pub fn check_cidr(&self, net: &IpNet) -> Result<(), ScopeViolation> {
        let net = canonical_net(net.trunc());
        if let Some(rule) = self.excluded.iter().find(|e| match e {
            ScopeEntry::Network(x) => excludes_net(x, &net),
            _ => false,
        }) {
            return Err(ScopeViolation::Excluded {
                target: net.to_string(),
                rule: rule.to_string(),
            });
        }
        if self.merged.iter().any(|n| n.contains(&net)) {
            Ok(())
        } else {
            Err(ScopeViolation::NotInScope {
                target: net.to_string(),
            })
        }
    }

    /// Checks a host: an address goes to [`Scope::check_ip`]; a name is normalised
    /// (lower case, one trailing dot dropped) and must match a host or wildcard entry
    /// and no excluded one. Text that is neither an address nor a valid host name is
    /// refused.
    pub fn check_host(&self, host: &str) -> Result<(), ScopeViolation> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.check_ip(ip);
        }
        let name = normalise_host(host).map_err(|reason| ScopeViolation::InvalidHost {
            target: crate::value::shown(host),
            reason,
        })?;
        if let Some(rule) = self.excluded.iter().find(|e| e.matches_host(&name)) {
            return Err(ScopeViolation::Excluded {
                target: name,
                rule: rule.to_string(),
            });
        }
        if self.targets.iter().any(|t| t.matches_host(&name)) {
            Ok(())
        } else {
            Err(ScopeViolation::NotInScope { target: name })
        }
    }

    /// Checks a validated `scope_target`.
    pub fn check_target(&self, target: &ScopeTarget) -> Result<(), ScopeViolation> {
        match target.kind() {
            TargetKind::Ip(ip) => self.check_ip(*ip),
            TargetKind::Cidr(net) => self.check_cidr(net),
            TargetKind::Hostname => self.check_host(target.as_str()),
        }
    }

    /// Checks the host of a validated `url` as the URL parser reads it, so userinfo,
    /// query or fragment text can never stand in for the host.
    pub fn check_url_host(&self, url: &Url) -> Result<(), ScopeViolation> {
        match url.as_url().host() {
            Some(url::Host::Domain(d)) => self.check_host(d),
            Some(url::Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            None => Err(ScopeViolation::InvalidHost {
                target: url.as_str().to_string(),
                reason: "the URL has no host",
            }),
        }
    }
}

#[cfg(feature = "scope-file")]
mod file {
    use super::{Scope, ScopeEntry, ScopeError};
    use serde::Deserialize;

    /// An entry: a string, or a table with exactly one of `cidr`/`ip`/`host`/`domain`
    /// (other keys such as `description` or `reason` are metadata).
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entry {
        Text(String),
        Table {
            cidr: Option<String>,
            ip: Option<String>,
            host: Option<String>,
            domain: Option<String>,
        },
    }

    impl Entry {
        fn into_scope_entry(self, list: &str) -> Result<ScopeEntry, ScopeError> {
            match self {
                Entry::Text(t) => ScopeEntry::parse(&t),
                Entry::Table {
                    cidr,
                    ip,
                    host,
                    domain,
                } => {
                    let mut given = [cidr, ip, host, domain].into_iter().flatten();
                    match (given.next(), given.next()) {
                        (Some(one), None) => ScopeEntry::parse(&one),
                        _ => Err(ScopeError::File(format!(
                            "each [[{list}]] table needs exactly one of cidr, ip, host, domain"
                        ))),
                    }
                }
            }
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ListShape {
        #[serde(default)]
        targets: Vec<Entry>,
        #[serde(default)]
        domains: Vec<Entry>,
        #[serde(default)]
        exclude: Vec<Entry>,
    }

    #[derive(Deserialize)]
    struct FileShape {
        scope: Option<ListShape>,
        #[serde(default)]
        targets: Vec<Entry>,
        #[serde(default)]
        excluded: Vec<Entry>,
    }

    pub(super) fn parse(text: &str) -> Result<Scope, ScopeError> {
        let file: FileShape =
            toml::from_str(text).map_err(|e| ScopeError::File(e.to_string().trim().to_string()))?;
        let mut targets = Vec::new();
        let mut excluded = Vec::new();
        if let Some(s) = file.scope {
            for e in s.targets.into_iter().chain(s.domains) {
                targets.push(e.into_scope_entry("scope.targets")?);
            }
            for e in s.exclude {
                excluded.push(e.into_scope_entry("scope.exclude")?);
            }
        }
        for e in file.targets {
            targets.push(e.into_scope_entry("targets")?);
        }
        for e in file.excluded {
            excluded.push(e.into_scope_entry("excluded")?);
        }
        if targets.is_empty() {
            return Err(ScopeError::NoTargets);
        }
        Ok(Scope::from_entries(targets, excluded))
    }
}

#[cfg(feature = "scope-file")]
impl Scope {
    /// Parses the text of a `scope.toml` (either shape, or both merged). A file
    /// without any allowed entry is an error: an empty scope would refuse everything.
    pub fn from_toml(text: &str) -> Result<Scope, ScopeError> {
        file::parse(text)
    }

    /// Reads and parses a `scope.toml`.
    pub fn load(path: &std::path::Path) -> Result<Scope, ScopeError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScopeError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Scope::from_toml(&text)
    }
}

/// A scope that cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// An entry is not an address, a range, a host name or a `*.` wildcard.
    #[error("scope entry '{entry}' is invalid: {reason}")]
    InvalidEntry {
        /// The entry as written.
        entry: String,
        /// Why it is invalid.
        reason: &'static str,
    },
    /// The file cannot be read.
    #[error("cannot read scope file {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        message: String,
    },
    /// The file is not a scope file (TOML syntax or shape).
    #[error("invalid scope file: {0}")]
    File(String),
    /// The file defines no allowed entry.
    #[error(
        "scope file defines no targets (expected [scope] targets/domains or [[targets]] tables)"
    )]
    NoTargets,
}

/// A target outside the scope.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeViolation {
    /// An excluded entry matches (exclusions win over allowed entries).
    #[error("'{target}' is excluded from the scope by '{rule}'")]
    Excluded {
        /// The address, range or normalised host name checked.
        target: String,
        /// The exclusion that matched.
        rule: String,
    },
    /// No allowed entry matches.
    #[error("'{target}' is not in the scope")]
    NotInScope {
        /// The address, range or normalised host name checked.
        target: String,
    },
    /// The host text is neither an address nor a valid host name.
    #[error("'{target}' is not a host that can be checked against the scope: {reason}")]
    InvalidHost {
        /// The text checked.
        target: String,
        /// Why it cannot be checked.
        reason: &'static str,
    },
}

impl ScopeViolation {
    /// The argument error ([`Rule::OutOfScope`]) for argument `arg` with `value`.
    pub fn to_arg_error(&self, arg: &str, value: &str) -> ArgError {
        ArgError::new(arg, Rule::OutOfScope, format!("argument '{arg}': {self}"))
            .with_value(value)
            .with_expected("a target inside the project scope (scope/scope.toml)")
    }
}
