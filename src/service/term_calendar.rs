//! The term calendar the city declares for its deployment (LAW.md §1 [N]: 5-year terms; §3
//! [N?, P]: one place only per term; issue 16 case 1). One calendar for every community of the
//! deployment, read wherever the term of an election day is needed (registration, objections,
//! rights restored, a plan change), so re-runs and by-elections of a community stay in the term
//! the city declared. Declared by the operator (`huanjie declare-term`), audited, and frozen
//! once any one-place claim exists (the claims are keyed on it).

use serde_json::json;
use time::Date;

use super::audit;
use super::{Result, ServiceError};
use crate::audit::{Actor, EventKind, SYSTEM_LOG};
use crate::law::electorate::{CalendarError, TERM_YEARS, TermCalendar};
use crate::store::{Db, Store, now_ms, term_calendar as st};

fn law(code: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: "LAW.md §1 [N], §3 [N?, P]".into(), detail: detail.into() }
}

/// The deployment's calendar (the national one, 2021 and 5 years, until the city declares one).
pub async fn calendar(db: impl Into<Db<'_>>) -> Result<TermCalendar> {
    let Some((first, years)) = st::get(db).await? else { return Ok(TermCalendar::default()) };
    let first = i32::try_from(first).map_err(|_| ServiceError::Internal("term_calendar.first_year".into()))?;
    let years = i32::try_from(years).map_err(|_| ServiceError::Internal("term_calendar.years".into()))?;
    Ok(TermCalendar { first_year: first, years })
}

/// The one-place-only key of `election_day` on the deployment's calendar (LAW.md §3 [N?, P]).
pub async fn one_place_key(db: impl Into<Db<'_>>, election_day: Date) -> Result<String> {
    Ok(crate::law::electorate::one_place_key(election_day, &calendar(db).await?))
}

/// The operator declares the city's calendar: terms of 5 years (LAW.md §1 [N]) from
/// `first_year`. One transaction, one `term.declared` entry in the system log. Refused
/// (`term_calendar_in_use`) once any voter holds a one-place claim under another calendar.
pub async fn declare(store: &Store, actor: &Actor, first_year: i32) -> Result<TermCalendar> {
    let cal = TermCalendar::declare(first_year, TERM_YEARS).map_err(|e| match e {
        CalendarError::TermYears => law("term_years", TERM_YEARS.to_string()),
        CalendarError::FirstYear => law("term_first_year", first_year.to_string()),
    })?;
    let mut tx = store.begin().await?;
    let current = calendar(&mut tx).await?;
    let claims = st::claims(&mut tx).await?;
    if current != cal && claims > 0 {
        return Err(law("term_calendar_in_use", claims.to_string()));
    }
    st::put(&mut tx, i64::from(cal.first_year), i64::from(cal.years), &crate::clock::today().to_string(), now_ms())
        .await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        actor,
        EventKind::TermDeclared,
        "deployment",
        json!({"first_year": cal.first_year, "years": cal.years, "previous_first_year": current.first_year}),
    )
    .await?;
    tx.commit().await?;
    Ok(cal)
}
