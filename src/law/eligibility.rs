//! Who may vote (LAW.md §3): age on election day, political rights, capacity, the three
//! registration categories with their months, opt-in, and one place only.

use crate::law::RuleProfile;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use time::Date;

/// Where a resident's household registration (户籍) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hukou {
    Here,
    Elsewhere,
}

/// The facts a committee knows about one resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentFacts {
    /// From the ID card, else the household register (LAW.md §3 [N, P]).
    pub date_of_birth: Date,
    pub deprived_of_political_rights: bool,
    /// Unable to exercise the right, as confirmed by the election committee.
    pub incapacity_confirmed: bool,
    pub hukou: Hukou,
    pub months_living_here: u32,
    /// Months working here as a community worker, if the resident is one.
    pub community_worker_months: Option<u32>,
    /// Asked to be registered (needed for non-local and worker registration, and for opt-in).
    pub applied: bool,
    /// The application was approved / confirmed.
    pub approved: bool,
    pub opted_in: bool,
    /// Already registered in another community's election of this round.
    pub registered_elsewhere_this_round: bool,
}

/// Which LAW.md §3 category a voter is registered under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoterCategory {
    /// §3.1: household registration in the community.
    HouseholdHere,
    /// §3.2: registered elsewhere, living here long enough, approved.
    NonlocalResident,
    /// §3.3: community worker working here long enough, confirmed.
    CommunityWorker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    Underage,
    DeprivedOfPoliticalRights,
    IncapacityConfirmed,
    RegisteredElsewhere,
    NotOptedIn,
    ResidenceTooShort,
    WorkTooShort,
    NotApplied,
    NotApproved,
    ListLocked,
}

impl RefusalCode {
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::Underage => "underage",
            RefusalCode::DeprivedOfPoliticalRights => "deprived_of_political_rights",
            RefusalCode::IncapacityConfirmed => "incapacity_confirmed",
            RefusalCode::RegisteredElsewhere => "registered_elsewhere",
            RefusalCode::NotOptedIn => "not_opted_in",
            RefusalCode::ResidenceTooShort => "residence_too_short",
            RefusalCode::WorkTooShort => "work_too_short",
            RefusalCode::NotApplied => "not_applied",
            RefusalCode::NotApproved => "not_approved",
            RefusalCode::ListLocked => "list_locked",
        }
    }
}

/// Why a resident may not be registered, with the rule it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub code: RefusalCode,
    pub rule: &'static str,
    pub detail: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code.as_str(), self.rule, self.detail)
    }
}

impl std::error::Error for Refusal {}

fn refuse(code: RefusalCode, rule: &'static str, detail: String) -> Result<VoterCategory, Refusal> {
    Err(Refusal { code, rule, detail })
}

/// Full years of age on `day`. A 29 February birthday falls on 1 March in common years: LAW.md is
/// silent, and the later date never lets anyone vote before their 18th year has run out.
pub fn age_on(date_of_birth: Date, day: Date) -> i32 {
    let mut years = day.year() - date_of_birth.year();
    let birthday_reached = (day.month() as u8, day.day()) >= (date_of_birth.month() as u8, date_of_birth.day());
    if !birthday_reached {
        years -= 1;
    }
    years
}

/// LAW.md §3 [N]: 18 or more on election day, counted up to and including it.
pub fn is_adult_on(date_of_birth: Date, election_day: Date) -> bool {
    age_on(date_of_birth, election_day) >= 18
}

/// Decide whether a resident may be registered for the election on `election_day`.
pub fn check_voter(facts: &ResidentFacts, election_day: Date, profile: &RuleProfile) -> Result<VoterCategory, Refusal> {
    use RefusalCode as C;
    if facts.deprived_of_political_rights {
        return refuse(C::DeprivedOfPoliticalRights, "LAW.md §3 [N]", "deprived of political rights".into());
    }
    if facts.incapacity_confirmed {
        return refuse(
            C::IncapacityConfirmed,
            "LAW.md §3 [N?]",
            "unable to exercise the right, confirmed by the election committee".into(),
        );
    }
    if !is_adult_on(facts.date_of_birth, election_day) {
        return refuse(
            C::Underage,
            "LAW.md §3 [N]",
            format!("born {}, under 18 on election day {election_day}", facts.date_of_birth),
        );
    }
    if facts.registered_elsewhere_this_round {
        return refuse(
            C::RegisteredElsewhere,
            "LAW.md §3 [N?, P]",
            "already registered in another community this round".into(),
        );
    }
    let reg = &profile.registration;
    if reg.opt_in && !facts.opted_in {
        return refuse(C::NotOptedIn, "LAW.md §3 [P, GS Art. 16]", "registration is on request".into());
    }
    if facts.hukou == Hukou::Here {
        return Ok(VoterCategory::HouseholdHere);
    }
    // LAW.md §3.2 and §3.3 [P]: both need an application and its approval; a resident who
    // qualifies under either is registered, residence first because it is the wider right.
    let resident_ok = facts.months_living_here >= reg.nonlocal_residence_months;
    let worker_ok = facts.community_worker_months.is_some_and(|m| m >= reg.worker_months);
    if !resident_ok && !worker_ok {
        if let Some(m) = facts.community_worker_months {
            return refuse(
                C::WorkTooShort,
                "LAW.md §3.3 [P]",
                format!("worked here {m} months, {} needed", reg.worker_months),
            );
        }
        return refuse(
            C::ResidenceTooShort,
            "LAW.md §3.2 [P]",
            format!("lived here {} months, {} needed", facts.months_living_here, reg.nonlocal_residence_months),
        );
    }
    let rule = if resident_ok { "LAW.md §3.2 [P]" } else { "LAW.md §3.3 [P]" };
    if !facts.applied {
        return refuse(C::NotApplied, rule, "registration here needs an application".into());
    }
    if !facts.approved {
        return refuse(C::NotApproved, rule, "application not (yet) approved".into());
    }
    Ok(if resident_ok { VoterCategory::NonlocalResident } else { VoterCategory::CommunityWorker })
}

/// LAW.md §3 [N?, P]: one place only. Given every registration of a round (ID number, community),
/// return the ID numbers registered in more than one community, with those communities.
pub fn duplicate_registrations<'a, I>(registrations: I) -> Vec<(&'a str, Vec<&'a str>)>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut seen: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
    for (id, community) in registrations {
        let v = seen.entry(id).or_default();
        if !v.contains(&community) {
            v.push(community);
        }
    }
    let mut out: Vec<(&str, Vec<&str>)> = seen.into_iter().filter(|(_, c)| c.len() > 1).collect();
    out.sort();
    out
}

/// Why the voter list changes (LAW.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RollChange {
    ObjectionDecision,
    Death,
    MovedAway,
    RightsLost,
    RightsRestored,
    /// Any other edit (a clerk's correction, a late registration…).
    Other,
}

/// LAW.md §3 [N?, P]: after publication the list changes only through an objection decision or
/// a recorded status change, and each change is re-published. `Ok(true)` = allowed, re-publish.
pub fn check_roll_change(published: bool, change: RollChange) -> Result<bool, Refusal> {
    if !published {
        return Ok(false);
    }
    if change == RollChange::Other {
        return Err(Refusal {
            code: RefusalCode::ListLocked,
            rule: "LAW.md §3 [N?, P]",
            detail: "the published list changes only by objection decision or status change".into(),
        });
    }
    Ok(true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use time::macros::date;

    fn local(dob: Date) -> ResidentFacts {
        ResidentFacts {
            date_of_birth: dob,
            deprived_of_political_rights: false,
            incapacity_confirmed: false,
            hukou: Hukou::Here,
            months_living_here: 0,
            community_worker_months: None,
            applied: false,
            approved: false,
            opted_in: false,
            registered_elsewhere_this_round: false,
        }
    }

    const DAY: Date = date!(2026 - 06 - 14);

    #[test]
    fn age_18_on_election_day_inclusive_n() {
        let cases = [
            (date!(2008 - 06 - 14), true),  // 18th birthday is election day
            (date!(2008 - 06 - 15), false), // one day short
            (date!(2008 - 06 - 13), true),
            (date!(1950 - 01 - 01), true),
            (date!(2010 - 01 - 01), false),
        ];
        let p = RuleProfile::national();
        for (dob, ok) in cases {
            let r = check_voter(&local(dob), DAY, &p);
            assert_eq!(r.is_ok(), ok, "{dob}: {r:?}");
            if let Err(e) = r {
                assert_eq!(e.code, RefusalCode::Underage);
                assert_eq!(e.rule, "LAW.md §3 [N]");
            }
        }
    }

    #[test]
    fn age_leap_day_birthday_turns_18_on_1_march_n() {
        let dob = date!(2008 - 02 - 29);
        assert!(!is_adult_on(dob, date!(2026 - 02 - 28)));
        assert!(is_adult_on(dob, date!(2026 - 03 - 01)));
        assert!(is_adult_on(date!(2008 - 02 - 29), date!(2026 - 03 - 01)));
    }

    #[test]
    fn rights_and_capacity_exclude_n_and_n_q() {
        let p = RuleProfile::national();
        let mut f = local(date!(1980 - 01 - 01));
        f.deprived_of_political_rights = true;
        assert_eq!(check_voter(&f, DAY, &p).unwrap_err().code, RefusalCode::DeprivedOfPoliticalRights);
        let mut f = local(date!(1980 - 01 - 01));
        f.incapacity_confirmed = true;
        let e = check_voter(&f, DAY, &p).unwrap_err();
        assert_eq!((e.code, e.rule), (RefusalCode::IncapacityConfirmed, "LAW.md §3 [N?]"));
    }

    #[test]
    fn residence_categories_and_months_p() {
        let p = RuleProfile::national(); // 6 months each
        let base = || {
            let mut f = local(date!(1980 - 01 - 01));
            f.hukou = Hukou::Elsewhere;
            f
        };
        let table: Vec<(ResidentFacts, Result<VoterCategory, RefusalCode>)> = vec![
            (local(date!(1980 - 01 - 01)), Ok(VoterCategory::HouseholdHere)),
            (
                {
                    let mut f = base();
                    f.months_living_here = 6;
                    f.applied = true;
                    f.approved = true;
                    f
                },
                Ok(VoterCategory::NonlocalResident),
            ),
            (
                {
                    let mut f = base();
                    f.months_living_here = 5;
                    f.applied = true;
                    f.approved = true;
                    f
                },
                Err(RefusalCode::ResidenceTooShort),
            ),
            (
                {
                    let mut f = base();
                    f.months_living_here = 12;
                    f
                },
                Err(RefusalCode::NotApplied),
            ),
            (
                {
                    let mut f = base();
                    f.months_living_here = 12;
                    f.applied = true;
                    f
                },
                Err(RefusalCode::NotApproved),
            ),
            (
                {
                    let mut f = base();
                    f.community_worker_months = Some(6);
                    f.applied = true;
                    f.approved = true;
                    f
                },
                Ok(VoterCategory::CommunityWorker),
            ),
            (
                {
                    let mut f = base();
                    f.community_worker_months = Some(5);
                    f.applied = true;
                    f.approved = true;
                    f
                },
                Err(RefusalCode::WorkTooShort),
            ),
        ];
        for (i, (f, want)) in table.into_iter().enumerate() {
            assert_eq!(check_voter(&f, DAY, &p).map_err(|e| e.code), want, "case {i}");
        }
        // Jiangsu-style 12 months [P].
        let mut js = RuleProfile::national();
        js.registration.nonlocal_residence_months = 12;
        let mut f = base();
        f.months_living_here = 8;
        f.applied = true;
        f.approved = true;
        assert_eq!(check_voter(&f, DAY, &js).unwrap_err().code, RefusalCode::ResidenceTooShort);
    }

    #[test]
    fn opt_in_required_by_gansu_p() {
        let gs = RuleProfile::preset("gansu-2025").unwrap();
        let mut f = local(date!(1980 - 01 - 01));
        let e = check_voter(&f, DAY, &gs).unwrap_err();
        assert_eq!((e.code, e.rule), (RefusalCode::NotOptedIn, "LAW.md §3 [P, GS Art. 16]"));
        f.opted_in = true;
        assert_eq!(check_voter(&f, DAY, &gs), Ok(VoterCategory::HouseholdHere));
    }

    #[test]
    fn one_place_only_n_q_p() {
        let p = RuleProfile::national();
        let mut f = local(date!(1980 - 01 - 01));
        f.registered_elsewhere_this_round = true;
        assert_eq!(check_voter(&f, DAY, &p).unwrap_err().code, RefusalCode::RegisteredElsewhere);
        let dups = duplicate_registrations([("id1", "A"), ("id2", "A"), ("id1", "B"), ("id1", "A")]);
        assert_eq!(dups, vec![("id1", vec!["A", "B"])]);
    }

    #[test]
    fn published_list_changes_only_by_objection_or_status_n_q_p() {
        assert_eq!(check_roll_change(false, RollChange::Other), Ok(false));
        assert_eq!(check_roll_change(true, RollChange::Death), Ok(true));
        assert_eq!(check_roll_change(true, RollChange::ObjectionDecision), Ok(true));
        assert_eq!(check_roll_change(true, RollChange::Other).unwrap_err().code, RefusalCode::ListLocked);
    }
}
