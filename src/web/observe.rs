//! The observer portal: what anyone can check about a log (its latest signed checkpoint, with
//! a QR code, the key, the witnesses, how to verify), and for street-level staff the timeline
//! of events. Its default page is also the index of every published election (issue 13 item
//! 4): its public page, log and checkpoints, public count, results, the record downloads and
//! the exact `huanjie verify` command with the pinned log key and witness keys.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;

use crate::audit::{EventKind, SYSTEM_LOG};
use crate::domain::Action;
use crate::i18n::{Lang, Tr, text};
use crate::service::audit::signed_head;
use crate::service::logs as st;
use crate::web::AppState;
use crate::web::auth::StaffSession;
use crate::web::error::{HtmlError, ResultExt};
use crate::web::staff::beijing;

pub fn router() -> Router<AppState> {
    Router::new().route("/observe", get(portal))
}

pub struct EventView {
    index: i64,
    when: String,
    what: String,
    actor: String,
    role: String,
    target: String,
}

/// One published election in the index, with everything needed to check it.
pub struct ElectionIndexView {
    pub n: crate::web::home::NoticeView,
    /// `huanjie verify <record URL> --log-key … [--witness …]…`, ready to copy.
    pub verify: String,
}

/// The command an observer runs to check an election's record: the public record URL on the
/// configured public address, the log key pinned, and every configured witness trusted. (No
/// `--min-cosignatures`: the latest checkpoint of a growing log is often not cosigned yet;
/// the portal says how to require witnesses.)
pub fn verify_command(base: &str, id: i64, log_key: &str, witnesses: &[String]) -> String {
    let mut cmd = format!("huanjie verify {base}/api/v1/elections/{id}/record --log-key \"{log_key}\"");
    for w in witnesses {
        cmd.push_str(&format!(" --witness \"{w}\""));
    }
    cmd
}

pub struct CheckpointView {
    size: i64,
    when: String,
    cosigned_by: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "observe.html")]
struct Portal {
    t: Tr,
    user: Option<String>,
    csrf: String,
    origin: String,
    key: String,
    note: String,
    size: i64,
    when: String,
    qr: String,
    witnesses_configured: usize,
    witnessed_by: Vec<String>,
    checkpoints: Vec<CheckpointView>,
    /// What the read model lets the caller do (`service::logs::portal_access`).
    allowed: Vec<Action>,
    events: Vec<EventView>,
    log_param: String,
    prev_start: Option<i64>,
    next_start: Option<i64>,
    /// Staff who can read the community (observers included): who received a ballot, by
    /// channel and station — never what they voted (issue 4).
    participation: Vec<(String, &'static str, String)>,
    /// The published elections (all of them on the default page; the one shown on its log's page).
    elections: Vec<ElectionIndexView>,
}

impl Portal {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

#[derive(Deserialize)]
pub struct Page {
    start: Option<i64>,
    /// `system` (default) or `election-<id>`.
    log: Option<String>,
}

const PAGE: i64 = 100;

async fn portal(
    State(state): State<AppState>,
    lang: Lang,
    s: Option<StaffSession>,
    Query(q): Query<Page>,
) -> Result<impl IntoResponse, HtmlError> {
    let log_name = q.log.clone().unwrap_or_else(|| SYSTEM_LOG.to_string());
    let log = log_name.as_str();
    // An election's log is open to all once its voter list is published; before that, to the
    // staff who can read its community (issue 4).
    let allowed = st::portal_access(&state.store, s.as_ref().map(|s| &s.staff), log).await.html(lang)?;
    let latest = signed_head(&state.store, &state.log, log).await.html(lang)?;
    let cosigs = st::cosignatures(&state.store, log).await.html(lang)?;
    let (size, note, when) = match &latest {
        Some(c) => (c.size, c.note.clone(), beijing(c.created_ms)),
        None => (0, String::new(), String::new()),
    };
    let body: String = note.split("\n\n").next().map(|b| format!("{b}\n")).unwrap_or_default();
    let qr =
        if body.trim().is_empty() { String::new() } else { crate::report::qr::svg(&body, 220).unwrap_or_default() };
    let witnessed_by = cosigs.iter().filter(|c| c.0 == size).map(|c| c.1.clone()).collect();
    let mut checkpoints: Vec<CheckpointView> = st::checkpoints(&state.store, log)
        .await
        .html(lang)?
        .into_iter()
        .rev()
        .take(20)
        .map(|c| CheckpointView {
            size: c.size,
            when: beijing(c.created_ms),
            cosigned_by: cosigs.iter().filter(|x| x.0 == c.size).map(|x| x.1.clone()).collect(),
        })
        .collect();
    checkpoints.truncate(20);
    let head = st::size(&state.store, log).await.html(lang)? as i64;
    // Newest first: the default page ends at the head.
    let start = q.start.unwrap_or((head - PAGE).max(0)).clamp(0, head.max(0));
    let mut events = Vec::new();
    if crate::domain::action::allows(&allowed, Action::ReadEntries) {
        for e in st::entries(&state.store, log, start, start + PAGE).await.html(lang)?.into_iter().rev() {
            let v = &e.event;
            let ty = v["type"].as_str().unwrap_or("?");
            let what = match EventKind::parse(ty) {
                Some(k) if lang == Lang::Zh => k.spec().zh.to_string(),
                Some(k) => k.spec().en.to_string(),
                None => ty.to_string(),
            };
            let role = v["role"].as_str().unwrap_or("").to_string();
            events.push(EventView {
                index: e.index,
                when: beijing(e.created_ms),
                what,
                actor: v["actor"].as_str().unwrap_or("").to_string(),
                role: match text(lang, &format!("role.{role}")) {
                    "?" => role,
                    r => r.to_string(),
                },
                target: v["target"].as_str().unwrap_or("").to_string(),
            });
        }
    }
    let mut participation = Vec::new();
    if let (Some(staff), Some(id)) = (&s, log.strip_prefix("election-").and_then(|n| n.parse::<i64>().ok()))
        && let Ok(roll) = crate::service::polling::participation_roll(&state.store, &staff.staff, id).await
    {
        participation = roll
            .into_iter()
            .map(|r| {
                (
                    r.name,
                    text(lang, &format!("channel.{}", r.channel)),
                    crate::web::staff::polling::station_label(lang, &r.station),
                )
            })
            .collect();
    }
    let key = state.log.verifier_key();
    let base = state.config.public_base();
    let elections = crate::service::elections::published(&state.store)
        .await
        .html(lang)?
        .iter()
        .filter(|p| log == SYSTEM_LOG || crate::audit::election_log(p.e.id) == log)
        .map(|p| ElectionIndexView {
            n: crate::web::home::NoticeView::of(lang, p),
            verify: verify_command(&base, p.e.id, &key, &state.config.witness_keys),
        })
        .collect();
    let (user, csrf) = match s {
        Some(s) => (Some(s.staff.display_name), s.csrf),
        None => (None, String::new()),
    };
    Ok(Portal {
        t: Tr(lang),
        user,
        csrf,
        origin: state.log.origin(log),
        key,
        note,
        size,
        when,
        qr,
        witnesses_configured: state.log.witnesses.len(),
        witnessed_by,
        checkpoints,
        allowed,
        events,
        log_param: log.to_string(),
        prev_start: (start > 0).then(|| (start - PAGE).max(0)),
        next_start: (start + PAGE < head).then_some(start + PAGE),
        participation,
        elections,
    })
}
