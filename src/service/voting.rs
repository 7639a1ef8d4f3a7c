//! Read models of the voter's and the booth's pages and of the public ballot (issue 14 item
//! 3), and the visibility rules they follow (item 2): who may see a candidate's photo, what of
//! a ballot is public, whose ballot a proxy may still cast. `web/vote.rs` and
//! `web/api/polling.rs` call these and only map the answer to HTTP.
//!
//! This module reads through `service::polling` (the open round, booth casts); nothing in
//! `polling`, `counting` or `results` imports it.

use serde::Serialize;

use super::access::{Permission, Staff};
use super::cast::{BallotWriter, Receipt};
use super::{Result, ServiceError};
use crate::domain::ballot::{BallotPaper, Marks};
use crate::domain::records::{Booth, NominationStatus};
use crate::domain::{Election, Round, Stage};
use crate::store::polling as st;
use crate::store::{Store, elections as est, nominations as nst};

/// A candidate's statement (候选人介绍) as the ballot pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub nomination_id: i64,
    pub statement: String,
    pub has_photo: bool,
}

/// The candidates' statements of election `id`.
pub async fn statements(store: &Store, id: i64) -> Result<Vec<Statement>> {
    Ok(st::statements(store, id)
        .await?
        .into_iter()
        .map(|s| Statement { nomination_id: s.nomination_id, statement: s.statement, has_photo: s.has_photo })
        .collect())
}

/// A candidate's photo (bytes, media type) of nomination `id`. Public once the formal
/// candidate list is published (LAW.md §5: the list is published, and the statement page
/// shows the photo); before that, as for a nomination that does not exist, 404.
pub async fn candidate_photo(store: &Store, id: i64) -> Result<(Vec<u8>, &'static str)> {
    let n = nst::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    let e = est::get(store, n.election_id).await?.ok_or(ServiceError::NotFound)?;
    if !photo_is_public(e.stage) {
        return Err(ServiceError::NotFound);
    }
    let (bytes, ty) = st::photo(store, id).await?.ok_or(ServiceError::NotFound)?;
    Ok((bytes, if ty == "image/png" { "image/png" } else { "image/jpeg" }))
}

/// A candidate's photo may be shown from the candidates' publication on (LAW.md §5).
pub fn photo_is_public(stage: Stage) -> bool {
    stage >= Stage::CandidatesPublished
}

/// A ballot is public from the polls' opening; during nominations, once a primary's ballot
/// is fixed (LAW.md §5 [P], §6: the ballot and the candidates' statements are public, the
/// ballots cast are secret).
pub fn ballot_is_public(stage: Stage) -> bool {
    stage >= Stage::Polling || stage == Stage::Nominations
}

/// The public ballot of election `id`'s current round: (round number, status, paper, the
/// candidates' statements); 404 while it is not public ([`ballot_is_public`]) or no round is.
pub async fn public_ballot(store: &Store, id: i64) -> Result<(i64, String, BallotPaper, Vec<Statement>)> {
    let e = est::get(store, id).await?.ok_or(ServiceError::NotFound)?;
    if !ballot_is_public(e.stage) {
        return Err(ServiceError::NotFound);
    }
    let (poll, paper) = super::polling::current(store, id).await?.ok_or(ServiceError::NotFound)?;
    Ok((poll.round_no, poll.status, paper, statements(store, id).await?))
}

/// The open round of election `id`: (round number, paper), or `None` when polls are not open.
pub async fn open_round(store: &Store, id: i64) -> Result<Option<(i64, BallotPaper)>> {
    Ok(super::polling::current(store, id).await?.filter(|(p, _)| p.status == "open").map(|(p, b)| (p.round_no, b)))
}

/// The current round's number of election `id` (open or closed), if there is one.
pub async fn current_round(store: &Store, id: i64) -> Result<Option<i64>> {
    Ok(super::polling::current(store, id).await?.map(|(p, _)| p.round_no))
}

/// Whether `resident` has taken part in round `round` of election `id` (in person, by booth,
/// remotely or by a proxy).
pub async fn has_voted(store: &Store, id: i64, round: i64, resident: i64) -> Result<bool> {
    Ok(st::participation_of(store, id, round, resident).await?.is_some())
}

/// The approved principals of proxy `resident` in election `id` who have not voted in round
/// `round` yet, as (id, name) (LAW.md §6 [N]: a voter away may entrust a near relative; the
/// proxy casts their ballot). None in nomination, its primary included (LAW.md §5 [P]).
pub async fn open_principals(store: &Store, id: i64, resident: i64, round: i64) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::new();
    if Round::from_stored(round).is_some_and(|r| r.is_primary()) {
        return Ok(out);
    }
    for p in est::proxies(store, id).await? {
        if p.proxy_id == resident && p.status == "approved" && !has_voted(store, id, round, p.principal_id).await? {
            out.push((p.principal_id, p.principal_name));
        }
    }
    Ok(out)
}

/// What a ballot page is headed with: the community's name, the election's round and whether
/// it is the nomination primary's ballot (the only ballot during nominations, LAW.md §5 [P]).
pub async fn heading(store: &Store, id: i64) -> Result<Option<(String, String, bool)>> {
    let Some(e) = est::get(store, id).await? else { return Ok(None) };
    let community = super::elections::community_name(store, e.community_id).await?;
    Ok(Some((community, e.round.clone(), e.stage == Stage::Nominations)))
}

/// Election `id` for the voter's review page (no sign-in rights: the voter's session is the right).
pub async fn election(store: &Store, id: i64) -> Result<Election> {
    est::get(store, id).await?.ok_or(ServiceError::NotFound)
}

fn booth_of_row(b: st::BoothRow) -> Booth {
    Booth { id: b.id, election_id: b.election_id, station: b.station, name: b.name, unlocked_round: b.unlocked_round }
}

/// The booth holding `token` (its hash is what the store keeps).
pub async fn booth(store: &Store, token: &str) -> Result<Option<Booth>> {
    Ok(st::booth_by_token(store, &super::polling::booth_hash(token)).await?.map(booth_of_row))
}

/// The booths of election `id`, for `staff` who may conduct its polling.
pub async fn booths(store: &Store, staff: &Staff, id: i64) -> Result<Vec<Booth>> {
    super::elections::get(store, staff, id, Permission::ConductPolling).await?;
    booths_of(store, id).await
}

/// The booths of election `id` (the caller checked the rights).
pub async fn booths_of(store: &Store, id: i64) -> Result<Vec<Booth>> {
    Ok(st::booths(store, id).await?.into_iter().map(booth_of_row).collect())
}

/// A ballot cast at booth `b` (see `service::polling::cast_booth`).
pub async fn cast_at_booth(
    store: &Store,
    writer: &BallotWriter,
    log_name: &str,
    b: &Booth,
    marks: &Marks,
) -> Result<Receipt> {
    let row = st::BoothRow {
        id: b.id,
        election_id: b.election_id,
        station: b.station.clone(),
        name: b.name.clone(),
        unlocked_round: b.unlocked_round,
    };
    super::polling::cast_booth(store, writer, log_name, &row, marks).await
}

/// The election a nomination belongs to.
pub async fn nomination_election(store: &Store, nomination_id: i64) -> Result<i64> {
    Ok(nst::get(store, nomination_id).await?.ok_or(ServiceError::NotFound)?.election_id)
}

/// The formal candidates of election `e` with their statements, as (nomination id, post,
/// name, statement): what the polling page lets the committee edit.
pub async fn candidates_with_statements(store: &Store, e: &Election) -> Result<Vec<(i64, String, String, String)>> {
    let statements = st::statements(store, e.id).await?;
    Ok(nst::for_election(store, e.id)
        .await?
        .into_iter()
        .filter(|n| n.status == NominationStatus::Candidate)
        .map(|n| {
            let stmt = statements.iter().find(|x| x.nomination_id == n.id).map(|x| x.statement.clone());
            (n.id, n.post.as_str().to_string(), n.nominee_name, stmt.unwrap_or_default())
        })
        .collect())
}

/// A recall's petition as the public sees it once verified (LAW.md §9: the member's answer is
/// published before the vote): the signers are counted, never named.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicRecall {
    pub member: String,
    pub post: String,
    pub reasons: String,
    pub signatures: usize,
    pub verified_on: Option<String>,
    pub answer: Option<String>,
    pub answer_on: Option<String>,
}

/// The public view of recall `id`; 404 before its petition is verified.
pub async fn public_recall(store: &Store, id: i64) -> Result<PublicRecall> {
    let r = crate::store::recall::recall(store, id).await?.ok_or(ServiceError::NotFound)?;
    if r.verified_on.is_none() {
        return Err(ServiceError::NotFound);
    }
    let signatures = r.signers.len();
    Ok(PublicRecall {
        member: r.member_name,
        post: r.member_post,
        reasons: r.reasons,
        signatures,
        verified_on: r.verified_on,
        answer: r.answer,
        answer_on: r.answer_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// LAW.md §5: photos follow the published candidate list, not the nominations.
    #[test]
    fn a_photo_is_public_from_the_candidates_publication_on() {
        assert!(!photo_is_public(Stage::Nominations));
        assert!(photo_is_public(Stage::CandidatesPublished));
        assert!(photo_is_public(Stage::Polling));
    }

    /// LAW.md §5 [P], §6: the primary's ballot during nominations, then from the polls' opening.
    #[test]
    fn a_ballot_is_public_during_nominations_and_from_polling_on() {
        assert!(!ballot_is_public(Stage::ListPublished));
        assert!(ballot_is_public(Stage::Nominations));
        assert!(!ballot_is_public(Stage::CandidatesPublished));
        assert!(ballot_is_public(Stage::Polling));
        assert!(ballot_is_public(Stage::Counting));
    }
}
