//! `huanjie demo`: a realistic demo street office — one community of ~2,000 residents in ~700
//! households and 8 residents' groups, with staff accounts whose passwords are printed once.
//! The residents go through the real import path (preview, then one committed transaction).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::audit::Actor;
use crate::domain::{IdCardNumber, Role, Scope, ScopeKind};
use crate::service::{self, Staff, accounts, import, registry};
use crate::store::users::Grant;
use crate::store::{Store, users};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "欧阳", "司马",
];
const GIVEN_M: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宇",
    "浩", "建国", "志强", "文博", "子轩", "国华", "海涛",
];
const GIVEN_F: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "玲", "桂英", "丹", "萍", "红", "玉兰", "婷", "雪", "慧",
    "欣怡", "梓涵", "淑珍", "美玲",
];
const ETHNIC: &[&str] =
    &["汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "回族", "满族", "蒙古族", "朝鲜族"];
const AREAS: &[&str] = &["110105", "110101", "110108", "130102", "370102", "410105", "510104"];
const STREETS: &[&str] = &["幸福路", "和平里", "建设街", "光明巷"];

pub struct DemoAccounts {
    pub lines: Vec<(String, String, &'static str)>,
    pub community: i64,
    pub staff: Staff,
}

/// The demo's election: opened by the street office 45 days ahead, with the remote channel as
/// a recorded pilot (LAW.md §6: the demo enables it as a pilot), registration run.
pub async fn seed_election(
    store: &Store,
    log: &crate::service::audit::LogIdentity,
    accounts: &DemoAccounts,
) -> service::Result<i64> {
    use crate::domain::Station;
    use crate::service::elections::{PlanInput, today};
    let plan = PlanInput {
        method: "direct".into(),
        seats_chair: 1,
        seats_vice_chair: 1,
        seats_member: 3,
        profile: "national".into(),
        election_day: (today() + time::Duration::days(45)).to_string(),
        channels: ["paper", "mobile_box", "proxy", "booth", "remote"].map(String::from).to_vec(),
        remote_legal_basis: "演示：街道办事处批准的远程投票试点方案（非真实法律依据）".into(),
        stations: vec![
            Station {
                name: "幸福社区党群服务中心投票站".into(),
                mobile: false,
                supervisors: vec!["赵德明".into(), "孙丽华".into(), "周志强".into()],
            },
            Station {
                name: "流动票箱一".into(),
                mobile: true,
                supervisors: vec!["王建国".into(), "李秀英".into(), "张伟".into()],
            },
        ],
    };
    let id = service::elections::open(
        store,
        &accounts.staff,
        accounts.community,
        "2026",
        crate::domain::ElectionKind::Regular,
        &plan,
    )
    .await?;
    service::elections::start_registration(store, log, &accounts.staff, id).await?;
    service::voters::register(store, &accounts.staff, id).await?;
    Ok(id)
}

fn id_number(rng: &mut StdRng, birth: time::Date, male: bool) -> String {
    let area = AREAS[rng.random_range(0..AREAS.len())];
    let mut seq: u32 = rng.random_range(0..500) * 2;
    if male {
        seq += 1;
    }
    let first17 = format!("{area}{:04}{:02}{:02}{:03}", birth.year(), birth.month() as u8, birth.day(), seq % 1000);
    let check = IdCardNumber::check_char(first17.as_bytes()).unwrap_or(b'0') as char;
    format!("{first17}{check}")
}

fn name(rng: &mut StdRng, surname: &str, male: bool) -> String {
    let given = if male { GIVEN_M } else { GIVEN_F };
    format!("{surname}{}", given[rng.random_range(0..given.len())])
}

/// The demo register as CSV (the format the import reads), deterministic for a given seed.
pub fn demo_csv(seed: u64, households: usize) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = String::from(
        "姓名,性别,民族,出生日期,身份证号,户号,住址,居民小组,户籍在本社区,居住月数,社区工作者,工作月数,政治权利,户主,联系电话\n",
    );
    let day0 = time::macros::date!(1935 - 01 - 01).to_julian_day();
    let mut used = std::collections::HashSet::new();
    for h in 0..households {
        let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
        let size = [1, 2, 2, 3, 3, 3, 4, 4, 5][rng.random_range(0..9)];
        let hukou = rng.random_range(0..10) < 8;
        let months = if hukou { rng.random_range(24..600) } else { rng.random_range(1..60) };
        let group = h % 8 + 1;
        let street = STREETS[h % STREETS.len()];
        let address = format!("{street}{}号{}栋{}室", h / 40 + 1, h % 6 + 1, 100 + h % 30);
        for m in 0..size {
            let male = rng.random_range(0..2) == 0;
            let s = if m == 0 || m == 2 { surname } else { SURNAMES[rng.random_range(0..SURNAMES.len())] };
            let age_days = if m < 2 { rng.random_range(20 * 365..90 * 365) } else { rng.random_range(0..40 * 365) };
            let birth = time::Date::from_julian_day(day0 + (2025 - 1935) * 365 - age_days)
                .unwrap_or(time::macros::date!(1980 - 01 - 01));
            let mut id = id_number(&mut rng, birth, male);
            while !used.insert(id.clone()) {
                id = id_number(&mut rng, birth, male);
            }
            let worker = rng.random_range(0..200) == 0;
            let rights = if rng.random_range(0..1000) == 0 { "被剥夺" } else { "有" };
            let phone = format!("13{:09}", rng.random_range(0..1_000_000_000u64));
            out.push_str(&format!(
                "{},{},{},{},{},{:04},{},{},{},{},{},{},{},{},{}\n",
                name(&mut rng, s, male),
                if male { "男" } else { "女" },
                ETHNIC[rng.random_range(0..ETHNIC.len())],
                birth,
                id,
                h + 1,
                address,
                group,
                if hukou { "是" } else { "否" },
                months,
                if worker { "是" } else { "否" },
                if worker { rng.random_range(6..120) } else { 0 },
                rights,
                if m == 0 { "是" } else { "否" },
                phone,
            ));
        }
    }
    out
}

fn password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..14).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// Seeds an empty database with the demo street office; returns the accounts to print.
pub async fn seed(store: &Store) -> service::Result<DemoAccounts> {
    let sys = Actor::system("demo");
    let street = registry::create_street_office(store, &sys, "demo-street", "示范街道办事处").await?;
    let community = registry::create_community_as(store, &sys, street, "xingfu", "幸福社区居民委员会").await?;
    let mut lines = Vec::new();
    let accounts_spec: [(&str, &str, Role, Scope); 4] = [
        ("admin", "街道管理员", Role::StreetAdmin, Scope { kind: ScopeKind::StreetOffice, id: street }),
        ("weiyuan", "选举委员会委员", Role::Committee, Scope { kind: ScopeKind::Community, id: community }),
        ("clerk", "投票站工作人员", Role::Clerk, Scope { kind: ScopeKind::Community, id: community }),
        ("observer", "观察员", Role::Observer, Scope { kind: ScopeKind::StreetOffice, id: street }),
    ];
    for (user, display, role, scope) in accounts_spec {
        let pw = password();
        accounts::create_user(store, None, user, display, &pw, &[Grant { role, scope }]).await?;
        lines.push((user.to_string(), pw, role.as_str()));
    }
    let admin = users::by_username(store, "admin").await?.ok_or(service::ServiceError::NotFound)?;
    let staff = Staff {
        user_id: admin.id,
        username: admin.username,
        display_name: admin.display_name,
        grants: users::grants(store, admin.id).await?,
    };
    for g in 1..=8 {
        registry::create_group(store, &staff, community, g, &format!("第{g}居民小组")).await?;
    }
    let csv = demo_csv(2026, 700);
    let batch = import::preview(store, &staff, community, "demo.csv", csv.as_bytes()).await?;
    import::commit(store, &staff, batch, &|_, _| {}).await?;
    Ok(DemoAccounts { lines, community, staff })
}

/// Street admins must use two-step verification, so the demo enrols `admin` at once and
/// returns the lines to print: the key for an authenticator app, its otpauth URI, and how to
/// compute a code without a phone.
pub async fn enrol_admin(store: &Store, session_key: &[u8], accounts: &DemoAccounts) -> service::Result<String> {
    let secret = service::signin::enrol_directly(store, session_key, accounts.staff.user_id).await?;
    let key = service::totp::base32(&secret);
    let uri = service::totp::otpauth_uri(service::signin::ISSUER, &accounts.staff.username, &secret);
    Ok(format!(
        "admin signs in with a one-time code too (street admins must): add this key to an authenticator app\n\
         (Microsoft/Google Authenticator, FreeOTP…) or compute codes with `oathtool --totp -b {key}`:\n  \
         TOTP key {key}\n  {uri}\n"
    ))
}

/// A generated password for `huanjie user add` without `HUANJIE_PASSWORD`.
pub fn password_for_cli() -> String {
    password()
}

/// What the demo prints about its polling election.
pub struct PollingDemo {
    pub election: i64,
    /// (name, voting code) of a few voters, to vote from a phone at once.
    pub codes: Vec<(String, String)>,
    /// The end-to-end key ceremony the demo ran for its three trustees (issue 18 item 7).
    pub trustees: DemoTrustees,
}

/// The demo's second election, in a second community (和平社区, ~300 residents): its list was
/// published 30 days ago, its candidates 10 days ago, and today is its election day, so polls
/// are open on every channel — remote as the labelled pilot (LAW.md §6). The earlier steps run
/// through the real services on a rehearsal clock (`clock::Clock`), so every deadline check of
/// the law engine is applied as on those days.
pub async fn seed_polling_election(
    store: &Store,
    log: &crate::service::audit::LogIdentity,
    voting_code_key: &[u8],
    accounts: &DemoAccounts,
    trustees_dir: Option<&std::path::Path>,
) -> service::Result<PollingDemo> {
    use crate::domain::Station;
    use crate::service::elections::PlanInput;
    let staff = &accounts.staff;
    let street = crate::store::registry::community(store, accounts.community)
        .await?
        .map(|c| c.street_office_id)
        .unwrap_or_default();
    let sys = Actor::system("demo");
    let community = registry::create_community_as(store, &sys, street, "heping", "和平社区居民委员会").await?;
    for user in ["weiyuan", "clerk"] {
        if let Some(u) = users::by_username(store, user).await? {
            let role = if user == "clerk" { Role::Clerk } else { Role::Committee };
            accounts::grant_role(
                store,
                staff,
                u.id,
                Grant { role, scope: Scope { kind: ScopeKind::Community, id: community } },
            )
            .await?;
        }
    }
    registry::create_group(store, staff, community, 1, "第1居民小组").await?;
    let csv: String = demo_csv(1949, 100)
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 0 { format!("{l}\n") } else { format!("{}\n", one_group(l)) })
        .collect();
    let batch = import::preview(store, staff, community, "heping.csv", csv.as_bytes()).await?;
    import::commit(store, staff, batch, &|_, _| {}).await?;

    let day = crate::clock::real_today();
    let rehearsal = crate::clock::Clock::default();
    rehearsal.set(Some(day - time::Duration::days(30)));
    let plan = PlanInput {
        method: "direct".into(),
        seats_chair: 1,
        seats_vice_chair: 1,
        seats_member: 3,
        profile: "national".into(),
        election_day: day.to_string(),
        channels: ["paper", "mobile_box", "proxy", "booth", "remote"].map(String::from).to_vec(),
        remote_legal_basis: "演示：街道办事处批准的远程投票试点方案（非真实法律依据）".into(),
        stations: vec![Station {
            name: "和平社区活动室投票站".into(),
            mobile: false,
            supervisors: vec!["吴建华".into(), "郑美玲".into(), "冯国庆".into()],
        }],
    };
    let id = rehearsal
        .scope(async {
            let id =
                service::elections::open(store, staff, community, "2026", crate::domain::ElectionKind::Regular, &plan)
                    .await?;
            service::elections::start_registration(store, log, staff, id).await?;
            service::voters::register(store, staff, id).await?;
            service::voters::publish_list(store, log, staff, id).await?;
            service::nominations::open(store, log, staff, id).await?;
            service::Result::Ok(id)
        })
        .await?;
    let roll = crate::store::elections::roll(store, id).await?;
    let ids: Vec<i64> = roll.iter().map(|v| v.resident_id).collect();
    if ids.len() < 40 {
        return Err(service::ServiceError::Internal("demo community too small".into()));
    }
    rehearsal.set(Some(day - time::Duration::days(10)));
    rehearsal
        .scope(async {
            for (k, post) in ["chair", "chair", "vice_chair", "vice_chair", "member", "member", "member", "member"]
                .iter()
                .enumerate()
            {
                let nominators: Vec<i64> = ids[10 + (k % 2) * 12..20 + (k % 2) * 12].to_vec();
                let nid =
                    service::nominations::nominate(store, staff, id, post, ids[k], "joint_voters", &nominators).await?;
                service::nominations::consent(store, staff, nid).await?;
                service::nominations::review(store, staff, nid, true, "").await?;
                let statement = format!("{}：关心老人和儿童，办好社区食堂，定期公开居委会账目。", roll[k].name);
                service::polling::set_statement(store, staff, nid, &statement, None).await?;
            }
            service::nominations::publish(store, log, staff, id).await?;
            service::Result::Ok(())
        })
        .await?;
    // The election committee (three voters who are neither candidates nor nominators) makes the
    // election key: the polling election is end-to-end (issue 18).
    let trustees = demo_ceremony(store, log, staff, id, &ids[35..38], trustees_dir).await?;
    let cards = service::voters::issue_cards(store, &log.name, voting_code_key, staff, id, None).await?;
    service::polling::open_polls(store, log, staff, id).await?;
    let codes = cards.iter().skip(40).take(5).map(|c| (c.name.clone(), c.code.clone())).collect();
    Ok(PollingDemo { election: id, codes, trustees })
}

/// Puts a demo CSV row into residents' group 1 (the small community has one group).
fn one_group(line: &str) -> String {
    let mut cols: Vec<&str> = line.split(',').collect();
    if cols.len() > 7 {
        cols[7] = "1";
    }
    cols.join(",")
}

/// The demo's three trustees (issue 18 item 7): what the banner prints and where their state
/// files are.
pub struct DemoTrustees {
    pub fingerprint: String,
    pub k: u32,
    /// (trustee number, name, token, state file) per trustee.
    pub trustees: Vec<(u32, String, String, Option<std::path::PathBuf>)>,
    /// The passphrase of the demo's state files (a demo: printed; a real trustee chooses one).
    pub passphrase: String,
    /// The trustees' states, for the demo and the tests to run the mix and the decryption.
    pub states: Vec<crate::trustee::TrusteeState>,
}

/// The demo's election committee and its key ceremony, run by the demo ON BEHALF of three demo
/// trustees (docs/e2e.md §4; the log's entries say `trustee-1` … as for real trustees, and the
/// banner says the demo ran their steps). Three residents not on the candidate list serve on the
/// committee (LAW.md §2 [N]: no candidate serves); any two of them decrypt (k = 2). Their state
/// files, sealed with `passphrase`, are written to `dir` so that a newcomer can run `huanjie
/// trustee …` as each of them.
pub async fn demo_ceremony(
    store: &Store,
    log: &crate::service::audit::LogIdentity,
    staff: &Staff,
    id: i64,
    members: &[i64],
    dir: Option<&std::path::Path>,
) -> service::Result<DemoTrustees> {
    use crate::service::ceremony;
    let internal = |e: String| service::ServiceError::Internal(format!("demo trustee: {e}"));
    for (i, r) in members.iter().enumerate() {
        service::committee::add_member(store, staff, id, *r, if i == 0 { "chair" } else { "member" }, "").await?;
    }
    let opened = ceremony::open(store, log, staff, id, Some(2)).await?;
    let mut rng = rand::rng();
    let board = ceremony::board(store, &log.name, id).await?;
    let mut states = Vec::new();
    for t in &opened.trustees {
        let (st, key) = crate::trustee::key_step(&mut rng, &board, t.trustee);
        ceremony::post_key(store, log, id, &t.token, &key).await?;
        states.push(st);
    }
    let board = ceremony::board(store, &log.name, id).await?;
    for (t, st) in opened.trustees.iter().zip(states.iter_mut()) {
        let m = crate::trustee::deal_step(&mut rng, &board, st).map_err(internal)?;
        ceremony::post_dealing(store, log, id, &t.token, &m).await?;
    }
    let board = ceremony::board(store, &log.name, id).await?;
    for (t, st) in opened.trustees.iter().zip(states.iter_mut()) {
        let m = crate::trustee::check_step(&mut rng, &board, st).map_err(internal)?;
        ceremony::post_check(store, log, id, &t.token, &m).await?;
    }
    let board = ceremony::board(store, &log.name, id).await?;
    let passphrase = "huanjie-demo-trustee".to_string();
    let mut fingerprint = String::new();
    let mut trustees = Vec::new();
    if let Some(d) = dir {
        std::fs::create_dir_all(d).map_err(|e| internal(e.to_string()))?;
    }
    for (t, st) in opened.trustees.iter().zip(states.iter_mut()) {
        fingerprint = crate::trustee::finish_step(&board, st).map_err(internal)?;
        let file = match dir {
            Some(d) => {
                let path = d.join(format!("trustee-{}.json", t.trustee));
                let sealed = crate::trustee::seal(st, &passphrase).map_err(internal)?;
                std::fs::write(&path, sealed).map_err(|e| internal(e.to_string()))?;
                Some(path)
            }
            None => None,
        };
        trustees.push((t.trustee, t.name.clone(), t.token.clone(), file));
    }
    Ok(DemoTrustees { fingerprint, k: opened.k, trustees, passphrase, states })
}
