//! The OpenAPI 3.1 document, built from one route table so it cannot drift far from the router
//! (a test checks every path here answers something other than 404).

use axum::Json;
use serde_json::{Value, json};

/// (method, path, summary, needs CSRF header)
pub const ROUTES: &[(&str, &str, &str, bool)] = &[
    (
        "post",
        "/session",
        "Sign in with username, password and (for accounts with two-step verification) code; returns csrf_token and sets the session cookie",
        false,
    ),
    ("delete", "/session", "Sign out", true),
    ("get", "/me", "The signed-in staff member, roles and CSRF token", false),
    ("get", "/communities", "Communities in the caller's scope, with counts", false),
    ("post", "/street-offices/{id}/communities", "Create a community (street_admin)", true),
    ("get", "/communities/{id}", "One community with counts", false),
    ("get", "/communities/{id}/groups", "Residents' groups", false),
    ("post", "/communities/{id}/groups", "Create a residents' group", true),
    ("get", "/communities/{id}/households", "Households (paged: ?page=)", false),
    ("post", "/communities/{id}/households", "Register a household", true),
    ("get", "/communities/{id}/residents", "Search residents (?q=&page=)", false),
    ("post", "/communities/{id}/residents", "Register a resident", true),
    (
        "post",
        "/communities/{id}/imports",
        "Upload a CSV/XLSX register (raw body, ?filename=); returns the preview",
        true,
    ),
    ("get", "/imports/{id}", "An import preview with per-row errors", false),
    ("post", "/imports/{id}/commit", "Write every row of a clean preview in one transaction", true),
    ("post", "/imports/{id}/discard", "Discard a preview", true),
    ("get", "/residents/{id}", "One resident (ID masked for observers)", false),
    ("put", "/residents/{id}", "Edit a resident (send the version you read)", true),
    ("get", "/residents/{id}/history", "Edit history", false),
    ("get", "/residents/{id}/relatives", "Near relatives", false),
    ("post", "/residents/{id}/relatives", "Record a near relative", true),
    ("post", "/users", "Create a staff account with a role (street_admin)", true),
    (
        "get",
        "/elections/{id}/incapacity",
        "The committee's confirmations of incapacity with their basis (LAW.md §3)",
        false,
    ),
    (
        "post",
        "/elections/{id}/incapacity",
        "Confirm that a resident cannot exercise the right to vote (LAW.md §3 [N?])",
        true,
    ),
    ("post", "/elections/{id}/absentees", "Record a voter's notice that they cannot return (LAW.md §3 [P])", true),
    ("get", "/elections/{id}/complaints", "Complaints with answer due day and overdue flag (LAW.md §8)", false),
    ("post", "/elections/{id}/complaints", "File a complaint (LAW.md §8 [P, CQ Art. 33])", true),
    ("post", "/complaints/{id}/answer", "Answer a complaint in writing", true),
    (
        "post",
        "/elections/{id}/count-conduct",
        "Record a round not counted in public or not announced on the spot (LAW.md §8 [P])",
        true,
    ),
    ("get", "/logs/key", "The log's verifier key (name+hash+base64), text/plain", false),
    (
        "get",
        "/logs/{log}/checkpoint",
        "The latest signed checkpoint with cosignatures (C2SP signed note), text/plain",
        false,
    ),
    ("get", "/logs/{log}/entries", "Entries ?start=&end= (at most 1,000) with base64 leaf and decoded JSON", false),
    ("get", "/logs/{log}/proofs/inclusion", "RFC 9162 inclusion proof ?index=&size=", false),
    ("get", "/logs/{log}/proofs/consistency", "RFC 9162 consistency proof ?from=&to=", false),
    ("get", "/logs/{log}/record", "The whole record for `huanjie verify`", false),
    ("post", "/logs/{log}/cosignatures", "A witness's cosignature line for the checkpoint ?size=", false),
    ("get", "/elections/{id}/record", "An election's whole record: log, checkpoints, cosignatures, notices", false),
    ("get", "/elections", "Elections in the caller's scope", false),
    ("post", "/communities/{id}/elections", "Open a community's election with its plan (street_admin)", true),
    ("get", "/elections/{id}", "An election: plan, stage, timetable", false),
    ("put", "/elections/{id}", "Revise the plan (send version; refused once the list is published)", true),
    ("post", "/elections/{id}/registration/start", "draft → registration", true),
    ("post", "/elections/{id}/voters/register", "Register voters from the registry by the law engine", true),
    ("get", "/elections/{id}/voters", "The voter roll and its fingerprint", false),
    ("post", "/elections/{id}/applications", "Record an application to be registered", true),
    ("post", "/elections/{id}/voter-list/publish", "Publish the voter list (≥ 20 days before election day)", true),
    ("post", "/elections/{id}/cards", "Issue voting codes (shown once); resident_id to reissue", true),
    ("get", "/elections/{id}/objections", "Objections to the list", false),
    ("post", "/elections/{id}/objections", "A clerk records an objection", true),
    ("post", "/objections/{id}/decide", "The committee decides an objection", true),
    ("get", "/elections/{id}/proxies", "Proxy authorisations", false),
    ("post", "/elections/{id}/proxies", "Record a written proxy authorisation", true),
    ("post", "/proxies/{id}/decide", "Approve or reject a proxy", true),
    ("get", "/elections/{id}/committee", "The election committee and its decisions", false),
    ("post", "/elections/{id}/committee", "Add a committee member or substitute", true),
    ("post", "/elections/{id}/committee/decisions", "Record a meeting decision (quorum and majority checked)", true),
    ("post", "/elections/{id}/representatives", "Record a group's 2–3 representatives", true),
    ("post", "/elections/{id}/voters/{resident}/status", "A recorded status change after publication", true),
    ("post", "/elections/{id}/nominations/open", "list_published → nominations", true),
    ("get", "/elections/{id}/nominations", "Nominations and their review", false),
    ("post", "/elections/{id}/nominations", "Record a nomination (joint, household or self)", true),
    ("post", "/nominations/{id}/consent", "The nominee's written consent", true),
    ("post", "/nominations/{id}/review", "The qualification review", true),
    ("post", "/nominations/{id}/withdraw", "A candidate withdraws (written record); the next moves up", true),
    ("post", "/nominations/{id}/statement", "A candidate's statement (履职设想)", true),
    ("post", "/elections/{id}/candidates/publish", "Publish the formal candidate list (差额 checked)", true),
    ("post", "/elections/{id}/polls/open", "candidates_published → polling, on election day; fixes the ballot", true),
    (
        "post",
        "/elections/{id}/primary/open",
        "Open a nomination primary (预选) round: too many nominees, or a tie to settle",
        true,
    ),
    ("post", "/elections/{id}/primary/close", "Close the open primary round (the stage stays nominations)", true),
    (
        "post",
        "/elections/{id}/primary/count",
        "Count the closed primary round; the box and its hashes are published",
        true,
    ),
    ("get", "/public/elections/{id}/primary", "The primary's rounds and counts, public", false),
    ("post", "/elections/{id}/polls/close", "polling → counting: the box is frozen, a checkpoint signed", true),
    ("get", "/elections/{id}/turnout", "Ballots issued per station and channel (counts only)", false),
    ("get", "/elections/{id}/participation", "The participation roll: who received a ballot, by channel", false),
    ("get", "/elections/{id}/checkin", "Find voters at the desk (?q= name, ID number or card code)", false),
    ("post", "/elections/{id}/checkin", "Check a voter in: paper, mobile_box, booth (unlocks it) or proxy", true),
    ("get", "/elections/{id}/booths", "Booth tablets and whether each is unlocked", false),
    ("post", "/elections/{id}/booths", "Set up a booth tablet; returns its token once", true),
    (
        "post",
        "/elections/{id}/ballots",
        "Cast with `Authorization: Bearer <voting code>`: 201 receipt, 409 already voted, 422 bad field, 403 not open",
        false,
    ),
    ("post", "/booth/ballots", "A booth tablet casts its one unlocked ballot (X-Booth-Token)", false),
    ("get", "/elections/{id}/paper", "Both entries of a paper box side by side (?station=)", false),
    ("post", "/elections/{id}/paper/entries", "Enter (or correct, with seq) one paper ballot of a pass", true),
    ("post", "/elections/{id}/paper/accept", "Accept a box whose two entries agree", true),
    ("get", "/public/elections/{id}/ballot", "The ballot of the current round with candidate statements", false),
    ("get", "/public/receipts", "Check a receipt ?log=&index=&receipt=", false),
    ("get", "/public/elections/{id}", "Public view of a published election (names masked)", false),
    ("post", "/public/elections/{id}/objections", "Anyone files an objection", false),
];

pub async fn document() -> Json<Value> {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, csrf) in ROUTES {
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        let mut op = json!({
            "summary": summary,
            "responses": {
                "200": {"description": "OK"},
                "401": {"description": "Not signed in"},
                "403": {"description": "Out of role or scope, or CSRF token missing"},
                "404": {"description": "Unknown id or outside the caller's scope"},
                "422": {"description": "Invalid input: {error, message, fields}"}
            }
        });
        if *csrf {
            op["parameters"] =
                json!([{"name": "X-CSRF-Token", "in": "header", "required": true, "schema": {"type": "string"}}]);
        }
        if path.contains("{log}") {
            let mut params = op["parameters"].as_array().cloned().unwrap_or_default();
            params.push(json!({"name": "log", "in": "path", "required": true, "schema": {"type": "string"}, "description": "`system` or `election-<id>`"}));
            op["parameters"] = Value::Array(params);
        }
        if path.contains("{id}") {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut params = params;
            params.push(json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}));
            op["parameters"] = Value::Array(params);
        }
        entry[*method] = op;
    }
    Json(json!({
        "openapi": "3.1.0",
        "info": {"title": "Huanjie API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Residents' committee re-elections. Errors are {error, message} in the caller's language (Accept-Language)."},
        "servers": [{"url": "/api/v1"}],
        "components": {"securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "hj_session"}}},
        "security": [{"session": []}],
        "paths": paths,
    }))
}
