//! The rehearsal clock (`huanjie rehearse`): `GET /rehearsal/clock` says whether this is a
//! rehearsal and which day the app runs on; `POST /rehearsal/clock {"day": "YYYY-MM-DD"|null}`
//! (street admins, rehearsal deployments only) moves it.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use crate::i18n::Lang;
use crate::service::{ServiceError, rehearsal};
use crate::web::AppState;
use crate::web::auth::{StaffJson, StaffSession};
use crate::web::error::{ApiError, ResultExt};

use super::openapi::{Api, Op};

/// The rehearsal clock's routes with their document entries (see [`super::openapi::Api`]).
pub fn api() -> Api {
    Api::new()
        .get(
            "/rehearsal/clock",
            clock,
            Op::staff("Whether this is a rehearsal deployment and which day the app runs on")
                .ok_body::<rehearsal::RehearsalClock>(),
        )
        .post(
            "/rehearsal/clock",
            move_clock,
            Op::write("Move a rehearsal deployment's clock (street admins; {\"day\": null} returns to the real date)")
                .body::<MoveBody>()
                .ok_body::<rehearsal::RehearsalClock>(),
        )
}

async fn clock(State(state): State<AppState>, _s: StaffSession) -> Json<rehearsal::RehearsalClock> {
    Json(rehearsal::state(&state.clock))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct MoveBody {
    #[serde(default)]
    day: Option<String>,
}

async fn move_clock(
    State(state): State<AppState>,
    j: StaffJson<MoveBody>,
) -> Result<Json<rehearsal::RehearsalClock>, ApiError> {
    let lang: Lang = j.lang;
    let day = match j.body.day.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(
            crate::domain::parse_date(d)
                .ok_or(ServiceError::Invalid { key: "err.date", field: Some("day".into()) })
                .api(lang)?,
        ),
        None => None,
    };
    let c = rehearsal::move_clock(&state.store, &state.clock, &j.session.staff, day).await.api(lang)?;
    Ok(Json(c))
}
