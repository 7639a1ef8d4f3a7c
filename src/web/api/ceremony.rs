//! The trustees' key ceremony (issue 18, docs/e2e.md §4): the committee opens it, each trustee
//! posts through `huanjie trustee` with its token, everyone reads the board.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::domain::ceremony::{CeremonyBoard, CheckMessage, DealingMessage, KeyMessage};
use crate::i18n::Lang;
use crate::service::{ServiceError, ceremony as svc};
use crate::web::AppState;
use crate::web::auth::StaffJson;
use crate::web::error::{ApiError, ResultExt};
use crate::web::json;

use super::openapi::{Api, Op};

pub fn api() -> Api {
    Api::new()
        .get(
            "/elections/{id}/ceremony",
            board,
            Op::public("The key ceremony's bulletin board: trustees' keys, dealings, complaints and verdicts, the election key")
                .ok_body::<CeremonyBoard>(),
        )
        .post(
            "/elections/{id}/ceremony",
            open,
            Op::write("Open the trustees' key ceremony (after the candidate list; the serving committee members are the trustees)")
                .body::<OpenBody>()
                .ok_body::<crate::service::ceremony::Opened>(),
        )
        .post(
            "/elections/{id}/ceremony/trustees/{trustee}/withdraw",
            withdraw,
            Op::write("A trustee withdraws (LAW.md §2): it takes no further part; the ceremony fails if the key is not fixed yet, or if fewer than k serve before the polls open")
                .body::<WithdrawBody>()
                .ok_body::<crate::service::ceremony::Withdrawal>(),
        )
        .post(
            "/elections/{id}/ceremony/key",
            post_key,
            Op::trustee("A trustee posts its ceremony key with its proof").body::<KeyMessage>().ok_body::<CeremonyBoard>(),
        )
        .post(
            "/elections/{id}/ceremony/dealing",
            post_dealing,
            Op::trustee("A trustee posts its commitments and sealed shares")
                .body::<DealingMessage>()
                .ok_body::<CeremonyBoard>(),
        )
        .post(
            "/elections/{id}/ceremony/check",
            post_check,
            Op::trustee("A trustee reports the shares it opened, with a public complaint for each bad one")
                .body::<CheckMessage>()
                .ok_body::<CeremonyBoard>(),
        )
}

#[derive(Deserialize, utoipa::ToSchema)]
struct OpenBody {
    /// How many trustees decrypt (default: a majority).
    #[serde(default)]
    k: Option<u32>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct WithdrawBody {
    /// `left_committee`, `recused` or `unavailable`.
    reason: String,
}

async fn withdraw(
    State(state): State<AppState>,
    Path((id, trustee)): Path<(i64, u32)>,
    j: StaffJson<WithdrawBody>,
) -> Result<Response, ApiError> {
    let w = svc::withdraw(&state.store, &state.log, &j.session.staff, id, trustee, &j.body.reason).await.api(j.lang)?;
    Ok(Json(w).into_response())
}

async fn board(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
) -> Result<Json<CeremonyBoard>, ApiError> {
    Ok(Json(svc::board(&state.store, &state.log.name, id).await.api(lang)?))
}

async fn open(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<OpenBody>,
) -> Result<Response, ApiError> {
    let opened = svc::open(&state.store, &state.log, &j.session.staff, id, j.body.k).await.api(j.lang)?;
    Ok(Json(opened).into_response())
}

/// The trustee token of an `Authorization: Bearer` header (the ceremony's and the mix's steps).
pub(super) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Parses the trustee's body and token, runs `f`, answers with the board.
async fn trustee_step<T: DeserializeOwned, F>(
    state: &AppState,
    id: i64,
    lang: Lang,
    headers: &HeaderMap,
    body: &[u8],
    f: F,
) -> Result<Response, Response>
where
    F: AsyncFnOnce(&AppState, &str, &T) -> crate::service::Result<()>,
{
    let api = |err| ApiError { lang, err }.into_response();
    let token = bearer_token(headers).ok_or_else(|| api(ServiceError::Unauthenticated("err.e2e_token")))?;
    let m: T = json::from_slice(body).map_err(|bad| json::rejection(lang, &bad))?;
    f(state, token, &m).await.map_err(api)?;
    let b = svc::board(&state.store, &state.log.name, id).await.map_err(api)?;
    Ok(Json(b).into_response())
}

async fn post_key(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    trustee_step(&state, id, lang, &headers, &body, async |s: &AppState, t: &str, m: &KeyMessage| {
        svc::post_key(&s.store, &s.log, id, t, m).await
    })
    .await
}

async fn post_dealing(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    trustee_step(&state, id, lang, &headers, &body, async |s: &AppState, t: &str, m: &DealingMessage| {
        svc::post_dealing(&s.store, &s.log, id, t, m).await
    })
    .await
}

async fn post_check(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    trustee_step(&state, id, lang, &headers, &body, async |s: &AppState, t: &str, m: &CheckMessage| {
        svc::post_check(&s.store, &s.log, id, t, m).await
    })
    .await
}
