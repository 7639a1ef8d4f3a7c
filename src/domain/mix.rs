//! The mix and the threshold decryption of an end-to-end round (issue 18; docs/e2e.md §6–§8): the
//! messages trustees post, the board everyone reads, the contexts every proof is bound to, and
//! the one mapping from a decrypted ballot's plaintexts to the law engine's [`PlainBallot`].
//!
//! Everything here is what `huanjie verify` recomputes from the published record: the server,
//! the trustee tool and the verifier share these functions, so they cannot drift apart.

use huanjie_crypto::ballot::{Shape, decode_choices};
use huanjie_crypto::dkg::{DecryptionShare, Threshold, combine};
use huanjie_crypto::elgamal::{Ciphertext, DlogTable};
use huanjie_crypto::shuffle::Row;
use serde::{Deserialize, Serialize};

use super::ballot::{BallotPaper, PlainBallot, PostCounts, PostLists};

/// What a trustee posts to shuffle: the output rows (`shuffle::rows_to_bytes`, hex) and the
/// proof (`ShuffleProof::to_bytes`, hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShuffleMessage {
    pub output: String,
    pub proof: String,
}

/// What a trustee posts to decrypt: its decryption share of the last shuffle's output
/// (`DecryptionShare::to_bytes`, hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecryptionMessage {
    pub share: String,
}

/// One posted shuffle, in sequence from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShuffleBoard {
    pub seq: i64,
    pub trustee: u32,
    pub output: String,
    pub proof: String,
}

/// One posted decryption share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecryptionBoard {
    pub trustee: u32,
    pub share: String,
}

/// The mix's bulletin board of one round, as everyone reads it (`GET …/rounds/{round}/shuffles`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MixBoard {
    pub election_id: i64,
    pub round: i64,
    /// The ceremony whose key the box is encrypted under (`domain::ceremony::ceremony_id`).
    pub ceremony: String,
    pub n: u32,
    pub k: u32,
    /// `mixing` (shuffles may be posted), `decrypting` (k shuffles in: shares may be posted; no
    /// more shuffles), `decrypted` (the decrypted ballots are fixed).
    pub status: String,
    pub election_key: String,
    /// Y_1 … Y_n, hex.
    pub verification_keys: Vec<String>,
    /// The mix input (`service::mix::mix_input`), as `rows_to_bytes` hex.
    pub input: String,
    pub shuffles: Vec<ShuffleBoard>,
    pub decryptions: Vec<DecryptionBoard>,
    /// The decrypted ballots in decrypted order (the electronic box the count reads).
    pub decrypted: Vec<String>,
}

/// The mix input (docs/e2e.md §6): the round's electronic box, `(ballot id hex, content)` in
/// ballot-id order, every row an encrypted ballot (`domain::e2e::from_content`) of `width`
/// ciphertexts; one row per ballot, in that order. The whole box: e2c's revocation rule keeps a
/// ballot from a revoked credential out of the box itself, so no filter is needed here — were
/// one ever needed (a credential revoked after it voted), this is the one place it would go, and
/// `huanjie verify` applies this same function to the published box.
pub fn mix_input<'a>(box_rows: impl Iterator<Item = (String, &'a str)>, width: usize) -> Result<Vec<Row>, String> {
    let mut rows: Vec<(String, Row)> = Vec::new();
    for (id, content) in box_rows {
        let ballot = match super::e2e::from_content(content) {
            Some(Ok(b)) => b,
            Some(Err(e)) => return Err(format!("electronic ballot {id} does not parse: {e}")),
            None => return Err(format!("electronic ballot {id} of an end-to-end round is not encrypted")),
        };
        if ballot.ciphertexts.len() != width {
            return Err(format!(
                "electronic ballot {id} has {} ciphertexts, the paper {width}",
                ballot.ciphertexts.len()
            ));
        }
        rows.push((id, ballot.ciphertexts));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// The context of the shuffle posted as step `seq` of round `round` (docs/e2e.md §6).
pub fn mix_context(ceremony: &str, round: i64, seq: i64) -> Vec<u8> {
    format!("{ceremony}/round-{round}/mix-{seq}").into_bytes()
}

/// What the decryption proofs of round `round` are bound to (docs/e2e.md §7: the `ceremony`
/// input of the decryption context).
pub fn decryption_context(ceremony: &str, round: i64) -> Vec<u8> {
    format!("{ceremony}/round-{round}").into_bytes()
}

/// The rows' ciphertexts in row-major order: what the decryption shares cover.
pub fn flatten(rows: &[Row]) -> Vec<Ciphertext> {
    rows.iter().flat_map(|r| r.iter().copied()).collect()
}

/// A decrypted ballot as the law engine reads it, from its decoded slots (`None`: a slot that
/// does not decode). The marks name the paper's candidates in list order; a write-in number
/// names the person at that place of the voter list (`resident`, which reads `store::elections::roll` order
/// through `domain::e2e::written_in_resident`) as
/// `r<resident id>`. Neither a slot that does not decode nor a mark beyond the list is a
/// verification failure: that ballot is invalid for the law engine (LAW.md §6 [P]); a write-in
/// number naming nobody is an unreadable write-in, which voids only itself (LAW.md §6 [P]); too
/// many marks are the law engine's to judge (LAW.md §7). No mark and no write-in: blank.
pub fn plain_ballot(
    paper: &BallotPaper,
    shape: &Shape,
    resident: &dyn Fn(u32) -> Option<i64>,
    plain: &[Option<u32>],
) -> PlainBallot {
    let choices = decode_choices(shape, plain);
    if plain.len() != shape.slots() || choices.iter().any(Option::is_none) {
        return PlainBallot { invalid: true, ..PlainBallot::default() };
    }
    let mut b = PlainBallot::default();
    let (mut write_ins, mut unreadable) = (PostLists::default(), PostCounts::default());
    for (sheet, choice) in paper.posts.iter().zip(choices.into_iter().flatten()) {
        let ids: Vec<String> =
            choice.marks.iter().filter_map(|m| sheet.candidates.get(*m as usize)).map(|c| c.id.clone()).collect();
        match sheet.post {
            crate::law::Post::Chair => b.chair = ids,
            crate::law::Post::ViceChair => b.vice_chair = ids,
            crate::law::Post::Member => b.member = ids,
        }
        let mut named: Vec<i64> = Vec::new();
        for n in choice.write_ins {
            match resident(n) {
                Some(rid) => named.push(rid),
                None => *unreadable.get_mut(sheet.post) += 1,
            }
        }
        // One canonical order (by resident id), as `domain::ballot::encode` stores paper ballots.
        named.sort_unstable();
        *write_ins.get_mut(sheet.post) = named.iter().map(|r| crate::domain::ballot::write_in_id(*r)).collect();
    }
    b.write_ins = Some(write_ins).filter(|w| *w != PostLists::default());
    b.unreadable = Some(unreadable).filter(|u| *u != PostCounts::default());
    b.blank = b == PlainBallot::default();
    b
}

fn table() -> &'static DlogTable {
    static TABLE: std::sync::OnceLock<DlogTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(DlogTable::new)
}

/// The decrypted ballots from k (already checked) shares of `list` (docs/e2e.md §7): combined,
/// decoded with the table, each row mapped by [`plain_ballot`] and stored as the count reads it.
/// The server runs it at the k-th share and `huanjie verify` runs it again from the record.
pub fn decrypt(
    t: Threshold,
    paper: &BallotPaper,
    shape: &Shape,
    resident: &dyn Fn(u32) -> Option<i64>,
    list: &[Row],
    shares: &[&DecryptionShare],
) -> Result<Vec<String>, String> {
    let points = combine(t, &flatten(list), shares).map_err(|e| e.to_string())?;
    let plain: Vec<Option<u32>> = points.iter().map(|p| table().decode(p)).collect();
    plain
        .chunks(shape.slots().max(1))
        .map(|row| plain_ballot(paper, shape, resident, row).to_stored().map_err(|e| e.to_string()))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::ballot::{CandidateLine, PostSheet};
    use crate::law::Post;

    fn paper() -> BallotPaper {
        let line = |i: i64| CandidateLine {
            id: format!("n{i}"),
            resident_id: i,
            name: format!("c{i}"),
            gender: String::new(),
        };
        BallotPaper {
            round_no: 1,
            kind: "first".into(),
            posts: vec![
                PostSheet { post: Post::Chair, seats: 1, candidates: vec![line(1), line(2)] },
                PostSheet { post: Post::Member, seats: 2, candidates: vec![line(3), line(4), line(5)] },
            ],
            write_ins: true,
        }
    }

    #[test]
    fn decrypted_slots_map_to_the_law_engines_ballot_docs_e2e_7_law_6_p() {
        let p = paper();
        let s = crate::domain::e2e::shape(&p).unwrap();
        let roll = [40, 7, 19];
        let roll = |n| crate::domain::e2e::written_in_resident(&roll, n);
        // chair: candidate 1; member: candidates 0 and 2, write-ins 3 (resident 19) and 9 (nobody).
        let b = plain_ballot(&p, &s, &roll, &[Some(0b10), Some(0), Some(0b101), Some(3), Some(9)]);
        assert_eq!(b.chair, vec!["n2"]);
        assert_eq!(b.member, vec!["n3", "n5"]);
        assert_eq!(b.write_ins.as_ref().unwrap().member, vec!["r19"]);
        assert_eq!(b.unreadable.as_ref().unwrap().member, 1, "a number naming nobody voids only itself");
        assert!(!b.blank && !b.invalid);
        assert!(plain_ballot(&p, &s, &roll, &[Some(0), Some(0), Some(0), Some(0), Some(0)]).blank);
        assert!(plain_ballot(&p, &s, &roll, &[None, Some(0), Some(0), Some(0), Some(0)]).invalid, "no decode");
        assert!(plain_ballot(&p, &s, &roll, &[Some(0b100), Some(0), Some(0), Some(0), Some(0)]).invalid, "beyond list");
        // Too many marks stay marks: the law engine judges them.
        let over = plain_ballot(&p, &s, &roll, &[Some(0b11), Some(0), Some(0b111), Some(0), Some(0)]);
        assert_eq!((over.chair.len(), over.member.len(), over.invalid), (2, 3, false));
    }
}
