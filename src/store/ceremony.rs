//! The key ceremony's bulletin board (docs/e2e.md §4; migration 0021). Messages are stored as
//! the JSON of their domain types and parsed back here, once.

use super::{Db, Result, Tx, on_conn, parse_json};
use crate::domain::ceremony::{ComplaintMessage, DealingMessage, KeyMessage};

#[derive(Clone, Debug)]
pub struct Ceremony {
    pub number: i64,
    pub n: u32,
    pub k: u32,
    pub status: String,
    pub election_key: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Trustee {
    pub trustee: u32,
    pub resident_id: i64,
    pub name: String,
    pub key: Option<KeyMessage>,
    pub dealing: Option<DealingMessage>,
    pub checked: bool,
    /// Why the trustee withdrew (`left_committee`, `recused`, `unavailable`), when it did.
    pub withdrawn: Option<String>,
}

#[derive(Clone, Debug)]
pub struct StoredComplaint {
    pub dealer: u32,
    pub recipient: u32,
    pub complaint: ComplaintMessage,
    pub verdict: String,
}

/// The election's latest ceremony.
pub async fn latest(db: impl Into<Db<'_>>, election_id: i64) -> Result<Option<Ceremony>> {
    let row: Option<(i64, i64, i64, String, Option<String>)> = on_conn!(db db.into(), |c| {
        sqlx::query_as(
            "SELECT number, n, k, status, election_key FROM e2e_ceremonies WHERE election_id = $1 \
             ORDER BY number DESC LIMIT 1",
        )
        .bind(election_id)
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(|(number, n, k, status, election_key)| Ceremony {
        number,
        n: n as u32,
        k: k as u32,
        status,
        election_key,
    }))
}

pub async fn insert(tx: &mut Tx, election_id: i64, number: i64, n: u32, k: u32, now: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO e2e_ceremonies (election_id, number, n, k, status, created_ms) VALUES ($1, $2, $3, $4, 'keys', $5)",
        )
        .bind(election_id)
        .bind(number)
        .bind(i64::from(n))
        .bind(i64::from(k))
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn insert_trustee(
    tx: &mut Tx,
    election_id: i64,
    number: i64,
    trustee: u32,
    resident_id: i64,
    token_hash: &str,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO e2e_trustees (election_id, number, trustee, resident_id, token_hash) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(election_id)
        .bind(number)
        .bind(i64::from(trustee))
        .bind(resident_id)
        .bind(token_hash)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// `(election, ceremony number, trustee)` of a token's hash.
pub async fn by_token(db: impl Into<Db<'_>>, token_hash: &str) -> Result<Option<(i64, i64, u32)>> {
    let row: Option<(i64, i64, i64)> = on_conn!(db db.into(), |c| {
        sqlx::query_as("SELECT election_id, number, trustee FROM e2e_trustees WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(|(e, n, t)| (e, n, t as u32)))
}

type TrusteeRow = (i64, i64, String, Option<String>, Option<String>, i64, Option<String>);

pub async fn trustees(db: impl Into<Db<'_>>, election_id: i64, number: i64) -> Result<Vec<Trustee>> {
    let rows: Vec<TrusteeRow> = on_conn!(db db.into(), |c| {
        sqlx::query_as(
            "SELECT t.trustee, t.resident_id, r.name, t.key_message, t.dealing, t.checked, t.withdrawn FROM e2e_trustees t \
             JOIN residents r ON r.id = t.resident_id WHERE t.election_id = $1 AND t.number = $2 ORDER BY t.trustee",
        )
        .bind(election_id)
        .bind(number)
        .fetch_all(c)
        .await?
    });
    rows.into_iter()
        .map(|(trustee, resident_id, name, key, dealing, checked, withdrawn)| {
            Ok(Trustee {
                trustee: trustee as u32,
                resident_id,
                name,
                key: key.map(|k| parse_json("e2e_trustees", trustee, "key_message", &k)).transpose()?,
                dealing: dealing.map(|d| parse_json("e2e_trustees", trustee, "dealing", &d)).transpose()?,
                checked: checked != 0,
                withdrawn,
            })
        })
        .collect()
}

/// Sets one trustee's column once; `false` when it was already set.
async fn set_once(tx: &mut Tx, column: &str, election_id: i64, number: i64, trustee: u32, text: &str) -> Result<bool> {
    // `column` is one of this module's constants, never input.
    let sql = format!(
        "UPDATE e2e_trustees SET {column} = $1 WHERE election_id = $2 AND number = $3 AND trustee = $4 AND {column} IS NULL"
    );
    let n = on_conn!(tx tx, |c| {
        sqlx::query(&sql).bind(text).bind(election_id).bind(number).bind(i64::from(trustee)).execute(c).await?.rows_affected()
    });
    Ok(n > 0)
}

pub async fn set_key(tx: &mut Tx, election_id: i64, number: i64, trustee: u32, m: &KeyMessage) -> Result<bool> {
    set_once(tx, "key_message", election_id, number, trustee, &serde_json::to_string(m).unwrap_or_default()).await
}

pub async fn set_dealing(tx: &mut Tx, election_id: i64, number: i64, trustee: u32, m: &DealingMessage) -> Result<bool> {
    set_once(tx, "dealing", election_id, number, trustee, &serde_json::to_string(m).unwrap_or_default()).await
}

/// Marks a trustee withdrawn (once); `false` when it already was.
pub async fn set_withdrawn(tx: &mut Tx, election_id: i64, number: i64, trustee: u32, reason: &str) -> Result<bool> {
    set_once(tx, "withdrawn", election_id, number, trustee, reason).await
}

pub async fn set_checked(tx: &mut Tx, election_id: i64, number: i64, trustee: u32) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE e2e_trustees SET checked = 1 WHERE election_id = $1 AND number = $2 AND trustee = $3 AND checked = 0",
        )
        .bind(election_id)
        .bind(number)
        .bind(i64::from(trustee))
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}

pub async fn insert_complaint(tx: &mut Tx, election_id: i64, number: i64, c: &StoredComplaint) -> Result<()> {
    let text = serde_json::to_string(&c.complaint).unwrap_or_default();
    on_conn!(tx tx, |conn| {
        sqlx::query(
            "INSERT INTO e2e_complaints (election_id, number, dealer, recipient, complaint, verdict) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(election_id)
        .bind(number)
        .bind(i64::from(c.dealer))
        .bind(i64::from(c.recipient))
        .bind(&text)
        .bind(&c.verdict)
        .execute(conn)
        .await?;
    });
    Ok(())
}

pub async fn complaints(db: impl Into<Db<'_>>, election_id: i64, number: i64) -> Result<Vec<StoredComplaint>> {
    let rows: Vec<(i64, i64, String, String)> = on_conn!(db db.into(), |c| {
        sqlx::query_as(
            "SELECT dealer, recipient, complaint, verdict FROM e2e_complaints WHERE election_id = $1 AND number = $2 \
             ORDER BY dealer, recipient",
        )
        .bind(election_id)
        .bind(number)
        .fetch_all(c)
        .await?
    });
    rows.into_iter()
        .map(|(dealer, recipient, complaint, verdict)| {
            Ok(StoredComplaint {
                dealer: dealer as u32,
                recipient: recipient as u32,
                complaint: parse_json("e2e_complaints", dealer * 1000 + recipient, "complaint", &complaint)?,
                verdict,
            })
        })
        .collect()
}

/// Moves the ceremony from `from` to `to` (compare-and-set), setting the key when it is done.
pub async fn set_status(
    tx: &mut Tx,
    election_id: i64,
    number: i64,
    from: &str,
    to: &str,
    election_key: Option<&str>,
) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE e2e_ceremonies SET status = $1, election_key = COALESCE($2, election_key) \
             WHERE election_id = $3 AND number = $4 AND status = $5",
        )
        .bind(to)
        .bind(election_key)
        .bind(election_id)
        .bind(number)
        .bind(from)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n > 0)
}
