//! Checking a voter's receipt (issue 6): the receipt code is in the `ballots.cast` entry the
//! voter was given, and that entry is covered by a signed checkpoint. A receipt proves
//! participation only; nothing in it or in the entry says what was voted.

use serde::Serialize;

use super::audit::{LogIdentity, checkpoint_now};
use super::{Result, ServiceError};
use crate::store::{Store, audit};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ReceiptCheck {
    pub found: bool,
    pub log: String,
    pub index: u64,
    /// Size of the latest signed checkpoint, and whether it covers the entry.
    pub checkpoint_size: u64,
    pub in_checkpoint: bool,
    pub checkpoint: String,
}

pub async fn check(store: &Store, log: &LogIdentity, log_id: &str, index: u64, receipt: &str) -> Result<ReceiptCheck> {
    let id: i64 = log_id.strip_prefix("election-").and_then(|n| n.parse().ok()).ok_or(ServiceError::NotFound)?;
    let e = crate::store::elections::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    if !e.is_public() {
        return Err(ServiceError::NotFound);
    }
    let want: String = receipt.trim().to_ascii_uppercase();
    let idx = i64::try_from(index).map_err(|_| ServiceError::NotFound)?;
    let entry = audit::entries(store, log_id, idx, idx + 1).await?;
    let found = entry.first().is_some_and(|en| {
        let v: serde_json::Value = serde_json::from_slice(&en.leaf).unwrap_or_default();
        v["type"] == "ballots.cast"
            // A receipt code is upper case; an end-to-end ballot's tracker (issue 18) lower-case hex.
            && v["payload"]["receipts"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(&want))))
    });
    let cp = checkpoint_now(store, log, log_id).await?;
    let (size, note) = cp.map(|c| (u64::try_from(c.size).unwrap_or(0), c.note)).unwrap_or_default();
    Ok(ReceiptCheck {
        found,
        log: log_id.to_string(),
        index,
        checkpoint_size: size,
        in_checkpoint: found && size > index,
        checkpoint: note,
    })
}
