//! The trustees' key ceremony (issue 18, docs/e2e.md §4): the serving members of the election
//! committee (LAW.md §2 [N]) jointly make the election key with Pedersen's DKG; the server is
//! only the bulletin board. It checks every message with the same functions `huanjie verify`
//! uses (`huanjie_crypto::dkg`), keeps it, and logs it whole, so the key and every trustee's
//! verification key can be recomputed from the log alone. No secret ever reaches the server:
//! trustees post public keys, proofs and shares sealed to each other.
//!
//! Steps: the committee opens a ceremony (each trustee gets a token, shown once); every trustee
//! posts its ceremony key (`keys`), then its dealing (`dealing`), then the result of opening its
//! shares, with a public complaint for each bad one (`checking`); when the last check is in the
//! complaints are judged from public data, dealers at fault are excluded, and the key is fixed
//! (`done`, or `failed` when no dealing qualifies: a new ceremony follows). Every step is one
//! transaction and one `e2e.*` audit entry.

use huanjie_crypto::dkg::{Threshold, Verdict, check_dealing, election_key, judge, verify_ceremony_key};
use rand::Rng;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::access::{Permission, Staff};
use super::audit::LogIdentity;
use super::elections::{get, locked};
use super::{Result, ServiceError, invalid, lifecycle};
use crate::audit::{Actor, EventKind};
use crate::domain::Stage;
use crate::domain::ceremony::{
    BadField, CeremonyBoard, CheckMessage, ComplaintBoard, DealingMessage, KeyMessage, TrusteeBoard, ceremony_id,
    fingerprint, point, point_hex,
};
use crate::store::ceremony::{self as st, StoredComplaint};
use crate::store::{Store, elections as est, now_ms};

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

fn bad(f: BadField) -> ServiceError {
    invalid("err.e2e_encoding", f.0)
}

fn proof_fails(field: &str) -> ServiceError {
    invalid("err.e2e_proof", field)
}

/// What the committee receives when it opens a ceremony: each trustee's token, once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Opened {
    pub number: i64,
    pub ceremony: String,
    pub n: u32,
    pub k: u32,
    pub trustees: Vec<OpenedTrustee>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenedTrustee {
    pub trustee: u32,
    pub name: String,
    /// The trustee's token for `huanjie trustee`: shown only here, stored only as its hash.
    pub token: String,
}

/// Opens a key ceremony for an election whose candidate list is published (the trustees who
/// must withdraw because they or a near relative are nominated, LAW.md §2 [N], have withdrawn
/// by then). Trustees: the serving chair and members of the election committee, in order.
/// `k` defaults to a majority.
pub async fn open(store: &Store, log: &LogIdentity, staff: &Staff, id: i64, k: Option<u32>) -> Result<Opened> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    let members: Vec<_> = est::members(store, id)
        .await?
        .into_iter()
        .filter(|m| m.status == "serving" && m.position != "substitute")
        .collect();
    let n = members.len() as u32;
    let t = match k {
        Some(k) => Threshold::new(n, k),
        None => Threshold::majority(n),
    }
    .map_err(|_| {
        if n == 0 { ServiceError::Refused("err.e2e_no_trustees") } else { invalid("err.e2e_threshold", "k") }
    })?;
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, e.id).await?;
    if e.stage != Stage::CandidatesPublished {
        return Err(ServiceError::Law {
            code: "illegal_transition".into(),
            rule: "docs/e2e.md §4 (after the candidate list, LAW.md §5; before polling)".into(),
            detail: e.stage.to_string(),
        });
    }
    let latest = st::latest(&mut tx, id).await?;
    if latest.as_ref().is_some_and(|c| c.status != "failed") {
        return Err(ServiceError::Conflict("err.e2e_ceremony_exists"));
    }
    let number = latest.map_or(1, |c| c.number + 1);
    st::insert(&mut tx, id, number, t.n, t.k, now_ms()).await?;
    let mut trustees = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = hex::encode(raw);
        let trustee = i as u32 + 1;
        st::insert_trustee(&mut tx, id, number, trustee, m.resident_id, &token_hash(&token)).await?;
        trustees.push(OpenedTrustee { trustee, name: m.name.clone(), token });
    }
    let ceremony = ceremony_id(&log.name, id, number);
    let payload = json!({"number": number, "ceremony": ceremony, "n": t.n, "k": t.k,
        "trustees": trustees.iter().map(|t| json!({"trustee": t.trustee, "name": t.name})).collect::<Vec<_>>()});
    lifecycle::record(&mut tx, id, &staff.actor(role), EventKind::E2eCeremonyOpened, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await?;
    Ok(Opened { number, ceremony, n: t.n, k: t.k, trustees })
}

/// The trustee a token belongs to, for the election named in the URL.
pub(crate) async fn trustee_of(store: &Store, id: i64, token: &str) -> Result<(i64, u32)> {
    match st::by_token(store, &token_hash(token)).await? {
        Some((e, number, trustee)) if e == id => Ok((number, trustee)),
        _ => Err(ServiceError::Unauthenticated("err.e2e_token")),
    }
}

fn actor(trustee: u32) -> Actor {
    Actor { user_id: None, username: format!("trustee-{trustee}"), role: "trustee".into() }
}

/// Opens the trustee's step: the latest ceremony, which must be at `status`, under the
/// election's lock.
async fn step(
    store: &Store,
    id: i64,
    token: &str,
    status: &str,
) -> Result<(crate::store::Tx, st::Ceremony, u32, Vec<st::Trustee>)> {
    let (number, trustee) = trustee_of(store, id, token).await?;
    let mut tx = store.begin().await?;
    est::lock_election(&mut tx, id).await?;
    let c = st::latest(&mut tx, id).await?.ok_or(ServiceError::NotFound)?;
    if c.number != number {
        return Err(ServiceError::Unauthenticated("err.e2e_token"));
    }
    if c.status != status {
        return Err(ServiceError::Conflict("err.e2e_step"));
    }
    let trustees = st::trustees(&mut tx, id, number).await?;
    Ok((tx, c, trustee, trustees))
}

/// A trustee posts its ceremony key with the proof that it knows the secret.
pub async fn post_key(store: &Store, log: &LogIdentity, id: i64, token: &str, m: &KeyMessage) -> Result<()> {
    let (mut tx, c, trustee, trustees) = step(store, id, token, "keys").await?;
    let ceremony = ceremony_id(&log.name, id, c.number);
    let (key, proof) = m.parse().map_err(bad)?;
    if !verify_ceremony_key(ceremony.as_bytes(), trustee, &key, &proof) {
        return Err(proof_fails("proof"));
    }
    if !st::set_key(&mut tx, id, c.number, trustee, m).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    let done = trustees.iter().filter(|t| t.key.is_some() || t.trustee == trustee).count() as u32 == c.n;
    if done {
        st::set_status(&mut tx, id, c.number, "keys", "dealing", None).await?;
    }
    let payload = json!({"number": c.number, "trustee": trustee, "key": m.key, "proof": m.proof,
                         "status": if done { "dealing" } else { "keys" }});
    lifecycle::record(&mut tx, id, &actor(trustee), EventKind::E2eKeyPosted, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await
}

/// A trustee posts its dealing: commitments, the constant-term proof, a sealed share for every
/// other trustee. Checked as `verify` will check it.
pub async fn post_dealing(store: &Store, log: &LogIdentity, id: i64, token: &str, m: &DealingMessage) -> Result<()> {
    let (mut tx, c, trustee, trustees) = step(store, id, token, "dealing").await?;
    let ceremony = ceremony_id(&log.name, id, c.number);
    let d = m.parse(trustee).map_err(bad)?;
    let t = Threshold::new(c.n, c.k).map_err(|_| ServiceError::Internal("stored threshold".into()))?;
    check_dealing(ceremony.as_bytes(), t, &d).map_err(|_| proof_fails("dealing"))?;
    if !st::set_dealing(&mut tx, id, c.number, trustee, m).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    let done = trustees.iter().filter(|t| t.dealing.is_some() || t.trustee == trustee).count() as u32 == c.n;
    if done {
        st::set_status(&mut tx, id, c.number, "dealing", "checking", None).await?;
    }
    let payload = json!({"number": c.number, "trustee": trustee, "dealing": m,
                         "status": if done { "checking" } else { "dealing" }});
    lifecycle::record(&mut tx, id, &actor(trustee), EventKind::E2eDealingPosted, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await
}

/// A trustee reports the shares it opened: a complaint for each that did not match its
/// dealer's commitments. Complaints are judged at once from public data; the last report fixes
/// the key.
pub async fn post_check(store: &Store, log: &LogIdentity, id: i64, token: &str, m: &CheckMessage) -> Result<()> {
    let (mut tx, c, trustee, trustees) = step(store, id, token, "checking").await?;
    let ceremony = ceremony_id(&log.name, id, c.number);
    let my_key = trustees
        .iter()
        .find(|t| t.trustee == trustee)
        .and_then(|t| t.key.as_ref())
        .map(|k| point(&k.key, "key"))
        .transpose()
        .map_err(|_| ServiceError::Internal("stored key".into()))?
        .ok_or(ServiceError::Internal("trustee without key".into()))?;
    let mut judged = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for cm in &m.complaints {
        if cm.dealer == trustee || !seen.insert(cm.dealer) {
            return Err(invalid("err.request", "complaints.dealer"));
        }
        let complaint = cm.parse(trustee).map_err(bad)?;
        let dealing = trustees
            .iter()
            .find(|t| t.trustee == cm.dealer)
            .and_then(|t| t.dealing.as_ref())
            .ok_or(invalid("err.request", "complaints.dealer"))?
            .parse(cm.dealer)
            .map_err(|_| ServiceError::Internal("stored dealing".into()))?;
        let verdict = match judge(ceremony.as_bytes(), &my_key, &dealing, &complaint) {
            Verdict::Dealer => "dealer",
            Verdict::Accuser => "accuser",
        };
        let sc =
            StoredComplaint { dealer: cm.dealer, recipient: trustee, complaint: cm.clone(), verdict: verdict.into() };
        st::insert_complaint(&mut tx, id, c.number, &sc).await?;
        judged.push(json!({"dealer": cm.dealer, "pad_key": cm.pad_key, "proof": cm.proof, "verdict": verdict}));
    }
    if !st::set_checked(&mut tx, id, c.number, trustee).await? {
        return Err(ServiceError::Conflict("err.duplicate"));
    }
    let mut payload = json!({"number": c.number, "trustee": trustee, "complaints": judged});
    let done = trustees.iter().filter(|t| t.checked || t.trustee == trustee).count() as u32 == c.n;
    if done {
        let outcome = finish(&mut tx, &ceremony, id, &c, &trustees).await?;
        payload["status"] = json!(outcome.status);
        payload["qualified"] = json!(outcome.qualified);
        payload["election_key"] = json!(outcome.key);
        payload["verification_keys"] = json!(outcome.verification);
        payload["fingerprint"] = json!(outcome.fingerprint);
    } else {
        payload["status"] = json!("checking");
    }
    lifecycle::record(&mut tx, id, &actor(trustee), EventKind::E2eSharesChecked, payload).await?;
    lifecycle::commit_and_checkpoint(tx, store, log, id).await
}

struct Outcome {
    status: &'static str,
    qualified: Vec<u32>,
    key: Option<String>,
    verification: Vec<String>,
    fingerprint: Option<String>,
}

/// The qualified dealings (no complaint against them upheld) and the key they make.
async fn finish(
    tx: &mut crate::store::Tx,
    ceremony: &str,
    id: i64,
    c: &st::Ceremony,
    trustees: &[st::Trustee],
) -> Result<Outcome> {
    let complaints = st::complaints(&mut *tx, id, c.number).await?;
    let (qualified, ek) = key_of(ceremony, c, trustees, &complaints)?;
    let Some(ek) = ek else {
        st::set_status(tx, id, c.number, "checking", "failed", None).await?;
        return Ok(Outcome { status: "failed", qualified, key: None, verification: vec![], fingerprint: None });
    };
    let key = point_hex(&ek.key);
    st::set_status(tx, id, c.number, "checking", "done", Some(&key)).await?;
    Ok(Outcome {
        status: "done",
        qualified,
        fingerprint: Some(fingerprint(ceremony, &ek.key)),
        key: Some(key),
        verification: ek.verification.iter().map(point_hex).collect(),
    })
}

type KeyOf = (Vec<u32>, Option<huanjie_crypto::dkg::ElectionKey>);

/// The dealers not found at fault and, when there is one, the election key.
fn key_of(
    _ceremony: &str,
    c: &st::Ceremony,
    trustees: &[st::Trustee],
    complaints: &[StoredComplaint],
) -> Result<KeyOf> {
    let t = Threshold::new(c.n, c.k).map_err(|_| ServiceError::Internal("stored threshold".into()))?;
    let mut dealings = Vec::new();
    for tr in trustees {
        let faulty = complaints.iter().any(|x| x.dealer == tr.trustee && x.verdict == "dealer");
        if faulty {
            continue;
        }
        if let Some(d) = &tr.dealing {
            dealings.push(d.parse(tr.trustee).map_err(|_| ServiceError::Internal("stored dealing".into()))?);
        }
    }
    let qualified: Vec<u32> = dealings.iter().map(|d| d.dealer).collect();
    if dealings.is_empty() {
        return Ok((qualified, None));
    }
    let refs: Vec<_> = dealings.iter().collect();
    let ek = election_key(t, &refs).map_err(|_| ServiceError::Internal("election key".into()))?;
    Ok((qualified, Some(ek)))
}

/// The bulletin board as everyone reads it.
pub async fn board(store: &Store, log_name: &str, id: i64) -> Result<CeremonyBoard> {
    est::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    let c = st::latest(store, id).await?.ok_or(ServiceError::NotFound)?;
    let trustees = st::trustees(store, id, c.number).await?;
    let complaints = st::complaints(store, id, c.number).await?;
    let ceremony = ceremony_id(log_name, id, c.number);
    let (qualified, ek) =
        if c.status == "done" { key_of(&ceremony, &c, &trustees, &complaints)? } else { (vec![], None) };
    Ok(CeremonyBoard {
        election_id: id,
        number: c.number,
        n: c.n,
        k: c.k,
        status: c.status.clone(),
        trustees: trustees
            .iter()
            .map(|t| TrusteeBoard {
                trustee: t.trustee,
                name: t.name.clone(),
                key: t.key.clone(),
                dealing: t.dealing.clone(),
                checked: t.checked,
            })
            .collect(),
        complaints: complaints
            .into_iter()
            .map(|x| ComplaintBoard {
                dealer: x.dealer,
                recipient: x.recipient,
                complaint: x.complaint,
                verdict: x.verdict,
            })
            .collect(),
        qualified,
        election_key: c.election_key.clone(),
        verification_keys: ek.as_ref().map(|k| k.verification.iter().map(point_hex).collect()).unwrap_or_default(),
        fingerprint: ek.as_ref().map(|k| fingerprint(&ceremony, &k.key)),
        ceremony,
    })
}

/// The key of a finished ceremony, as the cast, the mix and the decryption use it.
#[derive(Clone, Debug)]
pub struct FinishedKey {
    /// `domain::ceremony::ceremony_id`: what every ballot, shuffle and decryption of the election
    /// is bound to.
    pub ceremony: String,
    pub number: i64,
    pub threshold: Threshold,
    /// The election key Y and each trustee's verification key Y_l (docs/e2e.md §4).
    pub key: huanjie_crypto::dkg::ElectionKey,
    /// The trustees whose dealings make the key.
    pub qualified: Vec<u32>,
}

/// The election's key when its latest ceremony is done; `None` otherwise (the election is not
/// end-to-end). A ceremony can only open while the candidate list is published and not yet
/// polled, so once a round has opened this answer does not change.
pub async fn finished_key(store: &Store, log_name: &str, id: i64) -> Result<Option<FinishedKey>> {
    let Some(c) = st::latest(store, id).await? else { return Ok(None) };
    if c.status != "done" {
        return Ok(None);
    }
    let trustees = st::trustees(store, id, c.number).await?;
    let complaints = st::complaints(store, id, c.number).await?;
    let ceremony = ceremony_id(log_name, id, c.number);
    let (qualified, ek) = key_of(&ceremony, &c, &trustees, &complaints)?;
    let key = ek.ok_or(ServiceError::Internal("a finished ceremony without a key".into()))?;
    let threshold = Threshold::new(c.n, c.k).map_err(|_| ServiceError::Internal("stored threshold".into()))?;
    Ok(Some(FinishedKey { ceremony, number: c.number, threshold, key, qualified }))
}
