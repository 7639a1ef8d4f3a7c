//! The 大字版 (large type, high contrast) switch for older residents, after the national
//! 适老化 guidance for public-service web pages (《互联网网站适老化通用设计规范》, MIIT 2020:
//! larger type, more line spacing, high contrast, larger targets). A link in every header, no
//! JavaScript: `GET /display/large` or `/display/standard` sets the `display` cookie and goes
//! back to the page it was clicked on; `<html class="large">` (templates/base.html) turns the
//! large styles of static/app.css on.
//!
//! The choice reaches the templates without a field in every page struct: a layer reads the
//! cookie once per request and runs the request inside a task-local scope, and
//! [`crate::i18n::Tr::large`] reads it while the page renders (askama renders inside the
//! handler's response future, so inside the scope).

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::Deserialize;

use crate::web::AppState;
use crate::web::nav::{safe_path, see_other};

/// `display=large` in a Cookie header.
pub fn large_in(cookie: Option<&str>) -> bool {
    cookie.is_some_and(|c| c.split(';').any(|p| p.trim() == "display=large"))
}

/// The layer: every request runs with its display choice in scope.
pub async fn scope(req: Request, next: Next) -> Response {
    let large = large_in(req.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()));
    crate::i18n::with_display(large, next.run(req)).await
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Where a switch in the header goes back to: `next` if it is a safe local path, else the
/// page it was clicked on (the Referer, a same-origin path only), else `/`. A page that was the
/// answer to a form (the ballot's review, a cast) cannot be fetched again, so the switch returns
/// to the start of that flow instead.
pub fn back(next: &str, headers: &HeaderMap) -> HeaderValue {
    let from_referer = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]));
    let path = safe_path(next).or_else(|| from_referer.and_then(safe_path)).unwrap_or("/");
    let bare = path.split('?').next().unwrap_or(path);
    let path = match bare {
        "/vote/signin" | "/vote/review" | "/vote/edit" | "/vote/cast" => "/vote/ballot",
        "/booth/setup" | "/booth/review" | "/booth/edit" | "/booth/cast" => "/booth",
        _ => path,
    };
    HeaderValue::from_str(path).unwrap_or(HeaderValue::from_static("/"))
}

/// `GET /display/{large|standard}`: remembers the choice for a year and goes back.
pub async fn set_display(
    State(state): State<AppState>,
    Path(mode): Path<String>,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
) -> Response {
    let v = if mode == "large" { "large" } else { "standard" };
    let sec = if state.config.secure_cookies { "; Secure" } else { "" };
    see_other(back(&q.next, &headers), &[format!("display={v}; Path=/; Max-Age=31536000; SameSite=Lax{sec}")])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cookie_among_others() {
        assert!(large_in(Some("lang=en; display=large; hj_session=x")));
        assert!(!large_in(Some("display=standard")));
        assert!(!large_in(Some("xdisplay=large")));
        assert!(!large_in(None));
    }

    #[test]
    fn goes_back_to_local_pages_only() {
        let mut h = HeaderMap::new();
        h.insert(header::REFERER, HeaderValue::from_static("http://x.example/public/elections/3?round=1"));
        assert_eq!(back("", &h), "/public/elections/3?round=1");
        assert_eq!(back("/observe", &h), "/observe");
        assert_eq!(back("//evil.example/", &h), "/public/elections/3?round=1");
        h.insert(header::REFERER, HeaderValue::from_static("http://x.example/vote/review"));
        assert_eq!(back("", &h), "/vote/ballot");
        h.insert(header::REFERER, HeaderValue::from_static("http://x.example//evil.example/"));
        assert_eq!(back("https://evil.example/", &h), "/");
        assert_eq!(back("", &HeaderMap::new()), "/");
    }
}
