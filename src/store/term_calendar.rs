//! The term calendar the city declares for the deployment (LAW.md §1 [N], §3 [N?, P]): one row,
//! none until declared (the national calendar then holds).

use super::{Db, Result, Tx, on_conn};

/// The declared calendar as (first year, years), or None.
pub async fn get(db: impl Into<Db<'_>>) -> Result<Option<(i64, i64)>> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_as::<_, (i64, i64)>("SELECT first_year, years FROM term_calendar WHERE id = 1")
            .fetch_optional(c)
            .await?
    }))
}

/// Declares (or re-declares) the calendar.
pub async fn put(tx: &mut Tx, first_year: i64, years: i64, on: &str, ms: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO term_calendar (id, first_year, years, declared_on, created_ms) VALUES (1, $1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET first_year = excluded.first_year, years = excluded.years, \
             declared_on = excluded.declared_on, created_ms = excluded.created_ms",
        )
        .bind(first_year)
        .bind(years)
        .bind(on)
        .bind(ms)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// How many one-place claims (round registrations) the deployment holds.
pub async fn claims(tx: &mut Tx) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM round_registrations").fetch_one(c).await?
    }))
}
