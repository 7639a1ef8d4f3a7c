//! Sign-in, sign-out, password change, language switch.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::service::{ServiceError, accounts};
use crate::web::auth::{self, StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt, messages};
use crate::web::i18n::{Lang, Tr, text};

#[derive(Template, WebTemplate)]
#[template(path = "staff/login.html")]
struct LoginPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    changed: Option<String>,
}

/// Only local paths are followed after sign-in (no open redirect).
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/staff".into()
    }
}

pub async fn home(session: Option<StaffSession>) -> Redirect {
    Redirect::to(if session.is_some() { "/staff" } else { "/login" })
}

pub async fn login_page(lang: Lang, Query(q): Query<NextQuery>) -> impl IntoResponse {
    let notice = q.changed.map(|_| text(lang, "account.password_changed").to_string());
    LoginPage {
        t: Tr(lang),
        user: None,
        csrf: String::new(),
        next: safe_next(&q.next),
        username: String::new(),
        error: None,
        notice,
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// The client address for throttling. Behind a reverse proxy, configure it to connect from
/// loopback and set X-Forwarded-For; only then is the header trusted.
pub fn client_ip(peer: Option<std::net::SocketAddr>, headers: &HeaderMap) -> String {
    let peer_ip = peer.map(|p| p.ip());
    if peer_ip.is_some_and(|ip| ip.is_loopback())
        && let Some(f) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(first) = f.split(',').next()
    {
        return first.trim().to_string();
    }
    peer_ip.map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into())
}

pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    peer: auth::PeerAddr,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let ip = client_ip(peer.0, &headers);
    let old = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').find_map(|kv| kv.trim().strip_prefix("hj_session=")))
        .map(str::to_string);
    match accounts::login(
        &state.store,
        &state.secrets.session_key,
        form.username.trim(),
        &form.password,
        &ip,
        old.as_deref(),
    )
    .await
    {
        Ok(s) => (
            [(header::SET_COOKIE, auth::session_cookie(&s.token, state.config.secure_cookies))],
            Redirect::to(&safe_next(&form.next)),
        )
            .into_response(),
        Err(err @ (ServiceError::BadCredentials | ServiceError::Throttled { .. })) => {
            let status = if matches!(err, ServiceError::Throttled { .. }) {
                axum::http::StatusCode::TOO_MANY_REQUESTS
            } else {
                axum::http::StatusCode::UNAUTHORIZED
            };
            let page = LoginPage {
                t: Tr(lang),
                user: None,
                csrf: String::new(),
                next: safe_next(&form.next),
                username: form.username,
                error: Some(messages(lang, &err, "").join(" ")),
                notice: None,
            };
            let mut resp = (status, page).into_response();
            if let ServiceError::Throttled { retry_after_s } = err
                && let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_s.to_string())
            {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            resp
        }
        Err(err) => HtmlError { lang, err }.into_response(),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(State(state): State<AppState>, f: StaffForm<Empty>) -> Result<Response, HtmlError> {
    accounts::logout(&state.store, &state.secrets.session_key, &f.session.staff, &f.session.token)
        .await
        .html(f.lang)?;
    Ok(([(header::SET_COOKIE, auth::clear_session_cookie())], Redirect::to("/login")).into_response())
}

pub async fn set_lang(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let v = if code == "en" { "en" } else { "zh" };
    // Return to the page the switch was clicked on, if it is ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .map(|p| safe_next(&p))
        .unwrap_or_else(|| "/".into());
    ([(header::SET_COOKIE, format!("lang={v}; Path=/; Max-Age=31536000; SameSite=Lax"))], Redirect::to(&back))
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/password.html")]
struct PasswordPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
}

pub async fn password_page(lang: Lang, s: StaffSession) -> impl IntoResponse {
    PasswordPage { t: Tr(lang), user: Some(s.staff.display_name), csrf: s.csrf }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    old_password: String,
    new_password: String,
}

pub async fn change_password(State(state): State<AppState>, f: StaffForm<PasswordForm>) -> Result<Response, HtmlError> {
    accounts::change_password(&state.store, &f.session.staff, &f.form.old_password, &f.form.new_password)
        .await
        .html(f.lang)?;
    // Every session of the account ended with the change: sign in again.
    Ok(([(header::SET_COOKIE, auth::clear_session_cookie())], Redirect::to("/login?changed=1")).into_response())
}
