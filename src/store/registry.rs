//! The community registry: street offices → communities → residents' groups → households →
//! residents, with each resident's edit history and near-relative links.

use sqlx::FromRow;

use super::on_conn;
use super::{Db, Result, Store, Tx};
use crate::domain::NewResident;
pub use crate::domain::records::{
    Community, CommunityStats, HistoryRow, Household, HouseholdRow, RelativeRow, Resident, ResidentGroup, StreetOffice,
};

const RESIDENT_COLS: &str = "id, community_id, household_id, group_id, name, gender, ethnicity, birth_date, id_number, \
     hukou_here, months_resident, community_worker, worker_months, political_rights, household_head, phone, version";

pub async fn insert_street_office(tx: &mut Tx, code: &str, name: &str, now: i64) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>("INSERT INTO street_offices (code, name, created_ms) VALUES ($1, $2, $3) RETURNING id")
            .bind(code)
            .bind(name)
            .bind(now)
            .fetch_one(c)
            .await?
    }))
}

pub async fn street_offices(store: &Store) -> Result<Vec<StreetOffice>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, StreetOffice>("SELECT id, code, name FROM street_offices ORDER BY id").fetch_all(c).await?
    }))
}

pub async fn street_office(store: &Store, id: i64) -> Result<Option<StreetOffice>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, StreetOffice>("SELECT id, code, name FROM street_offices WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn street_office_by_code(store: &Store, code: &str) -> Result<Option<StreetOffice>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, StreetOffice>("SELECT id, code, name FROM street_offices WHERE code = $1")
            .bind(code)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn insert_community(tx: &mut Tx, street_id: i64, code: &str, name: &str, now: i64) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO communities (street_office_id, code, name, created_ms) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(street_id)
        .bind(code)
        .bind(name)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn community(store: &Store, id: i64) -> Result<Option<Community>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, Community>("SELECT id, street_office_id, code, name FROM communities WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn community_by_code(store: &Store, code: &str) -> Result<Option<Community>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, Community>("SELECT id, street_office_id, code, name FROM communities WHERE code = $1")
            .bind(code)
            .fetch_optional(c)
            .await?
    }))
}

const STATS: &str = "SELECT c.id, c.street_office_id, c.code, c.name, \
     (SELECT COUNT(*) FROM resident_groups g WHERE g.community_id = c.id) AS groups, \
     (SELECT COUNT(*) FROM households h WHERE h.community_id = c.id) AS households, \
     (SELECT COUNT(*) FROM residents r WHERE r.community_id = c.id) AS residents \
     FROM communities c";

/// Communities with their counts, limited to the given ids (the caller's scope).
pub async fn communities_with_stats(store: &Store, ids: &[i64]) -> Result<Vec<CommunityStats>> {
    let mut out = Vec::new();
    for id in ids {
        let sql = format!("{STATS} WHERE c.id = $1");
        let row = on_conn!(pool store, |c| {
            sqlx::query_as::<_, CommunityStats>(&sql).bind(*id).fetch_optional(c).await?
        });
        out.extend(row);
    }
    Ok(out)
}

pub async fn community_ids_in_street(store: &Store, street_id: i64) -> Result<Vec<i64>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, i64>("SELECT id FROM communities WHERE street_office_id = $1 ORDER BY id")
            .bind(street_id)
            .fetch_all(c)
            .await?
    }))
}

pub async fn insert_group(tx: &mut Tx, community_id: i64, number: i64, name: &str) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO resident_groups (community_id, number, name) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(community_id)
        .bind(number)
        .bind(name)
        .fetch_one(c)
        .await?
    }))
}

pub async fn groups(store: &Store, community_id: i64) -> Result<Vec<ResidentGroup>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, ResidentGroup>(
            "SELECT id, community_id, number, name FROM resident_groups WHERE community_id = $1 ORDER BY number",
        )
        .bind(community_id)
        .fetch_all(c)
        .await?
    }))
}

pub async fn insert_household(
    tx: &mut Tx,
    community_id: i64,
    group_id: Option<i64>,
    number: &str,
    address: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO households (community_id, group_id, number, address, created_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(community_id)
        .bind(group_id)
        .bind(number)
        .bind(address)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn households(store: &Store, community_id: i64, limit: i64, offset: i64) -> Result<Vec<Household>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, Household>(
            "SELECT id, community_id, group_id, number, address FROM households WHERE community_id = $1 \
             ORDER BY id LIMIT $2 OFFSET $3",
        )
        .bind(community_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await?
    }))
}

/// Households with their group number and member count, paged, in number order.
pub async fn households_with_counts(
    store: &Store,
    community_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<HouseholdRow>, i64)> {
    Ok(on_conn!(pool store, |c| {
        let rows = sqlx::query_as::<_, HouseholdRow>(
            "SELECT h.id, h.number, h.address, g.number AS group_number, \
             (SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id) AS members \
             FROM households h LEFT JOIN resident_groups g ON g.id = h.group_id \
             WHERE h.community_id = $1 ORDER BY h.number LIMIT $2 OFFSET $3",
        )
        .bind(community_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await?;
        let total = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM households WHERE community_id = $1")
            .bind(community_id)
            .fetch_one(c)
            .await?;
        (rows, total)
    }))
}

pub async fn household_by_number(tx: &mut Tx, community_id: i64, number: &str) -> Result<Option<Household>> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_as::<_, Household>(
            "SELECT id, community_id, group_id, number, address FROM households WHERE community_id = $1 AND number = $2",
        )
        .bind(community_id)
        .bind(number)
        .fetch_optional(c)
        .await?
    }))
}

pub async fn group_by_number(tx: &mut Tx, community_id: i64, number: i64) -> Result<Option<ResidentGroup>> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_as::<_, ResidentGroup>(
            "SELECT id, community_id, number, name FROM resident_groups WHERE community_id = $1 AND number = $2",
        )
        .bind(community_id)
        .bind(number)
        .fetch_optional(c)
        .await?
    }))
}

pub async fn insert_resident(
    tx: &mut Tx,
    community_id: i64,
    household_id: Option<i64>,
    group_id: Option<i64>,
    r: &NewResident,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO residents (community_id, household_id, group_id, name, gender, ethnicity, birth_date, id_number, \
             hukou_here, months_resident, community_worker, worker_months, political_rights, household_head, phone, \
             version, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16) RETURNING id",
        )
        .bind(community_id)
        .bind(household_id)
        .bind(group_id)
        .bind(r.name.as_str())
        .bind(r.gender.as_str())
        .bind(&r.ethnicity)
        .bind(r.birth_date.to_string())
        .bind(r.id_number.as_str())
        .bind(r.hukou_here)
        .bind(r.months_resident)
        .bind(r.community_worker)
        .bind(r.worker_months)
        .bind(r.political_rights.as_str())
        .bind(r.household_head)
        .bind(&r.phone)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

/// Rows per multi-row INSERT on PostgreSQL (16 binds each; saves round trips). SQLite runs in
/// process, and sqlx-sqlite looks each parameter up by name (quadratic in the parameter count),
/// so there a few rows per statement are fastest.
pub const RESIDENT_BATCH: usize = 500;

pub fn rows_per_insert(tx: &Tx, pg: usize) -> usize {
    match tx {
        Tx::Sqlite(_) => 8,
        Tx::Postgres(_) => pg,
    }
}

/// Inserts many residents with multi-row statements (imports).
pub async fn insert_residents(
    tx: &mut Tx,
    community_id: i64,
    rows: &[(Option<i64>, Option<i64>, &NewResident)],
    now: i64,
) -> Result<()> {
    let per = rows_per_insert(tx, RESIDENT_BATCH);
    for chunk in rows.chunks(per) {
        let mut sql = String::from(
            "INSERT INTO residents (community_id, household_id, group_id, name, gender, ethnicity, birth_date, id_number, \
             hukou_here, months_resident, community_worker, worker_months, political_rights, household_head, phone, \
             version, created_ms, updated_ms) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 16;
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for k in 1..=15 {
                sql.push_str(&format!("${},", b + k));
            }
            sql.push_str(&format!("1, ${0}, ${0})", b + 16));
        }
        on_conn!(tx tx, |c| {
            let mut q = sqlx::query(&sql);
            for (household_id, group_id, r) in chunk {
                q = q
                    .bind(community_id)
                    .bind(*household_id)
                    .bind(*group_id)
                    .bind(r.name.as_str())
                    .bind(r.gender.as_str())
                    .bind(&r.ethnicity)
                    .bind(r.birth_date.to_string())
                    .bind(r.id_number.as_str())
                    .bind(r.hukou_here)
                    .bind(r.months_resident)
                    .bind(r.community_worker)
                    .bind(r.worker_months)
                    .bind(r.political_rights.as_str())
                    .bind(r.household_head)
                    .bind(&r.phone)
                    .bind(now);
            }
            q.execute(c).await?;
        });
    }
    Ok(())
}

/// Overwrites a resident if `expected_version` is still current (optimistic concurrency: two
/// clerks editing the same record cannot silently overwrite each other). Returns false if stale.
pub async fn update_resident(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    household_id: Option<i64>,
    group_id: Option<i64>,
    r: &NewResident,
    now: i64,
) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE residents SET household_id = $1, group_id = $2, name = $3, gender = $4, ethnicity = $5, \
             birth_date = $6, id_number = $7, hukou_here = $8, months_resident = $9, community_worker = $10, \
             worker_months = $11, political_rights = $12, household_head = $13, phone = $14, \
             version = version + 1, updated_ms = $15 WHERE id = $16 AND version = $17",
        )
        .bind(household_id)
        .bind(group_id)
        .bind(r.name.as_str())
        .bind(r.gender.as_str())
        .bind(&r.ethnicity)
        .bind(r.birth_date.to_string())
        .bind(r.id_number.as_str())
        .bind(r.hukou_here)
        .bind(r.months_resident)
        .bind(r.community_worker)
        .bind(r.worker_months)
        .bind(r.political_rights.as_str())
        .bind(r.household_head)
        .bind(&r.phone)
        .bind(now)
        .bind(id)
        .bind(expected_version)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

pub async fn insert_history(
    tx: &mut Tx,
    resident_id: i64,
    version: i64,
    actor: &str,
    before: &str,
    after: &str,
    now: i64,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO resident_history (resident_id, version, changed_ms, actor, before_json, after_json) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(resident_id)
        .bind(version)
        .bind(now)
        .bind(actor)
        .bind(before)
        .bind(after)
        .execute(c)
        .await?;
    });
    Ok(())
}

#[derive(sqlx::FromRow)]
struct HistoryRecord {
    version: i64,
    changed_ms: i64,
    actor: String,
    before_json: String,
    after_json: String,
}

/// Resident `resident_id`'s stored changes, newest first; a version that does not parse is an
/// error naming the resident and version.
pub async fn history(store: &Store, resident_id: i64) -> Result<Vec<HistoryRow>> {
    let rows = on_conn!(pool store, |c| {
        sqlx::query_as::<_, HistoryRecord>(
            "SELECT version, changed_ms, actor, before_json, after_json FROM resident_history \
             WHERE resident_id = $1 ORDER BY id DESC",
        )
        .bind(resident_id)
        .fetch_all(c)
        .await?
    });
    let what = |v: i64, col: &str| format!("version {v} {col}");
    rows.into_iter()
        .map(|h| {
            Ok(HistoryRow {
                before: super::parse_json(
                    "resident_history",
                    resident_id,
                    &what(h.version, "before_json"),
                    &h.before_json,
                )?,
                after: super::parse_json(
                    "resident_history",
                    resident_id,
                    &what(h.version, "after_json"),
                    &h.after_json,
                )?,
                version: h.version,
                changed_ms: h.changed_ms,
                actor: h.actor,
                before_json: h.before_json,
                after_json: h.after_json,
            })
        })
        .collect()
}

/// One resident, on the pool or inside a transaction in progress.
pub async fn resident(db: impl Into<Db<'_>>, id: i64) -> Result<Option<Resident>> {
    let sql = format!("SELECT {RESIDENT_COLS} FROM residents WHERE id = $1");
    Ok(on_conn!(db db.into(), |c| sqlx::query_as::<_, Resident>(&sql).bind(id).fetch_optional(c).await?))
}

/// Search by name prefix, ID number or household number; `q` empty lists all. Paged.
pub async fn search_residents(
    store: &Store,
    community_id: i64,
    q: &str,
    by_id: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Resident>, i64)> {
    let q = q.trim();
    let like = format!("{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let filter = if by_id {
        "community_id = $1 AND ($2 = '' OR name LIKE $3 ESCAPE '\\' OR id_number LIKE $3 ESCAPE '\\' \
         OR household_id IN (SELECT id FROM households WHERE community_id = $1 AND number = $2))"
    } else {
        // Without the ID-number match (observers: their ID numbers are masked).
        "community_id = $1 AND ($2 = '' OR name LIKE $3 ESCAPE '\\' \
         OR household_id IN (SELECT id FROM households WHERE community_id = $1 AND number = $2))"
    };
    let sql =
        format!("SELECT {RESIDENT_COLS} FROM residents WHERE {filter} ORDER BY household_id, id LIMIT $4 OFFSET $5");
    let count_sql = format!("SELECT COUNT(*) FROM residents WHERE {filter}");
    Ok(on_conn!(pool store, |c| {
        let rows = sqlx::query_as::<_, Resident>(&sql)
            .bind(community_id)
            .bind(q)
            .bind(&like)
            .bind(limit)
            .bind(offset)
            .fetch_all(c)
            .await?;
        let total = sqlx::query_scalar::<_, i64>(&count_sql)
            .bind(community_id)
            .bind(q)
            .bind(&like)
            .fetch_one(c)
            .await?;
        (rows, total)
    }))
}

/// Every resident of a community in household order, for export.
pub async fn all_residents(store: &Store, community_id: i64) -> Result<Vec<(Resident, Option<String>, Option<i64>)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        r: Resident,
        household_number: Option<String>,
        group_number: Option<i64>,
    }
    let sql = "SELECT r.id, r.community_id, r.household_id, r.group_id, r.name, r.gender, r.ethnicity, r.birth_date, \
         r.id_number, r.hukou_here, r.months_resident, r.community_worker, r.worker_months, r.political_rights, \
         r.household_head, r.phone, r.version, h.number AS household_number, g.number AS group_number \
         FROM residents r LEFT JOIN households h ON h.id = r.household_id \
         LEFT JOIN resident_groups g ON g.id = r.group_id WHERE r.community_id = $1 ORDER BY r.household_id, r.id";
    let rows = on_conn!(pool store, |c| sqlx::query_as::<_, Row>(sql).bind(community_id).fetch_all(c).await?);
    Ok(rows.into_iter().map(|r| (r.r, r.household_number, r.group_number)).collect())
}

pub async fn link_relatives(tx: &mut Tx, a: i64, b: i64, relation: &str) -> Result<()> {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    on_conn!(tx tx, |c| {
        sqlx::query("INSERT INTO near_relatives (resident_a, resident_b, relation) VALUES ($1, $2, $3)")
            .bind(lo)
            .bind(hi)
            .bind(relation)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn relatives(store: &Store, resident_id: i64) -> Result<Vec<RelativeRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, RelativeRow>(
            "SELECT r.id, r.name, n.relation FROM near_relatives n JOIN residents r \
             ON r.id = CASE WHEN n.resident_a = $1 THEN n.resident_b ELSE n.resident_a END \
             WHERE n.resident_a = $1 OR n.resident_b = $1 ORDER BY r.id",
        )
        .bind(resident_id)
        .fetch_all(c)
        .await?
    }))
}
