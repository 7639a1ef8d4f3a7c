//! The staff pages (HTML, no JavaScript needed).

pub(crate) mod account;
pub(crate) mod elections;
mod flow;
mod groups;
pub(crate) mod import;
mod paper;
mod plan;
pub(crate) mod polling;
mod records;
mod registry;
mod rehearsal;
mod results;
mod two_factor;
mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(account::login_page).post(account::login))
        .route("/logout", post(account::logout))
        .route("/lang/{code}", get(account::set_lang))
        .route("/account/password", get(account::password_page).post(account::change_password))
        .route("/login/code", get(two_factor::second_step_page).post(two_factor::second_step))
        .route("/login/enrol", get(two_factor::second_step_page))
        .route("/account/2fa", get(two_factor::account_page))
        .route("/account/2fa/start", post(two_factor::account_start))
        .route("/account/2fa/confirm", post(two_factor::account_confirm))
        .route("/account/2fa/disable", post(two_factor::account_disable))
        .route("/staff/users/{id}/totp/reset", post(two_factor::reset))
        .route("/staff", get(registry::dashboard))
        .route("/staff/rehearsal", get(rehearsal::page).post(rehearsal::move_clock))
        .route("/staff/streets/{id}/communities", post(registry::create_community))
        .route("/staff/communities/{id}", get(registry::community))
        .route("/staff/communities/{id}/groups", post(registry::create_group))
        .route("/staff/communities/{id}/households", get(registry::households).post(registry::create_household))
        .route("/staff/communities/{id}/residents", post(registry::create_resident))
        .route("/staff/communities/{id}/residents/new", get(registry::new_resident))
        .route("/staff/communities/{id}/residents.csv", get(import::export))
        .route(
            "/staff/communities/{id}/import",
            get(import::upload_page).post(import::upload).layer(import::upload_limit()),
        )
        .route("/staff/imports/{id}", get(import::preview))
        .route("/staff/imports/{id}/commit", post(import::commit))
        .route("/staff/imports/{id}/discard", post(import::discard))
        .route("/staff/residents/{id}", get(registry::resident).post(registry::update_resident))
        .route("/staff/residents/{id}/edit", get(registry::edit_resident))
        .route("/staff/residents/{id}/relatives", post(registry::link_relative))
        .route("/staff/users", get(users::list).post(users::create))
        .route("/staff/elections", get(elections::dashboard))
        .route("/staff/elections.csv", get(elections::dashboard_csv))
        .route("/staff/communities/{id}/elections", post(elections::open))
        .route("/staff/elections/{id}", get(elections::show))
        .route("/staff/elections/{id}/plan", post(elections::update_plan))
        .route("/staff/elections/{id}/action", post(elections::action))
        .route("/staff/elections/{id}/voters/print", get(elections::voters_print))
        .route("/staff/elections/{id}/cards", post(elections::cards))
        .route("/staff/elections/{id}/cards.pdf", post(elections::cards_pdf))
        .route("/staff/elections/{id}/voters.pdf", get(elections::voters_pdf))
        .route("/public/elections/{id}/voters.pdf", get(elections::public_pdf))
        .route("/staff/objections/{id}/decide", post(elections::decide_objection))
        .route("/staff/elections/{id}/polling", get(polling::page))
        .route("/staff/elections/{id}/ballot.pdf", get(polling::ballot_pdf))
        .route("/staff/elections/{id}/results", get(results::page))
        .route("/staff/elections/{id}/results/action", post(results::action))
        .route("/staff/elections/{id}/certificates.pdf", get(results::certificates_pdf))
        .route("/staff/elections/{id}/filing.pdf", get(results::filing))
        .route("/staff/elections/{id}/archive.json", get(results::archive))
        .route("/public/elections/{id}/results", get(results::public_page))
        .route("/public/elections/{id}/results.pdf", get(results::results_pdf))
        .route("/public/elections/{id}/count", get(results::public_count))
        .route("/staff/elections/{id}/polling/open", post(polling::open))
        .route("/staff/elections/{id}/polling/close", post(polling::close))
        .route("/staff/elections/{id}/primary/open", post(polling::primary_open))
        .route("/staff/elections/{id}/primary/close", post(polling::primary_close))
        .route("/staff/elections/{id}/primary/count", post(polling::primary_count))
        .route("/staff/elections/{id}/checkin", post(polling::check_in))
        .route("/staff/elections/{id}/counting-staff", get(records::counting_staff).post(records::counting_staff_post))
        .route("/staff/elections/{id}/complaints", get(records::complaints).post(records::complaints_post))
        .route("/staff/elections/{id}/count-findings", get(records::findings).post(records::findings_post))
        .route("/staff/elections/{id}/group-elections", get(groups::list).post(groups::open))
        .route("/staff/group-elections/{id}", get(groups::page))
        .route("/staff/group-elections/{id}/step", post(groups::step))
        .route("/staff/elections/{id}/paper", get(paper::paper_page).post(paper::enter_paper))
        .route("/staff/elections/{id}/paper/accept", post(paper::accept_box))
        .route("/staff/nominations/{id}/statement", post(polling::statement).layer(polling::statement_limit()))
        .route("/public/elections/{id}", get(elections::public_page))
        .route("/public/elections/{id}/objections", post(elections::public_objection))
}

/// Beijing time (UTC+8) for display; the database keeps UTC epoch milliseconds.
pub fn beijing(ms: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ms / 1000) else { return String::new() };
    let t = t.to_offset(time::macros::offset!(+8));
    format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute())
}
pub use account::client_ip;
pub use users::parse_scope;
