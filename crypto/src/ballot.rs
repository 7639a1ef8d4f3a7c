//! The encrypted ballot (docs/e2e.md §5): the shape of the paper, the plaintext encoding, the
//! bytes, the signature and the tracker.
//!
//! Each post of the ballot is 1 + w ciphertexts: the marks as one small integer (bit i set when
//! candidate i of the post's list is marked; at most 20 candidates, so below 2^20), then w
//! write-in slots (另选他人), each the written person's number in the published voter list, 0 for
//! blank. Whether the marks are allowed (no more than the seats) is the law engine's question
//! after decryption: a ballot with too many marks, or a slot that does not decode, is an invalid
//! ballot for the count, never a cryptographic failure.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;

use crate::Error;
use crate::credential::{Credential, verify_signature};
use crate::elgamal::{Ciphertext, RANGE};
use crate::group::{decode_point, decode_scalar, encode_point, random_scalar};
use crate::hash::Hasher;
use crate::proofs::EncryptionProof;

/// The most candidates one post's marks can encode.
pub const MAX_CANDIDATES: u32 = 20;

/// One post of the paper: its name (`chair`, `vice_chair`, `member` …), how many candidates are
/// listed, how many seats, how many write-in slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostShape {
    pub post: String,
    pub candidates: u32,
    pub seats: u32,
    pub write_ins: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    pub posts: Vec<PostShape>,
}

impl Shape {
    pub fn new(posts: Vec<PostShape>) -> Result<Shape, Error> {
        if posts.is_empty() {
            return Err(Error::Shape("a ballot has at least one post"));
        }
        if posts.iter().any(|p| p.candidates > MAX_CANDIDATES) {
            return Err(Error::Shape("a post lists at most 20 candidates"));
        }
        Ok(Shape { posts })
    }

    /// How many ciphertexts a ballot of this shape carries.
    pub fn slots(&self) -> usize {
        self.posts.iter().map(|p| 1 + p.write_ins as usize).sum()
    }

    /// `SHA-512 framed("ballot-shape", n, then per post: name, candidates, seats, write_ins)[..32]`.
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Hasher::new("ballot-shape").u64(self.posts.len() as u64);
        for p in &self.posts {
            h = h.bytes(p.post.as_bytes()).u64(p.candidates.into()).u64(p.seats.into()).u64(p.write_ins.into());
        }
        h.finish32()
    }
}

/// What a voter chose on one post: the marked candidates (indexes into the post's list) and the
/// written-in persons (voter-list numbers, from 1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostChoice {
    pub marks: Vec<u32>,
    pub write_ins: Vec<u32>,
}

/// The plaintexts of a ballot in slot order.
pub fn encode_choices(shape: &Shape, choices: &[PostChoice]) -> Result<Vec<u32>, Error> {
    if choices.len() != shape.posts.len() {
        return Err(Error::Shape("one choice per post"));
    }
    let mut out = Vec::with_capacity(shape.slots());
    for (p, c) in shape.posts.iter().zip(choices) {
        let mut mask = 0u32;
        for &m in &c.marks {
            if m >= p.candidates {
                return Err(Error::Shape("a mark for a candidate the post does not list"));
            }
            mask |= 1 << m;
        }
        out.push(mask);
        if c.write_ins.len() > p.write_ins as usize {
            return Err(Error::Shape("more write-ins than the post has slots"));
        }
        for i in 0..p.write_ins as usize {
            let n = c.write_ins.get(i).copied().unwrap_or(0);
            if n >= RANGE {
                return Err(Error::Shape("a write-in number beyond the voter list"));
            }
            out.push(n);
        }
    }
    Ok(out)
}

/// Decoded plaintexts back into choices; `None` for a post whose slots do not decode or whose
/// marks name a candidate beyond the list (an invalid post for the law engine to judge).
pub fn decode_choices(shape: &Shape, plain: &[Option<u32>]) -> Vec<Option<PostChoice>> {
    let mut out = Vec::new();
    let mut i = 0;
    for p in &shape.posts {
        let n = 1 + p.write_ins as usize;
        let slots = plain.get(i..i + n);
        i += n;
        let Some(slots) = slots else {
            out.push(None);
            continue;
        };
        let choice = (|| {
            let mask = slots[0]?;
            if p.candidates < 32 && mask >> p.candidates != 0 {
                return None;
            }
            let marks = (0..p.candidates).filter(|b| mask & (1 << b) != 0).collect();
            let mut write_ins = Vec::new();
            for s in &slots[1..] {
                match (*s)? {
                    0 => {}
                    n => write_ins.push(n),
                }
            }
            Some(PostChoice { marks, write_ins })
        })();
        out.push(choice);
    }
    out
}

/// Where a ballot belongs: the election (its log name and id) and the round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BallotContext {
    pub election: Vec<u8>,
    pub round: Vec<u8>,
}

impl BallotContext {
    /// The statement the encryption proof and the signature bind:
    /// `SHA-512 framed("ballot-statement", election, round, shape hash, credential)`.
    pub fn statement(&self, shape: &Shape, credential: &[u8; 32]) -> [u8; 64] {
        Hasher::new("ballot-statement")
            .bytes(&self.election)
            .bytes(&self.round)
            .bytes(&shape.hash())
            .bytes(credential)
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedBallot {
    pub credential: [u8; 32],
    pub ciphertexts: Vec<Ciphertext>,
    pub proof: EncryptionProof,
    pub signature: [u8; 64],
}

const MAGIC: &[u8; 4] = b"HJB1";

impl EncryptedBallot {
    pub fn encrypt<R: rand_core::CryptoRng + ?Sized>(
        rng: &mut R,
        key: &RistrettoPoint,
        ctx: &BallotContext,
        shape: &Shape,
        credential: &Credential,
        choices: &[PostChoice],
    ) -> Result<EncryptedBallot, Error> {
        let plain = encode_choices(shape, choices)?;
        let rs: Vec<Scalar> = plain.iter().map(|_| random_scalar(rng)).collect();
        let ciphertexts: Vec<Ciphertext> =
            plain.iter().zip(&rs).map(|(m, r)| Ciphertext::encrypt(key, *m, r)).collect();
        let cred = credential.public();
        let statement = ctx.statement(shape, &cred);
        let proof = EncryptionProof::prove(rng, &statement, key, &ciphertexts, &rs);
        let mut b = EncryptedBallot { credential: cred, ciphertexts, proof, signature: [0; 64] };
        b.signature = credential.sign(&signed_message(&statement, &b.body()));
        Ok(b)
    }

    /// `"HJB1" || credential (32) || u32_be count || count × (a || b) || count × (T || z)`.
    pub fn body(&self) -> Vec<u8> {
        let n = self.ciphertexts.len();
        let mut out = Vec::with_capacity(40 + n * 128);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.credential);
        out.extend_from_slice(&(n as u32).to_be_bytes());
        for c in &self.ciphertexts {
            out.extend_from_slice(&c.to_bytes());
        }
        for (t, z) in self.proof.t.iter().zip(&self.proof.z) {
            out.extend_from_slice(&encode_point(t));
            out.extend_from_slice(z.as_bytes());
        }
        out
    }

    /// The ballot's bytes: `body || signature (64)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.body();
        out.extend_from_slice(&self.signature);
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<EncryptedBallot, Error> {
        let bad = Error::Encoding("ballot");
        if bytes.len() < 40 + 64 || &bytes[..4] != MAGIC {
            return Err(bad);
        }
        let credential: [u8; 32] = bytes[4..36].try_into().map_err(|_| Error::Encoding("ballot"))?;
        let n = u32::from_be_bytes(bytes[36..40].try_into().map_err(|_| Error::Encoding("ballot"))?) as usize;
        if n == 0 || n > 4096 || bytes.len() != 40 + n * 128 + 64 {
            return Err(bad);
        }
        let mut ciphertexts = Vec::with_capacity(n);
        let mut at = 40;
        for _ in 0..n {
            ciphertexts.push(Ciphertext::from_bytes(&bytes[at..at + 64])?);
            at += 64;
        }
        let (mut t, mut z) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            t.push(decode_point(&bytes[at..at + 32], "ballot proof")?);
            z.push(decode_scalar(&bytes[at + 32..at + 64], "ballot proof")?);
            at += 64;
        }
        let signature: [u8; 64] = bytes[at..].try_into().map_err(|_| Error::Encoding("ballot"))?;
        Ok(EncryptedBallot { credential, ciphertexts, proof: EncryptionProof { t, z }, signature })
    }

    /// What the server checks before a ballot is durable and `verify` checks again: the shape,
    /// the credential's signature, the proof of every ciphertext's randomness.
    pub fn check(&self, key: &RistrettoPoint, ctx: &BallotContext, shape: &Shape) -> Result<(), Error> {
        if self.ciphertexts.len() != shape.slots() {
            return Err(Error::Shape("the ballot does not have the paper's shape"));
        }
        let statement = ctx.statement(shape, &self.credential);
        verify_signature(&self.credential, &signed_message(&statement, &self.body()), &self.signature)?;
        if !self.proof.verify(&statement, key, &self.ciphertexts) {
            return Err(Error::Proof("the ballot's encryption proof does not hold"));
        }
        Ok(())
    }

    /// The tracker printed on the receipt: `SHA-512 framed("tracker", ballot bytes)[..32]`.
    pub fn tracker(&self) -> [u8; 32] {
        Hasher::new("tracker").bytes(&self.to_bytes()).finish32()
    }
}

fn signed_message(statement: &[u8; 64], body: &[u8]) -> Vec<u8> {
    Hasher::new("ballot-signature").bytes(statement).bytes(body).finish().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drbg::Drbg;
    use crate::elgamal::DlogTable;
    use crate::group::{G, mul_g};

    pub fn demo_shape() -> Shape {
        Shape::new(vec![
            PostShape { post: "chair".into(), candidates: 2, seats: 1, write_ins: 1 },
            PostShape { post: "vice_chair".into(), candidates: 2, seats: 1, write_ins: 1 },
            PostShape { post: "member".into(), candidates: 4, seats: 3, write_ins: 3 },
        ])
        .unwrap()
    }

    #[test]
    fn a_ballot_round_trips_and_decrypts_to_its_choices() {
        let mut rng = Drbg::new(b"ballot");
        let x = random_scalar(&mut rng);
        let key = mul_g(&x);
        let ctx = BallotContext { election: b"log/election-1".to_vec(), round: b"E1".to_vec() };
        let shape = demo_shape();
        let cred = Credential::derive(&ctx.election, "CODE-0001");
        let choices = vec![
            PostChoice { marks: vec![1], write_ins: vec![] },
            PostChoice { marks: vec![], write_ins: vec![417] },
            PostChoice { marks: vec![0, 2, 3], write_ins: vec![] },
        ];
        let b = EncryptedBallot::encrypt(&mut rng, &key, &ctx, &shape, &cred, &choices).unwrap();
        assert!(b.check(&key, &ctx, &shape).is_ok());
        let back = EncryptedBallot::from_bytes(&b.to_bytes()).unwrap();
        assert_eq!(back, b);
        let table = DlogTable::new();
        let plain: Vec<Option<u32>> = b.ciphertexts.iter().map(|c| table.decode(&c.decrypt_point(&x))).collect();
        let got: Vec<PostChoice> = decode_choices(&shape, &plain).into_iter().map(|c| c.unwrap()).collect();
        assert_eq!(got, choices);
    }

    #[test]
    fn a_copied_changed_or_replayed_ballot_is_refused() {
        let mut rng = Drbg::new(b"ballot-bad");
        let key = G * random_scalar(&mut rng);
        let ctx = BallotContext { election: b"log/election-1".to_vec(), round: b"E1".to_vec() };
        let shape = demo_shape();
        let cred = Credential::derive(&ctx.election, "CODE-0001");
        let b = EncryptedBallot::encrypt(
            &mut rng,
            &key,
            &ctx,
            &shape,
            &cred,
            &[PostChoice::default(), PostChoice::default(), PostChoice::default()],
        )
        .unwrap();
        // Another round (a run-off): the proof is bound to the round.
        let next = BallotContext { round: b"E2".to_vec(), ..ctx.clone() };
        assert!(matches!(b.check(&key, &next, &shape), Err(Error::Signature | Error::Proof(_))));
        // A changed ciphertext.
        let mut c = b.clone();
        c.ciphertexts[0].b += G;
        assert!(c.check(&key, &ctx, &shape).is_err());
        // A re-randomised ciphertext, re-signed by the same credential: the proof fails.
        let mut d = b.clone();
        d.ciphertexts[2] = d.ciphertexts[2].rerandomise(&key, &random_scalar(&mut rng));
        let st = ctx.statement(&shape, &d.credential);
        d.signature = cred.sign(&signed_message(&st, &d.body()));
        assert_eq!(d.check(&key, &ctx, &shape), Err(Error::Proof("the ballot's encryption proof does not hold")));
        // Another credential taking over the ballot: the statement names the credential.
        let other = Credential::derive(&ctx.election, "CODE-0002");
        let mut e = b.clone();
        e.credential = other.public();
        let st = ctx.statement(&shape, &e.credential);
        e.signature = other.sign(&signed_message(&st, &e.body()));
        assert!(e.check(&key, &ctx, &shape).is_err());
        // Truncated bytes.
        let bytes = b.to_bytes();
        assert!(EncryptedBallot::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn too_many_marks_decode_for_the_law_engine_and_garbage_does_not() {
        let shape = demo_shape();
        let d = decode_choices(&shape, &[Some(3), Some(0), Some(0), Some(0), Some(15), Some(0), Some(0), Some(0)]);
        assert_eq!(
            d[0].as_ref().map(|c| c.marks.clone()),
            Some(vec![0, 1]),
            "two marks on a one-seat post reach the law engine"
        );
        assert_eq!(d[2].as_ref().map(|c| c.marks.len()), Some(4));
        let d = decode_choices(&shape, &[Some(4), None, Some(0), Some(0), Some(0), Some(0), Some(0), Some(0)]);
        assert_eq!(d[0], None, "bit 2 on a two-candidate post");
        assert_eq!(d[1], Some(PostChoice::default()));
    }
}
