//! Personal data after a term (PIPL, 个人信息保护法): once a finished term's retention period
//! has passed, the operator deletes or reduces that election's personal data to what the
//! archive must keep — the published, masked lists and the record (the log, the boxes, the
//! results) — in one transaction with one audit entry (`personal_data.purged`, counts only).
//!
//! A term is finished when the election was handed over (the term then runs
//! `committee.term_years`, LAW.md §1 [N]: 5 years, from election day), or when it ended void or
//! was a recall vote (nothing of it runs on: its day). The retention period is the deployment's
//! `HUANJIE_PERSONAL_DATA_RETENTION_DAYS` after that end ([`crate::Config`]).

use serde::Serialize;
use serde_json::json;
use time::{Date, Duration};

use super::audit;
use super::elections::today;
use super::voters::mask_name;
use super::{Result, ServiceError};
use crate::audit::{Actor, EventKind, election_log};
use crate::domain::{Election, Stage};
use crate::store::retention::{self as st, Purged};
use crate::store::{Store, elections as est, now_ms};

/// The day a finished term ends, or None while it still runs or is not finished.
pub fn term_end(e: &Election) -> Option<Date> {
    match e.stage {
        Stage::HandedOver => {
            let years = i32::try_from(e.plan.profile.committee.term_years).unwrap_or(5);
            Some(e.plan.day.replace_year(e.plan.day.year() + years).unwrap_or(e.plan.day + Duration::days(365 * 5)))
        }
        Stage::Void => Some(e.plan.day),
        Stage::Certified if e.is_recall() => Some(e.plan.day),
        _ => None,
    }
}

/// The first day its personal data may be purged.
pub fn purge_due(e: &Election, retention_days: u32) -> Option<Date> {
    term_end(e).and_then(|d| d.checked_add(Duration::days(i64::from(retention_days))))
}

#[derive(Debug, Clone, Serialize)]
pub struct PurgeReport {
    pub election_id: i64,
    pub term_ended_on: String,
    pub purged: Purged,
}

/// Purges one election's personal data. Refused before the term is finished and its retention
/// period over (`law.retention_not_due`), and a second time (`err.duplicate`).
pub async fn purge(store: &Store, actor: &Actor, id: i64, retention_days: u32) -> Result<PurgeReport> {
    let e = est::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    let end = term_end(&e);
    let due = purge_due(&e, retention_days);
    let on = today();
    let (Some(end), Some(due)) = (end, due) else {
        return Err(ServiceError::Law {
            code: "retention_not_due".into(),
            rule: "PIPL (retention setting)".into(),
            detail: e.stage.to_string(),
        });
    };
    if on < due {
        return Err(ServiceError::Law {
            code: "retention_not_due".into(),
            rule: "PIPL (retention setting)".into(),
            detail: due.to_string(),
        });
    }
    let mut tx = store.begin().await?;
    super::elections::locked(&mut tx, id).await?;
    let purged = st::purge(&mut tx, id, mask_name).await?;
    let payload = json!({"election_id": id, "term_ended_on": end.to_string(), "retention_days": retention_days,
                         "purged": purged});
    let summary = serde_json::to_string(&purged).map_err(|e| ServiceError::Internal(e.to_string()))?;
    if !st::insert_purge(&mut tx, id, &on.to_string(), &summary, now_ms()).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    audit::record(&mut tx, &election_log(id), actor, EventKind::PersonalDataPurged, &format!("election:{id}"), payload)
        .await?;
    tx.commit().await?;
    Ok(PurgeReport { election_id: id, term_ended_on: end.to_string(), purged })
}

/// Every election of the deployment whose retention period is over and that was not purged
/// yet (what `huanjie purge-personal-data --due` works through).
pub async fn due(store: &Store, retention_days: u32) -> Result<Vec<i64>> {
    let done: std::collections::HashSet<i64> = st::purges(store).await?.into_iter().map(|p| p.0).collect();
    let on = today();
    Ok(est::all(store)
        .await?
        .iter()
        .filter(|e| !done.contains(&e.id) && purge_due(e, retention_days).is_some_and(|d| d <= on))
        .map(|e| e.id)
        .collect())
}
