//! Election pages for the street office and the committee: open, plan, timetable checklist,
//! registration, publication, objections, voter cards; print views; the district dashboard.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::flow;
use super::plan::{PlanForm, PlanView, card_station, num};
use crate::domain::Election;
use crate::domain::records::{DecisionRow, MemberRow, NominationRow, ObjectionRow, ProxyRow, VoterRow};
use crate::domain::{ElectionKind, Stage};
use crate::i18n::{Lang, Tr, text};
use crate::report::csv::CsvSheet;
use crate::service::elections::{self as svc, deadline_code, timetable_of, today};
use crate::service::overview::{Action, Overview, Section};
use crate::service::voters::{self, Card, fingerprint, mask_name};
use crate::service::{Permission, ServiceError};
use crate::web::AppState;
use crate::web::auth::{StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt};

pub async fn open(
    State(state): State<AppState>,
    Path(community): Path<i64>,
    f: StaffForm<PlanForm>,
) -> Result<Response, HtmlError> {
    let opened = async {
        let input = f.form.input().html(f.lang)?;
        svc::open(&state.store, &f.session.staff, community, &f.form.round, ElectionKind::Regular, &input)
            .await
            .html(f.lang)
    }
    .await;
    match opened {
        Ok(id) => Ok(Redirect::to(&format!("/staff/elections/{id}")).into_response()),
        Err(e) => {
            // The community page again, the plan form open with what was typed.
            let Some(echo) = flow::Echo::of(&f, "open", &e) else { return Err(e) };
            let refused = Some((echo.errors, PlanView::typed(&f.form), f.form.round.clone()));
            let page =
                super::registry::community_page(&state, f.lang, &f.session, community, Default::default(), refused)
                    .await?;
            Ok((flow::Echo::status(&e), page).into_response())
        }
    }
}

pub struct DeadlineView {
    pub name: String,
    pub date: String,
    pub rule: &'static str,
    /// done | due | late | future
    pub state: &'static str,
}

fn checklist(lang: Lang, e: &Election) -> Vec<DeadlineView> {
    let stage = e.stage;
    let now = today();
    let Ok(t) = timetable_of(e) else { return Vec::new() };
    t.deadlines
        .iter()
        .map(|d| {
            let code = deadline_code(d.name);
            let done = match code.as_str() {
                "voter_list_published" => stage >= Stage::ListPublished,
                "candidate_list_published" => stage >= Stage::CandidatesPublished,
                "handover" => stage >= Stage::HandedOver,
                _ => false,
            };
            let state = if done {
                "done"
            } else if now > d.latest {
                "late"
            } else if (d.latest - now).whole_days() <= 3 {
                "due"
            } else {
                "future"
            };
            DeadlineView {
                name: text(lang, &format!("deadline.{code}")).to_string(),
                date: d.latest.to_string(),
                rule: d.rule,
                state,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/election.html")]
struct ElectionPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    e: Election,
    community: String,
    stage_label: &'static str,
    deadlines: Vec<DeadlineView>,
    voters: usize,
    objections: Vec<ObjectionRow>,
    proxies: Vec<ProxyRow>,
    members: Vec<MemberRow>,
    decisions: Vec<DecisionRow>,
    nominations: Vec<NominationRow>,
    primary_rounds: Vec<PrimaryRound>,
    allowed: Vec<Action>,
    sections: Vec<Section>,
    plan: PlanView,
    profile_name: String,
    method_label: &'static str,
    residents: Vec<(i64, String)>,
    notice: Option<String>,
    echo: flow::Echo,
}

impl ElectionPage {
    /// The caller may take step `a` now (decided by `service::overview::overview`).
    fn allows(&self, a: Action) -> bool {
        self.allowed.contains(&a)
    }
    /// The page has part `s` now (decided by `service::overview::sections`).
    fn shows(&self, s: Section) -> bool {
        self.sections.contains(&s)
    }
}

/// One counted round of the nomination primary, as the committee's page shows it.
struct PrimaryRound {
    ordinal: i64,
    ballots: u64,
    posts: Vec<PrimaryPost>,
}

struct PrimaryPost {
    label: &'static str,
    places: u64,
    void_marks: u64,
    /// (name, votes, `primary.on_list` | `primary.tied` | `primary.below`)
    lines: Vec<(String, u64, &'static str)>,
}

fn primary_rounds(
    lang: Lang,
    view: &crate::service::primary::PrimaryView,
    noms: &[NominationRow],
) -> Vec<PrimaryRound> {
    let name = |cid: &str| {
        noms.iter()
            .find(|n| crate::domain::ballot::candidate_id(n.id) == cid)
            .map(|n| n.nominee_name.clone())
            .unwrap_or_else(|| cid.to_string())
    };
    let has = |p: &serde_json::Value, key: &str, id: &str| {
        p[key].as_array().is_some_and(|a| a.iter().any(|x| x.as_str() == Some(id)))
    };
    view.rounds
        .iter()
        .map(|(ordinal, r)| PrimaryRound {
            ordinal: *ordinal,
            ballots: r["ballots_cast"].as_u64().unwrap_or(0),
            posts: r["posts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let lines = p["votes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|v| {
                            let id = v["id"].as_str().unwrap_or("");
                            let mark = if has(p, "on_list", id) {
                                "primary.on_list"
                            } else if has(p, "tied", id) {
                                "primary.tied"
                            } else {
                                "primary.below"
                            };
                            (name(id), v["votes"].as_u64().unwrap_or(0), mark)
                        })
                        .collect();
                    PrimaryPost {
                        label: text(lang, &format!("committee.position.{}", p["post"].as_str().unwrap_or(""))),
                        places: p["places"].as_u64().unwrap_or(0),
                        void_marks: p["void_marks"].as_u64().unwrap_or(0),
                        lines,
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Response, HtmlError> {
    let notice = flow::done_notice(lang, "done.", q.done.as_deref());
    Ok(render(&state, lang, &s, id, notice, None, flow::Echo::default()).await?.into_response())
}

/// The election page; `plan` and `echo` carry what was typed into a refused form.
async fn render(
    state: &AppState,
    lang: Lang,
    s: &StaffSession,
    id: i64,
    notice: Option<String>,
    plan: Option<PlanView>,
    echo: flow::Echo,
) -> Result<ElectionPage, HtmlError> {
    let Overview {
        e,
        community,
        voters,
        objections,
        proxies,
        members,
        decisions,
        nominations,
        primary,
        residents,
        allowed,
        sections,
        ..
    } = crate::service::overview::overview(&state.store, &s.staff, id).await.html(lang)?;
    let primary_rounds = primary_rounds(lang, &primary, &nominations);
    Ok(ElectionPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        notice,
        echo,
        stage_label: text(lang, &format!("stage.{}", e.stage)),
        deadlines: checklist(lang, &e),
        plan: plan.unwrap_or_else(|| PlanView::of(&e)),
        method_label: text(lang, &format!("method.{}", e.method.as_str())),
        profile_name: format!("{} {}", e.plan.profile.name, e.plan.profile.version),
        e,
        community,
        voters,
        objections,
        proxies,
        members,
        decisions,
        nominations,
        primary_rounds,
        allowed,
        sections,
        residents,
    })
}

pub async fn update_plan(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<PlanForm>,
) -> Result<Response, HtmlError> {
    let saved = async {
        let input = f.form.input().html(f.lang)?;
        let version = num(&f.form.version, "version").html(f.lang)?;
        svc::update_plan(&state.store, &f.session.staff, id, version, &input).await.html(f.lang)
    }
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/staff/elections/{id}?done=plan")).into_response()),
        Err(e) => again(&state, &f, id, "plan", Some(PlanView::typed(&f.form)), e).await,
    }
}

/// The election page again after a refused form `at`, with the reason by the form and what
/// was typed still in it; errors that are not about the input go to the error page.
async fn again<T>(
    state: &AppState,
    f: &StaffForm<T>,
    id: i64,
    at: &str,
    plan: Option<PlanView>,
    e: HtmlError,
) -> Result<Response, HtmlError> {
    let Some(echo) = flow::Echo::of(f, at, &e) else { return Err(e) };
    let page = render(state, f.lang, &f.session, id, None, plan, echo).await?;
    Ok((flow::Echo::status(&e), page).into_response())
}

#[derive(Deserialize)]
pub struct ActionForm {
    action: String,
    #[serde(default)]
    resident_id: String,
    #[serde(default)]
    principal_id: String,
    #[serde(default)]
    proxy_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    proxy_request: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    nominators: String,
    #[serde(default)]
    route: String,
    #[serde(default)]
    nomination: String,
    #[serde(default)]
    present: String,
    #[serde(default)]
    yes: String,
}

/// The steps of the election page that cannot be undone: they ask first (issue 13 item 7).
/// Publishing the voter list starts the objection window and freezes the plan (LAW.md §3, §4);
/// publishing the candidate list fixes the ballot (LAW.md §5).
const CONFIRM_FIRST: [&str; 2] = ["publish", "publish_candidates"];

/// The forms of the election page with typed input, kept when refused.
const TYPED: [&str; 4] = ["nominate", "member_add", "decision", "proxy_add"];

/// The lifecycle buttons: one form, one action each.
pub async fn action(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<ActionForm>,
) -> Result<Response, HtmlError> {
    let what = f.form.action.as_str();
    if CONFIRM_FIRST.contains(&what) && !flow::confirmed(&f) {
        let back = format!("/staff/elections/{id}");
        return Ok(flow::ask(&f, what, format!("/staff/elections/{id}/action"), back));
    }
    let (st_, staff, lang) = (&state.store, &f.session.staff, f.lang);
    let done: Result<(), HtmlError> = async {
        match f.form.action.as_str() {
            "start_registration" => svc::start_registration(st_, &state.log, staff, id).await.html(lang)?,
            "register" => {
                voters::register(st_, staff, id).await.html(lang)?;
            }
            "apply" | "approve" | "reject" => {
                let rid = num(&f.form.resident_id, "resident_id").html(lang)?;
                if f.form.action == "apply" {
                    voters::apply(st_, staff, id, rid).await.html(lang)?;
                } else {
                    voters::decide_application(st_, staff, id, rid, f.form.action == "approve").await.html(lang)?;
                }
            }
            "publish" => {
                voters::publish_list(st_, &state.log, staff, id).await.html(lang)?;
            }
            "proxy_add" => {
                let (a, b) = (
                    num(&f.form.principal_id, "principal_id").html(lang)?,
                    num(&f.form.proxy_id, "proxy_id").html(lang)?,
                );
                crate::service::proxies::apply(st_, staff, id, a, b, &f.form.reason).await.html(lang)?;
            }
            "member_add" => {
                let rid = num(&f.form.resident_id, "resident_id").html(lang)?;
                crate::service::committee::add_member(st_, staff, id, rid, &f.form.position, &f.form.username)
                    .await
                    .html(lang)?;
            }
            "decision" => {
                let (p, y) = (num(&f.form.present, "present").html(lang)?, num(&f.form.yes, "yes").html(lang)?);
                crate::service::committee::record_decision(st_, staff, id, &f.form.subject, p, y).await.html(lang)?;
            }
            "open_nominations" => crate::service::nominations::open(st_, &state.log, staff, id).await.html(lang)?,
            "nominate" => {
                let nominee = num(&f.form.resident_id, "resident_id").html(lang)?;
                let nominators: Vec<i64> = f
                    .form
                    .nominators
                    .split(|c: char| !c.is_ascii_digit())
                    .filter(|x| !x.is_empty())
                    .filter_map(|x| x.parse().ok())
                    .collect();
                crate::service::nominations::nominate(
                    st_,
                    staff,
                    id,
                    &f.form.position,
                    nominee,
                    &f.form.route,
                    &nominators,
                )
                .await
                .html(lang)?;
            }
            "consent" | "qualify" | "disqualify" | "withdraw" => {
                let nid = num(&f.form.nomination, "nomination").html(lang)?;
                match f.form.action.as_str() {
                    "consent" => crate::service::nominations::consent(st_, staff, nid).await.html(lang)?,
                    "withdraw" => {
                        crate::service::nominations::withdraw(st_, &state.log, staff, nid, true).await.html(lang)?;
                    }
                    a => crate::service::nominations::review(st_, staff, nid, a == "qualify", &f.form.reason)
                        .await
                        .html(lang)?,
                }
            }
            "publish_candidates" => {
                crate::service::nominations::publish(st_, &state.log, staff, id).await.html(lang)?;
            }
            "proxy_approve" | "proxy_reject" => {
                let pr = num(&f.form.proxy_request, "proxy_request").html(lang)?;
                crate::service::proxies::decide(st_, staff, pr, f.form.action == "proxy_approve").await.html(lang)?;
            }
            _ => return Err(ServiceError::Invalid { key: "err.request", field: None }).html(lang),
        }
        Ok(())
    }
    .await;
    if let Err(e) = done {
        // The forms with typed input keep it; the buttons show the reason at the top.
        let at = if TYPED.contains(&what) { what } else { "top" };
        return again(&state, &f, id, at, None, e).await;
    }
    Ok(Redirect::to(&format!("/staff/elections/{id}?done={}", f.form.action)).into_response())
}

#[derive(Deserialize)]
pub struct DecideForm {
    upheld: String,
    decision: String,
}

pub async fn decide_objection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<DecideForm>,
) -> Result<Response, HtmlError> {
    let (o, _) = svc::objection(&state.store, &f.session.staff, id).await.html(f.lang)?;
    let decided = voters::decide_objection(
        &state.store,
        &state.log,
        &f.session.staff,
        id,
        f.form.upheld == "yes",
        &f.form.decision,
    )
    .await
    .html(f.lang);
    match decided {
        Ok(_) => {
            Ok(Redirect::to(&format!("/staff/elections/{}?done=objection_decided", o.election_id)).into_response())
        }
        Err(e) => again(&state, &f, o.election_id, &format!("objection-{id}"), None, e).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/voters_print.html")]
struct VotersPrint {
    t: Tr,
    e: Election,
    community: String,
    roll: Vec<VoterRow>,
    sha256: String,
    checkpoint_qr: String,
    checkpoint: String,
    public: bool,
    profile_name: String,
}

async fn print_view(state: &AppState, lang: Lang, e: Election, public: bool) -> Result<VotersPrint, HtmlError> {
    let mut roll = voters::roll_of(&state.store, &e).await.html(lang)?;
    let sha256 = fingerprint(&roll);
    if public {
        for v in &mut roll {
            v.name = mask_name(&v.name);
            v.id_number.clear();
            v.household_number = None;
        }
    }
    let cp = crate::service::audit::signed_head(&state.store, &state.log, &crate::audit::election_log(e.id))
        .await
        .html(lang)?;
    let body = cp.as_ref().and_then(|c| c.note.split("\n\n").next().map(|b| format!("{b}\n"))).unwrap_or_default();
    let community = svc::community_name(&state.store, e.community_id).await.html(lang)?;
    let profile_name = format!("{} {}", e.plan.profile.name, e.plan.profile.version);
    Ok(VotersPrint {
        profile_name,
        t: Tr(lang),
        checkpoint_qr: crate::report::qr::svg(&body, 140).unwrap_or_default(),
        checkpoint: body,
        community,
        e,
        roll,
        sha256,
        public,
    })
}

/// The full list for the notice board (staff only).
pub async fn voters_print(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<impl IntoResponse, HtmlError> {
    let e = svc::get(&state.store, &s.staff, id, Permission::RunElection).await.html(lang)?;
    print_view(&state, lang, e, false).await
}

/// The public page of a published election: names masked, fingerprint, checkpoint, decisions.
pub async fn public_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
) -> Result<Response, HtmlError> {
    let svc::PublicView { e, objections, candidates, .. } = svc::public_view(&state.store, id).await.html(lang)?;
    let candidates: Vec<(String, String)> = candidates
        .into_iter()
        .map(|n| (text(lang, &format!("committee.position.{}", n.post.as_str())).to_string(), n.nominee_name))
        .collect();
    let view = print_view(&state, lang, e, true).await?;
    Ok(PublicPage { view, objections, candidates }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "public_election.html")]
struct PublicPage {
    view: VotersPrint,
    objections: Vec<ObjectionRow>,
    candidates: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct PublicObjection {
    filed_by: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    kind: String,
    reason: String,
}

/// Anyone files an objection from the public page (no account; the origin check guards it).
pub async fn public_objection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    peer: crate::web::auth::PeerAddr,
    headers: axum::http::HeaderMap,
    axum::Form(f): axum::Form<PublicObjection>,
) -> Result<Redirect, HtmlError> {
    let address = crate::web::staff::account::client_ip(peer.0, &headers, &state.config.trusted_proxies);
    let concerning = (!f.id_number.trim().is_empty()).then_some((f.name.as_str(), f.id_number.as_str()));
    voters::file_public_objection(&state.store, id, &address, &f.filed_by, concerning, &f.kind, &f.reason)
        .await
        .map_err(crate::web::error::for_residents)
        .html(lang)?;
    Ok(Redirect::to(&format!("/public/elections/{id}?filed=1")))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/cards.html")]
struct CardsPage {
    t: Tr,
    e: Election,
    community: String,
    station: String,
    /// The vote page's public address, printed for those who type it in.
    address: String,
    cards: Vec<(Card, String)>,
}

#[derive(Deserialize)]
pub struct CardsForm {
    #[serde(default)]
    resident_id: String,
}

/// Issues codes and shows the printable cards at once: this page is the only place a code
/// ever appears. Reloading does not show them again.
pub async fn cards(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<CardsForm>,
) -> Result<Response, HtmlError> {
    let only = match f.form.resident_id.trim() {
        "" => None,
        s => Some(num(s, "resident_id").html(f.lang)?),
    };
    // Everything fallible is read before the codes are issued (issue 12): once issued, the old
    // codes are void, so nothing may fail between the commit and the page that shows them.
    let e = svc::get(&state.store, &f.session.staff, id, Permission::RunElection).await.html(f.lang)?;
    let community = svc::community_name(&state.store, e.community_id).await.html(f.lang)?;
    let base = state.config.public_base();
    let cards =
        voters::issue_cards(&state.store, &state.log.name, &state.secrets.voting_code_key, &f.session.staff, id, only)
            .await
            .html(f.lang)?;
    let cards = cards
        .into_iter()
        .map(|c| {
            let qr = crate::report::qr::svg(&voters::card_link(&base, &c.code), 96).unwrap_or_default();
            (c, qr)
        })
        .collect();
    let station = card_station(&e);
    let address = voters::vote_address(&base);
    let page = CardsPage { t: Tr(f.lang), e, community, station, address, cards };
    Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
}

pub struct DashRow {
    pub id: i64,
    pub community: String,
    pub stage: &'static str,
    pub election_day: String,
    pub next: String,
    pub next_date: String,
    pub late: bool,
    pub voters: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/elections.html")]
struct Dashboard {
    t: Tr,
    user: Option<String>,
    csrf: String,
    rows: Vec<DashRow>,
    chart: String,
}

async fn dashboard_rows(state: &AppState, lang: Lang, s: &StaffSession) -> Result<Vec<DashRow>, HtmlError> {
    let mut rows = Vec::new();
    for (e, community, voters) in svc::readable(&state.store, &s.staff).await.html(lang)? {
        let list = checklist(lang, &e);
        let next = list.iter().find(|d| d.state != "done");
        rows.push(DashRow {
            id: e.id,
            community,
            stage: text(lang, &format!("stage.{}", e.stage)),
            election_day: e.plan.day.to_string(),
            next: next.map(|d| d.name.clone()).unwrap_or_default(),
            next_date: next.map(|d| d.date.clone()).unwrap_or_default(),
            late: list.iter().any(|d| d.state == "late"),
            voters,
        });
    }
    // Late ones first, then by the next deadline.
    rows.sort_by(|a, b| b.late.cmp(&a.late).then(a.next_date.cmp(&b.next_date)));
    Ok(rows)
}

/// A bar per stage: how many elections are there.
fn chart(lang: Lang, rows: &[DashRow]) -> String {
    let stages = Stage::ALL;
    let counts: Vec<usize> = stages
        .iter()
        .map(|s| rows.iter().filter(|r| r.stage == text(lang, &format!("stage.{}", s.as_str()))).count())
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    // Each stage's label on its own line above its bar, so a label may use the whole width:
    // 大字版 sets the chart's text larger in app.css (`html.large .chart text`, issue 13 item
    // 10) and a label must then still fit, in either language. Rows are tall enough for that.
    let height = 8 + stages.len() * 36;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 320 {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        askama_escape(text(lang, "dash.chart"))
    );
    for (i, (s, n)) in stages.iter().zip(&counts).enumerate() {
        let y = 4 + i * 36;
        let w = 260 * n / max;
        let label = askama_escape(text(lang, &format!("stage.{}", s.as_str())));
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"11\">{label}</text><rect x=\"0\" y=\"{}\" width=\"{w}\" height=\"12\" fill=\"#b3261e\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\">{n}</text>",
            y + 17,
            y + 21,
            w + 6,
            y + 32
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub async fn dashboard(
    State(state): State<AppState>,
    lang: Lang,
    s: StaffSession,
) -> Result<impl IntoResponse, HtmlError> {
    let rows = dashboard_rows(&state, lang, &s).await?;
    let chart = chart(lang, &rows);
    Ok(Dashboard { t: Tr(lang), user: Some(s.staff.display_name.clone()), csrf: s.csrf.clone(), rows, chart })
}

pub async fn dashboard_csv(State(state): State<AppState>, lang: Lang, s: StaffSession) -> Result<Response, HtmlError> {
    let rows = dashboard_rows(&state, lang, &s).await?;
    let mut sheet = CsvSheet::new(["id", "社区", "阶段", "选举日", "下一期限", "期限日期", "逾期", "选民数"]);
    for r in &rows {
        sheet.row([
            r.id.to_string(),
            r.community.clone(),
            r.stage.to_string(),
            r.election_day.clone(),
            r.next.clone(),
            r.next_date.clone(),
            if r.late { "是".into() } else { "否".into() },
            r.voters.to_string(),
        ]);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"elections.csv\""),
        ],
        sheet.into_bytes(),
    )
        .into_response())
}

// ---- PDF ----

fn pdf_response(r: crate::report::Rendered, filename: &str) -> Response {
    if !r.missing_glyphs.is_empty() {
        tracing::warn!(missing = ?r.missing_glyphs, "characters outside the embedded font were drawn as boxes");
    }
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        r.pdf,
    )
        .into_response()
}

/// The voter list notice (选民名单公告) as an A4 PDF with the CJK font embedded: the full list
/// for the notice board, or names masked for the public.
fn voter_list_notice(lang: Lang, v: &VotersPrint) -> crate::report::Notice {
    let mut rows = Vec::with_capacity(v.roll.len());
    for (i, r) in v.roll.iter().enumerate() {
        let mut row =
            vec![(i + 1).to_string(), r.name.clone(), r.group_number.map(|g| g.to_string()).unwrap_or_default()];
        if !v.public {
            row.push(r.household_number.clone().unwrap_or_default());
        }
        rows.push(row);
    }
    let mut headers = vec![
        text(lang, "notice.number").to_string(),
        text(lang, "field.name").into(),
        text(lang, "field.group_number").into(),
    ];
    if !v.public {
        headers.push(text(lang, "field.household_number").into());
    }
    crate::report::Notice {
        title: format!("{}{}{}", v.community, v.e.round, text(lang, "notice.voter_list")),
        subtitle: None,
        meta: vec![
            (text(lang, "plan.election_day").into(), v.e.plan.day.to_string()),
            (
                text(lang, "notice.published_on").into(),
                v.e.list_published_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
            (text(lang, "plan.profile").into(), v.profile_name.clone()),
            (text(lang, "notice.total").into(), v.roll.len().to_string()),
        ],
        paragraphs: vec![text(lang, "notice.voter_list_intro").into()],
        table: Some(crate::report::Table { headers, rows, col_widths: None }),
        footer: vec![format!("SHA-256: {}", v.sha256), text(lang, "notice.fingerprint_help").into()],
        qr: (!v.checkpoint.is_empty()).then(|| v.checkpoint.clone()),
        signature_block: Some((format!("{}{}", v.community, text(lang, "notice.committee")), today().to_string())),
    }
}

async fn render_notice_pdf(lang: Lang, notice: crate::report::Notice) -> Result<crate::report::Rendered, HtmlError> {
    tokio::task::spawn_blocking(move || crate::report::render_notice(&notice))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))
        .html(lang)?
        .map_err(|e| ServiceError::Internal(e.to_string()))
        .html(lang)
}

pub async fn voters_pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<Response, HtmlError> {
    let e = svc::get(&state.store, &s.staff, id, Permission::RunElection).await.html(lang)?;
    let v = print_view(&state, lang, e, false).await?;
    let r = render_notice_pdf(lang, voter_list_notice(lang, &v)).await?;
    Ok(pdf_response(r, &format!("voter-list-{id}.pdf")))
}

pub async fn public_pdf(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang) -> Result<Response, HtmlError> {
    let e = svc::public_view(&state.store, id).await.html(lang)?.e;
    let v = print_view(&state, lang, e, true).await?;
    let r = render_notice_pdf(lang, voter_list_notice(lang, &v)).await?;
    Ok(pdf_response(r, &format!("voter-list-public-{id}.pdf")))
}

/// Issues codes and returns the cards as a PDF (8 per A4 page) at once.
pub async fn cards_pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<CardsForm>,
) -> Result<Response, HtmlError> {
    let lang = f.lang;
    let only = match f.form.resident_id.trim() {
        "" => None,
        s => Some(num(s, "resident_id").html(lang)?),
    };
    let e = svc::get(&state.store, &f.session.staff, id, Permission::RunElection).await.html(lang)?;
    let community = svc::community_name(&state.store, e.community_id).await.html(lang)?;
    // The masked roll is read first, and the cards are rendered before the codes commit: if
    // rendering fails, no code is issued and the old ones stay valid (issue 12).
    let masked: std::collections::HashMap<i64, String> = voters::roll_of(&state.store, &e)
        .await
        .html(lang)?
        .into_iter()
        .map(|v| (v.resident_id, crate::service::registry::mask(&v.id_number)))
        .collect();
    let labels = (
        text(lang, "card.title"),
        text(lang, "field.group_number"),
        text(lang, "plan.election_day"),
        text(lang, "card.station"),
    );
    let (round, day, station) = (e.round.clone(), e.plan.day.to_string(), card_station(&e));
    let base = state.config.public_base();
    let render = move |cards: Vec<voters::Card>| {
        let (title, group_label, day_label, station_label) = labels;
        let list: Vec<crate::report::Card> = cards
            .into_iter()
            .map(|c| crate::report::Card {
                title: title.into(),
                heading: format!("{community} {round}"),
                id_masked: masked.get(&c.resident_id).cloned().unwrap_or_default(),
                community: community.clone(),
                extra: vec![
                    (group_label.into(), c.group_number.map(|g| g.to_string()).unwrap_or_default()),
                    (day_label.into(), day.clone()),
                    (station_label.into(), station.clone()),
                ],
                qr: voters::card_link(&base, &c.code),
                address: voters::vote_address(&base),
                checkin_no: c.checkin_no.to_string(),
                voting_code: c.code,
                name: c.name,
            })
            .collect();
        crate::report::render_cards(&list).map_err(|e| ServiceError::Internal(e.to_string()))
    };
    let r = voters::issue_cards_with(
        &state.store,
        &state.log.name,
        &state.secrets.voting_code_key,
        &f.session.staff,
        id,
        only,
        render,
    )
    .await
    .html(lang)?;
    Ok(pdf_response(r, &format!("voter-cards-{id}.pdf")))
}
