//! The committee's election page as a read model (issue 14 item 3): what it shows and the
//! steps the caller may take now (`allowed: Vec<Action>`), so the template asks
//! `allows(Action::…)` instead of comparing stages, and the handler calls one function.
//!
//! The polling page ([`polling_desk`]) and the paper double-entry page ([`paper_desk`]) are read
//! models here too, for the same reason: what they offer is decided from the stage and the
//! caller's rights in one pure function each ([`polling_actions`], [`paper_actions`]).
//!
//! It reads through `elections`, `polling`, `voting`, `primary` and `results` (the top of the
//! service layer's one-way order); nothing imports it but `web`.

use std::collections::HashMap;

use super::access::{Permission, Staff};
use super::elections::{community_name, get};
use super::polling::{BoxComparison, Turnout, VoterAtDesk};
use super::{Result, ServiceError};
use crate::domain::ballot::BallotPaper;
use crate::domain::records::{Booth, DecisionRow, MemberRow, NominationRow, ObjectionRow, ProxyRow};
use crate::domain::{Election, Stage, Station};
use crate::store::Store;
use crate::store::elections as st;

pub use crate::domain::Action;

/// What the committee's election page shows and the steps the caller may take now.
pub struct Overview {
    pub e: Election,
    pub community: String,
    pub voters: usize,
    pub objections: Vec<ObjectionRow>,
    pub proxies: Vec<ProxyRow>,
    pub members: Vec<MemberRow>,
    pub decisions: Vec<DecisionRow>,
    pub nominations: Vec<NominationRow>,
    pub primary: super::primary::PrimaryView,
    /// (id, name) of the residents who need an application to be registered (LAW.md §3 [P]):
    /// non-local residents and community workers; only while registering, for who may run it.
    pub residents: Vec<(i64, String)>,
    pub allowed: Vec<Action>,
    /// The parts of the page that exist now (the page asks; it never compares stages).
    pub sections: Vec<Section>,
}

impl Overview {
    pub fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

/// A part of the election page that exists only from some stage on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Nominations (from the published voter list on, LAW.md §5).
    Nominations,
    /// The nomination primary: while nominating, or once it has rounds (LAW.md §5 [P]).
    Primary,
    /// Proxies: from the published list until polling, or once there are any (LAW.md §6).
    Proxies,
    /// The plan is frozen once the list is published (LAW.md §4: the method is fixed then).
    PlanFrozen,
    /// The committee's records (counting staff, complaints; count findings from the close of
    /// the polls; residents' group elections for the representatives method): always.
    Records,
}

/// The steps of the record pages (issue 16) the election page links to, for a caller who may
/// (`can_run`) or may not run the election and (`can_open`) open elections in its street office.
pub fn record_actions(e: &Election, can_run: bool, can_open: bool) -> Vec<Action> {
    use Stage::*;
    let mut out = Vec::new();
    if !can_run {
        return out;
    }
    out.extend([Action::CountingStaff, Action::Complaints]);
    // LAW.md §2 [P]: the counting staff are named until the result is certified.
    if !matches!(e.stage, Certified | HandedOver | Void) {
        out.push(Action::NameCountingStaff);
    }
    // LAW.md §8 [P, CQ Art. 34]: how a round was counted is a fact once the polls are closed.
    if e.stage >= Counting {
        out.push(Action::CountFindings);
    }
    if e.stage == Counting {
        out.push(Action::RecordCountFinding);
    }
    // LAW.md §4 [N 2018, P]: the groups elect the representatives before the list is published.
    let main = matches!(e.kind, crate::domain::ElectionKind::Regular | crate::domain::ElectionKind::ByElection);
    if main && e.method == crate::law::Method::Representatives {
        out.push(Action::GroupElections);
        if can_open && e.stage <= Registration {
            out.push(Action::OpenGroupElection);
        }
    }
    out
}

/// What a record page (issue 16) of election `id` needs: the election, its community's name,
/// and the steps the caller may take there.
pub async fn record_desk(store: &Store, staff: &Staff, id: i64) -> Result<(Election, String, Vec<Action>)> {
    let e = get(store, staff, id, Permission::RunElection).await?;
    let can_open = staff.may(store, Permission::OpenElection, e.community_id).await?;
    let community = community_name(store, e.community_id).await?;
    let allowed = record_actions(&e, true, can_open);
    Ok((e, community, allowed))
}

/// The sections the election page shows at `stage`.
pub fn sections(stage: Stage, has_primary_rounds: bool, has_proxies: bool) -> Vec<Section> {
    use Stage::*;
    let mut out = Vec::new();
    let listed = !matches!(stage, Draft | Registration);
    if listed {
        out.extend([Section::Nominations, Section::PlanFrozen]);
    }
    if stage == Nominations || has_primary_rounds {
        out.push(Section::Primary);
    }
    if matches!(stage, ListPublished | Nominations | CandidatesPublished) || has_proxies {
        out.push(Section::Proxies);
    }
    out.push(Section::Records);
    out
}

/// The steps the election page offers at `stage` to a caller who may (`can_run`) or may not run it.
pub fn allowed_actions(stage: Stage, can_run: bool) -> Vec<Action> {
    use Stage::*;
    let mut out = Vec::new();
    if !matches!(stage, Draft | Registration | ListPublished | Nominations) {
        out.push(Action::ToPolling);
        if !matches!(stage, CandidatesPublished | Polling) {
            out.push(Action::ToResults);
        }
    }
    if stage == Nominations {
        out.push(Action::ManagePrimary);
    }
    if !can_run {
        return out;
    }
    match stage {
        Draft => out.push(Action::StartRegistration),
        Registration => out.extend([Action::Register, Action::PublishList]),
        _ => out.push(Action::Cards),
    }
    if stage == ListPublished {
        out.push(Action::OpenNominations);
    }
    if stage == Nominations {
        out.push(Action::Nominate);
    }
    if stage != Polling {
        out.push(Action::AddProxy);
    }
    if matches!(stage, Draft | Registration) {
        out.push(Action::EditPlan);
    }
    out.extend([Action::ReviewNomination, Action::DecideObjection, Action::DecideProxy, Action::AddMember]);
    out
}

/// The election page of election `id` as `staff` sees it (404 outside their scope).
pub async fn overview(store: &Store, staff: &Staff, id: i64) -> Result<Overview> {
    let e = get(store, staff, id, Permission::ReadRegistry).await?;
    let can_run = staff.may(store, Permission::RunElection, e.community_id).await?;
    let community = community_name(store, e.community_id).await?;
    let voters = st::roll(store, id).await?.len();
    let residents = if can_run && e.stage == Stage::Registration {
        crate::store::registry::all_residents(store, e.community_id)
            .await?
            .into_iter()
            .filter(|(r, _, _)| !r.hukou_here || r.community_worker)
            .map(|(r, _, _)| (r.id, r.name))
            .collect()
    } else {
        Vec::new()
    };
    let proxies = st::proxies(store, id).await?;
    let primary = super::primary::view(store, id).await?;
    let can_open = can_run && staff.may(store, Permission::OpenElection, e.community_id).await?;
    let mut allowed = allowed_actions(e.stage, can_run);
    allowed.extend(record_actions(&e, can_run, can_open));
    Ok(Overview {
        allowed,
        sections: sections(e.stage, !primary.rounds.is_empty(), !proxies.is_empty()),
        community,
        voters,
        objections: st::objections(store, id).await?,
        proxies,
        members: st::members(store, id).await?,
        decisions: st::decisions(store, id).await?,
        nominations: crate::store::nominations::for_election(store, id).await?,
        primary,
        residents,
        e,
    })
}

/// Where the nomination primary (预选, LAW.md §5 [P]) stands on the polling page: no round
/// yet, a round open, closed (its paper to be entered and counted) or counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryState {
    None,
    Open,
    Closed,
    Counted,
}

/// What the polling-station page shows, and the steps the caller may take now.
pub struct PollingDesk {
    pub e: Election,
    pub community: String,
    pub turnout: Option<Turnout>,
    /// The voters the desk's query found (empty without a query).
    pub found: Vec<VoterAtDesk>,
    /// More voters matched than are shown: type more of the name.
    pub more_found: bool,
    pub stations: Vec<Station>,
    pub booths: Vec<Booth>,
    /// The mobile box channel is in the plan.
    pub mobile_on: bool,
    /// (nomination id, post, name, statement) of the published candidates, for who may edit them.
    pub candidates: Vec<(i64, String, String, String)>,
    pub primary: PrimaryState,
    /// The latest primary round as people count it (0: none).
    pub primary_ordinal: i64,
    pub allowed: Vec<Action>,
}

impl PollingDesk {
    pub fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

/// The steps the polling page offers at `stage` (with the primary at `primary`), to a caller
/// who may (`can_run`) or may not run the election; `booth_on`: the booth channel is planned;
/// `candidates`: there are published candidates to edit.
pub fn polling_actions(
    stage: Stage,
    primary: PrimaryState,
    can_run: bool,
    booth_on: bool,
    candidates: bool,
) -> Vec<Action> {
    use Stage::*;
    let mut out = Vec::new();
    if can_run {
        out.push(Action::RunElection);
        match (stage, primary) {
            (CandidatesPublished, _) => out.push(Action::OpenPolls),
            (Polling | Runoff, _) => out.push(Action::ClosePolls),
            (Nominations, PrimaryState::Open) => out.push(Action::ClosePrimary),
            (Nominations, PrimaryState::Closed) => out.push(Action::CountPrimary),
            (Nominations, _) => out.push(Action::OpenPrimary),
            _ => {}
        }
    }
    // LAW.md §6: a ballot is issued at the desk while polls are open; the primary has no proxy
    // and no mobile box (LAW.md §5 [P]).
    if matches!(stage, Polling | Runoff) {
        out.extend([Action::CheckIn, Action::CheckInByProxyOrMobileBox]);
    } else if stage == Nominations && primary == PrimaryState::Open {
        out.push(Action::CheckIn);
    }
    if booth_on && matches!(stage, Nominations | CandidatesPublished | Polling | Runoff) {
        out.push(Action::SetUpBooth);
    }
    if stage == Counting {
        out.extend([Action::EnterPaper, Action::ToResults]);
    } else if stage == Nominations && primary == PrimaryState::Closed {
        out.push(Action::EnterPaper);
    }
    if can_run && stage >= CandidatesPublished && candidates {
        out.push(Action::EditStatements);
    }
    out
}

/// The polling page of election `id` as `staff` (who conducts polling) sees it, with the voters
/// found by the desk's query `q`.
pub async fn polling_desk(store: &Store, staff: &Staff, id: i64, q: &str) -> Result<PollingDesk> {
    let e = get(store, staff, id, Permission::ConductPolling).await?;
    let can_run = staff.may(store, Permission::RunElection, e.community_id).await?;
    let community = community_name(store, e.community_id).await?;
    let turnout = super::polling::turnout(store, staff, id).await?;
    let (found, more_found) = if q.trim().is_empty() {
        (Vec::new(), false)
    } else {
        super::polling::find_voters(store, staff, id, q).await?
    };
    let candidates = if can_run && e.stage >= Stage::CandidatesPublished {
        super::voting::candidates_with_statements(store, &e).await?
    } else {
        Vec::new()
    };
    let (primary, primary_ordinal) = if e.stage == Stage::Nominations {
        match super::primary::view(store, id).await?.latest {
            None => (PrimaryState::None, 0),
            Some((_, n, status, _)) if status == "open" => (PrimaryState::Open, n),
            Some((_, n, _, false)) => (PrimaryState::Closed, n),
            Some((_, n, _, true)) => (PrimaryState::Counted, n),
        }
    } else {
        (PrimaryState::None, 0)
    };
    let booth_on = super::polling::channel_enabled(&e, "booth");
    Ok(PollingDesk {
        allowed: polling_actions(e.stage, primary, can_run, booth_on, !candidates.is_empty()),
        mobile_on: super::polling::channel_enabled(&e, "mobile_box"),
        stations: super::polling::stations(&e),
        booths: super::voting::booths_of(store, id).await?,
        community,
        turnout,
        found,
        more_found,
        candidates,
        primary,
        primary_ordinal,
        e,
    })
}

/// What the paper double-entry page of one box shows: both passes compared, the round's paper,
/// the names of every id on it (candidates and the voters written in), and the steps allowed.
pub struct PaperDesk {
    pub cmp: BoxComparison,
    pub paper: BallotPaper,
    pub names: HashMap<String, String>,
    pub allowed: Vec<Action>,
}

impl PaperDesk {
    pub fn allows(&self, a: Action) -> bool {
        crate::domain::action::allows(&self.allowed, a)
    }
}

/// The steps of the paper page for a box (`accepted` or not) and a caller who may (`can_run`)
/// or may not run the election: two clerks enter until the box is accepted, and only who runs
/// the election accepts it (LAW.md §6 [P]).
pub fn paper_actions(accepted: bool, can_run: bool) -> Vec<Action> {
    match (accepted, can_run) {
        (true, _) => Vec::new(),
        (false, false) => vec![Action::EnterPaper],
        (false, true) => vec![Action::EnterPaper, Action::AcceptBox],
    }
}

/// The paper page of box `station` of election `id` as `staff` (who conducts polling) sees it.
pub async fn paper_desk(store: &Store, staff: &Staff, id: i64, station: &str) -> Result<PaperDesk> {
    let e = get(store, staff, id, Permission::ConductPolling).await?;
    let can_run = staff.may(store, Permission::RunElection, e.community_id).await?;
    let cmp = super::polling::compare_box(store, staff, id, station).await?;
    let (_, paper) = super::polling::current(store, id).await?.ok_or(ServiceError::NotFound)?;
    let mut names: HashMap<String, String> =
        paper.posts.iter().flat_map(|s| s.candidates.iter().map(|c| (c.id.clone(), c.name.clone()))).collect();
    let ballots: Vec<serde_json::Value> =
        cmp.first.iter().chain(&cmp.second).map(|c| super::results::stored_ballot(c)).collect();
    names.extend(super::results::written_in_names(store, &ballots, &names).await?);
    Ok(PaperDesk { allowed: paper_actions(cmp.accepted, can_run), cmp, paper, names })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// LAW.md §6 [N]: the polls open from the candidates' publication and close from polling;
    /// only who may run the election gets the lifecycle card.
    #[test]
    fn the_polls_open_and_close_only_for_who_runs_the_election() {
        let run = polling_actions(Stage::CandidatesPublished, PrimaryState::None, true, false, false);
        assert!(run.contains(&Action::OpenPolls) && run.contains(&Action::RunElection));
        assert!(polling_actions(Stage::Polling, PrimaryState::None, true, false, false).contains(&Action::ClosePolls));
        let clerk = polling_actions(Stage::CandidatesPublished, PrimaryState::None, false, false, false);
        assert!(!clerk.contains(&Action::OpenPolls) && !clerk.contains(&Action::RunElection));
        assert!(
            !polling_actions(Stage::Counting, PrimaryState::None, true, false, false).contains(&Action::ClosePolls)
        );
    }

    /// LAW.md §5 [P]: a primary round opens, closes and is counted in turn; its desk checks
    /// voters in with neither proxy nor mobile box, and its paper is entered once it is closed.
    #[test]
    fn the_primary_steps_follow_its_round() {
        let at = |p| polling_actions(Stage::Nominations, p, true, false, false);
        assert!(at(PrimaryState::None).contains(&Action::OpenPrimary));
        assert!(at(PrimaryState::Counted).contains(&Action::OpenPrimary));
        assert!(at(PrimaryState::Open).contains(&Action::ClosePrimary));
        assert!(at(PrimaryState::Open).contains(&Action::CheckIn));
        assert!(!at(PrimaryState::Open).contains(&Action::CheckInByProxyOrMobileBox));
        assert!(at(PrimaryState::Closed).contains(&Action::CountPrimary));
        assert!(at(PrimaryState::Closed).contains(&Action::EnterPaper));
        assert!(!at(PrimaryState::None).contains(&Action::CheckIn));
        let polling = polling_actions(Stage::Polling, PrimaryState::None, false, false, false);
        assert!(polling.contains(&Action::CheckIn) && polling.contains(&Action::CheckInByProxyOrMobileBox));
    }

    /// Booths are set up only where the plan has the booth channel, until the polls close; the
    /// statements are edited by who runs the election once there are candidates.
    #[test]
    fn booths_and_statements_follow_the_plan_and_the_candidates() {
        assert!(polling_actions(Stage::Polling, PrimaryState::None, false, true, false).contains(&Action::SetUpBooth));
        assert!(
            !polling_actions(Stage::Polling, PrimaryState::None, false, false, false).contains(&Action::SetUpBooth)
        );
        assert!(
            !polling_actions(Stage::Counting, PrimaryState::None, false, true, false).contains(&Action::SetUpBooth)
        );
        assert!(
            polling_actions(Stage::Polling, PrimaryState::None, true, false, true).contains(&Action::EditStatements)
        );
        assert!(
            !polling_actions(Stage::Polling, PrimaryState::None, false, false, true).contains(&Action::EditStatements)
        );
        assert!(
            !polling_actions(Stage::Polling, PrimaryState::None, true, false, false).contains(&Action::EditStatements)
        );
        let counting = polling_actions(Stage::Counting, PrimaryState::None, false, false, false);
        assert!(counting.contains(&Action::EnterPaper) && counting.contains(&Action::ToResults));
    }

    /// LAW.md §6 [P]: a box is entered until it is accepted, and accepted only by who runs the
    /// election.
    #[test]
    fn a_box_is_accepted_by_who_runs_the_election_and_then_closed_to_entry() {
        assert_eq!(paper_actions(false, true), vec![Action::EnterPaper, Action::AcceptBox]);
        assert_eq!(paper_actions(false, false), vec![Action::EnterPaper]);
        assert!(paper_actions(true, true).is_empty());
    }

    /// LAW.md §3 [N]: the list is published once; the page offers it only while registering.
    #[test]
    fn publish_list_is_offered_only_while_registering() {
        assert!(allowed_actions(Stage::Registration, true).contains(&Action::PublishList));
        for s in [Stage::ListPublished, Stage::Nominations, Stage::Polling, Stage::Certified] {
            assert!(!allowed_actions(s, true).contains(&Action::PublishList), "{s:?}");
        }
        assert!(!allowed_actions(Stage::Registration, false).contains(&Action::PublishList));
    }

    /// The plan is frozen once the list is published (LAW.md §3); an observer edits nothing.
    #[test]
    fn plan_edits_end_when_the_list_is_published() {
        assert!(allowed_actions(Stage::Draft, true).contains(&Action::EditPlan));
        assert!(!allowed_actions(Stage::ListPublished, true).contains(&Action::EditPlan));
        assert!(!allowed_actions(Stage::Draft, false).contains(&Action::EditPlan));
        assert_eq!(allowed_actions(Stage::Draft, false), Vec::<Action>::new());
    }

    #[test]
    fn results_follow_polling() {
        assert!(allowed_actions(Stage::Polling, false).contains(&Action::ToPolling));
        assert!(!allowed_actions(Stage::Polling, false).contains(&Action::ToResults));
        assert!(allowed_actions(Stage::Counting, false).contains(&Action::ToResults));
    }
}
