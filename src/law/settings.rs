//! The option types and setting groups of a [`crate::law::RuleProfile`], one group per LAW.md
//! section. Every group defaults to the national profile so a file may give only what differs.

use crate::law::RuleProfile;
use crate::law::fraction::Fraction;
use serde::{Deserialize, Serialize};

/// LAW.md §6 [P]: what an over-voted post voids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OvervoteVoids {
    Ballot,
    Post,
}

/// LAW.md §7 [P]: how the posts are filled from the ballots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostOrder {
    Separate,
    SingleCarryDown,
    MembersFirst,
}

/// LAW.md §7 [P]: what happens when no woman is elected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WomenSeat {
    Reserve,
    HighestWoman,
    Warn,
}

/// LAW.md §7 [P]: when a run-off is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunoffTiming {
    SameDay,
    WithinDays(u32),
}

/// LAW.md §5 [P]: order of names on the candidate list and the ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateOrder {
    SurnameStrokes,
    NominationVotes,
}

/// Who approves a non-local resident's registration (LAW.md §3 [P]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    ElectionCommittee,
    ResidentsMeeting,
}

/// Candidates a post needs beyond its seats (差额, LAW.md §5 [N] with margins [P]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Margin {
    pub min: u32,
    pub max: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Committee {
    /// LAW.md §1 [P: 5–9].
    pub size_min: u32,
    pub size_max: u32,
    /// LAW.md §1 [P]: some provinces require an odd number of members.
    pub odd_only: bool,
    /// LAW.md §1 [P, GS/CQ Art. 5]: the committee should include a woman.
    pub woman_required: bool,
    /// LAW.md §1 [N 2018, P]: a member of the less numerous ethnic group in multi-ethnic areas.
    pub minority_member_flag: bool,
    /// LAW.md §1 [N]: term in years.
    pub term_years: u32,
    /// LAW.md §2 [P, GS Art. 14]: the election committee's quorum (more than this share present).
    pub election_committee_quorum: Fraction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Registration {
    /// LAW.md §3 [P, GS Art. 16]: voters must ask to be registered.
    pub opt_in: bool,
    /// LAW.md §3 [P: 6 GS; 12 JS/Shenzhen].
    pub nonlocal_residence_months: u32,
    pub nonlocal_approved_by: Approver,
    /// LAW.md §3 [P: 6].
    pub worker_months: u32,
    /// LAW.md §3 [P: off]: voters who notified they cannot come leave the turnout denominator.
    pub exclude_notified_absentees: bool,
    /// LAW.md §3 [P]: how many days before election day that notice must come.
    pub absentee_notice_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deadlines {
    /// LAW.md §3 [N]: the voter list is published no later than 20 days before election day.
    pub voter_list_days: u32,
    /// LAW.md §3 [N?: 5].
    pub objection_days: u32,
    /// LAW.md §3 [N?: 3].
    pub objection_decision_days: u32,
    /// LAW.md §5 [P: 5; 6; 7].
    pub candidate_list_days: u32,
    /// LAW.md §6 [P: e.g. 3].
    pub proxy_cutoff_days: u32,
    /// LAW.md §7 [P: same day | within 7 days].
    pub runoff: RunoffTiming,
    /// LAW.md §7 [P: 3].
    pub vacancy_byelection_months: u32,
    /// LAW.md §8 [P, CQ Art. 36: 10].
    pub handover_days: u32,
    /// LAW.md §8 [P, CQ Art. 35: 30].
    pub rerun_days: u32,
    /// LAW.md §8 [P, CQ Art. 33: 30].
    pub complaint_answer_days: u32,
    /// LAW.md §9 [P: 5]: recall, termination, resignation and by-election are announced and filed.
    pub filing_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Nomination {
    /// LAW.md §5 [P: 10].
    pub nominators_voters: u32,
    /// LAW.md §5 [P: 5].
    pub nominators_households: u32,
    /// LAW.md §5 [P].
    pub self_nomination: bool,
    /// LAW.md §5 [P]: a nomination meeting with a primary (预选) when there are too many nominees.
    /// When true, a post with more qualified nominees than the list takes (seats + the largest
    /// margin) goes to a primary, and the list waits for its count; when false, the nominees
    /// with the most nominators go on the list.
    pub primary_allowed: bool,
    /// LAW.md §5 [P]: a nomination ballot may name at most this many people per seat.
    pub max_names_per_seat: u32,
    pub margin_chair: Margin,
    pub margin_vice_chair: Margin,
    pub margin_member: Margin,
    /// LAW.md §5 [P].
    pub candidate_order: CandidateOrder,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Voting {
    /// LAW.md §6 [P: 3; some 2].
    pub max_proxies_per_person: u32,
    /// LAW.md §6 [P]: named supervisors per mobile ballot box.
    pub mobile_box_supervisors: u32,
    /// LAW.md §6 [P]: national default `ballot`.
    pub overvote_voids: OvervoteVoids,
    /// LAW.md §6: no rule authorises remote casting; on only with a recorded legal basis.
    pub remote_channel_allowed: bool,
    pub remote_legal_basis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Counting {
    /// LAW.md §4 [N / N?]: a vote is valid when more than this share of the electorate votes.
    pub quorum_direct: Fraction,
    pub quorum_household: Fraction,
    pub quorum_representatives: Fraction,
    /// LAW.md §7 [N?]: elected with more than this share of the ballots cast.
    pub majority: Fraction,
    /// LAW.md §7 [N?]: a run-off winner needs at least this share of the ballots cast.
    pub runoff_minimum: Fraction,
    /// LAW.md §7 [P]: national default `separate`.
    pub post_order: PostOrder,
    /// LAW.md §7 [P]: national default `reserve`.
    pub women_seat: WomenSeat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Recall {
    /// LAW.md §9 [N?, P]: petition by at least these shares.
    pub petition_voters: Fraction,
    pub petition_households: Fraction,
    pub petition_representatives: Fraction,
    /// LAW.md §9 [N]: the recall vote is valid when more than these shares vote.
    pub quorum_voters: Fraction,
    pub quorum_representatives: Fraction,
    /// LAW.md §9 [N?]: passes with more than this share of the ballots cast.
    pub pass: Fraction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Meetings {
    /// LAW.md §10 [N]: representatives are at least this share of the representatives' meeting.
    pub representatives_share: Fraction,
    /// LAW.md §10 [N]: this share of representatives can demand a residents' meeting.
    pub demand_by_representatives: Fraction,
    /// LAW.md §10 [N 2018]: more than this share present; decisions by more than this share.
    pub residents_meeting_quorum: Fraction,
    pub residents_meeting_decision: Fraction,
    /// LAW.md §4 [N 2018, P]: representatives per residents' group.
    pub representatives_per_group_min: u32,
    pub representatives_per_group_max: u32,
    /// LAW.md §4 [N 2018, P], §10 [N 2018]: a residents' group election is valid when more than
    /// this share of the group's voters vote (default: more than half).
    pub group_election_quorum: Fraction,
    /// LAW.md §4 [N 2018, P], §10 [N 2018]: a representative is elected with more than this
    /// share of the ballots cast (default: more than half); a tie at the last seat is re-voted.
    pub group_election_majority: Fraction,
}

macro_rules! national_default {
    ($t:ty, $field:ident) => {
        impl Default for $t {
            fn default() -> $t {
                RuleProfile::national().$field
            }
        }
    };
}
national_default!(Committee, committee);
national_default!(Registration, registration);
national_default!(Deadlines, deadlines);
national_default!(Nomination, nomination);
national_default!(Voting, voting);
national_default!(Counting, counting);
national_default!(Recall, recall);
national_default!(Meetings, meetings);
