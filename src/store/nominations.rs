//! Nominations and the formal candidate list.

use super::on_conn;
use super::{Result, Store, Tx};
pub use crate::domain::records::NominationRow;

const SELECT: &str = "SELECT n.id, n.election_id, n.post, n.nominee_id, r.name AS nominee_name, n.route, n.nominators, \
     n.consent_on, n.review, n.reviewer, n.reviewed_on, n.review_reasons, n.status, n.list_order, n.support \
     FROM nominations n JOIN residents r ON r.id = n.nominee_id";

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Tx,
    election_id: i64,
    post: &str,
    nominee_id: i64,
    route: &str,
    nominators: &str,
    support: i64,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO nominations (election_id, post, nominee_id, route, nominators, review, reviewer, review_reasons, \
             status, support, created_ms) VALUES ($1, $2, $3, $4, $5, 'pending', '', '', 'nominated', $6, $7) RETURNING id",
        )
        .bind(election_id)
        .bind(post)
        .bind(nominee_id)
        .bind(route)
        .bind(nominators)
        .bind(support)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn get(store: &Store, id: i64) -> Result<Option<NominationRow>> {
    let sql = format!("{SELECT} WHERE n.id = $1");
    Ok(on_conn!(pool store, |c| sqlx::query_as::<_, NominationRow>(&sql).bind(id).fetch_optional(c).await?))
}

pub async fn for_election(store: &Store, election_id: i64) -> Result<Vec<NominationRow>> {
    let sql = format!("{SELECT} WHERE n.election_id = $1 ORDER BY n.post, n.list_order, n.id");
    Ok(on_conn!(pool store, |c| sqlx::query_as::<_, NominationRow>(&sql).bind(election_id).fetch_all(c).await?))
}

pub async fn for_election_tx(tx: &mut Tx, election_id: i64) -> Result<Vec<NominationRow>> {
    let sql = format!("{SELECT} WHERE n.election_id = $1 ORDER BY n.post, n.list_order, n.id");
    Ok(on_conn!(tx tx, |c| sqlx::query_as::<_, NominationRow>(&sql).bind(election_id).fetch_all(c).await?))
}

pub async fn set_consent(tx: &mut Tx, id: i64, on: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE nominations SET consent_on = $1 WHERE id = $2 AND status = 'nominated'")
            .bind(on)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn set_review(
    tx: &mut Tx,
    id: i64,
    qualified: bool,
    reviewer: &str,
    on: &str,
    reasons: &str,
) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE nominations SET review = $1, reviewer = $2, reviewed_on = $3, review_reasons = $4 \
             WHERE id = $5 AND status = 'nominated'",
        )
        .bind(if qualified { "qualified" } else { "disqualified" })
        .bind(reviewer)
        .bind(on)
        .bind(reasons)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

pub async fn set_status(tx: &mut Tx, id: i64, status: &str, order: Option<i64>) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("UPDATE nominations SET status = $1, list_order = $2 WHERE id = $3")
            .bind(status)
            .bind(order)
            .bind(id)
            .execute(c)
            .await?;
    });
    Ok(())
}
