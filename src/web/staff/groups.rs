//! The residents' group elections pages (LAW.md §4 [N 2018, P], §10 [N 2018]; issue 16): for a
//! main election by the representatives method, the list of its group elections and the
//! representatives recorded, a form to open one (street office), and each group election's
//! page with its steps — publish the roll, open the polls, count, re-vote a tie, certify — each
//! asking first and saying what happened (`flow`). Check-in, closing the polls and paper entry
//! are the polling page's, as for any election. Short handlers over `service::group_elections`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::flow::{self, Echo};
use super::records::DoneQuery;
use crate::domain::Action;
use crate::domain::records::ResidentGroup;
use crate::i18n::{Lang, Tr, text};
use crate::service::ServiceError;
use crate::service::group_elections::{self as svc, GroupElectionInput, GroupElectionView};
use crate::service::overview::record_desk;
use crate::web::AppState;
use crate::web::auth::{StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt};

/// One group election in the main election's list.
struct GroupLine {
    id: i64,
    group_number: i64,
    seats: i64,
    stage: &'static str,
    election_day: String,
    elected: Vec<String>,
}

/// A recorded representative: (group number, name, from a group election (id) or on paper).
struct RepLine {
    group: i64,
    name: String,
    from: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/group_elections.html")]
struct GroupsPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    main_id: i64,
    community: String,
    stage_label: &'static str,
    notice: Option<String>,
    lines: Vec<GroupLine>,
    reps: Vec<RepLine>,
    groups: Vec<ResidentGroup>,
    allowed: Vec<Action>,
    echo: Echo,
}

impl GroupsPage {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

fn names(v: &GroupElectionView, ids: &[i64]) -> Vec<String> {
    ids.iter()
        .map(|r| {
            v.candidates.iter().find(|c| c.resident_id == *r).map(|c| c.name.clone()).unwrap_or_else(|| format!("#{r}"))
        })
        .collect()
}

async fn groups_page(
    state: &AppState,
    lang: Lang,
    s: &StaffSession,
    id: i64,
    done: Option<&str>,
    echo: Echo,
) -> Result<GroupsPage, HtmlError> {
    let (e, community, allowed) = record_desk(&state.store, &s.staff, id).await.html(lang)?;
    if !crate::domain::action::allows(&allowed, Action::GroupElections) {
        return Err(HtmlError { lang, err: ServiceError::NotFound });
    }
    let main = svc::for_main(&state.store, &s.staff, id).await.html(lang)?;
    let groups = crate::service::registry::groups(&state.store, &s.staff, e.community_id).await.html(lang)?;
    let number = |gid: i64| groups.iter().find(|g| g.id == gid).map(|g| g.number).unwrap_or_default();
    let mut reps = Vec::new();
    for r in &main.representatives {
        let name = match main
            .group_elections
            .iter()
            .flat_map(|g| g.candidates.iter())
            .find(|c| c.resident_id == r.resident_id)
        {
            Some(c) => c.name.clone(),
            None => {
                crate::service::registry::read_resident(&state.store, &s.staff, r.resident_id).await.html(lang)?.name
            }
        };
        reps.push(RepLine { group: number(r.group_id), name, from: r.group_election_id });
    }
    let lines = main
        .group_elections
        .iter()
        .map(|g| GroupLine {
            id: g.id,
            group_number: g.group_number,
            seats: g.seats,
            stage: text(lang, &format!("stage.{}", g.stage)),
            election_day: g.election_day.clone(),
            elected: names(g, &g.elected),
        })
        .collect();
    Ok(GroupsPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        main_id: id,
        community,
        stage_label: text(lang, &format!("stage.{}", e.stage)),
        notice: flow::done_notice(lang, "groups.done.", done),
        lines,
        reps,
        groups,
        allowed,
        echo,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<DoneQuery>,
) -> Result<Response, HtmlError> {
    Ok(groups_page(&state, lang, &s, id, q.done.as_deref(), Echo::default()).await?.into_response())
}

#[derive(Deserialize)]
pub struct OpenForm {
    group_number: String,
    seats: String,
    /// Resident numbers of the candidates, separated by commas or spaces.
    candidates: String,
    election_day: String,
}

/// Opens a group election for main election `id` (the street office, LAW.md §4 [N 2018, P]).
pub async fn open(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<OpenForm>,
) -> Result<Response, HtmlError> {
    let bad = |field: &str| ServiceError::Invalid { key: "err.request", field: Some(field.into()) };
    let input = match (f.form.group_number.trim().parse(), f.form.seats.trim().parse()) {
        (Ok(group_number), Ok(seats)) => Ok(GroupElectionInput {
            group_number,
            seats,
            candidates: f.form.candidates.split(|c: char| !c.is_ascii_digit()).filter_map(|x| x.parse().ok()).collect(),
            election_day: f.form.election_day.trim().to_string(),
        }),
        (Err(_), _) => Err(bad("group_number")),
        (_, Err(_)) => Err(bad("seats")),
    };
    let opened = match input {
        Ok(input) => svc::open(&state.store, &f.session.staff, id, &input).await,
        Err(e) => Err(e),
    };
    match opened.html(f.lang) {
        Ok(gid) => Ok(Redirect::to(&format!("/staff/group-elections/{gid}?done=opened")).into_response()),
        Err(e) => {
            let Some(echo) = Echo::of(&f, "open", &e) else { return Err(e) };
            let page = groups_page(&state, f.lang, &f.session, id, None, echo).await?;
            Ok((Echo::status(&e), page).into_response())
        }
    }
}

/// One counted round as the page shows it.
struct RoundLine {
    round: i64,
    voters: u64,
    ballots_cast: u64,
    quorum_needed: u64,
    votes_needed: u64,
    valid: bool,
    elected: Vec<String>,
    tied: Vec<String>,
    unfilled: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/group_election.html")]
struct GroupPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    v: GroupElectionView,
    stage_label: &'static str,
    notice: Option<String>,
    rounds: Vec<RoundLine>,
    elected: Vec<String>,
    allowed: Vec<Action>,
}

impl GroupPage {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<DoneQuery>,
) -> Result<Response, HtmlError> {
    let v = svc::view(&state.store, &s.staff, id).await.html(lang)?;
    let name = |cid: &str| {
        v.candidates.iter().find(|c| c.id == cid).map(|c| c.name.clone()).unwrap_or_else(|| cid.to_string())
    };
    let rounds = v
        .counted
        .iter()
        .map(|(r, c)| RoundLine {
            round: *r,
            voters: c.voters,
            ballots_cast: c.ballots_cast,
            quorum_needed: c.quorum_needed,
            votes_needed: c.votes_needed,
            valid: c.valid,
            elected: c.elected.iter().map(|x| name(x)).collect(),
            tied: c.tied.iter().map(|x| name(x)).collect(),
            unfilled: c.unfilled,
        })
        .collect();
    let page = GroupPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        stage_label: text(lang, &format!("stage.{}", v.stage)),
        notice: flow::done_notice(lang, "groups.done.", q.done.as_deref()),
        rounds,
        elected: names(&v, &v.elected),
        allowed: v.actions(),
        v,
    };
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct StepForm {
    step: String,
}

/// A step of group election `id`; none can be undone, so each asks first (issue 13 item 7).
pub async fn step(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<StepForm>,
) -> Result<Response, HtmlError> {
    let what = match f.form.step.as_str() {
        "publish_roll" | "open_polls" | "count" | "revote" | "certify" => f.form.step.clone(),
        _ => return Err(HtmlError { lang: f.lang, err: ServiceError::Invalid { key: "err.request", field: None } }),
    };
    let back = format!("/staff/group-elections/{id}");
    if !flow::confirmed(&f) {
        return Ok(flow::ask(&f, &format!("group_{what}"), format!("{back}/step"), back));
    }
    let (store, log, staff) = (&state.store, &state.log, &f.session.staff);
    match what.as_str() {
        "publish_roll" => svc::publish_roll(store, log, staff, id).await.map(|_| ()),
        "open_polls" => svc::open_polls(store, log, staff, id).await.map(|_| ()),
        "count" => svc::count(store, log, staff, id).await.map(|_| ()),
        "revote" => svc::revote(store, log, staff, id).await.map(|_| ()),
        _ => svc::certify(store, log, staff, id).await.map(|_| ()),
    }
    .html(f.lang)?;
    Ok(Redirect::to(&format!("{back}?done={what}")).into_response())
}
