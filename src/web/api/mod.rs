//! The JSON API under `/api/v1`: everything the staff pages can do. Sign in with
//! `POST /api/v1/session`, keep the cookie, and send the returned `csrf_token` as
//! `X-CSRF-Token` on every state-changing call. Described at `/api/v1/openapi.json`.

mod bodies;
mod ceremony;
mod credentials;
pub mod elections;
mod group_elections;
pub mod logs;
mod mix;
pub mod openapi;
mod polling;
mod registry;
mod rehearsal;
mod rules;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::service::{accounts, signin};
use crate::web::AppState;
use crate::web::auth::{self, StaffAction, StaffSession};
use crate::web::error::{ApiError, ResultExt};
use openapi::{Api, Op};

/// Every API route with its document entry (see [`openapi::Api`]).
pub fn api() -> Api {
    Api::new()
        .post(
            "/session",
            login,
            Op::public("Sign in with username, password and (for accounts with two-step verification) code; returns csrf_token and sets the session cookie")
                .body::<LoginBody>()
                .ok_body::<SignedIn>()
                .also(&["bad_credentials", "unauthenticated", "throttled", "rate_limited", "refused"])
                .example(|| json!({"username": "admin", "password": "demo-admin-pass", "code": "123456"})),
        )
        .delete("/session", logout, Op::write("Sign out").ok_body::<bodies::Done>())
        .get("/me", me, Op::staff("The signed-in staff member, roles and CSRF token").ok_body::<Me>())
        .merge(registry::api())
        .merge(logs::api())
        .merge(elections::api())
        .merge(polling::api())
        .merge(polling::counting_api())
        .merge(polling::recall_api())
        .merge(group_elections::api())
        .merge(rehearsal::api())
        .merge(rules::api())
        .merge(ceremony::api())
        .merge(credentials::api())
        .merge(mix::api())
}

pub fn router() -> Router<AppState> {
    let (router, ops) = api().into_parts();
    let doc = std::sync::Arc::new(openapi::document(&ops));
    router.route("/openapi.json", get(move || async move { Json((*doc).clone()) }))
}

/// The generated document (for `huanjie openapi` and the tests).
pub fn document() -> serde_json::Value {
    openapi::document(&api().into_parts().1)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    username: String,
    password: String,
    /// The TOTP code (or a recovery code) of an account with two-step verification.
    #[serde(default)]
    code: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    peer: auth::PeerAddr,
    headers: HeaderMap,
    j: crate::web::json::ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let (lang, body) = (j.lang, j.body);
    let ip = crate::web::staff::client_ip(peer.0, &headers, &state.config.trusted_proxies);
    let attempt = signin::Attempt {
        username: body.username.trim(),
        password: &body.password,
        address: &ip,
        old_token: None,
        next: "/staff",
    };
    // One call carries both factors: an account with TOTP sends `code` too (no pending state).
    let code = body.code.as_deref().map(str::trim).unwrap_or("");
    let step = signin::password_step(&state.store, &state.secrets.session_key, &attempt, Some(code)).await.api(lang)?;
    let signin::Step::Session(s) = step else {
        return Err(ApiError { lang, err: crate::service::ServiceError::Refused("signin.err.enrol_first") });
    };
    let secure = state.config.secure_cookies;
    let mut resp = Json(SignedIn { user_id: s.user_id, csrf_token: s.csrf }).into_response();
    // Appended, not inserted: both cookies must reach the client.
    for c in [auth::session_cookie(&s.token, secure), auth::clear_booth_cookie(secure)] {
        if let Ok(v) = axum::http::HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

async fn logout(State(state): State<AppState>, a: StaffAction) -> Result<Response, ApiError> {
    accounts::logout(&state.store, &state.secrets.session_key, &a.session.staff, &a.session.token).await.api(a.lang)?;
    Ok(([(header::SET_COOKIE, auth::clear_session_cookie(state.config.secure_cookies))], Json(bodies::Done::YES))
        .into_response())
}

/// What signing in answers (the session cookie comes with it).
#[derive(serde::Serialize, utoipa::ToSchema)]
struct SignedIn {
    user_id: i64,
    /// Send it as `X-CSRF-Token` on every state-changing call.
    csrf_token: String,
}

/// One role of the signed-in staff member and where it holds.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct MeRole {
    role: &'static str,
    scope_kind: &'static str,
    scope_id: i64,
}

/// `GET /me`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Me {
    user_id: i64,
    username: String,
    display_name: String,
    roles: Vec<MeRole>,
    csrf_token: String,
}

async fn me(s: StaffSession) -> Json<Me> {
    let roles = s
        .staff
        .grants
        .iter()
        .map(|g| MeRole { role: g.role.as_str(), scope_kind: g.scope.kind.as_str(), scope_id: g.scope.id })
        .collect();
    Json(Me {
        user_id: s.staff.user_id,
        username: s.staff.username.clone(),
        display_name: s.staff.display_name.clone(),
        roles,
        csrf_token: s.csrf,
    })
}
