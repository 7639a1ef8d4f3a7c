//! Exponential ElGamal on Ristretto255 (ElGamal 1985; "in the exponent" as in Cramer, Gennaro and
//! Schoenmakers 1997): a small integer m under the election key Y = xG is `(a, b) = (rG, mG + rY)`.
//! Ciphertexts multiply into the sum of their plaintexts and re-randomise into unlinkable
//! ciphertexts of the same plaintext (the shuffle, docs/e2e.md §6). Decryption yields mG; the
//! [`DlogTable`] turns that back into m when m < 2^20, and a plaintext outside that range is
//! simply not decodable — an invalid ballot for the count, never a verification failure.

use std::collections::HashMap;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

use crate::Error;
use crate::group::{G, decode_point, encode_point, mul_g};

/// An ElGamal ciphertext `(a, b)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ciphertext {
    pub a: RistrettoPoint,
    pub b: RistrettoPoint,
}

impl Ciphertext {
    /// `(rG, mG + rY)`.
    pub fn encrypt(key: &RistrettoPoint, m: u32, r: &Scalar) -> Ciphertext {
        Ciphertext { a: mul_g(r), b: mul_g(&Scalar::from(m)) + key * r }
    }

    /// The same plaintext under fresh randomness: `(a + sG, b + sY)`.
    pub fn rerandomise(&self, key: &RistrettoPoint, s: &Scalar) -> Ciphertext {
        Ciphertext { a: self.a + mul_g(s), b: self.b + key * s }
    }

    /// mG, given the whole secret key (tests, and the sum of the trustees' shares in docs/e2e.md §7).
    pub fn decrypt_point(&self, secret: &Scalar) -> RistrettoPoint {
        self.b - self.a * secret
    }

    /// 64 bytes: `a || b`.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&encode_point(&self.a));
        out[32..].copy_from_slice(&encode_point(&self.b));
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Ciphertext, Error> {
        if bytes.len() != 64 {
            return Err(Error::Encoding("ciphertext"));
        }
        Ok(Ciphertext { a: decode_point(&bytes[..32], "ciphertext")?, b: decode_point(&bytes[32..], "ciphertext")? })
    }
}

/// The largest plaintext a [`DlogTable`] decodes is `RANGE - 1`.
pub const RANGE: u32 = 1 << 20;
const BABY: u32 = 1 << 12;
const GIANTS: u32 = RANGE / BABY;

/// Baby-step giant-step decoding of mG for m in [0, 2^20): 4,096 baby steps (a table of their
/// encodings) and at most 256 giant steps. Small plaintexts (marks on a post) are found on the
/// first giant step.
pub struct DlogTable {
    baby: HashMap<[u8; 32], u32>,
    giant: RistrettoPoint,
}

impl Default for DlogTable {
    fn default() -> Self {
        Self::new()
    }
}

impl DlogTable {
    pub fn new() -> DlogTable {
        let mut baby = HashMap::with_capacity(BABY as usize);
        let mut p = RistrettoPoint::identity();
        for i in 0..BABY {
            baby.insert(encode_point(&p), i);
            p += G;
        }
        DlogTable { baby, giant: -(mul_g(&Scalar::from(BABY))) }
    }

    /// m with `point = mG`, if m < 2^20.
    pub fn decode(&self, point: &RistrettoPoint) -> Option<u32> {
        let mut p = *point;
        for j in 0..GIANTS {
            if let Some(i) = self.baby.get(&encode_point(&p)) {
                return Some(j * BABY + i);
            }
            p += self.giant;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drbg::Drbg;
    use crate::group::random_scalar;

    #[test]
    fn decrypts_sums_and_rerandomisations_and_decodes_the_range_edges() {
        let mut rng = Drbg::new(b"elgamal");
        let x = random_scalar(&mut rng);
        let y = mul_g(&x);
        let table = DlogTable::new();
        for m in [0u32, 1, 5, BABY - 1, BABY, 70_001, RANGE - 1] {
            let c = Ciphertext::encrypt(&y, m, &random_scalar(&mut rng));
            assert_eq!(table.decode(&c.decrypt_point(&x)), Some(m), "m = {m}");
            let c2 = c.rerandomise(&y, &random_scalar(&mut rng));
            assert_ne!(c2, c);
            assert_eq!(table.decode(&c2.decrypt_point(&x)), Some(m));
            assert_eq!(Ciphertext::from_bytes(&c.to_bytes()).ok(), Some(c));
        }
        // 2^20 is outside the range: not decodable (an invalid ballot, not an error).
        let c = Ciphertext::encrypt(&y, RANGE, &random_scalar(&mut rng));
        assert_eq!(table.decode(&c.decrypt_point(&x)), None);
    }
}
