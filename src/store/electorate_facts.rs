//! Facts about voters the committee records outside the registry: confirmations of incapacity
//! (LAW.md §3 [N?]; `basis` is a health fact, personal information) and absentees' notices
//! (LAW.md §3 [P]).

use serde::Serialize;
use sqlx::FromRow;

use super::{Db, Result, Store, Tx, on_conn};

/// One confirmation of incapacity. `basis` is only for staff who run the election.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct IncapacityRow {
    pub id: i64,
    pub resident_id: i64,
    pub basis: String,
    pub confirmed_on: String,
    pub confirmed_by: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_incapacity(
    tx: &mut Tx,
    election_id: i64,
    resident_id: i64,
    basis: &str,
    on: &str,
    by: i64,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO incapacity_confirmations (election_id, resident_id, basis, confirmed_on, confirmed_by, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(election_id)
        .bind(resident_id)
        .bind(basis)
        .bind(on)
        .bind(by)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn incapacities(store: &Store, election_id: i64) -> Result<Vec<IncapacityRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, IncapacityRow>(
            "SELECT id, resident_id, basis, confirmed_on, confirmed_by FROM incapacity_confirmations \
             WHERE election_id = $1 ORDER BY id",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

/// Records a notice; false when this voter already notified.
pub async fn insert_absentee(tx: &mut Tx, election_id: i64, resident_id: i64, on: &str, now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO absentee_notices (election_id, resident_id, notified_on, created_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (election_id, resident_id) DO NOTHING",
        )
        .bind(election_id)
        .bind(resident_id)
        .bind(on)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Whether the committee confirmed the resident's incapacity (on the pool or in a transaction).
pub async fn is_incapable(db: impl Into<Db<'_>>, election_id: i64, resident_id: i64) -> Result<bool> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM incapacity_confirmations WHERE election_id = $1 AND resident_id = $2",
        )
        .bind(election_id)
        .bind(resident_id)
        .fetch_one(c)
        .await?
    }) > 0)
}
