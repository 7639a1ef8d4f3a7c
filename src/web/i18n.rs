//! Simplified Chinese by default, English as the second language. The language comes from the
//! `lang` cookie (set by the switch in the page header), else from `Accept-Language`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn from_headers(cookie: Option<&str>, accept: Option<&str>) -> Lang {
        if let Some(c) = cookie {
            for part in c.split(';') {
                match part.trim() {
                    "lang=en" => return Lang::En,
                    "lang=zh" => return Lang::Zh,
                    _ => {}
                }
            }
        }
        // First language range that we speak wins; anything unknown falls back to Chinese.
        if let Some(a) = accept {
            for range in a.split(',') {
                let tag = range.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                if tag.starts_with("zh") {
                    return Lang::Zh;
                }
                if tag.starts_with("en") {
                    return Lang::En;
                }
            }
        }
        Lang::Zh
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let h = |n| parts.headers.get(n).and_then(|v| v.to_str().ok());
        Ok(Lang::from_headers(h(axum::http::header::COOKIE), h(axum::http::header::ACCEPT_LANGUAGE)))
    }
}

/// The translator handed to templates: `{{ t.t("key") }}`.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t(&self, key: &str) -> &'static str {
        text(self.0, key)
    }
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    pub fn is_zh(&self) -> bool {
        self.0 == Lang::Zh
    }
    /// The 大字版 was chosen for this request (see `web::display`): `<html class="large">`.
    pub fn large(&self) -> bool {
        crate::web::display::large()
    }
    /// A rule's plain citation for staff pages ("依据 LAW.md §1"); empty when it names none.
    pub fn cite(&self, rule: &str) -> String {
        match plain_citation(rule) {
            c if c.is_empty() => c,
            c => text(self.0, "law.basis").replace("{rule}", &c).trim().to_string(),
        }
    }
}

/// A rule as staff read it: the LAW.md sections it names, without the [N] / [P] tags or notes
/// ("LAW.md §6 [P] (double entry)" → "LAW.md §6"). Empty when it names no section.
pub fn plain_citation(rule: &str) -> String {
    let sections: Vec<String> = rule
        .split('§')
        .skip(1)
        .filter_map(|s| {
            let n: String = s.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '–')).collect();
            let n = n.trim_end_matches(['.', '–']).to_string();
            (!n.is_empty()).then(|| format!("§{n}"))
        })
        .collect();
    if sections.is_empty() { String::new() } else { format!("LAW.md {}", sections.join(", ")) }
}

/// Looks a message up; an unknown key shows the key itself (visible in review, never a crash).
pub fn text(lang: Lang, key: &str) -> &'static str {
    match MESSAGES.binary_search_by(|(k, _, _)| (*k).cmp(key)) {
        Ok(i) => {
            let (_, zh, en) = MESSAGES[i];
            if lang == Lang::Zh { zh } else { en }
        }
        Err(_) => {
            // Keys with a parameter ("err.id.repeat:12") use their base text.
            match key.split_once(':') {
                Some((base, _)) if base != key => text(lang, base),
                _ => "?",
            }
        }
    }
}

/// (key, 中文, English), sorted by key (a unit test checks the order).
pub static MESSAGES: &[(&str, &str, &str)] = &[
    ("account.password", "修改密码", "Change password"),
    (
        "account.password_changed",
        "密码已修改，请用新密码重新登录。",
        "Password changed. Please sign in with the new password.",
    ),
    ("action.apply", "登记申请", "Record application"),
    ("action.approve", "批准", "Approve"),
    ("action.cards", "发放选民证（生成投票码）", "Issue voter cards (voting codes)"),
    ("action.open_nominations", "开始提名", "Open nominations"),
    ("action.print_list", "打印选民名单公告", "Print the voter list notice"),
    ("action.public_page", "公开页面", "Public page"),
    ("action.publish", "公布选民名单", "Publish the voter list"),
    ("action.publish_candidates", "公布正式候选人名单", "Publish the formal candidate list"),
    ("action.register", "依法登记选民", "Register voters"),
    ("action.reissue", "补发选民证：居民编号", "Reissue a card: resident no."),
    ("action.reissue_btn", "补发（原证作废）", "Reissue (old card void)"),
    ("action.reject", "不予批准", "Reject"),
    ("action.start_registration", "开始选民登记", "Start voter registration"),
    ("app.name", "换届 · 居民委员会选举", "Huanjie · Residents' committee elections"),
    (
        "app.tagline",
        "依法、公开、可核验的居民委员会换届选举",
        "Lawful, open and verifiable residents' committee elections",
    ),
    ("archive.title", "选举档案（JSON）", "Election archive (JSON)"),
    (
        "ballot.abstain",
        "对某一职务弃权的，该栏不画任何符号。空白票有效，计入参加投票人数。",
        "To abstain on a post, leave it unmarked. A blank ballot is valid and counts as cast.",
    ),
    ("ballot.candidates", "候选人（按姓氏笔画排列）/ 另选他人", "Candidates (by surname strokes) / write-in"),
    ("ballot.committee", "居民选举委员会", "residents' election committee"),
    (
        "ballot.how",
        "同意的候选人，在其姓名右侧的符号栏内画“○”；不同意的不画；如另选他人，在“另选他人”栏写上其姓名，并在符号栏内画“○”。",
        "For a candidate you support, draw \"○\" in the mark column beside the name; for no one else draw anything. To write in another voter, write the name on a write-in line and draw \"○\" beside it.",
    ),
    ("ballot.mark", "符号栏", "Mark"),
    (
        "ballot.overvote_ballot",
        "每个职务所选人数不得多于应选名额，多于应选名额的，整张选票无效。",
        "On each post choose no more people than seats; a ballot that names more is void as a whole.",
    ),
    (
        "ballot.overvote_post",
        "每个职务所选人数不得多于应选名额，多于应选名额的，该职务的选择无效。",
        "On each post choose no more people than seats; if more are named, the marks on that post are void.",
    ),
    ("ballot.post", "职务（应选名额）", "Post (seats)"),
    ("ballot.seats", "应选", "seats:"),
    (
        "ballot.secret",
        "本选票不编号、不记名，在秘密写票处填写。",
        "This ballot carries no number and no name; fill it in at the secret writing place.",
    ),
    ("ballot.title", "年换届选举选票", "re-election ballot"),
    (
        "booth.locked",
        "已锁定。请到工作人员处签到，工作人员会为您开启一张选票。",
        "Locked. Check in with a clerk, who will unlock one ballot for you.",
    ),
    (
        "booth.not_set_up",
        "本设备尚未设置为写票间。请工作人员在投票站页面设置。",
        "This device is not set up as a booth. A clerk sets it up on the polling-station page.",
    ),
    ("booth.title", "写票间", "Voting booth"),
    ("btn.cancel", "取消", "Cancel"),
    ("btn.commit", "确认导入", "Import now"),
    ("btn.create", "创建", "Create"),
    ("btn.discard", "放弃", "Discard"),
    ("btn.grant", "授予", "Grant"),
    ("btn.login", "登录", "Sign in"),
    ("btn.logout", "退出", "Sign out"),
    ("btn.save", "保存", "Save"),
    ("btn.search", "搜索", "Search"),
    ("btn.upload", "上传并预览", "Upload and preview"),
    ("card.address", "投票网址", "Vote at"),
    ("card.checkin_no", "签到号", "Check-in number"),
    ("card.code", "投票码", "Voting code"),
    (
        "card.none",
        "所有选民都已领取选民证。补发请输入居民编号。",
        "Every voter has a card. To reissue one, give the resident number.",
    ),
    (
        "card.once",
        "投票码只在此页显示一次，请立即打印；系统只保存其密钥哈希。",
        "The voting codes appear on this page only once: print now. Only their keyed hashes are stored.",
    ),
    ("card.station", "投票站", "Polling station"),
    ("card.title", "选民证", "Voter card"),
    ("cert.bureau", "区民政局 / 街道办事处", "District civil affairs bureau / street office"),
    (
        "cert.term",
        "任期五年，自当选之日起至下一届居民委员会产生为止。",
        "The term is five years, until the next committee is elected.",
    ),
    (
        "cert.text",
        "{name}同志于{day}在{community}换届选举中依法当选为居民委员会{post}。特发此证。",
        "{name} was lawfully elected {post} of the residents' committee in the re-election of {community} on {day}. This certificate is issued in witness thereof.",
    ),
    ("cert.title", "当选证书", "Certificate of election"),
    ("channel.booth", "投票站电子投票", "Booth (browser at the station)"),
    ("channel.mobile_box", "流动票箱", "Mobile ballot box"),
    ("channel.paper", "投票站纸质选票", "Paper at a polling station"),
    ("channel.proxy", "委托投票", "Proxy"),
    ("channel.remote", "远程投票（试点）", "Remote (pilot)"),
    ("check.met", "符合", "met"),
    ("check.minority_member", "有少数民族成员", "A member of an ethnic minority"),
    ("check.no_near_relatives", "成员之间无近亲属关系", "No near relatives among members"),
    ("check.not_met", "不符合", "not met"),
    ("check.size", "成员人数符合方案", "Members as the plan fixed"),
    ("check.woman_member", "有妇女成员", "A woman member"),
    ("committee.add", "登记成员（居民编号）", "Add a member (resident no.)"),
    ("committee.adopted", "通过", "Adopted"),
    ("committee.decision", "记录会议决定", "Record a meeting decision"),
    ("committee.not_adopted", "未通过", "Not adopted"),
    ("committee.position.chair", "主任", "Chair"),
    ("committee.position.member", "委员", "Member"),
    ("committee.position.substitute", "候补", "Substitute"),
    ("committee.position.vice_chair", "副主任", "Vice-chair"),
    ("committee.present", "到会人数", "Present"),
    ("committee.status.recused", "回避", "Recused"),
    ("committee.status.serving", "在任", "Serving"),
    ("committee.status.waiting", "候补", "Waiting"),
    ("committee.subject", "议题", "Subject"),
    ("committee.username", "工作人员账号（可选）", "Staff account (optional)"),
    ("committee.yes", "赞成票", "Yes votes"),
    ("community.code", "社区编码", "Community code"),
    ("community.name", "社区名称", "Community name"),
    ("community.new", "新建社区", "New community"),
    ("community.stats", "居民小组 / 户 / 居民", "Groups / households / residents"),
    ("confirm.back", "返回", "Go back"),
    ("confirm.irreversible", "此操作不能撤销。", "This cannot be undone."),
    ("confirm.q.certify", "确认选举结果？", "Certify the result?"),
    ("confirm.q.count", "确认计票并公布结果？", "Count the ballots and announce the result?"),
    ("confirm.q.next_round", "确认组织另行选举？", "Hold the next round?"),
    ("confirm.q.polls_close", "确认结束投票？", "Close the polls?"),
    ("confirm.q.polls_open", "确认开始投票？", "Open the polls?"),
    ("confirm.q.primary_close", "确认结束预选投票？", "Close the primary?"),
    ("confirm.q.primary_count", "确认进行预选计票？", "Count the primary?"),
    ("confirm.q.primary_open", "确认开始预选投票？", "Open the primary?"),
    ("confirm.q.publish", "确认公布选民名单？", "Publish the voter list?"),
    ("confirm.q.publish_candidates", "确认公布正式候选人名单？", "Publish the formal candidate list?"),
    ("confirm.q.void_election", "确认宣布本次选举无效？", "Declare this election void?"),
    ("confirm.q.void_person", "确认宣布此人当选无效？", "Declare this person's election void?"),
    ("confirm.reason", "理由：", "Reason: "),
    (
        "confirm.then.certify",
        "确认后即为正式结果，可打印当选证书并办理移交。",
        "The result becomes final; certificates can be printed and the handover begins.",
    ),
    (
        "confirm.then.count",
        "所有票箱一并计票，结果当场公布。",
        "All boxes are counted together and the result is announced on the spot.",
    ),
    (
        "confirm.then.next_round",
        "将为未选足的名额开启新一轮投票。",
        "A new round of voting opens for the seats not yet filled.",
    ),
    (
        "confirm.then.polls_close",
        "结束后票箱封存，不再发放选票；随后录入纸质选票并计票。",
        "The box is sealed and no more ballots are issued; then the paper ballots are entered and counted.",
    ),
    (
        "confirm.then.polls_open",
        "开始后本轮选票内容即固定，选民可以领票投票。",
        "The ballot of this round is fixed and voters can start voting.",
    ),
    (
        "confirm.then.primary_close",
        "预选票箱封存；随后录入纸质选票并计票。",
        "The primary box is sealed; then the paper ballots are entered and counted.",
    ),
    (
        "confirm.then.primary_count",
        "计票结果当场公布，并决定谁进入正式候选人名单。",
        "The result is announced at once and decides who goes on the formal candidate list.",
    ),
    (
        "confirm.then.primary_open",
        "开始后预选选票即固定，选民可以领票投票。",
        "The primary ballot is fixed and voters can start voting.",
    ),
    (
        "confirm.then.publish",
        "名单公布后即开始异议期，选举方案不能再修改。",
        "Publishing starts the objection period, and the election plan can no longer be changed.",
    ),
    (
        "confirm.then.publish_candidates",
        "公布后选票按此名单印制，此后只能按退出程序变更。",
        "The ballot follows this list; after this it changes only through the withdrawal procedure.",
    ),
    ("confirm.then.void_election", "选举无效后须重新组织选举。", "A void election must be held again."),
    (
        "confirm.then.void_person",
        "其当选无效，空缺名额须另行补选。",
        "Their election is void; the seat is filled by a by-election.",
    ),
    ("confirm.title", "请确认", "Please confirm"),
    ("confirm.yes", "确认", "Confirm"),
    ("count.all", "全部", "All"),
    ("count.ballot", "第", "Ballot"),
    ("count.blank", "空白票", "Blank ballot"),
    ("count.invalid", "无效票", "Invalid ballot"),
    ("count.next", "下一张", "Next ballot"),
    ("count.post_void", "此职位所选人数多于应选名额，本职位作废", "More names than seats on this post: not counted"),
    ("count.prev", "上一张", "Previous"),
    ("count.recall", "罢免表决", "Recall vote"),
    ("count.recall_no", "不同意罢免", "Against the recall"),
    ("count.recall_yes", "同意罢免", "For the recall"),
    ("count.returned", "收回", "Returned"),
    ("count.title", "公开唱票、计票", "Public count"),
    ("count.totals", "核对", "Totals"),
    (
        "dash.chart",
        "各阶段的选举数量（条形图；每次选举见下表）",
        "Elections per stage (bar chart; each election is listed in the table below)",
    ),
    ("dash.next", "下一期限", "Next deadline"),
    ("dash.title", "辖区换届进度", "District election progress"),
    ("deadline.absentee_notices", "外出选民告知截止", "Absentee notices close"),
    ("deadline.candidate_list_published", "公布正式候选人名单", "Publish the candidate list"),
    ("deadline.complaint_answered", "书面答复申诉", "Complaints answered"),
    ("deadline.handover", "工作移交", "Handover"),
    ("deadline.objections_decided", "申诉处理截止", "Objections decided"),
    ("deadline.objections_received", "受理申诉截止", "Objections close"),
    ("deadline.proxy_applications", "委托投票申请截止", "Proxy applications close"),
    ("deadline.rerun", "重新选举", "Re-run"),
    ("deadline.runoff", "另行选举", "Run-off"),
    ("deadline.voter_list_published", "公布选民名单", "Publish the voter list"),
    ("display.large", "大字版", "Large type"),
    ("display.standard", "标准版", "Standard type"),
    ("dl.done", "已完成", "Done"),
    ("dl.due", "即将到期", "Due soon"),
    ("dl.future", "未到期", "Upcoming"),
    ("dl.late", "已逾期", "Late"),
    ("done.apply", "已登记申请。", "Application recorded."),
    ("done.approve", "已批准。", "Approved."),
    ("done.byelection", "已开启补选。", "The by-election is open."),
    ("done.certify", "选举结果已确认。", "The result is certified."),
    ("done.consent", "已记录本人同意。", "Consent recorded."),
    ("done.count", "计票完成，结果已公布。", "Counted; the result is announced."),
    ("done.decision", "已记录委员会决定。", "Committee decision recorded."),
    ("done.disqualify", "已记录资格审查结果。", "Review recorded."),
    ("done.handover", "已记录移交事项。", "Handover item recorded."),
    ("done.member_add", "已添加选举委员会成员。", "Election committee member added."),
    ("done.member_left", "已记录离任。", "Departure recorded."),
    ("done.nominate", "已记录提名。", "Nomination recorded."),
    ("done.objection_decided", "异议已处理。", "The objection is decided."),
    ("done.open_nominations", "提名已开始。", "Nominations are open."),
    ("done.plan", "选举方案已保存。", "The election plan is saved."),
    ("done.primary_counted", "预选计票完成，结果已公布。", "The primary is counted; the result is announced."),
    ("done.proxy_add", "已登记委托投票申请。", "Proxy application recorded."),
    ("done.proxy_approve", "已批准委托投票。", "Proxy approved."),
    ("done.proxy_reject", "已不予批准委托投票。", "Proxy rejected."),
    ("done.publish", "选民名单已公布，异议期开始。", "The voter list is published; the objection period has begun."),
    ("done.publish_candidates", "正式候选人名单已公布。", "The formal candidate list is published."),
    ("done.qualify", "已通过资格审查。", "Qualified."),
    ("done.recall_answer", "已公布答复。", "Answer published."),
    ("done.recall_open", "已开启罢免。", "The recall is open."),
    ("done.recall_verify", "罢免要求已核验。", "The recall petition is verified."),
    ("done.register", "选民登记已完成。", "Voters registered."),
    ("done.reject", "已不予批准。", "Rejected."),
    ("done.start_registration", "选民登记已开始。", "Voter registration has started."),
    ("done.user_created", "账号已创建。", "The account is created."),
    ("done.void_election", "已宣布选举无效。", "The election is declared void."),
    ("done.void_person", "已宣布其当选无效。", "That person's election is declared void."),
    ("done.withdraw", "已记录退出，名单已更新。", "Withdrawal recorded; the list is updated."),
    ("election.applicant", "申请人", "Applicant"),
    (
        "election.applications",
        "登记申请（非户籍居民、社区工作者）",
        "Applications (non-local residents, community workers)",
    ),
    ("election.committee", "居民选举委员会", "Residents' election committee"),
    ("election.deadline", "事项", "Deadline"),
    ("election.latest", "最迟日期", "Latest date"),
    ("election.next_step", "下一步", "Next step"),
    ("election.nominations", "提名与正式候选人", "Nominations and formal candidates"),
    ("election.objections", "申诉及处理", "Objections and decisions"),
    ("election.open", "开启换届选举", "Open the election"),
    ("election.plan", "选举工作方案", "Election plan"),
    ("election.proxies", "委托投票", "Proxy voting"),
    (
        "election.registration_help",
        "按选举日计算年龄，依法自动登记户籍在本社区的居民；非户籍居民和社区工作者须先申请并经批准。可多次运行，登记结果随户口信息和审批更新。",
        "Ages are counted to election day. Residents registered here are registered automatically; non-local residents and community workers apply first and need approval. Run it again after changes.",
    ),
    ("election.round", "届次", "Round"),
    ("election.rule", "依据", "Rule"),
    ("election.status", "状态", "Status"),
    ("election.timetable", "法定时间表", "Legal timetable"),
    ("election.title", "换届选举", "Election"),
    (
        "election.to_polling",
        "投票站：签到、写票间、投票进度、纸质选票录入",
        "Polling station: check-in, booths, turnout, paper entry",
    ),
    ("election.to_results", "计票与选举结果", "Count and results"),
    ("election.voters", "选民", "Voters"),
    ("err.address", "住址过长或含有非法字符", "Address too long or has invalid characters"),
    (
        "err.already_voted",
        "该选民在本轮投票中已经领取过选票（任何方式都只能投一次）",
        "This voter already received a ballot in this round (one ballot, whatever the channel)",
    ),
    (
        "err.ballot",
        "选票填写有误，请检查后重新填写。",
        "The ballot is not filled in correctly: check it and fill it in again.",
    ),
    ("err.birth_date", "出生日期格式不对，应为 1990-01-31", "Birth date must look like 1990-01-31"),
    ("err.birth_mismatch", "出生日期与身份证号码不一致", "Birth date does not match the ID number"),
    ("err.booth", "写票间不对，请从列表中选择。", "Unknown booth: choose one from the list."),
    ("err.booth_busy", "该写票间正在使用，请选择另一个", "That booth is in use: choose another"),
    (
        "err.booth_locked",
        "写票间平板已锁定，请到工作人员处签到后再投票",
        "The booth is locked: check in with a clerk first",
    ),
    (
        "err.box_accepted",
        "该票箱已经录入完毕并入箱，不能再录入。",
        "This box has already been entered and accepted: no more entries can be made.",
    ),
    ("err.busy", "投票人数过多，请稍后再试", "Too many ballots at once: try again in a moment"),
    ("err.channel", "投票方式不对，请从列表中选择。", "Unknown voting channel: choose one from the list."),
    (
        "err.channel_disabled",
        "本次选举方案未启用这种投票方式，请选择方案中启用的投票方式。",
        "The election plan does not enable this way of voting: choose one the plan enables.",
    ),
    ("err.code", "编码只能由 2–32 位字母、数字或连字符组成", "Codes are 2–32 letters, digits or hyphens"),
    ("err.conflict", "操作冲突，请刷新页面后重试。", "Conflict: reload the page and try again."),
    ("err.counted", "本轮已经计票，不能重复计票。请查看计票结果。", "This round is already counted: see the results."),
    (
        "err.csrf",
        "页面已过期或来源不明，请刷新后重试。",
        "The page expired or came from elsewhere. Reload and try again.",
    ),
    ("err.date", "日期格式不对，应为 2026-03-15", "Dates look like 2026-03-15"),
    ("err.display_name", "姓名不能为空且不超过 50 字", "Display name must be 1–50 characters"),
    ("err.duplicate", "该记录已存在，请查看已有的记录。", "That record already exists: open the existing one."),
    (
        "err.election_exists",
        "该社区本届换届选举已经开启，请打开已有的选举。",
        "This community's election for that round is already open: open the existing election.",
    ),
    ("err.ethnicity", "民族填写有误", "Ethnicity is not valid"),
    ("err.field", "第 {row} 行「{col}」：{msg}", "Row {row}, “{col}”: {msg}"),
    ("err.flag", "应填“是”或“否”", "Must be yes or no"),
    (
        "err.forbidden",
        "您没有权限进行此操作。如需权限，请联系街道管理员。",
        "You are not allowed to do that. Ask your street office administrator if you need access.",
    ),
    ("err.gender", "性别应为“男”或“女”", "Gender must be male or female"),
    ("err.gender_mismatch", "性别与身份证号码不一致", "Gender does not match the ID number"),
    ("err.group", "居民小组编号应为 1–999 的数字", "Group number must be 1–999"),
    ("err.group_unknown", "该居民小组不存在，请先创建", "No such residents' group; create it first"),
    ("err.household", "户号过长或含有非法字符", "Household number too long or invalid"),
    ("err.id.birth", "身份证号码中的出生日期不存在", "The birth date inside the ID number does not exist"),
    ("err.id.chars", "身份证号码只能是数字，最后一位可为 X", "ID numbers are digits, the last may be X"),
    ("err.id.check", "身份证号码校验位不对，请核对", "The ID number's check digit is wrong"),
    ("err.id.exists", "该身份证号码已在本社区登记", "This ID number is already registered in this community"),
    ("err.id.length", "身份证号码应为 18 位", "ID numbers have 18 characters"),
    ("err.id.repeat", "身份证号码与文件中前面的行重复", "ID number repeats an earlier row of the file"),
    (
        "err.id_claimed",
        "该居民已登记为本届选民，身份证号码不能修改；请先处理其选民资格",
        "This resident is registered as a voter of this round; the ID number cannot change until that is settled",
    ),
    (
        "err.import.csv",
        "文件不是有效的 CSV 表格，请检查文件后重新上传。",
        "The file is not a valid CSV table: check it and upload again.",
    ),
    (
        "err.import.done",
        "该批导入已处理，不能重复操作；如需再次导入，请重新上传文件。",
        "This import was already committed or discarded: upload the file again to start over.",
    ),
    (
        "err.import.empty",
        "文件中没有数据行，请填写数据后重新上传。",
        "The file has no data rows: fill them in and upload again.",
    ),
    (
        "err.import.encoding",
        "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV",
        "Unknown text encoding: save as UTF-8 or GBK CSV",
    ),
    (
        "err.import.has_errors",
        "文件中仍有错误行，请修正后重新上传",
        "The file still has rows with errors: fix them and upload again",
    ),
    // Import limits (issue 12: imports cannot exhaust memory).
    (
        "err.import.limit.cells",
        "文件中的单元格过多（上限 4,000,000 个）",
        "Too many cells in the file (4,000,000 at most)",
    ),
    (
        "err.import.limit.columns",
        "列数过多（上限 64 列，即 A 至 BL 列）：请删除多余的列后重新保存",
        "Too many columns (64 at most, A to BL): delete the extra columns and save again",
    ),
    (
        "err.import.limit.range",
        "表格的使用范围超过上限（200,000 行、64 列）：请删除多余的行和列（包括只设了格式的空单元格）后重新保存",
        "The sheet's used range is past the limits (200,000 rows, 64 columns): delete the extra rows and columns, \
         including empty cells that only have formatting, and save again",
    ),
    (
        "err.import.limit.text",
        "文件中的文字过多（上限 64 MB），或有单元格过长",
        "Too much text in the file (64 MB at most), or a cell is too long",
    ),
    (
        "err.import.limit.unpacked",
        "Excel 文件解压后过大（上限 512 MB），文件可能已损坏或是恶意文件",
        "The Excel file unpacks to more than 512 MB: it is damaged or malicious",
    ),
    // End of import limits.
    ("err.import.missing_column", "缺少必填列（姓名、身份证号）", "A required column is missing (name, ID number)"),
    ("err.import.too_big", "文件过大（上限 64 MB）", "File too large (64 MB at most)"),
    ("err.import.too_many", "行数过多（上限 200,000 行）", "Too many rows (200,000 at most)"),
    (
        "err.import.xls",
        "不支持旧版 .xls，请另存为 .xlsx 或 CSV",
        "Old .xls files are not supported: save as .xlsx or CSV",
    ),
    (
        "err.import.xlsx",
        "无法读取该 Excel 文件，请另存为 .xlsx 或 CSV 后重新上传。",
        "This Excel file cannot be read: save it again as .xlsx or CSV and upload it.",
    ),
    ("err.internal", "服务器内部错误，请联系管理员并提供编号", "Server error; tell the administrator this reference"),
    ("err.invalid", "输入有误，请检查后重新提交。", "Invalid input: check it and submit again."),
    ("err.login", "用户名或密码错误", "Wrong username or password"),
    (
        "err.method",
        "选举方式应为：全体选民直接选举、户代表选举或居民代表选举",
        "Method must be direct, household or representatives",
    ),
    (
        "err.method_not_allowed",
        "不支持该请求方式，请使用页面上的按钮操作。",
        "That method is not allowed here: use the buttons on the page.",
    ),
    ("err.months", "月数应为 0–1500 的整数", "Months must be a whole number 0–1500"),
    ("err.name", "姓名不能为空，且不超过 50 字", "Name must be 1–50 characters"),
    (
        "err.not_certified",
        "选举结果尚未确认，确认后才能打印当选证书。",
        "The result is not certified yet: certify it before printing certificates.",
    ),
    ("err.not_counted", "上一轮投票尚未计票，请先计票。", "The last round has not been counted yet: count it first."),
    (
        "err.not_counting",
        "这一步须在结束投票后进行，请先结束投票。",
        "This step comes after the polls close: close the polls first.",
    ),
    (
        "err.not_elected",
        "此人不是本届当选成员，请从当选名单中选择。",
        "That person was not elected this term: choose one of the elected members.",
    ),
    (
        "err.not_found",
        "找不到该页面或记录。请检查地址，或从首页重新进入。",
        "Page or record not found. Check the address, or start again from the home page.",
    ),
    ("err.not_in_group", "该居民不属于这个居民小组", "That resident is not in this residents' group"),
    (
        "err.not_voter",
        "不是本次选举登记的选民，请核对选民名单。",
        "Not a registered voter of this election: check the voter list.",
    ),
    (
        "err.objection_decided",
        "该申诉已处理，无需再次处理。",
        "That objection was already decided: nothing more to do.",
    ),
    ("err.objection_kind", "申诉类型不对，请从列表中选择。", "Unknown kind of objection: choose one from the list."),
    (
        "err.pass_taken",
        "这一遍已由另一位工作人员录入，请录入另一遍。",
        "Another clerk is entering this pass: enter the other pass.",
    ),
    ("err.password.length", "密码长度应为 10–128 个字符", "Passwords are 10–128 characters"),
    ("err.password.old", "原密码不正确", "The current password is wrong"),
    ("err.phone", "电话号码只能包含数字、+、- 和空格", "Phone numbers have digits, +, - and spaces only"),
    ("err.photo", "照片须为 1 MB 以内的 JPEG 或 PNG", "The photo must be a JPEG or PNG of at most 1 MB"),
    (
        "err.polls_not_open",
        "现在不在投票时间（投票尚未开始或已经结束）。请在投票时间内再来，或询问投票站工作人员。",
        "Polls are not open (not yet, or no longer). Come back while polls are open, or ask a clerk at the polling station.",
    ),
    ("err.primary_open", "预选投票尚未结束，请先结束预选投票。", "The primary is still open: close its polls first."),
    (
        "err.proxy_decided",
        "该委托已处理，无需再次处理。",
        "That authorisation was already decided: nothing more to do.",
    ),
    (
        "err.proxy_exists",
        "该选民已有委托；如需更改，请先处理原委托。",
        "This voter already has a proxy authorisation: settle that one first.",
    ),
    (
        "err.rate.codes",
        "投票码输错次数过多，请 {s} 秒后再试，或到投票站找工作人员",
        "Too many wrong voting codes; try again in {s} s, or ask a clerk at the polling station",
    ),
    (
        "err.rate.objections",
        "申诉提交过于频繁，请 {s} 秒后再试",
        "Too many objections filed from here; try again in {s} s",
    ),
    ("err.reason", "理由不能为空，且不超过 2000 字", "Reasons must be 1–2,000 characters"),
    (
        "err.reference",
        "引用的记录不存在，请刷新页面后重新选择。",
        "A referenced record does not exist: reload the page and choose again.",
    ),
    ("err.relation", "亲属关系类型不对，请从列表中选择。", "Unknown relation: choose one from the list."),
    ("err.relative_exists", "该亲属关系已登记", "That relation is already recorded"),
    ("err.relative_self", "不能与本人建立亲属关系", "A resident cannot be their own relative"),
    (
        "err.relative_unknown",
        "本社区没有该居民，请核对后重新选择。",
        "No such resident in this community: check and choose again.",
    ),
    (
        "err.request",
        "提交的内容不完整或格式不对，请返回上一页检查后重新提交。",
        "Something in the request is missing or malformed: go back, check it and submit again.",
    ),
    ("err.rights", "政治权利应为“有”或“被剥夺”", "Political rights must be full or deprived"),
    ("err.role_required", "请至少选择一个角色", "Choose at least one role"),
    ("err.role_scope", "该角色只能授予社区", "That role is granted for a community only"),
    ("err.round", "届次应为年份，例如 2026", "The round is the year, e.g. 2026"),
    ("err.scope", "授权范围不存在，请重新选择。", "The scope does not exist: choose again."),
    ("err.stale", "该记录已被他人修改，请刷新后重新编辑", "Someone else changed this record; reload and edit again"),
    ("err.station", "投票站不对，请从列表中选择。", "Unknown polling station: choose one from the list."),
    ("err.throttled", "登录尝试次数过多，请稍后再试（{s} 秒后）", "Too many sign-in attempts; try again in {s} s"),
    ("err.title", "名称不能为空，且不超过 60 字", "Names must be 1–60 characters"),
    (
        "err.too_big",
        "提交的内容过大，请缩小后重新提交。",
        "The request is too large: make it smaller and submit again.",
    ),
    ("err.username", "用户名为 3–40 位字母、数字或 . _ -", "Usernames are 3–40 letters, digits or . _ -"),
    (
        "err.username_not_committee",
        "该账号不是本社区选举委员会成员",
        "That account is not a committee member of this community",
    ),
    ("err.username_taken", "该用户名已被使用", "That username is taken"),
    ("err.username_unknown", "没有该用户名的工作人员账号", "No staff account with that username"),
    (
        "err.votes",
        "到会人数或赞成票数不对，请核对后重新填写。",
        "Present or yes counts are not possible: check them and fill them in again.",
    ),
    (
        "err.voting_code",
        "投票码不对或已作废。请核对选民证上的投票码；仍不能进入时，请到投票站找工作人员。",
        "The voting code is wrong or no longer valid. Check the code on your voter card; if it still fails, ask a clerk at the polling station.",
    ),
    ("field.action", "操作", "Action"),
    ("field.address", "住址", "Address"),
    ("field.answer", "申辩意见", "Answer"),
    ("field.birth_date", "出生日期", "Date of birth"),
    ("field.booth_id", "写票间", "Booth"),
    ("field.cause", "原因", "Cause"),
    ("field.channel", "投票方式", "Voting channel"),
    ("field.channels", "投票方式", "Voting channels"),
    ("field.code", "编码", "Code"),
    ("field.community_worker", "社区工作者", "Community worker"),
    ("field.cosignature", "见证签名", "Witness signature"),
    ("field.decision", "决定", "Decision"),
    ("field.display_name", "显示姓名", "Display name"),
    ("field.election_day", "选举日", "Election day"),
    ("field.ethnicity", "民族", "Ethnicity"),
    ("field.filed_by", "申诉人", "Filed by"),
    ("field.from", "起始", "From"),
    ("field.gender", "性别", "Gender"),
    ("field.group_number", "居民小组", "Residents' group"),
    ("field.household_head", "户主", "Head of household"),
    ("field.household_number", "户号", "Household no."),
    ("field.hukou_here", "户籍在本社区", "Household registration here"),
    ("field.id_number", "公民身份号码", "ID card number"),
    ("field.index", "序号", "Number"),
    ("field.item", "移交事项", "Handover item"),
    ("field.kind", "类型", "Kind"),
    ("field.member", "成员", "Member"),
    ("field.member_id", "成员", "Member"),
    ("field.method", "选举方式", "Election method"),
    ("field.months_resident", "在本社区居住月数", "Months living here"),
    ("field.name", "姓名", "Name"),
    ("field.nomination", "提名", "Nomination"),
    ("field.nomination_id", "候选人", "Candidate"),
    ("field.nominee_id", "被提名人", "Nominee"),
    ("field.note", "备注", "Note"),
    ("field.number", "编号", "Number"),
    ("field.old_password", "原密码", "Current password"),
    ("field.pass", "录入遍次", "Entry pass"),
    ("field.phone", "联系电话", "Phone"),
    ("field.photo", "照片", "Photo"),
    ("field.political_rights", "政治权利", "Political rights"),
    ("field.position", "职务", "Position"),
    ("field.post", "职位", "Post"),
    ("field.present", "到会人数", "Present"),
    ("field.principal_id", "委托人", "Principal"),
    ("field.proxy_id", "受托人", "Proxy"),
    ("field.proxy_request", "委托申请", "Proxy application"),
    ("field.reason", "理由", "Reason"),
    ("field.reasons", "理由", "Reasons"),
    ("field.relation", "亲属关系", "Relation"),
    ("field.relative_id", "亲属", "Relative"),
    ("field.resident_id", "居民", "Resident"),
    ("field.round", "届次", "Round"),
    ("field.route", "提名方式", "Nomination route"),
    ("field.seats_chair", "主任职数", "Chair seats"),
    ("field.seats_member", "委员职数", "Member seats"),
    ("field.seats_vice_chair", "副主任职数", "Vice-chair seats"),
    ("field.seq", "选票序号", "Ballot number"),
    ("field.spoiled", "作废选票数", "Spoiled ballots"),
    ("field.statement", "候选人介绍", "Candidate statement"),
    ("field.station", "投票站", "Polling station"),
    ("field.stations", "投票站", "Polling stations"),
    ("field.subject", "事项", "Subject"),
    ("field.username", "用户名", "Username"),
    ("field.version", "版本", "Version"),
    ("field.worker_months", "在本社区工作月数", "Months working here"),
    ("field.yes", "赞成票数", "Yes votes"),
    ("filing.link", "选举结果备案报告（PDF）", "Filing report (PDF)"),
    ("filing.title", "年换届选举结果备案报告", "re-election filing report"),
    ("gender.", " ", " "),
    ("gender.female", "女", "Female"),
    ("gender.male", "男", "Male"),
    ("group.name", "小组名称", "Group name"),
    ("group.new", "新建居民小组", "New residents' group"),
    ("group.number", "小组编号", "Group number"),
    ("groups", "居民小组", "Residents' groups"),
    ("handover.archives", "档案资料", "Archives"),
    ("handover.done", "已移交", "Handed over"),
    ("handover.equipment", "办公用具", "Equipment"),
    ("handover.finances", "财务账目", "Financial books"),
    ("handover.premises", "办公场所", "Premises"),
    ("handover.seals", "印章", "Seals"),
    ("handover.title", "工作移交（10 日内）", "Handover (within 10 days)"),
    ("history", "修改记录", "History"),
    ("home.candidates", "候选人名单", "Candidates"),
    ("home.check_receipt", "核对投票回执", "Check a ballot receipt"),
    ("home.count", "公开计票", "Public count"),
    ("home.no_elections", "目前没有已公布的选举。", "No election has been published yet."),
    ("home.notices", "选举公告", "Election notices"),
    (
        "home.observe_help",
        "任何人都可以核对选民名单、投票记录和计票结果有没有被改动。",
        "Anyone can check that the voter list, the ballots and the count have not been altered.",
    ),
    ("home.observe_link", "进入公开核验", "Open the observer portal"),
    ("home.results", "选举结果", "Results"),
    ("home.staff_login", "工作人员登录", "Staff sign-in"),
    ("home.staff_workspace", "进入工作台", "Staff workspace"),
    (
        "home.stage.candidates_published",
        "候选人名单已公布，等待投票",
        "The candidate list is published; voting comes next",
    ),
    ("home.stage.certified", "选举结果已确认", "The result is certified"),
    ("home.stage.counting", "投票结束，正在计票", "Voting has closed; the votes are being counted"),
    ("home.stage.draft", "正在筹备", "Being prepared"),
    ("home.stage.handed_over", "新一届居委会已完成工作移交", "The new committee has taken over"),
    (
        "home.stage.list_published",
        "选民名单已公布，请查看，有异议可以提出",
        "The voter list is published: check it, and object if something is wrong",
    ),
    ("home.stage.nominations", "正在提名候选人", "Candidates are being nominated"),
    ("home.stage.polling", "正在投票", "Voting is open"),
    ("home.stage.registration", "正在登记选民", "Voters are being registered"),
    ("home.stage.runoff", "另行选举未选满的职位", "Run-off vote for the seats not yet filled"),
    ("home.stage.void", "选举无效，将依法重新选举", "The election is void; it will be held again"),
    ("home.title", "社区居委会换届选举", "Residents' committee elections"),
    ("home.vote", "我要投票", "Vote now"),
    ("home.vote_help", "用选民证上的投票码投票。", "Vote with the code on your voter card."),
    ("home.voter_list", "选民名单", "Voter list"),
    ("household.new", "登记新户", "New household"),
    ("households", "住户", "Households"),
    ("import.committed", "已导入", "Imported"),
    ("import.committing", "正在写入……", "Writing…"),
    ("import.errors", "有错误的行", "Rows with errors"),
    (
        "import.help",
        "支持 CSV（UTF-8 或 GBK 编码）和 Excel .xlsx。第一行为表头，必须包含“姓名”和“身份证号”列。上传后先预览，确认后才写入。",
        "CSV (UTF-8 or GBK) and Excel .xlsx. The first row is the header and must have name and ID number columns. You see a preview first; nothing is written until you confirm.",
    ),
    ("import.preview", "导入预览", "Import preview"),
    ("import.rows", "数据行", "Data rows"),
    ("import.title", "导入居民名册", "Import residents"),
    ("lang.switch", "English", "中文"),
    (
        "law.answer_not_published",
        "被罢免人的申辩意见尚未公布，请先公布申辩意见，再开始投票。",
        "The member's answer to the recall is not published yet: publish it before opening the vote.",
    ),
    ("law.basis", "（依据 {rule}）", " (rule: {rule})"),
    (
        "law.channel_not_in_nomination",
        "提名（含预选）中不设委托投票和流动票箱",
        "No proxies and no mobile boxes in nomination (or its primary)",
    ),
    (
        "law.deadline_candidate_list_published",
        "已来不及在法定期限前公布正式候选人名单，请调整选举日后重新安排。",
        "Too late to publish the candidate list on time: move election day and re-plan.",
    ),
    (
        "law.deadline_voter_list_published",
        "来不及在选举日 20 日前公布选民名单，请调整选举日后重新安排。",
        "The voter list can no longer be published 20 days before election day: move election day and re-plan.",
    ),
    ("law.deprived_of_political_rights", "被剥夺政治权利", "Deprived of political rights"),
    (
        "law.double_entry_mismatch",
        "两遍录入不一致（第一遍 / 第二遍：{detail} 张），请对照纸质选票更正后再接收票箱。",
        "The two entries differ (pass 1 / pass 2: {detail} ballots): correct them against the paper ballots, then accept the box.",
    ),
    (
        "law.empty_voter_list",
        "选民名单为空，不能公布。请先登记选民。",
        "The voter list is empty: register voters before publishing it.",
    ),
    (
        "law.illegal_transition",
        "选举程序不能跳过或倒退，请按选举页面上的“下一步”操作。",
        "The election cannot skip or go back a stage: follow the next step shown on the election page.",
    ),
    ("law.incapacity_confirmed", "经确认无法行使选举权", "Confirmed unable to exercise the right"),
    (
        "law.list_locked",
        "选民名单已公布，只能通过申诉处理更改，请提交或处理申诉。",
        "The published list changes only through objection decisions: file or decide an objection.",
    ),
    (
        "law.list_not_published",
        "选民名单尚未公布，请先公布选民名单。",
        "The voter list is not published yet: publish it first.",
    ),
    (
        "law.margin_too_few",
        "候选人数须多于应选人数（差额选举），请为该职位增加候选人。",
        "There must be more candidates than seats (a competitive election): add candidates for this post.",
    ),
    (
        "law.mobile_box_supervisors",
        "流动票箱须有至少 3 名监督员，请在选举工作方案中填写监督员姓名。",
        "A mobile ballot box needs at least 3 supervisors: name them in the election plan.",
    ),
    (
        "law.no_committee",
        "尚未登记选举委员会成员，请先在选举页面登记。",
        "No election committee members are recorded: record them on the election page first.",
    ),
    (
        "law.no_runoff_needed",
        "没有需要另行选举或重新投票的职位，可以直接确认选举结果。",
        "No post needs a run-off or re-vote: certify the result instead.",
    ),
    ("law.no_vacancy", "该职位目前没有空缺，无需补选。", "There is no vacant seat to fill: no by-election is needed."),
    (
        "law.no_written_reasons",
        "罢免要求须写明理由，请补充书面理由后重新提交。",
        "A recall demand needs written reasons: add them and submit again.",
    ),
    (
        "law.no_written_record",
        "候选人退出须有书面记录，请先登记书面退出材料。",
        "A withdrawal needs a written record: record it first.",
    ),
    (
        "law.nominations_closed",
        "当前不在提名阶段，请在提名开始后再提交。",
        "Nominations are not open: file nominations once they open.",
    ),
    (
        "law.nominator_not_voter",
        "提名人须为本次选举的选民，请核对选民名单。",
        "Every nominator must be a voter of this election: check the voter list.",
    ),
    (
        "law.nominee_not_voter",
        "被提名人须为本次选举的选民，请核对选民名单。",
        "The nominee must be a voter of this election: check the voter list.",
    ),
    (
        "law.not_accepted_in_writing",
        "被提名人尚未书面同意，请先登记其书面同意。",
        "The nominee has not accepted in writing: record their written consent first.",
    ),
    ("law.not_applied", "未申请登记", "Has not applied to be registered"),
    ("law.not_approved", "登记申请未获批准", "The application was not approved"),
    (
        "law.not_election_day",
        "只能在选举日开始投票，请在选举日再开始投票。",
        "Polls open on election day only: open them on that day.",
    ),
    ("law.not_household_representative", "本户已有户代表参加选举", "Another member represents this household"),
    (
        "law.not_in_office",
        "该成员已不在任，请选择一位现任成员。",
        "That member is no longer in office: choose a serving member.",
    ),
    ("law.not_opted_in", "未申请参加选举", "Has not asked to take part"),
    ("law.not_representative", "不是居民小组推选的居民代表", "Not a representative elected by a residents' group"),
    (
        "law.not_representatives_method",
        "本次选举不是居民代表选举",
        "This election is not by the representatives method",
    ),
    (
        "law.not_reviewed",
        "尚未进行资格审查，请先完成资格审查。",
        "The qualification review is missing: review the nominee first.",
    ),
    (
        "law.objection_window_closed",
        "申诉期限已过，不能再提交申诉。如有疑问，请直接联系社区选举委员会。",
        "The objection period is over: contact the community's election committee directly.",
    ),
    (
        "law.paper_boxes_pending",
        "以下投票站的纸质选票还没有录入并接收：{detail}。请先完成两遍录入并接收票箱，再计票。",
        "Paper ballots of these stations are not entered and accepted yet: {detail}. Finish both entry passes and accept each box, then count.",
    ),
    (
        "law.plan_frozen",
        "选民名单公布后，选举工作方案不得更改，本次选举只能按原方案进行。",
        "The plan is frozen once the voter list is published: this election goes ahead as planned.",
    ),
    (
        "law.primary_held",
        "预选已经开始，提名、书面同意和资格审查不能再变更",
        "The primary has begun: nominations, consent and review are fixed",
    ),
    ("law.primary_not_allowed", "本省规则不采用预选", "This province's rules do not use a primary"),
    (
        "law.primary_not_needed",
        "各职位被提名人都未超过正式候选人名额，无需预选",
        "No post has more nominees than places: no primary is needed",
    ),
    (
        "law.primary_required",
        "被提名人多于正式候选人名额，须先进行预选",
        "More nominees than places on the list: hold the primary first",
    ),
    (
        "law.primary_rounds_exhausted",
        "预选轮次过多，请联系街道办事处商定处理办法。",
        "Too many primary rounds: ask the street office how to proceed.",
    ),
    (
        "law.primary_tie",
        "预选最后一个名额票数相等，须就票数相等的人再次投票",
        "The primary's last place is tied: hold a re-vote among the tied",
    ),
    (
        "law.profile_invalid",
        "规则配置不合法，请检查规则配置后重新提交。",
        "The rule profile is not valid: check it and submit again.",
    ),
    (
        "law.proxy_after_cutoff",
        "已过委托投票申请截止日，不能再登记委托；该选民可以到投票站投票。",
        "After the proxy application cut-off: the voter can still vote at a polling station.",
    ),
    (
        "law.proxy_candidate_as_proxy",
        "候选人只能接受其近亲属的委托，请另选受托人。",
        "A candidate may only be proxy for a near relative: choose another proxy.",
    ),
    (
        "law.proxy_not_approved",
        "委托须经选举委员会同意，请先批准该委托。",
        "The committee must approve the proxy: approve it first.",
    ),
    (
        "law.proxy_not_written",
        "委托须有书面委托书，请收取书面委托书后再登记。",
        "A proxy needs a written authorisation: collect it, then record the proxy.",
    ),
    (
        "law.proxy_principal_not_voter_here",
        "委托人不是本次选举的选民，请核对选民名单。",
        "The principal is not a voter of this election: check the voter list.",
    ),
    (
        "law.proxy_proxy_not_voter_here",
        "受托人须为本社区选民，请另选受托人。",
        "The proxy must be a voter of this community: choose another proxy.",
    ),
    (
        "law.proxy_self_proxy",
        "不能委托本人，请另选受托人。",
        "A voter cannot be their own proxy: choose another proxy.",
    ),
    (
        "law.proxy_too_many_proxies",
        "受托人接受委托已达上限，请另选受托人。",
        "The proxy already holds the maximum number of authorisations: choose another proxy.",
    ),
    (
        "law.refused",
        "选举规则不允许这一步，请检查选举阶段和期限后再试。",
        "The election rules do not allow this step now: check the stage and the deadlines, then try again.",
    ),
    (
        "law.registered_elsewhere",
        "已在其他社区登记为选民（只能在一地登记）",
        "Already registered in another community (one place only)",
    ),
    (
        "law.remote_not_allowed",
        "远程投票须有记录在案的法律依据，请在方案中填写依据，或不启用远程投票。",
        "Remote voting needs a recorded legal basis: enter it in the plan, or do not enable remote voting.",
    ),
    (
        "law.representatives_per_group",
        "每个居民小组推选 2 至 3 名居民代表",
        "Each residents' group elects 2–3 representatives",
    ),
    ("law.residence_too_short", "在本社区居住时间不足", "Has not lived here long enough"),
    (
        "law.runoff_pending",
        "还有职位需要另行选举或重新投票，请先进行下一轮投票，再确认结果。",
        "A run-off or re-vote is still to be held: hold the next round, then certify.",
    ),
    (
        "law.runoff_window_passed",
        "另行选举的期限已过，空缺职位须通过补选产生。",
        "The run-off deadline has passed: fill the seats by a by-election.",
    ),
    (
        "law.same_clerk_both_passes",
        "两遍录入须由两位不同的工作人员完成，请另一位工作人员录入第二遍。",
        "The two entries must be made by two different clerks: ask another clerk to make the second entry.",
    ),
    (
        "law.seats_odd",
        "本省规定委员会职数应为单数，请修改职数。",
        "This province requires an odd committee size: change the number of seats.",
    ),
    (
        "law.seats_posts",
        "应设主任 1 名、副主任和委员若干名，请修改职数。",
        "One chair, at least one vice-chair and members are required: change the number of seats.",
    ),
    (
        "law.seats_size",
        "委员会职数超出规定范围，请修改职数。",
        "The committee size is outside the profile's range: change the number of seats.",
    ),
    (
        "law.self_nomination_not_allowed",
        "本省不允许自荐，请改用联名提名。",
        "Self-nomination is not allowed here: use a joint nomination.",
    ),
    (
        "law.signer_not_voter",
        "联名人中有人不是本届选民，请核对联名名单后重新提交。",
        "A signer is not a voter of this term: check the signers and submit again.",
    ),
    (
        "law.too_few_nominators",
        "联名提名人数不足，请补足联名人后重新提名。",
        "Too few joint nominators: add nominators and nominate again.",
    ),
    (
        "law.too_few_signatures",
        "联名人数不足法定比例，请征集足够的联名后再提交。",
        "Too few signatures for a recall: collect enough and submit again.",
    ),
    (
        "law.too_many_names",
        "提名人数超过应选名额，请减少被提名人。",
        "A nominator named more people than the seats allow: name fewer people.",
    ),
    ("law.underage", "选举日未满 18 周岁", "Under 18 on election day"),
    (
        "law.unknown_candidate",
        "不是正式候选人，请从候选人名单中选择。",
        "Not a formal candidate: choose from the candidate list.",
    ),
    ("law.work_too_short", "在本社区工作时间不足", "Has not worked here long enough"),
    ("login.password", "密码", "Password"),
    ("login.title", "工作人员登录", "Staff sign-in"),
    ("login.username", "用户名", "Username"),
    ("method.direct", "全体选民直接选举", "Direct (all voters)"),
    ("method.household", "户代表选举", "Household representatives"),
    ("method.representatives", "居民代表选举", "Residents' representatives"),
    ("nav.communities", "社区", "Communities"),
    ("nav.elections", "换届选举", "Elections"),
    ("nav.home", "首页", "Home"),
    ("nav.observe", "公开核验", "Observe"),
    ("nav.users", "工作人员", "Staff"),
    ("no", "否", "No"),
    ("nomination.consent", "记录书面同意", "Record written consent"),
    ("nomination.consented", "已书面同意", "Accepted in writing"),
    ("nomination.nominators", "提名人（居民编号，逗号分隔）", "Nominators (resident nos., comma-separated)"),
    ("nomination.nominee", "被提名人（居民编号）", "Nominee (resident no.)"),
    ("nomination.post", "职务", "Post"),
    ("nomination.qualify", "资格审查通过", "Mark qualified"),
    ("nomination.review.disqualified", "资格审查未通过", "Disqualified"),
    ("nomination.review.pending", "待资格审查", "Review pending"),
    ("nomination.review.qualified", "资格审查通过", "Qualified"),
    ("nomination.route", "提名方式", "Route"),
    ("nomination.route.joint_households", "户代表联名", "Joint, by household representatives"),
    ("nomination.route.joint_voters", "选民联名", "Joint, by voters"),
    ("nomination.route.self", "自荐", "Self-nomination"),
    ("nomination.status.candidate", "正式候选人", "Formal candidate"),
    ("nomination.status.nominated", "被提名", "Nominated"),
    ("nomination.status.reserve", "递补人选", "Reserve"),
    ("nomination.status.withdrawn", "已退出", "Withdrawn"),
    ("nomination.support", "提名人数", "Nominators"),
    ("nomination.withdraw", "退出（有书面记录）", "Withdraw (written record)"),
    ("notice.committee", "居民选举委员会", "Residents' election committee"),
    (
        "notice.fingerprint_help",
        "名单指纹：按“序号⇥姓名⇥小组⇥户号”逐行计算的 SHA-256，任何人可据公告栏名单复核。",
        "Fingerprint: SHA-256 over the lines “no.⇥name⇥group⇥household”, recomputable from the notice-board list.",
    ),
    ("notice.number", "序号", "No."),
    ("notice.published_on", "公布日期", "Published on"),
    ("notice.total", "选民总数", "Total voters"),
    ("notice.voter_list", "选民名单公告", "Voter list notice"),
    (
        "notice.voter_list_intro",
        "根据《中华人民共和国城市居民委员会组织法》，现将本届居民委员会选举的选民名单予以公布。对名单有不同意见的，请在规定期限内向居民选举委员会提出。",
        "Under the Organic Law of Urban Residents' Committees, the voter list of this election is published. Objections go to the residents' election committee within the set period.",
    ),
    ("objection.decide", "处理结果", "Decision"),
    ("objection.decision", "决定理由", "Reasons"),
    ("objection.file", "对选民名单提出申诉", "Object to the voter list"),
    ("objection.filed_by", "申诉人姓名", "Your name"),
    (
        "objection.help",
        "对选民名单有不同意见的，可在公布之日起规定期限内提出申诉，选举委员会依法作出决定并公布。",
        "Anyone may object within the period after publication; the election committee decides and publishes every decision.",
    ),
    ("objection.kind", "申诉事项", "What is wrong"),
    ("objection.omitted", "应登记而未登记", "Omitted from the list"),
    ("objection.person_id", "涉及人员身份证号", "ID number of the person concerned"),
    ("objection.person_name", "涉及人员姓名", "Name of the person concerned"),
    ("objection.reason", "理由", "Reasons"),
    ("objection.status.applied", "待审核", "Pending"),
    ("objection.status.approved", "已同意", "Approved"),
    ("objection.status.open", "待处理", "Open"),
    ("objection.status.rejected", "申诉不成立", "Rejected"),
    ("objection.status.upheld", "申诉成立", "Upheld"),
    ("objection.submit", "提交申诉", "Submit the objection"),
    ("objection.wrong_details", "登记信息有误", "Wrong details"),
    ("objection.wrongly_included", "不应登记而登记", "Wrongly on the list"),
    ("observe.actor", "操作人", "Actor"),
    ("observe.checkpoint_txt", "最新检查点（文本）", "Latest checkpoint (text)"),
    ("observe.checkpoints", "已签名的检查点", "Signed checkpoints"),
    ("observe.count_link", "票箱与公开计票", "Ballot box and public count"),
    ("observe.downloads", "下载", "Downloads"),
    ("observe.empty", "日志还没有记录。", "The log has no entries yet."),
    ("observe.how", "如何自行核验", "How to verify it yourself"),
    (
        "observe.how1",
        "从独立渠道获取并核对日志公钥：",
        "Get the log key from an independent source and compare it with",
    ),
    (
        "observe.how2",
        "下载完整记录（街道工作人员与观察员）：",
        "Download the whole record (street office staff and observers):",
    ),
    ("observe.how3", "用任何人都能运行的命令核验：", "Check it with a command anyone can run:"),
    ("observe.index", "全部已公布的选举", "Every published election"),
    (
        "observe.index_help",
        "每次选举的公开页面、日志、计票、结果、下载和核验命令。",
        "For each election: its public page, log, count, results, downloads and the command to verify it.",
    ),
    (
        "observe.intro",
        "审计日志按 RFC 6962 组织为默克尔树，每个检查点都有部署密钥的签名，并可由独立见证方联署。任何篡改、删除、插入或调序都会被发现。",
        "The audit log is an RFC 6962 Merkle tree; every checkpoint is signed with the deployment's key and can be cosigned by independent witnesses. Any change, deletion, insertion or reordering is detected.",
    ),
    ("observe.key", "日志公钥", "Log key"),
    ("observe.latest", "最新检查点", "Latest checkpoint"),
    ("observe.log_link", "日志与检查点", "Log and checkpoints"),
    ("observe.newer", "较新", "Newer"),
    ("observe.older", "较早", "Older"),
    ("observe.origin", "日志", "Log"),
    ("observe.participation", "参加投票名单（签名册）", "Participation roll"),
    (
        "observe.participation_help",
        "只记录谁已领取选票及领取方式，不记录投给了谁。",
        "Who received a ballot and how — never what they voted.",
    ),
    ("observe.public_page", "公开页面（选民名单、候选人、异议）", "Public page (voter list, candidates, objections)"),
    (
        "observe.receipt_help",
        "投票后拿到回执的选民，可在这里核对回执已记入审计日志。",
        "Voters who got a receipt can check here that it is in the audit log.",
    ),
    (
        "observe.record_json",
        "选举记录（JSON，含日志、票箱和结果）",
        "Election record (JSON: log, ballot boxes, results)",
    ),
    ("observe.results_pdf", "选举结果公告（PDF）", "Results notice (PDF)"),
    ("observe.signed_at", "签名时间（北京时间）", "Signed at (Beijing time)"),
    ("observe.size", "记录数", "Entries"),
    ("observe.target", "对象", "Target"),
    ("observe.this_election", "这次选举", "This election"),
    ("observe.timeline", "事件时间线", "Timeline of events"),
    ("observe.title", "公开核验", "Observer portal"),
    (
        "observe.verify_cmd",
        "核验命令（复制后在自己的电脑上运行）",
        "Verify command (copy it and run it on your own computer)",
    ),
    (
        "observe.verify_help",
        "核验命令已固定本部署的日志公钥和见证方公钥；要求最新检查点至少有 N 个见证方联署时，加上 --min-cosignatures N。",
        "The verify command pins this deployment's log key and the witness keys; add --min-cosignatures N to require N witness cosignatures on the latest checkpoint.",
    ),
    ("observe.voters_pdf", "选民名单公告（PDF）", "Voter list notice (PDF)"),
    ("observe.what", "事件", "Event"),
    ("observe.when", "时间（北京时间）", "When (Beijing time)"),
    ("observe.witnesses", "见证方联署", "Witnessed by"),
    ("paper.accept", "核对一致，入箱", "Entries agree: accept the box"),
    ("paper.accepted", "两遍录入一致，已入箱。", "Both entries agreed; the box is accepted."),
    ("paper.blank", "空白票", "Blank ballot"),
    (
        "paper.blocked.taken",
        "这一遍已由另一位工作人员录入，请录入另一遍或请其继续。",
        "Another clerk is entering this pass: enter the other pass, or let them go on.",
    ),
    (
        "paper.blocked.yours_first",
        "第一遍是您录入的。第二遍须由另一位工作人员录入：两人各录一遍，才能发现看错的选票。",
        "You entered the first pass. Another clerk must enter the second: only two people, one pass each, catch a misread ballot.",
    ),
    (
        "paper.blocked.yours_second",
        "第二遍是您录入的。第一遍须由另一位工作人员录入：两人各录一遍，才能发现看错的选票。",
        "You entered the second pass. Another clerk must enter the first: only two people, one pass each, catch a misread ballot.",
    ),
    ("paper.colon", "：", ": "),
    ("paper.compare", "两遍录入对照", "Both entries side by side"),
    ("paper.correct_pass1", "查看或更正我录入的第一遍", "See or correct my first pass"),
    ("paper.correct_pass2", "查看或更正我录入的第二遍", "See or correct my second pass"),
    ("paper.differs_mark", "（与另一遍不一致）", "(differs from the other pass)"),
    ("paper.enter", "录入一张选票", "Enter a ballot"),
    ("paper.invalid", "整张选票无效（如撕毁、无法辨认）", "The whole ballot is invalid (torn, illegible)"),
    ("paper.issued", "本站发放纸质选票：", "Paper ballots issued here:"),
    ("paper.marks", "无法辨认与无效", "Unreadable and invalid"),
    ("paper.mismatch", "两遍录入不一致的选票：", "Ballots where the entries differ:"),
    ("paper.not_yet", "尚未录入", "Not entered yet"),
    ("paper.pass1", "第一遍录入", "First entry"),
    ("paper.pass2", "第二遍录入", "Second entry"),
    ("paper.pending", "只录入了一遍、等待另一遍的选票张数：", "Ballots with one pass so far, waiting for the other:"),
    ("paper.save", "保存这张选票", "Save this ballot"),
    ("paper.saved", "已保存第", "Saved ballot"),
    ("paper.sep", "、", ", "),
    ("paper.seq", "更正第几张（留空则录入下一张）", "Correct ballot no. (empty: the next one)"),
    ("paper.seq_help", "例如 3", "e.g. 3"),
    ("paper.spoiled", "作废（换领）的选票张数", "Spoiled (exchanged) ballots"),
    ("paper.state.agree", "一致", "Agree"),
    ("paper.state.differ", "不一致", "Differ"),
    ("paper.state.waiting", "待录另一遍", "Other pass to come"),
    ("paper.title", "纸质选票录入", "Paper ballot entry"),
    ("paper.unreadable", "无法辨认的标记数", "unreadable marks"),
    ("paper.unreadable_n", "无法辨认 {n} 处", "{n} unreadable"),
    ("paper.whole_invalid", "整张无效", "Whole ballot invalid"),
    ("password.new", "新密码（至少 10 位）", "New password (10+ characters)"),
    ("password.old", "原密码", "Current password"),
    ("plan.channels", "投票方式", "Voting channels"),
    ("plan.election_day", "选举日", "Election day"),
    ("plan.method", "选举方式", "Method"),
    ("plan.profile", "规则", "Rule profile"),
    (
        "plan.remote_legal_basis",
        "远程投票的法律依据（启用远程投票时必填）",
        "Legal basis for remote voting (required to enable it)",
    ),
    ("plan.seats", "职数（主任/副主任/委员）", "Seats (chair/vice/members)"),
    ("plan.seats_chair", "主任", "Chair"),
    ("plan.seats_member", "委员", "Members"),
    ("plan.seats_vice_chair", "副主任", "Vice-chairs"),
    (
        "plan.stations",
        "投票站（每行一个；流动票箱写：名称 | 流动 | 监督员、监督员、监督员）",
        "Polling stations (one per line; mobile box: name | mobile | supervisor, supervisor, supervisor)",
    ),
    ("polling.back", "返回选举页面", "Back to the election"),
    ("polling.back_polling", "返回投票页面", "Back to polling"),
    ("polling.ballot_pdf", "打印选票（PDF）", "Print the ballot (PDF)"),
    ("polling.booth_example", "1号写票间", "Booth 1"),
    (
        "polling.booth_help",
        "在写票间的平板上登录后点此按钮；之后平板只显示选票，每次签到开启一张。",
        "Sign in on the booth's tablet and press this button; the tablet then shows only the ballot, one per check-in.",
    ),
    ("polling.booth_locked", "已锁定", "locked"),
    ("polling.booth_name", "写票间名称", "Booth name"),
    ("polling.booth_open", "已开启一张选票", "unlocked for one ballot"),
    ("polling.booth_setup", "把本设备设为写票间", "Set up this device as a booth"),
    ("polling.booths", "写票间平板", "Booth tablets"),
    ("polling.channel", "方式", "Channel"),
    ("polling.checkin", "选民签到、发放选票", "Check in a voter and issue a ballot"),
    ("polling.close", "结束投票并封存票箱", "Close the polls and seal the box"),
    ("polling.done.closed", "投票已结束，票箱已封存。", "The polls are closed and the box is sealed."),
    ("polling.done.issued", "已签到并发放选票。", "Checked in; ballot issued."),
    ("polling.done.next_round", "下一轮投票已开始。", "The next round is open for voting."),
    ("polling.done.opened", "投票已开始。", "The polls are open."),
    (
        "polling.done.primary_closed",
        "预选投票已结束，票箱已封存；录入纸质票后计票。",
        "The primary is closed and its box sealed; enter the paper ballots, then count.",
    ),
    ("polling.done.primary_opened", "预选投票已开始。", "The primary is open."),
    ("polling.done.statement", "已保存。", "Saved."),
    ("polling.find", "姓名、身份证号后四位或签到号", "Name, last 4 ID digits or check-in number"),
    (
        "polling.find_help",
        "可输入姓名中的几个字、身份证号后四位，或选民证上的签到号。不能用投票码查找：投票码只有选民本人知道。",
        "Type part of the name, the last four digits of the ID number, or the check-in number on the card. The voting code cannot be searched: only the voter knows it.",
    ),
    ("polling.group", "居民小组", "Group"),
    ("polling.how", "发放方式", "How"),
    ("polling.in_person", "本人领取", "In person"),
    ("polling.issue", "签到并发放", "Check in and issue"),
    ("polling.issued", "已发放", "Issued"),
    ("polling.issued_total", "已发放选票：", "Ballots issued:"),
    ("polling.lifecycle", "投票的开始与结束", "Opening and closing the polls"),
    (
        "polling.more_found",
        "符合条件的选民较多，只显示前 20 位，请输入更多内容。",
        "Many voters match; only the first 20 are shown. Type more.",
    ),
    (
        "polling.no_content",
        "投票结束前只显示人数，不显示任何选票内容。",
        "Until the polls close only counts are shown, never ballot content.",
    ),
    ("polling.no_station", "不在投票站（本人手机投票）", "Not at a station (on their own phone)"),
    ("polling.none_found", "没有找到这位选民。", "No such voter."),
    ("polling.open", "开始投票（选举日）", "Open the polls (election day)"),
    ("polling.photo", "照片（JPEG 或 PNG，1 MB 以内）", "Photo (JPEG or PNG, up to 1 MB)"),
    ("polling.proxy", "委托投票（由受托人领取）", "Proxy (the proxy receives it)"),
    ("polling.round", "第几轮：", "Round"),
    ("polling.statements", "候选人履职设想", "Candidate statements"),
    ("polling.station", "投票站", "Station"),
    ("polling.title", "投票", "Polling"),
    ("polling.turnout", "投票进度", "Turnout"),
    ("post.chair", "主任", "Chair"),
    ("post.member", "委员", "Member"),
    ("post.vice_chair", "副主任", "Vice-chair"),
    ("primary.ballot", "预选选票", "Primary ballot"),
    ("primary.ballots", "投票数", "Ballots"),
    ("primary.below", "未列入（依次递补）", "Not on the list (moves up in turn)"),
    ("primary.close", "结束预选投票", "Close the primary"),
    ("primary.count", "预选公开计票", "Count the primary"),
    (
        "primary.help",
        "某一职位经资格审查的被提名人多于正式候选人名额时，由选民预选，得票多的列为正式候选人；最后一个名额票数相等时，就票数相等的人再次投票。预选中不设委托投票和流动票箱。",
        "When a post has more qualified nominees than places on the formal list, the voters hold a primary and those with the most votes go on the list; a tie for the last place goes to a re-vote among the tied. No proxies and no mobile boxes in a primary.",
    ),
    (
        "primary.instructions",
        "这是预选选票：每个职位选择的人数不得超过列为正式候选人的名额，得票多的被提名人列为正式候选人；也可以弃权（不选）。预选选票不设另选他人。提交前会让您核对一遍。",
        "This is the primary's ballot: on each post choose no more nominees than there are places on the formal candidate list; those with the most votes go on it. You may also choose nobody. There is no write-in line. You will check your choices before the ballot is cast.",
    ),
    ("primary.manage", "组织预选（签到、投票间、纸质票录入）", "Run the primary (check-in, booths, paper entry)"),
    ("primary.on_list", "列为正式候选人", "On the list"),
    ("primary.open", "开始预选投票", "Open the primary"),
    ("primary.places", "名额", "Places"),
    ("primary.revote", "就票数相等的被提名人再次预选", "Re-vote among the tied nominees"),
    ("primary.round", "预选轮次", "Primary round"),
    ("primary.seats_pre", "列为正式候选人 ", "Places on the list: "),
    ("primary.tied", "票数相等，须再次投票", "Tied: re-vote"),
    ("primary.title", "预选", "Nomination primary"),
    ("primary.void_marks", "该职位无效票", "Void on this post"),
    ("primary.votes", "得票", "Votes"),
    ("proxy.add", "登记书面委托", "Record the written authorisation"),
    ("proxy.principal", "委托人（居民编号）", "Principal (resident no.)"),
    ("proxy.proxy", "受托人（居民编号）", "Proxy (resident no.)"),
    ("proxy.reason", "委托原因", "Reason"),
    (
        "qr.card_alt",
        "二维码：用手机扫码打开投票页面，投票码会自动填好",
        "QR code: scan it with a phone to open the vote page with the code filled in",
    ),
    (
        "qr.checkpoint_alt",
        "二维码：最新检查点，与旁边的文字相同",
        "QR code: the latest checkpoint, the same as the text beside it",
    ),
    (
        "qr.totp_alt",
        "二维码：两步验证密钥；也可以手动输入下方的密钥",
        "QR code: the two-step verification key; you can type the key shown below instead",
    ),
    ("recall.answer", "被罢免人的申辩意见", "The member's answer"),
    ("recall.day", "投票日期", "Day of the vote"),
    ("recall.member", "成员", "Member"),
    ("recall.open", "登记罢免要求", "Record the recall petition"),
    ("recall.petition", "登记罢免联名", "Record a recall petition"),
    ("recall.publish_answer", "公布申辩意见", "Publish the answer"),
    ("recall.reasons", "罢免理由（书面）", "Reasons (in writing)"),
    ("recall.section", "罢免与补选", "Recall and by-election"),
    (
        "recall.signers",
        "联名选民（居民编号，以逗号或空格分隔）",
        "Signers (resident numbers, separated by commas or spaces)",
    ),
    ("recall.title", "罢免", "Recall"),
    ("recall.verify", "核实联名并公布选民名单", "Verify the petition and publish the roll"),
    ("relation.child", "子女", "Child"),
    ("relation.grandchild", "孙子女、外孙子女", "Grandchild"),
    ("relation.grandparent", "祖父母、外祖父母", "Grandparent"),
    ("relation.in_law", "姻亲", "In-law"),
    ("relation.parent", "父母", "Parent"),
    ("relation.sibling", "兄弟姐妹", "Sibling"),
    ("relation.spouse", "配偶", "Spouse"),
    ("relatives", "近亲属", "Near relatives"),
    ("relatives.add", "登记近亲属（对方居民编号）", "Record a near relative (their resident no.)"),
    ("resident.edit", "修改", "Edit"),
    ("resident.new", "登记居民", "Register a resident"),
    ("residents", "居民", "Residents"),
    ("residents.export", "导出 CSV", "Export CSV"),
    ("residents.search", "按姓名、身份证号或户号搜索", "Search by name, ID number or household no."),
    ("results.blank", "空白票", "Blank"),
    ("results.cast", "参加投票", "Cast"),
    ("results.certify", "确认并公布选举结果", "Certify and announce the result"),
    ("results.checks", "组成情况核对", "Composition checks"),
    ("results.count", "计票（依法确认结果）", "Count (the law engine decides)"),
    ("results.elected", "当选人员", "Elected"),
    ("results.electorate", "选民", "Electorate"),
    ("results.figures", "投票统计", "Figures"),
    ("results.invalid", "无效票", "Invalid"),
    ("results.next_round", "组织另行选举 / 重新投票", "Hold the run-off / re-vote"),
    ("results.none_elected", "本次计票无人当选。", "Nobody was elected in this count."),
    ("results.none_yet", "尚未计票。", "Not counted yet."),
    ("results.ok", "有效", "valid"),
    ("results.page", "计票与选举结果", "Count and results"),
    ("results.pdf", "选举结果公告（PDF）", "Results notice (PDF)"),
    ("results.pending", "尚需另行选举或重新投票的职务数：", "Posts still needing a run-off or re-vote:"),
    ("results.round", "轮次", "Round"),
    (
        "results.text",
        "依照《中华人民共和国城市居民委员会组织法》和本选举办法，{community}于{day}进行居民委员会换届选举，公开唱票、计票，经居民选举委员会确认，下列人员当选。",
        "Under the Organic Law of Urban Residents' Committees and these election rules, {community} held its re-election on {day}, with public calling and counting of the ballots; the residents' election committee confirms that the following were elected.",
    ),
    ("results.title", "年居民委员会换届选举结果公告", "re-election results notice"),
    ("results.vacancies", "空缺名额（须在规定期限内补选）：", "Vacant seats (by-election within the deadline):"),
    ("results.valid", "有效票", "Valid"),
    (
        "results.verify",
        "任何人都可下载选举档案，用 huanjie verify 核对审计日志，并用 huanjie count 重新计票。",
        "Anyone can download the record, check the audit log with huanjie verify and recount with huanjie count.",
    ),
    ("results.void", "无效", "void"),
    (
        "results.void_text",
        "本次选举无效，须在 30 日内重新组织选举，新的选举日将另行公告。",
        "This election is void: it must be held again within 30 days, and the new election day will be announced.",
    ),
    ("results.votes", "得票", "Votes"),
    ("rights.deprived", "被剥夺", "Deprived"),
    ("rights.full", "有", "Full"),
    ("role.clerk", "投票站工作人员", "Polling clerk"),
    ("role.committee", "居民选举委员会成员", "Election committee member"),
    ("role.observer", "观察员（只读）", "Observer (read-only)"),
    ("role.street_admin", "街道管理员", "Street office administrator"),
    ("round.first", "第一轮", "First round"),
    ("round.primary", "预选", "Primary"),
    ("round.revote", "重新投票", "Re-vote"),
    ("round.runoff", "另行选举", "Run-off"),
    ("saved", "已保存", "Saved"),
    ("scope", "范围", "Scope"),
    ("scope.community", "社区", "Community"),
    ("scope.street_office", "街道", "Street office"),
    // ---- sign-in: two-step verification, pending sign-ins (issue 12 items 2, 3, 10, 11) ----
    ("sep.colon", "：", ": "),
    ("sep.list", "、", ", "),
    (
        "signin.account.off",
        "未启用。启用后，登录时除密码外还需输入手机验证器应用显示的动态码。",
        "Off. Once on, signing in asks for the code from an authenticator app on your phone as well as the password.",
    ),
    (
        "signin.account.on",
        "已启用。登录时需输入手机验证器应用显示的动态码。",
        "On. Signing in asks for the code from your authenticator app.",
    ),
    (
        "signin.account.required",
        "街道管理员必须使用两步验证，不能关闭；手机丢失时，请另一位街道管理员在“账号”页重置。",
        "Street office administrators must keep it on. If you lose your phone, another street administrator can reset it on the Accounts page.",
    ),
    ("signin.account.title", "两步验证（动态码）", "Two-step verification (one-time codes)"),
    ("signin.btn.confirm", "确认并启用", "Confirm and turn on"),
    ("signin.btn.disable", "关闭两步验证", "Turn off two-step verification"),
    ("signin.btn.reset", "重置两步验证", "Reset two-step verification"),
    ("signin.btn.start", "启用两步验证", "Turn on two-step verification"),
    ("signin.btn.verify", "验证", "Verify"),
    (
        "signin.code.intro",
        "请输入手机验证器应用显示的6位动态码；手机不在身边时，可输入一个恢复码。",
        "Type the 6-digit code your authenticator app shows, or one of your recovery codes if your phone is not at hand.",
    ),
    ("signin.code.label", "动态码或恢复码", "Code or recovery code"),
    ("signin.code.six", "6位动态码", "6-digit code"),
    ("signin.code.title", "两步验证", "Two-step verification"),
    ("signin.done.disabled", "两步验证已关闭。", "Two-step verification is off."),
    (
        "signin.done.reset",
        "已重置该账号的两步验证，其所有登录会话已结束。",
        "That account's two-step verification was reset and all its sessions ended.",
    ),
    (
        "signin.enrol.required",
        "街道管理员账号必须使用两步验证，设置完成前无法进行其他操作。",
        "Street office administrator accounts must use two-step verification; nothing else is possible until it is set up.",
    ),
    ("signin.enrol.secret", "密钥（无法扫码时手动输入）", "Key (type it in if you cannot scan)"),
    (
        "signin.enrol.steps",
        "用手机上的验证器应用（如 Microsoft Authenticator、Google 身份验证器、FreeOTP）扫描二维码，然后输入应用显示的6位动态码。",
        "Scan the QR code with an authenticator app on your phone (such as Microsoft Authenticator, Google Authenticator or FreeOTP), then type the 6-digit code it shows.",
    ),
    ("signin.enrol.title", "设置两步验证", "Set up two-step verification"),
    ("signin.enrol.uri", "otpauth 链接", "otpauth link"),
    (
        "signin.err.already",
        "两步验证已启用，或没有待确认的设置。",
        "Two-step verification is already on, or there is no set-up to confirm.",
    ),
    (
        "signin.err.code_required",
        "该账号已启用两步验证：请同时提交动态码（code）。",
        "This account uses two-step verification: send the code as well.",
    ),
    (
        "signin.err.enrol_first",
        "该账号须先在网页登录页设置两步验证。",
        "This account must first set up two-step verification on the web sign-in page.",
    ),
    (
        "signin.err.expired",
        "登录已超时，请重新输入用户名和密码。",
        "This sign-in has timed out. Enter your username and password again.",
    ),
    ("signin.err.none", "该账号没有启用两步验证。", "That account has no two-step verification."),
    (
        "signin.err.required",
        "街道管理员必须使用两步验证。",
        "Street office administrators must use two-step verification.",
    ),
    (
        "signin.err.wrong",
        "动态码不对或已用过，请输入手机上显示的新动态码。",
        "That code is wrong or already used. Type the new code your phone shows.",
    ),
    ("signin.recovery.continue", "我已保存，继续", "I have saved them, continue"),
    (
        "signin.recovery.intro",
        "手机丢失时，可用以下恢复码代替动态码登录，每个只能用一次。本页只显示一次，请抄写或打印后妥善保管。",
        "If you lose your phone, sign in with one of these codes instead of a one-time code; each works once. They are shown only on this page: write them down or print them and keep them safe.",
    ),
    ("signin.recovery.title", "请保存恢复码", "Save your recovery codes"),
    // ---- end of sign-in ----
    ("skip.main", "跳到正文", "Skip to content"),
    ("stage.candidates_published", "候选人已公布", "Candidates published"),
    ("stage.certified", "结果已确认", "Certified"),
    ("stage.counting", "计票", "Counting"),
    ("stage.draft", "筹备", "Draft"),
    ("stage.handed_over", "已移交", "Handed over"),
    ("stage.list_published", "选民名单已公布", "Voter list published"),
    ("stage.nominations", "提名", "Nominations"),
    ("stage.polling", "投票", "Polling"),
    ("stage.registration", "选民登记", "Registration"),
    ("stage.runoff", "另行选举", "Run-off"),
    ("stage.void", "选举无效", "Void"),
    ("total", "共", "Total"),
    ("user.display_name", "姓名", "Full name"),
    ("user.new", "新建工作人员账号", "New staff account"),
    ("user.role", "角色", "Role"),
    ("vacancy.byelection", "补选", "By-election"),
    ("vacancy.byelection_by", "补选期限", "by-election by"),
    ("vacancy.cause", "原因", "Cause"),
    ("vacancy.death", "死亡", "Death"),
    ("vacancy.filing_by", "备案期限", "file by"),
    ("vacancy.left", "成员辞职、死亡或被判刑", "A member resigned, died or was sentenced"),
    ("vacancy.open_byelection", "组织补选", "Open the by-election"),
    ("vacancy.recall", "被罢免", "Recalled"),
    ("vacancy.resignation", "书面辞职", "Resignation in writing"),
    ("vacancy.sentence", "被判处刑罚", "Criminal sentence"),
    ("vacancy.title", "空缺", "Vacancies"),
    ("vacancy.unfilled", "未选满", "Unfilled"),
    ("vacancy.void", "当选无效", "Election void"),
    ("void.election", "整个选举无效", "The whole election is void"),
    ("void.falsified_count", "虚报选举票数", "Falsified counts"),
    ("void.forged_ballots", "伪造选票", "Forged ballots"),
    ("void.margin_broken", "违反差额选举规定", "Not more candidates than seats (competitive-election rule broken)"),
    ("void.member", "当选无效的成员（候选人编号，如 n12）", "Member whose election is void (candidate id, e.g. n12)"),
    ("void.no_public_count", "未公开唱票、计票", "No public count"),
    ("void.not_announced_on_spot", "未当场公布结果", "Result not announced on the spot"),
    ("void.person", "该成员当选无效", "That member's election is void"),
    ("void.quorum_missed", "参加投票人数未过半（未达法定比例）", "Turnout below the quorum"),
    ("void.reason", "理由", "Reason"),
    ("void.returned_exceeds_issued", "收回选票多于发出选票", "More ballots returned than issued"),
    ("void.title", "记录选举无效或当选无效的决定", "Record that the election or one person's election is void"),
    ("void.totals_do_not_reconcile", "票数不能核对一致", "Totals do not reconcile"),
    ("void.unlawful_candidates", "候选人产生不合法", "Unlawful candidates"),
    ("void.unlawful_committee", "选举委员会产生不合法", "Unlawful election committee"),
    (
        "void.violence_threats_bribery",
        "以暴力、威胁、欺骗、贿赂等手段当选",
        "Elected by violence, threats, deception or bribery",
    ),
    ("vote.abstain", "弃权", "Abstain"),
    ("vote.back", "返回修改", "Back to the ballot"),
    ("vote.ballot", "选票", "Ballot"),
    (
        "vote.blank_warning",
        "您没有选择任何人。确认后将投出空白票（空白票有效，计入参加投票人数）。",
        "You chose nobody. If you confirm, a blank ballot is cast (it is valid and counts as cast).",
    ),
    ("vote.cast", "确认投票", "Cast the ballot"),
    ("vote.check", "核对", "Check"),
    ("vote.check_receipt", "核对回执", "Check a receipt"),
    (
        "vote.choose_up_to_post",
        " 人；也可在“另选他人”处填写其他选民的姓名。",
        " people; you may also write in another voter's name.",
    ),
    ("vote.choose_up_to_post_plain", " 人。", " people."),
    ("vote.choose_up_to_pre", "可选 0 至 ", "Choose 0 to "),
    ("vote.code", "投票码", "Voting code"),
    ("vote.done", "投票成功", "Your ballot is cast"),
    (
        "vote.done_help",
        "您的选票已投入票箱，不能再次投票。回执只证明您参加了投票，不显示您投给了谁。",
        "Your ballot is in the box and you cannot vote again. The receipt proves that you took part, not how you voted.",
    ),
    ("vote.election", "居民委员会选举", "residents' committee election"),
    ("vote.finish", "完成", "Done"),
    ("vote.for_principal", "代委托人投票：", "Vote as proxy for:"),
    ("vote.index", "条目编号", "Entry"),
    (
        "vote.instructions",
        "每个职位选择的人数不得超过应选名额；可以选择候选人，也可以另选他人，也可以弃权（不选）。提交前会让您核对一遍。",
        "On each post choose no more people than there are seats: candidates, a write-in, or nobody (abstain). You will check your choices before the ballot is cast.",
    ),
    ("vote.instructions_title", "填写说明", "How to fill in the ballot"),
    ("vote.log", "日志", "Log"),
    ("vote.receipt", "回执码", "Receipt"),
    ("vote.receipt_found", "回执在审计日志的这一条目中。", "The receipt is in this entry of the audit log."),
    (
        "vote.receipt_help",
        "可在“核对回执”页面用这三项检查：您的回执在公开的审计日志中，并已被签名检查点覆盖。",
        "Check these three on the receipt page: your receipt is in the public audit log and covered by a signed checkpoint.",
    ),
    (
        "vote.receipt_keep",
        "本页网址里就有您的回执，可以收藏或截图保存；刷新本页不会重复投票。",
        "This page's address holds your receipt: bookmark it or take a screenshot. Reloading the page does not vote again.",
    ),
    ("vote.receipt_not_found", "没有找到这张回执。", "This receipt was not found."),
    ("vote.receipt_signed", "已被签名检查点覆盖，检查点大小：", "It is covered by the signed checkpoint of size"),
    ("vote.refresh", "刷新", "Refresh"),
    ("vote.review", "核对选票", "Check your ballot"),
    ("vote.seats_post", " 名", " seat(s)"),
    ("vote.seats_pre", "应选 ", ""),
    (
        "vote.secrecy",
        "无记名投票：系统只记录您已领取选票，不记录您投给了谁。",
        "Secret ballot: the system records that you received a ballot, never whom you voted for.",
    ),
    ("vote.signin", "进入投票", "Continue to the ballot"),
    (
        "vote.signin_help",
        "请输入选民证上的投票码（20 位，可不输入短横线），或扫描选民证上的二维码后粘贴。",
        "Enter the voting code from your voter card (20 characters; the dashes are optional), or paste what the card's QR code holds.",
    ),
    ("vote.signout", "退出", "Sign out"),
    ("vote.statement", "履职设想", "Statement"),
    ("vote.title", "网上投票", "Vote online"),
    ("vote.to_review", "下一步：核对选票", "Next: check the ballot"),
    ("vote.too_many", "选的人数超过应选名额（{n} 名）", "more names than seats ({n})"),
    (
        "vote.voted_help",
        "您的选票已经投出，不能再投。如想确认选票已收到，请用投票成功时显示的回执码、日志和条目编号查询。",
        "Your ballot is already cast and cannot be cast again. To confirm it was received, look up the receipt, log and entry shown when you voted.",
    ),
    ("vote.write_in", "另选他人", "Write-in"),
    (
        "vote.write_in_unknown",
        "（不是唯一的本选区选民姓名，此项将无效）",
        "(not the name of exactly one voter here: this mark will be void)",
    ),
    ("yes", "是", "Yes"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_sorted_and_unique() {
        let mut keys: Vec<&str> = MESSAGES.iter().map(|m| m.0).collect();
        let orig = keys.clone();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(orig, keys, "MESSAGES must be sorted by key, without duplicates");
    }

    #[test]
    fn language_from_cookie_then_accept_language() {
        assert_eq!(Lang::from_headers(None, None), Lang::Zh);
        assert_eq!(Lang::from_headers(None, Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_headers(Some("a=b; lang=zh"), Some("en")), Lang::Zh);
        assert_eq!(Lang::from_headers(Some("lang=en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::from_headers(None, Some("fr,zh;q=0.5")), Lang::Zh);
        assert_eq!(text(Lang::En, "err.id.repeat:7"), "ID number repeats an earlier row of the file");
    }
}

#[cfg(test)]
mod coverage {
    /// Every message key the code names exists (a missing key shows "?" to users).
    #[test]
    fn every_key_used_in_the_code_has_a_message() {
        let sources = [
            include_str!("../service/import.rs"),
            include_str!("../service/accounts.rs"),
            include_str!("../service/registry.rs"),
            include_str!("../service/voters.rs"),
            include_str!("../service/elections.rs"),
            include_str!("../domain/person.rs"),
            include_str!("../domain/id_card.rs"),
            include_str!("../web/auth.rs"),
            include_str!("../web/error.rs"),
        ];
        let mut missing = Vec::new();
        for src in sources {
            for (i, _) in src.match_indices("\"err.") {
                let key: String = src[i + 1..].chars().take_while(|c| *c != '"').collect();
                if super::text(super::Lang::Zh, &key) == "?" && !key.ends_with('.') {
                    missing.push(key);
                }
            }
        }
        assert!(missing.is_empty(), "missing messages: {missing:?}");
    }
}

/// Issue 13 item 6: every message a user can be shown exists in both languages, is translated,
/// and English strings carry no Chinese text or punctuation. Keys are collected from the source
/// tree, so a new code or key without its message fails here.
#[cfg(test)]
mod words {
    use super::{Lang, MESSAGES, text};
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn files(dir: &Path, ext: &str, out: &mut Vec<(String, String)>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                files(&p, ext, out);
            } else if p.extension().is_some_and(|e| e == ext) {
                let rel = p.strip_prefix(root()).unwrap_or(&p).display().to_string();
                out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }

    fn ident(s: &str) -> String {
        s.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '.').collect()
    }

    /// The identifier after every occurrence of `pat`.
    fn after(src: &str, pat: &str) -> Vec<String> {
        src.match_indices(pat).map(|(i, _)| ident(&src[i + pat.len()..])).filter(|s| !s.is_empty()).collect()
    }

    fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
        MESSAGES.binary_search_by(|(k, _, _)| (*k).cmp(key)).ok().map(|i| (MESSAGES[i].1, MESSAGES[i].2))
    }

    /// What is wrong with the message of `key`, if anything.
    fn problem(key: &str) -> Option<String> {
        let Some((zh, en)) = lookup(key) else { return Some(format!("{key}: no message")) };
        // Word order: English needs no word before the number of seats.
        let may_be_empty = ["vote.seats_pre"];
        if zh.trim().is_empty() || (en.trim().is_empty() && !may_be_empty.contains(&key)) {
            return Some(format!("{key}: empty"));
        }
        if zh == en {
            return Some(format!("{key}: English equals Chinese ({en:?})"));
        }
        if zh == key || en == key {
            return Some(format!("{key}: the message echoes its key"));
        }
        None
    }

    fn snake(camel: &str) -> String {
        let mut out = String::new();
        for (i, c) in camel.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The variants of `pub enum name` in `src`, snake_case (as serde names them).
    fn variants(src: &str, name: &str) -> Vec<String> {
        let start = src.find(&format!("pub enum {name} {{")).unwrap_or_else(|| panic!("no enum {name}"));
        let body = &src[start..];
        let body = &body[body.find('{').unwrap_or(0) + 1..body.find('}').unwrap_or(0)];
        body.lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("//") && !l.starts_with('#') && !l.is_empty())
            .map(|l| snake(l.trim_end_matches(',').split([' ', '{', '(']).next().unwrap_or("")))
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Every law refusal code a page can show (message key `law.<code>`): the codes the
    /// services raise by name, and the law engine's refusal enums.
    fn law_codes() -> Vec<String> {
        let mut sources = Vec::new();
        files(&root().join("src/service"), "rs", &mut sources);
        let mut codes = Vec::new();
        for (path, src) in &sources {
            codes.extend(after(src, "law(\""));
            codes.extend(after(src, "law(\n            \""));
            codes.extend(after(src, "code: \"").into_iter().filter(|c| src.contains(&format!("code: \"{c}\".into()"))));
            if path.ends_with("nominations.rs") {
                codes.extend(after(src, "=> (\""));
            }
            if path.ends_with("recall.rs") {
                // `let code = if … { "no_written_reasons" } else { "too_few_signatures" };`
                for line in src.lines().filter(|l| l.contains("let code = if")) {
                    codes.extend(line.split('"').skip(1).step_by(2).map(str::to_string));
                }
            }
        }
        codes.extend(variants(&read("src/law/eligibility.rs"), "RefusalCode"));
        codes.extend(variants(&read("src/law/proxy.rs"), "ProxyRefusalCode").into_iter().map(|c| format!("proxy_{c}")));
        codes.sort();
        codes.dedup();
        codes
    }

    /// Every field a field error can name (message key `field.<name>`).
    fn field_names() -> Vec<String> {
        let mut sources = Vec::new();
        files(&root().join("src"), "rs", &mut sources);
        let mut out = Vec::new();
        for (_, src) in sources {
            out.extend(after(&src, "field: Some(\""));
            out.extend(after(&src, "field: \""));
            for (i, _) in src.match_indices("invalid(\"") {
                let rest = &src[i + 9..];
                if let Some(j) = rest.find("\", \"").filter(|j| *j < 40) {
                    out.push(ident(&rest[j + 4..]));
                }
            }
            for (i, _) in src.match_indices("num(&") {
                let rest = &src[i..];
                if let Some(j) = rest.find(", \"").filter(|j| *j < 40) {
                    out.push(ident(&rest[j + 3..]));
                }
            }
        }
        // Fields not shown by name (see web::error::messages).
        out.retain(|f| {
            !f.is_empty() && !f.contains('.') && !["file", "password", "scope", "role"].contains(&f.as_str())
        });
        out.sort();
        out.dedup();
        out
    }

    /// Every key the code and the templates use.
    fn used_keys() -> Vec<String> {
        let families: Vec<&str> = MESSAGES.iter().filter_map(|m| m.0.split_once('.')).map(|(f, _)| f).collect();
        let mut keys = Vec::new();
        let mut templates = Vec::new();
        files(&root().join("templates"), "html", &mut templates);
        for (_, src) in &templates {
            for (i, _) in src.match_indices("t.t(\"") {
                keys.push(src[i + 5..].chars().take_while(|c| *c != '"').collect());
            }
        }
        let mut sources = Vec::new();
        files(&root().join("src"), "rs", &mut sources);
        for (path, src) in &sources {
            // The law engine names no message keys; event names are the events' own (zh, en).
            if path.starts_with("src/law") || path.starts_with("src/audit") || path.ends_with("i18n.rs") {
                continue;
            }
            for lit in src.split('"').skip(1).step_by(2) {
                let well_formed = lit.contains('.')
                    && !lit.ends_with('.')
                    && lit.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
                let file_name = [".pdf", ".json", ".csv", ".html", ".md", ".toml", ".txt", ".xlsx", ".css", ".js"]
                    .iter()
                    .any(|x| lit.ends_with(x));
                if well_formed
                    && families.contains(&lit.split('.').next().unwrap_or(""))
                    && !(file_name && lookup(lit).is_none())
                {
                    keys.push(lit.to_string());
                }
            }
        }
        // Keys built from a value (`format!("stage.{}", …)`, `t.t(format!("check.{}", …))`).
        let each = |prefix: &str, values: &[&str]| values.iter().map(|v| format!("{prefix}.{v}")).collect::<Vec<_>>();
        keys.extend(crate::domain::Stage::ALL.iter().map(|s| format!("stage.{}", s.as_str())));
        keys.extend(crate::law::Post::ALL.iter().map(|p| format!("post.{}", p.as_str())));
        keys.extend(crate::domain::Role::ALL.iter().map(|r| format!("role.{}", r.as_str())));
        keys.extend(each("method", &["direct", "household", "representatives"]));
        keys.extend(each("channel", &["paper", "mobile_box", "proxy", "booth", "remote"]));
        keys.extend(each("round", &["first", "runoff", "revote", "primary"]));
        keys.extend(each("gender", &["male", "female"]));
        keys.extend(each("rights", &["full", "deprived"]));
        keys.extend(each("dl", &["done", "due", "future", "late"]));
        keys.extend(each("objection", &["omitted", "wrongly_included", "wrong_details"]));
        keys.extend(each("objection.status", &["open", "upheld", "rejected", "applied", "approved"]));
        keys.extend(each("vacancy", &["resignation", "death", "sentence"]));
        keys.extend(each("void", crate::service::counting::VOID_REASONS));
        keys.extend(each("void", &["totals_do_not_reconcile"]));
        keys.extend(each("handover", &crate::service::counting::HANDOVER_ITEMS));
        let counting = read("src/service/counting.rs");
        keys.extend(
            after(&counting, "code: \"")
                .iter()
                .filter(|c| !counting.contains(&format!("code: \"{c}\".into()")))
                .map(|c| format!("check.{c}")),
        );
        keys.extend(variants(&read("src/law/timetable.rs"), "DeadlineName").iter().map(|d| format!("deadline.{d}")));
        keys.extend(law_codes().iter().map(|c| format!("law.{c}")));
        keys.extend(field_names().iter().map(|f| format!("field.{f}")));
        keys.retain(|k| !k.ends_with('.'));
        // Keys with a parameter ("err.id.repeat:12") use their base text.
        keys.sort();
        keys.dedup();
        keys
    }

    #[test]
    fn citations_drop_tags_and_notes() {
        assert_eq!(super::plain_citation("LAW.md §6 [P] (double entry)"), "LAW.md §6");
        assert_eq!(super::plain_citation("LAW.md §7–8 [N?, P]"), "LAW.md §7–8");
        assert_eq!(super::plain_citation("LAW.md §1 [P: 5–9]"), "LAW.md §1");
        assert_eq!(super::plain_citation("DESIGN.md lifecycle"), "");
        assert_eq!(super::Tr(Lang::Zh).cite("LAW.md §3 [N?]"), "（依据 LAW.md §3）");
        assert_eq!(super::Tr(Lang::En).cite("LAW.md §3 [N?]"), "(rule: LAW.md §3)");
    }

    #[test]
    fn every_key_code_and_field_has_a_translated_message() {
        let keys = used_keys();
        assert!(keys.len() > 300, "the scan found too few keys: {}", keys.len());
        for must in
            ["stage.void", "law.paper_boxes_pending", "field.filed_by", "field.resident_id", "law.proxy_self_proxy"]
        {
            assert!(keys.iter().any(|k| k == must), "the scan missed {must}");
        }
        let problems: Vec<String> = keys.iter().filter_map(|k| problem(k)).collect();
        assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
        // Every stage has a name, so no page shows "?" for one.
        for s in crate::domain::Stage::ALL {
            assert_ne!(text(Lang::Zh, &format!("stage.{}", s.as_str())), "?");
        }
    }

    fn cjk(c: char) -> bool {
        matches!(c, '\u{2e80}'..='\u{2fff}' | '\u{3000}'..='\u{303f}' | '\u{3040}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{fe30}'..='\u{fe4f}' | '\u{ff00}'..='\u{ffef}')
    }

    #[test]
    fn english_strings_have_no_chinese_text_or_punctuation() {
        let bad: Vec<String> = MESSAGES
            .iter()
            // The language switch names Chinese in Chinese, as every bilingual site does.
            .filter(|(k, _, en)| *k != "lang.switch" && en.chars().any(cjk))
            .map(|(k, _, en)| format!("{k}: {en}"))
            .collect();
        assert!(bad.is_empty(), "English strings with CJK text or punctuation:\n{}", bad.join("\n"));
        // Nor may a template hold Chinese text of its own, which English pages would show too.
        let mut templates = Vec::new();
        files(&root().join("templates"), "html", &mut templates);
        let mut found = Vec::new();
        for (path, src) in templates {
            let mut visible = String::new();
            let (mut in_expr, mut in_tag) = (false, false);
            let b: Vec<char> = src.chars().collect();
            let mut i = 0;
            while i < b.len() {
                let two: String = b[i..(i + 2).min(b.len())].iter().collect();
                match two.as_str() {
                    "{{" | "{%" | "{#" => {
                        in_expr = true;
                        i += 2;
                        continue;
                    }
                    "}}" | "%}" | "#}" if in_expr => {
                        in_expr = false;
                        i += 2;
                        continue;
                    }
                    _ => {}
                }
                if !in_expr {
                    match b[i] {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        c if !in_tag => visible.push(c),
                        _ => {}
                    }
                }
                i += 1;
            }
            // Placeholders are visible too.
            for p in src.split("placeholder=\"").skip(1).filter_map(|x| x.split('"').next()) {
                visible.push_str(p);
            }
            if visible.chars().any(cjk) {
                found.push(format!("{path}: {}", visible.chars().filter(|c| cjk(*c)).collect::<String>()));
            }
        }
        assert!(found.is_empty(), "templates with Chinese text outside messages:\n{}", found.join("\n"));
    }
}
