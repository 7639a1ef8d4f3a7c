//! The trustees' key ceremony and threshold decryption (docs/e2e.md §4, §7).
//!
//! Pedersen's distributed key generation without a trusted dealer (Pedersen, "A threshold
//! cryptosystem without a trusted party", EUROCRYPT 1991) with Feldman's verifiable secret
//! sharing (FOCS 1987): each of the n trustees deals a random polynomial f_i of degree k − 1,
//! publishes commitments C_ij = a_ij·G, proves knowledge of its constant term (Schnorr), and
//! sends trustee l the share f_i(l) encrypted to l's ceremony key through the server, which is
//! only a bulletin board. The election key is Y = Σ_i C_i0; trustee l's share is x_l = Σ_i f_i(l)
//! and its public verification key Y_l = Σ_i Σ_j l^j·C_ij. Pedersen's DKG lets a dealer bias the
//! key's distribution, which Gennaro, Jarecki, Krawczyk and Rabin ("Secure applications of
//! Pedersen's distributed key generation protocol", CT-RSA 2003) prove harmless for threshold
//! ElGamal encryption and decryption, the only use here.
//!
//! A share that does not match its dealer's commitments is disputed in public: the recipient
//! publishes the pad key K = p_l·E of that share with a Chaum–Pedersen proof that it is the
//! right one, so anyone can decrypt the disputed share and decide from the record alone whether
//! the dealer or the accuser is at fault ([`judge`]).
//!
//! Decryption: trustee l publishes D_l = x_l·a for every ciphertext with a Chaum–Pedersen proof
//! against Y_l; any k shares combine with Lagrange coefficients at 0 into x·a, and b − x·a = mG.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};

use crate::Error;
use crate::elgamal::Ciphertext;
use crate::group::{decode_scalar, mul_g, random_scalar};
use crate::hash::Hasher;
use crate::proofs::{DleqProof, DlogProof};

/// n trustees numbered 1..=n, any k of whom decrypt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threshold {
    pub n: u32,
    pub k: u32,
}

impl Threshold {
    /// 1 ≤ k ≤ n; the default k is a majority of n (more than half).
    pub fn new(n: u32, k: u32) -> Result<Threshold, Error> {
        if n == 0 || k == 0 || k > n {
            return Err(Error::Ceremony("the threshold k must be between 1 and the number of trustees"));
        }
        Ok(Threshold { n, k })
    }

    pub fn majority(n: u32) -> Result<Threshold, Error> {
        Threshold::new(n, n / 2 + 1)
    }
}

fn context(label: &str, ceremony: &[u8], a: u32, b: u32) -> Vec<u8> {
    Hasher::new(label).bytes(ceremony).u64(a.into()).u64(b.into()).finish().to_vec()
}

/// A trustee's ceremony key pair (for receiving shares); its public half is published with a
/// proof of knowledge before dealing starts.
pub struct CeremonyKey {
    pub secret: Scalar,
    pub public: RistrettoPoint,
}

impl CeremonyKey {
    pub fn generate<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> CeremonyKey {
        let secret = random_scalar(rng);
        CeremonyKey { secret, public: mul_g(&secret) }
    }

    pub fn prove<R: rand_core::CryptoRng + ?Sized>(&self, rng: &mut R, ceremony: &[u8], trustee: u32) -> DlogProof {
        DlogProof::prove(rng, &context("ceremony-key", ceremony, trustee, 0), &self.secret)
    }
}

pub fn verify_ceremony_key(ceremony: &[u8], trustee: u32, key: &RistrettoPoint, proof: &DlogProof) -> bool {
    proof.verify(&context("ceremony-key", ceremony, trustee, 0), key)
}

/// A share f_i(l) sealed to trustee l: ephemeral E = eG and `f_i(l) XOR pad(K)` with K = e·P_l.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedShare {
    pub recipient: u32,
    pub ephemeral: RistrettoPoint,
    pub sealed: [u8; 32],
}

fn pad(ceremony: &[u8], dealer: u32, recipient: u32, e: &RistrettoPoint, k: &RistrettoPoint) -> [u8; 32] {
    Hasher::new("share-pad").bytes(ceremony).u64(dealer.into()).u64(recipient.into()).point(e).point(k).finish32()
}

fn xor(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for i in 0..32 {
        out[i] = a[i] ^ b[i];
    }
    out
}

/// One trustee's dealing, as published on the bulletin board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dealing {
    pub dealer: u32,
    pub commitments: Vec<RistrettoPoint>,
    pub proof: DlogProof,
    pub shares: Vec<SealedShare>,
}

/// The dealer's polynomial evaluated at `at`, in the exponent: Σ_j at^j·C_j.
pub fn committed_value(commitments: &[RistrettoPoint], at: u32) -> RistrettoPoint {
    let x = Scalar::from(at);
    let mut power = Scalar::ONE;
    let mut scalars = Vec::with_capacity(commitments.len());
    for _ in commitments {
        scalars.push(power);
        power *= x;
    }
    RistrettoPoint::vartime_multiscalar_mul(scalars, commitments.iter())
}

/// Deals: a random polynomial of degree k − 1, its commitments, the proof for its constant term,
/// and a sealed share for every other trustee (`keys[l-1]` is trustee l's ceremony key). Returns
/// the dealing and the dealer's own share f_i(i).
pub fn deal<R: rand_core::CryptoRng + ?Sized>(
    rng: &mut R,
    ceremony: &[u8],
    t: Threshold,
    dealer: u32,
    keys: &[RistrettoPoint],
) -> Result<(Dealing, Scalar), Error> {
    if dealer == 0 || dealer > t.n || keys.len() != t.n as usize {
        return Err(Error::Ceremony("a dealing needs the dealer's number and every trustee's ceremony key"));
    }
    let coeffs: Vec<Scalar> = (0..t.k).map(|_| random_scalar(rng)).collect();
    let eval = |l: u32| {
        let x = Scalar::from(l);
        coeffs.iter().rev().fold(Scalar::ZERO, |acc, c| acc * x + c)
    };
    let commitments = coeffs.iter().map(mul_g).collect();
    let proof = DlogProof::prove(rng, &context("dealing", ceremony, dealer, 0), &coeffs[0]);
    let mut shares = Vec::new();
    for l in 1..=t.n {
        if l == dealer {
            continue;
        }
        let e = random_scalar(rng);
        let ephemeral = mul_g(&e);
        let k = keys[(l - 1) as usize] * e;
        shares.push(SealedShare {
            recipient: l,
            ephemeral,
            sealed: xor(&eval(l).to_bytes(), &pad(ceremony, dealer, l, &ephemeral, &k)),
        });
    }
    Ok((Dealing { dealer, commitments, proof, shares }, eval(dealer)))
}

/// What anyone checks of a dealing without any secret: k commitments, the constant-term proof,
/// one sealed share for each other trustee.
pub fn check_dealing(ceremony: &[u8], t: Threshold, d: &Dealing) -> Result<(), Error> {
    if d.commitments.len() != t.k as usize {
        return Err(Error::Ceremony("a dealing must commit to k coefficients"));
    }
    if !d.proof.verify(&context("dealing", ceremony, d.dealer, 0), &d.commitments[0]) {
        return Err(Error::Proof("the dealer's proof of its constant term does not hold"));
    }
    let mut want: Vec<u32> = (1..=t.n).filter(|l| *l != d.dealer).collect();
    let mut got: Vec<u32> = d.shares.iter().map(|s| s.recipient).collect();
    want.sort_unstable();
    got.sort_unstable();
    if want != got {
        return Err(Error::Ceremony("a dealing must seal one share for each other trustee"));
    }
    Ok(())
}

/// A recipient's public complaint: the pad key of the disputed share and the proof that it is
/// K = p_l·E for the recipient's published ceremony key P_l.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Complaint {
    pub dealer: u32,
    pub recipient: u32,
    pub pad_key: RistrettoPoint,
    pub proof: DleqProof,
}

fn unseal(ceremony: &[u8], dealer: u32, s: &SealedShare, k: &RistrettoPoint) -> Option<Scalar> {
    decode_scalar(&xor(&s.sealed, &pad(ceremony, dealer, s.recipient, &s.ephemeral, k)), "share").ok()
}

/// The recipient opens its share of `d` and checks it against the commitments; a bad share
/// yields the complaint to publish.
pub fn open_share<R: rand_core::CryptoRng + ?Sized>(
    rng: &mut R,
    ceremony: &[u8],
    me: u32,
    key: &CeremonyKey,
    d: &Dealing,
) -> Result<Scalar, Box<Complaint>> {
    let complaint = |rng: &mut R, e: &RistrettoPoint| {
        let pad_key = e * key.secret;
        let proof = DleqProof::prove(rng, &context("complaint", ceremony, d.dealer, me), &key.secret, e);
        Box::new(Complaint { dealer: d.dealer, recipient: me, pad_key, proof })
    };
    let Some(s) = d.shares.iter().find(|s| s.recipient == me) else {
        // No share for me at all: complain against the identity as ephemeral.
        return Err(complaint(rng, &RistrettoPoint::identity()));
    };
    match unseal(ceremony, d.dealer, s, &(s.ephemeral * key.secret)) {
        Some(x) if mul_g(&x) == committed_value(&d.commitments, me) => Ok(x),
        _ => Err(complaint(rng, &s.ephemeral)),
    }
}

/// Who is at fault in a dispute, decided from public data only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The share does not match the dealer's commitments (or is missing): the dealer is excluded.
    Dealer,
    /// The complaint's proof fails or the share is good: the accuser is wrong.
    Accuser,
}

pub fn judge(ceremony: &[u8], recipient_key: &RistrettoPoint, d: &Dealing, c: &Complaint) -> Verdict {
    let Some(s) = d.shares.iter().find(|s| s.recipient == c.recipient) else {
        return Verdict::Dealer;
    };
    let ctx = context("complaint", ceremony, d.dealer, c.recipient);
    if !c.proof.verify(&ctx, recipient_key, &s.ephemeral, &c.pad_key) {
        return Verdict::Accuser;
    }
    match unseal(ceremony, d.dealer, s, &c.pad_key) {
        Some(x) if mul_g(&x) == committed_value(&d.commitments, c.recipient) => Verdict::Accuser,
        _ => Verdict::Dealer,
    }
}

/// The election key and every trustee's verification key from the qualified dealings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectionKey {
    pub key: RistrettoPoint,
    /// `verification[l-1]` = Y_l.
    pub verification: Vec<RistrettoPoint>,
}

pub fn election_key(t: Threshold, qualified: &[&Dealing]) -> Result<ElectionKey, Error> {
    if qualified.is_empty() {
        return Err(Error::Ceremony("no qualified dealing"));
    }
    let key = qualified.iter().map(|d| d.commitments[0]).sum();
    let verification = (1..=t.n).map(|l| qualified.iter().map(|d| committed_value(&d.commitments, l)).sum()).collect();
    Ok(ElectionKey { key, verification })
}

/// Trustee l's decryption share of a list of ciphertexts: D_lj = x_l·a_j, each with its proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptionShare {
    pub trustee: u32,
    pub parts: Vec<RistrettoPoint>,
    pub proofs: Vec<DleqProof>,
}

impl DecryptionShare {
    /// `"HJD1" ‖ u32be(trustee) ‖ u32be(M) ‖ D_1..D_M ‖ M × DleqProof (96)` (docs/e2e.md §8).
    pub fn to_bytes(&self) -> Vec<u8> {
        let m = u32::try_from(self.parts.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(12 + self.parts.len() * 128);
        out.extend_from_slice(b"HJD1");
        out.extend_from_slice(&self.trustee.to_be_bytes());
        out.extend_from_slice(&m.to_be_bytes());
        for p in &self.parts {
            out.extend_from_slice(&crate::group::encode_point(p));
        }
        for p in &self.proofs {
            out.extend_from_slice(&p.to_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<DecryptionShare, Error> {
        let bad = Error::Encoding("decryption share");
        if bytes.len() < 12 || &bytes[..4] != b"HJD1" {
            return Err(bad);
        }
        let word = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let (trustee, m) = (word(4), word(8) as usize);
        if m.checked_mul(128) != Some(bytes.len() - 12) {
            return Err(bad);
        }
        let body = &bytes[12..];
        let parts = (0..m)
            .map(|j| crate::group::decode_point(&body[32 * j..32 * (j + 1)], "decryption share"))
            .collect::<Result<Vec<_>, Error>>()?;
        let proofs = (0..m)
            .map(|j| DleqProof::from_bytes(&body[32 * m + 96 * j..32 * m + 96 * (j + 1)]))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(DecryptionShare { trustee, parts, proofs })
    }
}

fn decryption_context(ceremony: &[u8], trustee: u32, index: usize) -> Vec<u8> {
    context("decryption", ceremony, trustee, index as u32)
}

pub fn decryption_share<R: rand_core::CryptoRng + ?Sized>(
    rng: &mut R,
    ceremony: &[u8],
    trustee: u32,
    share: &Scalar,
    cts: &[Ciphertext],
) -> DecryptionShare {
    let parts = cts.iter().map(|c| c.a * share).collect();
    let proofs = cts
        .iter()
        .enumerate()
        .map(|(j, c)| DleqProof::prove(rng, &decryption_context(ceremony, trustee, j), share, &c.a))
        .collect();
    DecryptionShare { trustee, parts, proofs }
}

/// Checks a share against its trustee's verification key; `Err(j)` names the first bad ciphertext.
pub fn check_decryption_share(
    ceremony: &[u8],
    keys: &ElectionKey,
    cts: &[Ciphertext],
    s: &DecryptionShare,
) -> Result<(), Option<usize>> {
    let Some(y) = s.trustee.checked_sub(1).and_then(|i| keys.verification.get(i as usize)) else {
        return Err(None);
    };
    if s.parts.len() != cts.len() || s.proofs.len() != cts.len() {
        return Err(None);
    }
    for (j, c) in cts.iter().enumerate() {
        if !s.proofs[j].verify(&decryption_context(ceremony, s.trustee, j), y, &c.a, &s.parts[j]) {
            return Err(Some(j));
        }
    }
    Ok(())
}

/// The Lagrange coefficient at 0 of trustee `i` among `set`.
pub fn lagrange_at_zero(set: &[u32], i: u32) -> Scalar {
    let xi = Scalar::from(i);
    let (mut num, mut den) = (Scalar::ONE, Scalar::ONE);
    for &j in set {
        if j != i {
            let xj = Scalar::from(j);
            num *= xj;
            den *= xj - xi;
        }
    }
    num * den.invert()
}

/// mG for every ciphertext from k (already checked) shares of distinct trustees.
pub fn combine(t: Threshold, cts: &[Ciphertext], shares: &[&DecryptionShare]) -> Result<Vec<RistrettoPoint>, Error> {
    let mut set: Vec<u32> = shares.iter().map(|s| s.trustee).collect();
    set.sort_unstable();
    set.dedup();
    if set.len() != shares.len() || set.len() < t.k as usize {
        return Err(Error::Ceremony("decryption needs k shares of distinct trustees"));
    }
    if shares.iter().any(|s| s.parts.len() != cts.len()) {
        return Err(Error::Ceremony("a decryption share does not cover every ciphertext"));
    }
    let lambdas: Vec<Scalar> = shares.iter().map(|s| lagrange_at_zero(&set, s.trustee)).collect();
    Ok(cts
        .iter()
        .enumerate()
        .map(|(j, c)| c.b - RistrettoPoint::vartime_multiscalar_mul(lambdas.iter(), shares.iter().map(|s| s.parts[j])))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drbg::Drbg;
    use crate::elgamal::DlogTable;
    use crate::group::G;

    struct Ceremony {
        t: Threshold,
        keys: Vec<CeremonyKey>,
        dealings: Vec<Dealing>,
        own: Vec<Scalar>,
    }

    fn ceremony(rng: &mut Drbg, n: u32, k: u32) -> Ceremony {
        let t = Threshold::new(n, k).unwrap();
        let keys: Vec<CeremonyKey> = (0..n).map(|_| CeremonyKey::generate(rng)).collect();
        let publics: Vec<RistrettoPoint> = keys.iter().map(|k| k.public).collect();
        let mut dealings = Vec::new();
        let mut own = Vec::new();
        for i in 1..=n {
            let (d, s) = deal(rng, b"c1", t, i, &publics).unwrap();
            check_dealing(b"c1", t, &d).unwrap();
            dealings.push(d);
            own.push(s);
        }
        Ceremony { t, keys, dealings, own }
    }

    fn final_share(rng: &mut Drbg, c: &Ceremony, l: u32) -> Scalar {
        c.dealings
            .iter()
            .map(|d| {
                if d.dealer == l {
                    c.own[(l - 1) as usize]
                } else {
                    open_share(rng, b"c1", l, &c.keys[(l - 1) as usize], d).unwrap()
                }
            })
            .sum()
    }

    #[test]
    fn any_k_of_n_trustees_decrypt_and_fewer_cannot() {
        let mut rng = Drbg::new(b"dkg");
        let c = ceremony(&mut rng, 3, 2);
        let all: Vec<&Dealing> = c.dealings.iter().collect();
        let ek = election_key(c.t, &all).unwrap();
        let shares: Vec<Scalar> = (1..=3).map(|l| final_share(&mut rng, &c, l)).collect();
        for (l, x) in shares.iter().enumerate() {
            assert_eq!(mul_g(x), ek.verification[l], "Y_l = x_l G");
        }
        let cts: Vec<Ciphertext> =
            [3u32, 0, 12].iter().map(|m| Ciphertext::encrypt(&ek.key, *m, &random_scalar(&mut rng))).collect();
        let ds: Vec<DecryptionShare> =
            (1..=3).map(|l| decryption_share(&mut rng, b"c1", l, &shares[(l - 1) as usize], &cts)).collect();
        for d in &ds {
            check_decryption_share(b"c1", &ek, &cts, d).unwrap();
        }
        let table = DlogTable::new();
        for pair in [[0usize, 1], [0, 2], [1, 2]] {
            let pts = combine(c.t, &cts, &[&ds[pair[0]], &ds[pair[1]]]).unwrap();
            let ms: Vec<Option<u32>> = pts.iter().map(|p| table.decode(p)).collect();
            assert_eq!(ms, vec![Some(3), Some(0), Some(12)], "trustees {pair:?}");
        }
        assert_eq!(DecryptionShare::from_bytes(&ds[1].to_bytes()).unwrap(), ds[1]);
        assert!(DecryptionShare::from_bytes(&ds[1].to_bytes()[1..]).is_err());
        assert!(combine(c.t, &cts, &[&ds[0]]).is_err(), "one trustee of a 2-of-3 key cannot decrypt");
        assert!(combine(c.t, &cts, &[&ds[0], &ds[0]]).is_err());
        // A single share alone does not give the plaintext either.
        let lone = cts[0].b - ds[0].parts[0];
        assert_ne!(table.decode(&lone), Some(3));
    }

    #[test]
    fn a_wrong_decryption_share_is_named() {
        let mut rng = Drbg::new(b"dkg-bad");
        let c = ceremony(&mut rng, 3, 2);
        let all: Vec<&Dealing> = c.dealings.iter().collect();
        let ek = election_key(c.t, &all).unwrap();
        let x2 = final_share(&mut rng, &c, 2);
        let cts: Vec<Ciphertext> = (0..4).map(|m| Ciphertext::encrypt(&ek.key, m, &random_scalar(&mut rng))).collect();
        let mut d = decryption_share(&mut rng, b"c1", 2, &x2, &cts);
        d.parts[2] += G;
        assert_eq!(check_decryption_share(b"c1", &ek, &cts, &d), Err(Some(2)));
        // Trustee 3 cannot pass off trustee 2's share as its own.
        let mut d = decryption_share(&mut rng, b"c1", 2, &x2, &cts);
        d.trustee = 3;
        assert_eq!(check_decryption_share(b"c1", &ek, &cts, &d), Err(Some(0)));
    }

    #[test]
    fn a_dispute_names_the_cheating_dealer_or_the_false_accuser() {
        let mut rng = Drbg::new(b"dkg-dispute");
        let mut c = ceremony(&mut rng, 3, 2);
        // Dealer 1 seals a bad share for trustee 2.
        c.dealings[0].shares[0].sealed[3] ^= 1;
        let complaint = open_share(&mut rng, b"c1", 2, &c.keys[1], &c.dealings[0]).unwrap_err();
        assert_eq!(judge(b"c1", &c.keys[1].public, &c.dealings[0], &complaint), Verdict::Dealer);
        // Trustee 3 falsely accuses dealer 2 of a good share: its own honest complaint data
        // shows the share is good.
        let d2 = &c.dealings[1];
        let s = d2.shares.iter().find(|s| s.recipient == 3).unwrap();
        let pad_key = s.ephemeral * c.keys[2].secret;
        let proof = DleqProof::prove(&mut rng, &context("complaint", b"c1", 2, 3), &c.keys[2].secret, &s.ephemeral);
        let false_claim = Complaint { dealer: 2, recipient: 3, pad_key, proof };
        assert_eq!(judge(b"c1", &c.keys[2].public, d2, &false_claim), Verdict::Accuser);
        // A complaint with a made-up pad key fails its proof: the accuser is at fault.
        let forged = Complaint { pad_key: pad_key + G, ..false_claim };
        assert_eq!(judge(b"c1", &c.keys[2].public, d2, &forged), Verdict::Accuser);
        // A dealing with a bad constant-term proof is refused in public.
        let mut d = c.dealings[2].clone();
        d.commitments[0] += G;
        assert!(check_dealing(b"c1", c.t, &d).is_err());
    }
}
