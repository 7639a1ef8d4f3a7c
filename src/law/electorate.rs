//! The electorate at every moment (issue 16): the rules that must hold whenever the facts they
//! depend on change, not only at the step that first checks them. Each function is pure; the
//! services call it from every path that changes its facts (plan change, registration,
//! publication, objection decision).

use time::Date;

use crate::law::eligibility::{Refusal, ResidentFacts, check_voter};
use crate::law::{Method, RuleProfile};

/// LAW.md §12: the first nationally synchronised round of re-elections (2021); with LAW.md §1
/// [N]'s 5-year term the terms run 2021–2025, 2026–2030, …: the calendar of a deployment whose
/// city declared none.
pub const FIRST_SYNCHRONISED_TERM: i32 = 2021;
/// LAW.md §1 [N]: a committee's term.
pub const TERM_YEARS: i32 = 5;

/// The term calendar a city declares for its deployment (LAW.md §1 [N]: 5-year terms; §3 [N?,
/// P]: one place only holds per term): the first year of one of its terms, and the term's
/// length. Every election of the deployment reads its term from this one calendar, so the
/// communities of a city cannot disagree about which elections share a term (issue 16 case 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TermCalendar {
    pub first_year: i32,
    pub years: i32,
}

impl Default for TermCalendar {
    /// The national calendar: 2021, 5 years.
    fn default() -> Self {
        TermCalendar { first_year: FIRST_SYNCHRONISED_TERM, years: TERM_YEARS }
    }
}

/// Why a declared calendar is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarError {
    /// LAW.md §1 [N]: a term is 5 years.
    TermYears,
    /// A first year outside 2000–2100 is a typing mistake.
    FirstYear,
}

impl TermCalendar {
    /// A calendar the city declares: any first year (2000–2100), terms of LAW.md §1 [N]'s 5 years.
    pub fn declare(first_year: i32, years: i32) -> Result<TermCalendar, CalendarError> {
        if years != TERM_YEARS {
            return Err(CalendarError::TermYears);
        }
        if !(2000..=2100).contains(&first_year) {
            return Err(CalendarError::FirstYear);
        }
        Ok(TermCalendar { first_year, years })
    }
}

/// The first year of the term in which `election_day` falls (LAW.md §1 [N], §12), on the
/// deployment's calendar.
pub fn term_of(election_day: Date, cal: &TermCalendar) -> i32 {
    let years = cal.years.max(1);
    cal.first_year + years * (election_day.year() - cal.first_year).div_euclid(years)
}

/// One place only (LAW.md §3 [N?, P]) holds per term, whatever round label the operator typed:
/// a community's regular election, its re-runs and by-elections share the key (issue 16 item 1).
/// Migration 0015 re-keyed earlier claims the same way (on the national calendar).
pub fn one_place_key(election_day: Date, cal: &TermCalendar) -> String {
    format!("term-{}", term_of(election_day, cal))
}

/// What an election method needs to know about a resident who is about to join the electorate
/// (LAW.md §4): whether another member of their household already casts the household's
/// ballot, and whether their residents' group elected them representative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MethodFacts {
    /// Another member of the resident's household is already on the roll.
    pub household_already_on_roll: bool,
    /// The resident is a residents' representative elected by their group.
    pub elected_representative: bool,
}

/// LAW.md §4 [N]: does the election method admit this (eligible, §3) resident to the
/// electorate? `household`: one representative per household; `representatives`: only the
/// representatives the residents' groups elected [N 2018, P]; `direct`: every voter.
/// Returns the refusal's (code, rule).
pub fn method_admits(method: Method, f: MethodFacts) -> Result<(), (&'static str, &'static str)> {
    match method {
        Method::Direct => Ok(()),
        Method::Household if f.household_already_on_roll => Err(("not_household_representative", "LAW.md §4 [N]")),
        Method::Household => Ok(()),
        Method::Representatives if !f.elected_representative => Err(("not_representative", "LAW.md §4 [N 2018, P]")),
        Method::Representatives => Ok(()),
    }
}

/// LAW.md §3 [N]: the whole roll re-checked against an election day (age counted up to and
/// including it, rights, capacity, categories). Returns the voters who no longer qualify, with
/// the refusal, in roll order. Called when a plan change moves election day and again at
/// publication, so no one on a published list fails the law on the day the plan fixes.
pub fn roll_recheck<K: Clone>(
    roll: &[(K, ResidentFacts)],
    election_day: Date,
    profile: &RuleProfile,
) -> Vec<(K, Refusal)> {
    roll.iter().filter_map(|(k, f)| check_voter(f, election_day, profile).err().map(|r| (k.clone(), r))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::law::eligibility::{Hukou, RefusalCode};
    use time::macros::date;

    fn facts(born: Date) -> ResidentFacts {
        ResidentFacts {
            date_of_birth: born,
            deprived_of_political_rights: false,
            incapacity_confirmed: false,
            hukou: Hukou::Here,
            months_living_here: 100,
            community_worker_months: None,
            applied: false,
            approved: false,
            opted_in: false,
            registered_elsewhere_this_round: false,
        }
    }

    #[test]
    fn one_place_only_is_keyed_on_the_term_not_the_label_n() {
        let n = TermCalendar::default();
        assert_eq!(one_place_key(date!(2026 - 06 - 10), &n), "term-2026");
        assert_eq!(one_place_key(date!(2030 - 12 - 31), &n), "term-2026");
        assert_eq!(one_place_key(date!(2031 - 01 - 01), &n), "term-2031");
        assert_eq!(term_of(date!(2025 - 05 - 01), &n), 2021);
        // Nationally December 2026 and January 2027 are one term; a city that declared its
        // terms from 2022 (LAW.md §3 [N?, P]) begins a new term in 2027.
        assert_eq!(one_place_key(date!(2026 - 12 - 20), &n), one_place_key(date!(2027 - 01 - 10), &n));
        let city = TermCalendar::declare(2022, 5).unwrap();
        assert_eq!(one_place_key(date!(2026 - 12 - 20), &city), "term-2022");
        assert_eq!(one_place_key(date!(2027 - 01 - 10), &city), "term-2027");
        assert_eq!(one_place_key(date!(2026 - 12 - 20), &city), one_place_key(date!(2022 - 01 - 01), &city));
        assert_eq!(TermCalendar::declare(2022, 3), Err(CalendarError::TermYears));
        assert_eq!(TermCalendar::declare(22, 5), Err(CalendarError::FirstYear));
    }

    #[test]
    fn household_method_admits_one_voter_per_household_n() {
        let second = MethodFacts { household_already_on_roll: true, elected_representative: false };
        assert_eq!(method_admits(Method::Household, second).unwrap_err().0, "not_household_representative");
        assert!(method_admits(Method::Household, MethodFacts::default()).is_ok());
        assert!(method_admits(Method::Direct, second).is_ok());
    }

    #[test]
    fn representatives_method_admits_only_elected_representatives_n_p() {
        assert_eq!(method_admits(Method::Representatives, MethodFacts::default()).unwrap_err().0, "not_representative");
        let rep = MethodFacts { household_already_on_roll: true, elected_representative: true };
        assert!(method_admits(Method::Representatives, rep).is_ok());
    }

    #[test]
    fn moving_election_day_earlier_drops_who_is_not_yet_18_n() {
        let p = RuleProfile::national();
        let roll = vec![(1, facts(date!(1990 - 01 - 01))), (2, facts(date!(2008 - 06 - 10)))];
        assert!(roll_recheck(&roll, date!(2026 - 06 - 10), &p).is_empty(), "18 on the day itself");
        let out = roll_recheck(&roll, date!(2026 - 06 - 09), &p);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].0, out[0].1.code), (2, RefusalCode::Underage));
    }
}
