//! Nomination (提名) and the formal candidate list (正式候选人名单), LAW.md §5: joint nominations
//! by voters or household representatives (or self-nomination where the profile allows it),
//! each nominator's limit per post, written consent, the qualification review as a blocking
//! step, 差额 per post, ordering by surname strokes, publication ≥ N days before election day,
//! withdrawal with move-up (递补) and re-publication. Nominating triggers the election
//! committee's recusal (LAW.md §2 [N]).

use std::collections::HashSet;

use serde_json::json;

use super::access::{Permission, Staff};
use super::audit::{self, LogIdentity, checkpoint_now};
use super::elections::locked;
use super::elections::{get, today};
use super::lifecycle;
use super::{Result, ServiceError, invalid};
use crate::audit::{EventKind, election_log};
use crate::domain::Election;
use crate::domain::Stage;
use crate::domain::ballot::candidate_id;
use crate::law::nomination::{
    CandidateList, NominationError, NomineeFacts, Review, Route, check_margins, check_nomination_ballot, check_nominee,
    check_route, withdraw as law_withdraw,
};
use crate::law::strokes::{ListEntry, order_candidates};
use crate::law::{Post, Seats};
use crate::store::elections as est;
use crate::store::nominations::{self as st, NominationRow, NominationStatus};
use crate::store::{Store, now_ms, registry};

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

fn nomination_error(e: &NominationError) -> ServiceError {
    use NominationError as E;
    let (code, rule) = match e {
        E::TooFewNominators { rule, .. } => ("too_few_nominators", *rule),
        E::SelfNominationNotAllowed { rule } => ("self_nomination_not_allowed", *rule),
        E::TooManyNames { rule, .. } => ("too_many_names", *rule),
        E::NotRegisteredHere { rule } => ("nominee_not_voter", *rule),
        E::Underage { rule } => ("underage", *rule),
        E::DeprivedOfPoliticalRights { rule } => ("deprived_of_political_rights", *rule),
        E::NotAcceptedInWriting { rule } => ("not_accepted_in_writing", *rule),
        E::NotReviewed { rule } => ("not_reviewed", *rule),
        E::UnknownCandidate { .. } => ("unknown_candidate", "LAW.md §5"),
        E::NoWrittenRecord { rule } => ("no_written_record", *rule),
    };
    law(code, rule, e.to_string())
}

fn parse_post(s: &str) -> Result<Post> {
    match s {
        "chair" => Ok(Post::Chair),
        "vice_chair" => Ok(Post::ViceChair),
        "member" => Ok(Post::Member),
        _ => Err(invalid("err.request", "post")),
    }
}

fn seats(e: &Election) -> Seats {
    let n = |v: i64| u32::try_from(v).unwrap_or(0);
    Seats { chair: n(e.seats_chair), vice_chair: n(e.seats_vice_chair), member: n(e.seats_member) }
}

/// A nominee as the stroke ordering (LAW.md §5 [P]) takes them.
pub fn list_entry(n: &NominationRow) -> ListEntry {
    ListEntry {
        id: n.id.to_string(),
        name: n.nominee_name.clone(),
        nomination_votes: u32::try_from(n.support).unwrap_or(0),
    }
}

/// The nominees who may stand on a post: qualified, consenting, not withdrawn.
pub fn ready(all: &[NominationRow], post: Post) -> Vec<&NominationRow> {
    all.iter()
        .filter(|n| {
            n.post == post
                && n.status == NominationStatus::Nominated
                && n.review == "qualified"
                && n.consent_on.is_some()
        })
        .collect()
}

/// Whether a primary round exists: nominating, consent and review end when the primary opens
/// (its ballot is made from the nominees reviewed by then).
async fn primary_held(tx: &mut crate::store::Tx, election_id: i64) -> Result<bool> {
    Ok(crate::store::polling::latest_poll(&mut *tx, election_id).await?.is_some_and(|p| p.round.is_primary()))
}

/// list_published → nominations.
pub async fn open(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    super::elections::transition(
        store,
        log,
        &staff.actor(role),
        &e,
        Stage::Nominations,
        EventKind::NominationsOpened,
        json!({}),
    )
    .await
}

/// Records a nomination (from a paper form, by the committee or a clerk).
pub async fn nominate(
    store: &Store,
    staff: &Staff,
    id: i64,
    post: &str,
    nominee_id: i64,
    route: &str,
    nominators: &[i64],
) -> Result<i64> {
    let e = get(store, staff, id, Permission::ReadRegistry).await?;
    let role = staff.authorize(store, Permission::ReadRegistry, e.community_id).await?;
    if role == crate::domain::Role::Observer {
        return Err(ServiceError::Forbidden);
    }
    let post = parse_post(post)?;
    let profile = e.plan.profile.clone();
    let nominators: Vec<i64> = {
        let mut seen = HashSet::new();
        nominators.iter().copied().filter(|n| seen.insert(*n)).collect()
    };
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Nominations {
        return Err(law("nominations_closed", "LAW.md §5", e.stage.to_string()));
    }
    if primary_held(&mut tx, id).await? {
        return Err(law("primary_held", "LAW.md §5 [P]", ""));
    }
    let nominee =
        registry::resident(&mut tx, nominee_id).await?.ok_or(invalid("err.relative_unknown", "nominee_id"))?;
    if nominee.community_id != e.community_id {
        return Err(invalid("err.relative_unknown", "nominee_id"));
    }
    // Every nominator is a voter of this election (LAW.md §5 [P]).
    let mut households = HashSet::new();
    for n in &nominators {
        if !est::is_voter(&mut tx, id, *n).await? {
            return Err(law("nominator_not_voter", "LAW.md §5 [P]", n.to_string()));
        }
        let r = registry::resident(&mut tx, *n).await?.ok_or(ServiceError::NotFound)?;
        households.insert(r.household_id.unwrap_or(-r.id));
    }
    let count = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    let law_route = match route {
        "joint_voters" => Route::JointByVoters { nominators: count(nominators.len()) },
        "joint_households" => Route::JointByHouseholds { nominators: count(households.len()) },
        "self" if nominators.is_empty() || nominators == [nominee_id] => Route::SelfNomination,
        _ => return Err(invalid("err.request", "route")),
    };
    check_route(law_route, &profile).map_err(|e| nomination_error(&e))?;
    // A nominator names at most the post's seats × the profile's limit (LAW.md §5 [P]).
    let existing = st::for_election(&mut tx, id).await?;
    let seats_here = seats(&e).get(post);
    for n in &nominators {
        let named = existing.iter().filter(|x| x.post == post && x.nominators.contains(n)).count();
        check_nomination_ballot(named + 1, seats_here, &profile).map_err(|e| nomination_error(&e))?;
    }
    let support = i64::try_from(nominators.len().max(1)).unwrap_or(i64::MAX);
    let nid = st::insert(&mut tx, id, post, nominee_id, route, &json!(nominators).to_string(), support, now_ms())
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.duplicate") } else { e.into() })?;
    audit::record(&mut tx, &election_log(id), &staff.actor(role), EventKind::NominationFiled, &format!("election:{id}"),
        json!({"nomination_id": nid, "post": post.as_str(), "nominee_id": nominee_id, "route": route, "nominators": nominators.len()}))
        .await?;
    tx.commit().await?;
    // LAW.md §2 [N]: a committee member who is (or whose near relative is) nominated withdraws.
    super::committee::recuse_now(store, &staff.actor(role), id).await?;
    Ok(nid)
}

/// Consent and review are fixed once a primary opens: its ballot was made from them
/// (LAW.md §5 [P]). Takes the election's lock, so a primary cannot open in between.
async fn unchanged_by_primary(tx: &mut crate::store::Tx, id: i64) -> Result<()> {
    locked(tx, id).await?;
    if primary_held(tx, id).await? {
        return Err(law("primary_held", "LAW.md §5 [P]", ""));
    }
    Ok(())
}

/// The nominee's written acceptance.
pub async fn consent(store: &Store, staff: &Staff, nomination_id: i64) -> Result<()> {
    let n = st::get(store, nomination_id).await?.ok_or(ServiceError::NotFound)?;
    let e = get(store, staff, n.election_id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let mut tx = store.begin().await?;
    unchanged_by_primary(&mut tx, e.id).await?;
    if !st::set_consent(&mut tx, nomination_id, &today().to_string()).await? {
        return Err(ServiceError::Conflict("err.stale"));
    }
    audit::record(
        &mut tx,
        &election_log(e.id),
        &staff.actor(role),
        EventKind::NominationConsented,
        &format!("election:{}", e.id),
        json!({"nomination_id": nomination_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The qualification review (资格审查): reviewer and date recorded; qualifying applies every
/// condition of LAW.md §5 and refuses with the first unmet one.
pub async fn review(store: &Store, staff: &Staff, nomination_id: i64, qualified: bool, reasons: &str) -> Result<()> {
    let n = st::get(store, nomination_id).await?.ok_or(ServiceError::NotFound)?;
    let e = get(store, staff, n.election_id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let reasons = reasons.trim();
    if reasons.chars().count() > 2000 || (!qualified && reasons.is_empty()) {
        return Err(invalid("err.reason", "reasons"));
    }
    let on = today();
    let mut tx = store.begin().await?;
    unchanged_by_primary(&mut tx, e.id).await?;
    if qualified {
        let r = registry::resident(&mut tx, n.nominee_id).await?.ok_or(ServiceError::NotFound)?;
        let facts = NomineeFacts {
            registered_voter_here: est::is_voter(&mut tx, e.id, n.nominee_id).await?,
            date_of_birth: crate::domain::parse_date(&r.birth_date).ok_or(ServiceError::NotFound)?,
            deprived_of_political_rights: r.political_rights == "deprived",
            accepted_in_writing: n.consent_on.is_some(),
            review: Some(Review { reviewer: staff.username.clone(), date: on }),
        };
        if let Err(errs) = check_nominee(&facts, e.plan.day) {
            return Err(errs.first().map(nomination_error).unwrap_or(ServiceError::Forbidden));
        }
    }
    if !st::set_review(&mut tx, nomination_id, qualified, &staff.username, &on.to_string(), reasons).await? {
        return Err(ServiceError::Conflict("err.stale"));
    }
    audit::record(
        &mut tx,
        &election_log(e.id),
        &staff.actor(role),
        EventKind::NominationReviewed,
        &format!("election:{}", e.id),
        json!({"nomination_id": nomination_id, "qualified": qualified}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// nominations → candidates_published: the formal candidate list, per post the best-supported
/// qualified nominees up to seats + the profile's margin (the rest wait to move up), 差额
/// checked, ordered by surname strokes, no later than `candidate_list_days` before election day.
pub async fn publish(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<CandidatesPublished> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let profile = e.plan.profile.clone();
    let day = e.plan.day;
    let limit = day.checked_sub(time::Duration::days(i64::from(profile.deadlines.candidate_list_days))).unwrap_or(day);
    if today() > limit {
        return Err(law("deadline_candidate_list_published", "LAW.md §5 [P]", limit.to_string()));
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Nominations {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → candidates_published", e.stage)));
    }
    let all = st::for_election(&mut tx, id).await?;
    // A primary still open or not yet counted decides nothing yet.
    let counted = crate::store::counting::counts(&mut tx, id).await?;
    if let Some(p) = crate::store::polling::latest_poll(&mut tx, id).await? {
        if p.status == "open" {
            return Err(ServiceError::Conflict("err.primary_open"));
        }
        if !counted.iter().any(|c| c.round == p.round) {
            return Err(ServiceError::Refused("err.not_counted"));
        }
    }
    // Where the primary left each post (LAW.md §5 [P]): its announced results, in round order.
    let primary = crate::law::primary::standings(
        counted.iter().filter(|c| c.round.is_primary()).filter_map(crate::store::counting::CountRow::primary),
    );
    let seats = seats(&e);
    let mut counts = [0u32; 3];
    let mut lists = std::collections::BTreeMap::new();
    let mut fallback = false;
    let mut plan: Vec<(i64, NominationStatus, Option<i64>)> = Vec::new();
    for post in Post::ALL {
        let mut ready = ready(&all, post);
        ready.sort_by(|a, b| b.support.cmp(&a.support).then(a.id.cmp(&b.id)));
        let max = seats.get(post).saturating_add(profile.margin(post).max) as usize;
        // More nominees than places: the primary decides where the profile holds one
        // (LAW.md §5 [P]); otherwise the number of nominators does.
        let by_primary;
        let (on_list, reserve): (&[&NominationRow], &[&NominationRow]) =
            if ready.len() > max && profile.nomination.primary_allowed {
                let Some(s) = primary.get(&post) else {
                    return Err(law(
                        "primary_required",
                        "LAW.md §5 [P]",
                        format!("{}: {} > {max}", post.as_str(), ready.len()),
                    ));
                };
                if s.open_tie.is_some() {
                    return Err(law("primary_tie", "LAW.md §5 [P]", post.as_str()));
                }
                let pick = |ids: &[String]| -> Vec<&NominationRow> {
                    ids.iter().filter_map(|cid| ready.iter().copied().find(|n| candidate_id(n.id) == *cid)).collect()
                };
                by_primary = (pick(&s.on_list), pick(&s.reserve));
                (&by_primary.0, &by_primary.1)
            } else {
                ready.split_at(ready.len().min(max))
            };
        counts[post.index()] = u32::try_from(on_list.len()).unwrap_or(u32::MAX);
        let entries: Vec<ListEntry> = on_list.iter().map(|n| list_entry(n)).collect();
        let ordered = order_candidates(&entries, profile.nomination.candidate_order);
        fallback |= ordered.unicode_fallback;
        for (i, nid) in ordered.ids.iter().enumerate() {
            plan.push((nid.parse().unwrap_or_default(), NominationStatus::Candidate, Some(i as i64 + 1)));
        }
        for (i, n) in reserve.iter().enumerate() {
            plan.push((n.id, NominationStatus::Reserve, Some(1000 + i as i64)));
        }
        lists.insert(post.as_str().to_string(), ordered.ids);
    }
    // 差额 for every post (LAW.md §5 [N]): more candidates than seats.
    if let Some(p) = check_margins(&seats, counts, &profile).into_iter().find(|p| p.problem == "too_few") {
        return Err(law("margin_too_few", "LAW.md §5 [N]", format!("{:?}: {} ≤ {}", p.post, p.candidates, p.seats)));
    }
    for (nid, status, order) in plan {
        st::set_status(&mut tx, nid, status, order).await?;
    }
    // LAW.md §6 [P]: a proxy who is now a candidate keeps only a near relative's proxy.
    super::proxies::revoke_for_candidates(&mut tx, &staff.actor(role), id).await?;
    let out = CandidatesPublished {
        from: e.stage.as_str(),
        lists,
        published_on: today().to_string(),
        to: Stage::CandidatesPublished.as_str(),
        unicode_fallback: fallback,
    };
    lifecycle::advance(
        &mut tx,
        &staff.actor(role),
        &e,
        Stage::CandidatesPublished,
        EventKind::CandidatesPublished,
        super::payload(&out)?,
    )
    .await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(out)
}

/// The formal candidate list published (the `candidates.published` entry's payload).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CandidatesPublished {
    pub from: &'static str,
    /// Per post (`chair`, `vice_chair`, `member`), the candidates' ids in list order.
    pub lists: std::collections::BTreeMap<String, Vec<String>>,
    pub published_on: String,
    pub to: &'static str,
    /// Whether an ordering by surname strokes fell back to code points for some name.
    pub unicode_fallback: bool,
}

/// A candidate withdrawn (the `candidate.withdrawn` entry's payload).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Withdrawn {
    /// The post's new list, candidates' ids in list order.
    pub list: Vec<String>,
    /// `too_few` / `too_many` when the new list breaks the 差额 margin (LAW.md §5 [N]).
    pub margin_broken: Option<&'static str>,
    /// The reserve nominee who moved up, if any.
    pub moved_up: Option<String>,
    pub nomination_id: i64,
}

/// A candidate withdraws after publication: written record required, the next nominee moves up,
/// the list is re-published and 差额 re-checked (LAW.md §5 [P]).
pub async fn withdraw(
    store: &Store,
    log: &LogIdentity,
    staff: &Staff,
    nomination_id: i64,
    written_record: bool,
) -> Result<Withdrawn> {
    let n = st::get(store, nomination_id).await?.ok_or(ServiceError::NotFound)?;
    let e = get(store, staff, n.election_id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let profile = e.plan.profile.clone();
    let post = n.post;
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, e.id).await?;
    if e.stage != Stage::CandidatesPublished {
        return Err(law("list_locked", "LAW.md §5 [P]", e.stage.to_string()));
    }
    let all = st::for_election(&mut tx, e.id).await?;
    let of = |status: NominationStatus| -> Vec<&NominationRow> {
        all.iter().filter(|x| x.post == n.post && x.status == status).collect()
    };
    let mut list = CandidateList {
        post,
        seats: seats(&e).get(post),
        candidates: of(NominationStatus::Candidate).iter().map(|x| x.id.to_string()).collect(),
        reserve: of(NominationStatus::Reserve).iter().map(|x| x.id.to_string()).collect(),
        published: true,
    };
    let outcome = law_withdraw(&mut list, &nomination_id.to_string(), written_record, &profile)
        .map_err(|e| nomination_error(&e))?;
    st::set_status(&mut tx, nomination_id, NominationStatus::Withdrawn, None).await?;
    // Re-order the new list by strokes, as published.
    let entries: Vec<ListEntry> =
        list.candidates.iter().filter_map(|id| all.iter().find(|x| x.id.to_string() == *id)).map(list_entry).collect();
    let ordered = order_candidates(&entries, profile.nomination.candidate_order);
    for (i, nid) in ordered.ids.iter().enumerate() {
        st::set_status(&mut tx, nid.parse().unwrap_or_default(), NominationStatus::Candidate, Some(i as i64 + 1))
            .await?;
    }
    // LAW.md §6 [P]: the nominee who moved up may hold proxies too.
    super::proxies::revoke_for_candidates(&mut tx, &staff.actor(role), e.id).await?;
    let out = Withdrawn {
        list: ordered.ids,
        margin_broken: outcome.margin.as_ref().map(|m| m.problem),
        moved_up: outcome.moved_up,
        nomination_id,
    };
    audit::record(
        &mut tx,
        &election_log(e.id),
        &staff.actor(role),
        EventKind::CandidateWithdrawn,
        &format!("election:{}", e.id),
        super::payload(&out)?,
    )
    .await?;
    tx.commit().await?;
    checkpoint_now(store, log, &election_log(e.id)).await?;
    Ok(out)
}
