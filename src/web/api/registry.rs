//! Registry endpoints.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::Grant;
use crate::domain::records::{Batch, CommunityStats, HistoryRow, Household, RelativeRow, Resident, ResidentGroup};
use crate::domain::{RawResident, Role};
use crate::i18n::Lang;
use crate::service::{ServiceError, accounts, import, registry as svc};
use crate::web::AppState;
use crate::web::auth::{StaffAction, StaffJson, StaffSession};
use crate::web::error::{ApiError, ResultExt};
use crate::web::staff::import::row_error;

use super::bodies::{Created, Done};
use super::openapi::{Api, Op};

pub fn api() -> Api {
    Api::new()
        .get(
            "/communities",
            communities,
            Op::staff("Communities in the caller's scope, with counts").ok_body::<Communities>(),
        )
        .post(
            "/street-offices/{id}/communities",
            create_community,
            Op::write("Create a community (street_admin)")
                .body::<NewCommunity>()
                .ok_body::<Created>()
                .example(|| json!({"code": "HJ-001", "name": "和平里社区"})),
        )
        .get(
            "/communities/{id}",
            community,
            Op::staff("One community with counts").ok_body::<CommunityStats>().nullable(),
        )
        .get("/communities/{id}/groups", groups, Op::staff("Residents' groups").ok_body::<Groups>())
        .post(
            "/communities/{id}/groups",
            create_group,
            Op::write("Create a residents' group")
                .body::<NewGroup>()
                .ok_body::<Created>()
                .example(|| json!({"number": 1, "name": "第一居民小组"})),
        )
        .get(
            "/communities/{id}/households",
            households,
            Op::staff("Households (paged)").query::<Page>().ok_body::<Households>(),
        )
        .post(
            "/communities/{id}/households",
            create_household,
            Op::write("Register a household").body::<NewHousehold>().ok_body::<Created>(),
        )
        .get(
            "/communities/{id}/residents",
            residents,
            Op::staff("Search residents").query::<Page>().ok_body::<Residents>(),
        )
        .post(
            "/communities/{id}/residents",
            create_resident,
            Op::write("Register a resident").body::<RawResident>().ok_body::<Created>(),
        )
        .route_service(
            "post",
            "/communities/{id}/imports",
            post(upload).layer(crate::web::staff::import::upload_limit()),
            Op::write("Upload a CSV/XLSX register (the raw body); returns the preview with per-row errors")
                .raw_body("application/octet-stream")
                .query::<UploadQuery>()
                .ok_body::<BatchView>(),
        )
        .get("/imports/{id}", batch, Op::staff("An import preview with per-row errors").ok_body::<BatchView>())
        .post(
            "/imports/{id}/commit",
            commit,
            Op::write("Write every row of a clean preview in one transaction").ok_body::<Imported>(),
        )
        .post("/imports/{id}/discard", discard, Op::write("Discard a preview").ok_body::<Done>())
        .get("/residents/{id}", resident, Op::staff("One resident (ID masked for observers)").ok_body::<Resident>())
        .put(
            "/residents/{id}",
            update_resident,
            Op::write("Edit a resident (send the version you read)").body::<ResidentUpdate>().ok_body::<Resident>(),
        )
        .get("/residents/{id}/history", history, Op::staff("Edit history").ok_body::<History>())
        .get("/residents/{id}/relatives", relatives, Op::staff("Near relatives").ok_body::<Relatives>())
        .post(
            "/residents/{id}/relatives",
            link_relative,
            Op::write("Record a near relative").body::<NewRelative>().ok_body::<Done>(),
        )
        .post(
            "/users",
            create_user,
            Op::write("Create a staff account with a role (street_admin)").body::<NewUser>().ok_body::<Created>(),
        )
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Serialize, utoipa::ToSchema)]
struct Communities {
    communities: Vec<CommunityStats>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Groups {
    groups: Vec<ResidentGroup>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Households {
    households: Vec<Household>,
}

/// One page of a resident search.
#[derive(Serialize, utoipa::ToSchema)]
struct Residents {
    residents: Vec<Resident>,
    total: i64,
    page: i64,
    page_size: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
struct History {
    history: Vec<HistoryRow>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Relatives {
    relatives: Vec<RelativeRow>,
}

/// An import preview: the batch and its rows' errors (at most 1,000).
#[derive(Serialize, utoipa::ToSchema)]
struct BatchView {
    batch: Batch,
    errors: Vec<RowError>,
}

/// What is wrong with one row of an import, in the caller's language.
#[derive(Serialize, utoipa::ToSchema)]
struct RowError {
    row: i64,
    field: String,
    key: String,
    message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Imported {
    imported: i64,
}

async fn communities(State(state): State<AppState>, lang: Lang, s: StaffSession) -> ApiResult<Communities> {
    let list = svc::communities(&state.store, &s.staff).await.api(lang)?;
    Ok(Json(Communities { communities: list }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NewCommunity {
    code: String,
    name: String,
}

async fn create_community(
    State(state): State<AppState>,
    Path(street): Path<i64>,
    j: StaffJson<NewCommunity>,
) -> ApiResult<Created> {
    let id = svc::create_community(&state.store, &j.session.staff, street, j.body.code.trim(), &j.body.name)
        .await
        .api(j.lang)?;
    Ok(Json(Created { id }))
}

async fn community(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<Option<CommunityStats>> {
    Ok(Json(svc::community_stats(&state.store, &s.staff, id).await.api(lang)?))
}

async fn groups(State(state): State<AppState>, Path(id): Path<i64>, lang: Lang, s: StaffSession) -> ApiResult<Groups> {
    Ok(Json(Groups { groups: svc::groups(&state.store, &s.staff, id).await.api(lang)? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NewGroup {
    number: i64,
    name: String,
}

async fn create_group(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<NewGroup>,
) -> ApiResult<Created> {
    let gid = svc::create_group(&state.store, &j.session.staff, id, j.body.number, &j.body.name).await.api(j.lang)?;
    Ok(Json(Created { id: gid }))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct Page {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
}

async fn households(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(p): Query<Page>,
) -> ApiResult<Households> {
    let page = p.page.unwrap_or(1);
    Ok(Json(Households { households: svc::households(&state.store, &s.staff, id, page).await.api(lang)? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NewHousehold {
    number: String,
    address: String,
    group_number: Option<i64>,
}

async fn create_household(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<NewHousehold>,
) -> ApiResult<Created> {
    let b = j.body;
    let hid = svc::create_household(&state.store, &j.session.staff, id, &b.number, &b.address, b.group_number)
        .await
        .api(j.lang)?;
    Ok(Json(Created { id: hid }))
}

async fn residents(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(p): Query<Page>,
) -> ApiResult<Residents> {
    let page = p.page.unwrap_or(1);
    let (rows, total) = svc::search(&state.store, &s.staff, id, &p.q, page).await.api(lang)?;
    Ok(Json(Residents { residents: rows, total, page: page.max(1), page_size: 50 }))
}

async fn create_resident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<RawResident>,
) -> ApiResult<Created> {
    let rid = svc::create_resident(&state.store, &j.session.staff, id, &j.body).await.api(j.lang)?;
    Ok(Json(Created { id: rid }))
}

async fn resident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<Resident> {
    Ok(Json(svc::read_resident(&state.store, &s.staff, id).await.api(lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ResidentUpdate {
    version: i64,
    #[serde(flatten)]
    raw: RawResident,
}

async fn update_resident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<ResidentUpdate>,
) -> ApiResult<Resident> {
    svc::update_resident(&state.store, &j.session.staff, id, j.body.version, &j.body.raw).await.api(j.lang)?;
    Ok(Json(svc::read_resident(&state.store, &j.session.staff, id).await.api(j.lang)?))
}

async fn history(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<History> {
    Ok(Json(History { history: svc::history(&state.store, &s.staff, id).await.api(lang)? }))
}

async fn relatives(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<Relatives> {
    Ok(Json(Relatives { relatives: svc::relatives(&state.store, &s.staff, id).await.api(lang)? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NewRelative {
    relative_id: i64,
    relation: String,
}

async fn link_relative(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<NewRelative>,
) -> ApiResult<Done> {
    svc::link_relatives(&state.store, &j.session.staff, id, j.body.relative_id, &j.body.relation).await.api(j.lang)?;
    Ok(Json(Done::YES))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct UploadQuery {
    #[serde(default)]
    filename: String,
}

/// The file is the raw request body (CSV or XLSX); the preview comes back at once.
async fn upload(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    a: StaffAction,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> ApiResult<BatchView> {
    let name = if q.filename.is_empty() { "upload".to_string() } else { q.filename.chars().take(100).collect() };
    let batch_id = import::preview(&state.store, &a.session.staff, id, &name, &body).await.api(a.lang)?;
    batch_json(&state, a.lang, &a.session, batch_id).await
}

async fn batch_json(state: &AppState, lang: Lang, s: &StaffSession, id: i64) -> ApiResult<BatchView> {
    let b = import::batch(&state.store, &s.staff, id).await.api(lang)?;
    let mut errors = Vec::new();
    for (row_no, e) in import::row_errors(&state.store, &b, 1000).await.api(lang)? {
        let message = row_error(lang, row_no, &e);
        errors.push(RowError { row: row_no, field: e.field, key: e.key, message });
    }
    Ok(Json(BatchView { batch: b, errors }))
}

async fn batch(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<BatchView> {
    batch_json(&state, lang, &s, id).await
}

async fn commit(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<Imported> {
    let n = import::commit(&state.store, &a.session.staff, id, &|_, _| {}).await.api(a.lang)?;
    Ok(Json(Imported { imported: n }))
}

async fn discard(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<Done> {
    import::discard(&state.store, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(Done::YES))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct NewUser {
    username: String,
    display_name: String,
    password: String,
    role: String,
    scope: String,
}

async fn create_user(State(state): State<AppState>, j: StaffJson<NewUser>) -> ApiResult<Created> {
    let lang = j.lang;
    let role = Role::parse(&j.body.role)
        .ok_or(ServiceError::Invalid { key: "err.role_required", field: Some("role".into()) })
        .api(lang)?;
    let scope = crate::web::staff::parse_scope(&j.body.scope)
        .ok_or(ServiceError::Invalid { key: "err.scope", field: Some("scope".into()) })
        .api(lang)?;
    let id = accounts::create_user(
        &state.store,
        Some(&j.session.staff),
        j.body.username.trim(),
        &j.body.display_name,
        &j.body.password,
        &[Grant { role, scope }],
    )
    .await
    .api(lang)?;
    Ok(Json(Created { id }))
}
