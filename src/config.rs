//! One `Config` from flags and `HUANJIE_*` environment variables, with defaults that just work.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// Set the `Secure` flag on cookies (on unless serving plain HTTP on loopback).
    pub secure_cookies: bool,
    /// The name observers know this deployment's log key by (`HUANJIE_LOG_NAME`).
    pub log_name: String,
    /// Witness verifier keys whose cosignatures are accepted (`HUANJIE_WITNESS_KEYS`, comma-separated).
    pub witness_keys: Vec<String>,
}

impl Config {
    pub fn new(database_url: Option<String>, bind: SocketAddr, data_dir: PathBuf) -> Config {
        let database_url = database_url.unwrap_or_else(|| default_database_url(&data_dir));
        // Browsers drop Secure cookies on plain http except on localhost; behind TLS keep them.
        let secure_cookies = !bind.ip().is_loopback();
        Config {
            database_url,
            bind,
            data_dir,
            secure_cookies,
            log_name: std::env::var("HUANJIE_LOG_NAME").unwrap_or_else(|_| "huanjie.localhost".into()),
            witness_keys: std::env::var("HUANJIE_WITNESS_KEYS")
                .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
        }
    }
}

pub fn default_database_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("huanjie.db").display())
}
