//! The credential list (issue 18 item 3; docs/e2e.md §5 and §8): one Ed25519 public key per
//! card, published sorted by key with no names, its SHA-256 and size logged at every change
//! (`e2e.credentials_published`, `e2e.credential_reissued`), so `verify` can hold the box to it.
//!
//! Two sources. **server**: when the server issues the cards it derives each credential from
//! the card's code (`Credential::derive(credential_domain(log, id), code)`) and remembers whose
//! card carries which key (`e2e_credential_holders`, never published), which a reissue needs to
//! revoke the old key; the record says `source: server` and `verify` reports that stuffing by
//! the operator is not excluded. **authority**: a credential authority (the street office)
//! runs `huanjie credentials generate` offline and uploads the codes' keyed hashes by voter
//! number and, separately, the sorted list of keys; the server cannot tell whose key is whose.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::access::{Permission, Staff};
use super::elections::{get, locked};
use super::{Result, ServiceError, invalid, lifecycle};
use crate::audit::{Actor, EventKind};
use crate::domain::Stage;
use crate::domain::e2e::credential_domain;
use crate::store::e2e_credentials::{self as st, CredentialRow};
use crate::store::{Store, Tx, now_ms};

pub const SOURCE_SERVER: &str = "server";
pub const SOURCE_AUTHORITY: &str = "authority";

fn law(code: &str, rule: &str, detail: impl Into<String>) -> ServiceError {
    ServiceError::Law { code: code.into(), rule: rule.into(), detail: detail.into() }
}

/// One entry's line in the list's digest: `<credential hex>\t<status>\t<source>\n`.
pub fn list_line(r: &CredentialRow) -> String {
    format!("{}\t{}\t{}\n", r.credential, r.status, r.source)
}

/// The list's SHA-256 (hex) over its lines in key order, as logged and as `verify` recomputes.
pub fn list_sha256(rows: &[CredentialRow]) -> String {
    let mut sorted: Vec<&CredentialRow> = rows.iter().collect();
    sorted.sort_by(|a, b| a.credential.cmp(&b.credential));
    let mut h = Sha256::new();
    for r in sorted {
        h.update(list_line(r).as_bytes());
    }
    hex::encode(h.finalize())
}

/// `server`, `authority`, or `mixed` (a list the authority made, with cards the server
/// reissued).
pub fn list_source(rows: &[CredentialRow]) -> &'static str {
    let server = rows.iter().any(|r| r.source == SOURCE_SERVER);
    let authority = rows.iter().any(|r| r.source == SOURCE_AUTHORITY);
    match (server, authority) {
        (true, true) => "mixed",
        (false, true) => SOURCE_AUTHORITY,
        _ => SOURCE_SERVER,
    }
}

/// What every list entry logs: the list's digest, its size, its live entries and its source.
async fn logged(tx: &mut Tx, election_id: i64) -> Result<serde_json::Value> {
    let rows = st::list(&mut *tx, election_id).await?;
    let live = rows.iter().filter(|r| r.status == "live").count();
    Ok(json!({"sha256": list_sha256(&rows), "size": rows.len(), "live": live, "source": list_source(&rows)}))
}

fn merge(mut a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    if let (Some(a), serde_json::Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

/// The credential of the card with `code` in election `election_id` of log `log_name`.
pub fn derive(log_name: &str, election_id: i64, code: &str) -> huanjie_crypto::credential::Credential {
    huanjie_crypto::credential::Credential::derive(credential_domain(log_name, election_id).as_bytes(), code)
}

/// Inside the cards' transaction: a credential for each new card (`(resident, code)`),
/// listed and logged. `reissue`: the one card is a reissue, refused once its voter has
/// received a ballot in any round (issue 18 item 3); its old credential is revoked.
pub async fn for_cards(
    tx: &mut Tx,
    log_name: &str,
    election_id: i64,
    actor: &Actor,
    cards: &[(i64, &str)],
    reissue: bool,
) -> Result<()> {
    if cards.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    if reissue {
        let [(resident, code)] = cards else { return Err(ServiceError::Internal("one card per reissue".into())) };
        if st::voted_in_any_round(tx, election_id, *resident).await? {
            return Err(law("card_voted", "docs/e2e.md §5 (a credential that may have voted is not replaced)", ""));
        }
        let old = st::held_by(tx, election_id, *resident).await?;
        let listed = st::list(&mut *tx, election_id).await?;
        if old.is_none() && listed.iter().any(|r| r.source == SOURCE_AUTHORITY) {
            // The server cannot tell which listed key is this voter's: only the credential
            // authority can revoke it.
            return Err(law("reissue_by_authority", "docs/e2e.md §5 (the credential authority reissues)", ""));
        }
        if let Some(o) = &old {
            st::revoke(tx, election_id, o).await?;
        }
        let new = hex::encode(derive(log_name, election_id, code).public());
        st::add(tx, election_id, &new, SOURCE_SERVER, Some(*resident), now).await?;
        let payload = merge(json!({"old": old, "new": new}), logged(tx, election_id).await?);
        lifecycle::record(tx, election_id, actor, EventKind::E2eCredentialReissued, payload).await?;
        return Ok(());
    }
    for (resident, code) in cards {
        let key = hex::encode(derive(log_name, election_id, code).public());
        st::add(tx, election_id, &key, SOURCE_SERVER, Some(*resident), now).await?;
    }
    let payload = merge(json!({"added": cards.len()}), logged(tx, election_id).await?);
    lifecycle::record(tx, election_id, actor, EventKind::E2eCredentialsPublished, payload).await?;
    Ok(())
}

/// The published list (`GET /elections/{id}/credentials`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublishedCredentials {
    pub election_id: i64,
    /// What the credentials are derived for: `<log name>/election-<id>`.
    pub domain: String,
    /// `server`, `authority` or `mixed`.
    pub source: String,
    /// SHA-256 (hex) over one line per entry, `<credential>\t<status>\t<source>\n`, in key order.
    pub sha256: String,
    pub size: usize,
    pub live: usize,
    pub credentials: Vec<CredentialRow>,
}

/// The list as anyone reads it, once the voter list is public.
pub async fn published(store: &Store, log_name: &str, election_id: i64) -> Result<PublishedCredentials> {
    let e = crate::store::elections::get(store, election_id).await?.ok_or(ServiceError::NotFound)?;
    if !e.is_public() {
        return Err(ServiceError::NotFound);
    }
    let rows = st::list(store, election_id).await?;
    Ok(PublishedCredentials {
        election_id,
        domain: credential_domain(log_name, election_id),
        source: list_source(&rows).into(),
        sha256: list_sha256(&rows),
        size: rows.len(),
        live: rows.iter().filter(|r| r.status == "live").count(),
        credentials: rows,
    })
}

/// One card's code, by the voter's number on the published list, as its keyed hash.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadedCode {
    /// The voter's 1-based place in the published voter list.
    pub voter: usize,
    /// Hex of HMAC-SHA-256(voting-code key, normalised code) (`service::voters::code_hash`).
    pub code_hash: String,
}

/// What `huanjie credentials generate` writes for upload: the codes' keyed hashes by voter,
/// and — unlinked to them — the credentials in key order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Upload {
    pub domain: String,
    pub codes: Vec<UploadedCode>,
    pub credentials: Vec<String>,
}

/// Takes a credential authority's upload: every listed voter without a card gets the code, the
/// keys join the list as `authority`. One transaction, one entry.
pub async fn import(store: &Store, log_name: &str, staff: &Staff, id: i64, up: &Upload) -> Result<usize> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let role = staff.authorize(store, Permission::RunElection, e.community_id).await?;
    if up.domain != credential_domain(log_name, id) {
        return Err(invalid("err.request", "domain"));
    }
    if up.codes.is_empty() || up.codes.len() != up.credentials.len() {
        return Err(invalid("err.request", "credentials"));
    }
    let mut keys: Vec<String> = Vec::with_capacity(up.credentials.len());
    for k in &up.credentials {
        let bytes = hex::decode(k).ok().filter(|b| b.len() == 32).ok_or(invalid("err.request", "credentials"))?;
        keys.push(hex::encode(bytes));
    }
    keys.sort();
    keys.dedup();
    if keys.len() != up.credentials.len() {
        return Err(invalid("err.request", "credentials"));
    }
    let mut tx = store.begin().await?;
    let e = locked(&mut tx, id).await?;
    if e.stage < Stage::ListPublished {
        return Err(law("list_not_published", "LAW.md §3 [N]", ""));
    }
    if e.stage >= Stage::Polling {
        return Err(law("list_locked", "LAW.md §3 [N?]", e.stage.to_string()));
    }
    let roll = crate::store::elections::roll(&mut tx, id).await?;
    let now = now_ms();
    for c in &up.codes {
        let v = c.voter.checked_sub(1).and_then(|i| roll.get(i)).ok_or(invalid("err.not_voter", "voter"))?;
        let hash =
            hex::decode(&c.code_hash).ok().filter(|h| h.len() == 32).ok_or(invalid("err.request", "code_hash"))?;
        if v.has_code {
            return Err(ServiceError::Conflict("err.duplicate"));
        }
        crate::store::elections::set_code(&mut tx, id, v.resident_id, &hash, now)
            .await?
            .ok_or(ServiceError::Conflict("err.stale"))?;
    }
    for k in &keys {
        st::add(&mut tx, id, k, SOURCE_AUTHORITY, None, now)
            .await
            .map_err(|e| if e.is_unique_violation() { ServiceError::Conflict("err.duplicate") } else { e.into() })?;
    }
    let payload = merge(json!({"added": keys.len()}), logged(&mut tx, id).await?);
    lifecycle::record(&mut tx, id, &staff.actor(role), EventKind::E2eCredentialsPublished, payload).await?;
    tx.commit().await?;
    Ok(keys.len())
}

/// The offline credential authority (`huanjie credentials generate`): fresh codes for the
/// given voter numbers, their keyed hashes under the deployment's voting-code key, and the
/// credentials in key order. Returns (cards as `(voter, code)`, the upload).
///
/// The server keeps a code only as its keyed hash (`service::voters::code_hash`), so the
/// authority needs that key to make hashes the server can check at sign-in. Holding it lets
/// the authority do no more than it can already (it knows every code); the server still never
/// learns which credential belongs to which voter.
pub fn generate(domain: &str, voters: &[usize], code_key: &[u8]) -> (Vec<(usize, String)>, Upload) {
    let mut cards = Vec::with_capacity(voters.len());
    let mut codes = Vec::with_capacity(voters.len());
    let mut credentials = Vec::with_capacity(voters.len());
    for &v in voters {
        let code = super::voters::new_code();
        codes.push(UploadedCode { voter: v, code_hash: hex::encode(super::voters::code_hash(code_key, &code)) });
        credentials
            .push(hex::encode(huanjie_crypto::credential::Credential::derive(domain.as_bytes(), &code).public()));
        cards.push((v, code));
    }
    credentials.sort();
    (cards, Upload { domain: domain.to_string(), codes, credentials })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_list_digest_is_over_sorted_lines_and_the_source_is_named_docs_e2e_5() {
        let row =
            |c: &str, s: &str, src: &str| CredentialRow { credential: c.into(), status: s.into(), source: src.into() };
        let a = vec![row("bb", "live", "server"), row("aa", "revoked", "server")];
        let b = vec![row("aa", "revoked", "server"), row("bb", "live", "server")];
        assert_eq!(list_sha256(&a), list_sha256(&b));
        let want = hex::encode(Sha256::digest(b"aa\trevoked\tserver\nbb\tlive\tserver\n"));
        assert_eq!(list_sha256(&a), want);
        assert_eq!(list_source(&a), "server");
        assert_eq!(list_source(&[row("aa", "live", "authority")]), "authority");
        assert_ne!(list_sha256(&[row("aa", "live", "server")]), list_sha256(&[row("aa", "revoked", "server")]));
    }

    #[test]
    fn the_authority_upload_does_not_link_codes_to_credentials() {
        let key = [7u8; 32];
        let (cards, up) = generate("log/election-1", &[3, 1, 2], &key);
        assert_eq!(cards.len(), 3);
        let mut sorted = up.credentials.clone();
        sorted.sort();
        assert_eq!(sorted, up.credentials);
        for (v, code) in &cards {
            let c = up.codes.iter().find(|c| c.voter == *v).unwrap();
            assert_eq!(c.code_hash, hex::encode(super::super::voters::code_hash(&key, code)));
            let cred = hex::encode(huanjie_crypto::credential::Credential::derive(b"log/election-1", code).public());
            assert!(up.credentials.contains(&cred));
        }
    }
}
