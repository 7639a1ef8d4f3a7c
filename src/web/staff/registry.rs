//! Registry pages: communities, groups, residents.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::records::{
    Community, CommunityStats, HouseholdRow, RelativeRow, Resident, ResidentGroup, StreetOffice,
};
use crate::domain::{Action, RawResident};
use crate::i18n::{Lang, Tr};
use crate::service::{Permission, ServiceError, registry as svc};
use crate::web::AppState;
use crate::web::auth::{StaffForm, StaffSession, urlencode};
use crate::web::error::{HtmlError, ResultExt};

#[derive(Template, WebTemplate)]
#[template(path = "staff/dashboard.html")]
struct Dashboard {
    t: Tr,
    user: Option<String>,
    csrf: String,
    communities: Vec<CommunityStats>,
    streets: Vec<StreetOffice>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    lang: Lang,
    s: StaffSession,
) -> Result<impl IntoResponse, HtmlError> {
    let (communities, streets) = svc::dashboard(&state.store, &s.staff).await.html(lang)?;
    Ok(Dashboard { t: Tr(lang), user: Some(s.staff.display_name), csrf: s.csrf, communities, streets })
}

#[derive(Deserialize)]
pub struct CommunityForm {
    code: String,
    name: String,
}

pub async fn create_community(
    State(state): State<AppState>,
    Path(street): Path<i64>,
    f: StaffForm<CommunityForm>,
) -> Result<Redirect, HtmlError> {
    let id = svc::create_community(&state.store, &f.session.staff, street, f.form.code.trim(), &f.form.name)
        .await
        .html(f.lang)?;
    Ok(Redirect::to(&format!("/staff/communities/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/community.html")]
pub(crate) struct CommunityPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    community: Community,
    groups: Vec<ResidentGroup>,
    residents: Vec<Resident>,
    total: i64,
    q: String,
    q_enc: String,
    page: i64,
    pages: i64,
    elections: Vec<crate::domain::Election>,
    allowed: Vec<Action>,
    plan: super::plan::PlanView,
    /// A refused new election: why, with the plan as typed in `plan` (issue 13 item 7).
    open_errors: Vec<String>,
    round: String,
}

impl CommunityPage {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
}

pub async fn community(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<SearchQuery>,
) -> Result<impl IntoResponse, HtmlError> {
    community_page(&state, lang, &s, id, q, None).await
}

/// The community page; `refused` carries a refused new election (the reasons, the plan and
/// round as typed), shown open by its form.
pub(crate) async fn community_page(
    state: &AppState,
    lang: Lang,
    s: &StaffSession,
    id: i64,
    q: SearchQuery,
    refused: Option<(Vec<String>, super::plan::PlanView, String)>,
) -> Result<CommunityPage, HtmlError> {
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let svc::CommunityView { community, groups, residents, total, elections, allowed } =
        svc::community_view(&state.store, &s.staff, id, &q.q, page).await.html(lang)?;
    let (open_errors, plan, round) =
        refused.unwrap_or_else(|| (Vec::new(), super::plan::PlanView::new_default(), "2026".into()));
    Ok(CommunityPage {
        elections,
        allowed,
        plan,
        open_errors,
        round,
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        community,
        groups,
        residents,
        total,
        q_enc: urlencode(&q.q),
        q: q.q,
        page,
        pages: ((total + 49) / 50).max(1),
    })
}

#[derive(Deserialize)]
pub struct GroupForm {
    number: i64,
    name: String,
}

pub async fn create_group(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<GroupForm>,
) -> Result<Redirect, HtmlError> {
    svc::create_group(&state.store, &f.session.staff, id, f.form.number, &f.form.name).await.html(f.lang)?;
    Ok(Redirect::to(&format!("/staff/communities/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/resident_form.html")]
struct ResidentForm {
    t: Tr,
    user: Option<String>,
    csrf: String,
    action: String,
    resident_id: Option<i64>,
    version: i64,
    raw: RawResident,
    groups: Vec<ResidentGroup>,
    /// Why the last save was refused; the form then shows what was typed (issue 13 item 7).
    errors: Vec<String>,
}

pub async fn new_resident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<impl IntoResponse, HtmlError> {
    s.staff.authorize(&state.store, Permission::WriteRegistry, id).await.html(lang)?;
    let groups = svc::groups(&state.store, &s.staff, id).await.html(lang)?;
    let raw = RawResident { ethnicity: "汉族".into(), political_rights: "full".into(), ..RawResident::default() };
    Ok(ResidentForm {
        t: Tr(lang),
        user: Some(s.staff.display_name),
        csrf: s.csrf,
        action: format!("/staff/communities/{id}/residents"),
        resident_id: None,
        version: 0,
        raw,
        groups,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct ResidentFormData {
    #[serde(flatten)]
    raw: RawResident,
    #[serde(default)]
    version: String,
}

pub async fn create_resident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<ResidentFormData>,
) -> Result<Response, HtmlError> {
    match svc::create_resident(&state.store, &f.session.staff, id, &f.form.raw).await.html(f.lang) {
        Ok(rid) => Ok(Redirect::to(&format!("/staff/residents/{rid}")).into_response()),
        Err(e) => form_again(&state, &f, id, format!("/staff/communities/{id}/residents"), None, 0, e).await,
    }
}

/// The resident form again after a refused save: the reasons at the top, what was typed kept.
async fn form_again(
    state: &AppState,
    f: &StaffForm<ResidentFormData>,
    community_id: i64,
    action: String,
    resident_id: Option<i64>,
    version: i64,
    e: HtmlError,
) -> Result<Response, HtmlError> {
    let Some(echo) = super::flow::Echo::of(f, "resident", &e) else { return Err(e) };
    let groups = svc::groups(&state.store, &f.session.staff, community_id).await.html(f.lang)?;
    let page = ResidentForm {
        t: Tr(f.lang),
        user: Some(f.session.staff.display_name.clone()),
        csrf: f.session.csrf.clone(),
        action,
        resident_id,
        version,
        raw: f.form.raw.clone(),
        groups,
        errors: echo.errors,
    };
    Ok((super::flow::Echo::status(&e), page).into_response())
}

pub async fn edit_resident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<impl IntoResponse, HtmlError> {
    let svc::ResidentEdit { r, groups, household_number: hh, group_number: gn } =
        svc::resident_edit(&state.store, &s.staff, id).await.html(lang)?;
    let yn = |b: bool| if b { "是".to_string() } else { String::new() };
    let raw = RawResident {
        name: r.name.clone(),
        gender: r.gender.clone(),
        ethnicity: r.ethnicity.clone(),
        birth_date: r.birth_date.clone(),
        id_number: r.id_number.clone(),
        household_number: hh.unwrap_or_default(),
        address: String::new(),
        group_number: gn.map(|g| g.to_string()).unwrap_or_default(),
        hukou_here: yn(r.hukou_here),
        months_resident: r.months_resident.to_string(),
        community_worker: yn(r.community_worker),
        worker_months: r.worker_months.to_string(),
        political_rights: r.political_rights.clone(),
        household_head: yn(r.household_head),
        phone: r.phone.clone(),
    };
    Ok(ResidentForm {
        t: Tr(lang),
        user: Some(s.staff.display_name),
        csrf: s.csrf,
        action: format!("/staff/residents/{id}"),
        resident_id: Some(id),
        version: r.version,
        raw,
        groups,
        errors: Vec::new(),
    })
}

pub async fn update_resident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<ResidentFormData>,
) -> Result<Response, HtmlError> {
    let version = f
        .form
        .version
        .parse::<i64>()
        .map_err(|_| ServiceError::Invalid { key: "err.request", field: None })
        .html(f.lang)?;
    match svc::update_resident(&state.store, &f.session.staff, id, version, &f.form.raw).await.html(f.lang) {
        Ok(_) => Ok(Redirect::to(&format!("/staff/residents/{id}")).into_response()),
        Err(e) => {
            let r = svc::read_resident(&state.store, &f.session.staff, id).await.html(f.lang)?;
            form_again(&state, &f, r.community_id, format!("/staff/residents/{id}"), Some(id), version, e).await
        }
    }
}

pub struct HistoryView {
    version: i64,
    when: String,
    actor: String,
    summary: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/resident.html")]
struct ResidentPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    r: Resident,
    relatives: Vec<RelativeRow>,
    history: Vec<HistoryView>,
    allowed: Vec<Action>,
    gender_label: &'static str,
    rights_label: &'static str,
}

impl ResidentPage {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

/// The fields a change changed, named in the reader's language.
fn changed_fields(lang: Lang, keys: &[String]) -> String {
    let label = |k: &String| match crate::i18n::text(lang, &format!("field.{k}")) {
        "?" => k.clone(),
        l => l.to_string(),
    };
    keys.iter().map(label).collect::<Vec<_>>().join("、")
}

pub async fn resident(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<impl IntoResponse, HtmlError> {
    let svc::ResidentView { r, relatives, history, allowed } =
        svc::resident_view(&state.store, &s.staff, id).await.html(lang)?;
    let history = history
        .into_iter()
        .map(|h| HistoryView {
            version: h.version,
            when: super::beijing(h.changed_ms),
            summary: changed_fields(lang, &h.fields),
            actor: h.actor,
        })
        .collect();
    let gender_label = crate::i18n::text(lang, &format!("gender.{}", r.gender));
    let rights_label = crate::i18n::text(lang, &format!("rights.{}", r.political_rights));
    Ok(ResidentPage {
        t: Tr(lang),
        user: Some(s.staff.display_name),
        csrf: s.csrf,
        r,
        relatives,
        history,
        allowed,
        gender_label,
        rights_label,
    })
}

#[derive(Deserialize)]
pub struct RelativeForm {
    relative_id: i64,
    relation: String,
}

pub async fn link_relative(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<RelativeForm>,
) -> Result<Response, HtmlError> {
    svc::link_relatives(&state.store, &f.session.staff, id, f.form.relative_id, &f.form.relation).await.html(f.lang)?;
    Ok(Redirect::to(&format!("/staff/residents/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/households.html")]
struct HouseholdsPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    community: Community,
    households: Vec<HouseholdRow>,
    groups: Vec<ResidentGroup>,
    total: i64,
    page: i64,
    pages: i64,
    allowed: Vec<Action>,
}

impl HouseholdsPage {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

pub async fn households(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<SearchQuery>,
) -> Result<impl IntoResponse, HtmlError> {
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let svc::HouseholdsView { community, households, groups, total, allowed } =
        svc::households_view(&state.store, &s.staff, id, page).await.html(lang)?;
    Ok(HouseholdsPage {
        t: Tr(lang),
        user: Some(s.staff.display_name),
        csrf: s.csrf,
        community,
        households,
        groups,
        total,
        page,
        pages: ((total + 99) / 100).max(1),
        allowed,
    })
}

#[derive(Deserialize)]
pub struct HouseholdForm {
    number: String,
    address: String,
    #[serde(default)]
    group_number: String,
}

pub async fn create_household(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<HouseholdForm>,
) -> Result<Redirect, HtmlError> {
    let group = match f.form.group_number.trim() {
        "" => None,
        g => Some(
            g.parse::<i64>()
                .map_err(|_| ServiceError::Invalid { key: "err.group", field: Some("group_number".into()) })
                .html(f.lang)?,
        ),
    };
    svc::create_household(&state.store, &f.session.staff, id, &f.form.number, &f.form.address, group)
        .await
        .html(f.lang)?;
    Ok(Redirect::to(&format!("/staff/communities/{id}/households")))
}
