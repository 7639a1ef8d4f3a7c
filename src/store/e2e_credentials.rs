//! The credential list and the one-ballot-per-credential claim (issue 18 items 3 and 4;
//! docs/e2e.md §5; migration 0022). Credentials are stored as lower-case hex of the 32-byte
//! Ed25519 public key.

use super::{Db, Result, Tx, on_conn};

/// One entry of the published list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CredentialRow {
    /// Hex of the credential (the Ed25519 public key).
    pub credential: String,
    /// `live` or `revoked`.
    pub status: String,
    /// `server` or `authority`.
    pub source: String,
}

/// The election's list, sorted by key.
pub async fn list(db: impl Into<Db<'_>>, election_id: i64) -> Result<Vec<CredentialRow>> {
    let rows: Vec<(String, String, String)> = on_conn!(db db.into(), |c| {
        sqlx::query_as(
            "SELECT credential, status, source FROM e2e_credentials WHERE election_id = $1 ORDER BY credential",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    });
    Ok(rows.into_iter().map(|(credential, status, source)| CredentialRow { credential, status, source }).collect())
}

/// Adds a live credential; with `holder`, remembers whose card carries it (replacing an older
/// one of the same voter).
pub async fn add(
    tx: &mut Tx,
    election_id: i64,
    credential: &str,
    source: &str,
    holder: Option<i64>,
    now: i64,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO e2e_credentials (election_id, credential, status, source, created_ms) VALUES ($1, $2, 'live', $3, $4)",
        )
        .bind(election_id)
        .bind(credential)
        .bind(source)
        .bind(now)
        .execute(&mut *c)
        .await?;
        if let Some(resident) = holder {
            sqlx::query(
                "INSERT INTO e2e_credential_holders (election_id, resident_id, credential) VALUES ($1, $2, $3) \
                 ON CONFLICT (election_id, resident_id) DO UPDATE SET credential = excluded.credential",
            )
            .bind(election_id)
            .bind(resident)
            .bind(credential)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

/// The live credential a voter's card carries, if the server issued it.
pub async fn held_by(tx: &mut Tx, election_id: i64, resident_id: i64) -> Result<Option<String>> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, String>(
            "SELECT h.credential FROM e2e_credential_holders h JOIN e2e_credentials k \
             ON k.election_id = h.election_id AND k.credential = h.credential \
             WHERE h.election_id = $1 AND h.resident_id = $2 AND k.status = 'live'",
        )
        .bind(election_id)
        .bind(resident_id)
        .fetch_optional(c)
        .await?
    }))
}

/// Revokes a live credential; false if it was not live.
pub async fn revoke(tx: &mut Tx, election_id: i64, credential: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE e2e_credentials SET status = 'revoked' WHERE election_id = $1 AND credential = $2 AND status = 'live'",
        )
        .bind(election_id)
        .bind(credential)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Whether the voter received a ballot in any round of the election (a card is not reissued
/// once its credential may have voted).
pub async fn voted_in_any_round(tx: &mut Tx, election_id: i64, resident_id: i64) -> Result<bool> {
    let found: Option<i64> = on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(1 AS BIGINT) FROM participation WHERE election_id = $1 AND resident_id = $2 LIMIT 1",
        )
        .bind(election_id)
        .bind(resident_id)
        .fetch_optional(c)
        .await?
    });
    Ok(found.is_some())
}

/// The writer's claim: the credential is listed and live, and has cast no ballot in this round,
/// and the tracker is new. False refuses the ballot.
pub async fn claim(tx: &mut Tx, election_id: i64, round_no: i64, credential: &str, tracker: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO e2e_cast (election_id, round_no, credential, tracker) \
             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM e2e_credentials \
             WHERE election_id = $1 AND credential = $3 AND status = 'live') \
             ON CONFLICT DO NOTHING",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(credential)
        .bind(tracker)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Takes back a claim whose cast was refused later in the same transaction (the voter had
/// already received a ballot through another channel).
pub async fn unclaim(tx: &mut Tx, election_id: i64, round_no: i64, credential: &str) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM e2e_cast WHERE election_id = $1 AND round_no = $2 AND credential = $3")
            .bind(election_id)
            .bind(round_no)
            .bind(credential)
            .execute(c)
            .await?;
    });
    Ok(())
}
