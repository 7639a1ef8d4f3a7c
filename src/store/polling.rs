//! Polling rounds, the participation roll, the ballot box, booths, paper entry, statements.
//! The roll and the box are written only here, and never joined (DESIGN.md ballot secrecy).
//! A round's stored encoding ([`Round::to_stored`]) lives here too.

use serde::Serialize;
use sqlx::FromRow;

use super::on_conn;
use super::{Db, Result, Store, Tx};
use crate::domain::Round;
use crate::domain::ballot::{BallotPaper, PlainBallot};

/// How a [`Round`] is stored (`polls.round_no`, `counts.round_no`, and every table keyed by a
/// round): election rounds as 1, 2, …; primary rounds below 1, the first at `FIRST_ROUND`, so
/// the latest round of an election is always the highest number. The same integer is the
/// round's key on the wire (URLs, log payloads, the box's comment).
const FIRST_ROUND: i64 = -100;

impl Round {
    /// The stored integer of this round.
    pub fn to_stored(self) -> i64 {
        match self {
            Round::Primary(n) => FIRST_ROUND + i64::from(n) - 1,
            Round::Election(n) => i64::from(n),
        }
    }

    /// The round a stored integer stands for; `None` for a number no round is stored as.
    pub fn from_stored(n: i64) -> Option<Round> {
        match n {
            1.. => u32::try_from(n).ok().map(Round::Election),
            FIRST_ROUND..=0 => u32::try_from(n - FIRST_ROUND + 1).ok().map(Round::Primary),
            _ => None,
        }
    }

    /// Whether the store can hold this round (the primary has room for 101 rounds).
    pub fn storable(self) -> bool {
        Round::from_stored(self.to_stored()) == Some(self)
    }
}

/// A stored round number that is no round: decoding the row fails, naming the number.
#[derive(Debug, thiserror::Error)]
#[error("round_no {0} is not a stored round")]
pub struct BadRound(i64);

impl TryFrom<i64> for Round {
    type Error = BadRound;
    fn try_from(n: i64) -> std::result::Result<Round, BadRound> {
        Round::from_stored(n).ok_or(BadRound(n))
    }
}

/// A polling round, its stored values parsed once here.
#[derive(Debug, Clone, Serialize)]
pub struct PollRow {
    pub election_id: i64,
    /// The stored round number: the round's key in URLs and log payloads.
    pub round_no: i64,
    /// What `round_no` stands for.
    #[serde(skip)]
    pub round: Round,
    pub kind: String,
    /// The round's ballot paper, fixed when it opened.
    pub paper: BallotPaper,
    pub status: String,
    pub opened_ms: i64,
    pub closed_ms: Option<i64>,
}

#[derive(FromRow)]
struct PollRecord {
    election_id: i64,
    round_no: i64,
    kind: String,
    paper: String,
    status: String,
    opened_ms: i64,
    closed_ms: Option<i64>,
}

impl PollRecord {
    /// A round number or a paper that does not parse is an error naming the election and round.
    fn parse(self) -> Result<PollRow> {
        let id = self.election_id;
        let round = Round::from_stored(self.round_no).ok_or_else(|| {
            tracing::error!(table = "polls", id, round_no = self.round_no, "stored round number is no round");
            super::StoreError::CorruptRow { table: "polls", id, what: format!("round_no {}", self.round_no) }
        })?;
        let paper = super::parse_json("polls", id, &format!("round {} paper", self.round_no), &self.paper)?;
        Ok(PollRow {
            election_id: id,
            round_no: self.round_no,
            round,
            kind: self.kind,
            paper,
            status: self.status,
            opened_ms: self.opened_ms,
            closed_ms: self.closed_ms,
        })
    }
}

const POLL: &str = "SELECT election_id, round_no, kind, paper, status, opened_ms, closed_ms FROM polls";

pub async fn insert_poll(tx: &mut Tx, election_id: i64, round: Round, kind: &str, paper: &str, now: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO polls (election_id, round_no, kind, paper, status, opened_ms) VALUES ($1, $2, $3, $4, 'open', $5)",
        )
        .bind(election_id)
        .bind(round.to_stored())
        .bind(kind)
        .bind(paper)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// The latest round of an election.
/// The latest round of an election, on the pool or in a transaction.
pub async fn latest_poll(db: impl Into<Db<'_>>, election_id: i64) -> Result<Option<PollRow>> {
    let sql = format!("{POLL} WHERE election_id = $1 ORDER BY round_no DESC LIMIT 1");
    let row =
        on_conn!(db db.into(), |c| sqlx::query_as::<_, PollRecord>(&sql).bind(election_id).fetch_optional(c).await?);
    row.map(PollRecord::parse).transpose()
}

pub async fn polls(store: &Store, election_id: i64) -> Result<Vec<PollRow>> {
    let sql = format!("{POLL} WHERE election_id = $1 ORDER BY round_no");
    let rows = on_conn!(pool store, |c| sqlx::query_as::<_, PollRecord>(&sql).bind(election_id).fetch_all(c).await?);
    rows.into_iter().map(PollRecord::parse).collect()
}

pub async fn close_poll(tx: &mut Tx, election_id: i64, round_no: i64, now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE polls SET status = 'closed', closed_ms = $1 WHERE election_id = $2 AND round_no = $3 AND status = 'open'")
            .bind(now)
            .bind(election_id)
            .bind(round_no)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// Whether the round is open, holding it open until this transaction ends: on PostgreSQL a
/// shared row lock (closing the polls waits for the casts in flight, and no cast commits after
/// the close); on SQLite the write lock of `BEGIN IMMEDIATE` already serialises both.
pub async fn hold_open(tx: &mut Tx, election_id: i64, round_no: i64) -> Result<bool> {
    let found = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_scalar::<_, i64>(
                "SELECT 1 FROM polls WHERE election_id = $1 AND round_no = $2 AND status = 'open'",
            )
            .bind(election_id)
            .bind(round_no)
            .fetch_optional(&mut **t)
            .await?
        }
        Tx::Postgres(t) => sqlx::query_scalar::<_, i32>(
            "SELECT 1 FROM polls WHERE election_id = $1 AND round_no = $2 AND status = 'open' FOR SHARE",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_optional(&mut **t)
        .await?
        .map(i64::from),
    };
    Ok(found.is_some())
}

/// Marks the roll: the atomic conditional insert that makes a second ballot impossible across
/// every channel (false: this voter already received a ballot in this round).
pub async fn mark_roll(
    tx: &mut Tx,
    election_id: i64,
    round_no: i64,
    resident_id: i64,
    channel: &str,
    station: &str,
    proxy_id: Option<i64>,
) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO participation (election_id, round_no, resident_id, channel, station, proxy_id) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(resident_id)
        .bind(channel)
        .bind(station)
        .bind(proxy_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// [`mark_roll`] for many voters in one statement: returns the voters it marked (those who had
/// no ballot in this round yet). `rows`: (resident, channel, station, proxy).
pub async fn mark_roll_many(
    tx: &mut Tx,
    election_id: i64,
    round_no: i64,
    rows: &[(i64, &str, &str, Option<i64>)],
) -> Result<Vec<i64>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    if let Tx::Sqlite(t) = tx {
        // One JSON parameter for any number of rows: sqlx-sqlite's bind cost grows with the
        // number of parameters, and every statement is a round trip to its worker thread.
        // (`WHERE true` keeps SQLite's parser from reading ON CONFLICT as a join constraint.)
        let json = serde_json::to_string(rows).map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
        return Ok(sqlx::query_scalar::<_, i64>(
            "INSERT INTO participation (election_id, round_no, resident_id, channel, station, proxy_id) \
             SELECT $1, $2, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3 FROM json_each($3) j WHERE true \
             ON CONFLICT DO NOTHING RETURNING resident_id",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(json)
        .fetch_all(&mut **t)
        .await?);
    }
    let mut sql = String::from(
        "INSERT INTO participation (election_id, round_no, resident_id, channel, station, proxy_id) VALUES ",
    );
    for i in 0..rows.len() {
        let b = 2 + i * 4;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("($1, $2, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
    }
    sql.push_str(" ON CONFLICT DO NOTHING RETURNING resident_id");
    Ok(on_conn!(tx tx, |c| {
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(election_id).bind(round_no);
        for (resident, channel, station, proxy) in rows {
            q = q.bind(*resident).bind(*channel).bind(*station).bind(*proxy);
        }
        q.fetch_all(c).await?
    }))
}

/// (code hash, resident) of the registered voters of an election holding these code hashes.
pub async fn voters_by_codes(tx: &mut Tx, election_id: i64, hashes: &[&[u8]]) -> Result<Vec<(Vec<u8>, i64)>> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    // By the code index only (the election is checked on the rows found): with the election in
    // the WHERE clause SQLite would walk the election's whole roll instead.
    if let Tx::Sqlite(t) = tx {
        let json = serde_json::to_string(&hashes.iter().map(hex::encode).collect::<Vec<_>>())
            .map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
        let rows = sqlx::query_as::<_, (Vec<u8>, i64, i64)>(
            "SELECT code_hash, resident_id, election_id FROM voters \
             WHERE code_hash IN (SELECT unhex(value) FROM json_each($1)) AND status = 'registered'",
        )
        .bind(json)
        .fetch_all(&mut **t)
        .await?;
        return Ok(rows.into_iter().filter(|r| r.2 == election_id).map(|r| (r.0, r.1)).collect());
    }
    let list: Vec<String> = (0..hashes.len()).map(|i| format!("${}", i + 1)).collect();
    let sql = format!(
        "SELECT code_hash, resident_id, election_id FROM voters WHERE code_hash IN ({}) AND code_hash IS NOT NULL \
         AND status = 'registered'",
        list.join(", ")
    );
    let rows = on_conn!(tx tx, |c| {
        let mut q = sqlx::query_as::<_, (Vec<u8>, i64, i64)>(&sql);
        for h in hashes {
            q = q.bind(*h);
        }
        q.fetch_all(c).await?
    });
    Ok(rows.into_iter().filter(|r| r.2 == election_id).map(|r| (r.0, r.1)).collect())
}

/// Ballots per insert statement on PostgreSQL.
const BALLOT_CHUNK: usize = 48;

/// Drops ballots into the box, in the order given (the caller shuffles).
pub async fn drop_ballots(
    tx: &mut Tx,
    election_id: i64,
    round_no: i64,
    ballots: &[(Vec<u8>, &str, Option<i64>, &str)],
) -> Result<()> {
    if let Tx::Sqlite(t) = tx {
        // As in `mark_roll_many`: the whole batch as one JSON parameter.
        let rows: Vec<(String, &str, Option<i64>, &str)> =
            ballots.iter().map(|(id, station, entry, content)| (hex::encode(id), *station, *entry, *content)).collect();
        let json = serde_json::to_string(&rows).map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO ballots (election_id, round_no, id, station, entry_no, content) \
             SELECT $1, $2, unhex(j.value ->> 0), j.value ->> 1, j.value ->> 2, j.value ->> 3 FROM json_each($3) j",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(json)
        .execute(&mut **t)
        .await?;
        return Ok(());
    }
    // Several rows per statement on PostgreSQL.
    for chunk in ballots.chunks(BALLOT_CHUNK) {
        let mut sql =
            String::from("INSERT INTO ballots (election_id, round_no, id, station, entry_no, content) VALUES ");
        for i in 0..chunk.len() {
            let b = 2 + i * 4;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("($1, $2, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
        }
        on_conn!(tx tx, |c| {
            let mut q = sqlx::query(&sql).bind(election_id).bind(round_no);
            for (id, station, entry, content) in chunk {
                q = q.bind(id.as_slice()).bind(*station).bind(*entry).bind(*content);
            }
            q.execute(c).await?;
        });
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct Participation {
    pub channel: String,
    pub station: String,
    pub proxy_id: Option<i64>,
}

pub async fn participation_of(
    store: &Store,
    election_id: i64,
    round_no: i64,
    resident_id: i64,
) -> Result<Option<Participation>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, Participation>(
            "SELECT channel, station, proxy_id FROM participation WHERE election_id = $1 AND round_no = $2 AND resident_id = $3",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(resident_id)
        .fetch_optional(c)
        .await?
    }))
}

/// The participation roll of a round (who received a ballot, by channel), for observers.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct RollLine {
    pub resident_id: i64,
    pub name: String,
    pub channel: String,
    pub station: String,
    pub proxy_id: Option<i64>,
    /// LAW.md §6 [P]: the resident who wrote the ballot for this voter (代写), if any.
    pub assisted_by: Option<i64>,
}

/// LAW.md §6 [P]: the voter's ballot was written by `assisted_by` (代写); the roll row, never the ballot.
pub async fn mark_assisted(
    tx: &mut Tx,
    election_id: i64,
    round_no: i64,
    resident_id: i64,
    assisted_by: i64,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO assisted_ballots (election_id, round_no, resident_id, assisted_by) VALUES ($1, $2, $3, $4)",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(resident_id)
        .bind(assisted_by)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn participation_roll(store: &Store, election_id: i64, round_no: i64) -> Result<Vec<RollLine>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, RollLine>(
            "SELECT p.resident_id, r.name, p.channel, p.station, p.proxy_id, a.assisted_by FROM participation p \
             JOIN residents r ON r.id = p.resident_id LEFT JOIN assisted_ballots a ON a.election_id = p.election_id \
             AND a.round_no = p.round_no AND a.resident_id = p.resident_id WHERE p.election_id = $1 AND p.round_no = $2 ORDER BY p.resident_id",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(c)
        .await?
    }))
}

/// (ballots issued, browser ballots in the box) of a round, on the pool or in a transaction.
pub async fn round_totals(db: impl Into<Db<'_>>, election_id: i64, round_no: i64) -> Result<(i64, i64)> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT (SELECT COUNT(*) FROM participation WHERE election_id = $1 AND round_no = $2), \
                    (SELECT COUNT(*) FROM ballots WHERE election_id = $1 AND round_no = $2 AND entry_no IS NULL)",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_one(c)
        .await?
    }))
}

/// Ballots issued per (station, channel): the turnout the committee watches live.
/// Ballots issued per (station, channel) in a round, on the pool or in a transaction.
pub async fn turnout(db: impl Into<Db<'_>>, election_id: i64, round_no: i64) -> Result<Vec<(String, String, i64)>> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_as::<_, (String, String, i64)>(
            "SELECT station, channel, COUNT(*) FROM participation WHERE election_id = $1 AND round_no = $2 \
             GROUP BY station, channel ORDER BY station, channel",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(c)
        .await?
    }))
}

/// Ballots in the box per station, split into paper (entered) and browser: counts only, never
/// content, so it may be shown while polls are open.
pub async fn box_counts(store: &Store, election_id: i64, round_no: i64) -> Result<Vec<(String, bool, i64)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (String, bool, i64)>(
            "SELECT station, entry_no IS NOT NULL, COUNT(*) FROM ballots WHERE election_id = $1 AND round_no = $2 \
             GROUP BY station, entry_no IS NOT NULL ORDER BY station",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(c)
        .await?
    }))
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct BallotRow {
    #[serde(with = "hex_bytes")]
    pub id: Vec<u8>,
    pub station: String,
    pub entry_no: Option<i64>,
    pub content: String,
}

mod hex_bytes {
    pub fn serialize<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }
}

/// The whole box of a round, sorted by ballot id (a shuffle): how it is published.
pub async fn ballot_box(store: &Store, election_id: i64, round_no: i64) -> Result<Vec<BallotRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, BallotRow>(
            "SELECT id, station, entry_no, content FROM ballots WHERE election_id = $1 AND round_no = $2 ORDER BY id",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(c)
        .await?
    }))
}

/// The whole box of a round as [`ballot_box`], each ballot read once here as the
/// [`PlainBallot`] the count puts in the published box (issue 14): a stored ballot that does
/// not read is [`super::StoreError::CorruptRow`] naming the election, round and ballot id (a
/// random id, never a voter), never a guessed ballot.
pub async fn box_ballots(store: &Store, election_id: i64, round_no: i64) -> Result<Vec<(BallotRow, PlainBallot)>> {
    ballot_box(store, election_id, round_no)
        .await?
        .into_iter()
        .map(|r| {
            let what = format!("round {round_no} ballot {}", hex::encode(&r.id));
            let b = super::parse_json("ballots", election_id, &what, &r.content)?;
            Ok((r, b))
        })
        .collect()
}

/// The paper ballots of a round (rows entered at a station) as [`box_ballots`] reads them: the
/// count of an end-to-end round reads these with the decrypted electronic box
/// (`service::mix::electronic_box`), never the encrypted rows.
pub async fn paper_ballots(store: &Store, election_id: i64, round_no: i64) -> Result<Vec<(BallotRow, PlainBallot)>> {
    ballot_box(store, election_id, round_no)
        .await?
        .into_iter()
        .filter(|r| r.entry_no.is_some())
        .map(|r| {
            let what = format!("round {round_no} ballot {}", hex::encode(&r.id));
            let b = super::parse_json("ballots", election_id, &what, &r.content)?;
            Ok((r, b))
        })
        .collect()
}

// ---- forgetting the order of casting (issue 15 item 6) ----

/// Roll rows per statement when the roll is written back (PostgreSQL binds four per row).
const ROLL_REWRITE_CHUNK: usize = 1024;

/// Rewrites a closed round's box and participation roll in key order — ballots by ballot id
/// (random), the roll by resident id — inside the close transaction, so that neither table
/// keeps the order in which voters cast (DESIGN.md ballot secrecy; README threat model).
/// SQLite: with `secure_delete` on, the old cells are zeroed where they lay, and the rows come
/// back in key order; [`forget_order_on_disk`] then rebuilds the file after the commit.
/// PostgreSQL: the rows come back in key order (new positions), all with this transaction's
/// `xmin`, which otherwise links a roll row to the ballot written by the same cast.
/// The rows read are the rows written back, every one (the append-only triggers let the
/// deletes through only while `box_rewrites` names the round, within this transaction).
pub async fn forget_order(tx: &mut Tx, election_id: i64, round_no: i64) -> Result<()> {
    if let Tx::Sqlite(t) = tx {
        sqlx::query("PRAGMA secure_delete = ON").execute(&mut **t).await?;
    }
    let ballots = on_conn!(tx tx, |c| {
        sqlx::query_as::<_, (Vec<u8>, String, Option<i64>, String)>(
            "SELECT id, station, entry_no, content FROM ballots WHERE election_id = $1 AND round_no = $2 ORDER BY id",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(&mut *c)
        .await?
    });
    let roll = on_conn!(tx tx, |c| {
        sqlx::query_as::<_, (i64, String, String, Option<i64>)>(
            "SELECT resident_id, channel, station, proxy_id FROM participation WHERE election_id = $1 AND round_no = $2 \
             ORDER BY resident_id",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(&mut *c)
        .await?
    });
    on_conn!(tx tx, |c| {
        sqlx::query("INSERT INTO box_rewrites (election_id, round_no) VALUES ($1, $2)")
            .bind(election_id)
            .bind(round_no)
            .execute(&mut *c)
            .await?;
        for table in ["ballots", "participation"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE election_id = $1 AND round_no = $2"))
                .bind(election_id)
                .bind(round_no)
                .execute(&mut *c)
                .await?;
        }
    });
    let rows: Vec<(Vec<u8>, &str, Option<i64>, &str)> = ballots
        .iter()
        .map(|(id, station, entry, content)| (id.clone(), station.as_str(), *entry, content.as_str()))
        .collect();
    drop_ballots(tx, election_id, round_no, &rows).await?;
    for chunk in roll.chunks(ROLL_REWRITE_CHUNK) {
        let rows: Vec<(i64, &str, &str, Option<i64>)> =
            chunk.iter().map(|(r, ch, st, p)| (*r, ch.as_str(), st.as_str(), *p)).collect();
        let marked = mark_roll_many(tx, election_id, round_no, &rows).await?;
        if marked.len() != rows.len() {
            return Err(super::StoreError::Corrupt(format!(
                "election {election_id} round {round_no}: the roll came back with {} of {} rows",
                marked.len(),
                rows.len()
            )));
        }
    }
    on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM box_rewrites WHERE election_id = $1 AND round_no = $2")
            .bind(election_id)
            .bind(round_no)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// After the close has committed (VACUUM cannot run inside a transaction), SQLite rebuilds
/// the database file so that no page of the old box or roll survives, not even on the
/// freelist, and truncates the WAL, which held the pages as they were written during
/// polling. PostgreSQL: nothing more here (README threat model: old row versions stay in the
/// heap until vacuumed and overwritten). A failure is logged: the close itself stands.
pub async fn forget_order_on_disk(store: &Store) {
    let Store::Sqlite(pool) = store else { return };
    if let Err(e) = sqlx::query("VACUUM").execute(pool).await {
        tracing::error!(error = %e, "VACUUM after the close failed: old pages of the box may remain in the file");
        return;
    }
    match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(pool).await {
        Ok((0, _, _)) => {}
        Ok((busy, log, done)) => {
            tracing::warn!(
                busy,
                log,
                done,
                "WAL not truncated after the close (a reader held it): it empties at the next checkpoint"
            )
        }
        Err(e) => tracing::error!(error = %e, "WAL truncation after the close failed"),
    }
}

// ---- booths ----

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct BoothRow {
    pub id: i64,
    pub election_id: i64,
    pub station: String,
    pub name: String,
    pub unlocked_round: Option<i64>,
}

pub async fn insert_booth(
    tx: &mut Tx,
    election_id: i64,
    station: &str,
    name: &str,
    token_hash: &[u8],
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO booths (election_id, station, name, token_hash, created_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(election_id)
        .bind(station)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn booths(store: &Store, election_id: i64) -> Result<Vec<BoothRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, BoothRow>(
            "SELECT id, election_id, station, name, unlocked_round FROM booths WHERE election_id = $1 ORDER BY station, name",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

pub async fn booth_by_token(store: &Store, token_hash: &[u8]) -> Result<Option<BoothRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, BoothRow>(
            "SELECT id, election_id, station, name, unlocked_round FROM booths WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await?
    }))
}

/// One booth by id, on the pool or in a transaction.
pub async fn booth(db: impl Into<Db<'_>>, id: i64) -> Result<Option<BoothRow>> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_as::<_, BoothRow>("SELECT id, election_id, station, name, unlocked_round FROM booths WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

/// Unlocks a locked booth for one ballot of `round_no` (false: it is already unlocked).
pub async fn unlock_booth(tx: &mut Tx, id: i64, round_no: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE booths SET unlocked_round = $1 WHERE id = $2 AND unlocked_round IS NULL")
            .bind(round_no)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// Takes the one ballot a booth was unlocked for (false: it is locked).
pub async fn consume_booth(tx: &mut Tx, id: i64, round_no: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE booths SET unlocked_round = NULL WHERE id = $1 AND unlocked_round = $2")
            .bind(id)
            .bind(round_no)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn lock_all_booths(tx: &mut Tx, election_id: i64) -> Result<u64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query("UPDATE booths SET unlocked_round = NULL WHERE election_id = $1 AND unlocked_round IS NOT NULL")
            .bind(election_id)
            .execute(c)
            .await?
            .rows_affected()
    }))
}

// ---- paper entry ----

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct EntryRow {
    pub pass: i64,
    pub seq: i64,
    pub clerk_id: i64,
    pub content: String,
}

/// A station's paper entries of a round (both passes), on the pool or in a transaction.
pub async fn entries(db: impl Into<Db<'_>>, election_id: i64, round_no: i64, station: &str) -> Result<Vec<EntryRow>> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_as::<_, EntryRow>(
            "SELECT pass, seq, clerk_id, content FROM paper_entries WHERE election_id = $1 AND round_no = $2 \
             AND station = $3 ORDER BY pass, seq",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(station)
        .fetch_all(c)
        .await?
    }))
}

#[allow(clippy::too_many_arguments)]
pub async fn put_entry(
    tx: &mut Tx,
    election_id: i64,
    round_no: i64,
    station: &str,
    pass: i64,
    seq: i64,
    clerk_id: i64,
    content: &str,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO paper_entries (election_id, round_no, station, pass, seq, clerk_id, content) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (election_id, round_no, station, pass, seq) DO UPDATE SET clerk_id = excluded.clerk_id, content = excluded.content",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(station)
        .bind(pass)
        .bind(seq)
        .bind(clerk_id)
        .bind(content)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn delete_entry(
    tx: &mut Tx,
    election_id: i64,
    round_no: i64,
    station: &str,
    pass: i64,
    seq: i64,
) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "DELETE FROM paper_entries WHERE election_id = $1 AND round_no = $2 AND station = $3 AND pass = $4 AND seq = $5",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(station)
        .bind(pass)
        .bind(seq)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct PaperBoxRow {
    pub station: String,
    pub returned: i64,
    pub spoiled: i64,
}

pub async fn accept_box(
    tx: &mut Tx,
    election_id: i64,
    round_no: i64,
    station: &str,
    returned: i64,
    spoiled: i64,
    now: i64,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO paper_boxes (election_id, round_no, station, returned, spoiled, accepted_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(station)
        .bind(returned)
        .bind(spoiled)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn paper_boxes(store: &Store, election_id: i64, round_no: i64) -> Result<Vec<PaperBoxRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, PaperBoxRow>(
            "SELECT station, returned, spoiled FROM paper_boxes WHERE election_id = $1 AND round_no = $2 ORDER BY station",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(c)
        .await?
    }))
}

pub async fn box_accepted_tx(tx: &mut Tx, election_id: i64, round_no: i64, station: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM paper_boxes WHERE election_id = $1 AND round_no = $2 AND station = $3",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(station)
        .fetch_one(c)
        .await?
    });
    Ok(n > 0)
}

/// Ballots issued on paper at a station (paper, mobile box and proxy check-ins).
pub async fn paper_issued_tx(tx: &mut Tx, election_id: i64, round_no: i64, station: &str) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM participation WHERE election_id = $1 AND round_no = $2 AND station = $3 \
             AND channel IN ('paper', 'mobile_box', 'proxy')",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(station)
        .fetch_one(c)
        .await?
    }))
}

// ---- candidate statements ----

#[derive(Debug, Clone, FromRow)]
pub struct StatementRow {
    pub nomination_id: i64,
    pub statement: String,
    pub has_photo: bool,
}

pub async fn put_statement(
    tx: &mut Tx,
    nomination_id: i64,
    statement: &str,
    photo: Option<(&[u8], &str)>,
    now: i64,
) -> Result<()> {
    let (bytes, ty) = match photo {
        Some((b, t)) => (Some(b), Some(t)),
        None => (None, None),
    };
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO candidate_statements (nomination_id, statement, photo, photo_type, updated_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (nomination_id) DO UPDATE SET statement = excluded.statement, \
             photo = COALESCE(excluded.photo, candidate_statements.photo), \
             photo_type = COALESCE(excluded.photo_type, candidate_statements.photo_type), updated_ms = excluded.updated_ms",
        )
        .bind(nomination_id)
        .bind(statement)
        .bind(bytes)
        .bind(ty)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn statements(store: &Store, election_id: i64) -> Result<Vec<StatementRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, StatementRow>(
            "SELECT s.nomination_id, s.statement, s.photo IS NOT NULL AS has_photo FROM candidate_statements s \
             JOIN nominations n ON n.id = s.nomination_id WHERE n.election_id = $1",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

pub async fn photo(store: &Store, nomination_id: i64) -> Result<Option<(Vec<u8>, String)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (Vec<u8>, String)>(
            "SELECT photo, photo_type FROM candidate_statements WHERE nomination_id = $1 AND photo IS NOT NULL",
        )
        .bind(nomination_id)
        .fetch_optional(c)
        .await?
    }))
}

/// Registered voters of an election with this exact name (write-in resolution).
pub async fn voters_named(store: &Store, election_id: i64, name: &str) -> Result<Vec<(i64, String)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT r.id, r.gender FROM voters v JOIN residents r ON r.id = v.resident_id \
             WHERE v.election_id = $1 AND v.status = 'registered' AND r.name = $2",
        )
        .bind(election_id)
        .bind(name)
        .fetch_all(c)
        .await?
    }))
}

// ---- commitments (issue 15 item 2) ----

/// The round's browser ballots (`entry_no` empty) as `(id, content)` by id, inside `tx`: what
/// the close of polls commits.
pub async fn browser_ballots_tx(tx: &mut Tx, election_id: i64, round_no: i64) -> Result<Vec<(Vec<u8>, String)>> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_as::<_, (Vec<u8>, String)>(
            "SELECT id, content FROM ballots WHERE election_id = $1 AND round_no = $2 AND entry_no IS NULL ORDER BY id",
        )
        .bind(election_id)
        .bind(round_no)
        .fetch_all(c)
        .await?
    }))
}

/// Ballots issued per (station, channel) inside `tx`, as [`turnout`].
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_encoding_is_the_stored_integers_of_before() {
        assert_eq!(Round::FIRST_PRIMARY.to_stored(), -100);
        assert_eq!(Round::Primary(2).to_stored(), -99);
        assert_eq!(Round::FIRST_ELECTION.to_stored(), 1);
        for n in [-100, -42, 0, 1, 2, 17] {
            assert_eq!(Round::from_stored(n).map(Round::to_stored), Some(n));
        }
        assert_eq!(Round::from_stored(0), Some(Round::Primary(101)));
        assert_eq!(Round::from_stored(-101), None);
        assert!(Round::Primary(101).storable() && !Round::Primary(102).storable());
    }
}
