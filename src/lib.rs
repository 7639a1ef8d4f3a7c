//! Huanjie (换届): re-elections of urban residents' committees, end to end and by the law.
//!
//! Data flows one way: web → service → law + store → audit. [`build_app`] builds the whole
//! application from a [`Config`], so the tests run exactly what `huanjie serve` runs.

pub mod audit;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod law;
pub mod net;
pub mod report;
pub mod secrets;
pub mod service;
pub mod store;
pub mod trustee;
pub mod trustee_backup;
pub mod web;
pub mod witness;

pub use config::Config;
pub use secrets::Secrets;
