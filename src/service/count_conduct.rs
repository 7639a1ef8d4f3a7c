//! The committee records how a round was counted (LAW.md §8 [P, CQ Art. 34]): a round not
//! counted in public (`no_public_count`) or whose result was not announced on the spot
//! (`not_announced_on_spot`). Before the count the finding goes into the box as the contest's
//! `public_count` / `announced_on_spot` fact and the law engine voids the count (the election
//! goes void with its re-run deadline); recorded after the count, certification is refused
//! with the reasons (the committee then records the void decision, `counting::void`).

use super::access::{Permission, Staff};
use super::audit::LogIdentity;
use super::elections::{get, locked, today};
use super::{Result, ServiceError, invalid, lifecycle};
use crate::audit::EventKind;
use crate::domain::Stage;
use crate::law::after_vote::{COUNT_FINDINGS, count_conduct};
use crate::store::{Store, count_conduct as st, now_ms, polling as pst};

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

/// Records a finding about the latest round, once its polls are closed and before the result
/// is certified. One transaction, one `count.conduct_recorded` entry.
pub async fn record(
    store: &Store,
    log: &LogIdentity,
    staff: &Staff,
    id: i64,
    finding: &str,
) -> Result<ConductRecorded> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if !COUNT_FINDINGS.contains(&finding) {
        return Err(invalid("err.request", "finding"));
    }
    let poll = pst::latest_poll(store, id)
        .await?
        .filter(|p| p.status == "closed")
        .ok_or(ServiceError::Refused("err.not_counting"))?;
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Counting {
        return Err(law("illegal_transition", "LAW.md §8 [P, CQ Art. 34]", e.stage.to_string()));
    }
    if !st::insert(&mut tx, id, poll.round_no, finding, &today().to_string(), now_ms()).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    let out = ConductRecorded { finding: finding.to_string(), round: poll.round_no };
    lifecycle::record(&mut tx, id, &staff.actor(role), EventKind::CountConductRecorded, super::payload(&out)?).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(out)
}

/// A finding recorded about a round (the `count.conduct_recorded` entry's payload).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ConductRecorded {
    /// `no_public_count` or `not_announced_on_spot`.
    pub finding: String,
    pub round: i64,
}

/// The findings recorded for election `id`, as (round, finding), for who may run it.
pub async fn list(store: &Store, staff: &Staff, id: i64) -> Result<Vec<(i64, String)>> {
    get(store, staff, id, Permission::RunElection).await?;
    Ok(st::findings(store, id).await?)
}

/// The contest's `(public_count, announced_on_spot)` facts for one round (LAW.md §8 [P]).
pub async fn facts(store: &Store, id: i64, round_no: i64) -> Result<(bool, bool)> {
    let f: Vec<String> =
        st::findings(store, id).await?.into_iter().filter(|(r, _)| *r == round_no).map(|x| x.1).collect();
    Ok(count_conduct(&f))
}

/// Refuses certification while a finding stands against a counted round (LAW.md §8 [P, CQ
/// Art. 34]: such an election is void).
pub async fn check_before_certify(store: &Store, id: i64) -> Result<()> {
    let f = st::findings(store, id).await?;
    if f.is_empty() {
        return Ok(());
    }
    let detail: Vec<String> = f.iter().map(|(r, x)| format!("{r}:{x}")).collect();
    Err(law("count_void", "LAW.md §8 [P, CQ Art. 34]", detail.join(",")))
}
