//! One error type per face: HTML pages in the user's language, JSON `{error, message}` for the
//! API. Internal errors are logged with a reference and shown only as that reference.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::i18n::{Lang, Tr, plain_citation, text};
use crate::service::ServiceError;
use crate::service::import::column_label;

pub(crate) fn status(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Forbidden | ServiceError::Refused(_) => StatusCode::FORBIDDEN,
        ServiceError::Invalid { .. } | ServiceError::Fields(_) | ServiceError::Law { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::BadCredentials | ServiceError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ServiceError::Throttled { .. } | ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn code(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::NotFound => "not_found",
        ServiceError::Forbidden => "forbidden",
        ServiceError::Refused(_) => "refused",
        ServiceError::Unauthenticated(_) => "unauthenticated",
        ServiceError::Invalid { .. } | ServiceError::Fields(_) => "invalid",
        ServiceError::Law { .. } => "refused_by_law",
        ServiceError::Conflict(_) => "conflict",
        ServiceError::BadCredentials => "bad_credentials",
        ServiceError::Throttled { .. } => "throttled",
        ServiceError::RateLimited { .. } => "rate_limited",
        ServiceError::Internal(_) => "internal",
    }
}

/// A field named in words: its `field.*` label, else the import column's name, else nothing
/// (never the raw field name).
fn field_label(lang: Lang, field: &str) -> Option<String> {
    match text(lang, &format!("field.{field}")) {
        "?" => Some(column_label(field)).filter(|c| !c.is_empty()).map(str::to_string),
        s => Some(s.to_string()),
    }
}

/// "label: message" in the user's language.
fn labelled(lang: Lang, field: &str, msg: &str) -> String {
    match field_label(lang, field) {
        Some(l) if lang == Lang::Zh => format!("{l}：{msg}"),
        Some(l) => format!("{l}: {msg}"),
        None => msg.to_string(),
    }
}

/// The error as residents get it: the same sentence, without the legal citation (it helps
/// staff, not a resident filing an objection or voting).
pub fn for_residents(e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Law { code, detail, .. } => ServiceError::Law { code, rule: String::new(), detail },
        other => other,
    }
}

/// Human messages for an error, in `lang`: a sentence that says what happened and what to do
/// next; a refusal by the law engine adds its plain citation (依据 LAW.md §N) for staff.
pub fn messages(lang: Lang, e: &ServiceError, reference: &str) -> Vec<String> {
    match e {
        ServiceError::NotFound => vec![text(lang, "err.not_found").into()],
        ServiceError::Forbidden => vec![text(lang, "err.forbidden").into()],
        ServiceError::Invalid { key, field } => {
            let msg = text(lang, key);
            match field.as_deref().filter(|f| !["file", "password", "scope", "role"].contains(f)) {
                Some(f) => vec![labelled(lang, f, msg)],
                None => vec![msg.into()],
            }
        }
        ServiceError::Fields(fs) => fs.iter().map(|f| labelled(lang, &f.field, text(lang, &f.key))).collect(),
        ServiceError::Conflict(k) | ServiceError::Refused(k) | ServiceError::Unauthenticated(k) => {
            vec![text(lang, k).into()]
        }
        ServiceError::Law { code, rule, detail } => {
            let msg = match text(lang, &format!("law.{code}")) {
                "?" => text(lang, "law.refused"),
                m => m,
            };
            // Only messages written for it show the detail (figures, station names); other
            // details are for the log and the API.
            let mut out = msg.replace("{detail}", detail);
            let basis = plain_citation(rule);
            if !basis.is_empty() {
                out.push_str(&text(lang, "law.basis").replace("{rule}", &basis));
            }
            vec![out]
        }
        ServiceError::BadCredentials => vec![text(lang, "err.login").into()],
        ServiceError::Throttled { retry_after_s } => {
            vec![text(lang, "err.throttled").replace("{s}", &retry_after_s.to_string())]
        }
        ServiceError::RateLimited { key, retry_after_s } => {
            vec![text(lang, key).replace("{s}", &retry_after_s.to_string())]
        }
        ServiceError::Internal(_) => vec![format!("{} {reference}", text(lang, "err.internal"))],
    }
}

fn reference_for(e: &ServiceError) -> String {
    if let ServiceError::Internal(detail) = e {
        let r = hex::encode(rand::random::<[u8; 6]>());
        tracing::error!(reference = %r, error = %detail, "internal error");
        r
    } else {
        String::new()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub t: Tr,
    pub user: Option<String>,
    pub csrf: String,
    pub title: &'static str,
    pub messages: Vec<String>,
}

/// An error shown as an HTML page.
#[derive(Debug)]
pub struct HtmlError {
    pub lang: Lang,
    pub err: ServiceError,
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let reference = reference_for(&self.err);
        let st = status(&self.err);
        let page = ErrorPage {
            t: Tr(self.lang),
            user: None,
            csrf: String::new(),
            title: text(self.lang, "err.invalid"),
            messages: messages(self.lang, &self.err, &reference),
        };
        let mut resp = (st, page).into_response();
        if let ServiceError::Throttled { retry_after_s } | ServiceError::RateLimited { retry_after_s, .. } = self.err
            && let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// An error answered as JSON `{error, message, fields?}`.
#[derive(Debug)]
pub struct ApiError {
    pub lang: Lang,
    pub err: ServiceError,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let reference = reference_for(&self.err);
        let msgs = messages(self.lang, &self.err, &reference);
        let mut body = json!({"error": code(&self.err), "message": msgs.join("; ")});
        match &self.err {
            ServiceError::Fields(fs) => body["fields"] = json!(fs),
            ServiceError::Invalid { key, field } => body["fields"] = json!([{"field": field, "key": key}]),
            ServiceError::Conflict(k) | ServiceError::Refused(k) => body["key"] = json!(k),
            ServiceError::Law { code, rule, .. } => {
                body["code"] = json!(code);
                body["rule"] = json!(rule);
            }
            _ => {}
        }
        let mut resp = (status(&self.err), Json(body)).into_response();
        if let ServiceError::Throttled { retry_after_s } | ServiceError::RateLimited { retry_after_s, .. } = self.err
            && let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

pub trait ResultExt<T> {
    fn html(self, lang: Lang) -> Result<T, HtmlError>;
    fn api(self, lang: Lang) -> Result<T, ApiError>;
}

impl<T> ResultExt<T> for Result<T, ServiceError> {
    fn html(self, lang: Lang) -> Result<T, HtmlError> {
        self.map_err(|err| HtmlError { lang, err })
    }
    fn api(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|err| ApiError { lang, err })
    }
}
