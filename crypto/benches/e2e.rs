//! `cargo bench -p huanjie-crypto`: the end-to-end primitives at the sizes issue 18 names
//! (the demo's ballot shape; 10,000 ballots per shuffle). Timings only; nothing asserted.

use std::time::Instant;

use huanjie_crypto::ballot::{BallotContext, EncryptedBallot, PostChoice, PostShape, Shape};
use huanjie_crypto::credential::Credential;
use huanjie_crypto::dkg::{DecryptionShare, Threshold, combine, decryption_share};
use huanjie_crypto::drbg::Drbg;
use huanjie_crypto::elgamal::{Ciphertext, DlogTable};
use huanjie_crypto::group::{G, random_scalar};
use huanjie_crypto::proofs::{BatchItem, verify_batch};
use huanjie_crypto::shuffle::{shuffle, verify_shuffle};

fn main() {
    let n: usize = std::env::var("E2E_BALLOTS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let mut rng = Drbg::new(b"bench");
    let x = random_scalar(&mut rng);
    let key = G * x;
    let ctx = BallotContext { election: b"bench/election-1".to_vec(), round: b"E1".to_vec() };
    let shape = Shape::new(vec![
        PostShape { post: "chair".into(), candidates: 2, seats: 1, write_ins: 1 },
        PostShape { post: "vice_chair".into(), candidates: 2, seats: 1, write_ins: 1 },
        PostShape { post: "member".into(), candidates: 4, seats: 3, write_ins: 3 },
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let choices = vec![
        PostChoice { marks: vec![0], write_ins: vec![] },
        PostChoice { marks: vec![1], write_ins: vec![] },
        PostChoice { marks: vec![0, 1, 3], write_ins: vec![] },
    ];
    let cred = Credential::derive(&ctx.election, "BENCH-CODE");
    let reps = 1000;
    let t = Instant::now();
    let mut ballots = Vec::new();
    for _ in 0..reps {
        ballots.push(
            EncryptedBallot::encrypt(&mut rng, &key, &ctx, &shape, &cred, &choices).unwrap_or_else(|e| panic!("{e}")),
        );
    }
    println!(
        "encrypt + prove + sign one ballot ({} ciphertexts): {:.3} ms",
        shape.slots(),
        t.elapsed().as_secs_f64() * 1e3 / reps as f64
    );
    let t = Instant::now();
    for b in &ballots {
        b.check(&key, &ctx, &shape).unwrap_or_else(|e| panic!("{e}"));
    }
    println!("check one ballot (signature + proof): {:.3} ms", t.elapsed().as_secs_f64() * 1e3 / reps as f64);
    let st = ctx.statement(&shape, &cred.public());
    let items: Vec<BatchItem<'_>> =
        ballots.iter().map(|b| BatchItem { proof: &b.proof, statement: &st, cts: &b.ciphertexts }).collect();
    let t = Instant::now();
    verify_batch(&mut rng, &key, &items).unwrap_or_else(|i| panic!("batch item {i}"));
    println!("batch-verify {} encryption proofs: {:.3} ms each", reps, t.elapsed().as_secs_f64() * 1e3 / reps as f64);

    let rows: Vec<Vec<Ciphertext>> = (0..n).map(|i| ballots[i % reps].ciphertexts.clone()).collect();
    let t = Instant::now();
    let (out, proof) = shuffle(&mut rng, b"bench-mix", &key, &rows).unwrap_or_else(|e| panic!("{e}"));
    println!("shuffle + prove {n} ballots × {} ciphertexts: {:.1} s", shape.slots(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    verify_shuffle(b"bench-mix", &key, &rows, &out, &proof).unwrap_or_else(|e| panic!("{e}"));
    println!("verify the shuffle: {:.1} s", t.elapsed().as_secs_f64());

    let flat: Vec<Ciphertext> = out.iter().flatten().copied().collect();
    let t = Instant::now();
    let share: DecryptionShare = decryption_share(&mut rng, b"bench", 1, &x, &flat);
    println!("one trustee's decryption shares with proofs, {n} ballots: {:.1} s", t.elapsed().as_secs_f64());
    let table = DlogTable::new();
    let t = Instant::now();
    let pts = combine(Threshold { n: 1, k: 1 }, &flat, &[&share]).unwrap_or_else(|e| panic!("{e}"));
    let decoded = pts.iter().filter(|p| table.decode(p).is_some()).count();
    println!("combine + decode {} plaintexts: {:.1} s ({decoded} decoded)", flat.len(), t.elapsed().as_secs_f64());
}
