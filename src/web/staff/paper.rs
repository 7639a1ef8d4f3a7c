//! Paper ballot entry after the close (issue 6; issue 13 item 8): two clerks copy every paper
//! ballot of a box, one pass each; the page shows both passes as candidate names side by side,
//! flags only the marks that differ, counts a ballot that only one pass has as still to enter
//! (never as a mismatch), and tells a clerk which pass is theirs instead of offering a form the
//! service would refuse (two passes by two clerks: LAW.md §6 [P], see `service::polling::enter_paper`).

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;

use super::flow::Echo;
use crate::domain::ballot::{Marks, WriteInCounts};
use crate::i18n::{Lang, Tr, text};
use crate::law::Post;
use crate::service::ServiceError;
use crate::service::overview::{self, Action, PaperDesk};
use crate::service::polling::{self as svc, BoxComparison};
use crate::service::results as rsvc;
use crate::web::AppState;
use crate::web::auth::{StaffForm, same_token};
use crate::web::error::{HtmlError, ResultExt};
use crate::web::vote::{BallotForm, PostView, post_label, post_views};

/// One mark of one pass as people read it; `differs` when the other pass lacks it.
pub struct MarkView {
    label: String,
    differs: bool,
}

/// One pass of one ballot: its marks grouped by post ("主任：周婷"), or the whole ballot
/// (空白票, 整张无效) with an empty group label.
pub struct PassView {
    groups: Vec<(String, Vec<MarkView>)>,
}

/// A ballot of the box: `agree`, `differ` (both passes, different marks) or `waiting` (one
/// pass so far).
pub struct PaperRow {
    n: usize,
    /// Pass 1 and pass 2, None where that pass has not reached this ballot yet.
    passes: [Option<PassView>; 2],
    state: &'static str,
}

/// A mark of a stored ballot: (post or None for the whole ballot, identity, label).
type Mark = (Option<Post>, String, String);

/// The marks of a stored ballot (the encoding of `domain::ballot::encode`) in words: candidate
/// and written-in names from `names`, unreadable marks counted, blank and invalid ballots said.
fn marks_of(lang: Lang, v: &Value, names: &HashMap<String, String>) -> Vec<Mark> {
    if v["invalid"] == Value::Bool(true) {
        return vec![(None, "invalid".into(), text(lang, "paper.whole_invalid").into())];
    }
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let mut out = Vec::new();
    for post in Post::ALL {
        let p = post.as_str();
        for id in v[p].as_array().into_iter().flatten().filter_map(Value::as_str) {
            out.push((Some(post), format!("{p}:{id}"), name(id)));
        }
        for id in v["write_ins"][p].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let label = format!("{}{}{}", text(lang, "vote.write_in"), text(lang, "paper.colon"), name(id));
            out.push((Some(post), format!("{p}:w:{id}"), label));
        }
        if let Some(n) = v["unreadable"][p].as_u64().filter(|n| *n > 0) {
            let label = text(lang, "paper.unreadable_n").replace("{n}", &n.to_string());
            out.push((Some(post), format!("{p}:u:{n}"), label));
        }
    }
    if out.is_empty() {
        out.push((None, "blank".into(), text(lang, "paper.blank").into()));
    }
    out
}

/// One pass grouped by post, each mark flagged when `other` (the other pass) lacks it.
fn pass_view(lang: Lang, marks: &[Mark], other: Option<&BTreeSet<&str>>) -> PassView {
    let mut groups: Vec<(String, Vec<MarkView>)> = Vec::new();
    for (post, key, label) in marks {
        let head = match post {
            Some(p) => format!("{}{}", post_label(lang, *p), text(lang, "paper.colon")),
            None => String::new(),
        };
        let m = MarkView { label: label.clone(), differs: other.is_some_and(|o| !o.contains(key.as_str())) };
        match groups.last_mut() {
            Some((h, ms)) if *h == head => ms.push(m),
            _ => groups.push((head, vec![m])),
        }
    }
    PassView { groups }
}

fn keys(marks: &[Mark]) -> BTreeSet<&str> {
    marks.iter().map(|(_, k, _)| k.as_str()).collect()
}

/// The box's ballots side by side.
fn rows(lang: Lang, cmp: &BoxComparison, names: &HashMap<String, String>) -> Vec<PaperRow> {
    let n = cmp.first.len().max(cmp.second.len());
    (0..n)
        .map(|i| {
            let a = cmp.first.get(i).map(|c| marks_of(lang, &rsvc::stored_ballot(c), names));
            let b = cmp.second.get(i).map(|c| marks_of(lang, &rsvc::stored_ballot(c), names));
            let (ka, kb) = (a.as_deref().map(keys), b.as_deref().map(keys));
            let state = match (cmp.first.get(i), cmp.second.get(i)) {
                (Some(x), Some(y)) if x == y => "agree",
                (Some(_), Some(_)) => "differ",
                _ => "waiting",
            };
            PaperRow {
                n: i + 1,
                passes: [
                    a.as_ref().map(|m| pass_view(lang, m, kb.as_ref())),
                    b.as_ref().map(|m| pass_view(lang, m, ka.as_ref())),
                ],
                state,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/paper.html")]
struct PaperPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    id: i64,
    station: String,
    pass: i64,
    notice: Option<String>,
    cmp: BoxComparison,
    rows: Vec<PaperRow>,
    posts: Vec<PostView>,
    /// Why this clerk gets no form for `pass` (a message key), and the pass they may enter.
    blocked: Option<&'static str>,
    other_pass: i64,
    /// A refused entry or acceptance shown again (issue 13 item 7).
    echo: Echo,
    /// What the read model lets the caller do now (`service::overview::paper_actions`).
    allowed: Vec<Action>,
}

impl PaperPage {
    fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }

    /// What goes in a number field of the entry form: what was typed, or `default`.
    fn typed_or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        if self.echo.at == "entry" { self.echo.v("entry", name) } else { default }
    }
}

#[derive(Deserialize)]
pub struct PaperQuery {
    station: String,
    #[serde(default = "one")]
    pass: i64,
    #[serde(default)]
    saved: Option<i64>,
}

fn one() -> i64 {
    1
}

/// Why clerk `me` may not enter `pass` of this box: the other pass is theirs (the service
/// refuses `same_clerk_both_passes`), or another clerk is entering this one (`err.pass_taken`).
fn blocked_for(cmp: &BoxComparison, me: i64, pass: i64) -> Option<&'static str> {
    let (this, other) =
        if pass == 2 { (cmp.second_clerk, cmp.first_clerk) } else { (cmp.first_clerk, cmp.second_clerk) };
    if other == Some(me) {
        Some(if pass == 2 { "paper.blocked.yours_first" } else { "paper.blocked.yours_second" })
    } else if this.is_some_and(|c| c != me) {
        Some("paper.blocked.taken")
    } else {
        None
    }
}

pub async fn paper_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: crate::web::auth::StaffSession,
    Query(q): Query<PaperQuery>,
) -> Result<Response, HtmlError> {
    let notice = q.saved.map(|n| format!("{} #{n}", text(lang, "paper.saved")));
    let page = render(&state, lang, &s, id, q.station, q.pass, notice, &Marks::default(), Echo::default()).await?;
    Ok(page.into_response())
}

/// The paper page of box `station`, pass `pass`; `marks` and `echo` carry a refused entry
/// (or acceptance) back into its form.
#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    lang: Lang,
    s: &crate::web::auth::StaffSession,
    id: i64,
    station: String,
    pass: i64,
    notice: Option<String>,
    marks: &Marks,
    echo: Echo,
) -> Result<PaperPage, HtmlError> {
    let PaperDesk { cmp, paper, names, allowed } =
        overview::paper_desk(&state.store, &s.staff, id, &station).await.html(lang)?;
    let rows = rows(lang, &cmp, &names);
    let posts = post_views(state, lang, id, &paper, marks).await;
    let pass = if pass == 2 { 2 } else { 1 };
    Ok(PaperPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        id,
        station,
        blocked: blocked_for(&cmp, s.staff.user_id, pass),
        other_pass: 3 - pass,
        pass,
        notice,
        cmp,
        rows,
        posts,
        echo,
        allowed,
    })
}

#[derive(Deserialize, Default)]
struct PaperExtra {
    #[serde(default)]
    station: String,
    #[serde(default)]
    pass: i64,
    #[serde(default)]
    seq: String,
    #[serde(default)]
    un_chair: String,
    #[serde(default)]
    un_vice_chair: String,
    #[serde(default)]
    un_member: String,
    #[serde(default)]
    invalid: Option<String>,
}

pub async fn enter_paper(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: crate::web::auth::StaffSession,
    body: axum::body::Bytes,
) -> Result<Response, HtmlError> {
    let ballot: BallotForm = serde_html_form::from_bytes(&body).unwrap_or_default();
    let extra: PaperExtra = serde_html_form::from_bytes(&body).unwrap_or_default();
    let csrf: crate::web::vote::CsrfField = serde_html_form::from_bytes(&body).unwrap_or_default();
    if !same_token(&csrf.csrf, &s.csrf) {
        return Err(HtmlError { lang, err: ServiceError::Forbidden });
    }
    let n = |s: &str| s.trim().parse::<u32>().unwrap_or(0);
    let mut marks = ballot.marks();
    marks.unreadable =
        WriteInCounts { chair: n(&extra.un_chair), vice_chair: n(&extra.un_vice_chair), member: n(&extra.un_member) };
    marks.invalid = extra.invalid.is_some();
    let seq = extra.seq.trim().parse().ok();
    match svc::enter_paper(&state.store, &s.staff, id, &extra.station, extra.pass, seq, &marks).await.html(lang) {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/staff/elections/{id}/paper?station={}&pass={}&saved={saved}",
            crate::web::auth::urlencode(&extra.station),
            extra.pass
        ))
        .into_response()),
        Err(e) => {
            // The ballot as the clerk filled it, with the reason above the form (issue 13 item 7).
            let fields = serde_urlencoded::from_bytes(&body).unwrap_or_default();
            let f = StaffForm { session: s, lang, form: (), fields };
            let Some(echo) = Echo::of(&f, "entry", &e) else { return Err(e) };
            let page = render(&state, lang, &f.session, id, extra.station, extra.pass, None, &marks, echo).await?;
            Ok((Echo::status(&e), page).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct AcceptForm {
    station: String,
    #[serde(default)]
    spoiled: String,
}

pub async fn accept_box(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<AcceptForm>,
) -> Result<Response, HtmlError> {
    let spoiled = f.form.spoiled.trim().parse().unwrap_or(0);
    match svc::accept_box(&state.store, &f.session.staff, id, &f.form.station, spoiled).await.html(f.lang) {
        Ok(_) => Ok(Redirect::to(&format!(
            "/staff/elections/{id}/paper?station={}",
            crate::web::auth::urlencode(&f.form.station)
        ))
        .into_response()),
        Err(e) => {
            let Some(echo) = Echo::of(&f, "accept", &e) else { return Err(e) };
            let station = f.form.station.clone();
            let page = render(&state, f.lang, &f.session, id, station, 1, None, &Marks::default(), echo).await?;
            Ok((Echo::status(&e), page).into_response())
        }
    }
}
