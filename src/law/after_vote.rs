//! Rules about notices and deadlines around the vote that the count does not decide itself:
//! absentees' notices (LAW.md §3), complaints answered in writing, the re-run and handover
//! deadlines (LAW.md §8).

use time::{Date, Duration};

use super::RuleProfile;

fn shift(d: Date, days: u32) -> Date {
    d.checked_add(Duration::days(i64::from(days))).unwrap_or(d)
}

/// LAW.md §3 [P: off by default]: a voter who notifies at least `absentee_notice_days` before
/// election day that they cannot return may be left out of the turnout denominator. True when
/// this notice counts: the profile allows it and it came in time.
pub fn absentee_notice_counts(notified_on: Date, election_day: Date, profile: &RuleProfile) -> bool {
    let r = &profile.registration;
    r.exclude_notified_absentees
        && election_day.checked_sub(Duration::days(i64::from(r.absentee_notice_days))).is_some_and(|l| notified_on <= l)
}

/// LAW.md §8 [P, CQ Art. 33]: a complaint is answered in writing within
/// `deadlines.complaint_answer_days` of filing; the last day it may be answered.
pub fn complaint_answer_due(filed_on: Date, profile: &RuleProfile) -> Date {
    shift(filed_on, profile.deadlines.complaint_answer_days)
}

/// LAW.md §8 [P, CQ Art. 33]: overdue when it is still unanswered after its due day, or was
/// answered after it.
pub fn complaint_overdue(filed_on: Date, answered_on: Option<Date>, today: Date, profile: &RuleProfile) -> bool {
    let due = complaint_answer_due(filed_on, profile);
    answered_on.unwrap_or(today) > due
}

/// LAW.md §8 [P, CQ Art. 35]: a void election is re-run within `deadlines.rerun_days` of the
/// day it was declared void.
pub fn rerun_deadline(declared_void: Date, profile: &RuleProfile) -> Date {
    shift(declared_void, profile.deadlines.rerun_days)
}

/// LAW.md §8 [N, P CQ Art. 36]: handover within `deadlines.handover_days` of the day the result
/// was announced (not of election day: a run-off a week later moves it).
pub fn handover_deadline(result_announced: Date, profile: &RuleProfile) -> Date {
    shift(result_announced, profile.deadlines.handover_days)
}

/// The findings the committee may record about how a round was counted (LAW.md §8 [P, CQ Art. 34]).
pub const COUNT_FINDINGS: &[&str] = &["no_public_count", "not_announced_on_spot"];

/// LAW.md §8 [P, CQ Art. 34]: the contest's `public_count` and `announced_on_spot` facts from
/// the findings recorded for a round (none recorded: both true).
pub fn count_conduct<S: AsRef<str>>(findings: &[S]) -> (bool, bool) {
    let has = |f: &str| findings.iter().any(|x| x.as_ref() == f);
    (!has("no_public_count"), !has("not_announced_on_spot"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn national() -> RuleProfile {
        RuleProfile::national()
    }

    #[test]
    fn absentee_notice_law_3_p_needs_the_option_and_the_notice_days() {
        let mut p = national();
        let day = date!(2026 - 06 - 20);
        assert!(!absentee_notice_counts(date!(2026 - 06 - 01), day, &p), "off by default");
        p.registration.exclude_notified_absentees = true;
        p.registration.absentee_notice_days = 2;
        assert!(absentee_notice_counts(date!(2026 - 06 - 18), day, &p));
        assert!(!absentee_notice_counts(date!(2026 - 06 - 19), day, &p));
    }

    #[test]
    fn complaint_answer_law_8_p_cq_33_within_30_days() {
        let p = national();
        let filed = date!(2026 - 07 - 01);
        assert_eq!(complaint_answer_due(filed, &p), date!(2026 - 07 - 31));
        assert!(!complaint_overdue(filed, None, date!(2026 - 07 - 31), &p));
        assert!(complaint_overdue(filed, None, date!(2026 - 08 - 01), &p));
        assert!(!complaint_overdue(filed, Some(date!(2026 - 07 - 30)), date!(2026 - 09 - 01), &p));
        assert!(complaint_overdue(filed, Some(date!(2026 - 08 - 02)), date!(2026 - 09 - 01), &p));
    }

    #[test]
    fn rerun_and_handover_law_8_p_follow_the_profile() {
        let mut p = national();
        p.deadlines.rerun_days = 20;
        p.deadlines.handover_days = 7;
        assert_eq!(rerun_deadline(date!(2026 - 07 - 01), &p), date!(2026 - 07 - 21));
        assert_eq!(handover_deadline(date!(2026 - 07 - 08), &p), date!(2026 - 07 - 15));
    }
}
