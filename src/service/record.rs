//! The whole record of a log up to its latest checkpoint, in the format `huanjie verify`
//! reads: what observers download (the log API, the election record, the results page).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::Result;
use super::audit::{LogIdentity, checkpoint_now};
use crate::audit::verify::{RECORD_FORMAT, Record, RecordCheckpoint, RecordEntry};
use crate::store::{Store, audit as st};

/// The record of `log`, signed by the deployment's log identity `id` (a fresh checkpoint is
/// signed first if the log grew).
pub async fn build_record(store: &Store, id: &LogIdentity, log: &str) -> Result<Record> {
    let latest = checkpoint_now(store, id, log).await?;
    let size = latest.as_ref().map(|c| c.size).unwrap_or(0);
    let rows = st::entries(store, log, 0, size).await?;
    let cosigs = st::cosignatures(store, log).await?;
    let checkpoints = st::checkpoints(store, log)
        .await?
        .into_iter()
        .map(|c| RecordCheckpoint {
            cosignatures: cosigs.iter().filter(|x| x.0 == c.size).map(|x| x.2.clone()).collect(),
            note: c.note,
        })
        .collect();
    Ok(Record {
        format: RECORD_FORMAT.to_string(),
        origin: id.origin(log),
        log_key: id.verifier_key(),
        witness_keys: id.witnesses.iter().map(|w| w.to_key_string()).collect(),
        witness_urls: id.witness_urls.to_vec(),
        entries: rows.into_iter().map(|e| RecordEntry { index: e.idx as u64, leaf: B64.encode(&e.leaf) }).collect(),
        checkpoints,
    })
}

/// What `huanjie verify` reconciles beside an election's log (issue 15 item 3), the record's
/// `reconcile`: the published voter list as its leaf hashes (`service::commitments`), and for
/// each closed round its committed boxes — the electronic box as one, each accepted paper box
/// by station — and the ballots issued per station and channel: counts, never who, so nothing
/// here links a voter to a ballot; for an end-to-end round, its mix (`service::mix::published`).
pub async fn reconciliation(store: &Store, election_id: i64) -> Result<serde_json::Value> {
    use super::commitments;
    use crate::store::polling as pst;
    use serde_json::json;
    let roll = crate::store::elections::roll(store, election_id).await?;
    let b64 = |h: &crate::audit::Hash| B64.encode(h);
    let voters: Vec<String> = commitments::list_leaves(&roll).iter().map(b64).collect();
    let absentees: Vec<String> = commitments::absentee_leaves(&roll).iter().map(b64).collect();
    let mut rounds = Vec::new();
    for p in pst::polls(store, election_id).await?.into_iter().filter(|p| p.status == "closed") {
        let rows = pst::ballot_box(store, election_id, p.round_no).await?;
        let ballot = |r: &pst::BallotRow| json!({"id": hex::encode(&r.id), "ballot": r.content});
        let browser: Vec<_> = rows.iter().filter(|r| r.entry_no.is_none()).map(ballot).collect();
        let mut paper: std::collections::BTreeMap<&str, Vec<serde_json::Value>> = Default::default();
        for r in rows.iter().filter(|r| r.entry_no.is_some()) {
            paper.entry(r.station.as_str()).or_default().push(ballot(r));
        }
        let paper: Vec<_> = paper.into_iter().map(|(s, b)| json!({"station": s, "ballots": b})).collect();
        let issued = commitments::issued(&pst::turnout(store, election_id, p.round_no).await?);
        let mut round = json!({"round": p.round_no, "browser": browser, "paper": paper, "issued": issued});
        // An end-to-end round: its shuffles, decryption shares and decrypted ballots (docs/e2e.md §8).
        if let Some(mix) = super::mix::published(store, election_id, &p).await? {
            round["e2e"] = mix;
        }
        rounds.push(round);
    }
    Ok(json!({"voter_list": {"voters": voters, "absentees": absentees}, "rounds": rounds}))
}

/// What `verify` needs beside the box to check an election's encrypted ballots (issue 18;
/// docs/e2e.md §8; `audit::e2e_ballots`), the record's `reconcile.e2e`: the credential list as
/// published (key order, status, source), and — once the ceremony is done — the ceremony, its
/// election key and each polled round's ballot context and shape. `null` when the election
/// has neither credentials nor a finished ceremony.
pub async fn e2e_reconciliation(store: &Store, log_name: &str, election_id: i64) -> Result<serde_json::Value> {
    use crate::store::polling as pst;
    use serde_json::json;
    let credentials = crate::store::e2e_credentials::list(store, election_id).await?;
    let key = super::ceremony::finished_key(store, log_name, election_id).await?;
    if credentials.is_empty() && key.is_none() {
        return Ok(serde_json::Value::Null);
    }
    let mut rounds = Vec::new();
    if let Some(k) = &key {
        for p in pst::polls(store, election_id).await? {
            let shape = crate::domain::e2e::shape(&p.paper)
                .map_err(|e| super::ServiceError::Internal(format!("the paper's ballot shape: {e}")))?;
            let ctx = crate::domain::e2e::context(&k.ceremony, p.paper.round_no);
            rounds.push(json!({
                "round": p.round_no,
                "context_round": String::from_utf8_lossy(&ctx.round),
                "shape": shape.posts.iter().map(|s| json!({"post": s.post, "candidates": s.candidates,
                    "seats": s.seats, "write_ins": s.write_ins})).collect::<Vec<_>>(),
            }));
        }
    }
    Ok(json!({
        "credentials": credentials,
        "ceremony": key.as_ref().map(|k| k.ceremony.clone()),
        "election_key": key.as_ref().map(|k| crate::domain::ceremony::point_hex(&k.key.key)),
        "rounds": rounds,
    }))
}
