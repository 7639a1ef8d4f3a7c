//! A round of voting on one roll: a round of the nomination primary (预选, LAW.md §5 [P]) or a
//! round of the election itself (the first vote, then run-offs 另行选举 and re-votes, LAW.md §7).
//! Both count from 1 as people count them. How a round is stored (one integer per poll) is the
//! store's business (`store::polling`), not this type's.

use std::fmt;

/// Rounds order as they are held: every primary round comes before the first election round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Round {
    /// The n-th round of the nomination primary (a re-vote among nominees tied across the last
    /// place is the next one, LAW.md §5 [P]).
    Primary(u32),
    /// The n-th round of the election (LAW.md §7: run-offs and re-votes follow the first).
    Election(u32),
}

impl Round {
    pub const FIRST_PRIMARY: Round = Round::Primary(1);
    pub const FIRST_ELECTION: Round = Round::Election(1);

    /// A round of the nomination primary (rather than of the election).
    pub fn is_primary(self) -> bool {
        matches!(self, Round::Primary(_))
    }

    /// The round as people count it: 1, 2, … within the primary or within the election.
    pub fn ordinal(self) -> u32 {
        match self {
            Round::Primary(n) | Round::Election(n) => n,
        }
    }

    /// The next round of the same kind.
    pub fn next(self) -> Round {
        match self {
            Round::Primary(n) => Round::Primary(n.saturating_add(1)),
            Round::Election(n) => Round::Election(n.saturating_add(1)),
        }
    }
}

impl fmt::Display for Round {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Round::Primary(n) => write!(f, "primary round {n}"),
            Round::Election(n) => write!(f, "round {n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_rounds_come_first_and_count_from_one_law_5_p() {
        assert!(Round::Primary(7) < Round::FIRST_ELECTION);
        assert!(Round::Election(1) < Round::Election(2));
        assert_eq!(Round::FIRST_PRIMARY.next(), Round::Primary(2));
        assert_eq!(Round::Primary(2).ordinal(), 2);
        assert!(Round::Primary(1).is_primary() && !Round::Election(1).is_primary());
    }
}
