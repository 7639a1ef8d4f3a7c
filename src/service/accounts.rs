//! Staff accounts: argon2id passwords, server-side sessions. Sign-in itself is `service::signin`.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;

use super::access::Staff;
use super::audit;
use super::{Result, ServiceError, invalid};
use crate::audit::{Actor, EventKind, SYSTEM_LOG};
use crate::domain::{Role, Scope, ScopeKind};
use crate::store::users::{self, Grant};
use crate::store::{Store, now_ms, registry};

/// OWASP's argon2id baseline: m = 19 MiB, t = 2, p = 1.
fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes on the blocking pool: 19 MiB × 2 passes must not stall the async workers.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt: [u8; 16] = rand::random();
        hasher()?
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || Ok(hasher()?.verify_password(password.as_bytes(), hash.as_str()).is_ok()))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
}

pub fn check_new_password(pw: &str) -> Result<()> {
    let n = pw.chars().count();
    if !(10..=128).contains(&n) {
        return Err(invalid("err.password.length", "password"));
    }
    Ok(())
}

pub fn check_username(u: &str) -> Result<()> {
    let ok = (3..=40).contains(&u.len()) && u.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok { Ok(()) } else { Err(invalid("err.username", "username")) }
}

/// Creates an account with its roles. `by` is None for the CLI (the operator of the machine).
pub async fn create_user(
    store: &Store,
    by: Option<&Staff>,
    username: &str,
    display_name: &str,
    password: &str,
    grants: &[Grant],
) -> Result<i64> {
    // Scope and permission first (404, then 403), then the request's own checks.
    let actor = match by {
        None => Actor::system("cli"),
        Some(staff) => {
            let mut role = None;
            for g in grants {
                role = Some(authorize_grant(store, staff, g).await?);
            }
            staff.actor(role.ok_or(invalid("err.role_required", "role"))?)
        }
    };
    check_username(username)?;
    check_new_password(password)?;
    let display = display_name.trim();
    if display.is_empty() || display.chars().count() > 50 || display.chars().any(char::is_control) {
        return Err(invalid("err.display_name", "display_name"));
    }
    for g in grants {
        scope_exists(store, g.scope).await?;
    }
    let hash = hash_password(password.to_string()).await?;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let id = users::insert_user(&mut tx, username, display, &hash, now)
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.username_taken") } else { e.into() })?;
    for g in grants {
        users::grant(&mut tx, id, g).await?;
    }
    let roles: Vec<_> = grants
        .iter()
        .map(|g| json!({"role": g.role.as_str(), "scope_kind": g.scope.kind.as_str(), "scope_id": g.scope.id}))
        .collect();
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &actor,
        EventKind::UserCreated,
        &format!("user:{id}"),
        json!({"user_id": id, "username": username, "roles": roles}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn scope_exists(store: &Store, scope: Scope) -> Result<()> {
    let found = match scope.kind {
        ScopeKind::StreetOffice => registry::street_office(store, scope.id).await?.is_some(),
        ScopeKind::Community => registry::community(store, scope.id).await?.is_some(),
    };
    if found { Ok(()) } else { Err(invalid("err.scope", "scope")) }
}

/// A street admin may grant any role within their street office (and its communities). The
/// scope named in the grant is checked like any other object: unknown or outside the granter's
/// scope is `NotFound`, inside it without `ManageUsers` is `Forbidden`, and only then is the
/// role/scope combination validated.
async fn authorize_grant(store: &Store, staff: &Staff, g: &Grant) -> Result<Role> {
    let role = match g.scope.kind {
        ScopeKind::StreetOffice => staff.authorize_street(store, super::Permission::ManageUsers, g.scope.id).await?,
        ScopeKind::Community => staff.authorize_street_over(store, super::Permission::ManageUsers, g.scope.id).await?.0,
    };
    // Street-office-wide roles are only street_admin and observer.
    if g.scope.kind == ScopeKind::StreetOffice && !matches!(g.role, Role::StreetAdmin | Role::Observer) {
        return Err(invalid("err.role_scope", "scope"));
    }
    Ok(role)
}

pub async fn grant_role(store: &Store, staff: &Staff, user_id: i64, g: Grant) -> Result<()> {
    let role = authorize_grant(store, staff, &g).await?;
    users::by_id(store, user_id).await?.ok_or(ServiceError::NotFound)?;
    let mut tx = store.begin().await?;
    users::grant(&mut tx, user_id, &g).await?;
    audit::record(&mut tx, SYSTEM_LOG, &staff.actor(role), EventKind::RoleGranted, &format!("user:{user_id}"),
        json!({"user_id": user_id, "role": g.role.as_str(), "scope_kind": g.scope.kind.as_str(), "scope_id": g.scope.id})).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn revoke_role(store: &Store, staff: &Staff, user_id: i64, g: Grant) -> Result<()> {
    let role = authorize_grant(store, staff, &g).await?;
    let mut tx = store.begin().await?;
    if !users::revoke(&mut tx, user_id, &g).await? {
        return Err(ServiceError::NotFound);
    }
    audit::record(&mut tx, SYSTEM_LOG, &staff.actor(role), EventKind::RoleRevoked, &format!("user:{user_id}"),
        json!({"user_id": user_id, "role": g.role.as_str(), "scope_kind": g.scope.kind.as_str(), "scope_id": g.scope.id})).await?;
    tx.commit().await?;
    Ok(())
}

// ---- sign-in ----

/// Sign-in attempts per account and address, and per address, in 15 minutes (see
/// `service::signin` for the whole scheme).
pub const ACCOUNT_LIMIT: i64 = 5;
pub const IP_LIMIT: i64 = 20;
/// Sessions end after 30 minutes without a request.
pub const IDLE_MS: i64 = 30 * 60 * 1000;

/// Every `period`, ends the sessions nobody came back to: idle staff sessions (the rest are
/// ended on use, in [`resume`]), expired voter sessions and unfinished two-step sign-ins.
pub async fn run_session_sweep(store: Store, period: std::time::Duration) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        let now = now_ms();
        if let Err(e) = users::delete_idle_sessions(&store, now - IDLE_MS).await {
            tracing::warn!(error = %e, "session sweep failed");
        }
        if let Err(e) = crate::store::voter_sessions::delete_expired(&store, now).await {
            tracing::warn!(error = %e, "voter session sweep failed");
        }
        if let Err(e) = crate::store::signin::delete_expired_pending(&store, now).await {
            tracing::warn!(error = %e, "pending sign-in sweep failed");
        }
    }
}

pub struct NewSession {
    /// The cookie value (never stored; only its keyed hash is).
    pub token: String,
    pub csrf: String,
    pub user_id: i64,
}

pub fn session_hash(key: &[u8], token: &str) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return Vec::new() };
    mac.update(token.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The staff member behind a session cookie, with the session's CSRF token, if the session is
/// alive. Idle sessions are ended here.
pub async fn resume(store: &Store, session_key: &[u8], token: &str) -> Result<Option<(Staff, String)>> {
    let id_hash = session_hash(session_key, token);
    let Some(s) = users::session(store, &id_hash).await? else { return Ok(None) };
    let now = now_ms();
    if now - s.last_seen_ms > IDLE_MS {
        let mut tx = store.begin().await?;
        users::delete_session(&mut tx, &id_hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    if now - s.last_seen_ms > 60_000 {
        users::touch_session(store, &id_hash, now).await?;
    }
    let Some(u) = users::by_id(store, s.user_id).await? else { return Ok(None) };
    let grants = users::grants(store, u.id).await?;
    Ok(Some((Staff { user_id: u.id, username: u.username, display_name: u.display_name, grants }, s.csrf_token)))
}

pub async fn logout(store: &Store, session_key: &[u8], staff: &Staff, token: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    users::delete_session(&mut tx, &session_hash(session_key, token)).await?;
    let role = staff.grants.first().map(|g| g.role.as_str()).unwrap_or("none");
    let actor = Actor { user_id: Some(staff.user_id), username: staff.username.clone(), role: role.into() };
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &actor,
        EventKind::LoggedOut,
        &format!("user:{}", staff.user_id),
        json!({"user_id": staff.user_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn change_password(store: &Store, staff: &Staff, old: &str, new: &str) -> Result<()> {
    let user = users::by_id(store, staff.user_id).await?.ok_or(ServiceError::NotFound)?;
    if !verify_password(old.to_string(), user.password_hash).await? {
        return Err(invalid("err.password.old", "old_password"));
    }
    check_new_password(new)?;
    let hash = hash_password(new.to_string()).await?;
    let mut tx = store.begin().await?;
    users::set_password(&mut tx, staff.user_id, &hash).await?;
    let role = staff.grants.first().map(|g| g.role.as_str()).unwrap_or("none");
    let actor = Actor { user_id: Some(staff.user_id), username: staff.username.clone(), role: role.into() };
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &actor,
        EventKind::PasswordChanged,
        &format!("user:{}", staff.user_id),
        json!({"user_id": staff.user_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
