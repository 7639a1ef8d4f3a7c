//! `huanjie count`: recount a published ballot box from JSON and print the result as JSON.
//!
//! # Input
//! ```json
//! {"method": "direct", "round": "first", "election_day": "2026-06-14",
//!  "electorate": 1200, "ballots_issued": 900,
//!  "seats": {"chair": 1, "vice_chair": 1, "member": 3},
//!  "candidates": [{"id": "c1", "name": "王芳", "gender": "female", "post": "chair"}],
//!  "ballots": [{"chair": ["c1"], "vice_chair": ["c3"], "member": ["c5", "c6"]}, {"blank": true}]}
//! ```
//! Required: `method` (`direct` | `household` | `representatives`), `electorate`,
//! `ballots_issued`, `seats`, `candidates` (`id`, `post`; `name`, `gender` optional), `ballots`.
//! Optional: `round` (`first` default | `runoff` | `revote`), `election_day` (dates in `next`),
//! `profile` (a preset name or a full profile object; the CLI's `--profile` wins),
//! `notified_absentees`, `ballots_returned` (the count's own figure, reconciled with the box),
//! `write_in_voters` (`[{"id", "gender"?}]`: eligible voters; when given, a write-in of anyone
//! else is an ineligible mark), `settled` (`{"chair": ["c2"]}`: posts filled by an earlier vote),
//! `already_elected` (`[{"id", "gender"?}]`: earlier rounds, for the women rule),
//! `public_count`, `announced_on_spot` (default `true`), `by_election` (a 补选 of vacant seats:
//! the committee-size rule does not apply to its seats).
//! A ballot: `chair`, `vice_chair`, `member` (candidate ids), `write_ins`
//! (`{"member": ["<voter id>"]}`), `unreadable` (`{"member": 1}`: marks that cannot be read),
//! `blank` (true, no marks), `invalid` (true: declared invalid by the count).
//!
//! # Output (pretty JSON, fields always in this order)
//! `profile` {`name`, `version`}, `method`, `round`, `valid`, `void_reasons` (codes:
//! `quorum_missed`, `returned_exceeds_issued`, `totals_do_not_reconcile`, `margin_broken`,
//! `no_public_count`, `not_announced_on_spot`), `electorate`, `notified_absentees_excluded`,
//! `quorum_needed`, `ballots_issued`, `ballots_cast`, `valid_ballots` (blank included),
//! `blank_ballots`, `invalid_ballots`, `posts` (per post: `post`, `seats`, `status`
//! (`counted` | `settled` | `deferred` | `void`), `threshold` ({`rule`: `more_than` | `at_least`,
//! `share`} | {`rule`: `most_votes`} | null), `votes_needed`, `void_marks`,
//! `voided_by_overvote`, `tally` ([{`id`, `votes`, `write_in`}], most votes first, then id),
//! `elected` (ids, in order), `unfilled`, `tied`, `tied_seats`), `elected` ([{`id`, `post`}],
//! chair first), `women_rule` {`rule`, `required`, `status`, `woman`, `displaced`,
//! `candidates`}, `next` (a list; each has `action`: `nothing`; `revote` {`post`, `candidates`,
//! `seats`, `women_only`}; `runoff` {`post`, `candidates`, `seats`, `women_only`, `timing`, `by`};
//! `vacancy` {`post`, `seats`, `women_only`, `byelection_within_months`, `byelection_by`};
//! `deferred` {`post`, `after`, `candidates`}; `rerun` {`reasons`, `within_days`, `by`}).
//!
//! Bad input gives a one-line error naming the field, e.g.
//! `ballots[3].member[0]: unknown candidate "c9"`.

use crate::law::ballot::{Ballot, Mark};
use crate::law::count::{self, Contest, Person, Round};
use crate::law::profile::PostOrder;
pub use crate::law::recount_input::RecountError;
use crate::law::recount_input::{
    BallotIn, CandidateIn, DateIn, PerPost, TopVisitor, VoterIn, err, field, list, required,
};
pub use crate::law::synthetic::{synthetic_box, synthetic_contest};
use crate::law::tally::{Encoder, PlainTally, Tally};
use crate::law::{Gender, Method, Post, RuleProfile, Seats};
use serde::de;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// The result of recounting a published box: what the count announces and stores, and what
/// `huanjie count` prints. One type for the three kinds of box; [`Recount::to_published`] is
/// the result's published text (the bytes whose SHA-256 the log carries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Recount {
    /// An election round's box (LAW.md §4, §7, §8).
    Election(count::CountResult),
    /// A nomination primary's box (LAW.md §5 [P]).
    Primary(crate::law::primary::PrimaryCount),
    /// A recall vote's box (LAW.md §9).
    Recall(crate::law::recall::RecallCount),
}

impl Recount {
    /// The published text (pretty JSON), byte for byte what every earlier count published.
    pub fn to_published(&self) -> Result<String, RecountError> {
        serde_json::to_string_pretty(self).map_err(|e| err("output", e.to_string()))
    }

    /// Blank ballots (counted as cast).
    pub fn blank_ballots(&self) -> u64 {
        match self {
            Recount::Election(r) => r.blank_ballots,
            Recount::Primary(r) => r.blank_ballots,
            Recount::Recall(r) => r.blank_ballots,
        }
    }

    /// Ballots the count found invalid.
    pub fn invalid_ballots(&self) -> u64 {
        match self {
            Recount::Election(r) => r.invalid_ballots,
            Recount::Primary(r) => r.invalid_ballots,
            Recount::Recall(r) => r.invalid_ballots,
        }
    }
}

/// Recounts any published box as `huanjie count` and `huanjie verify` do: a recall box
/// (`"recall"`, LAW.md §9), a nomination-primary box (`"primary": true`, LAW.md §5 [P]), or an
/// election round's box.
pub fn recount_published(input: &str, profile_override: Option<RuleProfile>) -> Result<Recount, RecountError> {
    #[derive(Deserialize)]
    struct Kind {
        #[serde(default)]
        recall: Option<de::IgnoredAny>,
        #[serde(default)]
        primary: Option<bool>,
    }
    let kind: Kind = serde_json::from_str(input).map_err(|e| crate::law::recount_input::err("input", e.to_string()))?;
    if kind.recall.is_some() {
        crate::law::recall::recount_recall(input).map(Recount::Recall)
    } else if kind.primary == Some(true) {
        crate::law::primary::recount_primary(input).map(Recount::Primary)
    } else {
        recount(input, profile_override).map(Recount::Election)
    }
}

/// As [`recount_published`], as the published text.
pub fn recount_published_json(input: &str, profile_override: Option<RuleProfile>) -> Result<String, RecountError> {
    recount_published(input, profile_override)?.to_published()
}

/// The public count (公开唱票、计票, LAW.md §6 [N?]): the published box recounted on its first
/// `k` ballots by the same engine, so the running tally on the count screen carries the
/// count's own validity decisions (an over-voted ballot is invalid there too) and its last step
/// is the announced result.
pub fn recount_prefix(input: &str, k: usize) -> Result<Recount, RecountError> {
    let mut v: Value = serde_json::from_str(input).map_err(|e| err("input", e.to_string()))?;
    match v.get_mut("ballots").and_then(Value::as_array_mut) {
        Some(b) if b.len() > k => b.truncate(k),
        _ => return recount_published(input, None),
    }
    recount_published(&v.to_string(), None)
}

/// Recount a published ballot box (issue 3 item 8). `profile_override` (the CLI's `--profile`)
/// wins over a profile given in the input; without either, `national`.
pub fn recount_json(input: &str, profile_override: Option<RuleProfile>) -> Result<String, RecountError> {
    let result = recount(input, profile_override)?;
    serde_json::to_string_pretty(&result).map_err(|e| err("output", e.to_string()))
}

/// As [`recount_json`], returning the typed result.
pub fn recount(input: &str, profile_override: Option<RuleProfile>) -> Result<count::CountResult, RecountError> {
    let mut de = serde_json::Deserializer::from_str(input);
    let top = de::Deserializer::deserialize_map(&mut de, TopVisitor).map_err(|e| {
        // Errors raised below the top level already start with their field ("ballots[3]: …").
        let msg = e.to_string();
        let named = msg.split_once(": ").is_some_and(|(a, _)| !a.contains(' '));
        err(if named { "" } else { "input" }, msg)
    })?;
    de.end().map_err(|e| err("input", e.to_string()))?;
    let rest = &top.rest;
    let ballots = top.ballots.ok_or_else(|| err("ballots", "missing"))?;

    let profile = match (profile_override, rest.get("profile")) {
        (Some(p), _) => p,
        (None, None | Some(Value::Null)) => RuleProfile::national(),
        (None, Some(Value::String(n))) => RuleProfile::preset(n.as_str()).map_err(|e| err("profile", e.to_string()))?,
        (None, Some(v)) => {
            // A profile is printed on every notice: an inline one must say which it is.
            for k in ["name", "version"] {
                if v.get(k).is_none() {
                    return Err(err(format!("profile.{k}"), "missing"));
                }
            }
            RuleProfile::deserialize(v).map_err(|e| err("profile", e.to_string()))?
        }
    };
    if let Err(problems) = profile.validate() {
        let v: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        return Err(err("profile", v.join("; ")));
    }
    let method: Method = required(rest, "method")?;
    let round: Round = field(rest, "round")?.unwrap_or(Round::First);
    let seats: Seats = required(rest, "seats")?;
    // A by-election (补选, LAW.md §9 [N] Art. 18) fills vacant seats with the first round's
    // rules; the committee's size rule applies to the whole committee, not to it.
    let by_election: bool = field(rest, "by_election")?.unwrap_or(false);
    check_seats(&seats, round, by_election, &profile)?;

    let mut people: Vec<Person> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, c) in list::<CandidateIn>(rest, "candidates")?.into_iter().enumerate() {
        if c.id.is_empty() {
            return Err(err(format!("candidates[{i}].id"), "empty"));
        }
        if index.contains_key(&c.id) {
            return Err(err(format!("candidates[{i}].id"), format!("duplicate id {:?}", c.id)));
        }
        if seats.get(c.post) == 0 && !(round == Round::First && profile.counting.post_order == PostOrder::MembersFirst)
        {
            return Err(err(
                format!("candidates[{i}].post"),
                format!("no seats for {} in this count", c.post.as_str()),
            ));
        }
        index.insert(c.id.clone(), people.len());
        people.push(Person { id: c.id, name: c.name, gender: c.gender, stands_for: Some(c.post) });
    }
    let listed_voters = rest.get("write_in_voters").is_some_and(|v| !v.is_null());
    for v in list::<VoterIn>(rest, "write_in_voters")? {
        add_person(&mut people, &mut index, v.id, v.gender);
    }
    let mut already_elected = Vec::new();
    for v in list::<VoterIn>(rest, "already_elected")? {
        already_elected.push(add_person(&mut people, &mut index, v.id, v.gender));
    }
    let mut settled: [Option<Vec<usize>>; 3] = Default::default();
    if let Some(s) = field::<PerPost<Option<Vec<String>>>>(rest, "settled")? {
        for p in Post::ALL {
            if let Some(ids) = s.get(p) {
                let mut v = Vec::new();
                for (i, id) in ids.iter().enumerate() {
                    let k = index
                        .get(id)
                        .ok_or_else(|| err(format!("settled.{}[{i}]", p.as_str()), format!("unknown person {id:?}")))?;
                    v.push(*k);
                }
                settled[p.index()] = Some(v);
            }
        }
    }
    // Write-ins of people not listed are eligible voters unless a list says who is (LAW.md §6 [P]:
    // 另选他人 names another eligible voter; the published box cannot say more).
    if !listed_voters {
        for b in &ballots {
            if let Some(w) = &b.write_ins {
                for p in Post::ALL {
                    for id in w.get(p) {
                        if !id.0.is_empty() && !index.contains_key(id.0.as_ref()) {
                            add_person(&mut people, &mut index, id.0.to_string(), None);
                        }
                    }
                }
            }
        }
    }
    let contest = Contest {
        method,
        round,
        electorate: required(rest, "electorate")?,
        notified_absentees: field(rest, "notified_absentees")?.unwrap_or(0),
        ballots_issued: required(rest, "ballots_issued")?,
        ballots_returned: field(rest, "ballots_returned")?,
        seats,
        people,
        settled,
        already_elected,
        public_count: field(rest, "public_count")?.unwrap_or(true),
        announced_on_spot: field(rest, "announced_on_spot")?.unwrap_or(true),
        election_day: field::<DateIn>(rest, "election_day")?.map(|d| d.0),
    };
    let mut enc = Encoder::new(contest.layout(&profile));
    let mut tally = PlainTally::new(contest.layout(&profile));
    let mut ballot = Ballot::default();
    let order = if round == Round::First { profile.counting.post_order } else { PostOrder::Separate };
    for (bi, b) in ballots.iter().enumerate() {
        resolve(bi, b, &contest, &index, order, &mut ballot)?;
        let (_, ones) = enc.encode(&ballot);
        tally.add_encoded(ones);
    }
    Ok(count::count(&contest, &tally.into_totals(), &profile))
}

fn add_person(
    people: &mut Vec<Person>,
    index: &mut HashMap<String, usize>,
    id: String,
    gender: Option<Gender>,
) -> usize {
    if let Some(&k) = index.get(&id) {
        if let Some(p) = people.get_mut(k)
            && p.gender.is_none()
        {
            p.gender = gender;
        }
        return k;
    }
    index.insert(id.clone(), people.len());
    people.push(Person { id: id.clone(), name: String::new(), gender, stands_for: None });
    people.len() - 1
}

/// LAW.md §1 [N, P]: one chair and a committee of the profile's size in a first round; a later
/// round fills what is left.
fn check_seats(s: &Seats, round: Round, by_election: bool, profile: &RuleProfile) -> Result<(), RecountError> {
    let c = &profile.committee;
    let total = s.total();
    if round == Round::First && !by_election {
        if s.chair != 1 {
            return Err(err("seats.chair", format!("{} chairs; a committee has one (LAW.md §1)", s.chair)));
        }
        if total < c.size_min || total > c.size_max {
            return Err(err(
                "seats",
                format!("{total} members is outside the profile's {}–{}", c.size_min, c.size_max),
            ));
        }
        if c.odd_only && total.is_multiple_of(2) {
            return Err(err("seats", format!("{total} members; the profile requires an odd number")));
        }
    } else if total == 0 || total > c.size_max {
        return Err(err("seats", format!("{total} seats to fill in this round")));
    }
    Ok(())
}

fn resolve(
    bi: usize,
    b: &BallotIn<'_>,
    c: &Contest,
    index: &HashMap<String, usize>,
    order: PostOrder,
    out: &mut Ballot,
) -> Result<(), RecountError> {
    out.declared_invalid = b.invalid;
    for m in out.marks.iter_mut() {
        m.clear();
    }
    let mut any = false;
    for p in Post::ALL {
        let marks = &mut out.marks[p.index()];
        for (mi, id) in b.marks(p).iter().enumerate() {
            let here = || format!("ballots[{bi}].{}[{mi}]", p.as_str());
            let k = *index.get(id.0.as_ref()).ok_or_else(|| err(here(), format!("unknown candidate {:?}", id.0)))?;
            let stands = c.people.get(k).and_then(|x| x.stands_for);
            let ok = match (order, stands) {
                (_, None) => false,
                (PostOrder::MembersFirst, Some(_)) => true,
                (PostOrder::SingleCarryDown, Some(s)) => s <= p,
                (PostOrder::Separate, Some(s)) => s == p,
            };
            if !ok {
                let msg = match stands {
                    Some(_) => {
                        format!("candidate {:?} does not stand for {}; write-ins go in write_ins", id.0, p.as_str())
                    }
                    None => format!("unknown candidate {:?}", id.0),
                };
                return Err(err(here(), msg));
            }
            marks.push(Mark::Person(k as u32));
        }
        if let Some(w) = &b.write_ins {
            for id in w.get(p) {
                marks.push(match index.get(id.0.as_ref()) {
                    _ if id.0.is_empty() => Mark::Unreadable,
                    Some(&k) => Mark::Person(k as u32),
                    None => Mark::Ineligible,
                });
            }
        }
        if let Some(u) = &b.unreadable {
            // More marks than seats void the post or ballot whatever their number; capping keeps
            // a hostile count from allocating without changing the result.
            let n = (*u.get(p)).min(c.seats.get(p).saturating_add(1));
            for _ in 0..n {
                marks.push(Mark::Unreadable);
            }
        }
        if !marks.is_empty() {
            any = true;
            if c.seats.get(p) == 0 && c.settled[p.index()].is_none() {
                return Err(err(format!("ballots[{bi}].{}", p.as_str()), "no seats for this post in this count"));
            }
        }
    }
    if b.blank && (any || b.invalid) {
        return Err(err(format!("ballots[{bi}].blank"), "a blank ballot has no marks"));
    }
    Ok(())
}

#[cfg(test)]
#[path = "recount_tests.rs"]
mod tests;
