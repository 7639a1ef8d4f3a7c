//! The polling-station pages (issue 6): open and close the polls, live turnout, check-in by
//! The polling-station pages (issue 6): open and close the polls, live turnout, check-in by
//! part of the name, the last digits of the ID number or the card's check-in number (issue
//! 13), booths, candidate statements (paper ballot entry is in `paper`). Short handlers over
//! `service::polling`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::Station;
use crate::domain::records::Booth;
use crate::i18n::{Lang, Tr, text};
use crate::secrets::same_token;
use crate::service::ServiceError;
use crate::service::elections::{self as esvc};
use crate::service::overview::{self, Action, PollingDesk, PrimaryState};
use crate::service::polling::{self as svc, CheckIn, Turnout, VoterAtDesk};
use crate::service::primary;
use crate::service::voting;
use crate::web::AppState;
use crate::web::auth::{StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt};

#[derive(Template, WebTemplate)]
#[template(path = "staff/polling.html")]
struct PollingPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    e: crate::domain::Election,
    community: String,
    stage_label: &'static str,
    notice: Option<String>,
    turnout: Option<Turnout>,
    q: String,
    found: Vec<VoterAtDesk>,
    /// More voters matched than are shown: type more of the name.
    more_found: bool,
    stations: Vec<Station>,
    booths: Vec<Booth>,
    mobile_on: bool,
    /// (nomination id, post label, name, statement)
    candidates: Vec<(i64, &'static str, String, String)>,
    /// The nomination primary (预选) during nominations, and its round as people count it.
    primary: PrimaryState,
    primary_ordinal: i64,
    /// What the read model lets the caller do now (`service::overview::polling_actions`).
    allowed: Vec<Action>,
}

impl PollingPage {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

/// A station as the clerk reads it: a ballot cast on the voter's own phone was cast at no
/// station, and says so in words (the stored `remote` is a marker, never shown; issue 13).
pub fn station_label(lang: Lang, station: &str) -> String {
    if station == svc::REMOTE_STATION { text(lang, "polling.no_station").to_string() } else { station.to_string() }
}

#[derive(Deserialize, Default)]
pub struct PollingQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<PollingQuery>,
) -> Result<Response, HtmlError> {
    let PollingDesk {
        e,
        community,
        mut turnout,
        mut found,
        more_found,
        stations,
        booths,
        mobile_on,
        candidates,
        primary,
        primary_ordinal,
        allowed,
    } = overview::polling_desk(&state.store, &s.staff, id, &q.q).await.html(lang)?;
    for row in turnout.iter_mut().flat_map(|t| t.issued.iter_mut()) {
        row.0 = station_label(lang, &row.0);
    }
    for p in found.iter_mut().filter_map(|v| v.voted.as_mut()) {
        p.station = station_label(lang, &p.station);
    }
    let candidates = candidates
        .into_iter()
        .map(|(id, post, name, stmt)| (id, text(lang, &format!("post.{post}")), name, stmt))
        .collect();
    let page = PollingPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        stage_label: text(lang, &format!("stage.{}", e.stage)),
        notice: super::flow::done_notice(lang, "polling.done.", q.done.as_deref()),
        e,
        community,
        turnout,
        q: q.q,
        found,
        more_found,
        stations,
        booths,
        mobile_on,
        candidates,
        primary,
        primary_ordinal,
        allowed,
    };
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct CsrfOnly {}

/// Opening and closing the polls and the primary, and counting the primary, cannot be undone:
/// each asks first (issue 13 item 7). Opening fixes the ballot paper of the round and closing
/// seals the box (LAW.md §6); the primary's count decides the candidate list (LAW.md §5 [P]).
async fn step(
    state: &AppState,
    id: i64,
    f: &StaffForm<CsrfOnly>,
    what: &str,
    path: &str,
) -> Result<Option<Response>, HtmlError> {
    if !super::flow::confirmed(f) {
        let back = format!("/staff/elections/{id}/polling");
        return Ok(Some(super::flow::ask(f, what, format!("/staff/elections/{id}/{path}"), back)));
    }
    let (store, log, staff) = (&state.store, &state.log, &f.session.staff);
    match what {
        "polls_open" => svc::open_polls(store, log, staff, id).await.map(|_| ()),
        "polls_close" => svc::close_polls(store, log, staff, id).await.map(|_| ()),
        "primary_open" => primary::open(store, log, staff, id).await.map(|_| ()),
        "primary_close" => primary::close(store, log, staff, id).await.map(|_| ()),
        _ => primary::count(store, log, staff, id).await.map(|_| ()),
    }
    .html(f.lang)?;
    Ok(None)
}

pub async fn open(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    Ok(match step(&state, id, &f, "polls_open", "polling/open").await? {
        Some(ask) => ask,
        None => Redirect::to(&format!("/staff/elections/{id}/polling?done=opened")).into_response(),
    })
}

pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    Ok(match step(&state, id, &f, "polls_close", "polling/close").await? {
        Some(ask) => ask,
        None => Redirect::to(&format!("/staff/elections/{id}/polling?done=closed")).into_response(),
    })
}

pub async fn primary_open(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    Ok(match step(&state, id, &f, "primary_open", "primary/open").await? {
        Some(ask) => ask,
        None => Redirect::to(&format!("/staff/elections/{id}/polling?done=primary_opened")).into_response(),
    })
}

pub async fn primary_close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    Ok(match step(&state, id, &f, "primary_close", "primary/close").await? {
        Some(ask) => ask,
        None => Redirect::to(&format!("/staff/elections/{id}/polling?done=primary_closed")).into_response(),
    })
}

pub async fn primary_count(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<CsrfOnly>,
) -> Result<Response, HtmlError> {
    Ok(match step(&state, id, &f, "primary_count", "primary/count").await? {
        Some(ask) => ask,
        None => Redirect::to(&format!("/staff/elections/{id}?done=primary_counted#primary")).into_response(),
    })
}

#[derive(Deserialize)]
pub struct CheckInForm {
    resident_id: i64,
    /// `channel|station|booth id`
    how: String,
    #[serde(default)]
    proxy_id: String,
    /// LAW.md §6 [P]: the resident number of who writes the ballot for the voter (代写), if any.
    #[serde(default)]
    assisted_by: String,
}

pub async fn check_in(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<CheckInForm>,
) -> Result<Redirect, HtmlError> {
    let mut parts = f.form.how.splitn(3, '|');
    let channel = parts.next().unwrap_or("").to_string();
    let station = parts.next().unwrap_or("").to_string();
    let booth_id = parts.next().and_then(|b| b.parse().ok());
    let proxy_id: Option<i64> = f.form.proxy_id.trim().parse().ok();
    let c = CheckIn {
        resident_id: f.form.resident_id,
        channel: if proxy_id.is_some() { "proxy".into() } else { channel },
        station,
        booth_id,
        proxy_id,
        assisted_by: f.form.assisted_by.trim().parse().ok(),
    };
    svc::check_in(&state.store, &f.session.staff, id, &c).await.html(f.lang)?;
    Ok(Redirect::to(&format!("/staff/elections/{id}/polling?done=issued")))
}

/// A statement with an optional photo (multipart; the CSRF field comes first).
pub async fn statement(
    State(state): State<AppState>,
    Path(nid): Path<i64>,
    lang: Lang,
    s: StaffSession,
    mut mp: Multipart,
) -> Result<Redirect, HtmlError> {
    let bad = || HtmlError { lang, err: ServiceError::Invalid { key: "err.request", field: None } };
    let (mut csrf, mut text_in, mut photo) = (String::new(), String::new(), None::<(Vec<u8>, String)>);
    while let Some(field) = mp.next_field().await.map_err(|_| bad())? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.map_err(|_| bad())?,
            "statement" => text_in = field.text().await.map_err(|_| bad())?,
            "photo" => {
                let ty = field.content_type().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|_| bad())?;
                if !bytes.is_empty() {
                    photo = Some((bytes.to_vec(), ty));
                }
            }
            _ => {}
        }
    }
    if !same_token(&csrf, &s.csrf) {
        return Err(HtmlError { lang, err: ServiceError::Forbidden });
    }
    let p = photo.as_ref().map(|(b, t)| (b.as_slice(), t.as_str()));
    svc::set_statement(&state.store, &s.staff, nid, &text_in, p).await.html(lang)?;
    let election_id = voting::nomination_election(&state.store, nid).await.html(lang)?;
    Ok(Redirect::to(&format!("/staff/elections/{election_id}/polling?done=statement")))
}

pub fn statement_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024)
}

/// The paper ballot (选票) as a printable A4 PDF: per post the candidates in list order with a
/// mark column, the write-in lines (另选他人), the instructions the profile implies, and no
/// serial number or anything else that could identify a ballot (LAW.md §6 secret ballot).
pub async fn ballot_pdf(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<Response, HtmlError> {
    let (e, paper) = svc::printable_paper(&state.store, &s.staff, id).await.html(lang)?;
    let community = esvc::community_name(&state.store, e.community_id).await.html(lang)?;
    let profile = &e.plan.profile;
    let overvote = match profile.voting.overvote_voids {
        crate::law::profile::OvervoteVoids::Ballot => text(lang, "ballot.overvote_ballot"),
        crate::law::profile::OvervoteVoids::Post => text(lang, "ballot.overvote_post"),
    };
    let mut rows = Vec::new();
    for sheet in paper.posts.iter().filter(|p| p.seats > 0) {
        let label = format!(
            "{}（{} {}）",
            text(lang, &format!("post.{}", sheet.post.as_str())),
            text(lang, "ballot.seats"),
            sheet.seats
        );
        for (i, c) in sheet.candidates.iter().enumerate() {
            rows.push(vec![if i == 0 { label.clone() } else { String::new() }, c.name.clone(), String::new()]);
        }
        for _ in 0..sheet.seats {
            rows.push(vec![String::new(), format!("{}：", text(lang, "vote.write_in")), String::new()]);
        }
    }
    let round = if paper.kind == "first" {
        String::new()
    } else {
        format!(" · {}", text(lang, &format!("round.{}", paper.kind)))
    };
    let notice = crate::report::Notice {
        title: format!("{community} {}{}{round}", e.round, text(lang, "ballot.title")),
        subtitle: Some(format!("{}：{}", text(lang, "plan.election_day"), e.plan.day)),
        meta: Vec::new(),
        paragraphs: vec![
            text(lang, "ballot.how").to_string(),
            overvote.to_string(),
            text(lang, "ballot.abstain").to_string(),
        ],
        table: Some(crate::report::Table {
            headers: vec![
                text(lang, "ballot.post").into(),
                text(lang, "ballot.candidates").into(),
                text(lang, "ballot.mark").into(),
            ],
            rows,
            col_widths: Some(vec![3.0, 5.0, 2.0]),
        }),
        footer: vec![text(lang, "ballot.secret").to_string()],
        qr: None,
        signature_block: Some((format!("{community}{}", text(lang, "ballot.committee")), e.plan.day.to_string())),
    };
    let r = tokio::task::spawn_blocking(move || crate::report::render_notice(&notice))
        .await
        .map_err(|e| HtmlError { lang, err: ServiceError::Internal(e.to_string()) })?
        .map_err(|e| HtmlError { lang, err: ServiceError::Internal(e.to_string()) })?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("inline; filename=\"ballot-{id}.pdf\"")),
        ],
        r.pdf,
    )
        .into_response())
}
