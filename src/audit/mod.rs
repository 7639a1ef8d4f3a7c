//! The tamper-evident audit trail's format: entries, the Merkle tree, signed notes and the
//! verifier. Pure: storing and signing the deployment's logs is `service::audit`, where every
//! state change records its entry inside its own transaction.
//!
//! An entry is the canonical JSON of an [`Event`] (sorted keys, no whitespace, `"v":1`), which
//! is the RFC 6962 leaf. Entries never link a voter to ballot content (DESIGN.md, secrecy).

pub mod e2e_ballots;
pub mod e2e_mix;
pub mod entry;
pub mod events;
pub mod history;
pub mod merkle;
pub mod note;
pub mod reconcile;
pub mod recount;
pub mod verify;
pub mod witness;

use serde::Serialize;
use serde_json::{Value, json};

pub use entry::{EntryError, EntryLink, canonical_json, chained_entry, entry_link};
pub use events::{CATALOGUE, EventKind};
pub use merkle::{
    Frontier, Hash, consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash, root_from_leaves,
    verify_consistency, verify_inclusion,
};
pub use note::{
    Checkpoint, Cosigner, NoteError, NoteSigner, NoteVerifier, open_note, parse_note, sign_checkpoint,
    verify_checkpoint, verify_note,
};
pub use verify::{
    Record, RecordCheckpoint, RecordEntry, Trust, VerifyFailure, VerifySummary, verify_record, verify_record_with,
};
pub use witness::{WitnessRefusal, WitnessState, note_origin, witness_checkpoint};

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

/// The event as JSON, before the log adds its position and chain link (see `entry.rs`).
pub fn event_json(kind: EventKind, actor: &Actor, target: &str, at_ms: i64, payload: Value) -> Value {
    json!({
        "v": 1,
        "type": kind.name(),
        "actor": actor.username,
        "actor_id": actor.user_id,
        "role": actor.role,
        "target": target,
        "at": at_ms,
        "payload": payload,
    })
}

/// Serde for a [`Hash`] as standard base64, the encoding checkpoints use.
pub mod b64_hash {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    use super::Hash;

    pub fn serialize<S: Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(h))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let s = String::deserialize(d)?;
        let raw = B64.decode(s.as_bytes()).map_err(D::Error::custom)?;
        raw.try_into().map_err(|_| D::Error::custom("hash is not 32 bytes"))
    }
}
