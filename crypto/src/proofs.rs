//! Sigma protocols made non-interactive with Fiat–Shamir over the whole statement
//! (docs/e2e.md §3). Each proof is sent in commitment form `(T…, z)` so that many proofs can be
//! checked at once with one multiscalar multiplication (random linear combination, Bellare,
//! Garay and Rabin 1998); a failing batch is split to name the bad one.
//!
//! - [`DlogProof`]: Schnorr (1991) proof of knowledge of x with Y = xG.
//! - [`DleqProof`]: Chaum–Pedersen (1992) proof that log_G(Y) = log_A(D), used for decryption
//!   shares and for revealing a disputed share's pad key in the key ceremony.
//! - [`EncryptionProof`]: for ciphertexts (a_i, b_i), proof of knowledge of every r_i with
//!   a_i = r_iG under one challenge: "signed ElGamal" (Schnorr and Jakobsson, ASIACRYPT 2000;
//!   TDH0 of Shoup and Gennaro 1998), which makes a ballot non-malleable: a copied ballot under
//!   another credential or round, or a re-randomised ciphertext, no longer verifies.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};

use crate::Error;
use crate::elgamal::Ciphertext;
use crate::group::{G, decode_point, decode_scalar, encode_point, mul_g, random_scalar};
use crate::hash::Hasher;

/// Schnorr proof of knowledge of x with Y = xG, bound to `context`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DlogProof {
    pub t: RistrettoPoint,
    pub z: Scalar,
}

fn dlog_challenge(context: &[u8], y: &RistrettoPoint, t: &RistrettoPoint) -> Scalar {
    Hasher::new("dlog-proof").bytes(context).point(&G).point(y).point(t).challenge()
}

impl DlogProof {
    pub fn prove<R: rand_core::CryptoRng + ?Sized>(rng: &mut R, context: &[u8], x: &Scalar) -> DlogProof {
        let w = random_scalar(rng);
        let t = mul_g(&w);
        let e = dlog_challenge(context, &(mul_g(x)), &t);
        DlogProof { t, z: w + e * x }
    }

    pub fn verify(&self, context: &[u8], y: &RistrettoPoint) -> bool {
        let e = dlog_challenge(context, y, &self.t);
        mul_g(&self.z) == self.t + y * e
    }

    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&encode_point(&self.t));
        out[32..].copy_from_slice(self.z.as_bytes());
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<DlogProof, Error> {
        if bytes.len() != 64 {
            return Err(Error::Encoding("dlog proof"));
        }
        Ok(DlogProof { t: decode_point(&bytes[..32], "dlog proof")?, z: decode_scalar(&bytes[32..], "dlog proof")? })
    }
}

/// Chaum–Pedersen proof that Y = xG and D = xA for one x, bound to `context`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DleqProof {
    pub t1: RistrettoPoint,
    pub t2: RistrettoPoint,
    pub z: Scalar,
}

fn dleq_challenge(
    context: &[u8],
    y: &RistrettoPoint,
    a: &RistrettoPoint,
    d: &RistrettoPoint,
    t1: &RistrettoPoint,
    t2: &RistrettoPoint,
) -> Scalar {
    Hasher::new("dleq-proof").bytes(context).point(&G).point(y).point(a).point(d).point(t1).point(t2).challenge()
}

impl DleqProof {
    pub fn prove<R: rand_core::CryptoRng + ?Sized>(
        rng: &mut R,
        context: &[u8],
        x: &Scalar,
        a: &RistrettoPoint,
    ) -> DleqProof {
        let w = random_scalar(rng);
        let (t1, t2) = (mul_g(&w), a * w);
        let e = dleq_challenge(context, &(mul_g(x)), a, &(a * x), &t1, &t2);
        DleqProof { t1, t2, z: w + e * x }
    }

    pub fn verify(&self, context: &[u8], y: &RistrettoPoint, a: &RistrettoPoint, d: &RistrettoPoint) -> bool {
        let e = dleq_challenge(context, y, a, d, &self.t1, &self.t2);
        mul_g(&self.z) == self.t1 + y * e && a * self.z == self.t2 + d * e
    }

    pub fn to_bytes(&self) -> [u8; 96] {
        let mut out = [0u8; 96];
        out[..32].copy_from_slice(&encode_point(&self.t1));
        out[32..64].copy_from_slice(&encode_point(&self.t2));
        out[64..].copy_from_slice(self.z.as_bytes());
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<DleqProof, Error> {
        if bytes.len() != 96 {
            return Err(Error::Encoding("dleq proof"));
        }
        Ok(DleqProof {
            t1: decode_point(&bytes[..32], "dleq proof")?,
            t2: decode_point(&bytes[32..64], "dleq proof")?,
            z: decode_scalar(&bytes[64..], "dleq proof")?,
        })
    }
}

/// Proof of knowledge of the randomness of every ciphertext of a ballot, bound to `statement`
/// (the election, the round, the ballot shape, the credential: docs/e2e.md §5) and to the
/// election key and every ciphertext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptionProof {
    pub t: Vec<RistrettoPoint>,
    pub z: Vec<Scalar>,
}

fn encryption_challenge(statement: &[u8], key: &RistrettoPoint, cts: &[Ciphertext], t: &[RistrettoPoint]) -> Scalar {
    let mut h = Hasher::new("encryption-proof").bytes(statement).point(&G).point(key).u64(cts.len() as u64);
    for c in cts {
        h = h.point(&c.a).point(&c.b);
    }
    h.points(t.iter()).challenge()
}

impl EncryptionProof {
    pub fn prove<R: rand_core::CryptoRng + ?Sized>(
        rng: &mut R,
        statement: &[u8],
        key: &RistrettoPoint,
        cts: &[Ciphertext],
        rs: &[Scalar],
    ) -> EncryptionProof {
        let ws: Vec<Scalar> = rs.iter().map(|_| random_scalar(rng)).collect();
        let t: Vec<RistrettoPoint> = ws.iter().map(mul_g).collect();
        let e = encryption_challenge(statement, key, cts, &t);
        let z = ws.iter().zip(rs).map(|(w, r)| w + e * r).collect();
        EncryptionProof { t, z }
    }

    /// The challenge and the equations `z_i G = T_i + e a_i`, as terms of one multiscalar sum that
    /// is the identity when the proof holds, each scaled by a weight (`rho`) the verifier draws.
    fn terms(
        &self,
        statement: &[u8],
        key: &RistrettoPoint,
        cts: &[Ciphertext],
        rho: &Scalar,
        scalars: &mut Vec<Scalar>,
        points: &mut Vec<RistrettoPoint>,
    ) -> Result<Scalar, Error> {
        if self.t.len() != cts.len() || self.z.len() != cts.len() || cts.is_empty() {
            return Err(Error::Proof("encryption proof has the wrong length"));
        }
        let e = encryption_challenge(statement, key, cts, &self.t);
        let mut zsum = Scalar::ZERO;
        let mut weight = *rho;
        for ((t, z), c) in self.t.iter().zip(&self.z).zip(cts) {
            zsum += weight * z;
            scalars.push(-weight);
            points.push(*t);
            scalars.push(-(weight * e));
            points.push(c.a);
            weight *= rho;
        }
        Ok(zsum)
    }

    pub fn verify(&self, statement: &[u8], key: &RistrettoPoint, cts: &[Ciphertext]) -> bool {
        if self.t.len() != cts.len() || self.z.len() != cts.len() || cts.is_empty() {
            return false;
        }
        let e = encryption_challenge(statement, key, cts, &self.t);
        (0..cts.len()).all(|i| mul_g(&self.z[i]) == self.t[i] + cts[i].a * e)
    }
}

/// One item of a batch: a proof, its statement and its ciphertexts.
pub struct BatchItem<'a> {
    pub proof: &'a EncryptionProof,
    pub statement: &'a [u8],
    pub cts: &'a [Ciphertext],
}

/// Checks many encryption proofs with one multiscalar multiplication; on failure, bisects to
/// return the index of the first bad item. `weights` must be fresh randomness of the verifier.
pub fn verify_batch<R: rand_core::CryptoRng + ?Sized>(
    rng: &mut R,
    key: &RistrettoPoint,
    items: &[BatchItem<'_>],
) -> Result<(), usize> {
    if batch_holds(rng, key, items) {
        return Ok(());
    }
    if items.len() == 1 {
        return Err(0);
    }
    let mid = items.len() / 2;
    verify_batch(rng, key, &items[..mid])?;
    verify_batch(rng, key, &items[mid..]).map_err(|i| i + mid)
}

fn batch_holds<R: rand_core::CryptoRng + ?Sized>(rng: &mut R, key: &RistrettoPoint, items: &[BatchItem<'_>]) -> bool {
    let mut scalars = Vec::new();
    let mut points = Vec::new();
    let mut gsum = Scalar::ZERO;
    for it in items {
        let rho = random_scalar(rng);
        match it.proof.terms(it.statement, key, it.cts, &rho, &mut scalars, &mut points) {
            Ok(z) => gsum += z,
            Err(_) => return false,
        }
    }
    scalars.push(gsum);
    points.push(G);
    RistrettoPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drbg::Drbg;

    #[test]
    fn dlog_and_dleq_proofs_hold_and_bind_their_context() {
        let mut rng = Drbg::new(b"proofs");
        let x = random_scalar(&mut rng);
        let p = DlogProof::prove(&mut rng, b"ctx", &x);
        assert!(p.verify(b"ctx", &(mul_g(&x))));
        assert!(!p.verify(b"other", &(mul_g(&x))));
        assert!(!p.verify(b"ctx", &(G * (x + Scalar::ONE))));
        assert_eq!(DlogProof::from_bytes(&p.to_bytes()).ok(), Some(p));

        let a = G * random_scalar(&mut rng);
        let q = DleqProof::prove(&mut rng, b"ctx", &x, &a);
        assert!(q.verify(b"ctx", &(mul_g(&x)), &a, &(a * x)));
        // A wrong share D' = D + G fails.
        assert!(!q.verify(b"ctx", &(mul_g(&x)), &a, &(a * x + G)));
        assert!(!q.verify(b"ctx2", &(mul_g(&x)), &a, &(a * x)));
        assert_eq!(DleqProof::from_bytes(&q.to_bytes()).ok(), Some(q));
    }

    #[test]
    fn encryption_proofs_refuse_rerandomised_or_rebound_ciphertexts_and_batches_name_the_bad_one() {
        let mut rng = Drbg::new(b"enc");
        let key = G * random_scalar(&mut rng);
        let mut items = Vec::new();
        for i in 0..9u32 {
            let rs: Vec<Scalar> = (0..3).map(|_| random_scalar(&mut rng)).collect();
            let cts: Vec<Ciphertext> = rs.iter().map(|r| Ciphertext::encrypt(&key, i, r)).collect();
            let st = format!("statement {i}").into_bytes();
            let proof = EncryptionProof::prove(&mut rng, &st, &key, &cts, &rs);
            assert!(proof.verify(&st, &key, &cts));
            assert!(!proof.verify(b"another credential", &key, &cts));
            let mut moved = cts.clone();
            moved[1] = moved[1].rerandomise(&key, &random_scalar(&mut rng));
            assert!(!proof.verify(&st, &key, &moved));
            items.push((proof, st, cts));
        }
        let batch: Vec<BatchItem<'_>> =
            items.iter().map(|(p, s, c)| BatchItem { proof: p, statement: s, cts: c }).collect();
        assert_eq!(verify_batch(&mut rng, &key, &batch), Ok(()));
        // Ballot 6 changed behind the proof: the batch fails and names it.
        let mut bad = items[6].2.clone();
        bad[0].b += G;
        let mut batch: Vec<BatchItem<'_>> =
            items.iter().map(|(p, s, c)| BatchItem { proof: p, statement: s, cts: c }).collect();
        batch[6].cts = &bad;
        assert_eq!(verify_batch(&mut rng, &key, &batch), Err(6));
    }
}
