//! Residents' group elections (LAW.md §4 [N 2018, P]): open one for a main election by the
//! representatives method, publish its roll, open its polls, count, re-vote a tie, certify.
//! Closing the polls, voting cards, check-in, paper entry and casting are the polling routes
//! every election uses (`/elections/{id}/polls/close`, `/elections/{id}/cards`, …).

use axum::Json;
use axum::extract::{Path, State};

use crate::i18n::Lang;
use crate::service::group_elections as svc;
use crate::web::AppState;
use crate::web::auth::{StaffAction, StaffJson, StaffSession};
use crate::web::error::{ApiError, ResultExt};

use super::bodies::{Created, RoundOpened};
use super::openapi::{Api, Op};
use crate::law::group::GroupCount;

pub fn api() -> Api {
    Api::new()
        .post(
            "/elections/{id}/group-elections",
            open,
            Op::write(
                "Open a residents' group election of representatives for a main election (representatives method)",
            )
            .body::<svc::GroupElectionInput>()
            .ok_body::<Created>(),
        )
        .get(
            "/elections/{id}/group-elections",
            for_main,
            Op::staff("The group elections of a main election and its recorded representatives")
                .ok_body::<svc::MainView>(),
        )
        .get(
            "/group-elections/{id}",
            view,
            Op::staff("A residents' group election: candidates, rounds, elected").ok_body::<svc::GroupElectionView>(),
        )
        .post(
            "/group-elections/{id}/roll/publish",
            publish_roll,
            Op::write("draft → list_published: the roll is the group's voters").ok_body::<svc::RollPublished>(),
        )
        .post(
            "/group-elections/{id}/polls/open",
            open_polls,
            Op::write("list_published → polling, on the group election's day").ok_body::<RoundOpened>(),
        )
        .post(
            "/group-elections/{id}/count",
            count,
            Op::write("Count the closed round (quorum and majority of the profile)").ok_body::<GroupCount>(),
        )
        .post(
            "/group-elections/{id}/revote",
            revote,
            Op::write("counting → runoff: re-vote the candidates tied at the last seat").ok_body::<RoundOpened>(),
        )
        .post(
            "/group-elections/{id}/certify",
            certify,
            Op::write("counting → certified: the elected become the group's representatives")
                .ok_body::<svc::GroupCertified>(),
        )
}

type ApiResult<T> = Result<Json<T>, ApiError>;

async fn open(
    State(state): State<AppState>,
    Path(main): Path<i64>,
    j: StaffJson<svc::GroupElectionInput>,
) -> ApiResult<Created> {
    Ok(Json(Created { id: svc::open(&state.store, &j.session.staff, main, &j.body).await.api(j.lang)? }))
}

async fn for_main(
    State(state): State<AppState>,
    Path(main): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<svc::MainView> {
    Ok(Json(svc::for_main(&state.store, &s.staff, main).await.api(lang)?))
}

async fn view(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> ApiResult<svc::GroupElectionView> {
    Ok(Json(svc::view(&state.store, &s.staff, id).await.api(lang)?))
}

async fn publish_roll(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    a: StaffAction,
) -> ApiResult<svc::RollPublished> {
    Ok(Json(svc::publish_roll(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

async fn open_polls(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<RoundOpened> {
    let paper = svc::open_polls(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(RoundOpened { stage: "polling", ballot: paper }))
}

async fn count(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<GroupCount> {
    Ok(Json(svc::count(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}

async fn revote(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<RoundOpened> {
    let paper = svc::revote(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?;
    Ok(Json(RoundOpened { stage: "runoff", ballot: paper }))
}

async fn certify(State(state): State<AppState>, Path(id): Path<i64>, a: StaffAction) -> ApiResult<svc::GroupCertified> {
    Ok(Json(svc::certify(&state.store, &state.log, &a.session.staff, id).await.api(a.lang)?))
}
