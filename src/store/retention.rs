//! SQL of the personal-data purge (service::retention).

use super::{Result, Store, Tx, on_conn};

async fn exec(tx: &mut Tx, sql: &str, election_id: i64) -> Result<u64> {
    Ok(on_conn!(tx tx, |c| sqlx::query(sql).bind(election_id).execute(c).await?.rows_affected()))
}

/// What one purge removed or reduced, per kind of row.
#[derive(Debug, Clone, Default, serde::Serialize, PartialEq, Eq)]
pub struct Purged {
    /// One-place-only claims (ID numbers) of the round.
    pub ids_released: u64,
    /// Voting-code hashes on the roll.
    pub codes_erased: u64,
    /// Incapacity confirmations with their health facts.
    pub basis_erased: u64,
    pub absentee_notices: u64,
    /// Complainants' names masked and contacts erased.
    pub complaints_erased: u64,
    /// Objectors' names masked.
    pub objections_masked: u64,
    /// Proxies' written reasons (often health) erased.
    pub proxy_reasons_erased: u64,
    /// Who wrote a ballot for whom (代写, LAW.md §6 [P]): a voter's inability to write is a
    /// health fact.
    pub assisted_ballots_erased: u64,
}

/// Deletes or reduces the election's personal data in `tx`. The roll keeps its rows (resident
/// ids, for the record's counts); names keep their masked form (`张*明`, as published, by the
/// caller's `mask_name`).
pub async fn purge(tx: &mut Tx, election_id: i64, mask_name: impl Fn(&str) -> String) -> Result<Purged> {
    let mut p = Purged {
        ids_released: exec(tx, "DELETE FROM round_registrations WHERE election_id = $1", election_id).await?,
        codes_erased: exec(
            tx,
            "UPDATE voters SET code_hash = NULL, code_issued_ms = NULL WHERE election_id = $1 AND code_hash IS NOT NULL",
            election_id,
        )
        .await?,
        basis_erased: exec(tx, "DELETE FROM incapacity_confirmations WHERE election_id = $1", election_id).await?,
        absentee_notices: exec(tx, "DELETE FROM absentee_notices WHERE election_id = $1", election_id).await?,
        assisted_ballots_erased: exec(tx, "DELETE FROM assisted_ballots WHERE election_id = $1", election_id).await?,
        ..Purged::default()
    };
    p.proxy_reasons_erased =
        exec(tx, "UPDATE proxies SET reason = '' WHERE election_id = $1 AND reason <> ''", election_id).await?;
    let complaints: Vec<(i64, String)> = on_conn!(tx tx, |c| {
        sqlx::query_as::<_, (i64, String)>("SELECT id, filed_by FROM complaints WHERE election_id = $1 AND contact <> '*'")
            .bind(election_id)
            .fetch_all(c)
            .await?
    });
    for (id, name) in complaints {
        on_conn!(tx tx, |c| {
            sqlx::query("UPDATE complaints SET filed_by = $1, contact = '*' WHERE id = $2")
                .bind(mask_name(&name))
                .bind(id)
                .execute(c)
                .await?;
        });
        p.complaints_erased += 1;
    }
    let objections: Vec<(i64, String)> = on_conn!(tx tx, |c| {
        sqlx::query_as::<_, (i64, String)>("SELECT id, filed_by FROM objections WHERE election_id = $1")
            .bind(election_id)
            .fetch_all(c)
            .await?
    });
    for (id, name) in objections {
        let masked = mask_name(&name);
        if masked == name {
            continue;
        }
        on_conn!(tx tx, |c| {
            sqlx::query("UPDATE objections SET filed_by = $1 WHERE id = $2").bind(&masked).bind(id).execute(c).await?;
        });
        p.objections_masked += 1;
    }
    Ok(p)
}

pub async fn insert_purge(tx: &mut Tx, election_id: i64, on: &str, summary: &str, now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO personal_data_purges (election_id, purged_on, summary, created_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (election_id) DO NOTHING",
        )
        .bind(election_id)
        .bind(on)
        .bind(summary)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Elections already purged: (election, day).
pub async fn purges(store: &Store) -> Result<Vec<(i64, String)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, String)>("SELECT election_id, purged_on FROM personal_data_purges ORDER BY election_id")
            .fetch_all(c)
            .await?
    }))
}
