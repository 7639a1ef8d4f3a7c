//! Issue 13 items 7 and 8, the staff journeys: every irreversible step asks first (a page that
//! works without JavaScript) and says what it did afterwards; a refused form keeps what was
//! typed; the paper double-entry page shows both passes as names side by side, flags only the
//! marks that differ, never a ballot with one pass so far, and does not offer the second pass
//! to the clerk of the first (LAW.md §6 [P], double entry by two clerks). Plain HTTP on both
//! databases, and Chromium at 390×844 in Chinese and English.

use axum::http::StatusCode as S;
use fantoccini::Locator;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Client, K, PASSWORD, R, TestApp, id_number};
use crate::polling::{Polling, STATION, cast, ready};

async fn stage(app: &TestApp, id: i64, stage: &str) -> bool {
    app.count(&format!("SELECT COUNT(*) FROM elections WHERE id = {id} AND stage = '{stage}'")).await == 1
}

/// A hidden field of the confirm page's form.
fn hidden(name: &str, value: &str) -> String {
    format!("<input type=\"hidden\" name=\"{name}\" value=\"{value}\">")
}

/// An election in registration with three voters registered; (id, committee, street admin).
async fn registering(app: &TestApp, code: &str) -> (i64, Client, Client) {
    app.state.clock.set(None);
    let day = huanjie::clock::real_today() + time::Duration::days(40);
    let street = app.street(&format!("{code}-s")).await;
    let c = app.community(street, code).await;
    app.user(&format!("{code}-admin"), R::StreetAdmin, K::StreetOffice, street).await;
    app.user(&format!("{code}-wy"), R::Committee, K::Community, c).await;
    let mut admin = app.login(&format!("{code}-admin")).await;
    let mut committee = app.login(&format!("{code}-wy")).await;
    for (i, name) in ["钱一", "孙二", "李三"].iter().enumerate() {
        let body = json!({"name": name, "id_number": id_number("1970-01-01", 201 + 2 * i as u32), "hukou_here": "是",
                          "months_resident": "100"});
        let (st, b) = admin.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let plan = json!({"round": "2026", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
        "profile": "national", "election_day": day.to_string(), "channels": ["paper"],
        "stations": [{"name": STATION, "supervisors": ["甲", "乙", "丙"]}]});
    let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/elections"), &plan).await;
    assert_eq!(st, S::OK, "{r}");
    let id = r["id"].as_i64().unwrap();
    for step in ["registration/start", "voters/register"] {
        let (st, b) = committee.api_post_empty(&format!("/api/v1/elections/{id}/{step}")).await;
        assert_eq!(st, S::OK, "{b}");
    }
    (id, committee, admin)
}

/// Item 7: publishing the voter list without the confirmation changes nothing and shows the
/// confirm page (in the user's language); with it, the list is published and the page says so.
async fn publishing_the_voter_list_asks_first_then_says_what_happened(app: TestApp) {
    let (id, mut committee, _) = registering(&app, "jp").await;
    let path = format!("/staff/elections/{id}/action");
    let r = committee.form(&path, &[("action", "publish")]).await;
    assert_eq!(r.status, S::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("确认公布选民名单？") && html.contains("此操作不能撤销"), "{html}");
    assert!(html.contains(&hidden("action", "publish")) && html.contains(&hidden("confirm", "1")), "{html}");
    assert!(html.contains(&format!("action=\"{path}\"")), "the confirm button posts the real action: {html}");
    assert!(html.contains(&format!("href=\"/staff/elections/{id}\"")), "[返回] leads back: {html}");
    assert!(stage(&app, id, "registration").await, "nothing changed before the confirmation");
    // The same in English.
    committee.lang = "en";
    let html = committee.form(&path, &[("action", "publish")]).await.text();
    assert!(html.contains("Publish the voter list?") && html.contains("This cannot be undone."), "{html}");
    assert!(stage(&app, id, "registration").await);
    committee.lang = "zh-CN";
    // Confirmed: published, and the page after the redirect says what happened.
    let r = committee.form(&path, &[("action", "publish"), ("confirm", "1")]).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), format!("/staff/elections/{id}?done=publish"));
    assert!(stage(&app, id, "list_published").await);
    let page = committee.get(&r.location()).await.text();
    assert!(page.contains("选民名单已公布，异议期开始。"), "{page}");
    // A key the page does not know shows nothing, and cannot put text on the page.
    let page = committee.get(&format!("/staff/elections/{id}?done=%3Cb%3Ehi")).await.text();
    assert!(!page.contains("id=\"done\""), "{page}");
    // The JSON API has no confirmation step (programs call it): unchanged.
    let (st, _) = committee.api_post_empty(&format!("/api/v1/elections/{id}/nominations/open")).await;
    assert_eq!(st, S::OK);
}
both!(publishing_the_voter_list_asks_first_then_says_what_happened);

/// Item 7: opening and closing the polls, counting and certifying each ask first; without the
/// confirmation the stage (in SQL) stays; with it the step happens and the page says so.
async fn polls_count_and_certify_ask_first_then_say_what_happened(app: TestApp) {
    let mut p = ready(&app, "jo").await;
    let id = p.id;
    let c = &mut p.committee;
    let r = c.form(&format!("/staff/elections/{id}/polling/open"), &[]).await;
    assert_eq!(r.status, S::OK);
    assert!(r.text().contains("确认开始投票？"), "{}", r.text());
    assert!(stage(&app, id, "candidates_published").await);
    let r = c.form(&format!("/staff/elections/{id}/polling/open"), &[("confirm", "1")]).await;
    assert_eq!(r.location(), format!("/staff/elections/{id}/polling?done=opened"));
    assert!(stage(&app, id, "polling").await);
    assert!(c.get(&r.location()).await.text().contains("投票已开始。"));
    // 13 of 24 vote (a quorum), every seat filled (a woman among any three members).
    let (ch, vc, m) = (&p.cands["chair"], &p.cands["vice_chair"], &p.cands["member"]);
    let ballot = json!({"chair": [ch[0]], "vice_chair": [vc[0]], "member": [m[0], m[1], m[2]]});
    for v in &p.voters[0..13] {
        let (st, b) = cast(&app, id, &p.codes[v], &ballot).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    let c = &mut p.committee;
    let r = c.form(&format!("/staff/elections/{id}/polling/close"), &[]).await;
    assert!(r.text().contains("确认结束投票？"), "{}", r.text());
    assert!(stage(&app, id, "polling").await);
    let r = c.form(&format!("/staff/elections/{id}/polling/close"), &[("confirm", "1")]).await;
    assert!(stage(&app, id, "counting").await);
    assert!(c.get(&r.location()).await.text().contains("投票已结束，票箱已封存。"));
    // The count: no row in `counts` until confirmed.
    let counts = format!("SELECT COUNT(*) FROM counts WHERE election_id = {id}");
    let path = format!("/staff/elections/{id}/results/action");
    let r = c.form(&path, &[("action", "count")]).await;
    assert!(r.text().contains("确认计票并公布结果？") && r.text().contains(&hidden("action", "count")));
    assert_eq!(app.count(&counts).await, 0);
    let r = c.form(&path, &[("action", "count"), ("confirm", "1")]).await;
    assert_eq!(r.location(), format!("/staff/elections/{id}/results?done=count"));
    assert_eq!(app.count(&counts).await, 1);
    assert!(c.get(&r.location()).await.text().contains("计票完成，结果已公布。"));
    // Voiding repeats the typed reason before it is final.
    let r = c.form(&path, &[("action", "void_election"), ("reason", "bribery")]).await;
    let html = r.text();
    assert!(html.contains("确认宣布本次选举无效？") && html.contains("理由：bribery"), "{html}");
    assert!(html.contains(&hidden("reason", "bribery")), "{html}");
    assert!(stage(&app, id, "counting").await);
    let r = c.form(&path, &[("action", "certify")]).await;
    assert!(r.text().contains("确认选举结果？"));
    assert!(stage(&app, id, "counting").await);
    let r = c.form(&path, &[("action", "certify"), ("confirm", "1")]).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    assert!(stage(&app, id, "certified").await);
    assert!(c.get(&r.location()).await.text().contains("选举结果已确认。"));
}
both!(polls_count_and_certify_ask_first_then_say_what_happened);

/// The paper box of [`ready`] closed with three ballots in pass 1 (clerk) and two in pass 2
/// (clerk2): ballot 1 read differently for chair, ballot 2 the same (a write-in), ballot 3
/// waiting for its second pass.
async fn entered_box(app: &TestApp, code: &str) -> Polling {
    let mut p = ready(app, code).await;
    let id = p.id;
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await.0, S::OK);
    for v in &p.voters[0..3] {
        let body = json!({"resident_id": v, "channel": "paper", "station": STATION});
        let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &body).await;
        assert_eq!(st, S::OK, "{b}");
    }
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await.0, S::OK);
    let (chair, members) = (p.cands["chair"].clone(), p.cands["member"].clone());
    let entry = |pass: i64, mut b: Value| {
        b["station"] = json!(STATION);
        b["pass"] = json!(pass);
        b
    };
    let path = format!("/api/v1/elections/{id}/paper/entries");
    let first = [
        json!({"chair": [chair[0]], "member": [members[0], members[1]]}),
        json!({"write_ins": {"member": ["赵三"]}}),
        json!({"chair": [chair[1]]}),
    ];
    for b in first {
        let (st, r) = p.clerk.api_post(&path, &entry(1, b)).await;
        assert_eq!(st, S::OK, "{r}");
    }
    // The second clerk ticks the members in the other order: the same ballot all the same.
    let second =
        [json!({"chair": [chair[1]], "member": [members[1], members[0]]}), json!({"write_ins": {"member": ["赵三"]}})];
    for b in second {
        let (st, r) = p.clerk2.api_post(&path, &entry(2, b)).await;
        assert_eq!(st, S::OK, "{r}");
    }
    p
}

/// The texts flagged as differing on a paper page.
fn flagged(html: &str) -> Vec<String> {
    html.split("<mark class=\"differs\">").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect()
}

/// The table row of ballot `n` on a paper page.
fn row(html: &str, n: usize) -> String {
    let at = html.find(&format!("id=\"ballot-{n}\"")).unwrap_or_else(|| panic!("no ballot {n}: {html}"));
    let start = html[..at].rfind("<tr").unwrap();
    html[start..].split("</tr>").next().unwrap().to_string()
}

/// Item 8: names side by side, only the differing marks flagged, a ballot with one pass only
/// is waiting (not a mismatch), and the clerk of pass 1 gets no pass-2 form (the service
/// refuses it: LAW.md §6 [P] `same_clerk_both_passes`), but the other clerk does.
async fn paper_page_shows_names_and_flags_only_what_differs(app: TestApp) {
    let mut p = entered_box(&app, "jd").await;
    let id = p.id;
    let url = |pass: i64| {
        format!("/staff/elections/{id}/paper?station={}&pass={pass}", huanjie::web::auth::urlencode(STATION))
    };
    let html = p.clerk2.get(&url(2)).await.text();
    let b1 = row(&html, 1);
    assert!(b1.contains("paper-differ") && b1.contains("不一致"), "{b1}");
    let mut marks = flagged(&b1);
    marks.sort();
    assert_eq!(marks, vec!["丁一".to_string(), "王一".to_string()], "only the two chair names: {b1}");
    assert!(b1.contains("主任：") && b1.contains("委员："), "{b1}");
    assert!(flagged(&html).len() == 2, "nothing else flagged: {html}");
    let b2 = row(&html, 2);
    assert!(b2.contains("paper-agree") && b2.contains("另选他人：赵三"), "{b2}");
    let b3 = row(&html, 3);
    assert!(b3.contains("paper-waiting") && b3.contains("尚未录入") && flagged(&b3).is_empty(), "{b3}");
    assert!(html.contains("两遍录入不一致的选票： #1 </p>"), "{html}");
    assert!(html.contains("id=\"paper-form\""), "the second clerk enters pass 2: {html}");
    // The API agrees: a mismatch at 1, 3 still to enter.
    let (_, cmp) = p
        .committee
        .api_get(&format!("/api/v1/elections/{id}/paper?station={}", huanjie::web::auth::urlencode(STATION)))
        .await;
    assert_eq!((cmp["mismatches"].clone(), cmp["pending"].clone()), (json!([1]), json!([3])), "{cmp}");
    // The clerk of pass 1 asks for pass 2: told why, and no form to fill and lose.
    let html = p.clerk.get(&url(2)).await.text();
    assert!(!html.contains("id=\"paper-form\""), "{html}");
    assert!(html.contains("第二遍须由另一位工作人员录入"), "{html}");
    assert!(html.contains(&format!("pass=1\">{}", "查看或更正我录入的第一遍")), "{html}");
    p.clerk.lang = "en";
    let html = p.clerk.get(&url(2)).await.text();
    assert!(html.contains("Another clerk must enter the second") && !html.contains("id=\"paper-form\""), "{html}");
    assert!(html.contains("Chair: ") && html.contains("Write-in: "), "names by post in English: {html}");
    // Their own pass stays open to them; the second clerk's pass 1 is not.
    assert!(p.clerk.get(&url(1)).await.text().contains("id=\"paper-form\""));
    let html = p.clerk2.get(&url(1)).await.text();
    assert!(html.contains("第一遍须由另一位工作人员录入") && !html.contains("id=\"paper-form\""), "{html}");
    // The service enforces it whatever the page offers.
    let r = p.clerk.form(&format!("/staff/elections/{id}/paper"), &[("station", STATION), ("pass", "2")]).await;
    assert_eq!(r.status, S::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM paper_entries WHERE election_id = {id} AND pass = 2")).await,
        2
    );
}
both!(paper_page_shows_names_and_flags_only_what_differs);

/// Item 7: a refused form shows the reason by the form and keeps what was typed: the election
/// plan, a nomination, a resident, a new staff account (never its password).
async fn refused_forms_keep_what_was_typed(app: TestApp) {
    let (id, mut committee, _admin) = registering(&app, "jk").await;
    let (_, e) = committee.api_get(&format!("/api/v1/elections/{id}")).await;
    let version = e["version"].to_string();
    let stations = "第九投票站 | 投票站 | 丁、戊、己\n流动票箱九 | 流动 | 甲、乙、丙";
    let r = committee
        .form(
            &format!("/staff/elections/{id}/plan"),
            &[
                ("version", &version),
                ("method", "direct"),
                ("seats_chair", "1"),
                ("seats_vice_chair", "1"),
                ("seats_member", "lots"),
                ("profile", "gansu-2025"),
                ("election_day", "2031-05-06"),
                ("channels", "paper"),
                ("remote_legal_basis", "回显测试批复"),
                ("stations", stations),
            ],
        )
        .await;
    assert_eq!(r.status, S::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(html.contains("id=\"form-error\""), "{html}");
    assert!(html.contains("value=\"lots\"") && html.contains("value=\"2031-05-06\""), "{html}");
    assert!(html.contains("回显测试批复") && html.contains("第九投票站") && html.contains("流动票箱九"), "{html}");
    assert!(html.contains("<option value=\"gansu-2025\" selected>"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM elections WHERE stations_json LIKE '%第九%'").await, 0);

    // A new election whose plan is refused: the community page again, the form open and filled.
    let c = app.count(&format!("SELECT community_id FROM elections WHERE id = {id}")).await;
    let mut admin_html = app.html_login("jk-admin").await;
    let r = admin_html
        .form(
            &format!("/staff/communities/{c}/elections"),
            &[
                ("round", "2031补"),
                ("method", "household"),
                ("seats_chair", "1"),
                ("seats_vice_chair", "x"),
                ("seats_member", "3"),
                ("profile", "national"),
                ("election_day", "2031-05-06"),
                ("stations", "第八投票站 | 投票站 | 丁、戊、己"),
            ],
        )
        .await;
    assert_eq!(r.status, S::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(html.contains("<details open>") && html.contains("id=\"form-error\""), "{html}");
    assert!(html.contains("value=\"2031补\"") && html.contains("第八投票站") && html.contains("value=\"x\""), "{html}");
    assert!(html.contains("<option value=\"household\" selected>"), "{html}");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM elections WHERE community_id = {c}")).await, 1);

    // A resident whose ID number is wrong: everything typed is still in the form.
    let r = admin_html
        .form(
            &format!("/staff/communities/{c}/residents"),
            &[("name", "欧阳回显"), ("id_number", "110105198503040000"), ("household_number", "0909")],
        )
        .await;
    assert_ne!(r.status, S::SEE_OTHER, "{}", r.text());
    let html = r.text();
    assert!(html.contains("id=\"form-error\"") && html.contains("value=\"欧阳回显\""), "{html}");
    assert!(html.contains("value=\"110105198503040000\"") && html.contains("0909"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM residents WHERE name = '欧阳回显'").await, 0);

    // A staff account with a bad user name: name and role kept, the password not.
    let r = admin_html
        .form(
            "/staff/users",
            &[
                ("username", "x"),
                ("display_name", "回显测试员"),
                ("password", "not-echoed-secret-42"),
                ("role", "observer"),
                ("scope", &format!("community:{c}")),
            ],
        )
        .await;
    assert_ne!(r.status, S::SEE_OTHER, "{}", r.text());
    let html = r.text();
    assert!(html.contains("id=\"form-error\"") && html.contains("value=\"回显测试员\""), "{html}");
    assert!(html.contains("<option value=\"observer\" selected>"), "{html}");
    assert!(!html.contains("not-echoed-secret-42"), "the password is never echoed");

    // A nomination with too few nominators, during nominations.
    let mut p = crate::polling::nominating(&app, "jn", "national", false).await;
    let nominators = format!("{}, {}", p.voters[1], p.voters[2]);
    let nominee = p.voters[4].to_string();
    let r = p
        .committee
        .form(
            &format!("/staff/elections/{}/action", p.id),
            &[
                ("action", "nominate"),
                ("position", "member"),
                ("resident_id", &nominee),
                ("route", "joint_voters"),
                ("nominators", &nominators),
            ],
        )
        .await;
    assert_ne!(r.status, S::SEE_OTHER, "{}", r.text());
    let html = r.text();
    assert!(html.contains("id=\"form-error\""), "{html}");
    assert!(
        html.contains(&format!("value=\"{nominators}\"")) && html.contains(&format!("value=\"{nominee}\"")),
        "{html}"
    );
    assert!(html.contains("<option value=\"member\" selected>"), "{html}");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM nominations WHERE election_id = {}", p.id)).await, 0);
}
both!(refused_forms_keep_what_was_typed);

/// A refused form shown again: the same page (not the error page: it has no `form-error`
/// box and no form), the reason in the box, and every value of `typed` still in the page.
fn kept(r: &crate::helpers::Resp, form: &str, typed: &[&str]) {
    assert!(r.status.is_client_error(), "{}: {} {}", form, r.status, r.text());
    let html = r.text();
    assert!(html.contains("id=\"form-error\"") && html.contains(form), "{form}: not the page again: {html}");
    for t in typed {
        assert!(html.contains(t), "{form}: lost {t}: {html}");
    }
}

/// A certified term (13 of 24 voted for the first candidates); the street admin is `<code>-admin`.
async fn certified(app: &TestApp, code: &str) -> Polling {
    let mut p = ready(app, code).await;
    let id = p.id;
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await.0, S::OK);
    let (ch, vc, m) = (&p.cands["chair"], &p.cands["vice_chair"], &p.cands["member"]);
    let ballot = json!({"chair": [ch[0]], "vice_chair": [vc[0]], "member": [m[0], m[1], m[2]]});
    for v in &p.voters[0..13] {
        let (st, b) = cast(app, id, &p.codes[v], &ballot).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    for step in ["polls/close", "count", "certify"] {
        let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/{step}")).await;
        assert_eq!(st, S::OK, "{step}: {b}");
    }
    p
}

/// Item 7 on the results page: voiding, a recall petition, a member leaving, a by-election and
/// a handover, each refused, show the page again with the reason by the form and what was typed.
async fn refused_results_forms_keep_what_was_typed(app: TestApp) {
    let app = &app;
    let mut p = certified(app, "jt").await;
    let id = p.id;
    let path = format!("/staff/elections/{id}/results/action");
    let void =
        [("action", "void_person"), ("reason", "forged_ballots"), ("nomination_id", "n999999"), ("confirm", "1")];
    let r = p.committee.form(&path, &void).await;
    kept(&r, "id=\"void-n\"", &["value=\"n999999\"", "<option value=\"forged_ballots\" selected>", "<details open>"]);
    assert!(stage(app, id, "certified").await);

    let mut admin = app.login("jt-admin").await;
    let member = p.cands["member"][0].clone();
    let signers = format!("{}, {}", p.voters[10], p.voters[11]);
    let recall = [
        ("action", "recall_open"),
        ("member_id", &member),
        ("reason", "回显罢免理由"),
        ("signers", &signers),
        ("election_day", "2031-07-08"),
    ];
    let r = admin.form(&path, &recall).await;
    let chosen = format!("<option value=\"{member}\" selected>");
    kept(&r, "id=\"rc-reasons\"", &["回显罢免理由", &signers, "value=\"2031-07-08\"", &chosen]);
    assert_eq!(app.count("SELECT COUNT(*) FROM elections WHERE kind = 'recall'").await, 0);

    let leaving = p.cands["member"][2].clone();
    let r = p.committee.form(&path, &[("action", "member_left"), ("member_id", &leaving), ("cause", "moved")]).await;
    kept(&r, "id=\"vl-cause\"", &[&format!("<option value=\"{leaving}\" selected>")]);
    let left = [("action", "member_left"), ("member_id", &leaving), ("cause", "death")];
    assert_eq!(p.committee.form(&path, &left).await.status, S::SEE_OTHER);
    let r = admin.form(&path, &[("action", "byelection"), ("election_day", "2031-02-30")]).await;
    kept(&r, "id=\"by-day\"", &["value=\"2031-02-30\""]);
    assert_eq!(app.count("SELECT COUNT(*) FROM elections WHERE kind = 'by_election'").await, 0);

    // Handing over an item twice: the second is refused by the list, which is still there.
    let page = p.committee.get(&format!("/staff/elections/{id}/results")).await.text();
    let item = page.split("name=\"item\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_string();
    let handover = [("action", "handover"), ("item", item.as_str())];
    assert_eq!(p.committee.form(&path, &handover).await.status, S::SEE_OTHER);
    let r = p.committee.form(&path, &handover).await;
    assert_eq!(r.status, S::CONFLICT, "{}", r.text());
    kept(&r, "name=\"item\"", &[]);
}
both!(refused_results_forms_keep_what_was_typed);

/// Item 7 on the paper page: a ballot refused for a reason other than a double-entry mismatch
/// (a ballot number that does not exist) keeps the ballot as it was filled; a box whose passes
/// differ is refused by the acceptance form, which keeps what was typed.
async fn refused_paper_forms_keep_what_was_typed(app: TestApp) {
    let app = &app;
    let p = entered_box(app, "jw").await;
    let id = p.id;
    let chair = p.cands["chair"][0].clone();
    let mut clerk2 = p.clerk2;
    let entry = [
        ("station", STATION),
        ("pass", "2"),
        ("seq", "99"),
        ("chair", chair.as_str()),
        ("wi_member", "回显另选"),
        ("un_member", "2"),
    ];
    let r = clerk2.form(&format!("/staff/elections/{id}/paper"), &entry).await;
    let checked = format!("value=\"{chair}\" checked");
    kept(&r, "id=\"paper-form\"", &["value=\"99\"", &checked, "value=\"回显另选\"", "name=\"un_member\" value=\"2\""]);
    assert!(r.text().contains("<input type=\"hidden\" name=\"pass\" value=\"2\">"), "{}", r.text());
    let entries = format!("SELECT COUNT(*) FROM paper_entries WHERE election_id = {id} AND pass = 2");
    assert_eq!(app.count(&entries).await, 2);
    // Accepting a box whose passes differ: refused by the form, the spoiled count kept.
    let mut committee = p.committee;
    let accept = [("station", STATION), ("spoiled", "7")];
    let r = committee.form(&format!("/staff/elections/{id}/paper/accept"), &accept).await;
    kept(&r, "id=\"spoiled\"", &["name=\"spoiled\" value=\"7\""]);
}
both!(refused_paper_forms_keep_what_was_typed);

// ---- in Chromium, 390×844, both languages ----

/// Signs in through the login form (and the code step when the account has one).
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

/// The page does not scroll sideways at the window's width.
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

/// Item 7 on a phone: the committee opens the polls in Chinese (asked, goes back, nothing
/// happened; asked again, confirms, told) and closes them in English, without JavaScript
/// doing any of it (plain forms).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_steps_on_a_phone_in_both_languages() {
    let app = crate::browser::plain_http().await;
    let Some(br) = crate::browser::browser(&app, 390, 844).await else { return };
    let p = ready(&app, "jb").await;
    let id = p.id;
    let (b, base) = (&br.b, &br.base);
    b.goto(&format!("{base}/lang/zh")).await.unwrap();
    sign_in(&app, b, base, "jb-wy").await;
    let polling = format!("{base}/staff/elections/{id}/polling");
    b.goto(&polling).await.unwrap();
    b.find(Locator::Css("form[action$='/polling/open'] button")).await.unwrap().click().await.unwrap();
    let q = b.wait().for_element(Locator::Id("confirm-q")).await.unwrap().text().await.unwrap();
    assert_eq!(q, "确认开始投票？");
    assert!(b.source().await.unwrap().contains("此操作不能撤销"));
    fits(b, "confirm page (zh)").await;
    b.find(Locator::Id("confirm-back")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action$='/polling/open']")).await.unwrap();
    assert!(stage(&app, id, "candidates_published").await, "going back changed nothing");
    b.find(Locator::Css("form[action$='/polling/open'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Id("confirm-yes")).await.unwrap().click().await.unwrap();
    let done = b.wait().for_element(Locator::Css("p.notice[role=status]")).await.unwrap().text().await.unwrap();
    assert_eq!(done, "投票已开始。");
    assert!(stage(&app, id, "polling").await);
    fits(b, "polling page (zh)").await;

    b.goto(&format!("{base}/lang/en")).await.unwrap();
    b.goto(&polling).await.unwrap();
    b.find(Locator::Css("form[action$='/polling/close'] button")).await.unwrap().click().await.unwrap();
    let q = b.wait().for_element(Locator::Id("confirm-q")).await.unwrap().text().await.unwrap();
    assert_eq!(q, "Close the polls?");
    let back = b.find(Locator::Id("confirm-back")).await.unwrap().text().await.unwrap();
    assert_eq!(back, "Go back");
    fits(b, "confirm page (en)").await;
    assert!(stage(&app, id, "polling").await);
    b.find(Locator::Id("confirm-yes")).await.unwrap().click().await.unwrap();
    let done = b.wait().for_element(Locator::Css("p.notice[role=status]")).await.unwrap().text().await.unwrap();
    assert_eq!(done, "The polls are closed and the box is sealed.");
    assert!(stage(&app, id, "counting").await);
    crate::browser::close(b).await;
}

/// Item 8 on a phone, in both languages: the clerk of pass 1 opens pass 2 and is told another
/// clerk must enter it (no form); the two passes are names side by side with only the
/// differing chair marks flagged; the page fits the phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_double_entry_on_a_phone_in_both_languages() {
    let app = crate::browser::plain_http().await;
    let Some(br) = crate::browser::browser(&app, 390, 844).await else { return };
    let p = entered_box(&app, "jq").await;
    let id = p.id;
    let (b, base) = (&br.b, &br.base);
    b.goto(&format!("{base}/lang/zh")).await.unwrap();
    sign_in(&app, b, base, "jq-clerk").await;
    let url = |pass: i64| {
        format!("{base}/staff/elections/{id}/paper?station={}&pass={pass}", huanjie::web::auth::urlencode(STATION))
    };
    for (lang, blocked, differ, waiting) in [
        ("zh", "第二遍须由另一位工作人员录入", "不一致", "待录另一遍"),
        ("en", "Another clerk must enter the second", "Differ", "Other pass to come"),
    ] {
        b.goto(&format!("{base}/lang/{lang}")).await.unwrap();
        b.goto(&url(2)).await.unwrap();
        let why = b.wait().for_element(Locator::Id("blocked")).await.unwrap().text().await.unwrap();
        assert!(why.contains(blocked), "{lang}: {why}");
        assert!(b.find(Locator::Id("paper-form")).await.is_err(), "{lang}: no pass-2 form for the pass-1 clerk");
        let mut marks = Vec::new();
        for m in b.find_all(Locator::Css("mark.differs")).await.unwrap() {
            marks.push(m.text().await.unwrap());
        }
        assert_eq!(marks.len(), 2, "{lang}: {marks:?}");
        assert!(
            marks.iter().any(|m| m.starts_with("王一")) && marks.iter().any(|m| m.starts_with("丁一")),
            "{marks:?}"
        );
        let r1 = b.find(Locator::Css("#ballot-1")).await.unwrap().text().await.unwrap();
        assert!(r1.contains(differ), "{lang}: {r1}");
        let r3 = b.find(Locator::Css("#ballot-3")).await.unwrap();
        assert!(r3.text().await.unwrap().contains(waiting), "{lang}");
        assert!(r3.find(Locator::Css("mark")).await.is_err(), "{lang}: a ballot with one pass is not flagged");
        fits(b, &format!("paper page ({lang})")).await;
        // Their own pass has the form.
        b.goto(&url(1)).await.unwrap();
        b.wait().for_element(Locator::Id("paper-form")).await.unwrap();
        fits(b, &format!("paper entry form ({lang})")).await;
    }
    crate::browser::close(b).await;
}
