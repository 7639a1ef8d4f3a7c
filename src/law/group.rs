//! Residents' group elections (居民小组推选居民代表): each residents' group elects its 2–3
//! residents' representatives, who form the electorate of an election by the `representatives`
//! method (LAW.md §4 [N 2018, P]) and serve the committee's term [N].
//!
//! The count of one round, as a pure function:
//! - valid when more than `meetings.group_election_quorum` (default 1/2) of the group's voters
//!   cast a ballot (LAW.md §10 [N 2018]: more than half present; §4 [P]: a profile setting);
//! - a candidate is elected with more than `meetings.group_election_majority` (default 1/2) of
//!   the ballots cast (LAW.md §10 [N 2018]: decisions by more than half; §4 [P]);
//! - of those with that majority, the most votes take the seats; candidates tied at the last
//!   seat are not ranked by lot but re-voted (LAW.md §7 [N?], as the committee's count does);
//! - seats no one won by a majority stay unfilled (the group may hold a new election).

use serde::{Deserialize, Serialize};

use crate::law::RuleProfile;

/// One round's figures: the group's voters, the ballots cast, the seats open and each
/// candidate's votes (candidate id, votes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRound {
    pub voters: u64,
    pub ballots_cast: u64,
    pub seats: u32,
    pub votes: Vec<(String, u64)>,
}

/// The result of one round. Fields in alphabetical order (stored and logged as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupCount {
    pub ballots_cast: u64,
    /// Elected this round, most votes first (ties among the elected in candidate order).
    pub elected: Vec<String>,
    /// The fewest ballots that make the quorum.
    pub quorum_needed: u64,
    /// Candidates tied at the last seat: a re-vote among them for `tied_seats` seats.
    pub tied: Vec<String>,
    pub tied_seats: u32,
    /// Seats no candidate won with a majority.
    pub unfilled: u32,
    /// Whether more than the quorum share of the group's voters voted.
    pub valid: bool,
    pub voters: u64,
    /// The fewest votes that elect (more than the majority share of the ballots cast).
    pub votes_needed: u64,
}

/// Counts one round of a residents' group election (LAW.md §4 [N 2018, P], §10 [N 2018]).
pub fn count_group(r: &GroupRound, profile: &RuleProfile) -> GroupCount {
    let m = &profile.meetings;
    let quorum_needed = m.group_election_quorum.least_exceeding(r.voters);
    let votes_needed = m.group_election_majority.least_exceeding(r.ballots_cast);
    let valid = r.voters > 0 && m.group_election_quorum.exceeded_by(r.ballots_cast, r.voters);
    let mut out = GroupCount {
        ballots_cast: r.ballots_cast,
        elected: Vec::new(),
        quorum_needed,
        tied: Vec::new(),
        tied_seats: 0,
        unfilled: 0,
        valid,
        voters: r.voters,
        votes_needed,
    };
    if !valid {
        // LAW.md §4 [P, CQ Art. 34(3)]: turnout below the quorum elects nobody.
        return out;
    }
    let mut winners: Vec<(usize, &String, u64)> = r
        .votes
        .iter()
        .enumerate()
        .filter(|(_, (_, v))| m.group_election_majority.exceeded_by(*v, r.ballots_cast))
        .map(|(i, (id, v))| (i, id, *v))
        .collect();
    winners.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let seats = r.seats as usize;
    if winners.len() <= seats {
        out.elected = winners.iter().map(|w| w.1.clone()).collect();
    } else {
        // The votes of the last seat: those above it are elected, those on it are tied unless
        // they all fit.
        let last = winners[seats - 1].2;
        let above: Vec<String> = winners.iter().filter(|w| w.2 > last).map(|w| w.1.clone()).collect();
        let on: Vec<String> = winners.iter().filter(|w| w.2 == last).map(|w| w.1.clone()).collect();
        let left = seats - above.len();
        out.elected = above;
        if on.len() <= left {
            out.elected.extend(on);
        } else {
            out.tied = on;
            out.tied_seats = u32::try_from(left).unwrap_or(u32::MAX);
        }
    }
    let taken = out.elected.len() as u32 + out.tied_seats;
    out.unfilled = r.seats.saturating_sub(taken);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn round(voters: u64, cast: u64, seats: u32, votes: &[(&str, u64)]) -> GroupRound {
        GroupRound {
            voters,
            ballots_cast: cast,
            seats,
            votes: votes.iter().map(|(i, v)| (i.to_string(), *v)).collect(),
        }
    }

    #[test]
    fn exactly_half_of_the_group_voting_is_not_a_quorum_law_4_10_n_2018_p() {
        let p = RuleProfile::national();
        let half = count_group(&round(10, 5, 2, &[("a", 5), ("b", 5)]), &p);
        assert!(!half.valid);
        assert!(half.elected.is_empty() && half.tied.is_empty());
        assert_eq!(half.quorum_needed, 6);
        let more = count_group(&round(10, 6, 2, &[("a", 6), ("b", 3)]), &p);
        assert!(more.valid);
        assert_eq!(more.elected, vec!["a".to_string()]);
        assert_eq!(more.unfilled, 1, "3 of 6 ballots is exactly half, no majority");
        assert!(!count_group(&round(0, 0, 2, &[]), &p).valid);
    }

    #[test]
    fn exactly_half_of_the_ballots_does_not_elect_law_10_n_2018_p() {
        let p = RuleProfile::national();
        let r = count_group(&round(10, 8, 2, &[("a", 4), ("b", 5), ("c", 8)]), &p);
        assert_eq!(r.votes_needed, 5);
        assert_eq!(r.elected, vec!["c".to_string(), "b".to_string()]);
        let r = count_group(&round(10, 8, 3, &[("a", 4), ("b", 5), ("c", 8)]), &p);
        assert_eq!((r.elected.len(), r.unfilled), (2, 1));
    }

    #[test]
    fn a_tie_at_the_last_seat_is_re_voted_law_7_n_q() {
        let p = RuleProfile::national();
        // Two seats; a leads, b and c tie with a majority each: one seat to re-vote.
        let r = count_group(&round(9, 8, 2, &[("a", 8), ("b", 6), ("c", 6)]), &p);
        assert_eq!(r.elected, vec!["a".to_string()]);
        assert_eq!((r.tied.clone(), r.tied_seats, r.unfilled), (vec!["b".to_string(), "c".to_string()], 1, 0));
        // A tie that fits the seats elects both.
        let r = count_group(&round(9, 8, 3, &[("a", 8), ("b", 6), ("c", 6)]), &p);
        assert_eq!(r.elected.len(), 3);
        assert!(r.tied.is_empty());
        // A three-way tie for two seats: a re-vote among the three for both seats.
        let r = count_group(&round(9, 8, 2, &[("a", 5), ("b", 5), ("c", 5)]), &p);
        assert_eq!((r.elected.len(), r.tied.len(), r.tied_seats), (0, 3, 2));
    }

    #[test]
    fn quorum_and_majority_are_profile_settings_law_4_p() {
        let mut p = RuleProfile::national();
        p.meetings.group_election_quorum = crate::law::Fraction::new(2, 3);
        p.meetings.group_election_majority = crate::law::Fraction::new(2, 3);
        assert!(!count_group(&round(9, 6, 2, &[("a", 6)]), &p).valid, "6 of 9 is not more than 2/3");
        let r = count_group(&round(9, 7, 2, &[("a", 5), ("b", 4)]), &p);
        assert_eq!(r.elected, vec!["a".to_string()], "5 of 7 > 2/3, 4 of 7 is not");
        let mut bad = RuleProfile::national();
        bad.meetings.group_election_quorum = crate::law::Fraction::new(1, 3);
        assert!(bad.validate().is_err());
    }
}
