//! The mix and the threshold decryption of an end-to-end round (issue 18, docs/e2e.md §6–§8):
//! trustees post their shuffles and decryption shares through `huanjie trustee mix|decrypt`
//! with their ceremony token; everyone reads the board.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::domain::mix::{DecryptionMessage, MixBoard, ShuffleMessage};
use crate::i18n::Lang;
use crate::service::{ServiceError, mix as svc};
use crate::web::AppState;
use crate::web::error::{ApiError, ResultExt};
use crate::web::json;

use super::openapi::{Api, Op};

pub fn api() -> Api {
    Api::new()
        .get(
            "/elections/{id}/rounds/{round}/shuffles",
            board,
            Op::public("The mix's bulletin board of a round: its input, every shuffle with its proof, the decryption shares, the decrypted ballots")
                .ok_body::<MixBoard>(),
        )
        .post(
            "/elections/{id}/rounds/{round}/shuffles",
            post_shuffle,
            Op::trustee("A trustee posts its shuffle of the latest list with its proof (checked before it is accepted)")
                .body::<ShuffleMessage>()
                .ok_body::<MixBoard>(),
        )
        .post(
            "/elections/{id}/rounds/{round}/decryptions",
            post_decryption,
            Op::trustee("A trustee posts its decryption shares of the last shuffle's output with their proofs")
                .body::<DecryptionMessage>()
                .ok_body::<MixBoard>(),
        )
}

async fn board(
    State(state): State<AppState>,
    Path((id, round)): Path<(i64, i64)>,
    lang: Lang,
) -> Result<Json<MixBoard>, ApiError> {
    Ok(Json(svc::board(&state.store, &state.log.name, id, round).await.api(lang)?))
}

/// Parses the trustee's body and token, runs `f`, answers with the board.
async fn trustee_step<T: DeserializeOwned, F>(
    state: &AppState,
    (id, round): (i64, i64),
    lang: Lang,
    headers: &HeaderMap,
    body: &[u8],
    f: F,
) -> Result<Response, Response>
where
    F: AsyncFnOnce(&AppState, &str, &T) -> crate::service::Result<()>,
{
    let api = |err| ApiError { lang, err }.into_response();
    let token =
        super::ceremony::bearer_token(headers).ok_or_else(|| api(ServiceError::Unauthenticated("err.e2e_token")))?;
    let m: T = json::from_slice(body).map_err(|bad| json::rejection(lang, &bad))?;
    f(state, token, &m).await.map_err(api)?;
    let b = svc::board(&state.store, &state.log.name, id, round).await.map_err(api)?;
    Ok(Json(b).into_response())
}

async fn post_shuffle(
    State(state): State<AppState>,
    Path((id, round)): Path<(i64, i64)>,
    lang: Lang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    trustee_step(&state, (id, round), lang, &headers, &body, async |s: &AppState, t: &str, m: &ShuffleMessage| {
        svc::post_shuffle(&s.store, &s.log, id, round, t, m).await
    })
    .await
}

async fn post_decryption(
    State(state): State<AppState>,
    Path((id, round)): Path<(i64, i64)>,
    lang: Lang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    trustee_step(&state, (id, round), lang, &headers, &body, async |s: &AppState, t: &str, m: &DecryptionMessage| {
        svc::post_decryption(&s.store, &s.log, id, round, t, m).await
    })
    .await
}
