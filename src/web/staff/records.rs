//! The committee's record pages (issue 16): the counting staff (LAW.md §2 [P]), complaints and
//! their written answers (LAW.md §8 [P, CQ Art. 33]) and the findings about how a round was
//! counted (LAW.md §8 [P, CQ Art. 34]). Short handlers over `service::counting_staff`,
//! `service::complaints` and `service::count_conduct`; each form carries the CSRF token, a
//! refused form comes back with what was typed (`flow::Echo`), and a step that cannot be undone
//! (a written answer, a finding that voids the count) asks first (`flow::ask`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::flow::{self, Echo};
use crate::domain::{Action, Election};
use crate::i18n::{Lang, Tr, text};
use crate::law::after_vote::COUNT_FINDINGS;
use crate::service::counting_staff::{self as cs, CountingStaffLine, DUTIES};
use crate::service::overview::record_desk;
use crate::service::{ServiceError, complaints, count_conduct};
use crate::web::AppState;
use crate::web::auth::{StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt};

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub(super) done: Option<String>,
}

/// What every record page shows at its top.
struct Head {
    e: Election,
    community: String,
    stage_label: &'static str,
    notice: Option<String>,
    allowed: Vec<Action>,
}

async fn head(state: &AppState, lang: Lang, s: &StaffSession, id: i64, done: Option<&str>) -> Result<Head, HtmlError> {
    let (e, community, allowed) = record_desk(&state.store, &s.staff, id).await.html(lang)?;
    Ok(Head {
        stage_label: text(lang, &format!("stage.{}", e.stage)),
        notice: flow::done_notice(lang, "records.done.", done),
        e,
        community,
        allowed,
    })
}

// ---- the counting staff (LAW.md §2 [P]) ----

/// One member of the counting staff as the page shows them.
struct StaffLine {
    resident_id: i64,
    name: String,
    duty: &'static str,
    serving: bool,
    status: &'static str,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/counting_staff.html")]
struct CountingStaffPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    h: Head,
    lines: Vec<StaffLine>,
    /// (duty key, label)
    duties: Vec<(&'static str, &'static str)>,
    echo: Echo,
}

impl CountingStaffPage {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.h.allowed, a)
    }
}

async fn counting_staff_page(
    state: &AppState,
    lang: Lang,
    s: &StaffSession,
    id: i64,
    done: Option<&str>,
    echo: Echo,
) -> Result<CountingStaffPage, HtmlError> {
    let h = head(state, lang, s, id, done).await?;
    let lines = cs::list(&state.store, &s.staff, id)
        .await
        .html(lang)?
        .into_iter()
        .map(|l: CountingStaffLine| StaffLine {
            resident_id: l.resident_id,
            name: l.name,
            duty: text(lang, &format!("counting_staff.duty.{}", l.duty)),
            serving: l.status == "serving",
            status: text(lang, &format!("counting_staff.status.{}", l.status)),
            note: l.note,
        })
        .collect();
    let duties = DUTIES.iter().map(|d| (*d, text(lang, &format!("counting_staff.duty.{d}")))).collect();
    Ok(CountingStaffPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        h,
        lines,
        duties,
        echo,
    })
}

pub async fn counting_staff(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<DoneQuery>,
) -> Result<Response, HtmlError> {
    Ok(counting_staff_page(&state, lang, &s, id, q.done.as_deref(), Echo::default()).await?.into_response())
}

#[derive(Deserialize)]
pub struct CountingStaffForm {
    action: String,
    #[serde(default)]
    resident_id: String,
    #[serde(default)]
    duty: String,
    #[serde(default)]
    reason: String,
}

/// Names (`action=name`) or relieves (`action=remove`, with a reason) a member of the counting
/// staff; the recusal rule of LAW.md §2 [P] is the service's (`counting_staff_conflict`).
pub async fn counting_staff_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<CountingStaffForm>,
) -> Result<Response, HtmlError> {
    let (store, staff) = (&state.store, &f.session.staff);
    let rid = f.form.resident_id.trim().parse::<i64>();
    let at = if f.form.action == "remove" { "remove" } else { "name" };
    let done = match (f.form.action.as_str(), rid) {
        (_, Err(_)) => Err(ServiceError::Invalid { key: "err.relative_unknown", field: Some("resident_id".into()) }),
        ("name", Ok(r)) => cs::name(store, staff, id, r, &f.form.duty).await,
        ("remove", Ok(r)) => cs::remove(store, staff, id, r, &f.form.reason).await,
        _ => Err(ServiceError::Invalid { key: "err.request", field: Some("action".into()) }),
    };
    if let Err(e) = done.html(f.lang) {
        let Some(echo) = Echo::of(&f, at, &e) else { return Err(e) };
        let page = counting_staff_page(&state, f.lang, &f.session, id, None, echo).await?;
        return Ok((Echo::status(&e), page).into_response());
    }
    let key = if at == "remove" { "staff_removed" } else { "staff_named" };
    Ok(Redirect::to(&format!("/staff/elections/{id}/counting-staff?done={key}")).into_response())
}

// ---- complaints (LAW.md §8 [P, CQ Art. 33]) ----

struct ComplaintLine {
    id: i64,
    filed_on: String,
    filed_by: String,
    contact: String,
    subject: String,
    answer_due: String,
    overdue: bool,
    answer: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/complaints.html")]
struct ComplaintsPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    h: Head,
    lines: Vec<ComplaintLine>,
    overdue: usize,
    echo: Echo,
}

async fn complaints_page(
    state: &AppState,
    lang: Lang,
    s: &StaffSession,
    id: i64,
    done: Option<&str>,
    echo: Echo,
) -> Result<ComplaintsPage, HtmlError> {
    let h = head(state, lang, s, id, done).await?;
    let list = complaints::list(&state.store, &s.staff, id).await.html(lang)?;
    let lines = list
        .complaints
        .into_iter()
        .map(|c| ComplaintLine {
            id: c.row.id,
            filed_on: c.row.filed_on,
            filed_by: c.row.filed_by,
            contact: c.row.contact,
            subject: c.row.subject,
            answer_due: c.answer_due,
            overdue: c.overdue,
            answer: c.row.answer.map(|a| (a, c.row.answered_on.unwrap_or_default())),
        })
        .collect();
    Ok(ComplaintsPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        h,
        lines,
        overdue: list.overdue,
        echo,
    })
}

pub async fn complaints(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<DoneQuery>,
) -> Result<Response, HtmlError> {
    Ok(complaints_page(&state, lang, &s, id, q.done.as_deref(), Echo::default()).await?.into_response())
}

#[derive(Deserialize)]
pub struct ComplaintForm {
    action: String,
    #[serde(default)]
    filed_by: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    complaint_id: String,
    #[serde(default)]
    answer: String,
}

/// Files a complaint (`action=file`) or records its written answer (`action=answer`, asked
/// first: an answer is final, LAW.md §8 [P, CQ Art. 33]).
pub async fn complaints_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<ComplaintForm>,
) -> Result<Response, HtmlError> {
    let (store, staff) = (&state.store, &f.session.staff);
    let back = format!("/staff/elections/{id}/complaints");
    let (at, done) = match f.form.action.as_str() {
        "file" => (
            "file".to_string(),
            complaints::file(store, staff, id, &f.form.filed_by, &f.form.contact, &f.form.subject).await.map(|_| ()),
        ),
        "answer" => {
            let at = format!("answer-{}", f.form.complaint_id.trim());
            if !flow::confirmed(&f) {
                return Ok(flow::ask(&f, "complaint_answer", back.clone(), back));
            }
            let Ok(cid) = f.form.complaint_id.trim().parse::<i64>() else {
                return Err(HtmlError { lang: f.lang, err: ServiceError::NotFound });
            };
            // The complaint must be one of this election's (the page's own list).
            let mine =
                complaints::list(store, staff, id).await.html(f.lang)?.complaints.iter().any(|c| c.row.id == cid);
            if !mine {
                return Err(HtmlError { lang: f.lang, err: ServiceError::NotFound });
            }
            (at, complaints::answer(store, staff, cid, &f.form.answer).await.map(|_| ()))
        }
        _ => return Err(HtmlError { lang: f.lang, err: ServiceError::Invalid { key: "err.request", field: None } }),
    };
    if let Err(e) = done.html(f.lang) {
        let Some(echo) = Echo::of(&f, at, &e) else { return Err(e) };
        let page = complaints_page(&state, f.lang, &f.session, id, None, echo).await?;
        return Ok((Echo::status(&e), page).into_response());
    }
    let key = if f.form.action == "file" { "complaint_filed" } else { "complaint_answered" };
    Ok(Redirect::to(&format!("{back}?done={key}")).into_response())
}

// ---- how a round was counted (LAW.md §8 [P, CQ Art. 34]) ----

#[derive(Template, WebTemplate)]
#[template(path = "staff/count_findings.html")]
struct FindingsPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    h: Head,
    /// (round, finding label)
    findings: Vec<(i64, &'static str)>,
    /// (finding key, label)
    choices: Vec<(&'static str, &'static str)>,
    echo: Echo,
}

impl FindingsPage {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.h.allowed, a)
    }
}

async fn findings_page(
    state: &AppState,
    lang: Lang,
    s: &StaffSession,
    id: i64,
    done: Option<&str>,
    echo: Echo,
) -> Result<FindingsPage, HtmlError> {
    let h = head(state, lang, s, id, done).await?;
    if !crate::domain::action::allows(&h.allowed, Action::CountFindings) {
        return Err(HtmlError { lang, err: ServiceError::NotFound });
    }
    let findings = count_conduct::list(&state.store, &s.staff, id)
        .await
        .html(lang)?
        .into_iter()
        .map(|(r, f)| (r, text(lang, &format!("findings.kind.{f}"))))
        .collect();
    let choices = COUNT_FINDINGS.iter().map(|f| (*f, text(lang, &format!("findings.kind.{f}")))).collect();
    Ok(FindingsPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        h,
        findings,
        choices,
        echo,
    })
}

pub async fn findings(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    Query(q): Query<DoneQuery>,
) -> Result<Response, HtmlError> {
    Ok(findings_page(&state, lang, &s, id, q.done.as_deref(), Echo::default()).await?.into_response())
}

#[derive(Deserialize)]
pub struct FindingForm {
    finding: String,
}

/// Records a finding (asked first: it voids the count or refuses certification).
pub async fn findings_post(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<FindingForm>,
) -> Result<Response, HtmlError> {
    let back = format!("/staff/elections/{id}/count-findings");
    if !flow::confirmed(&f) {
        return Ok(flow::ask(&f, "count_finding", back.clone(), back));
    }
    let done = count_conduct::record(&state.store, &state.log, &f.session.staff, id, &f.form.finding).await;
    if let Err(e) = done.html(f.lang) {
        let Some(echo) = Echo::of(&f, "finding", &e) else { return Err(e) };
        let page = findings_page(&state, f.lang, &f.session, id, None, echo).await?;
        return Ok((Echo::status(&e), page).into_response());
    }
    Ok(Redirect::to(&format!("{back}?done=finding")).into_response())
}
