//! `/staff/rehearsal`: the rehearsal clock page (street admins of a `huanjie rehearse`
//! deployment move the app's date; a real deployment says it cannot).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::i18n::{Lang, Tr};
use crate::service::{ServiceError, rehearsal};
use crate::web::AppState;
use crate::web::auth::{StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt};

#[derive(Template, WebTemplate)]
#[template(path = "staff/rehearsal.html")]
struct RehearsalPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    clock: rehearsal::RehearsalClock,
}

pub async fn page(State(state): State<AppState>, lang: Lang, s: StaffSession) -> impl IntoResponse {
    RehearsalPage { t: Tr(lang), user: Some(s.staff.display_name), csrf: s.csrf, clock: rehearsal::state(&state.clock) }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    day: String,
}

pub async fn move_clock(State(state): State<AppState>, f: StaffForm<MoveForm>) -> Result<Response, HtmlError> {
    let day = match f.form.day.trim() {
        "" => None,
        d => Some(
            crate::domain::parse_date(d)
                .ok_or(ServiceError::Invalid { key: "err.date", field: Some("day".into()) })
                .html(f.lang)?,
        ),
    };
    rehearsal::move_clock(&state.store, &state.clock, &f.session.staff, day).await.html(f.lang)?;
    Ok(Redirect::to("/staff/rehearsal").into_response())
}
