//! Polling endpoints (issue 6): opening and closing the polls, check-in, booths, casting with a
//! voting code, paper ballot entry, turnout, the participation roll, receipts.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::ballot::Marks;
use crate::i18n::Lang;
use crate::service::ServiceError;
use crate::service::elections as esvc;
use crate::service::polling::{self as svc, CheckIn};
use crate::service::voting;
use crate::service::{limits, primary};
use crate::web::AppState;
use crate::web::auth::{PeerAddr, StaffAction, StaffJson, StaffSession};
use crate::web::error::{ApiError, ResultExt};
use crate::web::json;
use crate::web::staff::account::client_ip;

use super::bodies::{Created, Done, RoundOpened};
use super::openapi::{Api, Op};
use crate::service::cast::Receipt;
use crate::service::polling::{BoxComparison, Turnout};
use crate::service::receipts::ReceiptCheck;
use crate::service::voting::PublicRecall;

pub fn api() -> Api {
    Api::new()
        .post(
            "/elections/{id}/polls/open",
            open,
            Op::write("candidates_published → polling, on election day; fixes the ballot").ok_body::<RoundOpened>(),
        )
        .post(
            "/elections/{id}/polls/close",
            close,
            Op::write("polling → counting: the box is frozen, a checkpoint signed"),
        )
        .post(
            "/elections/{id}/primary/open",
            primary_open,
            Op::write("Open a nomination primary (预选) round: too many nominees, or a tie to settle")
                .ok_body::<RoundOpened>(),
        )
        .post(
            "/elections/{id}/primary/close",
            primary_close,
            Op::write("Close the open primary round (the stage stays nominations)"),
        )
        .post(
            "/elections/{id}/primary/count",
            primary_count,
            Op::write("Count the closed primary round; the box and its hashes are published"),
        )
        .get("/public/elections/{id}/primary", primary_view, Op::public("The primary's rounds and counts"))
        .get(
            "/elections/{id}/turnout",
            turnout,
            Op::staff("Ballots issued per station and channel (counts only); null before the polls first open")
                .ok_body::<Turnout>()
                .nullable(),
        )
        .get(
            "/elections/{id}/participation",
            participation,
            Op::staff("The participation roll: who received a ballot, by channel").ok_body::<ParticipationRoll>(),
        )
        .get(
            "/elections/{id}/checkin",
            find,
            Op::staff("Find voters at the desk by name, ID number or card code")
                .query::<FindQuery>()
                .ok_body::<AtDesk>(),
        )
        .post(
            "/elections/{id}/checkin",
            check_in,
            Op::write("Check a voter in: paper, mobile_box, booth (unlocks it) or proxy")
                .body::<CheckIn>()
                .ok_body::<Done>(),
        )
        .get(
            "/elections/{id}/booths",
            booths,
            Op::staff("Booth tablets and whether each is unlocked").ok_body::<Booths>(),
        )
        .post(
            "/elections/{id}/booths",
            register_booth,
            Op::write("Set up a booth tablet; returns its token once").body::<BoothBody>().ok_body::<BoothSetUp>(),
        )
        .post(
            "/elections/{id}/ballots",
            cast,
            Op::voter("Cast with the voting code: 201 receipt, 409 already voted, 422 bad field, 403 not open")
                .body::<CastBody>()
                .ok_body::<Receipt>()
                .created()
                .also(&["rate_limited", "throttled"])
                .example(|| json!({"chair": ["c1"], "vice_chair": ["c3"], "member": ["c5", "c6", "c7"]})),
        )
        .post(
            "/booth/ballots",
            booth_cast,
            Op::booth("A booth tablet casts its one unlocked ballot").body::<Marks>().ok_body::<Receipt>().created(),
        )
        .get(
            "/elections/{id}/paper",
            compare,
            Op::staff("Both entries of a paper box side by side").query::<StationQuery>().ok_body::<BoxComparison>(),
        )
        .post(
            "/elections/{id}/paper/entries",
            enter,
            Op::write("Enter (or correct, with seq) one paper ballot of a pass")
                .body::<EntryBody>()
                .ok_body::<Entered>(),
        )
        .post(
            "/elections/{id}/paper/accept",
            accept,
            Op::write("Accept a box whose two entries agree").body::<AcceptBody>(),
        )
        .post(
            "/nominations/{id}/statement",
            statement,
            Op::write("A candidate's statement (履职设想)").body::<StatementBody>().ok_body::<Done>(),
        )
        .get(
            "/public/elections/{id}/ballot",
            ballot_paper,
            Op::public("The ballot of the current round with candidate statements").ok_body::<PublicBallot>(),
        )
        .get(
            "/public/receipts",
            receipt,
            Op::public("Check a receipt").query::<ReceiptQuery>().ok_body::<ReceiptCheck>(),
        )
}

type ApiResult<T = Value> = Result<Json<T>, ApiError>;

#[derive(Serialize, utoipa::ToSchema)]
struct ParticipationRoll {
    roll: Vec<crate::store::polling::RollLine>,
}

/// Voters found at the desk; `more` when the search matched more than it shows.
#[derive(Serialize, utoipa::ToSchema)]
struct AtDesk {
    voters: Vec<svc::VoterAtDesk>,
    more: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Booths {
    booths: Vec<crate::domain::records::Booth>,
}

/// A booth tablet set up: its id and its token (shown once).
#[derive(Serialize, utoipa::ToSchema)]
struct BoothSetUp {
    id: i64,
    token: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Entered {
    seq: i64,
}

/// A candidate's statement and photo on the public ballot page.
#[derive(Serialize, utoipa::ToSchema)]
struct StatementView {
    statement: String,
    /// The photo's public URL, null without a photo.
    photo: Option<String>,
}

/// The ballot of the current round: its number, status, paper and the statements by
/// candidate id (`n<nomination id>`).
#[derive(Serialize, utoipa::ToSchema)]
struct PublicBallot {
    round: i64,
    status: String,
    ballot: crate::domain::ballot::BallotPaper,
    statements: std::collections::BTreeMap<String, StatementView>,
}

/// The handover checklist: the items, and those done as `[item, note, day]`.
#[derive(Serialize, utoipa::ToSchema)]
struct Handover {
    items: Vec<&'static str>,
    done: Vec<(String, String, String)>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct VacancyOpened {
    vacancy_id: i64,
}

/// For the document only: the shape `service::counting::Results` serializes to (that type
/// belongs to the counting code; `api_contract::typed_bodies_match_the_document` checks the
/// real answer against this).
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
struct ResultsShape {
    rounds: Vec<Value>,
    elected: Vec<Value>,
    pending: Vec<Value>,
    vacancies: Vec<Value>,
    void_reasons: Vec<Value>,
    checks: Vec<CheckShape>,
}

/// For the document only: `service::counting::Check`.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
struct CheckShape {
    code: String,
    rule: String,
    met: bool,
    detail: String,
}

/// For the document only: what `GET /public/elections/{id}/results` answers.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
struct PublicResults {
    stage: String,
    results: ResultsShape,
}

async fn open(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<RoundOpened> {
    let paper = svc::open_polls(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(RoundOpened { stage: "polling", ballot: paper }))
}

async fn close(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(svc::close_polls(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

async fn primary_open(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<RoundOpened> {
    let paper = primary::open(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(RoundOpened { stage: "nominations", ballot: paper }))
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

async fn turnout(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<Option<svc::Turnout>> {
    Ok(Json(svc::turnout(&state.store, &s.staff, id).await.api(lang)?))
}

async fn participation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<ParticipationRoll> {
    Ok(Json(ParticipationRoll { roll: svc::participation_roll(&state.store, &s.staff, id).await.api(lang)? }))
}

#[derive(Deserialize, utoipa::IntoParams)]
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
) -> ApiResult<AtDesk> {
    let (found, more) = svc::find_voters(&state.store, &s.staff, id, &q.q).await.api(lang)?;
    Ok(Json(AtDesk { voters: found, more }))
}

async fn check_in(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<CheckIn>) -> ApiResult<Done> {
    svc::check_in(&state.store, &j.session.staff, id, &j.body).await.api(j.lang)?;
    Ok(Json(Done::YES))
}

async fn booths(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult<Booths> {
    Ok(Json(Booths { booths: voting::booths(&state.store, &s.staff, id).await.api(lang)? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct BoothBody {
    station: String,
    name: String,
}

async fn register_booth(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<BoothBody>,
) -> ApiResult<BoothSetUp> {
    let (booth_id, token) =
        svc::register_booth(&state.store, &j.session.staff, id, &j.body.station, &j.body.name, None)
            .await
            .api(j.lang)?;
    Ok(Json(BoothSetUp { id: booth_id, token }))
}

/// A ballot as the API takes it: the marks, and `for` when an approved proxy casts for a
/// principal.
#[derive(Deserialize, utoipa::ToSchema)]
struct CastBody {
    #[serde(flatten)]
    marks: Marks,
    #[serde(default, rename = "for")]
    principal: Option<i64>,
    /// An end-to-end round's ballot as the voter's device encrypted and signed it: hex of its
    /// "HJB1" bytes (docs/e2e.md §5). Without it, in such a round, the server encrypts the marks
    /// on the voter's behalf and the record says so.
    #[serde(default)]
    encrypted: Option<String>,
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
    let b: CastBody = json::from_slice(&body).map_err(|bad| json::rejection(lang, &bad))?;
    let key = &state.secrets.voting_code_key;
    let cast = match b.principal {
        // A proxy: who casts must be known before the cast (their authorisation is checked).
        Some(principal) => match svc::voter_by_code(&state.store, key, code).await.map_err(api)? {
            // In an end-to-end round a proxy casts with the principal's card (no `for`).
            Some(voter) if voter.0 == id => {
                svc::cast_remote(&state.store, &state.ballots, &state.log.name, voter, Some(principal), &b.marks, None)
                    .await
            }
            _ => Err(ServiceError::Unauthenticated("err.voting_code")),
        },
        None => {
            let input = match &b.encrypted {
                Some(h) => svc::BallotInput::Encrypted(h),
                None => svc::BallotInput::Marks(&b.marks),
            };
            svc::cast_by_code(&state.store, &state.ballots, &state.log.name, key, id, code, input).await
        }
    };
    match cast {
        Ok(receipt) => Ok((StatusCode::CREATED, Json(receipt)).into_response()),
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
    let marks: Marks = json::from_slice(&body).map_err(|bad| json::rejection(lang, &bad))?;
    let receipt = voting::cast_at_booth(&state.store, &state.ballots, &state.log.name, &booth, &marks)
        .await
        .map_err(|err| ApiError { lang, err }.into_response())?;
    Ok((StatusCode::CREATED, Json(receipt)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
struct StationQuery {
    station: String,
}

async fn compare(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<StationQuery>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<svc::BoxComparison> {
    Ok(Json(svc::compare_box(&state.store, &s.staff, id, &q.station).await.api(lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct EntryBody {
    station: String,
    pass: i64,
    #[serde(default)]
    seq: Option<i64>,
    #[serde(flatten)]
    marks: Marks,
}

async fn enter(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<EntryBody>) -> ApiResult<Entered> {
    let b = &j.body;
    let seq =
        svc::enter_paper(&state.store, &j.session.staff, id, &b.station, b.pass, b.seq, &b.marks).await.api(j.lang)?;
    Ok(Json(Entered { seq }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AcceptBody {
    station: String,
    #[serde(default)]
    spoiled: i64,
}

async fn accept(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<AcceptBody>) -> ApiResult {
    Ok(Json(svc::accept_box(&state.store, &j.session.staff, id, &j.body.station, j.body.spoiled).await.api(j.lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct StatementBody {
    statement: String,
}

async fn statement(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<StatementBody>) -> ApiResult<Done> {
    svc::set_statement(&state.store, &j.session.staff, id, &j.body.statement, None).await.api(j.lang)?;
    Ok(Json(Done::YES))
}

/// The ballot paper of the current round with the candidates' statements: public once the
/// candidate list is.
async fn ballot_paper(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang) -> ApiResult<PublicBallot> {
    // What of a ballot is public, and when: `service::voting::ballot_is_public`.
    let (round_no, status, paper, statements) = voting::public_ballot(&state.store, id).await.api(lang)?;
    let statements = statements
        .iter()
        .map(|s| {
            let photo = s.has_photo.then(|| format!("/public/nominations/{}/photo", s.nomination_id));
            (
                crate::domain::ballot::candidate_id(s.nomination_id),
                StatementView { statement: s.statement.clone(), photo },
            )
        })
        .collect();
    Ok(Json(PublicBallot { round: round_no, status, ballot: paper, statements }))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ReceiptQuery {
    log: String,
    index: u64,
    receipt: String,
}

/// Checks a receipt: is the code in that entry of that (public) election log, and is the entry
/// covered by the latest signed checkpoint? Says nothing about what was voted.
async fn receipt(
    State(state): State<AppState>,
    Query(q): Query<ReceiptQuery>,
    lang: Lang,
) -> ApiResult<crate::service::receipts::ReceiptCheck> {
    let found =
        crate::service::receipts::check(&state.store, &state.log, &q.log, q.index, &q.receipt).await.api(lang)?;
    Ok(Json(found))
}

// ---- counting and results (issue 7) ----

pub fn counting_api() -> Api {
    Api::new()
        .post("/elections/{id}/count", count, Op::write("Count the current round from the frozen box"))
        .post(
            "/elections/{id}/rounds/next",
            next_round,
            Op::write("Open the next round for seats still unfilled").ok_body::<RoundOpened>(),
        )
        .post("/elections/{id}/certify", certify, Op::write("Certify the result"))
        .post(
            "/elections/{id}/void",
            void,
            Op::write("Void a result (whole election or one nomination)").body::<VoidBody>(),
        )
        .get("/elections/{id}/handover", handover, Op::staff("The handover checklist").ok_body::<Handover>())
        .post("/elections/{id}/handover", handover_item, Op::write("Record a handover item").body::<HandoverBody>())
        .get("/public/elections/{id}/results", results, Op::public("The certified results").ok_body::<PublicResults>())
        .get(
            "/public/elections/{id}/count",
            public_count,
            Op::public("A round's published count (k-anonymous tallies)").query::<CountQuery>(),
        )
}

use crate::service::counting as csvc;

async fn count(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(csvc::count_round(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

async fn next_round(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<RoundOpened> {
    let paper = csvc::next_round(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(RoundOpened { stage: "runoff", ballot: paper }))
}

async fn certify(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(csvc::certify(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
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

async fn handover(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<Handover> {
    let done = crate::service::results::handover_done(&state.store, &s.staff, id).await.api(lang)?;
    Ok(Json(Handover { items: csvc::HANDOVER_ITEMS.to_vec(), done }))
}

#[derive(Deserialize, utoipa::ToSchema)]
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

#[derive(Deserialize, utoipa::IntoParams)]
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

pub fn recall_api() -> Api {
    Api::new()
        .post(
            "/elections/{id}/recalls",
            open_recall,
            Op::write("File a recall petition against a member of the term")
                .body::<rsvc::RecallInput>()
                .ok_body::<Created>(),
        )
        .post("/elections/{id}/recall/verify", verify_recall, Op::write("Verify the recall petition's signers"))
        .post(
            "/elections/{id}/recall/answer",
            recall_answer,
            Op::write("The member's answer to the recall").body::<AnswerBody>().ok_body::<Done>(),
        )
        .get("/public/elections/{id}/recall", public_recall, Op::public("The recall, public").ok_body::<PublicRecall>())
        .get("/elections/{id}/vacancies", vacancies, Op::staff("Vacancies of the term"))
        .post(
            "/elections/{id}/vacancies",
            member_left,
            Op::write("Record that a member left office").body::<LeftBody>().ok_body::<VacancyOpened>(),
        )
        .post(
            "/elections/{id}/byelection",
            open_by_election,
            Op::write("Open the by-election for the term's open vacancies")
                .body::<rsvc::ByElectionInput>()
                .ok_body::<Created>(),
        )
}

use crate::service::recall as rsvc;

async fn open_recall(
    State(state): State<AppState>,
    Path(term): Path<i64>,
    j: StaffJson<rsvc::RecallInput>,
) -> ApiResult<Created> {
    Ok(Json(Created { id: rsvc::open_recall(&state.store, &j.session.staff, term, &j.body).await.api(j.lang)? }))
}

async fn verify_recall(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult {
    Ok(Json(rsvc::verify_petition(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AnswerBody {
    answer: String,
}

async fn recall_answer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<AnswerBody>,
) -> ApiResult<Done> {
    rsvc::publish_answer(&state.store, &j.session.staff, id, &j.body.answer).await.api(j.lang)?;
    Ok(Json(Done::YES))
}

/// The petition's reasons and the member's answer, public once the petition is verified
/// (LAW.md §9: the answer is published before the vote). Signers are not named here.
async fn public_recall(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
) -> ApiResult<voting::PublicRecall> {
    Ok(Json(voting::public_recall(&state.store, id).await.api(lang)?))
}

async fn vacancies(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult {
    Ok(Json(json!({"vacancies": crate::service::results::vacancies(&state.store, &s.staff, id).await.api(lang)?})))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct LeftBody {
    member_id: String,
    cause: String,
}

async fn member_left(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<LeftBody>,
) -> ApiResult<VacancyOpened> {
    let vid =
        rsvc::member_left(&state.store, &j.session.staff, id, &j.body.member_id, &j.body.cause).await.api(j.lang)?;
    Ok(Json(VacancyOpened { vacancy_id: vid }))
}

async fn open_by_election(
    State(state): State<AppState>,
    Path(term): Path<i64>,
    j: StaffJson<rsvc::ByElectionInput>,
) -> ApiResult<Created> {
    Ok(Json(Created { id: rsvc::open_by_election(&state.store, &j.session.staff, term, &j.body).await.api(j.lang)? }))
}
