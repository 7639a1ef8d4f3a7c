//! Polling (LAW.md §6): opening and closing the polls, check-in at a station (paper, mobile box,
//! proxy, booth), booths, browser casting (remote and booth) through the group-commit writer,
//! paper ballot entry by two clerks, live turnout. Every channel marks the same roll with the
//! same conditional insert, so a voter gets one ballot per round whatever mix of channels
//! they try (DESIGN.md "Ballot secrecy").

use serde::Serialize;
use serde_json::json;

use super::access::{Permission, Staff};
use super::audit::{self, LogIdentity};
use super::cast::{Admission, BallotWriter, CastContext, CastRequest, Receipt, Refusal};
use super::elections::locked;
use super::elections::{get, today};
use super::lifecycle;
use super::{Result, ServiceError, invalid};
use crate::audit::{EventKind, election_log};
use crate::domain::ballot::{BallotPaper, CandidateLine, Marks, PostSheet, Source, encode};
use crate::domain::records::NominationStatus;
use crate::domain::{Election, Role, Round, Stage, Station};
use crate::law::Post;
use crate::law::ballot::{Channel, write_in_reads_as};
use crate::store::elections as est;
use crate::store::polling::{self as st, PollRow};
use crate::store::{Store, Tx, now_ms, registry};

/// Where ballots cast on the voter's own phone are counted (a station of its own).
pub const REMOTE_STATION: &str = "remote";
/// The central election meeting (LAW.md §6), when the plan names no fixed station.
pub const CENTRAL_STATION: &str = "中心会场";

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

pub fn stations(e: &Election) -> Vec<Station> {
    let mut list = e.plan.stations.clone();
    if !list.iter().any(|s| !s.mobile) {
        list.insert(0, Station { name: CENTRAL_STATION.into(), mobile: false, supervisors: Vec::new() });
    }
    list
}

pub fn channel_enabled(e: &Election, channel: &str) -> bool {
    // Proxy voting is the law's own (LAW.md §6 [N]); the plan enables the other channels.
    Channel::parse(channel).is_some_and(|c| c == Channel::Proxy || e.plan.channels.contains(c))
}

/// The current round and its ballot paper.
pub async fn current(store: &Store, election_id: i64) -> Result<Option<(PollRow, BallotPaper)>> {
    match st::latest_poll(store, election_id).await? {
        Some(p) => {
            let paper = p.paper.clone();
            Ok(Some((p, paper)))
        }
        None => Ok(None),
    }
}

/// The ballot paper of the first round from the formal candidate list (`genders` by resident).
fn paper_from(
    e: &Election,
    noms: &[crate::store::nominations::NominationRow],
    gender: impl Fn(i64) -> String,
) -> BallotPaper {
    let mut posts = Vec::new();
    for (post, seats) in
        [(Post::Chair, e.seats_chair), (Post::ViceChair, e.seats_vice_chair), (Post::Member, e.seats_member)]
    {
        let mut on: Vec<_> =
            noms.iter().filter(|n| n.post == post && n.status == NominationStatus::Candidate).collect();
        on.sort_by_key(|n| (n.list_order, n.id));
        let candidates = on
            .into_iter()
            .map(|n| CandidateLine {
                id: crate::domain::ballot::candidate_id(n.id),
                resident_id: n.nominee_id,
                name: n.nominee_name.clone(),
                gender: gender(n.nominee_id),
            })
            .collect();
        posts.push(PostSheet { post, seats: u32::try_from(seats).unwrap_or(0), candidates });
    }
    BallotPaper { round_no: 1, kind: "first".into(), posts, write_ins: true }
}

async fn first_paper(tx: &mut Tx, e: &Election) -> Result<BallotPaper> {
    let noms = crate::store::nominations::for_election(&mut *tx, e.id).await?;
    let mut genders = std::collections::HashMap::new();
    for n in noms.iter().filter(|n| n.status == NominationStatus::Candidate) {
        let r = crate::store::registry::resident(&mut *tx, n.nominee_id).await?.ok_or(ServiceError::NotFound)?;
        genders.insert(n.nominee_id, r.gender);
    }
    Ok(paper_from(e, &noms, |id| genders.get(&id).cloned().unwrap_or_default()))
}

/// The ballot to print: the open round's, or before the polls open the one the published
/// candidate list makes (ballots are printed before election day).
pub async fn printable_paper(store: &Store, staff: &Staff, id: i64) -> Result<(Election, BallotPaper)> {
    let e = get(store, staff, id, Permission::ConductPolling).await?;
    if let Some((_, paper)) = current(store, id).await? {
        return Ok((e, paper));
    }
    if e.stage < Stage::CandidatesPublished {
        return Err(law("list_not_published", "LAW.md §5 [P]", e.stage.to_string()));
    }
    let noms = crate::store::nominations::for_election(store, id).await?;
    let mut genders = std::collections::HashMap::new();
    for n in noms.iter().filter(|n| n.status == NominationStatus::Candidate) {
        if let Some(r) = crate::store::registry::resident(store, n.nominee_id).await? {
            genders.insert(n.nominee_id, r.gender);
        }
    }
    let paper = paper_from(&e, &noms, |rid| genders.get(&rid).cloned().unwrap_or_default());
    Ok((e, paper))
}

/// The ballot of a recall vote (LAW.md §9): one line, agree or disagree to recall the member;
/// only once the member's written answer is published.
async fn recall_paper(tx: &mut Tx, id: i64) -> Result<BallotPaper> {
    let r = crate::store::recall::recall(&mut *tx, id).await?.ok_or(ServiceError::NotFound)?;
    if r.answer_on.is_none() {
        return Err(law("answer_not_published", "LAW.md §9 [N?, P]", ""));
    }
    let line = |id: &str, name: String| CandidateLine { id: id.into(), resident_id: 0, name, gender: String::new() };
    Ok(BallotPaper {
        round_no: 1,
        kind: "recall".into(),
        posts: vec![PostSheet {
            post: Post::Member,
            seats: 1,
            candidates: vec![
                line("yes", format!("同意罢免 {}", r.member_name)),
                line("no", format!("不同意罢免 {}", r.member_name)),
            ],
        }],
        write_ins: false,
    })
}

/// candidates_published → polling (a recall: list_published → polling), on election day
/// (LAW.md §6 [P]: the vote is held on the day the plan fixed). The ballot paper is fixed here;
/// a checkpoint follows.
pub async fn open_polls(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<BallotPaper> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let day = e.plan.day;
    if today() != day {
        return Err(law("not_election_day", "LAW.md §6 [P]", day.to_string()));
    }
    let recall = e.is_recall();
    let from = if recall { Stage::ListPublished } else { Stage::CandidatesPublished };
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != from {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → polling", e.stage)));
    }
    let paper = if recall { recall_paper(&mut tx, id).await? } else { first_paper(&mut tx, &e).await? };
    let text = serde_json::to_string(&paper).map_err(|e| ServiceError::Internal(e.to_string()))?;
    st::insert_poll(&mut tx, id, Round::FIRST_ELECTION, "first", &text, now_ms()).await?;
    let (seats, lists) = paper.logged();
    let payload = json!({"round": 1, "kind": paper.kind, "posts": seats, "candidates": lists});
    lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Polling, EventKind::PollsOpened, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(paper)
}

/// polling → counting: the round closes, booths lock, the box is frozen (the table refuses
/// changes; nothing more can be cast), and a checkpoint is signed at the close of polls.
pub async fn close_polls(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<serde_json::Value> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    let from = e.stage;
    if !matches!(from, Stage::Polling | Stage::Runoff) {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → counting", e.stage)));
    }
    let poll = st::latest_poll(&mut tx, id).await?.ok_or(ServiceError::NotFound)?;
    // Takes the exclusive row lock: casts in flight (holding it shared) finish first.
    if !st::close_poll(&mut tx, id, poll.round_no, now_ms()).await? {
        return Err(ServiceError::Conflict("err.stale"));
    }
    st::lock_all_booths(&mut tx, id).await?;
    // Issue 12: no voter stays signed in past the close.
    crate::store::voter_sessions::end_in_tx(&mut tx, id, None).await?;
    // Read after the close in the same transaction: every cast that got in has committed (it
    // held the row shared), and none can follow, so the figures are final.
    let (issued, browser) = st::round_totals(&mut tx, id, poll.round_no).await?;
    let mut payload = json!({"round": poll.round_no, "issued": issued, "browser_ballots": browser});
    // Issue 15 item 2: the box and the roll are committed in the log before any count.
    super::commitments::merge(&mut payload, super::commitments::at_close(&mut tx, id, poll.round_no).await?);
    let payload =
        lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Counting, EventKind::PollsClosed, payload).await?;
    // Issue 15 item 6: the box and the roll forget the order of casting (then the file, below).
    st::forget_order(&mut tx, id, poll.round_no).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    st::forget_order_on_disk(store).await;
    Ok(payload)
}

/// The open round, or a 403 naming why casting is refused.
async fn open_round(store: &Store, e: &Election) -> Result<(PollRow, BallotPaper)> {
    // During nominations the only round there can be is the nomination primary's.
    let primary_stage = e.stage == Stage::Nominations;
    if !primary_stage && !matches!(e.stage, Stage::Polling | Stage::Runoff) {
        return Err(ServiceError::Refused("err.polls_not_open"));
    }
    match current(store, e.id).await? {
        Some((p, paper)) if p.status == "open" && p.round.is_primary() == primary_stage => Ok((p, paper)),
        _ => Err(ServiceError::Refused("err.polls_not_open")),
    }
}

/// LAW.md §5 [P]: no proxies and no mobile boxes in nomination (the primary is part of it).
fn primary_refuses(round: Round, channel: &str) -> Result<()> {
    if round.is_primary() && matches!(channel, "proxy" | "mobile_box") {
        return Err(law("channel_not_in_nomination", "LAW.md §5 [P]", channel.to_string()));
    }
    Ok(())
}

/// A check-in at a station: the clerk finds the voter, marks the roll, and hands over a paper
/// ballot (or unlocks a booth). `proxy_id`: an approved proxy receives the principal's ballot.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct CheckIn {
    pub resident_id: i64,
    /// `paper`, `mobile_box`, `booth` or `proxy`.
    pub channel: String,
    pub station: String,
    #[serde(default)]
    pub booth_id: Option<i64>,
    #[serde(default)]
    pub proxy_id: Option<i64>,
    /// LAW.md §6 [P]: the resident who writes the ballot for a voter who cannot write (代写),
    /// recorded on the roll row, never on the ballot. Paper and mobile-box ballots only.
    #[serde(default)]
    pub assisted_by: Option<i64>,
}

async fn approved_proxy(store: &Store, election_id: i64, principal: i64, proxy: i64) -> Result<bool> {
    let approved = est::proxies(store, election_id)
        .await?
        .iter()
        .any(|p| p.principal_id == principal && p.proxy_id == proxy && p.status == "approved");
    // LAW.md §6 [P]: re-checked at use (issue 16 item 4).
    Ok(approved && super::proxies::lawful_at_use(store, election_id, principal, proxy).await?)
}

pub async fn check_in(store: &Store, staff: &Staff, id: i64, c: &CheckIn) -> Result<()> {
    let e = get(store, staff, id, Permission::ConductPolling).await?;
    let role = staff.authorize(store, Permission::ConductPolling, e.community_id).await?;
    let (poll, _) = open_round(store, &e).await?;
    let station = stations(&e).into_iter().find(|s| s.name == c.station).ok_or(invalid("err.station", "station"))?;
    let channel: &'static str = match c.channel.as_str() {
        "paper" if !station.mobile => "paper",
        "mobile_box" if station.mobile => "mobile_box",
        "booth" if !station.mobile => "booth",
        "proxy" => "proxy",
        _ => return Err(invalid("err.channel", "channel")),
    };
    if !channel_enabled(&e, channel) {
        return Err(ServiceError::Refused("err.channel_disabled"));
    }
    primary_refuses(poll.round, channel)?;
    if !est::is_voter(store, id, c.resident_id).await? {
        return Err(invalid("err.not_voter", "resident_id"));
    }
    // LAW.md §6 [N]: the proxy holds the principal's written, approved authorisation.
    let proxy_id = match (channel, c.proxy_id) {
        ("proxy", Some(p)) if approved_proxy(store, id, c.resident_id, p).await? => Some(p),
        ("proxy", _) => return Err(law("proxy_not_approved", "LAW.md §6 [N]", "")),
        _ => None,
    };
    // LAW.md §6 [P]: the writer of an assisted ballot is a resident of the community, not the voter.
    if let Some(a) = c.assisted_by {
        let ok = channel == "paper" || channel == "mobile_box";
        let r = registry::resident(store, a).await?;
        if !ok || a == c.resident_id || r.is_none_or(|r| r.community_id != e.community_id) {
            return Err(invalid("err.relative_unknown", "assisted_by"));
        }
    }
    let mut tx = store.begin().await?;
    if !st::hold_open(&mut tx, id, poll.round_no).await? {
        return Err(ServiceError::Refused("err.polls_not_open"));
    }
    if channel == "booth" {
        let booth_id = c.booth_id.ok_or(invalid("err.booth", "booth_id"))?;
        let b = st::booth(&mut tx, booth_id).await?.ok_or(invalid("err.booth", "booth_id"))?;
        if b.election_id != id || b.station != station.name {
            return Err(invalid("err.booth", "booth_id"));
        }
        if !st::unlock_booth(&mut tx, booth_id, poll.round_no).await? {
            return Err(ServiceError::Conflict("err.booth_busy"));
        }
    }
    if !st::mark_roll(&mut tx, id, poll.round_no, c.resident_id, channel, &station.name, proxy_id).await? {
        return Err(ServiceError::Conflict("err.already_voted"));
    }
    if let Some(a) = c.assisted_by {
        st::mark_assisted(&mut tx, id, poll.round_no, c.resident_id, a).await?;
    }
    // No voter in the log: the roll holds who; the public log holds that a ballot was issued.
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::BallotIssued,
        &format!("election:{id}"),
        json!({"round": poll.round_no, "channel": channel, "station": station.name}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A voter as the clerk sees them at check-in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VoterAtDesk {
    pub resident_id: i64,
    pub name: String,
    pub id_masked: String,
    pub group_number: Option<i64>,
    /// The check-in number on their card (none before the cards are issued).
    pub checkin_no: Option<i64>,
    /// How they already received a ballot in this round, if they did.
    pub voted: Option<st::Participation>,
    /// Approved proxies for this voter (LAW.md §6).
    pub proxies: Vec<(i64, String)>,
}

/// The most voters one check-in search shows: a longer list means the clerk should type more.
pub const FIND_LIMIT: usize = 20;

/// What a clerk typed at check-in, and whether a voter answers to it (issue 13 item 9): part of
/// the name; the last digits (at least four) or all of the ID number; or the check-in number on
/// the card. Never the voting code: the code is the voter's secret, and a clerk who could look
/// voters up by it could also try codes (LAW.md §6 [N?]: the ballot is secret).
pub fn desk_match(v: &est::VoterRow, query: &str) -> bool {
    let q = query.trim();
    if q.is_empty() {
        return false;
    }
    let upper = q.to_ascii_uppercase();
    let digits = upper.chars().all(|c| c.is_ascii_digit() || c == 'X');
    if digits {
        let by_number = q.parse::<i64>().ok().is_some_and(|n| v.checkin_no == Some(n));
        let by_id = upper.len() >= 4 && v.id_number.to_ascii_uppercase().ends_with(&upper);
        return by_number || by_id;
    }
    v.name.contains(q)
}

/// Finds voters by part of the name, the last digits of the ID number, or the check-in number
/// on their card; at most [`FIND_LIMIT`] (and whether there were more).
pub async fn find_voters(store: &Store, staff: &Staff, id: i64, query: &str) -> Result<(Vec<VoterAtDesk>, bool)> {
    let _ = get(store, staff, id, Permission::ConductPolling).await?;
    let query = query.trim();
    if query.is_empty() || query.chars().count() > 80 {
        return Ok((Vec::new(), false));
    }
    let round = st::latest_poll(store, id).await?.map(|p| p.round_no).unwrap_or(1);
    let roll = est::roll(store, id).await?;
    let proxies = est::proxies(store, id).await?;
    let matching: Vec<&est::VoterRow> = roll.iter().filter(|v| desk_match(v, query)).collect();
    let more = matching.len() > FIND_LIMIT;
    let mut out = Vec::new();
    for v in matching.into_iter().take(FIND_LIMIT) {
        out.push(VoterAtDesk {
            resident_id: v.resident_id,
            name: v.name.clone(),
            id_masked: super::registry::mask(&v.id_number),
            group_number: v.group_number,
            checkin_no: v.checkin_no,
            voted: st::participation_of(store, id, round, v.resident_id).await?,
            proxies: proxies
                .iter()
                .filter(|p| p.principal_id == v.resident_id && p.status == "approved")
                .map(|p| (p.proxy_id, p.proxy_name.clone()))
                .collect(),
        });
    }
    Ok((out, more))
}

/// (election, resident) for a voting code as typed, as pasted from the card's QR link
/// (`https://host/vote#code=<code>`, issue 13), or in the older cards' form `HJ:<election>:<code>`.
pub async fn voter_by_code(store: &Store, key: &[u8], code: &str) -> Result<Option<(i64, i64)>> {
    let raw = code.trim();
    let raw = raw.rsplit_once("#code=").map_or(raw, |(_, c)| c);
    let raw = match raw.strip_prefix("HJ:").and_then(|r| r.split_once(':')) {
        Some((_, c)) => c,
        None => raw,
    };
    let letters = raw.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    if letters != 20 {
        return Ok(None);
    }
    Ok(est::by_code(store, &super::voters::code_hash(key, raw)).await?)
}

/// Sets up a booth tablet at a station; the token goes to the tablet's browser only.
/// `on_this_device`: the staff session of the browser that becomes the booth (its keyed hash),
/// ended in the same transaction (issue 12: the booth is a kiosk; a voter in it must find no
/// clerk signed in). The API, which hands the token to another device, passes `None`.
pub async fn register_booth(
    store: &Store,
    staff: &Staff,
    id: i64,
    station: &str,
    name: &str,
    on_this_device: Option<&[u8]>,
) -> Result<(i64, String)> {
    let e = get(store, staff, id, Permission::ConductPolling).await?;
    let role = staff.authorize(store, Permission::ConductPolling, e.community_id).await?;
    let station =
        stations(&e).into_iter().find(|s| s.name == station && !s.mobile).ok_or(invalid("err.station", "station"))?;
    if !channel_enabled(&e, "booth") {
        return Err(ServiceError::Refused("err.channel_disabled"));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 30 {
        return Err(invalid("err.title", "name"));
    }
    let token = hex::encode(rand::random::<[u8; 32]>());
    let mut tx = store.begin().await?;
    let booth_id = st::insert_booth(&mut tx, id, &station.name, name, &booth_hash(&token), now_ms())
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.duplicate") } else { e.into() })?;
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::BoothRegistered,
        &format!("election:{id}"),
        json!({"booth_id": booth_id, "station": station.name, "name": name, "staff_signed_out": on_this_device.is_some()}),
    )
    .await?;
    if let Some(session) = on_this_device {
        crate::store::users::delete_session(&mut tx, session).await?;
    }
    tx.commit().await?;
    Ok((booth_id, token))
}

pub fn booth_hash(token: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

/// Resolves write-in names (另选他人) to registered voters of this election: a name held by
/// exactly one voter is that voter; any other name is an unreadable mark that voids only
/// itself (LAW.md §6 [P]).
async fn resolve_write_ins(
    store: &Store,
    election_id: i64,
    marks: &Marks,
) -> Result<Vec<(Post, String, Option<String>)>> {
    let mut out = Vec::new();
    for post in Post::ALL {
        for name in marks.written_in(post) {
            let found = st::voters_named(store, election_id, name).await?;
            let id =
                if found.len() == 1 { found.first().map(|f| crate::domain::ballot::write_in_id(f.0)) } else { None };
            out.push((post, name.clone(), id));
        }
    }
    Ok(out)
}

/// The write-ins of checked marks as (post, name, the one voter bearing the name).
pub async fn written_in_residents(
    store: &Store,
    election_id: i64,
    marks: &Marks,
) -> Result<Vec<(Post, String, Option<i64>)>> {
    Ok(resolve_write_ins(store, election_id, marks)
        .await?
        .into_iter()
        .map(|(p, n, id)| (p, n, id.and_then(|i| i.strip_prefix('r').and_then(|r| r.parse().ok()))))
        .collect())
}

/// Checks and encodes a ballot for the box.
pub async fn encode_ballot(
    store: &Store,
    e: &Election,
    paper: &BallotPaper,
    marks: &Marks,
    source: Source,
) -> Result<String> {
    let checked = paper.check(marks, source).map_err(|err| invalid("err.ballot", err.field()))?;
    let resolved = resolve_write_ins(store, e.id, &checked.marks).await?;
    Ok(encode(&checked, |post, name| {
        let id = resolved.iter().find(|(p, n, _)| *p == post && n == name).and_then(|(_, _, id)| id.clone())?;
        // LAW.md §6 [P], §7: naming a listed candidate of this post is a vote for them (issue 16 item 6).
        let resident = id.strip_prefix('r').and_then(|r| r.parse::<i64>().ok());
        let lines = paper.posts.iter().filter(|s| s.post == post).flat_map(|s| &s.candidates);
        match resident.and_then(|r| write_in_reads_as(lines.map(|c| (c.resident_id, c.id.as_str())), r)) {
            Some(candidate) => Some(candidate.to_string()),
            None => Some(id),
        }
    }))
}

/// How the write-ins of a ballot would be read, for the voter's review step.
pub async fn preview_write_ins(store: &Store, e: &Election, marks: &Marks) -> Result<Vec<(Post, String, bool)>> {
    Ok(resolve_write_ins(store, e.id, marks).await?.into_iter().map(|(p, n, id)| (p, n, id.is_some())).collect())
}

fn refusal(r: Refusal) -> ServiceError {
    match r {
        Refusal::AlreadyVoted => ServiceError::Conflict("err.already_voted"),
        Refusal::PollsClosed => ServiceError::Refused("err.polls_not_open"),
        Refusal::BoothLocked => ServiceError::Refused("err.booth_locked"),
        Refusal::Busy => ServiceError::Conflict("err.busy"),
        Refusal::Failed => ServiceError::Internal("ballot batch failed".into()),
        Refusal::UnknownCode => ServiceError::Unauthenticated("err.voting_code"),
        Refusal::Credential => ServiceError::Conflict("err.e2e_credential"),
    }
}

/// The election's cast context: from the writer's short-lived cache, else read and cached
/// (only while a round is open).
async fn cast_context(
    store: &Store,
    writer: &BallotWriter,
    log_name: &str,
    election_id: i64,
) -> Result<std::sync::Arc<CastContext>> {
    if let Some(c) = writer.context(election_id) {
        return Ok(c);
    }
    let e = est::get(store, election_id).await?.ok_or(ServiceError::NotFound)?;
    let remote_ok = channel_enabled(&e, "remote") && e.plan.profile.clone().voting.remote_channel_allowed;
    let (poll, paper) = open_round(store, &e).await?;
    let e2e = super::e2e::round(store, log_name, election_id, &paper).await?;
    let ctx = std::sync::Arc::new(CastContext { election: e, poll, paper, remote_ok, e2e });
    writer.remember(election_id, ctx.clone());
    Ok(ctx)
}

/// A voter casts on their own phone (`remote`), for themselves or — as an approved proxy —
/// for a principal (LAW.md §6: a separate ballot per principal).
/// `credential`: in an end-to-end round, the credential of the card whose ballot this is (the
/// server derived it from the code at sign-in and kept it in memory only); without it the
/// ballot cannot be encrypted and signed, and the voter is asked to sign in again.
pub async fn cast_remote(
    store: &Store,
    writer: &BallotWriter,
    log_name: &str,
    voter: (i64, i64),
    principal: Option<i64>,
    marks: &Marks,
    credential: Option<&huanjie_crypto::credential::Credential>,
) -> Result<Receipt> {
    let (election_id, me) = voter;
    // A cached round the writer finds closed may be stale: once more with a fresh one.
    for attempt in 0..2 {
        let ctx = cast_context(store, writer, log_name, election_id).await?;
        if !ctx.remote_ok {
            return Err(ServiceError::Refused("err.channel_disabled"));
        }
        let admission = match principal {
            Some(p) if p != me => {
                primary_refuses(ctx.poll.round, "proxy")?;
                if !approved_proxy(store, election_id, p, me).await? {
                    return Err(law("proxy_not_approved", "LAW.md §6 [N]", ""));
                }
                Admission::Roll { resident_id: p, channel: "proxy", proxy_id: Some(me) }
            }
            _ => Admission::Roll { resident_id: me, channel: "remote", proxy_id: None },
        };
        let (content, e2e) = match (&ctx.e2e, credential) {
            (None, _) => (encode_ballot(store, &ctx.election, &ctx.paper, marks, Source::Browser).await?, None),
            (Some(round), Some(c)) => {
                let b = super::e2e_cast::encrypt_for_voter(store, &ctx.election, &ctx.paper, round, marks, c.clone())
                    .await?;
                (crate::domain::e2e::to_content(&b), Some(super::e2e_cast::cast_of(&b, true)))
            }
            (Some(_), None) => return Err(ServiceError::Refused("err.e2e_sign_in_again")),
        };
        let req = CastRequest {
            election_id,
            round_no: ctx.poll.round_no,
            admission,
            station: REMOTE_STATION.into(),
            content,
            e2e,
        };
        match writer.cast(req).await {
            Err(Refusal::PollsClosed) if attempt == 0 => writer.forget(election_id),
            Err(Refusal::PollsClosed) => {
                writer.forget(election_id);
                return Err(refusal(Refusal::PollsClosed));
            }
            other => return other.map_err(refusal),
        }
    }
    Err(refusal(Refusal::PollsClosed))
}

/// The JSON API's cast (`Authorization: Bearer <code>`, no proxy): the voter is found by the
/// code's keyed hash inside the writer's transaction, so a cast costs no query of its own.
/// What a cast carries: marks (plaintext rounds; in an end-to-end round the server encrypts
/// them for the voter), or a ballot the voter's device encrypted (hex of its bytes).
#[derive(Clone, Copy, Debug)]
pub enum BallotInput<'a> {
    Marks(&'a Marks),
    Encrypted(&'a str),
}

pub async fn cast_by_code(
    store: &Store,
    writer: &BallotWriter,
    log_name: &str,
    key: &[u8],
    election_id: i64,
    code: &str,
    input: BallotInput<'_>,
) -> Result<Receipt> {
    let raw = code.trim();
    let raw = match raw.strip_prefix("HJ:").and_then(|r| r.split_once(':')) {
        Some((_, c)) => c,
        None => raw,
    };
    if raw.chars().filter(|c| c.is_ascii_alphanumeric()).count() != 20 {
        return Err(ServiceError::Unauthenticated("err.voting_code"));
    }
    let hash = super::voters::code_hash(key, raw);
    for attempt in 0..2 {
        let ctx = cast_context(store, writer, log_name, election_id).await?;
        if !ctx.remote_ok {
            return Err(ServiceError::Refused("err.channel_disabled"));
        }
        let (content, e2e) = match (&ctx.e2e, input) {
            (None, BallotInput::Marks(marks)) => {
                (encode_ballot(store, &ctx.election, &ctx.paper, marks, Source::Browser).await?, None)
            }
            (None, BallotInput::Encrypted(_)) => return Err(invalid("err.e2e_off", "encrypted")),
            // Checked here, in the request, before the writer (issue 18 item 4).
            (Some(round), BallotInput::Encrypted(h)) => {
                let b = super::e2e_cast::check(round, h).await?;
                (crate::domain::e2e::to_content(&b), Some(super::e2e_cast::cast_of(&b, false)))
            }
            // The server saw the code: it encrypts and signs for the voter, and says so.
            (Some(round), BallotInput::Marks(marks)) => {
                let c = super::credentials::derive(log_name, election_id, raw);
                let b = super::e2e_cast::encrypt_for_voter(store, &ctx.election, &ctx.paper, round, marks, c).await?;
                (crate::domain::e2e::to_content(&b), Some(super::e2e_cast::cast_of(&b, true)))
            }
        };
        let admission = Admission::Code { hash: hash.clone(), channel: "remote" };
        let req = CastRequest {
            election_id,
            round_no: ctx.poll.round_no,
            admission,
            station: REMOTE_STATION.into(),
            content,
            e2e,
        };
        match writer.cast(req).await {
            Err(Refusal::PollsClosed) if attempt == 0 => writer.forget(election_id),
            other => {
                if matches!(other, Err(Refusal::PollsClosed)) {
                    writer.forget(election_id);
                }
                return other.map_err(refusal);
            }
        }
    }
    Err(refusal(Refusal::PollsClosed))
}

/// A booth tablet casts the one ballot it was unlocked for, then locks again.
pub async fn cast_booth(
    store: &Store,
    writer: &BallotWriter,
    log_name: &str,
    booth: &st::BoothRow,
    marks: &Marks,
) -> Result<Receipt> {
    let e = est::get(store, booth.election_id).await?.ok_or(ServiceError::NotFound)?;
    let (poll, paper) = open_round(store, &e).await?;
    if booth.unlocked_round != Some(poll.round_no) {
        return Err(ServiceError::Refused("err.booth_locked"));
    }
    // Issue 18: a booth ballot of an end-to-end round must be encrypted and signed, and the
    // booth's device key is not built yet (README, "what is not done"): refused rather than
    // a plaintext row in an encrypted box.
    if super::e2e::round(store, log_name, e.id, &paper).await?.is_some() {
        return Err(ServiceError::Refused("err.e2e_sign_in_again"));
    }
    let content = encode_ballot(store, &e, &paper, marks, Source::Browser).await?;
    let req = CastRequest {
        election_id: e.id,
        round_no: poll.round_no,
        admission: Admission::Booth { booth_id: booth.id },
        station: booth.station.clone(),
        content,
        e2e: None,
    };
    writer.cast(req).await.map_err(refusal)
}

/// Live figures for the committee: ballots issued per station and channel, ballots in the box
/// per station — counts only, nothing about content before the close (LAW.md §6).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Turnout {
    pub round_no: i64,
    /// A nomination primary's round as people count it (LAW.md §5 [P]).
    pub primary_ordinal: Option<i64>,
    pub status: String,
    pub electorate: i64,
    pub issued: Vec<(String, String, i64)>,
    pub issued_total: i64,
    pub in_box: Vec<(String, bool, i64)>,
    pub paper_boxes: Vec<st::PaperBoxRow>,
}

pub async fn turnout(store: &Store, staff: &Staff, id: i64) -> Result<Option<Turnout>> {
    let _ = get(store, staff, id, Permission::ConductPolling).await?;
    let Some(p) = st::latest_poll(store, id).await? else { return Ok(None) };
    let issued = st::turnout(store, id, p.round_no).await?;
    let issued_total = issued.iter().map(|t| t.2).sum();
    Ok(Some(Turnout {
        round_no: p.round_no,
        primary_ordinal: p.round.is_primary().then(|| i64::from(p.round.ordinal())),
        status: p.status.clone(),
        electorate: i64::try_from(est::roll(store, id).await?.len()).unwrap_or(0),
        issued,
        issued_total,
        in_box: st::box_counts(store, id, p.round_no).await?,
        paper_boxes: st::paper_boxes(store, id, p.round_no).await?,
    }))
}

/// The participation roll (who received a ballot, by channel — never what they voted): the
/// committee and observers (issue 4, observer portal).
pub async fn participation_roll(store: &Store, staff: &Staff, id: i64) -> Result<Vec<st::RollLine>> {
    let _ = get(store, staff, id, Permission::ReadRegistry).await?;
    let Some(p) = st::latest_poll(store, id).await? else { return Ok(Vec::new()) };
    Ok(st::participation_roll(store, id, p.round_no).await?)
}

// ---- paper ballots, entered twice after the close ----

/// The closed round whose paper boxes are being entered: an election round while counting, or
/// the nomination primary's during nominations.
async fn counting_round(store: &Store, e: &Election) -> Result<PollRow> {
    let primary_stage = e.stage == Stage::Nominations;
    if !primary_stage && e.stage != Stage::Counting {
        return Err(ServiceError::Refused("err.not_counting"));
    }
    st::latest_poll(store, e.id)
        .await?
        .filter(|p| p.status == "closed" && p.round.is_primary() == primary_stage)
        .ok_or(ServiceError::Refused("err.not_counting"))
}

fn paper_station(e: &Election, name: &str) -> Result<Station> {
    stations(e).into_iter().find(|s| s.name == name).ok_or(invalid("err.station", "station"))
}

/// A clerk enters one paper ballot of a box as marked (`seq` None: the next one), or corrects
/// ballot `seq` of their own pass. The two passes must be by different clerks: the count is
/// public and checked (LAW.md §6 公开唱票、计票 [N?]), and LAW.md names no way of copying paper
/// ballots, so the project's own control (DESIGN.md, polling: double entry by two clerks) is
/// enforced as a practice rule [P] — one clerk's misreading shows up only against another's.
pub async fn enter_paper(
    store: &Store,
    staff: &Staff,
    id: i64,
    station: &str,
    pass: i64,
    seq: Option<i64>,
    marks: &Marks,
) -> Result<i64> {
    let e = get(store, staff, id, Permission::ConductPolling).await?;
    let role = staff.authorize(store, Permission::ConductPolling, e.community_id).await?;
    if role == Role::Observer {
        return Err(ServiceError::Forbidden);
    }
    let poll = counting_round(store, &e).await?;
    let paper = poll.paper.clone();
    let station = paper_station(&e, station)?;
    if !(1..=2).contains(&pass) {
        return Err(invalid("err.request", "pass"));
    }
    // The order of the marks on a post means nothing: sorted, two passes that read the same
    // ballot store the same entry, whatever order each clerk ticked the boxes in.
    let mut marks = marks.clone();
    for list in [
        &mut marks.chair,
        &mut marks.vice_chair,
        &mut marks.member,
        &mut marks.write_ins.chair,
        &mut marks.write_ins.vice_chair,
        &mut marks.write_ins.member,
    ] {
        list.sort();
    }
    let content = encode_ballot(store, &e, &paper, &marks, Source::Paper).await?;
    let mut tx = store.begin().await?;
    locked(&mut tx, id).await?;
    if st::box_accepted_tx(&mut tx, id, poll.round_no, &station.name).await? {
        return Err(ServiceError::Conflict("err.box_accepted"));
    }
    let existing = st::entries(&mut tx, id, poll.round_no, &station.name).await?;
    if existing.iter().any(|x| x.pass != pass && x.clerk_id == staff.user_id) {
        return Err(law("same_clerk_both_passes", "LAW.md §6 [P] (double entry)", ""));
    }
    let mine: Vec<_> = existing.iter().filter(|x| x.pass == pass).collect();
    if mine.iter().any(|x| x.clerk_id != staff.user_id) {
        return Err(ServiceError::Conflict("err.pass_taken"));
    }
    let next = mine.iter().map(|x| x.seq).max().unwrap_or(0) + 1;
    let seq = match seq {
        Some(s) if (1..next).contains(&s) => s,
        Some(_) => return Err(invalid("err.request", "seq")),
        None => next,
    };
    st::put_entry(&mut tx, id, poll.round_no, &station.name, pass, seq, staff.user_id, &content).await?;
    let action = if seq == next { "entered" } else { "corrected" };
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::PaperEntered,
        &format!("election:{id}"),
        json!({"round": poll.round_no, "station": station.name, "pass": pass, "seq": seq, "action": action}),
    )
    .await?;
    tx.commit().await?;
    Ok(seq)
}

/// The two entries of a box side by side.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoxComparison {
    pub station: String,
    pub issued: i64,
    pub first: Vec<String>,
    pub second: Vec<String>,
    /// 1-based positions where both passes have a ballot and they differ.
    pub mismatches: Vec<i64>,
    /// 1-based positions that only one pass has entered yet (not a mismatch: still to enter).
    pub pending: Vec<i64>,
    pub accepted: bool,
    /// Who entered each pass (a pass is one clerk's), for the page to tell a clerk which pass
    /// is theirs to enter.
    #[serde(skip)]
    pub first_clerk: Option<i64>,
    #[serde(skip)]
    pub second_clerk: Option<i64>,
}

pub async fn compare_box(store: &Store, staff: &Staff, id: i64, station: &str) -> Result<BoxComparison> {
    let e = get(store, staff, id, Permission::ConductPolling).await?;
    let poll = counting_round(store, &e).await?;
    let station = paper_station(&e, station)?;
    let rows = st::entries(store, id, poll.round_no, &station.name).await?;
    let first: Vec<String> = rows.iter().filter(|r| r.pass == 1).map(|r| r.content.clone()).collect();
    let second: Vec<String> = rows.iter().filter(|r| r.pass == 2).map(|r| r.content.clone()).collect();
    let clerk = |pass: i64| rows.iter().find(|r| r.pass == pass).map(|r| r.clerk_id);
    let (first_clerk, second_clerk) = (clerk(1), clerk(2));
    let n = first.len().max(second.len());
    let position = |i: usize| i64::try_from(i + 1).unwrap_or(0);
    let both = first.len().min(second.len());
    let mismatches = (0..both).filter(|&i| first[i] != second[i]).map(position).collect();
    let pending = (both..n).map(position).collect();
    let accepted = st::paper_boxes(store, id, poll.round_no).await?.iter().any(|b| b.station == station.name);
    let mut tx = store.begin().await?;
    let issued = st::paper_issued_tx(&mut tx, id, poll.round_no, &station.name).await?;
    tx.commit().await?;
    Ok(BoxComparison {
        station: station.name,
        issued,
        first,
        second,
        mismatches,
        pending,
        accepted,
        first_clerk,
        second_clerk,
    })
}

/// The station a mobile box is entered with: the first fixed station of the plan (LAW.md §6: a
/// mobile box is counted with the main box), so no published box is smaller than a station's.
pub fn main_station(e: &Election) -> Option<Station> {
    stations(e).into_iter().find(|s| !s.mobile)
}

/// The committee accepts a box whose two entries agree: its ballots go into the box in entry
/// order, with random ids, and the box is committed in the log (its root and leaves, issue 15
/// item 2) before any count. The main station's box takes in every mobile box (each entered
/// twice on its own), which is never accepted alone. Ballots returned > issued is recorded,
/// and voids the election at the count (LAW.md §6 [P, CQ Art. 34(5)]).
pub async fn accept_box(
    store: &Store,
    staff: &Staff,
    id: i64,
    station: &str,
    spoiled: i64,
) -> Result<serde_json::Value> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let poll = counting_round(store, &e).await?;
    let station = paper_station(&e, station)?;
    let main = main_station(&e).ok_or(invalid("err.station", "station"))?;
    if station.mobile {
        return Err(law("mobile_box_with_station", "LAW.md §6 (a mobile box is counted with the main box)", main.name));
    }
    if !(0..=100_000).contains(&spoiled) {
        return Err(invalid("err.request", "spoiled"));
    }
    let mobile: Vec<String> = if station.name == main.name {
        stations(&e).into_iter().filter(|s| s.mobile).map(|s| s.name).collect()
    } else {
        Vec::new()
    };
    let mut tx = store.begin().await?;
    locked(&mut tx, id).await?;
    if st::box_accepted_tx(&mut tx, id, poll.round_no, &station.name).await? {
        return Err(ServiceError::Conflict("err.box_accepted"));
    }
    let mut contents: Vec<String> = Vec::new();
    let mut issued = 0;
    let mut parts: Vec<(String, i64)> = Vec::new();
    for name in std::iter::once(&station.name).chain(&mobile) {
        let rows = st::entries(&mut tx, id, poll.round_no, name).await?;
        let first: Vec<String> = rows.iter().filter(|r| r.pass == 1).map(|r| r.content.clone()).collect();
        let second: Vec<&str> = rows.iter().filter(|r| r.pass == 2).map(|r| r.content.as_str()).collect();
        if first.iter().map(String::as_str).ne(second.iter().copied()) {
            let counts = format!("{} / {}", first.len(), second.len());
            let detail = if *name == station.name { counts } else { format!("{name}: {counts}") };
            return Err(law("double_entry_mismatch", "LAW.md §6 [P] (double entry)", detail));
        }
        issued += st::paper_issued_tx(&mut tx, id, poll.round_no, name).await?;
        parts.push((name.clone(), i64::try_from(first.len()).unwrap_or(i64::MAX)));
        contents.extend(first);
    }
    let returned = i64::try_from(contents.len()).unwrap_or(i64::MAX);
    let ballots: Vec<(Vec<u8>, &str, Option<i64>, &str)> = contents
        .iter()
        .enumerate()
        .map(|(i, c)| (rand::random::<[u8; 16]>().to_vec(), station.name.as_str(), Some(i as i64 + 1), c.as_str()))
        .collect();
    let committed: Vec<(Vec<u8>, &str)> = ballots.iter().map(|b| (b.0.clone(), b.3)).collect();
    let (root, leaves) = super::commitments::paper_box(&committed);
    st::drop_ballots(&mut tx, id, poll.round_no, &ballots).await?;
    st::accept_box(&mut tx, id, poll.round_no, &station.name, returned, spoiled, now_ms()).await?;
    // The mobile boxes went in with this one: none is left to accept on its own.
    for (name, n) in parts.iter().skip(1) {
        st::accept_box(&mut tx, id, poll.round_no, name, *n, 0, now_ms()).await?;
    }
    let payload = json!({"round": poll.round_no, "station": station.name, "returned": returned, "issued": issued,
                         "spoiled": spoiled, "returned_exceeds_issued": returned > issued,
                         "mobile": mobile, "box_root": root, "leaves": leaves});
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::PaperBoxAccepted,
        &format!("election:{id}"),
        payload.clone(),
    )
    .await?;
    tx.commit().await?;
    Ok(payload)
}

// ---- candidate statements ----

/// The committee records a candidate's statement (履职设想) and photo, shown to voters.
pub async fn set_statement(
    store: &Store,
    staff: &Staff,
    nomination_id: i64,
    statement: &str,
    photo: Option<(&[u8], &str)>,
) -> Result<()> {
    let n = crate::store::nominations::get(store, nomination_id).await?.ok_or(ServiceError::NotFound)?;
    let e = get(store, staff, n.election_id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let statement = statement.trim();
    if statement.chars().count() > 2000 {
        return Err(invalid("err.reason", "statement"));
    }
    if let Some((bytes, ty)) = photo
        && (bytes.len() > 1024 * 1024 || !photo_matches(bytes, ty))
    {
        return Err(invalid("err.photo", "photo"));
    }
    if e.stage > Stage::Polling {
        return Err(law("list_locked", "LAW.md §5 [P]", e.stage.to_string()));
    }
    let mut tx = store.begin().await?;
    st::put_statement(&mut tx, nomination_id, statement, photo, now_ms()).await?;
    audit::record(
        &mut tx,
        &election_log(e.id),
        &staff.actor(role),
        EventKind::StatementRecorded,
        &format!("election:{}", e.id),
        json!({"nomination_id": nomination_id, "photo": photo.is_some()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// JPEG or PNG, checked by the file's own signature (not by what the browser claims).
fn photo_matches(bytes: &[u8], ty: &str) -> bool {
    match ty {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        _ => false,
    }
}

/// Election day check for the voter pages: the day, to show "polls open on …".
pub fn election_day(e: &Election) -> String {
    e.plan.day.to_string()
}
