//! The whole record of a log up to its latest checkpoint, in the format `huanjie verify`
//! reads: what observers download (the log API, the election record, the results page).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::Result;
use super::audit::{LogIdentity, checkpoint_now};
use crate::audit::verify::{RECORD_FORMAT, Record, RecordCheckpoint, RecordEntry};
use crate::store::{Store, audit as st};

/// The record of `log`, signed by the deployment's log identity `id` (a fresh checkpoint is
/// signed first if the log grew).
pub async fn build_record(store: &Store, id: &LogIdentity, log: &str) -> Result<Record> {
    let latest = checkpoint_now(store, id, log).await?;
    let size = latest.as_ref().map(|c| c.size).unwrap_or(0);
    let rows = st::entries(store, log, 0, size).await?;
    let cosigs = st::cosignatures(store, log).await?;
    let checkpoints = st::checkpoints(store, log)
        .await?
        .into_iter()
        .map(|c| RecordCheckpoint {
            cosignatures: cosigs.iter().filter(|x| x.0 == c.size).map(|x| x.2.clone()).collect(),
            note: c.note,
        })
        .collect();
    Ok(Record {
        format: RECORD_FORMAT.to_string(),
        origin: id.origin(log),
        log_key: id.verifier_key(),
        witness_keys: id.witnesses.iter().map(|w| w.to_key_string()).collect(),
        witness_urls: id.witness_urls.to_vec(),
        entries: rows.into_iter().map(|e| RecordEntry { index: e.idx as u64, leaf: B64.encode(&e.leaf) }).collect(),
        checkpoints,
    })
}
