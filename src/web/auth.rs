//! Sessions and CSRF at the edge. `StaffSession` resolves the session cookie to a staff member;
//! `StaffForm<T>` additionally checks the form's `csrf` field against the session's token,
//! `StaffJson<T>` the `X-CSRF-Token` header. (The `CsrfLayer` origin check and SameSite=Strict
//! cookies are the other two layers of the defence.)

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use super::error::{ApiError, HtmlError};
use crate::i18n::Lang;
use crate::service::{ServiceError, Staff, accounts};
use crate::web::AppState;
// The pages' two small helpers live below the web layer (the TOTP service uses them too).
pub use crate::{net::urlencode, secrets::same_token};

/// The TCP peer, when the server was started with connect info (tests may not have one).
pub struct PeerAddr(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0)))
    }
}

pub const SESSION_COOKIE: &str = "hj_session";
/// The booth tablet's token (see `web::vote`).
pub const BOOTH_COOKIE: &str = "hj_booth";

pub fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    let raw = parts.headers.get_all(header::COOKIE);
    for v in raw {
        let Ok(s) = v.to_str() else { continue };
        for kv in s.split(';') {
            if let Some((k, v)) = kv.trim().split_once('=')
                && k == name
            {
                return Some(v);
            }
        }
    }
    None
}

/// `Set-Cookie` for the session: HttpOnly, SameSite=Strict, Secure unless the public URL is
/// plain http (`Config::secure_cookies`).
pub fn session_cookie(token: &str, secure: bool) -> String {
    let sec = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{sec}")
}

pub fn clear_session_cookie(secure: bool) -> String {
    let sec = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{sec}")
}

/// Sent with every staff sign-in: a device where a staff member signs in stops being a booth
/// (a booth device honours no staff session, see `StaffSession`).
pub fn clear_booth_cookie(secure: bool) -> String {
    let sec = if secure { "; Secure" } else { "" };
    format!("{BOOTH_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{sec}")
}

/// The half-signed-in state between the password and the code (a row on the server; the
/// cookie holds only its random id, for the sign-in pages).
pub const PENDING_COOKIE: &str = "hj_pending";

pub fn pending_cookie(token: &str, secure: bool) -> String {
    let sec = if secure { "; Secure" } else { "" };
    let max = crate::service::signin::PENDING_MS / 1000;
    format!("{PENDING_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age={max}{sec}")
}

pub fn clear_pending_cookie(secure: bool) -> String {
    let sec = if secure { "; Secure" } else { "" };
    format!("{PENDING_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0{sec}")
}

/// A signed-in staff member.
pub struct StaffSession {
    pub staff: Staff,
    pub csrf: String,
    pub token: String,
}

/// Not signed in: pages redirect to the sign-in page, the API answers 401.
pub enum AuthRejection {
    Redirect(String),
    Api(Lang),
    Error(Response),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Redirect(next) => Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response(),
            AuthRejection::Api(lang) => {
                let msg = if lang == Lang::Zh { "请先登录" } else { "Sign in first" };
                (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({"error": "unauthenticated", "message": msg})))
                    .into_response()
            }
            AuthRejection::Error(r) => r,
        }
    }
}

/// The path as the client sent it (nested routers see it without their prefix).
fn full_path(parts: &Parts) -> String {
    match parts.extensions.get::<axum::extract::OriginalUri>() {
        Some(u) => u.0.path().to_string(),
        None => parts.uri.path().to_string(),
    }
}

fn is_api(parts: &Parts) -> bool {
    full_path(parts).starts_with("/api/")
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = AuthRejection;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state).await.unwrap_or_default();
        let api = is_api(parts);
        let reject = || if api { AuthRejection::Api(lang) } else { AuthRejection::Redirect(full_path(parts)) };
        // Issue 12: a device that is a booth tablet is a kiosk; no staff session counts on it,
        // so every staff URL there shows the sign-in page.
        if cookie_value(parts, BOOTH_COOKIE).is_some_and(|v| !v.is_empty()) {
            return Err(reject());
        }
        let Some(token) = cookie_value(parts, SESSION_COOKIE).map(str::to_string) else { return Err(reject()) };
        match accounts::resume(&state.store, &state.secrets.session_key, &token).await {
            Ok(Some((staff, csrf))) => Ok(StaffSession { staff, csrf, token }),
            Ok(None) => Err(reject()),
            Err(err) => Err(AuthRejection::Error(if api {
                ApiError { lang, err }.into_response()
            } else {
                HtmlError { lang, err }.into_response()
            })),
        }
    }
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

fn csrf_refused(lang: Lang, api: bool) -> Response {
    let msg = crate::i18n::text(lang, "err.csrf");
    if api {
        (StatusCode::FORBIDDEN, axum::Json(serde_json::json!({"error": "csrf", "message": msg}))).into_response()
    } else {
        HtmlError { lang, err: ServiceError::Forbidden }.into_response()
    }
}

fn bad_request(lang: Lang, api: bool, key: &'static str) -> Response {
    let err = ServiceError::Invalid { key, field: None };
    if api { ApiError { lang, err }.into_response() } else { HtmlError { lang, err }.into_response() }
}

fn too_big(lang: Lang, api: bool) -> Response {
    let mut r = bad_request(lang, api, "err.too_big");
    *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    r
}

/// A urlencoded form from a signed-in staff member, with its CSRF token checked.
pub struct StaffForm<T> {
    pub session: StaffSession,
    pub lang: Lang,
    pub form: T,
    /// Every field as posted, in order (what a confirmation page posts again).
    pub fields: Vec<(String, String)>,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for StaffForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, state).await.unwrap_or_default();
        let session = StaffSession::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state).await.map_err(|_| too_big(lang, false))?;
        let field: CsrfField =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| bad_request(lang, false, "err.request"))?;
        if !same_token(&field.csrf, &session.csrf) {
            return Err(csrf_refused(lang, false));
        }
        // serde_html_form: repeated keys (checkboxes) become lists.
        let form: T = serde_html_form::from_bytes(&bytes).map_err(|_| bad_request(lang, false, "err.request"))?;
        let fields = serde_urlencoded::from_bytes(&bytes).map_err(|_| bad_request(lang, false, "err.request"))?;
        Ok(StaffForm { session, lang, form, fields })
    }
}

/// A JSON body from a signed-in staff member; state-changing API calls carry `X-CSRF-Token`.
pub struct StaffJson<T> {
    pub session: StaffSession,
    pub lang: Lang,
    pub body: T,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for StaffJson<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, state).await.unwrap_or_default();
        let session = StaffSession::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let token = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !same_token(token, &session.csrf) {
            return Err(csrf_refused(lang, true));
        }
        let body = crate::web::json::read(Request::from_parts(parts, body), state, lang).await?;
        Ok(StaffJson { session, lang, body })
    }
}

/// For state-changing API calls without a body (DELETE, commit).
pub struct StaffAction {
    pub session: StaffSession,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for StaffAction {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state).await.unwrap_or_default();
        let session = StaffSession::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let token = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !same_token(token, &session.csrf) {
            return Err(csrf_refused(lang, true));
        }
        Ok(StaffAction { session, lang })
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for StaffSession {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        Ok(<StaffSession as FromRequestParts<AppState>>::from_request_parts(parts, state).await.ok())
    }
}
