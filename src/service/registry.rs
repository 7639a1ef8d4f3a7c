//! Registry use cases: communities, residents' groups, households, residents, near relatives.

use serde_json::json;

use super::access::{Permission, Staff};
use super::audit;
use super::{Result, ServiceError, invalid};
use crate::audit::{Actor, EventKind, SYSTEM_LOG};
use crate::domain::{NewResident, RawResident};
use crate::store::registry::{self, Resident};
use crate::store::{Store, Tx, now_ms};

fn check_code(code: &str) -> Result<()> {
    let ok = (2..=32).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok { Ok(()) } else { Err(invalid("err.code", "code")) }
}

fn check_title(name: &str, field: &str) -> Result<String> {
    let t = name.trim();
    if t.is_empty() || t.chars().count() > 60 || t.chars().any(char::is_control) {
        return Err(invalid("err.title", field));
    }
    Ok(t.to_string())
}

/// Street offices are created by the operator of the deployment (CLI or demo).
pub async fn create_street_office(store: &Store, actor: &Actor, code: &str, name: &str) -> Result<i64> {
    check_code(code)?;
    let name = check_title(name, "name")?;
    let mut tx = store.begin().await?;
    let id = registry::insert_street_office(&mut tx, code, &name, now_ms()).await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        actor,
        EventKind::StreetOfficeCreated,
        &format!("street_office:{id}"),
        json!({"code": code, "name": name}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn create_community(store: &Store, staff: &Staff, street_id: i64, code: &str, name: &str) -> Result<i64> {
    let role = staff.authorize_street(store, Permission::ManageCommunities, street_id).await?;
    check_code(code)?;
    let name = check_title(name, "name")?;
    create_community_as(store, &staff.actor(role), street_id, code, &name).await
}

pub async fn create_community_as(store: &Store, actor: &Actor, street_id: i64, code: &str, name: &str) -> Result<i64> {
    check_code(code)?;
    let name = check_title(name, "name")?;
    let name = name.as_str();
    let mut tx = store.begin().await?;
    let id = registry::insert_community(&mut tx, street_id, code, name, now_ms()).await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        actor,
        EventKind::CommunityCreated,
        &format!("community:{id}"),
        json!({"code": code, "name": name, "street_office_id": street_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn create_group(store: &Store, staff: &Staff, community_id: i64, number: i64, name: &str) -> Result<i64> {
    let role = staff.authorize(store, Permission::WriteRegistry, community_id).await?;
    if !(1..1000).contains(&number) {
        return Err(invalid("err.group", "number"));
    }
    let name = check_title(name, "name")?;
    let mut tx = store.begin().await?;
    let id = insert_group(&mut tx, &staff.actor(role), community_id, number, &name).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn insert_group(tx: &mut Tx, actor: &Actor, community_id: i64, number: i64, name: &str) -> Result<i64> {
    let id = registry::insert_group(tx, community_id, number, name).await?;
    audit::record(
        tx,
        SYSTEM_LOG,
        actor,
        EventKind::GroupCreated,
        &format!("group:{id}"),
        json!({"community_id": community_id, "number": number, "name": name}),
    )
    .await?;
    Ok(id)
}

pub async fn create_household(
    store: &Store,
    staff: &Staff,
    community_id: i64,
    number: &str,
    address: &str,
    group_number: Option<i64>,
) -> Result<i64> {
    let role = staff.authorize(store, Permission::WriteRegistry, community_id).await?;
    let number = check_title(number, "number")?;
    let address = check_title(address, "address")?;
    let mut tx = store.begin().await?;
    let group_id = match group_number {
        Some(n) => Some(
            registry::group_by_number(&mut tx, community_id, n)
                .await?
                .ok_or(invalid("err.group_unknown", "group_number"))?
                .id,
        ),
        None => None,
    };
    let id = registry::insert_household(&mut tx, community_id, group_id, &number, &address, now_ms()).await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &staff.actor(role),
        EventKind::HouseholdCreated,
        &format!("household:{id}"),
        json!({"community_id": community_id, "number": number, "address": address, "group_id": group_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Resolves (and, if new, registers) the household and group a resident belongs to.
async fn place(tx: &mut Tx, actor: &Actor, community_id: i64, r: &NewResident) -> Result<(Option<i64>, Option<i64>)> {
    let group_id = match r.group_number {
        Some(n) => Some(
            registry::group_by_number(tx, community_id, n)
                .await?
                .ok_or(invalid("err.group_unknown", "group_number"))?
                .id,
        ),
        None => None,
    };
    let household_id = match &r.household_number {
        None => None,
        Some(num) => match registry::household_by_number(tx, community_id, num).await? {
            Some(h) => Some(h.id),
            None => {
                let address = r.household_address.clone().unwrap_or_default();
                let id = registry::insert_household(tx, community_id, group_id, num, &address, now_ms()).await?;
                audit::record(
                    tx,
                    SYSTEM_LOG,
                    actor,
                    EventKind::HouseholdCreated,
                    &format!("household:{id}"),
                    json!({"community_id": community_id, "number": num, "address": address, "group_id": group_id}),
                )
                .await?;
                Some(id)
            }
        },
    };
    Ok((household_id, group_id))
}

pub async fn create_resident(store: &Store, staff: &Staff, community_id: i64, raw: &RawResident) -> Result<i64> {
    let role = staff.authorize(store, Permission::WriteRegistry, community_id).await?;
    let r = raw.parse().map_err(ServiceError::Fields)?;
    let actor = staff.actor(role);
    let mut tx = store.begin().await?;
    let (household_id, group_id) = place(&mut tx, &actor, community_id, &r).await?;
    let id = registry::insert_resident(&mut tx, community_id, household_id, group_id, &r, now_ms())
        .await
        .map_err(|e| if e.is_unique_violation() { invalid("err.id.exists", "id_number") } else { e.into() })?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &actor,
        EventKind::ResidentCreated,
        &format!("resident:{id}"),
        // No personal data in the append-only log (it can never be erased): a digest of the
        // record, which the edit history and the registry can be checked against.
        json!({"community_id": community_id, "resident_id": id, "sha256": digest(&r)}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Edits a resident. `version` is the version the editor saw; a stale edit is refused.
pub async fn update_resident(store: &Store, staff: &Staff, id: i64, version: i64, raw: &RawResident) -> Result<()> {
    let before = registry::resident(store, id).await?.ok_or(ServiceError::NotFound)?;
    let role = staff.authorize(store, Permission::WriteRegistry, before.community_id).await?;
    let r = raw.parse().map_err(ServiceError::Fields)?;
    let actor = staff.actor(role);
    let mut tx = store.begin().await?;
    // One place only is keyed by ID number: while the number holds a place in a round, it
    // cannot silently change underneath it.
    if r.id_number.as_str() != before.id_number
        && crate::store::elections::is_claimed(&mut tx, &before.id_number).await?
    {
        return Err(ServiceError::Conflict("err.id_claimed"));
    }
    let (household_id, group_id) = place(&mut tx, &actor, before.community_id, &r).await?;
    let now = now_ms();
    let ok = registry::update_resident(&mut tx, id, version, household_id, group_id, &r, now)
        .await
        .map_err(|e| if e.is_unique_violation() { invalid("err.id.exists", "id_number") } else { e.into() })?;
    if !ok {
        return Err(ServiceError::Conflict("err.stale"));
    }
    let after = registry::resident(&mut tx, id).await?.ok_or(ServiceError::NotFound)?;
    let before_json = serde_json::to_string(&before).unwrap_or_default();
    let after_json = serde_json::to_string(&after).unwrap_or_default();
    registry::insert_history(&mut tx, id, after.version, &staff.username, &before_json, &after_json, now).await?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &actor,
        EventKind::ResidentUpdated,
        &format!("resident:{id}"),
        json!({"resident_id": id, "version": after.version, "before_sha256": digest(&before),
               "after_sha256": digest(&after), "fields": changed_fields(&before, &after)}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// SHA-256 of a record's canonical JSON.
fn digest<T: serde::Serialize>(v: &T) -> String {
    use sha2::{Digest, Sha256};
    let value = serde_json::to_value(v).unwrap_or_default();
    hex::encode(Sha256::digest(crate::audit::canonical_json(&value)))
}

/// Names of the fields that differ between two versions (never their values).
fn changed_fields(a: &Resident, b: &Resident) -> Vec<String> {
    let (Ok(serde_json::Value::Object(x)), Ok(serde_json::Value::Object(y))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return Vec::new();
    };
    y.iter().filter(|(k, v)| k.as_str() != "version" && x.get(k.as_str()) != Some(*v)).map(|(k, _)| k.clone()).collect()
}

/// Records two residents of the same community as near relatives (LAW.md §2 recusal, §1
/// committee composition [P] need it).
pub async fn link_relatives(store: &Store, staff: &Staff, a: i64, b: i64, relation: &str) -> Result<()> {
    if a == b {
        return Err(invalid("err.relative_self", "relative_id"));
    }
    let ra = registry::resident(store, a).await?.ok_or(ServiceError::NotFound)?;
    // Scope first, so nothing about residents elsewhere can be learnt from the answers.
    let role = staff.authorize(store, Permission::WriteRegistry, ra.community_id).await?;
    let rb = registry::resident(store, b).await?.ok_or(invalid("err.relative_unknown", "relative_id"))?;
    if ra.community_id != rb.community_id {
        return Err(invalid("err.relative_unknown", "relative_id"));
    }
    let relation = match relation {
        "spouse" | "parent" | "child" | "sibling" | "grandparent" | "grandchild" | "in_law" => relation,
        _ => return Err(invalid("err.relation", "relation")),
    };
    let mut tx = store.begin().await?;
    registry::link_relatives(&mut tx, a, b, relation)
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.relative_exists") } else { e.into() })?;
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &staff.actor(role),
        EventKind::RelativeLinked,
        &format!("resident:{a}"),
        json!({"resident_a": a, "resident_b": b, "relation": relation}),
    )
    .await?;
    tx.commit().await?;
    // LAW.md §2 [N]: a new near relative of a nominee on an election committee withdraws it.
    super::committee::recuse_in_community(store, &staff.actor(role), ra.community_id).await?;
    Ok(())
}

/// A resident, checked against the reader's scope; ID numbers masked for observers.
pub async fn read_resident(store: &Store, staff: &Staff, id: i64) -> Result<Resident> {
    let mut r = registry::resident(store, id).await?.ok_or(ServiceError::NotFound)?;
    let role = staff.authorize(store, Permission::ReadRegistry, r.community_id).await?;
    if !staff.sees_full_ids(role) {
        r.id_number = mask(&r.id_number);
        r.phone = String::new();
    }
    Ok(r)
}

pub use crate::domain::mask_id_number as mask;

pub async fn search(
    store: &Store,
    staff: &Staff,
    community_id: i64,
    q: &str,
    page: i64,
) -> Result<(Vec<Resident>, i64)> {
    let role = staff.authorize(store, Permission::ReadRegistry, community_id).await?;
    let page = page.clamp(1, 100_000);
    // Observers see ID numbers masked; letting them search by ID prefix would unmask them
    // digit by digit, so their search is by name only.
    let by_id = staff.sees_full_ids(role);
    let (mut rows, total) = registry::search_residents(store, community_id, q, by_id, 50, (page - 1) * 50).await?;
    if !staff.sees_full_ids(role) {
        for r in &mut rows {
            r.id_number = mask(&r.id_number);
            r.phone = String::new();
        }
    }
    Ok((rows, total))
}

// ---- read models of the registry pages and endpoints (issue 14 item 3) ----

pub use crate::domain::Action;
use crate::domain::Election;
use crate::domain::records::{
    Community, CommunityStats, HistoryRow, Household, HouseholdRow, RelativeRow, ResidentGroup, StreetOffice,
};

/// The communities `staff` may read, with their counts, and the street offices in which they
/// may create communities (the staff dashboard).
pub async fn dashboard(store: &Store, staff: &Staff) -> Result<(Vec<CommunityStats>, Vec<StreetOffice>)> {
    let communities = communities(store, staff).await?;
    let mut streets = Vec::new();
    for id in staff.street_ids() {
        if staff.street_role(Permission::ManageCommunities, id).is_some() {
            streets.extend(registry::street_office(store, id).await?);
        }
    }
    Ok((communities, streets))
}

/// The communities `staff` may read, with their counts.
pub async fn communities(store: &Store, staff: &Staff) -> Result<Vec<CommunityStats>> {
    let ids = staff.readable_communities(store).await?;
    Ok(registry::communities_with_stats(store, &ids).await?)
}

/// Community `id` with its counts, for `staff` who may read it (`None` when it is gone).
pub async fn community_stats(store: &Store, staff: &Staff, id: i64) -> Result<Option<CommunityStats>> {
    staff.authorize(store, Permission::ReadRegistry, id).await?;
    Ok(registry::communities_with_stats(store, &[id]).await?.into_iter().next())
}

/// The residents' groups of community `id`, for `staff` who may read it.
pub async fn groups(store: &Store, staff: &Staff, id: i64) -> Result<Vec<ResidentGroup>> {
    staff.authorize(store, Permission::ReadRegistry, id).await?;
    Ok(registry::groups(store, id).await?)
}

/// A page (1-based, 100 a page) of community `id`'s households, for `staff` who may read it.
pub async fn households(store: &Store, staff: &Staff, id: i64, page: i64) -> Result<Vec<Household>> {
    staff.authorize(store, Permission::ReadRegistry, id).await?;
    let page = page.clamp(1, 100_000);
    Ok(registry::households(store, id, 100, (page - 1) * 100).await?)
}

/// What the community page shows: the community, its groups, a page of residents found by
/// `q`, its elections, and the steps the caller may take (`Action::WriteRegistry`,
/// `Action::OpenElection`).
pub struct CommunityView {
    pub community: Community,
    pub groups: Vec<ResidentGroup>,
    pub residents: Vec<Resident>,
    pub total: i64,
    pub elections: Vec<Election>,
    pub allowed: Vec<Action>,
}

/// `WriteRegistry` when the caller may write community `id`'s registry.
async fn write_registry(store: &Store, staff: &Staff, id: i64) -> Result<Vec<Action>> {
    Ok(if staff.may(store, Permission::WriteRegistry, id).await? { vec![Action::WriteRegistry] } else { Vec::new() })
}

pub async fn community_view(store: &Store, staff: &Staff, id: i64, q: &str, page: i64) -> Result<CommunityView> {
    let (residents, total) = search(store, staff, id, q, page).await?;
    let community = registry::community(store, id).await?.ok_or(ServiceError::NotFound)?;
    let groups = registry::groups(store, id).await?;
    let mut allowed = write_registry(store, staff, id).await?;
    let elections = crate::store::elections::for_communities(store, &[id]).await?;
    if staff.street_role(Permission::OpenElection, community.street_office_id).is_some() {
        allowed.push(Action::OpenElection);
    }
    Ok(CommunityView { community, groups, residents, total, elections, allowed })
}

/// What the households page shows: a page (100 a page) of households with their group and
/// member count, the groups, and whether the caller may add one (`Action::WriteRegistry`).
pub struct HouseholdsView {
    pub community: Community,
    pub households: Vec<HouseholdRow>,
    pub groups: Vec<ResidentGroup>,
    pub total: i64,
    pub allowed: Vec<Action>,
}

pub async fn households_view(store: &Store, staff: &Staff, id: i64, page: i64) -> Result<HouseholdsView> {
    staff.authorize(store, Permission::ReadRegistry, id).await?;
    let page = page.clamp(1, 100_000);
    let (households, total) = registry::households_with_counts(store, id, 100, (page - 1) * 100).await?;
    let community = registry::community(store, id).await?.ok_or(ServiceError::NotFound)?;
    let groups = registry::groups(store, id).await?;
    let allowed = write_registry(store, staff, id).await?;
    Ok(HouseholdsView { community, households, groups, total, allowed })
}

/// A resident as the edit form shows it: the record, the community's groups and the resident's
/// household and group numbers (for `staff` who may write the registry).
pub struct ResidentEdit {
    pub r: Resident,
    pub groups: Vec<ResidentGroup>,
    pub household_number: Option<String>,
    pub group_number: Option<i64>,
}

pub async fn resident_edit(store: &Store, staff: &Staff, id: i64) -> Result<ResidentEdit> {
    let r = read_resident(store, staff, id).await?;
    staff.authorize(store, Permission::WriteRegistry, r.community_id).await?;
    let groups = registry::groups(store, r.community_id).await?;
    let all = registry::all_residents(store, r.community_id).await?;
    let (household_number, group_number) =
        all.into_iter().find(|(x, _, _)| x.id == id).map(|(_, h, g)| (h, g)).unwrap_or((None, None));
    Ok(ResidentEdit { r, groups, household_number, group_number })
}

/// One stored change of a resident: who and when, and the keys of the fields it changed
/// (read from the stored before/after JSON here, not in the page).
pub struct Change {
    pub version: i64,
    pub changed_ms: i64,
    pub actor: String,
    pub fields: Vec<String>,
}

/// The keys (but `version`) whose value differs between two stored versions.
fn changed_keys(h: &HistoryRow) -> Vec<String> {
    h.after.iter().filter(|(k, v)| *k != "version" && h.before.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect()
}

/// What the resident page shows: the record (masked for who may not see it in full), the near
/// relatives, the changes, and whether the caller may edit (`Action::WriteRegistry`).
pub struct ResidentView {
    pub r: Resident,
    pub relatives: Vec<RelativeRow>,
    pub history: Vec<Change>,
    pub allowed: Vec<Action>,
}

pub async fn resident_view(store: &Store, staff: &Staff, id: i64) -> Result<ResidentView> {
    let r = read_resident(store, staff, id).await?;
    let allowed = write_registry(store, staff, r.community_id).await?;
    let relatives = registry::relatives(store, id).await?;
    let history = registry::history(store, id)
        .await?
        .into_iter()
        .map(|h| Change { fields: changed_keys(&h), version: h.version, changed_ms: h.changed_ms, actor: h.actor })
        .collect();
    Ok(ResidentView { r, relatives, history, allowed })
}

/// Resident `id`'s stored history (the API), for `staff` who may read it; observers may not.
pub async fn history(store: &Store, staff: &Staff, id: i64) -> Result<Vec<HistoryRow>> {
    let r = read_resident(store, staff, id).await?;
    let role = staff.authorize(store, Permission::ReadRegistry, r.community_id).await?;
    if role == crate::domain::Role::Observer {
        return Err(ServiceError::Forbidden);
    }
    Ok(registry::history(store, id).await?)
}

/// Resident `id`'s near relatives, for `staff` who may read the resident.
pub async fn relatives(store: &Store, staff: &Staff, id: i64) -> Result<Vec<RelativeRow>> {
    read_resident(store, staff, id).await?;
    Ok(registry::relatives(store, id).await?)
}

/// Community `id` with no rights checked (the caller checked them).
pub async fn community_of(store: &Store, id: i64) -> Result<Community> {
    registry::community(store, id).await?.ok_or(ServiceError::NotFound)
}

#[cfg(test)]
mod view_tests {
    use super::*;

    fn change(before: serde_json::Value, after: serde_json::Value) -> HistoryRow {
        let map = |v: &serde_json::Value| v.as_object().cloned().unwrap_or_default();
        HistoryRow {
            version: 2,
            changed_ms: 0,
            actor: "a".into(),
            before_json: before.to_string(),
            after_json: after.to_string(),
            before: map(&before),
            after: map(&after),
        }
    }

    #[test]
    fn a_change_names_the_fields_it_changed_but_not_the_version() {
        let h = change(
            serde_json::json!({"name": "张三", "phone": "1", "version": 1}),
            serde_json::json!({"name": "张三", "phone": "2", "version": 2}),
        );
        assert_eq!(changed_keys(&h), vec!["phone".to_string()]);
    }
}
