//! History cannot be rewound (issue 15 item 4): the checks `huanjie verify` adds to the log's
//! own ([`super::verify`]), each in its own function.
//!
//! 1. **Every checkpoint is logged.** The server appends `log.checkpoint {size, root}` at index
//!    `size`, in the transaction that stores the checkpoint of that size, so the entry for
//!    checkpoint k is the first one after it. A `log.checkpoint` entry whose checkpoint is
//!    missing from the record names the deleted checkpoint; a checkpoint other than the
//!    latest that has no such entry was not signed by this server's procedure.
//! 2. **A witness saw it.** The latest checkpoint must carry a cosignature from a pinned
//!    witness key, and every pinned witness that answers `GET <url>/latest?origin=` gives the
//!    largest checkpoint it cosigned (verified against the log key and its own key): the record
//!    must reach that size with the same root. A log cut back and re-signed is then caught
//!    even when it is cut back to an older, witnessed checkpoint.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use std::collections::BTreeMap;

use super::merkle::{Hash, leaf_hash, root_from_leaves};
use super::note::{NoteVerifier, verify_checkpoint};
use super::verify::{Record, VerifyFailure, VerifySummary};

/// The name of the event that logs a checkpoint.
pub const CHECKPOINT_EVENT: &str = "log.checkpoint";

fn at_entry(i: u64, what: String) -> VerifyFailure {
    VerifyFailure { entry_index: Some(i), checkpoint: None, what }
}

/// Check 1: every `log.checkpoint` entry's checkpoint is in the record with that root, and
/// every checkpoint but the latest is logged at its own size. Run after `verify_record_with`
/// succeeded (the entries are then known to be the logged ones).
pub fn check_logged_checkpoints(record: &Record, summary: &VerifySummary) -> Result<(), VerifyFailure> {
    let roots: BTreeMap<u64, Hash> = summary.checkpoints.iter().map(|c| (c.size, c.root)).collect();
    let mut logged: BTreeMap<u64, u64> = BTreeMap::new();
    for e in &record.entries {
        let leaf = B64.decode(e.leaf.as_bytes()).map_err(|_| at_entry(e.index, "leaf is not base64".into()))?;
        let v: serde_json::Value =
            serde_json::from_slice(&leaf).map_err(|e2| at_entry(e.index, format!("not JSON: {e2}")))?;
        if v["type"] != CHECKPOINT_EVENT {
            continue;
        }
        let size =
            v["payload"]["size"].as_u64().ok_or_else(|| at_entry(e.index, "log.checkpoint has no size".into()))?;
        let root = v["payload"]["root"].as_str().and_then(|r| B64.decode(r).ok()).unwrap_or_default();
        if size != e.index {
            return Err(at_entry(
                e.index,
                format!("logs the checkpoint of size {size}, but a checkpoint is logged at index = its size"),
            ));
        }
        match roots.get(&size) {
            None => {
                return Err(at_entry(
                    e.index,
                    format!("the checkpoint of size {size} logged here is missing from the record (deleted)"),
                ));
            }
            Some(r) if r.as_slice() != root.as_slice() => {
                return Err(at_entry(
                    e.index,
                    format!("the checkpoint of size {size} has another root than logged here"),
                ));
            }
            Some(_) => {
                logged.insert(size, e.index);
            }
        }
    }
    let latest = summary.checkpoints.last().map(|c| c.size);
    for (j, c) in summary.checkpoints.iter().enumerate() {
        if Some(c.size) != latest && !logged.contains_key(&c.size) {
            return Err(VerifyFailure {
                entry_index: Some(c.size),
                checkpoint: Some(j),
                what: format!(
                    "checkpoint of size {} is not logged at entry {} (not signed by the server's procedure)",
                    c.size, c.size
                ),
            });
        }
    }
    Ok(())
}

/// What a witness says it cosigned last for this log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessedHead {
    pub witness: String,
    pub size: u64,
    pub root: Hash,
}

/// Reads a witness's answer to `GET /latest?origin=`: the log's note with the witness's
/// cosignature. It counts only if the log key signed it and a pinned witness cosigned it.
pub fn witnessed_head(
    answer: &str,
    origin: &str,
    log: &NoteVerifier,
    witnesses: &[NoteVerifier],
) -> Result<WitnessedHead, String> {
    let v = verify_checkpoint(answer, &[], log, witnesses).map_err(|e| format!("answer does not verify: {e}"))?;
    if v.checkpoint.origin != origin {
        return Err(format!("answer is for {:?}, not {origin:?}", v.checkpoint.origin));
    }
    let (witness, _) = v.cosignatures.first().ok_or("answer carries no cosignature by a pinned witness")?;
    Ok(WitnessedHead { witness: witness.clone(), size: v.checkpoint.size, root: v.checkpoint.root })
}

/// The outcome of check 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Witnessing {
    /// The latest checkpoint is cosigned and no witness has seen more: a sentence to print.
    Witnessed(String),
    /// Not enough to tell (no cosignature from a pinned key, or no pinned witness answered).
    Unwitnessed(String),
    /// A witness has seen a longer or different history: rewound or forked.
    Rewound(VerifyFailure),
}

/// Check 2, from the verified summary and the witnesses' answers.
pub fn check_witnessed(record: &Record, summary: &VerifySummary, heads: &[WitnessedHead]) -> Witnessing {
    let Some(latest) = summary.checkpoints.last() else {
        return Witnessing::Unwitnessed("the record has no checkpoint".into());
    };
    // A witness that saw more than the record holds is evidence, whatever else is missing.
    let mut leaves: Option<Vec<Hash>> = None;
    for h in heads {
        if h.size > latest.size {
            return Witnessing::Rewound(VerifyFailure {
                entry_index: Some(latest.size),
                checkpoint: Some(summary.checkpoints.len() - 1),
                what: format!(
                    "rewound: witness {} cosigned size {} but the record ends at {}: entries were removed and the head re-signed",
                    h.witness, h.size, latest.size
                ),
            });
        }
        let hashes = leaves.get_or_insert_with(|| {
            record.entries.iter().map(|e| leaf_hash(&B64.decode(e.leaf.as_bytes()).unwrap_or_default())).collect()
        });
        let root = root_from_leaves(&hashes[..h.size as usize]);
        if root != h.root {
            return Witnessing::Rewound(VerifyFailure {
                entry_index: None,
                checkpoint: None,
                what: format!(
                    "forked: witness {} cosigned another root for size {} than the record's first {} entries",
                    h.witness, h.size, h.size
                ),
            });
        }
    }
    if latest.cosigners.is_empty() {
        return Witnessing::Unwitnessed(format!(
            "the latest checkpoint (size {}) carries no cosignature from a pinned witness key (--witness)",
            latest.size
        ));
    }
    if heads.is_empty() {
        return Witnessing::Unwitnessed(
            "no pinned witness answered how far it has cosigned (--witness-url), so a rewound history cannot be ruled out"
                .into(),
        );
    }
    let seen: Vec<String> = heads.iter().map(|h| format!("{} at size {}", h.witness, h.size)).collect();
    Witnessing::Witnessed(format!(
        "witnessed: latest checkpoint (size {}) cosigned by {}; largest size cosigned: {}",
        latest.size,
        latest.cosigners.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join(", "),
        seen.join(", ")
    ))
}
