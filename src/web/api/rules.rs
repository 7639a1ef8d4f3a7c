//! Endpoints for the rules of issue 16: incapacity confirmations and absentees' notices
//! (LAW.md §3), complaints and their written answers (LAW.md §8), the counting staff (LAW.md §2).

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use crate::i18n::Lang;
use crate::service::{complaints, count_conduct, counting_staff, electorate_facts as facts};
use crate::web::AppState;
use crate::web::auth::{StaffJson, StaffSession};
use crate::web::error::{ApiError, ResultExt};

use super::bodies::Created;
use super::openapi::{Api, Op};

/// Every route of these rules with its document entry (see [`super::openapi::Api`]).
pub fn api() -> Api {
    Api::new()
        .get(
            "/elections/{id}/incapacity",
            incapacities,
            Op::staff("The committee's confirmations of incapacity with their basis (LAW.md §3)")
                .ok_body::<Incapacities>(),
        )
        .post(
            "/elections/{id}/incapacity",
            confirm_incapacity,
            Op::write("Record the committee's confirmation that a resident cannot exercise the right to vote (LAW.md §3)")
                .body::<IncapacityBody>()
                .ok_body::<Created>(),
        )
        .post(
            "/elections/{id}/absentees",
            notify_absence,
            Op::write("Record a voter's notice of absence before election day (LAW.md §3, profile option)")
                .body::<AbsenceBody>()
                .ok_body::<Absentees>(),
        )
        .get(
            "/elections/{id}/complaints",
            list_complaints,
            Op::staff("Complaints with their answer deadline and whether they are overdue (LAW.md §8)")
                .ok_body::<complaints::ComplaintList>(),
        )
        .post("/elections/{id}/complaints", file_complaint, Op::write("File a complaint (LAW.md §8)").body::<ComplaintBody>().ok_body::<Created>())
        .post(
            "/complaints/{id}/answer",
            answer_complaint,
            Op::write("Answer a complaint in writing (LAW.md §8)")
                .body::<AnswerBody>()
                .ok_body::<complaints::Complaint>(),
        )
        .post(
            "/elections/{id}/count-conduct",
            record_count_conduct,
            Op::write("Record that the count was not public or the result not announced on the spot (LAW.md §8: the count is void)")
                .body::<ConductBody>()
                .ok_body::<count_conduct::ConductRecorded>(),
        )
        .get(
            "/elections/{id}/counting-staff",
            list_counting_staff,
            Op::staff("The scrutineers, callers and talliers, with any removed by the recusal rule (LAW.md §2)")
                .ok_body::<CountingStaff>(),
        )
        .post(
            "/elections/{id}/counting-staff",
            name_counting_staff,
            Op::write("Name a resident scrutineer, caller or tallier; refused for a candidate or a candidate's near relative (LAW.md §2)")
                .body::<CountingStaffBody>()
                .ok_body::<CountingStaff>(),
        )
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// The committee's confirmations of incapacity.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Incapacities {
    confirmations: Vec<crate::store::electorate_facts::IncapacityRow>,
}

/// The counting staff of an election.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct CountingStaff {
    staff: Vec<counting_staff::CountingStaffLine>,
}

/// How many absentees' notices the election now has.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Absentees {
    absentees: usize,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct IncapacityBody {
    resident_id: i64,
    basis: String,
}

async fn confirm_incapacity(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<IncapacityBody>,
) -> ApiResult<Created> {
    let cid = facts::confirm_incapacity(&state.store, &j.session.staff, id, j.body.resident_id, &j.body.basis)
        .await
        .api(j.lang)?;
    Ok(Json(Created { id: cid }))
}

async fn incapacities(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<Incapacities> {
    Ok(Json(Incapacities { confirmations: facts::incapacities(&state.store, &s.staff, id).await.api(lang)? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AbsenceBody {
    resident_id: i64,
}

async fn notify_absence(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<AbsenceBody>,
) -> ApiResult<Absentees> {
    let n =
        facts::notify_absence(&state.store, &state.log, &j.session.staff, id, j.body.resident_id).await.api(j.lang)?;
    Ok(Json(Absentees { absentees: n }))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ComplaintBody {
    filed_by: String,
    #[serde(default)]
    contact: String,
    subject: String,
}

async fn file_complaint(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<ComplaintBody>,
) -> ApiResult<Created> {
    let b = &j.body;
    let cid =
        complaints::file(&state.store, &j.session.staff, id, &b.filed_by, &b.contact, &b.subject).await.api(j.lang)?;
    Ok(Json(Created { id: cid }))
}

async fn list_complaints(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<complaints::ComplaintList> {
    Ok(Json(complaints::list(&state.store, &s.staff, id).await.api(lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AnswerBody {
    answer: String,
}

async fn answer_complaint(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<AnswerBody>,
) -> ApiResult<complaints::Complaint> {
    Ok(Json(complaints::answer(&state.store, &j.session.staff, id, &j.body.answer).await.api(j.lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ConductBody {
    finding: String,
}

/// LAW.md §8 [P, CQ Art. 34]: the committee records a round not counted in public or not announced on the spot.
async fn record_count_conduct(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<ConductBody>,
) -> ApiResult<count_conduct::ConductRecorded> {
    Ok(Json(count_conduct::record(&state.store, &state.log, &j.session.staff, id, &j.body.finding).await.api(j.lang)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct CountingStaffBody {
    resident_id: i64,
    /// `scrutineer` (监票), `caller` (唱票) or `tallier` (计票).
    duty: String,
}

/// LAW.md §2 [P]: candidates and their near relatives may not be scrutineer, caller or tallier.
async fn name_counting_staff(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    j: StaffJson<CountingStaffBody>,
) -> ApiResult<CountingStaff> {
    counting_staff::name(&state.store, &j.session.staff, id, j.body.resident_id, &j.body.duty).await.api(j.lang)?;
    Ok(Json(CountingStaff { staff: counting_staff::list(&state.store, &j.session.staff, id).await.api(j.lang)? }))
}

async fn list_counting_staff(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<CountingStaff> {
    Ok(Json(CountingStaff { staff: counting_staff::list(&state.store, &s.staff, id).await.api(lang)? }))
}
