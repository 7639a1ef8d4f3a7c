//! The one JSON body parser of the API: every JSON extractor (`StaffJson`, [`ApiJson`]) reads
//! its body through [`parse`], so a bad body always answers 422 `{error: "invalid", message,
//! fields: [{field, key, expected}]}` naming the path of the bad field (`stations[0].name`) and
//! the type it must have, in the reader's language, never a bare 400 or the parser's English.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::i18n::{Lang, text};
use crate::web::AppState;

/// What a bad body got wrong, in words a client can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadJson {
    /// The path of the bad field (`resident_id`, `stations[0].name`); empty when the body is
    /// not JSON at all.
    pub path: String,
    /// `missing`, `type` or `syntax`.
    pub kind: &'static str,
    /// The JSON type the field must have: integer, string, boolean, array, object, number,
    /// value (anything else serde asked for).
    pub expected: &'static str,
    pub line: usize,
    pub column: usize,
}

/// What serde said it expected, as a JSON type.
fn json_type(expected: &str) -> &'static str {
    let e = expected.trim();
    let ints = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize", "an integer"];
    if ints.iter().any(|i| e == *i || e.starts_with(&format!("{i} "))) || e.contains("integer") {
        "integer"
    } else if e.starts_with("a string") || e.starts_with("a borrowed string") || e.starts_with("a character") {
        "string"
    } else if e.starts_with("a boolean") {
        "boolean"
    } else if e.starts_with("a sequence") || e.starts_with("a tuple") {
        "array"
    } else if e.starts_with("struct ") || e.starts_with("a map") {
        "object"
    } else if e.starts_with("f32") || e.starts_with("f64") || e.contains("number") {
        "number"
    } else {
        "value"
    }
}

/// Reads `bytes` as `T`, or says which field is wrong and how.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BadJson> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let out = serde_path_to_error::deserialize::<_, T>(&mut de);
    if out.is_ok()
        && let Err(e) = de.end()
    {
        // Trailing characters after the value.
        return Err(BadJson {
            path: String::new(),
            kind: "syntax",
            expected: "object",
            line: e.line(),
            column: e.column(),
        });
    }
    out.map_err(|e| {
        let inner = e.inner();
        let (line, column) = (inner.line(), inner.column());
        let mut path = e.path().to_string();
        if path == "." {
            path.clear();
        }
        // serde_json's message without its " at line L column C" tail.
        let full = inner.to_string();
        let msg = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m);
        if !inner.is_data() {
            return BadJson { path: String::new(), kind: "syntax", expected: "object", line, column };
        }
        if let Some(name) = msg.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
            let path = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
            return BadJson { path, kind: "missing", expected: "value", line, column };
        }
        let (unexpected, expected) = msg.rsplit_once(", expected ").unwrap_or((msg, ""));
        if path.is_empty() {
            // A `#[serde(flatten)]`ed part (the plan, the marks, a resident) is read from a buffer
            // that the path tracker does not see: find the value serde names in the body.
            let value: Option<serde_json::Value> = serde_json::from_slice(bytes).ok();
            let what = unexpected.strip_prefix("invalid type: ").or_else(|| unexpected.strip_prefix("invalid value: "));
            if let (Some(v), Some(what)) = (value, what)
                && let Some(found) = locate(&v, what, "")
            {
                path = found;
            }
        }
        BadJson { path, kind: "type", expected: json_type(expected), line, column }
    })
}

/// The path of the first value in `v` that serde would describe as `what` (`string "x"`,
/// `integer `7``, `boolean `true``, `null`, `sequence`, `map`, `floating point `1.5``).
fn locate(v: &serde_json::Value, what: &str, at: &str) -> Option<String> {
    use serde_json::Value as V;
    let here = match v {
        V::Null => what == "null",
        V::Bool(b) => what == format!("boolean `{b}`"),
        V::Number(n) if n.is_f64() => what == format!("floating point `{n}`"),
        V::Number(n) => what == format!("integer `{n}`"),
        V::String(s) => what == format!("string {}", serde_json::Value::String(s.clone())),
        V::Array(_) => what == "sequence",
        V::Object(_) => what == "map",
    };
    if here && !at.is_empty() {
        return Some(at.to_string());
    }
    match v {
        V::Array(items) => items.iter().enumerate().find_map(|(i, x)| locate(x, what, &format!("{at}[{i}]"))),
        V::Object(m) => m.iter().find_map(|(k, x)| {
            let p = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            locate(x, what, &p)
        }),
        _ => None,
    }
}

/// The message for a bad body, in `lang`: the field's name in words where the catalogue has
/// it, its path always.
pub fn message(lang: Lang, bad: &BadJson) -> String {
    if bad.kind == "syntax" {
        return text(lang, "err.json_syntax")
            .replace("{line}", &bad.line.to_string())
            .replace("{column}", &bad.column.to_string());
    }
    let leaf = bad.path.rsplit(['.', '[']).next().unwrap_or("").trim_end_matches(']');
    let label = match text(lang, &format!("field.{leaf}")) {
        "?" => bad.path.clone(),
        // A top-level field is named in words only; a nested one also shows where it is.
        l if bad.path == leaf => l.to_string(),
        l if lang == Lang::Zh => format!("{l}（{}）", bad.path),
        l => format!("{l} ({})", bad.path),
    };
    let what = if bad.kind == "missing" {
        text(lang, "err.json_missing").to_string()
    } else {
        text(lang, "err.json_type").replace("{expected}", text(lang, &format!("json.{}", bad.expected)))
    };
    if lang == Lang::Zh { format!("{label}：{what}") } else { format!("{label}: {what}") }
}

/// The 422 answer for a bad body.
pub fn rejection(lang: Lang, bad: &BadJson) -> Response {
    let key = match bad.kind {
        "syntax" => "err.json_syntax",
        "missing" => "err.json_missing",
        _ => "err.json_type",
    };
    let field = json!({"field": bad.path, "key": key, "expected": bad.expected});
    let body = json!({"error": "invalid", "message": message(lang, bad), "fields": [field]});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// Reads a request body as `T` (the body limit's 413 and a bad body's 422 in `lang`).
pub async fn read<T: DeserializeOwned>(req: Request, state: &AppState, lang: Lang) -> Result<T, Response> {
    let bytes = Bytes::from_request(req, state).await.map_err(|_| {
        let err = crate::service::ServiceError::Invalid { key: "err.too_big", field: None };
        let mut r = crate::web::error::ApiError { lang, err }.into_response();
        *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        r
    })?;
    from_slice(&bytes).map_err(|bad| rejection(lang, &bad))
}

/// A JSON body of a route without a staff session (sign-in, ballots, public objections):
/// `axum::Json` with the errors of [`parse`](from_slice).
pub struct ApiJson<T> {
    pub lang: Lang,
    pub body: T,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, state).await.unwrap_or_default();
        let body = read(Request::from_parts(parts, body), state, lang).await?;
        Ok(ApiJson { lang, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Station {
        name: String,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        resident_id: i64,
        #[serde(default)]
        stations: Vec<Station>,
    }

    #[test]
    fn names_the_path_and_the_type() {
        let bad = from_slice::<Body>(br#"{"resident_id": "x"}"#).unwrap_err();
        assert_eq!((bad.path.as_str(), bad.kind, bad.expected), ("resident_id", "type", "integer"));
        let bad = from_slice::<Body>(br#"{"resident_id": 1, "stations": [{"name": 3}]}"#).unwrap_err();
        assert_eq!((bad.path.as_str(), bad.expected), ("stations[0].name", "string"));
        let bad = from_slice::<Body>(br#"{"stations": []}"#).unwrap_err();
        assert_eq!((bad.path.as_str(), bad.kind), ("resident_id", "missing"));
        let bad = from_slice::<Body>(br#"{"resident_id": 1"#).unwrap_err();
        assert_eq!(bad.kind, "syntax");
        let bad = from_slice::<Body>(br#"{"resident_id": 1} x"#).unwrap_err();
        assert_eq!(bad.kind, "syntax");
        let bad = from_slice::<Body>(br#""x""#).unwrap_err();
        assert_eq!((bad.path.as_str(), bad.expected), ("", "object"));
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Flat {
        round: String,
        #[serde(flatten)]
        body: Body,
    }

    #[test]
    fn a_flattened_part_is_named_too() {
        let bad = from_slice::<Flat>(br#"{"round": "r", "resident_id": 1, "stations": [{"name": 7}]}"#).unwrap_err();
        assert_eq!((bad.path.as_str(), bad.expected), ("stations[0].name", "string"));
        let bad = from_slice::<Flat>(br#"{"round": "r", "resident_id": "x"}"#).unwrap_err();
        assert_eq!((bad.path.as_str(), bad.expected), ("resident_id", "integer"));
        let bad = from_slice::<Flat>(br#"{"round": "r"}"#).unwrap_err();
        assert_eq!((bad.path.as_str(), bad.kind), ("resident_id", "missing"));
    }

    #[test]
    fn the_message_is_in_the_readers_language() {
        let bad = from_slice::<Body>(br#"{"resident_id": 1, "stations": [{"name": 3}]}"#).unwrap_err();
        let zh = message(Lang::Zh, &bad);
        let en = message(Lang::En, &bad);
        assert!(zh.contains("stations[0].name") && zh.contains("文本"), "{zh}");
        assert!(en.contains("stations[0].name") && en.contains("string"), "{en}");
    }
}
