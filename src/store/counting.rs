//! Counts, void decisions and the handover checklist.

use sqlx::FromRow;

use super::on_conn;
use super::{Db, Result, Store, Tx};
use crate::domain::Round;
use crate::law::primary::PrimaryCount;
use crate::law::recount::Recount;

#[derive(Debug, Clone)]
pub struct CountRow {
    /// The stored round number (see `store::polling` for the encoding).
    pub round_no: i64,
    pub round: Round,
    pub box_json: String,
    /// The result exactly as stored and published (its bytes are hashed in the log).
    pub result: String,
    /// `result` parsed once, here (issue 14), as the law engine's typed result (an election
    /// round's, a primary's or a recall's): a result that does not parse is
    /// [`super::StoreError::CorruptRow`] naming the election and round, never a default.
    pub count: Recount,
    pub box_root: Vec<u8>,
    pub counted_ms: i64,
}

impl CountRow {
    /// The result of a nomination primary's round (LAW.md §5 [P]); `None` for an election
    /// round's or a recall's.
    pub fn primary(&self) -> Option<&PrimaryCount> {
        match &self.count {
            Recount::Primary(p) => Some(p),
            _ => None,
        }
    }
}

/// The columns of a count as read; [`CountRow`] once its result is parsed.
#[derive(FromRow)]
struct Raw {
    round_no: i64,
    box_json: String,
    result: String,
    box_root: Vec<u8>,
    counted_ms: i64,
}

/// Parses each row's stored result, naming the election and round of one that does not.
fn parsed(election_id: i64, rows: Vec<Raw>) -> Result<Vec<CountRow>> {
    rows.into_iter()
        .map(|r| {
            let count = super::parse_json("counts", election_id, &format!("round {} result", r.round_no), &r.result)?;
            let round = Round::try_from(r.round_no).map_err(|_| {
                let what = format!("round {}", r.round_no);
                tracing::error!(table = "counts", id = election_id, what, "stored round does not parse");
                super::StoreError::CorruptRow { table: "counts", id: election_id, what }
            })?;
            Ok(CountRow {
                round_no: r.round_no,
                round,
                box_json: r.box_json,
                result: r.result,
                count,
                box_root: r.box_root,
                counted_ms: r.counted_ms,
            })
        })
        .collect()
}

pub async fn insert_count(
    tx: &mut Tx,
    election_id: i64,
    round: Round,
    box_json: &str,
    result: &str,
    root: &[u8],
    now: i64,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO counts (election_id, round_no, box, result, box_root, counted_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(election_id)
        .bind(round.to_stored())
        .bind(box_json)
        .bind(result)
        .bind(root)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// An election's counts, by round, on the pool or in a transaction.
pub async fn counts(db: impl Into<Db<'_>>, election_id: i64) -> Result<Vec<CountRow>> {
    parsed(
        election_id,
        on_conn!(db db.into(), |c| {
            sqlx::query_as::<_, Raw>(
                "SELECT round_no, box AS box_json, result, box_root, counted_ms FROM counts WHERE election_id = $1 ORDER BY round_no",
            )
            .bind(election_id)
            .fetch_all(c)
            .await?
        }),
    )
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct VoidRow {
    pub id: i64,
    pub scope: String,
    pub nomination_id: Option<i64>,
    pub reasons: String,
    pub decided_on: String,
}

pub async fn insert_void(
    tx: &mut Tx,
    election_id: i64,
    scope: &str,
    nomination_id: Option<i64>,
    reasons: &str,
    on: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO void_decisions (election_id, scope, nomination_id, reasons, decided_on, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(election_id)
        .bind(scope)
        .bind(nomination_id)
        .bind(reasons)
        .bind(on)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn voids(store: &Store, election_id: i64) -> Result<Vec<VoidRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, VoidRow>(
            "SELECT id, scope, nomination_id, reasons, decided_on FROM void_decisions WHERE election_id = $1 ORDER BY id",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

pub async fn put_handover(tx: &mut Tx, election_id: i64, item: &str, on: &str, note: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO handover_items (election_id, item, done_on, note) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(election_id)
        .bind(item)
        .bind(on)
        .bind(note)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// How many handover items are done.
pub async fn handover_done_tx(tx: &mut Tx, election_id: i64) -> Result<usize> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM handover_items WHERE election_id = $1")
            .bind(election_id)
            .fetch_one(c)
            .await?
    });
    Ok(usize::try_from(n).unwrap_or(0))
}

pub async fn handover(store: &Store, election_id: i64) -> Result<Vec<(String, String, String)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (String, String, String)>(
            "SELECT item, done_on, note FROM handover_items WHERE election_id = $1 ORDER BY item",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

/// Releases an election's one-place-only claims (a void election's voters register again in
/// its re-run).
pub async fn release_claims(tx: &mut Tx, election_id: i64) -> Result<u64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM round_registrations WHERE election_id = $1")
            .bind(election_id)
            .execute(c)
            .await?
            .rows_affected()
    }))
}
