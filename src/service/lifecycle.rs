//! The election lifecycle engine (DESIGN.md "The election lifecycle"): every stage change of
//! every election goes through [`advance`], which checks it against
//! [`Stage::may_move_to_in`] — the rule `huanjie verify` applies to the log — so the server and
//! the verifier cannot disagree about which steps are legal.
//!
//! Callers do their own writes in the same transaction (the roll, the poll, the count…), call
//! [`advance`] for the step and its audit entry, then [`commit_and_checkpoint`]: one
//! transaction, one audit entry, one signed checkpoint per transition.

use serde_json::{Value, json};

use super::audit::{self, LogIdentity, checkpoint_now};
use super::{Result, ServiceError};
use crate::audit::{Actor, EventKind, election_log};
use crate::domain::{Election, ElectionKind, Stage};
use crate::store::elections as st;
use crate::store::{Store, Tx, now_ms};

/// The committee's count and certification (`count.announced`, `results.certified`) are not
/// a residents' group election's: it is counted by `law::group` and certified into the main
/// election's representatives (`service::group_elections`, LAW.md §4 [N 2018, P]).
fn refused_for_group(event: EventKind) -> Option<ServiceError> {
    matches!(event, EventKind::CountAnnounced | EventKind::ResultsCertified).then(|| ServiceError::Law {
        code: "illegal_transition".into(),
        rule: "LAW.md §4 [N 2018, P]".into(),
        detail: format!("{} in a residents' group election", event.name()),
    })
}

/// Refuses `event` up front for a residents' group election (see [`refused_for_group`]), so
/// the committee's count never starts on a group's box.
pub fn refuse_for_group(e: &Election, event: EventKind) -> Result<()> {
    match refused_for_group(event) {
        Some(err) if e.kind == ElectionKind::Group => Err(err),
        _ => Ok(()),
    }
}

/// Appends `kind` to the election's own log inside `tx`.
pub async fn record(tx: &mut Tx, election_id: i64, actor: &Actor, kind: EventKind, payload: Value) -> Result<u64> {
    if kind == EventKind::CountAnnounced
        && let Some(err) = refused_for_group(kind)
        && st::get(&mut *tx, election_id).await?.is_some_and(|e| e.kind == ElectionKind::Group)
    {
        return Err(err);
    }
    Ok(audit::record(tx, &election_log(election_id), actor, kind, &format!("election:{election_id}"), payload).await?)
}

/// Moves `e` from its stage to `to` inside `tx` and appends `event` with `payload` plus the
/// `from` and `to` stages (the fields the verifier follows). Takes the election's lock first;
/// `e.stage` is the stage the caller decided on, and the compare-and-set refuses the step if
/// another request moved the election meanwhile (409 `err.stale`). Returns the payload as logged.
pub async fn advance(
    tx: &mut Tx,
    actor: &Actor,
    e: &Election,
    to: Stage,
    event: EventKind,
    mut payload: Value,
) -> Result<Value> {
    st::lock_election(tx, e.id).await?;
    if e.kind == ElectionKind::Group
        && let Some(err) = refused_for_group(event)
    {
        return Err(err);
    }
    let from = e.stage;
    if !from.may_move_to_in(e.kind, to) {
        return Err(ServiceError::Law {
            code: "illegal_transition".into(),
            rule: "DESIGN.md lifecycle".into(),
            detail: format!("{} → {}", from.as_str(), to.as_str()),
        });
    }
    if !st::set_stage(tx, e.id, from, to, now_ms()).await? {
        return Err(ServiceError::Conflict("err.stale"));
    }
    payload["from"] = json!(from.as_str());
    payload["to"] = json!(to.as_str());
    record(tx, e.id, actor, event, payload.clone()).await?;
    Ok(payload)
}

/// Commits a transition's transaction and signs a checkpoint of the election's log (issue 4:
/// a checkpoint at every transition).
pub async fn commit_and_checkpoint(tx: Tx, store: &Store, log: &LogIdentity, election_id: i64) -> Result<()> {
    tx.commit().await?;
    checkpoint_now(store, log, &election_log(election_id)).await?;
    Ok(())
}
