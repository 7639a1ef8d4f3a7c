//! Huanjie's end-to-end verifiable ballot cryptography (issue 18), specified byte by byte in
//! `docs/e2e.md`. Pure: no I/O, no clock, randomness passed in, so it builds for WebAssembly
//! (the voter's device, part 2) as well as for the server and `huanjie verify`.
//!
//! - [`group`]: Ristretto255 (RFC 9496), canonical encodings, hash-to-group generators;
//! - [`hash`]: framed, domain-separated SHA-512 and Fiat–Shamir challenges;
//! - [`elgamal`]: exponential ElGamal and the decoding table;
//! - [`proofs`]: Schnorr, Chaum–Pedersen, the ballot's encryption proof, batch verification;
//! - [`dkg`]: the trustees' key ceremony (Pedersen DKG, Feldman VSS, public disputes) and
//!   threshold decryption;
//! - [`credential`]: the voter's sign-in token and credential key from the card's code;
//! - [`ballot`]: the ballot shape, plaintext encoding, bytes, signature and tracker;
//! - [`shuffle`]: the Terelius–Wikström proof of a re-encryption shuffle of ballot rows;
//! - [`drbg`]: a deterministic generator for test vectors.

pub mod ballot;
pub mod credential;
pub mod dkg;
pub mod drbg;
pub mod elgamal;
pub mod group;
pub mod hash;
pub mod proofs;
pub mod shuffle;

pub use curve25519_dalek::ristretto::RistrettoPoint;
pub use curve25519_dalek::scalar::Scalar;

/// Why a value or a proof was refused; each names the part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Bytes that are not a canonical encoding of the named part.
    Encoding(&'static str),
    /// A proof that does not hold.
    Proof(&'static str),
    /// A signature that does not verify under the ballot's credential.
    Signature,
    /// A ballot that does not fit the paper's shape.
    Shape(&'static str),
    /// A key-ceremony step out of its rules.
    Ceremony(&'static str),
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Encoding(what) => write!(f, "not a canonical encoding: {what}"),
            Error::Proof(what) => write!(f, "proof failed: {what}"),
            Error::Signature => write!(f, "the credential's signature does not verify"),
            Error::Shape(what) => write!(f, "ballot shape: {what}"),
            Error::Ceremony(what) => write!(f, "key ceremony: {what}"),
        }
    }
}

impl std::error::Error for Error {}
