//! Counting and results pages (issue 7): the committee's count page (count, next round,
//! certify, handover), the public count for the projector (公开唱票、计票), the results notice
//! (选举结果公告) as a page and a PDF, certificates (当选证书), the filing report (备案) and the
//! election archive (选举档案).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::flow::Echo;
use crate::domain::Election;
use crate::i18n::{Lang, Tr, text};
use crate::service::counting::{self as svc, CountView, Results};
use crate::service::elections::{self as esvc};
use crate::service::results::{self as rsvc, Action, TermView};
use crate::service::{Permission, ServiceError};
use crate::web::AppState;
use crate::web::auth::{StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt};

async fn community_name(state: &AppState, e: &Election, lang: Lang) -> Result<String, HtmlError> {
    rsvc::community_name(&state.store, e.community_id).await.html(lang)
}

fn post_label(lang: Lang, post: &str) -> &'static str {
    text(lang, &format!("post.{post}"))
}

/// Votes of a member in the round that elected them.
fn votes_of(r: &Results, id: &str, round: i64, post: &str) -> u64 {
    r.rounds
        .iter()
        .find(|c| c.round_no == round)
        .and_then(|c| c.result["posts"].as_array().cloned())
        .into_iter()
        .flatten()
        .filter(|p| p["post"] == json!(post))
        .flat_map(|p| p["tally"].as_array().cloned().unwrap_or_default())
        .find(|t| t["id"] == json!(id))
        .and_then(|t| t["votes"].as_u64())
        .unwrap_or(0)
}

/// The figures of one round, as the page and the notice show them.
pub struct RoundFigures {
    pub round: i64,
    pub kind: String,
    pub electorate: u64,
    pub cast: u64,
    pub valid: u64,
    pub blank: u64,
    pub invalid: u64,
    pub ok: bool,
    pub reasons: String,
}

/// (post label, name, votes, round) of each elected member.
type Members = Vec<(&'static str, String, u64, i64)>;

#[derive(Template, WebTemplate)]
#[template(path = "staff/results.html")]
struct ResultsPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    e: Election,
    community: String,
    stage_label: &'static str,
    public: bool,
    r: Results,
    members: Members,
    figures: Vec<RoundFigures>,
    handover: Vec<(&'static str, &'static str, Option<String>)>,
    /// What the last step did (`?done=`), issue 13 item 7.
    notice: Option<String>,
    void_reasons: Vec<(&'static str, &'static str)>,
    /// The term: its vacancies, a recall's petition, and the steps the caller may take now.
    term: TermView,
    /// (member id, post label, name) of members still in office.
    in_office: Vec<(String, &'static str, String)>,
    /// A refused form shown again (issue 13 item 7): its reason and what was typed.
    echo: Echo,
}

async fn page_data(
    state: &AppState,
    lang: Lang,
    e: &Election,
) -> Result<(Results, Members, Vec<RoundFigures>), HtmlError> {
    let mut r = svc::results(&state.store, e.id).await.html(lang)?;
    r.checks = svc::composition_checks(&state.store, e, &r).await.html(lang)?;
    let members = r
        .elected
        .iter()
        .map(|m| (post_label(lang, &m.post), m.name.clone(), votes_of(&r, &m.id, m.round_no, &m.post), m.round_no))
        .collect();
    let figures = r
        .rounds
        .iter()
        .map(|c| {
            let x = &c.result;
            let n = |k: &str| x[k].as_u64().unwrap_or(0);
            let reasons = x["void_reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|r| text(lang, &format!("void.{r}")))
                .collect::<Vec<_>>()
                .join("、");
            let kind = text(lang, &format!("round.{}", x["round"].as_str().unwrap_or("first"))).to_string();
            RoundFigures {
                round: c.round_no,
                kind,
                electorate: n("electorate"),
                cast: n("ballots_cast"),
                valid: n("valid_ballots"),
                blank: n("blank_ballots"),
                invalid: n("invalid_ballots"),
                ok: x["valid"] == json!(true),
                reasons,
            }
        })
        .collect();
    Ok((r, members, figures))
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<DoneQuery>,
) -> Result<Response, HtmlError> {
    let notice = super::flow::done_notice(lang, "done.", q.done.as_deref());
    Ok(render_page(&state, lang, &s, id, notice, Echo::default()).await?.into_response())
}

/// The committee's results page; `echo` carries a refused form's reason and what was typed.
async fn render_page(
    state: &AppState,
    lang: Lang,
    s: &StaffSession,
    id: i64,
    notice: Option<String>,
    echo: Echo,
) -> Result<ResultsPage, HtmlError> {
    let e = esvc::get(&state.store, &s.staff, id, Permission::ReadRegistry).await.html(lang)?;
    let (r, members, figures) = page_data(state, lang, &e).await?;
    let term = rsvc::term_view(&state.store, &s.staff, &e, &r).await.html(lang)?;
    let handover = svc::HANDOVER_ITEMS
        .iter()
        .map(|i| {
            (*i, text(lang, &format!("handover.{i}")), term.handover.iter().find(|d| d.0 == *i).map(|d| d.1.clone()))
        })
        .collect();
    let in_office = term.in_office.iter().map(|m| (m.0.clone(), post_label(lang, &m.1), m.2.clone())).collect();
    Ok(ResultsPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        term,
        in_office,
        csrf: s.csrf.clone(),
        community: community_name(state, &e, lang).await?,
        stage_label: text(lang, &format!("stage.{}", e.stage)),
        public: false,
        void_reasons: svc::VOID_REASONS.iter().map(|r| (*r, text(lang, &format!("void.{r}")))).collect(),
        e,
        r,
        members,
        figures,
        handover,
        notice,
        echo,
    })
}

/// The results notice page, public once a round is counted.
pub async fn public_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
) -> Result<Response, HtmlError> {
    let e = rsvc::public_election(&state.store, id).await.html(lang)?;
    let (r, members, figures) = page_data(&state, lang, &e).await?;
    if r.rounds.is_empty() {
        return Err(HtmlError { lang, err: ServiceError::NotFound });
    }
    let page = ResultsPage {
        t: Tr(lang),
        user: None,
        csrf: String::new(),
        community: community_name(&state, &e, lang).await?,
        stage_label: text(lang, &format!("stage.{}", e.stage)),
        public: true,
        void_reasons: Vec::new(),
        e,
        r,
        members,
        figures,
        handover: Vec::new(),
        notice: None,
        term: TermView {
            handover: Vec::new(),
            vacancies: Vec::new(),
            recall: None,
            in_office: Vec::new(),
            allowed: Vec::new(),
        },
        in_office: Vec::new(),
        echo: Echo::default(),
    };
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct ActionForm {
    action: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    nomination_id: String,
    #[serde(default)]
    member_id: String,
    #[serde(default)]
    signers: String,
    #[serde(default)]
    election_day: String,
    #[serde(default)]
    cause: String,
}

/// The steps of the results page that cannot be undone: they ask first (issue 13 item 7).
/// The count announces the result on the spot (LAW.md §6, §7); a run-off opens a new round
/// (LAW.md §7); certifying ends the count; a void annuls an election or a person's election
/// (LAW.md §7 [N]).
const CONFIRM_FIRST: [&str; 5] = ["count", "next_round", "certify", "void_election", "void_person"];

pub async fn action(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<ActionForm>,
) -> Result<Response, HtmlError> {
    let what = f.form.action.as_str();
    if CONFIRM_FIRST.contains(&what) && !super::flow::confirmed(&f) {
        let (action, back) =
            (format!("/staff/elections/{id}/results/action"), format!("/staff/elections/{id}/results"));
        return Ok(super::flow::ask(&f, what, action, back));
    }
    let staff = &f.session.staff;
    let (store, log) = (&state.store, &state.log);
    let done = match f.form.action.as_str() {
        "count" => svc::count_round(store, log, staff, id).await.map(|_| ()),
        "next_round" => svc::next_round(store, log, staff, id).await.map(|_| ()),
        "certify" => svc::certify(store, log, staff, id).await.map(|_| ()),
        "handover" => svc::handover_item(store, log, staff, id, &f.form.item, &f.form.note).await.map(|_| ()),
        "void_election" => {
            svc::void(store, log, staff, id, "election", None, std::slice::from_ref(&f.form.reason)).await.map(|_| ())
        }
        "void_person" => {
            let nid = f.form.nomination_id.trim().trim_start_matches('n').parse().ok();
            svc::void(store, log, staff, id, "person", nid, std::slice::from_ref(&f.form.reason)).await.map(|_| ())
        }
        "recall_verify" => crate::service::recall::verify_petition(store, log, staff, id).await.map(|_| ()),
        "recall_answer" => crate::service::recall::publish_answer(store, staff, id, &f.form.note).await,
        "member_left" => {
            crate::service::recall::member_left(store, staff, id, &f.form.member_id, &f.form.cause).await.map(|_| ())
        }
        "recall_open" | "byelection" => {
            let opened = if f.form.action == "recall_open" {
                let signers: Vec<i64> =
                    f.form.signers.split(|c: char| !c.is_ascii_digit()).filter_map(|x| x.parse().ok()).collect();
                let input = crate::service::recall::RecallInput {
                    member_id: f.form.member_id.clone(),
                    reasons: f.form.reason.clone(),
                    signers,
                    election_day: f.form.election_day.clone(),
                };
                crate::service::recall::open_recall(store, staff, id, &input).await
            } else {
                let input = crate::service::recall::ByElectionInput { election_day: f.form.election_day.clone() };
                crate::service::recall::open_by_election(store, staff, id, &input).await
            };
            return match opened.html(f.lang) {
                Ok(new_id) => {
                    Ok(Redirect::to(&format!("/staff/elections/{new_id}/results?done={}", f.form.action))
                        .into_response())
                }
                Err(e) => again(&state, &f, id, e).await,
            };
        }
        _ => Err(ServiceError::Invalid { key: "err.request", field: Some("action".into()) }),
    };
    if let Err(e) = done.html(f.lang) {
        return again(&state, &f, id, e).await;
    }
    let to = if f.form.action == "next_round" { "polling" } else { "results" };
    Ok(Redirect::to(&format!("/staff/elections/{id}/{to}?done={}", f.form.action)).into_response())
}

/// The form of the results page that step `action` posts from, when it has one with fields
/// to keep: a refusal shows the page again with the reason by that form (issue 13 item 7).
fn form_of(action: &str) -> Option<&'static str> {
    Some(match action {
        "void_election" | "void_person" => "void",
        "handover" => "handover",
        "recall_answer" => "answer",
        "recall_open" => "recall",
        "member_left" => "member_left",
        "byelection" => "byelection",
        _ => return None,
    })
}

/// The results page again after a refused form, with what was typed still in it; errors
/// that are not about the input (and the steps that have no fields) go to the error page.
async fn again(state: &AppState, f: &StaffForm<ActionForm>, id: i64, e: HtmlError) -> Result<Response, HtmlError> {
    let Some(at) = form_of(&f.form.action) else { return Err(e) };
    let Some(echo) = Echo::of(f, at, &e) else { return Err(e) };
    let page = render_page(state, f.lang, &f.session, id, None, echo).await?;
    Ok((Echo::status(&e), page).into_response())
}

fn results_notice(
    lang: Lang,
    community: &str,
    e: &Election,
    r: &Results,
    members: &Members,
    checkpoint: Option<String>,
) -> Result<crate::report::Notice, HtmlError> {
    let profile = e.plan.profile.clone();
    let mut meta = Vec::new();
    for c in &r.rounds {
        let x = &c.result;
        let n = |k: &str| x[k].as_u64().unwrap_or(0);
        meta.push((
            format!("{} {}", text(lang, "results.round"), c.round_no),
            format!(
                "{} {} · {} {} · {} {} · {} {} · {} {}",
                text(lang, "results.electorate"),
                n("electorate"),
                text(lang, "results.cast"),
                n("ballots_cast"),
                text(lang, "results.valid"),
                n("valid_ballots"),
                text(lang, "results.blank"),
                n("blank_ballots"),
                text(lang, "results.invalid"),
                n("invalid_ballots")
            ),
        ));
    }
    let void = !r.void_reasons.is_empty();
    let paragraphs = vec![if void {
        text(lang, "results.void_text").to_string()
    } else {
        text(lang, "results.text").replace("{community}", community).replace("{day}", &e.plan.day.to_string())
    }];
    Ok(crate::report::Notice {
        title: format!("{community} {}{}", e.round, text(lang, "results.title")),
        subtitle: Some(format!("{}：{}", text(lang, "plan.election_day"), e.plan.day)),
        meta,
        paragraphs,
        table: (!members.is_empty()).then(|| crate::report::Table {
            headers: vec![
                text(lang, "ballot.post").into(),
                text(lang, "field.name").into(),
                text(lang, "results.votes").into(),
                text(lang, "results.round").into(),
            ],
            rows: members
                .iter()
                .map(|m| vec![m.0.to_string(), m.1.clone(), m.2.to_string(), m.3.to_string()])
                .collect(),
            col_widths: Some(vec![3.0, 4.0, 2.0, 2.0]),
        }),
        footer: vec![
            format!("{}：{} {}", text(lang, "plan.profile"), profile.name, profile.version),
            text(lang, "results.verify").to_string(),
        ],
        qr: checkpoint,
        signature_block: Some((
            format!("{community}{}", text(lang, "ballot.committee")),
            crate::service::elections::today().to_string(),
        )),
    })
}

fn pdf(r: crate::report::Rendered, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
        ],
        r.pdf,
    )
        .into_response()
}

async fn render(lang: Lang, notices: Vec<crate::report::Notice>) -> Result<crate::report::Rendered, HtmlError> {
    tokio::task::spawn_blocking(move || crate::report::render_notices(&notices))
        .await
        .map_err(|e| HtmlError { lang, err: ServiceError::Internal(e.to_string()) })?
        .map_err(|e| HtmlError { lang, err: ServiceError::Internal(e.to_string()) })
}

/// 选举结果公告 as a PDF, with the figures of every round, the elected by post, the profile and
/// the election log's latest checkpoint as a QR code.
pub async fn results_pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
) -> Result<Response, HtmlError> {
    let e = rsvc::public_election(&state.store, id).await.html(lang)?;
    let (r, members, _) = page_data(&state, lang, &e).await?;
    if r.rounds.is_empty() {
        return Err(HtmlError { lang, err: ServiceError::NotFound });
    }
    let community = community_name(&state, &e, lang).await?;
    let cp = crate::service::audit::signed_head(&state.store, &state.log, &crate::audit::election_log(id))
        .await
        .html(lang)?;
    let qr = cp.map(|c| c.note.split("\n\n").next().unwrap_or("").to_string());
    let notice = results_notice(lang, &community, &e, &r, &members, qr)?;
    Ok(pdf(render(lang, vec![notice]).await?, &format!("results-{id}.pdf")))
}

/// 当选证书: one page per elected member, after certification.
pub async fn certificates_pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<Response, HtmlError> {
    let e = esvc::get(&state.store, &s.staff, id, Permission::RunElection).await.html(lang)?;
    if !matches!(e.stage, crate::domain::Stage::Certified | crate::domain::Stage::HandedOver) {
        return Err(HtmlError { lang, err: ServiceError::Refused("err.not_certified") });
    }
    let community = community_name(&state, &e, lang).await?;
    let r = svc::results(&state.store, id).await.html(lang)?;
    let street_name = rsvc::street_office_name(&state.store, e.community_id).await.html(lang)?;
    let notices = r
        .elected
        .iter()
        .map(|m| crate::report::Notice {
            title: text(lang, "cert.title").to_string(),
            subtitle: None,
            meta: Vec::new(),
            paragraphs: vec![
                text(lang, "cert.text")
                    .replace("{name}", &m.name)
                    .replace("{day}", &e.plan.day.to_string())
                    .replace("{community}", &community)
                    .replace("{post}", post_label(lang, &m.post)),
            ],
            table: None,
            footer: vec![text(lang, "cert.term").to_string()],
            qr: None,
            signature_block: Some((
                format!("{street_name} · {}", text(lang, "cert.bureau")),
                crate::service::elections::today().to_string(),
            )),
        })
        .collect();
    Ok(pdf(render(lang, notices).await?, &format!("certificates-{id}.pdf")))
}

/// The public count for the projector: ballot k as called, the running tally (no JavaScript:
/// "next ballot" is a link).
#[derive(Template, WebTemplate)]
#[template(path = "public_count.html")]
struct PublicCountPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    id: i64,
    community: String,
    v: CountView,
    current: Vec<(&'static str, String)>,
    tally: Vec<(&'static str, Vec<(String, u64)>)>,
}

#[derive(Deserialize, Default)]
pub struct CountQuery {
    #[serde(default)]
    k: usize,
    #[serde(default)]
    round: Option<i64>,
}

pub async fn public_count(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    Query(q): Query<CountQuery>,
) -> Result<Response, HtmlError> {
    let e = rsvc::public_election(&state.store, id).await.html(lang)?;
    let mut v = svc::public_count(&state.store, id, q.round, q.k).await.html(lang)?;
    // Browser ballots (booth and remote) are one electronic box on the screen, never a station
    // (issue 15 item 7); a paper ballot names its station's box.
    v.current_station = if v.current_station == svc::ELECTRONIC_BOX {
        text(lang, "count.electronic_box").to_string()
    } else {
        crate::web::staff::polling::station_label(lang, &v.current_station)
    };
    // Ballot k as called, with the count's own decision on it.
    let mut current = Vec::new();
    match (v.current_verdict, &v.current) {
        ("invalid", _) => current.push(("", text(lang, "count.invalid").to_string())),
        ("blank", _) => current.push(("", text(lang, "count.blank").to_string())),
        (_, Some(b)) => {
            for post in ["chair", "vice_chair", "member"] {
                let marks =
                    b[post].as_array().map_or(0, Vec::len) + b["write_ins"][post].as_array().map_or(0, Vec::len);
                if v.current_void_posts.iter().any(|p| p == post) {
                    current.push((post_label(lang, post), text(lang, "count.post_void").to_string()));
                } else if e.is_recall() && post == "member" {
                    let key = match b[post][0].as_str() {
                        Some("yes") => "count.recall_yes",
                        Some("no") => "count.recall_no",
                        _ => "count.blank",
                    };
                    current.push(("", text(lang, key).to_string()));
                } else if marks > 0 {
                    current.push((post_label(lang, post), marks.to_string()));
                }
            }
        }
        _ => {}
    }
    let tally = v
        .tally
        .iter()
        .map(|(p, line)| match p.as_str() {
            "recall" => (
                text(lang, "count.recall"),
                line.iter()
                    .map(|(k, n)| (text(lang, &format!("count.recall_{k}")).to_string(), *n))
                    .collect::<Vec<_>>(),
            ),
            _ => (post_label(lang, p), line.clone()),
        })
        .collect();
    let page = PublicCountPage {
        t: Tr(lang),
        user: None,
        csrf: String::new(),
        id,
        community: community_name(&state, &e, lang).await?,
        v,
        current,
        tally,
    };
    Ok(page.into_response())
}

/// The filing report (备案) for the street office: the results, the checks and the record's
/// fingerprints, printable.
pub async fn filing(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<Response, HtmlError> {
    let e = esvc::get(&state.store, &s.staff, id, Permission::ReadRegistry).await.html(lang)?;
    let (r, members, _) = page_data(&state, lang, &e).await?;
    let community = community_name(&state, &e, lang).await?;
    let mut notice = results_notice(lang, &community, &e, &r, &members, None)?;
    notice.title = format!("{community} {}{}", e.round, text(lang, "filing.title"));
    for c in &r.checks {
        notice.footer.push(format!(
            "{}（{}）：{}",
            text(lang, &format!("check.{}", c.code)),
            c.rule,
            if c.met { text(lang, "check.met") } else { text(lang, "check.not_met") }
        ));
    }
    for c in &r.rounds {
        notice.footer.push(format!("{} {} · Merkle root {}", text(lang, "results.round"), c.round_no, c.box_root));
    }
    notice.signature_block = Some((
        format!("{community}{}", text(lang, "ballot.committee")),
        crate::service::elections::today().to_string(),
    ));
    Ok(pdf(render(lang, vec![notice]).await?, &format!("filing-{id}.pdf")))
}

/// The election archive (选举档案): the whole record, the notices, the boxes and results, the
/// handover, as one JSON document.
pub async fn archive(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<Response, HtmlError> {
    let e = esvc::get(&state.store, &s.staff, id, Permission::ReadRegistry).await.html(lang)?;
    let log = crate::audit::election_log(id);
    let record = crate::service::record::build_record(&state.store, &state.log, &log).await.html(lang)?;
    let detail = crate::web::api::elections::detail(&e);
    let body = rsvc::archive(&state.store, &e, detail, record).await.html(lang)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"election-{id}-archive.json\"")),
        ],
        body.to_string(),
    )
        .into_response())
}
