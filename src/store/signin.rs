//! Sign-in state: attempt counters (reserved before any password is hashed), the half-signed-in
//! rows between the password and the code, TOTP secrets, recovery codes, known addresses.

use sqlx::FromRow;

use super::on_conn;
use super::{Result, Store, Tx};

// ---- attempt counters (table login_throttle: key, failures, window start, slot time) ----

/// Counts one attempt against `key` in a fixed window of `window` ms and returns the count
/// including this one and the window's start. One statement, so parallel requests (or several
/// servers) each get their own number: the sixth of five is refused before it is checked.
pub async fn reserve(store: &Store, key: &str, window: i64, now: i64) -> Result<(i64, i64)> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, i64)>(
            "INSERT INTO login_throttle (key, failures, window_ms, locked_until) VALUES ($1, 1, $2, 0) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN $2 - login_throttle.window_ms >= $3 THEN 1 ELSE login_throttle.failures + 1 END, \
               window_ms = CASE WHEN $2 - login_throttle.window_ms >= $3 THEN $2 ELSE login_throttle.window_ms END \
             RETURNING failures, window_ms",
        )
        .bind(key)
        .bind(now)
        .bind(window)
        .fetch_one(c)
        .await?
    }))
}

/// Gives back one reserved attempt (it succeeded).
pub async fn release(tx: &mut Tx, key: &str) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
            .bind(key)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn clear(tx: &mut Tx, key: &str) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(c).await?;
    });
    Ok(())
}

/// Takes the next slot of a spaced-out key: at most one attempt per `interval` ms. Ok(None)
/// when taken; Ok(Some(t)) when the next slot opens at `t`.
pub async fn take_slot(store: &Store, key: &str, interval: i64, now: i64) -> Result<Option<i64>> {
    let taken = on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO login_throttle (key, failures, window_ms, locked_until) VALUES ($1, 1, $2, $2 + $3) \
             ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures + 1, window_ms = $2, locked_until = $2 + $3 \
             WHERE login_throttle.locked_until <= $2 \
             RETURNING locked_until",
        )
        .bind(key)
        .bind(now)
        .bind(interval)
        .fetch_optional(c)
        .await?
    });
    if taken.is_some() {
        return Ok(None);
    }
    let next = on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, i64>("SELECT locked_until FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(c)
            .await?
    });
    Ok(Some(next.unwrap_or(now + interval)))
}

// ---- known addresses ----

pub async fn is_known(store: &Store, username: &str, address: &str) -> Result<bool> {
    let n = on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM login_known_addresses WHERE username = $1 AND address = $2")
            .bind(username)
            .bind(address)
            .fetch_one(c)
            .await?
    });
    Ok(n > 0)
}

pub async fn remember(tx: &mut Tx, username: &str, address: &str, now: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO login_known_addresses (username, address, last_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (username, address) DO UPDATE SET last_ms = $3",
        )
        .bind(username)
        .bind(address)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

// ---- half-signed-in ----

#[derive(Debug, Clone, FromRow)]
pub struct PendingRow {
    pub user_id: i64,
    pub kind: String,
    pub address: String,
    pub next_path: String,
    pub attempts: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_pending(
    tx: &mut Tx,
    id_hash: &[u8],
    user_id: i64,
    kind: &str,
    address: &str,
    next: &str,
    expires_ms: i64,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO login_pending (id_hash, user_id, kind, address, next_path, attempts, expires_ms) \
             VALUES ($1, $2, $3, $4, $5, 0, $6)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(kind)
        .bind(address)
        .bind(next)
        .bind(expires_ms)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// A live pending sign-in, without counting an attempt (to show its page).
pub async fn pending(store: &Store, id_hash: &[u8], now: i64) -> Result<Option<PendingRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, PendingRow>(
            "SELECT user_id, kind, address, next_path, attempts FROM login_pending WHERE id_hash = $1 AND expires_ms > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(c)
        .await?
    }))
}

/// Counts one code attempt on a live pending sign-in, atomically: None once it has expired or
/// used up its `limit` attempts.
pub async fn pending_attempt(store: &Store, id_hash: &[u8], limit: i64, now: i64) -> Result<Option<PendingRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, PendingRow>(
            "UPDATE login_pending SET attempts = attempts + 1 \
             WHERE id_hash = $1 AND attempts < $2 AND expires_ms > $3 \
             RETURNING user_id, kind, address, next_path, attempts",
        )
        .bind(id_hash)
        .bind(limit)
        .bind(now)
        .fetch_optional(c)
        .await?
    }))
}

pub async fn delete_pending(tx: &mut Tx, id_hash: &[u8]) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM login_pending WHERE id_hash = $1").bind(id_hash).execute(c).await?;
    });
    Ok(())
}

pub async fn delete_expired_pending(store: &Store, now: i64) -> Result<u64> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query("DELETE FROM login_pending WHERE expires_ms <= $1").bind(now).execute(c).await?.rows_affected()
    }))
}

// ---- TOTP and recovery codes ----

#[derive(Debug, Clone, FromRow)]
pub struct TotpRow {
    pub secret_enc: Vec<u8>,
    pub confirmed_ms: Option<i64>,
    pub last_step: i64,
}

pub async fn totp(store: &Store, user_id: i64) -> Result<Option<TotpRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, TotpRow>("SELECT secret_enc, confirmed_ms, last_step FROM staff_totp WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(c)
            .await?
    }))
}

/// Starts (or restarts) an enrolment with a new secret; never replaces a confirmed one.
pub async fn set_unconfirmed(tx: &mut Tx, user_id: i64, secret_enc: &[u8], now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO staff_totp (user_id, secret_enc, confirmed_ms, last_step, created_ms) VALUES ($1, $2, NULL, 0, $3) \
             ON CONFLICT (user_id) DO UPDATE SET secret_enc = $2, created_ms = $3 WHERE staff_totp.confirmed_ms IS NULL",
        )
        .bind(user_id)
        .bind(secret_enc)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Confirms an enrolment with the step of the code typed (which is then used up).
pub async fn confirm(tx: &mut Tx, user_id: i64, step: i64, now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE staff_totp SET confirmed_ms = $3, last_step = $2 WHERE user_id = $1 AND confirmed_ms IS NULL",
        )
        .bind(user_id)
        .bind(step)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Uses up a step: true only for a step later than every step accepted before (no replay, even
/// by two requests at once).
pub async fn accept_step(tx: &mut Tx, user_id: i64, step: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE staff_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2 AND confirmed_ms IS NOT NULL",
        )
        .bind(user_id)
        .bind(step)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Removes the second factor: secret and recovery codes.
pub async fn delete_totp(tx: &mut Tx, user_id: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM staff_recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
        sqlx::query("DELETE FROM login_pending WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
        sqlx::query("DELETE FROM staff_totp WHERE user_id = $1").bind(user_id).execute(&mut *c).await?.rows_affected()
    });
    Ok(n > 0)
}

pub async fn insert_recovery(tx: &mut Tx, user_id: i64, hash: &[u8]) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("INSERT INTO staff_recovery_codes (user_id, code_hash, used_ms) VALUES ($1, $2, NULL)")
            .bind(user_id)
            .bind(hash)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Uses up a recovery code: true once per code.
pub async fn use_recovery(tx: &mut Tx, user_id: i64, hash: &[u8], now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE staff_recovery_codes SET used_ms = $3 WHERE user_id = $1 AND code_hash = $2 AND used_ms IS NULL",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

pub async fn recovery_left(tx: &mut Tx, user_id: i64) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM staff_recovery_codes WHERE user_id = $1 AND used_ms IS NULL")
            .bind(user_id)
            .fetch_one(c)
            .await?
    }))
}
