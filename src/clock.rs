//! Today's date where the election takes place (Beijing, UTC+8), with an override for
//! rehearsals and tests.
//!
//! Every legal deadline is a calendar day, so the services ask [`today`]. A rehearsal (模拟演练)
//! or a test moves the whole app to another day through [`Clock::set`]; the web layer runs each
//! request inside [`Clock::scope`], so every check of one request sees the same day. Instants
//! stored in the database are always the real time (`store::now_ms`).

use std::future::Future;
use std::sync::{Arc, Mutex};

use time::Date;

tokio::task_local! {
    static TODAY: Date;
}

/// The real date in Beijing.
pub fn real_today() -> Date {
    time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)).date()
}

/// The day the current task runs on: the override of its scope, else the real date.
pub fn today() -> Date {
    TODAY.try_with(|d| *d).unwrap_or_else(|_| real_today())
}

/// An app-wide override of today's date (None: the real date).
#[derive(Clone, Default, Debug)]
pub struct Clock(Arc<Mutex<Option<Date>>>);

impl Clock {
    pub fn set(&self, day: Option<Date>) {
        if let Ok(mut d) = self.0.lock() {
            *d = day;
        }
    }

    pub fn get(&self) -> Option<Date> {
        self.0.lock().ok().and_then(|d| *d)
    }

    /// Runs `fut` on this clock's day (or the real one).
    pub async fn scope<F: Future>(&self, fut: F) -> F::Output {
        match self.get() {
            Some(day) => TODAY.scope(day, fut).await,
            None => fut.await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_override_holds_inside_its_scope_only() {
        let clock = Clock::default();
        let day = time::macros::date!(2026 - 03 - 15);
        clock.set(Some(day));
        assert_eq!(clock.scope(async { today() }).await, day);
        assert_eq!(today(), real_today());
        clock.set(None);
        assert_eq!(clock.scope(async { today() }).await, real_today());
    }
}
