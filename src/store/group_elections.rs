//! Residents' group elections (LAW.md §4 [N 2018, P]): which main election and group each one
//! elects for, its candidates, its counted rounds, and the representatives it certified.

use super::on_conn;
use super::{Db, Result, Store, Tx};

/// A group election: the main election it elects representatives for, the group, the seats.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct GroupElectionRow {
    pub election_id: i64,
    pub main_election_id: i64,
    pub group_id: i64,
    pub seats: i64,
}

pub async fn insert(tx: &mut Tx, election_id: i64, main: i64, group_id: i64, seats: i64, now: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO group_elections (election_id, main_election_id, group_id, seats, created_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(election_id)
        .bind(main)
        .bind(group_id)
        .bind(seats)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn insert_candidate(tx: &mut Tx, election_id: i64, resident_id: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("INSERT INTO group_candidates (election_id, resident_id) VALUES ($1, $2)")
            .bind(election_id)
            .bind(resident_id)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// The group election `election_id`, on the pool or in a transaction.
pub async fn get(db: impl Into<Db<'_>>, election_id: i64) -> Result<Option<GroupElectionRow>> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_as::<_, GroupElectionRow>(
            "SELECT election_id, main_election_id, group_id, seats FROM group_elections WHERE election_id = $1",
        )
        .bind(election_id)
        .fetch_optional(c)
        .await?
    }))
}

/// Every group election held for main election `main`, in opening order.
pub async fn for_main(store: &Store, main: i64) -> Result<Vec<GroupElectionRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, GroupElectionRow>(
            "SELECT election_id, main_election_id, group_id, seats FROM group_elections \
             WHERE main_election_id = $1 ORDER BY election_id",
        )
        .bind(main)
        .fetch_all(c)
        .await?
    }))
}

/// The candidates' resident ids, in id order.
pub async fn candidates(db: impl Into<Db<'_>>, election_id: i64) -> Result<Vec<i64>> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_scalar::<_, i64>(
            "SELECT resident_id FROM group_candidates WHERE election_id = $1 ORDER BY resident_id",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

pub async fn insert_count(
    tx: &mut Tx,
    election_id: i64,
    round_no: i64,
    box_sha256: &str,
    result_json: &str,
    now: i64,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO group_counts (election_id, round_no, box_sha256, result_json, created_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(election_id)
        .bind(round_no)
        .bind(box_sha256)
        .bind(result_json)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// (round, result JSON) of every counted round, in round order.
/// The group election's counts by round, parsed once (a stored count that does not parse is
/// `CorruptRow` naming the election and round, never skipped).
pub async fn counts(db: impl Into<Db<'_>>, election_id: i64) -> Result<Vec<(i64, crate::law::group::GroupCount)>> {
    let rows = on_conn!(db db.into(), |c| {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT round_no, result_json FROM group_counts WHERE election_id = $1 ORDER BY round_no",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    });
    rows.into_iter()
        .map(|(round, text)| {
            Ok((round, super::parse_json("group_counts", election_id, &format!("round {round}"), &text)?))
        })
        .collect()
}

/// Replaces the group's representatives for the main election with those a certified group
/// election elected (the paper record's rows for that group go too: one source per group).
pub async fn set_elected(tx: &mut Tx, main: i64, group_id: i64, group_election: i64, residents: &[i64]) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM group_representatives WHERE election_id = $1 AND group_id = $2")
            .bind(main)
            .bind(group_id)
            .execute(&mut *c)
            .await?;
        for r in residents {
            sqlx::query(
                "INSERT INTO group_representatives (election_id, group_id, resident_id, group_election_id) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(main)
            .bind(group_id)
            .bind(*r)
            .bind(group_election)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

/// The recorded representatives of a main election: (group id, resident id, the group election
/// that elected them, or None for a paper record).
pub async fn representatives(store: &Store, main: i64) -> Result<Vec<(i64, i64, Option<i64>)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, i64, Option<i64>)>(
            "SELECT group_id, resident_id, group_election_id FROM group_representatives \
             WHERE election_id = $1 ORDER BY group_id, resident_id",
        )
        .bind(main)
        .fetch_all(c)
        .await?
    }))
}
