//! Storage of the append-only logs: entries (leaves) and each log's head (size + frontier).

use sqlx::Row;

use super::{Result, Store, Tx};
use crate::audit::merkle::{Frontier, leaf_hash};
use crate::on_conn;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEntry {
    pub idx: i64,
    pub leaf: Vec<u8>,
    pub leaf_hash: Vec<u8>,
    pub created_ms: i64,
}

/// Appends one leaf to `log_id` inside the caller's transaction and returns its index.
/// O(log n): only the frontier (right edge of the tree) is read and written.
pub async fn append(tx: &mut Tx, log_id: &str, leaf: &[u8], at_ms: i64) -> Result<u64> {
    let head: Option<(i64, Vec<u8>)> = match tx {
        // BEGIN IMMEDIATE already holds SQLite's write lock.
        Tx::Sqlite(t) => sqlx::query_as("SELECT size, frontier FROM audit_heads WHERE log_id = $1")
            .bind(log_id)
            .fetch_optional(&mut **t)
            .await?,
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
        Some((_, bytes)) => Frontier::from_bytes(bytes).unwrap_or_default(),
        None => Frontier::default(),
    };
    let index = frontier.size();
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
