//! Voter credentials (docs/e2e.md §5): from the secret code on a voter's card the device
//! derives two unrelated values — the sign-in token, all it ever sends the server (stored there
//! only as a keyed hash), and an Ed25519 signing key (RFC 8032) whose public half is the
//! credential published, shuffled and without names, with the voter list. A ballot is signed
//! with it, so the box can hold only ballots of listed credentials, one each.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::Error;
use crate::hash::Hasher;

/// The code as printed, normalised: ASCII letters upper-cased, spaces and hyphens dropped.
pub fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| !matches!(c, ' ' | '-')).map(|c| c.to_ascii_uppercase()).collect()
}

#[derive(Clone)]
pub struct Credential {
    key: SigningKey,
}

impl Credential {
    /// `seed = SHA-512 framed("credential-key", election, code)[..32]`.
    pub fn derive(election: &[u8], code: &str) -> Credential {
        let seed = Hasher::new("credential-key").bytes(election).bytes(normalise_code(code).as_bytes()).finish32();
        Credential { key: SigningKey::from_bytes(&seed) }
    }

    /// The credential: the Ed25519 public key, 32 bytes.
    pub fn public(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// `SHA-512 framed("sign-in-token", election, code)[..32]`: what the device sends to sign in.
pub fn sign_in_token(election: &[u8], code: &str) -> [u8; 32] {
    Hasher::new("sign-in-token").bytes(election).bytes(normalise_code(code).as_bytes()).finish32()
}

/// Strict Ed25519 verification (no small-order keys, canonical signatures).
pub fn verify_signature(credential: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> Result<(), Error> {
    let key = VerifyingKey::from_bytes(credential).map_err(|_| Error::Encoding("credential"))?;
    key.verify_strict(message, &Signature::from_bytes(signature)).map_err(|_| Error::Signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_and_the_key_differ_per_election_and_code_and_ignore_spacing() {
        let a = Credential::derive(b"e1", "ab12-cd34");
        assert_eq!(a.public(), Credential::derive(b"e1", "AB12 CD34").public());
        assert_ne!(a.public(), Credential::derive(b"e2", "AB12CD34").public());
        assert_ne!(a.public(), Credential::derive(b"e1", "AB12CD35").public());
        assert_ne!(sign_in_token(b"e1", "AB12CD34")[..], a.public()[..]);
        let sig = a.sign(b"ballot");
        assert!(verify_signature(&a.public(), b"ballot", &sig).is_ok());
        assert!(verify_signature(&a.public(), b"ballot!", &sig).is_err());
    }
}
