//! Proxy voting (委托投票, LAW.md §6): a written authorisation to another voter of the same
//! community, approved by the committee, within the profile's limit per proxy and before the
//! cut-off; the list of principals and proxies is published.

use serde_json::json;

use super::access::{Permission, Staff};
use super::audit;
use super::elections::{get, today};
use super::{Result, ServiceError, invalid};
use crate::audit::{EventKind, election_log};
use crate::domain::Stage;
use crate::law::proxy::{ProxyRequest, check_proxy};
use crate::store::elections as st;
use crate::store::{Tx, now_ms};

async fn request(
    tx: &mut Tx,
    e: &crate::domain::Election,
    principal: i64,
    proxy: i64,
    approved: bool,
    applied_on: time::Date,
) -> Result<ProxyRequest> {
    Ok(ProxyRequest {
        principal: principal.to_string(),
        proxy: proxy.to_string(),
        // The committee records only written authorisations (the form is the writing).
        written: true,
        principal_is_voter_here: st::is_voter(&mut *tx, e.id, principal).await?,
        proxy_is_voter_here: st::is_voter(&mut *tx, e.id, proxy).await?,
        approved,
        applied_on,
        // LAW.md §6 [P]: a formal candidate may hold a proxy only for a near relative.
        proxy_is_candidate: crate::store::nominations::for_election(&mut *tx, e.id)
            .await?
            .iter()
            .any(|n| n.nominee_id == proxy && n.status == crate::domain::records::NominationStatus::Candidate),
        near_relatives: st::are_near_relatives(tx, principal, proxy).await?,
        already_held: u32::try_from(st::held_by(tx, e.id, proxy).await?).unwrap_or(u32::MAX),
    })
}

fn refused(errs: Vec<crate::law::proxy::ProxyRefusal>) -> ServiceError {
    let first = errs.first();
    ServiceError::Law {
        code: first
            .map(|r| {
                format!(
                    "proxy_{}",
                    serde_json::to_value(r.code).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
                )
            })
            .unwrap_or_default(),
        rule: first.map(|r| r.rule.to_string()).unwrap_or_default(),
        detail: String::new(),
    }
}

/// Records a written authorisation (principal → proxy) for the committee to decide.
pub async fn apply(
    store: &crate::store::Store,
    staff: &Staff,
    id: i64,
    principal: i64,
    proxy: i64,
    reason: &str,
) -> Result<i64> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if e.stage < Stage::ListPublished || e.stage >= Stage::Polling {
        return Err(ServiceError::Law {
            code: "list_not_published".into(),
            rule: "LAW.md §6 [N]".into(),
            detail: String::new(),
        });
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(invalid("err.reason", "reason"));
    }
    let profile = e.plan.profile.clone();
    let on = today();
    let mut tx = store.begin().await?;
    st::lock_election(&mut tx, id).await?;
    let current = st::get(&mut tx, id).await?.ok_or(ServiceError::NotFound)?;
    if current.stage < Stage::ListPublished || current.stage >= Stage::Polling {
        return Err(ServiceError::Conflict("err.stale"));
    }
    let r = request(&mut tx, &e, principal, proxy, true, on).await?;
    // Everything but the committee's approval must already hold.
    check_proxy(&r, e.plan.day, &profile).map_err(refused)?;
    let pid = st::insert_proxy(&mut tx, id, principal, proxy, reason, &on.to_string(), now_ms())
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.proxy_exists") } else { e.into() })?;
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::ProxyApplied,
        &format!("election:{id}"),
        json!({"proxy_request": pid, "principal_id": principal, "proxy_id": proxy}),
    )
    .await?;
    tx.commit().await?;
    Ok(pid)
}

/// The committee approves (all of LAW.md §6 re-checked, the limit included, under the election's
/// lock) or rejects.
pub async fn decide(store: &crate::store::Store, staff: &Staff, proxy_request: i64, approve: bool) -> Result<()> {
    let p = st::proxy(store, proxy_request).await?.ok_or(ServiceError::NotFound)?;
    let e = get(store, staff, p.election_id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let profile = e.plan.profile.clone();
    let mut tx = store.begin().await?;
    st::lock_election(&mut tx, e.id).await?;
    let current = st::get(&mut tx, e.id).await?.ok_or(ServiceError::NotFound)?;
    if current.stage < Stage::ListPublished || current.stage >= Stage::Polling {
        return Err(ServiceError::Law {
            code: "list_locked".into(),
            rule: "LAW.md §6 [N]".into(),
            detail: String::new(),
        });
    }
    if approve {
        let applied_on = crate::domain::parse_date(&p.applied_on).unwrap_or(today());
        let r = request(&mut tx, &e, p.principal_id, p.proxy_id, true, applied_on).await?;
        check_proxy(&r, e.plan.day, &profile).map_err(refused)?;
    }
    if !st::decide_proxy(&mut tx, proxy_request, approve, &today().to_string()).await? {
        return Err(ServiceError::Conflict("err.proxy_decided"));
    }
    audit::record(
        &mut tx,
        &election_log(e.id),
        &staff.actor(role),
        EventKind::ProxyDecided,
        &format!("election:{}", e.id),
        json!({"proxy_request": proxy_request, "approved": approve}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// LAW.md §6 [P]: at publication of the formal candidate list (and at each re-publication), every
/// approved proxy whose proxy is now a candidate and not a near relative of the principal is
/// withdrawn, in the publishing transaction, one `proxy.revoked` entry each (issue 16 item 4).
pub async fn revoke_for_candidates(tx: &mut Tx, actor: &crate::audit::Actor, election_id: i64) -> Result<usize> {
    let candidates: std::collections::HashSet<i64> = crate::store::nominations::for_election(&mut *tx, election_id)
        .await?
        .into_iter()
        .filter(|n| n.status == crate::domain::records::NominationStatus::Candidate)
        .map(|n| n.nominee_id)
        .collect();
    let mut revoked = 0;
    for (pid, principal, proxy) in crate::store::electorate::approved_proxies_tx(tx, election_id).await? {
        let near = st::are_near_relatives(tx, principal, proxy).await?;
        if let Err(r) = crate::law::proxy::candidate_may_hold(candidates.contains(&proxy), near)
            && crate::store::electorate::revoke_proxy_tx(tx, pid, &today().to_string()).await?
        {
            let code = serde_json::to_value(r.code).ok().and_then(|v| v.as_str().map(str::to_string));
            audit::record(
                tx,
                &election_log(election_id),
                actor,
                EventKind::ProxyRevoked,
                &format!("election:{election_id}"),
                json!({"proxy_request": pid, "code": code}),
            )
            .await?;
            revoked += 1;
        }
    }
    Ok(revoked)
}

/// LAW.md §6 [P]: may this approved proxy still cast for the principal today? A candidate only for
/// a near relative, checked at use on election day as well (issue 16 item 4).
pub async fn lawful_at_use(store: &crate::store::Store, election_id: i64, principal: i64, proxy: i64) -> Result<bool> {
    let candidate = crate::store::nominations::for_election(store, election_id)
        .await?
        .iter()
        .any(|n| n.nominee_id == proxy && n.status == crate::domain::records::NominationStatus::Candidate);
    let near = crate::store::electorate::are_near_relatives(store, principal, proxy).await?;
    Ok(crate::law::proxy::candidate_may_hold(candidate, near).is_ok())
}
