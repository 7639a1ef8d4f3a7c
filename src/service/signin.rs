//! Staff sign-in that holds under attack (issue 12): attempts are reserved in the database
//! before any password is hashed; a second factor (TOTP) is required of street administrators
//! and offered to everyone; no session exists until both factors are right.
//!
//! Limits (all windows 15 minutes, all counters in the database so several servers share them):
//! - per account + address: 5 attempts; the sixth is refused before it is checked;
//! - per address: 20 attempts over all accounts;
//! - per account from everywhere: after 10 failed attempts, addresses that have never signed in
//!   to the account get one attempt per 30 seconds between them (the slow path, OWASP ASVS
//!   2.2.1); addresses that have signed in to it before are exempt, so an attacker elsewhere
//!   cannot lock its owner out.
//! - a pending (half-signed-in) sign-in lives 5 minutes and takes at most 5 codes.

use serde_json::json;

use super::access::Staff;
use super::accounts::{self, NewSession, session_hash};
use super::audit;
use super::totp;
use super::{Result, ServiceError};
use crate::audit::{Actor, EventKind, SYSTEM_LOG};
use crate::domain::Role;
use crate::store::signin as st;
use crate::store::users::{self, UserRow};
use crate::store::{Store, now_ms, registry};

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Attempts per account from one address in a window.
pub const ACCOUNT_ADDRESS_LIMIT: i64 = accounts::ACCOUNT_LIMIT;
/// Attempts from one address over all accounts in a window.
pub const ADDRESS_LIMIT: i64 = accounts::IP_LIMIT;
/// Attempts per account from all addresses in a window before the slow path starts.
pub const ACCOUNT_BUDGET: i64 = 10;
/// On the slow path: one attempt per this many ms from addresses new to the account.
pub const SLOW_INTERVAL_MS: i64 = 30_000;
/// How long the password step's result waits for the code.
pub const PENDING_MS: i64 = 5 * 60 * 1000;
/// Codes one pending sign-in may try.
pub const CODE_ATTEMPTS: i64 = 5;
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Huanjie";

/// What the password step leads to.
pub enum Step {
    /// Signed in (no second factor on this account).
    Session(NewSession),
    /// The password was right; the code is due. The value is the pending token (cookie).
    Code(String),
    /// The password was right; a street admin must set up TOTP before anything else.
    Enrol(String),
}

/// One sign-in attempt at the password step.
pub struct Attempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub address: &'a str,
    /// A session the browser already had (ended at sign-in: no fixation).
    pub old_token: Option<&'a str>,
    /// Where to go after sign-in (already checked by the web layer).
    pub next: &'a str,
}

fn throttled(until: i64, now: i64) -> ServiceError {
    ServiceError::Throttled { retry_after_s: ((until - now).max(1) + 999) / 1000 }
}

/// The counters one attempt took; given back when it succeeds.
struct Reservation {
    address_key: String,
    pair_key: String,
    account_key: String,
}

impl Reservation {
    /// The attempt was right: it does not count against the address or the account.
    async fn release(&self, tx: &mut crate::store::Tx, full: bool) -> Result<()> {
        st::release(tx, &self.address_key).await?;
        st::release(tx, &self.account_key).await?;
        if full {
            st::clear(tx, &self.pair_key).await?;
        } else {
            st::release(tx, &self.pair_key).await?;
        }
        Ok(())
    }
}

/// Reserves one attempt before any secret is checked: refused (429) past a limit.
async fn reserve(store: &Store, username: &str, address: &str, now: i64) -> Result<Reservation> {
    let user = username.to_lowercase();
    let r = Reservation {
        address_key: format!("ip:{address}"),
        pair_key: format!("user:{user}@{address}"),
        account_key: format!("user:{user}"),
    };
    let (n, since) = st::reserve(store, &r.address_key, WINDOW_MS, now).await?;
    if n > ADDRESS_LIMIT {
        return Err(throttled(since + WINDOW_MS, now));
    }
    let (n, since) = st::reserve(store, &r.pair_key, WINDOW_MS, now).await?;
    if n > ACCOUNT_ADDRESS_LIMIT {
        return Err(throttled(since + WINDOW_MS, now));
    }
    let (n, _) = st::reserve(store, &r.account_key, WINDOW_MS, now).await?;
    if n > ACCOUNT_BUDGET
        && !st::is_known(store, &user, address).await?
        && let Some(next) = st::take_slot(store, &format!("slow:{user}"), SLOW_INTERVAL_MS, now).await?
    {
        return Err(throttled(next, now));
    }
    Ok(r)
}

/// A hash of a random password, checked when the username is unknown so that a wrong username
/// takes as long as a wrong password.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn dummy_hash() -> Result<String> {
    if let Some(h) = DUMMY_HASH.get() {
        return Ok(h.clone());
    }
    let h = accounts::hash_password(hex::encode(rand::random::<[u8; 16]>())).await?;
    Ok(DUMMY_HASH.get_or_init(|| h).clone())
}

async fn record_failure(store: &Store, username: &str, reason: &str) -> Result<()> {
    // Only a well-formed username goes into the permanent log: a password typed into the
    // username field must not be kept forever.
    let shown = if accounts::check_username(username).is_ok() { username } else { "(malformed)" };
    let mut tx = store.begin().await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &Actor { user_id: None, username: "anonymous".into(), role: "anonymous".into() },
        EventKind::LoginFailed,
        &format!("user:{shown}"),
        json!({"username": shown, "reason": reason}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn role_of(grants: &[users::Grant]) -> &'static str {
    grants.first().map(|g| g.role.as_str()).unwrap_or("none")
}

fn random_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The confirmed TOTP secret of an account, if it has one.
pub async fn confirmed_secret(store: &Store, session_key: &[u8], user_id: i64) -> Result<Option<Vec<u8>>> {
    match st::totp(store, user_id).await? {
        Some(t) if t.confirmed_ms.is_some() => {
            totp::open(session_key, &t.secret_enc).map(Some).ok_or(ServiceError::Internal("stored TOTP secret".into()))
        }
        _ => Ok(None),
    }
}

/// The secret of an enrolment begun and not yet confirmed.
pub async fn unconfirmed_secret(store: &Store, session_key: &[u8], user_id: i64) -> Result<Option<Vec<u8>>> {
    match st::totp(store, user_id).await? {
        Some(t) if t.confirmed_ms.is_none() => Ok(totp::open(session_key, &t.secret_enc)),
        _ => Ok(None),
    }
}

/// Street administrators must use a second factor.
pub fn totp_required(grants: &[users::Grant]) -> bool {
    grants.iter().any(|g| g.role == Role::StreetAdmin)
}

/// Ends the old session, opens the new one, remembers the address, logs the sign-in: the last
/// step of every successful sign-in, inside the caller's transaction.
async fn open_session(
    tx: &mut crate::store::Tx,
    session_key: &[u8],
    user: &UserRow,
    role: &str,
    address: &str,
    old_token: Option<&str>,
    now: i64,
) -> Result<NewSession> {
    let token = random_token();
    let csrf = random_token();
    if let Some(old) = old_token {
        users::delete_session(tx, &session_hash(session_key, old)).await?;
    }
    users::insert_session(tx, &session_hash(session_key, &token), user.id, &csrf, now).await?;
    st::remember(tx, &user.username.to_lowercase(), address, now).await?;
    let actor = Actor { user_id: Some(user.id), username: user.username.clone(), role: role.into() };
    audit::record(
        tx,
        SYSTEM_LOG,
        &actor,
        EventKind::LoginSucceeded,
        &format!("user:{}", user.id),
        json!({"user_id": user.id}),
    )
    .await?;
    Ok(NewSession { token, csrf, user_id: user.id })
}

/// Checks a TOTP code or a recovery code and uses it up (inside `tx`). Returns whether it was
/// right; a recovery code is an audit entry.
async fn use_second_factor(
    tx: &mut crate::store::Tx,
    session_key: &[u8],
    user: &UserRow,
    role: &str,
    secret: &[u8],
    code: &str,
    now: i64,
) -> Result<bool> {
    if let Some(step) = totp::matching_step(secret, code, now) {
        return Ok(st::accept_step(tx, user.id, step).await?);
    }
    let normal = totp::normalize_recovery(code);
    if normal.len() != 12 || !st::use_recovery(tx, user.id, &totp::recovery_hash(session_key, &normal), now).await? {
        return Ok(false);
    }
    let remaining = st::recovery_left(tx, user.id).await?;
    let actor = Actor { user_id: Some(user.id), username: user.username.clone(), role: role.into() };
    audit::record(
        tx,
        SYSTEM_LOG,
        &actor,
        EventKind::RecoveryCodeUsed,
        &format!("user:{}", user.id),
        json!({"user_id": user.id, "remaining": remaining}),
    )
    .await?;
    Ok(true)
}

/// The password step. `api_code` is the API's one-shot form (password and code together;
/// `Some("")` when the API call carried no code).
pub async fn password_step(store: &Store, session_key: &[u8], a: &Attempt<'_>, api_code: Option<&str>) -> Result<Step> {
    let now = now_ms();
    let reservation = reserve(store, a.username, a.address, now).await?;
    let user = users::by_username(store, a.username).await?;
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => dummy_hash().await?,
    };
    let ok = accounts::verify_password(a.password.to_string(), hash).await?;
    let Some(user) = user.filter(|_| ok) else {
        record_failure(store, a.username, "credentials").await?;
        return Err(ServiceError::BadCredentials);
    };
    let grants = users::grants(store, user.id).await?;
    let role = role_of(&grants);
    let secret = confirmed_secret(store, session_key, user.id).await?;
    let mut tx = store.begin().await?;
    let step = match (secret, api_code) {
        (None, _) if totp_required(&grants) => {
            if api_code.is_some() {
                // The API cannot enrol: that needs the QR code page.
                reservation.release(&mut tx, false).await?;
                tx.commit().await?;
                return Err(ServiceError::Refused("signin.err.enrol_first"));
            }
            reservation.release(&mut tx, false).await?;
            if st::totp(store, user.id).await?.is_none() {
                st::set_unconfirmed(&mut tx, user.id, &totp::seal(session_key, &totp::new_secret()), now).await?;
            }
            let token = random_token();
            st::insert_pending(
                &mut tx,
                &session_hash(session_key, &token),
                user.id,
                "enrol",
                a.address,
                a.next,
                now + PENDING_MS,
            )
            .await?;
            Step::Enrol(token)
        }
        (None, _) => {
            reservation.release(&mut tx, true).await?;
            Step::Session(open_session(&mut tx, session_key, &user, role, a.address, a.old_token, now).await?)
        }
        (Some(_), Some("")) => {
            reservation.release(&mut tx, false).await?;
            tx.commit().await?;
            return Err(ServiceError::Unauthenticated("signin.err.code_required"));
        }
        (Some(secret), Some(code)) => {
            if !use_second_factor(&mut tx, session_key, &user, role, &secret, code, now).await? {
                tx.commit().await?;
                record_failure(store, a.username, "code").await?;
                return Err(ServiceError::Unauthenticated("signin.err.wrong"));
            }
            reservation.release(&mut tx, true).await?;
            Step::Session(open_session(&mut tx, session_key, &user, role, a.address, a.old_token, now).await?)
        }
        (Some(_), None) => {
            reservation.release(&mut tx, false).await?;
            let token = random_token();
            st::insert_pending(
                &mut tx,
                &session_hash(session_key, &token),
                user.id,
                "code",
                a.address,
                a.next,
                now + PENDING_MS,
            )
            .await?;
            Step::Code(token)
        }
    };
    tx.commit().await?;
    Ok(step)
}

/// A pending sign-in, as its page shows it: the username, the kind, and for an enrolment the
/// secret to show. None when it has expired.
pub struct Pending {
    pub username: String,
    pub kind: String,
    pub next: String,
    pub secret: Option<Vec<u8>>,
}

pub async fn pending(store: &Store, session_key: &[u8], token: &str) -> Result<Option<Pending>> {
    let Some(p) = st::pending(store, &session_hash(session_key, token), now_ms()).await? else { return Ok(None) };
    let Some(user) = users::by_id(store, p.user_id).await? else { return Ok(None) };
    let secret = if p.kind == "enrol" { unconfirmed_secret(store, session_key, user.id).await? } else { None };
    Ok(Some(Pending { username: user.username, kind: p.kind, next: p.next_path, secret }))
}

/// What a finished second step gives: the session, where to go, and after an enrolment the
/// recovery codes to show once.
pub struct Finished {
    pub session: NewSession,
    pub next: String,
    pub recovery_codes: Vec<String>,
}

/// The code step (kind `code`) or the enrolment's confirmation (kind `enrol`) of a pending
/// sign-in. Throttled like the password step, and at most [`CODE_ATTEMPTS`] per pending.
pub async fn code_step(
    store: &Store,
    session_key: &[u8],
    token: &str,
    code: &str,
    address: &str,
    old_token: Option<&str>,
) -> Result<Finished> {
    let now = now_ms();
    let id_hash = session_hash(session_key, token);
    let expired = ServiceError::Unauthenticated("signin.err.expired");
    let p = st::pending(store, &id_hash, now).await?.ok_or(expired)?;
    let user = users::by_id(store, p.user_id).await?.ok_or(ServiceError::Unauthenticated("signin.err.expired"))?;
    st::pending_attempt(store, &id_hash, CODE_ATTEMPTS, now)
        .await?
        .ok_or(ServiceError::Unauthenticated("signin.err.expired"))?;
    let reservation = reserve(store, &user.username, address, now).await?;
    let grants = users::grants(store, user.id).await?;
    let role = role_of(&grants);
    let mut tx = store.begin().await?;
    let mut recovery_codes = Vec::new();
    let right = if p.kind == "enrol" {
        let secret = unconfirmed_secret(store, session_key, user.id).await?;
        match secret.and_then(|s| totp::matching_step(&s, code, now)) {
            Some(step) if st::confirm(&mut tx, user.id, step, now).await? => {
                recovery_codes = new_recovery_codes(&mut tx, session_key, &user, role).await?;
                true
            }
            _ => false,
        }
    } else {
        match confirmed_secret(store, session_key, user.id).await? {
            Some(secret) => use_second_factor(&mut tx, session_key, &user, role, &secret, code, now).await?,
            None => false,
        }
    };
    if !right {
        tx.commit().await?;
        record_failure(store, &user.username, "code").await?;
        return Err(ServiceError::Unauthenticated("signin.err.wrong"));
    }
    reservation.release(&mut tx, true).await?;
    st::delete_pending(&mut tx, &id_hash).await?;
    let session = open_session(&mut tx, session_key, &user, role, address, old_token, now).await?;
    tx.commit().await?;
    Ok(Finished { session, next: p.next_path, recovery_codes })
}

/// Ten new recovery codes (hashes stored, codes returned to show once) and the enrolment's
/// audit entry. The secret and the codes never go into the log.
async fn new_recovery_codes(
    tx: &mut crate::store::Tx,
    session_key: &[u8],
    user: &UserRow,
    role: &str,
) -> Result<Vec<String>> {
    let codes: Vec<String> = (0..totp::RECOVERY_CODES).map(|_| totp::new_recovery_code()).collect();
    for c in &codes {
        st::insert_recovery(tx, user.id, &totp::recovery_hash(session_key, c)).await?;
    }
    let actor = Actor { user_id: Some(user.id), username: user.username.clone(), role: role.into() };
    audit::record(
        tx,
        SYSTEM_LOG,
        &actor,
        EventKind::TotpEnrolled,
        &format!("user:{}", user.id),
        json!({"user_id": user.id, "recovery_codes": codes.len()}),
    )
    .await?;
    Ok(codes)
}

// ---- enrolment and removal while signed in ----

/// Begins an enrolment for a signed-in staff member: a new secret, unconfirmed (nothing changes
/// at sign-in until a code confirms it). Refused if a confirmed one exists.
pub async fn begin_enrolment(store: &Store, session_key: &[u8], staff: &Staff) -> Result<()> {
    let mut tx = store.begin().await?;
    if !st::set_unconfirmed(&mut tx, staff.user_id, &totp::seal(session_key, &totp::new_secret()), now_ms()).await? {
        return Err(ServiceError::Conflict("signin.err.already"));
    }
    tx.commit().await?;
    Ok(())
}

/// Confirms a signed-in staff member's enrolment with a code; returns the recovery codes.
pub async fn confirm_enrolment(store: &Store, session_key: &[u8], staff: &Staff, code: &str) -> Result<Vec<String>> {
    let now = now_ms();
    let user = users::by_id(store, staff.user_id).await?.ok_or(ServiceError::NotFound)?;
    let secret =
        unconfirmed_secret(store, session_key, user.id).await?.ok_or(ServiceError::Conflict("signin.err.already"))?;
    let step = totp::matching_step(&secret, code, now).ok_or(ServiceError::Unauthenticated("signin.err.wrong"))?;
    let mut tx = store.begin().await?;
    if !st::confirm(&mut tx, user.id, step, now).await? {
        return Err(ServiceError::Conflict("signin.err.already"));
    }
    let codes = new_recovery_codes(&mut tx, session_key, &user, role_of(&staff.grants)).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Enrols an account at once, confirmed, and returns its secret: for `huanjie demo` (which
/// prints it) and the tests, where the operator of the machine sets the account up.
pub async fn enrol_directly(store: &Store, session_key: &[u8], user_id: i64) -> Result<Vec<u8>> {
    let secret = totp::new_secret();
    let now = now_ms();
    let mut tx = store.begin().await?;
    st::delete_totp(&mut tx, user_id).await?;
    st::set_unconfirmed(&mut tx, user_id, &totp::seal(session_key, &secret), now).await?;
    st::confirm(&mut tx, user_id, 0, now).await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &Actor::system("cli"),
        EventKind::TotpEnrolled,
        &format!("user:{user_id}"),
        json!({"user_id": user_id, "recovery_codes": 0}),
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Turns one's own second factor off (not for street admins, who must keep it); the current
/// code proves the device is in hand.
pub async fn disable(store: &Store, session_key: &[u8], staff: &Staff, code: &str) -> Result<()> {
    if totp_required(&staff.grants) {
        return Err(ServiceError::Refused("signin.err.required"));
    }
    let now = now_ms();
    let secret = confirmed_secret(store, session_key, staff.user_id).await?.ok_or(ServiceError::NotFound)?;
    let step = totp::matching_step(&secret, code, now).ok_or(ServiceError::Unauthenticated("signin.err.wrong"))?;
    let mut tx = store.begin().await?;
    if !st::accept_step(&mut tx, staff.user_id, step).await? {
        return Err(ServiceError::Unauthenticated("signin.err.wrong"));
    }
    st::delete_totp(&mut tx, staff.user_id).await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &staff.actor(staff.grants.first().map(|g| g.role).unwrap_or(Role::Observer)),
        EventKind::TotpDisabled,
        &format!("user:{}", staff.user_id),
        json!({"user_id": staff.user_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Resets another staff member's second factor (a lost phone): a street admin within their
/// street office, or the operator (`by` None). The account's sessions end; at the next sign-in
/// a street admin enrols again. Out of scope answers 404, like every scoped id.
pub async fn reset(store: &Store, by: Option<&Staff>, user_id: i64) -> Result<()> {
    let target = users::by_id(store, user_id).await?.ok_or(ServiceError::NotFound)?;
    let actor = match by {
        None => Actor::system("cli"),
        Some(staff) => {
            let mut streets = Vec::new();
            for g in users::grants(store, target.id).await? {
                streets.push(match g.scope.kind {
                    crate::domain::ScopeKind::StreetOffice => g.scope.id,
                    crate::domain::ScopeKind::Community => match registry::community(store, g.scope.id).await? {
                        Some(c) => c.street_office_id,
                        None => continue,
                    },
                });
            }
            let visible = streets.iter().any(|s| {
                staff.grants.iter().any(|g| g.scope.kind == crate::domain::ScopeKind::StreetOffice && g.scope.id == *s)
            });
            let role = streets.iter().find_map(|s| staff.street_role(super::Permission::ManageUsers, *s));
            match (role, visible) {
                (Some(r), _) => staff.actor(r),
                (None, true) => return Err(ServiceError::Forbidden),
                (None, false) => return Err(ServiceError::NotFound),
            }
        }
    };
    let mut tx = store.begin().await?;
    if !st::delete_totp(&mut tx, target.id).await? {
        return Err(ServiceError::Conflict("signin.err.none"));
    }
    users::delete_sessions_of(&mut tx, target.id).await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &actor,
        EventKind::TotpReset,
        &format!("user:{}", target.id),
        json!({"user_id": target.id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether an account has a confirmed second factor (for the account page).
pub async fn enrolled(store: &Store, user_id: i64) -> Result<bool> {
    Ok(st::totp(store, user_id).await?.is_some_and(|t| t.confirmed_ms.is_some()))
}
