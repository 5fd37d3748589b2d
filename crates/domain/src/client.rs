//! The client a request comes from, as login throttling sees it (ADR 0020): the socket peer,
//! or — only when the peer is a configured trusted proxy — the address that proxy forwarded.

use std::net::IpAddr;

/// A network (address and prefix length), e.g. `10.0.0.0/8`, `::1/128` or a bare address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `address/prefix` or a bare address (one host).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| format!("{s:?} is not an IP address or network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("{s:?}: bad prefix length"))?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }

    /// Whether `ip` lies in this network (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(net.to_bits()), u128::from(ip.to_bits()), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => masked(net.to_bits(), ip.to_bits(), self.prefix, 128),
            _ => false,
        }
    }
}

/// Whether the first `prefix` of `width` bits of `a` and `b` agree.
fn masked(a: u128, b: u128, prefix: u8, width: u32) -> bool {
    let shift = width - u32::from(prefix);
    shift >= width || (a >> shift) == (b >> shift)
}

/// An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, as a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed (default: none, so the socket peer
/// is the client and a forwarded header is ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses the configured networks.
    pub fn parse<S: AsRef<str>>(list: &[S]) -> Result<Self, String> {
        list.iter()
            .filter(|s| !s.as_ref().trim().is_empty())
            .map(|s| IpNet::parse(s.as_ref()))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client of a request from `peer` carrying `forwarded_for` (`X-Forwarded-For`, all
    /// its values joined by commas). An untrusted peer is the client. Behind trusted proxies
    /// the header is read from the right (each proxy appends the address it saw), skipping
    /// trusted proxies; the first other address is the client. An entry that is not an
    /// address ends the walk at the last hop that could be believed.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        for entry in forwarded_for.unwrap_or_default().rsplit(',') {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else { return client };
            client = canonical(ip);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// The key a client is throttled under: an IPv4 address itself, an IPv6 address by its /64
/// (one subscriber's network: a client cannot escape by changing the low bits).
pub fn throttle_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let net = std::net::Ipv6Addr::from_bits(v6.to_bits() & !((1u128 << 64) - 1));
            format!("{net}/64")
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_contain() {
        let n = IpNet::parse("10.0.0.0/8").unwrap();
        assert!(n.contains(ip("10.200.3.4")) && !n.contains(ip("11.0.0.1")));
        assert!(n.contains(ip("::ffff:10.1.2.3")), "an IPv4-mapped address is IPv4");
        assert!(IpNet::parse("127.0.0.1").unwrap().contains(ip("127.0.0.1")));
        assert!(!IpNet::parse("127.0.0.1").unwrap().contains(ip("127.0.0.2")));
        assert!(IpNet::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(IpNet::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(!IpNet::parse("fd00::/8").unwrap().contains(ip("10.0.0.1")));
        for bad in ["10.0.0.0/33", "::/129", "proxy", "10.0.0/8", "10.0.0.0/x"] {
            assert!(IpNet::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_forwarded_header_counts_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("203.0.113.9"), Some("1.2.3.4")), ip("203.0.113.9"), "no proxies: header ignored");
        let lb = TrustedProxies::parse(&["10.0.0.0/8", "192.168.1.1"]).unwrap();
        assert_eq!(lb.client(ip("203.0.113.9"), Some("1.2.3.4")), ip("203.0.113.9"), "an untrusted peer is the client");
        assert_eq!(lb.client(ip("10.0.0.5"), Some("198.51.100.7")), ip("198.51.100.7"));
        // A spoofed left-most entry is skipped: the right-most untrusted hop is the client.
        assert_eq!(lb.client(ip("10.0.0.5"), Some("1.1.1.1, 198.51.100.7, 192.168.1.1")), ip("198.51.100.7"));
        assert_eq!(lb.client(ip("10.0.0.5"), Some("junk, 10.0.0.9")), ip("10.0.0.9"), "walk ends at garbage");
        assert_eq!(lb.client(ip("10.0.0.5"), None), ip("10.0.0.5"), "a trusted peer without a header");
    }

    #[test]
    fn ipv6_clients_are_throttled_by_their_64() {
        assert_eq!(throttle_key(ip("203.0.113.9")), "203.0.113.9");
        assert_eq!(throttle_key(ip("::ffff:203.0.113.9")), "203.0.113.9");
        assert_eq!(throttle_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(throttle_key(ip("2001:db8:1:2:ffff::9")), throttle_key(ip("2001:db8:1:2::1")));
        assert_ne!(throttle_key(ip("2001:db8:1:3::1")), throttle_key(ip("2001:db8:1:2::1")));
    }
}
