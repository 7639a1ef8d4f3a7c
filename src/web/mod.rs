//! HTTP: the staff pages (HTML, askama), the JSON API under `/api/v1`, static files, and the
//! layers every request passes: request id, security headers, CSRF origin check, body limit.

pub mod api;
pub mod auth;
pub mod error;
pub mod i18n;
pub mod observe;
pub mod qr;
pub mod staff;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::routing::get;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;

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
        .merge(staff::router())
        .merge(observe::router())
        .nest("/api/v1", api::router())
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/app.css", get(stylesheet))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CsrfLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
        .with_state(state)
}

/// The one stylesheet, compiled into the binary so the server needs no files beside it.
async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/app.css"),
    )
}
