//! Rate limits on what anyone can do without an account (issue 12 item 4): public objections
//! and voting-code attempts. Counted in the database (`store::limits`), so they hold across the
//! nodes of a PostgreSQL deployment; a refusal is a 429 with `Retry-After` and a message in the
//! user's language, and changes nothing but the counter that counts it.
//!
//! - Objections: per address and per election, every filing counts (reserved before the work).
//! - Voting codes: only failures count. Per address the limit refuses further attempts, checked
//!   before the code is. Per election it only slows failures: a wrong code over the election's
//!   budget is answered 429 instead of "wrong code", a correct code is never refused by it, so a
//!   flood of guesses cannot stop an election's voters. The per-address limit is high enough
//!   for a polling station's shared address: one voter's few mistakes lock nobody out (booths
//!   use their own token and never a code).

use super::{Result, ServiceError};
use crate::store::{Store, limits, now_ms};

/// One limit: at most `max` counted hits per `window_ms` for each subject.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: i64,
    pub window_ms: i64,
    /// The message key of the refusal (`{s}`: seconds to wait).
    pub message: &'static str,
}

const MINUTE: i64 = 60_000;

/// Public objections from one address: 5 an hour.
pub const OBJECTIONS_PER_ADDRESS: Limit =
    Limit { name: "objection:ip", max: 5, window_ms: 60 * MINUTE, message: "err.rate.objections" };
/// Public objections to one election: 100 a day (a community's real objections are a handful).
pub const OBJECTIONS_PER_ELECTION: Limit =
    Limit { name: "objection:election", max: 100, window_ms: 24 * 60 * MINUTE, message: "err.rate.objections" };
/// Wrong voting codes from one address: 30 per 10 minutes.
pub const CODE_FAILURES_PER_ADDRESS: Limit =
    Limit { name: "code:ip", max: 30, window_ms: 10 * MINUTE, message: "err.rate.codes" };
/// Wrong voting codes for one election (or, when the code names none, for the deployment):
/// 300 a minute, beyond which failures are slowed and correct codes still pass.
pub const CODE_FAILURES_PER_ELECTION: Limit =
    Limit { name: "code:election", max: 300, window_ms: MINUTE, message: "err.rate.codes" };

fn key(limit: &Limit, subject: &str) -> String {
    format!("{}:{subject}", limit.name)
}

fn refusal(limit: &Limit, now: i64) -> ServiceError {
    let w = limit.window_ms.max(1);
    let left = w - now.rem_euclid(w);
    ServiceError::RateLimited { key: limit.message, retry_after_s: (left + 999) / 1000 }
}

/// Counts one hit and refuses when it is over the limit. The hit is taken before the work, so
/// parallel requests cannot all slip under the limit.
pub async fn take(store: &Store, limit: &Limit, subject: &str) -> Result<()> {
    let now = now_ms();
    if limits::hit(store, &key(limit, subject), limit.window_ms, now).await? > limit.max {
        return Err(refusal(limit, now));
    }
    Ok(())
}

/// Hands back a hit taken by `take` (the attempt succeeded and is not counted).
pub async fn give_back(store: &Store, limit: &Limit, subject: &str) -> Result<()> {
    Ok(limits::release(store, &key(limit, subject), limit.window_ms, now_ms()).await?)
}

/// Refuses when the subject has used up its limit, without counting anything.
pub async fn check(store: &Store, limit: &Limit, subject: &str) -> Result<()> {
    let now = now_ms();
    if limits::hits(store, &key(limit, subject), limit.window_ms, now).await? >= limit.max {
        return Err(refusal(limit, now));
    }
    Ok(())
}

/// Counts a failure; `Err(RateLimited)` when this failure is over the limit (the caller answers
/// that instead of the plain failure).
pub async fn failed(store: &Store, limit: &Limit, subject: &str) -> Result<()> {
    take(store, limit, subject).await
}

/// A wrong voting code from `address` for `election` (a subject from `code_subject` or an
/// election id): counts it against both, and returns the answer to give — "wrong code", or the
/// 429 when the address or the election is over its limit.
pub async fn code_failed(store: &Store, address: &str, election: &str) -> ServiceError {
    let by_address = take(store, &CODE_FAILURES_PER_ADDRESS, address).await;
    let by_election = take(store, &CODE_FAILURES_PER_ELECTION, election).await;
    match (by_address, by_election) {
        (Err(e), _) | (_, Err(e)) => e,
        _ => ServiceError::Unauthenticated("err.voting_code"),
    }
}

/// The election a voting code names (`HJ:<election>:<code>` from the card's QR code), or
/// `all` for a bare code: the subject of the per-election limit on the sign-in form.
pub fn code_subject(code: &str) -> String {
    code.trim()
        .strip_prefix("HJ:")
        .and_then(|r| r.split_once(':'))
        .and_then(|(e, _)| e.parse::<i64>().ok())
        .map(|e| e.to_string())
        .unwrap_or_else(|| "all".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_code_names_its_election_a_bare_code_none() {
        assert_eq!(code_subject("HJ:12:ABCD-EFGH"), "12");
        assert_eq!(code_subject(" ABCD-EFGH "), "all");
        assert_eq!(code_subject("HJ:x:ABCD"), "all");
    }

    #[test]
    fn a_refusal_waits_for_the_end_of_the_window() {
        let l = Limit { name: "t", max: 1, window_ms: 60_000, message: "m" };
        match refusal(&l, 120_000 + 59_001) {
            ServiceError::RateLimited { retry_after_s, .. } => assert_eq!(retry_after_s, 1),
            _ => panic!("not a rate limit"),
        }
        match refusal(&l, 120_000) {
            ServiceError::RateLimited { retry_after_s, .. } => assert_eq!(retry_after_s, 60),
            _ => panic!("not a rate limit"),
        }
    }
}
