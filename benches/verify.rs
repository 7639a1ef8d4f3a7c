//! `cargo bench --bench verify`: builds a 1,000,000-entry election record with
//! a signed, twice-cosigned checkpoint every 10,000 entries, then times what
//! `huanjie verify` does with it (parse the JSON, verify everything).
//! Target (issue 4): under 3 s in release on the project machine.

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use huanjie::audit::merkle::{Frontier, leaf_hash};
use huanjie::audit::note::{Checkpoint, Cosigner, NoteSigner, sign_checkpoint};
use huanjie::audit::verify::{RECORD_FORMAT, Record, RecordCheckpoint, RecordEntry, Trust, verify_record};
use huanjie::audit::{chained_entry, root_from_leaves};
use serde_json::json;

const ENTRIES: u64 = 1_000_000;
const CHECKPOINT_EVERY: u64 = 10_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let log = NoteSigner::new("huanjie.example", &[1; 32])?;
    let witnesses = [Cosigner::new("w1.example", &[2; 32])?, Cosigner::new("w2.example", &[3; 32])?];
    let origin = "huanjie.example/elections/1";

    let t = Instant::now();
    let mut frontier = Frontier::new();
    let mut entries = Vec::with_capacity(ENTRIES as usize);
    let mut checkpoints = Vec::new();
    for i in 0..ENTRIES {
        let event = json!({
            "v": 1,
            "type": "ballot_issued",
            "actor": {"id": format!("clerk-{}", i % 40), "role": "clerk"},
            "target": format!("voter-{i}"),
            "station": i % 12,
            "at": 1_800_000_000_000u64 + i * 37,
        });
        let leaf = chained_entry(i, frontier.last_leaf().as_ref(), &event)?;
        frontier.append(leaf_hash(&leaf));
        entries.push(RecordEntry { index: i, leaf: B64.encode(&leaf) });
        if frontier.size().is_multiple_of(CHECKPOINT_EVERY) {
            let cp =
                Checkpoint { origin: origin.into(), size: frontier.size(), root: frontier.root(), extensions: vec![] };
            let mut cosignatures = Vec::new();
            for w in &witnesses {
                cosignatures.push(w.cosign(&cp.body(), 1_800_000_000 + i)?);
            }
            checkpoints.push(RecordCheckpoint { note: sign_checkpoint(&log, &cp)?, cosignatures });
        }
    }
    let record = Record {
        format: RECORD_FORMAT.into(),
        origin: origin.into(),
        log_key: log.verifier_key_string(),
        witness_keys: witnesses.iter().map(Cosigner::verifier_key_string).collect(),
        witness_urls: vec![],
        entries,
        checkpoints,
    };
    let json = serde_json::to_string(&record)?;
    println!(
        "built {ENTRIES} entries, {} checkpoints, {} MB of JSON in {:.2?}",
        record.checkpoints.len(),
        json.len() / 1_000_000,
        t.elapsed()
    );
    drop(record);

    let hashes: Vec<_> = (0..ENTRIES).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let t = Instant::now();
    let root = root_from_leaves(&hashes);
    println!("frontier root of {ENTRIES} leaf hashes: {:.2?} ({})", t.elapsed(), B64.encode(root));

    let trust = Trust {
        log_key: Some(log.verifier()),
        witnesses: witnesses.iter().map(Cosigner::verifier).collect(),
        min_cosignatures: 2,
        allow_unsigned_tail: false,
    };
    let total = Instant::now();
    let t = Instant::now();
    let parsed: Record = serde_json::from_str(&json)?;
    let parse = t.elapsed();
    let t = Instant::now();
    let summary = verify_record(&parsed, &trust)?;
    let verify = t.elapsed();
    println!("{summary}");
    println!("verify {ENTRIES} entries: parse JSON {parse:.2?} + verify {verify:.2?} = {:.2?}", total.elapsed());
    Ok(())
}
