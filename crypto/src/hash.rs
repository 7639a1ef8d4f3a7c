//! Domain-separated hashing: every hash in the protocol is SHA-512 over a framed list of inputs.
//!
//! Framing (docs/e2e.md §2): `SHA-512( frame("huanjie-e2e-v1") || frame(label) || frame(x1) || … )`
//! where `frame(x) = u64_be(len(x)) || x`. Every input is length-prefixed, so no two different
//! input lists hash the same bytes, and the label separates every use (Fiat–Shamir challenges,
//! generators, pads, trackers). A challenge hashes the whole statement — every public input of the
//! proof, not only its commitments (Bernhard, Pereira and Warinschi, "How not to prove yourself",
//! ASIACRYPT 2012) — and is reduced to a scalar with `Scalar::from_bytes_mod_order_wide`.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

/// The protocol's name and version, the first framed input of every hash.
pub const PROTOCOL: &[u8] = b"huanjie-e2e-v1";

/// A framed SHA-512 under one label.
#[derive(Clone)]
pub struct Hasher(Sha512);

impl Hasher {
    pub fn new(label: &str) -> Self {
        let mut h = Hasher(Sha512::new());
        h.put(PROTOCOL);
        h.put(label.as_bytes());
        h
    }

    fn put(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_be_bytes());
        self.0.update(bytes);
    }

    /// One framed input.
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        self.put(bytes);
        self
    }

    /// A number as its 8 big-endian bytes (framed).
    pub fn u64(self, x: u64) -> Self {
        self.bytes(&x.to_be_bytes())
    }

    /// A group element as its 32-byte Ristretto encoding (framed).
    pub fn point(self, p: &RistrettoPoint) -> Self {
        self.bytes(p.compress().as_bytes())
    }

    /// A scalar as its 32-byte canonical little-endian encoding (framed).
    pub fn scalar(self, s: &Scalar) -> Self {
        self.bytes(s.as_bytes())
    }

    /// A list: its length (u64), then each element as a point.
    pub fn points<'a>(self, ps: impl ExactSizeIterator<Item = &'a RistrettoPoint>) -> Self {
        let mut h = self.u64(ps.len() as u64);
        for p in ps {
            h = h.point(p);
        }
        h
    }

    pub fn finish(self) -> [u8; 64] {
        self.0.finalize().into()
    }

    /// The first 32 bytes of the digest (trackers, fingerprints).
    pub fn finish32(self) -> [u8; 32] {
        let full = self.finish();
        let mut out = [0u8; 32];
        out.copy_from_slice(&full[..32]);
        out
    }

    /// The digest reduced mod ℓ: a Fiat–Shamir challenge.
    pub fn challenge(self) -> Scalar {
        Scalar::from_bytes_mod_order_wide(&self.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_separates_inputs_that_concatenate_alike() {
        let a = Hasher::new("t").bytes(b"ab").bytes(b"c").finish();
        let b = Hasher::new("t").bytes(b"a").bytes(b"bc").finish();
        assert_ne!(a, b);
        assert_ne!(Hasher::new("t").finish(), Hasher::new("u").finish());
    }
}
