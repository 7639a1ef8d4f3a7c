//! An end-to-end round's ballot box (issue 18; docs/e2e.md §5 and §8): how the law's ballot
//! paper maps onto the cryptography's ballot shape, and how an encrypted ballot sits in the box.
//!
//! The box of an end-to-end round is the same `ballots` table as a plaintext round's: one row per
//! browser ballot, its content the encrypted ballot's bytes ([`to_content`]). So the cast writer,
//! the roll, the close entry's commitment to the box (issue 15) and the reconciliation stay one
//! code path; only what a row holds differs. Paper ballots stay plaintext rows.

use huanjie_crypto::ballot::{BallotContext, EncryptedBallot, PostShape, Shape};

use super::ballot::BallotPaper;

/// What starts the content of a box row that holds an encrypted ballot; hex of the ballot's
/// bytes follows (docs/e2e.md §5, "HJB1").
pub const CONTENT_PREFIX: &str = "hjb1:";

/// The cryptographic shape of a round's paper: its posts in paper order, each with its listed
/// candidates, its seats and — when the paper has a write-in line (另选他人, LAW.md §6 [P]) — one
/// write-in slot per seat.
pub fn shape(paper: &BallotPaper) -> Result<Shape, huanjie_crypto::Error> {
    Shape::new(
        paper
            .posts
            .iter()
            .map(|p| PostShape {
                post: p.post.as_str().to_string(),
                candidates: u32::try_from(p.candidates.len()).unwrap_or(u32::MAX),
                seats: p.seats,
                write_ins: if paper.write_ins { p.seats } else { 0 },
            })
            .collect(),
    )
}

/// Where a ballot belongs: the ceremony that made the key (`domain::ceremony::ceremony_id`, which
/// names the log and the election) and the round, as its decimal number.
pub fn context(ceremony: &str, round_no: i64) -> BallotContext {
    BallotContext { election: ceremony.as_bytes().to_vec(), round: round_no.to_string().into_bytes() }
}

/// What a voter's credential and sign-in token are derived from with the card's code
/// (`huanjie_crypto::credential`): `<log name>/election-<id>`. Not the ceremony: the cards and
/// the credential list come with the voter list, before the key exists.
pub fn credential_domain(log_name: &str, election_id: i64) -> String {
    format!("{log_name}/election-{election_id}")
}

/// A written-in person's number on an encrypted ballot: their 1-based place in the voter list
/// (`store::elections::roll` order, which is fixed once the polls open). 0 is a blank slot.
pub fn write_in_number(roll: &[i64], resident_id: i64) -> Option<u32> {
    roll.iter().position(|r| *r == resident_id).and_then(|i| u32::try_from(i + 1).ok())
}

/// The person a decrypted write-in number names; `None` for 0 or a number beyond the list (an
/// invalid write-in for the law engine, never a verification failure).
pub fn written_in_resident(roll: &[i64], number: u32) -> Option<i64> {
    roll.get((number as usize).checked_sub(1)?).copied()
}

/// The content of the box row holding `ballot`.
pub fn to_content(ballot: &EncryptedBallot) -> String {
    format!("{CONTENT_PREFIX}{}", hex::encode(ballot.to_bytes()))
}

/// Whether a box row holds an encrypted ballot.
pub fn is_encrypted(content: &str) -> bool {
    content.starts_with(CONTENT_PREFIX)
}

/// The encrypted ballot a box row holds: `None` for a plaintext row, `Some(Err)` for a row that
/// claims to be encrypted and does not parse.
pub fn from_content(content: &str) -> Option<Result<EncryptedBallot, huanjie_crypto::Error>> {
    let hex_text = content.strip_prefix(CONTENT_PREFIX)?;
    Some(
        hex::decode(hex_text)
            .map_err(|_| huanjie_crypto::Error::Encoding("ballot"))
            .and_then(|b| EncryptedBallot::from_bytes(&b)),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::ballot::{CandidateLine, PostSheet};
    use crate::law::Post;
    use huanjie_crypto::ballot::PostChoice;
    use huanjie_crypto::credential::Credential;
    use huanjie_crypto::drbg::Drbg;
    use huanjie_crypto::group::mul_g;

    fn paper(write_ins: bool) -> BallotPaper {
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
                PostSheet { post: Post::Member, seats: 3, candidates: vec![line(3), line(4), line(5), line(6)] },
            ],
            write_ins,
        }
    }

    #[test]
    fn the_shape_follows_the_paper_with_one_write_in_slot_per_seat_docs_e2e_5_law_6_p() {
        let s = shape(&paper(true)).unwrap();
        assert_eq!(s.posts[1], PostShape { post: "member".into(), candidates: 4, seats: 3, write_ins: 3 });
        assert_eq!(s.slots(), 2 + 4);
        assert_eq!(shape(&paper(false)).unwrap().slots(), 2);
        assert_ne!(s.hash(), shape(&paper(false)).unwrap().hash());
    }

    #[test]
    fn an_encrypted_ballot_round_trips_through_its_box_content_and_garbage_is_an_error() {
        let mut rng = Drbg::new(b"domain e2e");
        let key = mul_g(&huanjie_crypto::group::random_scalar(&mut rng));
        let s = shape(&paper(true)).unwrap();
        let ctx = context("election-1/election-1/ceremony-1", 1);
        let cred = Credential::derive(b"election-1", "ABCD");
        let choices = vec![
            PostChoice { marks: vec![0], write_ins: vec![] },
            PostChoice { marks: vec![1, 2], write_ins: vec![7] },
        ];
        let b = EncryptedBallot::encrypt(&mut rng, &key, &ctx, &s, &cred, &choices).unwrap();
        let text = to_content(&b);
        assert!(is_encrypted(&text));
        assert_eq!(from_content(&text).unwrap().unwrap(), b);
        assert!(from_content(r#"{"chair":["n1"]}"#).is_none());
        assert!(from_content("hjb1:zz").unwrap().is_err());
        let roll = [40, 7, 19];
        assert_eq!(write_in_number(&roll, 7), Some(2));
        assert_eq!(written_in_resident(&roll, 2), Some(7));
        assert_eq!(written_in_resident(&roll, 0), None);
        assert_eq!(written_in_resident(&roll, 4), None);
        // Bound to the round: the same ballot does not check in round 2.
        assert!(b.check(&key, &ctx, &s).is_ok());
        assert!(b.check(&key, &context("election-1/election-1/ceremony-1", 2), &s).is_err());
    }
}
