//! What a count is about (LAW.md §4, §7): the method, the round, the electorate, the seats and
//! the people who may receive votes. Kept apart from the ballots so the same contest can be
//! counted from a plain or an encrypted tally.

use crate::law::profile::PostOrder;
use crate::law::tally::Layout;
use crate::law::{Gender, Method, Post, RuleProfile, Seats};
use serde::{Deserialize, Serialize};
use time::Date;

/// Someone who may receive votes in this count: a candidate (`stands_for`) or an eligible voter
/// who may be written in (另选他人).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub gender: Option<Gender>,
    pub stands_for: Option<Post>,
}

/// LAW.md §7: which vote this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Round {
    First,
    /// 另行选举 among the highest unsuccessful for unfilled seats [N].
    Runoff,
    /// Among people tied at the cut-off [P].
    Revote,
}

/// Everything a count needs besides the tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contest {
    pub method: Method,
    pub round: Round,
    /// Registered voters, household representatives or representatives (by method).
    pub electorate: u64,
    /// Voters who notified in time that they cannot come (LAW.md §3 [P]).
    pub notified_absentees: u64,
    pub ballots_issued: u64,
    /// The count's own figure for ballots returned, reconciled against the box when given.
    pub ballots_returned: Option<u64>,
    pub seats: Seats,
    pub people: Vec<Person>,
    /// Posts already filled by an earlier vote (indices into `people`), e.g. members in
    /// `members_first` before the chair vote, or a chair decided by a re-vote in carry-down.
    pub settled: [Option<Vec<usize>>; 3],
    /// Elected in earlier rounds of this election (for the women rule).
    pub already_elected: Vec<usize>,
    /// LAW.md §6 [N?; CQ Art. 34(6)(7)].
    pub public_count: bool,
    pub announced_on_spot: bool,
    pub election_day: Option<Date>,
}

impl Contest {
    pub fn layout(&self, profile: &RuleProfile) -> Layout {
        let mut seats = self.seats;
        if self.order(profile) == PostOrder::MembersFirst && self.settled[Post::Member.index()].is_none() {
            // LAW.md §7 [P] members_first: the member vote names the whole committee.
            seats.member = self.seats.total();
        }
        Layout {
            people: self.people.len(),
            seats,
            overvote: profile.voting.overvote_voids,
            carry_down: self.round == Round::First && profile.counting.post_order == PostOrder::SingleCarryDown,
        }
    }

    pub(crate) fn id(&self, i: usize) -> &str {
        self.people.get(i).map(|p| p.id.as_str()).unwrap_or("")
    }

    pub(crate) fn ids(&self, v: &[usize]) -> Vec<String> {
        v.iter().map(|&i| self.id(i).to_string()).collect()
    }

    pub(crate) fn order(&self, profile: &RuleProfile) -> PostOrder {
        // The post order shapes the first round only; a run-off or re-vote has its own
        // candidates per post (LAW.md §7 [N], [P]).
        if self.round == Round::First { profile.counting.post_order } else { PostOrder::Separate }
    }
}
