//! Legal deadlines from election day (LAW.md §3, §5, §6, §7, §8) and the check of a proposed plan.

use crate::law::RuleProfile;
use crate::law::profile::RunoffTiming;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Duration, Month};

/// Every named deadline; serialised in snake_case on notices and in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineName {
    VoterListPublished,
    ObjectionsReceived,
    ObjectionsDecided,
    CandidateListPublished,
    ProxyApplications,
    AbsenteeNotices,
    Runoff,
    Handover,
    Rerun,
    ComplaintAnswered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub name: DeadlineName,
    /// The last allowed date (inclusive).
    pub latest: Date,
    pub rule: &'static str,
}

/// Deadlines that follow from election day alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timetable {
    pub election_day: Date,
    pub deadlines: Vec<Deadline>,
}

impl Timetable {
    pub fn get(&self, name: DeadlineName) -> Option<Date> {
        self.deadlines.iter().find(|d| d.name == name).map(|d| d.latest)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateOutOfRange;

impl fmt::Display for DateOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "date out of range")
    }
}

impl std::error::Error for DateOutOfRange {}

fn shift(day: Date, days: i64) -> Result<Date, DateOutOfRange> {
    day.checked_add(Duration::days(days)).ok_or(DateOutOfRange)
}

/// Add calendar months; a day past the end of the target month clamps to its last day (LAW.md is
/// silent; clamping never extends the period).
pub fn add_months(day: Date, months: u32) -> Result<Date, DateOutOfRange> {
    let m0 = day.month() as i64 - 1 + i64::from(months);
    let year = i32::try_from(i64::from(day.year()) + m0 / 12).map_err(|_| DateOutOfRange)?;
    let month = Month::try_from(u8::try_from(m0 % 12 + 1).map_err(|_| DateOutOfRange)?).map_err(|_| DateOutOfRange)?;
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, day.day().min(last)).map_err(|_| DateOutOfRange)
}

/// Every deadline counted back from election day (and forward for what follows it).
pub fn timetable(election_day: Date, profile: &RuleProfile) -> Result<Timetable, DateOutOfRange> {
    let d = &profile.deadlines;
    let back = |n: u32| shift(election_day, -i64::from(n));
    let fwd = |n: u32| shift(election_day, i64::from(n));
    let list = back(d.voter_list_days)?;
    let mut deadlines = vec![
        Deadline { name: DeadlineName::VoterListPublished, latest: list, rule: "LAW.md §3 [N]" },
        // Objections to a list published on the last allowed day must still be decided before
        // election day; these are the latest dates that hold for such a list.
        Deadline {
            name: DeadlineName::ObjectionsReceived,
            latest: shift(list, i64::from(d.objection_days))?,
            rule: "LAW.md §3 [N?]",
        },
        Deadline {
            name: DeadlineName::ObjectionsDecided,
            latest: shift(list, i64::from(d.objection_days) + i64::from(d.objection_decision_days))?,
            rule: "LAW.md §3 [N?]",
        },
        Deadline {
            name: DeadlineName::CandidateListPublished,
            latest: back(d.candidate_list_days)?,
            rule: "LAW.md §5 [P]",
        },
        Deadline { name: DeadlineName::ProxyApplications, latest: back(d.proxy_cutoff_days)?, rule: "LAW.md §6 [P]" },
        Deadline {
            name: DeadlineName::AbsenteeNotices,
            latest: back(profile.registration.absentee_notice_days)?,
            rule: "LAW.md §3 [P]",
        },
    ];
    let runoff = match d.runoff {
        RunoffTiming::SameDay => election_day,
        RunoffTiming::WithinDays(n) => fwd(n)?,
    };
    deadlines.push(Deadline { name: DeadlineName::Runoff, latest: runoff, rule: "LAW.md §7 [P]" });
    deadlines.push(Deadline {
        name: DeadlineName::Handover,
        latest: fwd(d.handover_days)?,
        rule: "LAW.md §8 [N, P CQ Art. 36]",
    });
    deadlines.push(Deadline {
        name: DeadlineName::Rerun,
        latest: fwd(d.rerun_days)?,
        rule: "LAW.md §8 [P, CQ Art. 35]",
    });
    deadlines.push(Deadline {
        name: DeadlineName::ComplaintAnswered,
        latest: fwd(d.complaint_answer_days)?,
        rule: "LAW.md §8 [P, CQ Art. 33]",
    });
    Ok(Timetable { election_day, deadlines })
}

/// The dates a committee proposes. Dates after election day are optional until known.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlanDates {
    pub voter_list_published: Option<Date>,
    /// Latest date on which an objection is accepted, as announced.
    pub objections_close: Option<Date>,
    /// Latest date on which an objection is decided, as planned.
    pub objections_decided: Option<Date>,
    pub candidate_list_published: Option<Date>,
    pub proxy_cutoff: Option<Date>,
    pub runoff: Option<Date>,
    /// When the result was announced (handover counts from it); default election day.
    pub result_announced: Option<Date>,
    pub handover: Option<Date>,
    /// When the election was declared void (re-run counts from it).
    pub declared_void: Option<Date>,
    pub rerun: Option<Date>,
}

/// A deadline the plan misses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedDeadline {
    pub name: DeadlineName,
    pub planned: Date,
    /// The date the plan had to respect.
    pub limit: Date,
    /// `no_later_than` or `no_earlier_than`.
    pub bound: &'static str,
    pub rule: &'static str,
}

/// Check a plan; every failed deadline is named. Objection deadlines are counted from the actual
/// publication date (LAW.md §3 [N?]: within N days *of publication*).
pub fn check_plan(
    election_day: Date,
    plan: &PlanDates,
    profile: &RuleProfile,
) -> Result<Vec<FailedDeadline>, DateOutOfRange> {
    let t = timetable(election_day, profile)?;
    let d = &profile.deadlines;
    let mut out = Vec::new();
    let mut late = |name: DeadlineName, planned: Option<Date>, limit: Date, rule: &'static str| {
        if let Some(p) = planned
            && p > limit
        {
            out.push(FailedDeadline { name, planned: p, limit, bound: "no_later_than", rule });
        }
    };
    let latest = |n| t.get(n).unwrap_or(election_day);
    late(
        DeadlineName::VoterListPublished,
        plan.voter_list_published,
        latest(DeadlineName::VoterListPublished),
        "LAW.md §3 [N]",
    );
    late(
        DeadlineName::CandidateListPublished,
        plan.candidate_list_published,
        latest(DeadlineName::CandidateListPublished),
        "LAW.md §5 [P]",
    );
    late(DeadlineName::ProxyApplications, plan.proxy_cutoff, latest(DeadlineName::ProxyApplications), "LAW.md §6 [P]");
    late(DeadlineName::Runoff, plan.runoff, latest(DeadlineName::Runoff), "LAW.md §7 [P]");
    let announced = plan.result_announced.unwrap_or(election_day);
    late(
        DeadlineName::Handover,
        plan.handover,
        shift(announced, i64::from(d.handover_days))?,
        "LAW.md §8 [N, P CQ Art. 36]",
    );
    if let Some(v) = plan.declared_void {
        late(DeadlineName::Rerun, plan.rerun, shift(v, i64::from(d.rerun_days))?, "LAW.md §8 [P, CQ Art. 35]");
    }
    let decided_limit = match plan.voter_list_published {
        Some(published) => {
            let close = shift(published, i64::from(d.objection_days))?;
            let decided = shift(close, i64::from(d.objection_decision_days))?;
            // The objection window may not be cut short (LAW.md §3 [N?]).
            if let Some(c) = plan.objections_close
                && c < close
            {
                out.push(FailedDeadline {
                    name: DeadlineName::ObjectionsReceived,
                    planned: c,
                    limit: close,
                    bound: "no_earlier_than",
                    rule: "LAW.md §3 [N?]",
                });
            }
            Some(decided)
        }
        None => None,
    };
    if let Some(p) = plan.objections_decided {
        // Decisions are due within the decision window and before anyone votes on the list.
        let limit = decided_limit.unwrap_or(election_day).min(shift(election_day, -1)?);
        if p > limit {
            out.push(FailedDeadline {
                name: DeadlineName::ObjectionsDecided,
                planned: p,
                limit,
                bound: "no_later_than",
                rule: "LAW.md §3 [N?]",
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use time::macros::date;

    const DAY: Date = date!(2026 - 06 - 14);

    #[test]
    fn voter_list_no_later_than_20_days_before_n() {
        let t = timetable(DAY, &RuleProfile::national()).unwrap();
        assert_eq!(t.get(DeadlineName::VoterListPublished), Some(date!(2026 - 05 - 25)));
        let plan = PlanDates { voter_list_published: Some(date!(2026 - 05 - 26)), ..PlanDates::default() };
        let f = check_plan(DAY, &plan, &RuleProfile::national()).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].name, DeadlineName::VoterListPublished);
        let plan = PlanDates { voter_list_published: Some(date!(2026 - 05 - 25)), ..PlanDates::default() };
        assert!(check_plan(DAY, &plan, &RuleProfile::national()).unwrap().is_empty());
    }

    #[test]
    fn timetable_every_deadline_n_q_p() {
        let t = timetable(DAY, &RuleProfile::national()).unwrap();
        let table = [
            (DeadlineName::ObjectionsReceived, date!(2026 - 05 - 30)),
            (DeadlineName::ObjectionsDecided, date!(2026 - 06 - 02)),
            (DeadlineName::CandidateListPublished, date!(2026 - 06 - 09)),
            (DeadlineName::ProxyApplications, date!(2026 - 06 - 11)),
            (DeadlineName::AbsenteeNotices, date!(2026 - 06 - 12)),
            (DeadlineName::Runoff, DAY),
            (DeadlineName::Handover, date!(2026 - 06 - 24)),
            (DeadlineName::Rerun, date!(2026 - 07 - 14)),
            (DeadlineName::ComplaintAnswered, date!(2026 - 07 - 14)),
        ];
        for (n, d) in table {
            assert_eq!(t.get(n), Some(d), "{n:?}");
        }
        let mut p = RuleProfile::national();
        p.deadlines.runoff = RunoffTiming::WithinDays(7);
        assert_eq!(timetable(DAY, &p).unwrap().get(DeadlineName::Runoff), Some(date!(2026 - 06 - 21)));
    }

    #[test]
    fn objection_window_and_decisions_n_q() {
        let p = RuleProfile::national();
        let plan = PlanDates {
            voter_list_published: Some(date!(2026 - 05 - 20)),
            objections_close: Some(date!(2026 - 05 - 23)), // cut short: 5 days → 25th
            objections_decided: Some(date!(2026 - 05 - 29)), // due by the 28th
            ..PlanDates::default()
        };
        let f = check_plan(DAY, &plan, &p).unwrap();
        let names: Vec<_> = f.iter().map(|x| x.name).collect();
        assert_eq!(names, vec![DeadlineName::ObjectionsReceived, DeadlineName::ObjectionsDecided]);
        assert_eq!(f[1].limit, date!(2026 - 05 - 28));
    }

    #[test]
    fn candidates_proxy_runoff_handover_rerun_p() {
        let p = RuleProfile::national();
        let plan = PlanDates {
            candidate_list_published: Some(date!(2026 - 06 - 10)),
            proxy_cutoff: Some(date!(2026 - 06 - 12)),
            runoff: Some(date!(2026 - 06 - 15)),
            result_announced: Some(DAY),
            handover: Some(date!(2026 - 06 - 25)),
            declared_void: Some(DAY),
            rerun: Some(date!(2026 - 07 - 15)),
            ..PlanDates::default()
        };
        let names: Vec<_> = check_plan(DAY, &plan, &p).unwrap().iter().map(|x| x.name).collect();
        assert_eq!(
            names,
            vec![
                DeadlineName::CandidateListPublished,
                DeadlineName::ProxyApplications,
                DeadlineName::Runoff,
                DeadlineName::Handover,
                DeadlineName::Rerun,
            ]
        );
    }

    #[test]
    fn byelection_months_clamp_p() {
        assert_eq!(add_months(date!(2026 - 11 - 30), 3).unwrap(), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 06 - 14), 3).unwrap(), date!(2026 - 09 - 14));
        assert_eq!(add_months(date!(2026 - 10 - 31), 14).unwrap(), date!(2027 - 12 - 31));
    }
}
