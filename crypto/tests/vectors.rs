//! Test vectors (docs/e2e.md §9): every value of a small complete run — the key ceremony of
//! three trustees (k = 2), one ballot of the demo's shape, a shuffle of three ballots, two
//! trustees' decryption shares — generated from the fixed seed with the spec's DRBG and
//! compared byte for byte with `tests/vectors.txt`. An independent implementation reproduces
//! the file from the spec alone; a change to any encoding or hash input fails here.
//! Regenerate (after a deliberate, versioned change) with `HUANJIE_WRITE_VECTORS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use huanjie_crypto::ballot::{BallotContext, EncryptedBallot, PostChoice, PostShape, Shape};
use huanjie_crypto::credential::{Credential, sign_in_token};
use huanjie_crypto::dkg::{
    CeremonyKey, Threshold, check_dealing, check_decryption_share, combine, deal, decryption_share, election_key,
    open_share,
};
use huanjie_crypto::drbg::Drbg;
use huanjie_crypto::elgamal::{Ciphertext, DlogTable};
use huanjie_crypto::group::{encode_point, generator};
use huanjie_crypto::shuffle::{shuffle, verify_shuffle};
use huanjie_crypto::{RistrettoPoint, Scalar};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn p(x: &RistrettoPoint) -> String {
    hex(&encode_point(x))
}

fn s(x: &Scalar) -> String {
    hex(x.as_bytes())
}

fn vectors() -> String {
    let mut lines = Vec::<String>::new();
    let mut put = |k: &str, v: String| lines.push(format!("{k}: {v}"));
    let mut rng = Drbg::new(b"huanjie-e2e-v1 test vectors");
    let ceremony = b"vectors/election-1/ceremony-1";
    put("generator shuffle-h 0", p(&generator("shuffle-h", ceremony, 0)));
    let t = Threshold::majority(3).unwrap();
    let keys: Vec<CeremonyKey> = (0..3).map(|_| CeremonyKey::generate(&mut rng)).collect();
    for (i, k) in keys.iter().enumerate() {
        put(&format!("trustee {} ceremony key", i + 1), p(&k.public));
        put(
            &format!("trustee {} ceremony key proof", i + 1),
            hex(&k.prove(&mut rng, ceremony, i as u32 + 1).to_bytes()),
        );
    }
    let publics: Vec<RistrettoPoint> = keys.iter().map(|k| k.public).collect();
    let mut dealings = Vec::new();
    let mut own = Vec::new();
    for i in 1..=3 {
        let (d, x) = deal(&mut rng, ceremony, t, i, &publics).unwrap();
        check_dealing(ceremony, t, &d).unwrap();
        for (j, c) in d.commitments.iter().enumerate() {
            put(&format!("dealing {i} commitment {j}"), p(c));
        }
        put(&format!("dealing {i} proof"), hex(&d.proof.to_bytes()));
        for sh in &d.shares {
            put(&format!("dealing {i} share for {} ephemeral", sh.recipient), p(&sh.ephemeral));
            put(&format!("dealing {i} share for {} sealed", sh.recipient), hex(&sh.sealed));
        }
        dealings.push(d);
        own.push(x);
    }
    let all: Vec<_> = dealings.iter().collect();
    let ek = election_key(t, &all).unwrap();
    put("election key", p(&ek.key));
    let mut shares = Vec::new();
    for l in 1..=3u32 {
        let x: Scalar = dealings
            .iter()
            .map(|d| {
                if d.dealer == l {
                    own[(l - 1) as usize]
                } else {
                    open_share(&mut rng, ceremony, l, &keys[(l - 1) as usize], d).unwrap()
                }
            })
            .sum();
        put(&format!("trustee {l} verification key"), p(&ek.verification[(l - 1) as usize]));
        shares.push(x);
    }
    let ctx = BallotContext { election: b"vectors/election-1".to_vec(), round: b"E1".to_vec() };
    let shape = Shape::new(vec![
        PostShape { post: "chair".into(), candidates: 2, seats: 1, write_ins: 1 },
        PostShape { post: "vice_chair".into(), candidates: 2, seats: 1, write_ins: 1 },
        PostShape { post: "member".into(), candidates: 4, seats: 3, write_ins: 3 },
    ])
    .unwrap();
    put("shape hash", hex(&shape.hash()));
    let mut rows = Vec::new();
    for (v, code) in ["HJ7K-2M9Q-XT4B", "HJ3P-8W2N-VC6D", "HJ9R-4F7L-KM2S"].iter().enumerate() {
        let cred = Credential::derive(&ctx.election, code);
        put(&format!("voter {v} sign-in token"), hex(&sign_in_token(&ctx.election, code)));
        put(&format!("voter {v} credential"), hex(&cred.public()));
        let choices = vec![
            PostChoice { marks: vec![v as u32 % 2], write_ins: vec![] },
            PostChoice { marks: vec![], write_ins: vec![17 + v as u32] },
            PostChoice { marks: vec![0, 1, 2 + (v as u32 % 2)], write_ins: vec![] },
        ];
        let b = EncryptedBallot::encrypt(&mut rng, &ek.key, &ctx, &shape, &cred, &choices).unwrap();
        b.check(&ek.key, &ctx, &shape).unwrap();
        put(&format!("voter {v} ballot"), hex(&b.to_bytes()));
        put(&format!("voter {v} tracker"), hex(&b.tracker()));
        rows.push(b.ciphertexts);
    }
    let mix = b"vectors/election-1/mix-1";
    let (out, proof) = shuffle(&mut rng, mix, &ek.key, &rows).unwrap();
    verify_shuffle(mix, &ek.key, &rows, &out, &proof).unwrap();
    for (i, r) in out.iter().enumerate() {
        put(&format!("mix output {i}"), r.iter().map(|c| hex(&c.to_bytes())).collect::<Vec<_>>().join(" "));
    }
    put("mix proof c", proof.c.iter().map(p).collect::<Vec<_>>().join(" "));
    put("mix proof chain", proof.chain.iter().map(p).collect::<Vec<_>>().join(" "));
    put("mix proof t1 t2 t3", [p(&proof.t1), p(&proof.t2), p(&proof.t3)].join(" "));
    put("mix proof s1 s2 s3", [s(&proof.s1), s(&proof.s2), s(&proof.s3)].join(" "));
    put("mix proof s_prime", proof.s_prime.iter().map(s).collect::<Vec<_>>().join(" "));
    let flat: Vec<Ciphertext> = out.iter().flatten().copied().collect();
    let d1 = decryption_share(&mut rng, ceremony, 1, &shares[0], &flat);
    let d3 = decryption_share(&mut rng, ceremony, 3, &shares[2], &flat);
    for d in [&d1, &d3] {
        check_decryption_share(ceremony, &ek, &flat, d).unwrap();
        put(&format!("trustee {} decryption share 0", d.trustee), p(&d.parts[0]));
        put(&format!("trustee {} decryption proof 0", d.trustee), hex(&d.proofs[0].to_bytes()));
    }
    let table = DlogTable::new();
    let plain = combine(t, &flat, &[&d1, &d3]).unwrap();
    let decoded: Vec<String> =
        plain.iter().map(|pt| table.decode(pt).map_or("-".to_string(), |m| m.to_string())).collect();
    put("decrypted plaintexts (mix order)", decoded.join(" "));
    lines.join("\n") + "\n"
}

#[test]
fn the_published_test_vectors_are_reproduced_byte_for_byte() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors.txt");
    let got = vectors();
    if std::env::var_os("HUANJIE_WRITE_VECTORS").is_some() {
        std::fs::write(path, &got).unwrap();
    }
    let want = std::fs::read_to_string(path).expect("tests/vectors.txt (HUANJIE_WRITE_VECTORS=1 writes it)");
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "line {} of tests/vectors.txt", i + 1);
    }
    assert_eq!(got.lines().count(), want.lines().count());
}
