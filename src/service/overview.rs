//! The committee's election page as a read model (issue 14 item 3): what it shows and the
//! steps the caller may take now (`allowed: Vec<Action>`), so the template asks
//! `allows(Action::…)` instead of comparing stages, and the handler calls one function.
//!
//! It reads through `elections` and `primary`; nothing imports it but `web`.

use super::Result;
use super::access::{Permission, Staff};
use super::elections::{community_name, get};
use crate::domain::records::{DecisionRow, MemberRow, NominationRow, ObjectionRow, ProxyRow};
use crate::domain::{Election, Stage};
use crate::store::Store;
use crate::store::elections as st;

/// A step the election page may offer the caller now (issue 14 item 3); the template asks
/// [`Overview::allows`] instead of comparing stages itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// draft → registration.
    StartRegistration,
    /// Register the voters and decide applications (LAW.md §3): while registering.
    Register,
    /// Publish the voter list (LAW.md §3 [N]): while registering, not after.
    PublishList,
    /// Print the list, issue and reissue voter cards: once the list is published.
    Cards,
    /// Open nominations (LAW.md §5): with the list published.
    OpenNominations,
    /// Record a nomination, publish the candidates (LAW.md §5): while nominating.
    Nominate,
    /// Run the nomination primary: while nominating.
    ManagePrimary,
    /// On to the polling page: from the candidates' publication on.
    ToPolling,
    /// On to the results page: once polling has ended.
    ToResults,
    /// Record a consent, qualify or withdraw a nomination (LAW.md §5).
    ReviewNomination,
    /// Decide an open objection (LAW.md §3 [N?]).
    DecideObjection,
    /// Decide a proxy application (LAW.md §6 [N]).
    DecideProxy,
    /// Record a proxy application: at any stage but polling.
    AddProxy,
    /// Add a committee member.
    AddMember,
    /// Change the plan: before the list is published (the plan is frozen after).
    EditPlan,
}

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
    pub can_run: bool,
    pub allowed: Vec<Action>,
}

impl Overview {
    pub fn allows(&self, a: Action) -> bool {
        self.allowed.contains(&a)
    }
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
    let can_run = staff.authorize(store, Permission::RunElection, e.community_id).await.is_ok();
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
    Ok(Overview {
        allowed: allowed_actions(e.stage, can_run),
        community,
        voters,
        objections: st::objections(store, id).await?,
        proxies: st::proxies(store, id).await?,
        members: st::members(store, id).await?,
        decisions: st::decisions(store, id).await?,
        nominations: crate::store::nominations::for_election(store, id).await?,
        primary: super::primary::view(store, id).await?,
        residents,
        can_run,
        e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
