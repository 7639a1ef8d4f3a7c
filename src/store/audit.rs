//! Storage of the append-only logs: entries (leaves) and each log's head (size + frontier).

use sqlx::Row;

use super::on_conn;
use super::{Result, Store, StoreError, Tx};
use crate::audit::chained_entry;
use crate::audit::merkle::{Frontier, leaf_hash};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEntry {
    pub idx: i64,
    pub leaf: Vec<u8>,
    pub leaf_hash: Vec<u8>,
    pub created_ms: i64,
}

/// Appends one event to `log_id` inside the caller's transaction and returns its index.
/// O(log n): only the frontier (right edge of the tree) is read and written. The stored leaf is
/// the event with its position and the previous leaf's hash (`entry.rs`), so a verifier can
/// name exactly which row was altered.
pub async fn append(tx: &mut Tx, log_id: &str, event: &serde_json::Value, at_ms: i64) -> Result<u64> {
    let head: Option<(i64, Vec<u8>)> = match tx {
        // BEGIN IMMEDIATE already holds SQLite's write lock.
        Tx::Sqlite(t) => {
            sqlx::query_as("SELECT size, frontier FROM audit_heads WHERE log_id = $1")
                .bind(log_id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Postgres(t) => {
            sqlx::query("INSERT INTO audit_heads (log_id, size, frontier) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING")
                .bind(log_id)
                .bind(Frontier::default().to_bytes())
                .execute(&mut **t)
                .await?;
            sqlx::query_as("SELECT size, frontier FROM audit_heads WHERE log_id = $1 FOR UPDATE")
                .bind(log_id)
                .fetch_optional(&mut **t)
                .await?
        }
    };
    let mut frontier = match &head {
        Some((_, bytes)) => {
            Frontier::from_bytes(bytes).map_err(|e| StoreError::Corrupt(format!("audit head of {log_id}: {e:?}")))?
        }
        None => Frontier::default(),
    };
    let index = frontier.size();
    let prev = frontier.last_leaf();
    let leaf = chained_entry(index, prev.as_ref(), event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let leaf = leaf.as_slice();
    let hash = leaf_hash(leaf);
    frontier.append(hash);
    let idx = index as i64;
    on_conn!(tx tx, |c| {
        sqlx::query("INSERT INTO audit_entries (log_id, idx, leaf, leaf_hash, created_ms) VALUES ($1, $2, $3, $4, $5)")
            .bind(log_id)
            .bind(idx)
            .bind(leaf)
            .bind(hash.to_vec())
            .bind(at_ms)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "INSERT INTO audit_heads (log_id, size, frontier) VALUES ($1, $2, $3) \
             ON CONFLICT (log_id) DO UPDATE SET size = excluded.size, frontier = excluded.frontier",
        )
        .bind(log_id)
        .bind(idx + 1)
        .bind(frontier.to_bytes())
        .execute(&mut *c)
        .await?;
    });
    Ok(index)
}

pub async fn size(store: &Store, log_id: &str) -> Result<u64> {
    let n: Option<i64> = on_conn!(pool store, |c| {
        sqlx::query("SELECT size FROM audit_heads WHERE log_id = $1")
            .bind(log_id)
            .fetch_optional(c)
            .await?
            .map(|r| r.get::<i64, _>(0))
    });
    Ok(n.unwrap_or(0) as u64)
}

pub async fn entries(store: &Store, log_id: &str, start: i64, end: i64) -> Result<Vec<StoredEntry>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, StoredEntry>(
            "SELECT idx, leaf, leaf_hash, created_ms FROM audit_entries \
             WHERE log_id = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
        )
        .bind(log_id)
        .bind(start)
        .bind(end)
        .fetch_all(c)
        .await?
    }))
}

// ---- checkpoints and cosignatures ----

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredCheckpoint {
    pub size: i64,
    pub root: Vec<u8>,
    pub note: String,
    pub created_ms: i64,
}

/// The head (size, frontier bytes) of a log as of now.
pub async fn head(store: &Store, log_id: &str) -> Result<Option<(i64, Vec<u8>)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, Vec<u8>)>("SELECT size, frontier FROM audit_heads WHERE log_id = $1")
            .bind(log_id)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn log_ids(store: &Store) -> Result<Vec<String>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, String>("SELECT log_id FROM audit_heads ORDER BY log_id").fetch_all(c).await?
    }))
}

/// The log's latest signed checkpoint, on the pool or inside a transaction.
pub async fn latest_checkpoint(db: impl Into<super::Db<'_>>, log_id: &str) -> Result<Option<StoredCheckpoint>> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_as::<_, StoredCheckpoint>(
            "SELECT size, root, note, created_ms FROM checkpoints WHERE log_id = $1 ORDER BY size DESC LIMIT 1",
        )
        .bind(log_id)
        .fetch_optional(c)
        .await?
    }))
}

pub async fn checkpoints(store: &Store, log_id: &str) -> Result<Vec<StoredCheckpoint>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, StoredCheckpoint>(
            "SELECT size, root, note, created_ms FROM checkpoints WHERE log_id = $1 ORDER BY size",
        )
        .bind(log_id)
        .fetch_all(c)
        .await?
    }))
}

pub async fn checkpoint_at(store: &Store, log_id: &str, size: i64) -> Result<Option<StoredCheckpoint>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, StoredCheckpoint>(
            "SELECT size, root, note, created_ms FROM checkpoints WHERE log_id = $1 AND size = $2",
        )
        .bind(log_id)
        .bind(size)
        .fetch_optional(c)
        .await?
    }))
}

pub async fn insert_cosignature(
    store: &Store,
    log_id: &str,
    size: i64,
    witness: &str,
    line: &str,
    now: i64,
) -> Result<()> {
    on_conn!(pool store, |c| {
        sqlx::query(
            "INSERT INTO cosignatures (log_id, size, witness, line, created_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (log_id, size, witness) DO NOTHING",
        )
        .bind(log_id)
        .bind(size)
        .bind(witness)
        .bind(line)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// (size, witness, line) of every cosignature of a log.
pub async fn cosignatures(store: &Store, log_id: &str) -> Result<Vec<(i64, String, String)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, String, String)>(
            "SELECT size, witness, line FROM cosignatures WHERE log_id = $1 ORDER BY size, witness",
        )
        .bind(log_id)
        .fetch_all(c)
        .await?
    }))
}

/// The leaf hashes of the first `size` entries (for proofs).
pub async fn leaf_hashes(store: &Store, log_id: &str, size: i64) -> Result<Vec<[u8; 32]>> {
    let rows: Vec<Vec<u8>> = on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, Vec<u8>>("SELECT leaf_hash FROM audit_entries WHERE log_id = $1 AND idx < $2 ORDER BY idx")
            .bind(log_id)
            .bind(size)
            .fetch_all(c)
            .await?
    });
    rows.into_iter()
        .map(|h| h.try_into().map_err(|_| StoreError::Corrupt(format!("leaf hash of {log_id} is not 32 bytes"))))
        .collect()
}

/// The head (size, frontier bytes) of a log inside `tx`, locked until it ends (SQLite's
/// `BEGIN IMMEDIATE` already holds the write lock; PostgreSQL locks the head row), so the
/// checkpoint signed from it and the entry logging it land together (issue 15 item 4).
pub async fn head_locked(tx: &mut Tx, log_id: &str) -> Result<Option<(i64, Vec<u8>)>> {
    Ok(match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as("SELECT size, frontier FROM audit_heads WHERE log_id = $1")
                .bind(log_id)
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Postgres(t) => {
            sqlx::query_as("SELECT size, frontier FROM audit_heads WHERE log_id = $1 FOR UPDATE")
                .bind(log_id)
                .fetch_optional(&mut **t)
                .await?
        }
    })
}

/// The leaf at `idx` inside `tx`, if stored.
pub async fn leaf_at(tx: &mut Tx, log_id: &str, idx: i64) -> Result<Option<Vec<u8>>> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, Vec<u8>>("SELECT leaf FROM audit_entries WHERE log_id = $1 AND idx = $2")
            .bind(log_id)
            .bind(idx)
            .fetch_optional(&mut *c)
            .await?
    }))
}

/// Stores a checkpoint; a second one for the same (log, size) is ignored (two servers may
/// race to sign the same head; both notes are valid, the first is kept).
pub async fn insert_checkpoint_tx(
    tx: &mut Tx,
    log_id: &str,
    size: i64,
    root: &[u8],
    note: &str,
    now: i64,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO checkpoints (log_id, size, root, note, created_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (log_id, size) DO NOTHING",
        )
        .bind(log_id)
        .bind(size)
        .bind(root)
        .bind(note)
        .bind(now)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}
