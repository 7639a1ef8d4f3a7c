//! Issue 5 through the HTTP API on both databases: opening an election, the plan and its
//! deadlines, registration by the law engine, one place only, publication, objections, cards.

use axum::http::StatusCode as S;
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::both;
use crate::helpers::{Client, K, R, TestApp, id_number};

fn today() -> Date {
    huanjie::service::elections::today()
}

fn plan(day: Date) -> Value {
    json!({"round": "2026", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
           "profile": "national", "election_day": day.to_string(), "channels": ["paper", "booth"]})
}

struct World {
    street: i64,
    c: i64,
    admin: Client,
    committee: Client,
}

async fn world(app: &TestApp, code: &str) -> World {
    let street = app.street(&format!("{code}-s")).await;
    let c = app.community(street, code).await;
    app.user(&format!("{code}-admin"), R::StreetAdmin, K::StreetOffice, street).await;
    app.user(&format!("{code}-wy"), R::Committee, K::Community, c).await;
    let admin = app.login(&format!("{code}-admin")).await;
    let committee = app.login(&format!("{code}-wy")).await;
    World { street, c, admin, committee }
}

/// A resident born on `birth`, with overrides.
async fn resident(api: &mut Client, c: i64, name: &str, birth: Date, seq: u32, extra: Value) -> i64 {
    let mut body = json!({"name": name, "id_number": id_number(&birth.to_string(), seq), "hukou_here": "是", "months_resident": "100"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (st, r) = api.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
    assert_eq!(st, S::OK, "{r}");
    r["id"].as_i64().unwrap()
}

async fn open(w: &mut World, day: Date) -> i64 {
    let (st, r) = w.admin.api_post(&format!("/api/v1/communities/{}/elections", w.c), &plan(day)).await;
    assert_eq!(st, S::OK, "{r}");
    r["id"].as_i64().unwrap()
}

fn years_before(d: Date, years: i32) -> Date {
    d.replace_year(d.year() - years).unwrap_or(d)
}

async fn eligibility_edge_cases_by_the_law_engine(app: TestApp) {
    let mut w = world(&app, "elig").await;
    let day = today() + Duration::days(40);
    let c = w.c;
    let exactly_18 = resident(&mut w.admin, c, "满十八", years_before(day, 18), 11, json!({})).await;
    let one_day_short =
        resident(&mut w.admin, c, "差一天", years_before(day, 18) + Duration::days(1), 13, json!({})).await;
    let deprived =
        resident(&mut w.admin, c, "剥夺者", years_before(day, 40), 15, json!({"political_rights": "deprived"})).await;
    let nonlocal5 = resident(
        &mut w.admin,
        c,
        "住五月",
        years_before(day, 30),
        17,
        json!({"hukou_here": "否", "months_resident": "5"}),
    )
    .await;
    let nonlocal6 = resident(
        &mut w.admin,
        c,
        "住六月",
        years_before(day, 30),
        19,
        json!({"hukou_here": "否", "months_resident": "6"}),
    )
    .await;
    let worker = resident(
        &mut w.admin,
        c,
        "社工",
        years_before(day, 30),
        21,
        json!({"hukou_here": "否", "months_resident": "0", "community_worker": "是", "worker_months": "7"}),
    )
    .await;
    let id = open(&mut w, day).await;
    assert_eq!(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await.0, S::OK);
    // Non-local residents and workers must apply and be approved (LAW.md §3 [P]).
    for rid in [nonlocal5, nonlocal6, worker] {
        let (st, b) =
            w.committee.api_post(&format!("/api/v1/elections/{id}/applications"), &json!({"resident_id": rid})).await;
        assert_eq!(st, S::OK, "{b}");
        let (st, _) = w
            .committee
            .api_post(&format!("/api/v1/elections/{id}/applications/{rid}/decide"), &json!({"approve": true}))
            .await;
        assert_eq!(st, S::OK);
    }
    let (st, report) = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await;
    assert_eq!(st, S::OK, "{report}");
    let refused: Vec<(i64, String)> = report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["resident_id"].as_i64().unwrap(), r["code"].as_str().unwrap().to_string()))
        .collect();
    let (_, roll) = w.committee.api_get(&format!("/api/v1/elections/{id}/voters")).await;
    let on_roll: Vec<i64> =
        roll["voters"].as_array().unwrap().iter().map(|v| v["resident_id"].as_i64().unwrap()).collect();
    assert!(on_roll.contains(&exactly_18), "18 exactly on election day is a voter (LAW.md §3 [N])");
    assert!(refused.contains(&(one_day_short, "underage".into())), "{refused:?}");
    assert!(refused.contains(&(deprived, "deprived_of_political_rights".into())), "{refused:?}");
    assert!(
        refused.contains(&(nonlocal5, "residence_too_short".into())),
        "5 < 6 months (national profile) {refused:?}"
    );
    assert!(on_roll.contains(&nonlocal6) && on_roll.contains(&worker));
    assert_eq!(on_roll.len(), 3);
}
both!(eligibility_edge_cases_by_the_law_engine);

async fn one_place_only_across_communities_under_concurrency(app: TestApp) {
    let mut a = world(&app, "opa").await;
    let mut b = world(&app, "opb").await;
    let day = today() + Duration::days(40);
    // The same person (same ID number) appears in both registries.
    resident(&mut a.admin, a.c, "两处人", years_before(day, 50), 31, json!({})).await;
    resident(&mut b.admin, b.c, "两处人", years_before(day, 50), 31, json!({})).await;
    let ea = open(&mut a, day).await;
    let eb = open(&mut b, day).await;
    a.committee.api_post_empty(&format!("/api/v1/elections/{ea}/registration/start")).await;
    b.committee.api_post_empty(&format!("/api/v1/elections/{eb}/registration/start")).await;
    let pa = format!("/api/v1/elections/{ea}/voters/register");
    let pb = format!("/api/v1/elections/{eb}/voters/register");
    let (ra, rb) = tokio::join!(a.committee.api_post_empty(&pa), b.committee.api_post_empty(&pb));
    assert_eq!((ra.0, rb.0), (S::OK, S::OK));
    let total = ra.1["registered"].as_i64().unwrap() + rb.1["registered"].as_i64().unwrap();
    assert_eq!(total, 1, "registered in exactly one place: {} / {}", ra.1, rb.1);
    let loser = if ra.1["registered"] == json!(0) { &ra.1 } else { &rb.1 };
    assert_eq!(loser["refused"][0]["code"], json!("registered_elsewhere"));
    assert_eq!(app.count("SELECT COUNT(*) FROM round_registrations").await, 1);
}
both!(one_place_only_across_communities_under_concurrency);

async fn deadlines_plan_rules_and_frozen_plan(app: TestApp) {
    let mut w = world(&app, "dl").await;
    // Too late: the list would have to be published ≥ 20 days before a day 10 days away.
    let (st, body) =
        w.admin.api_post(&format!("/api/v1/communities/{}/elections", w.c), &plan(today() + Duration::days(10))).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], json!("deadline_voter_list_published"));
    assert!(body["rule"].as_str().unwrap().contains("§3"));
    // Committee size outside 5–9 (LAW.md §1 [P]); remote without a legal basis (LAW.md §6).
    let mut p = plan(today() + Duration::days(40));
    p["seats_member"] = json!(9);
    let (st, body) = w.admin.api_post(&format!("/api/v1/communities/{}/elections", w.c), &p).await;
    assert_eq!((st, body["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("seats_size")));
    let mut p = plan(today() + Duration::days(40));
    p["channels"] = json!(["paper", "remote"]);
    let (st, body) = w.admin.api_post(&format!("/api/v1/communities/{}/elections", w.c), &p).await;
    assert_eq!((st, body["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("remote_not_allowed")));
    // A mobile box needs ≥ 3 named supervisors (LAW.md §6 [P]).
    let mut p = plan(today() + Duration::days(40));
    p["stations"] = json!([{"name": "流动票箱一", "mobile": true, "supervisors": ["甲", "乙"]}]);
    let (st, body) = w.admin.api_post(&format!("/api/v1/communities/{}/elections", w.c), &p).await;
    assert_eq!((st, body["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("mobile_box_supervisors")));
    // Only the street office opens elections; a committee member (in scope) is refused, 403.
    let (st, _) = w
        .committee
        .api_post(&format!("/api/v1/communities/{}/elections", w.c), &plan(today() + Duration::days(40)))
        .await;
    assert_eq!(st, S::FORBIDDEN);
    // A lawful plan, with the timetable from the law engine.
    let day = today() + Duration::days(40);
    resident(&mut w.admin, w.c, "选民甲", years_before(day, 30), 41, json!({})).await;
    let id = open(&mut w, day).await;
    let (_, e) = w.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    let list_deadline =
        e["timetable"].as_array().unwrap().iter().find(|d| d["name"] == json!("voter_list_published")).unwrap();
    assert_eq!(list_deadline["latest"], json!((day - Duration::days(20)).to_string()));
    // Revising the plan works until publication, then it is frozen (LAW.md §4).
    let mut p = plan(day);
    p["seats_member"] = json!(5);
    p["version"] = e["version"].clone();
    let (st, e2) = w.committee.api_put(&format!("/api/v1/elections/{id}"), &p).await;
    assert_eq!(st, S::OK, "{e2}");
    assert_eq!(e2["seats"]["member"], json!(5));
    w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await;
    w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await;
    let (st, body) = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await;
    assert_eq!(st, S::OK, "{body}");
    let (_, e3) = w.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    p["version"] = e3["version"].clone();
    let (st, body) = w.committee.api_put(&format!("/api/v1/elections/{id}"), &p).await;
    assert_eq!((st, body["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("plan_frozen")));
    // Nothing moves backwards.
    let (st, body) = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await;
    assert_eq!((st, body["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("illegal_transition")));
    let _ = w.street;
}
both!(deadlines_plan_rules_and_frozen_plan);

async fn published(app: &TestApp, code: &str) -> (World, i64, Vec<i64>) {
    let mut w = world(app, code).await;
    let day = today() + Duration::days(40);
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            resident(&mut w.admin, w.c, &format!("张{i}明"), years_before(day, 30 + i), 51 + 2 * i as u32, json!({}))
                .await,
        );
    }
    let id = open(&mut w, day).await;
    w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await;
    w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await;
    let (st, b) = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await;
    assert_eq!(st, S::OK, "{b}");
    (w, id, ids)
}

async fn publication_objections_and_republication(app: TestApp) {
    let (mut w, id, ids) = published(&app, "pub").await;
    // The public sees masked names and the fingerprint; the log is now public and verifies.
    let mut anon = app.client();
    let (st, p) = anon.api_get(&format!("/api/v1/public/elections/{id}")).await;
    assert_eq!(st, S::OK);
    assert_eq!(p["voters"][0]["name"], json!("张*明"));
    let fp = p["election"]["list_sha256"].as_str().unwrap().to_string();
    assert_eq!(fp.len(), 64);
    assert!(!p.to_string().contains(&id_number("1990-01-01", 51)[..10]));
    // One record URL per election (issue 15 item 1): the log's path redirects to it.
    let (st, _) = anon.api_get(&format!("/api/v1/logs/election-{id}/record")).await;
    assert_eq!(st, S::PERMANENT_REDIRECT);
    let (st, full) = anon.api_get(&format!("/api/v1/elections/{id}/record")).await;
    assert_eq!(st, S::OK);
    assert_eq!(full["notices"]["voter_list"]["sha256"].as_str().unwrap(), fp);
    assert!(full["checkpoints"].as_array().unwrap().len() >= 2, "a checkpoint per transition");
    let portal = anon.get(&format!("/observe?log=election-{id}")).await.text();
    assert!(
        portal.contains("公布选民名单") && portal.contains(&format!("/election-{id}")),
        "the election's timeline is public"
    );
    // Anyone objects: person 0 "should not be on the list" (e.g. moved away).
    let (_, roll) = w.committee.api_get(&format!("/api/v1/elections/{id}/voters")).await;
    let v0 = roll["voters"].as_array().unwrap().iter().find(|v| v["resident_id"] == json!(ids[0])).unwrap().clone();
    let (st, o) = anon
        .api_post(&format!("/api/v1/public/elections/{id}/objections"),
            &json!({"filed_by": "李四", "name": v0["name"], "id_number": v0["id_number"], "kind": "wrongly_included", "reason": "已迁出本社区"}))
        .await;
    assert_eq!(st, S::OK, "{o}");
    // Upheld: the roll changes and the list is re-published with a new fingerprint.
    let (st, d) = w
        .committee
        .api_post(
            &format!("/api/v1/objections/{}/decide", o["id"]),
            &json!({"upheld": true, "decision": "经核实已迁出，予以删除"}),
        )
        .await;
    assert_eq!(st, S::OK, "{d}");
    assert_eq!(d["roll_changed"], json!(true));
    let (_, p2) = anon.api_get(&format!("/api/v1/public/elections/{id}")).await;
    assert_eq!(p2["voters"].as_array().unwrap().len(), 3);
    assert_ne!(p2["election"]["list_sha256"], json!(fp));
    assert_eq!(p2["objections"][0]["status"], json!("upheld"));
    // Deciding twice is refused.
    let (st, _) = w
        .committee
        .api_post(&format!("/api/v1/objections/{}/decide", o["id"]), &json!({"upheld": false, "decision": "x"}))
        .await;
    assert_eq!(st, S::CONFLICT);
    // After the window (publication moved 6 days back): refused, naming the rule.
    let past = (today() - Duration::days(6)).to_string();
    match app.store() {
        huanjie::store::Store::Sqlite(p) => {
            sqlx::query("UPDATE elections SET list_published_on = $1 WHERE id = $2")
                .bind(&past)
                .bind(id)
                .execute(p)
                .await
                .unwrap();
        }
        huanjie::store::Store::Postgres(p) => {
            sqlx::query("UPDATE elections SET list_published_on = $1 WHERE id = $2")
                .bind(&past)
                .bind(id)
                .execute(p)
                .await
                .unwrap();
        }
    }
    let (st, body) = anon
        .api_post(
            &format!("/api/v1/public/elections/{id}/objections"),
            &json!({"filed_by": "王五", "kind": "omitted", "reason": "漏登"}),
        )
        .await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], json!("objection_window_closed"));
    // The election's log verifies, including the lifecycle order.
    let (_, rec) = anon.api_get(&format!("/api/v1/elections/{id}/record")).await;
    let rec: huanjie::audit::Record = serde_json::from_value(rec).unwrap();
    let trust = huanjie::audit::Trust {
        log_key: None,
        witnesses: vec![huanjie::audit::NoteVerifier::parse(&app.witness.key).unwrap()],
        min_cosignatures: 1,
        allow_unsigned_tail: false,
    };
    let mut lc = huanjie::audit::events::LifecycleCheck::default();
    let mut check = |i: u64, leaf: &[u8]| lc.check(i, leaf);
    let ok = huanjie::audit::verify_record_with(&rec, &trust, &mut check);
    assert!(ok.is_ok(), "{:?}", ok.err());
}
both!(publication_objections_and_republication);

async fn voting_codes_are_never_stored_in_clear(app: TestApp) {
    let (mut w, id, ids) = published(&app, "vc").await;
    let (st, body) = w.committee.api_post(&format!("/api/v1/elections/{id}/cards"), &json!({})).await;
    assert_eq!(st, S::OK, "{body}");
    let cards = body["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 4);
    let code = cards[0]["code"].as_str().unwrap().to_string();
    // Not in the log: no entry's bytes contain the code (the roll keeps only its keyed hash).
    let leaves = huanjie::store::audit::entries(app.store(), &format!("election-{id}"), 0, 10_000).await.unwrap();
    assert!(!leaves.is_empty());
    for e in &leaves {
        let text = String::from_utf8_lossy(&e.leaf);
        assert!(!text.contains(&code) && !text.contains(&code.replace('-', "")));
    }
    let stored: Vec<u8> = match app.store() {
        huanjie::store::Store::Sqlite(p) => sqlx::query_scalar("SELECT code_hash FROM voters WHERE resident_id = $1")
            .bind(cards[0]["resident_id"].as_i64().unwrap())
            .fetch_one(p)
            .await
            .unwrap(),
        huanjie::store::Store::Postgres(p) => sqlx::query_scalar("SELECT code_hash FROM voters WHERE resident_id = $1")
            .bind(cards[0]["resident_id"].as_i64().unwrap())
            .fetch_one(p)
            .await
            .unwrap(),
    };
    assert_eq!(stored.len(), 32);
    assert!(!String::from_utf8_lossy(&stored).contains(&code[..4]) || stored != code.as_bytes());
    let hash = huanjie::service::voters::code_hash(&app.state.secrets.voting_code_key, &code);
    assert_eq!(huanjie::store::elections::by_code(app.store(), &hash).await.unwrap().map(|x| x.0), Some(id));
    // A second issue gives codes only to voters without one; a reissue invalidates the old code.
    let (_, again) = w.committee.api_post(&format!("/api/v1/elections/{id}/cards"), &json!({})).await;
    assert_eq!(again["cards"].as_array().unwrap().len(), 0);
    let rid = cards[0]["resident_id"].as_i64().unwrap();
    let (_, re) = w.committee.api_post(&format!("/api/v1/elections/{id}/cards"), &json!({"resident_id": rid})).await;
    let new_code = re["cards"][0]["code"].as_str().unwrap();
    assert_ne!(new_code, code);
    assert!(huanjie::store::elections::by_code(app.store(), &hash).await.unwrap().is_none());
    let _ = ids;
}
both!(voting_codes_are_never_stored_in_clear);

/// The committee's pages: open from the community page, start registration, register, publish,
/// print the list, issue cards; the public page shows masked names; dashboard and CSV.
async fn html_flow_from_new_election_to_cards(app: TestApp) {
    let mut w = world(&app, "web").await;
    let day = today() + Duration::days(40);
    let zhao = resident(&mut w.admin, w.c, "赵小明", years_before(day, 30), 61, json!({})).await;
    let (_, me) = w.admin.api_get("/api/v1/me").await;
    w.admin.csrf = me["csrf_token"].as_str().unwrap().to_string();
    let r = w
        .admin
        .form(
            &format!("/staff/communities/{}/elections", w.c),
            &[
                ("round", "2026"),
                ("method", "direct"),
                ("election_day", &day.to_string()),
                ("profile", "national"),
                ("seats_chair", "1"),
                ("seats_vice_chair", "1"),
                ("seats_member", "3"),
                ("channels", "paper"),
                ("channels", "booth"),
                ("remote_legal_basis", ""),
                ("stations", "第一投票站 | 投票站 | 丁、戊、己\n流动票箱 | 流动 | 甲、乙、丙"),
            ],
        )
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let page_url = r.location();
    let id: i64 = page_url.rsplit('/').next().unwrap().parse().unwrap();
    let page = w.committee.get(&page_url).await.text();
    assert!(page.contains("公布选民名单") && page.contains("（依据 LAW.md §3）"), "timetable checklist");
    for action in ["start_registration", "register", "publish"] {
        // The list's publication asks first (issue 13 item 7): the form's confirm button adds `confirm=1`.
        let r =
            w.committee.form(&format!("/staff/elections/{id}/action"), &[("action", action), ("confirm", "1")]).await;
        assert_eq!(r.status, S::SEE_OTHER, "{action}: {}", r.text());
    }
    let print = w.committee.get(&format!("/staff/elections/{id}/voters/print")).await.text();
    assert!(print.contains("赵小明") && print.contains("SHA-256") && print.contains("<svg"));
    let public = app.client().get(&format!("/public/elections/{id}")).await.text();
    assert!(public.contains("赵*明") && !public.contains("赵小明"));
    let cards = w.committee.form(&format!("/staff/elections/{id}/cards"), &[]).await;
    assert_eq!(cards.status, S::OK);
    let text = cards.text();
    assert!(text.contains("赵小明") && text.contains("class=\"code mono\""));
    assert!(text.contains("第一投票站"), "the card names the polling station");
    // The PDF notice and cards: Chinese text embedded, rendered to PNG by pdftoppm.
    let pdf = w.committee.get(&format!("/staff/elections/{id}/voters.pdf")).await;
    assert_eq!(pdf.status, S::OK);
    assert!(pdf.body.starts_with(b"%PDF"));
    let public_pdf = app.client().get(&format!("/public/elections/{id}/voters.pdf")).await;
    assert!(public_pdf.body.starts_with(b"%PDF"));
    check_pdf(&pdf.body, "赵小明");
    check_pdf(&public_pdf.body, "赵*明");
    // A reissue as PDF (every voter already has a card from the HTML page above).
    let cards_pdf =
        w.committee.form(&format!("/staff/elections/{id}/cards.pdf"), &[("resident_id", &zhao.to_string())]).await;
    assert_eq!(cards_pdf.status, S::OK, "{}", cards_pdf.text());
    check_pdf(&cards_pdf.body, "赵小明");
    let dash = w.admin.get("/staff/elections").await.text();
    assert!(dash.contains("选民名单已公布"), "{dash}");
    let csv = w.admin.get("/staff/elections.csv").await;
    assert!(csv.body.starts_with(b"\xEF\xBB\xBF"));
}
both!(html_flow_from_new_election_to_cards);

async fn proxies_follow_law_section_6(app: TestApp) {
    let mut w = world(&app, "px").await;
    let day = today() + Duration::days(40);
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(
            resident(&mut w.admin, w.c, &format!("张{i}明"), years_before(day, 30 + i), 71 + 2 * i as u32, json!({}))
                .await,
        );
    }
    let minor = resident(&mut w.admin, w.c, "未成年", years_before(day, 10), 91, json!({})).await;
    let id = open(&mut w, day).await;
    w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await;
    w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await;
    let (st, b) = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await;
    assert_eq!(st, S::OK, "{b}");
    let path = format!("/api/v1/elections/{id}/proxies");
    // The proxy must be a voter of the same community (LAW.md §6 [N]): a minor is not.
    let (st, body) =
        w.committee.api_post(&path, &json!({"principal_id": ids[0], "proxy_id": minor, "reason": "外出务工"})).await;
    assert_eq!((st, body["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("proxy_proxy_not_voter_here")), "{body}");
    let (_, body) =
        w.committee.api_post(&path, &json!({"principal_id": ids[0], "proxy_id": ids[0], "reason": "x"})).await;
    assert_eq!(body["code"], json!("proxy_self_proxy"));
    // The national profile allows 3 principals per proxy (LAW.md §6 [P]).
    for p in &ids[1..4] {
        let (st, b) =
            w.committee.api_post(&path, &json!({"principal_id": p, "proxy_id": ids[0], "reason": "出差"})).await;
        assert_eq!(st, S::OK, "{b}");
        let (st, b) =
            w.committee.api_post(&format!("/api/v1/proxies/{}/decide", b["id"]), &json!({"approve": true})).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, body) =
        w.committee.api_post(&path, &json!({"principal_id": ids[4], "proxy_id": ids[0], "reason": "出差"})).await;
    assert_eq!((st, body["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("proxy_too_many_proxies")), "{body}");
    // A principal has one live authorisation at a time.
    let (st, _) =
        w.committee.api_post(&path, &json!({"principal_id": ids[1], "proxy_id": ids[5], "reason": "再次"})).await;
    assert_eq!(st, S::CONFLICT);
    let (_, public) = app.client().api_get(&format!("/api/v1/public/elections/{id}")).await;
    assert_eq!(public["proxies"].as_array().unwrap().len(), 3, "the list of principals and proxies is published");
    assert!(public["proxies"][0]["proxy"].as_str().unwrap().contains('*'));
}
both!(proxies_follow_law_section_6);

async fn election_committee_quorum_majority_and_recusal(app: TestApp) {
    let mut w = world(&app, "cm").await;
    let day = today() + Duration::days(40);
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(
            resident(&mut w.admin, w.c, &format!("委员{i}"), years_before(day, 40 + i), 81 + 2 * i as u32, json!({}))
                .await,
        );
    }
    let id = open(&mut w, day).await;
    let path = format!("/api/v1/elections/{id}/committee");
    // No decision without a committee (LAW.md §2 [N]).
    let (st, b) =
        w.committee.api_post(&format!("{path}/decisions"), &json!({"subject": "x", "present": 1, "yes": 1})).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("no_committee")));
    for (i, pos) in ["chair", "member", "member", "member", "member", "substitute"].iter().enumerate() {
        let username = if i == 0 { "cm-wy" } else { "" };
        let (st, b) =
            w.committee.api_post(&path, &json!({"resident_id": ids[i], "position": pos, "username": username})).await;
        assert_eq!(st, S::OK, "{b}");
    }
    // 5 serving members: 3 present is a quorum (more than half), 2 is not; majority of present.
    let (_, b) = w
        .committee
        .api_post(&format!("{path}/decisions"), &json!({"subject": "确定选举日", "present": 3, "yes": 2}))
        .await;
    assert_eq!((b["adopted"].clone(), b["members"].clone()), (json!(true), json!(5)));
    let (_, b) = w
        .committee
        .api_post(&format!("{path}/decisions"), &json!({"subject": "无法定人数", "present": 2, "yes": 2}))
        .await;
    assert_eq!(b["adopted"], json!(false), "two of five is no quorum");
    let (_, b) =
        w.committee.api_post(&format!("{path}/decisions"), &json!({"subject": "平票", "present": 4, "yes": 2})).await;
    assert_eq!(b["adopted"], json!(false), "half is not a majority");
    let (st, _) =
        w.committee.api_post(&format!("{path}/decisions"), &json!({"subject": "x", "present": 9, "yes": 1})).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    // Member 2's near relative is nominated: member 2 withdraws; the substitute moves up.
    let nominee = resident(&mut w.admin, w.c, "亲属", years_before(day, 20), 99, json!({})).await;
    let (st, _) = w
        .admin
        .api_post(
            &format!("/api/v1/residents/{}/relatives", ids[2]),
            &json!({"relative_id": nominee, "relation": "child"}),
        )
        .await;
    assert_eq!(st, S::OK);
    let recused = huanjie::service::committee::recuse_for_nominees(
        app.store(),
        &huanjie::audit::Actor::system("test"),
        id,
        &[nominee, ids[1]],
    )
    .await
    .unwrap();
    assert_eq!(recused.len(), 2, "a nominated member and a member whose near relative is nominated");
    let (_, c) = w.committee.api_get(&path).await;
    let status = |rid: i64| {
        c["members"].as_array().unwrap().iter().find(|m| m["resident_id"] == json!(rid)).unwrap()["status"].clone()
    };
    assert_eq!(status(ids[1]), json!("recused"));
    assert_eq!(status(ids[2]), json!("recused"));
    assert_eq!(status(ids[5]), json!("serving"), "the substitute moved up (依次递补)");
}
both!(election_committee_quorum_majority_and_recusal);

/// The PDF renders to a non-empty PNG and its text layer holds `needle` (poppler-utils;
/// `.ci/run` installs it, elsewhere this part reports itself skipped).
pub fn check_pdf(pdf: &[u8], needle: &str) {
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("doc.pdf");
    std::fs::write(&f, pdf).unwrap();
    let (Ok(text), Ok(png)) = (
        std::process::Command::new("pdftotext").arg(&f).arg("-").output(),
        std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "40", "-f", "1", "-l", "1"])
            .arg(&f)
            .arg(dir.0.join("page"))
            .output(),
    ) else {
        eprintln!("SKIPPED PDF rendering check: install poppler-utils (pdftotext, pdftoppm)");
        return;
    };
    assert!(png.status.success());
    let page = std::fs::read_dir(&dir.0)
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().ends_with(".png"));
    let size = page.map(|p| p.metadata().unwrap().len()).unwrap_or(0);
    assert!(size > 1000, "rendered page is empty ({size} bytes)");
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(text.replace(' ', "").contains(needle), "{needle} not in PDF text: {text}");
}

async fn household_and_representatives_electorates(app: TestApp) {
    let mut w = world(&app, "hm").await;
    let day = today() + Duration::days(40);
    // Household 0001: head (eligible) + adult child → only the head votes for the household.
    let head = resident(
        &mut w.admin,
        w.c,
        "户主甲",
        years_before(day, 60),
        101,
        json!({"household_number": "0001", "household_head": "是"}),
    )
    .await;
    let child =
        resident(&mut w.admin, w.c, "成年子", years_before(day, 30), 103, json!({"household_number": "0001"})).await;
    // Household 0002: no head recorded → the eldest eligible member.
    let elder =
        resident(&mut w.admin, w.c, "长者乙", years_before(day, 70), 105, json!({"household_number": "0002"})).await;
    let younger =
        resident(&mut w.admin, w.c, "青年丙", years_before(day, 25), 107, json!({"household_number": "0002"})).await;
    let mut p = plan(day);
    p["method"] = json!("household");
    let (st, b) = w.admin.api_post(&format!("/api/v1/communities/{}/elections", w.c), &p).await;
    assert_eq!(st, S::OK, "{b}");
    let id = b["id"].as_i64().unwrap();
    w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await;
    let (_, report) = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await;
    let (_, roll) = w.committee.api_get(&format!("/api/v1/elections/{id}/voters")).await;
    let mut on: Vec<i64> =
        roll["voters"].as_array().unwrap().iter().map(|v| v["resident_id"].as_i64().unwrap()).collect();
    on.sort();
    assert_eq!(on, vec![head, elder], "one representative per household (LAW.md §4 [N]): {report}");
    assert!(
        report["refused"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["resident_id"] == json!(child) && r["code"] == json!("not_household_representative"))
    );
    let _ = younger;

    // Representatives method: the electorate is the 2–3 representatives each group elected.
    let mut v = world(&app, "rp").await;
    let (st, _) =
        v.admin.api_post(&format!("/api/v1/communities/{}/groups", v.c), &json!({"number": 1, "name": "第一组"})).await;
    assert_eq!(st, S::OK);
    let mut g1 = Vec::new();
    for i in 0..4 {
        g1.push(
            resident(
                &mut v.admin,
                v.c,
                &format!("组员{i}"),
                years_before(day, 40 + i),
                111 + 2 * i as u32,
                json!({"group_number": "1"}),
            )
            .await,
        );
    }
    let mut p = plan(day);
    p["method"] = json!("representatives");
    let (_, b) = v.admin.api_post(&format!("/api/v1/communities/{}/elections", v.c), &p).await;
    let id = b["id"].as_i64().unwrap();
    let path = format!("/api/v1/elections/{id}/representatives");
    let (st, b) = v.committee.api_post(&path, &json!({"group_number": 1, "residents": [g1[0]]})).await;
    assert_eq!(
        (st, b["code"].clone()),
        (S::UNPROCESSABLE_ENTITY, json!("representatives_per_group")),
        "one is too few"
    );
    let (st, b) = v.committee.api_post(&path, &json!({"group_number": 1, "residents": [g1[0], g1[1]]})).await;
    assert_eq!(st, S::OK, "{b}");
    v.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await;
    v.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await;
    let (_, roll) = v.committee.api_get(&format!("/api/v1/elections/{id}/voters")).await;
    let mut on: Vec<i64> =
        roll["voters"].as_array().unwrap().iter().map(|v| v["resident_id"].as_i64().unwrap()).collect();
    on.sort();
    assert_eq!(on, vec![g1[0], g1[1]]);
}
both!(household_and_representatives_electorates);

async fn after_publication_the_list_changes_only_by_decision_or_status_change(app: TestApp) {
    let (mut w, id, ids) = published(&app, "sc").await;
    let (_, before) = w.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    // An unnamed edit is refused (LAW.md §3 [N?, P]).
    let (st, b) = w
        .committee
        .api_post(&format!("/api/v1/elections/{id}/voters/{}/status", ids[0]), &json!({"change": "correction"}))
        .await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("list_locked")));
    // A death is recorded: the voter leaves the roll and the list is re-published.
    let (st, b) = w
        .committee
        .api_post(
            &format!("/api/v1/elections/{id}/voters/{}/status", ids[0]),
            &json!({"change": "death", "note": "死亡证明"}),
        )
        .await;
    assert_eq!((st, b["roll_changed"].clone()), (S::OK, json!(true)), "{b}");
    let (_, after) = w.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    assert_ne!(before["list_sha256"], after["list_sha256"]);
    assert_eq!(after["list_version"].as_i64().unwrap(), before["list_version"].as_i64().unwrap() + 1);
    let (_, roll) = w.committee.api_get(&format!("/api/v1/elections/{id}/voters")).await;
    assert_eq!(roll["voters"].as_array().unwrap().len(), 3);
}
both!(after_publication_the_list_changes_only_by_decision_or_status_change);

async fn nominations_and_the_formal_candidate_list(app: TestApp) {
    let mut w = world(&app, "nm").await;
    let day = today() + Duration::days(40);
    let surnames = ["王", "丁", "李", "张", "刘", "陈", "杨", "赵"];
    let mut v = Vec::new();
    for i in 0..24u32 {
        let name = format!("{}{}", surnames[(i % 8) as usize], ["一", "二", "三"][(i / 8) as usize]);
        v.push(resident(&mut w.admin, w.c, &name, years_before(day, 30 + i as i32), 301 + 2 * i, json!({})).await);
    }
    let id = open(&mut w, day).await;
    // Committee member v[0] will be nominated and must withdraw (LAW.md §2 [N]).
    w.committee
        .api_post(&format!("/api/v1/elections/{id}/committee"), &json!({"resident_id": v[0], "position": "chair"}))
        .await;
    w.committee
        .api_post(
            &format!("/api/v1/elections/{id}/committee"),
            &json!({"resident_id": v[23], "position": "substitute"}),
        )
        .await;
    w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await;
    w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await;
    assert_eq!(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await.0, S::OK);
    assert_eq!(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/nominations/open")).await.0, S::OK);
    let path = format!("/api/v1/elections/{id}/nominations");
    let nominate = |post: &str, nominee: i64, by: &[i64]| json!({"post": post, "nominee_id": nominee, "route": "joint_voters", "nominators": by});
    // Too few joint nominators (national: 10 voters, LAW.md §5 [P]).
    let (st, b) = w.committee.api_post(&path, &nominate("chair", v[0], &v[1..10])).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("too_few_nominators")), "{b}");
    let first: Vec<i64> = v[1..11].to_vec();
    let second: Vec<i64> = v[11..21].to_vec();
    let mut ids = std::collections::HashMap::new();
    for (post, nominee, by) in [
        ("chair", v[0], &first),
        ("chair", v[1], &second),
        ("vice_chair", v[2], &first),
        ("vice_chair", v[3], &second),
        ("member", v[4], &first),
        ("member", v[5], &first),
        ("member", v[6], &first),
        ("member", v[7], &second),
    ] {
        let (st, b) = w.committee.api_post(&path, &nominate(post, nominee, by)).await;
        assert_eq!(st, S::OK, "{post} {nominee}: {b}");
        ids.insert(nominee, b["id"].as_i64().unwrap());
    }
    // A nominator names at most the seats of a post (chair: 1).
    let (st, b) = w.committee.api_post(&path, &nominate("chair", v[8], &first)).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("too_many_names")), "{b}");
    // Nominating committee member v[0] made them withdraw; the substitute moved up.
    let (_, c) = w.committee.api_get(&format!("/api/v1/elections/{id}/committee")).await;
    let status = |rid: i64| {
        c["members"].as_array().unwrap().iter().find(|m| m["resident_id"] == json!(rid)).unwrap()["status"].clone()
    };
    assert_eq!((status(v[0]), status(v[23])), (json!("recused"), json!("serving")));
    // The review is blocking: nothing is qualified yet, so 差额 fails.
    let (st, b) = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/candidates/publish")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("margin_too_few")), "{b}");
    // Qualifying without written consent is refused.
    let (st, b) =
        w.committee.api_post(&format!("/api/v1/nominations/{}/review", ids[&v[0]]), &json!({"qualified": true})).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("not_accepted_in_writing")), "{b}");
    for nid in ids.values() {
        assert_eq!(w.committee.api_post_empty(&format!("/api/v1/nominations/{nid}/consent")).await.0, S::OK);
        let (st, b) =
            w.committee.api_post(&format!("/api/v1/nominations/{nid}/review"), &json!({"qualified": true})).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, published) = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/candidates/publish")).await;
    assert_eq!(st, S::OK, "{published}");
    // Ordered by surname strokes: 丁 (2) before 王 (4).
    assert_eq!(published["lists"]["chair"], json!([ids[&v[1]].to_string(), ids[&v[0]].to_string()]));
    let (_, public) = app.client().api_get(&format!("/api/v1/public/elections/{id}")).await;
    assert_eq!(public["candidates"].as_array().unwrap().len(), 8);
    assert_eq!(public["candidates"][0]["name"], json!("丁一"), "published in stroke order");
    // Withdrawal needs a written record; without a reserve, 差额 breaks and the log says so.
    let member = ids[&v[4]];
    let (st, b) = w
        .committee
        .api_post(&format!("/api/v1/nominations/{member}/withdraw"), &json!({"written_record": false}))
        .await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("no_written_record")));
    let (st, b) =
        w.committee.api_post(&format!("/api/v1/nominations/{member}/withdraw"), &json!({"written_record": true})).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(b["margin_broken"], json!("too_few"));
    assert_eq!(b["list"].as_array().unwrap().len(), 3);
}
both!(nominations_and_the_formal_candidate_list);
