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
    ("channel.booth", "投票站电子投票", "Booth (browser at the station)"),
    ("channel.mobile_box", "流动票箱", "Mobile ballot box"),
    ("channel.paper", "投票站纸质选票", "Paper at a polling station"),
    ("channel.proxy", "委托投票", "Proxy"),
    ("channel.remote", "远程投票（试点）", "Remote (pilot)"),
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
    ("dl.done", "已完成", "Done"),
    ("dl.due", "即将到期", "Due soon"),
    ("dl.future", "未到期", "Upcoming"),
    ("dl.late", "已逾期", "Late"),
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
    ("election.voters", "选民", "Voters"),
    ("err.address", "住址过长或含有非法字符", "Address too long or has invalid characters"),
    (
        "err.already_voted",
        "该选民在本轮投票中已经领取过选票（任何方式都只能投一次）",
        "This voter already received a ballot in this round (one ballot, whatever the channel)",
    ),
    ("err.ballot", "选票填写有误", "The ballot is not filled in correctly"),
    ("err.birth_date", "出生日期格式不对，应为 1990-01-31", "Birth date must look like 1990-01-31"),
    ("err.birth_mismatch", "出生日期与身份证号码不一致", "Birth date does not match the ID number"),
    ("err.booth", "写票间不对", "Unknown booth"),
    ("err.booth_busy", "该写票间正在使用，请选择另一个", "That booth is in use: choose another"),
    (
        "err.booth_locked",
        "写票间平板已锁定，请到工作人员处签到后再投票",
        "The booth is locked: check in with a clerk first",
    ),
    ("err.box_accepted", "该票箱已经录入完毕并入箱", "This box has already been entered and accepted"),
    ("err.busy", "投票人数过多，请稍后再试", "Too many ballots at once: try again in a moment"),
    ("err.channel", "投票方式不对", "Unknown voting channel"),
    ("err.channel_disabled", "本次选举方案未启用这种投票方式", "The election plan does not enable this way of voting"),
    ("err.code", "编码只能由 2–32 位字母、数字或连字符组成", "Codes are 2–32 letters, digits or hyphens"),
    ("err.conflict", "操作冲突", "Conflict"),
    (
        "err.csrf",
        "页面已过期或来源不明，请刷新后重试。",
        "The page expired or came from elsewhere. Reload and try again.",
    ),
    ("err.date", "日期格式不对，应为 2026-03-15", "Dates look like 2026-03-15"),
    ("err.display_name", "姓名不能为空且不超过 50 字", "Display name must be 1–50 characters"),
    ("err.duplicate", "该记录已存在", "That record already exists"),
    ("err.election_exists", "该社区本届换届选举已经开启", "This community's election for that round is already open"),
    ("err.ethnicity", "民族填写有误", "Ethnicity is not valid"),
    ("err.field", "第 {row} 行「{col}」：{msg}", "Row {row}, “{col}”: {msg}"),
    ("err.flag", "应填“是”或“否”", "Must be yes or no"),
    ("err.forbidden", "您没有权限进行此操作。", "You are not allowed to do that."),
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
    ("err.import.csv", "文件不是有效的 CSV 表格", "The file is not a valid CSV table"),
    ("err.import.done", "该批导入已处理，不能重复操作", "This import was already committed or discarded"),
    ("err.import.empty", "文件中没有数据行", "The file has no data rows"),
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
    ("err.import.missing_column", "缺少必填列（姓名、身份证号）", "A required column is missing (name, ID number)"),
    ("err.import.too_big", "文件过大（上限 64 MB）", "File too large (64 MB at most)"),
    ("err.import.too_many", "行数过多（上限 200,000 行）", "Too many rows (200,000 at most)"),
    (
        "err.import.xls",
        "不支持旧版 .xls，请另存为 .xlsx 或 CSV",
        "Old .xls files are not supported: save as .xlsx or CSV",
    ),
    ("err.import.xlsx", "无法读取该 Excel 文件", "This Excel file cannot be read"),
    ("err.internal", "服务器内部错误，请联系管理员并提供编号", "Server error; tell the administrator this reference"),
    ("err.invalid", "输入有误", "Invalid input"),
    ("err.login", "用户名或密码错误", "Wrong username or password"),
    (
        "err.method",
        "选举方式应为：全体选民直接选举、户代表选举或居民代表选举",
        "Method must be direct, household or representatives",
    ),
    ("err.method_not_allowed", "不支持该请求方式", "That method is not allowed here"),
    ("err.months", "月数应为 0–1500 的整数", "Months must be a whole number 0–1500"),
    ("err.name", "姓名不能为空，且不超过 50 字", "Name must be 1–50 characters"),
    ("err.not_counting", "只有结束投票后才能录入纸质选票", "Paper ballots are entered after the polls close"),
    ("err.not_found", "找不到该页面或记录。", "Page or record not found."),
    ("err.not_in_group", "该居民不属于这个居民小组", "That resident is not in this residents' group"),
    ("err.not_voter", "不是本次选举登记的选民", "Not a registered voter of this election"),
    ("err.objection_decided", "该申诉已处理", "That objection was already decided"),
    ("err.objection_kind", "申诉类型不对", "Unknown kind of objection"),
    ("err.pass_taken", "这一遍已由另一位工作人员录入", "Another clerk is entering this pass"),
    ("err.password.length", "密码长度应为 10–128 个字符", "Passwords are 10–128 characters"),
    ("err.password.old", "原密码不正确", "The current password is wrong"),
    ("err.phone", "电话号码只能包含数字、+、- 和空格", "Phone numbers have digits, +, - and spaces only"),
    ("err.photo", "照片须为 1 MB 以内的 JPEG 或 PNG", "The photo must be a JPEG or PNG of at most 1 MB"),
    ("err.polls_not_open", "现在不在投票时间（投票尚未开始或已经结束）", "Polls are not open (not yet, or no longer)"),
    ("err.proxy_decided", "该委托已处理", "That authorisation was already decided"),
    ("err.proxy_exists", "该选民已有委托", "This voter already has a proxy authorisation"),
    ("err.reason", "理由不能为空，且不超过 2000 字", "Reasons must be 1–2,000 characters"),
    ("err.reference", "引用的记录不存在", "A referenced record does not exist"),
    ("err.relation", "亲属关系类型不对", "Unknown relation"),
    ("err.relative_exists", "该亲属关系已登记", "That relation is already recorded"),
    ("err.relative_self", "不能与本人建立亲属关系", "A resident cannot be their own relative"),
    ("err.relative_unknown", "本社区没有该居民", "No such resident in this community"),
    ("err.request", "请求格式不对", "Malformed request"),
    ("err.rights", "政治权利应为“有”或“被剥夺”", "Political rights must be full or deprived"),
    ("err.role_required", "请至少选择一个角色", "Choose at least one role"),
    ("err.role_scope", "该角色只能授予社区", "That role is granted for a community only"),
    ("err.round", "届次应为年份，例如 2026", "The round is the year, e.g. 2026"),
    ("err.scope", "授权范围不存在", "The scope does not exist"),
    ("err.stale", "该记录已被他人修改，请刷新后重新编辑", "Someone else changed this record; reload and edit again"),
    ("err.station", "投票站不对", "Unknown polling station"),
    ("err.throttled", "登录尝试次数过多，请稍后再试（{s} 秒后）", "Too many sign-in attempts; try again in {s} s"),
    ("err.title", "名称不能为空，且不超过 60 字", "Names must be 1–60 characters"),
    ("err.too_big", "提交的内容过大", "The request is too large"),
    ("err.username", "用户名为 3–40 位字母、数字或 . _ -", "Usernames are 3–40 letters, digits or . _ -"),
    (
        "err.username_not_committee",
        "该账号不是本社区选举委员会成员",
        "That account is not a committee member of this community",
    ),
    ("err.username_taken", "该用户名已被使用", "That username is taken"),
    ("err.username_unknown", "没有该用户名的工作人员账号", "No staff account with that username"),
    ("err.votes", "到会人数或赞成票数不对", "Present or yes counts are not possible"),
    ("err.voting_code", "投票码不对或已作废", "The voting code is wrong or no longer valid"),
    ("field.address", "住址", "Address"),
    ("field.birth_date", "出生日期", "Date of birth"),
    ("field.community_worker", "社区工作者", "Community worker"),
    ("field.ethnicity", "民族", "Ethnicity"),
    ("field.gender", "性别", "Gender"),
    ("field.group_number", "居民小组", "Residents' group"),
    ("field.household_head", "户主", "Head of household"),
    ("field.household_number", "户号", "Household no."),
    ("field.hukou_here", "户籍在本社区", "Household registration here"),
    ("field.id_number", "公民身份号码", "ID card number"),
    ("field.months_resident", "在本社区居住月数", "Months living here"),
    ("field.name", "姓名", "Name"),
    ("field.phone", "联系电话", "Phone"),
    ("field.political_rights", "政治权利", "Political rights"),
    ("field.worker_months", "在本社区工作月数", "Months working here"),
    ("gender.", " ", " "),
    ("gender.female", "女", "Female"),
    ("gender.male", "男", "Male"),
    ("group.name", "小组名称", "Group name"),
    ("group.new", "新建居民小组", "New residents' group"),
    ("group.number", "小组编号", "Group number"),
    ("groups", "居民小组", "Residents' groups"),
    ("history", "修改记录", "History"),
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
        "law.deadline_candidate_list_published",
        "已来不及在法定期限前公布正式候选人名单",
        "Too late to publish the candidate list on time",
    ),
    (
        "law.deadline_voter_list_published",
        "来不及在选举日 20 日前公布选民名单",
        "The voter list can no longer be published 20 days before election day",
    ),
    ("law.deprived_of_political_rights", "被剥夺政治权利", "Deprived of political rights"),
    ("law.double_entry_mismatch", "两遍录入不一致，请核对后更正", "The two entries differ: check and correct them"),
    ("law.empty_voter_list", "选民名单为空，不能公布", "The voter list is empty"),
    ("law.illegal_transition", "选举程序不能跳过或倒退", "The election cannot skip or go back a stage"),
    ("law.incapacity_confirmed", "经确认无法行使选举权", "Confirmed unable to exercise the right"),
    (
        "law.list_locked",
        "选民名单已公布，只能通过申诉处理更改",
        "The published list changes only through objection decisions",
    ),
    ("law.list_not_published", "选民名单尚未公布", "The voter list is not published yet"),
    ("law.margin_too_few", "候选人数须多于应选人数（差额选举）", "There must be more candidates than seats (差额)"),
    (
        "law.mobile_box_supervisors",
        "流动票箱须有至少 3 名监督员",
        "A mobile ballot box needs at least 3 named supervisors",
    ),
    ("law.no_committee", "尚未登记选举委员会成员", "No election committee members recorded yet"),
    ("law.no_written_record", "候选人退出须有书面记录", "A withdrawal needs a written record"),
    ("law.nominations_closed", "当前不在提名阶段", "Nominations are not open"),
    ("law.nominator_not_voter", "提名人须为本次选举的选民", "Every nominator must be a voter of this election"),
    ("law.nominee_not_voter", "被提名人须为本次选举的选民", "The nominee must be a voter of this election"),
    ("law.not_accepted_in_writing", "被提名人尚未书面同意", "The nominee has not accepted in writing"),
    ("law.not_applied", "未申请登记", "Has not applied to be registered"),
    ("law.not_approved", "登记申请未获批准", "The application was not approved"),
    ("law.not_election_day", "只能在选举日开始投票", "Polls open on election day only"),
    ("law.not_household_representative", "本户已有户代表参加选举", "Another member represents this household"),
    ("law.not_opted_in", "未申请参加选举", "Has not asked to take part"),
    ("law.not_representative", "不是居民小组推选的居民代表", "Not a representative elected by a residents' group"),
    (
        "law.not_representatives_method",
        "本次选举不是居民代表选举",
        "This election is not by the representatives method",
    ),
    ("law.not_reviewed", "尚未进行资格审查", "The qualification review is missing"),
    ("law.objection_window_closed", "已超过申诉期限", "The objection period is over"),
    ("law.plan_frozen", "选民名单公布后，选举工作方案不得更改", "The plan is frozen once the voter list is published"),
    ("law.profile_invalid", "规则配置不合法", "The rule profile is not valid"),
    ("law.proxy_after_cutoff", "已过委托投票申请截止日", "After the proxy application cut-off"),
    (
        "law.proxy_candidate_as_proxy",
        "候选人只能接受其近亲属的委托",
        "A candidate may only be proxy for a near relative",
    ),
    ("law.proxy_not_approved", "委托须经选举委员会同意", "The committee must approve the proxy"),
    ("law.proxy_not_written", "委托须有书面委托书", "A proxy needs a written authorisation"),
    ("law.proxy_principal_not_voter_here", "委托人不是本次选举的选民", "The principal is not a voter of this election"),
    ("law.proxy_proxy_not_voter_here", "受托人须为本社区选民", "The proxy must be a voter of this community"),
    ("law.proxy_self_proxy", "不能委托本人", "A voter cannot be their own proxy"),
    (
        "law.proxy_too_many_proxies",
        "受托人接受委托超过规定人数",
        "The proxy already holds the maximum number of authorisations",
    ),
    (
        "law.registered_elsewhere",
        "已在其他社区登记为选民（只能在一地登记）",
        "Already registered in another community (one place only)",
    ),
    ("law.remote_not_allowed", "远程投票须有记录在案的法律依据", "Remote voting needs a recorded legal basis"),
    (
        "law.representatives_per_group",
        "每个居民小组推选 2 至 3 名居民代表",
        "Each residents' group elects 2–3 representatives",
    ),
    ("law.residence_too_short", "在本社区居住时间不足", "Has not lived here long enough"),
    (
        "law.same_clerk_both_passes",
        "两遍录入须由两位不同的工作人员完成",
        "The two entries must be made by two different clerks",
    ),
    ("law.seats_odd", "本省规定委员会职数应为单数", "This province requires an odd committee size"),
    (
        "law.seats_posts",
        "应设主任 1 名、副主任和委员若干名",
        "One chair, at least one vice-chair and members are required",
    ),
    ("law.seats_size", "委员会职数超出规定范围", "The committee size is outside the profile's range"),
    ("law.self_nomination_not_allowed", "本省不允许自荐", "Self-nomination is not allowed here"),
    ("law.too_few_nominators", "联名提名人数不足", "Too few joint nominators"),
    ("law.too_many_names", "提名人数超过应选名额", "A nominator named more people than the seats allow"),
    ("law.underage", "选举日未满 18 周岁", "Under 18 on election day"),
    ("law.unknown_candidate", "不是正式候选人", "Not a formal candidate"),
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
    ("observe.checkpoints", "已签名的检查点", "Signed checkpoints"),
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
    (
        "observe.intro",
        "审计日志按 RFC 6962 组织为默克尔树，每个检查点都有部署密钥的签名，并可由独立见证方联署。任何篡改、删除、插入或调序都会被发现。",
        "The audit log is an RFC 6962 Merkle tree; every checkpoint is signed with the deployment's key and can be cosigned by independent witnesses. Any change, deletion, insertion or reordering is detected.",
    ),
    ("observe.key", "日志公钥", "Log key"),
    ("observe.latest", "最新检查点", "Latest checkpoint"),
    ("observe.newer", "较新", "Newer"),
    ("observe.older", "较早", "Older"),
    ("observe.origin", "日志", "Log"),
    ("observe.participation", "参加投票名单（签名册）", "Participation roll"),
    (
        "observe.participation_help",
        "只记录谁已领取选票及领取方式，不记录投给了谁。",
        "Who received a ballot and how — never what they voted.",
    ),
    ("observe.qr", "最新检查点二维码", "QR code of the latest checkpoint"),
    (
        "observe.receipt_help",
        "投票后拿到回执的选民，可在这里核对回执已记入审计日志。",
        "Voters who got a receipt can check here that it is in the audit log.",
    ),
    ("observe.signed_at", "签名时间（北京时间）", "Signed at (Beijing time)"),
    ("observe.size", "记录数", "Entries"),
    ("observe.target", "对象", "Target"),
    ("observe.timeline", "事件时间线", "Timeline of events"),
    ("observe.title", "公开核验", "Observer portal"),
    ("observe.what", "事件", "Event"),
    ("observe.when", "时间（北京时间）", "When (Beijing time)"),
    ("observe.witnesses", "见证方联署", "Witnessed by"),
    ("paper.accept", "核对一致，入箱", "Entries agree: accept the box"),
    ("paper.accepted", "两遍录入一致，已入箱。", "Both entries agreed; the box is accepted."),
    ("paper.compare", "两遍录入对照", "Both entries side by side"),
    ("paper.enter", "录入一张选票", "Enter a ballot"),
    ("paper.invalid", "整张选票无效（如撕毁、无法辨认）", "The whole ballot is invalid (torn, illegible)"),
    ("paper.issued", "本站发放纸质选票：", "Paper ballots issued here:"),
    ("paper.marks", "无法辨认与无效", "Unreadable and invalid"),
    ("paper.mismatch", "两遍录入不一致的选票：", "Ballots where the entries differ:"),
    ("paper.pass1", "第一遍录入", "First entry"),
    ("paper.pass2", "第二遍录入", "Second entry"),
    ("paper.save", "保存这张选票", "Save this ballot"),
    ("paper.saved", "已保存第", "Saved ballot"),
    ("paper.seq", "更正第几张（留空则录入下一张）", "Correct ballot no. (empty: the next one)"),
    ("paper.seq_help", "例如 3", "e.g. 3"),
    ("paper.spoiled", "作废（换领）的选票张数", "Spoiled (exchanged) ballots"),
    ("paper.title", "纸质选票录入", "Paper ballot entry"),
    ("paper.unreadable", "无法辨认的标记数", "unreadable marks"),
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
    ("polling.done.opened", "投票已开始。", "The polls are open."),
    ("polling.done.statement", "已保存。", "Saved."),
    ("polling.find", "姓名、身份证号或选民证投票码", "Name, ID number or voting code from the card"),
    ("polling.group", "居民小组", "Group"),
    ("polling.how", "发放方式", "How"),
    ("polling.in_person", "本人领取", "In person"),
    ("polling.issue", "签到并发放", "Check in and issue"),
    ("polling.issued", "已发放", "Issued"),
    ("polling.issued_total", "已发放选票：", "Ballots issued:"),
    ("polling.lifecycle", "投票的开始与结束", "Opening and closing the polls"),
    (
        "polling.no_content",
        "投票结束前只显示人数，不显示任何选票内容。",
        "Until the polls close only counts are shown, never ballot content.",
    ),
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
    ("proxy.add", "登记书面委托", "Record the written authorisation"),
    ("proxy.principal", "委托人（居民编号）", "Principal (resident no.)"),
    ("proxy.proxy", "受托人（居民编号）", "Proxy (resident no.)"),
    ("proxy.reason", "委托原因", "Reason"),
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
    ("rights.deprived", "被剥夺", "Deprived"),
    ("rights.full", "有", "Full"),
    ("role.clerk", "投票站工作人员", "Polling clerk"),
    ("role.committee", "居民选举委员会成员", "Election committee member"),
    ("role.observer", "观察员（只读）", "Observer (read-only)"),
    ("role.street_admin", "街道管理员", "Street office administrator"),
    ("round.revote", "重新投票", "Re-vote"),
    ("round.runoff", "另行选举", "Run-off"),
    ("saved", "已保存", "Saved"),
    ("scope", "范围", "Scope"),
    ("scope.community", "社区", "Community"),
    ("scope.street_office", "街道", "Street office"),
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
    ("total", "共", "Total"),
    ("user.display_name", "姓名", "Full name"),
    ("user.new", "新建工作人员账号", "New staff account"),
    ("user.role", "角色", "Role"),
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
    ("vote.choose_up_to_pre", "可选 0 至 ", "Choose 0 to "),
    ("vote.code", "投票码", "Voting code"),
    ("vote.done", "投票成功", "Your ballot is cast"),
    (
        "vote.done_help",
        "您的选票已投入票箱，不能再次投票。回执只证明您参加了投票，不显示您投给了谁。",
        "Your ballot is in the box and you cannot vote again. The receipt proves that you took part, not how you voted.",
    ),
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
