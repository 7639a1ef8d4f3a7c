//! Issue 16, the committee's record pages in the browser (no JavaScript, zh and en): the
//! counting staff (LAW.md §2 [P]), complaints and their written answers (LAW.md §8 [P, CQ Art.
//! 33]), the findings about how a round was counted (LAW.md §8 [P, CQ Art. 34]), assisted
//! ballots at the desk (代写, LAW.md §6 [P]) and the residents' group elections (LAW.md §4 [N
//! 2018, P], §10 [N 2018]). Plain HTTP forms on both databases, the state checked in SQL; and
//! one walk in Chromium at 390×844 in both languages.

use axum::http::StatusCode as S;
use fantoccini::Locator;
use serde_json::{Value, json};
use time::Duration;

use crate::both;
use crate::helpers::{Client, K, PASSWORD, R, TestApp, id_number};
use crate::polling::{STATION, cast, nominating, ready};

fn hidden(name: &str, value: &str) -> String {
    format!("<input type=\"hidden\" name=\"{name}\" value=\"{value}\">")
}

/// A refused form shown again: the page (with the form `form`), the reason box, the typed values.
fn kept(r: &crate::helpers::Resp, form: &str, typed: &[&str]) {
    assert!(r.status.is_client_error(), "{form}: {} {}", r.status, r.text());
    let html = r.text();
    assert!(html.contains("id=\"form-error\"") && html.contains(form), "{form}: not the page again: {html}");
    for t in typed {
        assert!(html.contains(t), "{form}: lost {t}: {html}");
    }
}

async fn log_types(c: &mut Client, id: i64) -> Vec<Value> {
    let (st, b) = c.api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    assert_eq!(st, S::OK, "{b}");
    b["entries"].as_array().unwrap().iter().map(|e| e["entry"].clone()).collect()
}

/// LAW.md §2 [P]: the counting staff page lists, names and relieves; a candidate is refused on
/// the page with what was typed kept; reachable from the election page, not for a clerk.
async fn counting_staff_page_names_refuses_and_relieves_law_2_p(app: TestApp) {
    let mut p = nominating(&app, "jcs", "national", false).await;
    let (id, v) = (p.id, p.voters.clone());
    let c = &mut p.committee;
    let nominate = json!({"post": "chair", "nominee_id": v[0], "route": "joint_voters", "nominators": &v[1..11]});
    let (st, b) = c.api_post(&format!("/api/v1/elections/{id}/nominations"), &nominate).await;
    assert_eq!(st, S::OK, "{b}");
    let path = format!("/staff/elections/{id}/counting-staff");
    let election = c.get(&format!("/staff/elections/{id}")).await.text();
    assert!(election.contains(&format!("href=\"{path}\"")), "linked from the election page: {election}");
    let page = c.get(&path).await;
    assert_eq!(page.status, S::OK);
    assert!(page.text().contains("id=\"staff-none\"") && page.text().contains(&hidden("action", "name")));
    // The candidate is refused on the page itself, the typed number and duty kept.
    let (cand, other) = (v[0].to_string(), v[13].to_string());
    let r = c.form(&path, &[("action", "name"), ("resident_id", &cand), ("duty", "caller")]).await;
    assert_eq!(r.status, S::UNPROCESSABLE_ENTITY);
    kept(&r, "staff-name", &["候选人及其近亲属不得担任", &format!("value=\"{cand}\""), "value=\"caller\" selected"]);
    let rows = format!("SELECT COUNT(*) FROM counting_staff WHERE election_id = {id}");
    assert_eq!(app.count(&rows).await, 0, "nothing named");
    // Named: the page says so and lists them.
    let r = c.form(&path, &[("action", "name"), ("resident_id", &other), ("duty", "scrutineer")]).await;
    assert_eq!((r.status, r.location()), (S::SEE_OTHER, format!("{path}?done=staff_named")), "{}", r.text());
    let page = c.get(&r.location()).await.text();
    assert!(page.contains("已确定计票工作人员。") && page.contains("监票人") && page.contains("在任"), "{page}");
    assert_eq!(app.count(&rows).await, 1);
    // Relieving needs a reason; refused, the number typed is kept.
    let r = c.form(&path, &[("action", "remove"), ("resident_id", &other), ("reason", "")]).await;
    kept(&r, "staff-remove", &[&format!("value=\"{other}\"")]);
    let r = c.form(&path, &[("action", "remove"), ("resident_id", &other), ("reason", "生病")]).await;
    assert_eq!(r.location(), format!("{path}?done=staff_removed"));
    let serving = format!("SELECT COUNT(*) FROM counting_staff WHERE election_id = {id} AND status = 'serving'");
    assert_eq!(app.count(&serving).await, 0);
    // One entry per step; the reason (the committee's) is not in the log.
    let entries = log_types(c, id).await;
    let removed: Vec<&Value> = entries.iter().filter(|e| e["type"] == "counting_staff.removed").collect();
    assert_eq!(removed.len(), 1, "{entries:?}");
    assert_eq!(removed[0]["payload"]["removed"][0]["cause"], json!("committee"), "{}", removed[0]);
    assert!(!removed[0].to_string().contains("生病"));
    // In English.
    c.lang = "en";
    let page = c.get(&path).await.text();
    assert!(page.contains("Scrutineers, callers and talliers") && page.contains("Relieved"), "{page}");
    // Without the CSRF token nothing happens; a clerk (who does not run it) has no page.
    let r = c.form_raw(&path, &format!("action=name&resident_id={}&duty=caller", v[14])).await;
    assert_eq!(r.status, S::FORBIDDEN);
    assert_eq!(app.count(&rows).await, 1);
    assert_ne!(p.clerk.get(&path).await.status, S::OK);
}
both!(counting_staff_page_names_refuses_and_relieves_law_2_p);

/// LAW.md §8 [P, CQ Art. 33]: a complaint is filed on the page (a refused one keeps what was
/// typed), its written answer asks first and is then recorded; 31 days on, an unanswered one is
/// flagged overdue.
async fn complaints_page_files_answers_and_flags_the_overdue_law_8_p(app: TestApp) {
    let mut p = nominating(&app, "jcp", "national", false).await;
    let id = p.id;
    let c = &mut p.committee;
    let path = format!("/staff/elections/{id}/complaints");
    assert!(c.get(&format!("/staff/elections/{id}")).await.text().contains(&format!("href=\"{path}\"")));
    let r = c
        .form(&path, &[("action", "file"), ("filed_by", ""), ("contact", "13800000000"), ("subject", "选民名单漏登")])
        .await;
    kept(&r, "complaint-file", &["13800000000", "选民名单漏登"]);
    let rows = format!("SELECT COUNT(*) FROM complaints WHERE election_id = {id}");
    assert_eq!(app.count(&rows).await, 0);
    for who in ["周甲", "吴乙"] {
        let r =
            c.form(&path, &[("action", "file"), ("filed_by", who), ("contact", ""), ("subject", "选民名单漏登")]).await;
        assert_eq!(r.location(), format!("{path}?done=complaint_filed"), "{}", r.text());
    }
    assert_eq!(app.count(&rows).await, 2);
    let first = app.count(&format!("SELECT MIN(id) FROM complaints WHERE election_id = {id}")).await.to_string();
    // The answer asks first: nothing recorded until confirmed.
    let fields = [("action", "answer"), ("complaint_id", first.as_str()), ("answer", "已核实并补登")];
    let r = c.form(&path, &fields).await;
    assert_eq!(r.status, S::OK);
    let html = r.text();
    assert!(html.contains("确认记录此书面答复？") && html.contains(&hidden("answer", "已核实并补登")), "{html}");
    let answered = format!("SELECT COUNT(*) FROM complaints WHERE election_id = {id} AND answered_on IS NOT NULL");
    assert_eq!(app.count(&answered).await, 0);
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm", "1"));
    let r = c.form(&path, &confirmed).await;
    assert_eq!(r.location(), format!("{path}?done=complaint_answered"));
    assert_eq!(app.count(&answered).await, 1);
    let page = c.get(&r.location()).await.text();
    assert!(
        page.contains("已记录书面答复。") && page.contains("已核实并补登") && !page.contains("id=\"overdue\""),
        "{page}"
    );
    // 31 days after filing the other one is overdue (answer within 30 days).
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(31)));
    let page = c.get(&path).await.text();
    assert!(page.contains("id=\"overdue\"") && page.contains("逾期"), "{page}");
    c.lang = "en";
    let page = c.get(&path).await.text();
    assert!(page.contains("Complaints and answers") && page.contains("Overdue"), "{page}");
    // The complainants' names are not in the log.
    let entries = log_types(c, id).await;
    assert!(!format!("{entries:?}").contains("周甲"));
}
both!(complaints_page_files_answers_and_flags_the_overdue_law_8_p);

/// LAW.md §8 [P, CQ Art. 34] and §6 [P]: the desk records an assisted ballot (代写) on the roll
/// row; after the close the committee records on its page that the count was not public
/// (asked first), and certification is then refused.
async fn count_findings_and_assisted_ballots_law_8_p_law_6_p(app: TestApp) {
    let mut p = ready(&app, "jcf").await;
    let id = p.id;
    let path = format!("/staff/elections/{id}/count-findings");
    assert_eq!(p.committee.get(&path).await.status, S::NOT_FOUND, "no findings before the close");
    let r = p.committee.form(&format!("/staff/elections/{id}/polling/open"), &[("confirm", "1")]).await;
    assert_eq!(r.status, S::SEE_OTHER);
    // 代写 at the desk: the field is on the check-in form; the writer goes on the roll row.
    let (voter, writer) = (p.voters[20], p.voters[19]);
    let desk =
        p.clerk.get(&format!("/staff/elections/{id}/polling?q={}", huanjie::web::auth::urlencode("刘三"))).await.text();
    assert!(desk.contains("name=\"assisted_by\""), "{desk}");
    let how = format!("paper|{STATION}|");
    let r = p
        .clerk
        .form(
            &format!("/staff/elections/{id}/checkin"),
            &[("resident_id", &voter.to_string()), ("how", &how), ("assisted_by", &writer.to_string())],
        )
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let assisted = format!(
        "SELECT COUNT(*) FROM assisted_ballots WHERE election_id = {id} AND resident_id = {voter} AND assisted_by = {writer}"
    );
    assert_eq!(app.count(&assisted).await, 1);
    let (ch, vc, m) = (&p.cands["chair"], &p.cands["vice_chair"], &p.cands["member"]);
    let ballot = json!({"chair": [ch[0]], "vice_chair": [vc[0]], "member": [m[0], m[1], m[2]]});
    for v in &p.voters[0..13] {
        let (st, b) = cast(&app, id, &p.codes[v], &ballot).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    let c = &mut p.committee;
    let r = c.form(&format!("/staff/elections/{id}/polling/close"), &[("confirm", "1")]).await;
    assert_eq!(r.status, S::SEE_OTHER);
    assert!(c.get(&format!("/staff/elections/{id}")).await.text().contains(&format!("href=\"{path}\"")));
    let rows = format!("SELECT COUNT(*) FROM count_conduct WHERE election_id = {id}");
    let r = c.form(&path, &[("finding", "no_public_count")]).await;
    assert!(r.text().contains("确认记录此计票情况？") && r.text().contains(&hidden("finding", "no_public_count")));
    assert_eq!(app.count(&rows).await, 0);
    let r = c.form(&path, &[("finding", "no_public_count"), ("confirm", "1")]).await;
    assert_eq!(r.location(), format!("{path}?done=finding"), "{}", r.text());
    assert_eq!(app.count(&rows).await, 1);
    let page = c.get(&r.location()).await.text();
    assert!(page.contains("未公开计票") && page.contains("本轮计票无效"), "{page}");
    // Recorded twice: refused on the page, the choice kept.
    let r = c.form(&path, &[("finding", "no_public_count"), ("confirm", "1")]).await;
    kept(&r, "id=\"finding\"", &["value=\"no_public_count\" selected"]);
    c.lang = "en";
    assert!(c.get(&path).await.text().contains("Not counted in public"));
}
both!(count_findings_and_assisted_ballots_law_8_p_law_6_p);

/// A main election by the representatives method with group 1 of three residents; (main id,
/// street admin, committee, group 1's residents, the group's day).
async fn representatives(app: &TestApp, code: &str) -> (i64, Client, Client, Vec<i64>, time::Date) {
    app.state.clock.set(None);
    let real = huanjie::clock::real_today();
    let (group_day, main_day) = (real + Duration::days(25), real + Duration::days(60));
    let street = app.street(&format!("{code}-s")).await;
    let c = app.community(street, code).await;
    app.user(&format!("{code}-admin"), R::StreetAdmin, K::StreetOffice, street).await;
    app.user(&format!("{code}-wy"), R::Committee, K::Community, c).await;
    let mut admin = app.login(&format!("{code}-admin")).await;
    let committee = app.login(&format!("{code}-wy")).await;
    let (st, b) =
        admin.api_post(&format!("/api/v1/communities/{c}/groups"), &json!({"number": 1, "name": "第1组"})).await;
    assert_eq!(st, S::OK, "{b}");
    let mut group = Vec::new();
    for i in 0..3u32 {
        let birth = main_day.replace_year(main_day.year() - 31 - i as i32).unwrap();
        let body = json!({"name": format!("组员{}", ["甲", "乙", "丙"][i as usize]), "id_number": id_number(&birth.to_string(), 500 + 2 * i),
                          "hukou_here": "是", "months_resident": "100", "group_number": "1"});
        let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
        assert_eq!(st, S::OK, "{r}");
        group.push(r["id"].as_i64().unwrap());
    }
    let plan = json!({"round": "2026", "method": "representatives", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
        "profile": "national", "election_day": main_day.to_string(), "channels": ["paper", "remote"],
        "remote_legal_basis": "区民政局试点批复（测试）", "stations": [{"name": STATION, "supervisors": ["丁", "戊", "己"]}]});
    let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/elections"), &plan).await;
    assert_eq!(st, S::OK, "{r}");
    (r["id"].as_i64().unwrap(), admin, committee, group, group_day)
}

/// LAW.md §4 [N 2018, P], §10 [N 2018]: the street office opens a group election on the page
/// (one seat is refused, what was typed kept); the committee publishes its roll, opens its
/// polls on its day, closes them, counts and certifies, each step asked first and then told;
/// the two elected are the group's representatives on the main election's page.
async fn group_elections_pages_walk_a_group_through_its_vote_law_4_p(app: TestApp) {
    let (main, mut admin, mut committee, g, day) = representatives(&app, "jge").await;
    let list = format!("/staff/elections/{main}/group-elections");
    assert!(committee.get(&format!("/staff/elections/{main}")).await.text().contains(&format!("href=\"{list}\"")));
    let page = admin.get(&list).await.text();
    assert!(page.contains("id=\"group-open\""), "{page}");
    assert!(!committee.get(&list).await.text().contains("id=\"group-open\""), "the street office opens them");
    let cands = format!("{}, {}, {}", g[0], g[1], g[2]);
    let (day_s, one) = (day.to_string(), "1");
    let r = admin
        .form(&list, &[("group_number", "1"), ("seats", one), ("candidates", &cands), ("election_day", &day_s)])
        .await;
    kept(&r, "group-open", &[&cands, &day_s, "value=\"1\""]);
    assert_eq!(app.count("SELECT COUNT(*) FROM group_elections").await, 0);
    let r = admin
        .form(&list, &[("group_number", "1"), ("seats", "2"), ("candidates", &cands), ("election_day", &day_s)])
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let gid = app.count(&format!("SELECT election_id FROM group_elections WHERE main_election_id = {main}")).await;
    assert_eq!(r.location(), format!("/staff/group-elections/{gid}?done=opened"));
    let gpage = format!("/staff/group-elections/{gid}");
    let step = format!("{gpage}/step");
    let stage = |s: &'static str| format!("SELECT COUNT(*) FROM elections WHERE id = {gid} AND stage = '{s}'");
    // Publish the roll: asked, then done.
    let r = committee.form(&step, &[("step", "publish_roll")]).await;
    assert!(r.text().contains("确认公布本居民小组的选民名单？"), "{}", r.text());
    assert_eq!(app.count(&stage("draft")).await, 1);
    let r = committee.form(&step, &[("step", "publish_roll"), ("confirm", "1")]).await;
    assert_eq!(r.location(), format!("{gpage}?done=publish_roll"), "{}", r.text());
    assert_eq!(app.count(&stage("list_published")).await, 1);
    assert!(committee.get(&r.location()).await.text().contains("本组选民名单已公布。"));
    let (st, cards) = committee.api_post(&format!("/api/v1/elections/{gid}/cards"), &json!({})).await;
    assert_eq!(st, S::OK, "{cards}");
    let code = |rid: i64| {
        cards["cards"].as_array().unwrap().iter().find(|c| c["resident_id"] == json!(rid)).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    app.state.clock.set(Some(day));
    let r = committee.form(&step, &[("step", "open_polls"), ("confirm", "1")]).await;
    assert_eq!(r.location(), format!("{gpage}?done=open_polls"), "{}", r.text());
    assert!(committee.get(&gpage).await.text().contains(&format!("href=\"/staff/elections/{gid}/polling\"")));
    for voter in [g[0], g[1]] {
        let (st, b) =
            cast(&app, gid, &code(voter), &json!({"member": [format!("g{}", g[0]), format!("g{}", g[1])]})).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    let r = committee.form(&format!("/staff/elections/{gid}/polling/close"), &[("confirm", "1")]).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let r = committee.form(&step, &[("step", "count")]).await;
    assert!(r.text().contains("确认进行本居民小组的计票？"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM group_counts WHERE election_id = {gid}")).await, 0);
    let r = committee.form(&step, &[("step", "count"), ("confirm", "1")]).await;
    assert_eq!(r.location(), format!("{gpage}?done=count"), "{}", r.text());
    let page = committee.get(&r.location()).await.text();
    assert!(page.contains("id=\"round-1\"") && page.contains("组员甲、组员乙"), "{page}");
    let r = committee.form(&step, &[("step", "certify"), ("confirm", "1")]).await;
    assert_eq!(r.location(), format!("{gpage}?done=certify"), "{}", r.text());
    assert_eq!(app.count(&stage("certified")).await, 1);
    let page = committee.get(&list).await.text();
    assert!(page.contains("组员甲") && page.contains("组员乙") && page.contains("小组推选产生"), "{page}");
    committee.lang = "en";
    let page = committee.get(&gpage).await.text();
    assert!(page.contains("Group election") && page.contains("Counted rounds"), "{page}");
}
both!(group_elections_pages_walk_a_group_through_its_vote_law_4_p);

// ---- in Chromium, 390×844, both languages ----

async fn sign_in(app: &TestApp, b: &fantoccini::Client, base: &str, username: &str) {
    b.goto(&format!("{base}/login")).await.unwrap();
    b.find(Locator::Id("username")).await.unwrap().send_keys(username).await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("form[action='/login'] button")).await.unwrap().click().await.unwrap();
    if let Some(code) = app.totp_code(username).await {
        b.wait().for_element(Locator::Id("code")).await.unwrap().send_keys(&code).await.unwrap();
        b.find(Locator::Css("form[action='/login/code'] button")).await.unwrap().click().await.unwrap();
    }
    b.wait().for_element(Locator::Css("form[action='/logout']")).await.unwrap();
}

async fn fits(b: &fantoccini::Client, what: &str) {
    let js = "const w = window.innerWidth; const wide = [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1 && !(e.parentElement && e.parentElement.closest('.scroll')))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
        return [document.documentElement.scrollWidth, w, wide.join('; ')];";
    let v = b.execute(js, vec![]).await.unwrap();
    let (w, inner) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
    assert_eq!(inner, 390, "{what}: the phone's width");
    assert!(w <= inner, "{what}: {w} px wide in a {inner} px window ({})", v[2]);
}

/// The new pages on a phone, in Chinese then English: each fits 390 px; a counting staff
/// member is named through the form and the page says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_pages_fit_a_phone_in_both_languages() {
    let app = crate::browser::plain_http().await;
    let Some(br) = crate::browser::browser(&app, 390, 844).await else { return };
    let (main, _, _, g, day) = representatives(&app, "jrb").await;
    let p = nominating(&app, "jrp", "national", false).await;
    let (b, base) = (&br.b, &br.base);
    b.goto(&format!("{base}/lang/zh")).await.unwrap();
    sign_in(&app, b, base, "jrp-wy").await;
    let id = p.id;
    b.goto(&format!("{base}/staff/elections/{id}/counting-staff")).await.unwrap();
    b.find(Locator::Id("cs-resident")).await.unwrap().send_keys(&p.voters[5].to_string()).await.unwrap();
    b.find(Locator::Css("#staff-name button")).await.unwrap().click().await.unwrap();
    let done = b.wait().for_element(Locator::Css("p.notice[role=status]")).await.unwrap().text().await.unwrap();
    assert_eq!(done, "已确定计票工作人员。");
    for (lang, title) in [("zh", "投诉与答复"), ("en", "Complaints and answers")] {
        b.goto(&format!("{base}/lang/{lang}")).await.unwrap();
        for page in ["counting-staff", "complaints"] {
            b.goto(&format!("{base}/staff/elections/{id}/{page}")).await.unwrap();
            fits(b, &format!("{page} ({lang})")).await;
        }
        assert!(b.source().await.unwrap().contains(title));
    }
    b.delete_all_cookies().await.unwrap();
    b.goto(&format!("{base}/lang/zh")).await.unwrap();
    sign_in(&app, b, base, "jrb-admin").await;
    for lang in ["zh", "en"] {
        b.goto(&format!("{base}/lang/{lang}")).await.unwrap();
        b.goto(&format!("{base}/staff/elections/{main}/group-elections")).await.unwrap();
        b.wait().for_element(Locator::Id("group-open")).await.unwrap();
        fits(b, &format!("group elections ({lang})")).await;
    }
    // The street office opens group 1's election through the form; its page fits too.
    let cands = format!("{},{}", g[0], g[1]);
    b.find(Locator::Id("g-candidates")).await.unwrap().send_keys(&cands).await.unwrap();
    let js = format!("document.getElementById('g-day').value = '{day}';");
    b.execute(&js, vec![]).await.unwrap();
    b.find(Locator::Css("#group-open button")).await.unwrap().click().await.unwrap();
    let done = b.wait().for_element(Locator::Css("p.notice[role=status]")).await.unwrap().text().await.unwrap();
    assert_eq!(done, "The group election is open.");
    fits(b, "group election (en)").await;
    let here = b.current_url().await.unwrap();
    assert!(here.path().starts_with("/staff/group-elections/"), "{here}");
    b.goto(&format!("{base}/lang/zh")).await.unwrap();
    b.goto(&format!("{base}{}", here.path())).await.unwrap();
    let stage = b.wait().for_element(Locator::Id("stage")).await.unwrap().text().await.unwrap();
    assert!(!stage.is_empty() && !stage.contains('?'), "{stage}");
    fits(b, "group election (zh)").await;
    crate::browser::close(b).await;
}
