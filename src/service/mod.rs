//! Use cases. Each takes the `Store` and the acting staff member, checks the role, validates
//! through `domain` (and later `law`), writes through `store`, and appends the audit entry in the
//! same transaction.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod cast;
pub mod ceremony;
pub mod commitments;
pub mod committee;
pub mod complaints;
pub mod count_conduct;
pub mod counting;
pub mod counting_staff;
pub mod credentials;
pub mod directory;
pub mod e2e;
pub mod e2e_cast;
pub mod elections;
pub mod electorate_facts;
pub mod export;
pub mod group_elections;
pub mod import;
pub mod lifecycle;
pub mod limits;
pub mod logs;
pub mod mix;
pub mod nominations;
pub mod overview;
pub mod polling;
pub mod primary;
pub mod proxies;
pub mod recall;
pub mod receipts;
pub mod record;
pub mod registry;
pub mod rehearsal;
pub mod results;
pub mod retention;
pub mod roll_check;
pub mod signin;
pub mod term_calendar;
pub mod totp;
pub mod voter_sessions;
pub mod voters;
pub mod voting;

pub use access::{Permission, Staff};

use crate::domain::ResidentInputError;
use crate::store::StoreError;

/// Every way a use case can refuse. Client errors carry a message key (see `crate::i18n`);
/// `Internal` is logged with the request id and never shown.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input: {key}")]
    Invalid { key: &'static str, field: Option<String> },
    #[error("invalid fields")]
    Fields(Vec<ResidentInputError>),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many attempts")]
    Throttled { retry_after_s: i64 },
    /// An anonymous request over its rate limit (issue 12): 429 with `Retry-After`; `key` is
    /// the message, with `{s}` for the seconds to wait.
    #[error("rate limited: {key}")]
    RateLimited { key: &'static str, retry_after_s: i64 },
    /// A rule of the law engine refused: `code` names the rule's outcome (message key
    /// `law.<code>`), `rule` cites LAW.md, `detail` gives the figures.
    #[error("refused by {rule}: {code} {detail}")]
    Law { code: String, rule: String, detail: String },
    /// Refused because of the election's state rather than the request: polls not open, a
    /// channel the plan does not enable (403, message key).
    #[error("refused: {0}")]
    Refused(&'static str),
    /// A credential that is not one of ours (a voting code no voter holds): 401, message key.
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        if e.is_unique_violation() {
            ServiceError::Conflict("err.duplicate")
        } else if e.is_foreign_key_violation() {
            ServiceError::Invalid { key: "err.reference", field: None }
        } else {
            ServiceError::Internal(e.to_string())
        }
    }
}

pub type Result<T> = std::result::Result<T, ServiceError>;

pub fn invalid(key: &'static str, field: &str) -> ServiceError {
    ServiceError::Invalid { key, field: Some(field.to_string()) }
}

/// A typed outcome as the JSON payload of its audit entry: a use case that answers the entry's
/// payload builds the typed value once, logs this and returns the value (issue 17).
pub fn payload<T: serde::Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| ServiceError::Internal(e.to_string()))
}
