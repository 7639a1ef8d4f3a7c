//! Issue 16, the missing rules, end to end through the API on both databases, each written as
//! a scenario over days with the app's clock: incapacity (LAW.md §3 [N?]), absentees (§3 [P]),
//! complaints (§8 [P, CQ Art. 33]), the re-run and handover deadlines from the profile (§8 [P,
//! CQ Art. 35/36]), and the purge of a finished term's personal data (PIPL).

use axum::http::StatusCode as S;
use serde_json::{Value, json};
use time::Duration;

use crate::both;
use crate::helpers::{Client, K, R, TestApp, id_number};
use crate::polling::{Polling, cast, ready_with};

/// Every entry of an election's log, as the public (or `c`) reads it.
async fn log_entries(c: &mut Client, id: i64) -> Vec<Value> {
    let (st, b) = c.api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    assert_eq!(st, S::OK, "{b}");
    b["entries"].as_array().unwrap().iter().map(|e| e["entry"].clone()).collect()
}

fn of_type<'a>(entries: &'a [Value], ty: &str) -> Vec<&'a Value> {
    entries.iter().filter(|e| e["type"] == json!(ty)).collect()
}

async fn open_polls(p: &mut Polling) {
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{}/polls/open", p.id)).await;
    assert_eq!(st, S::OK, "{b}");
}

async fn votes(app: &TestApp, p: &Polling, who: &[i64], ballot: &Value) {
    for v in who {
        let (st, b) = cast(app, p.id, &p.codes[v], ballot).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
}

async fn close_and_count(p: &mut Polling) -> Value {
    let id = p.id;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    r
}

fn winning_ballot(p: &Polling) -> Value {
    let c = |post: &str, i: usize| p.cands[post][i].clone();
    json!({"chair": [c("chair", 0)], "vice_chair": [c("vice_chair", 0)], "member": [c("member", 0), c("member", 1), c("member", 2)]})
}

fn profile(extra: &str) -> String {
    format!("name = \"issue16\"\nversion = \"1\"\n{extra}")
}

/// LAW.md §3 [N?]: a resident the committee confirmed unable to exercise the right to vote is
/// not registered; the confirmation's basis (a health fact) is on no public page and in no log
/// entry, and only the committee reads it.
async fn incapacity_confirmed_by_the_committee_law_3_n(app: TestApp) {
    let street = app.street("inc-s").await;
    let c = app.community(street, "inc").await;
    app.user("inc-admin", R::StreetAdmin, K::StreetOffice, street).await;
    app.user("inc-wy", R::Committee, K::Community, c).await;
    app.user("inc-obs", R::Observer, K::Community, c).await;
    let mut admin = app.login("inc-admin").await;
    let mut committee = app.login("inc-wy").await;
    let mut observer = app.login("inc-obs").await;
    let day = huanjie::clock::real_today() + Duration::days(40);
    let mut ids = Vec::new();
    for (i, name) in ["王一明", "李二明", "张三明"].iter().enumerate() {
        let birth = day.replace_year(day.year() - 40 - i as i32).unwrap();
        let body = json!({"name": name, "id_number": id_number(&birth.to_string(), 31 + 2 * i as u32),
                          "hukou_here": "是", "months_resident": "100"});
        let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
        assert_eq!(st, S::OK, "{r}");
        ids.push(r["id"].as_i64().unwrap());
    }
    let plan = json!({"round": "2026", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
                      "profile": "national", "election_day": day.to_string(), "channels": ["paper"]});
    let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/elections"), &plan).await;
    assert_eq!(st, S::OK, "{r}");
    let id = r["id"].as_i64().unwrap();
    assert_eq!(committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await.0, S::OK);
    let basis = "精神分裂症，区精神卫生中心诊断证明";
    let (st, b) = committee
        .api_post(&format!("/api/v1/elections/{id}/incapacity"), &json!({"resident_id": ids[1], "basis": basis}))
        .await;
    assert_eq!(st, S::OK, "{b}");
    // Twice is refused; an observer may neither confirm nor read.
    let (st, _) = committee
        .api_post(&format!("/api/v1/elections/{id}/incapacity"), &json!({"resident_id": ids[1], "basis": basis}))
        .await;
    assert_eq!(st, S::CONFLICT);
    let (st, _) = observer
        .api_post(&format!("/api/v1/elections/{id}/incapacity"), &json!({"resident_id": ids[2], "basis": "x"}))
        .await;
    assert_eq!(st, S::FORBIDDEN);
    assert_eq!(observer.api_get(&format!("/api/v1/elections/{id}/incapacity")).await.0, S::FORBIDDEN);
    let (st, list) = committee.api_get(&format!("/api/v1/elections/{id}/incapacity")).await;
    assert_eq!(st, S::OK);
    assert_eq!(list["confirmations"][0]["resident_id"], json!(ids[1]), "{list}");
    assert_eq!(list["confirmations"][0]["basis"], json!(basis));
    // The law engine refuses the resident at registration (RefusalCode::IncapacityConfirmed).
    let (st, report) = committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await;
    assert_eq!(st, S::OK, "{report}");
    assert_eq!(report["registered"], json!(2), "{report}");
    let refused = report["refused"].as_array().unwrap();
    assert!(
        refused.iter().any(|r| r["resident_id"] == json!(ids[1]) && r["code"] == json!("incapacity_confirmed")),
        "{report}"
    );
    let (st, b) = committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await;
    assert_eq!(st, S::OK, "{b}");
    // After publication the list changes only by objection or status change.
    let (st, b) = committee
        .api_post(&format!("/api/v1/elections/{id}/incapacity"), &json!({"resident_id": ids[2], "basis": "x"}))
        .await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("list_locked")), "{b}");
    // Public: the list has two voters; neither the page, the API nor the log holds the basis
    // or who was confirmed.
    let mut anon = app.client();
    let (_, public) = anon.api_get(&format!("/api/v1/public/elections/{id}")).await;
    assert_eq!(public["voters"].as_array().unwrap().len(), 2, "{public}");
    let page = anon.get(&format!("/public/elections/{id}")).await.text();
    let entries = log_entries(&mut anon, id).await;
    let confirmed = of_type(&entries, "incapacity.confirmed");
    assert_eq!(confirmed.len(), 1, "one entry says a confirmation was recorded");
    let payload = confirmed[0]["payload"].to_string();
    assert!(!payload.contains("resident"), "{payload}");
    for text in [public.to_string(), page, serde_json::to_string(&entries).unwrap()] {
        assert!(!text.contains("精神") && !text.contains("诊断"), "a health fact is public");
    }
}
both!(incapacity_confirmed_by_the_committee_law_3_n);

/// LAW.md §3 [P]: with `exclude_notified_absentees`, voters who notified in time leave the
/// turnout base: 11 ballots of 24 voters with 6 absentees is a valid election (11 > 18 / 2),
/// without the notices it would miss the quorum (11 ≤ 24 / 2).
async fn notified_absentees_leave_the_turnout_base_law_3_p(app: TestApp) {
    let toml = profile("[registration]\nexclude_notified_absentees = true\nabsentee_notice_days = 2\n");
    let mut p = ready_with(&app, "abs", &toml, false).await;
    let id = p.id;
    // Weeks before election day (ready_with left the clock on it).
    app.state.clock.set(Some(p.day - Duration::days(10)));
    let absent: Vec<i64> = p.voters[14..20].to_vec();
    let (_, before) = app.client().api_get(&format!("/api/v1/public/elections/{id}")).await;
    for (i, r) in absent.iter().enumerate() {
        let (st, b) =
            p.committee.api_post(&format!("/api/v1/elections/{id}/absentees"), &json!({"resident_id": r})).await;
        assert_eq!(st, S::OK, "{b}");
        assert_eq!(b["absentees"], json!(i + 1));
    }
    // One day before election day is too late (2 days' notice).
    app.state.clock.set(Some(p.day - Duration::days(1)));
    let (st, b) =
        p.committee.api_post(&format!("/api/v1/elections/{id}/absentees"), &json!({"resident_id": p.voters[20]})).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("absentee_notice_late")), "{b}");
    // Each notice re-publishes the list: its fingerprint commits to the absentees.
    let (_, after) = app.client().api_get(&format!("/api/v1/public/elections/{id}")).await;
    assert_ne!(after["election"]["list_sha256"], before["election"]["list_sha256"]);
    app.state.clock.set(Some(p.day));
    open_polls(&mut p).await;
    let ballot = winning_ballot(&p);
    votes(&app, &p, &p.voters[0..11], &ballot).await;
    let r = close_and_count(&mut p).await;
    assert_eq!(r["valid"], json!(true), "{r}");
    assert_eq!(r["notified_absentees_excluded"], json!(6), "{r}");
    let entries = log_entries(&mut app.client(), id).await;
    assert_eq!(of_type(&entries, "absence.notified").len(), 6);
    let republished = of_type(&entries, "voter_list.republished");
    assert_eq!(republished.last().unwrap()["payload"]["absentees"], json!(6));
    // `huanjie verify` recounts the same valid result from the published box and list.
    crate::counting::verify_record(&app, id, 1).await;
}
both!(notified_absentees_leave_the_turnout_base_law_3_p);

/// The option off (national default): the notice is refused, naming the rule.
async fn absentee_notices_need_the_profile_option_law_3_p(app: TestApp) {
    let mut p = ready_with(&app, "abn", "national", false).await;
    app.state.clock.set(Some(p.day - Duration::days(10)));
    let (st, b) = p
        .committee
        .api_post(&format!("/api/v1/elections/{}/absentees", p.id), &json!({"resident_id": p.voters[3]}))
        .await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("absentees_not_excluded")), "{b}");
}
both!(absentee_notices_need_the_profile_option_law_3_p);

/// LAW.md §8 [P, CQ Art. 33]: complaints answered in writing within 30 days; the list flags
/// the one still unanswered on day 31, and an answer after it is recorded as late. The
/// complainant's name and contact are in no log entry.
async fn complaints_answered_in_writing_within_30_days_law_8_p(app: TestApp) {
    let mut p = ready_with(&app, "cmp", "national", false).await;
    let id = p.id;
    let filed = p.day;
    let mut cids = Vec::new();
    for (who, subject) in [("赵投诉", "唱票时未公开展示选票"), ("钱投诉", "流动票箱未按时返回")]
    {
        let (st, b) = p
            .committee
            .api_post(
                &format!("/api/v1/elections/{id}/complaints"),
                &json!({"filed_by": who, "contact": "13800000000", "subject": subject}),
            )
            .await;
        assert_eq!(st, S::OK, "{b}");
        cids.push(b["id"].as_i64().unwrap());
    }
    app.state.clock.set(Some(filed + Duration::days(12)));
    let (st, a) = p
        .committee
        .api_post(&format!("/api/v1/complaints/{}/answer", cids[0]), &json!({"answer": "经查，唱票公开。"}))
        .await;
    assert_eq!(st, S::OK, "{a}");
    assert_eq!(a["overdue"], json!(false), "{a}");
    let (st, _) =
        p.committee.api_post(&format!("/api/v1/complaints/{}/answer", cids[0]), &json!({"answer": "再答"})).await;
    assert_eq!(st, S::CONFLICT, "answered once, in writing");
    // Day 30: not yet overdue; day 31: the unanswered one is.
    app.state.clock.set(Some(filed + Duration::days(30)));
    let (_, l) = p.committee.api_get(&format!("/api/v1/elections/{id}/complaints")).await;
    assert_eq!(l["overdue"], json!(0), "{l}");
    app.state.clock.set(Some(filed + Duration::days(31)));
    let (st, l) = p.committee.api_get(&format!("/api/v1/elections/{id}/complaints")).await;
    assert_eq!(st, S::OK);
    assert_eq!(l["overdue"], json!(1), "{l}");
    let flagged: Vec<i64> = l["complaints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["overdue"] == json!(true))
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(flagged, vec![cids[1]]);
    assert_eq!(l["complaints"][1]["answer_due"], json!((filed + Duration::days(30)).to_string()));
    let (st, a) =
        p.committee.api_post(&format!("/api/v1/complaints/{}/answer", cids[1]), &json!({"answer": "已整改"})).await;
    assert_eq!(st, S::OK, "{a}");
    let entries = log_entries(&mut p.committee, id).await;
    let answered = of_type(&entries, "complaint.answered");
    assert_eq!(
        answered.iter().map(|e| e["payload"]["late"].clone()).collect::<Vec<_>>(),
        vec![json!(false), json!(true)]
    );
    assert_eq!(of_type(&entries, "complaint.filed").len(), 2);
    let text = serde_json::to_string(&entries).unwrap();
    assert!(!text.contains("赵投诉") && !text.contains("13800000000"), "personal data in the log");
}
both!(complaints_answered_in_writing_within_30_days_law_8_p);

/// LAW.md §8 [N, P CQ Art. 36]: the handover deadline is `handover_days` (here 3) from the day
/// the result was announced: an item ticked 5 days after is late (it was "within 10 days of
/// election day" before).
async fn handover_deadline_from_the_profile_and_the_announced_result_law_8_p(app: TestApp) {
    let mut p = ready_with(&app, "hod", &profile("[deadlines]\nhandover_days = 3\n"), false).await;
    let id = p.id;
    open_polls(&mut p).await;
    let ballot = winning_ballot(&p);
    votes(&app, &p, &p.voters[0..14], &ballot).await;
    close_and_count(&mut p).await;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
    assert_eq!(st, S::OK, "{b}");
    app.state.clock.set(Some(p.day + Duration::days(2)));
    let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/handover"), &json!({"item": "seals"})).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(
        (b["late"].clone(), b["deadline"].clone()),
        (json!(false), json!((p.day + Duration::days(3)).to_string()))
    );
    app.state.clock.set(Some(p.day + Duration::days(5)));
    let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/handover"), &json!({"item": "premises"})).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(b["late"], json!(true), "{b}");
}
both!(handover_deadline_from_the_profile_and_the_announced_result_law_8_p);

/// LAW.md §8 [P, CQ Art. 35]: a void election is re-run within `rerun_days` (here 20).
async fn rerun_deadline_from_the_profile_law_8_p(app: TestApp) {
    let mut p = ready_with(&app, "rrd", &profile("[deadlines]\nrerun_days = 20\n"), false).await;
    let id = p.id;
    open_polls(&mut p).await;
    let ballot = winning_ballot(&p);
    votes(&app, &p, &p.voters[0..5], &ballot).await;
    let r = close_and_count(&mut p).await;
    assert_eq!(r["valid"], json!(false), "quorum missed: {r}");
    let entries = log_entries(&mut p.committee, id).await;
    let count = of_type(&entries, "count.announced");
    assert_eq!(count[0]["payload"]["rerun_by"], json!((p.day + Duration::days(20)).to_string()), "{:?}", count[0]);
}
both!(rerun_deadline_from_the_profile_law_8_p);

/// PIPL: a finished term's personal data is deleted or reduced after the retention period, as
/// an audited operator action; before it, refused. The masked lists and the record stay.
async fn personal_data_purged_after_the_retention_period(app: TestApp) {
    let mut p = ready_with(&app, "ret", "national", false).await;
    let id = p.id;
    let (st, b) = p
        .committee
        .api_post(
            &format!("/api/v1/elections/{id}/complaints"),
            &json!({"filed_by": "孙立人", "contact": "13900000000", "subject": "投票站开门晚"}),
        )
        .await;
    assert_eq!(st, S::OK, "{b}");
    open_polls(&mut p).await;
    let ballot = winning_ballot(&p);
    votes(&app, &p, &p.voters[0..14], &ballot).await;
    close_and_count(&mut p).await;
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await.0, S::OK);
    for item in ["seals", "premises", "equipment", "finances", "archives"] {
        let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/handover"), &json!({"item": item})).await;
        assert_eq!(st, S::OK, "{b}");
    }
    // Who wrote a ballot for whom (代写, LAW.md §6 [P]) is a health fact of the voter: as the
    // check-in stores it on the roll row.
    app.exec(&format!(
        "INSERT INTO assisted_ballots (election_id, round_no, resident_id, assisted_by) VALUES ({id}, 1, {}, {})",
        p.voters[0], p.voters[1]
    ))
    .await;
    let (_, public_before) = app.client().api_get(&format!("/api/v1/public/elections/{id}")).await;
    let store = app.store();
    let actor = huanjie::audit::Actor::system("cli");
    let retention = 365;
    let purge = |on| {
        app.state.clock.set(Some(on));
        app.state.clock.scope(huanjie::service::retention::purge(store, &actor, id, retention))
    };
    // The term runs 5 years from election day, then a year of retention.
    let due = p.day.replace_year(p.day.year() + 5).unwrap() + Duration::days(365);
    match purge(due - Duration::days(1)).await {
        Err(huanjie::service::ServiceError::Law { code, .. }) => assert_eq!(code, "retention_not_due"),
        other => panic!("purged before the retention period: {other:?}"),
    }
    let due_list = app.state.clock.scope(huanjie::service::retention::due(store, retention)).await.unwrap();
    assert!(!due_list.contains(&id));
    assert!(app.count(&format!("SELECT COUNT(*) FROM round_registrations WHERE election_id = {id}")).await > 0);
    assert!(
        app.count(&format!("SELECT COUNT(*) FROM voters WHERE election_id = {id} AND code_hash IS NOT NULL")).await > 0
    );
    app.state.clock.set(Some(due));
    let due_list = app.state.clock.scope(huanjie::service::retention::due(store, retention)).await.unwrap();
    assert_eq!(due_list, vec![id]);
    let report = purge(due).await.unwrap();
    assert_eq!(report.purged.complaints_erased, 1);
    assert_eq!(report.purged.proxy_reasons_erased, 1);
    assert_eq!(report.purged.codes_erased, 24);
    assert_eq!(report.purged.assisted_ballots_erased, 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM assisted_ballots WHERE election_id = {id}")).await, 0);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM round_registrations WHERE election_id = {id}")).await, 0);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM voters WHERE election_id = {id} AND code_hash IS NOT NULL")).await,
        0
    );
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM proxies WHERE election_id = {id} AND reason <> ''")).await, 0);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM complaints WHERE election_id = {id} AND filed_by = '孙*人' AND contact = '*'"
        ))
        .await,
        1
    );
    // Once only; audited with counts, no personal data.
    assert!(matches!(purge(due).await, Err(huanjie::service::ServiceError::Conflict(_))));
    let entries = log_entries(&mut app.client(), id).await;
    let purged = of_type(&entries, "personal_data.purged");
    assert_eq!(purged.len(), 1);
    assert_eq!(purged[0]["role"], json!("system"));
    assert_eq!(purged[0]["payload"]["purged"]["codes_erased"], json!(24), "{:?}", purged[0]);
    // What the archive keeps: the published masked list and the results, unchanged.
    let (_, public_after) = app.client().api_get(&format!("/api/v1/public/elections/{id}")).await;
    assert_eq!(public_after["voters"], public_before["voters"]);
    let (st, res) = app.client().api_get(&format!("/api/v1/public/elections/{id}/results")).await;
    assert_eq!(st, S::OK);
    assert_eq!(res["results"]["elected"].as_array().unwrap().len(), 5, "{res}");
}
both!(personal_data_purged_after_the_retention_period);

/// LAW.md §8 [P, CQ Art. 34]: "no public count" and "not announced on the spot" are facts the
/// committee records, with their void effect. Recorded before the count, the box carries
/// `public_count: false` and the law engine voids the election (re-run deadline); recorded after
/// the count, certification is refused with the reasons. Both are logged.
async fn no_public_count_and_not_announced_on_spot_are_recorded_and_void_law_8_p(app: TestApp) {
    // Before the count.
    let mut p = ready_with(&app, "npc", "national", false).await;
    let id = p.id;
    open_polls(&mut p).await;
    let ballot = winning_ballot(&p);
    votes(&app, &p, &p.voters[0..14], &ballot).await;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    let path = format!("/api/v1/elections/{id}/count-conduct");
    let (st, b) = p.committee.api_post(&path, &json!({"finding": "no_public_count"})).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, _) = p.committee.api_post(&path, &json!({"finding": "no_public_count"})).await;
    assert_eq!(st, S::CONFLICT, "recorded once");
    let (st, _) = p.committee.api_post(&path, &json!({"finding": "rained"})).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!(r["valid"], json!(false), "{r}");
    assert!(r["void_reasons"].to_string().contains("no_public_count"), "{r}");
    let entries = log_entries(&mut p.committee, id).await;
    let rec = of_type(&entries, "count.conduct_recorded");
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0]["payload"]["finding"], json!("no_public_count"));
    assert!(of_type(&entries, "count.announced")[0]["payload"]["rerun_by"].is_string());
    // `huanjie verify` recounts the same void result from the published box.
    crate::counting::verify_record(&app, id, 1).await;

    // After the count: certification is refused.
    let mut q = ready_with(&app, "nas", "national", false).await;
    let id = q.id;
    open_polls(&mut q).await;
    let ballot = winning_ballot(&q);
    votes(&app, &q, &q.voters[0..14], &ballot).await;
    let r = close_and_count(&mut q).await;
    assert_eq!(r["valid"], json!(true), "{r}");
    let (st, b) = q
        .committee
        .api_post(&format!("/api/v1/elections/{id}/count-conduct"), &json!({"finding": "not_announced_on_spot"}))
        .await;
    assert_eq!(st, S::OK, "{b}");
    let (st, b) = q.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("count_void")), "{b}");
}
both!(no_public_count_and_not_announced_on_spot_are_recorded_and_void_law_8_p);

/// LAW.md §6 [P]: a ballot written for a voter (代写) is recorded on the voter's row of the
/// participation roll, with the resident who wrote it; never on the ballot nor in the log. The
/// writer is a resident of the community other than the voter, on a paper or mobile-box ballot.
async fn assisted_ballot_recorded_on_the_roll_row_law_6_p(app: TestApp) {
    let mut p = ready_with(&app, "asb", "national", false).await;
    let id = p.id;
    open_polls(&mut p).await;
    let path = format!("/api/v1/elections/{id}/checkin");
    let station = crate::polling::STATION;
    let (v, helper) = (p.voters[0], p.voters[1]);
    let (st, b) = p
        .clerk
        .api_post(&path, &json!({"resident_id": v, "channel": "paper", "station": station, "assisted_by": helper}))
        .await;
    assert_eq!(st, S::OK, "{b}");
    let (st, b) = p
        .clerk
        .api_post(
            &path,
            &json!({"resident_id": p.voters[2], "channel": "paper", "station": station, "assisted_by": p.voters[2]}),
        )
        .await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "the voter cannot be their own writer: {b}");
    let (st, b) =
        p.clerk.api_post(&path, &json!({"resident_id": p.voters[3], "channel": "paper", "station": station})).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, r) = p.committee.api_get(&format!("/api/v1/elections/{id}/participation")).await;
    assert_eq!(st, S::OK, "{r}");
    let roll = r["roll"].as_array().unwrap();
    assert_eq!(roll.len(), 2, "{r}");
    let row = |who: i64| roll.iter().find(|l| l["resident_id"] == json!(who)).unwrap().clone();
    assert_eq!(row(v)["assisted_by"], json!(helper), "{r}");
    assert_eq!(row(p.voters[3])["assisted_by"], Value::Null, "{r}");
    // The log says a ballot was issued, never to whom nor with whose help.
    let entries = log_entries(&mut p.committee, id).await;
    assert_eq!(of_type(&entries, "ballot.issued").len(), 2);
    for e in of_type(&entries, "ballot.issued") {
        let text = e["payload"].to_string();
        assert!(!text.contains("assisted") && !text.contains(&helper.to_string()), "{text}");
    }
}
both!(assisted_ballot_recorded_on_the_roll_row_law_6_p);

/// LAW.md §2 [P]: candidates and their near relatives may not be scrutineer (监票), caller (唱票)
/// or tallier (计票). Counting staff are residents of the community; naming a candidate or a
/// candidate's spouse is refused in the user's language; one named before becoming a
/// candidate's near relative (day 2) or a candidate (day 3) is removed by the same rule, with
/// an audit entry. Observers read the list with masked names.
async fn counting_staff_may_not_be_candidates_or_their_near_relatives_law_2_p(app: TestApp) {
    let mut p = crate::polling::nominating(&app, "cst", "national", false).await;
    let (id, v) = (p.id, p.voters.clone());
    let c = &mut p.committee;
    let path = format!("/api/v1/elections/{id}/counting-staff");
    let staff = |rid: i64, duty: &str| json!({"resident_id": rid, "duty": duty});
    let nominate = |post: &str, rid: i64| json!({"post": post, "nominee_id": rid, "route": "joint_voters", "nominators": &v[1..11]});
    let (st, b) = c.api_post(&format!("/api/v1/elections/{id}/nominations"), &nominate("chair", v[0])).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, b) = c
        .api_post(
            &format!("/api/v1/residents/{}/relatives", v[0]),
            &json!({"relative_id": v[12], "relation": "spouse"}),
        )
        .await;
    assert_eq!(st, S::OK, "{b}");
    // The candidate and the candidate's spouse are refused, in Chinese and in English.
    let (st, b) = c.api_post(&path, &staff(v[0], "caller")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("counting_staff_conflict")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("候选人及其近亲属不得担任"), "{b}");
    c.lang = "en";
    let (st, b) = c.api_post(&path, &staff(v[12], "tallier")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("counting_staff_conflict")), "{b}");
    assert!(b["message"].as_str().unwrap().contains("near relative may not be scrutineer"), "{b}");
    c.lang = "zh-CN";
    let (st, _) = c.api_post(&path, &staff(v[13], "counter")).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "not a duty of LAW.md §2");
    for (r, duty) in [(v[13], "scrutineer"), (v[14], "caller"), (v[15], "tallier")] {
        let (st, b) = c.api_post(&path, &staff(r, duty)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, _) = c.api_post(&path, &staff(v[15], "tallier")).await;
    assert_eq!(st, S::CONFLICT, "named once per duty");
    let status = |list: &Value, r: i64| {
        list["staff"].as_array().unwrap().iter().find(|s| s["resident_id"] == json!(r)).unwrap()["status"].clone()
    };
    // Day 2: the scrutineer is recorded as the candidate's sibling → removed.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(1)));
    let (st, b) = c
        .api_post(
            &format!("/api/v1/residents/{}/relatives", v[13]),
            &json!({"relative_id": v[0], "relation": "sibling"}),
        )
        .await;
    assert_eq!(st, S::OK, "{b}");
    let (_, list) = c.api_get(&path).await;
    assert_eq!((status(&list, v[13]), status(&list, v[14])), (json!("removed"), json!("serving")), "{list}");
    // Day 3: the caller is nominated for member → removed; the tallier serves on.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(2)));
    let (st, b) = c.api_post(&format!("/api/v1/elections/{id}/nominations"), &nominate("member", v[14])).await;
    assert_eq!(st, S::OK, "{b}");
    let (_, list) = c.api_get(&path).await;
    assert_eq!(
        (status(&list, v[13]), status(&list, v[14]), status(&list, v[15])),
        (json!("removed"), json!("removed"), json!("serving")),
        "{list}"
    );
    // Audited: three named, two removals, each naming the rule's cause.
    let entries = log_entries(c, id).await;
    assert_eq!(of_type(&entries, "counting_staff.named").len(), 3);
    let removed: Vec<(Value, Value)> = of_type(&entries, "counting_staff.removed")
        .iter()
        .map(|e| (e["payload"]["removed"][0]["resident_id"].clone(), e["payload"]["removed"][0]["cause"].clone()))
        .collect();
    assert_eq!(removed, vec![(json!(v[13]), json!("near_relative")), (json!(v[14]), json!("candidate"))]);
    // An observer reads the list with masked names; names are residents', not free text.
    let mut observer = app.login("cst-obs").await;
    let (st, list) = observer.api_get(&path).await;
    assert_eq!(st, S::OK, "{list}");
    let names: Vec<&str> = list["staff"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.iter().all(|n| n.contains('*')), "{list}");
    let (st, _) = observer.api_post(&path, &staff(v[16], "caller")).await;
    assert_eq!(st, S::FORBIDDEN);
    app.state.clock.set(None);
}
both!(counting_staff_may_not_be_candidates_or_their_near_relatives_law_2_p);

/// LAW.md §9 [N?]: loss of legal capacity ends an office. The committee records it as a cause
/// like the others (the vacancy with its filing and by-election deadlines, one `vacancy.arose`
/// entry) and the by-election fills it; the public log and what observers read say only that
/// the office ended by law — never the health fact.
async fn loss_of_legal_capacity_ends_an_office_law_9_n(app: TestApp) {
    let mut p = ready_with(&app, "llc", "national", false).await;
    let id = p.id;
    open_polls(&mut p).await;
    let ballot = winning_ballot(&p);
    votes(&app, &p, &p.voters[0..14], &ballot).await;
    close_and_count(&mut p).await;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
    assert_eq!(st, S::OK, "{b}");
    let member = p.cands["member"][0].clone();
    // A month later the court declares the member without legal capacity.
    app.state.clock.set(Some(p.day + Duration::days(30)));
    let path = format!("/api/v1/elections/{id}/vacancies");
    let (st, b) = p.committee.api_post(&path, &json!({"member_id": member, "cause": "illness"})).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "not a cause of LAW.md §9: {b}");
    let (st, b) = p.committee.api_post(&path, &json!({"member_id": member, "cause": "legal_capacity"})).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, b) = p.committee.api_post(&path, &json!({"member_id": member, "cause": "resignation"})).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "an office ends once: no longer in office: {b}");
    let (st, list) = p.committee.api_get(&path).await;
    assert_eq!(st, S::OK, "{list}");
    let v = &list["vacancies"][0];
    assert_eq!((v["member_id"].clone(), v["cause"].clone()), (json!(member), json!("legal_capacity")), "{list}");
    assert_eq!(v["arose_on"], json!((p.day + Duration::days(30)).to_string()));
    // The public log: the office ended by law, without its cause's details.
    let entries = log_entries(&mut app.client(), id).await;
    let arose = of_type(&entries, "vacancy.arose");
    assert_eq!(arose.len(), 1);
    assert_eq!(arose[0]["payload"]["cause"], json!("office_ended"), "{:?}", arose[0]);
    assert!(!serde_json::to_string(&entries).unwrap().contains("legal_capacity"));
    let mut observer = app.login("llc-obs").await;
    let (_, seen) = observer.api_get(&path).await;
    assert_eq!(seen["vacancies"][0]["cause"], json!("office_ended"), "{seen}");
    let page = app.client().get(&format!("/public/elections/{id}/results")).await.text();
    assert!(!page.contains("丧失行为能力") && !page.contains("legal_capacity"));
    // The street office opens the by-election for the vacancy.
    let mut admin = app.login("llc-admin").await;
    let by_day = p.day + Duration::days(70);
    let (st, b) = admin
        .api_post(&format!("/api/v1/elections/{id}/byelection"), &json!({"election_day": by_day.to_string()}))
        .await;
    assert_eq!(st, S::OK, "{b}");
    let (_, list) = p.committee.api_get(&path).await;
    assert!(list["vacancies"][0]["byelection_id"].is_i64(), "{list}");
    app.state.clock.set(None);
}
both!(loss_of_legal_capacity_ends_an_office_law_9_n);
