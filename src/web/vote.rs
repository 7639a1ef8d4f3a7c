//! The voter's pages (remote, on their own phone) and the booth tablet's (issue 6). Both work
//! without JavaScript: fill the ballot, review it, cast, get a receipt. The same ballot
//! structure as the JSON API and the printed ballot.
//!
//! A signed-in voter holds `hj_voter`, a random token whose keyed hash is a row on the server
//! (`service::voter_sessions`): casting, signing out, a reissued card and the close end it on
//! every node. A booth tablet holds
//! `hj_booth`, the booth's token (the server keeps only its hash). Forms carry a CSRF token
//! derived from the cookie; SameSite=Strict and the origin check are the other two layers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::domain::ballot::{BallotPaper, Marks, WriteIns};
use crate::domain::records::Booth;
use crate::i18n::{Lang, Tr, text};
use crate::law::Post;
use crate::secrets::same_token;
use crate::service::ServiceError;
use crate::service::cast::Receipt;
use crate::service::polling as svc;
use crate::service::receipts::ReceiptCheck;
use crate::service::voter_sessions::{self, VoterSession};
use crate::service::voting;
use crate::web::AppState;
use crate::web::auth::{PeerAddr, StaffSession};
use crate::web::error::{HtmlError, ResultExt};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/vote", get(signin_page))
        .route("/vote/signin", post(signin))
        .route("/vote/signout", post(signout))
        .route("/vote/ballot", get(ballot_page))
        .route("/vote/review", post(review))
        .route("/vote/edit", post(edit))
        .route("/vote/cast", post(cast))
        .route("/vote/receipt", get(vote_receipt))
        .route("/booth", get(booth_page))
        .route("/booth/setup", post(booth_setup))
        .route("/booth/review", post(booth_review))
        .route("/booth/edit", post(booth_edit))
        .route("/booth/cast", post(booth_cast))
        .route("/booth/receipt", get(booth_receipt))
        .route("/receipt", get(receipt_page))
        .route("/public/nominations/{id}/photo", get(photo))
}

const VOTER_COOKIE: &str = "hj_voter";
/// On a booth tablet, between a cast and the next voter: a MAC over the booth token and the
/// receipt, so only the voter who just cast (not the next one, going back in the history) sees
/// that receipt again.
const BOOTH_RECEIPT_COOKIE: &str = "hj_booth_receipt";
use crate::web::auth::BOOTH_COOKIE;

fn mac(key: &[u8], label: &str, data: &str) -> String {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
    m.update(label.as_bytes());
    m.update(b"\0");
    m.update(data.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|s| {
        s.split(';').find_map(|kv| kv.trim().strip_prefix(name).and_then(|r| r.strip_prefix('=')).map(str::to_string))
    })
}

fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let sec = if secure { "; Secure" } else { "" };
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{sec}{age}")
}

/// The signed-in voter: (election, resident), and the CSRF token of their forms.
type Voter = VoterSession;

/// The voter behind the `hj_voter` cookie, if that session is alive on the server.
async fn voter_of(state: &AppState, headers: &HeaderMap) -> Option<Voter> {
    let token = cookie(headers, VOTER_COOKIE)?;
    match voter_sessions::resume(&state.store, &state.secrets.session_key, &token).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "voter session lookup failed");
            None
        }
    }
}

/// Extractor: a signed-in voter (issue 14 item 4). Without a live session: back to `/vote`.
pub struct SignedInVoter(pub Voter);

impl axum::extract::FromRequestParts<AppState> for SignedInVoter {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Self, Response> {
        match voter_of(state, &parts.headers).await {
            Some(v) => Ok(SignedInVoter(v)),
            None => Err(Redirect::to("/vote").into_response()),
        }
    }
}

/// Extractor: a signed-in voter's ballot form, its CSRF field checked against the session's
/// (issue 14 item 4). Without a live session: back to `/vote`; a wrong token: 403.
pub struct VoterAction {
    pub voter: Voter,
    pub lang: Lang,
    pub form: BallotForm,
}

impl axum::extract::FromRequest<AppState> for VoterAction {
    type Rejection = Response;
    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Response> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, state).await.unwrap_or_default();
        let SignedInVoter(voter) = SignedInVoter::from_request_parts(&mut parts, state).await?;
        let req = axum::extract::Request::from_parts(parts, body);
        let body = <axum::body::Bytes as axum::extract::FromRequest<AppState>>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = parse_form(&body);
        if !same_token(&form.csrf, &voter.csrf) {
            return Err(csrf_refused(lang));
        }
        Ok(VoterAction { voter, lang, form })
    }
}

fn booth_csrf(state: &AppState, token: &str) -> String {
    mac(&state.secrets.session_key, "booth-csrf", token)[..32].to_string()
}

/// Just the CSRF field of a form.
#[derive(Deserialize, Default)]
pub struct CsrfField {
    #[serde(default)]
    pub csrf: String,
}

// ---- page data ----

pub struct CandView {
    pub id: String,
    pub name: String,
    pub gender: &'static str,
    pub statement: String,
    pub photo: Option<String>,
    pub checked: bool,
}

pub struct PostView {
    pub post: &'static str,
    pub label: &'static str,
    /// "应选" (seats) on an election's ballot; places on the list on the primary's.
    pub seats_pre: &'static str,
    pub seats: u32,
    /// After "choose 0 to N": mentions the write-in line only where the ballot has one.
    pub choose_post: &'static str,
    pub candidates: Vec<CandView>,
    pub write_ins: Vec<String>,
}

pub fn post_label(lang: Lang, p: Post) -> &'static str {
    text(lang, &format!("post.{}", p.as_str()))
}

/// The ballot as fields to fill, with `marks` pre-filled (back from review).
pub async fn post_views(
    state: &AppState,
    lang: Lang,
    election_id: i64,
    paper: &BallotPaper,
    marks: &Marks,
) -> Vec<PostView> {
    let statements = voting::statements(&state.store, election_id).await.unwrap_or_else(|e| {
        tracing::warn!(election = election_id, error = %e, "candidate statements not read; the ballot shows none");
        Vec::new()
    });
    paper
        .posts
        .iter()
        .filter(|s| s.seats > 0)
        .map(|s| {
            let written = marks.written_in(s.post);
            let write_ins = if paper.write_ins {
                (0..s.seats as usize).map(|i| written.get(i).cloned().unwrap_or_default()).collect()
            } else {
                Vec::new()
            };
            PostView {
                post: s.post.as_str(),
                label: post_label(lang, s.post),
                seats_pre: text(lang, if paper.kind == "primary" { "primary.seats_pre" } else { "vote.seats_pre" }),
                seats: s.seats,
                choose_post: text(
                    lang,
                    if paper.write_ins { "vote.choose_up_to_post" } else { "vote.choose_up_to_post_plain" },
                ),
                candidates: s
                    .candidates
                    .iter()
                    .map(|c| {
                        let stmt =
                            statements.iter().find(|x| crate::domain::ballot::candidate_id(x.nomination_id) == c.id);
                        CandView {
                            id: c.id.clone(),
                            name: c.name.clone(),
                            gender: text(lang, &format!("gender.{}", c.gender)),
                            statement: stmt.map(|x| x.statement.clone()).unwrap_or_default(),
                            photo: stmt
                                .filter(|x| x.has_photo)
                                .map(|x| format!("/public/nominations/{}/photo", x.nomination_id)),
                            checked: marks.on(s.post).contains(&c.id),
                        }
                    })
                    .collect(),
                write_ins,
            }
        })
        .collect()
}

/// The ballot form as posted: checkboxes per post, write-in lines `wi_<post>`, `for`.
#[derive(Deserialize, Default)]
pub struct BallotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    chair: Vec<String>,
    #[serde(default)]
    vice_chair: Vec<String>,
    #[serde(default)]
    member: Vec<String>,
    #[serde(default)]
    wi_chair: Vec<String>,
    #[serde(default)]
    wi_vice_chair: Vec<String>,
    #[serde(default)]
    wi_member: Vec<String>,
    #[serde(default, rename = "for")]
    principal: Option<i64>,
}

impl BallotForm {
    pub fn marks(&self) -> Marks {
        let keep = |v: &[String]| v.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
        Marks {
            chair: keep(&self.chair),
            vice_chair: keep(&self.vice_chair),
            member: keep(&self.member),
            write_ins: WriteIns {
                chair: keep(&self.wi_chair),
                vice_chair: keep(&self.wi_vice_chair),
                member: keep(&self.wi_member),
            },
            ..Marks::default()
        }
    }

    /// The same choices as hidden fields, carried from review to cast (or back to edit).
    fn hidden(&self) -> Vec<(String, String)> {
        let m = self.marks();
        let mut h = Vec::new();
        for p in Post::ALL {
            for id in m.on(p) {
                h.push((p.as_str().to_string(), id.clone()));
            }
            for n in m.written_in(p) {
                h.push((format!("wi_{}", p.as_str()), n.clone()));
            }
        }
        if let Some(f) = self.principal {
            h.push(("for".into(), f.to_string()));
        }
        h
    }
}

fn parse_form(body: &[u8]) -> BallotForm {
    serde_html_form::from_bytes(body).unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "vote/signin.html")]
struct SigninPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "vote/ballot.html")]
struct BallotPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    heading: String,
    notice: Option<String>,
    error: Option<String>,
    base: &'static str,
    /// A booth tablet: the kiosk header, no way out of the booth (issue 12).
    kiosk: bool,
    principal: Option<i64>,
    /// The nomination primary's ballot has its own instructions (no write-in line).
    instructions: &'static str,
    posts: Vec<PostView>,
}

fn instructions(lang: Lang, paper: &BallotPaper) -> &'static str {
    text(lang, if paper.kind == "primary" { "primary.instructions" } else { "vote.instructions" })
}

#[derive(Template, WebTemplate)]
#[template(path = "vote/review.html")]
struct ReviewPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    heading: String,
    base: &'static str,
    kiosk: bool,
    blank: bool,
    summary: Vec<(&'static str, Vec<(String, bool)>)>,
    hidden: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "vote/receipt.html")]
struct ReceiptPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    receipt: Option<Receipt>,
    others: Vec<(i64, String)>,
    booth: bool,
    /// A voter session is still open here (a proxy with ballots left): offer signing out.
    signed_in: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "vote/message.html")]
struct MessagePage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    title: &'static str,
    body: String,
    others: Vec<(i64, String)>,
    again: Option<&'static str>,
    kiosk: bool,
    /// A voter who already voted: how to check their receipt (issue 13).
    voted: bool,
}

fn message(lang: Lang, title: &str, body: String, again: Option<&'static str>) -> Response {
    message_page(lang, title, body, again, false)
}

/// A message on a booth tablet: the kiosk header, and an error keeps its status.
fn booth_message(lang: Lang, body: String) -> Response {
    message_page(lang, "booth.title", body, Some("/booth"), true)
}

fn message_page(lang: Lang, title: &str, body: String, again: Option<&'static str>, kiosk: bool) -> Response {
    MessagePage {
        t: Tr(lang),
        user: None,
        csrf: String::new(),
        title: text(lang, title),
        body,
        others: Vec::new(),
        again,
        kiosk,
        voted: false,
    }
    .into_response()
}

/// An error on a booth tablet: its status and message, on a kiosk page (never the site's
/// header, whose links lead out of the booth).
fn booth_error(lang: Lang, err: ServiceError) -> Response {
    let err = crate::web::error::for_residents(err);
    let body = crate::web::error::messages(lang, &err, "").join(" ");
    // The status (and, for an internal error, the log line) as everywhere else.
    let status = HtmlError { lang, err }.into_response().status();
    let mut page = booth_message(lang, body);
    *page.status_mut() = status;
    page
}

// ---- remote voting ----

async fn signin_page(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    if voter_of(&state, &headers).await.is_some() {
        return Redirect::to("/vote/ballot").into_response();
    }
    SigninPage { t: Tr(lang), user: None, csrf: String::new(), error: None }.into_response()
}

#[derive(Deserialize)]
struct SigninForm {
    #[serde(default)]
    code: String,
}

async fn signin(
    State(state): State<AppState>,
    lang: Lang,
    peer: PeerAddr,
    headers: HeaderMap,
    Form(f): Form<SigninForm>,
) -> Response {
    let address = crate::web::staff::account::client_ip(peer.0, &headers, &state.config.trusted_proxies);
    let signed_in = voter_sessions::sign_in(
        &state.store,
        &state.secrets.session_key,
        &state.secrets.voting_code_key,
        &f.code,
        &address,
    )
    .await;
    match signed_in {
        Ok(Some(token)) => {
            // Issue 18 item 4: the credential the server encrypts and signs with on this
            // voter's behalf, in memory for the session only.
            if let Ok(Some((election_id, _))) =
                svc::voter_by_code(&state.store, &state.secrets.voting_code_key, &f.code).await
            {
                let code = f.code.trim();
                let code = code.rsplit_once("#code=").map_or(code, |(_, c)| c);
                let code = match code.strip_prefix("HJ:").and_then(|r| r.split_once(':')) {
                    Some((_, c)) => c,
                    None => code,
                };
                let credential = crate::service::credentials::derive(&state.log.name, election_id, code);
                state
                    .ballots
                    .keep_credential(voter_sessions::session_id(&state.secrets.session_key, &token), credential);
            }
            (
                [(header::SET_COOKIE, set_cookie(VOTER_COOKIE, &token, state.config.secure_cookies, None))],
                Redirect::to("/vote/ballot"),
            )
                .into_response()
        }
        Ok(None) => {
            let error = Some(text(lang, "err.voting_code").to_string());
            (StatusCode::UNAUTHORIZED, SigninPage { t: Tr(lang), user: None, csrf: String::new(), error })
                .into_response()
        }
        Err(err @ ServiceError::RateLimited { .. }) => {
            let retry = match &err {
                ServiceError::RateLimited { retry_after_s, .. } => *retry_after_s,
                _ => 60,
            };
            let error = Some(crate::web::error::messages(lang, &err, "").join(" "));
            let mut resp =
                (StatusCode::TOO_MANY_REQUESTS, SigninPage { t: Tr(lang), user: None, csrf: String::new(), error })
                    .into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&retry.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            resp
        }
        Err(err) => HtmlError { lang, err: crate::web::error::for_residents(err) }.into_response(),
    }
}

async fn signout(headers: HeaderMap, State(state): State<AppState>) -> Response {
    if let Some(v) = voter_of(&state, &headers).await
        && let Err(e) = voter_sessions::sign_out(&state.store, &v).await
    {
        tracing::warn!(error = %e, "voter sign-out failed");
    }
    ([(header::SET_COOKIE, set_cookie(VOTER_COOKIE, "", state.config.secure_cookies, Some(0)))], Redirect::to("/vote"))
        .into_response()
}

/// Approved principals of this voter who have not voted yet (`service::voting::open_principals`).
async fn open_principals(state: &AppState, v: &Voter, round: i64) -> Vec<(i64, String)> {
    voting::open_principals(&state.store, v.election_id, v.resident_id, round).await.unwrap_or_else(|e| {
        tracing::warn!(election = v.election_id, round, error = %e, "a proxy's principals not read");
        Vec::new()
    })
}

#[derive(Deserialize)]
struct ForQuery {
    #[serde(default, rename = "for")]
    principal: Option<i64>,
}

async fn heading(state: &AppState, lang: Lang, election_id: i64) -> String {
    match voting::heading(&state.store, election_id).await {
        Ok(Some((community, round, primary))) => {
            let h = format!("{community} · {round} {}", text(lang, "vote.election"));
            // During nominations the only ballot there is is the primary's (LAW.md §5 [P]).
            if primary { format!("{h} · {}", text(lang, "primary.ballot")) } else { h }
        }
        Ok(None) => String::new(),
        Err(e) => {
            tracing::warn!(election = election_id, error = %e, "ballot heading not read");
            String::new()
        }
    }
}

async fn ballot_page(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVoter(v): SignedInVoter,
    Query(q): Query<ForQuery>,
) -> Response {
    render_ballot(&state, lang, &v, q.principal, &Marks::default(), None).await
}

async fn render_ballot(
    state: &AppState,
    lang: Lang,
    v: &Voter,
    principal: Option<i64>,
    marks: &Marks,
    error: Option<String>,
) -> Response {
    let (round, paper) = match voting::open_round(&state.store, v.election_id).await {
        Ok(Some(x)) => x,
        Ok(None) => return message(lang, "vote.title", text(lang, "err.polls_not_open").into(), None),
        Err(e) => {
            tracing::warn!(election = v.election_id, error = %e, "the open round not read");
            return message(lang, "vote.title", text(lang, "err.polls_not_open").into(), None);
        }
    };
    let whom = principal.filter(|p| *p != v.resident_id);
    let me = whom.unwrap_or(v.resident_id);
    let voted = voting::has_voted(&state.store, v.election_id, round, me).await.unwrap_or_else(|e| {
        // The cast itself refuses a second ballot; the page then shows the ballot.
        tracing::warn!(election = v.election_id, round, error = %e, "participation not read");
        false
    });
    if voted {
        let others = open_principals(state, v, round).await;
        return MessagePage {
            t: Tr(lang),
            user: None,
            csrf: v.csrf.clone(),
            title: text(lang, "vote.title"),
            body: text(lang, "err.already_voted").into(),
            others,
            again: None,
            kiosk: false,
            voted: true,
        }
        .into_response();
    }
    let mut notice = None;
    if let Some(p) = whom {
        let names = open_principals(state, v, round).await;
        match names.iter().find(|n| n.0 == p) {
            Some(n) => notice = Some(format!("{} {}", text(lang, "vote.for_principal"), n.1)),
            None => return message(lang, "vote.title", text(lang, "law.proxy_not_approved").into(), None),
        }
    }
    let posts = post_views(state, lang, v.election_id, &paper, marks).await;
    BallotPage {
        t: Tr(lang),
        user: None,
        csrf: v.csrf.clone(),
        heading: heading(state, lang, v.election_id).await,
        notice,
        error,
        base: "/vote",
        kiosk: false,
        principal: whom,
        instructions: instructions(lang, &paper),
        posts,
    }
    .into_response()
}

/// The review step: what the ballot says, write-ins as they will be read, a warning for a
/// blank ballot; nothing is cast yet.
async fn review_page(
    state: &AppState,
    lang: Lang,
    election_id: i64,
    csrf: String,
    base: &'static str,
    form: &BallotForm,
) -> Result<Response, String> {
    let (_, paper) = match voting::open_round(&state.store, election_id).await {
        Ok(Some(x)) => x,
        Ok(None) => return Err(text(lang, "err.polls_not_open").into()),
        Err(e) => {
            tracing::warn!(election = election_id, error = %e, "the open round not read");
            return Err(text(lang, "err.polls_not_open").into());
        }
    };
    let marks = form.marks();
    if let Err(e) = paper.check(&marks, crate::domain::ballot::Source::Browser) {
        let msg = match e {
            crate::domain::ballot::BallotError::TooManyNames { seats, .. } => {
                format!(
                    "{}：{}",
                    post_label(lang, post_of(e.field())),
                    text(lang, "vote.too_many").replace("{n}", &seats.to_string())
                )
            }
            _ => text(lang, "err.ballot").to_string(),
        };
        return Err(msg);
    }
    let e = match voting::election(&state.store, election_id).await {
        Ok(e) => e,
        Err(err) => {
            if matches!(err, ServiceError::Internal(_)) {
                tracing::warn!(election = election_id, error = %err, "election not read for a review");
            }
            return Err(text(lang, "err.not_found").into());
        }
    };
    let reads = svc::preview_write_ins(&state.store, &e, &marks).await.unwrap_or_else(|err| {
        tracing::warn!(election = election_id, error = %err, "write-ins not previewed");
        Vec::new()
    });
    let mut summary = Vec::new();
    for s in paper.posts.iter().filter(|s| s.seats > 0) {
        let mut names: Vec<(String, bool)> =
            s.candidates.iter().filter(|c| marks.on(s.post).contains(&c.id)).map(|c| (c.name.clone(), true)).collect();
        names.extend(
            reads
                .iter()
                .filter(|r| r.0 == s.post)
                .map(|r| (format!("{}（{}）", r.1, text(lang, "vote.write_in")), r.2)),
        );
        summary.push((post_label(lang, s.post), names));
    }
    let blank = summary.iter().all(|s| s.1.is_empty());
    Ok(ReviewPage {
        t: Tr(lang),
        user: None,
        csrf,
        heading: heading(state, lang, election_id).await,
        base,
        kiosk: base == "/booth",
        blank,
        summary,
        hidden: form.hidden(),
    }
    .into_response())
}

fn post_of(field: &str) -> Post {
    match field.split(['[', '.']).next().unwrap_or("") {
        "chair" => Post::Chair,
        "vice_chair" => Post::ViceChair,
        _ => Post::Member,
    }
}

fn csrf_refused(lang: Lang) -> Response {
    HtmlError { lang, err: crate::service::ServiceError::Forbidden }.into_response()
}

async fn review(State(state): State<AppState>, a: VoterAction) -> Response {
    let VoterAction { voter: v, lang, form } = a;
    match review_page(&state, lang, v.election_id, v.csrf.clone(), "/vote", &form).await {
        Ok(r) => r,
        Err(msg) => render_ballot(&state, lang, &v, form.principal, &form.marks(), Some(msg)).await,
    }
}

async fn edit(State(state): State<AppState>, a: VoterAction) -> Response {
    let VoterAction { voter: v, lang, form } = a;
    render_ballot(&state, lang, &v, form.principal, &form.marks(), None).await
}

async fn cast(State(state): State<AppState>, a: VoterAction) -> Response {
    let VoterAction { voter: v, lang, form } = a;
    let marks = form.marks();
    let credential = state.ballots.credential(v.id());
    // A proxy's ballot for a principal needs the principal's card in an end-to-end round.
    let credential = credential.filter(|_| form.principal.is_none_or(|p| p == v.resident_id));
    let cast = svc::cast_remote(
        &state.store,
        &state.ballots,
        &state.log.name,
        (v.election_id, v.resident_id),
        form.principal,
        &marks,
        credential.as_ref(),
    )
    .await;
    match cast {
        Ok(receipt) => {
            state.ballots.drop_credential(v.id());
            let round = current_round(&state, v.election_id).await.unwrap_or(1);
            let others = open_principals(&state, &v, round).await;
            // The ballot is in: the session ends with it (issue 12), unless this voter is a
            // proxy with a principal's ballot still to cast.
            if let Err(e) = voter_sessions::end_after_cast(&state.store, &v, !others.is_empty()).await {
                tracing::warn!(error = %e, "voter session not ended after a cast");
            }
            // POST/redirect/GET (issue 13): the receipt page's address holds the receipt, so
            // reloading, going back or a bookmark shows it again and never casts again.
            Redirect::to(&receipt_url("/vote/receipt", &receipt)).into_response()
        }
        Err(err) => HtmlError { lang, err: crate::web::error::for_residents(err) }.into_response(),
    }
}

// ---- booth tablets ----

#[derive(Deserialize)]
struct BoothSetup {
    #[serde(default)]
    csrf: String,
    election_id: i64,
    station: String,
    name: String,
}

/// A clerk (signed in on the tablet) registers it as a booth. The clerk's session on this
/// device ends with it (issue 12: a voter in the booth must find no one signed in); the tablet
/// keeps only the booth token, which opens nothing but the booth's ballot.
async fn booth_setup(
    State(state): State<AppState>,
    lang: Lang,
    s: StaffSession,
    Form(f): Form<BoothSetup>,
) -> Response {
    if !same_token(&f.csrf, &s.csrf) {
        return csrf_refused(lang);
    }
    let this_device = crate::service::accounts::session_hash(&state.secrets.session_key, &s.token);
    match svc::register_booth(&state.store, &s.staff, f.election_id, &f.station, &f.name, Some(&this_device)).await {
        Ok((_, token)) => {
            let mut resp = Redirect::to("/booth").into_response();
            let cookies = [
                set_cookie(BOOTH_COOKIE, &token, state.config.secure_cookies, Some(86_400 * 3)),
                crate::web::auth::clear_session_cookie(state.config.secure_cookies),
            ];
            for c in cookies {
                if let Ok(v) = axum::http::HeaderValue::from_str(&c) {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            resp
        }
        Err(err) => HtmlError { lang, err: crate::web::error::for_residents(err) }.into_response(),
    }
}

async fn booth_of(state: &AppState, headers: &HeaderMap) -> Option<(Booth, String)> {
    let token = cookie(headers, BOOTH_COOKIE)?;
    match voting::booth(&state.store, &token).await {
        Ok(b) => Some((b?, token)),
        Err(e) => {
            tracing::warn!(error = %e, "booth lookup failed");
            None
        }
    }
}

/// The current round of election `id`; a failed read is logged and taken as none.
async fn current_round(state: &AppState, id: i64) -> Option<i64> {
    voting::current_round(&state.store, id).await.unwrap_or_else(|e| {
        tracing::warn!(election = id, error = %e, "the current round not read");
        None
    })
}

/// Locked: "check in with a clerk". Unlocked: the ballot, for exactly one voter. Either way the
/// last voter's receipt cookie ends here: this is the booth's ready state.
async fn booth_page(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    let mut page = booth_ready(&state, lang, &headers).await;
    if cookie(&headers, BOOTH_RECEIPT_COOKIE).is_some() {
        let c = set_booth_cookie(BOOTH_RECEIPT_COOKIE, "", state.config.secure_cookies, Some(0));
        if let Ok(v) = axum::http::HeaderValue::from_str(&c) {
            page.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    page
}

async fn booth_ready(state: &AppState, lang: Lang, headers: &HeaderMap) -> Response {
    let Some((b, token)) = booth_of(state, headers).await else {
        return booth_message(lang, text(lang, "booth.not_set_up").into());
    };
    let open = voting::open_round(&state.store, b.election_id).await.unwrap_or_else(|e| {
        tracing::warn!(election = b.election_id, booth = b.id, error = %e, "the open round not read");
        None
    });
    let Some((_, paper)) = open.filter(|(round, _)| b.unlocked_round == Some(*round)) else {
        return booth_message(lang, format!("{} · {}", b.name, text(lang, "booth.locked")));
    };
    let posts = post_views(state, lang, b.election_id, &paper, &Marks::default()).await;
    BallotPage {
        t: Tr(lang),
        user: None,
        csrf: booth_csrf(state, &token),
        heading: heading(state, lang, b.election_id).await,
        notice: Some(format!("{} · {}", b.station, b.name)),
        error: None,
        base: "/booth",
        kiosk: true,
        principal: None,
        instructions: instructions(lang, &paper),
        posts,
    }
    .into_response()
}

async fn booth_form(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Booth, String, BallotForm), Response> {
    let Some((b, token)) = booth_of(state, headers).await else { return Err(Redirect::to("/booth").into_response()) };
    let form = parse_form(body);
    let csrf = booth_csrf(state, &token);
    if !same_token(&form.csrf, &csrf) {
        return Err(booth_error(lang, ServiceError::Forbidden));
    }
    Ok((b, csrf, form))
}

async fn booth_review(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (b, csrf, form) = match booth_form(&state, lang, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match review_page(&state, lang, b.election_id, csrf.clone(), "/booth", &form).await {
        Ok(r) => r,
        Err(msg) => booth_ballot(&state, lang, &b, csrf, &form.marks(), Some(msg)).await,
    }
}

async fn booth_ballot(
    state: &AppState,
    lang: Lang,
    b: &Booth,
    csrf: String,
    marks: &Marks,
    error: Option<String>,
) -> Response {
    let paper = match svc::current(&state.store, b.election_id).await {
        Ok(Some((_, paper))) => paper,
        Ok(None) => return booth_message(lang, text(lang, "err.polls_not_open").into()),
        Err(e) => {
            tracing::warn!(election = b.election_id, booth = b.id, error = %e, "the current round not read");
            return booth_message(lang, text(lang, "err.polls_not_open").into());
        }
    };
    let posts = post_views(state, lang, b.election_id, &paper, marks).await;
    BallotPage {
        t: Tr(lang),
        user: None,
        csrf,
        heading: heading(state, lang, b.election_id).await,
        notice: Some(format!("{} · {}", b.station, b.name)),
        error,
        base: "/booth",
        kiosk: true,
        principal: None,
        instructions: instructions(lang, &paper),
        posts,
    }
    .into_response()
}

async fn booth_edit(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match booth_form(&state, lang, &headers, &body).await {
        Ok((b, csrf, form)) => booth_ballot(&state, lang, &b, csrf, &form.marks(), None).await,
        Err(r) => r,
    }
}

async fn booth_cast(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (b, _, form) = match booth_form(&state, lang, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let token = cookie(&headers, BOOTH_COOKIE).unwrap_or_default();
    match voting::cast_at_booth(&state.store, &state.ballots, &state.log.name, &b, &form.marks()).await {
        Ok(receipt) => {
            // POST/redirect/GET as for remote voting; the receipt page is this voter's only
            // while the cookie set here lives (it ends with the next /booth page).
            let mut resp = Redirect::to(&receipt_url("/booth/receipt", &receipt)).into_response();
            let seal = booth_receipt_mac(&state, &token, &receipt.receipt);
            let c = set_booth_cookie(BOOTH_RECEIPT_COOKIE, &seal, state.config.secure_cookies, Some(600));
            if let Ok(v) = axum::http::HeaderValue::from_str(&c) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            resp
        }
        Err(err) => booth_error(lang, err),
    }
}

/// `/vote/receipt?log=…&index=…&receipt=…`: where a cast redirects (303).
fn receipt_url(path: &str, r: &Receipt) -> String {
    use crate::net::urlencode;
    format!("{path}?log={}&index={}&receipt={}", urlencode(&r.log), r.index, urlencode(&r.receipt))
}

fn booth_receipt_mac(state: &AppState, booth_token: &str, receipt: &str) -> String {
    mac(&state.secrets.session_key, "booth-receipt", &format!("{booth_token}\0{}", receipt.trim()))
}

/// The booth's own cookies live under `/booth` only.
fn set_booth_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    set_cookie(name, value, secure, max_age).replacen("Path=/;", "Path=/booth;", 1)
}

/// The receipt named by the address, if it really is a ballot's receipt in that log entry.
async fn receipt_of(state: &AppState, q: &ReceiptQuery) -> Option<Receipt> {
    let index = q.index.trim().parse::<u64>().ok()?;
    let log = q.log.trim();
    let receipt = q.receipt.trim().to_ascii_uppercase();
    if log.is_empty() || receipt.is_empty() || receipt.len() > 64 {
        return None;
    }
    match crate::service::receipts::check(&state.store, &state.log, log, index, &receipt).await {
        Ok(c) if c.found => Some(Receipt { receipt, log: log.to_string(), index }),
        Ok(_) => None,
        Err(e) => {
            if matches!(e, ServiceError::Internal(_)) {
                tracing::warn!(error = %e, "receipt lookup failed");
            }
            None
        }
    }
}

/// The remote voter's receipt page (after the 303 of a cast): the same receipt on every reload.
/// Anyone holding the address sees only what the address already says, checked against the log.
async fn vote_receipt(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Query(q): Query<ReceiptQuery>,
) -> Response {
    let Some(receipt) = receipt_of(&state, &q).await else {
        let mut page = message(lang, "vote.check_receipt", text(lang, "vote.receipt_not_found").into(), None);
        *page.status_mut() = StatusCode::NOT_FOUND;
        return page;
    };
    let (csrf, others, signed_in) = match voter_of(&state, &headers).await {
        Some(v) => {
            let round = current_round(&state, v.election_id).await;
            let others = match round {
                Some(r) => open_principals(&state, &v, r).await,
                None => Vec::new(),
            };
            (v.csrf.clone(), others, true)
        }
        None => (String::new(), Vec::new(), false),
    };
    ReceiptPage { t: Tr(lang), user: None, csrf, receipt: Some(receipt), others, booth: false, signed_in }
        .into_response()
}

/// The booth's receipt page: shown only to the voter who just cast on this tablet (the cookie
/// of [`booth_cast`]) and only while the booth is locked; otherwise back to the booth's ready
/// page, so the next voter finds nothing of the last one (LAW.md §6 [N?]: secret ballot).
async fn booth_receipt(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Query(q): Query<ReceiptQuery>,
) -> Response {
    let Some((b, token)) = booth_of(&state, &headers).await else { return Redirect::to("/booth").into_response() };
    let sealed = cookie(&headers, BOOTH_RECEIPT_COOKIE)
        .is_some_and(|c| same_token(&c, &booth_receipt_mac(&state, &token, &q.receipt)));
    let locked = match current_round(&state, b.election_id).await {
        Some(round) => b.unlocked_round != Some(round),
        None => true,
    };
    if !sealed || !locked {
        return Redirect::to("/booth").into_response();
    }
    let Some(receipt) = receipt_of(&state, &q).await else { return Redirect::to("/booth").into_response() };
    ReceiptPage {
        t: Tr(lang),
        user: None,
        csrf: String::new(),
        receipt: Some(receipt),
        others: Vec::new(),
        booth: true,
        signed_in: false,
    }
    .into_response()
}

// ---- receipts and photos ----

#[derive(Deserialize, Default)]
struct ReceiptQuery {
    #[serde(default)]
    log: String,
    #[serde(default)]
    index: String,
    #[serde(default)]
    receipt: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "vote/receipt_check.html")]
struct ReceiptCheckPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    log: String,
    index: String,
    receipt: String,
    check: Option<ReceiptCheck>,
}

async fn receipt_page(
    State(state): State<AppState>,
    lang: Lang,
    Query(q): Query<ReceiptQuery>,
) -> Result<Response, HtmlError> {
    let check = match q.index.trim().parse::<u64>() {
        Ok(i) if !q.log.is_empty() && !q.receipt.is_empty() => Some(
            crate::service::receipts::check(&state.store, &state.log, q.log.trim(), i, &q.receipt).await.html(lang)?,
        ),
        _ => None,
    };
    Ok(ReceiptCheckPage {
        t: Tr(lang),
        user: None,
        csrf: String::new(),
        log: q.log,
        index: q.index,
        receipt: q.receipt,
        check,
    }
    .into_response())
}

/// A candidate's photo, public once the candidate list is (the statement page shows it).
async fn photo(
    State(state): State<AppState>,
    lang: Lang,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, HtmlError> {
    let (bytes, ty) = voting::candidate_photo(&state.store, id).await.html(lang)?;
    Ok(([(header::CONTENT_TYPE, ty), (header::CACHE_CONTROL, "public, max-age=300")], bytes).into_response())
}
