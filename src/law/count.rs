//! Counting (LAW.md §4, §7, §8): validity of the vote, who is elected on each post, and what must
//! happen next. Reads only [`Totals`], never ballots, so an encrypted tally can feed it.

pub use crate::law::contest::{Contest, Person, Round};
use crate::law::outcome::WomenOutcome;
pub use crate::law::outcome::{CountResult, Elected, Next, PostResult, PostStatus, ProfileRef, TallyLine, VoidReason};
use crate::law::profile::PostOrder;
use crate::law::race::{self, Decision, Entry, Threshold};
use crate::law::steps::{Work, runoff, vacancy};
use crate::law::tally::Totals;
use crate::law::timetable::add_months;
use crate::law::women;
use crate::law::{Post, RuleProfile};
use time::Duration;

fn threshold(round: Round, profile: &RuleProfile) -> Threshold {
    match round {
        Round::First => Threshold::MoreThan(profile.counting.majority),
        Round::Runoff => Threshold::AtLeast(profile.counting.runoff_minimum),
        Round::Revote => Threshold::MostVotes,
    }
}

fn void_reasons(c: &Contest, t: &Totals, profile: &RuleProfile, denominator: u64) -> Vec<VoidReason> {
    let mut out = Vec::new();
    // LAW.md §4 [N / N?]; LAW.md is silent on run-offs and re-votes. The Organic Law makes
    // turnout a condition of every valid vote and by-elections repeat Art. 18's quorum [N], so
    // every round here must meet it too.
    if !profile.quorum(c.method).exceeded_by(t.cast(), denominator) {
        out.push(VoidReason::QuorumMissed);
    }
    if t.cast() > c.ballots_issued {
        out.push(VoidReason::ReturnedExceedsIssued);
    }
    if c.ballots_returned.is_some_and(|r| r != t.cast()) {
        out.push(VoidReason::TotalsDoNotReconcile);
    }
    let order = c.order(profile);
    let standing = |p: Post, or_higher: bool| {
        c.people.iter().filter(|x| x.stands_for.is_some_and(|s| s == p || (or_higher && s < p))).count() as u64
    };
    let mut broken = false;
    match order {
        PostOrder::Separate => {
            for p in Post::ALL {
                if c.seats.get(p) > 0 && c.settled[p.index()].is_none() {
                    broken |= standing(p, false) <= u64::from(c.seats.get(p));
                }
            }
        }
        PostOrder::SingleCarryDown => {
            let mut higher = 0u64;
            for p in Post::ALL {
                let s = u64::from(c.seats.get(p));
                if s > 0 && c.settled[p.index()].is_none() {
                    broken |= standing(p, true).saturating_sub(higher) <= s;
                }
                higher += s;
            }
        }
        PostOrder::MembersFirst => {
            if c.settled[Post::Member.index()].is_none() {
                let all = c.people.iter().filter(|x| x.stands_for.is_some()).count() as u64;
                broken |= all <= u64::from(c.seats.total());
            }
        }
    }
    if broken {
        out.push(VoidReason::MarginBroken);
    }
    if !c.public_count {
        out.push(VoidReason::NoPublicCount);
    }
    if !c.announced_on_spot {
        out.push(VoidReason::NotAnnouncedOnSpot);
    }
    out
}

/// Count one round of an election from its totals.
pub fn count(c: &Contest, t: &Totals, profile: &RuleProfile) -> CountResult {
    let absent =
        if profile.registration.exclude_notified_absentees { c.notified_absentees.min(c.electorate) } else { 0 };
    let denominator = c.electorate - absent;
    let reasons = void_reasons(c, t, profile, denominator);
    let valid = reasons.is_empty();
    let mut works = count_posts(c, t, profile);
    let mut next = Vec::new();
    let women_rule;
    if valid {
        for w in works.iter_mut() {
            if w.status == PostStatus::Counted && w.d.unfilled > 0 && c.round == Round::First {
                let mut excluded = w.d.elected.clone();
                excluded.extend(&w.d.tied);
                w.runoff = race::runoff_pool(&w.d.ranking, &excluded, w.d.unfilled, profile.margin(w.post).min);
            }
        }
        let (outcome, women_next) = women::apply(c, profile, &mut works);
        women_rule = outcome;
        for w in &works {
            next.extend(post_next(c, profile, w));
        }
        next.extend(women_next);
    } else {
        for w in works.iter_mut() {
            w.status = PostStatus::Void;
            w.d.elected.clear();
            w.d.tied.clear();
            w.d.tied_seats = 0;
            w.d.unfilled = 0;
        }
        women_rule = WomenOutcome::not_applied(profile);
        next.push(Next::Rerun {
            reasons: reasons.clone(),
            within_days: profile.deadlines.rerun_days,
            by: c.election_day.and_then(|d| d.checked_add(Duration::days(i64::from(profile.deadlines.rerun_days)))),
        });
    }
    if next.is_empty() {
        next.push(Next::Nothing);
    }
    let elected = final_assignment(c, profile, &works);
    CountResult {
        profile: ProfileRef { name: profile.name.clone(), version: profile.version.clone() },
        method: c.method,
        round: c.round,
        valid,
        void_reasons: reasons,
        electorate: c.electorate,
        notified_absentees_excluded: absent,
        quorum_needed: profile.quorum(c.method).least_exceeding(denominator),
        ballots_issued: c.ballots_issued,
        ballots_cast: t.cast(),
        valid_ballots: t.cast().saturating_sub(t.invalid()),
        blank_ballots: t.blank(),
        invalid_ballots: t.invalid(),
        posts: works.iter().map(|w| post_result(c, t, w)).collect(),
        elected,
        women_rule,
        next,
    }
}

fn post_next(c: &Contest, profile: &RuleProfile, w: &Work) -> Vec<Next> {
    let mut out = Vec::new();
    match w.status {
        PostStatus::Counted => {}
        PostStatus::Deferred => {
            if let Some(after) = w.deferred_after {
                out.push(Next::Deferred { post: w.post, after, candidates: c.ids(&w.deferred_candidates) });
            }
            return out;
        }
        PostStatus::Settled | PostStatus::Void => return out,
    }
    if !w.d.tied.is_empty() {
        out.push(Next::Revote { post: w.post, candidates: c.ids(&w.d.tied), seats: w.d.tied_seats, women_only: false });
    }
    if w.d.unfilled > 0 {
        // LAW.md §7 [N]: a run-off needs more candidates than seats; one that cannot have them,
        // or a seat still short after the run-off, stays vacant for a by-election [P].
        if c.round == Round::First && w.runoff.len() > w.d.unfilled as usize {
            out.push(runoff(c, profile, w.post, c.ids(&w.runoff), w.d.unfilled, false));
        } else {
            out.push(vacancy(c, profile, w.post, w.d.unfilled, false));
        }
    }
    out
}

/// Decide each post in the profile's order.
fn count_posts(c: &Contest, t: &Totals, profile: &RuleProfile) -> Vec<Work> {
    let order = c.order(profile);
    let th = threshold(c.round, profile);
    let cast = t.cast();
    let mut works: Vec<Work> = Vec::new();
    let mut elected_higher: Vec<usize> = Vec::new();
    let posts: Vec<Post> = match order {
        PostOrder::MembersFirst => vec![Post::Member, Post::Chair, Post::ViceChair],
        _ => Post::ALL.to_vec(),
    };
    for post in posts {
        let settled = c.settled[post.index()].clone();
        let mut seats = c.seats.get(post);
        if order == PostOrder::MembersFirst && post == Post::Member && settled.is_none() {
            // LAW.md §7 [P] members_first: the member vote fills the whole committee.
            seats = c.seats.total();
        }
        if seats == 0 && settled.is_none() {
            continue;
        }
        let mut w = Work {
            post,
            seats,
            status: PostStatus::Counted,
            threshold: Some(th),
            d: Decision::default(),
            runoff: Vec::new(),
            deferred_after: None,
            deferred_candidates: Vec::new(),
        };
        if let Some(s) = settled {
            w.status = PostStatus::Settled;
            w.threshold = None;
            w.d.elected = s;
            if order != PostOrder::MembersFirst || post != Post::Member {
                elected_higher.extend(&w.d.elected);
            }
            works.push(w);
            continue;
        }
        // Who blocks this post: a higher post still open in carry-down, the member vote (then
        // the chair) in members_first.
        let blocker = works.iter().find(|x| x.undecided() && (order != PostOrder::Separate));
        if let Some(b) = blocker {
            w.status = PostStatus::Deferred;
            w.threshold = None;
            w.deferred_after = Some(b.post);
            works.push(w);
            continue;
        }
        let pool: Vec<Entry> = match (order, post) {
            (PostOrder::MembersFirst, Post::Chair | Post::ViceChair) => {
                let members: Vec<usize> =
                    works.iter().find(|x| x.post == Post::Member).map(|x| x.d.elected.clone()).unwrap_or_default();
                let members: Vec<usize> = members.into_iter().filter(|i| !elected_higher.contains(i)).collect();
                if !t.post_marked(post) {
                    // Nobody has voted on this post yet: the vote among the members follows.
                    w.status = PostStatus::Deferred;
                    w.threshold = None;
                    w.deferred_after = Some(Post::Member);
                    w.deferred_candidates = members;
                    works.push(w);
                    continue;
                }
                members.into_iter().map(|i| Entry { person: i, votes: t.votes(post, i) }).collect()
            }
            _ => (0..c.people.len())
                .filter(|i| !elected_higher.contains(i))
                .filter_map(|i| {
                    let stands = c.people[i].stands_for;
                    let votes = match (order, stands) {
                        (PostOrder::MembersFirst, Some(_)) => {
                            return Some(Entry { person: i, votes: t.votes(post, i) });
                        }
                        (PostOrder::SingleCarryDown, Some(s)) if s < post => t.votes_at_or_above(post, i),
                        _ => t.votes(post, i),
                    };
                    let standing = match stands {
                        Some(s) if order == PostOrder::SingleCarryDown => s <= post,
                        Some(s) => s == post,
                        None => false,
                    };
                    (standing || votes > 0).then_some(Entry { person: i, votes })
                })
                .collect(),
        };
        w.d = race::decide(pool, seats, cast, th, |i| c.id(i));
        if order != PostOrder::MembersFirst || post != Post::Member {
            elected_higher.extend(&w.d.elected);
        }
        works.push(w);
    }
    works.sort_by_key(|w| w.post);
    works
}

/// Who holds which post after this count, chair first.
fn final_assignment(c: &Contest, profile: &RuleProfile, works: &[Work]) -> Vec<Elected> {
    let mut out: Vec<Elected> = Vec::new();
    for w in works {
        for &i in &w.d.elected {
            out.push(Elected { id: c.id(i).to_string(), post: w.post });
        }
    }
    // In members_first the chair and vice-chairs come from the member vote: list them once.
    if c.order(profile) == PostOrder::MembersFirst {
        let mut seen: Vec<String> = Vec::new();
        out.retain(|e| {
            let fresh = !seen.contains(&e.id);
            seen.push(e.id.clone());
            fresh
        });
    }
    out
}

fn post_result(c: &Contest, t: &Totals, w: &Work) -> PostResult {
    PostResult {
        post: w.post,
        seats: w.seats,
        status: w.status,
        threshold: w.threshold,
        votes_needed: w.threshold.map(|th| th.votes_needed(t.cast())),
        void_marks: t.void_marks(w.post),
        voided_by_overvote: t.voided_posts(w.post),
        tally: w
            .d
            .ranking
            .iter()
            .map(|e| TallyLine {
                id: c.id(e.person).to_string(),
                votes: e.votes,
                write_in: c.people.get(e.person).is_some_and(|p| p.stands_for.is_none()),
            })
            .collect(),
        elected: c.ids(&w.d.elected),
        unfilled: w.d.unfilled,
        tied: c.ids(&w.d.tied),
        tied_seats: w.d.tied_seats,
    }
}

/// LAW.md §7 [N]: winning by violence, threats, bribery, forged ballots or falsified counts
/// voids that person's election (当选无效); their seat is filled by a by-election. Returns the
/// by-election step, or `None` if the person was not elected in this result.
pub fn annul_election_of(
    result: &CountResult,
    id: &str,
    profile: &RuleProfile,
    decided_on: Option<time::Date>,
) -> Option<Next> {
    let e = result.elected.iter().find(|e| e.id == id)?;
    let months = profile.deadlines.vacancy_byelection_months;
    Some(Next::Vacancy {
        post: e.post,
        seats: 1,
        women_only: false,
        byelection_within_months: months,
        byelection_by: decided_on.and_then(|d| add_months(d, months).ok()),
    })
}

#[cfg(test)]
#[path = "count_tests.rs"]
mod tests;
