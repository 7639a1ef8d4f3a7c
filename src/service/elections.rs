//! Opening an election, its plan (选举工作方案), the timetable from the law engine, and the
//! lifecycle transitions. Every transition is one transaction, one audit entry in the
//! election's own log, and a fresh signed checkpoint.

use serde::Deserialize;
use serde_json::json;
use time::Date;

use super::access::{Permission, Staff};
use super::audit::LogIdentity;
use super::lifecycle;
use super::{Result, ServiceError, invalid};
use crate::audit::{Actor, EventKind};
use crate::domain::records::{DecisionRow, MemberRow, NominationRow, ObjectionRow, ProxyRow, VoterRow};
use crate::domain::{ChannelSet, Election, ElectionKind, Stage, Station};
use crate::law::ballot::{Channel, check_channel, check_station_supervisors};
use crate::law::timetable::{DeadlineName, Timetable, timetable};
use crate::law::{Method, RuleProfile};
use crate::store::elections::{self as st, PlanRow};
use crate::store::{Store, Tx, now_ms};

/// The plan as a committee writes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PlanInput {
    pub method: String,
    pub seats_chair: i64,
    pub seats_vice_chair: i64,
    pub seats_member: i64,
    /// A preset name (`national`, `gansu-2025`, `chongqing-2025`) or a TOML profile.
    pub profile: String,
    /// YYYY-MM-DD
    pub election_day: String,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub remote_legal_basis: String,
    #[serde(default)]
    pub stations: Vec<Station>,
}

/// Today in Beijing (deadlines are calendar days where the election takes place).
pub fn today() -> Date {
    crate::clock::today()
}

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

pub fn deadline_code(n: DeadlineName) -> String {
    serde_json::to_value(n).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// A validated plan, ready to store.
struct ValidPlan {
    method: Method,
    seats: (i64, i64, i64),
    profile: RuleProfile,
    day: Date,
    channels: ChannelSet,
    stations: Vec<Station>,
}

fn parse_profile(s: &str) -> Result<RuleProfile> {
    let s = s.trim();
    let p = if RuleProfile::PRESETS.contains(&s) { RuleProfile::preset(s) } else { RuleProfile::from_toml(s) };
    p.map_err(|e| law("profile_invalid", "LAW.md (rule profile)", e.to_string()))
}

/// Checks a plan against the law engine. A plan that cannot meet a deadline is refused with the
/// deadline named.
fn validate(input: &PlanInput, stage: Stage, kind: ElectionKind) -> Result<ValidPlan> {
    let method = match input.method.as_str() {
        "direct" => Method::Direct,
        "household" => Method::Household,
        "representatives" => Method::Representatives,
        _ => return Err(invalid("err.method", "method")),
    };
    let mut profile = parse_profile(&input.profile)?;
    let (c, v, m) = (input.seats_chair, input.seats_vice_chair, input.seats_member);
    if kind != ElectionKind::Regular {
        // LAW.md §9 [N] Art. 18: a by-election fills the vacant seats (fixed by the vacancies);
        // a recall decides on one seat.
        if !(0..=1).contains(&c) || v < 0 || m < 0 || c.saturating_add(v).saturating_add(m) < 1 {
            return Err(law("seats_posts", "LAW.md §9 [N]", format!("{c}/{v}/{m}")));
        }
    }
    // LAW.md §1 [N]: one chair, vice-chair(s), members; size within the profile [P: 5–9].
    else if c != 1 || v < 1 || m < 1 {
        return Err(law("seats_posts", "LAW.md §1 [N]", format!("{c}/{v}/{m}")));
    }
    // Saturating: a body may send any i64 (schemathesis found the overflow, issue 17).
    let total = c.saturating_add(v).saturating_add(m);
    let (lo, hi) = (i64::from(profile.committee.size_min), i64::from(profile.committee.size_max));
    if kind == ElectionKind::Regular && (total < lo || total > hi) {
        return Err(law("seats_size", "LAW.md §1 [P]", format!("{total} ∉ {lo}–{hi}")));
    }
    if kind == ElectionKind::Regular && profile.committee.odd_only && total % 2 == 0 {
        return Err(law("seats_odd", "LAW.md §1 [P]", format!("{total}")));
    }
    let day = crate::domain::parse_date(&input.election_day).ok_or(invalid("err.date", "election_day"))?;
    let t = timetable(day, &profile).map_err(|_| invalid("err.date", "election_day"))?;
    // The voter list must be published no later than 20 days before election day (LAW.md §3
    // [N]). Before publication, a plan whose deadline has already passed cannot be met.
    if !stage.plan_frozen() {
        let limit = t.get(DeadlineName::VoterListPublished).unwrap_or(day);
        if today() > limit {
            return Err(law("deadline_voter_list_published", "LAW.md §3 [N]", format!("{limit} < {}", today())));
        }
    }
    let mut channels = ChannelSet::default();
    for ch in &input.channels {
        channels.insert(Channel::parse(ch).ok_or(invalid("err.channel", "channels"))?);
    }
    if channels.is_empty() {
        channels.insert(Channel::Paper);
    }
    if channels.contains(Channel::Remote) {
        // LAW.md §6: remote casting only with its legal basis recorded (shown on notices and in
        // the log); the stored profile then carries that permission.
        let basis = input.remote_legal_basis.trim();
        if basis.is_empty() {
            return Err(law("remote_not_allowed", "LAW.md §6", ""));
        }
        profile.voting.remote_channel_allowed = true;
        profile.voting.remote_legal_basis = basis.to_string();
        check_channel(Channel::Remote, 0, &profile).map_err(|_| law("remote_not_allowed", "LAW.md §6", ""))?;
    }
    for s in &input.stations {
        if s.name.trim().is_empty() || s.name.chars().count() > 60 {
            return Err(invalid("err.title", "stations"));
        }
        // LAW.md §6 [P]: each station and mobile box has at least 3 named supervisors.
        let named = s.supervisors.iter().filter(|x| !x.trim().is_empty()).count() as u32;
        check_station_supervisors(named, &profile).map_err(|_| {
            if s.mobile {
                law("mobile_box_supervisors", "LAW.md §6 [P]", s.name.clone())
            } else {
                law("station_supervisors", "LAW.md §6 [P]", s.name.clone())
            }
        })?;
    }
    Ok(ValidPlan { method, seats: (c, v, m), profile, day, channels, stations: input.stations.clone() })
}

fn plan_json(p: &ValidPlan) -> serde_json::Value {
    json!({
        "method": p.method.as_str(), "seats": {"chair": p.seats.0, "vice_chair": p.seats.1, "member": p.seats.2},
        "profile": {"name": p.profile.name, "version": p.profile.version}, "election_day": p.day.to_string(),
        "channels": p.channels.names(), "remote_legal_basis": p.profile.voting.remote_legal_basis,
        "stations": p.stations,
    })
}

pub use super::lifecycle::record;

/// The election row under the per-election lock (a no-op UPDATE), read inside `tx`: every
/// change that must see a settled election (roll, counts, rounds) takes it first.
pub async fn locked(tx: &mut Tx, id: i64) -> Result<Election> {
    st::lock_election(tx, id).await?;
    st::get(&mut *tx, id).await?.ok_or(ServiceError::NotFound)
}

/// The street office opens the election of one of its communities.
pub async fn open(
    store: &Store,
    staff: &Staff,
    community_id: i64,
    round: &str,
    kind: ElectionKind,
    input: &PlanInput,
) -> Result<i64> {
    // Scope and permission before the request's own checks (404, then 403, then 422).
    staff.authorize_street_over(store, Permission::OpenElection, community_id).await?;
    // The round is the year of the re-election (e.g. 2026): one spelling only, because one
    // place only (LAW.md §3) is enforced per round.
    let round = round.trim().trim_end_matches('年');
    if round.len() != 4 || !round.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid("err.round", "round"));
    }
    let (id, tx) = open_in_round(store, staff, community_id, round, kind, input, json!({})).await?;
    tx.commit().await?;
    Ok(id)
}

/// Opens an election in `round` (checked by the caller) and appends `election.opened` with the
/// plan and `extra`. Returns the open transaction: the caller adds its own writes (a recall's
/// petition, a by-election's vacancies) and commits, so the opening is one transaction.
pub async fn open_in_round(
    store: &Store,
    staff: &Staff,
    community_id: i64,
    round: &str,
    kind: ElectionKind,
    input: &PlanInput,
    extra: serde_json::Value,
) -> Result<(i64, Tx)> {
    let (role, _) = staff.authorize_street_over(store, Permission::OpenElection, community_id).await?;
    let plan = validate(input, Stage::Draft, kind)?;
    let profile_json = serde_json::to_string(&plan.profile).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let stations = serde_json::to_string(&plan.stations).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let row = PlanRow {
        method: plan.method.as_str(),
        seats: plan.seats,
        profile_json: &profile_json,
        election_day: &plan.day.to_string(),
        channels: &plan.channels.to_stored(),
        remote_legal_basis: &plan.profile.voting.remote_legal_basis,
        stations_json: &stations,
    };
    let mut tx = store.begin().await?;
    let id = st::insert(&mut tx, community_id, round, kind.as_str(), &row, now_ms())
        .await
        .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.election_exists") } else { e.into() })?;
    let mut payload = plan_json(&plan);
    payload["community_id"] = json!(community_id);
    payload["round"] = json!(round);
    payload["kind"] = json!(kind.as_str());
    if let Some(m) = extra.as_object() {
        for (k, v) in m {
            payload[k] = v.clone();
        }
    }
    record(&mut tx, id, &staff.actor(role), EventKind::ElectionOpened, payload).await?;
    Ok((id, tx))
}

/// The committee revises the plan; refused once the voter list is published (LAW.md §4 [N]:
/// election day and method cannot move from then on). Before that, the roll is re-checked
/// against the new plan in the same transaction.
pub async fn update_plan(store: &Store, staff: &Staff, id: i64, version: i64, input: &PlanInput) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    if e.stage.plan_frozen() {
        return Err(law("plan_frozen", "LAW.md §4 [N]", ""));
    }
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let plan = validate(input, e.stage, e.kind)?;
    // One place only is claimed per term (LAW.md §3 [N?, P]): a registered roll cannot move to
    // another term's election day; the voters would hold claims in the old one.
    // The term is the one the city declared (super::term_calendar, issue 16 case 1).
    let cal = super::term_calendar::calendar(store).await?;
    let key = |d| crate::law::electorate::one_place_key(d, &cal);
    if key(e.plan.day) != key(plan.day) && !st::roll(store, id).await?.is_empty() {
        return Err(law("term_changed", "LAW.md §3 [N?, P]", format!("{} → {}", key(e.plan.day), key(plan.day))));
    }
    let profile_json = serde_json::to_string(&plan.profile).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let stations = serde_json::to_string(&plan.stations).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let row = PlanRow {
        method: plan.method.as_str(),
        seats: plan.seats,
        profile_json: &profile_json,
        election_day: &plan.day.to_string(),
        channels: &plan.channels.to_stored(),
        remote_legal_basis: &plan.profile.voting.remote_legal_basis,
        stations_json: &stations,
    };
    let mut tx = store.begin().await?;
    if !st::update_plan(&mut tx, id, version, &row, now_ms()).await? {
        return Err(ServiceError::Conflict("err.stale"));
    }
    // LAW.md §3 [N]: the roll follows the plan — whoever would not qualify on the (new) election
    // day under the (new) profile leaves it (issue 16 item 2).
    let stale = super::roll_check::ineligible_on_roll(&mut tx, store, id, plan.day, &plan.profile).await?;
    super::roll_check::remove_ineligible(&mut tx, &key(e.plan.day), id, &stale).await?;
    let mut payload = plan_json(&plan);
    payload["roll_removed"] = json!(stale.len());
    record(&mut tx, id, &staff.actor(role), EventKind::PlanUpdated, payload).await?;
    tx.commit().await?;
    Ok(())
}

/// The legal deadlines of the election's plan (LAW.md §3–§8).
pub fn timetable_of(e: &Election) -> Result<Timetable> {
    timetable(e.plan.day, &e.plan.profile).map_err(|_| ServiceError::Internal(format!("election {}: timetable", e.id)))
}

/// An election the staff member may see with `p` (404 outside their scope).
pub async fn get(store: &Store, staff: &Staff, id: i64, p: Permission) -> Result<Election> {
    let e = st::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    staff.authorize(store, p, e.community_id).await?;
    Ok(e)
}

/// One lifecycle step with no writes of its own, in its own transaction (see `lifecycle`).
pub async fn transition(
    store: &Store,
    log: &LogIdentity,
    actor: &Actor,
    e: &Election,
    to: Stage,
    kind: EventKind,
    payload: serde_json::Value,
) -> Result<()> {
    let mut tx = store.begin().await?;
    lifecycle::advance(&mut tx, actor, e, to, kind, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, e.id).await
}

/// draft → registration: the committee starts registering voters.
pub async fn start_registration(store: &Store, log: &LogIdentity, staff: &Staff, id: i64) -> Result<()> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    transition(store, log, &staff.actor(role), &e, Stage::Registration, EventKind::RegistrationStarted, json!({})).await
}

/// A published election as the public index pages list it (issue 13: the landing page's
/// 选举公告 and the observer portal), with what of it is public yet.
pub struct PublicElection {
    pub e: Election,
    pub community: String,
    pub stage: Stage,
    /// The formal candidate list is published (it shows on the public page).
    pub candidates: bool,
    /// A round's polls have closed, so the public count (/public/elections/{id}/count) replays its box.
    pub count: bool,
    /// A round was counted, so the results page and the results notice PDF exist.
    pub results: bool,
}

/// Every election whose voter list is published ([`Election::is_public`]; drafts and elections still
/// registering voters are not listed), newest election day first.
pub async fn published(store: &Store) -> Result<Vec<PublicElection>> {
    let mut out = Vec::new();
    for e in st::all(store).await?.into_iter().filter(Election::is_public) {
        let stage = e.stage;
        let community =
            crate::store::registry::community(store, e.community_id).await?.map(|c| c.name).unwrap_or_default();
        let candidates = stage >= Stage::CandidatesPublished
            && crate::store::nominations::for_election(store, e.id)
                .await?
                .iter()
                .any(|n| n.status == crate::domain::records::NominationStatus::Candidate);
        let count = crate::store::polling::polls(store, e.id).await?.iter().any(|p| p.status == "closed");
        let results = crate::store::counting::counts(store, e.id).await?.iter().any(|c| !c.round.is_primary());
        out.push(PublicElection { e, community, stage, candidates, count, results });
    }
    out.sort_by(|a, b| b.e.plan.day.cmp(&a.e.plan.day).then(b.e.id.cmp(&a.e.id)));
    Ok(out)
}

/// The name of community `id` (empty when it is gone).
pub async fn community_name(store: &Store, id: i64) -> Result<String> {
    Ok(crate::store::registry::community(store, id).await?.map(|c| c.name).unwrap_or_default())
}

/// Every election in the communities `staff` may read, with its community's name and the
/// number of voters on its roll (the district dashboard).
pub async fn readable(store: &Store, staff: &Staff) -> Result<Vec<(Election, String, usize)>> {
    let ids = staff.readable_communities(store).await?;
    let mut out = Vec::new();
    for e in st::for_communities(store, &ids).await? {
        let community = community_name(store, e.community_id).await?;
        let voters = st::roll(store, e.id).await?.len();
        out.push((e, community, voters));
    }
    Ok(out)
}

/// The elections of the communities `ids` (already checked readable by the caller).
pub async fn of_communities(store: &Store, ids: &[i64]) -> Result<Vec<Election>> {
    Ok(st::for_communities(store, ids).await?)
}

/// The objections to election `id`'s list, for `staff` who may read it.
pub async fn objections(store: &Store, staff: &Staff, id: i64) -> Result<Vec<ObjectionRow>> {
    get(store, staff, id, Permission::ReadRegistry).await?;
    Ok(st::objections(store, id).await?)
}

/// One objection and its election, for `staff` who may read the election.
pub async fn objection(store: &Store, staff: &Staff, objection_id: i64) -> Result<(ObjectionRow, Election)> {
    let o = st::objection(store, objection_id).await?.ok_or(ServiceError::NotFound)?;
    let e = get(store, staff, o.election_id, Permission::ReadRegistry).await?;
    Ok((o, e))
}

/// The proxy applications of election `id`, for `staff` who may read it.
pub async fn proxies(store: &Store, staff: &Staff, id: i64) -> Result<Vec<ProxyRow>> {
    get(store, staff, id, Permission::ReadRegistry).await?;
    Ok(st::proxies(store, id).await?)
}

/// The election committee of election `id` and its decisions, for `staff` who may read it.
pub async fn committee(store: &Store, staff: &Staff, id: i64) -> Result<(Vec<MemberRow>, Vec<DecisionRow>)> {
    get(store, staff, id, Permission::ReadRegistry).await?;
    Ok((st::members(store, id).await?, st::decisions(store, id).await?))
}

/// The nominations of election `id`, for `staff` who may read it.
pub async fn nominations(store: &Store, staff: &Staff, id: i64) -> Result<Vec<NominationRow>> {
    get(store, staff, id, Permission::ReadRegistry).await?;
    Ok(crate::store::nominations::for_election(store, id).await?)
}

/// What the public page of a published election shows (LAW.md §3 [N], §5, §6 [N]): nothing
/// before publication (404); names on the roll and of proxies masked, candidates in full.
pub struct PublicView {
    pub e: Election,
    pub roll: Vec<VoterRow>,
    pub objections: Vec<ObjectionRow>,
    /// Approved proxies only (LAW.md §6 [N]: the list of principals and proxies is published).
    pub proxies: Vec<ProxyRow>,
    /// Formal candidates only (LAW.md §5).
    pub candidates: Vec<NominationRow>,
}

/// The public view of election `id` (no sign-in).
pub async fn public_view(store: &Store, id: i64) -> Result<PublicView> {
    let e = st::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    if !e.is_public() {
        return Err(ServiceError::NotFound);
    }
    let proxies = st::proxies(store, id).await?.into_iter().filter(|p| p.status == "approved").collect();
    let candidates = crate::store::nominations::for_election(store, id)
        .await?
        .into_iter()
        .filter(|n| n.status == crate::domain::records::NominationStatus::Candidate)
        .collect();
    Ok(PublicView {
        roll: st::roll(store, id).await?,
        objections: st::objections(store, id).await?,
        proxies,
        candidates,
        e,
    })
}

/// Election `id` with no sign-in (the voter's booth, the public pages decide what of it to show).
pub async fn any(store: &Store, id: i64) -> Result<Election> {
    st::get(store, id).await?.ok_or(ServiceError::NotFound)
}
