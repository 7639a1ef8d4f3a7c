//! Signed notes (C2SP `signed-note`), checkpoints (C2SP `tlog-checkpoint`) and
//! Ed25519 witness cosignatures (C2SP `tlog-cosignature`, `cosignature/v1`).
//!
//! The parsing rules follow the reference implementation,
//! golang.org/x/mod/sumdb/note (`Open`), so Go's verifiers accept what we
//! sign and we refuse what they refuse; the tests replay its published vectors.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// Signature type byte for plain Ed25519 note signatures (signed-note §Signature types).
pub const SIG_TYPE_ED25519: u8 = 0x01;
/// Signature type byte for timestamped Ed25519 cosignatures (tlog-cosignature §Format).
pub const SIG_TYPE_COSIGNATURE_V1: u8 = 0x04;

/// signed-note: verifiers "MUST accept at least up to 16 signatures"; Go's
/// `Open` stops at 100 to bound the work a hostile note can cause.
const MAX_SIGNATURES: usize = 100;

const SIG_PREFIX: &str = "\u{2014} ";

/// Everything that can be wrong with a key, a note or a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteError {
    /// The note breaks the signed-note syntax (the reason says which rule).
    Malformed(&'static str),
    /// A key name is empty or contains a space or `+` (signed-note §Format).
    InvalidName,
    /// A verifier key string `name+hash+base64` is unusable.
    BadVerifierKey(&'static str),
    /// A signature from a known key failed to verify; signed-note says
    /// clients SHOULD then reject the whole note, and we do.
    InvalidSignature { name: String, key_id: u32 },
    /// Two configured verifiers share a name and key ID.
    AmbiguousKey { name: String, key_id: u32 },
    /// No signature from a known key: the note MUST be rejected.
    NoVerifiedSignature,
    /// The required signer (the log key) did not sign the note.
    MissingSignature { name: String },
    /// The text is a valid note but not a valid checkpoint.
    BadCheckpoint(&'static str),
    /// Signing failed inside the Ed25519 implementation.
    Signing,
}

impl std::fmt::Display for NoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed note: {why}"),
            Self::InvalidName => f.write_str("invalid key name"),
            Self::BadVerifierKey(why) => write!(f, "bad verifier key: {why}"),
            Self::InvalidSignature { name, key_id } => {
                write!(f, "invalid signature for key {name}+{key_id:08x}")
            }
            Self::AmbiguousKey { name, key_id } => write!(f, "ambiguous key {name}+{key_id:08x}"),
            Self::NoVerifiedSignature => f.write_str("note has no verifiable signatures"),
            Self::MissingSignature { name } => write!(f, "note is not signed by {name}"),
            Self::BadCheckpoint(why) => write!(f, "malformed checkpoint: {why}"),
            Self::Signing => f.write_str("signing failed"),
        }
    }
}

impl std::error::Error for NoteError {}

/// signed-note §Format: names are non-empty, without Unicode spaces or `+`.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// signed-note §Signatures: `SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]`, big-endian.
pub fn key_id(name: &str, sig_type: u8, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([sig_type]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

fn vkey_string(name: &str, sig_type: u8, public_key: &[u8; 32]) -> String {
    let mut material = Vec::with_capacity(33);
    material.push(sig_type);
    material.extend_from_slice(public_key);
    format!("{name}+{:08x}+{}", key_id(name, sig_type, public_key), B64.encode(material))
}

fn signature_line(name: &str, key_id: u32, sig: &[u8]) -> String {
    let mut raw = Vec::with_capacity(4 + sig.len());
    raw.extend_from_slice(&key_id.to_be_bytes());
    raw.extend_from_slice(sig);
    format!("{SIG_PREFIX}{name} {}\n", B64.encode(raw))
}

/// Note text must be valid UTF-8 (a `&str` already is), end in a newline and
/// contain no ASCII control characters but newline (signed-note §Format).
fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("text does not end with a newline"));
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("control character"));
    }
    Ok(())
}

/// The log's Ed25519 note signer (signature type 0x01).
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl NoteSigner {
    /// `seed` is the 32-byte Ed25519 secret from the deployment's key file;
    /// the caller supplies the randomness, so this module needs no RNG.
    pub fn new(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        if !is_valid_name(name) {
            return Err(NoteError::InvalidName);
        }
        Ok(Self { name: name.to_owned(), key: SigningKey::from_bytes(seed) })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        key_id(&self.name, SIG_TYPE_ED25519, self.key.verifying_key().as_bytes())
    }

    /// `name+hexhash+base64(0x01 ‖ pubkey)`, the form `sumdb/note.NewVerifier` parses.
    pub fn verifier_key_string(&self) -> String {
        vkey_string(&self.name, SIG_TYPE_ED25519, self.key.verifying_key().as_bytes())
    }

    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id(),
            sig_type: SIG_TYPE_ED25519,
            key: self.key.verifying_key(),
        }
    }

    /// One signature line `— name base64(keyid ‖ sig)\n` over `text`.
    pub fn signature_line(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        let sig = self.key.try_sign(text.as_bytes()).map_err(|_| NoteError::Signing)?;
        Ok(signature_line(&self.name, self.key_id(), &sig.to_bytes()))
    }

    /// The whole signed note: text, blank line, one signature line.
    pub fn sign_text(&self, text: &str) -> Result<String, NoteError> {
        let line = self.signature_line(text)?;
        Ok(format!("{text}\n{line}"))
    }
}

/// A witness's Ed25519 cosigning key (signature type 0x04, tlog-cosignature).
/// Kept apart from [`NoteSigner`] because the key ID and signed message differ.
pub struct Cosigner {
    name: String,
    key: SigningKey,
}

impl Cosigner {
    pub fn new(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        if !is_valid_name(name) {
            return Err(NoteError::InvalidName);
        }
        Ok(Self { name: name.to_owned(), key: SigningKey::from_bytes(seed) })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        key_id(&self.name, SIG_TYPE_COSIGNATURE_V1, self.key.verifying_key().as_bytes())
    }

    /// vkey with type byte 0x04, as tlog-cosignature §Format allows.
    pub fn verifier_key_string(&self) -> String {
        vkey_string(&self.name, SIG_TYPE_COSIGNATURE_V1, self.key.verifying_key().as_bytes())
    }

    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id(),
            sig_type: SIG_TYPE_COSIGNATURE_V1,
            key: self.key.verifying_key(),
        }
    }

    /// A `cosignature/v1` signature line over the checkpoint `text` (the note
    /// text, without signature lines) at `timestamp` (POSIX seconds).
    pub fn cosign(&self, text: &str, timestamp: u64) -> Result<String, NoteError> {
        check_text(text)?;
        if timestamp > i64::MAX as u64 {
            return Err(NoteError::Malformed("timestamp exceeds 2^63-1"));
        }
        let sig = self.key.try_sign(&cosigned_message(text, timestamp)).map_err(|_| NoteError::Signing)?;
        let mut raw = Vec::with_capacity(72);
        raw.extend_from_slice(&timestamp.to_be_bytes());
        raw.extend_from_slice(&sig.to_bytes());
        Ok(signature_line(&self.name, self.key_id(), &raw))
    }
}

/// tlog-cosignature §Ed25519 signed message: two header lines, then the
/// whole note text, so a cosignature can never be replayed as a log signature.
fn cosigned_message(text: &str, timestamp: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{text}").into_bytes()
}

/// A public key that may verify note signatures (type 0x01) or cosignatures
/// (0x04). Fields are private: every value was built from a key whose hash
/// was checked ([`NoteVerifier::parse`]) or from our own signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    sig_type: u8,
    key: VerifyingKey,
}

impl NoteVerifier {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// [`SIG_TYPE_ED25519`] (a log key) or [`SIG_TYPE_COSIGNATURE_V1`] (a witness key).
    pub fn sig_type(&self) -> u8 {
        self.sig_type
    }

    /// Parses `name+hexhash+base64(type ‖ key)`, recomputing the hash so a
    /// mistyped or substituted key is refused before it is ever used.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(hash), Some(material)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::BadVerifierKey("want name+hash+key"));
        };
        if !is_valid_name(name) {
            return Err(NoteError::BadVerifierKey("invalid name"));
        }
        if hash.len() != 8 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(NoteError::BadVerifierKey("key hash is not 8 hex digits"));
        }
        let id =
            u32::from_str_radix(hash, 16).map_err(|_| NoteError::BadVerifierKey("key hash is not 8 hex digits"))?;
        let raw = B64.decode(material).map_err(|_| NoteError::BadVerifierKey("key is not base64"))?;
        let (&sig_type, key_bytes) = raw.split_first().ok_or(NoteError::BadVerifierKey("empty key"))?;
        if sig_type != SIG_TYPE_ED25519 && sig_type != SIG_TYPE_COSIGNATURE_V1 {
            return Err(NoteError::BadVerifierKey("unsupported signature type"));
        }
        let key_bytes: &[u8; 32] =
            key_bytes.try_into().map_err(|_| NoteError::BadVerifierKey("Ed25519 key is not 32 bytes"))?;
        if key_id(name, sig_type, key_bytes) != id {
            return Err(NoteError::BadVerifierKey("key hash does not match key"));
        }
        let key = VerifyingKey::from_bytes(key_bytes).map_err(|_| NoteError::BadVerifierKey("not an Ed25519 point"))?;
        // A small-order key lets anyone forge signatures that verify for it.
        if key.is_weak() {
            return Err(NoteError::BadVerifierKey("small-order key"));
        }
        Ok(Self { name: name.to_owned(), key_id: id, sig_type, key })
    }

    /// The canonical `name+hash+base64` string of this key.
    pub fn to_key_string(&self) -> String {
        vkey_string(&self.name, self.sig_type, self.key.as_bytes())
    }

    /// Checks one raw signature (without the key ID) over `text`; returns the
    /// cosignature timestamp for type 0x04.
    fn check(&self, text: &str, sig: &[u8]) -> Result<Option<u64>, ()> {
        match self.sig_type {
            SIG_TYPE_ED25519 => {
                let sig = Signature::from_slice(sig).map_err(|_| ())?;
                self.key.verify_strict(text.as_bytes(), &sig).map_err(|_| ())?;
                Ok(None)
            }
            SIG_TYPE_COSIGNATURE_V1 => {
                let (ts, sig) = sig.split_first_chunk::<8>().ok_or(())?;
                let ts = u64::from_be_bytes(*ts);
                if ts > i64::MAX as u64 {
                    return Err(());
                }
                let sig = Signature::from_slice(sig).map_err(|_| ())?;
                let msg = cosigned_message(text, ts);
                self.key.verify_strict(&msg, &sig).map_err(|_| ())?;
                Ok(Some(ts))
            }
            _ => Err(()),
        }
    }
}

/// One signature line as parsed, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: u32,
    /// Signature bytes after the 4-byte key ID.
    pub sig: Vec<u8>,
}

/// A note split into its text and signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed text, including its final newline.
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

/// Splits a signed note per signed-note §Format (text, the last blank line,
/// then `— name base64` lines). Verifies nothing: the text MUST be ignored
/// until [`open_note`] has checked a trusted signature.
pub fn parse_note(msg: &str) -> Result<Note, NoteError> {
    if msg.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("control character"));
    }
    let split = msg.rfind("\n\n").ok_or(NoteError::Malformed("no blank line before signatures"))?;
    let (text, sigs) = (&msg[..split + 1], &msg[split + 2..]);
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::Malformed("signature block must end with a newline"));
    }
    let mut signatures = Vec::new();
    for line in sigs[..sigs.len() - 1].split('\n') {
        let rest = line.strip_prefix(SIG_PREFIX).ok_or(NoteError::Malformed("signature line without em dash"))?;
        let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed("signature line without signature"))?;
        if !is_valid_name(name) || b64.is_empty() {
            return Err(NoteError::Malformed("bad signature line"));
        }
        let raw = B64.decode(b64).map_err(|_| NoteError::Malformed("signature is not base64"))?;
        let Some((id, sig)) = raw.split_first_chunk::<4>() else {
            return Err(NoteError::Malformed("signature too short"));
        };
        if sig.is_empty() {
            return Err(NoteError::Malformed("signature too short"));
        }
        if signatures.len() == MAX_SIGNATURES {
            return Err(NoteError::Malformed("too many signatures"));
        }
        signatures.push(NoteSignature { name: name.to_owned(), key_id: u32::from_be_bytes(*id), sig: sig.to_vec() });
    }
    Ok(Note { text: text.to_owned(), signatures })
}

/// A signature that verified against a known key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    pub name: String,
    pub key_id: u32,
    /// `Some(t)` for a `cosignature/v1`: the witness's POSIX timestamp.
    pub timestamp: Option<u64>,
}

/// A note whose signatures from known keys all verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedNote {
    pub text: String,
    pub verified: Vec<VerifiedSignature>,
    /// Signatures from keys we do not know: ignored, as signed-note requires.
    pub unverified: Vec<NoteSignature>,
}

/// Verifies a note against `known` keys with the signed-note §Signatures rules
/// (as Go's `note.Open`): unknown keys are ignored, a repeated signature by
/// one key counts once, a known key's bad signature rejects the whole note,
/// and at least one known signature must verify.
pub fn open_note(msg: &str, known: &[NoteVerifier]) -> Result<OpenedNote, NoteError> {
    let note = parse_note(msg)?;
    let mut verified: Vec<VerifiedSignature> = Vec::new();
    let mut unverified: Vec<NoteSignature> = Vec::new();
    for s in note.signatures {
        let mut matching = known.iter().filter(|v| v.name == s.name && v.key_id == s.key_id);
        let Some(v) = matching.next() else {
            if !unverified.contains(&s) {
                unverified.push(s);
            }
            continue;
        };
        if matching.next().is_some() {
            return Err(NoteError::AmbiguousKey { name: s.name, key_id: s.key_id });
        }
        if verified.iter().any(|x| x.name == s.name && x.key_id == s.key_id) {
            continue;
        }
        let timestamp = v
            .check(&note.text, &s.sig)
            .map_err(|()| NoteError::InvalidSignature { name: s.name.clone(), key_id: s.key_id })?;
        verified.push(VerifiedSignature { name: s.name, key_id: s.key_id, timestamp });
    }
    if verified.is_empty() {
        return Err(NoteError::NoVerifiedSignature);
    }
    Ok(OpenedNote { text: note.text, verified, unverified })
}

/// A tree head as carried by a checkpoint (tlog-checkpoint §Note text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// Opaque extension lines; tlog-checkpoint does NOT RECOMMEND them and we
    /// emit none, but we parse them so others' checkpoints still verify.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// `origin\nsize\nbase64(root)\n` followed by any extension lines.
    pub fn body(&self) -> String {
        let mut s = format!("{}\n{}\n{}\n", self.origin, self.size, B64.encode(self.root));
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    fn validate(&self) -> Result<(), NoteError> {
        if self.origin.is_empty() || self.origin.contains('\n') {
            return Err(NoteError::BadCheckpoint("origin must be one non-empty line"));
        }
        if self.extensions.iter().any(|e| e.is_empty() || e.contains('\n')) {
            return Err(NoteError::BadCheckpoint("extension lines must be non-empty lines"));
        }
        check_text(&self.body())
    }

    /// Parses checkpoint note text (tlog-checkpoint §Note text): at least three
    /// non-empty lines; the size in decimal with no leading zeroes; the root as
    /// the canonical base64 of exactly 32 bytes.
    pub fn parse_body(text: &str) -> Result<Self, NoteError> {
        let body = text.strip_suffix('\n').ok_or(NoteError::BadCheckpoint("text does not end with a newline"))?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next()) else {
            return Err(NoteError::BadCheckpoint("fewer than three lines"));
        };
        if origin.is_empty() {
            return Err(NoteError::BadCheckpoint("empty origin"));
        }
        let digits_ok =
            !size.is_empty() && size.bytes().all(|b| b.is_ascii_digit()) && (size == "0" || !size.starts_with('0'));
        if !digits_ok {
            return Err(NoteError::BadCheckpoint("tree size is not a canonical decimal"));
        }
        let size: u64 = size.parse().map_err(|_| NoteError::BadCheckpoint("tree size out of range"))?;
        let root_bytes = B64.decode(root).map_err(|_| NoteError::BadCheckpoint("root hash is not base64"))?;
        let root: Hash = root_bytes.try_into().map_err(|_| NoteError::BadCheckpoint("root hash is not 32 bytes"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(NoteError::BadCheckpoint("empty extension line"));
        }
        Ok(Self { origin: origin.to_owned(), size, root, extensions })
    }
}

/// The complete signed checkpoint note, ready to serve as `text/plain`.
pub fn sign_checkpoint(signer: &NoteSigner, cp: &Checkpoint) -> Result<String, NoteError> {
    cp.validate()?;
    signer.sign_text(&cp.body())
}

/// Verifies a checkpoint note against `known` keys; returns it with the names
/// of the keys whose signatures verified (note signers and cosigners alike).
pub fn verify_note(msg: &str, known: &[NoteVerifier]) -> Result<(Checkpoint, Vec<String>), NoteError> {
    let opened = open_note(msg, known)?;
    let cp = Checkpoint::parse_body(&opened.text)?;
    Ok((cp, opened.verified.into_iter().map(|v| v.name).collect()))
}

/// A checkpoint verified against the log key, with the cosignatures of the
/// given witnesses that verified (name, timestamp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    pub checkpoint: Checkpoint,
    /// The exact note text the log signed (what a witness cosigns).
    pub text: String,
    pub cosignatures: Vec<(String, u64)>,
}

/// Verifies `note` (plus detached cosignature lines, as the store keeps them)
/// and requires the log's own signature: a checkpoint carried only by witness
/// cosignatures is not a statement by the log.
pub fn verify_checkpoint(
    note: &str,
    extra_lines: &[String],
    log: &NoteVerifier,
    witnesses: &[NoteVerifier],
) -> Result<VerifiedCheckpoint, NoteError> {
    let mut msg = note.to_owned();
    for l in extra_lines {
        msg.push_str(l);
        if !l.ends_with('\n') {
            msg.push('\n');
        }
    }
    let mut known = Vec::with_capacity(witnesses.len() + 1);
    known.push(log.clone());
    known.extend(witnesses.iter().filter(|w| w.sig_type == SIG_TYPE_COSIGNATURE_V1).cloned());
    let opened = open_note(&msg, &known)?;
    let mut signed_by_log = false;
    let mut cosignatures = Vec::new();
    for v in opened.verified {
        match v.timestamp {
            None if v.name == log.name && v.key_id == log.key_id => signed_by_log = true,
            Some(ts) => cosignatures.push((v.name, ts)),
            None => {}
        }
    }
    if !signed_by_log {
        return Err(NoteError::MissingSignature { name: log.name.clone() });
    }
    Ok(VerifiedCheckpoint { checkpoint: Checkpoint::parse_body(&opened.text)?, text: opened.text, cosignatures })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors published in golang.org/x/mod/sumdb/note (note_test.go).
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter_signer() -> NoteSigner {
        // Go's private key string: PRIVATE+KEY+name+hash+base64(0x01 ‖ seed).
        // The base64 itself may contain '+', hence splitn.
        let b64 = PETER_SKEY.splitn(5, '+').nth(4).expect("key");
        let raw = B64.decode(b64).expect("base64");
        assert_eq!(raw[0], SIG_TYPE_ED25519);
        let seed: [u8; 32] = raw[1..].try_into().expect("32 bytes");
        NoteSigner::new("PeterNeumann", &seed).expect("signer")
    }

    fn peter() -> NoteVerifier {
        NoteVerifier::parse(PETER_VKEY).expect("peter")
    }

    fn enoch() -> NoteVerifier {
        NoteVerifier::parse(ENOCH_VKEY).expect("enoch")
    }

    #[test]
    fn reproduces_go_sumdb_note_byte_for_byte() {
        let signer = peter_signer();
        assert_eq!(signer.verifier_key_string(), PETER_VKEY);
        assert_eq!(signer.key_id(), 0xc74f20a3);
        let msg = signer.sign_text(TEXT).expect("sign");
        assert_eq!(msg, format!("{TEXT}\n{PETER_SIG}"));
        assert_eq!(peter().to_key_string(), PETER_VKEY);
    }

    #[test]
    fn verifier_key_manglings_are_refused() {
        // As Go's TestNewVerifier: every proper substring and every
        // single-byte change of a valid key must be refused.
        let b = PETER_VKEY.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if (i != 0 || j != b.len())
                    && let Ok(s) = std::str::from_utf8(&b[i..j])
                {
                    assert!(NoteVerifier::parse(s).is_err(), "{s}");
                }
            }
        }
        for i in 0..b.len() {
            let mut m = b.to_vec();
            m[i] += 1;
            if let Ok(s) = std::str::from_utf8(&m) {
                assert!(NoteVerifier::parse(s).is_err(), "{s}");
            }
        }
        // Right name and hash but the key material of another key.
        assert!(NoteVerifier::parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
    }

    #[test]
    fn open_follows_go_semantics() {
        let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        let n = open_note(&both, &[peter()]).expect("one known");
        assert_eq!(n.text, TEXT);
        assert_eq!(n.verified.len(), 1);
        assert_eq!(n.verified[0].name, "PeterNeumann");
        assert_eq!(n.unverified.len(), 1);
        assert_eq!(n.unverified[0].key_id, 0xaf0cfe78);

        let n = open_note(&both, &[peter(), enoch()]).expect("both known");
        assert_eq!(n.verified.len(), 2);
        assert!(n.unverified.is_empty());

        assert_eq!(open_note(&both, &[]), Err(NoteError::NoVerifiedSignature));

        let enoch_only = format!("{TEXT}\n{ENOCH_SIG}");
        assert!(matches!(open_note(&enoch_only, &[enoch(), peter(), enoch()]), Err(NoteError::AmbiguousKey { .. })));
        let peter_only = format!("{TEXT}\n{PETER_SIG}");
        assert!(open_note(&peter_only, &[enoch(), peter(), enoch()]).is_ok());

        let many = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
        assert!(matches!(open_note(&many, &[peter()]), Err(NoteError::Malformed(_))));
        assert!(matches!(open_note(&many, &[]), Err(NoteError::Malformed(_))));
        let hundred = format!("{TEXT}\n{}", PETER_SIG.repeat(100));
        assert_eq!(open_note(&hundred, &[peter()]).expect("dups").verified.len(), 1);

        let (a, b) = PETER_SIG.split_at(60);
        let bad = format!("{TEXT}\n{a}ABCD{b}");
        assert!(matches!(open_note(&bad, &[peter()]), Err(NoteError::InvalidSignature { .. })));

        let (a, b) = ENOCH_SIG.split_at(60);
        let dup = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{a}ABCD{b}");
        let n = open_note(&dup, &[peter()]).expect("dups ignored");
        assert_eq!(n.verified.len(), 1);
        assert_eq!(n.unverified.len(), 2);

        // Changing one character of the text breaks the signature.
        let altered = format!("{}\n{PETER_SIG}", TEXT.replace("cryptography", "cryptographY"));
        assert!(matches!(open_note(&altered, &[peter()]), Err(NoteError::InvalidSignature { .. })));
    }

    #[test]
    fn malformed_notes_are_refused() {
        let bad = [
            TEXT.to_owned(),
            format!("{TEXT}\n"),
            format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
            format!("\x01{TEXT}\n{PETER_SIG}"),
            format!(
                "{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            ),
            format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
            format!("{TEXT}\n- PeterNeumann x08go/ZJku\n"),
            format!("{TEXT}\n\u{2014} PeterNeumann \n"),
            format!("{TEXT}\n\u{2014} PeterNeumann AAAA\n"),
            format!("{TEXT}\n\u{2014} PeterNeumann !!!!\n"),
        ];
        for msg in bad {
            assert!(matches!(open_note(&msg, &[peter()]), Err(NoteError::Malformed(_))), "{msg:?}");
        }
    }

    fn log_signer() -> NoteSigner {
        NoteSigner::new("huanjie.example/log", &[7; 32]).expect("signer")
    }

    fn checkpoint(size: u64) -> Checkpoint {
        Checkpoint { origin: "huanjie.example/elections/42".into(), size, root: [size as u8; 32], extensions: vec![] }
    }

    #[test]
    fn checkpoint_round_trip() {
        let signer = log_signer();
        let cp = checkpoint(20852163);
        let note = sign_checkpoint(&signer, &cp).expect("sign");
        assert!(note.starts_with("huanjie.example/elections/42\n20852163\n"));
        assert!(note.contains("\n\n\u{2014} huanjie.example/log "));
        let log = NoteVerifier::parse(&signer.verifier_key_string()).expect("vkey");
        let (got, names) = verify_note(&note, std::slice::from_ref(&log)).expect("verify");
        assert_eq!(got, cp);
        assert_eq!(names, vec!["huanjie.example/log".to_owned()]);
        let other = NoteSigner::new("huanjie.example/log", &[8; 32]).expect("signer");
        assert_eq!(verify_note(&note, &[other.verifier()]), Err(NoteError::NoVerifiedSignature));
        let tampered = note.replacen("20852163", "20852164", 1);
        assert!(matches!(verify_note(&tampered, &[log]), Err(NoteError::InvalidSignature { .. })));
    }

    #[test]
    fn checkpoint_body_rules() {
        let root = B64.encode([1u8; 32]);
        assert!(Checkpoint::parse_body(&format!("o\n5\n{root}\n")).is_ok());
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n5\n{root}\next\n")).expect("ext").extensions,
            vec!["ext".to_owned()]
        );
        let short = B64.encode([1u8; 31]);
        // Non-canonical base64 (non-zero padding bits) would let two texts
        // carry one root; refuse it.
        let loose = root.replace("AQE=", "AQF=");
        assert_ne!(loose, root);
        for bad in [
            format!("o\n05\n{root}\n"),
            format!("o\n-5\n{root}\n"),
            format!("o\n+5\n{root}\n"),
            format!("o\n\n{root}\n"),
            format!("\n5\n{root}\n"),
            format!("o\n5\n{short}\n"),
            format!("o\n5\n{loose}\n"),
            format!("o\n5\n{root}"),
            format!("o\n5\n{root}\n\n"),
            "o\n5\n".to_owned(),
            format!("o\n18446744073709551616\n{root}\n"),
        ] {
            assert!(Checkpoint::parse_body(&bad).is_err(), "{bad:?}");
        }
        assert!(Checkpoint::parse_body(&format!("o\n0\n{root}\n")).is_ok());
        let mut cp = checkpoint(1);
        cp.origin = String::new();
        assert!(sign_checkpoint(&log_signer(), &cp).is_err());
        cp.origin = "a\nb".into();
        assert!(sign_checkpoint(&log_signer(), &cp).is_err());
    }

    #[test]
    fn cosigned_message_matches_spec_example() {
        // tlog-cosignature §Ed25519 signed message, literally.
        let text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(
            cosigned_message(text, 1679315147),
            b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn cosignatures_verify_and_count() {
        let signer = log_signer();
        let cp = checkpoint(3);
        let note = sign_checkpoint(&signer, &cp).expect("sign");
        let w1 = Cosigner::new("witness.example/w1", &[1; 32]).expect("w1");
        let w2 = Cosigner::new("witness.example/w2", &[2; 32]).expect("w2");
        let line1 = w1.cosign(&cp.body(), 1_700_000_000).expect("cosign");
        let line2 = w2.cosign(&cp.body(), 1_700_000_001).expect("cosign");
        let raw = B64.decode(line1.trim_end().rsplit(' ').next().expect("b64")).expect("base64");
        assert_eq!(raw.len(), 4 + 8 + 64);
        assert_eq!(&raw[4..12], &1_700_000_000u64.to_be_bytes());
        let w1v = NoteVerifier::parse(&w1.verifier_key_string()).expect("w1 vkey");
        assert_eq!(w1v.sig_type, SIG_TYPE_COSIGNATURE_V1);
        let log = signer.verifier();

        let v = verify_checkpoint(&note, &[line1.clone(), line2.clone()], &log, std::slice::from_ref(&w1v))
            .expect("verify");
        assert_eq!(v.checkpoint, cp);
        assert_eq!(v.cosignatures, vec![("witness.example/w1".to_owned(), 1_700_000_000)]);
        let v = verify_checkpoint(&note, &[line1.clone(), line2], &log, &[w1v.clone(), w2.verifier()]).expect("verify");
        assert_eq!(v.cosignatures.len(), 2);

        // A cosignature alone is not the log's statement.
        let only_witness = format!("{}\n{line1}", cp.body());
        assert!(matches!(
            verify_checkpoint(&only_witness, &[], &log, std::slice::from_ref(&w1v)),
            Err(NoteError::MissingSignature { .. })
        ));
        // A cosignature over another checkpoint, or with a changed timestamp, fails.
        let other = w1.cosign(&checkpoint(4).body(), 1_700_000_000).expect("cosign");
        assert!(matches!(
            verify_checkpoint(&note, &[other], &log, std::slice::from_ref(&w1v)),
            Err(NoteError::InvalidSignature { .. })
        ));
        let mut raw = raw;
        raw[11] ^= 1;
        let shifted = format!("\u{2014} witness.example/w1 {}\n", B64.encode(&raw));
        assert!(matches!(verify_checkpoint(&note, &[shifted], &log, &[w1v]), Err(NoteError::InvalidSignature { .. })));
        // The same key as a plain note signer has another key ID, so a
        // cosignature can never be taken for a log signature.
        let as_log = NoteSigner::new("witness.example/w1", &[1; 32]).expect("signer");
        assert_ne!(as_log.key_id(), w1.key_id());
    }
}
