//! Counting and results (LAW.md §7–8): the count of a closed round by the law engine, run-offs
//! (另行选举) and re-votes, certification with the composition checks, void decisions, the
//! handover (工作移交).
//!
//! A round's count is the law engine run on the round's box in exactly the published format of
//! `huanjie count`, so anyone recounts the published box with one command and gets the same
//! result; `huanjie verify` does so for every count in an election's record.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::access::{Permission, Staff};
use super::audit::{self, LogIdentity};
use super::elections::locked;
use super::elections::{get, today};
use super::lifecycle;
use super::polling;
use super::{Result, ServiceError, invalid};
use crate::audit::merkle::{leaf_hash, root_from_leaves};
use crate::audit::{EventKind, election_log};
use crate::domain::Election;
use crate::domain::Stage;
use crate::domain::ballot::{
    BallotBox, BallotPaper, Ballots, BoxCandidate, BoxComment, BoxPerson, CandidateLine, ElectionBox, PlainBallot,
    PostSheet, PublishedBox, RecallBox, RecallOf,
};
use crate::law::Post;
use crate::law::count::{Next, VoidReason};
use crate::law::recall::RecallOutcome;
use crate::law::recount::Recount;
use crate::store::counting as cst;
use crate::store::elections as est;
use crate::store::polling as pst;
use crate::store::{Store, Tx, now_ms};

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// The box of a round in `huanjie count`'s format ([`BallotBox`], its published text): paper
/// ballots by station in entry order, then browser ballots in ballot-id order (the order the
/// public count calls them).
async fn build_box(
    store: &Store,
    e: &Election,
    poll: &pst::PollRow,
    earlier: &[Elected],
) -> Result<(String, Vec<pst::BallotRow>)> {
    let paper = &poll.paper;
    // Each stored ballot is read once, in the store: one that does not read is a broken box
    // (`StoreError::CorruptRow`), never a guessed ballot.
    // An end-to-end round (issue 18): the decrypted ballots are the one electronic box, in
    // decrypted order, with the paper boxes; its encrypted rows are never read as ballots.
    let electronic = super::mix::electronic_box(store, e.id, poll).await?;
    let mut read = match &electronic {
        None => pst::box_ballots(store, e.id, poll.round_no).await?,
        Some(_) => pst::paper_ballots(store, e.id, poll.round_no).await?,
    };
    for (i, content) in electronic.iter().flatten().enumerate() {
        let what = format!("round {} decrypted ballot {}", poll.round_no, i + 1);
        let b = PlainBallot::from_stored(content).map_err(|_| crate::store::StoreError::CorruptRow {
            table: "e2e_decrypted",
            id: e.id,
            what,
        })?;
        // Ids in decrypted order: the count calls them in the order the last shuffle left them.
        let row = pst::BallotRow {
            id: (i as u64 + 1).to_be_bytes().to_vec(),
            station: polling::REMOTE_STATION.into(),
            entry_no: None,
            content: content.clone(),
        };
        read.push((row, b));
    }
    read.sort_by(|(a, _), (b, _)| match (a.entry_no, b.entry_no) {
        (Some(x), Some(y)) => a.station.cmp(&b.station).then(x.cmp(&y)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
    let (rows, ballots): (Vec<pst::BallotRow>, Vec<PlainBallot>) = read.into_iter().unzip();
    // The voters written in, with their gender (the women rule counts them too).
    let mut written: Vec<i64> = ballots
        .iter()
        .flat_map(PlainBallot::written_in)
        .filter_map(|id| id.strip_prefix('r').and_then(|n| n.parse().ok()))
        .collect();
    written.sort_unstable();
    written.dedup();
    let mut write_in_voters = Vec::new();
    for rid in written {
        if let Some(r) = crate::store::registry::resident(store, rid).await? {
            write_in_voters.push(BoxPerson { id: crate::domain::ballot::write_in_id(rid), gender: r.gender });
        }
    }
    let mut seats = BTreeMap::new();
    let mut candidates = Vec::new();
    for s in paper.posts.iter().filter(|s| s.seats > 0) {
        seats.insert(s.post.as_str().to_string(), s.seats);
        for c in &s.candidates {
            candidates.push(BoxCandidate {
                id: c.id.clone(),
                name: c.name.clone(),
                gender: c.gender.clone(),
                post: s.post,
            });
        }
    }
    let issued = pst::turnout(store, e.id, poll.round_no).await?.iter().map(|t| t.2).sum::<i64>();
    let issued = u64::try_from(issued).unwrap_or(0);
    let browser = rows.iter().filter(|r| r.entry_no.is_none()).count() as u64;
    let comment = BoxComment {
        election: e.id,
        round: poll.round_no,
        browser_ballots: browser,
        paper_ballots: rows.len() as u64 - browser,
    };
    let electorate = est::roll(store, e.id).await?.len() as u64;
    let profile = e.plan.profile.clone();
    let (public_count, announced_on_spot) = super::count_conduct::facts(store, e.id, poll.round_no).await?;
    let bx = if e.is_recall() {
        BallotBox::Recall(RecallBox {
            recall: RecallOf {
                election: e.id,
                member: paper.posts.first().and_then(|p| p.candidates.first()).map(|c| c.name.clone()),
            },
            comment,
            method: e.method.as_str().to_string(),
            electorate,
            ballots_issued: issued,
            defence_published: true,
            profile,
            ballots: Ballots::Plain(ballots),
        })
    } else {
        BallotBox::Election(ElectionBox {
            comment,
            method: e.method.as_str().to_string(),
            round: poll.kind.clone(),
            election_day: e.plan.day.to_string(),
            electorate,
            // LAW.md §3 [P]: notices recorded in time (service::electorate_facts).
            notified_absentees: crate::service::electorate_facts::notified_absentees(store, e.id).await?,
            ballots_issued: issued,
            seats,
            candidates,
            write_in_voters,
            already_elected: earlier.iter().map(|m| BoxPerson { id: m.id.clone(), gender: m.gender.clone() }).collect(),
            // LAW.md §8 [P, CQ Art. 34]: the committee's recorded findings (service::count_conduct).
            public_count,
            announced_on_spot,
            profile,
            primary: poll.round.is_primary(),
            by_election: e.kind == crate::domain::ElectionKind::ByElection,
            ballots: Ballots::Plain(ballots),
        })
    };
    let text = bx.to_published().map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok((text, rows))
}

/// The box's Merkle root (RFC 6962 over the ballots in box order), logged with the count.
pub fn box_root(rows: &[pst::BallotRow]) -> [u8; 32] {
    let leaves: Vec<[u8; 32]> = rows.iter().map(|r| leaf_hash(r.content.as_bytes())).collect();
    root_from_leaves(&leaves)
}

/// Which paper boxes must still be entered before a count: stations that issued paper.
async fn boxes_pending(store: &Store, e: &Election, round_no: i64) -> Result<Vec<String>> {
    let accepted: Vec<String> = pst::paper_boxes(store, e.id, round_no).await?.into_iter().map(|b| b.station).collect();
    let issued = pst::turnout(store, e.id, round_no).await?;
    let mut pending: Vec<String> = issued
        .iter()
        .filter(|(_, ch, n)| *n > 0 && matches!(ch.as_str(), "paper" | "mobile_box" | "proxy"))
        .map(|t| t.0.clone())
        .filter(|s| s != polling::REMOTE_STATION && !accepted.contains(s))
        .collect();
    pending.dedup();
    Ok(pending)
}

/// A closed round's box as counted: the box as published, the law engine's result (its
/// published text and the typed result it prints), its Merkle root, and the fields every
/// `count.announced` entry carries.
pub(crate) struct Counted {
    pub bx: String,
    pub result: String,
    pub r: Recount,
    pub root: [u8; 32],
    pub payload: Value,
}

/// Refuses a round already counted or with paper boxes still out (LAW.md §6: all boxes are
/// counted together), then builds the box and recounts it exactly as `huanjie count` and
/// `huanjie verify` do (election, recall or primary box).
pub(crate) async fn count_box(
    store: &Store,
    e: &Election,
    poll: &pst::PollRow,
    earlier: &[Elected],
    kind: &str,
) -> Result<Counted> {
    if cst::counts(store, e.id).await?.iter().any(|c| c.round_no == poll.round_no) {
        return Err(ServiceError::Conflict("err.counted"));
    }
    let pending = boxes_pending(store, e, poll.round_no).await?;
    if !pending.is_empty() {
        return Err(law("paper_boxes_pending", "LAW.md §6 (all boxes counted together)", pending.join("、")));
    }
    super::commitments::check_before_count(store, e, poll.round_no).await?;
    let (bx, rows) = build_box(store, e, poll, earlier).await?;
    let r = crate::law::recount::recount_published(&bx, None)
        .map_err(|err| ServiceError::Internal(format!("count: {err}")))?;
    let result = r.to_published().map_err(|err| ServiceError::Internal(format!("count: {err}")))?;
    let root = box_root(&rows);
    let payload = json!({
        "round": poll.round_no, "kind": kind, "ballots": rows.len(),
        "box_sha256": sha256_hex(bx.as_bytes()), "box_root": base64::engine::general_purpose::STANDARD.encode(root),
        "result_sha256": sha256_hex(result.as_bytes()),
    });
    Ok(Counted { bx, result, r, root, payload })
}

/// Counts the latest closed round. A count that the law engine finds void (quorum missed,
/// returned > issued, 差额 broken…) makes the election void in the same transaction, with the
/// re-run deadline (LAW.md §8 [P, CQ Art. 34–35]).
pub async fn count_round(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<Value> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    lifecycle::refuse_for_group(&e, EventKind::CountAnnounced)?;
    if e.stage != Stage::Counting {
        return Err(ServiceError::Refused("err.not_counting"));
    }
    let poll = pst::latest_poll(store, id)
        .await?
        .filter(|p| p.status == "closed")
        .ok_or(ServiceError::Refused("err.not_counting"))?;
    // The close of the polls is witnessed before anything is counted (issue 15 item 4).
    super::audit::require_witnessed_close(store, log, id).await?;
    let mut earlier = results(store, id).await?.elected;
    if e.kind == crate::domain::ElectionKind::ByElection {
        earlier.extend(term_members(store, id).await?);
    }
    let Counted { bx, result, r, root, mut payload } = count_box(store, &e, &poll, &earlier, &poll.kind).await?;
    let recall = e.is_recall();
    let announced = Announced::of(&r)?;
    let valid = announced.valid;
    for (k, v) in [
        ("valid", json!(valid)),
        ("void_reasons", announced.void_reasons),
        ("elected", announced.elected),
        ("next", announced.next),
    ] {
        payload[k] = v;
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Counting {
        return Err(ServiceError::Conflict("err.stale"));
    }
    cst::insert_count(&mut tx, id, poll.round, &bx, &result, &root, now_ms())
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.counted") } else { e.into() })?;
    if recall {
        payload["outcome"] = announced.outcome;
        lifecycle::record(&mut tx, id, &staff.actor(role), EventKind::CountAnnounced, payload).await?;
    } else if !valid {
        // LAW.md §8 [P, CQ Art. 34]: the whole election is void; re-run within `deadlines.rerun_days` [P, CQ Art. 35].
        cst::release_claims(&mut tx, id).await?;
        payload["rerun_by"] = json!(crate::law::after_vote::rerun_deadline(today(), &e.plan.profile).to_string());
        lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Void, EventKind::CountAnnounced, payload).await?;
    } else {
        lifecycle::record(&mut tx, id, &staff.actor(role), EventKind::CountAnnounced, payload).await?;
    }
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    value(&r)
}

/// What a `count.announced` entry repeats of the result, as every count has logged it: an
/// election round's validity, void reasons, elected and next steps; a recall's validity and
/// outcome (the fields a result does not have are null; a primary is never valid here, it is
/// announced by `service::primary`).
struct Announced {
    valid: bool,
    void_reasons: Value,
    elected: Value,
    next: Value,
    outcome: Value,
}

impl Announced {
    fn of(r: &Recount) -> Result<Announced> {
        Ok(match r {
            Recount::Election(c) => Announced {
                valid: c.valid,
                void_reasons: value(&c.void_reasons)?,
                elected: value(&c.elected)?,
                next: value(&c.next)?,
                outcome: Value::Null,
            },
            Recount::Recall(c) => Announced {
                valid: c.valid,
                void_reasons: Value::Null,
                elected: Value::Null,
                next: Value::Null,
                outcome: value(&c.outcome)?,
            },
            Recount::Primary(_) => Announced {
                valid: false,
                void_reasons: Value::Null,
                elected: Value::Null,
                next: Value::Null,
                outcome: Value::Null,
            },
        })
    }
}

fn value<T: Serialize>(x: &T) -> Result<Value> {
    serde_json::to_value(x).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// A member elected so far (the final composition is the union over rounds).
#[derive(Debug, Clone, Serialize)]
pub struct Elected {
    /// `n<nomination>` for a candidate, `r<resident>` for a voter written in.
    pub id: String,
    pub post: String,
    pub name: String,
    pub gender: String,
    pub round_no: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundCount {
    pub round_no: i64,
    /// The stored result as the pages and the API show it (its JSON value).
    pub result: Value,
    /// The same result typed, as the store read it (the count reads this one).
    #[serde(skip)]
    pub count: Recount,
    pub box_root: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub code: &'static str,
    pub rule: &'static str,
    pub met: bool,
    pub detail: String,
}

/// A seat left vacant, for a by-election (LAW.md §7 [P]).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Vacancy {
    /// Seats the count left unfilled: the engine's `vacancy` step ([`Next::Vacancy`]).
    Unfilled(Next),
    /// The seat of a member whose election was declared void (当选无效, LAW.md §7 [N]).
    MemberVoid {
        /// Always `vacancy`, as the engine's step says it.
        action: &'static str,
        post: String,
        seats: u32,
        /// Always `election_of_member_void`.
        reason: &'static str,
    },
}

impl Vacancy {
    fn member_void(post: String) -> Vacancy {
        Vacancy::MemberVoid { action: "vacancy", post, seats: 1, reason: "election_of_member_void" }
    }

    /// The post of the seats.
    pub fn post(&self) -> &str {
        match self {
            Vacancy::Unfilled(n) => n.post().map(Post::as_str).unwrap_or("member"),
            Vacancy::MemberVoid { post, .. } => post,
        }
    }

    /// How many seats.
    pub fn seats(&self) -> u32 {
        match self {
            Vacancy::Unfilled(Next::Vacancy { seats, .. }) => *seats,
            Vacancy::Unfilled(_) => 1,
            Vacancy::MemberVoid { seats, .. } => *seats,
        }
    }
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Results {
    pub rounds: Vec<RoundCount>,
    pub elected: Vec<Elected>,
    /// Re-votes and run-offs still to hold (the engine's `next`, latest per post).
    pub pending: Vec<Next>,
    /// Seats left vacant, with the by-election deadline.
    pub vacancies: Vec<Vacancy>,
    pub void_reasons: Vec<VoidReason>,
    pub checks: Vec<Check>,
}

fn post_of(s: &str) -> Option<Post> {
    Post::ALL.into_iter().find(|p| p.as_str() == s)
}

/// The results so far, from the stored counts (typed results, read by the store) and void
/// decisions.
pub async fn results(store: &Store, id: i64) -> Result<Results> {
    // The nomination primary's counts decide the candidate list, not the result.
    let counts: Vec<_> = cst::counts(store, id).await?.into_iter().filter(|c| !c.round.is_primary()).collect();
    let polls = pst::polls(store, id).await?;
    let mut names: HashMap<String, (String, String)> = HashMap::new();
    for p in &polls {
        for s in &p.paper.posts {
            for c in &s.candidates {
                names.insert(c.id.clone(), (c.name.clone(), c.gender.clone()));
            }
        }
    }
    let mut out = Results::default();
    // Keyed by the post's name: the steps come out in the order of the names, as they always have.
    let mut next_by_post: BTreeMap<&'static str, Vec<Next>> = BTreeMap::new();
    for c in counts {
        match &c.count {
            Recount::Election(r) => {
                if !r.valid {
                    out.void_reasons = r.void_reasons.clone();
                }
                for el in &r.elected {
                    let (name, gender) = match names.get(&el.id) {
                        Some(x) => x.clone(),
                        None => written_in(store, &el.id).await?,
                    };
                    out.elected.push(Elected {
                        id: el.id.clone(),
                        post: el.post.as_str().into(),
                        name,
                        gender,
                        round_no: c.round_no,
                    });
                }
                // The posts this round counted: their `next` replaces what earlier rounds said.
                for p in &r.posts {
                    next_by_post.insert(p.post.as_str(), Vec::new());
                }
                for n in &r.next {
                    if let Some(post) = n.post() {
                        next_by_post.entry(post.as_str()).or_default().push(n.clone());
                    }
                }
            }
            // A recall has no posts, elected or next steps; one short of its quorum is not valid.
            Recount::Recall(r) => {
                if !r.valid {
                    out.void_reasons = Vec::new();
                }
            }
            Recount::Primary(_) => {}
        }
        out.rounds.push(RoundCount {
            round_no: c.round_no,
            result: value(&c.count)?,
            box_root: base64::engine::general_purpose::STANDARD.encode(&c.box_root),
            count: c.count,
        });
    }
    // 当选无效 of one person (LAW.md §7 [N]): their seat is vacant, for a by-election.
    for v in cst::voids(store, id).await?.iter().filter(|v| v.scope == "person") {
        if let Some(nid) = v.nomination_id {
            let cid = crate::domain::ballot::candidate_id(nid);
            if let Some(pos) = out.elected.iter().position(|m| m.id == cid) {
                let m = out.elected.remove(pos);
                out.vacancies.push(Vacancy::member_void(m.post));
            }
        }
    }
    for actions in next_by_post.into_values() {
        for n in actions {
            match n {
                Next::Revote { .. } | Next::Runoff { .. } => out.pending.push(n),
                Next::Vacancy { .. } => out.vacancies.push(Vacancy::Unfilled(n)),
                _ => {}
            }
        }
    }
    Ok(out)
}

async fn written_in(store: &Store, id: &str) -> Result<(String, String)> {
    let rid: Option<i64> = id.strip_prefix('r').and_then(|n| n.parse().ok());
    match rid {
        Some(r) => {
            Ok(crate::store::registry::resident(store, r).await?.map(|x| (x.name, x.gender)).unwrap_or_default())
        }
        None => Ok((id.to_string(), String::new())),
    }
}

/// The composition checks of LAW.md §1, each with its rule: size, a woman member, no near
/// relatives among members, and (where the profile asks) a member of an ethnic minority.
pub async fn composition_checks(store: &Store, e: &Election, r: &Results) -> Result<Vec<Check>> {
    let profile = e.plan.profile.clone();
    let seats = e.seats_chair + e.seats_vice_chair + e.seats_member;
    let n = i64::try_from(r.elected.len()).unwrap_or(0);
    let mut checks = vec![
        Check { code: "size", rule: "LAW.md §1 [P: 5–9]", met: n == seats, detail: format!("{n} / {seats}") },
        Check {
            code: "woman_member",
            rule: "LAW.md §1 [P, GS/CQ Art. 5]",
            met: r.elected.iter().any(|m| m.gender == "female"),
            detail: String::new(),
        },
    ];
    let residents = resident_ids(store, &r.elected).await?;
    let mut related = Vec::new();
    let mut tx = store.begin().await?;
    for (i, a) in residents.iter().enumerate() {
        for b in &residents[i + 1..] {
            if est::are_near_relatives(&mut tx, a.1, b.1).await? {
                related.push(format!("{}–{}", a.0, b.0));
            }
        }
    }
    tx.commit().await?;
    checks.push(Check {
        code: "no_near_relatives",
        rule: "LAW.md §1 [P]",
        met: related.is_empty(),
        detail: related.join("、"),
    });
    if profile.committee.minority_member_flag {
        let mut minority = false;
        for (_, rid) in &residents {
            if let Some(x) = crate::store::registry::resident(store, *rid).await? {
                minority |= !x.ethnicity.is_empty() && x.ethnicity != "汉族";
            }
        }
        checks.push(Check {
            code: "minority_member",
            rule: "LAW.md §1 [N 2018, P]",
            met: minority,
            detail: String::new(),
        });
    }
    Ok(checks)
}

/// (name, resident id) of each elected member.
async fn resident_ids(store: &Store, elected: &[Elected]) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for m in elected {
        let rid = if let Some(n) = m.id.strip_prefix('n').and_then(|n| n.parse::<i64>().ok()) {
            crate::store::nominations::get(store, n).await?.map(|x| x.nominee_id)
        } else {
            m.id.strip_prefix('r').and_then(|n| n.parse().ok())
        };
        if let Some(r) = rid {
            out.push((m.name.clone(), r));
        }
    }
    Ok(out)
}

/// counting → runoff: the next round for the engine's pending re-votes (first) or run-offs,
/// with their candidates and seats, within the profile's window (LAW.md §7 [N, P]); a new
/// ballot per voter on the same roll.
pub async fn next_round(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<BallotPaper> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let r = results(store, id).await?;
    // Re-votes first (LAW.md §7 [P]: a tie is never settled by lot), then run-offs.
    let revote = r.pending.iter().any(|n| matches!(n, Next::Revote { .. }));
    let kind = if revote { "revote" } else { "runoff" };
    let actions: Vec<(Post, &[String], u32, Option<time::Date>)> = r
        .pending
        .iter()
        .filter_map(|n| match n {
            Next::Revote { post, candidates, seats, .. } if revote => {
                Some((*post, candidates.as_slice(), *seats, None))
            }
            Next::Runoff { post, candidates, seats, by, .. } if !revote => {
                Some((*post, candidates.as_slice(), *seats, *by))
            }
            _ => None,
        })
        .collect();
    if actions.is_empty() {
        return Err(law("no_runoff_needed", "LAW.md §7", ""));
    }
    // LAW.md §7 [P]: the run-off within the profile's window.
    for by in actions.iter().filter_map(|a| a.3) {
        if today() > by {
            return Err(law("runoff_window_passed", "LAW.md §7 [P]", by.to_string()));
        }
    }
    let lines: HashMap<String, CandidateLine> = pst::polls(store, id)
        .await?
        .into_iter()
        .flat_map(|p| p.paper.posts.into_iter().flat_map(|s| s.candidates))
        .map(|c| (c.id.clone(), c))
        .collect();
    let mut posts = Vec::new();
    for &(post, ids, seats, _) in &actions {
        let mut candidates = Vec::new();
        for cid in ids {
            let line = match lines.get(cid) {
                Some(l) => l.clone(),
                None => {
                    let (name, gender) = written_in(store, cid).await?;
                    let resident_id = cid.strip_prefix('r').and_then(|n| n.parse().ok()).unwrap_or(0);
                    CandidateLine { id: cid.to_string(), resident_id, name, gender }
                }
            };
            candidates.push(line);
        }
        posts.push(PostSheet { post, seats, candidates });
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Counting {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → runoff", e.stage)));
    }
    let last = pst::latest_poll(&mut tx, id).await?.map(|p| p.round).filter(|r| !r.is_primary());
    let Some(last) = last else { return Err(ServiceError::Refused("err.not_counted")) };
    if !cst::counts(&mut tx, id).await?.iter().any(|c| c.round == last) {
        return Err(ServiceError::Refused("err.not_counted"));
    }
    let round = last.next();
    let paper = BallotPaper { round_no: round.to_stored(), kind: kind.into(), posts, write_ins: kind == "runoff" };
    let text = serde_json::to_string(&paper).map_err(|e| ServiceError::Internal(e.to_string()))?;
    pst::insert_poll(&mut tx, id, round, kind, &text, now_ms()).await?;
    let (seats, lists) = paper.logged();
    let payload = json!({"round": round.to_stored(), "kind": kind, "posts": seats, "candidates": lists});
    lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Runoff, EventKind::PollsOpened, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(paper)
}

/// counting → certified: the result is announced as final when every round is counted and no
/// re-vote or run-off is pending (vacancies go to a by-election). The composition checks are
/// recorded with it.
pub async fn certify(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<Value> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let r = results(store, id).await?;
    if !r.pending.is_empty() {
        return Err(law("runoff_pending", "LAW.md §7 [N]", r.pending.len().to_string()));
    }
    let last = pst::latest_poll(store, id).await?.map(|p| p.round_no).unwrap_or(0);
    if !r.rounds.iter().any(|c| c.round_no == last) {
        return Err(ServiceError::Refused("err.not_counted"));
    }
    super::count_conduct::check_before_certify(store, id).await?;
    if e.is_recall() {
        return certify_recall(store, log, staff, &e, &r).await;
    }
    let checks = composition_checks(store, &e, &r).await?;
    let profile = e.plan.profile.clone();
    let vacancy_by = crate::law::recall::byelection_deadline(today(), &profile).ok().map(|d| d.to_string());
    let payload = json!({
        "elected": r.elected.iter().map(|m| json!({"id": m.id, "post": m.post, "round": m.round_no})).collect::<Vec<_>>(),
        "vacancies": r.vacancies.len(), "byelection_by": if r.vacancies.is_empty() { Value::Null } else { json!(vacancy_by) },
        "checks": checks.iter().map(|c| json!({"code": c.code, "met": c.met})).collect::<Vec<_>>(),
    });
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Counting {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → certified", e.stage)));
    }
    let payload =
        lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Certified, EventKind::ResultsCertified, payload)
            .await?;
    crate::store::announcements::put_announcement(&mut tx, id, &today().to_string()).await?;
    // Seats left vacant go to a by-election (LAW.md §7 [P]); a by-election's own vacancies too.
    // Both kinds are recorded with cause `unfilled`, as they always have been (a member's void
    // election says `action: vacancy` too).
    for v in &r.vacancies {
        for _ in 0..v.seats() {
            vacancy_in_tx(&mut tx, &staff.actor(role), &e, v.post(), None, "unfilled").await?;
        }
    }
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(payload)
}

/// A recall vote's result: recalled ends the member's office and opens the vacancy in the
/// term (LAW.md §9 [N]); a vote short of the quorum or the majority leaves the member in office.
async fn certify_recall(store: &Store, log: &LogIdentity, staff: &Staff, e: &Election, r: &Results) -> Result<Value> {
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let rec = crate::store::recall::recall(store, e.id).await?.ok_or(ServiceError::NotFound)?;
    let outcome = match r.rounds.last().map(|c| &c.count) {
        Some(Recount::Recall(c)) => Some(c.outcome),
        _ => None,
    };
    let recalled = outcome == Some(RecallOutcome::Recalled);
    let payload = json!({"elected": [], "vacancies": if recalled { 1 } else { 0 },
                         "byelection_by": Value::Null, "checks": [], "outcome": outcome});
    let term = est::get(store, rec.term_election_id).await?.ok_or(ServiceError::NotFound)?;
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, e.id).await?;
    if e.stage != Stage::Counting {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → certified", e.stage)));
    }
    let payload =
        lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::Certified, EventKind::ResultsCertified, payload)
            .await?;
    if recalled {
        vacancy_in_tx(&mut tx, &staff.actor(role), &term, &rec.member_post, Some(&rec.member_id), "recall").await?;
    }
    lifecycle::commit_and_checkpoint(tx, store, log, e.id).await?;
    Ok(payload)
}

/// A seat of the term falls vacant, with its filing deadline (LAW.md §9 [P]) and by-election
/// deadline (LAW.md §7 [P]). Written into the term's log.
pub async fn vacancy_in_tx(
    tx: &mut Tx,
    actor: &crate::audit::Actor,
    term: &Election,
    post: &str,
    member_id: Option<&str>,
    cause: &str,
) -> Result<i64> {
    let profile = term.plan.profile.clone();
    let on = today();
    let filing = crate::law::recall::filing_deadline(on, &profile)
        .map_err(|_| ServiceError::Internal("date".into()))?
        .to_string();
    let by = crate::law::recall::byelection_deadline(on, &profile)
        .map_err(|_| ServiceError::Internal("date".into()))?
        .to_string();
    let vid = crate::store::recall::insert_vacancy(
        tx,
        term.id,
        post,
        member_id,
        cause,
        &on.to_string(),
        &filing,
        &by,
        now_ms(),
    )
    .await
    .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.duplicate") } else { e.into() })?;
    audit::record(
        tx,
        &election_log(term.id),
        actor,
        EventKind::VacancyArose,
        &format!("election:{}", term.id),
        json!({"vacancy_id": vid, "post": post, "member_id": member_id, "cause": crate::law::recall::public_vacancy_cause(cause), "filing_by": filing, "byelection_by": by}),
    )
    .await?;
    Ok(vid)
}

/// The by-election's term election and the members of that term still in office (the women
/// rule of a by-election looks at the whole committee).
pub async fn term_members(store: &Store, byelection: i64) -> Result<Vec<Elected>> {
    let Some(term) = crate::store::recall::term_of_byelection(store, byelection).await? else { return Ok(Vec::new()) };
    let gone: Vec<String> =
        crate::store::recall::vacancies(store, term).await?.into_iter().filter_map(|v| v.member_id).collect();
    Ok(results(store, term).await?.elected.into_iter().filter(|m| !gone.contains(&m.id)).collect())
}

/// The reasons LAW.md §7–8 gives for voiding an election or one person's election.
pub const VOID_REASONS: &[&str] = &[
    "violence_threats_bribery",
    "forged_ballots",
    "falsified_count",
    "unlawful_committee",
    "unlawful_candidates",
    "quorum_missed",
    "margin_broken",
    "returned_exceeds_issued",
    "no_public_count",
    "not_announced_on_spot",
];

/// Records a decision that the whole election (LAW.md §8 [P, CQ Art. 34]) or one person's
/// election (当选无效, LAW.md §7 [N]) is void. The whole election: stage void, re-run within
/// `deadlines.rerun_days` [P, CQ Art. 35]. One person: their seat is vacant, for a by-election (Art. 18).
pub async fn void(
    store: &Store,
    log: &LogIdentity,
    staff: &Staff,
    id: i64,
    scope: &str,
    nomination_id: Option<i64>,
    reasons: &[String],
) -> Result<Value> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if reasons.is_empty() || reasons.iter().any(|r| !VOID_REASONS.contains(&r.as_str())) {
        return Err(invalid("err.request", "reasons"));
    }
    let on = today();
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    let from = e.stage;
    let mut payload = json!({"scope": scope, "reasons": reasons});
    let whole = match (scope, nomination_id) {
        ("election", None) if from.may_move_to_in(e.kind, Stage::Void) => {
            cst::release_claims(&mut tx, id).await?;
            payload["rerun_by"] = json!(crate::law::after_vote::rerun_deadline(on, &e.plan.profile).to_string());
            true
        }
        ("person", Some(nid)) if matches!(from, Stage::Counting | Stage::Certified | Stage::HandedOver) => {
            let elected = results(store, id).await?.elected;
            if !elected.iter().any(|m| m.id == crate::domain::ballot::candidate_id(nid)) {
                return Err(invalid("err.not_elected", "nomination_id"));
            }
            payload["nomination_id"] = json!(nid);
            let profile = e.plan.profile.clone();
            payload["byelection_by"] =
                json!(crate::law::recall::byelection_deadline(on, &profile).ok().map(|d| d.to_string()));
            false
        }
        _ => return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → void", e.stage))),
    };
    let reasons_text = reasons.join(",");
    cst::insert_void(&mut tx, id, scope, nomination_id, &reasons_text, &on.to_string(), now_ms()).await?;
    let actor = staff.actor(role);
    let payload = if whole {
        lifecycle::advance(&mut tx, &actor, &e, Stage::Void, EventKind::ElectionVoided, payload).await?
    } else {
        lifecycle::record(&mut tx, id, &actor, EventKind::ElectionVoided, payload.clone()).await?;
        payload
    };
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(payload)
}

/// The handover checklist (工作移交, LAW.md §8 [N]; within `deadlines.handover_days` of the announced result [P, CQ Art. 36]).
pub const HANDOVER_ITEMS: [&str; 5] = ["seals", "premises", "equipment", "finances", "archives"];

/// Ticks one handover item, presided over by the election committee; the last one completes
/// the handover (certified → handed_over).
pub async fn handover_item(
    store: &Store,
    log: &LogIdentity,
    staff: &Staff,
    id: i64,
    item: &str,
    note: &str,
) -> Result<Value> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if !HANDOVER_ITEMS.contains(&item) {
        return Err(invalid("err.request", "item"));
    }
    if note.chars().count() > 500 {
        return Err(invalid("err.reason", "note"));
    }
    if e.stage != Stage::Certified {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → handed_over", e.stage)));
    }
    // LAW.md §8 [N, P CQ Art. 36]: `handover_days` from the day the result was announced.
    let announced = crate::store::announcements::announcement(store, id).await?;
    let announced = announced.as_deref().and_then(crate::domain::parse_date).unwrap_or(e.plan.day);
    let deadline = crate::law::after_vote::handover_deadline(announced, &e.plan.profile);
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if !cst::put_handover(&mut tx, id, item, &today().to_string(), note.trim()).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    let done = cst::handover_done_tx(&mut tx, id).await?;
    let payload = json!({"item": item, "late": today() > deadline, "deadline": deadline.to_string()});
    let actor = staff.actor(role);
    if done >= HANDOVER_ITEMS.len() {
        let payload =
            lifecycle::advance(&mut tx, &actor, &e, Stage::HandedOver, EventKind::HandoverItem, payload).await?;
        lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
        return Ok(payload);
    }
    lifecycle::record(&mut tx, id, &actor, EventKind::HandoverItem, payload.clone()).await?;
    tx.commit().await?;
    Ok(payload)
}

/// The public count (公开唱票、计票): ballot `k` (1-based) as called, and the running tally of
/// every post after it. Only once the polls of that round are closed. The figures are the law
/// engine's recount of the box's first `k` ballots (`law::recount::recount_prefix`), the
/// same count the official result comes from, so an over-voted ballot is invalid on the screen
/// as in the result (LAW.md §6 [P]) and the last step shows the announced figures.
#[derive(Debug, Clone, Serialize)]
pub struct CountView {
    pub round_no: i64,
    /// A nomination primary's round as people count it (LAW.md §5 [P]).
    pub primary_ordinal: Option<i64>,
    pub total: usize,
    pub k: usize,
    pub current: Option<Value>,
    pub current_station: String,
    /// How the count judged ballot k: `valid`, `blank` or `invalid` (empty before ballot 1).
    pub current_verdict: &'static str,
    /// The posts of ballot k that the count voided (more names than seats, or in a primary a
    /// mark the primary does not allow), the rest of the ballot still counting.
    pub current_void_posts: Vec<String>,
    /// (post, [(name, votes)]) after ballot k; a recall has the one line `recall` with `yes`
    /// and `no`.
    pub tally: Vec<(String, Vec<(String, u64)>)>,
    pub blank: u64,
    pub invalid: u64,
    pub issued: i64,
}

/// The figures of one recount result (election, primary or recall box).
#[derive(Default)]
struct Figures {
    /// (post, id) → votes, in the result's order per post.
    votes: Vec<(String, String, u64)>,
    /// post → ballots whose post the count voided.
    voided: HashMap<String, u64>,
    blank: u64,
    invalid: u64,
}

fn figures(r: &Recount) -> Figures {
    let mut f = Figures { blank: r.blank_ballots(), invalid: r.invalid_ballots(), ..Figures::default() };
    match r {
        Recount::Recall(c) => {
            f.votes.push(("recall".into(), "yes".into(), c.yes));
            f.votes.push(("recall".into(), "no".into(), c.no));
        }
        Recount::Primary(c) => {
            for p in &c.posts {
                let post = p.post.as_str().to_string();
                f.voided.insert(post.clone(), p.void_marks);
                f.votes.extend(p.votes.iter().map(|l| (post.clone(), l.id.clone(), l.votes)));
            }
        }
        Recount::Election(c) => {
            for p in &c.posts {
                let post = p.post.as_str().to_string();
                f.voided.insert(post.clone(), p.voided_by_overvote);
                f.votes.extend(p.tally.iter().map(|l| (post.clone(), l.id.clone(), l.votes)));
            }
        }
    }
    f
}

fn recount_prefix(bx: &str, k: usize) -> Result<Figures> {
    let r = crate::law::recount::recount_prefix(bx, k)
        .map_err(|err| ServiceError::Internal(format!("public count: {err}")))?;
    Ok(figures(&r))
}

/// How the public count names the box of a browser ballot (booth or remote): one electronic
/// box, never a station or a booth (issue 15 item 7).
pub const ELECTRONIC_BOX: &str = "electronic";

/// The box ballot `i` (0-based, in the published order) belongs to: the station of its paper
/// box, or the electronic box once the paper ballots are called.
fn box_of(paper_boxes: &[pst::PaperBoxRow], i: usize) -> String {
    let mut end = 0usize;
    for b in paper_boxes {
        end += usize::try_from(b.returned).unwrap_or(0);
        if i < end {
            return b.station.clone();
        }
    }
    ELECTRONIC_BOX.to_string()
}

pub async fn public_count(store: &Store, id: i64, round_no: Option<i64>, k: usize) -> Result<CountView> {
    let e = est::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    let polls = pst::polls(store, id).await?;
    let poll = match round_no {
        Some(r) => polls.iter().find(|p| p.round_no == r),
        None => polls.iter().rev().find(|p| p.status == "closed"),
    }
    .filter(|p| p.status == "closed")
    .ok_or(ServiceError::NotFound)?;
    let paper = &poll.paper;
    // A counted round replays the box that was counted, exactly as published; a round not yet
    // counted, the box its count will read.
    let counted = cst::counts(store, id).await?.into_iter().find(|c| c.round_no == poll.round_no).map(|c| c.box_json);
    let bx = match counted {
        Some(bx) => bx,
        None => build_box(store, &e, poll, &[]).await?.0,
    };
    let ballots = PublishedBox::parse(&bx).map_err(|e| ServiceError::Internal(e.to_string()))?.ballots;
    let k = k.min(ballots.len());
    let now = recount_prefix(&bx, k)?;
    let (mut current_verdict, mut current_void_posts) = ("", Vec::new());
    if k > 0 {
        let before = recount_prefix(&bx, k - 1)?;
        current_verdict = if now.invalid > before.invalid {
            "invalid"
        } else if now.blank > before.blank {
            "blank"
        } else {
            "valid"
        };
        for (post, n) in &now.voided {
            if *n > before.voided.get(post).copied().unwrap_or(0) {
                current_void_posts.push(post.clone());
            }
        }
        current_void_posts.sort_by_key(|p| post_of(p).map(|p| p.index()).unwrap_or(usize::MAX));
    }
    let votes_of =
        |post: &str, id: &str| now.votes.iter().find(|(p, i, _)| p == post && i == id).map(|x| x.2).unwrap_or(0);
    let mut tally = Vec::new();
    if e.is_recall() {
        tally.push((
            "recall".to_string(),
            ["yes", "no"].iter().map(|k| (k.to_string(), votes_of("recall", k))).collect(),
        ));
    } else {
        for s in paper.posts.iter().filter(|s| s.seats > 0) {
            let p = s.post.as_str();
            let mut line: Vec<(String, u64)> =
                s.candidates.iter().map(|c| (c.name.clone(), votes_of(p, &c.id))).collect();
            // Voters written in (另选他人), as the count lists them.
            for (_, wid, n) in now.votes.iter().filter(|(q, i, _)| q == p && !s.candidates.iter().any(|c| &c.id == i)) {
                line.push((written_in(store, wid).await?.0, *n));
            }
            tally.push((p.to_string(), line));
        }
    }
    let current = k.checked_sub(1).and_then(|i| ballots.get(i).cloned());
    // Issue 15 item 7: the box calls paper ballots box by box, in station order (as
    // `build_box` lays them out), then every browser ballot — booth and remote alike — as the
    // one electronic box in published order. Which station a browser ballot came from is never
    // shown: with one booth voter at a station it would be that voter's ballot.
    let mut paper_boxes = pst::paper_boxes(store, id, poll.round_no).await?;
    paper_boxes.sort_by(|a, b| a.station.cmp(&b.station));
    let current_station = k.checked_sub(1).map(|i| box_of(&paper_boxes, i)).unwrap_or_default();
    let issued = pst::turnout(store, id, poll.round_no).await?.iter().map(|t| t.2).sum();
    Ok(CountView {
        round_no: poll.round_no,
        primary_ordinal: poll.round.is_primary().then(|| i64::from(poll.round.ordinal())),
        total: ballots.len(),
        k,
        current,
        current_station,
        current_verdict,
        current_void_posts,
        tally,
        blank: now.blank,
        invalid: now.invalid,
        issued,
    })
}
