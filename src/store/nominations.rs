//! Nominations and the formal candidate list.

use super::on_conn;
use super::{Db, Result, Store, Tx};
pub use crate::domain::records::{NominationRow, NominationStatus};
use crate::law::Post;

const SELECT: &str = "SELECT n.id, n.election_id, n.post, n.nominee_id, r.name AS nominee_name, n.route, n.nominators, \
     n.consent_on, n.review, n.reviewer, n.reviewed_on, n.review_reasons, n.status, n.list_order, n.support \
     FROM nominations n JOIN residents r ON r.id = n.nominee_id";

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Tx,
    election_id: i64,
    post: Post,
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
        .bind(post.as_str())
        .bind(nominee_id)
        .bind(route)
        .bind(nominators)
        .bind(support)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

/// A nomination row as stored; [`NominationRecord::parse`] makes the domain's row of it.
#[derive(sqlx::FromRow)]
struct NominationRecord {
    id: i64,
    election_id: i64,
    post: String,
    nominee_id: i64,
    nominee_name: String,
    route: String,
    nominators: String,
    consent_on: Option<String>,
    review: String,
    reviewer: String,
    reviewed_on: Option<String>,
    review_reasons: String,
    status: String,
    list_order: Option<i64>,
    support: i64,
}

impl NominationRecord {
    /// Nominators that do not parse are an error naming the nomination, never nobody.
    fn parse(self) -> Result<NominationRow> {
        Ok(NominationRow {
            nominators: super::parse_json("nominations", self.id, "nominators", &self.nominators)?,
            id: self.id,
            election_id: self.election_id,
            post: super::parse_enum("nominations", self.id, "post", &self.post)?,
            nominee_id: self.nominee_id,
            nominee_name: self.nominee_name,
            route: self.route,
            consent_on: self.consent_on,
            review: self.review,
            reviewer: self.reviewer,
            reviewed_on: self.reviewed_on,
            review_reasons: self.review_reasons,
            status: super::parse_enum("nominations", self.id, "status", &self.status)?,
            list_order: self.list_order,
            support: self.support,
        })
    }
}

pub async fn get(store: &Store, id: i64) -> Result<Option<NominationRow>> {
    let sql = format!("{SELECT} WHERE n.id = $1");
    let row = on_conn!(pool store, |c| sqlx::query_as::<_, NominationRecord>(&sql).bind(id).fetch_optional(c).await?);
    row.map(NominationRecord::parse).transpose()
}

/// An election's nominations, by post and list order, on the pool or in a transaction.
pub async fn for_election(db: impl Into<Db<'_>>, election_id: i64) -> Result<Vec<NominationRow>> {
    let sql = format!("{SELECT} WHERE n.election_id = $1 ORDER BY n.post, n.list_order, n.id");
    let rows =
        on_conn!(db db.into(), |c| sqlx::query_as::<_, NominationRecord>(&sql).bind(election_id).fetch_all(c).await?);
    rows.into_iter().map(NominationRecord::parse).collect()
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

pub async fn set_status(tx: &mut Tx, id: i64, status: NominationStatus, order: Option<i64>) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("UPDATE nominations SET status = $1, list_order = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(order)
            .bind(id)
            .execute(c)
            .await?;
    });
    Ok(())
}
