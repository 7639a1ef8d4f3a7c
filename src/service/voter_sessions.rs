//! A voter signed in with the voting code on their own phone (issue 12 item 6). The cookie is
//! a random token; the server keeps its keyed hash as a row, so a session ends everywhere when
//! the voter casts (and holds no proxy ballot still to cast), signs out, gets a reissued card,
//! is removed from the roll, or the polls close. The row names the voter, never a ballot.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Result;
use super::limits::{self, CODE_FAILURES_PER_ADDRESS, CODE_FAILURES_PER_ELECTION};
use crate::store::{Store, now_ms, voter_sessions as st};

/// Long enough to read the statements and vote, no longer.
pub const TTL_MS: i64 = 30 * 60 * 1000;

#[derive(Debug, Clone)]
pub struct VoterSession {
    pub election_id: i64,
    pub resident_id: i64,
    pub csrf: String,
    id_hash: Vec<u8>,
}

impl VoterSession {
    /// The session's server-side identity (the keyed hash of its cookie token): what the
    /// in-memory credential of an end-to-end round is kept under (`BallotWriter::keep_credential`).
    pub fn id(&self) -> &[u8] {
        &self.id_hash
    }
}

/// [`VoterSession::id`] of the session a cookie token names.
pub fn session_id(key: &[u8], token: &str) -> Vec<u8> {
    id_hash(key, token)
}

fn id_hash(key: &[u8], token: &str) -> Vec<u8> {
    // Domain-separated from the staff sessions, which hash with the same key.
    super::accounts::session_hash(key, &format!("voter\0{token}"))
}

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Signs a voter in with the code. Failures count against the address (which, past its limit,
/// is refused before the code is even looked at) and against the election the code names; a
/// correct code is never refused by the election's limit. Returns the cookie value, or `None`
/// for a code no voter holds.
pub async fn sign_in(
    store: &Store,
    session_key: &[u8],
    code_key: &[u8],
    code: &str,
    address: &str,
) -> Result<Option<String>> {
    // Reserved before the lookup, so parallel guesses cannot slip under the limit.
    limits::take(store, &CODE_FAILURES_PER_ADDRESS, address).await?;
    let Some((election_id, resident_id)) = super::polling::voter_by_code(store, code_key, code).await? else {
        limits::failed(store, &CODE_FAILURES_PER_ELECTION, &limits::code_subject(code)).await?;
        return Ok(None);
    };
    limits::give_back(store, &CODE_FAILURES_PER_ADDRESS, address).await?;
    let token = random_token();
    let csrf = random_token();
    st::insert(store, &id_hash(session_key, &token), election_id, resident_id, &csrf, now_ms() + TTL_MS).await?;
    Ok(Some(token))
}

/// The live session behind a cookie; an expired one is ended here.
pub async fn resume(store: &Store, session_key: &[u8], token: &str) -> Result<Option<VoterSession>> {
    let h = id_hash(session_key, token);
    let Some(row) = st::get(store, &h).await? else { return Ok(None) };
    if row.expires_ms < now_ms() {
        st::delete(store, &h).await?;
        return Ok(None);
    }
    Ok(Some(VoterSession {
        election_id: row.election_id,
        resident_id: row.resident_id,
        csrf: row.csrf_token,
        id_hash: h,
    }))
}

pub async fn sign_out(store: &Store, s: &VoterSession) -> Result<()> {
    Ok(st::delete(store, &s.id_hash).await?)
}

/// After a cast: every session of this voter ends (a proxy with principals still to vote for
/// keeps this one until the last of their ballots).
pub async fn end_after_cast(store: &Store, s: &VoterSession, ballots_left: bool) -> Result<()> {
    if ballots_left {
        return Ok(());
    }
    Ok(st::end(store, s.election_id, s.resident_id).await?)
}
