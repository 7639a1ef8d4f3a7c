//! Recall proceedings and the vacancies of a term.

use super::on_conn;
use super::{Db, Result, Store, Tx};
pub use crate::domain::records::{RecallRow, VacancyRow};

#[allow(clippy::too_many_arguments)]
pub async fn insert_recall(
    tx: &mut Tx,
    election_id: i64,
    term: i64,
    member_id: &str,
    post: &str,
    name: &str,
    reasons: &str,
    signers: &str,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO recalls (election_id, term_election_id, member_id, member_post, member_name, reasons, signers) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(election_id)
        .bind(term)
        .bind(member_id)
        .bind(post)
        .bind(name)
        .bind(reasons)
        .bind(signers)
        .execute(c)
        .await?;
    });
    Ok(())
}

const RECALL: &str = "SELECT election_id, term_election_id, member_id, member_post, member_name, reasons, signers, \
     verified_on, answer, answer_on FROM recalls";

#[derive(sqlx::FromRow)]
struct RecallRecord {
    election_id: i64,
    term_election_id: i64,
    member_id: String,
    member_post: String,
    member_name: String,
    reasons: String,
    signers: String,
    verified_on: Option<String>,
    answer: Option<String>,
    answer_on: Option<String>,
}

impl RecallRecord {
    /// Signers that do not parse are an error naming the recall, never no signers.
    fn parse(self) -> Result<RecallRow> {
        Ok(RecallRow {
            signers: super::parse_json("recalls", self.election_id, "signers", &self.signers)?,
            election_id: self.election_id,
            term_election_id: self.term_election_id,
            member_id: self.member_id,
            member_post: self.member_post,
            member_name: self.member_name,
            reasons: self.reasons,
            verified_on: self.verified_on,
            answer: self.answer,
            answer_on: self.answer_on,
        })
    }
}

/// The recall of election `election_id`, on the pool or in a transaction.
pub async fn recall(db: impl Into<Db<'_>>, election_id: i64) -> Result<Option<RecallRow>> {
    let sql = format!("{RECALL} WHERE election_id = $1");
    let row =
        on_conn!(db db.into(), |c| sqlx::query_as::<_, RecallRecord>(&sql).bind(election_id).fetch_optional(c).await?);
    row.map(RecallRecord::parse).transpose()
}

pub async fn set_verified(tx: &mut Tx, election_id: i64, on: &str) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("UPDATE recalls SET verified_on = $1 WHERE election_id = $2").bind(on).bind(election_id).execute(c).await?;
    });
    Ok(())
}

pub async fn set_answer(tx: &mut Tx, election_id: i64, answer: &str, on: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE recalls SET answer = $1, answer_on = $2 WHERE election_id = $3 AND answer IS NULL")
            .bind(answer)
            .bind(on)
            .bind(election_id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_vacancy(
    tx: &mut Tx,
    term: i64,
    post: &str,
    member_id: Option<&str>,
    cause: &str,
    on: &str,
    filing_by: &str,
    byelection_by: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO vacancies (term_election_id, post, member_id, cause, arose_on, filing_by, byelection_by, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(term)
        .bind(post)
        .bind(member_id)
        .bind(cause)
        .bind(on)
        .bind(filing_by)
        .bind(byelection_by)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn vacancies(store: &Store, term: i64) -> Result<Vec<VacancyRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, VacancyRow>(
            "SELECT id, term_election_id, post, member_id, cause, arose_on, filing_by, byelection_by, byelection_id \
             FROM vacancies WHERE term_election_id = $1 ORDER BY id",
        )
        .bind(term)
        .fetch_all(c)
        .await?
    }))
}

pub async fn assign_byelection(tx: &mut Tx, vacancy: i64, election_id: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE vacancies SET byelection_id = $1 WHERE id = $2 AND byelection_id IS NULL")
            .bind(election_id)
            .bind(vacancy)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// The term a by-election fills seats of.
pub async fn term_of_byelection(store: &Store, byelection: i64) -> Result<Option<i64>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, i64>("SELECT term_election_id FROM vacancies WHERE byelection_id = $1 LIMIT 1")
            .bind(byelection)
            .fetch_optional(c)
            .await?
    }))
}
