//! The event catalogue: every event type the logs can hold, defined once. README's event table
//! is generated from [`CATALOGUE`] (`huanjie events --markdown`), the way VotingWorks documents
//! its log.

macro_rules! catalogue {
    ($( $variant:ident => $name:literal, [$($role:literal),*], [$($field:literal),*], $zh:literal, $en:literal; )*) => {
        /// One kind of audit event.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum EventKind { $( $variant, )* }

        impl EventKind {
            pub fn name(self) -> &'static str {
                match self { $( EventKind::$variant => $name, )* }
            }
            pub fn spec(self) -> &'static EventSpec {
                match self { $( EventKind::$variant => &EventSpec {
                    name: $name, roles: &[$($role),*], fields: &[$($field),*], zh: $zh, en: $en,
                }, )* }
            }
            pub fn parse(name: &str) -> Option<EventKind> {
                match name { $( $name => Some(EventKind::$variant), )* _ => None }
            }
        }

        /// Every event type, in catalogue order.
        pub const CATALOGUE: &[EventKind] = &[ $( EventKind::$variant, )* ];
    };
}

/// What an event type is: its name, who may cause it, its payload fields, and what it means.
#[derive(Debug)]
pub struct EventSpec {
    pub name: &'static str,
    pub roles: &'static [&'static str],
    pub fields: &'static [&'static str],
    pub zh: &'static str,
    pub en: &'static str,
}

catalogue! {
    StreetOfficeCreated => "street_office.created", ["system"], ["code", "name"],
        "创建街道办事处", "A street office was created";
    CommunityCreated => "community.created", ["street_admin", "system"], ["code", "name", "street_office_id"],
        "创建社区", "A community was created";
    GroupCreated => "group.created", ["street_admin", "committee", "system"], ["community_id", "number", "name"],
        "创建居民小组", "A residents' group was created";
    HouseholdCreated => "household.created", ["street_admin", "committee", "system"], ["community_id", "number", "address", "group_id"],
        "登记户", "A household was registered";
    ResidentCreated => "resident.created", ["street_admin", "committee", "system"], ["community_id", "resident_id", "sha256"],
        "登记居民", "A resident was registered";
    ResidentUpdated => "resident.updated", ["street_admin", "committee"], ["resident_id", "version", "before_sha256", "after_sha256", "fields"],
        "修改居民信息", "A resident's record was changed";
    RelativeLinked => "resident.relative_linked", ["street_admin", "committee"], ["resident_a", "resident_b", "relation"],
        "登记近亲属关系", "Two residents were recorded as near relatives";
    ImportPreviewed => "import.previewed", ["street_admin", "committee"], ["batch_id", "community_id", "filename", "rows", "error_rows"],
        "上传居民名册待确认", "A resident spreadsheet was uploaded for preview";
    ImportCommitted => "import.committed", ["street_admin", "committee", "system"], ["batch_id", "community_id", "rows", "households"],
        "导入居民名册", "A resident spreadsheet was imported";
    ImportDiscarded => "import.discarded", ["street_admin", "committee"], ["batch_id"],
        "放弃导入", "An import preview was discarded";
    UserCreated => "user.created", ["street_admin", "system"], ["user_id", "username"],
        "创建工作人员账号", "A staff account was created";
    RoleGranted => "user.role_granted", ["street_admin", "system"], ["user_id", "role", "scope_kind", "scope_id"],
        "授予角色", "A role was granted to a staff account";
    RoleRevoked => "user.role_revoked", ["street_admin", "system"], ["user_id", "role", "scope_kind", "scope_id"],
        "撤销角色", "A role was taken from a staff account";
    PasswordChanged => "user.password_changed", ["street_admin", "committee", "clerk", "observer", "none", "system"], ["user_id"],
        "修改密码", "A staff member changed their password";
    LoginSucceeded => "session.login", ["street_admin", "committee", "clerk", "observer", "none"], ["user_id"],
        "登录", "A staff member signed in";
    LoginFailed => "session.login_failed", ["anonymous"], ["username", "reason"],
        "登录失败", "A sign-in failed (wrong password or wrong code)";
    TotpEnrolled => "user.totp_enrolled", ["street_admin", "committee", "clerk", "observer", "none"], ["user_id", "recovery_codes"],
        "启用两步验证", "A staff member set up two-factor sign-in (TOTP) and received recovery codes";
    TotpDisabled => "user.totp_disabled", ["committee", "clerk", "observer", "none"], ["user_id"],
        "关闭两步验证", "A staff member turned their own two-factor sign-in off";
    TotpReset => "user.totp_reset", ["street_admin", "system"], ["user_id"],
        "重置两步验证", "A street admin (or the operator) reset a staff member's two-factor sign-in";
    RecoveryCodeUsed => "user.recovery_code_used", ["street_admin", "committee", "clerk", "observer", "none"], ["user_id", "remaining"],
        "使用恢复码登录", "A staff member signed in with a single-use recovery code";
    ElectionOpened => "election.opened", ["street_admin"], ["community_id", "round", "kind", "method", "seats", "profile", "election_day", "channels", "remote_legal_basis", "stations", "main_election_id", "group", "candidates"],
        "街道开启换届选举", "The street office opened a community's election";
    PlanUpdated => "election.plan_updated", ["street_admin", "committee"], ["method", "seats", "profile", "election_day", "channels", "remote_legal_basis", "stations", "roll_removed"],
        "修改选举工作方案", "The election plan was revised";
    RegistrationStarted => "election.registration_started", ["street_admin", "committee"], ["from", "to"],
        "开始选民登记", "Voter registration began";
    VotersRegistered => "voters.registered", ["street_admin", "committee"], ["registered", "added", "removed", "refused"],
        "依法登记选民", "Voters were registered from the registry";
    RegistrationApplied => "registration.applied", ["street_admin", "committee"], ["resident_id"],
        "登记申请", "A resident applied to be registered";
    RegistrationDecided => "registration.decided", ["street_admin", "committee"], ["resident_id", "approved"],
        "审核登记申请", "An application to be registered was decided";
    VoterListPublished => "voter_list.published", ["street_admin", "committee"], ["from", "to", "voters", "absentees", "sha256", "published_on", "deadline"],
        "公布选民名单", "The voter list was published";
    VoterListRepublished => "voter_list.republished", ["street_admin", "committee"], ["voters", "absentees", "sha256"],
        "重新公布选民名单", "The voter list was re-published after a change";
    ObjectionFiled => "objection.filed", ["anonymous", "street_admin", "committee", "clerk", "observer"], ["objection_id", "kind"],
        "提出申诉", "An objection to the voter list was filed";
    ObjectionDecided => "objection.decided", ["street_admin", "committee"], ["objection_id", "upheld", "late", "roll_changed", "resident_id"],
        "处理申诉", "An objection was decided";
    VoterCardsIssued => "voter_cards.issued", ["street_admin", "committee"], ["cards"],
        "发放选民证", "Voter cards (voting codes) were issued";
    VoterCardReissued => "voter_card.reissued", ["street_admin", "committee"], ["cards", "resident_id"],
        "补发选民证（原证作废）", "A voter card was reissued; the old code no longer works";
    ProxyApplied => "proxy.applied", ["street_admin", "committee"], ["proxy_request", "principal_id", "proxy_id"],
        "登记委托投票", "A written proxy authorisation was recorded";
    ProxyDecided => "proxy.decided", ["street_admin", "committee"], ["proxy_request", "approved"],
        "审核委托投票", "A proxy authorisation was approved or rejected";
    RehearsalClockMoved => "rehearsal.clock_moved", ["street_admin"], ["day"],
        "演练：调整系统日期", "A rehearsal deployment's clock was moved to another day (null: back to the real date)";
    ProxyRevoked => "proxy.revoked", ["street_admin", "committee"], ["proxy_request", "code"],
        "撤销不再合法的委托投票", "An approved proxy the law no longer allows was withdrawn (its proxy became a formal candidate who is not a near relative)";
    CommitteeMemberAdded => "committee.member_added", ["street_admin", "committee"], ["resident_id", "position"],
        "选举委员会成员登记", "A member (or substitute) of the election committee was recorded";
    CommitteeDecision => "committee.decision", ["street_admin", "committee"], ["decision_id", "members", "present", "yes", "adopted"],
        "选举委员会会议决定", "An election committee meeting decision was recorded";
    CommitteeRecusal => "committee.recusal", ["street_admin", "committee", "system"], ["recused", "moved_up"],
        "选举委员会成员回避及递补", "Members recused (nominated or near relative nominated); substitutes moved up";
    RepresentativesRecorded => "representatives.recorded", ["street_admin", "committee"], ["group", "residents"],
        "登记居民小组推选的居民代表", "The representatives a residents' group elected were recorded";
    VoterStatusChanged => "voter.status_changed", ["street_admin", "committee"], ["resident_id", "change", "roll_changed"],
        "选民状态变更（死亡、迁出、剥夺或恢复政治权利）", "A voter's status changed after publication (death, moved away, rights lost or restored)";
    NominationsOpened => "nominations.opened", ["street_admin", "committee"], ["from", "to"],
        "开始提名", "Nominations opened";
    NominationFiled => "nomination.filed", ["street_admin", "committee", "clerk"], ["nomination_id", "post", "nominee_id", "route", "nominators"],
        "登记提名", "A nomination was recorded";
    NominationConsented => "nomination.consented", ["street_admin", "committee"], ["nomination_id"],
        "被提名人书面同意", "The nominee accepted in writing";
    NominationReviewed => "nomination.reviewed", ["street_admin", "committee"], ["nomination_id", "qualified"],
        "资格审查", "The qualification review was recorded";
    PrimaryOpened => "primary.opened", ["street_admin", "committee"], ["round", "ordinal", "kind", "posts", "candidates"],
        "开始预选投票", "A nomination primary (预选) opened: the voters choose who goes on the formal candidate list";
    PrimaryClosed => "primary.closed", ["street_admin", "committee"], ["round", "issued", "browser_ballots", "browser_root", "leaves", "issued_by"],
        "结束预选投票", "The primary's polls closed; its box is frozen";
    CandidatesPublished => "candidates.published", ["street_admin", "committee"], ["from", "to", "lists", "unicode_fallback", "published_on"],
        "公布正式候选人名单", "The formal candidate list was published";
    CandidateWithdrawn => "candidate.withdrawn", ["street_admin", "committee"], ["nomination_id", "moved_up", "list", "margin_broken"],
        "候选人退出及递补", "A candidate withdrew; the next nominee moved up and the list was re-published";
    StatementRecorded => "candidate.statement_recorded", ["street_admin", "committee"], ["nomination_id", "photo"],
        "登记候选人履职设想", "A candidate's statement (and photo) was recorded";
    PollsOpened => "polls.opened", ["street_admin", "committee"], ["from", "to", "round", "kind", "posts", "candidates"],
        "开始投票", "Polls opened for a round of voting";
    BoothRegistered => "booth.registered", ["street_admin", "committee", "clerk"], ["booth_id", "station", "name", "staff_signed_out"],
        "登记投票间平板", "A booth tablet was set up at a polling station";
    BallotIssued => "ballot.issued", ["street_admin", "committee", "clerk"], ["round", "channel", "station"],
        "发放选票（选民签到）", "A voter was checked in and received a ballot (who is on the roll, not in the log)";
    BallotsCast => "ballots.cast", ["voter"], ["round", "ballots", "receipts", "encrypted_by"],
        "选票投入票箱", "Browser ballots went into the box (one entry per commit, with the voters' receipts)";
    PollsClosed => "polls.closed", ["street_admin", "committee"], ["from", "to", "round", "issued", "browser_ballots", "browser_root", "leaves", "issued_by"],
        "结束投票，票箱与发票数写入日志", "Polls closed; the box is frozen and committed (its Merkle root and the ballots issued per station)";
    PaperEntered => "paper.entered", ["street_admin", "committee", "clerk"], ["round", "station", "pass", "seq", "action"],
        "录入纸质选票", "A paper ballot was entered (or corrected) by a clerk";
    PaperBoxAccepted => "paper_box.accepted", ["street_admin", "committee"], ["round", "station", "returned", "issued", "spoiled", "returned_exceeds_issued", "mobile", "box_root", "leaves"],
        "纸质票箱双人录入一致并入箱（流动票箱随本站票箱）", "Both entries of a paper box agreed; its ballots (with the mobile boxes entered with it) went into the box, committed by its Merkle root";
    CountAnnounced => "count.announced", ["street_admin", "committee"], ["round", "kind", "ballots", "box_sha256", "box_root", "result_sha256", "valid", "void_reasons", "elected", "next", "posts", "from", "to", "rerun_by"],
        "公开计票并当场公布结果", "A round was counted by the law engine and its result announced (the box's hashes logged)";
    ResultsCertified => "results.certified", ["street_admin", "committee"], ["from", "to", "elected", "vacancies", "byelection_by", "checks"],
        "确认选举结果", "The result was certified, with the composition checks";
    ElectionVoided => "election.voided", ["street_admin", "committee"], ["scope", "reasons", "nomination_id", "from", "to", "rerun_by", "byelection_by"],
        "选举无效或当选无效的决定", "A decision that the election, or one person's election, is void";
    HandoverItem => "handover.item", ["street_admin", "committee"], ["item", "late", "deadline", "from", "to"],
        "工作移交事项完成", "A handover item was completed (the last completes the handover)";
    RecallVerified => "recall.petition_verified", ["street_admin", "committee"], ["from", "to", "signatures", "needed", "voters", "sha256"],
        "核实罢免联名并公布选民名单", "The recall petition was verified against the term's roll; the roll was published";
    RecallAnswered => "recall.answer_published", ["street_admin", "committee"], ["published_on"],
        "公布被提出罢免成员的申辩意见", "The member's written answer to the recall was published";
    GroupRollPublished => "group_election.roll_published", ["street_admin", "committee"], ["from", "to", "voters", "sha256"],
        "公布居民小组选举的选民名单", "A residents' group election's roll (the group's voters) was published";
    GroupCounted => "group_election.counted", ["street_admin", "committee"], ["round", "ballots", "voters", "box_sha256", "valid", "votes", "elected", "tied", "tied_seats", "unfilled", "void_reasons", "from", "to"],
        "居民小组选举计票结果（未过半数参加则无效）", "A round of a residents' group election was counted (void when not more than half of the group voted)";
    GroupCertified => "group_election.certified", ["street_admin", "committee"], ["from", "to", "main_election_id", "group", "residents", "unfilled"],
        "确认居民小组推选的居民代表", "A residents' group election was certified: its elected residents are the group's representatives";
    VacancyArose => "vacancy.arose", ["street_admin", "committee"], ["vacancy_id", "post", "member_id", "cause", "filing_by", "byelection_by"],
        "出现空缺（罢免、辞职、死亡、判刑、职务依法终止、当选无效或未选满）", "A seat fell vacant (recall, resignation, death, sentence, office ended by law, void election or unfilled)";
    IncapacityConfirmed => "incapacity.confirmed", ["street_admin", "committee"], ["confirmation_id"],
        "确认无法行使选举权利", "The committee confirmed that a resident cannot exercise the right to vote (who and why stay off the log)";
    AbsenceNotified => "absence.notified", ["street_admin", "committee"], ["resident_id", "notified_on", "absentees"],
        "登记外出不能回来参加选举的选民", "A voter notified in time that they cannot return for election day";
    ComplaintFiled => "complaint.filed", ["street_admin", "committee"], ["complaint_id", "filed_on", "answer_due"],
        "受理投诉", "A complaint about the election was filed";
    ComplaintAnswered => "complaint.answered", ["street_admin", "committee"], ["complaint_id", "answered_on", "late"],
        "书面答复投诉", "A complaint was answered in writing";
    CountConductRecorded => "count.conduct_recorded", ["street_admin", "committee"], ["round", "finding"],
        "记录未公开计票或未当场公布结果", "The committee recorded that a round was not counted in public or its result not announced on the spot";
    E2eCeremonyOpened => "e2e.ceremony_opened", ["street_admin", "committee"], ["number", "ceremony", "n", "k", "trustees"],
        "开启受托人密钥仪式", "The committee opened the trustees' key ceremony for the encrypted ballot box";
    E2eKeyPosted => "e2e.key_posted", ["trustee"], ["number", "trustee", "key", "proof", "status"],
        "受托人公布仪式公钥", "A trustee posted its ceremony key with a proof of knowledge";
    E2eDealingPosted => "e2e.dealing_posted", ["trustee"], ["number", "trustee", "dealing", "status"],
        "受托人公布承诺与加密份额", "A trustee posted its commitments and the shares sealed to the other trustees";
    E2eSharesChecked => "e2e.shares_checked", ["trustee"], ["number", "trustee", "complaints", "status"],
        "受托人核验所收份额", "A trustee checked the shares it received; complaints judged; the last check fixes the election key";
    E2eTrusteeWithdrawn => "e2e.trustee_withdrawn", ["street_admin", "committee"], ["number", "trustee", "reason", "serving", "k", "status"],
        "受托人退出", "A trustee withdrew and takes no further part; before the key is fixed, or with fewer than k left before the polls open, the ceremony fails";
    E2eCredentialsPublished => "e2e.credentials_published", ["street_admin", "committee"], ["sha256", "size", "live", "source", "added"],
        "公布选民凭证公钥名单", "The list of voter credentials (public keys, sorted, no names) was published or grew: its SHA-256, size and who generated it";
    E2eCredentialReissued => "e2e.credential_reissued", ["street_admin", "committee"], ["old", "new", "sha256", "size", "live", "source"],
        "补发选民证：旧凭证作废、新凭证加入", "A reissued card: the old credential was revoked and the new one listed";
    E2eShufflePosted => "e2e.shuffle_posted", ["trustee"], ["round", "seq", "trustee", "ballots", "output_sha256", "proof_sha256", "status"],
        "受托人混洗加密票箱并公布证明", "A trustee shuffled the encrypted box of a round with a proof (checked before it was accepted)";
    E2eDecryptionPosted => "e2e.decryption_posted", ["trustee"], ["round", "trustee", "ciphertexts", "share_sha256", "status"],
        "受托人公布解密份额及证明", "A trustee posted its decryption shares of the last shuffle's output with proofs (checked before they were accepted)";
    E2eDecrypted => "e2e.decrypted", ["system"], ["round", "ballots", "trustees", "root"],
        "k名受托人解密完成，电子票箱解密结果确定", "k trustees' shares decrypted the shuffled box: the decrypted ballots (their Merkle root) are the electronic box the count reads";
    PersonalDataPurged => "personal_data.purged", ["system"], ["election_id", "term_ended_on", "retention_days", "purged"],
        "删除届满的个人信息", "The operator deleted or reduced a finished term's personal data after the retention period";
    CountingStaffNamed => "counting_staff.named", ["street_admin", "committee"], ["resident_id", "duty"],
        "确定监票人、唱票人或计票人", "The committee named a resident scrutineer, caller or tallier (LAW.md §2)";
    CountingStaffRemoved => "counting_staff.removed", ["street_admin", "committee"], ["removed"],
        "候选人或其近亲属不得担任监票、唱票、计票人员，已撤换；或选举委员会撤换计票工作人员",
        "Counting staff who are (or are near relatives of) a candidate were removed, or the committee relieved one (each `removed` item's `cause`: `candidate`, `near_relative` or `committee`; LAW.md §2)";
    TermDeclared => "term.declared", ["system"], ["first_year", "years", "previous_first_year"],
        "宣布本市届期", "The operator declared the city's term calendar (the first year of a term; 5-year terms)";
    LoggedOut => "session.logout", ["street_admin", "committee", "clerk", "observer", "none"], ["user_id"],
        "退出登录", "A staff member signed out";
    CheckpointLogged => "log.checkpoint", ["system"], ["size", "root"],
        "签发检查点（其规模与根哈希记入日志）", "A checkpoint was signed; its size and root are logged right after it";
}

/// What `huanjie verify` checks of each entry beyond the hashes: a known event type of a
/// known version, with an actor and a role. (Lifecycle order joins with elections.)
pub fn check_entry(_index: u64, leaf: &[u8]) -> Result<(), String> {
    let v: serde_json::Value = serde_json::from_slice(leaf).map_err(|e| format!("not JSON: {e}"))?;
    if v["v"] != serde_json::json!(1) {
        return Err(format!("unknown entry version {}", v["v"]));
    }
    let ty = v["type"].as_str().ok_or("no event type")?;
    let kind = EventKind::parse(ty).ok_or_else(|| format!("unknown event type {ty:?}"))?;
    let role = v["role"].as_str().ok_or("no role")?;
    if !kind.spec().roles.contains(&role) && role != "system" {
        return Err(format!("{ty} caused by role {role:?}, which may not cause it"));
    }
    Ok(())
}

/// `huanjie verify`'s check of an election log's lifecycle: it must start with
/// `election.opened` (stage draft), and every transition's `from` must be the stage reached so
/// far and a legal step (DESIGN.md lifecycle). Also applies [`check_entry`].
#[derive(Debug, Default)]
pub struct LifecycleCheck {
    stage: Option<crate::domain::Stage>,
    kind: Option<crate::domain::ElectionKind>,
}

impl LifecycleCheck {
    pub fn check(&mut self, index: u64, leaf: &[u8]) -> Result<(), String> {
        use crate::domain::Stage;
        check_entry(index, leaf)?;
        let v: serde_json::Value = serde_json::from_slice(leaf).map_err(|e| e.to_string())?;
        let ty = v["type"].as_str().unwrap_or("");
        if ty == "election.opened" {
            if self.stage.is_some() {
                return Err("an election is opened twice in one log".into());
            }
            self.stage = Some(Stage::Draft);
            self.kind = v["payload"]["kind"].as_str().and_then(crate::domain::ElectionKind::parse);
            return Ok(());
        }
        let (Some(from), Some(to)) = (v["payload"]["from"].as_str(), v["payload"]["to"].as_str()) else {
            return Ok(());
        };
        let (Some(from), Some(to)) = (Stage::parse(from), Stage::parse(to)) else {
            return Err(format!("unknown stage in {ty}"));
        };
        match self.stage {
            Some(cur)
                if cur == from
                    && from.may_move_to_in(self.kind.unwrap_or(crate::domain::ElectionKind::Regular), to) =>
            {
                self.stage = Some(to);
                Ok(())
            }
            Some(cur) => {
                Err(format!("illegal transition {} → {} at stage {}", from.as_str(), to.as_str(), cur.as_str()))
            }
            None => Err(format!("{ty} before election.opened")),
        }
    }
}

/// The catalogue as a Markdown table, for README.
pub fn markdown() -> String {
    let mut s = String::from("| event | who may cause it | fields | 说明 | meaning |\n|---|---|---|---|---|\n");
    for k in CATALOGUE {
        let e = k.spec();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            e.name,
            e.roles.join(", "),
            e.fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", "),
            e.zh,
            e.en
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for k in CATALOGUE {
            assert!(seen.insert(k.name()), "duplicate {}", k.name());
            assert_eq!(EventKind::parse(k.name()), Some(*k));
            assert!(!k.spec().roles.is_empty());
        }
    }
}

#[cfg(test)]
mod readme {
    /// README's event table is generated from the catalogue: keep them in step.
    #[test]
    fn readme_event_table_matches_the_catalogue() {
        let readme = include_str!("../../README.md");
        let start = readme.find("<!-- events:begin -->\n").map(|i| i + "<!-- events:begin -->\n".len());
        let end = readme.find("<!-- events:end -->");
        let (Some(s), Some(e)) = (start, end) else { panic!("README lacks the events markers") };
        assert_eq!(&readme[s..e], super::markdown(), "run `huanjie events` and paste it into README");
    }
}
