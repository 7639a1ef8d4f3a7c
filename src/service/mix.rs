//! The mix and the threshold decryption of an end-to-end round (issue 18; docs/e2e.md §6–§8).
//! After the polls of an end-to-end round close, the trustees shuffle the encrypted box in turn
//! (each with a Terelius–Wikström proof, checked here before it is stored, as `huanjie verify`
//! checks it), then k of them post decryption shares of the last shuffle's output with
//! Chaum–Pedersen proofs (checked against each trustee's verification key Y_l). The k-th share
//! fixes the decrypted ballots: the electronic box the count reads, no longer linkable to anyone.
//! The server is only the bulletin board: it never holds a share of the key.
//!
//! Rules: shuffles are posted by distinct trustees of the round's ceremony, one after another,
//! each over the previous output; decryption opens once k trustees have shuffled (so no k-1
//! colluding trustees can have left the order alone), and then no further shuffle is taken.
//! Every step is one transaction and one `e2e.*` audit entry carrying the SHA-256 of what it
//! stored; the last share's transaction adds `e2e.decrypted` with the decrypted ballots' root.

use huanjie_crypto::dkg::{DecryptionShare, check_decryption_share};
use huanjie_crypto::shuffle::{Row, ShuffleProof, rows_from_bytes, rows_to_bytes, verify_shuffle};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::LogIdentity;
use super::ceremony::trustee_of;
use super::e2e::E2eRound;
use super::{Result, ServiceError, invalid, lifecycle};
use crate::audit::e2e_mix::decrypted_root;
use crate::audit::{Actor, EventKind, election_log};
use crate::domain::ceremony::point_hex;
use crate::domain::mix::{
    DecryptionBoard, DecryptionMessage, MixBoard, ShuffleBoard, ShuffleMessage, decrypt, decryption_context, flatten,
    mix_context,
};
use crate::store::mix::{self as st, Decryption, Shuffle};
use crate::store::polling::{self as pst, PollRow};
use crate::store::{Store, elections as est, now_ms};

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn internal(what: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(what.to_string())
}

fn bad_hex(field: &'static str) -> impl Fn(hex::FromHexError) -> ServiceError {
    move |_| invalid("err.e2e_encoding", field)
}

/// The mix input of a closed end-to-end round: the round's encrypted box, in ballot-id order, one
/// row of `shape.slots()` ciphertexts per ballot (`domain::mix::mix_input` has the definition,
/// which `huanjie verify` applies to the published box).
pub async fn mix_input(store: &Store, election_id: i64, round_no: i64, e2e: &E2eRound) -> Result<Vec<Row>> {
    let rows = pst::ballot_box(store, election_id, round_no).await?;
    crate::domain::mix::mix_input(
        rows.iter().filter(|r| r.entry_no.is_none()).map(|r| (hex::encode(&r.id), r.content.as_str())),
        e2e.shape.slots(),
    )
    .map_err(internal)
}

/// A closed end-to-end round, as the mix steps need it.
struct MixRound {
    poll: PollRow,
    e2e: E2eRound,
}

async fn mix_round(store: &Store, log_name: &str, election_id: i64, round_no: i64) -> Result<MixRound> {
    est::get(store, election_id).await?.ok_or(ServiceError::NotFound)?;
    let poll = pst::polls(store, election_id)
        .await?
        .into_iter()
        .find(|p| p.round_no == round_no)
        .ok_or(ServiceError::NotFound)?;
    let e2e = super::e2e::round(store, log_name, election_id, &poll.paper)
        .await?
        .ok_or(ServiceError::Refused("err.e2e_not_encrypted"))?;
    Ok(MixRound { poll, e2e })
}

fn status(k: u32, input_len: usize, shuffles: &[Shuffle], decrypted: &[String]) -> &'static str {
    if !decrypted.is_empty() || input_len == 0 {
        "decrypted"
    } else if shuffles.len() >= k as usize {
        "decrypting"
    } else {
        "mixing"
    }
}

/// The mix's bulletin board of a round, as everyone reads it.
pub async fn board(store: &Store, log_name: &str, election_id: i64, round_no: i64) -> Result<MixBoard> {
    let MixRound { poll, e2e } = mix_round(store, log_name, election_id, round_no).await?;
    let input = if poll.status == "closed" { mix_input(store, election_id, round_no, &e2e).await? } else { vec![] };
    let shuffles = st::shuffles(store, election_id, round_no).await?;
    let decryptions = st::decryptions(store, election_id, round_no).await?;
    let decrypted = st::decrypted(store, election_id, round_no).await?;
    let t = e2e.key.threshold;
    Ok(MixBoard {
        election_id,
        round: round_no,
        ceremony: e2e.key.ceremony.clone(),
        n: t.n,
        k: t.k,
        status: if poll.status != "closed" { "polling" } else { status(t.k, input.len(), &shuffles, &decrypted) }
            .to_string(),
        election_key: point_hex(&e2e.key.key.key),
        verification_keys: e2e.key.key.verification.iter().map(point_hex).collect(),
        input: hex::encode(rows_to_bytes(&input)),
        shuffles: shuffles
            .into_iter()
            .map(|s| ShuffleBoard { seq: s.seq, trustee: s.trustee, output: s.output, proof: s.proof })
            .collect(),
        decryptions: decryptions.into_iter().map(|d| DecryptionBoard { trustee: d.trustee, share: d.share }).collect(),
        decrypted,
    })
}

fn actor(trustee: u32) -> Actor {
    Actor { user_id: None, username: format!("trustee-{trustee}"), role: "trustee".into() }
}

/// The trustee a token names for this round's ceremony (any trustee of it may shuffle and
/// decrypt: every one holds a share x_l, whether or not its own dealing qualified).
async fn trustee(store: &Store, election_id: i64, token: &str, e2e: &E2eRound) -> Result<u32> {
    let (number, trustee) = trustee_of(store, election_id, token).await?;
    if number != e2e.key.number {
        return Err(ServiceError::Unauthenticated("err.e2e_token"));
    }
    Ok(trustee)
}

/// The list the next step works on: the last shuffle's output, or the mix input.
fn latest(input: Vec<Row>, shuffles: &[Shuffle]) -> Result<Vec<Row>> {
    match shuffles.last() {
        None => Ok(input),
        Some(s) => rows_from_bytes(&hex::decode(&s.output).map_err(internal)?).map_err(internal),
    }
}

/// What a trustee's step reads before it checks its message: the closed round, the trustee the
/// token names, the mix input and the shuffles so far.
struct Step {
    poll: PollRow,
    e2e: E2eRound,
    trustee: u32,
    input: Vec<Row>,
    shuffles: Vec<Shuffle>,
}

/// Opens a trustee's step of a closed round whose mix is at `expected` (`mixing` or `decrypting`).
async fn step(
    store: &Store,
    log_name: &str,
    (election_id, round_no): (i64, i64),
    token: &str,
    expected: &str,
) -> Result<Step> {
    let MixRound { poll, e2e } = mix_round(store, log_name, election_id, round_no).await?;
    let trustee = trustee(store, election_id, token, &e2e).await?;
    if poll.status != "closed" {
        return Err(ServiceError::Conflict("err.e2e_mix_step"));
    }
    let input = mix_input(store, election_id, round_no, &e2e).await?;
    let shuffles = st::shuffles(store, election_id, round_no).await?;
    let decrypted = st::decrypted(store, election_id, round_no).await?;
    if status(e2e.key.threshold.k, input.len(), &shuffles, &decrypted) != expected {
        return Err(ServiceError::Conflict("err.e2e_mix_step"));
    }
    Ok(Step { poll, e2e, trustee, input, shuffles })
}

/// A trustee posts its shuffle of the latest list with its proof. The proof is checked before
/// anything is stored; the step is refused once k trustees have shuffled.
pub async fn post_shuffle(
    store: &Store,
    log: &LogIdentity,
    election_id: i64,
    round_no: i64,
    token: &str,
    m: &ShuffleMessage,
) -> Result<()> {
    let Step { e2e, trustee, input, shuffles: before, .. } =
        step(store, &log.name, (election_id, round_no), token, "mixing").await?;
    if before.iter().any(|s| s.trustee == trustee) {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    let seq = before.len() as i64 + 1;
    let output_bytes = hex::decode(&m.output).map_err(bad_hex("output"))?;
    let proof_bytes = hex::decode(&m.proof).map_err(bad_hex("proof"))?;
    let output = rows_from_bytes(&output_bytes).map_err(|_| invalid("err.e2e_encoding", "output"))?;
    let proof = ShuffleProof::from_bytes(&proof_bytes).map_err(|_| invalid("err.e2e_encoding", "proof"))?;
    let list = latest(input, &before)?;
    // Checked outside the transaction (it is the slow part); the sequence is re-checked inside.
    verify_shuffle(&mix_context(&e2e.key.ceremony, round_no, seq), &e2e.key.key.key, &list, &output, &proof)
        .map_err(|_| invalid("err.e2e_proof", "proof"))?;
    let mut tx = store.begin().await?;
    est::lock_election(&mut tx, election_id).await?;
    let now = st::shuffles(&mut tx, election_id, round_no).await?;
    if now != before {
        return Err(ServiceError::Conflict("err.stale"));
    }
    let s = Shuffle { seq, trustee, output: m.output.clone(), proof: m.proof.clone() };
    st::insert_shuffle(&mut tx, election_id, round_no, &s, now_ms()).await?;
    let done = seq >= i64::from(e2e.key.threshold.k);
    let payload = json!({"round": round_no, "seq": seq, "trustee": trustee, "ballots": output.len(),
        "output_sha256": sha256_hex(&output_bytes), "proof_sha256": sha256_hex(&proof_bytes),
        "status": if done { "decrypting" } else { "mixing" }});
    lifecycle::record(&mut tx, election_id, &actor(trustee), EventKind::E2eShufflePosted, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, election_id).await
}

/// A trustee posts its decryption share of the last shuffle's output. The k-th share fixes the
/// decrypted ballots in the same transaction (`e2e.decrypted`).
pub async fn post_decryption(
    store: &Store,
    log: &LogIdentity,
    election_id: i64,
    round_no: i64,
    token: &str,
    m: &DecryptionMessage,
) -> Result<()> {
    let Step { poll, e2e, trustee, input, shuffles } =
        step(store, &log.name, (election_id, round_no), token, "decrypting").await?;
    let before = st::decryptions(store, election_id, round_no).await?;
    if before.iter().any(|d| d.trustee == trustee) {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    let bytes = hex::decode(&m.share).map_err(bad_hex("share"))?;
    let share = DecryptionShare::from_bytes(&bytes).map_err(|_| invalid("err.e2e_encoding", "share"))?;
    if share.trustee != trustee {
        return Err(invalid("err.e2e_proof", "share"));
    }
    let list = latest(input, &shuffles)?;
    let cts = flatten(&list);
    let ctx = decryption_context(&e2e.key.ceremony, round_no);
    check_decryption_share(&ctx, &e2e.key.key, &cts, &share).map_err(|_| invalid("err.e2e_proof", "share"))?;
    let mut shares = Vec::new();
    for d in &before {
        shares.push(DecryptionShare::from_bytes(&hex::decode(&d.share).map_err(internal)?).map_err(internal)?);
    }
    shares.push(share);
    let k = e2e.key.threshold.k as usize;
    let complete = shares.len() == k;
    let ballots = if complete {
        let roll: Vec<i64> = est::roll(store, election_id).await?.iter().map(|v| v.resident_id).collect();
        let refs: Vec<&DecryptionShare> = shares.iter().collect();
        let resident = |n| crate::domain::e2e::written_in_resident(&roll, n);
        Some(decrypt(e2e.key.threshold, &poll.paper, &e2e.shape, &resident, &list, &refs).map_err(internal)?)
    } else {
        None
    };
    let mut tx = store.begin().await?;
    est::lock_election(&mut tx, election_id).await?;
    if st::decryptions(&mut tx, election_id, round_no).await? != before {
        return Err(ServiceError::Conflict("err.stale"));
    }
    st::insert_decryption(&mut tx, election_id, round_no, &Decryption { trustee, share: m.share.clone() }, now_ms())
        .await?;
    let payload = json!({"round": round_no, "trustee": trustee, "ciphertexts": cts.len(),
        "share_sha256": sha256_hex(&bytes), "status": if complete { "decrypted" } else { "decrypting" }});
    lifecycle::record(&mut tx, election_id, &actor(trustee), EventKind::E2eDecryptionPosted, payload).await?;
    if let Some(ballots) = ballots {
        st::insert_decrypted(&mut tx, election_id, round_no, &ballots).await?;
        let trustees: Vec<u32> = shares.iter().map(|s| s.trustee).collect();
        let payload = json!({"round": round_no, "ballots": ballots.len(), "trustees": trustees,
            "root": decrypted_root(&ballots)});
        lifecycle::record(&mut tx, election_id, &Actor::system("e2e"), EventKind::E2eDecrypted, payload).await?;
    }
    lifecycle::commit_and_checkpoint(tx, store, log, election_id).await
}

/// The electronic box the count of `poll` reads: `None` for a plaintext round (the election has
/// no finished key ceremony: `service::e2e::round`'s rule); for an end-to-end round the
/// decrypted ballots in decrypted order, checked against the root the log fixed
/// (`e2e.decrypted`). Until k trustees have decrypted, the count is refused
/// (`law.e2e_waiting_for_trustees`, docs/e2e.md §7).
pub async fn electronic_box(store: &Store, election_id: i64, poll: &PollRow) -> Result<Option<Vec<String>>> {
    let Some(c) = crate::store::ceremony::latest(store, election_id).await?.filter(|c| c.status == "done") else {
        return Ok(None);
    };
    let browser =
        pst::ballot_box(store, election_id, poll.round_no).await?.iter().filter(|r| r.entry_no.is_none()).count();
    if browser == 0 {
        return Ok(Some(vec![]));
    }
    let ballots = st::decrypted(store, election_id, poll.round_no).await?;
    if ballots.is_empty() {
        let shares = st::decryptions(store, election_id, poll.round_no).await?.len();
        let shuffles = st::shuffles(store, election_id, poll.round_no).await?.len();
        return Err(ServiceError::Law {
            code: "e2e_waiting_for_trustees".into(),
            rule: "docs/e2e.md §7 (k trustees decrypt)".into(),
            detail: format!("{shuffles}/{k} shuffles, {shares}/{k} decryptions; k = {k} of n = {n}", k = c.k, n = c.n),
        });
    }
    let logged = logged_root(store, election_id, poll.round_no).await?;
    if logged.as_deref() != Some(decrypted_root(&ballots).as_str()) {
        return Err(ServiceError::Law {
            code: "box_not_as_committed".into(),
            rule: "docs/e2e.md §8 (the count reads the decrypted ballots the log fixed)".into(),
            detail: format!("round {}: the decrypted ballots differ from e2e.decrypted", poll.round_no),
        });
    }
    Ok(Some(ballots))
}

/// The root the log's `e2e.decrypted` entry of the round fixed.
async fn logged_root(store: &Store, election_id: i64, round_no: i64) -> Result<Option<String>> {
    let rows = crate::store::audit::entries(store, &election_log(election_id), 0, i64::MAX).await?;
    let mut root = None;
    for r in rows {
        let v: serde_json::Value = serde_json::from_slice(&r.leaf).map_err(internal)?;
        if v["type"] == json!(EventKind::E2eDecrypted.name()) && v["payload"]["round"].as_i64() == Some(round_no) {
            root = v["payload"]["root"].as_str().map(str::to_string);
        }
    }
    Ok(root)
}

/// What the election record publishes of a round's mix beside the log (`service::record`):
/// the paper (the verifier takes the ceremony and its keys from the log) and the written-in numbers the decryption mapped, the shuffles, the decryption
/// shares and the decrypted ballots. `None` for a plaintext round.
pub async fn published(store: &Store, election_id: i64, poll: &PollRow) -> Result<Option<serde_json::Value>> {
    if crate::store::ceremony::latest(store, election_id).await?.is_none_or(|c| c.status != "done") {
        return Ok(None);
    }
    let shuffles = st::shuffles(store, election_id, poll.round_no).await?;
    let decryptions = st::decryptions(store, election_id, poll.round_no).await?;
    let decrypted = st::decrypted(store, election_id, poll.round_no).await?;
    // The voter-list places that decrypted write-ins name: number → `r<resident id>`.
    let roll: Vec<i64> = est::roll(store, election_id).await?.iter().map(|v| v.resident_id).collect();
    let mut written = std::collections::BTreeMap::new();
    for b in &decrypted {
        if let Ok(pb) = crate::domain::ballot::PlainBallot::from_stored(b) {
            for id in pb.written_in() {
                if let Some(rid) = id.strip_prefix('r').and_then(|n| n.parse::<i64>().ok())
                    && let Some(n) = crate::domain::e2e::write_in_number(&roll, rid)
                {
                    written.insert(n.to_string(), id.clone());
                }
            }
        }
    }
    Ok(Some(json!({
        "paper": poll.paper,
        "write_ins": written,
        "shuffles": shuffles.iter().map(|s| json!({"seq": s.seq, "trustee": s.trustee, "output": s.output, "proof": s.proof})).collect::<Vec<_>>(),
        "decryptions": decryptions.iter().map(|d| json!({"trustee": d.trustee, "share": d.share})).collect::<Vec<_>>(),
        "decrypted": decrypted,
    })))
}
