//! Encrypted casting (issue 18 item 4; docs/e2e.md §5): what the request handler does with an
//! end-to-end round's ballot before the cast writer sees it. A ballot the voter's device
//! encrypted is parsed and checked here — shape, signature, every proof, against the round's
//! key and context — in the handler (so in parallel, on the blocking pool), never in the single
//! writer. On the no-JavaScript path the server encrypts on the voter's behalf with the
//! credential it derives from the code it just saw (kept in memory only), and the cast entry
//! counts such ballots per batch (`encrypted_by`).

use huanjie_crypto::ballot::{EncryptedBallot, PostChoice};
use huanjie_crypto::credential::Credential;

use super::cast::E2eCast;
use super::e2e::E2eRound;
use super::{Result, ServiceError, invalid};
use crate::domain::Election;
use crate::domain::ballot::{BallotPaper, Marks, Source};
use crate::domain::e2e;
use crate::store::Store;

fn bad_ballot() -> ServiceError {
    invalid("err.e2e_ballot", "encrypted")
}

/// Parses and checks a ballot sent as hex of its bytes ("HJB1", docs/e2e.md §5).
pub async fn check(round: &E2eRound, hex_bytes: &str) -> Result<EncryptedBallot> {
    let bytes = hex::decode(hex_bytes.trim()).map_err(|_| bad_ballot())?;
    let round = round.clone();
    tokio::task::spawn_blocking(move || {
        let b = EncryptedBallot::from_bytes(&bytes).map_err(|_| bad_ballot())?;
        b.check(&round.key.key.key, &round.context, &round.shape).map_err(|_| bad_ballot())?;
        Ok(b)
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// The writer's view of a checked ballot.
pub fn cast_of(b: &EncryptedBallot, by_server: bool) -> E2eCast {
    E2eCast { credential: hex::encode(b.credential), tracker: hex::encode(b.tracker()), by_server }
}

/// The choices a checked plaintext ballot makes, in the shape's order: each post's marks as
/// candidate indexes; each write-in as the person's place in the voter list (`roll`), or —
/// when the name is a listed candidate of the post — as a mark for them (LAW.md §6 [P], §7),
/// or, when no single voter bears the name, as a number beyond the list (an unreadable mark
/// that voids only itself, LAW.md §6 [P]).
pub fn choices(
    paper: &BallotPaper,
    marks: &Marks,
    written: &[(crate::law::Post, String, Option<i64>)],
    roll: &[i64],
) -> Vec<PostChoice> {
    let beyond = u32::try_from(roll.len() + 1).unwrap_or(u32::MAX);
    paper
        .posts
        .iter()
        .map(|sheet| {
            let index = |id: &str| sheet.candidates.iter().position(|c| c.id == id).and_then(|i| u32::try_from(i).ok());
            let mut c = PostChoice {
                marks: marks.on(sheet.post).iter().filter_map(|id| index(id)).collect(),
                write_ins: vec![],
            };
            for (post, _, resident) in written.iter().filter(|w| w.0 == sheet.post) {
                let _ = post;
                match resident {
                    Some(r) => match sheet.candidates.iter().position(|l| l.resident_id == *r) {
                        Some(i) => c.marks.push(u32::try_from(i).unwrap_or(u32::MAX)),
                        None => c.write_ins.push(e2e::write_in_number(roll, *r).unwrap_or(beyond)),
                    },
                    None => c.write_ins.push(beyond),
                }
            }
            c.marks.sort_unstable();
            c.marks.dedup();
            c
        })
        .collect()
}

/// The server encrypts a voter's ballot on their behalf (the no-JavaScript form, or a plaintext
/// body on the API in an end-to-end round) and signs it with their credential.
pub async fn encrypt_for_voter(
    store: &Store,
    e: &Election,
    paper: &BallotPaper,
    round: &E2eRound,
    marks: &Marks,
    credential: Credential,
) -> Result<EncryptedBallot> {
    let checked = paper.check(marks, Source::Browser).map_err(|err| invalid("err.ballot", err.field()))?;
    let written = super::polling::written_in_residents(store, e.id, &checked.marks).await?;
    let roll: Vec<i64> = crate::store::elections::roll(store, e.id).await?.iter().map(|v| v.resident_id).collect();
    let choices = choices(paper, &checked.marks, &written, &roll);
    let round = round.clone();
    tokio::task::spawn_blocking(move || {
        let mut rng = rand::rng();
        EncryptedBallot::encrypt(&mut rng, &round.key.key.key, &round.context, &round.shape, &credential, &choices)
            .map_err(|_| invalid("err.ballot", "write_ins"))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}
