//! Polling endpoints (issue 6): opening and closing the polls, check-in, booths, casting with a
//! voting code, paper ballot entry, turnout, the participation roll, receipts.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::domain::ballot::Marks;
use crate::i18n::Lang;
use crate::service::ServiceError;
use crate::service::elections as esvc;
use crate::service::polling::{self as svc, CheckIn};
use crate::service::voting;
use crate::service::{limits, primary};
use crate::web::auth::{PeerAddr, StaffAction, StaffJson, StaffSession};
use crate::web::error::{ApiError, ResultExt};
use crate::web::staff::account::client_ip;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/elections/{id}/polls/open", post(open))
        .route("/elections/{id}/polls/close", post(close))
        .route("/elections/{id}/primary/open", post(primary_open))
        .route("/elections/{id}/primary/close", post(primary_close))
        .route("/elections/{id}/primary/count", post(primary_count))
        .route("/public/elections/{id}/primary", get(primary_view))
        .route("/elections/{id}/turnout", get(turnout))
        .route("/elections/{id}/participation", get(participation))
        .route("/elections/{id}/checkin", get(find).post(check_in))
        .route("/elections/{id}/booths", get(booths).post(register_booth))
        .route("/elections/{id}/ballots", post(cast))
        .route("/booth/ballots", post(booth_cast))
        .route("/elections/{id}/paper", get(compare))
        .route("/elections/{id}/paper/entries", post(enter))
        .route("/elections/{id}/paper/accept", post(accept))
        .route("/nominations/{id}/statement", post(statement))
        .route("/public/elections/{id}/ballot", get(ballot_paper))
        .route("/public/receipts", get(receipt))
}

type ApiResult = Result<Json<Value>, ApiError>;

async fn open(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    let paper = svc::open_polls(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(json!({"stage": "polling", "ballot": paper})))
}

async fn close(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(svc::close_polls(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

async fn primary_open(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    let paper = primary::open(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(json!({"stage": "nominations", "ballot": paper})))
}

async fn primary_close(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(primary::close(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

async fn primary_count(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(primary::count(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

/// The primary is public once counted, like any count (公开唱票、计票, LAW.md §6).
async fn primary_view(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang) -> ApiResult {
    esvc::any(&state.store, id).await.api(lang)?;
    Ok(Json(json!(primary::view(&state.store, id).await.api(lang)?)))
}

async fn turnout(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult {
    Ok(Json(json!(svc::turnout(&state.store, &s.staff, id).await.api(lang)?)))
}

async fn participation(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult {
    Ok(Json(json!({"roll": svc::participation_roll(&state.store, &s.staff, id).await.api(lang)?})))
}

#[derive(Deserialize)]
struct FindQuery {
    #[serde(default)]
    q: String,
}

async fn find(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<FindQuery>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult {
    let (found, more) = svc::find_voters(&state.store, &s.staff, id, &q.q).await.api(lang)?;
    Ok(Json(json!({"voters": found, "more": more})))
}

async fn check_in(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<CheckIn>) -> ApiResult {
    svc::check_in(&state.store, &j.session.staff, id, &j.body).await.api(j.lang)?;
    Ok(Json(json!({"ok": true})))
}

async fn booths(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult {
    Ok(Json(json!({"booths": voting::booths(&state.store, &s.staff, id).await.api(lang)?})))
}

#[derive(Deserialize)]
struct BoothBody {
    station: String,
    name: String,
}

async fn register_booth(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<BoothBody>) -> ApiResult {
    let (booth_id, token) =
        svc::register_booth(&state.store, &j.session.staff, id, &j.body.station, &j.body.name, None)
            .await
            .api(j.lang)?;
    Ok(Json(json!({"id": booth_id, "token": token})))
}

/// A ballot as the API takes it: the marks, and `for` when an approved proxy casts for a
/// principal.
#[derive(Deserialize)]
struct CastBody {
    #[serde(flatten)]
    marks: Marks,
    #[serde(default, rename = "for")]
    principal: Option<i64>,
}

fn unauthenticated(lang: Lang) -> Response {
    let msg = crate::i18n::text(lang, "err.voting_code");
    (StatusCode::UNAUTHORIZED, Json(json!({"error": "unauthenticated", "message": msg}))).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

fn parse_body<T: serde::de::DeserializeOwned>(lang: Lang, bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError { lang, err: ServiceError::Invalid { key: "err.request", field: Some(e.to_string()) } })
}

/// `POST /elections/{id}/ballots` with `Authorization: Bearer <voting code>`: 201 with the
/// receipt; 409 when this voter already received a ballot through any channel; 422 naming
/// the bad field; 403 when polls are not open or the remote channel is not enabled.
async fn cast(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    peer: PeerAddr,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    let code = bearer(&headers).ok_or_else(|| unauthenticated(lang))?;
    let api = |err| ApiError { lang, err }.into_response();
    // Issue 12: an address that sent too many wrong codes is refused before its code is
    // looked at (a read only: the cast path itself writes nothing more).
    let address = client_ip(peer.0, &headers, &state.config.trusted_proxies);
    limits::check(&state.store, &limits::CODE_FAILURES_PER_ADDRESS, &address).await.map_err(api)?;
    let b: CastBody = parse_body(lang, &body).map_err(IntoResponse::into_response)?;
    let key = &state.secrets.voting_code_key;
    let cast = match b.principal {
        // A proxy: who casts must be known before the cast (their authorisation is checked).
        Some(principal) => match svc::voter_by_code(&state.store, key, code).await.map_err(api)? {
            Some(voter) if voter.0 == id => {
                svc::cast_remote(&state.store, &state.ballots, voter, Some(principal), &b.marks).await
            }
            _ => Err(ServiceError::Unauthenticated("err.voting_code")),
        },
        None => svc::cast_by_code(&state.store, &state.ballots, key, id, code, &b.marks).await,
    };
    match cast {
        Ok(receipt) => Ok((StatusCode::CREATED, Json(json!(receipt))).into_response()),
        // Wrong codes count against the address and the election; past the election's budget
        // they are slowed with a 429, while a correct code always gets through.
        Err(ServiceError::Unauthenticated(_)) => {
            Err(api(limits::code_failed(&state.store, &address, &id.to_string()).await))
        }
        Err(err) => Err(api(err)),
    }
}

/// A booth tablet casts with its token (`X-Booth-Token`).
async fn booth_cast(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    let token = headers.get("x-booth-token").and_then(|v| v.to_str().ok()).ok_or_else(|| unauthenticated(lang))?;
    let booth = voting::booth(&state.store, token)
        .await
        .map_err(|err| ApiError { lang, err }.into_response())?
        .ok_or_else(|| unauthenticated(lang))?;
    let marks: Marks = parse_body(lang, &body).map_err(IntoResponse::into_response)?;
    let receipt = voting::cast_at_booth(&state.store, &state.ballots, &booth, &marks)
        .await
        .map_err(|err| ApiError { lang, err }.into_response())?;
    Ok((StatusCode::CREATED, Json(json!(receipt))).into_response())
}

#[derive(Deserialize)]
struct StationQuery {
    station: String,
}

async fn compare(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<StationQuery>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult {
    Ok(Json(json!(svc::compare_box(&state.store, &s.staff, id, &q.station).await.api(lang)?)))
}

#[derive(Deserialize)]
struct EntryBody {
    station: String,
    pass: i64,
    #[serde(default)]
    seq: Option<i64>,
    #[serde(flatten)]
    marks: Marks,
}

async fn enter(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<EntryBody>) -> ApiResult {
    let b = &j.body;
    let seq =
        svc::enter_paper(&state.store, &j.session.staff, id, &b.station, b.pass, b.seq, &b.marks).await.api(j.lang)?;
    Ok(Json(json!({"seq": seq})))
}

#[derive(Deserialize)]
struct AcceptBody {
    station: String,
    #[serde(default)]
    spoiled: i64,
}

async fn accept(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<AcceptBody>) -> ApiResult {
    Ok(Json(svc::accept_box(&state.store, &j.session.staff, id, &j.body.station, j.body.spoiled).await.api(j.lang)?))
}

#[derive(Deserialize)]
struct StatementBody {
    statement: String,
}

async fn statement(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<StatementBody>) -> ApiResult {
    svc::set_statement(&state.store, &j.session.staff, id, &j.body.statement, None).await.api(j.lang)?;
    Ok(Json(json!({"ok": true})))
}

/// The ballot paper of the current round with the candidates' statements: public once the
/// candidate list is.
async fn ballot_paper(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang) -> ApiResult {
    // What of a ballot is public, and when: `service::voting::ballot_is_public`.
    let (round_no, status, paper, statements) = voting::public_ballot(&state.store, id).await.api(lang)?;
    let statements: Value = statements
        .iter()
        .map(|s| {
            (crate::domain::ballot::candidate_id(s.nomination_id), json!({"statement": s.statement, "photo": s.has_photo.then(|| format!("/public/nominations/{}/photo", s.nomination_id))}))
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    Ok(Json(json!({"round": round_no, "status": status, "ballot": paper, "statements": statements})))
}

#[derive(Deserialize)]
struct ReceiptQuery {
    log: String,
    index: u64,
    receipt: String,
}

/// Checks a receipt: is the code in that entry of that (public) election log, and is the entry
/// covered by the latest signed checkpoint? Says nothing about what was voted.
async fn receipt(State(state): State<AppState>, Query(q): Query<ReceiptQuery>, lang: Lang) -> ApiResult {
    let found =
        crate::service::receipts::check(&state.store, &state.log, &q.log, q.index, &q.receipt).await.api(lang)?;
    Ok(Json(json!(found)))
}

// ---- counting and results (issue 7) ----

pub fn counting_router() -> Router<AppState> {
    Router::new()
        .route("/elections/{id}/count", post(count))
        .route("/elections/{id}/rounds/next", post(next_round))
        .route("/elections/{id}/certify", post(certify))
        .route("/elections/{id}/void", post(void))
        .route("/elections/{id}/handover", get(handover).post(handover_item))
        .route("/public/elections/{id}/results", get(results))
        .route("/public/elections/{id}/count", get(public_count))
}

use crate::service::counting as csvc;

async fn count(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(csvc::count_round(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

async fn next_round(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    let paper = csvc::next_round(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(json!({"stage": "runoff", "ballot": paper})))
}

async fn certify(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(csvc::certify(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

#[derive(Deserialize)]
struct VoidBody {
    scope: String,
    #[serde(default)]
    nomination_id: Option<i64>,
    reasons: Vec<String>,
}

async fn void(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<VoidBody>) -> ApiResult {
    let b = &j.body;
    Ok(Json(
        csvc::void(&state.store, &state.log, &j.session.staff, id, &b.scope, b.nomination_id, &b.reasons)
            .await
            .api(j.lang)?,
    ))
}

async fn handover(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult {
    let done = crate::service::results::handover_done(&state.store, &s.staff, id).await.api(lang)?;
    Ok(Json(json!({"items": csvc::HANDOVER_ITEMS, "done": done})))
}

#[derive(Deserialize)]
struct HandoverBody {
    item: String,
    #[serde(default)]
    note: String,
}

async fn handover_item(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<HandoverBody>) -> ApiResult {
    Ok(Json(
        csvc::handover_item(&state.store, &state.log, &j.session.staff, id, &j.body.item, &j.body.note)
            .await
            .api(j.lang)?,
    ))
}

/// The results so far, public once a round is counted (LAW.md §8: announced on the spot).
async fn results(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang) -> ApiResult {
    let e = esvc::any(&state.store, id).await.api(lang)?;
    let mut r = csvc::results(&state.store, id).await.api(lang)?;
    if r.rounds.is_empty() {
        return Err(ApiError { lang, err: ServiceError::NotFound });
    }
    r.checks = csvc::composition_checks(&state.store, &e, &r).await.api(lang)?;
    Ok(Json(json!({"stage": e.stage, "results": r})))
}

#[derive(Deserialize)]
struct CountQuery {
    #[serde(default)]
    round: Option<i64>,
    #[serde(default)]
    k: usize,
}

async fn public_count(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<CountQuery>,
    lang: Lang,
) -> ApiResult {
    Ok(Json(json!(csvc::public_count(&state.store, id, q.round, q.k).await.api(lang)?)))
}

// ---- recall and by-election (issue 7) ----

pub fn recall_router() -> Router<AppState> {
    Router::new()
        .route("/elections/{id}/recalls", post(open_recall))
        .route("/elections/{id}/recall/verify", post(verify_recall))
        .route("/elections/{id}/recall/answer", post(recall_answer))
        .route("/public/elections/{id}/recall", get(public_recall))
        .route("/elections/{id}/vacancies", get(vacancies).post(member_left))
        .route("/elections/{id}/byelection", post(open_by_election))
}

use crate::service::recall as rsvc;

async fn open_recall(
    State(state): State<AppState>,
    Path(term): Path<i64>,
    j: StaffJson<rsvc::RecallInput>,
) -> ApiResult {
    Ok(Json(json!({"id": rsvc::open_recall(&state.store, &j.session.staff, term, &j.body).await.api(j.lang)?})))
}

async fn verify_recall(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(rsvc::verify_petition(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

#[derive(Deserialize)]
struct AnswerBody {
    answer: String,
}

async fn recall_answer(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<AnswerBody>) -> ApiResult {
    rsvc::publish_answer(&state.store, &j.session.staff, id, &j.body.answer).await.api(j.lang)?;
    Ok(Json(json!({"ok": true})))
}

/// The petition's reasons and the member's answer, public once the petition is verified
/// (LAW.md §9: the answer is published before the vote). Signers are not named here.
async fn public_recall(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang) -> ApiResult {
    Ok(Json(json!(voting::public_recall(&state.store, id).await.api(lang)?)))
}

async fn vacancies(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult {
    Ok(Json(json!({"vacancies": crate::service::results::vacancies(&state.store, &s.staff, id).await.api(lang)?})))
}

#[derive(Deserialize)]
struct LeftBody {
    member_id: String,
    cause: String,
}

async fn member_left(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<LeftBody>) -> ApiResult {
    let vid =
        rsvc::member_left(&state.store, &j.session.staff, id, &j.body.member_id, &j.body.cause).await.api(j.lang)?;
    Ok(Json(json!({"vacancy_id": vid})))
}

async fn open_by_election(
    State(state): State<AppState>,
    Path(term): Path<i64>,
    j: StaffJson<rsvc::ByElectionInput>,
) -> ApiResult {
    Ok(Json(json!({"id": rsvc::open_by_election(&state.store, &j.session.staff, term, &j.body).await.api(j.lang)?})))
}
