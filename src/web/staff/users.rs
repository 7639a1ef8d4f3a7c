//! Staff accounts of a street office: list and create with a role.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::{Grant, Role, Scope, ScopeKind};
use crate::i18n::{Lang, Tr, text};
use crate::service::{ServiceError, accounts, directory};
use crate::web::AppState;
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
    for d in directory::accounts(&state.store, &s.staff).await.html(lang)? {
        scopes.push((
            format!("street_office:{}", d.street.id),
            format!("{} · {}", text(lang, "scope.street_office"), d.street.name),
        ));
        for c in d.communities {
            scopes.push((format!("community:{}", c.id), format!("{} · {}", text(lang, "scope.community"), c.name)));
        }
        views.extend(d.accounts.into_iter().map(|a| UserView {
            id: a.id,
            two_factor: a.two_factor,
            username: a.username,
            display_name: a.display_name,
            role: a.role,
            scope: a.scope,
        }));
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
