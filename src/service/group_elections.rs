//! Residents' group elections (居民小组推选居民代表, LAW.md §4 [N 2018, P], §10 [N 2018]): for a
//! main election by the `representatives` method, each residents' group elects its 2–3
//! representatives in an election of kind `group` on the polling machinery — its roll the
//! group's voters, its candidates named when it opens, cast with voting codes or on paper, each
//! round counted by `law::group::count_group` (quorum and majority from the profile's
//! `meetings` settings), a tie at the last seat re-voted. Certified, its elected residents are
//! the group's representatives, from which the main election's registration builds its
//! electorate (`service::voters::register`). Recording the result of a group meeting held on
//! paper (`service::voters::set_group_representatives`) stays the alternative.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::access::{Permission, Staff};
use super::audit::LogIdentity;
use super::elections::{PlanInput, get, locked, today};
use super::lifecycle;
use super::{Result, ServiceError, invalid};
use crate::audit::EventKind;
use crate::domain::ballot::{BallotPaper, CandidateLine, PostSheet};
use crate::domain::{Election, ElectionKind, Round, Stage};
use crate::law::group::{GroupCount, GroupRound, count_group};
use crate::law::{Method, Post};
use crate::store::elections as est;
use crate::store::group_elections as gst;
use crate::store::polling as pst;
use crate::store::registry;
use crate::store::{Store, now_ms};

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

const RULE: &str = "LAW.md §4 [N 2018, P]";

/// How the group election's box and count name a candidate: `g<resident id>`.
fn candidate_id(resident_id: i64) -> String {
    format!("g{resident_id}")
}

fn resident_of(candidate: &str) -> Option<i64> {
    candidate.strip_prefix('g').and_then(|r| r.parse().ok())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct GroupElectionInput {
    /// The residents' group's number in the community.
    pub group_number: i64,
    /// Representatives to elect (the profile's `meetings.representatives_per_group_*`, 2–3).
    pub seats: i64,
    /// Residents of the group standing (at least `seats`).
    #[serde(default)]
    pub candidates: Vec<i64>,
    /// YYYY-MM-DD: the day of the group's vote.
    pub election_day: String,
}

/// The group election `id` with its row, refusing any other kind of election.
async fn group_of(store: &Store, staff: &Staff, id: i64) -> Result<(Election, gst::GroupElectionRow)> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    if e.kind != ElectionKind::Group {
        return Err(ServiceError::NotFound);
    }
    let g = gst::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    Ok((e, g))
}

/// The main election must be by the representatives method and its voter list not yet
/// published (LAW.md §4: the method and electorate are fixed at publication).
fn main_accepts(main: &Election) -> Result<()> {
    if main.method != Method::Representatives || !matches!(main.kind, ElectionKind::Regular | ElectionKind::ByElection)
    {
        return Err(law("not_representatives_method", "LAW.md §4", main.method.as_str()));
    }
    if main.stage > Stage::Registration {
        return Err(law("list_locked", "LAW.md §3 [N?]", main.stage.to_string()));
    }
    Ok(())
}

/// The street office opens a residents' group election for main election `main_id`: the
/// group, the seats (LAW.md §4 [N 2018, P]: 2–3), the candidates (residents of the group) and
/// the day; the plan (channels, stations, profile) is the main election's.
pub async fn open(store: &Store, staff: &Staff, main_id: i64, input: &GroupElectionInput) -> Result<i64> {
    let main = est::get(store, main_id).await?.ok_or(ServiceError::NotFound)?;
    staff.authorize_street_over(store, Permission::OpenElection, main.community_id).await?;
    main_accepts(&main)?;
    let profile = main.plan.profile.clone();
    let seats = u32::try_from(input.seats).unwrap_or(0);
    if !crate::law::recall::representatives_per_group_ok(seats, &profile) {
        return Err(law("representatives_per_group", RULE, input.seats.to_string()));
    }
    let mut candidates = input.candidates.clone();
    candidates.sort_unstable();
    candidates.dedup();
    if candidates.len() < seats as usize {
        return Err(law("group_too_few_candidates", RULE, format!("{} < {seats}", candidates.len())));
    }
    let plan = PlanInput {
        method: "direct".into(),
        seats_chair: 0,
        seats_vice_chair: 0,
        seats_member: input.seats,
        profile: profile.to_toml().map_err(|e| ServiceError::Internal(e.to_string()))?,
        election_day: input.election_day.clone(),
        channels: main.plan.channels.names().into_iter().map(str::to_string).collect(),
        remote_legal_basis: main.plan.remote_legal_basis.clone(),
        stations: main.plan.stations.clone(),
    };
    // Checked before anything is written (the group must exist in the main's community).
    let mut check = store.begin().await?;
    let group = registry::group_by_number(&mut check, main.community_id, input.group_number)
        .await?
        .ok_or(invalid("err.group_unknown", "group_number"))?;
    for rid in &candidates {
        let r = registry::resident(&mut check, *rid).await?.ok_or(invalid("err.relative_unknown", "candidates"))?;
        if r.community_id != main.community_id || r.group_id != Some(group.id) {
            return Err(invalid("err.not_in_group", "candidates"));
        }
    }
    drop(check);
    let extra = json!({"main_election_id": main_id, "group": input.group_number, "candidates": candidates});
    let (id, mut tx) = super::elections::open_in_round(
        store,
        staff,
        main.community_id,
        &main.round,
        ElectionKind::Group,
        &plan,
        extra,
    )
    .await?;
    gst::insert(&mut tx, id, main_id, group.id, input.seats, now_ms()).await?;
    for rid in &candidates {
        gst::insert_candidate(&mut tx, id, *rid).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// draft → list_published: the roll is the group's residents who are voters on the group
/// election's day (LAW.md §3, the same law engine as any registration, with the main
/// election's applications and incapacity confirmations); every candidate must be on it.
pub async fn publish_roll(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<RollPublished> {
    let (e, g) = group_of(store, staff, id).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let profile = e.plan.profile.clone();
    let requests: std::collections::HashMap<i64, String> =
        est::requests(store, g.main_election_id).await?.into_iter().collect();
    let incapable = super::electorate_facts::incapable(store, g.main_election_id).await?;
    let mut roll = Vec::new();
    for (r, _, _) in registry::all_residents(store, e.community_id).await? {
        if r.group_id != Some(g.group_id) {
            continue;
        }
        let Some(mut f) = super::voters::facts(&r, requests.get(&r.id).map(String::as_str)) else { continue };
        f.incapacity_confirmed = incapable.contains(&r.id);
        if crate::law::eligibility::check_voter(&f, e.plan.day, &profile).is_ok() {
            roll.push(r.id);
        }
    }
    for c in gst::candidates(store, id).await? {
        if !roll.contains(&c) {
            return Err(law("candidate_not_voter", "LAW.md §3, §4 [N 2018, P]", c.to_string()));
        }
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Draft {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → list_published", e.stage)));
    }
    for rid in &roll {
        est::upsert_voter(&mut tx, id, *rid, "group_voter", now_ms()).await?;
    }
    let rows = est::roll(&mut tx, id).await?;
    let fingerprint = super::voters::fingerprint(&rows);
    est::set_list_published(&mut tx, id, &today().to_string(), &fingerprint, now_ms()).await?;
    let out = RollPublished {
        from: e.stage.as_str(),
        sha256: fingerprint,
        to: Stage::ListPublished.as_str(),
        voters: rows.len(),
    };
    lifecycle::advance(
        &mut tx,
        &staff.actor(role),
        &e,
        Stage::ListPublished,
        EventKind::GroupRollPublished,
        super::payload(&out)?,
    )
    .await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(out)
}

/// A group election's roll published (the `group.roll_published` entry's payload).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RollPublished {
    pub from: &'static str,
    /// The roll's fingerprint.
    pub sha256: String,
    pub to: &'static str,
    pub voters: usize,
}

async fn paper(
    store: &Store,
    id: i64,
    round: Round,
    kind: &str,
    seats: u32,
    only: Option<&[String]>,
) -> Result<BallotPaper> {
    let mut lines = Vec::new();
    for rid in gst::candidates(store, id).await? {
        let cid = candidate_id(rid);
        if only.is_some_and(|o| !o.contains(&cid)) {
            continue;
        }
        let r = registry::resident(store, rid).await?.ok_or(ServiceError::NotFound)?;
        lines.push(CandidateLine { id: cid, resident_id: rid, name: r.name, gender: r.gender });
    }
    Ok(BallotPaper {
        round_no: round.to_stored(),
        kind: kind.into(),
        posts: vec![PostSheet { post: Post::Member, seats, candidates: lines }],
        write_ins: false,
    })
}

/// list_published → polling on the group election's day (LAW.md §6 [P]): the ballot lists the
/// candidates for the seats; voters cast with their voting codes or on paper as in any vote.
pub async fn open_polls(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<BallotPaper> {
    let (e, g) = group_of(store, staff, id).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if today() != e.plan.day {
        return Err(law("not_election_day", "LAW.md §6 [P]", e.plan.day.to_string()));
    }
    let seats = u32::try_from(g.seats).unwrap_or(0);
    let paper = paper(store, id, Round::FIRST_ELECTION, "first", seats, None).await?;
    let text = serde_json::to_string(&paper).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::ListPublished {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → polling", e.stage)));
    }
    pst::insert_poll(&mut tx, id, Round::FIRST_ELECTION, "first", &text, now_ms()).await?;
    let (posts, lists) = paper.logged();
    let payload = json!({"round": paper.round_no, "kind": paper.kind, "posts": posts, "candidates": lists});
    lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Polling, EventKind::PollsOpened, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(paper)
}

/// LAW.md §6: every paper box that issued ballots is entered before the count.
async fn boxes_pending(store: &Store, id: i64, round_no: i64) -> Result<Vec<String>> {
    let accepted: Vec<String> = pst::paper_boxes(store, id, round_no).await?.into_iter().map(|b| b.station).collect();
    let mut pending: Vec<String> = pst::turnout(store, id, round_no)
        .await?
        .into_iter()
        .filter(|(s, ch, n)| {
            *n > 0
                && matches!(ch.as_str(), "paper" | "mobile_box" | "proxy")
                && s != super::polling::REMOTE_STATION
                && !accepted.contains(s)
        })
        .map(|t| t.0)
        .collect();
    pending.dedup();
    Ok(pending)
}

/// Counts the closed round by `law::group::count_group` (LAW.md §4 [N 2018, P], §10 [N 2018]):
/// a ballot with more marks than seats, or declared invalid, gives no votes but is cast.
/// A round whose turnout is not above the quorum makes the group election void (nobody is
/// elected), in the same transaction and entry.
pub async fn count(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<GroupCount> {
    let (e, _) = group_of(store, staff, id).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if e.stage != Stage::Counting {
        return Err(ServiceError::Refused("err.not_counting"));
    }
    let poll = pst::latest_poll(store, id)
        .await?
        .filter(|p| p.status == "closed")
        .ok_or(ServiceError::Refused("err.not_counting"))?;
    super::audit::require_witnessed_close(store, log, id).await?;
    if gst::counts(store, id).await?.iter().any(|c| c.0 == poll.round_no) {
        return Err(ServiceError::Conflict("err.counted"));
    }
    let pending = boxes_pending(store, id, poll.round_no).await?;
    if !pending.is_empty() {
        return Err(law("paper_boxes_pending", "LAW.md §6 (all boxes counted together)", pending.join("、")));
    }
    super::commitments::check_before_count(store, &e, poll.round_no).await?;
    let sheet = poll.paper.posts.first().ok_or(ServiceError::NotFound)?;
    let mut rows = pst::box_ballots(store, id, poll.round_no).await?;
    rows.sort_by(|(a, _), (b, _)| a.station.cmp(&b.station).then(a.entry_no.cmp(&b.entry_no)).then(a.id.cmp(&b.id)));
    let mut votes: BTreeMap<&str, u64> = sheet.candidates.iter().map(|c| (c.id.as_str(), 0)).collect();
    let mut ballots = Vec::with_capacity(rows.len());
    for (_, b) in &rows {
        if !b.invalid && b.member.len() <= sheet.seats as usize {
            for m in &b.member {
                if let Some(v) = votes.get_mut(m.as_str()) {
                    *v += 1;
                }
            }
        }
        ballots.push(serde_json::to_value(b).map_err(|e| ServiceError::Internal(e.to_string()))?);
    }
    let voters = est::roll(store, id).await?.len() as u64;
    let round = GroupRound {
        voters,
        ballots_cast: rows.len() as u64,
        seats: sheet.seats,
        // In ballot order, so that the law engine's order among equals is the list's.
        votes: sheet
            .candidates
            .iter()
            .map(|c| (c.id.clone(), votes.get(c.id.as_str()).copied().unwrap_or(0)))
            .collect(),
    };
    let result = count_group(&round, &e.plan.profile);
    let bx =
        json!({"election": id, "round": poll.round_no, "voters": voters, "seats": sheet.seats, "ballots": ballots});
    let box_sha256 = hex::encode(Sha256::digest(bx.to_string().as_bytes()));
    let result_json = serde_json::to_string(&result).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut payload = json!({
        "round": poll.round_no, "ballots": rows.len(), "voters": voters, "box_sha256": box_sha256,
        "valid": result.valid, "votes": round.votes, "elected": result.elected, "tied": result.tied,
        "tied_seats": result.tied_seats, "unfilled": result.unfilled,
    });
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Counting {
        return Err(ServiceError::Conflict("err.stale"));
    }
    gst::insert_count(&mut tx, id, poll.round_no, &box_sha256, &result_json, now_ms())
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.counted") } else { e.into() })?;
    if result.valid {
        lifecycle::record(&mut tx, id, &staff.actor(role), EventKind::GroupCounted, payload).await?;
    } else {
        // LAW.md §4 [P, CQ Art. 34(3)]: below the quorum the group elects nobody.
        payload["void_reasons"] = json!(["quorum_missed"]);
        lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Void, EventKind::GroupCounted, payload).await?;
    }
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(result)
}

/// The counted rounds' results, in round order.
async fn results(store: &Store, id: i64) -> Result<Vec<(i64, GroupCount)>> {
    Ok(gst::counts(store, id).await?)
}

/// counting → runoff: the candidates tied at the last seat are re-voted for the tied seats
/// (LAW.md §7 [N?]); the new round's ballot lists only them.
pub async fn revote(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<BallotPaper> {
    let (e, _) = group_of(store, staff, id).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let poll = pst::latest_poll(store, id).await?.ok_or(ServiceError::NotFound)?;
    let last = results(store, id).await?.pop().filter(|(r, _)| *r == poll.round_no);
    let Some((_, last)) = last.filter(|(_, c)| c.tied_seats > 0) else {
        return Err(law("no_revote_pending", "LAW.md §7 [N?]", ""));
    };
    let round = poll.round.next();
    let paper = paper(store, id, round, "revote", last.tied_seats, Some(&last.tied)).await?;
    let text = serde_json::to_string(&paper).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Counting {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → runoff", e.stage)));
    }
    pst::insert_poll(&mut tx, id, round, "revote", &text, now_ms()).await?;
    let (posts, lists) = paper.logged();
    let payload = json!({"round": paper.round_no, "kind": paper.kind, "posts": posts, "candidates": lists});
    lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Runoff, EventKind::PollsOpened, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(paper)
}

/// counting → certified: once the last round is counted and no re-vote is pending, the
/// residents elected over the rounds become the group's representatives for the main
/// election (replacing any paper record for the group), in the same transaction and entry. The
/// main election's registration then builds its electorate from them (LAW.md §4 [N 2018, P]).
pub async fn certify(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<GroupCertified> {
    let (e, g) = group_of(store, staff, id).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let poll = pst::latest_poll(store, id).await?.ok_or(ServiceError::NotFound)?;
    let counted = results(store, id).await?;
    match counted.last() {
        Some((r, c)) if *r == poll.round_no && c.tied_seats == 0 => {}
        Some((r, _)) if *r == poll.round_no => return Err(law("revote_pending", "LAW.md §7 [N?]", "")),
        _ => return Err(ServiceError::Refused("err.not_counting")),
    }
    let residents: Vec<i64> =
        counted.iter().flat_map(|(_, c)| c.elected.iter().filter_map(|x| resident_of(x))).collect();
    if residents.is_empty() {
        return Err(law("nobody_elected", RULE, ""));
    }
    let unfilled = counted.last().map(|(_, c)| c.unfilled).unwrap_or(0);
    let group = registry::groups(store, e.community_id)
        .await?
        .into_iter()
        .find(|x| x.id == g.group_id)
        .map(|x| x.number)
        .unwrap_or_default();
    let mut tx = store.begin().await?;
    // The main election's lock first: its stage decides whether its electorate may change.
    let main = locked(&mut tx, g.main_election_id).await?;
    main_accepts(&main)?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Counting {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → certified", e.stage)));
    }
    gst::set_elected(&mut tx, g.main_election_id, g.group_id, id, &residents).await?;
    let out = GroupCertified {
        from: e.stage.as_str(),
        group,
        main_election_id: g.main_election_id,
        residents,
        to: Stage::Certified.as_str(),
        unfilled,
    };
    let payload = super::payload(&out)?;
    lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Certified, EventKind::GroupCertified, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(out)
}

/// A group election certified: its elected are the group's representatives (the
/// `group.certified` entry's payload).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupCertified {
    pub from: &'static str,
    /// The residents' group's number.
    pub group: i64,
    pub main_election_id: i64,
    /// The representatives, by resident id.
    pub residents: Vec<i64>,
    pub to: &'static str,
    /// Seats left unfilled in the last round.
    pub unfilled: u32,
}

/// One counted round of a group election: its number and the law engine's result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupRoundResult {
    pub round: i64,
    #[serde(flatten)]
    pub count: GroupCount,
}

/// One group election as the staff reads it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupElectionView {
    pub id: i64,
    pub main_election_id: i64,
    pub group_number: i64,
    pub seats: i64,
    pub stage: String,
    pub election_day: String,
    pub candidates: Vec<CandidateLine>,
    pub rounds: Vec<GroupRoundResult>,
    /// Residents elected so far over the rounds.
    pub elected: Vec<i64>,
    /// The counted rounds, typed, for the staff page (the API shows `rounds`).
    #[serde(skip)]
    pub counted: Vec<(i64, GroupCount)>,
    /// The latest round's (stored round number, status `open`/`closed`), if polls ever opened.
    #[serde(skip)]
    pub latest_round: Option<(i64, String)>,
    /// The group's voters (0 before the roll is published).
    #[serde(skip)]
    pub voters: usize,
}

impl GroupElectionView {
    /// The steps the staff page offers on this group election now (for who may run it):
    /// `draft` publish the roll, `list_published` open the polls, `polling`/`runoff` the polling
    /// page (check-in, close), `counting` count the closed round, then re-vote a tie at the
    /// last seat or certify (LAW.md §4 [N 2018, P], §7 [N?]).
    pub fn actions(&self) -> Vec<crate::domain::Action> {
        use crate::domain::Action as A;
        let last = self.counted.last();
        let latest = self.latest_round.as_ref();
        let counted_latest = matches!((last, latest), (Some((r, _)), Some((l, _))) if r == l);
        match self.stage.as_str() {
            "draft" => vec![A::PublishList],
            "list_published" => vec![A::OpenPolls],
            "polling" | "runoff" => vec![A::ToPolling],
            "counting" if !counted_latest => vec![A::ToPolling, A::Count],
            "counting" if last.is_some_and(|(_, c)| c.tied_seats > 0) => vec![A::NextRound],
            "counting" => vec![A::CertifyGroup],
            _ => Vec::new(),
        }
    }
}

async fn view_of(store: &Store, e: &Election, g: &gst::GroupElectionRow) -> Result<GroupElectionView> {
    let sheet = paper(store, e.id, Round::FIRST_ELECTION, "first", 0, None).await?;
    let counted = results(store, e.id).await?;
    let latest_round = pst::latest_poll(store, e.id).await?.map(|p| (p.round_no, p.status));
    let voters = est::roll(store, e.id).await?.len();
    let group_number = registry::groups(store, e.community_id)
        .await?
        .into_iter()
        .find(|x| x.id == g.group_id)
        .map(|x| x.number)
        .unwrap_or_default();
    Ok(GroupElectionView {
        id: e.id,
        main_election_id: g.main_election_id,
        group_number,
        seats: g.seats,
        stage: e.stage.to_string(),
        election_day: e.plan.day.to_string(),
        candidates: sheet.posts.into_iter().flat_map(|p| p.candidates).collect(),
        elected: counted.iter().flat_map(|(_, c)| c.elected.iter().filter_map(|x| resident_of(x))).collect(),
        rounds: counted.iter().cloned().map(|(round, count)| GroupRoundResult { round, count }).collect(),
        counted,
        latest_round,
        voters,
    })
}

/// The group election `id`.
pub async fn view(store: &Store, staff: &Staff, id: i64) -> Result<GroupElectionView> {
    let (e, g) = group_of(store, staff, id).await?;
    view_of(store, &e, &g).await
}

/// A recorded representative of the main election and where the record came from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Representative {
    pub group_id: i64,
    pub resident_id: i64,
    /// The certified group election that elected them; None: a group meeting recorded on paper.
    pub group_election_id: Option<i64>,
}

/// A main election's group elections and its recorded representatives.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MainView {
    pub group_elections: Vec<GroupElectionView>,
    pub representatives: Vec<Representative>,
}

/// The group elections held for main election `main_id` and the representatives recorded.
pub async fn for_main(store: &Store, staff: &Staff, main_id: i64) -> Result<MainView> {
    let main = get(store, staff, main_id, Permission::RunElection).await?;
    let mut group_elections = Vec::new();
    for g in gst::for_main(store, main.id).await? {
        let e = est::get(store, g.election_id).await?.ok_or(ServiceError::NotFound)?;
        group_elections.push(view_of(store, &e, &g).await?);
    }
    let representatives = gst::representatives(store, main.id)
        .await?
        .into_iter()
        .map(|(group_id, resident_id, group_election_id)| Representative { group_id, resident_id, group_election_id })
        .collect();
    Ok(MainView { group_elections, representatives })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Action as A;

    fn view(stage: &str, counted: &[(i64, u32)], latest: Option<(i64, &str)>) -> GroupElectionView {
        let count = |tied_seats: u32| GroupCount {
            ballots_cast: 2,
            elected: Vec::new(),
            quorum_needed: 2,
            tied: Vec::new(),
            tied_seats,
            unfilled: 0,
            valid: true,
            voters: 3,
            votes_needed: 2,
        };
        GroupElectionView {
            id: 1,
            main_election_id: 2,
            group_number: 1,
            seats: 2,
            stage: stage.into(),
            election_day: "2026-12-31".into(),
            candidates: Vec::new(),
            rounds: Vec::new(),
            elected: Vec::new(),
            counted: counted.iter().map(|(r, t)| (*r, count(*t))).collect(),
            latest_round: latest.map(|(r, s)| (r, s.to_string())),
            voters: 3,
        }
    }

    /// LAW.md §4 [N 2018, P], §7 [N?]: the page offers one next step — the count of a closed
    /// round not yet counted, then a re-vote of a tie at the last seat, else certification.
    #[test]
    fn the_group_page_offers_the_one_next_step_law_4_p() {
        assert_eq!(view("draft", &[], None).actions(), vec![A::PublishList]);
        assert_eq!(view("list_published", &[], None).actions(), vec![A::OpenPolls]);
        assert_eq!(view("polling", &[], Some((1, "open"))).actions(), vec![A::ToPolling]);
        assert_eq!(view("counting", &[], Some((1, "closed"))).actions(), vec![A::ToPolling, A::Count]);
        assert_eq!(view("counting", &[(1, 1)], Some((1, "closed"))).actions(), vec![A::NextRound]);
        assert_eq!(view("counting", &[(1, 1)], Some((2, "closed"))).actions(), vec![A::ToPolling, A::Count]);
        assert_eq!(view("counting", &[(1, 1), (2, 0)], Some((2, "closed"))).actions(), vec![A::CertifyGroup]);
        assert!(view("certified", &[(1, 0)], Some((1, "closed"))).actions().is_empty());
        assert!(view("void", &[(1, 0)], Some((1, "closed"))).actions().is_empty());
    }
}
