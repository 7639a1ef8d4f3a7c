//! Voter registration from the registry (LAW.md §3), publication of the voter list, objections,
//! and voting codes for the voter cards (选民证).

use std::collections::HashMap;

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::json;
use sha2::Sha256;
use time::Date;

use super::access::{Permission, Staff};
use super::audit::{self, LogIdentity, checkpoint_now};
use super::elections::locked;
use super::elections::{get, today};
use super::lifecycle;
pub use super::roll_check::facts;
use super::roll_check::ineligible_on_roll;
use super::{Result, ServiceError, invalid};
use crate::audit::{Actor, EventKind, election_log};
use crate::domain::Election;
use crate::domain::{IdCardNumber, Stage};
use crate::law::electorate::{MethodFacts, method_admits};
use crate::law::eligibility::{VoterCategory, check_voter};
use crate::store::elections::{self as st, VoterRow};
use crate::store::registry::{self, Resident};
use crate::store::{Store, Tx, now_ms};

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

async fn record(tx: &mut Tx, id: i64, actor: &Actor, kind: EventKind, payload: serde_json::Value) -> Result<u64> {
    Ok(audit::record(tx, &election_log(id), actor, kind, &format!("election:{id}"), payload).await?)
}

/// Takes the election's lock inside `tx` and re-reads it, so stage checks and roll changes are
/// serialised per election on both databases (the stage read before the transaction is only a
/// fast path; this is the one that counts).
fn category_str(c: VoterCategory) -> &'static str {
    match c {
        VoterCategory::HouseholdHere => "household_here",
        VoterCategory::NonlocalResident => "nonlocal_resident",
        VoterCategory::CommunityWorker => "community_worker",
    }
}

/// The law engine's category for a voter, or the refusal's (code, rule).
type Verdict = std::result::Result<VoterCategory, (String, String)>;

/// A resident the law engine left off the roll, with the rule's code and LAW.md section.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Refused {
    pub resident_id: i64,
    pub name: String,
    pub code: String,
    pub rule: String,
}

/// What registering the voters did (`POST /elections/{id}/voters/register`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegistrationReport {
    pub registered: usize,
    pub added: usize,
    pub removed: usize,
    pub refused: Vec<Refused>,
}

/// Registers every eligible resident of the community as of election day, in one transaction
/// with one audit entry. Idempotent: running it again after registry changes or approvals
/// brings the roll up to date. Only before publication (afterwards the list changes through
/// objections, LAW.md §3 [N?]).
pub async fn register(store: &Store, staff: &Staff, id: i64) -> Result<RegistrationReport> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    // One place only per term, on the calendar the city declared (LAW.md §3 [N?, P]).
    let place = super::term_calendar::one_place_key(store, e.plan.day).await?;
    if e.stage != Stage::Registration {
        return Err(law("list_locked", "LAW.md §3 [N?]", e.stage.to_string()));
    }
    let profile = e.plan.profile.clone();
    let day = e.plan.day;
    let residents = registry::all_residents(store, e.community_id).await?;
    let requests: HashMap<i64, String> = st::requests(store, id).await?.into_iter().collect();
    let current: HashMap<i64, VoterRow> = st::roll(store, id).await?.into_iter().map(|v| (v.resident_id, v)).collect();
    let mut report = RegistrationReport { registered: 0, added: 0, removed: 0, refused: Vec::new() };
    let now = now_ms();
    // First the law engine's verdict on every resident (pure), then the method's electorate.
    // LAW.md §3 [N?]: the committee's confirmations of incapacity (service::electorate_facts).
    let incapable = super::electorate_facts::incapable(store, id).await?;
    let mut verdicts: Vec<(&Resident, Verdict)> = Vec::with_capacity(residents.len());
    for (r, _, _) in &residents {
        let Some(mut f) = facts(r, requests.get(&r.id).map(String::as_str)) else { continue };
        f.incapacity_confirmed = incapable.contains(&r.id);
        verdicts
            .push((r, check_voter(&f, day, &profile).map_err(|x| (x.code.as_str().to_string(), x.rule.to_string()))));
    }
    match e.method.as_str() {
        // LAW.md §4 [N]: one representative per household casts the household's ballot — the
        // head of household if eligible, else the eldest eligible member.
        "household" => {
            let mut chosen: HashMap<i64, (bool, String, i64)> = HashMap::new();
            for (r, v) in &verdicts {
                if v.is_ok() {
                    let key = r.household_id.unwrap_or(-r.id);
                    let cand = (r.household_head, r.birth_date.clone(), r.id);
                    let better = match chosen.get(&key) {
                        None => true,
                        Some(cur) => (cand.0 && !cur.0) || (cand.0 == cur.0 && cand.1 < cur.1),
                    };
                    if better {
                        chosen.insert(key, cand);
                    }
                }
            }
            let reps: std::collections::HashSet<i64> = chosen.values().map(|c| c.2).collect();
            for (r, v) in &mut verdicts {
                if v.is_ok() && !reps.contains(&r.id) {
                    *v = Err(("not_household_representative".into(), "LAW.md §4 [N]".into()));
                }
            }
        }
        // LAW.md §4 [N 2018, P]: the representatives each residents' group elected form the
        // electorate.
        "representatives" => {
            let reps: std::collections::HashSet<i64> =
                st::representatives(store, id).await?.into_iter().map(|x| x.1).collect();
            for (r, v) in &mut verdicts {
                if v.is_ok() && !reps.contains(&r.id) {
                    *v = Err(("not_representative".into(), "LAW.md §4 [N 2018, P]".into()));
                }
            }
        }
        _ => {}
    }
    let mut tx = store.begin().await?;
    if locked(&mut tx, id).await?.stage != Stage::Registration {
        return Err(law("list_locked", "LAW.md §3 [N?]", ""));
    }
    for (r, verdict) in verdicts {
        match verdict {
            Ok(cat) => {
                // One place only (LAW.md §3 [N?, P]): the round's registry decides, atomically.
                if !crate::store::electorate::claim_term(&mut tx, &place, &r.id_number, id, e.community_id).await? {
                    report.refused.push(Refused {
                        resident_id: r.id,
                        name: r.name.clone(),
                        code: "registered_elsewhere".into(),
                        rule: "LAW.md §3 [N?, P]".into(),
                    });
                    continue;
                }
                let category = match e.method.as_str() {
                    "household" => "household_representative",
                    "representatives" => "residents_representative",
                    _ => category_str(cat),
                };
                if st::upsert_voter(&mut tx, id, r.id, category, now).await? {
                    report.added += 1;
                }
                report.registered += 1;
            }
            Err((code, rule)) => {
                if current.contains_key(&r.id) {
                    st::remove_voter(&mut tx, id, r.id).await?;
                    st::release_round(&mut tx, &place, &r.id_number, id).await?;
                    report.removed += 1;
                }
                report.refused.push(Refused { resident_id: r.id, name: r.name.clone(), code, rule });
            }
        }
    }
    let mut by_code: HashMap<&str, usize> = HashMap::new();
    for r in &report.refused {
        *by_code.entry(r.code.as_str()).or_default() += 1;
    }
    record(
        &mut tx,
        id,
        &staff.actor(role),
        EventKind::VotersRegistered,
        json!({"registered": report.registered, "added": report.added, "removed": report.removed, "refused": by_code}),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// A resident applies (or the committee records the application) for registration as a
/// non-local resident or community worker, or opts in where the profile asks it (LAW.md §3 [P]).
pub async fn apply(store: &Store, staff: &Staff, id: i64, resident_id: i64) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let r = registry::resident(store, resident_id).await?.ok_or(invalid("err.relative_unknown", "resident_id"))?;
    if r.community_id != e.community_id {
        return Err(invalid("err.relative_unknown", "resident_id"));
    }
    if e.stage != Stage::Registration {
        return Err(law("list_locked", "LAW.md §3 [N?]", e.stage.to_string()));
    }
    let mut tx = store.begin().await?;
    if locked(&mut tx, id).await?.stage != Stage::Registration {
        return Err(law("list_locked", "LAW.md §3 [N?]", ""));
    }
    st::request(&mut tx, id, resident_id, now_ms()).await?;
    record(&mut tx, id, &staff.actor(role), EventKind::RegistrationApplied, json!({"resident_id": resident_id}))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The committee approves or rejects an application (LAW.md §3 [P]).
pub async fn decide_application(store: &Store, staff: &Staff, id: i64, resident_id: i64, approve: bool) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let mut tx = store.begin().await?;
    if !st::decide_request(&mut tx, id, resident_id, approve, now_ms()).await? {
        return Err(ServiceError::NotFound);
    }
    record(
        &mut tx,
        id,
        &staff.actor(role),
        EventKind::RegistrationDecided,
        json!({"resident_id": resident_id, "approved": approve}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `张三` → `张*`, `欧阳明` → `欧**`? No: the public sees the surname and the last character,
/// the middle masked: `张*明`; two-character names keep the surname: `张*`.
pub fn mask_name(name: &str) -> String {
    let cs: Vec<char> = name.chars().collect();
    match cs.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", cs[0]),
        n => format!("{}{}{}", cs[0], "*".repeat(n - 2), cs[n - 1]),
    }
}

/// The list's fingerprint (issue 15 item 3): the RFC 6962 root over one leaf per voter, in
/// list order, `number<TAB>name<TAB>group<TAB>household<LF>` — exactly what the notice board
/// shows, so anyone holding the printed list can recompute it — then the absentee notices
/// (`service::commitments`, README "Recording and verifying" has the bytes).
pub fn fingerprint(roll: &[VoterRow]) -> String {
    super::commitments::fingerprint(roll)
}

/// registration → list_published: the voter list notice (选民名单公告), no later than 20 days
/// before election day (LAW.md §3 [N]). The plan is frozen from here on.
pub async fn publish_list(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<String> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let t = super::elections::timetable_of(&e)?;
    let limit = t.get(crate::law::timetable::DeadlineName::VoterListPublished).unwrap_or(e.plan.day);
    let on = today();
    if on > limit {
        return Err(law("deadline_voter_list_published", "LAW.md §3 [N]", format!("{limit} < {on}")));
    }
    if e.stage != Stage::Registration {
        return Err(law("illegal_transition", "DESIGN.md lifecycle", format!("{} → list_published", e.stage)));
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage != Stage::Registration {
        return Err(ServiceError::Conflict("err.stale"));
    }
    // The roll as this transaction sees it, under the election's lock: nothing can change it
    // between the fingerprint and the commit.
    // LAW.md §3 [N]: everyone on the list qualifies on the election day the plan fixes, whatever
    // changed since registration (issue 16 item 2).
    let stale = ineligible_on_roll(&mut tx, store, id, e.plan.day, &e.plan.profile).await?;
    if !stale.is_empty() {
        return Err(law("roll_not_eligible", "LAW.md §3 [N]", stale.len().to_string()));
    }
    let roll = st::roll(&mut tx, id).await?;
    if roll.is_empty() {
        return Err(law("empty_voter_list", "LAW.md §3 [N]", ""));
    }
    let fp = fingerprint(&roll);
    st::set_list_published(&mut tx, id, &on.to_string(), &fp, now_ms()).await?;
    let payload = json!({"voters": roll.len(), "absentees": super::commitments::absentee_leaves(&roll).len(), "sha256": fp, "published_on": on.to_string(),
                         "deadline": limit.to_string()});
    lifecycle::advance(&mut tx, &staff.actor(role), &e, Stage::ListPublished, EventKind::VoterListPublished, payload)
        .await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(fp)
}

fn published_on(e: &Election) -> Result<Date> {
    e.list_published_on.ok_or_else(|| law("list_not_published", "LAW.md §3 [N]", ""))
}

/// The election, if the public may see it (after publication of the voter list); 404 before.
async fn public_election(store: &Store, id: i64) -> Result<Election> {
    let e = st::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    if e.is_public() { Ok(e) } else { Err(ServiceError::NotFound) }
}

/// Files an objection (申诉) to the published list, within `objection_days` of publication
/// (LAW.md §3 [N?]). Anyone may object; `filed_by` is the objector's name as given.
pub async fn file_objection(
    store: &Store,
    id: i64,
    actor: &Actor,
    filed_by: &str,
    concerning: Option<(&str, &str)>,
    kind: &str,
    reason: &str,
) -> Result<i64> {
    let e = public_election(store, id).await?;
    let profile = e.plan.profile.clone();
    let on = today();
    let published = published_on(&e)?;
    let last =
        published.checked_add(time::Duration::days(i64::from(profile.deadlines.objection_days))).unwrap_or(published);
    if on > last {
        return Err(law(
            "objection_window_closed",
            "LAW.md §3 [N?]",
            format!("{published} + {} = {last}", profile.deadlines.objection_days),
        ));
    }
    if !matches!(kind, "omitted" | "wrongly_included" | "wrong_details") {
        return Err(invalid("err.objection_kind", "kind"));
    }
    let filed_by = filed_by.trim();
    let reason = reason.trim();
    if filed_by.is_empty() || filed_by.chars().count() > 50 || filed_by.chars().any(char::is_control) {
        return Err(invalid("err.name", "filed_by"));
    }
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(invalid("err.reason", "reason"));
    }
    // The person concerned, identified by name and ID number among the community's residents.
    let resident_id = match concerning {
        None => None,
        Some((name, idn)) => {
            let idn = IdCardNumber::parse(idn).map_err(|k| invalid(k.key(), "id_number"))?;
            let all = registry::all_residents(store, e.community_id).await?;
            // Found or not, the objection is recorded the same way: the answer must not tell a
            // stranger whether someone lives here. The committee sees it without a resident link.
            all.into_iter().find(|(r, _, _)| r.id_number == idn.as_str() && r.name == name.trim()).map(|(r, _, _)| r.id)
        }
    };
    let mut tx = store.begin().await?;
    let oid = st::insert_objection(&mut tx, id, resident_id, filed_by, kind, reason, &on.to_string(), now_ms()).await?;
    // The log records that an objection was filed, never about whom nor the objector's words.
    // Issue 12: the log is public, and whether the person named lives here must not show
    // until the committee's decision is published (`objection.decided` names the resident).
    record(&mut tx, id, actor, EventKind::ObjectionFiled, json!({"objection_id": oid, "kind": kind})).await?;
    tx.commit().await?;
    Ok(oid)
}

/// An objection filed by anyone from the public page or API (LAW.md §3 [N?]), bounded per
/// address and per election (issue 12): every filing is a permanent audit entry, so a stranger
/// must not be able to fill the log.
pub async fn file_public_objection(
    store: &Store,
    id: i64,
    address: &str,
    filed_by: &str,
    concerning: Option<(&str, &str)>,
    kind: &str,
    reason: &str,
) -> Result<i64> {
    // An election that is not public answers 404 before anything is counted.
    public_election(store, id).await?;
    super::limits::take(store, &super::limits::OBJECTIONS_PER_ADDRESS, address).await?;
    super::limits::take(store, &super::limits::OBJECTIONS_PER_ELECTION, &id.to_string()).await?;
    let actor = Actor { user_id: None, username: "public".into(), role: "anonymous".into() };
    file_objection(store, id, &actor, filed_by, concerning, kind, reason).await
}

/// The committee decides an objection. Upheld objections change the roll and re-publish the
/// list (new fingerprint), all in one transaction. A decision later than
/// `objection_decision_days` after filing is recorded as late (LAW.md §3 [N?]).
pub async fn decide_objection(
    store: &Store,
    log: &LogIdentity,
    staff: &Staff,
    objection_id: i64,
    upheld: bool,
    decision: &str,
) -> Result<bool> {
    let o = st::objection(store, objection_id).await?.ok_or(ServiceError::NotFound)?;
    let e = get(store, staff, o.election_id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    // One place only per term, on the calendar the city declared (LAW.md §3 [N?, P]).
    let place = super::term_calendar::one_place_key(store, e.plan.day).await?;
    if e.stage >= Stage::Polling {
        return Err(law("list_locked", "LAW.md §3 [N?]", e.stage.to_string()));
    }
    let decision = decision.trim();
    if decision.is_empty() || decision.chars().count() > 2000 {
        return Err(invalid("err.reason", "decision"));
    }
    let profile = e.plan.profile.clone();
    let on = today();
    let filed = crate::domain::parse_date(&o.filed_on).unwrap_or(on);
    let late = on
        > filed
            .checked_add(time::Duration::days(i64::from(profile.deadlines.objection_decision_days)))
            .unwrap_or(filed);
    let mut tx = store.begin().await?;
    if locked(&mut tx, e.id).await?.stage >= Stage::Polling {
        return Err(law("list_locked", "LAW.md §3 [N?]", ""));
    }
    if !st::decide_objection(&mut tx, objection_id, upheld, decision, &on.to_string()).await? {
        return Err(ServiceError::Conflict("err.objection_decided"));
    }
    let mut changed = false;
    if upheld && let Some(rid) = o.resident_id {
        let r = registry::resident(&mut tx, rid).await?.ok_or(ServiceError::NotFound)?;
        match o.kind.as_str() {
            "omitted" => {
                // The committee's decision stands in for the application and approval, but the
                // law's conditions (age, rights, one place) still hold.
                let mut f = facts(&r, Some("approved")).ok_or(ServiceError::NotFound)?;
                f.applied = true;
                f.incapacity_confirmed = super::electorate_facts::is_incapable(&mut tx, e.id, rid).await?;
                let cat = check_voter(&f, e.plan.day, &profile)
                    .map_err(|refusal| law(refusal.code.as_str(), refusal.rule, refusal.detail))?;
                // LAW.md §4 [N]: the election method decides who of the eligible joins the
                // electorate, on this path as at registration (issue 16 items 7 and 8).
                let method = MethodFacts {
                    household_already_on_roll: match r.household_id {
                        Some(h) => crate::store::electorate::household_on_roll_tx(&mut tx, e.id, h, rid).await?,
                        None => false,
                    },
                    elected_representative: crate::store::electorate::is_representative_tx(&mut tx, e.id, rid).await?,
                };
                method_admits(e.method, method).map_err(|(code, rule)| law(code, rule, ""))?;
                if !crate::store::electorate::claim_term(&mut tx, &place, &r.id_number, e.id, e.community_id).await? {
                    return Err(law("registered_elsewhere", "LAW.md §3 [N?, P]", ""));
                }
                let category = match e.method.as_str() {
                    "household" => "household_representative",
                    "representatives" => "residents_representative",
                    _ => category_str(cat),
                };
                changed = st::upsert_voter(&mut tx, e.id, rid, category, now_ms()).await?;
            }
            "wrongly_included" => {
                changed = st::remove_voter(&mut tx, e.id, rid).await?;
                st::release_round(&mut tx, &place, &r.id_number, e.id).await?;
            }
            _ => {}
        }
    }
    record(
        &mut tx,
        e.id,
        &staff.actor(role),
        EventKind::ObjectionDecided,
        json!({"objection_id": objection_id, "upheld": upheld, "late": late, "roll_changed": changed, "resident_id": o.resident_id}),
    )
    .await?;
    if changed {
        // Re-publication with the new fingerprint (LAW.md §3: every change is re-published).
        let roll = roll_in_tx(&mut tx, store, e.id).await?;
        let fp = fingerprint(&roll);
        st::set_list_published(&mut tx, e.id, &on.to_string(), &fp, now_ms()).await?;
        record(
            &mut tx,
            e.id,
            &staff.actor(role),
            EventKind::VoterListRepublished,
            json!({"voters": roll.len(), "absentees": super::commitments::absentee_leaves(&roll).len(), "sha256": fp}),
        )
        .await?;
    }
    tx.commit().await?;
    checkpoint_now(store, log, &election_log(e.id)).await?;
    Ok(changed)
}

/// The roll as seen inside a write transaction (SQLite: the one writer sees its own writes;
/// PostgreSQL: read through the transaction).
async fn roll_in_tx(tx: &mut Tx, _store: &Store, election_id: i64) -> Result<Vec<VoterRow>> {
    Ok(st::roll(&mut *tx, election_id).await?)
}

// ---- voting codes ----

/// Letters and digits that cannot be misread or misheard (no 0/O, 1/I/L, U/V, 5/S, 2/Z).
const CODE_ALPHABET: &[u8; 25] = b"346789ABCDEFGHJKMNPQRTWXY";

/// A fresh voting code: 20 symbols drawn uniformly from 25 = 92.9 bits (≥ 80 required),
/// shown in groups of four for reading aloud.
pub fn new_code() -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    let mut s = String::with_capacity(24);
    for i in 0..20 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char);
    }
    s
}

/// The stored form of a code: HMAC-SHA-256 with the deployment's voting-code key, over the code
/// without separators and in upper case (what a voter types may differ in those).
pub fn code_hash(key: &[u8], code: &str) -> Vec<u8> {
    let norm: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return Vec::new() };
    mac.update(norm.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The vote page's address as printed on the card (issue 13): the configured public address.
pub fn vote_address(public_base: &str) -> String {
    format!("{}/vote", public_base.trim_end_matches('/'))
}

/// What the card's QR code holds: the vote page with the code in the fragment
/// (`https://host/vote#code=XXXX-…`). A browser never sends the fragment, so the code reaches
/// no server or proxy log; the page's script (`/static/vote.js`) fills the field from it and
/// removes it from the address bar and the history.
pub fn card_link(public_base: &str, code: &str) -> String {
    format!("{}#code={code}", vote_address(public_base))
}

/// A voting card as issued: the voter and the voting code (`POST /elections/{id}/cards`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Card {
    pub resident_id: i64,
    pub name: String,
    pub group_number: Option<i64>,
    pub household_number: Option<String>,
    /// The short number the clerk finds the voter by at check-in (issue 13); not a secret.
    pub checkin_no: i64,
    /// The voting code: in this answer only.
    pub code: String,
}

/// Issues voting codes for the cards: to every voter without one, or to `only` (a reissue,
/// which invalidates the old code). The codes exist only in this response; the database keeps
/// their keyed hashes.
pub async fn issue_cards(
    store: &Store,
    log_name: &str,
    key: &[u8],
    staff: &Staff,
    id: i64,
    only: Option<i64>,
) -> Result<Vec<Card>> {
    issue_cards_with(store, log_name, key, staff, id, only, Ok).await
}

/// Issues cards and hands them to `deliver` (e.g. rendering the printable cards) before the
/// transaction commits: if delivery fails, no code is issued and the old ones stay valid
/// (issue 12: never a side effect followed by a fallible step). `deliver` runs on the
/// blocking pool.
pub async fn issue_cards_with<T, F>(
    store: &Store,
    log_name: &str,
    key: &[u8],
    staff: &Staff,
    id: i64,
    only: Option<i64>,
    deliver: F,
) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(Vec<Card>) -> Result<T> + Send + 'static,
{
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if e.stage < Stage::ListPublished {
        return Err(law("list_not_published", "LAW.md §3 [N]", ""));
    }
    let roll = st::roll(store, id).await?;
    let targets: Vec<&VoterRow> = match only {
        Some(rid) => {
            let v = roll.iter().find(|v| v.resident_id == rid).ok_or(ServiceError::NotFound)?;
            vec![v]
        }
        None => roll.iter().filter(|v| !v.has_code).collect(),
    };
    let now = now_ms();
    let mut cards = Vec::with_capacity(targets.len());
    let mut tx = store.begin().await?;
    if locked(&mut tx, id).await?.stage < Stage::ListPublished {
        return Err(ServiceError::Conflict("err.stale"));
    }
    for v in targets {
        let code = new_code();
        let Some(checkin_no) = st::set_code(&mut tx, id, v.resident_id, &code_hash(key, &code), now).await? else {
            return Err(ServiceError::Conflict("err.stale"));
        };
        cards.push(Card {
            resident_id: v.resident_id,
            name: v.name.clone(),
            group_number: v.group_number,
            household_number: v.household_number.clone(),
            checkin_no,
            code,
        });
    }
    let kind = if only.is_some() { EventKind::VoterCardReissued } else { EventKind::VoterCardsIssued };
    record(&mut tx, id, &staff.actor(role), kind, json!({"cards": cards.len(), "resident_id": only})).await?;
    // Issue 18 item 3: each card's credential joins the published list (docs/e2e.md §5).
    let issued: Vec<(i64, &str)> = cards.iter().map(|c| (c.resident_id, c.code.as_str())).collect();
    super::credentials::for_cards(&mut tx, log_name, id, &staff.actor(role), &issued, only.is_some()).await?;
    let delivered = tokio::task::spawn_blocking(move || deliver(cards))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))??;
    tx.commit().await?;
    Ok(delivered)
}

/// Records the representatives a residents' group elected at its meeting (LAW.md §4 [N 2018,
/// P]: 2–3 per group), for an election by the representatives method, before registration.
pub async fn set_group_representatives(
    store: &Store,
    staff: &Staff,
    id: i64,
    group_number: i64,
    residents: &[i64],
) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if e.method != crate::law::Method::Representatives {
        return Err(law("not_representatives_method", "LAW.md §4", e.method.as_str()));
    }
    if e.stage > Stage::Registration {
        return Err(law("list_locked", "LAW.md §3 [N?]", e.stage.to_string()));
    }
    let profile = e.plan.profile.clone();
    let n = u32::try_from(residents.len()).unwrap_or(u32::MAX);
    if !crate::law::recall::representatives_per_group_ok(n, &profile) {
        return Err(law("representatives_per_group", "LAW.md §4 [N 2018, P]", n.to_string()));
    }
    let mut tx = store.begin().await?;
    let group = registry::group_by_number(&mut tx, e.community_id, group_number)
        .await?
        .ok_or(invalid("err.group_unknown", "group_number"))?;
    for rid in residents {
        let r = registry::resident(&mut tx, *rid).await?.ok_or(invalid("err.relative_unknown", "resident_id"))?;
        if r.community_id != e.community_id || r.group_id != Some(group.id) {
            return Err(invalid("err.not_in_group", "resident_id"));
        }
    }
    st::set_group_representatives(&mut tx, id, group.id, residents).await?;
    record(
        &mut tx,
        id,
        &staff.actor(role),
        EventKind::RepresentativesRecorded,
        json!({"group": group_number, "residents": residents}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A recorded status change after publication (death, moved away, rights lost or restored):
/// the one way besides an objection decision that the published list changes, re-published
/// with a new fingerprint (LAW.md §3 [N?, P]).
pub async fn status_change(
    store: &Store,
    log: &LogIdentity,
    staff: &Staff,
    id: i64,
    resident_id: i64,
    change: &str,
    note: &str,
) -> Result<bool> {
    use crate::law::eligibility::{RollChange, check_roll_change};
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    // One place only per term, on the calendar the city declared (LAW.md §3 [N?, P]).
    let place = super::term_calendar::one_place_key(store, e.plan.day).await?;
    let kind = match change {
        "death" => RollChange::Death,
        "moved_away" => RollChange::MovedAway,
        "rights_lost" => RollChange::RightsLost,
        "rights_restored" => RollChange::RightsRestored,
        // Only the recorded kinds of status change exist (LAW.md §3 [N?, P]); anything else is
        // refused before or after publication, and free text never reaches the log.
        _ => return Err(law("list_locked", "LAW.md §3 [N?, P]", "")),
    };
    let stage = e.stage;
    if stage >= Stage::Polling {
        return Err(law("list_locked", "LAW.md §3 [N?]", e.stage.to_string()));
    }
    check_roll_change(stage >= Stage::ListPublished, kind).map_err(|r| law(r.code.as_str(), r.rule, r.detail))?;
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(invalid("err.reason", "note"));
    }
    let profile = e.plan.profile.clone();
    let mut tx = store.begin().await?;
    if locked(&mut tx, id).await?.stage != stage {
        return Err(ServiceError::Conflict("err.stale"));
    }
    let r = registry::resident(&mut tx, resident_id).await?.ok_or(ServiceError::NotFound)?;
    if r.community_id != e.community_id {
        return Err(ServiceError::NotFound);
    }
    let changed = if kind == RollChange::RightsRestored {
        let mut f = facts(&r, Some("approved")).ok_or(ServiceError::NotFound)?;
        f.deprived_of_political_rights = false;
        f.incapacity_confirmed = super::electorate_facts::is_incapable(&mut tx, id, resident_id).await?;
        let cat = check_voter(&f, e.plan.day, &profile).map_err(|x| law(x.code.as_str(), x.rule, x.detail))?;
        if !crate::store::electorate::claim_term(&mut tx, &place, &r.id_number, id, e.community_id).await? {
            return Err(law("registered_elsewhere", "LAW.md §3 [N?, P]", ""));
        }
        st::upsert_voter(&mut tx, id, resident_id, category_str(cat), now_ms()).await?
    } else {
        let removed = st::remove_voter(&mut tx, id, resident_id).await?;
        st::release_round(&mut tx, &place, &r.id_number, id).await?;
        removed
    };
    record(
        &mut tx,
        id,
        &staff.actor(role),
        EventKind::VoterStatusChanged,
        json!({"resident_id": resident_id, "change": change, "roll_changed": changed}),
    )
    .await?;
    if changed && stage >= Stage::ListPublished {
        let roll = st::roll(&mut tx, id).await?;
        let fp = fingerprint(&roll);
        st::set_list_published(&mut tx, id, &today().to_string(), &fp, now_ms()).await?;
        record(
            &mut tx,
            id,
            &staff.actor(role),
            EventKind::VoterListRepublished,
            json!({"voters": roll.len(), "absentees": super::commitments::absentee_leaves(&roll).len(), "sha256": fp}),
        )
        .await?;
    }
    tx.commit().await?;
    checkpoint_now(store, log, &election_log(id)).await?;
    Ok(changed)
}

/// The roll of election `e` (already read with the caller's rights, or public), in list order.
pub async fn roll_of(store: &Store, e: &Election) -> Result<Vec<VoterRow>> {
    Ok(st::roll(store, e.id).await?)
}

/// The roll of election `id` as `staff` may see it: identity numbers masked for a role that
/// does not see them in full ([`Staff::sees_full_ids`]), with the list's fingerprint (taken
/// over the name, group and household, which masking does not touch).
pub async fn roll_as_seen(store: &Store, staff: &Staff, id: i64) -> Result<(Vec<VoterRow>, String)> {
    let e = get(store, staff, id, Permission::ReadRegistry).await?;
    let role = staff.authorize(store, Permission::ReadRegistry, e.community_id).await?;
    let mut rows = st::roll(store, id).await?;
    if !staff.sees_full_ids(role) {
        for r in &mut rows {
            r.id_number = crate::domain::mask_id_number(&r.id_number);
        }
    }
    let sha = fingerprint(&rows);
    Ok((rows, sha))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_at_least_80_bits_and_hash_ignoring_case_and_dashes() {
        let c = new_code();
        assert_eq!(c.len(), 24);
        assert_eq!(c.matches('-').count(), 4);
        let distinct: std::collections::HashSet<u8> = CODE_ALPHABET.iter().copied().collect();
        assert_eq!(distinct.len(), CODE_ALPHABET.len());
        assert!((distinct.len() as f64).log2() * 20.0 >= 80.0);
        for b in b"01ILOSUVZ25" {
            assert!(!CODE_ALPHABET.contains(b), "ambiguous {}", *b as char);
        }
        let k = [7u8; 32];
        assert_eq!(code_hash(&k, &c), code_hash(&k, &c.replace('-', "").to_lowercase()));
        assert_ne!(code_hash(&k, &c), code_hash(&[8u8; 32], &c));
        assert_ne!(new_code(), new_code());
    }

    #[test]
    fn names_are_masked_for_the_public() {
        assert_eq!(mask_name("张三明"), "张*明");
        assert_eq!(mask_name("王芳"), "王*");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
    }
}
