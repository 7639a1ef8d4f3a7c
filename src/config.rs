//! One `Config` from flags and `HUANJIE_*` environment variables, with defaults that just work.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// The address people reach the service at (`HUANJIE_PUBLIC_URL` / `--public-url`), e.g.
    /// `https://huanjie.example.gov.cn`. None: not configured.
    pub public_url: Option<String>,
    /// Set the `Secure` flag on cookies: on unless the public URL is plain `http://`. Computed
    /// from `public_url` by [`Config::set_public_url`]; never from the bind address (a TLS proxy
    /// on the same host reaches the service over loopback).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` is believed (`HUANJIE_TRUSTED_PROXIES`, comma-separated
    /// addresses and CIDR ranges). Default: none, so the TCP peer is the client.
    pub trusted_proxies: TrustedProxies,
    /// The name observers know this deployment's log key by (`HUANJIE_LOG_NAME`).
    pub log_name: String,
    /// Witness verifier keys whose cosignatures are accepted (`HUANJIE_WITNESS_KEYS`, comma-separated).
    pub witness_keys: Vec<String>,
    /// Witnesses the server hands every new checkpoint to (`HUANJIE_WITNESS_URLS`,
    /// comma-separated base URLs of `huanjie witness --listen`), C2SP tlog-witness
    /// `add-checkpoint`; also published in the record so `huanjie verify` can ask them.
    pub witness_urls: Vec<String>,
    /// A rehearsal deployment (`huanjie rehearse`, `HUANJIE_REHEARSAL=1`): administrators may
    /// move its clock, every page shows the 演练 banner, and its log name carries
    /// [`crate::clock::REHEARSAL_LOG_PREFIX`] so no record of it passes as real.
    pub rehearsal: bool,
    /// Days a finished term's personal data is kept before `huanjie purge-personal-data`
    /// deletes or reduces it (PIPL; `HUANJIE_PERSONAL_DATA_RETENTION_DAYS`, default
    /// [`DEFAULT_RETENTION_DAYS`]). See `service::retention` and README "Personal data".
    pub personal_data_retention_days: u32,
}

/// One year after the term ends: long enough for complaints (LAW.md §8: answered within 30
/// days), a re-run and the filing with the street office, short of keeping data for nothing.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;

/// `HUANJIE_PERSONAL_DATA_RETENTION_DAYS` as days; a value that is not a number is refused.
pub fn retention_days_from_env() -> Result<u32, String> {
    match std::env::var("HUANJIE_PERSONAL_DATA_RETENTION_DAYS") {
        Err(_) => Ok(DEFAULT_RETENTION_DAYS),
        Ok(v) => v
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("HUANJIE_PERSONAL_DATA_RETENTION_DAYS: {v:?} is not a number of days")),
    }
}

impl Config {
    pub fn new(database_url: Option<String>, bind: SocketAddr, data_dir: PathBuf) -> Config {
        let database_url = database_url.unwrap_or_else(|| default_database_url(&data_dir));
        let mut cfg = Config {
            database_url,
            bind,
            data_dir,
            public_url: None,
            secure_cookies: true,
            // An invalid list is refused by `huanjie serve` at start (see cli.rs); here it trusts
            // nothing, the safe side.
            trusted_proxies: std::env::var("HUANJIE_TRUSTED_PROXIES")
                .ok()
                .and_then(|v| TrustedProxies::parse(&v).ok())
                .unwrap_or_default(),
            log_name: std::env::var("HUANJIE_LOG_NAME").unwrap_or_else(|_| "huanjie.localhost".into()),
            witness_keys: std::env::var("HUANJIE_WITNESS_KEYS")
                .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            witness_urls: std::env::var("HUANJIE_WITNESS_URLS")
                .map(|v| {
                    v.split(',').map(|s| s.trim().trim_end_matches('/').to_string()).filter(|s| !s.is_empty()).collect()
                })
                .unwrap_or_default(),
            rehearsal: false,
            // An invalid value is refused by `huanjie purge-personal-data`; here the default.
            personal_data_retention_days: retention_days_from_env().unwrap_or(DEFAULT_RETENTION_DAYS),
        };
        cfg.set_public_url(std::env::var("HUANJIE_PUBLIC_URL").ok());
        if std::env::var("HUANJIE_REHEARSAL").is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes")) {
            cfg.set_rehearsal();
        }
        cfg
    }

    /// Makes this a rehearsal deployment: the flag, and the log name marked (once).
    pub fn set_rehearsal(&mut self) {
        self.rehearsal = true;
        if !crate::clock::is_rehearsal_origin(&self.log_name) {
            self.log_name = format!("{}{}", crate::clock::REHEARSAL_LOG_PREFIX, self.log_name);
        }
    }

    /// Sets the public URL and with it the cookies' `Secure` flag: Secure unless plain http
    /// (and Secure when unset, the safe default for a real deployment).
    pub fn set_public_url(&mut self, url: Option<String>) {
        let url = url.map(|u| u.trim().trim_end_matches('/').to_string()).filter(|u| !u.is_empty());
        self.secure_cookies = !url.as_deref().is_some_and(|u| u.to_ascii_lowercase().starts_with("http://"));
        self.public_url = url;
    }

    /// The base URL to print on paper (QR codes): the public URL, or the bind address.
    pub fn public_base(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.bind))
    }
}

pub fn default_database_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("huanjie.db").display())
}

/// Addresses and CIDR ranges of reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// `"127.0.0.1, 10.0.0.0/8, ::1"`: every entry must parse, or the whole list is refused.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut out = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, len) = match item.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (item, None),
            };
            let ip: IpAddr =
                addr.parse().map_err(|_| format!("HUANJIE_TRUSTED_PROXIES: {item:?} is not an address"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let len = match len {
                None => max,
                Some(l) => l
                    .parse::<u8>()
                    .ok()
                    .filter(|l| *l <= max)
                    .ok_or_else(|| format!("HUANJIE_TRUSTED_PROXIES: {item:?} has a bad prefix length"))?,
            };
            out.push((ip, len));
        }
        Ok(TrustedProxies(out))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|&(net, len)| match (canonical(net), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_eq(&n.octets(), &a.octets(), len),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(&n.octets(), &a.octets(), len),
            _ => false,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], len: u8) -> bool {
    let (full, rest) = ((len / 8) as usize, len % 8);
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[full] & mask == b[full] & mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn trusted_proxies_parse_addresses_and_ranges() {
        let t = TrustedProxies::parse(" 127.0.0.1, 10.0.0.0/8 ,192.168.1.128/25, ::1, fd00::/8").unwrap();
        assert!(t.contains(ip("127.0.0.1")));
        assert!(!t.contains(ip("127.0.0.2")));
        assert!(t.contains(ip("10.255.1.2")));
        assert!(!t.contains(ip("11.0.0.1")));
        assert!(t.contains(ip("192.168.1.200")));
        assert!(!t.contains(ip("192.168.1.127")));
        assert!(t.contains(ip("::1")));
        assert!(t.contains(ip("fd12::1")));
        assert!(!t.contains(ip("fe80::1")));
        assert!(t.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped addresses match their IPv4 range");
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
    }

    #[test]
    fn bad_proxy_entries_refuse_the_whole_list() {
        for bad in ["10.0.0.0/33", "localhost", "10.0.0.1/x", "::1/129", "1.2.3.4, nope"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cookies_are_secure_unless_the_public_url_is_plain_http() {
        let mut c = Config::new(None, "127.0.0.1:8080".parse().unwrap(), "d".into());
        c.set_public_url(None);
        assert!(c.secure_cookies, "unset: Secure");
        c.set_public_url(Some("https://huanjie.example/".into()));
        assert!(c.secure_cookies);
        assert_eq!(c.public_url.as_deref(), Some("https://huanjie.example"));
        c.set_public_url(Some("HTTP://127.0.0.1:8080".into()));
        assert!(!c.secure_cookies);
    }
}
