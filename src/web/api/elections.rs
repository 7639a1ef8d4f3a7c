//! Election endpoints: open, plan, lifecycle, registration, voter list, objections, cards.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::{Election, ElectionKind};
use crate::i18n::Lang;
use crate::service::elections::{self as svc, PlanInput, deadline_code, timetable_of};
use crate::service::{Permission, ServiceError, voters};
use crate::web::AppState;
use crate::web::auth::{PeerAddr, StaffAction, StaffJson, StaffSession};
use crate::web::error::{ApiError, ResultExt};

use super::bodies::{Created, Done, RollChanged, StageNow};
use super::openapi::{Api, Op};
use crate::domain::records::{DecisionRow, MemberRow, ObjectionRow, ProxyRow, VoterRow};

/// A plan as the demo opens it (`src/demo.rs`).
fn plan_example() -> Value {
    json!({"round": "2026", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
           "profile": "national", "election_day": "2026-05-20", "channels": ["paper", "remote"],
           "remote_legal_basis": "街道办事处试点决定", "stations": [{"name": "中心会场", "supervisors": ["张监票", "李监票"]}]})
}

pub fn api() -> Api {
    Api::new()
        .post(
            "/communities/{id}/elections",
            open,
            Op::write("Open a community's election with its plan (street_admin)")
                .body::<OpenBody>()
                .ok_body::<Created>()
                .example(plan_example),
        )
        .get("/elections", list, Op::staff("Elections in the caller's scope").ok_body::<Elections>())
        .get("/elections/{id}", show, Op::staff("An election: plan, stage, timetable").ok_body::<ElectionDetail>())
        .put(
            "/elections/{id}",
            update_plan,
            Op::write("Revise the plan (send version; refused once the list is published)")
                .body::<PlanBody>()
                .ok_body::<ElectionDetail>(),
        )
        .post(
            "/elections/{id}/registration/start",
            start_registration,
            Op::write("draft → registration").ok_body::<StageNow>(),
        )
        .post(
            "/elections/{id}/voters/register",
            register,
            Op::write("Register voters from the registry by the law engine").ok_body::<voters::RegistrationReport>(),
        )
        .get("/elections/{id}/voters", roll, Op::staff("The voter roll and its fingerprint").ok_body::<Roll>())
        .post(
            "/elections/{id}/applications",
            apply,
            Op::write("Record an application to be registered").body::<ApplyBody>().ok_body::<Done>(),
        )
        .post(
            "/elections/{id}/applications/{resident}/decide",
            decide_application,
            Op::write("The committee decides an application").body::<DecideBody>().ok_body::<Done>(),
        )
        .post(
            "/elections/{id}/voter-list/publish",
            publish,
            Op::write("Publish the voter list (at least 20 days before election day)").ok_body::<ListPublished>(),
        )
        .post(
            "/elections/{id}/cards",
            cards,
            Op::write("Issue voting codes (shown once); resident_id to reissue one")
                .body::<CardsBody>()
                .ok_body::<Cards>(),
        )
        .get("/elections/{id}/objections", objections, Op::staff("Objections to the list").ok_body::<Objections>())
        .post(
            "/elections/{id}/objections",
            file_objection,
            Op::write("A clerk records an objection").body::<ObjectionBody>().ok_body::<Created>(),
        )
        .post(
            "/objections/{id}/decide",
            decide_objection,
            Op::write("The committee decides an objection").body::<DecisionBody>().ok_body::<RollChanged>(),
        )
        .get("/elections/{id}/proxies", proxies, Op::staff("Proxy authorisations").ok_body::<Proxies>())
        .post(
            "/elections/{id}/proxies",
            apply_proxy,
            Op::write("Record a written proxy authorisation").body::<ProxyBody>().ok_body::<Created>(),
        )
        .post(
            "/proxies/{id}/decide",
            decide_proxy,
            Op::write("Approve or reject a proxy").body::<DecideBody>().ok_body::<Done>(),
        )
        .get(
            "/elections/{id}/committee",
            committee,
            Op::staff("The election committee and its decisions").ok_body::<CommitteeView>(),
        )
        .post(
            "/elections/{id}/committee",
            add_member,
            Op::write("Add a committee member or substitute").body::<MemberBody>().ok_body::<Done>(),
        )
        .post(
            "/elections/{id}/committee/decisions",
            record_decision,
            Op::write("Record a meeting decision (quorum and majority checked)")
                .body::<DecisionRecordBody>()
                .ok_body::<crate::service::committee::DecisionOutcome>(),
        )
        .post(
            "/elections/{id}/representatives",
            set_representatives,
            Op::write("Record a group's 2–3 representatives").body::<RepresentativesBody>().ok_body::<Done>(),
        )
        .post(
            "/elections/{id}/voters/{resident}/status",
            status_change,
            Op::write("A recorded status change after publication").body::<StatusBody>().ok_body::<RollChanged>(),
        )
        .post(
            "/elections/{id}/nominations/open",
            open_nominations,
            Op::write("list_published → nominations").ok_body::<StageNow>(),
        )
        .get(
            "/elections/{id}/nominations",
            nominations,
            Op::staff("Nominations and their review").ok_body::<Nominations>(),
        )
        .post(
            "/elections/{id}/nominations",
            nominate,
            Op::write("Record a nomination (joint, household or self)").body::<NominateBody>().ok_body::<Created>(),
        )
        .post("/nominations/{id}/consent", consent, Op::write("The nominee's written consent").ok_body::<Done>())
        .post(
            "/nominations/{id}/review",
            review,
            Op::write("The qualification review").body::<ReviewBody>().ok_body::<Done>(),
        )
        .post(
            "/nominations/{id}/withdraw",
            withdraw,
            Op::write("A candidate withdraws (written record); the next moves up")
                .body::<WithdrawBody>()
                .ok_body::<nom::Withdrawn>(),
        )
        .post(
            "/elections/{id}/candidates/publish",
            publish_candidates,
            Op::write("Publish the formal candidate list (差额 checked)").ok_body::<nom::CandidatesPublished>(),
        )
        .get(
            "/public/elections/{id}",
            public_view,
            Op::public("Public view of a published election (names masked)").ok_body::<PublicElection>(),
        )
        .post(
            "/public/elections/{id}/objections",
            public_objection,
            Op::public("Anyone files an objection to a published list")
                .body::<ObjectionBody>()
                .ok_body::<Created>()
                .also(&["rate_limited", "throttled"]),
        )
}

type ApiResult<T = Value> = Result<Json<T>, ApiError>;

#[derive(Serialize, utoipa::ToSchema)]
struct Nominations {
    nominations: Vec<crate::domain::records::NominationRow>,
}

/// The cards issued, each with its voting code (shown once).
#[derive(Serialize, utoipa::ToSchema)]
struct Cards {
    cards: Vec<voters::Card>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Elections {
    elections: Vec<ElectionSummary>,
}

/// One election in a list.
#[derive(Serialize, utoipa::ToSchema)]
struct ElectionSummary {
    id: i64,
    community_id: i64,
    round: String,
    kind: &'static str,
    stage: &'static str,
    election_day: String,
    list_published_on: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Seats {
    chair: i64,
    vice_chair: i64,
    member: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProfileName {
    name: String,
    version: String,
}

/// One deadline of the statutory timetable (LAW.md §2).
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    name: String,
    latest: String,
    rule: &'static str,
}

/// An election: its plan, stage and timetable (`version` is absent from the public view).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ElectionDetail {
    id: i64,
    community_id: i64,
    round: String,
    kind: &'static str,
    method: &'static str,
    seats: Seats,
    profile: ProfileName,
    election_day: String,
    channels: Vec<&'static str>,
    remote_legal_basis: String,
    stations: Vec<crate::domain::Station>,
    stage: &'static str,
    plan_frozen: bool,
    list_published_on: Option<String>,
    list_sha256: Option<String>,
    list_version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i64>,
    timetable: Vec<DeadlineView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Roll {
    voters: Vec<VoterRow>,
    sha256: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ListPublished {
    stage: &'static str,
    sha256: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Objections {
    objections: Vec<ObjectionRow>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Proxies {
    proxies: Vec<ProxyRow>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct CommitteeView {
    members: Vec<MemberRow>,
    decisions: Vec<DecisionRow>,
}

/// An objection's decision as published (no names: LAW.md §3).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ObjectionDecision {
    id: i64,
    kind: String,
    filed_on: String,
    status: String,
    decision: String,
    decided_on: Option<String>,
}

impl From<ObjectionRow> for ObjectionDecision {
    fn from(o: ObjectionRow) -> Self {
        ObjectionDecision {
            id: o.id,
            kind: o.kind,
            filed_on: o.filed_on,
            status: o.status,
            decision: o.decision,
            decided_on: o.decided_on,
        }
    }
}

/// One line of the published voter list, the name masked.
#[derive(Serialize, utoipa::ToSchema)]
struct PublicVoter {
    number: usize,
    name: String,
    group: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PublicProxy {
    principal: String,
    proxy: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PublicCandidate {
    post: crate::law::Post,
    name: String,
    order: Option<i64>,
}

/// The public view of a published election.
#[derive(Serialize, utoipa::ToSchema)]
struct PublicElection {
    election: ElectionDetail,
    voters: Vec<PublicVoter>,
    objections: Vec<ObjectionDecision>,
    proxies: Vec<PublicProxy>,
    candidates: Vec<PublicCandidate>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct OpenBody {
    round: String,
    #[serde(default = "regular")]
    kind: String,
    #[serde(flatten)]
    plan: PlanInput,
}

fn regular() -> String {
    "regular".into()
}

async fn open(State(state): State<AppState>, Path(community): Path<i64>, j: StaffJson<OpenBody>) -> ApiResult<Created> {
    let kind = ElectionKind::parse(&j.body.kind)
        .ok_or(ServiceError::Invalid { key: "err.request", field: Some("kind".into()) })
        .api(j.lang)?;
    let id =
        svc::open(&state.store, &j.session.staff, community, &j.body.round, kind, &j.body.plan).await.api(j.lang)?;
    Ok(Json(Created { id }))
}

async fn list(State(state): State<AppState>, lang: Lang, s: StaffSession) -> ApiResult<Elections> {
    let ids = s.staff.readable_communities(&state.store).await.api(lang)?;
    let rows = svc::of_communities(&state.store, &ids).await.api(lang)?;
    Ok(Json(Elections { elections: rows.iter().map(summary).collect() }))
}

fn summary(e: &Election) -> ElectionSummary {
    ElectionSummary {
        id: e.id,
        community_id: e.community_id,
        round: e.round.clone(),
        kind: e.kind.as_str(),
        stage: e.stage.as_str(),
        election_day: e.plan.day.to_string(),
        list_published_on: e.list_published_on.map(|d| d.to_string()),
    }
}

/// An election as JSON (the staff archive's `election`, `web/staff/results.rs`).
pub fn detail(e: &Election) -> Value {
    json!(election_detail(e))
}

/// An election as the API shows it.
pub fn election_detail(e: &Election) -> ElectionDetail {
    let profile = &e.plan.profile;
    let timetable = timetable_of(e)
        .map(|t| {
            t.deadlines
                .iter()
                .map(|d| DeadlineView { name: deadline_code(d.name), latest: d.latest.to_string(), rule: d.rule })
                .collect()
        })
        .unwrap_or_default();
    ElectionDetail {
        id: e.id,
        community_id: e.community_id,
        round: e.round.clone(),
        kind: e.kind.as_str(),
        method: e.method.as_str(),
        seats: Seats { chair: e.seats_chair, vice_chair: e.seats_vice_chair, member: e.seats_member },
        profile: ProfileName { name: profile.name.clone(), version: profile.version.clone() },
        election_day: e.plan.day.to_string(),
        channels: e.plan.channels.names(),
        remote_legal_basis: e.plan.remote_legal_basis.clone(),
        stations: e.plan.stations.clone(),
        stage: e.stage.as_str(),
        plan_frozen: e.stage.plan_frozen(),
        list_published_on: e.list_published_on.map(|d| d.to_string()),
        list_sha256: e.list_fingerprint.clone(),
        list_version: e.list_version,
        version: Some(e.version),
        timetable,
    }
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<ElectionDetail> {
    let e = svc::get(&state.store, &s.staff, id, Permission::ReadRegistry).await.api(lang)?;
    Ok(Json(election_detail(&e)))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct PlanBody {
    version: i64,
    #[serde(flatten)]
    plan: PlanInput,
}

async fn update_plan(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<PlanBody>,
) -> ApiResult<ElectionDetail> {
    svc::update_plan(&state.store, &j.session.staff, id, j.body.version, &j.body.plan).await.api(j.lang)?;
    let e = svc::get(&state.store, &j.session.staff, id, Permission::ReadRegistry).await.api(j.lang)?;
    Ok(Json(election_detail(&e)))
}

async fn start_registration(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<StageNow> {
    svc::start_registration(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(StageNow { stage: "registration" }))
}

async fn register(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    a: StaffAction,
) -> ApiResult<voters::RegistrationReport> {
    Ok(Json(voters::register(&state.store, &a.session.staff, id).await.api(a.lang)?))
}

async fn roll(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult<Roll> {
    let (rows, sha256) = voters::roll_as_seen(&state.store, &s.staff, id).await.api(lang)?;
    Ok(Json(Roll { voters: rows, sha256 }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ApplyBody {
    resident_id: i64,
}

async fn apply(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<ApplyBody>) -> ApiResult<Done> {
    voters::apply(&state.store, &j.session.staff, id, j.body.resident_id).await.api(j.lang)?;
    Ok(Json(Done::YES))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct DecideBody {
    approve: bool,
}

async fn decide_application(
    State(state): State<AppState>,
    Path((id, resident)): Path<(i64, i64)>,
    j: StaffJson<DecideBody>,
) -> ApiResult<Done> {
    voters::decide_application(&state.store, &j.session.staff, id, resident, j.body.approve).await.api(j.lang)?;
    Ok(Json(Done::YES))
}

async fn publish(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<ListPublished> {
    let fp = voters::publish_list(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(ListPublished { stage: "list_published", sha256: fp }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CardsBody {
    #[serde(default)]
    resident_id: Option<i64>,
}

/// The codes are in this response only; print them now.
async fn cards(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<CardsBody>) -> ApiResult<Cards> {
    let cards = voters::issue_cards(
        &state.store,
        &state.log.name,
        &state.secrets.voting_code_key,
        &j.session.staff,
        id,
        j.body.resident_id,
    )
    .await
    .api(j.lang)?;
    Ok(Json(Cards { cards }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ObjectionBody {
    pub filed_by: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    pub kind: String,
    pub reason: String,
}

pub fn concerning(b: &ObjectionBody) -> Option<(&str, &str)> {
    (!b.id_number.trim().is_empty()).then_some((b.name.as_str(), b.id_number.as_str()))
}

async fn objections(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<Objections> {
    Ok(Json(Objections { objections: svc::objections(&state.store, &s.staff, id).await.api(lang)? }))
}

/// A clerk or committee member records an objection made at the counter.
async fn file_objection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<ObjectionBody>,
) -> ApiResult<Created> {
    let e = svc::get(&state.store, &j.session.staff, id, Permission::ReadRegistry).await.api(j.lang)?;
    let role = j.session.staff.authorize(&state.store, Permission::ReadRegistry, e.community_id).await.api(j.lang)?;
    // Clerks take objections at the counter; observers only watch.
    if role == crate::domain::Role::Observer {
        return Err(ServiceError::Forbidden).api(j.lang);
    }
    let b = &j.body;
    let oid = voters::file_objection(
        &state.store,
        id,
        &j.session.staff.actor(role),
        &b.filed_by,
        concerning(b),
        &b.kind,
        &b.reason,
    )
    .await
    .api(j.lang)?;
    Ok(Json(Created { id: oid }))
}

/// Anyone may object to a published list (LAW.md §3 [N?]).
async fn public_objection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    peer: PeerAddr,
    headers: axum::http::HeaderMap,
    j: crate::web::json::ApiJson<ObjectionBody>,
) -> ApiResult<Created> {
    let (lang, b) = (j.lang, &j.body);
    let address = crate::web::staff::account::client_ip(peer.0, &headers, &state.config.trusted_proxies);
    let oid = voters::file_public_objection(&state.store, id, &address, &b.filed_by, concerning(b), &b.kind, &b.reason)
        .await
        .api(lang)?;
    Ok(Json(Created { id: oid }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct DecisionBody {
    upheld: bool,
    decision: String,
}

async fn decide_objection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<DecisionBody>,
) -> ApiResult<RollChanged> {
    let changed =
        voters::decide_objection(&state.store, &state.log, &j.session.staff, id, j.body.upheld, &j.body.decision)
            .await
            .api(j.lang)?;
    Ok(Json(RollChanged { roll_changed: changed }))
}

/// The public view of a published election: the list with names masked, its fingerprint, the
/// objection decisions. Nothing before publication (404).
async fn public_view(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang) -> ApiResult<PublicElection> {
    let svc::PublicView { e, roll, objections, proxies, candidates } =
        svc::public_view(&state.store, id).await.api(lang)?;
    let voters = roll
        .iter()
        .enumerate()
        .map(|(i, v)| PublicVoter { number: i + 1, name: voters::mask_name(&v.name), group: v.group_number })
        .collect();
    // LAW.md §6 [N]: the list of principals and proxies is published.
    let proxies = proxies
        .into_iter()
        .map(|p| PublicProxy {
            principal: voters::mask_name(&p.principal_name),
            proxy: voters::mask_name(&p.proxy_name),
        })
        .collect();
    // LAW.md §5: the formal candidate list is published with full names.
    let candidates = candidates
        .into_iter()
        .map(|n| PublicCandidate { post: n.post, name: n.nominee_name, order: n.list_order })
        .collect();
    let election = ElectionDetail { version: None, ..election_detail(&e) };
    let objections = objections.into_iter().map(ObjectionDecision::from).collect();
    Ok(Json(PublicElection { election, voters, objections, proxies, candidates }))
}

async fn proxies(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<Proxies> {
    Ok(Json(Proxies { proxies: svc::proxies(&state.store, &s.staff, id).await.api(lang)? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ProxyBody {
    principal_id: i64,
    proxy_id: i64,
    reason: String,
}

async fn apply_proxy(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<ProxyBody>,
) -> ApiResult<Created> {
    let b = &j.body;
    let pid = crate::service::proxies::apply(&state.store, &j.session.staff, id, b.principal_id, b.proxy_id, &b.reason)
        .await
        .api(j.lang)?;
    Ok(Json(Created { id: pid }))
}

async fn decide_proxy(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<DecideBody>) -> ApiResult<Done> {
    crate::service::proxies::decide(&state.store, &j.session.staff, id, j.body.approve).await.api(j.lang)?;
    Ok(Json(Done::YES))
}

async fn committee(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<CommitteeView> {
    let (members, decisions) = svc::committee(&state.store, &s.staff, id).await.api(lang)?;
    Ok(Json(CommitteeView { members, decisions }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct MemberBody {
    resident_id: i64,
    position: String,
    #[serde(default)]
    username: String,
}

async fn add_member(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<MemberBody>) -> ApiResult<Done> {
    let b = &j.body;
    crate::service::committee::add_member(&state.store, &j.session.staff, id, b.resident_id, &b.position, &b.username)
        .await
        .api(j.lang)?;
    Ok(Json(Done::YES))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct DecisionRecordBody {
    subject: String,
    present: i64,
    yes: i64,
}

async fn record_decision(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<DecisionRecordBody>,
) -> ApiResult<crate::service::committee::DecisionOutcome> {
    let b = &j.body;
    let out =
        crate::service::committee::record_decision(&state.store, &j.session.staff, id, &b.subject, b.present, b.yes)
            .await
            .api(j.lang)?;
    Ok(Json(out))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct RepresentativesBody {
    group_number: i64,
    residents: Vec<i64>,
}

async fn set_representatives(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<RepresentativesBody>,
) -> ApiResult<Done> {
    voters::set_group_representatives(&state.store, &j.session.staff, id, j.body.group_number, &j.body.residents)
        .await
        .api(j.lang)?;
    Ok(Json(Done::YES))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct StatusBody {
    change: String,
    #[serde(default)]
    note: String,
}

async fn status_change(
    State(state): State<AppState>,
    Path((id, resident)): Path<(i64, i64)>,
    j: StaffJson<StatusBody>,
) -> ApiResult<RollChanged> {
    let changed =
        voters::status_change(&state.store, &state.log, &j.session.staff, id, resident, &j.body.change, &j.body.note)
            .await
            .api(j.lang)?;
    Ok(Json(RollChanged { roll_changed: changed }))
}

use crate::service::nominations as nom;

async fn open_nominations(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<StageNow> {
    nom::open(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(StageNow { stage: "nominations" }))
}

async fn nominations(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<Nominations> {
    Ok(Json(Nominations { nominations: svc::nominations(&state.store, &s.staff, id).await.api(lang)? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NominateBody {
    post: String,
    nominee_id: i64,
    route: String,
    #[serde(default)]
    nominators: Vec<i64>,
}

async fn nominate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<NominateBody>,
) -> ApiResult<Created> {
    let b = &j.body;
    let nid = nom::nominate(&state.store, &j.session.staff, id, &b.post, b.nominee_id, &b.route, &b.nominators)
        .await
        .api(j.lang)?;
    Ok(Json(Created { id: nid }))
}

async fn consent(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<Done> {
    nom::consent(&state.store, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(Done::YES))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ReviewBody {
    qualified: bool,
    #[serde(default)]
    reasons: String,
}

async fn review(State(state): State<AppState>, Path(id): Path<i64>, j: StaffJson<ReviewBody>) -> ApiResult<Done> {
    nom::review(&state.store, &j.session.staff, id, j.body.qualified, &j.body.reasons).await.api(j.lang)?;
    Ok(Json(Done::YES))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct WithdrawBody {
    written_record: bool,
}

async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<WithdrawBody>,
) -> ApiResult<nom::Withdrawn> {
    Ok(Json(nom::withdraw(&state.store, &state.log, &j.session.staff, id, j.body.written_record).await.api(j.lang)?))
}

async fn publish_candidates(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    a: StaffAction,
) -> ApiResult<nom::CandidatesPublished> {
    Ok(Json(nom::publish(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}
