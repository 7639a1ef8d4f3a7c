//! `RuleProfile`: every number and option LAW.md leaves to the law or a province, in one value
//! that is stored with each election, printed on its notices and never changed once the voter list
//! is published (LAW.md preamble). Files may give only the settings that differ from `national`;
//! a stored profile is always serialised in full.

pub use crate::law::fraction::Fraction;
pub use crate::law::settings::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Every number and option of LAW.md. Field groups follow LAW.md's sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleProfile {
    pub name: String,
    pub version: String,
    pub committee: Committee,
    pub registration: Registration,
    pub deadlines: Deadlines,
    pub nomination: Nomination,
    pub voting: Voting,
    pub counting: Counting,
    pub recall: Recall,
    pub meetings: Meetings,
}

impl Default for RuleProfile {
    fn default() -> RuleProfile {
        RuleProfile::national()
    }
}

/// Why a profile cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileError {
    UnknownPreset(String),
    Toml(String),
    Invalid(Vec<ProfileProblem>),
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileError::UnknownPreset(n) => {
                write!(f, "unknown profile {n:?} (known: {})", RuleProfile::PRESETS.join(", "))
            }
            ProfileError::Toml(e) => write!(f, "profile: {e}"),
            ProfileError::Invalid(ps) => {
                let v: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
                write!(f, "profile: {}", v.join("; "))
            }
        }
    }
}

impl std::error::Error for ProfileError {}

/// One problem found by [`RuleProfile::validate`]: the setting and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileProblem {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for ProfileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl RuleProfile {
    pub const PRESETS: [&'static str; 3] = ["national", "gansu-2025", "chongqing-2025"];

    /// The defaults of LAW.md.
    pub fn national() -> RuleProfile {
        RuleProfile {
            name: "national".into(),
            version: "2025.1".into(),
            committee: Committee {
                size_min: 5,
                size_max: 9,
                odd_only: false,
                woman_required: true,
                minority_member_flag: false,
                term_years: 5,
                election_committee_quorum: Fraction::new(1, 2),
            },
            registration: Registration {
                opt_in: false,
                // LAW.md §3 names 6 (GS) and 12 (JS/Shenzhen) but no national figure; the lower
                // figure keeps the national default from excluding anyone a province would admit.
                nonlocal_residence_months: 6,
                nonlocal_approved_by: Approver::ElectionCommittee,
                worker_months: 6,
                exclude_notified_absentees: false,
                absentee_notice_days: 2,
            },
            deadlines: Deadlines {
                voter_list_days: 20,
                objection_days: 5,
                objection_decision_days: 3,
                candidate_list_days: 5,
                proxy_cutoff_days: 3,
                runoff: RunoffTiming::SameDay,
                vacancy_byelection_months: 3,
                handover_days: 10,
                rerun_days: 30,
                complaint_answer_days: 30,
                filing_days: 5,
            },
            nomination: Nomination {
                nominators_voters: 10,
                nominators_households: 5,
                self_nomination: true,
                primary_allowed: true,
                max_names_per_seat: 1,
                margin_chair: Margin { min: 1, max: 1 },
                margin_vice_chair: Margin { min: 1, max: 1 },
                margin_member: Margin { min: 1, max: 3 },
                candidate_order: CandidateOrder::SurnameStrokes,
            },
            voting: Voting {
                max_proxies_per_person: 3,
                mobile_box_supervisors: 3,
                overvote_voids: OvervoteVoids::Ballot,
                remote_channel_allowed: false,
                remote_legal_basis: String::new(),
            },
            counting: Counting {
                quorum_direct: Fraction::new(1, 2),
                quorum_household: Fraction::new(1, 2),
                quorum_representatives: Fraction::new(2, 3),
                majority: Fraction::new(1, 2),
                runoff_minimum: Fraction::new(1, 3),
                post_order: PostOrder::Separate,
                women_seat: WomenSeat::Reserve,
            },
            recall: Recall {
                petition_voters: Fraction::new(1, 5),
                petition_households: Fraction::new(1, 5),
                petition_representatives: Fraction::new(1, 3),
                quorum_voters: Fraction::new(1, 2),
                quorum_representatives: Fraction::new(2, 3),
                pass: Fraction::new(1, 2),
            },
            meetings: Meetings {
                representatives_share: Fraction::new(4, 5),
                demand_by_representatives: Fraction::new(1, 3),
                residents_meeting_quorum: Fraction::new(1, 2),
                residents_meeting_decision: Fraction::new(1, 2),
                representatives_per_group_min: 2,
                representatives_per_group_max: 3,
                group_election_quorum: Fraction::new(1, 2),
                group_election_majority: Fraction::new(1, 2),
            },
        }
    }

    /// A preset by name: `national`, `gansu-2025`, `chongqing-2025`.
    pub fn preset(name: &str) -> Result<RuleProfile, ProfileError> {
        let mut p = RuleProfile::national();
        match name {
            "national" => {}
            "gansu-2025" => {
                p.name = "gansu-2025".into();
                p.version = "2025.11".into();
                // LAW.md §3 [P, GS Art. 16]: registration is on application.
                p.registration.opt_in = true;
                // LAW.md §3 [P: 6 GS].
                p.registration.nonlocal_residence_months = 6;
                // LAW.md §1 [P, GS Art. 5] and §2 [P, GS Art. 14] equal the national defaults.
                // Other GS figures are not named in LAW.md; the national defaults stand.
            }
            "chongqing-2025" => {
                p.name = "chongqing-2025".into();
                p.version = "2025.11".into();
                // LAW.md §8 [P, CQ Art. 33/35/36] and §4, §6 [P, CQ Art. 34] are the figures the
                // national defaults were taken from; spelled out so a change there cannot drift.
                p.deadlines.handover_days = 10;
                p.deadlines.rerun_days = 30;
                p.deadlines.complaint_answer_days = 30;
                p.committee.woman_required = true;
            }
            other => return Err(ProfileError::UnknownPreset(other.to_string())),
        }
        Ok(p)
    }

    /// Parse a TOML profile; unset settings take the national defaults; the result is validated.
    pub fn from_toml(text: &str) -> Result<RuleProfile, ProfileError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| ProfileError::Toml(e.to_string()))?;
        // A profile is printed on every notice: a file must say which it is.
        for k in ["name", "version"] {
            if !table.contains_key(k) {
                return Err(ProfileError::Toml(format!("missing field `{k}`")));
            }
        }
        let p: RuleProfile = toml::from_str(text).map_err(|e| ProfileError::Toml(e.to_string()))?;
        p.validate().map_err(ProfileError::Invalid)?;
        Ok(p)
    }

    pub fn to_toml(&self) -> Result<String, ProfileError> {
        toml::to_string(self).map_err(|e| ProfileError::Toml(e.to_string()))
    }

    /// The margin (差额) of a post.
    pub fn margin(&self, post: crate::law::Post) -> Margin {
        match post {
            crate::law::Post::Chair => self.nomination.margin_chair,
            crate::law::Post::ViceChair => self.nomination.margin_vice_chair,
            crate::law::Post::Member => self.nomination.margin_member,
        }
    }

    /// The validity quorum of a method (LAW.md §4 [N / N?]).
    pub fn quorum(&self, method: crate::law::Method) -> Fraction {
        match method {
            crate::law::Method::Direct => self.counting.quorum_direct,
            crate::law::Method::Household => self.counting.quorum_household,
            crate::law::Method::Representatives => self.counting.quorum_representatives,
        }
    }

    /// Every problem, not just the first, so a committee can fix a profile in one pass.
    pub fn validate(&self) -> Result<(), Vec<ProfileProblem>> {
        let mut out = Vec::new();
        let mut bad = |field: &'static str, message: String| out.push(ProfileProblem { field, message });
        if self.name.trim().is_empty() {
            bad("name", "must not be empty".into());
        }
        if self.version.trim().is_empty() {
            bad("version", "must not be empty".into());
        }
        let c = &self.committee;
        // LAW.md §1 [P: 5–9]: a province may narrow the range, never leave it.
        if c.size_min < 5 || c.size_max > 9 || c.size_min > c.size_max {
            bad("committee.size_min/size_max", format!("{}–{} is not within 5–9", c.size_min, c.size_max));
        }
        if c.odd_only && c.size_min == c.size_max && c.size_min.is_multiple_of(2) {
            bad("committee.odd_only", "no odd size in range".into());
        }
        if c.term_years != 5 {
            bad("committee.term_years", "LAW.md §1 [N]: the term is 5 years".into());
        }
        let d = &self.deadlines;
        // LAW.md §3 [N]: 20 days is a national minimum.
        if d.voter_list_days < 20 {
            bad("deadlines.voter_list_days", "must be at least 20 [N]".into());
        }
        if d.objection_days == 0 {
            bad("deadlines.objection_days", "must be at least 1".into());
        }
        if d.objection_decision_days == 0 {
            bad("deadlines.objection_decision_days", "must be at least 1".into());
        }
        if d.objection_days.saturating_add(d.objection_decision_days) >= d.voter_list_days {
            bad("deadlines.objection_days", "objections must be decided before election day".into());
        }
        if d.candidate_list_days == 0 {
            bad("deadlines.candidate_list_days", "must be at least 1".into());
        }
        if let RunoffTiming::WithinDays(0) = d.runoff {
            bad("deadlines.runoff", "within_days must be at least 1".into());
        }
        if d.vacancy_byelection_months == 0 {
            bad("deadlines.vacancy_byelection_months", "must be at least 1".into());
        }
        for (f, v) in [
            ("deadlines.handover_days", d.handover_days),
            ("deadlines.rerun_days", d.rerun_days),
            ("deadlines.complaint_answer_days", d.complaint_answer_days),
            ("deadlines.filing_days", d.filing_days),
        ] {
            if v == 0 {
                bad(f, "must be at least 1".into());
            }
        }
        let n = &self.nomination;
        if n.nominators_voters == 0 || n.nominators_households == 0 {
            bad("nomination.nominators_*", "must be at least 1".into());
        }
        if n.max_names_per_seat != 1 {
            bad(
                "nomination.max_names_per_seat",
                "LAW.md §5 [P]: a nomination ballot names at most as many people as seats".into(),
            );
        }
        // LAW.md §5 [N]: 差额 means at least one more candidate than seats on every post.
        for (f, m) in [
            ("nomination.margin_chair", n.margin_chair),
            ("nomination.margin_vice_chair", n.margin_vice_chair),
            ("nomination.margin_member", n.margin_member),
        ] {
            if m.min < 1 {
                bad(f, "min must be at least 1 (差额 [N])".into());
            }
            if m.max < m.min {
                bad(f, "max must not be below min".into());
            }
        }
        let v = &self.voting;
        if v.max_proxies_per_person == 0 {
            bad("voting.max_proxies_per_person", "must be at least 1".into());
        }
        if v.mobile_box_supervisors < 3 {
            bad("voting.mobile_box_supervisors", "LAW.md §6 [P]: at least 3".into());
        }
        if v.remote_channel_allowed && v.remote_legal_basis.trim().is_empty() {
            bad("voting.remote_legal_basis", "LAW.md §6: remote casting needs its legal basis recorded".into());
        }
        let k = &self.counting;
        for (f, fr) in [
            ("counting.quorum_direct", k.quorum_direct),
            ("counting.quorum_household", k.quorum_household),
            ("counting.majority", k.majority),
        ] {
            if fr.num * 2 < fr.den {
                bad(f, "may not be below 1/2 [N / N?]".into());
            }
        }
        if k.quorum_representatives.num * 3 < k.quorum_representatives.den * 2 {
            bad("counting.quorum_representatives", "may not be below 2/3 [N?]".into());
        }
        if k.runoff_minimum.num * 3 < k.runoff_minimum.den {
            bad("counting.runoff_minimum", "may not be below 1/3 [N?]".into());
        }
        let m = &self.meetings;
        if m.representatives_share.num * 5 < m.representatives_share.den * 4 {
            bad("meetings.representatives_share", "may not be below 4/5 [N]".into());
        }
        if m.representatives_per_group_min == 0 || m.representatives_per_group_min > m.representatives_per_group_max {
            bad("meetings.representatives_per_group_*", "min must be 1..=max".into());
        }
        // LAW.md §10 [N 2018]: more than half vote, more than half of the ballots elect.
        for (f, fr) in [
            ("meetings.group_election_quorum", m.group_election_quorum),
            ("meetings.group_election_majority", m.group_election_majority),
        ] {
            if fr.num * 2 < fr.den || fr.num >= fr.den {
                bad(f, "must be at least 1/2 and below 1 [N 2018]".into());
            }
        }
        if out.is_empty() { Ok(()) } else { Err(out) }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_named_p() {
        for name in RuleProfile::PRESETS {
            let p = RuleProfile::preset(name).unwrap();
            assert_eq!(p.name, name);
            assert_eq!(p.validate(), Ok(()), "{name}");
        }
        assert!(matches!(RuleProfile::preset("mars"), Err(ProfileError::UnknownPreset(_))));
    }

    #[test]
    fn national_defaults_match_law_md() {
        let p = RuleProfile::national();
        // §3 [N] voter list 20 days; §8 [P] handover 10, re-run 30.
        assert_eq!(p.deadlines.voter_list_days, 20);
        assert_eq!(p.deadlines.handover_days, 10);
        assert_eq!(p.deadlines.rerun_days, 30);
        assert_eq!(p.voting.overvote_voids, OvervoteVoids::Ballot);
        assert_eq!(p.counting.post_order, PostOrder::Separate);
        assert_eq!(p.counting.women_seat, WomenSeat::Reserve);
        assert!(!p.voting.remote_channel_allowed);
        assert!(!p.registration.opt_in);
        assert!(RuleProfile::preset("gansu-2025").unwrap().registration.opt_in);
    }

    #[test]
    fn toml_round_trip_every_preset() {
        for name in RuleProfile::PRESETS {
            let p = RuleProfile::preset(name).unwrap();
            let text = p.to_toml().unwrap();
            assert_eq!(RuleProfile::from_toml(&text).unwrap(), p, "{text}");
        }
    }

    #[test]
    fn toml_partial_file_takes_national_defaults() {
        let p = RuleProfile::from_toml(
            "name = \"jiangsu-x\"\nversion = \"1\"\n[registration]\nnonlocal_residence_months = 12\n\
             [deadlines]\nrunoff = { within_days = 7 }\n[counting]\nmajority = \"1/2\"\n",
        )
        .unwrap();
        assert_eq!(p.registration.nonlocal_residence_months, 12);
        assert_eq!(p.deadlines.runoff, RunoffTiming::WithinDays(7));
        assert_eq!(p.deadlines.voter_list_days, 20);
    }

    #[test]
    fn toml_unknown_fields_are_refused() {
        let e = RuleProfile::from_toml("name = \"x\"\nversion = \"1\"\nsize = 3\n").unwrap_err();
        assert!(matches!(e, ProfileError::Toml(_)), "{e}");
        let e = RuleProfile::from_toml("name = \"x\"\nversion = \"1\"\n[committee]\nsize = 3\n").unwrap_err();
        assert!(matches!(e, ProfileError::Toml(_)), "{e}");
        let e = RuleProfile::from_toml("[committee]\nodd_only = true\n").unwrap_err();
        assert!(matches!(e, ProfileError::Toml(_)), "{e}");
        let e = RuleProfile::from_toml("name = \"x\"\nversion = \"1\"\n[counting]\nmajority = \"2/0\"\n").unwrap_err();
        assert!(matches!(e, ProfileError::Toml(_)), "{e}");
    }

    #[test]
    fn validate_reports_every_problem_committee_size_5_9_p_margins_n() {
        let mut p = RuleProfile::national();
        p.committee.size_min = 3;
        p.nomination.margin_member = Margin { min: 0, max: 0 };
        p.deadlines.voter_list_days = 15;
        p.voting.remote_channel_allowed = true;
        p.counting.majority = Fraction::new(1, 3);
        let errs = p.validate().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        for f in [
            "committee.size_min/size_max",
            "nomination.margin_member",
            "deadlines.voter_list_days",
            "voting.remote_legal_basis",
            "counting.majority",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }
}
