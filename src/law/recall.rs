//! Recall (罢免), by-election trigger, and the meetings' quorum rules (LAW.md §2, §9, §10).

use crate::law::timetable::{DateOutOfRange, add_months};
use crate::law::{Fraction, Method, RuleProfile};
use serde::Serialize;
use std::fmt;
use time::{Date, Duration};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RecallError {
    TooFewSignatures { have: u64, need: u64, rule: &'static str },
    NoWrittenReasons { rule: &'static str },
    DefenceNotPublished { rule: &'static str },
}

impl fmt::Display for RecallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecallError::TooFewSignatures { have, need, rule } => {
                write!(f, "{have} signatures, {need} needed ({rule})")
            }
            RecallError::NoWrittenReasons { rule } => {
                write!(f, "a recall petition needs written reasons ({rule})")
            }
            RecallError::DefenceNotPublished { rule } => {
                write!(f, "the member's answer must be published before the vote ({rule})")
            }
        }
    }
}

impl std::error::Error for RecallError {}

fn petition_share(method: Method, profile: &RuleProfile) -> Fraction {
    match method {
        Method::Direct => profile.recall.petition_voters,
        Method::Household => profile.recall.petition_households,
        Method::Representatives => profile.recall.petition_representatives,
    }
}

/// LAW.md §9 [N?, P]: signatures needed — ≥1/5 of voters or household representatives, ≥1/3 of
/// residents' representatives.
pub fn petition_threshold(method: Method, electorate: u64, profile: &RuleProfile) -> u64 {
    petition_share(method, profile).least_reaching(electorate).max(1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Petition {
    pub method: Method,
    pub electorate: u64,
    pub signatures: u64,
    pub written_reasons: bool,
}

/// LAW.md §9 [N?, P]: enough joint signatures, with written reasons.
pub fn check_petition(p: &Petition, profile: &RuleProfile) -> Result<(), Vec<RecallError>> {
    let mut out = Vec::new();
    let need = petition_threshold(p.method, p.electorate, profile);
    if p.signatures < need {
        out.push(RecallError::TooFewSignatures { have: p.signatures, need, rule: "LAW.md §9 [N?, P]" });
    }
    if !p.written_reasons {
        out.push(RecallError::NoWrittenReasons { rule: "LAW.md §9 [N?, P]" });
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecallVote {
    pub method: Method,
    pub electorate: u64,
    /// All ballots returned, blank and invalid included.
    pub ballots_cast: u64,
    pub yes: u64,
    /// LAW.md §9 [N?, P]: the member's answer (申辩) was published before the vote.
    pub defence_published: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecallOutcome {
    Recalled,
    NotRecalled,
    /// Too few voted: the vote is not valid.
    QuorumMissed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecallResult {
    pub outcome: RecallOutcome,
    pub quorum_needed: u64,
    pub yes_needed: u64,
    /// LAW.md §9 [N]: a recalled seat is filled by a by-election under Art. 18's procedure.
    pub byelection_required: bool,
}

/// LAW.md §9: valid if more than half of voters (or household representatives) vote, or more
/// than two thirds of representatives [N]; passes with more than half of the ballots cast [N?].
pub fn decide_recall(v: &RecallVote, profile: &RuleProfile) -> Result<RecallResult, RecallError> {
    if !v.defence_published {
        return Err(RecallError::DefenceNotPublished { rule: "LAW.md §9 [N?, P]" });
    }
    let quorum = match v.method {
        Method::Direct | Method::Household => profile.recall.quorum_voters,
        Method::Representatives => profile.recall.quorum_representatives,
    };
    let pass = profile.recall.pass;
    let outcome = if !quorum.exceeded_by(v.ballots_cast, v.electorate) {
        RecallOutcome::QuorumMissed
    } else if pass.exceeded_by(v.yes, v.ballots_cast) {
        RecallOutcome::Recalled
    } else {
        RecallOutcome::NotRecalled
    };
    Ok(RecallResult {
        outcome,
        quorum_needed: quorum.least_exceeding(v.electorate),
        yes_needed: pass.least_exceeding(v.ballots_cast),
        byelection_required: outcome == RecallOutcome::Recalled,
    })
}

/// LAW.md §9 [P]: every recall, termination, resignation and by-election is announced and filed
/// within `filing_days`.
pub fn filing_deadline(event: Date, profile: &RuleProfile) -> Result<Date, DateOutOfRange> {
    event.checked_add(Duration::days(i64::from(profile.deadlines.filing_days))).ok_or(DateOutOfRange)
}

/// LAW.md §9: how a member leaves office outside a recall — resignation in writing [P], death,
/// and the two causes that end an office automatically [N?]: a criminal sentence and loss of
/// legal capacity (丧失行为能力).
pub const LEAVING_CAUSES: [&str; 4] = ["resignation", "death", "sentence", "legal_capacity"];

/// The cause of a vacancy as the public sees it (the log, public pages). LAW.md §9 [N?]: loss
/// of legal capacity ends an office; that a member lost it is a health fact (sensitive personal
/// information, as the §3 incapacity is), so the public reads only that the office ended by law.
pub fn public_vacancy_cause(cause: &str) -> &str {
    if cause == "legal_capacity" { "office_ended" } else { cause }
}

/// LAW.md §7 [P]: a vacant seat is filled by a by-election within `vacancy_byelection_months`.
pub fn byelection_deadline(vacancy: Date, profile: &RuleProfile) -> Result<Date, DateOutOfRange> {
    add_months(vacancy, profile.deadlines.vacancy_byelection_months)
}

/// LAW.md §10 [N 2018]: a residents' meeting needs more than half of the adult residents (or of
/// the household / group representatives) present.
pub fn residents_meeting_quorate(present: u64, entitled: u64, profile: &RuleProfile) -> bool {
    profile.meetings.residents_meeting_quorum.exceeded_by(present, entitled)
}

/// LAW.md §10 [N 2018]: it decides by more than half of those present.
pub fn residents_meeting_adopts(yes: u64, present: u64, profile: &RuleProfile) -> bool {
    profile.meetings.residents_meeting_decision.exceeded_by(yes, present)
}

/// LAW.md §10 [N]: residents' representatives make up at least 4/5 of the representatives'
/// meeting.
pub fn representatives_share_ok(representatives: u64, meeting_members: u64, profile: &RuleProfile) -> bool {
    meeting_members > 0 && profile.meetings.representatives_share.reached_by(representatives, meeting_members)
}

/// LAW.md §10 [N]: at least 1/3 of representatives can demand a residents' meeting.
pub fn may_demand_residents_meeting(demanding: u64, representatives: u64, profile: &RuleProfile) -> bool {
    representatives > 0 && profile.meetings.demand_by_representatives.reached_by(demanding, representatives)
}

/// LAW.md §2 [P, GS Art. 14]: the election committee meets with more than half of its members
/// and decides by majority; LAW.md does not say of whom, so — as the Organic Law does for the
/// residents' meeting — of those present.
pub fn election_committee_decides(members: u64, present: u64, yes: u64, profile: &RuleProfile) -> bool {
    profile.committee.election_committee_quorum.exceeded_by(present, members)
        && Fraction::new(1, 2).exceeded_by(yes, present)
}

/// LAW.md §4 [N 2018, P]: each residents' group elects 2–3 representatives.
pub fn representatives_per_group_ok(n: u32, profile: &RuleProfile) -> bool {
    let m = &profile.meetings;
    (m.representatives_per_group_min..=m.representatives_per_group_max).contains(&n)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn petition_fifth_of_voters_third_of_representatives_n_q_p() {
        let p = RuleProfile::national();
        let table = [
            (Method::Direct, 1000, 200),
            (Method::Direct, 1001, 201),
            (Method::Household, 500, 100),
            (Method::Representatives, 30, 10),
            (Method::Representatives, 31, 11),
        ];
        for (m, e, need) in table {
            assert_eq!(petition_threshold(m, e, &p), need, "{m:?} {e}");
        }
        let ok = Petition { method: Method::Direct, electorate: 1000, signatures: 200, written_reasons: true };
        assert_eq!(check_petition(&ok, &p), Ok(()));
        let bad = Petition { signatures: 199, written_reasons: false, ..ok };
        assert_eq!(check_petition(&bad, &p).unwrap_err().len(), 2);
    }

    #[test]
    fn recall_quorum_half_or_two_thirds_n_and_pass_half_of_cast_n_q() {
        let p = RuleProfile::national();
        let v = |method, electorate, cast, yes| RecallVote {
            method,
            electorate,
            ballots_cast: cast,
            yes,
            defence_published: true,
        };
        let table = [
            (v(Method::Direct, 100, 50, 50), RecallOutcome::QuorumMissed),
            (v(Method::Direct, 100, 51, 26), RecallOutcome::Recalled),
            (v(Method::Direct, 100, 52, 26), RecallOutcome::NotRecalled),
            (v(Method::Household, 100, 60, 31), RecallOutcome::Recalled),
            (v(Method::Representatives, 30, 20, 20), RecallOutcome::QuorumMissed),
            (v(Method::Representatives, 30, 21, 11), RecallOutcome::Recalled),
        ];
        for (vote, want) in table {
            let r = decide_recall(&vote, &p).unwrap();
            assert_eq!(r.outcome, want, "{vote:?}");
            assert_eq!(r.byelection_required, want == RecallOutcome::Recalled);
        }
        let mut no_answer = v(Method::Direct, 100, 60, 60);
        no_answer.defence_published = false;
        assert!(decide_recall(&no_answer, &p).is_err());
    }

    #[test]
    fn filing_5_days_byelection_3_months_p() {
        let p = RuleProfile::national();
        assert_eq!(filing_deadline(date!(2026 - 06 - 14), &p).unwrap(), date!(2026 - 06 - 19));
        assert_eq!(byelection_deadline(date!(2026 - 06 - 14), &p).unwrap(), date!(2026 - 09 - 14));
    }

    #[test]
    fn residents_meeting_quorum_and_decision_n_2018() {
        let p = RuleProfile::national();
        assert!(!residents_meeting_quorate(50, 100, &p));
        assert!(residents_meeting_quorate(51, 100, &p));
        assert!(residents_meeting_adopts(26, 51, &p));
        assert!(!residents_meeting_adopts(25, 51, &p));
    }

    #[test]
    fn representatives_at_least_four_fifths_n() {
        let p = RuleProfile::national();
        assert!(representatives_share_ok(40, 50, &p));
        assert!(!representatives_share_ok(39, 50, &p));
        assert!(!representatives_share_ok(0, 0, &p));
        assert!(may_demand_residents_meeting(10, 30, &p));
        assert!(!may_demand_residents_meeting(9, 30, &p));
    }

    #[test]
    fn election_committee_quorum_and_majority_p_gs_art_14() {
        let p = RuleProfile::national();
        assert!(election_committee_decides(7, 4, 3, &p));
        assert!(!election_committee_decides(7, 3, 3, &p));
        assert!(!election_committee_decides(7, 4, 2, &p));
    }

    #[test]
    fn two_or_three_representatives_per_group_n_2018_p() {
        let p = RuleProfile::national();
        let got: Vec<bool> = (1..=4).map(|n| representatives_per_group_ok(n, &p)).collect();
        assert_eq!(got, vec![false, true, true, false]);
    }
}

/// A recall box's announced result (the text `huanjie count` prints and the count stores).
/// Fields are in alphabetical order: the published bytes are those of the result before it was
/// typed (a `json!` object, whose keys come out sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RecallCount {
    pub ballots_cast: u64,
    pub blank_ballots: u64,
    pub byelection_required: bool,
    pub electorate: u64,
    pub invalid_ballots: u64,
    pub method: Method,
    pub no: u64,
    pub outcome: RecallOutcome,
    pub profile: crate::law::outcome::ProfileRef,
    pub quorum_needed: u64,
    pub valid: bool,
    pub yes: u64,
    pub yes_needed: u64,
}

/// Recounts a published recall box (the recall counterpart of `huanjie count`): a ballot marks
/// `yes` (同意罢免) or `no` on the `member` line, or nothing (abstains); anything else is
/// invalid. The result holds the figures and [`decide_recall`]'s outcome.
pub fn recount_recall(input: &str) -> Result<RecallCount, crate::law::recount_input::RecountError> {
    use crate::law::recount_input::err;
    let v: serde_json::Value = serde_json::from_str(input).map_err(|e| err("input", e.to_string()))?;
    let method: Method = serde_json::from_value(v["method"].clone()).map_err(|e| err("method", e.to_string()))?;
    let electorate = v["electorate"].as_u64().ok_or_else(|| err("electorate", "missing"))?;
    let profile: RuleProfile = match &v["profile"] {
        serde_json::Value::Null => RuleProfile::national(),
        serde_json::Value::String(n) => RuleProfile::preset(n).map_err(|e| err("profile", e.to_string()))?,
        p => serde_json::from_value(p.clone()).map_err(|e| err("profile", e.to_string()))?,
    };
    let ballots = v["ballots"].as_array().ok_or_else(|| err("ballots", "missing"))?;
    let (mut yes, mut no, mut blank, mut invalid) = (0u64, 0u64, 0u64, 0u64);
    for b in ballots {
        let marks: Vec<&str> = b["member"].as_array().into_iter().flatten().filter_map(|x| x.as_str()).collect();
        match (b["invalid"].as_bool().unwrap_or(false), marks.as_slice()) {
            (true, _) => invalid += 1,
            (false, ["yes"]) => yes += 1,
            (false, ["no"]) => no += 1,
            (false, []) => blank += 1,
            _ => invalid += 1,
        }
    }
    let vote = RecallVote {
        method,
        electorate,
        ballots_cast: ballots.len() as u64,
        yes,
        defence_published: v["defence_published"].as_bool().unwrap_or(false),
    };
    let r = decide_recall(&vote, &profile).map_err(|e| err("defence_published", e.to_string()))?;
    Ok(RecallCount {
        ballots_cast: vote.ballots_cast,
        blank_ballots: blank,
        byelection_required: r.byelection_required,
        electorate,
        invalid_ballots: invalid,
        method,
        no,
        outcome: r.outcome,
        profile: crate::law::outcome::ProfileRef { name: profile.name.clone(), version: profile.version.clone() },
        quorum_needed: r.quorum_needed,
        valid: r.outcome != RecallOutcome::QuorumMissed,
        yes,
        yes_needed: r.yes_needed,
    })
}

/// As [`recount_recall`], as the published text (pretty JSON).
pub fn recount_recall_json(input: &str) -> Result<String, crate::law::recount_input::RecountError> {
    let out = recount_recall(input)?;
    serde_json::to_string_pretty(&out).map_err(|e| crate::law::recount_input::err("output", e.to_string()))
}

#[cfg(test)]
mod recount_recall_tests {
    use super::*;

    fn bx(yes: usize, no: usize, blank: usize, electorate: u64) -> String {
        let mut ballots = Vec::new();
        ballots.extend((0..yes).map(|_| serde_json::json!({"member": ["yes"]})));
        ballots.extend((0..no).map(|_| serde_json::json!({"member": ["no"]})));
        ballots.extend((0..blank).map(|_| serde_json::json!({"blank": true})));
        serde_json::json!({"method": "direct", "electorate": electorate, "defence_published": true, "ballots": ballots})
            .to_string()
    }

    /// The typed result prints the bytes of the `json!` result it replaced (issue 14 item 4).
    #[test]
    fn the_recall_result_keeps_its_published_bytes() {
        let before = serde_json::json!({
            "profile": {"name": "national", "version": "2025.1"}, "method": "direct",
            "valid": true, "outcome": "recalled",
            "electorate": 20, "quorum_needed": 11, "ballots_cast": 11,
            "yes": 6, "no": 4, "blank_ballots": 1, "invalid_ballots": 0, "yes_needed": 6,
            "byelection_required": true,
        });
        assert_eq!(recount_recall_json(&bx(6, 4, 1, 20)).unwrap(), serde_json::to_string_pretty(&before).unwrap());
    }

    #[test]
    fn recall_passes_with_more_than_half_of_ballots_cast_n_q() {
        let r: serde_json::Value = serde_json::from_str(&recount_recall_json(&bx(6, 4, 1, 20)).unwrap()).unwrap();
        assert_eq!(
            (r["outcome"].clone(), r["valid"].clone()),
            (serde_json::json!("recalled"), serde_json::json!(true))
        );
        // 5 of 11 is not more than half: blank ballots count as cast.
        let r: serde_json::Value = serde_json::from_str(&recount_recall_json(&bx(5, 5, 1, 20)).unwrap()).unwrap();
        assert_eq!(r["outcome"], serde_json::json!("not_recalled"));
    }

    #[test]
    fn recall_needs_more_than_half_of_voters_to_vote_n() {
        let r: serde_json::Value = serde_json::from_str(&recount_recall_json(&bx(10, 0, 0, 20)).unwrap()).unwrap();
        assert_eq!(
            (r["outcome"].clone(), r["valid"].clone()),
            (serde_json::json!("quorum_missed"), serde_json::json!(false))
        );
    }

    #[test]
    fn loss_of_legal_capacity_ends_an_office_without_its_cause_in_public_law_9_n() {
        assert!(LEAVING_CAUSES.contains(&"legal_capacity"));
        assert_eq!(public_vacancy_cause("legal_capacity"), "office_ended");
        assert_eq!(public_vacancy_cause("sentence"), "sentence");
    }
}
