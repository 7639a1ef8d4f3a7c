//! Where a page sends the browser next: the one check for a `next` path taken from a request,
//! and the redirect that sets cookies on the way (sign-in, two-step, the display switch).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Longest `next` path followed after sign-in.
const NEXT_MAX: usize = 512;

/// A same-origin absolute path from a strict set of characters, or None. Only such paths are
/// followed after sign-in (no open redirect: no `//host`, no `/\host`, no control characters,
/// which browsers strip, turning `/\t/evil.example/` into `//evil.example/`), and every one is
/// a valid `Location` header, so building the redirect cannot fail after the sign-in is
/// committed.
pub fn safe_path(next: &str) -> Option<&str> {
    let ok = next.len() <= NEXT_MAX
        && next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_-.~?=&%".contains(&b));
    ok.then_some(next)
}

/// `303 See Other` to a path already checked by [`safe_path`], with cookies.
pub fn see_other(location: HeaderValue, cookies: &[String]) -> Response {
    let mut resp = axum::http::StatusCode::SEE_OTHER.into_response();
    resp.headers_mut().insert(header::LOCATION, location);
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_are_local_and_plain() {
        for ok in ["/staff", "/staff/elections/3?x=1&y=%20", "/", "/a-b_c.d~e"] {
            assert_eq!(safe_path(ok), Some(ok));
        }
        for bad in [
            "",
            "staff",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example/",
            "/staff\u{1}",
            "/staff#x",
            "/st aff",
            "/中文",
        ] {
            assert_eq!(safe_path(bad), None, "{bad:?}");
        }
        assert_eq!(safe_path(&format!("/{}", "a".repeat(NEXT_MAX))), None);
    }
}
