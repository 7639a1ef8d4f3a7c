//! The audit trail's use cases: appending an entry inside a change's own transaction
//! ([`record`]), and signing checkpoints over the stored logs ([`checkpoint_now`] at every
//! lifecycle transition, [`run_periodic`] at least once a minute while a log grows).
//! The log format itself (entries, Merkle tree, notes, verifier) is `crate::audit`, which
//! knows nothing of storage.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::audit::merkle::{Frontier, Hash};
use crate::audit::note::{Checkpoint, NoteSigner, NoteVerifier, sign_checkpoint};
use crate::audit::{Actor, EventKind, event_json};
use crate::store::{self, Store, StoreError, Tx, audit as st};

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
    let event = event_json(kind, actor, target, at, payload);
    st::append(tx, log, &event, at).await
}

/// The deployment's log identity: the Ed25519 key that signs every checkpoint and the name
/// observers know it by, e.g. `huanjie.example.gov.cn`.
#[derive(Clone)]
pub struct LogIdentity {
    pub signer: Arc<NoteSigner>,
    pub name: String,
    /// Witness keys whose cosignatures the server accepts and shows.
    pub witnesses: Arc<Vec<NoteVerifier>>,
}

impl LogIdentity {
    pub fn new(name: &str, seed: &[u8; 32], witness_keys: &[String]) -> Result<LogIdentity, String> {
        let signer = NoteSigner::new(name, seed).map_err(|e| format!("log key name {name:?}: {e:?}"))?;
        let witnesses = witness_keys
            .iter()
            .filter(|k| !k.trim().is_empty())
            .map(|k| NoteVerifier::parse(k.trim()).map_err(|e| format!("witness key {k:?}: {e:?}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LogIdentity { signer: Arc::new(signer), name: name.to_string(), witnesses: Arc::new(witnesses) })
    }

    /// The checkpoint origin of a log: `<name>/<log id>`.
    pub fn origin(&self, log_id: &str) -> String {
        format!("{}/{}", self.name, log_id)
    }

    pub fn verifier_key(&self) -> String {
        self.signer.verifier_key_string()
    }
}

/// Signs the log's current head unless that size is already checkpointed; returns the latest
/// checkpoint (None for an empty log).
pub async fn checkpoint_now(
    store: &Store,
    id: &LogIdentity,
    log_id: &str,
) -> store::Result<Option<st::StoredCheckpoint>> {
    let Some((size, frontier)) = st::head(store, log_id).await? else { return Ok(None) };
    if let Some(cp) = st::latest_checkpoint(store, log_id).await?
        && cp.size >= size
    {
        return Ok(Some(cp));
    }
    let f = Frontier::from_bytes(&frontier).map_err(|e| StoreError::Corrupt(format!("{e:?}")))?;
    let root: Hash = f.root();
    let cp = Checkpoint { origin: id.origin(log_id), size: size as u64, root, extensions: Vec::new() };
    let note = sign_checkpoint(&id.signer, &cp).map_err(|e| StoreError::Corrupt(format!("{e:?}")))?;
    st::insert_checkpoint(store, log_id, size, &root, &note, store::now_ms()).await?;
    st::checkpoint_at(store, log_id, size).await
}

/// Every `period`, checkpoints each log that grew since its last checkpoint.
pub async fn run_periodic(store: Store, id: LogIdentity, period: Duration) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        match st::log_ids(&store).await {
            Ok(ids) => {
                for log in ids {
                    if let Err(e) = checkpoint_now(&store, &id, &log).await {
                        tracing::warn!(log = %log, error = %e, "checkpoint failed");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot list logs for checkpoints"),
        }
    }
}

/// The note with the stored cosignature lines appended (the C2SP way to carry witness
/// signatures: extra signature lines on the same note).
pub fn with_cosignatures(note: &str, lines: &[String]) -> String {
    let mut s = note.to_string();
    for l in lines {
        s.push_str(l);
        if !l.ends_with('\n') {
            s.push('\n');
        }
    }
    s
}

/// [`checkpoint_now`] for a page or an endpoint: the store's error as the service's.
pub async fn signed_head(store: &Store, id: &LogIdentity, log_id: &str) -> super::Result<Option<st::StoredCheckpoint>> {
    Ok(checkpoint_now(store, id, log_id).await?)
}
