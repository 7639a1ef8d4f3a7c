//! The transparency-log API: checkpoints, entries, proofs, the whole record, and witness
//! cosignatures. The system log's checkpoint and the key are public; the system log's entries
//! hold registry data, so only street-level staff (administrators and observers) read them.
//! Election logs become public when their voter list is published (elections arrive later).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::merkle::{consistency_proof, inclusion_proof};
use crate::audit::note::verify_checkpoint;
use crate::audit::note_origin;
use crate::i18n::Lang;
use crate::service::ServiceError;
use crate::service::audit::{signed_head, with_cosignatures};
use crate::service::logs as st;
use crate::service::record::build_record;
use crate::web::AppState;
use crate::web::auth::StaffSession;
use crate::web::error::{ApiError, ResultExt};

use super::elections::{ElectionDetail, ObjectionDecision};
use super::openapi::{Api, Op};
use crate::audit::verify::Record;

/// Logs are public or need a street-level staff member, depending on the log.
const LOG_READ: &[&str] = &["forbidden", "unauthenticated"];

pub fn api() -> Api {
    Api::new()
        .get("/logs/key", key, Op::public("The log's verifier key (name+hash+base64)").text())
        .get(
            "/logs/{log}/checkpoint",
            checkpoint,
            Op::public("The latest signed checkpoint with cosignatures (C2SP signed note)").text().also(LOG_READ),
        )
        .get(
            "/logs/{log}/entries",
            entries,
            Op::public("Entries start..end (at most 1,000) with base64 leaf and decoded JSON")
                .query::<Range>()
                .ok_body::<Entries>()
                .also(LOG_READ),
        )
        .get(
            "/logs/{log}/proofs/inclusion",
            inclusion,
            Op::public("RFC 9162 inclusion proof").query::<InclusionQ>().ok_body::<InclusionProof>().also(&[
                "forbidden",
                "unauthenticated",
                "invalid",
            ]),
        )
        .get(
            "/logs/{log}/proofs/consistency",
            consistency,
            Op::public("RFC 9162 consistency proof").query::<ConsistencyQ>().ok_body::<ConsistencyProof>().also(&[
                "forbidden",
                "unauthenticated",
                "invalid",
            ]),
        )
        .get(
            "/logs/{log}/record",
            record,
            Op::public("The whole record for `huanjie verify` (an election's log redirects to its record)")
                .ok_body::<Record>()
                .redirects()
                .also(LOG_READ),
        )
        .post(
            "/logs/{log}/cosignatures",
            cosign,
            Op::public("A witness's cosignature line for the checkpoint of size")
                .raw_body("text/plain")
                .query::<CosignQ>()
                .ok_body::<Cosigned>(),
        )
        .get(
            "/elections/{id}/record",
            election_record,
            Op::public("An election's whole record: log, checkpoints, cosignatures, notices, boxes")
                .ok_body::<ElectionRecord>()
                .also(LOG_READ),
        )
}

/// One log entry: its index, the leaf bytes (base64) and the entry decoded (`null` for a leaf
/// that does not parse).
#[derive(Serialize, utoipa::ToSchema)]
struct EntryView {
    index: i64,
    leaf: String,
    entry: Value,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Entries {
    entries: Vec<EntryView>,
}

/// An inclusion proof: hashes base64; `leaf_hash` is null for an index past the log's end.
#[derive(Serialize, utoipa::ToSchema)]
struct InclusionProof {
    index: u64,
    size: u64,
    leaf_hash: Option<String>,
    proof: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ConsistencyProof {
    from: u64,
    to: u64,
    proof: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Cosigned {
    ok: bool,
    witness: String,
}

/// The voter list as published: when, its fingerprint and version, where to read it.
#[derive(Serialize, utoipa::ToSchema)]
struct VoterListNotice {
    published_on: Option<String>,
    sha256: Option<String>,
    version: i64,
    public_page: String,
    pdf: String,
}

/// The public notices an election record carries beside its log.
#[derive(Serialize, utoipa::ToSchema)]
struct Notices {
    election: ElectionDetail,
    voter_list: VoterListNotice,
    objection_decisions: Vec<ObjectionDecision>,
}

/// A round's published box, as `huanjie count` reads it (the box's JSON text).
#[derive(Serialize, utoipa::ToSchema)]
struct BoxOfRound {
    round: i64,
    #[serde(rename = "box")]
    box_json: String,
}

/// A round's stored result (the count's published form).
#[derive(Serialize, utoipa::ToSchema)]
struct ResultOfRound {
    round: i64,
    result: Value,
}

/// An election's whole record: the `huanjie verify` record plus the notices, the boxes, what
/// `verify` reconciles the log's commitments with, and the results.
#[derive(Serialize, utoipa::ToSchema)]
struct ElectionRecord {
    #[serde(flatten)]
    record: Record,
    notices: Notices,
    boxes: Vec<BoxOfRound>,
    /// The box roots and fingerprints the log commits to (`service::record::reconciliation`).
    reconcile: Value,
    results: Vec<ResultOfRound>,
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// Known logs (`service::logs::known`): true for a public election log.
async fn known(state: &AppState, log: &str, s: Option<&StaffSession>, lang: Lang) -> Result<bool, ApiError> {
    st::known(&state.store, s.map(|s| &s.staff), log).await.api(lang)
}

/// Who may read a log's entries: `service::logs::may_read`.
async fn may_read(state: &AppState, log: &str, s: Option<&StaffSession>, lang: Lang) -> Result<(), ApiError> {
    st::may_read(&state.store, s.map(|s| &s.staff), log).await.api(lang)
}

async fn key(State(state): State<AppState>) -> Response {
    text(format!("{}\n", state.log.verifier_key()))
}

async fn checkpoint(
    State(state): State<AppState>,
    Path(log): Path<String>,
    lang: Lang,
    s: Option<StaffSession>,
) -> Result<Response, ApiError> {
    known(&state, &log, s.as_ref(), lang).await?;
    let cp = signed_head(&state.store, &state.log, &log).await.api(lang)?.ok_or(ServiceError::NotFound).api(lang)?;
    let lines: Vec<String> = st::cosignatures(&state.store, &log)
        .await
        .api(lang)?
        .into_iter()
        .filter(|c| c.0 == cp.size)
        .map(|c| c.2)
        .collect();
    Ok(text(with_cosignatures(&cp.note, &lines)))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct Range {
    #[serde(default)]
    start: i64,
    end: Option<i64>,
}

/// At most 1,000 entries per request.
async fn entries(
    State(state): State<AppState>,
    Path(log): Path<String>,
    lang: Lang,
    s: Option<StaffSession>,
    Query(r): Query<Range>,
) -> Result<Json<Entries>, ApiError> {
    may_read(&state, &log, s.as_ref(), lang).await?;
    let start = r.start.clamp(0, i64::MAX / 2);
    let end = r.end.unwrap_or(start + 1000).clamp(start, start + 1000);
    let rows = st::entries(&state.store, &log, start, end).await.api(lang)?;
    let entries =
        rows.into_iter().map(|e| EntryView { index: e.index, leaf: B64.encode(&e.leaf), entry: e.event }).collect();
    Ok(Json(Entries { entries }))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct InclusionQ {
    index: u64,
    size: u64,
}

fn b64s(v: &[[u8; 32]]) -> Vec<String> {
    v.iter().map(|h| B64.encode(h)).collect()
}

async fn inclusion(
    State(state): State<AppState>,
    Path(log): Path<String>,
    lang: Lang,
    s: Option<StaffSession>,
    Query(q): Query<InclusionQ>,
) -> Result<Json<InclusionProof>, ApiError> {
    may_read(&state, &log, s.as_ref(), lang).await?;
    let leaves = st::leaf_hashes(&state.store, &log, q.size as i64).await.api(lang)?;
    let proof = inclusion_proof(&leaves, q.index, q.size)
        .map_err(|_| ServiceError::Invalid { key: "err.request", field: Some("index".into()) })
        .api(lang)?;
    let leaf_hash = leaves.get(q.index as usize).map(|h| B64.encode(h));
    Ok(Json(InclusionProof { index: q.index, size: q.size, leaf_hash, proof: b64s(&proof) }))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ConsistencyQ {
    from: u64,
    to: u64,
}

async fn consistency(
    State(state): State<AppState>,
    Path(log): Path<String>,
    lang: Lang,
    s: Option<StaffSession>,
    Query(q): Query<ConsistencyQ>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    // Consistency proofs reveal only interior hashes, never entries: witnesses need them
    // without an account.
    known(&state, &log, s.as_ref(), lang).await?;
    let leaves = st::leaf_hashes(&state.store, &log, q.to as i64).await.api(lang)?;
    let proof = consistency_proof(&leaves, q.from, q.to)
        .map_err(|_| ServiceError::Invalid { key: "err.request", field: Some("from".into()) })
        .api(lang)?;
    Ok(Json(ConsistencyProof { from: q.from, to: q.to, proof: b64s(&proof) }))
}

/// The system log's record. An election's log has one record URL, the one observers use,
/// `/api/v1/elections/{id}/record` (it also carries the boxes `verify` recounts): this path
/// redirects there (308, issue 15 item 1).
async fn record(
    State(state): State<AppState>,
    Path(log): Path<String>,
    lang: Lang,
    s: Option<StaffSession>,
) -> Result<Response, ApiError> {
    if let Some(id) = log.strip_prefix("election-").and_then(|n| n.parse::<i64>().ok()) {
        let to = format!("/api/v1/elections/{id}/record");
        return Ok((StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, to)]).into_response());
    }
    may_read(&state, &log, s.as_ref(), lang).await?;
    Ok(Json(build_record(&state.store, &state.log, &log).await.api(lang)?).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
struct CosignQ {
    size: i64,
}

/// A witness hands in its cosignature line for the checkpoint of `size`. It is kept only if it
/// verifies against a witness key this deployment is configured to trust.
async fn cosign(
    State(state): State<AppState>,
    Path(log): Path<String>,
    lang: Lang,
    Query(q): Query<CosignQ>,
    body: String,
) -> Result<Response, ApiError> {
    known(&state, &log, None, lang).await?;
    let cp = st::checkpoint_at(&state.store, &log, q.size).await.api(lang)?.ok_or(ServiceError::NotFound).api(lang)?;
    let line = body.trim_end_matches('\n').to_string() + "\n";
    if line.lines().count() != 1 || note_origin(&cp.note).as_deref() != Some(state.log.origin(&log).as_str()) {
        return Err(ServiceError::Invalid { key: "err.request", field: Some("cosignature".into()) }).api(lang);
    }
    let verified =
        verify_checkpoint(&cp.note, std::slice::from_ref(&line), &state.log.signer.verifier(), &state.log.witnesses)
            .map_err(|_| ServiceError::Forbidden)
            .api(lang)?;
    let Some((witness, _)) = verified.cosignatures.first() else {
        return Err(ServiceError::Forbidden).api(lang);
    };
    st::keep_cosignature(&state.store, &log, q.size, witness, &line).await.api(lang)?;
    Ok((StatusCode::OK, Json(Cosigned { ok: true, witness: witness.to_string() })).into_response())
}

/// The whole record of an election for observers: the log with its checkpoints and
/// cosignatures (the `huanjie verify` format) plus the public notices. Public once the voter
/// list is published (the ballot box joins it at the close of polls, with polling).
async fn election_record(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    lang: Lang,
    s: Option<StaffSession>,
) -> Result<Json<ElectionRecord>, ApiError> {
    let log = crate::audit::election_log(id);
    may_read(&state, &log, s.as_ref(), lang).await?;
    let (e, objections, counts) = st::record_notices(&state.store, id).await.api(lang)?;
    let record = build_record(&state.store, &state.log, &log).await.api(lang)?;
    let notices = Notices {
        election: crate::web::api::elections::election_detail(&e),
        voter_list: VoterListNotice {
            published_on: e.list_published_on.map(|d| d.to_string()),
            sha256: e.list_fingerprint.clone(),
            version: e.list_version,
            public_page: format!("/public/elections/{id}"),
            pdf: format!("/public/elections/{id}/voters.pdf"),
        },
        objection_decisions: objections.into_iter().map(ObjectionDecision::from).collect(),
    };
    // The published boxes (after each count), as `huanjie count` reads them: `verify` recounts them.
    let boxes = counts.iter().map(|c| BoxOfRound { round: c.round_no, box_json: c.box_json.clone() }).collect();
    // What `verify` reconciles the log's commitments with (issue 15 item 3).
    let mut reconcile = crate::service::record::reconciliation(&state.store, id).await.api(lang)?;
    // Issue 18: the credential list and the rounds' ballot shapes (`audit::e2e_ballots`).
    let e2e = crate::service::record::e2e_reconciliation(&state.store, &state.log.name, id).await.api(lang)?;
    if !e2e.is_null() {
        reconcile["e2e"] = e2e;
    }
    let results = counts.into_iter().map(|c| ResultOfRound { round: c.round_no, result: c.result }).collect();
    Ok(Json(ElectionRecord { record, notices, boxes, reconcile, results }))
}
