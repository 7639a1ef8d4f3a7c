//! The residents' election committee (居民选举委员会, LAW.md §2): its members (residents, with
//! their staff accounts), substitutes in order, recorded meeting decisions with quorum and
//! majority, and recusal when a member or a near relative is nominated, with move-up (依次递补).

use serde::Serialize;
use serde_json::json;

use super::access::{Permission, Staff};
use super::audit;
use super::elections::{get, today};
use super::{Result, ServiceError, invalid};
use crate::audit::{Actor, EventKind, election_log};
use crate::law::recall::election_committee_decides;
use crate::store::elections as st;
use crate::store::{Store, now_ms, registry, users};

/// Adds a member (or a substitute, who waits to move up). The member's staff account, if given,
/// must hold the `committee` role for this community.
pub async fn add_member(
    store: &Store,
    staff: &Staff,
    id: i64,
    resident_id: i64,
    position: &str,
    username: &str,
) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let r = registry::resident(store, resident_id).await?.ok_or(invalid("err.relative_unknown", "resident_id"))?;
    if r.community_id != e.community_id {
        return Err(invalid("err.relative_unknown", "resident_id"));
    }
    if !matches!(position, "chair" | "member" | "substitute") {
        return Err(invalid("err.request", "position"));
    }
    let username = username.trim();
    if !username.is_empty() {
        let u = users::by_username(store, username).await?.ok_or(invalid("err.username_unknown", "username"))?;
        let ok = users::grants(store, u.id).await?.iter().any(|g| {
            g.role == crate::domain::Role::Committee
                && g.scope.kind == crate::domain::ScopeKind::Community
                && g.scope.id == e.community_id
        });
        if !ok {
            return Err(invalid("err.username_not_committee", "username"));
        }
    }
    let status = if position == "substitute" { "waiting" } else { "serving" };
    let mut tx = store.begin().await?;
    st::insert_member(&mut tx, id, resident_id, position, username, status)
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.duplicate") } else { e.into() })?;
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::CommitteeMemberAdded,
        &format!("election:{id}"),
        json!({"resident_id": resident_id, "position": position}),
    )
    .await?;
    tx.commit().await?;
    // LAW.md §2 [N]: a member who is (or whose near relative is) nominated withdraws at once,
    // whenever they join (issue 16 item 5).
    recuse_now(store, &staff.actor(role), id).await?;
    Ok(())
}

/// LAW.md §2 [N]: recusal re-run against the election's live nominations (withdrawn ones do not
/// count), after any change of its facts: a nomination, a new committee member, a near-relative
/// link; with it the counting staff's rule (LAW.md §2 [P], `counting_staff::recheck`). A no-op
/// outside nominations → certification, when no nomination is live.
pub async fn recuse_now(store: &Store, actor: &Actor, id: i64) -> Result<Vec<i64>> {
    let Some(e) = st::get(store, id).await? else { return Ok(Vec::new()) };
    if e.stage < crate::domain::Stage::Nominations || e.stage >= crate::domain::Stage::HandedOver {
        return Ok(Vec::new());
    }
    let nominees: Vec<i64> = crate::store::nominations::for_election(store, id)
        .await?
        .iter()
        .filter(|n| n.status != crate::domain::records::NominationStatus::Withdrawn)
        .map(|n| n.nominee_id)
        .collect();
    if nominees.is_empty() {
        return Ok(Vec::new());
    }
    // LAW.md §2 [P]: the same facts decide who may count the votes.
    super::counting_staff::recheck(store, actor, id, &nominees).await?;
    recuse_for_nominees(store, actor, id, &nominees).await
}

/// A near-relative link between two residents of `community_id` changes recusal in each of its
/// running elections (LAW.md §2 [N], issue 16 item 5).
pub async fn recuse_in_community(store: &Store, actor: &Actor, community_id: i64) -> Result<()> {
    for e in st::for_communities(store, &[community_id]).await? {
        recuse_now(store, actor, e.id).await?;
    }
    Ok(())
}

/// A meeting decision recorded: its id, whether it was adopted and the serving members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionOutcome {
    pub id: i64,
    pub adopted: bool,
    pub members: i64,
}

/// Records a meeting decision: adopted only with more than half of the members present and a
/// majority of those present (LAW.md §2 [P, GS Art. 14]).
pub async fn record_decision(
    store: &Store,
    staff: &Staff,
    id: i64,
    subject: &str,
    present: i64,
    yes: i64,
) -> Result<DecisionOutcome> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let subject = subject.trim();
    if subject.is_empty() || subject.chars().count() > 500 {
        return Err(invalid("err.reason", "subject"));
    }
    let members = st::members(store, id).await?.iter().filter(|m| m.status == "serving").count() as i64;
    if members == 0 {
        return Err(ServiceError::Law {
            code: "no_committee".into(),
            rule: "LAW.md §2 [N]".into(),
            detail: String::new(),
        });
    }
    if present < 0 || present > members || yes < 0 || yes > present {
        return Err(invalid("err.votes", "present"));
    }
    let profile = e.plan.profile.clone();
    let adopted = election_committee_decides(members as u64, present as u64, yes as u64, &profile);
    let mut tx = store.begin().await?;
    let did = st::insert_decision(&mut tx, id, subject, members, present, yes, adopted, &today().to_string(), now_ms())
        .await?;
    audit::record(
        &mut tx,
        &election_log(id),
        &staff.actor(role),
        EventKind::CommitteeDecision,
        &format!("election:{id}"),
        json!({"decision_id": did, "members": members, "present": present, "yes": yes, "adopted": adopted}),
    )
    .await?;
    tx.commit().await?;
    Ok(DecisionOutcome { id: did, adopted, members })
}

/// Recuses every serving member who is nominated or whose near relative is (LAW.md §2 [N]) and
/// moves substitutes up in order, skipping any who are themselves conflicted. Called by the
/// nomination use cases; returns the recused residents.
pub async fn recuse_for_nominees(store: &Store, actor: &Actor, id: i64, nominees: &[i64]) -> Result<Vec<i64>> {
    let members = st::members(store, id).await?;
    let nominee_keys: Vec<String> = nominees.iter().map(|n| n.to_string()).collect();
    let mut pairs = std::collections::HashSet::new();
    for m in &members {
        for rel in registry::relatives(store, m.resident_id).await? {
            pairs.insert((m.resident_id.to_string(), rel.id.to_string()));
        }
    }
    let related = |a: &str, b: &str| {
        pairs.contains(&(a.to_string(), b.to_string())) || pairs.contains(&(b.to_string(), a.to_string()))
    };
    let serving: Vec<String> =
        members.iter().filter(|m| m.status == "serving").map(|m| m.resident_id.to_string()).collect();
    let substitutes: Vec<String> =
        members.iter().filter(|m| m.status == "waiting").map(|m| m.resident_id.to_string()).collect();
    let recusals = crate::law::recusal::committee_recusals(&serving, &nominee_keys, related);
    if recusals.is_empty() {
        return Ok(Vec::new());
    }
    let (new_committee, _missing) =
        crate::law::recusal::replace_recused(&serving, &recusals, &substitutes, &nominee_keys, related);
    let mut tx = store.begin().await?;
    let mut out = Vec::new();
    for r in &recusals {
        let rid: i64 = r.member.parse().unwrap_or_default();
        st::set_member_status(&mut tx, id, rid, "recused", &format!("{:?}", r.cause)).await?;
        out.push(rid);
    }
    let mut moved = Vec::new();
    for s in &substitutes {
        if new_committee.contains(s) {
            let rid: i64 = s.parse().unwrap_or_default();
            st::set_member_status(&mut tx, id, rid, "serving", "递补").await?;
            moved.push(rid);
        }
    }
    audit::record(
        &mut tx,
        &election_log(id),
        actor,
        EventKind::CommitteeRecusal,
        &format!("election:{id}"),
        json!({"recused": out, "moved_up": moved}),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
