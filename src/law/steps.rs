//! The working state of a count, post by post, and the next steps it may call for (a run-off,
//! a vacancy): shared by the count (`law::count`) and the women rule (`law::women`), which
//! adjusts the decided posts, so that neither needs the other's internals (LAW.md §7).

use crate::law::contest::Contest;
use crate::law::outcome::{Next, PostStatus};
use crate::law::profile::RunoffTiming;
use crate::law::race::{Decision, Threshold};
use crate::law::timetable::add_months;
use crate::law::{Post, RuleProfile};
use time::Duration;

/// The working state of one post during a count; the women rule may adjust it.
#[derive(Debug, Clone)]
pub(crate) struct Work {
    pub post: Post,
    pub seats: u32,
    pub status: PostStatus,
    pub threshold: Option<Threshold>,
    pub d: Decision,
    pub runoff: Vec<usize>,
    pub deferred_after: Option<Post>,
    pub deferred_candidates: Vec<usize>,
}

impl Work {
    pub(crate) fn undecided(&self) -> bool {
        match self.status {
            PostStatus::Counted => !self.d.tied.is_empty() || self.d.unfilled > 0,
            PostStatus::Deferred => true,
            PostStatus::Settled | PostStatus::Void => false,
        }
    }
}

pub(crate) fn runoff(
    c: &Contest,
    profile: &RuleProfile,
    post: Post,
    candidates: Vec<String>,
    seats: u32,
    women_only: bool,
) -> Next {
    let timing = profile.deadlines.runoff;
    let by = c.election_day.and_then(|d| match timing {
        RunoffTiming::SameDay => Some(d),
        RunoffTiming::WithinDays(n) => d.checked_add(Duration::days(i64::from(n))),
    });
    Next::Runoff { post, candidates, seats, women_only, timing, by }
}

pub(crate) fn vacancy(c: &Contest, profile: &RuleProfile, post: Post, seats: u32, women_only: bool) -> Next {
    let months = profile.deadlines.vacancy_byelection_months;
    Next::Vacancy {
        post,
        seats,
        women_only,
        byelection_within_months: months,
        byelection_by: c.election_day.and_then(|d| add_months(d, months).ok()),
    }
}
