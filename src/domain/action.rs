//! The steps a staff page may offer its caller now (issue 14 Build 3). A read model in
//! `service/` decides them from the election's stage and the caller's rights and returns
//! `allowed: Vec<Action>`; a template asks `view.allows(Action::…)` instead of comparing stages
//! or reading `can_*` booleans computed in a handler. One type for every page, so a step means
//! the same on the election, polling, paper, results and registry pages.

/// One step a page may offer. Each variant says when its read model offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    // ---- any page of an election ----
    /// The caller may run the election (`Permission::RunElection`): the page's card of next steps
    /// (the polling page's lifecycle card, the results page's next step).
    RunElection,

    // ---- the election page (`service::overview::overview`) ----
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

    // ---- the polling page (`service::overview::polling_desk`) ----
    /// candidates_published → polling (LAW.md §6): for who may run the election.
    OpenPolls,
    /// polling (or a run-off) → counting: for who may run the election.
    ClosePolls,
    /// Open a primary round (预选, LAW.md §5 [P]) while nominating: none open, the last counted
    /// or none yet.
    OpenPrimary,
    /// Close the open primary round.
    ClosePrimary,
    /// Count the closed primary round once its paper is entered.
    CountPrimary,
    /// Check voters in at the desk: while polls (or a primary round) are open.
    CheckIn,
    /// Check a voter in for the mobile box or by proxy (LAW.md §6): in an election round, not
    /// in a primary round (the primary has neither).
    CheckInByProxyOrMobileBox,
    /// Set up a voting booth (issue 6): the booth channel is on, from nominations until the
    /// polls close.
    SetUpBooth,
    /// Enter the paper ballots box by box (two passes, LAW.md §6 [P]): after the close (or a
    /// closed primary round); on the paper page, until the box is accepted.
    EnterPaper,
    /// Edit the candidates' statements and photos: for who may run the election, once the
    /// candidates are published.
    EditStatements,

    // ---- the paper page (`service::overview::paper_desk`) ----
    /// Accept a box once both passes agree (LAW.md §6 [P]): for who may run the election, until
    /// it is accepted.
    AcceptBox,

    // ---- the results page (`service::results::term_view`) ----
    /// Count the round, certify (LAW.md §6, §7): while counting.
    Count,
    /// A run-off for the seats still open (LAW.md §7): while counting, when seats are pending.
    NextRound,
    /// The handover list (LAW.md §8): once certified.
    Handover,
    /// Void an election or a person's election (LAW.md §7 [N]): counting or certified.
    Void,
    /// The certificates of the elected: certified or handed over.
    Certificates,
    /// A recall's petition is verified (LAW.md §9): a recall in draft.
    RecallVerify,
    /// The member answers the recall (LAW.md §9): a recall with its list published, no answer yet.
    RecallAnswer,
    /// On to the recall's polling page: answered, list published.
    RecallPolling,
    /// A recall petition, a member leaving, a by-election (LAW.md §9): a term in office.
    Term,

    // ---- the committee's record pages (issue 16: counting staff, complaints, findings, groups) ----
    /// The counting staff page (LAW.md §2 [P]): for who may run the election.
    CountingStaff,
    /// Name or remove counting staff: for who may run it, until the result is certified.
    NameCountingStaff,
    /// The complaints page (LAW.md §8 [P, CQ Art. 33]): file and answer, for who may run it.
    Complaints,
    /// The count findings page (LAW.md §8 [P, CQ Art. 34]): for who may run the election, from
    /// the close of the polls on.
    CountFindings,
    /// Record a count finding: while counting, once the polls are closed.
    RecordCountFinding,
    /// The residents' group elections page (LAW.md §4 [N 2018, P]): a main election by the
    /// representatives method, for who may run it.
    GroupElections,
    /// Open a group election: who may open elections in the street office, before the main
    /// election's list is published.
    OpenGroupElection,
    /// Certify a counted group election: its elected become the group's representatives.
    CertifyGroup,

    // ---- the registry pages (`service::registry::{community_view, households_view, resident_view}`) ----
    /// Add or edit residents and households: who may write the community's registry.
    WriteRegistry,
    /// Open an election in the community: who may open elections in its street office.
    OpenElection,

    // ---- the transparency portal (`service::logs::portal_access`) ----
    /// Read the log's entries: a published election's log, an election's log for staff signed
    /// in, the system log for the roles that read it (issue 4).
    ReadEntries,
}

/// Whether `a` is among `allowed` (the one body of every read model's `allows`).
pub fn allows(allowed: &[Action], a: Action) -> bool {
    allowed.contains(&a)
}
