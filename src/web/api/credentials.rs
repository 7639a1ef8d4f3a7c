//! The credential list (issue 18 item 3; docs/e2e.md §5): published for everyone, and the
//! credential authority's upload.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;

use crate::i18n::Lang;
use crate::service::credentials::{self as svc, PublishedCredentials, Upload};
use crate::web::AppState;
use crate::web::auth::StaffJson;
use crate::web::error::{ApiError, ResultExt};

use super::openapi::{Api, Op};

pub fn api() -> Api {
    Api::new()
        .get(
            "/elections/{id}/credentials",
            list,
            Op::public("The voter credentials (public keys, sorted, no names), live and revoked, with the list's SHA-256 and source")
                .ok_body::<PublishedCredentials>(),
        )
        .post(
            "/elections/{id}/credentials",
            upload,
            Op::write("Take a credential authority's upload (`huanjie credentials generate`): codes' keyed hashes by voter number, and the credentials")
                .body::<Upload>()
                .ok_body::<Uploaded>(),
        )
}

async fn list(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
) -> Result<Json<PublishedCredentials>, ApiError> {
    Ok(Json(svc::published(&state.store, &state.log.name, id).await.api(lang)?))
}

#[derive(Serialize, utoipa::ToSchema)]
struct Uploaded {
    /// Credentials added to the list (and cards whose codes were set).
    added: usize,
}

async fn upload(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<Upload>,
) -> Result<Json<Uploaded>, ApiError> {
    let added = svc::import(&state.store, &state.log.name, &j.session.staff, id, &j.body).await.api(j.lang)?;
    Ok(Json(Uploaded { added }))
}
