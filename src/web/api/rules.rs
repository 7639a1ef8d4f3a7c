//! Endpoints for the rules of issue 16: incapacity confirmations and absentees' notices
//! (LAW.md §3), complaints and their written answers (LAW.md §8).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::i18n::Lang;
use crate::service::{complaints, count_conduct, electorate_facts as facts};
use crate::web::auth::{StaffJson, StaffSession};
use crate::web::error::{ApiError, ResultExt};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/elections/{id}/incapacity", get(incapacities).post(confirm_incapacity))
        .route("/elections/{id}/absentees", post(notify_absence))
        .route("/elections/{id}/complaints", get(list_complaints).post(file_complaint))
        .route("/complaints/{id}/answer", post(answer_complaint))
        .route("/elections/{id}/count-conduct", post(record_count_conduct))
}

type ApiResult = Result<Json<Value>, ApiError>;

#[derive(Deserialize)]
struct IncapacityBody {
    resident_id: i64,
    basis: String,
}

async fn confirm_incapacity(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<IncapacityBody>,
) -> ApiResult {
    let cid = facts::confirm_incapacity(&state.store, &j.session.staff, id, j.body.resident_id, &j.body.basis)
        .await
        .api(j.lang)?;
    Ok(Json(json!({ "id": cid })))
}

async fn incapacities(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult {
    Ok(Json(json!({ "confirmations": facts::incapacities(&state.store, &s.staff, id).await.api(lang)? })))
}

#[derive(Deserialize)]
struct AbsenceBody {
    resident_id: i64,
}

async fn notify_absence(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<AbsenceBody>) -> ApiResult {
    let n =
        facts::notify_absence(&state.store, &state.log, &j.session.staff, id, j.body.resident_id).await.api(j.lang)?;
    Ok(Json(json!({ "absentees": n })))
}

#[derive(Deserialize)]
struct ComplaintBody {
    filed_by: String,
    #[serde(default)]
    contact: String,
    subject: String,
}

async fn file_complaint(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<ComplaintBody>) -> ApiResult {
    let b = &j.body;
    let cid =
        complaints::file(&state.store, &j.session.staff, id, &b.filed_by, &b.contact, &b.subject).await.api(j.lang)?;
    Ok(Json(json!({ "id": cid })))
}

async fn list_complaints(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult {
    Ok(Json(json!(complaints::list(&state.store, &s.staff, id).await.api(lang)?)))
}

#[derive(Deserialize)]
struct AnswerBody {
    answer: String,
}

async fn answer_complaint(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<AnswerBody>) -> ApiResult {
    Ok(Json(json!(complaints::answer(&state.store, &j.session.staff, id, &j.body.answer).await.api(j.lang)?)))
}

#[derive(Deserialize)]
struct ConductBody {
    finding: String,
}

/// LAW.md §8 [P, CQ Art. 34]: the committee records a round not counted in public or not announced on the spot.
async fn record_count_conduct(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<ConductBody>,
) -> ApiResult {
    Ok(Json(count_conduct::record(&state.store, &state.log, &j.session.staff, id, &j.body.finding).await.api(j.lang)?))
}
