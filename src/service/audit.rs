//! The audit trail's use cases: appending an entry inside a change's own transaction
//! ([`record`]), and signing checkpoints over the stored logs ([`checkpoint_now`] at every
//! lifecycle transition, [`run_periodic`] at least once a minute while a log grows).
//! The log format itself (entries, Merkle tree, notes, verifier) is `crate::audit`, which
//! knows nothing of storage.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

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
    /// Witnesses every new checkpoint is handed to (C2SP tlog-witness `add-checkpoint`).
    pub witness_urls: Arc<Vec<String>>,
}

impl LogIdentity {
    pub fn new(name: &str, seed: &[u8; 32], witness_keys: &[String]) -> Result<LogIdentity, String> {
        let signer = NoteSigner::new(name, seed).map_err(|e| format!("log key name {name:?}: {e:?}"))?;
        let witnesses = witness_keys
            .iter()
            .filter(|k| !k.trim().is_empty())
            .map(|k| NoteVerifier::parse(k.trim()).map_err(|e| format!("witness key {k:?}: {e:?}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LogIdentity {
            signer: Arc::new(signer),
            name: name.to_string(),
            witnesses: Arc::new(witnesses),
            witness_urls: Arc::new(Vec::new()),
        })
    }

    /// The same identity, handing its checkpoints to the witnesses at `urls`.
    pub fn with_witness_urls(mut self, urls: &[String]) -> LogIdentity {
        self.witness_urls = Arc::new(urls.iter().map(|u| u.trim_end_matches('/').to_string()).collect());
        self
    }

    /// Whether any witness is configured: then the count waits for the close to be cosigned.
    pub fn witnessed(&self) -> bool {
        !self.witnesses.is_empty()
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
///
/// Every checkpoint is itself logged (issue 15 item 4): in the same transaction that stores
/// the checkpoint of size k, the entry `log.checkpoint {size: k, root}` is appended at index k,
/// so a checkpoint later removed from the record is named by its entry. That entry alone never
/// calls for a new checkpoint (a head of k + 1 whose last entry logs checkpoint k counts as
/// checkpointed), which ends the recursion. A new checkpoint is then handed to the configured
/// witnesses ([`request_cosignatures`]).
pub async fn checkpoint_now(
    store: &Store,
    id: &LogIdentity,
    log_id: &str,
) -> store::Result<Option<st::StoredCheckpoint>> {
    let Some((size, _)) = st::head(store, log_id).await? else { return Ok(None) };
    if let Some(cp) = st::latest_checkpoint(store, log_id).await?
        && cp.size + 1 >= size
        && (cp.size >= size || logs_checkpoint(store, log_id, cp.size).await?)
    {
        // Signed already, perhaps by a request whose hand-over to the witnesses has not
        // finished (or failed): ask again, so what is served next carries the cosignature.
        if !id.witness_urls.is_empty() {
            ensure_cosigned(store, id, log_id, &cp).await?;
        }
        return Ok(Some(cp));
    }
    let mut tx = store.begin().await?;
    let Some((size, frontier)) = st::head_locked(&mut tx, log_id).await? else { return Ok(None) };
    if let Some(cp) = st::latest_checkpoint(&mut tx, log_id).await?
        && cp.size + 1 >= size
        && (cp.size >= size || is_checkpoint_entry(st::leaf_at(&mut tx, log_id, cp.size).await?, cp.size))
    {
        drop(tx);
        if !id.witness_urls.is_empty() {
            ensure_cosigned(store, id, log_id, &cp).await?;
        }
        return Ok(Some(cp));
    }
    let f = Frontier::from_bytes(&frontier).map_err(|e| StoreError::Corrupt(format!("{e:?}")))?;
    let root: Hash = f.root();
    let cp = Checkpoint { origin: id.origin(log_id), size: size as u64, root, extensions: Vec::new() };
    let note = sign_checkpoint(&id.signer, &cp).map_err(|e| StoreError::Corrupt(format!("{e:?}")))?;
    st::insert_checkpoint_tx(&mut tx, log_id, size, &root, &note, store::now_ms()).await?;
    let at = store::now_ms();
    let event = event_json(
        EventKind::CheckpointLogged,
        &Actor::system("log"),
        log_id,
        at,
        json!({"size": size, "root": B64.encode(root)}),
    );
    st::append(&mut tx, log_id, &event, at).await?;
    tx.commit().await?;
    let stored = st::checkpoint_at(store, log_id, size).await?;
    if let Some(c) = &stored {
        request_cosignatures(store, id, log_id, c).await;
    }
    Ok(stored)
}

async fn logs_checkpoint(store: &Store, log_id: &str, size: i64) -> store::Result<bool> {
    let leaf = st::entries(store, log_id, size, size + 1).await?.into_iter().next().map(|e| e.leaf);
    Ok(is_checkpoint_entry(leaf, size))
}

/// Whether `leaf` is the `log.checkpoint` entry of the checkpoint of `size`.
fn is_checkpoint_entry(leaf: Option<Vec<u8>>, size: i64) -> bool {
    leaf.and_then(|l| serde_json::from_slice::<Value>(&l).ok())
        .is_some_and(|v| v["type"] == EventKind::CheckpointLogged.name() && v["payload"]["size"].as_i64() == Some(size))
}

/// Hands the checkpoint to every configured witness (C2SP tlog-witness `add-checkpoint`:
/// `old N`, the consistency proof from N, a blank line, the note) and keeps each cosignature
/// that verifies against `HUANJIE_WITNESS_KEYS`. N is the largest size already cosigned for
/// this log; a witness that holds another size answers 409 with it, and the request is made
/// once more from there. A witness that is down or refuses is logged, never fatal: the
/// checkpoint stays uncosigned, which `huanjie verify` reports (UNWITNESSED).
pub async fn request_cosignatures(store: &Store, id: &LogIdentity, log_id: &str, cp: &st::StoredCheckpoint) {
    if id.witness_urls.is_empty() {
        return;
    }
    let http = crate::net::Http::default();
    for url in id.witness_urls.iter() {
        if let Err(e) = ask_witness(&http, store, id, log_id, cp, url).await {
            tracing::warn!(log = %log_id, witness = %url, size = cp.size, error = %e, "witness did not cosign");
        }
    }
}

async fn ask_witness(
    http: &crate::net::Http,
    store: &Store,
    id: &LogIdentity,
    log_id: &str,
    cp: &st::StoredCheckpoint,
    url: &str,
) -> Result<(), String> {
    let known = st::cosignatures(store, log_id).await.map_err(|e| e.to_string())?;
    let mut old = known.iter().map(|c| c.0).filter(|s| *s <= cp.size).max().unwrap_or(0);
    for _ in 0..2 {
        let proof = if old > 0 && old < cp.size {
            let leaves = st::leaf_hashes(store, log_id, cp.size).await.map_err(|e| e.to_string())?;
            crate::audit::consistency_proof(&leaves, old as u64, cp.size as u64).map_err(|e| format!("{e:?}"))?
        } else {
            Vec::new()
        };
        let mut body = format!("old {old}\n");
        for h in &proof {
            body.push_str(&B64.encode(h));
            body.push('\n');
        }
        body.push('\n');
        body.push_str(&cp.note);
        let answer =
            tokio::time::timeout(Duration::from_secs(10), http.post_status(&format!("{url}/add-checkpoint"), body))
                .await
                .map_err(|_| "no answer in 10 s".to_string())??;
        match answer {
            (200, lines) => {
                let lines = String::from_utf8_lossy(&lines).to_string();
                for line in lines.lines().filter(|l| !l.is_empty()) {
                    let line = format!("{line}\n");
                    let v = crate::audit::verify_checkpoint(
                        &cp.note,
                        std::slice::from_ref(&line),
                        &id.signer.verifier(),
                        &id.witnesses,
                    )
                    .map_err(|e| format!("cosignature does not verify: {e}"))?;
                    if let Some((witness, _)) = v.cosignatures.first() {
                        st::insert_cosignature(store, log_id, cp.size, witness, &line, store::now_ms())
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                }
                return Ok(());
            }
            (409, size) => {
                old = String::from_utf8_lossy(&size).trim().parse().map_err(|_| "409 without a size".to_string())?;
            }
            (status, text) => return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&text))),
        }
    }
    Err("the witness's size kept changing".into())
}

/// Whether the checkpoint of `size` carries a (verified, stored) cosignature; if not, asks the
/// witnesses once more.
pub async fn ensure_cosigned(
    store: &Store,
    id: &LogIdentity,
    log_id: &str,
    cp: &st::StoredCheckpoint,
) -> store::Result<bool> {
    let has = |c: &[(i64, String, String)]| c.iter().any(|c| c.0 == cp.size);
    if has(&st::cosignatures(store, log_id).await?) {
        return Ok(true);
    }
    request_cosignatures(store, id, log_id, cp).await;
    Ok(has(&st::cosignatures(store, log_id).await?))
}

/// Before a count: the close of the polls must lie under a checkpoint a witness has cosigned
/// (issue 15 item 4), when this deployment has witnesses. The latest checkpoint is signed now
/// if needed (it covers the close) and its cosignature requested once more.
pub async fn require_witnessed_close(store: &Store, id: &LogIdentity, election_id: i64) -> super::Result<()> {
    if !id.witnessed() {
        return Ok(());
    }
    let log = crate::audit::election_log(election_id);
    let Some(cp) = checkpoint_now(store, id, &log).await? else { return Ok(()) };
    if ensure_cosigned(store, id, &log, &cp).await? {
        Ok(())
    } else {
        Err(super::ServiceError::Refused("err.close_unwitnessed"))
    }
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
