//! The result of a count, serialised as the stable JSON of `huanjie count` (see
//! [`crate::law::recount`] for the documented format).

use crate::law::contest::Round;
use crate::law::date_fmt::iso_date;
use crate::law::profile::RunoffTiming;
use crate::law::profile::WomenSeat;
use crate::law::race::Threshold;
use crate::law::{Method, Post, RuleProfile};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoidReason {
    /// LAW.md §4 [N / N?; P CQ Art. 34(3)].
    QuorumMissed,
    /// LAW.md §6 [P, CQ Art. 34(5)].
    ReturnedExceedsIssued,
    /// LAW.md §11: valid + invalid must equal returned.
    TotalsDoNotReconcile,
    /// LAW.md §5 [N; P CQ Art. 34(4)].
    MarginBroken,
    /// LAW.md §6 [N?; CQ Art. 34(6)].
    NoPublicCount,
    /// LAW.md §6 [N?; CQ Art. 34(7)].
    NotAnnouncedOnSpot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Counted,
    Settled,
    Deferred,
    Void,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyLine {
    pub id: String,
    pub votes: u64,
    pub write_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostResult {
    pub post: Post,
    pub seats: u32,
    pub status: PostStatus,
    pub threshold: Option<Threshold>,
    pub votes_needed: Option<u64>,
    pub void_marks: u64,
    pub voided_by_overvote: u64,
    pub tally: Vec<TallyLine>,
    pub elected: Vec<String>,
    pub unfilled: u32,
    pub tied: Vec<String>,
    pub tied_seats: u32,
}

/// What must happen after this count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Next {
    Nothing,
    Revote {
        post: Post,
        candidates: Vec<String>,
        seats: u32,
        women_only: bool,
    },
    Runoff {
        post: Post,
        candidates: Vec<String>,
        seats: u32,
        women_only: bool,
        timing: RunoffTiming,
        #[serde(with = "iso_date::option")]
        by: Option<Date>,
    },
    Vacancy {
        post: Post,
        seats: u32,
        women_only: bool,
        byelection_within_months: u32,
        #[serde(with = "iso_date::option")]
        byelection_by: Option<Date>,
    },
    /// The post can be decided only after `after` is.
    Deferred {
        post: Post,
        after: Post,
        candidates: Vec<String>,
    },
    Rerun {
        reasons: Vec<VoidReason>,
        within_days: u32,
        #[serde(with = "iso_date::option")]
        by: Option<Date>,
    },
}

impl Next {
    /// The post this step is about (`nothing` and `rerun` are about none).
    pub fn post(&self) -> Option<Post> {
        match self {
            Next::Revote { post, .. }
            | Next::Runoff { post, .. }
            | Next::Vacancy { post, .. }
            | Next::Deferred { post, .. } => Some(*post),
            Next::Nothing | Next::Rerun { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Elected {
    pub id: String,
    pub post: Post,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileRef {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountResult {
    pub profile: ProfileRef,
    pub method: Method,
    pub round: Round,
    pub valid: bool,
    pub void_reasons: Vec<VoidReason>,
    pub electorate: u64,
    pub notified_absentees_excluded: u64,
    pub quorum_needed: u64,
    pub ballots_issued: u64,
    pub ballots_cast: u64,
    pub valid_ballots: u64,
    pub blank_ballots: u64,
    pub invalid_ballots: u64,
    pub posts: Vec<PostResult>,
    pub elected: Vec<Elected>,
    pub women_rule: WomenOutcome,
    pub next: Vec<Next>,
}

/// The women rule's outcome (LAW.md §1 [P, GS/CQ Art. 5]; applied by `law::women`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WomenStatus {
    /// The profile does not require a woman.
    NotRequired,
    /// The vote is void; nothing was applied.
    NotApplied,
    /// A woman is elected.
    Satisfied,
    /// A woman may still be elected in a pending re-vote, run-off or deferred post.
    Pending,
    /// `warn`: no woman elected; the committee is told, nothing changes.
    Warning,
    /// No woman stood or was written in: nothing the count can do.
    NoWomanCandidate,
    /// `reserve` (or a tie under `highest_woman`): a member seat is kept for a women-only vote.
    SeatReserved,
    /// `highest_woman`: the highest woman took a member seat.
    WomanSeated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WomenOutcome {
    pub rule: WomenSeat,
    pub required: bool,
    pub status: WomenStatus,
    /// The woman seated (`woman_seated`).
    pub woman: Option<String>,
    /// Men who lost their seat (or go to a re-vote for the remaining ones).
    pub displaced: Vec<String>,
    /// Women in the women-only run-off or re-vote.
    pub candidates: Vec<String>,
}

impl WomenOutcome {
    pub(crate) fn new(profile: &RuleProfile, status: WomenStatus) -> WomenOutcome {
        WomenOutcome {
            rule: profile.counting.women_seat,
            required: profile.committee.woman_required,
            status,
            woman: None,
            displaced: Vec::new(),
            candidates: Vec::new(),
        }
    }

    pub(crate) fn not_applied(profile: &RuleProfile) -> WomenOutcome {
        WomenOutcome::new(profile, WomenStatus::NotApplied)
    }
}
