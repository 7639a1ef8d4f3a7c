//! An election's kind and lifecycle stage (DESIGN.md "The election lifecycle").

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Draft,
    Registration,
    ListPublished,
    Nominations,
    CandidatesPublished,
    Polling,
    Counting,
    Runoff,
    Certified,
    HandedOver,
    /// The election is void (LAW.md §8 [P, CQ Art. 34]): a re-run follows within 30 days.
    Void,
}

impl Stage {
    pub const ALL: [Stage; 11] = [
        Stage::Draft,
        Stage::Registration,
        Stage::ListPublished,
        Stage::Nominations,
        Stage::CandidatesPublished,
        Stage::Polling,
        Stage::Counting,
        Stage::Runoff,
        Stage::Certified,
        Stage::HandedOver,
        Stage::Void,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Registration => "registration",
            Stage::ListPublished => "list_published",
            Stage::Nominations => "nominations",
            Stage::CandidatesPublished => "candidates_published",
            Stage::Polling => "polling",
            Stage::Counting => "counting",
            Stage::Runoff => "runoff",
            Stage::Certified => "certified",
            Stage::HandedOver => "handed_over",
            Stage::Void => "void",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The legal next stages: nothing moves backwards; counting may loop through run-offs.
    pub fn may_move_to(self, to: Stage) -> bool {
        use Stage::*;
        matches!(
            (self, to),
            (Draft, Registration)
                | (Registration, ListPublished)
                | (ListPublished, Nominations)
                | (Nominations, CandidatesPublished)
                | (CandidatesPublished, Polling)
                | (Polling, Counting)
                | (Counting, Runoff)
                | (Runoff, Counting)
                | (Counting, Certified)
                | (Certified, HandedOver)
                | (Counting, Void)
                | (Certified, Void)
        )
    }

    /// The legal next stages for an election of `kind`. A recall (罢免, LAW.md §9) has no
    /// nominations: its roll is the current term's, fixed when the petition is verified, and
    /// the vote opens once the member's answer is published. Like any vote it may be decided
    /// void (LAW.md §8 [P, CQ Art. 34]); it has no run-off and no handover.
    pub fn may_move_to_in(self, kind: ElectionKind, to: Stage) -> bool {
        use Stage::*;
        match kind {
            ElectionKind::Recall => {
                matches!(
                    (self, to),
                    (Draft, ListPublished)
                        | (ListPublished, Polling)
                        | (Polling, Counting)
                        | (Counting, Certified)
                        | (Counting, Void)
                        | (Certified, Void)
                )
            }
            // A residents' group election (LAW.md §4 [N 2018, P]): the roll is the group's
            // voters, fixed when it is published; the candidates stand from the start; a tie at
            // the last seat is re-voted (counting ⇄ runoff); turnout not above the quorum
            // makes it void; certified, its result is the group's representatives.
            ElectionKind::Group => {
                matches!(
                    (self, to),
                    (Draft, ListPublished)
                        | (ListPublished, Polling)
                        | (Polling, Counting)
                        | (Counting, Runoff)
                        | (Runoff, Counting)
                        | (Counting, Certified)
                        | (Counting, Void)
                )
            }
            _ => self.may_move_to(to),
        }
    }

    /// The plan is frozen once the voter list is published (LAW.md §4: method fixed; profile
    /// never changed after publication).
    pub fn plan_frozen(self) -> bool {
        self >= Stage::ListPublished
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectionKind {
    Regular,
    ByElection,
    Recall,
    /// A residents' group election of its representatives (LAW.md §4 [N 2018, P]).
    Group,
}

impl ElectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ElectionKind::Regular => "regular",
            ElectionKind::ByElection => "by_election",
            ElectionKind::Recall => "recall",
            ElectionKind::Group => "group",
        }
    }
    pub fn parse(s: &str) -> Option<ElectionKind> {
        match s {
            "regular" => Some(ElectionKind::Regular),
            "by_election" => Some(ElectionKind::ByElection),
            "recall" => Some(ElectionKind::Recall),
            "group" => Some(ElectionKind::Group),
            _ => None,
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for ElectionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_only_moves_forward() {
        for a in Stage::ALL {
            for b in Stage::ALL {
                if a.may_move_to(b) && !(a == Stage::Runoff && b == Stage::Counting) {
                    assert!(b > a, "{a:?} -> {b:?}");
                }
            }
            assert_eq!(Stage::parse(a.as_str()), Some(a));
        }
        assert!(!Stage::ListPublished.may_move_to(Stage::Registration));
        assert!(Stage::ListPublished.plan_frozen() && !Stage::Registration.plan_frozen());
    }
}
