//! The observer's verifier: re-derives everything from a downloaded election
//! record (entries + signed checkpoints + cosignatures) and either returns a
//! summary or the first failure, naming the entry where it can.
//!
//! How an altered row is located. Checkpoint roots alone only tell that some
//! leaf before a checkpoint changed. Each leaf therefore carries its own
//! position and its predecessor's leaf hash (`entry.rs`), and the verifier
//! reads the chain before it compares roots:
//! - a row moved, dropped or inserted shows up as a wrong position (`seq` or
//!   `index`) at that exact place;
//! - a row whose content changed no longer hashes to what its successor
//!   committed to; the successor's own commitment tells which of the two rows
//!   was edited;
//! - the last row has no successor: its change is caught by the checkpoint
//!   covering it, and it is the only row a single edit can change without
//!   breaking the chain, so it is named;
//! - rewriting a whole suffix consistently is only caught by a checkpoint;
//!   then the range since the last good checkpoint is reported.
//!
//! Consistency between successive checkpoints is shown directly: every
//! checkpoint root is recomputed from a prefix of the same leaves, which is
//! what RFC 9162 §2.1.4 consistency means, so no proofs need to be shipped.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use super::entry::{EntryLink, GENESIS_PREV, entry_link};
use super::merkle::{Frontier, Hash, leaf_hash};
use super::note::{NoteVerifier, SIG_TYPE_ED25519, verify_checkpoint};

/// Value of [`Record::format`] for this layout.
pub const RECORD_FORMAT: &str = "huanjie-audit-record/v1";

/// An election's audit log as published for observers (JSON). Unknown fields
/// are ignored, so the server may add decoded views, notices or the ballot
/// box beside these; the verifier only trusts what it re-derives here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Record {
    pub format: String,
    /// The log's origin, the first line of each checkpoint.
    pub origin: String,
    /// The log's verifier key, `name+hash+base64`. Observers should pin it
    /// from an independent source ([`Trust::log_key`]).
    pub log_key: String,
    /// Witness keys the server is configured with (informational: only keys
    /// the observer trusts, [`Trust::witnesses`], count).
    #[serde(default)]
    pub witness_keys: Vec<String>,
    /// Where those witnesses answer `huanjie verify`'s question "the largest size you
    /// cosigned" (`GET <url>/latest?origin=`; informational too: the answer is verified
    /// against the pinned witness key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witness_urls: Vec<String>,
    /// Every entry of the log, by index from 0.
    pub entries: Vec<RecordEntry>,
    /// Signed checkpoints, oldest first.
    pub checkpoints: Vec<RecordCheckpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordEntry {
    pub index: u64,
    /// Base64 of the leaf bytes (the canonical entry): the exact input of the
    /// leaf hash.
    pub leaf: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordCheckpoint {
    /// The signed note as served at `/checkpoint` (text/plain).
    pub note: String,
    /// Detached cosignature lines `— name base64(...)` from witnesses.
    #[serde(default)]
    pub cosignatures: Vec<String>,
}

/// What the observer trusts, independently of the record.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// The pinned log key; `None` takes the record's key (trust on first use,
    /// reported in the summary for the observer to compare).
    pub log_key: Option<NoteVerifier>,
    /// Witness keys (type 0x04) whose cosignatures count.
    pub witnesses: Vec<NoteVerifier>,
    /// Cosignatures required on the latest checkpoint.
    pub min_cosignatures: usize,
    /// Accept entries after the latest checkpoint (a live log). Off by
    /// default: such entries are signed by nobody, so a finished election's
    /// record must end exactly at its last checkpoint.
    pub allow_unsigned_tail: bool,
}

/// The first thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    /// The entry (log index) that was altered, missing or inserted, when known.
    pub entry_index: Option<u64>,
    /// The checkpoint (position in `Record::checkpoints`) involved, if any.
    pub checkpoint: Option<usize>,
    pub what: String,
}

impl std::fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.entry_index, self.checkpoint) {
            (Some(e), _) => write!(f, "entry {e}: {}", self.what),
            (None, Some(c)) => write!(f, "checkpoint {c}: {}", self.what),
            (None, None) => f.write_str(&self.what),
        }
    }
}

impl std::error::Error for VerifyFailure {}

/// One verified checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointReport {
    pub size: u64,
    #[serde(with = "super::b64_hash")]
    pub root: Hash,
    /// Trusted witnesses whose cosignatures verified: (name, POSIX time).
    pub cosigners: Vec<(String, u64)>,
}

/// What was verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifySummary {
    pub origin: String,
    /// The log key that signed the checkpoints (compare it with a pinned one).
    pub log_key: String,
    pub entries: u64,
    pub checkpoints: Vec<CheckpointReport>,
    /// Entries after the latest checkpoint (signed by nobody yet).
    pub unsigned_tail: u64,
    /// Number of trusted witnesses (the `n` of "witnessed by k of n").
    pub trusted_witnesses: usize,
}

impl std::fmt::Display for VerifySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OK {}: {} entries, {} checkpoints", self.origin, self.entries, self.checkpoints.len())?;
        if let Some(last) = self.checkpoints.last() {
            write!(
                f,
                "; latest size {} root {} witnessed by {} of {}",
                last.size,
                B64.encode(last.root),
                last.cosigners.len(),
                self.trusted_witnesses
            )?;
        }
        if self.unsigned_tail > 0 {
            write!(f, "; {} entries not yet covered by a checkpoint", self.unsigned_tail)?;
        }
        Ok(())
    }
}

fn at_entry(index: u64, what: String) -> VerifyFailure {
    VerifyFailure { entry_index: Some(index), checkpoint: None, what }
}

fn at_checkpoint(j: usize, what: String) -> VerifyFailure {
    VerifyFailure { entry_index: None, checkpoint: Some(j), what }
}

/// A per-entry check the caller adds (lifecycle legality, recount):
/// `(index, leaf bytes) -> Err(what is wrong)`.
pub type EntryCheck<'a> = dyn FnMut(u64, &[u8]) -> Result<(), String> + 'a;

/// [`verify_record_with`] without extra per-entry checks.
pub fn verify_record(record: &Record, trust: &Trust) -> Result<VerifySummary, VerifyFailure> {
    verify_record_with(record, trust, &mut |_, _| Ok(()))
}

fn decode(entry: &RecordEntry) -> Result<(Vec<u8>, EntryLink), String> {
    let leaf = B64.decode(entry.leaf.as_bytes()).map_err(|_| "leaf is not base64".to_owned())?;
    let link = entry_link(&leaf).map_err(|e| e.to_string())?;
    Ok((leaf, link))
}

/// Verifies the record. `check(index, leaf)` runs on each entry in order,
/// once the entry is known to be the one logged (its position, and its hash
/// as committed to by the next entry or, for the last, by the checkpoints);
/// the caller plugs in lifecycle legality and the recount there, and its
/// `Err` is reported at that entry.
pub fn verify_record_with(
    record: &Record,
    trust: &Trust,
    check: &mut EntryCheck<'_>,
) -> Result<VerifySummary, VerifyFailure> {
    let fail = |what: String| VerifyFailure { entry_index: None, checkpoint: None, what };
    if record.format != RECORD_FORMAT {
        return Err(fail(format!("unknown record format {:?}", record.format)));
    }
    let log = match &trust.log_key {
        Some(pinned) => {
            if NoteVerifier::parse(&record.log_key).ok().as_ref() != Some(pinned) {
                return Err(fail(format!(
                    "record is signed by {}, not the pinned key {}",
                    record.log_key,
                    pinned.to_key_string()
                )));
            }
            pinned.clone()
        }
        None => NoteVerifier::parse(&record.log_key).map_err(|e| fail(format!("log key: {e}")))?,
    };
    if log.sig_type() != SIG_TYPE_ED25519 {
        return Err(fail("log key is not an Ed25519 note key".into()));
    }

    // Checkpoints first: they are what the entries are judged against.
    let mut reports: Vec<CheckpointReport> = Vec::with_capacity(record.checkpoints.len());
    for (j, c) in record.checkpoints.iter().enumerate() {
        let v = verify_checkpoint(&c.note, &c.cosignatures, &log, &trust.witnesses)
            .map_err(|e| at_checkpoint(j, e.to_string()))?;
        let cp = v.checkpoint;
        if cp.origin != record.origin {
            return Err(at_checkpoint(j, format!("origin {:?} is another log", cp.origin)));
        }
        if let Some(prev) = reports.last()
            && cp.size < prev.size
        {
            return Err(at_checkpoint(j, format!("tree shrinks from {} to {} entries", prev.size, cp.size)));
        }
        reports.push(CheckpointReport { size: cp.size, root: cp.root, cosigners: v.cosignatures });
    }

    // Entries: position, chain, caller's checks; roots taken at each
    // checkpoint size on the way and compared afterwards, so a broken chain
    // (which names the row) is reported before a broken root (a range).
    let n = record.entries.len() as u64;
    let mut frontier = Frontier::new();
    let mut roots: Vec<Hash> = Vec::with_capacity(reports.len());
    let take_roots = |frontier: &Frontier, roots: &mut Vec<Hash>| {
        while let Some(r) = reports.get(roots.len()) {
            if r.size != frontier.size() {
                break;
            }
            roots.push(frontier.root());
        }
    };
    take_roots(&frontier, &mut roots);
    let mut prev = GENESIS_PREV;
    let mut pending: Option<(u64, Vec<u8>)> = None;
    for (pos, entry) in (0u64..).zip(record.entries.iter()) {
        if entry.index != pos {
            return Err(if entry.index > pos {
                at_entry(pos, format!("missing: the next stored entry is {}", entry.index))
            } else {
                at_entry(entry.index, format!("stored again at position {pos}: inserted or duplicated"))
            });
        }
        let (leaf, link) = decode(entry).map_err(|w| at_entry(pos, w))?;
        if link.seq > pos {
            return Err(at_entry(pos, format!("missing or moved: the entry stored here is entry {}", link.seq)));
        }
        if link.seq < pos {
            return Err(at_entry(
                link.seq,
                format!("an entry was inserted or moved here: entry {} is found again at {pos}", link.seq),
            ));
        }
        let hash = leaf_hash(&leaf);
        if link.prev != prev {
            // Entry pos-1 changed, or entry pos's own commitment was edited;
            // in the second case its successor no longer matches it either.
            let next_breaks = record
                .entries
                .get(pos as usize + 1)
                .and_then(|e| decode(e).ok())
                .is_some_and(|(_, next)| next.prev != hash);
            return Err(if next_breaks || pos == 0 {
                at_entry(pos, "altered: its link to the previous entry is wrong".into())
            } else {
                at_entry(
                    pos - 1,
                    format!(
                        "altered: its content no longer matches the hash entry {pos} committed to{}",
                        if pos + 1 == n { format!(" (or entry {pos}, the last, was edited)") } else { String::new() }
                    ),
                )
            });
        }
        // The caller's check runs one entry late, once the successor's link
        // has shown the entry is the one that was logged: an edited row must
        // be reported as altered, not as, say, an illegal transition.
        if let Some((i, earlier)) = pending.take() {
            check(i, &earlier).map_err(|w| at_entry(i, w))?;
        }
        frontier.append(hash);
        take_roots(&frontier, &mut roots);
        prev = hash;
        pending = Some((pos, leaf));
    }

    let mut good_size = 0u64;
    for (j, r) in reports.iter().enumerate() {
        let Some(root) = roots.get(j) else {
            return Err(VerifyFailure {
                entry_index: Some(n),
                checkpoint: Some(j),
                what: format!("missing: checkpoint {j} covers {} entries but the record holds {n}", r.size),
            });
        };
        if *root != r.root {
            // The chain verified, so one edited row can only be the last one;
            // otherwise a whole suffix was rewritten from somewhere in
            // [good_size, r.size) on.
            let last_only = r.size == n && n > 0;
            return Err(VerifyFailure {
                entry_index: last_only.then(|| n - 1),
                checkpoint: Some(j),
                what: format!(
                    "altered: the first {} entries do not hash to checkpoint {j}'s root; \
                     the change lies in entries {good_size}..{}{}",
                    r.size,
                    r.size,
                    if last_only { " (the last entry, if one row was edited)" } else { "" }
                ),
            });
        }
        good_size = r.size;
    }

    // The last entry is bound by the checkpoint alone, checked just above.
    if let Some((i, last)) = pending.take() {
        check(i, &last).map_err(|w| at_entry(i, w))?;
    }

    let covered = reports.last().map_or(0, |r| r.size);
    if covered < n && !trust.allow_unsigned_tail {
        return Err(at_entry(
            covered,
            format!(
                "entries {covered}..{n} are covered by no signed checkpoint (inserted, or the record was cut early)"
            ),
        ));
    }
    if let Some((j, last)) = reports.iter().enumerate().next_back() {
        if last.cosigners.len() < trust.min_cosignatures {
            return Err(at_checkpoint(
                j,
                format!("witnessed by {} of the {} required", last.cosigners.len(), trust.min_cosignatures),
            ));
        }
    } else if trust.min_cosignatures > 0 {
        return Err(fail("no checkpoint to be witnessed".into()));
    }

    Ok(VerifySummary {
        origin: record.origin.clone(),
        log_key: log.to_key_string(),
        entries: n,
        checkpoints: reports,
        unsigned_tail: n - covered,
        trusted_witnesses: trust.witnesses.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::entry::{canonical_json, chained_entry};
    use crate::audit::note::{Checkpoint, Cosigner, NoteSigner, sign_checkpoint};
    use serde_json::{Value, json};

    const ORIGIN: &str = "huanjie.example/elections/42";
    const N: u64 = 30;
    const SIZES: [u64; 5] = [0, 7, 16, 16, 30];

    fn log() -> NoteSigner {
        NoteSigner::new("huanjie.example", &[5; 32]).expect("log")
    }

    fn witnesses() -> Vec<Cosigner> {
        (1..=3).map(|i| Cosigner::new(&format!("w{i}.example"), &[10 + i; 32]).expect("w")).collect()
    }

    fn event(i: u64) -> Value {
        json!({"v": 1, "type": "test_event", "actor": format!("clerk{}", i % 3), "n": i})
    }

    fn leaves(n: u64) -> Vec<Vec<u8>> {
        let mut f = Frontier::new();
        (0..n)
            .map(|i| {
                let leaf = chained_entry(i, f.last_leaf().as_ref(), &event(i)).expect("entry");
                f.append(leaf_hash(&leaf));
                leaf
            })
            .collect()
    }

    /// Built once: signing is slow in unoptimised test builds.
    fn record() -> Record {
        static RECORD: std::sync::OnceLock<Record> = std::sync::OnceLock::new();
        RECORD.get_or_init(build_record).clone()
    }

    fn build_record() -> Record {
        let leaves = leaves(N);
        let ws = witnesses();
        let checkpoints = SIZES
            .iter()
            .map(|&s| {
                let mut f = Frontier::new();
                for l in &leaves[..s as usize] {
                    f.append(leaf_hash(l));
                }
                let cp = Checkpoint { origin: ORIGIN.into(), size: s, root: f.root(), extensions: vec![] };
                RecordCheckpoint {
                    note: sign_checkpoint(&log(), &cp).expect("sign"),
                    cosignatures: ws[..2]
                        .iter()
                        .map(|w| w.cosign(&cp.body(), 1_800_000_000 + s).expect("cosign"))
                        .collect(),
                }
            })
            .collect();
        Record {
            format: RECORD_FORMAT.into(),
            origin: ORIGIN.into(),
            log_key: log().verifier_key_string(),
            witness_keys: ws.iter().map(Cosigner::verifier_key_string).collect(),
            witness_urls: vec![],
            entries: (0..).zip(leaves).map(|(index, l)| RecordEntry { index, leaf: B64.encode(l) }).collect(),
            checkpoints,
        }
    }

    fn trust() -> Trust {
        Trust {
            log_key: Some(log().verifier()),
            witnesses: witnesses().iter().map(Cosigner::verifier).collect(),
            min_cosignatures: 2,
            allow_unsigned_tail: false,
        }
    }

    fn fails_at(r: &Record) -> Option<u64> {
        match verify_record(r, &trust()) {
            Ok(s) => panic!("tampered record verified: {s}"),
            Err(e) => e.entry_index,
        }
    }

    fn leaf_value(r: &Record, k: usize) -> Value {
        serde_json::from_slice(&B64.decode(&r.entries[k].leaf).expect("b64")).expect("json")
    }

    fn set_leaf(r: &mut Record, k: usize, v: &Value) {
        r.entries[k].leaf = B64.encode(canonical_json(v));
    }

    #[test]
    fn honest_record_verifies() {
        let r = record();
        let s = verify_record(&r, &trust()).expect("verifies");
        assert_eq!(s.entries, N);
        assert_eq!(s.checkpoints.len(), SIZES.len());
        assert_eq!(s.unsigned_tail, 0);
        assert_eq!(s.checkpoints[4].cosigners.len(), 2);
        assert!(s.to_string().contains("witnessed by 2 of 3"), "{s}");
        // Round trip through JSON, as observers download it.
        let json = serde_json::to_string(&r).expect("json");
        let back: Record = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, r);
        // Trust on first use of the record's key also works.
        let tofu = Trust::default();
        assert_eq!(verify_record(&r, &tofu).expect("tofu").log_key, r.log_key);
    }

    #[test]
    fn changed_content_names_the_entry() {
        for k in 0..N as usize {
            let mut r = record();
            let mut v = leaf_value(&r, k);
            v["actor"] = json!("mallory");
            set_leaf(&mut r, k, &v);
            assert_eq!(fails_at(&r), Some(k as u64), "content of {k}");
        }
    }

    #[test]
    fn changed_link_names_the_entry() {
        for k in 1..N as usize - 1 {
            let mut r = record();
            let mut v = leaf_value(&r, k);
            v["prev"] = json!(B64.encode([9u8; 32]));
            set_leaf(&mut r, k, &v);
            assert_eq!(fails_at(&r), Some(k as u64), "prev of {k}");
        }
    }

    #[test]
    fn deleted_entry_is_named() {
        for k in 0..N as usize {
            // Row removed, the others keep their index.
            let mut r = record();
            r.entries.remove(k);
            assert_eq!(fails_at(&r), Some(k as u64), "delete {k}");
            // Row removed and the later rows renumbered to hide the gap.
            let mut r = record();
            r.entries.remove(k);
            for (i, e) in r.entries.iter_mut().enumerate().skip(k) {
                e.index = i as u64;
            }
            assert_eq!(fails_at(&r), Some(k as u64), "delete+renumber {k}");
        }
    }

    #[test]
    fn inserted_entry_is_named() {
        for k in 0..=N as usize {
            // A forged entry that even links correctly to its predecessor.
            let mut r = record();
            let prev = if k == 0 { None } else { Some(leaf_hash(&B64.decode(&r.entries[k - 1].leaf).expect("b64"))) };
            let forged = chained_entry(k as u64, prev.as_ref(), &json!({"v": 1, "type": "forged"})).expect("entry");
            let row = RecordEntry { index: k as u64, leaf: B64.encode(forged) };
            let mut renumbered = r.clone();
            r.entries.insert(k, row.clone());
            assert_eq!(fails_at(&r), Some(k as u64), "insert {k}");
            renumbered.entries.insert(k, row);
            for (i, e) in renumbered.entries.iter_mut().enumerate() {
                e.index = i as u64;
            }
            assert_eq!(fails_at(&renumbered), Some(k as u64), "insert+renumber {k}");
        }
    }

    #[test]
    fn reordered_entries_are_named() {
        for k in 0..N as usize - 1 {
            // Contents swapped, index column untouched.
            let mut r = record();
            let a = r.entries[k].leaf.clone();
            r.entries[k].leaf = r.entries[k + 1].leaf.clone();
            r.entries[k + 1].leaf = a;
            assert_eq!(fails_at(&r), Some(k as u64), "swap {k}");
            // Whole rows swapped (index travels with the row).
            let mut r = record();
            r.entries.swap(k, k + 1);
            assert_eq!(fails_at(&r), Some(k as u64), "swap rows {k}");
        }
    }

    #[test]
    fn rewritten_suffix_is_caught_by_the_checkpoint() {
        // Rebuild entries 10.. with a consistent chain: only the signed
        // checkpoint at 16 can catch it, and the range is reported.
        let mut r = record();
        let mut f = Frontier::new();
        for i in 0..N {
            let mut ev = event(i);
            if i >= 10 {
                ev["actor"] = json!("mallory");
            }
            let leaf = chained_entry(i, f.last_leaf().as_ref(), &ev).expect("entry");
            f.append(leaf_hash(&leaf));
            r.entries[i as usize].leaf = B64.encode(leaf);
        }
        let e = verify_record(&r, &trust()).expect_err("caught");
        assert_eq!(e.checkpoint, Some(2));
        assert_eq!(e.entry_index, None);
        assert!(e.what.contains("entries 7..16"), "{}", e.what);
    }

    #[test]
    fn checkpoint_problems() {
        let mut r = record();
        r.checkpoints[2].note = r.checkpoints[2].note.replacen("\n16\n", "\n17\n", 1);
        assert_eq!(verify_record(&r, &trust()).expect_err("bad sig").checkpoint, Some(2));

        let mut r = record();
        r.checkpoints.swap(1, 2);
        let e = verify_record(&r, &trust()).expect_err("order");
        assert!(e.what.contains("shrinks"), "{e}");

        let mut r = record();
        r.checkpoints[4].cosignatures.pop();
        let e = verify_record(&r, &trust()).expect_err("quorum");
        assert!(e.what.contains("witnessed by 1 of the 2"), "{e}");

        let mut r = record();
        r.checkpoints[4].cosignatures[0] = r.checkpoints[3].cosignatures[0].clone();
        assert!(verify_record(&r, &trust()).is_err());

        let mut r = record();
        let other = NoteSigner::new("huanjie.example", &[6; 32]).expect("other");
        r.log_key = other.verifier_key_string();
        assert!(verify_record(&r, &trust()).is_err());

        let mut r = record();
        r.entries.truncate(20);
        let e = verify_record(&r, &trust()).expect_err("cut");
        assert_eq!((e.entry_index, e.checkpoint), (Some(20), Some(4)));

        // Entries beyond the last checkpoint: refused unless a live log is expected.
        let mut r = record();
        r.checkpoints.pop();
        let e = verify_record(&r, &trust()).expect_err("tail");
        assert_eq!(e.entry_index, Some(16));
        let live = Trust { allow_unsigned_tail: true, ..trust() };
        assert_eq!(verify_record(&r, &live).expect("live").unsigned_tail, 14);

        // An empty log whose checkpoint claims a non-empty root.
        let mut r = record();
        r.entries.clear();
        let cp = Checkpoint { origin: ORIGIN.into(), size: 0, root: [1; 32], extensions: vec![] };
        r.checkpoints =
            vec![RecordCheckpoint { note: sign_checkpoint(&log(), &cp).expect("sign"), cosignatures: vec![] }];
        let e = verify_record(&r, &Trust::default()).expect_err("empty");
        assert_eq!((e.entry_index, e.checkpoint), (None, Some(0)));
    }

    #[test]
    fn entry_hook_runs_in_order_and_names_the_entry() {
        let r = record();
        let mut seen = Vec::new();
        let e = verify_record_with(&r, &trust(), &mut |i, leaf| {
            seen.push(i);
            let v: Value = serde_json::from_slice(leaf).map_err(|e| e.to_string())?;
            if v["n"] == json!(12) {
                return Err("illegal transition".into());
            }
            Ok(())
        })
        .expect_err("hook");
        assert_eq!(e.entry_index, Some(12));
        assert_eq!(e.what, "illegal transition");
        assert_eq!(seen, (0..=12).collect::<Vec<_>>());

        let mut count = 0;
        verify_record_with(&r, &trust(), &mut |_, _| {
            count += 1;
            Ok(())
        })
        .expect("honest");
        assert_eq!(count, N);

        // An edited row is reported as altered, before the hook can object.
        let mut r = record();
        let mut v = leaf_value(&r, 5);
        v["type"] = json!("illegal");
        set_leaf(&mut r, 5, &v);
        let e = verify_record_with(&r, &trust(), &mut |i, leaf| {
            let v: Value = serde_json::from_slice(leaf).map_err(|e| e.to_string())?;
            if v["type"] == json!("illegal") {
                return Err(format!("illegal event at {i}"));
            }
            Ok(())
        })
        .expect_err("tampered");
        assert_eq!(e.entry_index, Some(5));
        assert!(e.what.starts_with("altered"), "{e}");
    }
}
