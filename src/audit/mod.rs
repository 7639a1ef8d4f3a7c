//! The tamper-evident audit trail. Every state change calls [`record`] inside its own
//! transaction: the change and its entry commit together or not at all.
//!
//! An entry is the canonical JSON of an [`Event`] (sorted keys, no whitespace, `"v":1`), which
//! is the RFC 6962 leaf. Entries never link a voter to ballot content (DESIGN.md, secrecy).

pub mod events;
pub mod merkle;

use serde::Serialize;
use serde_json::{Value, json};

pub use events::{CATALOGUE, EventKind};

use crate::store::{self, Tx};

/// The system log holds everything outside an election (registry, accounts).
pub const SYSTEM_LOG: &str = "system";

pub fn election_log(election_id: i64) -> String {
    format!("election-{election_id}")
}

/// Who caused an event. `role` is the role the actor used, or `system` for the CLI/demo.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
}

impl Actor {
    pub fn system(what: &str) -> Actor {
        Actor { user_id: None, username: what.to_string(), role: "system".into() }
    }
}

/// Canonical bytes of a JSON value: object keys sorted (serde_json's map is a BTreeMap),
/// no insignificant whitespace. Stable across runs and machines, so leaves can be recomputed.
pub fn canonical_json(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// Builds the leaf bytes of one event.
pub fn encode(kind: EventKind, actor: &Actor, target: &str, at_ms: i64, payload: Value) -> Vec<u8> {
    canonical_json(&json!({
        "v": 1,
        "type": kind.name(),
        "actor": actor.username,
        "actor_id": actor.user_id,
        "role": actor.role,
        "target": target,
        "at": at_ms,
        "payload": payload,
    }))
}

/// Appends one event to `log` in the caller's transaction; returns the entry index.
pub async fn record(
    tx: &mut Tx,
    log: &str,
    actor: &Actor,
    kind: EventKind,
    target: &str,
    payload: Value,
) -> store::Result<u64> {
    let at = store::now_ms();
    let leaf = encode(kind, actor, target, at, payload);
    store::audit::append(tx, log, &leaf, at).await
}
