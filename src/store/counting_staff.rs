//! The counting staff of an election (LAW.md §2 [P]): scrutineers (监票), callers (唱票) and
//! talliers (计票), each a resident of the community.

use serde::Serialize;
use sqlx::FromRow;

use super::{Result, Store, Tx, on_conn};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct StaffRow {
    pub resident_id: i64,
    pub name: String,
    pub duty: String,
    pub status: String,
    pub note: String,
}

/// Names a resident to a duty; `false` when they already hold it.
pub async fn insert(tx: &mut Tx, election_id: i64, resident_id: i64, duty: &str, ms: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO counting_staff (election_id, resident_id, duty, status, note, created_ms) \
             VALUES ($1, $2, $3, 'serving', '', $4) ON CONFLICT (election_id, resident_id, duty) DO NOTHING",
        )
        .bind(election_id)
        .bind(resident_id)
        .bind(duty)
        .bind(ms)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}

/// Removes a serving member from every duty of the election, with the reason; how many duties.
pub async fn remove(tx: &mut Tx, election_id: i64, resident_id: i64, note: &str) -> Result<u64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE counting_staff SET status = 'removed', note = $1 \
             WHERE election_id = $2 AND resident_id = $3 AND status = 'serving'",
        )
        .bind(note)
        .bind(election_id)
        .bind(resident_id)
        .execute(c)
        .await?
        .rows_affected()
    }))
}

/// The election's counting staff with their names, in the order they were named.
pub async fn for_election(store: &Store, election_id: i64) -> Result<Vec<StaffRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, StaffRow>(
            "SELECT s.resident_id, r.name, s.duty, s.status, s.note FROM counting_staff s \
             JOIN residents r ON r.id = s.resident_id WHERE s.election_id = $1 ORDER BY s.created_ms, s.resident_id, s.duty",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}
