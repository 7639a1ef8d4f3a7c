//! Complaints about an election (投诉, LAW.md §8 [P, CQ Art. 33]): filed with the committee,
//! answered in writing within the profile's `deadlines.complaint_answer_days` (30) of filing;
//! the list flags every one unanswered past its due day (or answered late).
//!
//! The complainant's name and contact are personal information: kept in the table for the
//! committee, never in the log (the entries carry the complaint's number only).

use serde::Serialize;
use serde_json::json;

use super::access::{Permission, Staff};
use super::audit;
use super::elections::{get, locked, today};
use super::{Result, ServiceError, invalid};
use crate::audit::{EventKind, election_log};
use crate::domain::parse_date;
use crate::law::after_vote::{complaint_answer_due, complaint_overdue};
use crate::store::complaints::{self as st, ComplaintRow};
use crate::store::{Store, now_ms};

/// A complaint as the committee's list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Complaint {
    #[serde(flatten)]
    pub row: ComplaintRow,
    /// The last day of the written answer (LAW.md §8 [P, CQ Art. 33]).
    pub answer_due: String,
    pub overdue: bool,
}

/// The committee's complaints (`GET /elections/{id}/complaints`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintList {
    pub complaints: Vec<Complaint>,
    /// How many are overdue: unanswered past their due day, or answered after it.
    pub overdue: usize,
}

fn text(s: &str, max: usize, field: &'static str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid("err.reason", field));
    }
    Ok(t.to_string())
}

/// Files a complaint (the committee records one made in person or in writing).
pub async fn file(store: &Store, staff: &Staff, id: i64, filed_by: &str, contact: &str, subject: &str) -> Result<i64> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let filed_by = text(filed_by, 60, "filed_by")?;
    let contact = contact.trim();
    if contact.chars().count() > 100 {
        return Err(invalid("err.reason", "contact"));
    }
    let subject = text(subject, 2000, "subject")?;
    let on = today();
    let mut tx = store.begin().await?;
    locked(&mut tx, id).await?;
    let cid = st::insert(&mut tx, id, &filed_by, contact, &subject, &on.to_string(), now_ms()).await?;
    let due = complaint_answer_due(on, &e.plan.profile);
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::ComplaintFiled,
        &format!("election:{id}"),
        json!({"complaint_id": cid, "filed_on": on.to_string(), "answer_due": due.to_string()}),
    )
    .await?;
    tx.commit().await?;
    Ok(cid)
}

/// Records the written answer; an answer after the due day is accepted and flagged late.
pub async fn answer(store: &Store, staff: &Staff, complaint_id: i64, answer: &str) -> Result<Complaint> {
    let c = st::get(store, complaint_id).await?.ok_or(ServiceError::NotFound)?;
    let e = get(store, staff, c.election_id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let answer = text(answer, 4000, "answer")?;
    let on = today();
    let filed = parse_date(&c.filed_on).ok_or(ServiceError::Internal(format!("complaint {complaint_id}: filed_on")))?;
    let late = complaint_overdue(filed, Some(on), on, &e.plan.profile);
    let mut tx = store.begin().await?;
    locked(&mut tx, e.id).await?;
    if !st::answer(&mut tx, complaint_id, &answer, &on.to_string()).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    audit::record(
        &mut tx,
        &election_log(e.id),
        &staff.actor(role),
        EventKind::ComplaintAnswered,
        &format!("election:{}", e.id),
        json!({"complaint_id": complaint_id, "answered_on": on.to_string(), "late": late}),
    )
    .await?;
    tx.commit().await?;
    let row = st::get(store, complaint_id).await?.ok_or(ServiceError::NotFound)?;
    Ok(view(row, &e.plan.profile))
}

fn view(row: ComplaintRow, profile: &crate::law::RuleProfile) -> Complaint {
    let filed = parse_date(&row.filed_on).unwrap_or_else(today);
    let answered = row.answered_on.as_deref().and_then(parse_date);
    Complaint {
        answer_due: complaint_answer_due(filed, profile).to_string(),
        overdue: complaint_overdue(filed, answered, today(), profile),
        row,
    }
}

/// The committee's list, overdue ones flagged.
pub async fn list(store: &Store, staff: &Staff, id: i64) -> Result<ComplaintList> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let complaints: Vec<Complaint> =
        st::of_election(store, id).await?.into_iter().map(|r| view(r, &e.plan.profile)).collect();
    let overdue = complaints.iter().filter(|c| c.overdue).count();
    Ok(ComplaintList { complaints, overdue })
}
