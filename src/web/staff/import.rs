//! Spreadsheet import (upload → preview → confirm) and CSV export.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::ResidentInputError;
use crate::i18n::{Lang, Tr, text};
use crate::service::{ServiceError, import as svc};
use crate::web::AppState;
use crate::web::auth::{StaffForm, StaffSession, same_token};
use crate::web::error::{HtmlError, ResultExt};

use super::account::Empty;

#[derive(Template, WebTemplate)]
#[template(path = "staff/import.html")]
struct UploadPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    community_id: i64,
    community_name: String,
}

pub async fn upload_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<impl IntoResponse, HtmlError> {
    let community_name = svc::community_name(&state.store, &s.staff, id).await.html(lang)?;
    Ok(UploadPage { t: Tr(lang), user: Some(s.staff.display_name), csrf: s.csrf, community_id: id, community_name })
}

/// The upload route gets a larger body limit than forms.
pub fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(svc::MAX_FILE_BYTES + 64 * 1024)
}

pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
    mut mp: Multipart,
) -> Result<Redirect, HtmlError> {
    let bad = |key| HtmlError { lang, err: ServiceError::Invalid { key, field: Some("file".into()) } };
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = mp.next_field().await.map_err(|_| bad("err.import.too_big"))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|_| bad("err.request"))?,
            Some("file") => {
                let name =
                    field.file_name().unwrap_or("upload").chars().filter(|c| !c.is_control()).take(100).collect();
                let bytes = field.bytes().await.map_err(|_| bad("err.import.too_big"))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    if !same_token(&csrf, &s.csrf) {
        return Err(HtmlError { lang, err: ServiceError::Forbidden });
    }
    let (name, bytes) = file.ok_or_else(|| bad("err.import.empty"))?;
    let batch = svc::preview(&state.store, &s.staff, id, &name, &bytes).await.html(lang)?;
    Ok(Redirect::to(&format!("/staff/imports/{batch}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/import_preview.html")]
struct PreviewPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    batch: svc::Batch,
    committing: bool,
    done: i64,
    errors: Vec<String>,
    sample: Vec<(i64, String, String, String)>,
}

/// "第 12 行「身份证号」：校验位不对" — row, column, what is wrong.
pub fn row_error(lang: Lang, row: i64, e: &ResidentInputError) -> String {
    let col = match text(lang, &format!("field.{}", e.field)) {
        "?" => e.field.clone(),
        c => c.to_string(),
    };
    let mut msg = text(lang, &e.key).to_string();
    if let Some((_, first)) = e.key.split_once(':') {
        msg = format!("{msg} ({first})");
    }
    text(lang, "err.field").replace("{row}", &row.to_string()).replace("{col}", &col).replace("{msg}", &msg)
}

pub async fn preview(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<impl IntoResponse, HtmlError> {
    let batch = svc::batch(&state.store, &s.staff, id).await.html(lang)?;
    let progress = state.progress.get(id);
    let committing = batch.status == "preview" && progress.is_some();
    let mut errors = Vec::new();
    let mut sample = Vec::new();
    if batch.status == "preview" {
        for (row_no, e) in svc::row_errors(&state.store, &batch, 500).await.html(lang)? {
            errors.push(row_error(lang, row_no, &e));
        }
        for (row_no, raw) in svc::sample(&state.store, &batch, 20).await.html(lang)? {
            sample.push((row_no, raw.name, raw.id_number, raw.household_number));
        }
    }
    Ok(PreviewPage {
        t: Tr(lang),
        user: Some(s.staff.display_name),
        csrf: s.csrf,
        done: progress.map(|p| p.0).unwrap_or(0),
        batch,
        committing,
        errors,
        sample,
    })
}

/// Starts the commit in the background and returns to the preview, which refreshes itself and
/// shows progress until the single transaction has committed.
pub async fn commit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<Empty>,
) -> Result<Redirect, HtmlError> {
    let batch = svc::batch(&state.store, &f.session.staff, id).await.html(f.lang)?;
    if batch.status != "preview" || state.progress.get(id).is_some() {
        return Err(ServiceError::Conflict("err.import.done")).html(f.lang);
    }
    if batch.error_rows > 0 {
        return Err(ServiceError::Conflict("err.import.has_errors")).html(f.lang);
    }
    state.progress.set(id, 0, batch.total_rows);
    let st = state.clone();
    let staff = f.session.staff.clone();
    tokio::spawn(async move {
        let progress = st.progress.clone();
        let report = move |done, total| progress.set(id, done, total);
        if let Err(e) = svc::commit(&st.store, &staff, id, &report).await {
            tracing::warn!(batch = id, error = %e, "import commit failed");
        }
        // Drop the progress entry so the page shows the stored status.
        st.progress.remove(id);
    });
    Ok(Redirect::to(&format!("/staff/imports/{id}")))
}

pub async fn discard(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<Empty>,
) -> Result<Redirect, HtmlError> {
    let b = svc::batch(&state.store, &f.session.staff, id).await.html(f.lang)?;
    svc::discard(&state.store, &f.session.staff, id).await.html(f.lang)?;
    Ok(Redirect::to(&format!("/staff/communities/{}", b.community_id)))
}

pub async fn export(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: StaffSession,
) -> Result<Response, HtmlError> {
    let csv = crate::service::export::residents_csv(&state.store, &s.staff, id).await.html(lang)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"residents-{id}.csv\"")),
        ],
        csv,
    )
        .into_response())
}
