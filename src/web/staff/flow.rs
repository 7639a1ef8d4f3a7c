//! How a staff step goes (issue 13 item 7): a confirmation before each irreversible step, a
//! sentence after each step, and a form that keeps what was typed when the step is refused.
//!
//! It works without JavaScript: the step's button posts its form as before; the handler answers
//! a post without `confirm=1` with a page that asks, says what follows, and posts the same
//! fields again with `confirm=1` ([确认]) or goes back ([返回]). Nothing changes until then.
//! The JSON API under /api/v1 has no confirmation step: its callers are programs.
//!
//! After a step the handler redirects with `?done=<step>`; the page shows the sentence for that
//! key, and nothing for a key it does not know (so nobody can put text on the page by URL).
//!
//! When a form's step is refused for what was typed, the handler shows the same page again with
//! the reason next to that form and the typed values in it ([`Echo`]); only errors that are not
//! about the input (not found, not allowed, internal) still go to the error page.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use crate::i18n::{Lang, Tr, text};
use crate::service::ServiceError;
use crate::web::auth::StaffForm;
use crate::web::error::{HtmlError, messages, status};

#[derive(Template, WebTemplate)]
#[template(path = "staff/confirm.html")]
struct ConfirmPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    question: &'static str,
    consequence: &'static str,
    /// What was typed with the step (a reason), shown once more before it is final.
    reason: String,
    action: String,
    back: String,
    fields: Vec<(String, String)>,
}

/// Whether the post carries the confirmation the confirm page adds.
pub fn confirmed<T>(f: &StaffForm<T>) -> bool {
    f.fields.iter().any(|(k, v)| k == "confirm" && v == "1")
}

/// The confirm page for step `what` (keys `confirm.q.<what>` and `confirm.then.<what>`): it
/// posts every field of `f` again to `action`, with `confirm=1`; [返回] leads to `back`.
pub fn ask<T>(f: &StaffForm<T>, what: &str, action: String, back: String) -> Response {
    let lang = f.lang;
    let fields =
        f.fields.iter().filter(|(k, _)| k != "csrf" && k != "confirm").cloned().collect::<Vec<(String, String)>>();
    let reason = fields.iter().find(|(k, _)| k == "reason").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    ConfirmPage {
        t: Tr(lang),
        user: Some(f.session.staff.display_name.clone()),
        csrf: f.session.csrf.clone(),
        question: text(lang, &format!("confirm.q.{what}")),
        consequence: text(lang, &format!("confirm.then.{what}")),
        reason,
        action,
        back,
        fields,
    }
    .into_response()
}

/// The sentence for `?done=<key>` under `prefix` (e.g. `done.`), if there is one.
pub fn done_notice(lang: Lang, prefix: &str, done: Option<&str>) -> Option<String> {
    let d = done?;
    if d.is_empty() || !d.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    match text(lang, &format!("{prefix}{d}")) {
        "?" => None,
        s => Some(s.to_string()),
    }
}

/// A refused form, shown again: which form (`at`), why, and what was typed.
#[derive(Default)]
pub struct Echo {
    pub at: String,
    pub errors: Vec<String>,
    pub typed: Vec<(String, String)>,
}

impl Echo {
    /// The echo of a refused form `at`, or None when the error belongs on the error page.
    pub fn of<T>(f: &StaffForm<T>, at: impl Into<String>, e: &HtmlError) -> Option<Echo> {
        match e.err {
            ServiceError::Invalid { .. }
            | ServiceError::Fields(_)
            | ServiceError::Law { .. }
            | ServiceError::Conflict(_)
            | ServiceError::Refused(_) => Some(Echo {
                at: at.into(),
                errors: messages(e.lang, &e.err, ""),
                typed: f.fields.iter().filter(|(k, _)| k != "csrf" && k != "confirm").cloned().collect(),
            }),
            _ => None,
        }
    }

    /// What was typed into field `name` of form `at` (empty for any other form).
    pub fn v(&self, at: &str, name: &str) -> &str {
        if self.at != at {
            return "";
        }
        self.typed.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// Whether option `value` of field `name` of form `at` was the one chosen.
    pub fn chose(&self, at: &str, name: &str, value: &str) -> bool {
        self.at == at && self.typed.iter().any(|(k, v)| k == name && v == value)
    }

    /// The errors of form `at`.
    pub fn errors_at(&self, at: &str) -> &[String] {
        if self.at == at { &self.errors } else { &[] }
    }

    /// The HTTP status of the page shown again: the refusal's own.
    pub fn status(e: &HtmlError) -> axum::http::StatusCode {
        status(&e.err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_done_keys_show_a_sentence() {
        assert!(done_notice(Lang::Zh, "done.", Some("publish")).is_some());
        assert!(done_notice(Lang::En, "polling.done.", Some("opened")).is_some());
        assert_eq!(done_notice(Lang::Zh, "done.", Some("no_such_step")), None);
        assert_eq!(done_notice(Lang::Zh, "done.", Some("publish:1")), None);
        assert_eq!(done_notice(Lang::Zh, "done.", Some("")), None);
        assert_eq!(done_notice(Lang::Zh, "done.", None), None);
    }
}
