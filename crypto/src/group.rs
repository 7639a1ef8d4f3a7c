//! The group: Ristretto255 (RFC 9496) over Curve25519, prime order ℓ = 2^252 + 277…493.
//!
//! Elements travel as their 32-byte canonical Ristretto encoding, scalars as 32 canonical
//! little-endian bytes (docs/e2e.md §1); both decoders refuse non-canonical bytes, so one value
//! has one encoding and a record cannot carry two spellings of one ballot.

use curve25519_dalek::constants::{RISTRETTO_BASEPOINT_POINT, RISTRETTO_BASEPOINT_TABLE};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;

use crate::Error;
use crate::hash::Hasher;

/// The base point G of RFC 9496.
pub const G: RistrettoPoint = RISTRETTO_BASEPOINT_POINT;

/// s·G with the precomputed base-point table (several times faster than a variable-base product).
pub fn mul_g(s: &Scalar) -> RistrettoPoint {
    s * RISTRETTO_BASEPOINT_TABLE
}

pub fn encode_point(p: &RistrettoPoint) -> [u8; 32] {
    p.compress().to_bytes()
}

pub fn decode_point(bytes: &[u8], what: &'static str) -> Result<RistrettoPoint, Error> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| Error::Encoding(what))?;
    CompressedRistretto(arr).decompress().ok_or(Error::Encoding(what))
}

pub fn decode_scalar(bytes: &[u8], what: &'static str) -> Result<Scalar, Error> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| Error::Encoding(what))?;
    Option::<Scalar>::from(Scalar::from_canonical_bytes(arr)).ok_or(Error::Encoding(what))
}

/// An independent generator: `from_uniform_bytes(SHA-512 framed("generator", label, election, index))`
/// (RFC 9496 §4.3.4 one-way map). Nobody knows its discrete logarithm to G or to any other
/// generator, unlike generators made as known powers of the base point (the trapdoor found in
/// the Swiss Post / Scytl mix-net in 2019).
pub fn generator(label: &str, election: &[u8], index: u64) -> RistrettoPoint {
    let wide = Hasher::new("generator").bytes(label.as_bytes()).bytes(election).u64(index).finish();
    RistrettoPoint::from_uniform_bytes(&wide)
}

/// A uniformly random scalar from 64 bytes of `rng` (reduced mod ℓ, bias below 2^-250).
pub fn random_scalar<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Scalar {
    let mut wide = [0u8; 64];
    rng.fill_bytes(&mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_canonical_encodings_are_refused() {
        // ℓ itself is not a canonical scalar.
        let ell = Scalar::ZERO - Scalar::ONE;
        let mut bytes = ell.to_bytes();
        bytes[0] = bytes[0].wrapping_add(1);
        assert!(decode_scalar(&bytes, "s").is_err());
        // 0xff…ff is not a Ristretto encoding.
        assert!(decode_point(&[0xff; 32], "p").is_err());
        assert!(decode_point(&[0u8; 31], "p").is_err());
        let p = G * Scalar::from(7u64);
        assert_eq!(decode_point(&encode_point(&p), "p").ok(), Some(p));
    }

    #[test]
    fn generators_are_distinct_per_label_election_and_index() {
        let a = generator("shuffle", b"e1", 0);
        assert_ne!(a, generator("shuffle", b"e1", 1));
        assert_ne!(a, generator("shuffle", b"e2", 0));
        assert_ne!(a, generator("other", b"e1", 0));
        assert_ne!(a, G);
    }
}
