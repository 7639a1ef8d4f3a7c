//! Today's date where the election takes place (Beijing, UTC+8), with an override for
//! rehearsals (`huanjie rehearse`, `HUANJIE_REHEARSAL=1`) and tests.
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
    static REHEARSAL: bool;
}

/// A rehearsal deployment's log name starts with this, so every checkpoint origin
/// (`<log name>/<log id>`) says so and `huanjie verify` reports the record as a rehearsal's.
pub const REHEARSAL_LOG_PREFIX: &str = "rehearsal.";

/// Is this checkpoint origin (or log name) a rehearsal deployment's?
pub fn is_rehearsal_origin(origin: &str) -> bool {
    origin.starts_with(REHEARSAL_LOG_PREFIX)
}

/// Does the current request run in a rehearsal deployment (the 演练 banner)?
pub fn in_rehearsal() -> bool {
    REHEARSAL.try_with(|r| *r).unwrap_or(false)
}

/// The real date in Beijing.
pub fn real_today() -> Date {
    time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)).date()
}

/// The day the current task runs on: the override of its scope, else the real date.
pub fn today() -> Date {
    TODAY.try_with(|d| *d).unwrap_or_else(|_| real_today())
}

/// An app-wide override of today's date (None: the real date). A rehearsal deployment's clock
/// is marked, so its pages show the banner and its administrators may move it.
#[derive(Clone, Default, Debug)]
pub struct Clock {
    day: Arc<Mutex<Option<Date>>>,
    rehearsal: bool,
}

impl Clock {
    /// The clock of a rehearsal deployment (演练).
    pub fn rehearsal() -> Clock {
        Clock { day: Arc::default(), rehearsal: true }
    }

    pub fn is_rehearsal(&self) -> bool {
        self.rehearsal
    }

    pub fn set(&self, day: Option<Date>) {
        if let Ok(mut d) = self.day.lock() {
            *d = day;
        }
    }

    pub fn get(&self) -> Option<Date> {
        self.day.lock().ok().and_then(|d| *d)
    }

    /// Runs `fut` on this clock's day (or the real one).
    pub async fn scope<F: Future>(&self, fut: F) -> F::Output {
        let fut = REHEARSAL.scope(self.rehearsal, fut);
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
        assert!(!clock.scope(async { in_rehearsal() }).await);
        assert!(Clock::rehearsal().scope(async { in_rehearsal() }).await && !in_rehearsal());
        assert!(is_rehearsal_origin("rehearsal.huanjie.localhost/election-1"));
        assert!(!is_rehearsal_origin("huanjie.localhost/election-1"));
    }
}
