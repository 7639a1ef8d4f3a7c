//! A verifiable re-encryption shuffle of rows of ciphertexts (docs/e2e.md §6): the proof of
//! Terelius and Wikström ("Proofs of restricted shuffles", AFRICACRYPT 2010), following the
//! pseudo-code of Haenni, Locher, Koenig and Dubuis ("Pseudo-code algorithms for verifiable
//! re-encryption mix-nets", FC 2017 Workshops, Algorithms 8.4 and 8.5) as Verificatum, CHVote
//! and Belenios do, written additively and extended from single ciphertexts to rows of W
//! ciphertexts (one ballot = one row): every row is moved by the same permutation ψ and each of
//! its W ciphertexts re-randomised independently; the permutation-matrix commitment, the
//! challenges u and the chain ĉ are those of the single-ciphertext proof, and the re-encryption
//! equation (t4, s4) is proved once per column w with the same responses s'_i, which ties every
//! column to the one committed permutation (Wikström's "width", as in Verificatum).
//!
//! Statement: input rows e_j, output rows e'_i = e_ψ(i) + (s_iw·G, s_iw·Y), election key Y.
//! Generators: H and H_1…H_N from [`generator`] over the mix context (nobody knows a relation).
//!
//! Proof (i, j run over 1…N, w over 1…W; c is the Fiat–Shamir challenge over the statement, the
//! commitments c_j, ĉ_i and every t):
//! - permutation commitment c_ψ(i) = r_ψ(i)·G + H_i;
//! - u_j = hash(statement, c, j), u'_i = u_ψ(i); chain ĉ_0 = H, ĉ_i = r̂_i·G + u'_i·ĉ_{i−1};
//! - t1 = ω1·G, t2 = ω2·G, t3 = ω3·G + Σ ω'_i·H_i,
//!   t4_w = (Σ ω'_i·a'_iw − ω4_w·G, Σ ω'_i·b'_iw − ω4_w·Y), t̂_i = ω̂_i·G + ω'_i·ĉ_{i−1};
//! - s1 = ω1 − c·Σr_j, s2 = ω2 − c·Σ r̂_i·v_i (v_i = Π_{k>i} u'_k), s3 = ω3 − c·Σ u_j·r_j,
//!   s4_w = ω4_w − c·Σ u'_i·s_iw, ŝ_i = ω̂_i − c·r̂_i, s'_i = ω'_i − c·u'_i.
//!
//! Verification recomputes every t from the responses and checks the challenge.

use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;

use crate::Error;
use crate::elgamal::Ciphertext;
use crate::group::{G, generator, mul_g, random_scalar};
use crate::hash::Hasher;

/// One ballot's ciphertexts.
pub type Row = Vec<Ciphertext>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShuffleProof {
    /// Permutation commitment c_1…c_N.
    pub c: Vec<RistrettoPoint>,
    /// Commitment chain ĉ_1…ĉ_N.
    pub chain: Vec<RistrettoPoint>,
    pub t1: RistrettoPoint,
    pub t2: RistrettoPoint,
    pub t3: RistrettoPoint,
    /// One (a, b) pair per column.
    pub t4: Vec<(RistrettoPoint, RistrettoPoint)>,
    pub t_hat: Vec<RistrettoPoint>,
    pub s1: Scalar,
    pub s2: Scalar,
    pub s3: Scalar,
    pub s4: Vec<Scalar>,
    pub s_hat: Vec<Scalar>,
    pub s_prime: Vec<Scalar>,
}

struct Generators {
    h: RistrettoPoint,
    hs: Vec<RistrettoPoint>,
}

fn generators(context: &[u8], n: usize) -> Generators {
    Generators {
        h: generator("shuffle-h", context, 0),
        hs: (0..n).map(|i| generator("shuffle-hi", context, i as u64 + 1)).collect(),
    }
}

fn width(rows: &[Row]) -> Result<usize, Error> {
    let w = rows.first().map(Vec::len).ok_or(Error::Shape("a shuffle needs at least one ballot"))?;
    if w == 0 || rows.iter().any(|r| r.len() != w) {
        return Err(Error::Shape("every ballot of a shuffle has the same number of ciphertexts"));
    }
    Ok(w)
}

/// The digest of the statement and the permutation commitment, from which the u_j come.
fn statement_digest(
    context: &[u8],
    key: &RistrettoPoint,
    input: &[Row],
    output: &[Row],
    c: &[RistrettoPoint],
) -> [u8; 64] {
    let mut h = Hasher::new("shuffle-statement").bytes(context).point(&G).point(key);
    for rows in [input, output] {
        h = h.u64(rows.len() as u64).u64(rows.first().map_or(0, |r| r.len() as u64));
        for row in rows {
            for ct in row {
                h = h.bytes(&ct.to_bytes());
            }
        }
    }
    h.points(c.iter()).finish()
}

fn challenges_u(digest: &[u8; 64], n: usize) -> Vec<Scalar> {
    (0..n).map(|j| Hasher::new("shuffle-u").bytes(digest).u64(j as u64 + 1).challenge()).collect()
}

fn main_challenge(digest: &[u8; 64], p: &ShuffleProof) -> Scalar {
    let mut h = Hasher::new("shuffle-challenge")
        .bytes(digest)
        .points(p.chain.iter())
        .point(&p.t1)
        .point(&p.t2)
        .point(&p.t3)
        .u64(p.t4.len() as u64);
    for (a, b) in &p.t4 {
        h = h.point(a).point(b);
    }
    h.points(p.t_hat.iter()).challenge()
}

/// A uniform permutation of 0…n−1 (Fisher–Yates with rejection sampling).
fn permutation<R: rand_core::CryptoRng + ?Sized>(rng: &mut R, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let bound = (i + 1) as u64;
        let zone = u64::MAX - (u64::MAX % bound);
        let j = loop {
            let x = rng.next_u64();
            if x < zone {
                break (x % bound) as usize;
            }
        };
        p.swap(i, j);
    }
    p
}

/// Shuffles and re-randomises `input` under `key`, returning the output rows and the proof.
pub fn shuffle<R: rand_core::CryptoRng + ?Sized>(
    rng: &mut R,
    context: &[u8],
    key: &RistrettoPoint,
    input: &[Row],
) -> Result<(Vec<Row>, ShuffleProof), Error> {
    let w = width(input)?;
    let n = input.len();
    let gens = generators(context, n);
    let ytable = RistrettoBasepointTable::create(key);
    let g = curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
    let psi = permutation(rng, n);
    // Re-encryption: e'_i = e_ψ(i) + (s_iw G, s_iw Y).
    let s: Vec<Vec<Scalar>> = (0..n).map(|_| (0..w).map(|_| random_scalar(rng)).collect()).collect();
    let output: Vec<Row> = (0..n)
        .map(|i| {
            (0..w)
                .map(|k| {
                    let e = input[psi[i]][k];
                    Ciphertext { a: e.a + g * &s[i][k], b: e.b + &ytable * &s[i][k] }
                })
                .collect()
        })
        .collect();
    // Permutation commitment: c_ψ(i) = r_ψ(i) G + H_i.
    let r: Vec<Scalar> = (0..n).map(|_| random_scalar(rng)).collect();
    let mut c = vec![G; n];
    for i in 0..n {
        c[psi[i]] = g * &r[psi[i]] + gens.hs[i];
    }
    let digest = statement_digest(context, key, input, &output, &c);
    let u = challenges_u(&digest, n);
    let u_p: Vec<Scalar> = (0..n).map(|i| u[psi[i]]).collect();
    // Chain.
    let r_hat: Vec<Scalar> = (0..n).map(|_| random_scalar(rng)).collect();
    let mut chain = Vec::with_capacity(n);
    let mut prev = gens.h;
    for i in 0..n {
        let ci = g * &r_hat[i] + prev * u_p[i];
        chain.push(ci);
        prev = ci;
    }
    // Commitments.
    let (w1, w2, w3) = (random_scalar(rng), random_scalar(rng), random_scalar(rng));
    let w4: Vec<Scalar> = (0..w).map(|_| random_scalar(rng)).collect();
    let w_hat: Vec<Scalar> = (0..n).map(|_| random_scalar(rng)).collect();
    let w_p: Vec<Scalar> = (0..n).map(|_| random_scalar(rng)).collect();
    let t1 = g * &w1;
    let t2 = g * &w2;
    let t3 = g * &w3 + RistrettoPoint::vartime_multiscalar_mul(w_p.iter(), gens.hs.iter());
    let t4: Vec<(RistrettoPoint, RistrettoPoint)> = (0..w)
        .map(|k| {
            let a = RistrettoPoint::vartime_multiscalar_mul(w_p.iter(), output.iter().map(|row| row[k].a));
            let b = RistrettoPoint::vartime_multiscalar_mul(w_p.iter(), output.iter().map(|row| row[k].b));
            (a - g * &w4[k], b - &ytable * &w4[k])
        })
        .collect();
    let t_hat: Vec<RistrettoPoint> = (0..n)
        .map(|i| {
            let before = if i == 0 { gens.h } else { chain[i - 1] };
            g * &w_hat[i] + before * w_p[i]
        })
        .collect();
    let mut proof = ShuffleProof {
        c,
        chain,
        t1,
        t2,
        t3,
        t4,
        t_hat,
        s1: Scalar::ZERO,
        s2: Scalar::ZERO,
        s3: Scalar::ZERO,
        s4: Vec::new(),
        s_hat: Vec::new(),
        s_prime: Vec::new(),
    };
    let ch = main_challenge(&digest, &proof);
    let r_bar: Scalar = r.iter().sum();
    let mut v = vec![Scalar::ONE; n];
    for i in (0..n.saturating_sub(1)).rev() {
        v[i] = u_p[i + 1] * v[i + 1];
    }
    let r_hat_sum: Scalar = r_hat.iter().zip(&v).map(|(a, b)| a * b).sum();
    let r_tilde: Scalar = r.iter().zip(&u).map(|(a, b)| a * b).sum();
    proof.s1 = w1 - ch * r_bar;
    proof.s2 = w2 - ch * r_hat_sum;
    proof.s3 = w3 - ch * r_tilde;
    proof.s4 = (0..w)
        .map(|k| {
            let rk: Scalar = (0..n).map(|i| u_p[i] * s[i][k]).sum();
            w4[k] - ch * rk
        })
        .collect();
    proof.s_hat = (0..n).map(|i| w_hat[i] - ch * r_hat[i]).collect();
    proof.s_prime = (0..n).map(|i| w_p[i] - ch * u_p[i]).collect();
    Ok((output, proof))
}

/// Checks that `output` is a re-encrypted permutation of `input`; names the failing equation.
pub fn verify_shuffle(
    context: &[u8],
    key: &RistrettoPoint,
    input: &[Row],
    output: &[Row],
    p: &ShuffleProof,
) -> Result<(), Error> {
    let w = width(input)?;
    let n = input.len();
    if output.len() != n || width(output)? != w {
        return Err(Error::Proof("the shuffle's output does not have as many ballots as its input"));
    }
    if p.c.len() != n || p.chain.len() != n || p.t_hat.len() != n || p.s_hat.len() != n || p.s_prime.len() != n {
        return Err(Error::Proof("the shuffle proof has the wrong length"));
    }
    if p.t4.len() != w || p.s4.len() != w {
        return Err(Error::Proof("the shuffle proof has the wrong width"));
    }
    let gens = generators(context, n);
    let digest = statement_digest(context, key, input, output, &p.c);
    let u = challenges_u(&digest, n);
    let ch = main_challenge(&digest, p);
    let c_bar: RistrettoPoint = p.c.iter().sum::<RistrettoPoint>() - gens.hs.iter().sum::<RistrettoPoint>();
    let u_prod: Scalar = u.iter().product();
    let c_hat = p.chain[n - 1] - gens.h * u_prod;
    let c_tilde = RistrettoPoint::vartime_multiscalar_mul(u.iter(), p.c.iter());
    if c_bar * ch + mul_g(&p.s1) != p.t1 {
        return Err(Error::Proof("shuffle: the permutation commitment does not sum (t1)"));
    }
    if c_hat * ch + mul_g(&p.s2) != p.t2 {
        return Err(Error::Proof("shuffle: the commitment chain does not close (t2)"));
    }
    let t3 = RistrettoPoint::vartime_multiscalar_mul(
        std::iter::once(ch).chain(std::iter::once(p.s3)).chain(p.s_prime.iter().copied()),
        std::iter::once(c_tilde).chain(std::iter::once(G)).chain(gens.hs.iter().copied()),
    );
    if t3 != p.t3 {
        return Err(Error::Proof("shuffle: the permutation commitment does not open to the challenges (t3)"));
    }
    for k in 0..w {
        // c·A_w + Σ s'_i a'_iw − s4_w G, with A_w = Σ u_j a_jw (and the same for b with Y).
        let scalars =
            || u.iter().map(move |x| x * ch).chain(p.s_prime.iter().copied()).chain(std::iter::once(-p.s4[k]));
        let a = RistrettoPoint::vartime_multiscalar_mul(
            scalars(),
            input.iter().map(|r| r[k].a).chain(output.iter().map(|r| r[k].a)).chain(std::iter::once(G)),
        );
        let b = RistrettoPoint::vartime_multiscalar_mul(
            scalars(),
            input.iter().map(|r| r[k].b).chain(output.iter().map(|r| r[k].b)).chain(std::iter::once(*key)),
        );
        if (a, b) != p.t4[k] {
            return Err(Error::Proof("shuffle: the output is not a re-encryption of the input (t4)"));
        }
    }
    for i in 0..n {
        let before = if i == 0 { gens.h } else { p.chain[i - 1] };
        let t = RistrettoPoint::vartime_multiscalar_mul([ch, p.s_hat[i], p.s_prime[i]], [p.chain[i], G, before]);
        if t != p.t_hat[i] {
            return Err(Error::Proof("shuffle: the commitment chain breaks (t_hat)"));
        }
    }
    Ok(())
}

/// A reader of fixed-size fields that names the part it fails on.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if self.bytes.len() < n {
            return Err(Error::Encoding(self.what));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }
    fn u32(&mut self) -> Result<usize, Error> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| Error::Encoding(self.what))?;
        Ok(u32::from_be_bytes(b) as usize)
    }
    fn point(&mut self) -> Result<RistrettoPoint, Error> {
        let what = self.what;
        crate::group::decode_point(self.take(32)?, what)
    }
    fn points(&mut self, n: usize) -> Result<Vec<RistrettoPoint>, Error> {
        (0..n).map(|_| self.point()).collect()
    }
    fn scalar(&mut self) -> Result<Scalar, Error> {
        let what = self.what;
        crate::group::decode_scalar(self.take(32)?, what)
    }
    fn scalars(&mut self, n: usize) -> Result<Vec<Scalar>, Error> {
        (0..n).map(|_| self.scalar()).collect()
    }
    fn end(&self) -> Result<(), Error> {
        if self.bytes.is_empty() { Ok(()) } else { Err(Error::Encoding(self.what)) }
    }
}

fn u32be(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes()
}

/// The bytes of a list of rows (docs/e2e.md §8): `"HJR1" ‖ u32be(N) ‖ u32be(W) ‖ N·W × (a ‖ b)`,
/// row by row.
pub fn rows_to_bytes(rows: &[Row]) -> Vec<u8> {
    let w = rows.first().map_or(0, Vec::len);
    let mut out = Vec::with_capacity(12 + rows.len() * w * 64);
    out.extend_from_slice(b"HJR1");
    out.extend_from_slice(&u32be(rows.len()));
    out.extend_from_slice(&u32be(w));
    for row in rows {
        for ct in row {
            out.extend_from_slice(&ct.to_bytes());
        }
    }
    out
}

/// The rows of [`rows_to_bytes`]; every element canonical, nothing left over.
pub fn rows_from_bytes(bytes: &[u8]) -> Result<Vec<Row>, Error> {
    let mut r = Reader { bytes, what: "rows" };
    if r.take(4)? != b"HJR1" {
        return Err(Error::Encoding("rows"));
    }
    let (n, w) = (r.u32()?, r.u32()?);
    if n.checked_mul(w).and_then(|x| x.checked_mul(64)) != Some(r.bytes.len()) {
        return Err(Error::Encoding("rows"));
    }
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let mut row = Vec::with_capacity(w);
        for _ in 0..w {
            row.push(Ciphertext::from_bytes(r.take(64)?)?);
        }
        rows.push(row);
    }
    r.end()?;
    Ok(rows)
}

impl ShuffleProof {
    /// `"HJS1" ‖ u32be(N) ‖ u32be(W) ‖ c_1..c_N ‖ ĉ_1..ĉ_N ‖ t1 ‖ t2 ‖ t3 ‖ W × (t4_a ‖ t4_b) ‖
    /// t̂_1..t̂_N ‖ s1 ‖ s2 ‖ s3 ‖ s4_1..s4_W ‖ ŝ_1..ŝ_N ‖ s'_1..s'_N` (docs/e2e.md §8).
    pub fn to_bytes(&self) -> Vec<u8> {
        let (n, w) = (self.c.len(), self.t4.len());
        let mut out = Vec::with_capacity(12 + 32 * (5 * n + 3 * w + 6));
        out.extend_from_slice(b"HJS1");
        out.extend_from_slice(&u32be(n));
        out.extend_from_slice(&u32be(w));
        let pts = |ps: &[RistrettoPoint], out: &mut Vec<u8>| {
            for p in ps {
                out.extend_from_slice(&crate::group::encode_point(p));
            }
        };
        pts(&self.c, &mut out);
        pts(&self.chain, &mut out);
        pts(&[self.t1, self.t2, self.t3], &mut out);
        for (a, b) in &self.t4 {
            pts(&[*a, *b], &mut out);
        }
        pts(&self.t_hat, &mut out);
        for s in [self.s1, self.s2, self.s3].iter().chain(&self.s4).chain(&self.s_hat).chain(&self.s_prime) {
            out.extend_from_slice(s.as_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<ShuffleProof, Error> {
        let mut r = Reader { bytes, what: "shuffle proof" };
        if r.take(4)? != b"HJS1" {
            return Err(Error::Encoding("shuffle proof"));
        }
        let (n, w) = (r.u32()?, r.u32()?);
        if n.checked_mul(5)
            .and_then(|x| x.checked_add(w.checked_mul(3)?))
            .and_then(|x| x.checked_add(6))
            .and_then(|x| x.checked_mul(32))
            != Some(r.bytes.len())
        {
            return Err(Error::Encoding("shuffle proof"));
        }
        let c = r.points(n)?;
        let chain = r.points(n)?;
        let (t1, t2, t3) = (r.point()?, r.point()?, r.point()?);
        let t4 = (0..w).map(|_| Ok((r.point()?, r.point()?))).collect::<Result<Vec<_>, Error>>()?;
        let t_hat = r.points(n)?;
        let (s1, s2, s3) = (r.scalar()?, r.scalar()?, r.scalar()?);
        let s4 = r.scalars(w)?;
        let s_hat = r.scalars(n)?;
        let s_prime = r.scalars(n)?;
        r.end()?;
        Ok(ShuffleProof { c, chain, t1, t2, t3, t4, t_hat, s1, s2, s3, s4, s_hat, s_prime })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drbg::Drbg;
    use crate::elgamal::DlogTable;

    fn rows(rng: &mut Drbg, key: &RistrettoPoint, n: u32, w: u32) -> Vec<Row> {
        (0..n).map(|i| (0..w).map(|k| Ciphertext::encrypt(key, i * 10 + k, &random_scalar(rng))).collect()).collect()
    }

    #[test]
    fn an_honest_shuffle_verifies_and_keeps_the_multiset_of_ballots() {
        let mut rng = Drbg::new(b"shuffle");
        let x = random_scalar(&mut rng);
        let key = G * x;
        let input = rows(&mut rng, &key, 7, 3);
        let (output, proof) = shuffle(&mut rng, b"mix-1", &key, &input).unwrap();
        verify_shuffle(b"mix-1", &key, &input, &output, &proof).unwrap();
        let table = DlogTable::new();
        let plain = |rs: &[Row]| {
            let mut v: Vec<Vec<Option<u32>>> =
                rs.iter().map(|r| r.iter().map(|c| table.decode(&c.decrypt_point(&x))).collect()).collect();
            v.sort();
            v
        };
        assert_eq!(plain(&input), plain(&output), "same ballots, rows intact");
        assert_ne!(input, output);
        // A proof for another mix step's context does not transfer.
        assert!(verify_shuffle(b"mix-2", &key, &input, &output, &proof).is_err());
        // The bytes round-trip; a cut or padded encoding is refused.
        let bytes = proof.to_bytes();
        assert_eq!(ShuffleProof::from_bytes(&bytes).unwrap(), proof);
        assert!(ShuffleProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert_eq!(rows_from_bytes(&rows_to_bytes(&output)).unwrap(), output);
        let mut padded = rows_to_bytes(&output);
        padded.push(0);
        assert!(rows_from_bytes(&padded).is_err());
        // One ballot works too.
        let one = rows(&mut rng, &key, 1, 2);
        let (o, p) = shuffle(&mut rng, b"m", &key, &one).unwrap();
        verify_shuffle(b"m", &key, &one, &o, &p).unwrap();
    }

    #[test]
    fn a_dropped_added_or_changed_ballot_breaks_the_proof() {
        let mut rng = Drbg::new(b"shuffle-bad");
        let key = G * random_scalar(&mut rng);
        let input = rows(&mut rng, &key, 6, 2);
        let (output, proof) = shuffle(&mut rng, b"mix", &key, &input).unwrap();
        // A ballot replaced by a fresh encryption (the dropped one's place taken).
        let mut swapped = output.clone();
        swapped[2] = vec![Ciphertext::encrypt(&key, 1, &random_scalar(&mut rng)); 2];
        assert!(verify_shuffle(b"mix", &key, &input, &swapped, &proof).is_err());
        // A ballot duplicated over another.
        let mut dup = output.clone();
        dup[3] = dup[4].clone();
        assert!(verify_shuffle(b"mix", &key, &input, &dup, &proof).is_err());
        // One ciphertext of one row changed by a known plaintext shift.
        let mut shifted = output.clone();
        shifted[0][1].b += G;
        assert!(verify_shuffle(b"mix", &key, &input, &shifted, &proof).is_err());
        // Two columns of a row swapped between rows (rows must move whole).
        let mut mixed = output.clone();
        let tmp = mixed[0][0];
        mixed[0][0] = mixed[1][0];
        mixed[1][0] = tmp;
        assert!(verify_shuffle(b"mix", &key, &input, &mixed, &proof).is_err());
        // Dropped ballot: shorter output.
        assert!(verify_shuffle(b"mix", &key, &input, &output[..5], &proof).is_err());
        // A changed response.
        let mut p = proof.clone();
        p.s_prime[1] += Scalar::ONE;
        assert!(verify_shuffle(b"mix", &key, &input, &output, &p).is_err());
    }
}
