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
    ("app.name", "换届 · 居民委员会选举", "Huanjie · Residents' committee elections"),
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
    ("community.code", "社区编码", "Community code"),
    ("community.name", "社区名称", "Community name"),
    ("community.new", "新建社区", "New community"),
    ("community.stats", "居民小组 / 户 / 居民", "Groups / households / residents"),
    ("err.address", "住址过长或含有非法字符", "Address too long or has invalid characters"),
    ("err.birth_date", "出生日期格式不对，应为 1990-01-31", "Birth date must look like 1990-01-31"),
    ("err.birth_mismatch", "出生日期与身份证号码不一致", "Birth date does not match the ID number"),
    ("err.code", "编码只能由 2–32 位字母、数字或连字符组成", "Codes are 2–32 letters, digits or hyphens"),
    ("err.conflict", "操作冲突", "Conflict"),
    ("err.display_name", "姓名不能为空且不超过 50 字", "Display name must be 1–50 characters"),
    ("err.duplicate", "该记录已存在", "That record already exists"),
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
    ("err.import.csv", "文件不是有效的 CSV 表格", "The file is not a valid CSV table"),
    ("err.import.done", "该批导入已处理，不能重复操作", "This import was already committed or discarded"),
    ("err.import.empty", "文件中没有数据行", "The file has no data rows"),
    ("err.import.missing_column", "缺少必填列（姓名、身份证号）", "A required column is missing (name, ID number)"),
    ("err.import.too_big", "文件过大（上限 64 MB）", "File too large (64 MB at most)"),
    ("err.import.too_many", "行数过多（上限 200,000 行）", "Too many rows (200,000 at most)"),
    ("err.import.xlsx", "无法读取该 Excel 文件", "This Excel file cannot be read"),
    ("err.internal", "服务器内部错误，请联系管理员并提供编号", "Server error; tell the administrator this reference"),
    ("err.invalid", "输入有误", "Invalid input"),
    ("err.login", "用户名或密码错误", "Wrong username or password"),
    ("err.months", "月数应为 0–1500 的整数", "Months must be a whole number 0–1500"),
    ("err.name", "姓名不能为空，且不超过 50 字", "Name must be 1–50 characters"),
    ("err.not_found", "找不到该页面或记录。", "Page or record not found."),
    ("err.password.length", "密码长度应为 10–128 个字符", "Passwords are 10–128 characters"),
    ("err.password.old", "原密码不正确", "The current password is wrong"),
    ("err.phone", "电话号码只能包含数字、+、- 和空格", "Phone numbers have digits, +, - and spaces only"),
    ("err.reference", "引用的记录不存在", "A referenced record does not exist"),
    ("err.relation", "亲属关系类型不对", "Unknown relation"),
    ("err.relative_exists", "该亲属关系已登记", "That relation is already recorded"),
    ("err.relative_self", "不能与本人建立亲属关系", "A resident cannot be their own relative"),
    ("err.relative_unknown", "本社区没有该居民", "No such resident in this community"),
    ("err.request", "请求格式不对", "Malformed request"),
    ("err.rights", "政治权利应为“有”或“被剥夺”", "Political rights must be full or deprived"),
    ("err.role_required", "请至少选择一个角色", "Choose at least one role"),
    ("err.role_scope", "该角色只能授予社区", "That role is granted for a community only"),
    ("err.scope", "授权范围不存在", "The scope does not exist"),
    ("err.stale", "该记录已被他人修改，请刷新后重新编辑", "Someone else changed this record; reload and edit again"),
    ("err.throttled", "登录尝试次数过多，请稍后再试（{s} 秒后）", "Too many sign-in attempts; try again in {s} s"),
    ("err.title", "名称不能为空，且不超过 60 字", "Names must be 1–60 characters"),
    ("err.too_big", "提交的内容过大", "The request is too large"),
    ("err.username", "用户名为 3–40 位字母、数字或 . _ -", "Usernames are 3–40 letters, digits or . _ -"),
    ("err.username_taken", "该用户名已被使用", "That username is taken"),
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
    ("import.preview", "导入预览", "Import preview"),
    ("import.rows", "数据行", "Data rows"),
    ("import.title", "导入居民名册", "Import residents"),
    ("lang.switch", "English", "中文"),
    ("login.password", "密码", "Password"),
    ("login.title", "工作人员登录", "Staff sign-in"),
    ("login.username", "用户名", "Username"),
    ("nav.communities", "社区", "Communities"),
    ("nav.home", "首页", "Home"),
    ("nav.observe", "公开核验", "Observe"),
    ("nav.users", "工作人员", "Staff"),
    ("no", "否", "No"),
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
    ("observe.qr", "最新检查点二维码", "QR code of the latest checkpoint"),
    ("observe.signed_at", "签名时间（北京时间）", "Signed at (Beijing time)"),
    ("observe.size", "记录数", "Entries"),
    ("observe.target", "对象", "Target"),
    ("observe.timeline", "事件时间线", "Timeline of events"),
    ("observe.title", "公开核验", "Observer portal"),
    ("observe.what", "事件", "Event"),
    ("observe.when", "时间（北京时间）", "When (Beijing time)"),
    ("observe.witnesses", "见证方联署", "Witnessed by"),
    ("password.new", "新密码（至少 10 位）", "New password (10+ characters)"),
    ("password.old", "原密码", "Current password"),
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
    ("saved", "已保存", "Saved"),
    ("scope", "范围", "Scope"),
    ("scope.community", "社区", "Community"),
    ("scope.street_office", "街道", "Street office"),
    ("total", "共", "Total"),
    ("user.display_name", "姓名", "Full name"),
    ("user.new", "新建工作人员账号", "New staff account"),
    ("user.role", "角色", "Role"),
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
