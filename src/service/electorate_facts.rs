//! Facts the committee records about voters beyond the registry: the confirmation that a
//! resident cannot exercise the right to vote (LAW.md §3 [N?]) and absentees' notices
//! (LAW.md §3 [P]). Both change who counts: the first keeps a resident off the roll, the second
//! takes a voter out of the turnout denominator where the profile says so.
//!
//! Privacy (PIPL): an incapacity confirmation's basis is a health fact. It is stored once, shown
//! only to staff who run the election, and never written to the log: the log entry says only
//! that a confirmation was recorded, under an opaque number.

use std::collections::HashSet;

use serde_json::json;

use super::access::{Permission, Staff};
use super::audit::{self, LogIdentity, checkpoint_now};
use super::commitments;
use super::elections::{get, locked, today};
use super::{Result, ServiceError, invalid};
use crate::audit::{EventKind, election_log};
use crate::domain::Stage;
use crate::law::after_vote::absentee_notice_counts;
use crate::store::electorate_facts::{self as st, IncapacityRow};
use crate::store::{Store, elections as est, now_ms, registry};

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

/// The committee confirms that a resident is unable to exercise the right to vote (LAW.md §3
/// [N?]: 无法行使选举权利, confirmed by the election committee). Before the voter list is
/// published (afterwards the list changes only through an objection or a status change); the
/// next registration run leaves the resident off the roll. `basis` (the medical certificate,
/// the guardian's statement) stays in this table only.
pub async fn confirm_incapacity(store: &Store, staff: &Staff, id: i64, resident_id: i64, basis: &str) -> Result<i64> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let basis = basis.trim();
    if basis.is_empty() || basis.chars().count() > 500 {
        return Err(invalid("err.reason", "basis"));
    }
    let r = registry::resident(store, resident_id).await?.ok_or(invalid("err.relative_unknown", "resident_id"))?;
    if r.community_id != e.community_id {
        return Err(invalid("err.relative_unknown", "resident_id"));
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if !matches!(e.stage, Stage::Draft | Stage::Registration) {
        return Err(law("list_locked", "LAW.md §3 [N?]", e.stage.to_string()));
    }
    let cid = st::insert_incapacity(&mut tx, id, resident_id, basis, &today().to_string(), staff.user_id, now_ms())
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.duplicate") } else { e.into() })?;
    // The election's log becomes public: no resident, no basis, only that one was recorded.
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::IncapacityConfirmed,
        &format!("election:{id}"),
        json!({"confirmation_id": cid}),
    )
    .await?;
    tx.commit().await?;
    Ok(cid)
}

/// The confirmations of an election with their basis: only for staff who run it (not clerks,
/// not observers).
pub async fn incapacities(store: &Store, staff: &Staff, id: i64) -> Result<Vec<IncapacityRow>> {
    get(store, staff, id, Permission::RunElection).await?;
    Ok(st::incapacities(store, id).await?)
}

/// The residents the committee confirmed, for the law engine's `incapacity_confirmed` fact.
pub async fn incapable(store: &Store, id: i64) -> Result<HashSet<i64>> {
    Ok(st::incapacities(store, id).await?.into_iter().map(|r| r.resident_id).collect())
}

/// Whether one resident's incapacity is confirmed, on the pool or inside a transaction
/// (objection decisions, status changes).
pub async fn is_incapable(db: impl Into<crate::store::Db<'_>>, id: i64, resident_id: i64) -> Result<bool> {
    Ok(st::is_incapable(db, id, resident_id).await?)
}

/// A voter on the roll notifies that they cannot return for election day (LAW.md §3 [P]); the
/// notice counts only where the profile has `registration.exclude_notified_absentees` and it
/// comes at least `absentee_notice_days` before election day. Then the count leaves the voter
/// out of the turnout denominator (`law::count`, `notified_absentees`).
///
/// The notice changes the published list's commitment (its absentee leaves), so the list is
/// re-published with the new fingerprint in the same transaction (`voter_list.republished`).
pub async fn notify_absence(
    store: &Store,
    log: &LogIdentity,
    staff: &Staff,
    id: i64,
    resident_id: i64,
) -> Result<usize> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let profile = e.plan.profile.clone();
    let on = today();
    if !profile.registration.exclude_notified_absentees {
        return Err(law("absentees_not_excluded", "LAW.md §3 [P]", ""));
    }
    if !absentee_notice_counts(on, e.plan.day, &profile) {
        return Err(law("absentee_notice_late", "LAW.md §3 [P]", e.plan.day.to_string()));
    }
    if !est::roll(store, id).await?.iter().any(|v| v.resident_id == resident_id) {
        return Err(invalid("err.relative_unknown", "resident_id"));
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if !matches!(e.stage, Stage::ListPublished | Stage::Nominations | Stage::CandidatesPublished) {
        return Err(law("illegal_transition", "LAW.md §3 [P]", e.stage.to_string()));
    }
    if !st::insert_absentee(&mut tx, id, resident_id, &on.to_string(), now_ms()).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    let roll = est::roll(&mut tx, id).await?;
    let absentees = commitments::absentee_leaves(&roll).len();
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::AbsenceNotified,
        &format!("election:{id}"),
        json!({"resident_id": resident_id, "notified_on": on.to_string(), "absentees": absentees}),
    )
    .await?;
    // LAW.md §3: every change of the list is re-published.
    let fp = commitments::fingerprint(&roll);
    est::set_list_published(&mut tx, id, &on.to_string(), &fp, now_ms()).await?;
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::VoterListRepublished,
        &format!("election:{id}"),
        json!({"voters": roll.len(), "absentees": absentees, "sha256": fp}),
    )
    .await?;
    tx.commit().await?;
    checkpoint_now(store, log, &election_log(id)).await?;
    Ok(absentees)
}

/// How many voters on the roll notified in time: the list's absentee leaves, what the count's
/// box carries.
pub async fn notified_absentees(store: &Store, id: i64) -> Result<u64> {
    Ok(est::roll(store, id).await?.iter().filter(|v| v.absent).count() as u64)
}
