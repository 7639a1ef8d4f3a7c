//! Voters signed in on their own device with the voting code (issue 12): server-side rows, so
//! signing out, casting, a reissued card, removal from the roll and the close of the polls end
//! them on every node. Only the keyed hash of the cookie is stored; no ballot reference.

use sqlx::FromRow;

use super::on_conn;
use super::{Result, Store, Tx};

#[derive(Debug, Clone, FromRow)]
pub struct VoterSessionRow {
    pub election_id: i64,
    pub resident_id: i64,
    pub csrf_token: String,
    pub expires_ms: i64,
}

pub async fn insert(
    store: &Store,
    id_hash: &[u8],
    election_id: i64,
    resident_id: i64,
    csrf: &str,
    expires_ms: i64,
) -> Result<()> {
    on_conn!(pool store, |c| {
        sqlx::query(
            "INSERT INTO voter_sessions (id_hash, election_id, resident_id, csrf_token, expires_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash)
        .bind(election_id)
        .bind(resident_id)
        .bind(csrf)
        .bind(expires_ms)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn get(store: &Store, id_hash: &[u8]) -> Result<Option<VoterSessionRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, VoterSessionRow>(
            "SELECT election_id, resident_id, csrf_token, expires_ms FROM voter_sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(c)
        .await?
    }))
}

pub async fn delete(store: &Store, id_hash: &[u8]) -> Result<()> {
    on_conn!(pool store, |c| {
        sqlx::query("DELETE FROM voter_sessions WHERE id_hash = $1").bind(id_hash).execute(c).await?;
    });
    Ok(())
}

/// Ends the sessions of one voter (`Some(resident)`) or of every voter of an election.
pub async fn end_in_tx(tx: &mut Tx, election_id: i64, resident_id: Option<i64>) -> Result<u64> {
    Ok(on_conn!(tx tx, |c| {
        match resident_id {
            Some(r) => sqlx::query("DELETE FROM voter_sessions WHERE election_id = $1 AND resident_id = $2")
                .bind(election_id)
                .bind(r)
                .execute(c)
                .await?
                .rows_affected(),
            None => sqlx::query("DELETE FROM voter_sessions WHERE election_id = $1")
                .bind(election_id)
                .execute(c)
                .await?
                .rows_affected(),
        }
    }))
}

/// Ends the sessions of one voter outside a transaction (after casting).
pub async fn end(store: &Store, election_id: i64, resident_id: i64) -> Result<()> {
    on_conn!(pool store, |c| {
        sqlx::query("DELETE FROM voter_sessions WHERE election_id = $1 AND resident_id = $2")
            .bind(election_id)
            .bind(resident_id)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn delete_expired(store: &Store, now: i64) -> Result<u64> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query("DELETE FROM voter_sessions WHERE expires_ms < $1").bind(now).execute(c).await?.rows_affected()
    }))
}
