//! Nomination and the candidate list (LAW.md §2, §5): thresholds, nomination ballots, nominee
//! qualification, 差额 per post, withdrawal and move-up (递补), election-committee recusal and the
//! order of names.

use crate::law::eligibility::is_adult_on;
use crate::law::{Post, RuleProfile, Seats};
use serde::Serialize;
use std::fmt;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum NominationError {
    TooFewNominators { have: u32, need: u32, rule: &'static str },
    SelfNominationNotAllowed { rule: &'static str },
    TooManyNames { names: usize, limit: u32, rule: &'static str },
    NotRegisteredHere { rule: &'static str },
    Underage { rule: &'static str },
    DeprivedOfPoliticalRights { rule: &'static str },
    NotAcceptedInWriting { rule: &'static str },
    NotReviewed { rule: &'static str },
    UnknownCandidate { id: String },
    NoWrittenRecord { rule: &'static str },
}

impl fmt::Display for NominationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use NominationError as E;
        match self {
            E::TooFewNominators { have, need, rule } => {
                write!(f, "{have} nominators, {need} needed ({rule})")
            }
            E::SelfNominationNotAllowed { rule } => {
                write!(f, "self-nomination not allowed ({rule})")
            }
            E::TooManyNames { names, limit, rule } => {
                write!(f, "{names} names, at most {limit} ({rule})")
            }
            E::NotRegisteredHere { rule } => {
                write!(f, "not a registered voter of this election ({rule})")
            }
            E::Underage { rule } => write!(f, "under 18 on election day ({rule})"),
            E::DeprivedOfPoliticalRights { rule } => {
                write!(f, "deprived of political rights ({rule})")
            }
            E::NotAcceptedInWriting { rule } => {
                write!(f, "nomination not accepted in writing ({rule})")
            }
            E::NotReviewed { rule } => write!(f, "qualification review missing ({rule})"),
            E::UnknownCandidate { id } => write!(f, "unknown candidate {id:?}"),
            E::NoWrittenRecord { rule } => write!(f, "withdrawal after publication needs a written record ({rule})"),
        }
    }
}

impl std::error::Error for NominationError {}

/// How a nominee was put forward (LAW.md §5 [P]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    JointByVoters { nominators: u32 },
    JointByHouseholds { nominators: u32 },
    SelfNomination,
}

/// LAW.md §5 [P]: joint nomination by ≥ `nominators_voters` voters or ≥ `nominators_households`
/// household representatives; self-nomination where the profile allows it.
pub fn check_route(route: Route, profile: &RuleProfile) -> Result<(), NominationError> {
    let n = &profile.nomination;
    let rule = "LAW.md §5 [P]";
    match route {
        Route::JointByVoters { nominators } if nominators < n.nominators_voters => {
            Err(NominationError::TooFewNominators { have: nominators, need: n.nominators_voters, rule })
        }
        Route::JointByHouseholds { nominators } if nominators < n.nominators_households => {
            Err(NominationError::TooFewNominators { have: nominators, need: n.nominators_households, rule })
        }
        Route::SelfNomination if !n.self_nomination => Err(NominationError::SelfNominationNotAllowed { rule }),
        _ => Ok(()),
    }
}

/// LAW.md §5 [P]: a nomination ballot may not name more people than seats.
pub fn check_nomination_ballot(names: usize, seats: u32, profile: &RuleProfile) -> Result<(), NominationError> {
    let limit = seats.saturating_mul(profile.nomination.max_names_per_seat);
    if names > limit as usize {
        return Err(NominationError::TooManyNames { names, limit, rule: "LAW.md §5 [P]" });
    }
    Ok(())
}

/// A qualification review (资格审查): who reviewed and when (LAW.md §5 [P], a blocking step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub reviewer: String,
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomineeFacts {
    pub registered_voter_here: bool,
    pub date_of_birth: Date,
    pub deprived_of_political_rights: bool,
    pub accepted_in_writing: bool,
    pub review: Option<Review>,
}

/// LAW.md §5: every reason a nominee may not go on the list, not just the first.
pub fn check_nominee(f: &NomineeFacts, election_day: Date) -> Result<(), Vec<NominationError>> {
    use NominationError as E;
    let mut out = Vec::new();
    if !f.registered_voter_here {
        out.push(E::NotRegisteredHere { rule: "LAW.md §5 [N]" });
    }
    if !is_adult_on(f.date_of_birth, election_day) {
        out.push(E::Underage { rule: "LAW.md §5, §3 [N]" });
    }
    if f.deprived_of_political_rights {
        out.push(E::DeprivedOfPoliticalRights { rule: "LAW.md §5, §3 [N]" });
    }
    if !f.accepted_in_writing {
        out.push(E::NotAcceptedInWriting { rule: "LAW.md §5 [P]" });
    }
    if f.review.as_ref().is_none_or(|r| r.reviewer.trim().is_empty()) {
        out.push(E::NotReviewed { rule: "LAW.md §5 [P]" });
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// A post whose number of candidates breaks its margin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarginProblem {
    pub post: Post,
    pub seats: u32,
    pub candidates: u32,
    /// `too_few` breaks 差额 (LAW.md §5 [N]; voids the election [P, CQ Art. 34(4)]);
    /// `too_many` exceeds the profile's margin [P].
    pub problem: &'static str,
    pub allowed_min: u32,
    pub allowed_max: u32,
}

/// LAW.md §5 [N] 差额 with the profile's margins [P], for one post.
pub fn check_margin(post: Post, seats: u32, candidates: u32, profile: &RuleProfile) -> Result<(), MarginProblem> {
    if seats == 0 {
        return Ok(());
    }
    let m = profile.margin(post);
    let (lo, hi) = (seats.saturating_add(m.min), seats.saturating_add(m.max));
    let problem = if candidates < lo {
        "too_few"
    } else if candidates > hi {
        "too_many"
    } else {
        return Ok(());
    };
    Err(MarginProblem { post, seats, candidates, problem, allowed_min: lo, allowed_max: hi })
}

/// Every post's margin; `candidates[post.index()]`.
pub fn check_margins(seats: &Seats, candidates: [u32; 3], profile: &RuleProfile) -> Vec<MarginProblem> {
    Post::ALL.iter().filter_map(|&p| check_margin(p, seats.get(p), candidates[p.index()], profile).err()).collect()
}

/// One post's candidate list, with the nominees waiting to move up (by nomination votes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateList {
    pub post: Post,
    pub seats: u32,
    pub candidates: Vec<String>,
    pub reserve: Vec<String>,
    pub published: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithdrawalOutcome {
    pub moved_up: Option<String>,
    /// LAW.md §5 [P]: a change after publication is re-published.
    pub republish: bool,
    pub margin: Option<MarginProblem>,
}

/// LAW.md §5 [P]: a withdrawal after publication needs a written record; the next nominee moves
/// up (依次递补); the list is re-published and 差额 re-checked.
pub fn withdraw(
    list: &mut CandidateList,
    candidate: &str,
    written_record: bool,
    profile: &RuleProfile,
) -> Result<WithdrawalOutcome, NominationError> {
    let pos = list
        .candidates
        .iter()
        .position(|c| c == candidate)
        .ok_or_else(|| NominationError::UnknownCandidate { id: candidate.to_string() })?;
    if list.published && !written_record {
        return Err(NominationError::NoWrittenRecord { rule: "LAW.md §5 [P]" });
    }
    list.candidates.remove(pos);
    let moved_up = if list.reserve.is_empty() { None } else { Some(list.reserve.remove(0)) };
    if let Some(m) = &moved_up {
        list.candidates.push(m.clone());
    }
    let margin = check_margin(list.post, list.seats, list.candidates.len() as u32, profile).err();
    Ok(WithdrawalOutcome { moved_up, republish: list.published, margin })
}

pub use crate::law::recusal::{Recusal, RecusalCause, committee_recusals, counting_staff_conflicts, replace_recused};
pub use crate::law::strokes::{ListEntry, OrderedList, order_candidates};

/// A problem with a published list changed outside the withdrawal procedure (LAW.md §5 [P], §11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ListEditProblem {
    /// Gone from the list without a recorded withdrawal.
    RemovedWithoutWithdrawal { id: String },
    /// On the list without having moved up through a recorded withdrawal.
    AddedWithoutMoveUp { id: String },
}

/// LAW.md §5 [P]: once published, the list is locked; it changes only by a recorded withdrawal
/// and the move-up that follows. `withdrawals` are (withdrawn, moved up) pairs.
pub fn check_list_edit(
    published: &[String],
    current: &[String],
    withdrawals: &[(String, Option<String>)],
) -> Vec<ListEditProblem> {
    let mut out = Vec::new();
    for id in published.iter().filter(|id| !current.contains(id)) {
        if !withdrawals.iter().any(|(w, _)| w == id) {
            out.push(ListEditProblem::RemovedWithoutWithdrawal { id: id.clone() });
        }
    }
    for id in current.iter().filter(|id| !published.contains(id)) {
        if !withdrawals.iter().any(|(_, m)| m.as_ref() == Some(id)) {
            out.push(ListEditProblem::AddedWithoutMoveUp { id: id.clone() });
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use time::macros::date;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn joint_nomination_thresholds_10_voters_5_households_p() {
        let p = RuleProfile::national();
        let table = [
            (Route::JointByVoters { nominators: 10 }, true),
            (Route::JointByVoters { nominators: 9 }, false),
            (Route::JointByHouseholds { nominators: 5 }, true),
            (Route::JointByHouseholds { nominators: 4 }, false),
            (Route::SelfNomination, true),
        ];
        for (r, ok) in table {
            assert_eq!(check_route(r, &p).is_ok(), ok, "{r:?}");
        }
        let mut p = p;
        p.nomination.self_nomination = false;
        assert!(check_route(Route::SelfNomination, &p).is_err());
    }

    #[test]
    fn nomination_ballot_names_at_most_seats_p() {
        let p = RuleProfile::national();
        assert!(check_nomination_ballot(3, 3, &p).is_ok());
        assert!(matches!(check_nomination_ballot(4, 3, &p), Err(NominationError::TooManyNames { limit: 3, .. })));
    }

    #[test]
    fn nominee_qualification_n_p() {
        let ok = NomineeFacts {
            registered_voter_here: true,
            date_of_birth: date!(1980 - 01 - 01),
            deprived_of_political_rights: false,
            accepted_in_writing: true,
            review: Some(Review { reviewer: "committee".into(), date: date!(2026 - 06 - 01) }),
        };
        let day = date!(2026 - 06 - 14);
        assert_eq!(check_nominee(&ok, day), Ok(()));
        let bad = NomineeFacts {
            registered_voter_here: false,
            date_of_birth: date!(2008 - 06 - 15),
            deprived_of_political_rights: true,
            accepted_in_writing: false,
            review: None,
        };
        assert_eq!(check_nominee(&bad, day).unwrap_err().len(), 5);
    }

    #[test]
    fn margin_more_candidates_than_seats_n_margins_p() {
        let p = RuleProfile::national();
        let table = [
            (Post::Chair, 1, 2, None),
            (Post::Chair, 1, 1, Some("too_few")),
            (Post::Chair, 1, 3, Some("too_many")),
            (Post::Member, 3, 4, None),
            (Post::Member, 3, 6, None),
            (Post::Member, 3, 7, Some("too_many")),
            (Post::Member, 3, 3, Some("too_few")),
        ];
        for (post, seats, c, want) in table {
            assert_eq!(check_margin(post, seats, c, &p).err().map(|m| m.problem), want, "{post:?} {seats} {c}");
        }
        let probs = check_margins(&Seats { chair: 1, vice_chair: 1, member: 3 }, [2, 1, 4], &p);
        assert_eq!(probs.len(), 1);
        assert_eq!(probs[0].post, Post::ViceChair);
    }

    #[test]
    fn withdrawal_needs_record_and_next_moves_up_p() {
        let p = RuleProfile::national();
        let mut list = CandidateList {
            post: Post::Member,
            seats: 3,
            candidates: s(&["a", "b", "c", "d"]),
            reserve: s(&["e"]),
            published: true,
        };
        assert!(matches!(withdraw(&mut list, "b", false, &p), Err(NominationError::NoWrittenRecord { .. })));
        assert!(matches!(withdraw(&mut list, "zz", true, &p), Err(NominationError::UnknownCandidate { .. })));
        let o = withdraw(&mut list, "b", true, &p).unwrap();
        assert_eq!(o.moved_up.as_deref(), Some("e"));
        assert!(o.republish);
        assert_eq!(o.margin, None);
        // nobody left to move up: 差额 breaks and is reported
        let o = withdraw(&mut list, "a", true, &p).unwrap();
        assert_eq!(o.margin.map(|m| m.problem), Some("too_few"));
    }

    #[test]
    fn list_locked_after_publication_except_withdrawal_p() {
        let published = s(&["a", "b", "c"]);
        let current = s(&["a", "c", "d"]);
        assert!(check_list_edit(&published, &current, &[("b".into(), Some("d".into()))]).is_empty());
        assert_eq!(
            check_list_edit(&published, &current, &[]),
            vec![
                ListEditProblem::RemovedWithoutWithdrawal { id: "b".into() },
                ListEditProblem::AddedWithoutMoveUp { id: "d".into() },
            ]
        );
    }
}
