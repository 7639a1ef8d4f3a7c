//! Read models of the counting and results pages (issue 14 item 3): what the committee's
//! results page, the public notice, the certificates, the archive and the paper double-entry
//! page show, read here so the handlers in `web/staff/results.rs` and `web/staff/paper.rs`
//! call one service function and render, and never read the store or parse stored JSON.
//!
//! The order is one way: polling → counting → results. This module uses
//! `service::counting`; nothing below it imports this one.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::access::{Permission, Staff};
use super::counting::{self, Results};
use super::{Result, ServiceError};
pub use crate::domain::Election;
use crate::domain::Stage;
use crate::domain::ballot::PlainBallot;
use crate::domain::records::NominationStatus;
pub use crate::domain::records::{RecallRow, VacancyRow};
use crate::store::Store;

/// The steps the results page may offer (one type for every page: `domain::Action`).
pub use crate::domain::Action;

/// What the results page shows beyond the count: the handover, the term's vacancies, a
/// recall's petition, the members still in office, and the steps the caller may take.
pub struct TermView {
    /// (item, done on) of each handover item done.
    pub handover: Vec<(String, String)>,
    pub vacancies: Vec<VacancyRow>,
    pub recall: Option<RecallRow>,
    /// (member id, post, name) of the members still in office.
    pub in_office: Vec<(String, String, String)>,
    pub allowed: Vec<Action>,
}

impl TermView {
    pub fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

/// The steps of election `e` for a caller who may run it (`can_run`), with its results `r`.
fn allowed(e: &Election, can_run: bool, r: &Results, recall: Option<&RecallRow>) -> Vec<Action> {
    let stage = e.stage;
    let mut out = Vec::new();
    if matches!(stage, Stage::Certified | Stage::HandedOver) {
        out.push(Action::Certificates);
    }
    if recall.is_some_and(|rc| rc.answer.is_some()) && stage == Stage::ListPublished {
        out.push(Action::RecallPolling);
    }
    if !can_run {
        return out;
    }
    out.push(Action::RunElection);
    if stage == Stage::Counting {
        out.push(Action::Count);
        if !r.pending.is_empty() {
            out.push(Action::NextRound);
        }
    }
    if stage == Stage::Certified {
        out.push(Action::Handover);
    }
    if matches!(stage, Stage::Counting | Stage::Certified) {
        out.push(Action::Void);
    }
    if let Some(rc) = recall {
        if stage == Stage::Draft {
            out.push(Action::RecallVerify);
        }
        if stage == Stage::ListPublished && rc.answer.is_none() {
            out.push(Action::RecallAnswer);
        }
    }
    if matches!(stage, Stage::Certified | Stage::HandedOver) && !e.is_recall() {
        out.push(Action::Term);
    }
    out
}

/// The results page's term view of election `e` (already read with the caller's rights):
/// whether `staff` may run it is decided here, not in the handler.
pub async fn term_view(store: &Store, staff: &Staff, e: &Election, r: &Results) -> Result<TermView> {
    let can_run = staff.may(store, Permission::RunElection, e.community_id).await?;
    let handover = crate::store::counting::handover(store, e.id).await?.into_iter().map(|h| (h.0, h.1)).collect();
    let vacancies = crate::store::recall::vacancies(store, e.id).await?;
    let gone: Vec<&str> = vacancies.iter().filter_map(|v| v.member_id.as_deref()).collect();
    let in_office = r
        .elected
        .iter()
        .filter(|m| !gone.contains(&m.id.as_str()))
        .map(|m| (m.id.clone(), m.post.clone(), m.name.clone()))
        .collect();
    let recall = crate::store::recall::recall(store, e.id).await?;
    let allowed = allowed(e, can_run, r, recall.as_ref());
    Ok(TermView { handover, vacancies, recall, in_office, allowed })
}

/// An election as the public pages show it (no sign-in: the results notice, the public count).
pub async fn public_election(store: &Store, id: i64) -> Result<Election> {
    crate::store::elections::get(store, id).await?.ok_or(ServiceError::NotFound)
}

/// The name of community `id` (empty when it is gone).
pub async fn community_name(store: &Store, id: i64) -> Result<String> {
    Ok(crate::store::registry::community(store, id).await?.map(|c| c.name).unwrap_or_default())
}

/// The name of the street office over community `id`, for the certificates.
pub async fn street_office_name(store: &Store, community_id: i64) -> Result<String> {
    let Some(c) = crate::store::registry::community(store, community_id).await? else { return Ok(String::new()) };
    Ok(crate::store::registry::street_office(store, c.street_office_id).await?.map(|s| s.name).unwrap_or_default())
}

/// The election archive (选举档案): `election` (its API detail) and `record` (the election
/// record) with the boxes, the results and checks, the candidates, the objection and void
/// decisions and the handover.
pub async fn archive(store: &Store, e: &Election, election: Value, record: impl serde::Serialize) -> Result<Value> {
    let id = e.id;
    let mut r = counting::results(store, id).await?;
    r.checks = counting::composition_checks(store, e, &r).await?;
    let counts = crate::store::counting::counts(store, id).await?;
    let candidates = crate::store::nominations::for_election(store, id)
        .await?
        .into_iter()
        .filter(|n| matches!(n.status, NominationStatus::Candidate | NominationStatus::Withdrawn))
        .map(|n| json!({"id": n.id, "post": n.post, "name": n.nominee_name, "status": n.status}))
        .collect::<Vec<_>>();
    let objections = crate::store::elections::objections(store, id)
        .await?
        .into_iter()
        .map(|o| json!({"id": o.id, "kind": o.kind, "status": o.status, "decision": o.decision, "decided_on": o.decided_on}))
        .collect::<Vec<_>>();
    Ok(json!({
        "format": "huanjie-archive-1",
        "election": election,
        "record": record,
        "boxes": counts.iter().map(|c| json!({"round": c.round_no, "box": c.box_json})).collect::<Vec<_>>(),
        "results": r,
        "candidates": candidates,
        "objection_decisions": objections,
        "void_decisions": crate::store::counting::voids(store, id).await?,
        "handover": crate::store::counting::handover(store, id).await?,
    }))
}

/// A stored ballot (the encoding of `domain::ballot::encode`, read by its one reader
/// [`PlainBallot::from_stored`]) as its JSON value; one that does not read is logged and shown
/// as an empty ballot, never dropped in silence.
pub fn stored_ballot(content: &str) -> Value {
    match PlainBallot::from_stored(content).and_then(serde_json::to_value) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "a stored paper entry does not parse");
            Value::Null
        }
    }
}

/// The names of the residents written in on `ballots` (ids `r<n>`) that `known` lacks.
pub async fn written_in_names(
    store: &Store,
    ballots: &[Value],
    known: &HashMap<String, String>,
) -> Result<HashMap<String, String>> {
    let mut names = HashMap::new();
    for v in ballots {
        let Some(w) = v["write_ins"].as_object() else { continue };
        for id in w.values().flat_map(|a| a.as_array().into_iter().flatten()).filter_map(Value::as_str) {
            if known.contains_key(id) || names.contains_key(id) {
                continue;
            }
            let Some(rid) = id.strip_prefix('r').and_then(|r| r.parse::<i64>().ok()) else { continue };
            if let Some(r) = crate::store::registry::resident(store, rid).await? {
                names.insert(id.to_string(), r.name);
            }
        }
    }
    Ok(names)
}

/// The handover items done for election `id` (item, done on, note), for `staff` who may read it.
pub async fn handover_done(store: &Store, staff: &super::Staff, id: i64) -> Result<Vec<(String, String, String)>> {
    super::elections::get(store, staff, id, super::Permission::ReadRegistry).await?;
    Ok(crate::store::counting::handover(store, id).await?)
}

/// The vacancies of term `id`, for `staff` who may read it.
/// Readers who do not run the election (observers) see loss of legal capacity only as
/// `office_ended` (LAW.md §9 [N?]; a health fact, `law::recall::public_vacancy_cause`).
pub async fn vacancies(store: &Store, staff: &super::Staff, id: i64) -> Result<Vec<VacancyRow>> {
    let e = super::elections::get(store, staff, id, super::Permission::ReadRegistry).await?;
    let runs = staff.authorize(store, super::Permission::RunElection, e.community_id).await.is_ok();
    let mut out = crate::store::recall::vacancies(store, id).await?;
    if !runs {
        for v in &mut out {
            v.cause = crate::law::recall::public_vacancy_cause(&v.cause).to_string();
        }
    }
    Ok(out)
}
