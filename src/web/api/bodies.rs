//! Success bodies shared by many API routes, typed so the document (`Op::ok_body`) says field by
//! field what a route answers (issue 17). Each serializes to exactly the JSON the handlers sent
//! before as `json!({...})`; `tests/it/api_contract.rs` checks real answers against the document.

use serde::Serialize;

/// `{"id": …}`: what a create answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// `{"ok": true}`: a change made, nothing more to say.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Done {
    pub ok: bool,
}

impl Done {
    pub const YES: Done = Done { ok: true };
}

/// `{"stage": …}`: the stage an election moved to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StageNow {
    pub stage: &'static str,
}

/// `{"roll_changed": …}`: whether a decision changed the voter roll.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RollChanged {
    pub roll_changed: bool,
}

/// A round opened: the stage it is in and its fixed ballot paper.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundOpened {
    pub stage: &'static str,
    pub ballot: crate::domain::ballot::BallotPaper,
}
