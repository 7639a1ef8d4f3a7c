//! The trustee's side of the key ceremony (`huanjie trustee`, issue 18, docs/e2e.md §4): what a
//! member of the election committee runs on their own computer. It trusts nothing the server
//! says: it checks every other trustee's key proof and dealing itself, opens its shares, files
//! a public complaint for a bad one, and recomputes the election key from the board before it
//! accepts it. Its secrets (the ceremony key and the shares) never leave the state file, which
//! is encrypted under the trustee's passphrase: argon2id (RFC 9106; 64 MiB, 3 passes) derives
//! 64 bytes, ChaCha20 (RFC 8439) encrypts with the first 32 and HMAC-SHA-256 over the header,
//! salt, nonce and ciphertext authenticates with the last 32 (encrypt-then-MAC, Bellare and
//! Namprempre 2000). The steps are pure functions of the board and the state; the CLI only
//! fetches and posts. After the polls of an end-to-end round close, `mix` and `decrypt`
//! (docs/e2e.md §6–§7) check the round's mix input against the election record and every
//! shuffle posted before they shuffle or release a decryption share.

use std::collections::BTreeMap;

use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, KeyInit, Mac};
use huanjie_crypto::dkg::{
    CeremonyKey, Dealing, Threshold, check_dealing, deal, election_key, open_share, verify_ceremony_key,
};
use huanjie_crypto::group::{decode_scalar, mul_g};
use huanjie_crypto::{RistrettoPoint, Scalar};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::ceremony::{
    CeremonyBoard, CheckMessage, ComplaintMessage, DealingMessage, KeyMessage, fingerprint, point, point_hex,
};
use crate::domain::mix::{DecryptionMessage, MixBoard, ShuffleMessage, decryption_context, flatten, mix_context};
use base64::Engine as _;
use huanjie_crypto::dkg::decryption_share;
use huanjie_crypto::shuffle::{Row, ShuffleProof, rows_from_bytes, rows_to_bytes, shuffle, verify_shuffle};
use serde_json::Value;

/// What only the trustee holds, kept in the encrypted state file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TrusteeState {
    pub election_id: i64,
    pub ceremony: String,
    pub trustee: u32,
    pub ceremony_secret: String,
    /// f_l(l), this trustee's share of its own polynomial.
    #[serde(default)]
    pub own_share: Option<String>,
    /// f_i(l) from each dealer i whose share checked.
    #[serde(default)]
    pub received: BTreeMap<u32, String>,
    /// x_l = Σ_{i qualified} f_i(l), once the key is fixed.
    #[serde(default)]
    pub share: Option<String>,
    #[serde(default)]
    pub election_key: Option<String>,
}

fn scalar(hex_str: &str) -> Result<Scalar, String> {
    let b = hex::decode(hex_str).map_err(|_| "state file: not hex".to_string())?;
    decode_scalar(&b, "state").map_err(|e| e.to_string())
}

fn shex(s: &Scalar) -> String {
    hex::encode(s.as_bytes())
}

fn keys_of(board: &CeremonyBoard) -> Result<Vec<RistrettoPoint>, String> {
    let mut keys = Vec::new();
    for t in &board.trustees {
        let m = t.key.as_ref().ok_or(format!("trustee {} has not posted its ceremony key", t.trustee))?;
        let (key, proof) = m.parse().map_err(|f| format!("trustee {}: bad {}", t.trustee, f.0))?;
        if !verify_ceremony_key(board.ceremony.as_bytes(), t.trustee, &key, &proof) {
            return Err(format!("trustee {}'s ceremony key proof does not hold", t.trustee));
        }
        keys.push(key);
    }
    Ok(keys)
}

fn threshold(board: &CeremonyBoard) -> Result<Threshold, String> {
    Threshold::new(board.n, board.k).map_err(|e| e.to_string())
}

/// Step 1: a fresh ceremony key and the message that publishes it.
pub fn key_step<R: rand::CryptoRng + ?Sized>(
    rng: &mut R,
    board: &CeremonyBoard,
    trustee: u32,
) -> (TrusteeState, KeyMessage) {
    let k = CeremonyKey::generate(rng);
    let proof = k.prove(rng, board.ceremony.as_bytes(), trustee);
    let state = TrusteeState {
        election_id: board.election_id,
        ceremony: board.ceremony.clone(),
        trustee,
        ceremony_secret: shex(&k.secret),
        own_share: None,
        received: BTreeMap::new(),
        share: None,
        election_key: None,
    };
    (state, KeyMessage { key: point_hex(&k.public), proof: hex::encode(proof.to_bytes()) })
}

fn same_ceremony(board: &CeremonyBoard, st: &TrusteeState) -> Result<(), String> {
    if board.ceremony != st.ceremony {
        return Err(format!("the board is ceremony {}, the state file {}", board.ceremony, st.ceremony));
    }
    Ok(())
}

/// Step 2: after every key is posted (and its proof checked here), deal.
pub fn deal_step<R: rand::CryptoRng + ?Sized>(
    rng: &mut R,
    board: &CeremonyBoard,
    st: &mut TrusteeState,
) -> Result<DealingMessage, String> {
    same_ceremony(board, st)?;
    let keys = keys_of(board)?;
    let (d, own) =
        deal(rng, board.ceremony.as_bytes(), threshold(board)?, st.trustee, &keys).map_err(|e| e.to_string())?;
    st.own_share = Some(shex(&own));
    Ok(DealingMessage::from_dealing(&d))
}

/// Step 3: check every other trustee's dealing and open the share sealed to this trustee; a
/// public complaint for each one that fails.
pub fn check_step<R: rand::CryptoRng + ?Sized>(
    rng: &mut R,
    board: &CeremonyBoard,
    st: &mut TrusteeState,
) -> Result<CheckMessage, String> {
    same_ceremony(board, st)?;
    let t = threshold(board)?;
    let key = CeremonyKey { secret: scalar(&st.ceremony_secret)?, public: RistrettoPoint::default() };
    let key = CeremonyKey { public: mul_g(&key.secret), secret: key.secret };
    let mut complaints = Vec::new();
    for tr in board.trustees.iter().filter(|x| x.trustee != st.trustee) {
        let m = tr.dealing.as_ref().ok_or(format!("trustee {} has not dealt", tr.trustee))?;
        let d: Dealing = m.parse(tr.trustee).map_err(|f| format!("dealing {}: bad {}", tr.trustee, f.0))?;
        check_dealing(board.ceremony.as_bytes(), t, &d).map_err(|e| format!("dealing {}: {e}", tr.trustee))?;
        match open_share(rng, board.ceremony.as_bytes(), st.trustee, &key, &d) {
            Ok(x) => {
                st.received.insert(tr.trustee, shex(&x));
            }
            Err(c) => complaints.push(ComplaintMessage::from_complaint(&c)),
        }
    }
    Ok(CheckMessage { complaints })
}

/// Step 4: once the board says `done`, recompute the election key from the qualified dealings
/// and this trustee's share, check both against the board, keep the share, return the key's
/// fingerprint to compare aloud with the other trustees.
pub fn finish_step(board: &CeremonyBoard, st: &mut TrusteeState) -> Result<String, String> {
    same_ceremony(board, st)?;
    if board.status != "done" {
        return Err(format!("the ceremony is at `{}`, not done", board.status));
    }
    let t = threshold(board)?;
    let mut dealings = Vec::new();
    for dealer in &board.qualified {
        let tr = board.trustees.iter().find(|x| x.trustee == *dealer).ok_or("qualified dealer not on the board")?;
        let m = tr.dealing.as_ref().ok_or("qualified dealer without a dealing")?;
        dealings.push(m.parse(*dealer).map_err(|f| format!("dealing {dealer}: bad {}", f.0))?);
    }
    // A dealer this trustee complained about must not be counted.
    for c in &board.complaints {
        if c.recipient == st.trustee && c.verdict == "dealer" && board.qualified.contains(&c.dealer) {
            return Err(format!("the board counts dealer {} although its share to me was judged bad", c.dealer));
        }
    }
    let refs: Vec<&Dealing> = dealings.iter().collect();
    let ek = election_key(t, &refs).map_err(|e| e.to_string())?;
    let mut x = Scalar::ZERO;
    for dealer in &board.qualified {
        let part = if *dealer == st.trustee {
            st.own_share.as_deref().ok_or("no own share in the state file")?
        } else {
            st.received.get(dealer).map(String::as_str).ok_or(format!("no share from dealer {dealer}"))?
        };
        x += scalar(part)?;
    }
    let mine = ek.verification.get((st.trustee - 1) as usize).ok_or("no verification key for me")?;
    if mul_g(&x) != *mine {
        return Err("my share does not match my verification key".into());
    }
    let on_board = board.election_key.as_deref().map(|k| point(k, "election_key")).transpose().map_err(|f| f.0)?;
    if on_board != Some(ek.key) {
        return Err("the board's election key is not the one the qualified dealings make".into());
    }
    st.share = Some(shex(&x));
    st.election_key = Some(point_hex(&ek.key));
    Ok(fingerprint(&board.ceremony, &ek.key))
}

/// The list a trustee's next mix step works on, checked by the trustee itself from public data
/// only (docs/e2e.md §6–§8), so that the server can never get unshuffled ballots decrypted:
/// the election record's log verifies; the electronic box it publishes for the round is the
/// one the close of the polls committed; every ballot in it checks under the key this trustee
/// recomputed (`finish_step`); the board's mix input is exactly that box
/// (`domain::mix::mix_input`); and every shuffle posted so far holds, in sequence. Returns the
/// latest list (the last shuffle's output, or the input) and the election key.
pub fn checked_list(board: &MixBoard, record: &Value, st: &TrusteeState) -> Result<(Vec<Row>, RistrettoPoint), String> {
    if board.ceremony != st.ceremony {
        return Err(format!("the board is ceremony {}, the state file {}", board.ceremony, st.ceremony));
    }
    let key_hex =
        st.election_key.as_deref().ok_or("run `huanjie trustee finish` first: no election key in the state file")?;
    if board.election_key != key_hex {
        return Err("the board's election key is not the one this trustee recomputed".into());
    }
    let key = point(key_hex, "election_key").map_err(|f| f.0)?;
    // The log itself: signed checkpoints over every entry (trust on first use of the log key).
    let log: crate::audit::Record =
        serde_json::from_value(record.clone()).map_err(|e| format!("not an election record: {e}"))?;
    let trust = crate::audit::Trust { allow_unsigned_tail: true, ..crate::audit::Trust::default() };
    crate::audit::verify_record(&log, &trust).map_err(|f| format!("the election record does not verify: {f}"))?;
    let round = board.round;
    let mut close = None;
    for e in &log.entries {
        let bytes = base64::engine::general_purpose::STANDARD.decode(&e.leaf).map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        let closes = matches!(
            v["type"].as_str().and_then(crate::audit::EventKind::parse),
            Some(crate::audit::EventKind::PollsClosed | crate::audit::EventKind::PrimaryClosed)
        );
        if closes && v["payload"]["round"].as_i64() == Some(round) {
            close = Some(v["payload"].clone());
        }
    }
    let close = close.ok_or(format!("the log has no close of round {round}"))?;
    let published = record["reconcile"]["rounds"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["round"].as_i64() == Some(round)))
        .ok_or(format!("the record does not publish the box of round {round}"))?;
    let browser: Vec<(String, String)> = published["browser"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|x| (x["id"].as_str().unwrap_or("").to_string(), x["ballot"].as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let leaves: Vec<String> =
        close["leaves"].as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect();
    crate::audit::reconcile::compare_box(close["browser_root"].as_str().unwrap_or(""), &leaves, &browser).map_err(
        |w| format!("round {round}: the published electronic box is not the one committed at the close: {w}"),
    )?;
    let paper: crate::domain::ballot::BallotPaper = serde_json::from_value(published["e2e"]["paper"].clone())
        .map_err(|e| format!("the record does not publish the round's paper: {e}"))?;
    let shape = crate::domain::e2e::shape(&paper).map_err(|e| e.to_string())?;
    let ctx = crate::domain::e2e::context(&board.ceremony, paper.round_no);
    for (id, content) in &browser {
        if let Some(Ok(b)) = crate::domain::e2e::from_content(content) {
            b.check(&key, &ctx, &shape).map_err(|e| format!("electronic ballot {id}: {e}"))?;
        }
    }
    let input = crate::domain::mix::mix_input(browser.iter().map(|(i, c)| (i.clone(), c.as_str())), shape.slots())?;
    if hex::encode(rows_to_bytes(&input)) != board.input {
        return Err(format!("round {round}: the board's mix input is not the committed electronic box"));
    }
    let mut list = input;
    for (i, s) in board.shuffles.iter().enumerate() {
        let seq = i as i64 + 1;
        if s.seq != seq {
            return Err(format!("round {round}: the board's shuffles are out of sequence at {seq}"));
        }
        let output = rows_from_bytes(&hex::decode(&s.output).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        let proof =
            ShuffleProof::from_bytes(&hex::decode(&s.proof).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        verify_shuffle(&mix_context(&board.ceremony, round, seq), &key, &list, &output, &proof)
            .map_err(|e| format!("round {round}, shuffle {seq} by trustee {}: {e}", s.trustee))?;
        list = output;
    }
    Ok((list, key))
}

/// Step 5, after the polls close: check the list ([`checked_list`]), shuffle it with a proof.
pub fn mix_step<R: rand::CryptoRng + ?Sized>(
    rng: &mut R,
    board: &MixBoard,
    record: &Value,
    st: &TrusteeState,
) -> Result<ShuffleMessage, String> {
    if board.shuffles.iter().any(|s| s.trustee == st.trustee) {
        return Err(format!("trustee {} has already shuffled round {}", st.trustee, board.round));
    }
    let (list, key) = checked_list(board, record, st)?;
    let seq = board.shuffles.len() as i64 + 1;
    let (output, proof) =
        shuffle(rng, &mix_context(&board.ceremony, board.round, seq), &key, &list).map_err(|e| e.to_string())?;
    Ok(ShuffleMessage { output: hex::encode(rows_to_bytes(&output)), proof: hex::encode(proof.to_bytes()) })
}

/// Step 6, after k trustees have shuffled: check the list ([`checked_list`]), post this
/// trustee's decryption shares of the last shuffle's output with their proofs.
pub fn decrypt_step<R: rand::CryptoRng + ?Sized>(
    rng: &mut R,
    board: &MixBoard,
    record: &Value,
    st: &TrusteeState,
) -> Result<DecryptionMessage, String> {
    if board.shuffles.len() < board.k as usize {
        return Err(format!(
            "only {} of the k = {} shuffles are posted: decrypting now would reveal the box's order",
            board.shuffles.len(),
            board.k
        ));
    }
    let (list, _) = checked_list(board, record, st)?;
    let x = scalar(st.share.as_deref().ok_or("run `huanjie trustee finish` first: no share in the state file")?)?;
    let share =
        decryption_share(rng, &decryption_context(&board.ceremony, board.round), st.trustee, &x, &flatten(&list));
    Ok(DecryptionMessage { share: hex::encode(share.to_bytes()) })
}

const FILE_MAGIC: &str = "huanjie-trustee-v1";

#[derive(Serialize, Deserialize)]
struct SealedFile {
    format: String,
    kdf: String,
    salt: String,
    nonce: String,
    ciphertext: String,
    mac: String,
}

fn kdf(passphrase: &str, salt: &[u8]) -> Result<[u8; 64], String> {
    let params = argon2::Params::new(64 * 1024, 3, 1, Some(64)).map_err(|e| e.to_string())?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 64];
    a.hash_password_into(passphrase.as_bytes(), salt, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn mac(key: &[u8], salt: &[u8], nonce: &[u8], ct: &[u8]) -> Result<Vec<u8>, String> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|e| e.to_string())?;
    for part in [FILE_MAGIC.as_bytes(), salt, nonce, ct] {
        m.update(&(part.len() as u64).to_be_bytes());
        m.update(part);
    }
    Ok(m.finalize().into_bytes().to_vec())
}

/// The state file's bytes under `passphrase`.
pub fn seal(st: &TrusteeState, passphrase: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    rand::fill(&mut salt);
    rand::fill(&mut nonce);
    let k = kdf(passphrase, &salt)?;
    let mut buf = serde_json::to_vec(st).map_err(|e| e.to_string())?;
    let key: [u8; 32] = k[..32].try_into().map_err(|_| "key")?;
    ChaCha20::new(&key.into(), &nonce.into()).apply_keystream(&mut buf);
    let tag = mac(&k[32..], &salt, &nonce, &buf)?;
    let f = SealedFile {
        format: FILE_MAGIC.into(),
        kdf: "argon2id m=65536 t=3 p=1".into(),
        salt: hex::encode(salt),
        nonce: hex::encode(nonce),
        ciphertext: hex::encode(&buf),
        mac: hex::encode(tag),
    };
    serde_json::to_string_pretty(&f).map_err(|e| e.to_string())
}

/// The state from a state file; a wrong passphrase or a changed file is refused.
pub fn unseal(text: &str, passphrase: &str) -> Result<TrusteeState, String> {
    let f: SealedFile = serde_json::from_str(text).map_err(|_| "not a trustee state file".to_string())?;
    if f.format != FILE_MAGIC {
        return Err("not a trustee state file".into());
    }
    let dec = |s: &str| hex::decode(s).map_err(|_| "not a trustee state file".to_string());
    let (salt, nonce, mut ct, tag) = (dec(&f.salt)?, dec(&f.nonce)?, dec(&f.ciphertext)?, dec(&f.mac)?);
    let k = kdf(passphrase, &salt)?;
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&k[32..]).map_err(|e| e.to_string())?;
    for part in [FILE_MAGIC.as_bytes(), &salt, &nonce, &ct] {
        m.update(&(part.len() as u64).to_be_bytes());
        m.update(part);
    }
    m.verify_slice(&tag).map_err(|_| "wrong passphrase, or the state file was changed".to_string())?;
    let key: [u8; 32] = k[..32].try_into().map_err(|_| "key")?;
    let nonce: [u8; 12] = nonce.as_slice().try_into().map_err(|_| "not a trustee state file")?;
    ChaCha20::new(&key.into(), &nonce.into()).apply_keystream(&mut ct);
    serde_json::from_slice(&ct).map_err(|_| "not a trustee state file".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_file_opens_only_with_its_passphrase_and_unchanged() {
        let st = TrusteeState {
            election_id: 7,
            ceremony: "log/election-7/ceremony-1".into(),
            trustee: 2,
            ceremony_secret: shex(&Scalar::from(99u64)),
            own_share: None,
            received: BTreeMap::new(),
            share: None,
            election_key: None,
        };
        let text = seal(&st, "长城 2026").unwrap();
        assert!(!text.contains(&st.ceremony_secret), "the secret is not in the file in clear");
        assert_eq!(unseal(&text, "长城 2026").unwrap(), st);
        assert!(unseal(&text, "长城 2027").is_err());
        let mut f: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ct = f["ciphertext"].as_str().unwrap().to_string();
        let flipped = format!("{}{}", if ct.starts_with('0') { "1" } else { "0" }, &ct[1..]);
        f["ciphertext"] = serde_json::json!(flipped);
        assert!(unseal(&f.to_string(), "长城 2026").is_err());
    }
}
