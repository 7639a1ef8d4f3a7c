//! Recall (罢免) and by-election (补选), LAW.md §9: a petition with the profile's threshold and
//! written reasons, each signer a voter of the current term; its verification fixes the roll;
//! the member's written answer (申辩) is published before the vote; the vote runs on the polling
//! machinery; a passed recall ends the member's office and opens the vacancy. Vacancies (recall,
//! resignation, death, a criminal sentence, a void election of one person, unfilled seats) are
//! filled by a by-election of kind `by_election` under Art. 18's procedure, announced and filed
//! within the profile's days.

use serde::Deserialize;
use serde_json::json;

use super::access::{Permission, Staff};
use super::audit::{self, LogIdentity};
use super::elections::locked;
use super::elections::{PlanInput, get, today};
use super::lifecycle;
use super::{Result, ServiceError, invalid};
use crate::audit::{EventKind, election_log};
use crate::domain::Election;
use crate::domain::{ElectionKind, Stage};
use crate::law::recall::{Petition, check_petition, petition_threshold};
use crate::store::elections as est;
use crate::store::recall as rst;
use crate::store::{Store, now_ms};

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

fn in_office(e: &Election) -> bool {
    matches!(e.stage, Stage::Certified | Stage::HandedOver)
}

/// A member of the term still in office: (id, post, name).
async fn member(store: &Store, term: &Election, member_id: &str) -> Result<(String, String, String)> {
    let gone: Vec<String> = rst::vacancies(store, term.id).await?.into_iter().filter_map(|v| v.member_id).collect();
    let r = super::counting::results(store, term.id).await?;
    r.elected
        .into_iter()
        .find(|m| m.id == member_id && !gone.contains(&m.id))
        .map(|m| (m.id, m.post, m.name))
        .ok_or(invalid("err.not_elected", "member_id"))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RecallInput {
    pub member_id: String,
    pub reasons: String,
    #[serde(default)]
    pub signers: Vec<i64>,
    /// YYYY-MM-DD: the day of the recall vote.
    pub election_day: String,
}

fn plan_like(term: &Election, day: &str, seats: (i64, i64, i64)) -> PlanInput {
    PlanInput {
        method: term.method.as_str().to_string(),
        seats_chair: seats.0,
        seats_vice_chair: seats.1,
        seats_member: seats.2,
        profile: String::new(),
        election_day: day.to_string(),
        channels: term.plan.channels.names().into_iter().map(str::to_string).collect(),
        remote_legal_basis: term.plan.remote_legal_basis.clone(),
        stations: term.plan.stations.clone(),
    }
}

/// The residents file a recall petition against a member of the current term (recorded by the
/// street office): the profile's share of the term's voters sign, with written reasons.
pub async fn open_recall(store: &Store, staff: &Staff, term_id: i64, input: &RecallInput) -> Result<i64> {
    let term = est::get(store, term_id).await?.ok_or(ServiceError::NotFound)?;
    staff.authorize_street_over(store, Permission::OpenElection, term.community_id).await?;
    if !in_office(&term) {
        return Err(law("not_in_office", "LAW.md §9", term.stage.to_string()));
    }
    let (member_id, post, name) = member(store, &term, input.member_id.trim()).await?;
    let reasons = input.reasons.trim();
    if reasons.chars().count() > 4000 {
        return Err(invalid("err.reason", "reasons"));
    }
    let mut signers = input.signers.clone();
    signers.sort_unstable();
    signers.dedup();
    for s in &signers {
        if !est::is_voter(store, term_id, *s).await? {
            return Err(law("signer_not_voter", "LAW.md §9 [N?, P]", s.to_string()));
        }
    }
    let profile = term.plan.profile.clone();
    let electorate = est::roll(store, term_id).await?.len() as u64;
    let petition = Petition {
        method: term.method,
        electorate,
        signatures: signers.len() as u64,
        written_reasons: !reasons.is_empty(),
    };
    if let Err(errs) = check_petition(&petition, &profile) {
        let e = errs.first().map(|e| e.to_string()).unwrap_or_default();
        let code = if reasons.is_empty() { "no_written_reasons" } else { "too_few_signatures" };
        return Err(law(code, "LAW.md §9 [N?, P]", e));
    }
    let mut plan = plan_like(&term, &input.election_day, (0, 0, 1));
    plan.profile = profile.to_toml().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let needed = petition_threshold(term.method, electorate, &profile);
    let extra =
        json!({"term_election_id": term_id, "member_id": member_id, "signatures": signers.len(), "needed": needed});
    let (id, mut tx) = super::elections::open_in_round(
        store,
        staff,
        term.community_id,
        &term.round,
        ElectionKind::Recall,
        &plan,
        extra,
    )
    .await?;
    let signers_json = json!(signers).to_string();
    rst::insert_recall(&mut tx, id, term_id, &member_id, &post, &name, reasons, &signers_json).await?;
    tx.commit().await?;
    Ok(id)
}

/// The committee verifies the petition against the roll of the current term: draft →
/// list_published, the recall's roll is the term's voters (LAW.md §9).
pub async fn verify_petition(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<serde_json::Value> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let r = rst::recall(store, id).await?.ok_or(ServiceError::NotFound)?;
    let term = est::get(store, r.term_election_id).await?.ok_or(ServiceError::NotFound)?;
    let roll = est::roll(store, term.id).await?;
    let valid = r.signers.iter().filter(|s| roll.iter().any(|v| v.resident_id == **s)).count() as u64;
    let profile = term.plan.profile.clone();
    let needed = petition_threshold(term.method, roll.len() as u64, &profile);
    if valid < needed {
        return Err(law("too_few_signatures", "LAW.md §9 [N?, P]", format!("{valid} < {needed}")));
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Draft {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → list_published", e.stage)));
    }
    for v in &roll {
        est::upsert_voter(&mut tx, id, v.resident_id, "recall", now_ms()).await?;
    }
    let fingerprint = super::voters::fingerprint(&roll);
    est::set_list_published(&mut tx, id, &today().to_string(), &fingerprint, now_ms()).await?;
    rst::set_verified(&mut tx, id, &today().to_string()).await?;
    let payload = json!({"signatures": valid, "needed": needed, "voters": roll.len(), "sha256": fingerprint});
    let payload =
        lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::ListPublished, EventKind::RecallVerified, payload)
            .await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(payload)
}

/// The member's written answer (申辩), published before the vote (LAW.md §9 [N?, P]).
pub async fn publish_answer(store: &Store, staff: &Staff, id: i64, answer: &str) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let answer = answer.trim();
    if answer.is_empty() || answer.chars().count() > 4000 {
        return Err(invalid("err.reason", "answer"));
    }
    if e.stage != Stage::ListPublished {
        return Err(law("illegal_transition", "LAW.md §9", e.stage.to_string()));
    }
    let mut tx = store.begin().await?;
    if !rst::set_answer(&mut tx, id, answer, &today().to_string()).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::RecallAnswered,
        &format!("election:{id}"),
        json!({"published_on": today().to_string()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A member leaves office by resignation (in writing), death, a criminal sentence or loss of
/// legal capacity (LAW.md §9 [N?]: the last two end the office automatically). The vacancy and
/// its `vacancy.arose` entry are the same for every cause; the entry names loss of legal
/// capacity only as `office_ended` (`law::recall::public_vacancy_cause`), a health fact being
/// kept off the public log.
pub async fn member_left(store: &Store, staff: &Staff, term_id: i64, member_id: &str, cause: &str) -> Result<i64> {
    let term = get(store, staff, term_id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, term.community_id).await?;
    if !crate::law::recall::LEAVING_CAUSES.contains(&cause) {
        return Err(invalid("err.request", "cause"));
    }
    if !in_office(&term) {
        return Err(law("not_in_office", "LAW.md §9", term.stage.to_string()));
    }
    let (mid, post, _) = member(store, &term, member_id.trim()).await?;
    let mut tx = store.begin().await?;
    let vid = super::counting::vacancy_in_tx(&mut tx, &staff.actor(role), &term, &post, Some(&mid), cause).await?;
    tx.commit().await?;
    Ok(vid)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ByElectionInput {
    pub election_day: String,
}

/// The street office opens the by-election for every open vacancy of a term: an election of
/// kind `by_election`, its seats the vacant ones per post, the same procedure as the first
/// vote (LAW.md §9 [N] Art. 18); its own round, so voters of the term register again.
pub async fn open_by_election(store: &Store, staff: &Staff, term_id: i64, input: &ByElectionInput) -> Result<i64> {
    let term = est::get(store, term_id).await?.ok_or(ServiceError::NotFound)?;
    staff.authorize_street_over(store, Permission::OpenElection, term.community_id).await?;
    let open: Vec<rst::VacancyRow> =
        rst::vacancies(store, term_id).await?.into_iter().filter(|v| v.byelection_id.is_none()).collect();
    if open.is_empty() {
        return Err(law("no_vacancy", "LAW.md §9", ""));
    }
    let n = |p: &str| open.iter().filter(|v| v.post == p).count() as i64;
    let mut plan = plan_like(&term, &input.election_day, (n("chair"), n("vice_chair"), n("member")));
    plan.profile = term.plan.profile.clone().to_toml().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let round = format!("{}-by{}", term.round, term_id * 100 + open[0].id);
    let extra = json!({"term_election_id": term_id, "vacancies": open.iter().map(|v| v.id).collect::<Vec<_>>()});
    let (id, mut tx) = super::elections::open_in_round(
        store,
        staff,
        term.community_id,
        &round,
        ElectionKind::ByElection,
        &plan,
        extra,
    )
    .await?;
    for v in &open {
        if !rst::assign_byelection(&mut tx, v.id, id).await? {
            return Err(ServiceError::Conflict("err.stale"));
        }
    }
    tx.commit().await?;
    Ok(id)
}
