//! The election plan form (method, seats, profile, election day, channels, stations): the
//! fields as posted, their parsing into a `PlanInput`, and what the form shows — shared by the
//! community page (opening an election) and the election page (changing its plan).

use serde::Deserialize;

use crate::domain::{Election, Station};
use crate::service::ServiceError;
use crate::service::elections::{PlanInput, today};

/// The plan form's fields (checkboxes arrive as repeated keys).
#[derive(Deserialize, Default)]
pub struct PlanForm {
    #[serde(default)]
    pub(super) round: String,
    #[serde(default)]
    pub(super) version: String,
    pub(super) method: String,
    pub(super) seats_chair: String,
    pub(super) seats_vice_chair: String,
    pub(super) seats_member: String,
    pub(super) profile: String,
    pub(super) election_day: String,
    #[serde(default)]
    pub(super) channels: Vec<String>,
    #[serde(default)]
    pub(super) remote_legal_basis: String,
    /// One station per line: `name | 投票站 | supervisor、supervisor、supervisor`, or for a mobile
    /// box `name | 流动 | supervisor、supervisor、supervisor` (LAW.md §6 [P]: at least 3 each).
    #[serde(default)]
    pub(super) stations: String,
}

/// A whole number typed into a form field (`field` names it in the refusal).
pub(super) fn num(s: &str, field: &str) -> Result<i64, ServiceError> {
    s.trim().parse().map_err(|_| ServiceError::Invalid { key: "err.request", field: Some(field.into()) })
}

fn stations_from_text(t: &str) -> Vec<Station> {
    t.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split('|').map(str::trim).collect();
            Station {
                name: parts.first().copied().unwrap_or("").to_string(),
                mobile: parts.get(1).is_some_and(|m| *m == "流动" || m.eq_ignore_ascii_case("mobile")),
                supervisors: parts
                    .get(2)
                    .map(|s| {
                        s.split([',', '，', '、']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The polling station printed on voter cards: the election's fixed station (the first one, in
/// plan order), where voters who are not served by a mobile box go.
pub fn card_station(e: &Election) -> String {
    e.plan.stations.iter().find(|s| !s.mobile).map(|s| s.name.clone()).unwrap_or_default()
}

pub fn stations_to_text(list: &[Station]) -> String {
    list.iter()
        .map(|s| {
            let kind = if s.mobile { "流动" } else { "投票站" };
            if s.mobile || !s.supervisors.is_empty() {
                format!("{} | {kind} | {}", s.name, s.supervisors.join("、"))
            } else {
                s.name.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl PlanForm {
    pub(super) fn input(&self) -> Result<PlanInput, ServiceError> {
        Ok(PlanInput {
            method: self.method.clone(),
            seats_chair: num(&self.seats_chair, "seats_chair")?,
            seats_vice_chair: num(&self.seats_vice_chair, "seats_vice_chair")?,
            seats_member: num(&self.seats_member, "seats_member")?,
            profile: self.profile.clone(),
            election_day: self.election_day.clone(),
            channels: self.channels.clone(),
            remote_legal_basis: self.remote_legal_basis.clone(),
            stations: stations_from_text(&self.stations),
        })
    }
}

/// What the plan form shows.
pub struct PlanView {
    pub method: String,
    pub election_day: String,
    pub profile: String,
    /// As text, so that a refused plan shows what was typed.
    pub seats: (String, String, String),
    pub channels: Vec<String>,
    pub remote_legal_basis: String,
    pub stations: String,
}

impl PlanView {
    /// A fresh plan: direct election, 1 + 1 + 3, the national profile, 45 days ahead.
    pub fn new_default() -> PlanView {
        PlanView {
            method: "direct".into(),
            election_day: (today() + time::Duration::days(45)).to_string(),
            profile: "national".into(),
            seats: ("1".into(), "1".into(), "3".into()),
            channels: vec!["paper".into(), "mobile_box".into(), "proxy".into()],
            remote_legal_basis: String::new(),
            stations: String::new(),
        }
    }

    pub fn of(e: &Election) -> PlanView {
        PlanView {
            method: e.method.as_str().to_string(),
            election_day: e.plan.day.to_string(),
            profile: e.plan.profile.name.clone(),
            seats: (e.seats_chair.to_string(), e.seats_vice_chair.to_string(), e.seats_member.to_string()),
            channels: e.plan.channels.names().into_iter().map(str::to_string).collect(),
            remote_legal_basis: e.plan.remote_legal_basis.clone(),
            stations: stations_to_text(&e.plan.stations),
        }
    }
}

impl PlanView {
    /// The plan as typed into a refused form.
    pub(super) fn typed(f: &PlanForm) -> PlanView {
        PlanView {
            method: f.method.clone(),
            election_day: f.election_day.clone(),
            profile: f.profile.clone(),
            seats: (f.seats_chair.clone(), f.seats_vice_chair.clone(), f.seats_member.clone()),
            channels: f.channels.clone(),
            remote_legal_basis: f.remote_legal_basis.clone(),
            stations: f.stations.clone(),
        }
    }
}
