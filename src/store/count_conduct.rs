//! The committee's findings about how a round was counted (LAW.md §8 [P, CQ Art. 34]): not in
//! public (`no_public_count`), result not announced on the spot (`not_announced_on_spot`).

use super::{Result, Store, Tx, on_conn};

/// Records a finding for a round; `false` when it was already recorded.
pub async fn insert(tx: &mut Tx, election_id: i64, round_no: i64, finding: &str, on: &str, ms: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO count_conduct (election_id, round_no, finding, recorded_on, created_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (election_id, round_no, finding) DO NOTHING",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(finding)
        .bind(on)
        .bind(ms)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}

/// The findings recorded for an election, as `(round_no, finding)` in round order.
pub async fn findings(store: &Store, election_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT round_no, finding FROM count_conduct WHERE election_id = $1 ORDER BY round_no, finding",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}
