//! One integration-test binary (each extra binary is another slow link on 2 cores).
//! Tests marked `both!` run on SQLite and, when `HUANJIE_TEST_DATABASE_URL` names a
//! PostgreSQL server, on a fresh PostgreSQL database too; otherwise the PostgreSQL half says
//! it was skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod access;
mod api_contract;
mod audit;
mod browser;
mod ceremony;
mod cli;
mod counting;
mod crash;
mod e2e_cast;
mod e2e_mix;
mod elections;
mod exports;
mod group_elections;
mod history;
mod import;
mod journey_front;
mod journey_layout;
mod journey_records;
mod journey_staff;
mod journey_voter;
mod journey_words;
mod law_everywhere;
mod law_rules;
mod pages;
mod polling;
mod primary;
mod safety;
mod secrecy;
mod security;
mod signin;
mod storage;
mod tamper;
