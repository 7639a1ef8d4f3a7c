//! Complaints about an election and their written answers (LAW.md §8 [P, CQ Art. 33]).

use serde::Serialize;
use sqlx::FromRow;

use super::{Result, Store, Tx, on_conn};

/// A complaint as stored: the complainant's name and contact are for the committee only.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ComplaintRow {
    pub id: i64,
    pub election_id: i64,
    pub filed_by: String,
    pub contact: String,
    pub subject: String,
    pub filed_on: String,
    pub answer: Option<String>,
    pub answered_on: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Tx,
    election_id: i64,
    filed_by: &str,
    contact: &str,
    subject: &str,
    on: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO complaints (election_id, filed_by, contact, subject, filed_on, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(election_id)
        .bind(filed_by)
        .bind(contact)
        .bind(subject)
        .bind(on)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

/// Records the written answer; false when it was already answered.
pub async fn answer(tx: &mut Tx, id: i64, answer: &str, on: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE complaints SET answer = $1, answered_on = $2 WHERE id = $3 AND answer IS NULL")
            .bind(answer)
            .bind(on)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn get(store: &Store, id: i64) -> Result<Option<ComplaintRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, ComplaintRow>(
            "SELECT id, election_id, filed_by, contact, subject, filed_on, answer, answered_on FROM complaints WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

pub async fn of_election(store: &Store, election_id: i64) -> Result<Vec<ComplaintRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, ComplaintRow>(
            "SELECT id, election_id, filed_by, contact, subject, filed_on, answer, answered_on FROM complaints \
             WHERE election_id = $1 ORDER BY id",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}
