//! Staff accounts, their roles, server-side sessions and the login throttle.

use sqlx::FromRow;

use super::on_conn;
use super::{Result, Store, Tx};
use crate::domain::{Role, Scope, ScopeKind};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
}

#[derive(Debug, Clone, FromRow)]
struct RoleRow {
    role: String,
    scope_kind: String,
    scope_id: i64,
}

pub use crate::domain::Grant;

pub async fn insert_user(tx: &mut Tx, username: &str, display_name: &str, hash: &str, now: i64) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO users (username, display_name, password_hash, created_ms) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(username)
        .bind(display_name)
        .bind(hash)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn grant(tx: &mut Tx, user_id: i64, g: &Grant) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("INSERT INTO user_roles (user_id, role, scope_kind, scope_id) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(g.role.as_str())
            .bind(g.scope.kind.as_str())
            .bind(g.scope.id)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn revoke(tx: &mut Tx, user_id: i64, g: &Grant) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND role = $2 AND scope_kind = $3 AND scope_id = $4")
            .bind(user_id)
            .bind(g.role.as_str())
            .bind(g.scope.kind.as_str())
            .bind(g.scope.id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n > 0)
}

pub async fn set_password(tx: &mut Tx, user_id: i64, hash: &str) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        // A password change ends every other session of the account.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
    });
    Ok(())
}

pub async fn by_username(store: &Store, username: &str) -> Result<Option<UserRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, UserRow>("SELECT id, username, display_name, password_hash FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn by_id(store: &Store, id: i64) -> Result<Option<UserRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, UserRow>("SELECT id, username, display_name, password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn grants(store: &Store, user_id: i64) -> Result<Vec<Grant>> {
    let rows = on_conn!(pool store, |c| {
        sqlx::query_as::<_, RoleRow>("SELECT role, scope_kind, scope_id FROM user_roles WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(c)
            .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Grant {
                role: Role::parse(&r.role)?,
                scope: Scope { kind: ScopeKind::parse(&r.scope_kind)?, id: r.scope_id },
            })
        })
        .collect())
}

#[derive(Debug, Clone, FromRow)]
pub struct UserListRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope_kind: String,
    pub scope_id: i64,
}

/// Users holding a role in a street office or any of its communities.
pub async fn list_in_street(store: &Store, street_id: i64) -> Result<Vec<UserListRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, UserListRow>(
            "SELECT u.id, u.username, u.display_name, r.role, r.scope_kind, r.scope_id FROM users u \
             JOIN user_roles r ON r.user_id = u.id \
             WHERE (r.scope_kind = 'street_office' AND r.scope_id = $1) \
                OR (r.scope_kind = 'community' AND r.scope_id IN (SELECT id FROM communities WHERE street_office_id = $1)) \
             ORDER BY u.username, r.id",
        )
        .bind(street_id)
        .fetch_all(c)
        .await?
    }))
}

// ---- sessions ----

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub user_id: i64,
    pub csrf_token: String,
    pub last_seen_ms: i64,
}

pub async fn insert_session(tx: &mut Tx, id_hash: &[u8], user_id: i64, csrf: &str, now: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_ms, last_seen_ms) VALUES ($1, $2, $3, $4, $4)")
            .bind(id_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(now)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn session(store: &Store, id_hash: &[u8]) -> Result<Option<SessionRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, SessionRow>("SELECT user_id, csrf_token, last_seen_ms FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(c)
            .await?
    }))
}

/// Refreshes the idle timer. Called at most once a minute per session to keep reads cheap.
pub async fn touch_session(store: &Store, id_hash: &[u8], now: i64) -> Result<()> {
    on_conn!(pool store, |c| {
        sqlx::query("UPDATE sessions SET last_seen_ms = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn delete_session(tx: &mut Tx, id_hash: &[u8]) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(c).await?;
    });
    Ok(())
}

pub async fn delete_idle_sessions(store: &Store, older_than_ms: i64) -> Result<u64> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query("DELETE FROM sessions WHERE last_seen_ms < $1").bind(older_than_ms).execute(c).await?.rows_affected()
    }))
}

/// Ends every session of an account (its second factor was reset).
pub async fn delete_sessions_of(tx: &mut Tx, user_id: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(c).await?;
    });
    Ok(())
}
