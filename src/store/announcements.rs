//! The day each election's final result was announced (选举结果公告, LAW.md §8): the handover
//! deadline runs from it.

use super::{Result, Store, Tx, on_conn};

/// The day the final result of an election was announced, once (LAW.md §8).
pub async fn put_announcement(tx: &mut Tx, election_id: i64, on: &str) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO result_announcements (election_id, announced_on) VALUES ($1, $2) \
             ON CONFLICT (election_id) DO NOTHING",
        )
        .bind(election_id)
        .bind(on)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn announcement(store: &Store, election_id: i64) -> Result<Option<String>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, String>("SELECT announced_on FROM result_announcements WHERE election_id = $1")
            .bind(election_id)
            .fetch_optional(c)
            .await?
    }))
}
