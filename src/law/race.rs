//! One race: the people standing for one post in one round, their votes, and who is elected,
//! tied or left unfilled (LAW.md §7).

use crate::law::Fraction;
use serde::{Deserialize, Serialize};

/// What a person needs to be elected in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule", content = "share")]
pub enum Threshold {
    /// LAW.md §7 [N?]: more than half of the ballots cast (first round).
    MoreThan(Fraction),
    /// LAW.md §7 [N?]: most votes and at least a third of the ballots cast (run-off).
    AtLeast(Fraction),
    /// Re-vote among people tied at the cut-off: most votes. They already met their round's
    /// threshold; LAW.md §7 [P] only forbids drawing lots, so the re-vote only orders them.
    MostVotes,
}

impl Threshold {
    pub fn met(self, votes: u64, cast: u64) -> bool {
        match self {
            Threshold::MoreThan(f) => f.exceeded_by(votes, cast),
            Threshold::AtLeast(f) => votes > 0 && f.reached_by(votes, cast),
            Threshold::MostVotes => true,
        }
    }

    /// The fewest votes that meet the threshold.
    pub fn votes_needed(self, cast: u64) -> u64 {
        match self {
            Threshold::MoreThan(f) => f.least_exceeding(cast),
            Threshold::AtLeast(f) => f.least_reaching(cast).max(1),
            Threshold::MostVotes => 0,
        }
    }
}

/// A person in a race with their votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub person: usize,
    pub votes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    /// Highest first.
    pub elected: Vec<usize>,
    /// Tied at the cut-off: a re-vote among them for `tied_seats` (LAW.md §7 [P]: never a lot).
    pub tied: Vec<usize>,
    pub tied_seats: u32,
    /// Seats nobody qualified for.
    pub unfilled: u32,
    /// Everyone in the race, highest first; equal votes in id order (for display only — no
    /// decision depends on it).
    pub ranking: Vec<Entry>,
}

/// Decide a race. `id` gives the stable display order among equal votes.
pub fn decide<'a>(
    mut pool: Vec<Entry>,
    seats: u32,
    cast: u64,
    threshold: Threshold,
    id: impl Fn(usize) -> &'a str,
) -> Decision {
    pool.sort_by(|a, b| b.votes.cmp(&a.votes).then_with(|| id(a.person).cmp(id(b.person))));
    let qualified: Vec<Entry> = pool.iter().copied().filter(|e| threshold.met(e.votes, cast)).collect();
    let seats_u = seats as usize;
    let mut d = Decision { ranking: pool, ..Decision::default() };
    if qualified.len() <= seats_u {
        d.elected = qualified.iter().map(|e| e.person).collect();
        d.unfilled = seats - qualified.len() as u32;
        return d;
    }
    if seats_u == 0 {
        return d;
    }
    // LAW.md §7 [N?]: with more qualifiers than seats, highest first; a tie at the cut-off goes
    // to a re-vote among the tied [P].
    let cut = qualified[seats_u - 1].votes;
    if qualified[seats_u].votes == cut {
        d.elected = qualified.iter().filter(|e| e.votes > cut).map(|e| e.person).collect();
        d.tied = qualified.iter().filter(|e| e.votes == cut).map(|e| e.person).collect();
        d.tied_seats = seats - d.elected.len() as u32;
    } else {
        d.elected = qualified[..seats_u].iter().map(|e| e.person).collect();
    }
    d
}

/// LAW.md §7 [N]: the run-off is held among the highest unsuccessful people, still more of them
/// than seats. Takes `seats + margin` from the ranking, plus anyone tied with the last taken (a
/// lot may not decide who stands). The Organic Law's "第一次投票未当选的人员得票多的为候选人"
/// speaks of persons, so write-ins who drew votes are included.
pub fn runoff_pool(ranking: &[Entry], excluded: &[usize], seats: u32, margin: u32) -> Vec<usize> {
    let want = seats.saturating_add(margin.max(1)) as usize;
    let open: Vec<Entry> = ranking.iter().copied().filter(|e| !excluded.contains(&e.person)).collect();
    if open.len() <= want {
        return open.iter().map(|e| e.person).collect();
    }
    let last = open[want - 1].votes;
    open.iter().enumerate().take_while(|(i, e)| *i < want || e.votes == last).map(|(_, e)| e.person).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]
mod tests {
    use super::*;

    const IDS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
    fn pool(v: &[u64]) -> Vec<Entry> {
        v.iter().enumerate().map(|(person, &votes)| Entry { person, votes }).collect()
    }
    fn half() -> Threshold {
        Threshold::MoreThan(Fraction::new(1, 2))
    }

    #[test]
    fn majority_of_ballots_cast_n_q() {
        // (votes, seats, cast) → (elected, tied, unfilled)
        let table: Vec<(Vec<u64>, u32, u64, Vec<usize>, Vec<usize>, u32)> = vec![
            (vec![51, 49], 1, 100, vec![0], vec![], 0),
            (vec![50, 50], 1, 100, vec![], vec![], 1), // exactly half is not more than half
            (vec![60, 70, 55, 10], 2, 100, vec![1, 0], vec![], 0), // highest first
            (vec![60, 60, 60, 10], 2, 100, vec![], vec![0, 1, 2], 0), // tie at the cut-off
            (vec![70, 60, 60, 10], 2, 100, vec![0], vec![1, 2], 0),
            (vec![70, 40, 30], 3, 100, vec![0], vec![], 2),
        ];
        for (i, (v, seats, cast, el, tied, unf)) in table.into_iter().enumerate() {
            let d = decide(pool(&v), seats, cast, half(), |p| IDS[p]);
            assert_eq!((&d.elected, &d.tied, d.unfilled), (&el, &tied, unf), "case {i}");
            if !tied.is_empty() {
                assert!(d.tied.len() as u32 > d.tied_seats);
            }
        }
    }

    #[test]
    fn runoff_needs_a_third_and_most_votes_n_q() {
        let third = Threshold::AtLeast(Fraction::new(1, 3));
        let d = decide(pool(&[34, 33, 33]), 1, 100, third, |p| IDS[p]);
        assert_eq!(d.elected, vec![0]);
        let d = decide(pool(&[33, 32, 30]), 1, 100, third, |p| IDS[p]);
        assert_eq!((d.elected.len(), d.unfilled), (0, 1));
        let d = decide(pool(&[40, 40, 20]), 1, 100, third, |p| IDS[p]);
        assert_eq!(d.tied, vec![0, 1]);
        assert_eq!(third.votes_needed(100), 34);
    }

    #[test]
    fn revote_most_votes_wins_p() {
        let d = decide(pool(&[3, 5]), 1, 8, Threshold::MostVotes, |p| IDS[p]);
        assert_eq!(d.elected, vec![1]);
        let d = decide(pool(&[4, 4]), 1, 8, Threshold::MostVotes, |p| IDS[p]);
        assert_eq!(d.tied, vec![0, 1]);
    }

    #[test]
    fn runoff_pool_more_than_seats_with_boundary_ties_n() {
        let r = decide(pool(&[40, 30, 30, 30, 5]), 1, 100, half(), |p| IDS[p]).ranking;
        assert_eq!(runoff_pool(&r, &[], 1, 1), vec![0, 1, 2, 3]);
        assert_eq!(runoff_pool(&r, &[0], 1, 1), vec![1, 2, 3]);
        assert_eq!(runoff_pool(&r, &[], 2, 1), vec![0, 1, 2, 3]);
        let r = decide(pool(&[40, 30, 20, 10]), 1, 100, half(), |p| IDS[p]).ranking;
        assert_eq!(runoff_pool(&r, &[], 1, 1), vec![0, 1]);
    }
}
