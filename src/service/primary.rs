//! The nomination primary (预选), LAW.md §5 [P]: when a post has more qualified nominees than
//! the formal candidate list takes (seats + the profile's largest margin), the committee holds
//! a primary, and the list is made from its result (`nominations::publish`). It reuses the
//! polling machinery whole: the same roll (one ballot per voter per round), the same box, the
//! same check-in, booth, browser and paper double-entry paths, the same published box that
//! `huanjie count` recounts and `huanjie verify` re-checks.
//!
//! A primary round is a poll of [`Round::Primary`]: the first is [`Round::FIRST_PRIMARY`], a
//! re-vote among nominees tied across the last place is the next one (LAW.md §5 [P]); every
//! primary round comes before the election's first. The stage stays `nominations` throughout:
//! the primary is part of nominating. No proxies and no mobile boxes in nomination
//! (LAW.md §5 [P]).
//!
//! The order of the services: this module uses `nominations` (who stands) and `counting` (the
//! count of a box); neither of them uses this one.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::access::{Permission, Staff};
use super::audit::{self, LogIdentity, checkpoint_now};
use super::counting::{Counted, count_box};
use super::elections::{get, locked};
use super::nominations::{list_entry, ready};
use super::{Result, ServiceError};
use crate::audit::{EventKind, election_log};
use crate::domain::Election;
use crate::domain::ballot::{BallotPaper, CandidateLine, PostSheet, candidate_id};
use crate::domain::{Round, Stage};
use crate::law::primary::Standing;
use crate::law::strokes::{ListEntry, order_candidates};
use crate::law::{Post, RuleProfile};
use crate::store::counting as cst;
use crate::store::nominations::{self as nst, NominationRow};
use crate::store::polling as pst;
use crate::store::{Store, Tx, now_ms};

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

/// The places on the formal list of a post: its seats and the profile's largest margin.
pub fn places(e: &Election, profile: &RuleProfile, post: Post) -> u32 {
    let seats = match post {
        Post::Chair => e.seats_chair,
        Post::ViceChair => e.seats_vice_chair,
        Post::Member => e.seats_member,
    };
    u32::try_from(seats).unwrap_or(0).saturating_add(profile.margin(post).max)
}

/// Where each post stands after the counted primary rounds (posts no primary round has held
/// are absent). `counts` are the election's counts, in round order.
fn standings(counts: &[cst::CountRow]) -> HashMap<Post, Standing> {
    crate::law::primary::standings(counts.iter().filter(|c| c.round.is_primary()).filter_map(cst::CountRow::primary))
}

async fn sheet(
    tx: &mut Tx,
    profile: &RuleProfile,
    post: Post,
    places: u32,
    nominees: &[&NominationRow],
) -> Result<PostSheet> {
    let entries: Vec<ListEntry> = nominees.iter().map(|n| list_entry(n)).collect();
    let ordered = order_candidates(&entries, profile.nomination.candidate_order);
    let mut candidates = Vec::new();
    for id in &ordered.ids {
        let Some(n) = nominees.iter().find(|n| n.id.to_string() == *id) else { continue };
        let r = crate::store::registry::resident(&mut *tx, n.nominee_id).await?.ok_or(ServiceError::NotFound)?;
        candidates.push(CandidateLine {
            id: candidate_id(n.id),
            resident_id: n.nominee_id,
            name: n.nominee_name.clone(),
            gender: r.gender,
        });
    }
    Ok(PostSheet { post, seats: places, candidates })
}

/// Opens a primary round during nominations: the first one on every post with more qualified
/// nominees than places, or a re-vote on every post whose last place is tied (LAW.md §5 [P]).
pub async fn open(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<BallotPaper> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let profile = e.plan.profile.clone();
    if !profile.nomination.primary_allowed {
        return Err(law("primary_not_allowed", "LAW.md §5 [P]", profile.name.clone()));
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Nominations {
        return Err(law("nominations_closed", "LAW.md §5", e.stage.to_string()));
    }
    let latest = pst::latest_poll(&mut tx, id).await?;
    let counts = cst::counts(&mut tx, id).await?;
    if let Some(p) = &latest {
        if p.status == "open" {
            return Err(ServiceError::Conflict("err.primary_open"));
        }
        if !counts.iter().any(|c| c.round == p.round) {
            return Err(ServiceError::Refused("err.not_counted"));
        }
    }
    let all = nst::for_election(&mut tx, id).await?;
    let standing = standings(&counts);
    let mut posts = Vec::new();
    for post in Post::ALL {
        let nominees = ready(&all, post);
        let places_here = places(&e, &profile, post);
        if latest.is_none() {
            if nominees.len() > places_here as usize {
                posts.push(sheet(&mut tx, &profile, post, places_here, &nominees).await?);
            }
        } else if let Some((tied, left)) = standing.get(&post).and_then(|s| s.open_tie.clone()) {
            let tied: Vec<&NominationRow> =
                nominees.iter().copied().filter(|n| tied.contains(&candidate_id(n.id))).collect();
            posts.push(sheet(&mut tx, &profile, post, left, &tied).await?);
        }
    }
    if posts.is_empty() {
        return Err(law("primary_not_needed", "LAW.md §5 [P]", ""));
    }
    let round = latest.map(|p| p.round.next()).unwrap_or(Round::FIRST_PRIMARY);
    if !round.is_primary() || !round.storable() {
        return Err(law("primary_rounds_exhausted", "LAW.md §5 [P]", ""));
    }
    let round_no = round.to_stored();
    let kind = if round == Round::FIRST_PRIMARY { "first" } else { "revote" };
    let paper = BallotPaper { round_no, kind: "primary".into(), posts, write_ins: false };
    let text = serde_json::to_string(&paper).map_err(|e| ServiceError::Internal(e.to_string()))?;
    pst::insert_poll(&mut tx, id, round, kind, &text, now_ms()).await?;
    let (seats, lists) = paper.logged();
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::PrimaryOpened,
        &format!("election:{id}"),
        json!({"round": round_no, "ordinal": round.ordinal(), "kind": kind, "posts": seats, "candidates": lists}),
    )
    .await?;
    tx.commit().await?;
    checkpoint_now(store, log, &election_log(id)).await?;
    Ok(paper)
}

/// Closes the open primary round: booths lock, the box is frozen, a checkpoint follows. The
/// stage stays `nominations`.
pub async fn close(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<Value> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    let poll = pst::latest_poll(&mut tx, id).await?.filter(|p| p.round.is_primary() && p.status == "open");
    let (Stage::Nominations, Some(poll)) = (e.stage, poll) else {
        return Err(ServiceError::Refused("err.polls_not_open"));
    };
    // The exclusive row lock: casts in flight (holding it shared) finish first.
    if !pst::close_poll(&mut tx, id, poll.round_no, now_ms()).await? {
        return Err(ServiceError::Conflict("err.stale"));
    }
    pst::lock_all_booths(&mut tx, id).await?;
    // Issue 12: no voter stays signed in past the close.
    crate::store::voter_sessions::end_in_tx(&mut tx, id, None).await?;
    let (issued, browser) = pst::round_totals(&mut tx, id, poll.round_no).await?;
    let mut payload = json!({"round": poll.round_no, "issued": issued, "browser_ballots": browser});
    // Issue 15 item 2: the box and the roll are committed in the log before any count.
    super::commitments::merge(&mut payload, super::commitments::at_close(&mut tx, id, poll.round_no).await?);
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::PrimaryClosed,
        &format!("election:{id}"),
        payload.clone(),
    )
    .await?;
    // Issue 15 item 6: the primary's box and roll forget the order of casting too.
    pst::forget_order(&mut tx, id, poll.round_no).await?;
    tx.commit().await?;
    checkpoint_now(store, log, &election_log(id)).await?;
    pst::forget_order_on_disk(store).await;
    Ok(payload)
}

/// Counts the closed primary round publicly, once every paper box is in (LAW.md §6, applied to
/// the primary): the box is published with its Merkle root, the result is the law engine's
/// (`law::primary`), and the log carries both hashes so `huanjie verify` recounts it.
pub async fn count(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<Value> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let poll = pst::latest_poll(store, id)
        .await?
        .filter(|p| p.round.is_primary() && p.status == "closed" && e.stage == Stage::Nominations)
        .ok_or(ServiceError::Refused("err.not_counting"))?;
    audit::require_witnessed_close(store, log, id).await?;
    let Counted { bx, result, r, root, mut payload } = count_box(store, &e, &poll, &[], "primary").await?;
    let crate::law::recount::Recount::Primary(counted) = &r else {
        return Err(ServiceError::Internal("a primary's box counted as another kind".into()));
    };
    payload["valid"] = json!(true);
    payload["posts"] = serde_json::to_value(&counted.posts).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Nominations {
        return Err(ServiceError::Conflict("err.stale"));
    }
    cst::insert_count(&mut tx, id, poll.round, &bx, &result, &root, now_ms())
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.counted") } else { e.into() })?;
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::CountAnnounced,
        &format!("election:{id}"),
        payload,
    )
    .await?;
    tx.commit().await?;
    checkpoint_now(store, log, &election_log(id)).await?;
    serde_json::to_value(&r).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// What the committee's page shows of the primary: each counted round's figures, and what
/// is still to do.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PrimaryView {
    /// The latest primary round: number, ordinal, status, counted.
    pub latest: Option<(i64, i64, String, bool)>,
    /// Counted rounds, in order: (ordinal, the result as announced).
    pub rounds: Vec<(i64, Value)>,
    /// Posts whose last place is still tied after the latest count.
    pub open_ties: Vec<Post>,
}

pub async fn view(store: &Store, id: i64) -> Result<PrimaryView> {
    let latest = pst::latest_poll(store, id).await?.filter(|p| p.round.is_primary());
    let counts: Vec<_> = cst::counts(store, id).await?.into_iter().filter(|c| c.round.is_primary()).collect();
    let mut rounds = Vec::with_capacity(counts.len());
    for c in &counts {
        let result = serde_json::to_value(&c.count).map_err(|e| ServiceError::Internal(e.to_string()))?;
        rounds.push((i64::from(c.round.ordinal()), result));
    }
    let tied = standings(&counts);
    let open_ties = Post::ALL.into_iter().filter(|p| tied.get(p).is_some_and(|s| s.open_tie.is_some())).collect();
    Ok(PrimaryView {
        latest: latest.map(|p| {
            let counted = counts.iter().any(|c| c.round == p.round);
            (p.round_no, i64::from(p.round.ordinal()), p.status, counted)
        }),
        rounds,
        open_ties,
    })
}
