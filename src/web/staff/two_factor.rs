//! Two-step verification pages: the code step of sign-in, the enrolment a street admin must
//! finish before anything else, the recovery codes shown once, the account page that offers
//! TOTP to every staff member, and a street admin's reset of another account's.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::account::{Empty, old_session};
use crate::i18n::{Lang, Tr, text};
use crate::service::{ServiceError, signin, totp};
use crate::web::AppState;
use crate::web::auth::{self, StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt, messages};
use crate::web::nav::{safe_path, see_other};

/// What an authenticator app needs: the key in base32, the otpauth URI and its QR code.
pub struct Enrolment {
    secret: String,
    uri: String,
    qr: String,
}

impl Enrolment {
    fn new(username: &str, secret: &[u8]) -> Enrolment {
        let uri = totp::otpauth_uri(signin::ISSUER, username, secret);
        Enrolment { secret: totp::base32(secret), qr: totp::qr_svg(&uri), uri }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/login_code.html")]
struct CodePage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    username: String,
    enrol: Option<Enrolment>,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/recovery_codes.html")]
struct RecoveryPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    codes: Vec<String>,
    next: String,
}

fn pending_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|c| c.split(';'))
        .find_map(|kv| kv.trim().strip_prefix("hj_pending=").map(str::to_string))
        .filter(|t| !t.is_empty())
}

/// The pending sign-in's form token: bound to the pending id, so a form cannot be posted
/// for someone else's half-finished sign-in (SameSite cookies and the origin check are the
/// other layers).
fn pending_csrf(key: &[u8], token: &str) -> String {
    hex::encode(&accounts_hash(key, &format!("pending-csrf:{token}"))[..16])
}

fn accounts_hash(key: &[u8], s: &str) -> Vec<u8> {
    crate::service::accounts::session_hash(key, s)
}

fn code_page(state: &AppState, lang: Lang, token: &str, p: signin::Pending, error: Option<String>) -> CodePage {
    let enrol = if p.kind == "enrol" { p.secret.as_deref().map(|s| Enrolment::new(&p.username, s)) } else { None };
    CodePage {
        t: Tr(lang),
        user: None,
        csrf: pending_csrf(&state.secrets.session_key, token),
        username: p.username,
        enrol,
        error,
    }
}

/// `GET /login/code` and `GET /login/enrol`: the second step, or back to the password.
pub async fn second_step_page(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    let Some(token) = pending_token(&headers) else { return Redirect::to("/login").into_response() };
    match signin::pending(&state.store, &state.secrets.session_key, &token).await {
        Ok(Some(p)) => code_page(&state, lang, &token, p, None).into_response(),
        Ok(None) => Redirect::to("/login").into_response(),
        Err(err) => HtmlError { lang, err }.into_response(),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /login/code`: the code (or a recovery code, or the enrolment's first code).
pub async fn second_step(
    State(state): State<AppState>,
    lang: Lang,
    peer: auth::PeerAddr,
    headers: HeaderMap,
    axum::Form(form): axum::Form<CodeForm>,
) -> Response {
    let key = &state.secrets.session_key;
    let secure = state.config.secure_cookies;
    let Some(token) = pending_token(&headers) else { return Redirect::to("/login").into_response() };
    if !auth::same_token(&form.csrf, &pending_csrf(key, &token)) {
        return HtmlError { lang, err: ServiceError::Forbidden }.into_response();
    }
    let pending = match signin::pending(&state.store, key, &token).await {
        Ok(Some(p)) => p,
        Ok(None) => return expired(lang, secure),
        Err(err) => return HtmlError { lang, err }.into_response(),
    };
    // Settle the answer before the sign-in is committed.
    let location = safe_path(&pending.next)
        .and_then(|p| HeaderValue::from_str(p).ok())
        .unwrap_or(HeaderValue::from_static("/staff"));
    let ip = super::client_ip(peer.0, &headers, &state.config.trusted_proxies);
    let old = old_session(&headers);
    match signin::code_step(&state.store, key, &token, &form.code, &ip, old.as_deref()).await {
        Ok(done) => {
            let cookies = [
                auth::session_cookie(&done.session.token, secure),
                auth::clear_pending_cookie(secure),
                auth::clear_booth_cookie(secure),
            ];
            if done.recovery_codes.is_empty() {
                return see_other(location, &cookies);
            }
            let page = RecoveryPage {
                t: Tr(lang),
                user: None,
                csrf: String::new(),
                codes: done.recovery_codes,
                next: location.to_str().unwrap_or("/staff").to_string(),
            };
            let mut resp = page.into_response();
            for c in cookies {
                if let Ok(v) = HeaderValue::from_str(&c) {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            resp
        }
        Err(ServiceError::Unauthenticated("signin.err.expired")) => expired(lang, secure),
        Err(err @ (ServiceError::Unauthenticated(_) | ServiceError::Throttled { .. })) => {
            let status = if let ServiceError::Throttled { .. } = err {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let msg = messages(lang, &err, "").join(" ");
            let mut resp = (status, code_page(&state, lang, &token, pending, Some(msg))).into_response();
            if let ServiceError::Throttled { retry_after_s } = err
                && let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string())
            {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            resp
        }
        Err(err) => HtmlError { lang, err }.into_response(),
    }
}

fn expired(lang: Lang, secure: bool) -> Response {
    let mut resp = HtmlError { lang, err: ServiceError::Unauthenticated("signin.err.expired") }.into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::clear_pending_cookie(secure)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

// ---- the account page: offered to every staff member ----

#[derive(Template, WebTemplate)]
#[template(path = "staff/two_factor.html")]
struct AccountPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    enrolled: bool,
    required: bool,
    enrol: Option<Enrolment>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn account_page(
    State(state): State<AppState>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<DoneQuery>,
) -> Result<impl IntoResponse, HtmlError> {
    let key = &state.secrets.session_key;
    let enrolled = signin::enrolled(&state.store, s.staff.user_id).await.html(lang)?;
    let enrol = if enrolled {
        None
    } else {
        signin::unconfirmed_secret(&state.store, key, s.staff.user_id)
            .await
            .html(lang)?
            .map(|secret| Enrolment::new(&s.staff.username, &secret))
    };
    let notice = match q.done.as_str() {
        "disabled" => Some(text(lang, "signin.done.disabled")),
        _ => None,
    };
    Ok(AccountPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf,
        enrolled,
        required: signin::totp_required(&s.staff.grants),
        enrol,
        notice,
    })
}

pub async fn account_start(State(state): State<AppState>, f: StaffForm<Empty>) -> Result<Redirect, HtmlError> {
    signin::begin_enrolment(&state.store, &state.secrets.session_key, &f.session.staff).await.html(f.lang)?;
    Ok(Redirect::to("/account/2fa"))
}

#[derive(Deserialize)]
pub struct CodeField {
    #[serde(default)]
    code: String,
}

pub async fn account_confirm(State(state): State<AppState>, f: StaffForm<CodeField>) -> Result<Response, HtmlError> {
    let codes = signin::confirm_enrolment(&state.store, &state.secrets.session_key, &f.session.staff, &f.form.code)
        .await
        .html(f.lang)?;
    Ok(RecoveryPage {
        t: Tr(f.lang),
        user: Some(f.session.staff.display_name),
        csrf: f.session.csrf,
        codes,
        next: "/account/2fa".into(),
    }
    .into_response())
}

pub async fn account_disable(State(state): State<AppState>, f: StaffForm<CodeField>) -> Result<Redirect, HtmlError> {
    signin::disable(&state.store, &state.secrets.session_key, &f.session.staff, &f.form.code).await.html(f.lang)?;
    Ok(Redirect::to("/account/2fa?done=disabled"))
}

/// `POST /staff/users/{id}/totp/reset`: a street admin resets an account in their street office.
pub async fn reset(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<Empty>,
) -> Result<Redirect, HtmlError> {
    signin::reset(&state.store, Some(&f.session.staff), id).await.html(f.lang)?;
    Ok(Redirect::to("/staff/users?done=totp_reset"))
}
