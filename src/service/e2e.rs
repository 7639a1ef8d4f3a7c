//! What an end-to-end round is (issue 18; docs/e2e.md §8): the election's finished key, the
//! round's ballot context and the shape of its paper. The one place the cast, the mix, the
//! decryption and the count ask whether a round's browser box is encrypted.

use huanjie_crypto::ballot::{BallotContext, Shape};

use super::ceremony::{FinishedKey, finished_key};
use super::{Result, ServiceError};
use crate::domain::ballot::BallotPaper;
use crate::domain::e2e;
use crate::store::Store;

/// An end-to-end round: browser ballots enter its box encrypted under `key`, signed by a
/// listed credential, bound to `context` and `shape`.
#[derive(Clone, Debug)]
pub struct E2eRound {
    pub key: FinishedKey,
    pub context: BallotContext,
    pub shape: Shape,
}

/// The round's end-to-end setting: `Some` when the election's key ceremony is done.
pub async fn round(store: &Store, log_name: &str, election_id: i64, paper: &BallotPaper) -> Result<Option<E2eRound>> {
    let Some(key) = finished_key(store, log_name, election_id).await? else { return Ok(None) };
    let shape = e2e::shape(paper).map_err(|e| ServiceError::Internal(format!("the paper's ballot shape: {e}")))?;
    let context = e2e::context(&key.ceremony, paper.round_no);
    Ok(Some(E2eRound { key, context, shape }))
}
