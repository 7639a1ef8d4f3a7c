//! HTTP: the staff pages (HTML, askama), the JSON API under `/api/v1`, static files, and the
//! layers every request passes: request id, security headers, CSRF origin check, body limit.

pub mod api;
mod app;
pub mod auth;
pub mod display;
pub mod error;
pub mod home;
pub mod json;
pub mod nav;
pub mod observe;
pub mod staff;
pub use app::{AppState, StartError, build_app, serve};
pub mod vote;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::routing::get;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// Progress of long imports, per node (display only; the import itself is one transaction).
#[derive(Clone, Default)]
pub struct Progress(Arc<Mutex<HashMap<i64, (i64, i64)>>>);

impl Progress {
    pub fn remove(&self, batch: i64) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(&batch);
        }
    }
    pub fn set(&self, batch: i64, done: i64, total: i64) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(batch, (done, total));
        }
    }
    pub fn get(&self, batch: i64) -> Option<(i64, i64)> {
        self.0.lock().ok().and_then(|m| m.get(&batch).copied())
    }
}

#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&hex::encode(rand::random::<[u8; 8]>())).ok().map(RequestId::new)
    }
}

/// Forms and JSON bodies are small; only the spreadsheet upload gets more room.
pub const BODY_LIMIT: usize = 256 * 1024;

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(home::router())
        .merge(staff::router())
        .merge(observe::router())
        .merge(vote::router())
        .nest("/api/v1", api::router())
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/app.css", get(stylesheet))
        .route("/display/{mode}", get(display::set_display))
        .route("/static/vote.js", get(vote_script))
        .route("/api/docs", get(api_docs))
        .route("/static/api-docs.js", get(api_docs_script))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), on_the_clock))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CsrfLayer::new())
        .layer(axum::middleware::from_fn(localize_rejections))
        .layer(axum::middleware::from_fn(display::scope))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
        .with_state(state)
}

/// Runs every request on the app's clock, so all its deadline checks see the same day.
async fn on_the_clock(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    state.clock.scope(next.run(req)).await
}

/// The one stylesheet, compiled into the binary so the server needs no files beside it.
async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/app.css"),
    )
}

/// The vote page's one script (issue 13: the code from the card's QR fragment into the field),
/// compiled in like the stylesheet; the CSP allows scripts from 'self' only.
async fn vote_script() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/vote.js"),
    )
}

/// The browsable view of the API document (issue 17): a page of our own, no CDN.
async fn api_docs() -> impl axum::response::IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], include_str!("../../static/api.html"))
}

async fn api_docs_script() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/api-docs.js"),
    )
}

/// Unknown paths: a 404 in the user's language (JSON under /api).
async fn not_found(lang: crate::i18n::Lang, uri: axum::http::Uri) -> axum::response::Response {
    let err = crate::service::ServiceError::NotFound;
    if uri.path().starts_with("/api/") {
        // `no_route` (not `not_found`): the path itself is unknown, not a record behind it.
        let msg = crate::i18n::text(lang, "err.not_found");
        axum::response::IntoResponse::into_response((
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": "no_route", "message": msg})),
        ))
    } else {
        axum::response::IntoResponse::into_response(error::HtmlError { lang, err })
    }
}

/// axum's own extractor rejections (a malformed path id, form, query or JSON body, a wrong
/// method) answer in plain English text; this replaces them with the same clear error in the
/// user's language that the rest of the service gives, keeping the status.
async fn localize_rejections(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let lang = crate::i18n::Lang::from_headers(
        req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()),
        req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    );
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain"));
    let empty_forbidden =
        status == axum::http::StatusCode::FORBIDDEN && resp.headers().get(header::CONTENT_TYPE).is_none();
    if !(status.is_client_error() && (plain || empty_forbidden)) || resp.headers().contains_key(header::RETRY_AFTER) {
        return resp;
    }
    // Plain-text client errors from handlers of ours are the log endpoints' notes (2xx) only,
    // so any plain 4xx is a framework rejection.
    let key = match status {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => "err.too_big",
        axum::http::StatusCode::METHOD_NOT_ALLOWED => "err.method_not_allowed",
        axum::http::StatusCode::NOT_FOUND => "err.not_found",
        // The cross-origin check (CsrfLayer) refuses with an empty 403.
        axum::http::StatusCode::FORBIDDEN => "err.csrf",
        _ => "err.request",
    };
    let err = crate::service::ServiceError::Invalid { key, field: None };
    let mut out = if api {
        axum::response::IntoResponse::into_response(error::ApiError { lang, err })
    } else {
        axum::response::IntoResponse::into_response(error::HtmlError { lang, err })
    };
    *out.status_mut() = status;
    out
}

/// Every handler can take the reader's language as an argument: the `lang` cookie, else
/// `Accept-Language` (see [`crate::i18n::Lang::from_headers`]).
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for crate::i18n::Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let h = |n| parts.headers.get(n).and_then(|v| v.to_str().ok());
        Ok(crate::i18n::Lang::from_headers(h(axum::http::header::COOKIE), h(axum::http::header::ACCEPT_LANGUAGE)))
    }
}
