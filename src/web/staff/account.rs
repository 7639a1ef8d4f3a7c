//! Sign-in, sign-out, password change, language switch.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::i18n::{Lang, Tr, text};
use crate::service::{ServiceError, accounts, signin};
use crate::web::AppState;
use crate::web::auth::{self, StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt, messages};
use crate::web::nav::{safe_path, see_other};

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

fn safe_next(next: &str) -> String {
    safe_path(next).unwrap_or("/staff").to_string()
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

/// The client address for throttling. `X-Forwarded-For` is believed only when the TCP peer is
/// a configured proxy (`HUANJIE_TRUSTED_PROXIES`); then the address is the rightmost hop that is
/// not itself a trusted proxy (the left part of the header is whatever the client sent).
pub fn client_ip(
    peer: Option<std::net::SocketAddr>,
    headers: &HeaderMap,
    trusted: &crate::config::TrustedProxies,
) -> String {
    let Some(peer_ip) = peer.map(|p| p.ip()) else { return "unknown".into() };
    if !trusted.contains(peer_ip) {
        return peer_ip.to_string();
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer_ip;
    for hop in hops.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(ip) => client = ip,
            Ok(ip) => return ip.to_string(),
            // A hop no proxy of ours wrote: the last trusted one is the best we know.
            Err(_) => break,
        }
    }
    client.to_string()
}

pub fn old_session(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').find_map(|kv| kv.trim().strip_prefix("hj_session=")))
        .map(str::to_string)
}

pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    peer: auth::PeerAddr,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let ip = client_ip(peer.0, &headers, &state.config.trusted_proxies);
    let old = old_session(&headers);
    // The whole answer is settled before anything is committed: `next` is checked here and
    // its Location built, so no step after the sign-in can fail.
    let next = safe_next(&form.next);
    let location = HeaderValue::from_str(&next).unwrap_or(HeaderValue::from_static("/staff"));
    let attempt = signin::Attempt {
        username: form.username.trim(),
        password: &form.password,
        address: &ip,
        old_token: old.as_deref(),
        next: &next,
    };
    let secure = state.config.secure_cookies;
    match signin::password_step(&state.store, &state.secrets.session_key, &attempt, None).await {
        Ok(signin::Step::Session(s)) => {
            see_other(location, &[auth::session_cookie(&s.token, secure), auth::clear_booth_cookie(secure)])
        }
        Ok(signin::Step::Code(t)) => {
            see_other(HeaderValue::from_static("/login/code"), &[auth::pending_cookie(&t, secure)])
        }
        Ok(signin::Step::Enrol(t)) => {
            see_other(HeaderValue::from_static("/login/enrol"), &[auth::pending_cookie(&t, secure)])
        }
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
                next,
                username: form.username,
                error: Some(messages(lang, &err, "").join(" ")),
                notice: None,
            };
            let mut resp = (status, page).into_response();
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

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(State(state): State<AppState>, f: StaffForm<Empty>) -> Result<Response, HtmlError> {
    accounts::logout(&state.store, &state.secrets.session_key, &f.session.staff, &f.session.token)
        .await
        .html(f.lang)?;
    Ok(([(header::SET_COOKIE, auth::clear_session_cookie(state.config.secure_cookies))], Redirect::to("/login"))
        .into_response())
}

pub async fn set_lang(State(state): State<AppState>, Path(code): Path<String>, headers: HeaderMap) -> Response {
    let v = if code == "en" { "en" } else { "zh" };
    // Return to the page the switch was clicked on, if it is ours and a plain path.
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .and_then(safe_path)
        .and_then(|p| HeaderValue::from_str(p).ok())
        .unwrap_or(HeaderValue::from_static("/"));
    let sec = if state.config.secure_cookies { "; Secure" } else { "" };
    see_other(back, &[format!("lang={v}; Path=/; Max-Age=31536000; SameSite=Lax{sec}")])
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
    Ok((
        [(header::SET_COOKIE, auth::clear_session_cookie(state.config.secure_cookies))],
        Redirect::to("/login?changed=1"),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TrustedProxies;

    fn xff(v: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for x in v {
            h.append("x-forwarded-for", HeaderValue::from_str(x).unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies_rightmost_untrusted_hop() {
        let none = TrustedProxies::default();
        let lb = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let peer = |s: &str| Some(format!("{s}:1234").parse().unwrap());
        // Nothing trusted: the peer, whatever the header says (loopback included).
        assert_eq!(client_ip(peer("127.0.0.1"), &xff(&["6.6.6.6"]), &none), "127.0.0.1");
        assert_eq!(client_ip(peer("203.0.113.1"), &xff(&["6.6.6.6"]), &lb), "203.0.113.1");
        // From a proxy: the rightmost hop that is not a proxy of ours.
        assert_eq!(client_ip(peer("127.0.0.1"), &xff(&["6.6.6.6, 198.51.100.7"]), &lb), "198.51.100.7");
        assert_eq!(client_ip(peer("127.0.0.1"), &xff(&["6.6.6.6, 198.51.100.7, 10.1.1.1"]), &lb), "198.51.100.7");
        assert_eq!(client_ip(peer("127.0.0.1"), &xff(&["6.6.6.6", "198.51.100.7"]), &lb), "198.51.100.7");
        // Only proxies, or no header: the last proxy seen; garbage stops the walk.
        assert_eq!(client_ip(peer("127.0.0.1"), &xff(&["10.0.0.5"]), &lb), "10.0.0.5");
        assert_eq!(client_ip(peer("127.0.0.1"), &HeaderMap::new(), &lb), "127.0.0.1");
        assert_eq!(client_ip(peer("127.0.0.1"), &xff(&["nonsense, 10.0.0.5"]), &lb), "10.0.0.5");
        assert_eq!(client_ip(None, &xff(&["6.6.6.6"]), &lb), "unknown");
    }
}
