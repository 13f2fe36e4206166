//! The SSRF guard: which addresses an `[http]` request may connect to.
//!
//! The decision is made on the addresses actually connected to: names are resolved
//! once by [`GuardedResolver`] (reqwest's DNS hook), every address is checked, and
//! only the allowed ones are handed to the connector. IP-literal hosts never reach a
//! resolver in reqwest, so [`Guard::check_url`] checks them before a request is sent
//! (first hop and every redirect hop).
//!
//! An address is *internal* when it is in one of [`DENIED_V4`] / [`DENIED_V6`], or
//! an IPv6 form that embeds an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64,
//! 6to4, Teredo) whose embedded address is internal. Internal addresses are refused
//! unless the project scope lists them explicitly (a network entry other than a
//! `/0` that contains the address, and no exclusion).

use cladgen_core::scope::{Scope, ScopeEntry};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// IPv4 ranges refused unless the scope lists them, with what they are.
pub(crate) const DENIED_V4: [(&str, &str); 17] = [
    (
        "0.0.0.0/8",
        "\"this network\" (0/8, includes the unspecified address)",
    ),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.169.254/32", "cloud metadata service"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("240.0.0.0/4", "reserved (240/4)"),
];

/// IPv6 ranges refused unless the scope lists them, with what they are. The
/// embedding prefixes are refused as a whole only where the embedded address is
/// internal (see [`embedded_v4`]); they are listed here for the ones that embed
/// nothing usable.
pub(crate) const DENIED_V6: [(&str, &str); 12] = [
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("fd00:ec2::254/128", "cloud metadata service (AWS IPv6)"),
    ("fc00::/7", "unique local (ULA)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
    ("2001:db8::/32", "documentation"),
    ("100::/64", "discard-only (RFC 6666)"),
    ("2001:2::/48", "benchmarking (RFC 5180)"),
    ("2001:10::/28", "ORCHID (deprecated)"),
    // Local-use NAT64 (RFC 8215): the prefix length, and so where the IPv4 address
    // sits, is the local network's choice; no public host is reached through it.
    (
        "64:ff9b:1::/48",
        "NAT64 local-use (RFC 8215, translated inside the local network)",
    ),
];

/// Why an address is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Denied {
    /// The host as the request names it (a name or an address literal).
    pub host: String,
    /// The address that was refused.
    pub addr: IpAddr,
    /// What kind of address it is (`loopback`, `private (RFC 1918)`, ...).
    pub what: String,
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.host == self.addr.to_string() {
            format!("address {}", self.addr)
        } else {
            format!("'{}' (it resolves to {})", self.host, self.addr)
        };
        write!(
            f,
            "refused to connect to {shown}: {} addresses are internal and the project scope does not list this one (SSRF guard; list the address or its range in scope/scope.toml to allow it)",
            self.what
        )
    }
}

impl std::error::Error for Denied {}

/// Why a URL cannot be requested at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UrlRefusal {
    /// The address is internal.
    Denied(Denied),
    /// Not `http` or `https`.
    Scheme(String),
    /// No host to connect to.
    NoHost,
}

impl fmt::Display for UrlRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlRefusal::Denied(d) => d.fmt(f),
            UrlRefusal::Scheme(s) => write!(
                f,
                "the URL scheme '{s}' is not allowed (only http and https are requested)"
            ),
            UrlRefusal::NoHost => f.write_str("the URL has no host to connect to"),
        }
    }
}

/// The address policy: the fixed deny list plus the project scope's explicit
/// allowances. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Guard {
    denied: Arc<Vec<(IpNet, &'static str)>>,
    scope: Option<Arc<Scope>>,
}

impl Guard {
    /// The guard for a runner whose project scope is `scope`.
    pub fn new(scope: Option<Arc<Scope>>) -> Self {
        let v4 = DENIED_V4
            .iter()
            .map(|(n, w)| (IpNet::V4(n.parse::<Ipv4Net>().expect("valid v4 range")), *w));
        let v6 = DENIED_V6
            .iter()
            .map(|(n, w)| (IpNet::V6(n.parse::<Ipv6Net>().expect("valid v6 range")), *w));
        Guard {
            denied: Arc::new(v4.chain(v6).collect()),
            scope,
        }
    }

    /// Why `addr` is internal (`None`: a public address).
    pub fn internal_kind(&self, addr: IpAddr) -> Option<String> {
        if let Some((_, what)) = self.denied.iter().find(|(n, _)| n.contains(&addr)) {
            return Some((*what).to_owned());
        }
        if let IpAddr::V6(v6) = addr
            && let Some((form, v4)) = embedded_v4(v6)
        {
            // The embedded address is what a translator or tunnel reaches.
            if let Some(what) = self.internal_kind(IpAddr::V4(v4)) {
                return Some(format!("{form} of {v4}, {what}"));
            }
            if form == "IPv4-compatible" {
                return Some("IPv4-compatible (deprecated)".to_owned());
            }
        }
        None
    }

    /// Whether the project scope lists `addr` explicitly: a network entry other than
    /// a `/0` contains it, and no exclusion covers it.
    fn scope_allows(&self, addr: IpAddr) -> bool {
        let Some(scope) = &self.scope else {
            return false;
        };
        let canonical = match addr {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
            v4 => v4,
        };
        let listed = scope.targets().iter().any(|t| match t {
            ScopeEntry::Network(n) => {
                n.prefix_len() > 0 && (n.contains(&canonical) || n.contains(&addr))
            }
            _ => false,
        });
        listed && scope.check_ip(addr).is_ok()
    }

    /// Checks one address for `host`.
    pub fn check_addr(&self, host: &str, addr: IpAddr) -> Result<(), Denied> {
        match self.internal_kind(addr) {
            Some(what) if !self.scope_allows(addr) => Err(Denied {
                host: host.to_owned(),
                addr,
                what,
            }),
            _ => Ok(()),
        }
    }

    /// Checks a URL before it is requested: the scheme, and the host when it is an
    /// address literal (names are checked by [`GuardedResolver`] when resolved).
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), UrlRefusal> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(UrlRefusal::Scheme(other.to_owned())),
        }
        let addr = match url.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err(UrlRefusal::NoHost),
        };
        let host = url.host_str().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.check_addr(host, addr).map_err(UrlRefusal::Denied)
    }

    /// Resolves `name` and keeps only allowed addresses; refuses the name when any
    /// of its addresses is internal (a name that mixes public and internal addresses
    /// is a rebinding attempt or a misconfiguration either way).
    pub async fn resolve(&self, name: &str) -> Result<Vec<SocketAddr>, ResolveError> {
        // A name that is an address (a caller passing one) is checked as one.
        if let Ok(ip) = name.parse::<IpAddr>() {
            self.check_addr(name, ip).map_err(ResolveError::Denied)?;
            return Ok(vec![SocketAddr::new(ip, 0)]);
        }
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, 0))
            .await
            .map_err(|e| ResolveError::Lookup {
                name: name.to_owned(),
                message: e.to_string(),
            })?
            .collect();
        if addrs.is_empty() {
            return Err(ResolveError::Lookup {
                name: name.to_owned(),
                message: "no addresses".to_owned(),
            });
        }
        for a in &addrs {
            self.check_addr(name, a.ip())
                .map_err(ResolveError::Denied)?;
        }
        Ok(addrs)
    }
}

/// The IPv4 address an IPv6 address embeds, with the form's name: IPv4-mapped
/// (`::ffff:0:0/96`), IPv4-compatible (`::/96`, deprecated), NAT64 (`64:ff9b::/96`;
/// the local-use `64:ff9b:1::/48` is denied as a whole), 6to4 (`2002::/16`) and Teredo
/// (`2001::/32`, the client address stored inverted).
pub(crate) fn embedded_v4(v6: Ipv6Addr) -> Option<(&'static str, Ipv4Addr)> {
    let s = v6.segments();
    let o = v6.octets();
    let last32 = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(("IPv4-mapped", v4));
    }
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return Some(("IPv4-compatible", last32));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(("NAT64", last32));
    }
    if s[0] == 0x2002 {
        return Some(("6to4", Ipv4Addr::new(o[2], o[3], o[4], o[5])));
    }
    if s[0] == 0x2001 && s[1] == 0 {
        return Some(("Teredo", Ipv4Addr::new(!o[12], !o[13], !o[14], !o[15])));
    }
    None
}

/// Why a name gave no address to connect to.
#[derive(Debug)]
pub(crate) enum ResolveError {
    /// An address of the name is internal.
    Denied(Denied),
    /// The lookup failed.
    Lookup {
        /// The name.
        name: String,
        /// Why.
        message: String,
    },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Denied(d) => d.fmt(f),
            ResolveError::Lookup { name, message } => {
                write!(f, "cannot resolve '{name}': {message}")
            }
        }
    }
}

impl std::error::Error for ResolveError {}

/// reqwest's DNS hook: resolves once through [`Guard::resolve`], so the connector
/// only ever sees checked addresses.
#[derive(Clone, Debug)]
pub(crate) struct GuardedResolver(pub Guard);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.0.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = guard.resolve(&name).await?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn every_listed_range_and_embedding_is_internal() {
        let g = Guard::new(None);
        for a in [
            "0.1.2.3",
            "10.1.1.1",
            "100.64.0.1",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "169.254.1.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.0.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "0.0.0.0",
            "::",
            "::1",
            "fd00:ec2::254",
            "fc00::1",
            "fdff::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "100::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::10.0.0.1",
            "::8.8.8.8",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a00:1",
            // Local-use NAT64 is refused whatever it embeds.
            "64:ff9b:1::808:808",
            "64:ff9b:1:808:8:800::",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
        ] {
            assert!(g.internal_kind(ip(a)).is_some(), "{a} should be internal");
            assert!(g.check_addr(a, ip(a)).is_err(), "{a}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        let g = Guard::new(None);
        for a in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "2606:4700:4700::1111",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert_eq!(g.internal_kind(ip(a)), None, "{a}");
        }
    }

    #[test]
    fn the_scope_allows_only_what_it_lists() {
        let scope = Scope::new(["127.0.0.1", "10.0.0.0/8"], ["10.9.0.0/16"]).unwrap();
        let g = Guard::new(Some(Arc::new(scope)));
        assert!(g.check_addr("x", ip("127.0.0.1")).is_ok());
        assert!(g.check_addr("x", ip("::ffff:127.0.0.1")).is_ok());
        assert!(g.check_addr("x", ip("127.0.0.2")).is_err());
        assert!(g.check_addr("x", ip("10.1.2.3")).is_ok());
        assert!(g.check_addr("x", ip("10.9.0.1")).is_err(), "excluded");
        assert!(g.check_addr("x", ip("169.254.169.254")).is_err());
        // NAT64 of a listed address is another address: not listed.
        assert!(g.check_addr("x", ip("64:ff9b::7f00:1")).is_err());
        // A /0 entry does not list internal ranges.
        let all = Scope::new(["0.0.0.0/0", "::/0"], Vec::<&str>::new()).unwrap();
        let g = Guard::new(Some(Arc::new(all)));
        assert!(g.check_addr("x", ip("127.0.0.1")).is_err());
        assert!(g.check_addr("x", ip("8.8.8.8")).is_ok());
    }

    #[test]
    fn url_literals_are_checked_as_the_parser_reads_them() {
        let g = Guard::new(None);
        for u in [
            "http://0x7f.1/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::169.254.169.254]/latest",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
        ] {
            let url = reqwest::Url::parse(u).unwrap();
            assert!(
                matches!(g.check_url(&url), Err(UrlRefusal::Denied(_))),
                "{u}"
            );
        }
        let file = reqwest::Url::parse("file:///etc/passwd").unwrap();
        assert!(matches!(g.check_url(&file), Err(UrlRefusal::Scheme(_))));
        let name = reqwest::Url::parse("https://example.com/").unwrap();
        assert!(g.check_url(&name).is_ok());
    }
}
