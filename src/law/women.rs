//! The women rule (LAW.md §1 [P, GS/CQ Art. 5]: the committee should include a woman; what to do
//! when none is elected is the profile's `women_seat` [P]).

use crate::law::contest::{Contest, Round};
use crate::law::outcome::{Next, PostStatus};
pub use crate::law::outcome::{WomenOutcome, WomenStatus};
use crate::law::profile::WomenSeat;
use crate::law::race::{self, Entry};
use crate::law::steps::{self, Work};
use crate::law::{Gender, Post, RuleProfile};

fn is_woman(c: &Contest, i: usize) -> bool {
    c.people.get(i).is_some_and(|p| p.gender == Some(Gender::Female))
}

/// Apply the rule to the decided posts; returns the outcome and any extra steps.
pub(crate) fn apply(c: &Contest, profile: &RuleProfile, works: &mut [Work]) -> (WomenOutcome, Vec<Next>) {
    use WomenStatus as S;
    if !profile.committee.woman_required {
        return (WomenOutcome::new(profile, S::NotRequired), Vec::new());
    }
    let elected: Vec<usize> =
        works.iter().flat_map(|w| w.d.elected.iter().copied()).chain(c.already_elected.iter().copied()).collect();
    if elected.iter().any(|&i| is_woman(c, i)) {
        return (WomenOutcome::new(profile, S::Satisfied), Vec::new());
    }
    let pending = works.iter().any(|w| {
        w.status == PostStatus::Deferred
            || w.d.tied.iter().chain(&w.runoff).chain(&w.deferred_candidates).any(|&i| is_woman(c, i))
    });
    if pending {
        return (WomenOutcome::new(profile, S::Pending), Vec::new());
    }
    // In members_first the chair and vice-chairs come from the member vote; they keep their seat.
    let protected: Vec<usize> =
        works.iter().filter(|w| w.post != Post::Member).flat_map(|w| w.d.elected.iter().copied()).collect();
    let Some(w) = works.iter_mut().find(|w| w.post == Post::Member && w.status == PostStatus::Counted) else {
        // No member race in this count: the rule acts on member seats only (LAW.md §7 [P]).
        return (WomenOutcome::new(profile, S::Warning), Vec::new());
    };
    let women: Vec<Entry> =
        w.d.ranking.iter().copied().filter(|e| is_woman(c, e.person) && !elected.contains(&e.person)).collect();
    if women.is_empty() {
        return (WomenOutcome::new(profile, S::NoWomanCandidate), Vec::new());
    }
    if profile.counting.women_seat == WomenSeat::Warn {
        return (WomenOutcome::new(profile, S::Warning), Vec::new());
    }
    let mut out = WomenOutcome::new(profile, S::SeatReserved);
    let mut next = Vec::new();
    // Free one member seat: an unfilled one if there is one, else one being re-voted at the
    // cut-off, else the lowest elected man's. Men tied for lowest go to a re-vote for the seats
    // left among them: a lot may not decide.
    if w.d.unfilled > 0 {
        w.d.unfilled -= 1;
        if w.d.unfilled == 0 {
            w.runoff.clear();
        }
    } else if w.d.tied_seats > 0 {
        // The seat at the cut-off is the lowest-placed one: the men tied for it re-vote for one
        // seat fewer (or all lose it, with no lot needed).
        w.d.tied_seats -= 1;
        if w.d.tied_seats == 0 {
            out.displaced = c_ids(c, &w.d.tied);
            w.d.tied.clear();
        }
    } else {
        let lowest =
            w.d.ranking
                .iter()
                .filter(|e| w.d.elected.contains(&e.person) && !protected.contains(&e.person))
                .map(|e| e.votes)
                .min();
        if let Some(low) = lowest {
            let group: Vec<usize> =
                w.d.ranking
                    .iter()
                    .filter(|e| e.votes == low && w.d.elected.contains(&e.person) && !protected.contains(&e.person))
                    .map(|e| e.person)
                    .collect();
            w.d.elected.retain(|i| !group.contains(i));
            out.displaced = c_ids(c, &group);
            if group.len() > 1 {
                next.push(Next::Revote {
                    post: Post::Member,
                    candidates: c_ids(c, &group),
                    seats: group.len() as u32 - 1,
                    women_only: false,
                });
            }
        }
    }
    match profile.counting.women_seat {
        WomenSeat::Reserve | WomenSeat::Warn => {
            // LAW.md §7 [P] reserve: the best-placed women go to a run-off for the kept seat; after
            // a run-off or re-vote no further run-off is held, so the seat waits for a by-election.
            let pool = race::runoff_pool(&women, &[], 1, profile.margin(Post::Member).min);
            out.candidates = c_ids(c, &pool);
            if c.round == Round::First && pool.len() > 1 {
                next.push(steps::runoff(c, profile, Post::Member, c_ids(c, &pool), 1, true));
            } else {
                next.push(steps::vacancy(c, profile, Post::Member, 1, true));
            }
        }
        WomenSeat::HighestWoman => {
            let top = women[0].votes;
            let tied: Vec<usize> = women.iter().filter(|e| e.votes == top).map(|e| e.person).collect();
            if tied.len() == 1 {
                w.d.elected.push(tied[0]);
                out.status = S::WomanSeated;
                out.woman = Some(c_ids(c, &tied).remove(0));
            } else {
                out.candidates = c_ids(c, &tied);
                next.push(Next::Revote { post: Post::Member, candidates: c_ids(c, &tied), seats: 1, women_only: true });
            }
        }
    }
    (out, next)
}

fn c_ids(c: &Contest, v: &[usize]) -> Vec<String> {
    v.iter().filter_map(|&i| c.people.get(i)).map(|p| p.id.clone()).collect()
}
