//! The witness's decision, without I/O: given what it last cosigned for a log,
//! a new signed checkpoint and a consistency proof, either cosign
//! (C2SP tlog-cosignature) and advance, or refuse and say why.
//!
//! A witness exists to stop split views: it must never cosign two checkpoints
//! of one origin that are not consistent, so a log that shrinks, forks or
//! cannot prove it only appended is refused (C2SP tlog-witness semantics).
//! The `huanjie witness` command keeps one [`WitnessState`] per origin in its
//! own state directory and persists the returned state only after a cosign.

use serde::{Deserialize, Serialize};

use super::merkle::{Hash, verify_consistency};
use super::note::{Cosigner, NoteError, NoteVerifier, parse_note, verify_checkpoint};

/// What the witness last cosigned for one log (origin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessState {
    pub origin: String,
    pub last_size: u64,
    #[serde(with = "super::b64_hash")]
    pub last_root: Hash,
}

/// Why the witness refuses to cosign. Every variant but `BadLogSignature`
/// and `Cosign` is evidence of log misbehaviour worth reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WitnessRefusal {
    /// The note does not carry a valid signature by the log's key.
    BadLogSignature(NoteError),
    /// The checkpoint is for another log than the state we hold.
    WrongOrigin { expected: String, got: String },
    /// The log is smaller than what we already cosigned: entries were dropped.
    Shrunk { last_size: u64, new_size: u64 },
    /// Same size, different root: two histories of one log (a fork).
    Fork { size: u64 },
    /// Bigger, but the proof does not show the old tree is a prefix: a fork
    /// or rewritten history (RFC 9162 §2.1.4.2 failed).
    Inconsistent { from: u64, to: u64 },
    /// Our own signing failed (e.g. a timestamp beyond 2^63-1).
    Cosign(NoteError),
}

impl std::fmt::Display for WitnessRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadLogSignature(e) => write!(f, "checkpoint not signed by the log: {e}"),
            Self::WrongOrigin { expected, got } => {
                write!(f, "checkpoint origin {got:?} is not the witnessed log {expected:?}")
            }
            Self::Shrunk { last_size, new_size } => {
                write!(f, "log shrank from {last_size} to {new_size} entries since last cosigned")
            }
            Self::Fork { size } => write!(f, "log forked: a different root for size {size} was cosigned before"),
            Self::Inconsistent { from, to } => {
                write!(f, "consistency proof from size {from} to {to} does not verify: log history was rewritten")
            }
            Self::Cosign(e) => write!(f, "could not cosign: {e}"),
        }
    }
}

impl std::error::Error for WitnessRefusal {}

/// The origin of a note, read before any signature is checked, so the
/// caller can load the matching [`WitnessState`]. Trust nothing else from it.
pub fn note_origin(note: &str) -> Option<String> {
    let parsed = parse_note(note).ok()?;
    parsed.text.split('\n').next().map(str::to_owned)
}

/// Checks `new_note` against the log key and the previous state, and on
/// success returns the cosignature line to hand back to the log plus the
/// state to persist. With no previous state the first checkpoint is trusted
/// as seen (trust on first use), as for any new witness.
pub fn witness_checkpoint(
    state: Option<&WitnessState>,
    log_key: &NoteVerifier,
    new_note: &str,
    consistency_proof: &[Hash],
    witness: &Cosigner,
    now_secs: u64,
) -> Result<(String, WitnessState), WitnessRefusal> {
    let verified = verify_checkpoint(new_note, &[], log_key, &[]).map_err(WitnessRefusal::BadLogSignature)?;
    let cp = &verified.checkpoint;
    if let Some(last) = state {
        if last.origin != cp.origin {
            return Err(WitnessRefusal::WrongOrigin { expected: last.origin.clone(), got: cp.origin.clone() });
        }
        if cp.size < last.last_size {
            return Err(WitnessRefusal::Shrunk { last_size: last.last_size, new_size: cp.size });
        }
        if cp.size == last.last_size && cp.root != last.last_root {
            return Err(WitnessRefusal::Fork { size: cp.size });
        }
        if !verify_consistency(last.last_size, cp.size, &last.last_root, &cp.root, consistency_proof) {
            return Err(WitnessRefusal::Inconsistent { from: last.last_size, to: cp.size });
        }
    }
    let line = witness.cosign(&verified.text, now_secs).map_err(WitnessRefusal::Cosign)?;
    Ok((line, WitnessState { origin: cp.origin.clone(), last_size: cp.size, last_root: cp.root }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::merkle::{consistency_proof, leaf_hash, root_from_leaves};
    use crate::audit::note::{Checkpoint, NoteSigner, sign_checkpoint};

    const ORIGIN: &str = "huanjie.example/elections/7";

    fn log() -> NoteSigner {
        NoteSigner::new("huanjie.example", &[3; 32]).expect("log")
    }

    fn witness() -> Cosigner {
        Cosigner::new("witness.example/w1", &[4; 32]).expect("witness")
    }

    fn leaves(tag: &str, n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("{tag}{i}").as_bytes())).collect()
    }

    fn note(origin: &str, leaves: &[Hash]) -> String {
        let cp = Checkpoint {
            origin: origin.into(),
            size: leaves.len() as u64,
            root: root_from_leaves(leaves),
            extensions: vec![],
        };
        sign_checkpoint(&log(), &cp).expect("sign")
    }

    fn state(leaves: &[Hash]) -> WitnessState {
        WitnessState { origin: ORIGIN.into(), last_size: leaves.len() as u64, last_root: root_from_leaves(leaves) }
    }

    #[test]
    fn cosigns_first_sight_and_consistent_growth() {
        let l = leaves("e", 20);
        let (line, st) =
            witness_checkpoint(None, &log().verifier(), &note(ORIGIN, &l[..5]), &[], &witness(), 100).expect("first");
        assert_eq!(st, state(&l[..5]));
        assert_eq!(note_origin(&note(ORIGIN, &l[..5])).as_deref(), Some(ORIGIN));
        let proof = consistency_proof(&l, 5, 20).expect("proof");
        let new_note = note(ORIGIN, &l);
        let (line2, st2) =
            witness_checkpoint(Some(&st), &log().verifier(), &new_note, &proof, &witness(), 160).expect("growth");
        assert_eq!(st2, state(&l));
        // The cosignature verifies as tlog-cosignature/v1 over that checkpoint.
        let v = verify_checkpoint(&new_note, &[line2], &log().verifier(), &[witness().verifier()]).expect("cosigned");
        assert_eq!(v.cosignatures, vec![("witness.example/w1".to_owned(), 160)]);
        assert!(line.starts_with("\u{2014} witness.example/w1 "));
        // Re-cosigning the same tree head refreshes the timestamp.
        assert!(witness_checkpoint(Some(&st2), &log().verifier(), &new_note, &[], &witness(), 200).is_ok());
        let json = serde_json::to_string(&st2).expect("json");
        assert_eq!(serde_json::from_str::<WitnessState>(&json).expect("back"), st2);
    }

    #[test]
    fn refuses_bad_log_signature() {
        let l = leaves("e", 3);
        let other = NoteSigner::new("huanjie.example", &[9; 32]).expect("other");
        let cp = Checkpoint { origin: ORIGIN.into(), size: 3, root: root_from_leaves(&l), extensions: vec![] };
        let by_other = sign_checkpoint(&other, &cp).expect("sign");
        assert!(matches!(
            witness_checkpoint(None, &log().verifier(), &by_other, &[], &witness(), 1),
            Err(WitnessRefusal::BadLogSignature(_))
        ));
        let tampered = note(ORIGIN, &l).replacen("\n3\n", "\n4\n", 1);
        assert!(matches!(
            witness_checkpoint(None, &log().verifier(), &tampered, &[], &witness(), 1),
            Err(WitnessRefusal::BadLogSignature(_))
        ));
    }

    #[test]
    fn refuses_wrong_origin() {
        let l = leaves("e", 4);
        let r = witness_checkpoint(
            Some(&state(&l[..2])),
            &log().verifier(),
            &note("huanjie.example/elections/8", &l),
            &consistency_proof(&l, 2, 4).expect("proof"),
            &witness(),
            1,
        );
        assert!(matches!(r, Err(WitnessRefusal::WrongOrigin { .. })));
    }

    #[test]
    fn refuses_shrunk_log() {
        let l = leaves("e", 10);
        let r = witness_checkpoint(Some(&state(&l)), &log().verifier(), &note(ORIGIN, &l[..9]), &[], &witness(), 1);
        assert_eq!(r, Err(WitnessRefusal::Shrunk { last_size: 10, new_size: 9 }));
    }

    #[test]
    fn refuses_fork_at_same_size() {
        let l = leaves("e", 10);
        let mut forked = l.clone();
        forked[3] = leaf_hash(b"rewritten");
        let r = witness_checkpoint(Some(&state(&l)), &log().verifier(), &note(ORIGIN, &forked), &[], &witness(), 1);
        assert_eq!(r, Err(WitnessRefusal::Fork { size: 10 }));
    }

    #[test]
    fn refuses_inconsistent_growth() {
        let l = leaves("e", 10);
        let mut forked = leaves("e", 16);
        forked[2] = leaf_hash(b"rewritten");
        // The log's honest-looking proof for its rewritten history.
        let proof = consistency_proof(&forked, 10, 16).expect("proof");
        let r = witness_checkpoint(Some(&state(&l)), &log().verifier(), &note(ORIGIN, &forked), &proof, &witness(), 1);
        assert_eq!(r, Err(WitnessRefusal::Inconsistent { from: 10, to: 16 }));
        // No proof at all is refused too.
        let honest = leaves("e", 16);
        let r = witness_checkpoint(Some(&state(&l)), &log().verifier(), &note(ORIGIN, &honest), &[], &witness(), 1);
        assert_eq!(r, Err(WitnessRefusal::Inconsistent { from: 10, to: 16 }));
    }

    #[test]
    fn refuses_impossible_timestamp() {
        let l = leaves("e", 2);
        let r = witness_checkpoint(None, &log().verifier(), &note(ORIGIN, &l), &[], &witness(), u64::MAX);
        assert!(matches!(r, Err(WitnessRefusal::Cosign(_))));
    }
}
