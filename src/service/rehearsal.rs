//! The rehearsal clock (模拟演练, issue 16): in a rehearsal deployment a street admin moves the
//! whole app to another day, so committees train on an election's weeks in an afternoon. Every
//! move is one audit entry in the system log (whose origin says `rehearsal.`). A real
//! deployment refuses.

use serde_json::json;
use time::Date;

use super::access::Staff;
use super::{Result, ServiceError, audit};
use crate::audit::{EventKind, SYSTEM_LOG};
use crate::clock::Clock;
use crate::domain::Role;
use crate::store::Store;

/// What the rehearsal page and API show.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RehearsalClock {
    pub rehearsal: bool,
    /// The day the app runs on (YYYY-MM-DD).
    pub today: String,
    /// The day was moved (false: the real date).
    pub moved: bool,
}

pub fn state(clock: &Clock) -> RehearsalClock {
    let today = clock.get().unwrap_or_else(crate::clock::real_today);
    RehearsalClock { rehearsal: clock.is_rehearsal(), today: today.to_string(), moved: clock.get().is_some() }
}

/// A street admin moves the rehearsal clock to `day` (None: back to the real date).
pub async fn move_clock(store: &Store, clock: &Clock, staff: &Staff, day: Option<Date>) -> Result<RehearsalClock> {
    if !staff.grants.iter().any(|g| g.role == Role::StreetAdmin) {
        return Err(ServiceError::Forbidden);
    }
    if !clock.is_rehearsal() {
        return Err(ServiceError::Refused("err.not_rehearsal"));
    }
    let mut tx = store.begin().await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &staff.actor(Role::StreetAdmin),
        EventKind::RehearsalClockMoved,
        "rehearsal:clock",
        json!({"day": day.map(|d| d.to_string())}),
    )
    .await?;
    tx.commit().await?;
    clock.set(day);
    Ok(state(clock))
}
