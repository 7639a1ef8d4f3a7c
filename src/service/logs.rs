//! Who may read which transparency log, and the reads the log API and the observer portal make
//! (issue 14 item 3): `web/api/logs.rs` and `web/observe.rs` call these and never the store.

use serde_json::Value;

use super::access::{Permission, Staff};
use super::{Result, ServiceError};
use crate::audit::SYSTEM_LOG;
use crate::domain::records::ObjectionRow;
use crate::domain::{Action, Election, Role, ScopeKind};
use crate::store::{Store, audit as st, now_ms};

use crate::store::audit::{StoredCheckpoint as Checkpoint, StoredEntry as Entry};

/// Known logs: `system` and `election-<id>`. An election's log is public once its voter list
/// is published (true is returned); before that only staff who can read the community see it
/// (others: 404). The system log is known to all (false: not public).
pub async fn known(store: &Store, staff: Option<&Staff>, log: &str) -> Result<bool> {
    if log == SYSTEM_LOG {
        return Ok(false);
    }
    let id: i64 = log.strip_prefix("election-").and_then(|n| n.parse().ok()).ok_or(ServiceError::NotFound)?;
    let e = crate::store::elections::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    if e.is_public() {
        return Ok(true);
    }
    match staff {
        Some(s) => {
            s.authorize(store, Permission::ReadRegistry, e.community_id).await?;
            Ok(false)
        }
        None => Err(ServiceError::NotFound),
    }
}

/// A street-level administrator: who may read the system log's entries (registry data).
pub fn reads_system_log(staff: Option<&Staff>) -> bool {
    staff.is_some_and(|s| {
        s.grants.iter().any(|g| g.scope.kind == ScopeKind::StreetOffice && g.role == Role::StreetAdmin)
    })
}

/// Reading entries: anyone for a public election log; for an unpublished election its readers;
/// for the system log (registry data) a street-level administrator ([`reads_system_log`]).
pub async fn may_read(store: &Store, staff: Option<&Staff>, log: &str) -> Result<()> {
    if known(store, staff, log).await? || log != SYSTEM_LOG {
        return Ok(());
    }
    if reads_system_log(staff) { Ok(()) } else { Err(ServiceError::Forbidden) }
}

/// What the transparency portal offers on log `log` (issue 4): [`Action::ReadEntries`] where
/// [`may_read`] lets the caller read its entries (an unknown or hidden log is 404, as
/// [`known`] says).
pub async fn portal_access(store: &Store, staff: Option<&Staff>, log: &str) -> Result<Vec<Action>> {
    let public_election = known(store, staff, log).await?;
    let read = public_election || (log != SYSTEM_LOG && staff.is_some()) || reads_system_log(staff);
    Ok(if read { vec![Action::ReadEntries] } else { Vec::new() })
}

/// Every cosignature of `log` as (checkpoint size, witness, line).
pub async fn cosignatures(store: &Store, log: &str) -> Result<Vec<(i64, String, String)>> {
    Ok(st::cosignatures(store, log).await?)
}

/// Every signed checkpoint of `log`, oldest first.
pub async fn checkpoints(store: &Store, log: &str) -> Result<Vec<Checkpoint>> {
    Ok(st::checkpoints(store, log).await?)
}

/// The checkpoint of `log` at `size`, if one was signed.
pub async fn checkpoint_at(store: &Store, log: &str, size: i64) -> Result<Option<Checkpoint>> {
    Ok(st::checkpoint_at(store, log, size).await?)
}

/// The number of entries in `log`.
pub async fn size(store: &Store, log: &str) -> Result<u64> {
    Ok(st::size(store, log).await?)
}

/// A log entry: its index, when it was appended, the stored leaf (canonical JSON bytes) and
/// the leaf read as JSON.
pub struct LogEntry {
    pub index: i64,
    pub created_ms: i64,
    pub leaf: Vec<u8>,
    /// `null` for a leaf that does not parse (logged with the log and index).
    pub event: Value,
}

/// The entries `start..end` of `log`.
pub async fn entries(store: &Store, log: &str, start: i64, end: i64) -> Result<Vec<LogEntry>> {
    Ok(st::entries(store, log, start, end)
        .await?
        .into_iter()
        .map(|e: Entry| {
            let event = serde_json::from_slice(&e.leaf).unwrap_or_else(|err| {
                tracing::error!(log, index = e.idx, error = %err, "a stored log entry does not parse");
                Value::Null
            });
            LogEntry { index: e.idx, created_ms: e.created_ms, leaf: e.leaf, event }
        })
        .collect())
}

/// The leaf hashes of the first `size` entries of `log`.
pub async fn leaf_hashes(store: &Store, log: &str, size: i64) -> Result<Vec<[u8; 32]>> {
    Ok(st::leaf_hashes(store, log, size).await?)
}

/// Keeps a witness's cosignature line (already verified by the caller) of `log` at `size`.
pub async fn keep_cosignature(store: &Store, log: &str, size: i64, witness: &str, line: &str) -> Result<()> {
    st::insert_cosignature(store, log, size, witness, line, now_ms()).await?;
    Ok(())
}

/// One counted round as the election record publishes it: its box as stored (what `huanjie
/// count` reads) and its result.
pub struct PublishedCount {
    pub round_no: i64,
    pub box_json: String,
    pub result: Value,
}

/// The public notices of election `id` that the election record carries beside its log: the
/// election, the objection decisions and the published counts (a stored result that does not
/// parse is an error of the store, naming the election and round).
pub async fn record_notices(store: &Store, id: i64) -> Result<(Election, Vec<ObjectionRow>, Vec<PublishedCount>)> {
    let e = crate::store::elections::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    let objections = crate::store::elections::objections(store, id).await?;
    let mut counts = Vec::new();
    for c in crate::store::counting::counts(store, id).await? {
        // The typed result the store read, as its JSON value (the same value as its stored text).
        let result = serde_json::to_value(&c.count).map_err(|e| ServiceError::Internal(e.to_string()))?;
        counts.push(PublishedCount { round_no: c.round_no, box_json: c.box_json, result });
    }
    Ok((e, objections, counts))
}
