//! The mix's bulletin board (docs/e2e.md §6–§8; migration 0023): the shuffles trustees posted
//! in sequence, their decryption shares, and the decrypted ballots the last share made.

use super::{Db, Result, Tx, on_conn};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shuffle {
    pub seq: i64,
    pub trustee: u32,
    pub output: String,
    pub proof: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decryption {
    pub trustee: u32,
    pub share: String,
}

pub async fn shuffles(db: impl Into<Db<'_>>, election_id: i64, round_no: i64) -> Result<Vec<Shuffle>> {
    let rows: Vec<(i64, i64, String, String)> = on_conn!(db db.into(), |c| {
        sqlx::query_as(
            "SELECT seq, trustee, output, proof FROM e2e_shuffles WHERE election_id = $1 AND round_no = $2 ORDER BY seq",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(c)
        .await?
    });
    Ok(rows.into_iter().map(|(seq, t, output, proof)| Shuffle { seq, trustee: t as u32, output, proof }).collect())
}

pub async fn insert_shuffle(tx: &mut Tx, election_id: i64, round_no: i64, s: &Shuffle, now: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO e2e_shuffles (election_id, round_no, seq, trustee, output, proof, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(s.seq)
        .bind(i64::from(s.trustee))
        .bind(&s.output)
        .bind(&s.proof)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn decryptions(db: impl Into<Db<'_>>, election_id: i64, round_no: i64) -> Result<Vec<Decryption>> {
    let rows: Vec<(i64, String)> = on_conn!(db db.into(), |c| {
        sqlx::query_as(
            "SELECT trustee, share FROM e2e_decryptions WHERE election_id = $1 AND round_no = $2 ORDER BY trustee",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(c)
        .await?
    });
    Ok(rows.into_iter().map(|(t, share)| Decryption { trustee: t as u32, share }).collect())
}

pub async fn insert_decryption(tx: &mut Tx, election_id: i64, round_no: i64, d: &Decryption, now: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO e2e_decryptions (election_id, round_no, trustee, share, created_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(i64::from(d.trustee))
        .bind(&d.share)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// The decrypted ballots of a round in decrypted order (empty until k trustees decrypted).
pub async fn decrypted(db: impl Into<Db<'_>>, election_id: i64, round_no: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = on_conn!(db db.into(), |c| {
        sqlx::query_as("SELECT content FROM e2e_decrypted WHERE election_id = $1 AND round_no = $2 ORDER BY seq")
            .bind(election_id)
            .bind(round_no)
            .fetch_all(c)
            .await?
    });
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn insert_decrypted(tx: &mut Tx, election_id: i64, round_no: i64, ballots: &[String]) -> Result<()> {
    for (i, b) in ballots.iter().enumerate() {
        on_conn!(tx tx, |c| {
            sqlx::query("INSERT INTO e2e_decrypted (election_id, round_no, seq, content) VALUES ($1, $2, $3, $4)")
                .bind(election_id)
                .bind(round_no)
                .bind(i as i64 + 1)
                .bind(b)
                .execute(c)
                .await?;
        });
    }
    Ok(())
}
