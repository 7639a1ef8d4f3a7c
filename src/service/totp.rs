//! Time-based one-time passwords for staff (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps,
//! one step of clock drift either way), the encryption of the stored secret, and the
//! single-use recovery codes. Pure functions; the sign-in flow is in `service::signin`.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

pub const STEP_MS: i64 = 30_000;
pub const DIGITS: u32 = 6;
/// Recovery codes handed out at each enrolment.
pub const RECOVERY_CODES: usize = 10;
const SECRET_LEN: usize = 20;
const NONCE_LEN: usize = 16;
const TAG_LEN: usize = 32;

/// RFC 4226 HOTP with `digits` digits (dynamic truncation of HMAC-SHA1 over the counter).
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else { return u32::MAX };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[off] & 0x7f, h[off + 1], h[off + 2], h[off + 3]]);
    bin % 10u32.pow(digits)
}

/// The 30-second step an instant (epoch milliseconds) falls in.
pub fn step_of(now_ms: i64) -> i64 {
    now_ms.div_euclid(STEP_MS)
}

/// The six-digit code of a step, zero-padded.
pub fn code_for_step(secret: &[u8], step: i64) -> String {
    format!("{:06}", hotp(secret, step.max(0) as u64, DIGITS))
}

/// The code an authenticator app shows at `now_ms`.
pub fn code_at(secret: &[u8], now_ms: i64) -> String {
    code_for_step(secret, step_of(now_ms))
}

/// The step whose code `code` is, among the current step and one either side; compared in
/// constant time. The caller refuses a step at or before the last one accepted (no replay).
pub fn matching_step(secret: &[u8], code: &str, now_ms: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(now_ms);
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        if crate::secrets::same_token(&code_for_step(secret, step), code) {
            found = Some(step);
        }
    }
    found
}

/// A fresh 160-bit secret (RFC 4226's recommended length).
pub fn new_secret() -> Vec<u8> {
    rand::random::<[u8; SECRET_LEN]>().to_vec()
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(B32[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(B32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The otpauth:// URI an authenticator app scans (Google Authenticator's key-URI format).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let label = crate::net::urlencode(&format!("{issuer}:{account}"));
    let issuer = crate::net::urlencode(issuer);
    format!("otpauth://totp/{label}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period=30", base32(secret))
}

fn keyed(key: &[u8], label: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return [0; 32] };
    mac.update(label);
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Encrypts a secret for storage: a keystream and a tag from HMAC-SHA-256 under keys derived
/// from the session key (encrypt-then-MAC; a 16-byte random nonce per secret). Whoever reads
/// the database without the session key learns nothing of the secret.
pub fn seal(session_key: &[u8], secret: &[u8]) -> Vec<u8> {
    let nonce: [u8; NONCE_LEN] = rand::random();
    let stream = keyed(session_key, b"huanjie totp stream\0", &[&nonce]);
    let mut out = nonce.to_vec();
    out.extend(secret.iter().zip(stream.iter()).map(|(s, k)| s ^ k));
    let tag = keyed(session_key, b"huanjie totp tag\0", &[&out]);
    out.extend_from_slice(&tag);
    out
}

/// The secret back from [`seal`], or None if the blob was changed or the key is another.
pub fn open(session_key: &[u8], blob: &[u8]) -> Option<Vec<u8>> {
    if blob.len() != NONCE_LEN + SECRET_LEN + TAG_LEN {
        return None;
    }
    let (body, tag) = blob.split_at(NONCE_LEN + SECRET_LEN);
    let want = keyed(session_key, b"huanjie totp tag\0", &[body]);
    if !crate::secrets::same_token(&hex::encode(want), &hex::encode(tag)) {
        return None;
    }
    let (nonce, ct) = body.split_at(NONCE_LEN);
    let stream = keyed(session_key, b"huanjie totp stream\0", &[nonce]);
    Some(ct.iter().zip(stream.iter()).map(|(c, k)| c ^ k).collect())
}

/// A recovery code: 12 base32 characters (60 bits) shown as `abcd-efgh-ijkm`.
pub fn new_recovery_code() -> String {
    let raw = base32(&rand::random::<[u8; 8]>()).to_lowercase();
    format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
}

/// How a typed recovery code is compared: case, spaces and dashes do not matter.
pub fn normalize_recovery(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Recovery codes are high-entropy, so a keyed hash suffices (like voting codes, not argon2).
pub fn recovery_hash(session_key: &[u8], code: &str) -> Vec<u8> {
    keyed(session_key, b"huanjie recovery code\0", &[normalize_recovery(code).as_bytes()]).to_vec()
}

/// The otpauth URI as an inline SVG QR code (empty if it would not fit, never for our URIs).
pub fn qr_svg(uri: &str) -> String {
    crate::report::qr::svg(uri, 220).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, the SHA-1 rows (8 digits, T0 = 0, X = 30 s).
    #[test]
    fn rfc6238_appendix_b_sha1() {
        let secret = b"12345678901234567890";
        for (t, want) in [
            (59i64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(secret, (t / 30) as u64, 8), want, "T = {t}");
            // The six-digit code is the last six digits of the same truncation.
            assert_eq!(code_at(secret, t * 1000), format!("{:06}", want % 1_000_000), "T = {t}");
        }
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111_000;
        let s = step_of(now);
        assert_eq!(matching_step(secret, &code_for_step(secret, s), now), Some(s));
        assert_eq!(matching_step(secret, &code_for_step(secret, s - 1), now), Some(s - 1));
        assert_eq!(matching_step(secret, &code_for_step(secret, s + 1), now), Some(s + 1));
        assert_eq!(matching_step(secret, &code_for_step(secret, s - 2), now), None);
        assert_eq!(matching_step(secret, "12345", now), None);
        assert_eq!(matching_step(secret, "abcdef", now), None);
    }

    #[test]
    fn base32_rfc4648_vectors() {
        for (input, want) in [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foobar", "MZXW6YTBOI")] {
            assert_eq!(base32(input.as_bytes()), want);
        }
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn sealed_secrets_open_only_with_the_key_and_unchanged() {
        let key = [7u8; 32];
        let secret = new_secret();
        let blob = seal(&key, &secret);
        assert_eq!(open(&key, &blob), Some(secret.clone()));
        assert!(!blob.windows(secret.len()).any(|w| w == secret.as_slice()), "stored in the clear");
        assert_eq!(open(&[8u8; 32], &blob), None);
        let mut bad = blob.clone();
        bad[NONCE_LEN] ^= 1;
        assert_eq!(open(&key, &bad), None);
    }

    #[test]
    fn recovery_codes_compare_loosely_and_differ() {
        let c = new_recovery_code();
        assert_eq!(c.len(), 14);
        assert_eq!(recovery_hash(&[1; 32], &c), recovery_hash(&[1; 32], &c.to_uppercase().replace('-', " ")));
        assert_ne!(c, new_recovery_code());
    }

    #[test]
    fn otpauth_uri_names_issuer_account_and_secret() {
        let u = otpauth_uri("Huanjie", "admin", b"12345678901234567890");
        assert!(u.starts_with("otpauth://totp/Huanjie%3Aadmin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Huanjie"));
    }
}
