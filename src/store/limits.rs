//! Fixed-window counters for rate limits on anonymous requests (issue 12): one row per key,
//! incremented by one atomic upsert that returns the new count, so parallel requests and
//! several servers cannot lose or double-spend a hit.

use super::on_conn;
use super::{Result, Store};

/// Counts one hit on `key` in the window of `window_ms` that holds `now`, and returns the hits
/// in that window including this one.
pub async fn hit(store: &Store, key: &str, window_ms: i64, now: i64) -> Result<i64> {
    let start = now - now.rem_euclid(window_ms.max(1));
    Ok(on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO rate_limits (key, window_ms, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
               hits = CASE WHEN rate_limits.window_ms = $2 THEN rate_limits.hits + 1 ELSE 1 END, \
               window_ms = $2 \
             RETURNING hits",
        )
        .bind(key)
        .bind(start)
        .fetch_one(c)
        .await?
    }))
}

/// Hands back a hit taken by `hit` in the same window (a reservation that turned out to be a
/// success, which the limit does not count).
pub async fn release(store: &Store, key: &str, window_ms: i64, now: i64) -> Result<()> {
    let start = now - now.rem_euclid(window_ms.max(1));
    on_conn!(pool store, |c| {
        sqlx::query("UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND window_ms = $2 AND hits > 0")
            .bind(key)
            .bind(start)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// The hits on `key` in the current window, without counting one.
pub async fn hits(store: &Store, key: &str, window_ms: i64, now: i64) -> Result<i64> {
    let start = now - now.rem_euclid(window_ms.max(1));
    Ok(on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, i64>("SELECT hits FROM rate_limits WHERE key = $1 AND window_ms = $2")
            .bind(key)
            .bind(start)
            .fetch_optional(c)
            .await?
            .unwrap_or(0)
    }))
}
