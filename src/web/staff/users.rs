//! Staff accounts of a street office: list and create with a role.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::domain::{Role, Scope, ScopeKind};
use crate::i18n::{Lang, Tr, text};
use crate::service::{Permission, ServiceError, accounts};
use crate::store::users::Grant;
use crate::store::{registry, users};
use crate::web::auth::{StaffForm, StaffSession};
use crate::web::error::{HtmlError, ResultExt};

pub struct UserView {
    id: i64,
    /// Has two-step verification (a street admin may reset it).
    two_factor: bool,
    username: String,
    display_name: String,
    role: String,
    scope: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/users.html")]
struct UsersPage {
    t: Tr,
    user: Option<String>,
    csrf: String,
    users: Vec<UserView>,
    /// (value "community:3", label)
    scopes: Vec<(String, String)>,
    notice: Option<&'static str>,
    /// A refused new account: why, and what was typed (never the password).
    echo: super::flow::Echo,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    s: StaffSession,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<impl IntoResponse, HtmlError> {
    let notice = match q.done.as_str() {
        "totp_reset" => Some(text(lang, "signin.done.reset")),
        "created" => Some(text(lang, "done.user_created")),
        _ => None,
    };
    render(&state, lang, &s, notice, super::flow::Echo::default()).await
}

async fn render(
    state: &AppState,
    lang: Lang,
    s: &StaffSession,
    notice: Option<&'static str>,
    echo: super::flow::Echo,
) -> Result<UsersPage, HtmlError> {
    let mut views = Vec::new();
    let mut scopes = Vec::new();
    for street_id in s.staff.street_ids() {
        if s.staff.street_role(Permission::ManageUsers, street_id).is_none() {
            continue;
        }
        let Some(street) = registry::street_office(&state.store, street_id).await.html(lang)? else { continue };
        let communities = registry::community_ids_in_street(&state.store, street_id).await.html(lang)?;
        let mut names = std::collections::HashMap::new();
        scopes.push((
            format!("street_office:{street_id}"),
            format!("{} · {}", text(lang, "scope.street_office"), street.name),
        ));
        for cid in communities {
            if let Some(c) = registry::community(&state.store, cid).await.html(lang)? {
                scopes.push((format!("community:{cid}"), format!("{} · {}", text(lang, "scope.community"), c.name)));
                names.insert(cid, c.name);
            }
        }
        for u in users::list_in_street(&state.store, street_id).await.html(lang)? {
            let scope = if u.scope_kind == "street_office" {
                street.name.clone()
            } else {
                names.get(&u.scope_id).cloned().unwrap_or_default()
            };
            let two_factor = crate::service::signin::enrolled(&state.store, u.id).await.html(lang)?;
            views.push(UserView {
                id: u.id,
                two_factor,
                username: u.username,
                display_name: u.display_name,
                role: u.role,
                scope,
            });
        }
    }
    if scopes.is_empty() {
        return Err(ServiceError::Forbidden).html(lang);
    }
    Ok(UsersPage {
        t: Tr(lang),
        user: Some(s.staff.display_name.clone()),
        csrf: s.csrf.clone(),
        users: views,
        scopes,
        notice,
        echo,
    })
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    scope: String,
}

pub fn parse_scope(s: &str) -> Option<Scope> {
    let (kind, id) = s.split_once(':')?;
    Some(Scope { kind: ScopeKind::parse(kind)?, id: id.parse().ok()? })
}

pub async fn create(State(state): State<AppState>, f: StaffForm<NewUserForm>) -> Result<Response, HtmlError> {
    let lang = f.lang;
    let created = async {
        let role = Role::parse(&f.form.role)
            .ok_or(ServiceError::Invalid { key: "err.role_required", field: None })
            .html(lang)?;
        let scope =
            parse_scope(&f.form.scope).ok_or(ServiceError::Invalid { key: "err.scope", field: None }).html(lang)?;
        accounts::create_user(
            &state.store,
            Some(&f.session.staff),
            f.form.username.trim(),
            &f.form.display_name,
            &f.form.password,
            &[Grant { role, scope }],
        )
        .await
        .html(lang)
    }
    .await;
    match created {
        Ok(_) => Ok(Redirect::to("/staff/users?done=created").into_response()),
        Err(e) => {
            // The form again with what was typed, but never the password.
            let Some(mut echo) = super::flow::Echo::of(&f, "user", &e) else { return Err(e) };
            echo.typed.retain(|(k, _)| k != "password");
            let page = render(&state, lang, &f.session, None, echo).await?;
            Ok((super::flow::Echo::status(&e), page).into_response())
        }
    }
}
