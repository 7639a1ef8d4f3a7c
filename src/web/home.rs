//! The public landing page at `/` (issue 13 item 1): 我要投票 in one tap, 选举公告 (every
//! published election of this deployment with its stage, election day and public pages),
//! 公开核验 (the observer portal), and a small staff sign-in link. Signed-in staff see the
//! same page with a link to their workspace.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::i18n::{Lang, Tr, text};
use crate::service::elections::{PublicElection, published};
use crate::web::AppState;
use crate::web::auth::{BOOTH_COOKIE, StaffSession};
use crate::web::error::{HtmlError, ResultExt};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(landing))
}

/// One published election as a resident reads it.
pub struct NoticeView {
    pub id: i64,
    pub title: String,
    /// The stage in a plain sentence (`home.stage.*`).
    pub stage: &'static str,
    pub election_day: String,
    pub candidates: bool,
    pub count: bool,
    pub results: bool,
}

impl NoticeView {
    pub fn of(lang: Lang, p: &PublicElection) -> NoticeView {
        NoticeView {
            id: p.e.id,
            title: format!("{}{}", p.community, p.e.round),
            stage: text(lang, &format!("home.stage.{}", p.stage.as_str())),
            election_day: p.e.plan.day.to_string(),
            candidates: p.candidates,
            count: p.count,
            results: p.results,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct Landing {
    t: Tr,
    user: Option<String>,
    csrf: String,
    elections: Vec<NoticeView>,
}

fn is_booth(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .any(|kv| kv.trim().split_once('=').is_some_and(|(k, v)| k == BOOTH_COOKIE && !v.is_empty()))
}

async fn landing(
    State(state): State<AppState>,
    lang: Lang,
    s: Option<StaffSession>,
    headers: HeaderMap,
) -> Result<Response, HtmlError> {
    // A booth tablet is a kiosk (issue 12): its `/` leads nowhere but the sign-in page, as
    // every staff URL there does, so a voter in the booth cannot walk out of the booth page.
    if is_booth(&headers) {
        return Ok(Redirect::to("/login").into_response());
    }
    let elections = published(&state.store).await.html(lang)?.iter().map(|p| NoticeView::of(lang, p)).collect();
    let (user, csrf) = match s {
        Some(s) => (Some(s.staff.display_name), s.csrf),
        None => (None, String::new()),
    };
    Ok(Landing { t: Tr(lang), user, csrf, elections }.into_response())
}
