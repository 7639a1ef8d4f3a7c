//! The counting staff (LAW.md §2 [P]): the committee names residents of the community as
//! scrutineers (监票), callers (唱票) and talliers (计票). Candidates and their near relatives
//! may not hold these duties: naming one is refused, and one who becomes a candidate or a
//! candidate's near relative after being named is removed by the same rule
//! (`law::recusal::counting_staff_conflicts`), re-run by `committee::recuse_now` on every change
//! of nominations and near-relative links (issue 16: "the law at every moment").

use std::collections::HashSet;

use serde::Serialize;
use serde_json::json;

use super::access::{Permission, Staff};
use super::audit;
use super::elections::get;
use super::voters::mask_name;
use super::{Result, ServiceError, invalid};
use crate::audit::{Actor, EventKind, election_log};
use crate::domain::Stage;
use crate::domain::records::NominationStatus;
use crate::law::recusal::counting_staff_conflicts;
use crate::store::counting_staff as st;
use crate::store::{Store, now_ms, registry};

/// The three counting duties of LAW.md §2 [P].
pub const DUTIES: [&str; 3] = ["scrutineer", "caller", "tallier"];

fn law(code: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: "LAW.md §2 [P]".into(), detail: detail.into() }
}

/// The residents with a live (not withdrawn) nomination in election `id`: the candidates.
async fn candidates(store: &Store, id: i64) -> Result<Vec<i64>> {
    Ok(crate::store::nominations::for_election(store, id)
        .await?
        .iter()
        .filter(|n| n.status != NominationStatus::Withdrawn)
        .map(|n| n.nominee_id)
        .collect())
}

/// (staff member, candidate) pairs in conflict under LAW.md §2 [P], as resident ids.
async fn conflicts(store: &Store, staff: &[i64], candidates: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut pairs = HashSet::new();
    for s in staff {
        for rel in registry::relatives(store, *s).await? {
            pairs.insert((s.to_string(), rel.id.to_string()));
        }
    }
    let related = |a: &str, b: &str| pairs.contains(&(a.to_string(), b.to_string()));
    let keys = |v: &[i64]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let found = counting_staff_conflicts(&keys(staff), &keys(candidates), related);
    let mut out = Vec::new();
    for (s, c) in found {
        let (Ok(s), Ok(c)) = (s.parse::<i64>(), c.parse::<i64>()) else { continue };
        out.push((s, c));
    }
    Ok(out)
}

/// Names resident `resident_id` to `duty`. Refused for a resident of another community, after
/// the result is certified, and (`law.counting_staff_conflict`) for a candidate or a
/// candidate's near relative. One transaction, one `counting_staff.named` entry.
pub async fn name(store: &Store, staff: &Staff, id: i64, resident_id: i64, duty: &str) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if !DUTIES.contains(&duty) {
        return Err(invalid("err.request", "duty"));
    }
    let r = registry::resident(store, resident_id).await?.ok_or(invalid("err.relative_unknown", "resident_id"))?;
    if r.community_id != e.community_id {
        return Err(invalid("err.relative_unknown", "resident_id"));
    }
    if matches!(e.stage, Stage::Certified | Stage::HandedOver | Stage::Void) {
        return Err(law("counting_staff_closed", e.stage.to_string()));
    }
    // LAW.md §2 [P]: a candidate or a candidate's near relative may not count the votes.
    if let Some((_, c)) = conflicts(store, &[resident_id], &candidates(store, id).await?).await?.first() {
        let kind = if *c == resident_id { "candidate" } else { "near_relative" };
        return Err(law("counting_staff_conflict", kind));
    }
    let mut tx = store.begin().await?;
    if !st::insert(&mut tx, id, resident_id, duty, now_ms()).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::CountingStaffNamed,
        &format!("election:{id}"),
        json!({"resident_id": resident_id, "duty": duty}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The committee relieves resident `resident_id` of every counting duty in election `id` (a
/// replacement, LAW.md §2 [P]: the committee names and replaces its counting staff), with the
/// reason recorded. Refused after the result is certified and for one not serving. One
/// transaction, one `counting_staff.removed` entry (cause `committee`).
pub async fn remove(store: &Store, staff: &Staff, id: i64, resident_id: i64, reason: &str) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if matches!(e.stage, Stage::Certified | Stage::HandedOver | Stage::Void) {
        return Err(law("counting_staff_closed", e.stage.to_string()));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Err(invalid("err.reason", "reason"));
    }
    let mut tx = store.begin().await?;
    if st::remove(&mut tx, id, resident_id, &format!("committee: {reason}")).await? == 0 {
        return Err(invalid("err.relative_unknown", "resident_id"));
    }
    // The reason stays in the committee's table; the log says only who and that it was the committee.
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::CountingStaffRemoved,
        &format!("election:{id}"),
        json!({"removed": [{"resident_id": resident_id, "cause": "committee"}]}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// LAW.md §2 [P]: removes every serving member of the counting staff who is a candidate of
/// election `id` (`candidates`, live nominations) or a near relative of one. One transaction,
/// one `counting_staff.removed` entry; returns the residents removed. Called by
/// `committee::recuse_now` whenever nominations, committee membership or relative links change.
pub async fn recheck(store: &Store, actor: &Actor, id: i64, candidates: &[i64]) -> Result<Vec<i64>> {
    let serving: Vec<i64> = {
        let mut v: Vec<i64> = st::for_election(store, id)
            .await?
            .into_iter()
            .filter(|s| s.status == "serving")
            .map(|s| s.resident_id)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if serving.is_empty() || candidates.is_empty() {
        return Ok(Vec::new());
    }
    let found = conflicts(store, &serving, candidates).await?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = store.begin().await?;
    let mut removed = Vec::new();
    let mut payload = Vec::new();
    for (s, c) in found {
        if removed.contains(&s) {
            continue;
        }
        let cause = if s == c { "candidate" } else { "near_relative" };
        st::remove(&mut tx, id, s, &format!("LAW.md §2 [P]: {cause} {c}")).await?;
        removed.push(s);
        payload.push(json!({"resident_id": s, "cause": cause, "candidate_id": c}));
    }
    audit::record(
        &mut tx,
        &election_log(id),
        actor,
        EventKind::CountingStaffRemoved,
        &format!("election:{id}"),
        json!({"removed": payload}),
    )
    .await?;
    tx.commit().await?;
    Ok(removed)
}

/// One member of the counting staff as the list shows them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountingStaffLine {
    pub resident_id: i64,
    /// The full name for staff who run the election; masked (张*明) for other readers.
    pub name: String,
    pub duty: String,
    pub status: String,
    pub note: String,
}

/// The counting staff of election `id`, for `staff` who may read it.
pub async fn list(store: &Store, staff: &Staff, id: i64) -> Result<Vec<CountingStaffLine>> {
    let e = get(store, staff, id, Permission::ReadRegistry).await?;
    let runs = staff.authorize(store, Permission::RunElection, e.community_id).await.is_ok();
    Ok(st::for_election(store, id)
        .await?
        .into_iter()
        .map(|s| CountingStaffLine {
            resident_id: s.resident_id,
            name: if runs { s.name } else { mask_name(&s.name) },
            duty: s.duty,
            status: s.status,
            note: if runs { s.note } else { String::new() },
        })
        .collect())
}
