//! Issue 16 part A, on both databases: every rule holds whenever the facts it depends on change,
//! not only at the step that first checks it. Each test is a scenario of actions over days,
//! through the HTTP API, on the app's movable clock (`app.state.clock`).

use axum::http::StatusCode as S;
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::both;
use crate::helpers::{Client, K, R, TestApp, id_number};
use crate::polling::{MOBILE, Polling, STATION, cast, issue_cards, nominating};

fn years_before(d: Date, years: i32) -> Date {
    d.replace_year(d.year() - years).unwrap_or(d)
}

struct World {
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
    World { c, admin, committee }
}

async fn resident(api: &mut Client, c: i64, name: &str, idn: &str, extra: Value) -> i64 {
    let mut body = json!({"name": name, "id_number": idn, "hukou_here": "是", "months_resident": "100"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (st, r) = api.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
    assert_eq!(st, S::OK, "{r}");
    r["id"].as_i64().unwrap()
}

fn plan(round: &str, method: &str, day: Date) -> Value {
    json!({"round": round, "method": method, "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
           "profile": "national", "election_day": day.to_string(), "channels": ["paper"],
           "stations": [{"name": "第一投票站", "supervisors": ["甲", "乙", "丙"]}]})
}

async fn open(w: &mut World, p: &Value) -> i64 {
    let (st, r) = w.admin.api_post(&format!("/api/v1/communities/{}/elections", w.c), p).await;
    assert_eq!(st, S::OK, "{r}");
    r["id"].as_i64().unwrap()
}

async fn ok(r: (S, Value)) -> Value {
    assert_eq!(r.0, S::OK, "{}", r.1);
    r.1
}

async fn roll_of(c: &mut Client, id: i64) -> Vec<i64> {
    let (_, roll) = c.api_get(&format!("/api/v1/elections/{id}/voters")).await;
    let mut on: Vec<i64> =
        roll["voters"].as_array().unwrap().iter().map(|v| v["resident_id"].as_i64().unwrap()).collect();
    on.sort();
    on
}

fn law_code(r: &(S, Value)) -> (S, Value) {
    (r.0, r.1["code"].clone())
}

/// Item 1, LAW.md §3 [N?, P] one place only: two communities whose elections were opened as
/// rounds "2029" and "2030" with the same election day are one term; the same ID number
/// registers in one of them only.
async fn one_place_only_follows_the_term_not_the_typed_round_n_p(app: TestApp) {
    app.state.clock.set(None);
    let day = huanjie::clock::real_today() + Duration::days(40);
    let idn = id_number(&years_before(day, 40).to_string(), 11);
    let mut a = world(&app, "ta").await;
    let mut b = world(&app, "tb").await;
    let ra = resident(&mut a.admin, a.c, "两地人", &idn, json!({})).await;
    let rb = resident(&mut b.admin, b.c, "两地人", &idn, json!({})).await;
    let ea = open(&mut a, &plan("2029", "direct", day)).await;
    let eb = open(&mut b, &plan("2030", "direct", day)).await;
    for (w, id) in [(&mut a, ea), (&mut b, eb)] {
        ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await).await;
    }
    let report = ok(a.committee.api_post_empty(&format!("/api/v1/elections/{ea}/voters/register")).await).await;
    assert_eq!(report["registered"], json!(1), "{report}");
    // Day 2: the second community registers its voters.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(1)));
    let report = ok(b.committee.api_post_empty(&format!("/api/v1/elections/{eb}/voters/register")).await).await;
    assert_eq!(report["registered"], json!(0), "{report}");
    assert_eq!(report["refused"][0]["code"], json!("registered_elsewhere"), "{report}");
    assert_eq!((roll_of(&mut a.committee, ea).await, roll_of(&mut b.committee, eb).await), (vec![ra], vec![]));
    let _ = rb;
    app.state.clock.set(None);
}
both!(one_place_only_follows_the_term_not_the_typed_round_n_p);

/// Item 2, LAW.md §3 [N] age on election day: registered for day D (18 on D), the plan then moves
/// election day one day earlier — the 17-year-old leaves the roll at once, the published list
/// never holds them; publication re-checks the roll again; once published the day cannot move.
async fn election_day_moved_after_registration_rechecks_the_roll_n(app: TestApp) {
    app.state.clock.set(None);
    let day = huanjie::clock::real_today() + Duration::days(40);
    let mut w = world(&app, "dm").await;
    let adult =
        resident(&mut w.admin, w.c, "成年人", &id_number(&years_before(day, 40).to_string(), 11), json!({})).await;
    let youth =
        resident(&mut w.admin, w.c, "满十八", &id_number(&years_before(day, 18).to_string(), 13), json!({})).await;
    let late =
        resident(&mut w.admin, w.c, "后改者", &id_number(&years_before(day, 30).to_string(), 15), json!({})).await;
    let id = open(&mut w, &plan("2026", "direct", day)).await;
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await).await;
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await).await;
    assert_eq!(roll_of(&mut w.committee, id).await, vec![adult, youth, late]);
    // Day 2: the committee moves election day one day earlier.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(1)));
    let (_, e) = w.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    // Not into another term: the roll's one-place claims are this term's (LAW.md §3 [N?, P]).
    let mut p = plan("2026", "direct", Date::from_calendar_date(2031, time::Month::June, 1).unwrap());
    p["version"] = e["version"].clone();
    let r = w.committee.api_put(&format!("/api/v1/elections/{id}"), &p).await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("term_changed")), "{}", r.1);
    let mut p = plan("2026", "direct", day - Duration::days(1));
    p["version"] = e["version"].clone();
    ok(w.committee.api_put(&format!("/api/v1/elections/{id}"), &p).await).await;
    assert_eq!(roll_of(&mut w.committee, id).await, vec![adult, late], "17 on the new election day");
    // Day 3: the registry's date of birth of another voter is corrected (younger than 18); the
    // publication re-checks the whole roll and refuses until registration runs again.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(2)));
    let young = years_before(day, 10).to_string();
    app.exec(&format!("UPDATE residents SET birth_date = '{young}' WHERE id = {late}")).await;
    let r = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("roll_not_eligible")), "{}", r.1);
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await).await;
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await).await;
    let (_, public) = app.client().api_get(&format!("/api/v1/public/elections/{id}")).await;
    assert_eq!(public["voters"].as_array().map(Vec::len), Some(1), "{public}");
    // Published: election day is fixed (LAW.md §4 [N]).
    let (_, e) = w.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    let mut p = plan("2026", "direct", day + Duration::days(1));
    p["version"] = e["version"].clone();
    let r = w.committee.api_put(&format!("/api/v1/elections/{id}"), &p).await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("plan_frozen")));
    app.state.clock.set(None);
}
both!(election_day_moved_after_registration_rechecks_the_roll_n);

/// Item 3, LAW.md §6 [P]: each polling station and mobile box has at least 3 named supervisors.
async fn a_station_needs_three_named_supervisors_p(app: TestApp) {
    app.state.clock.set(None);
    let day = huanjie::clock::real_today() + Duration::days(40);
    let mut w = world(&app, "sv").await;
    let mut p = plan("2026", "direct", day);
    p["stations"] = json!([{"name": "无人站"}]);
    let r = w.admin.api_post(&format!("/api/v1/communities/{}/elections", w.c), &p).await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("station_supervisors")), "{}", r.1);
    p["stations"] = json!([{"name": "两人站", "supervisors": ["甲", "乙", " "]}]);
    let r = w.admin.api_post(&format!("/api/v1/communities/{}/elections", w.c), &p).await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("station_supervisors")), "{}", r.1);
    let id = open(&mut w, &plan("2026", "direct", day)).await;
    // Day 2: a revised plan may not drop them either.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(1)));
    let (_, e) = w.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    p["version"] = e["version"].clone();
    p["stations"] = json!([{"name": "第一投票站"}]);
    let r = w.committee.api_put(&format!("/api/v1/elections/{id}"), &p).await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("station_supervisors")), "{}", r.1);
    assert_eq!(app.count("SELECT COUNT(*) FROM elections").await, 1);
    app.state.clock.set(None);
}
both!(a_station_needs_three_named_supervisors_p);

/// Nominates the polling helpers' candidates, with `member4` as the fourth member nominee, and
/// publishes the formal candidate list.
async fn publish_candidates(p: &mut Polling, member4: i64) -> Value {
    let (id, v) = (p.id, p.voters.clone());
    let first: Vec<i64> = v[1..11].to_vec();
    let second: Vec<i64> = v[11..21].to_vec();
    for (post, nominee, by) in [
        ("chair", v[0], &first),
        ("chair", v[1], &second),
        ("vice_chair", v[2], &first),
        ("vice_chair", v[3], &second),
        ("member", v[4], &first),
        ("member", v[5], &first),
        ("member", v[6], &first),
        ("member", member4, &second),
    ] {
        let body = json!({"post": post, "nominee_id": nominee, "route": "joint_voters", "nominators": by});
        let b = ok(p.committee.api_post(&format!("/api/v1/elections/{id}/nominations"), &body).await).await;
        let nid = b["id"].as_i64().unwrap();
        ok(p.committee.api_post_empty(&format!("/api/v1/nominations/{nid}/consent")).await).await;
        ok(p.committee.api_post(&format!("/api/v1/nominations/{nid}/review"), &json!({"qualified": true})).await).await;
    }
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/candidates/publish")).await).await
}

/// Item 4, LAW.md §6 [P]: a proxy approved before the candidate list whose proxy then becomes a
/// candidate (not a near relative) is withdrawn at publication, and refused at use on election day.
async fn a_proxy_who_becomes_a_candidate_loses_a_non_relatives_proxy_p(app: TestApp) {
    // The helpers approved voters[22] as proxy for voters[21] before nominations.
    let mut p = nominating(&app, "px", "national", false).await;
    let (id, principal, proxy) = (p.id, p.voters[21], p.voters[22]);
    let (_, list) = p.committee.api_get(&format!("/api/v1/elections/{id}/proxies")).await;
    assert_eq!(list["proxies"][0]["status"], json!("approved"), "{list}");
    // Day 2: the proxy is nominated and put on the formal candidate list.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(1)));
    publish_candidates(&mut p, proxy).await;
    let (_, list) = p.committee.api_get(&format!("/api/v1/elections/{id}/proxies")).await;
    assert_eq!(list["proxies"][0]["status"], json!("rejected"), "withdrawn at publication: {list}");
    let (_, rec) = app.client().api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    let revoked: Vec<Value> = rec["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entry"]["type"] == json!("proxy.revoked"))
        .map(|e| e["entry"]["payload"].clone())
        .collect();
    assert_eq!(
        revoked,
        vec![json!({"proxy_request": list["proxies"][0]["id"], "code": "candidate_as_proxy"})],
        "{rec}"
    );
    // Election day: the candidate cannot cast the principal's ballot.
    issue_cards(&mut p).await;
    app.state.clock.set(Some(p.day));
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await).await;
    let r = p
        .clerk
        .api_post(
            &format!("/api/v1/elections/{id}/checkin"),
            &json!({"resident_id": principal, "channel": "proxy", "station": STATION, "proxy_id": proxy}),
        )
        .await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("proxy_not_approved")), "{}", r.1);
    let _ = MOBILE;
    app.state.clock.set(None);
}
both!(a_proxy_who_becomes_a_candidate_loses_a_non_relatives_proxy_p);

async fn member_status(c: &mut Client, id: i64, rid: i64) -> Value {
    let (_, m) = c.api_get(&format!("/api/v1/elections/{id}/committee")).await;
    m["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["resident_id"] == json!(rid))
        .map_or(Value::Null, |m| m["status"].clone())
}

/// Item 5, LAW.md §2 [N]: recusal runs on every change of committee membership, nominations and
/// near-relative links — not only when a nomination is filed.
async fn recusal_follows_every_change_of_its_facts_n(app: TestApp) {
    let mut p = nominating(&app, "rc", "national", false).await;
    let (id, v) = (p.id, p.voters.clone());
    let c = &mut p.committee;
    let add = |rid: i64, position: &str| json!({"resident_id": rid, "position": position});
    ok(c.api_post(&format!("/api/v1/elections/{id}/committee"), &add(v[23], "chair")).await).await;
    ok(c.api_post(&format!("/api/v1/elections/{id}/committee"), &add(v[19], "substitute")).await).await;
    let body = json!({"post": "chair", "nominee_id": v[0], "route": "joint_voters", "nominators": &v[1..11]});
    ok(c.api_post(&format!("/api/v1/elections/{id}/nominations"), &body).await).await;
    assert_eq!(member_status(c, id, v[23]).await, json!("serving"));
    // Day 2: the chair of the committee is recorded as the nominee's spouse → withdraws; the
    // substitute moves up.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(1)));
    ok(c.api_post(
        &format!("/api/v1/residents/{}/relatives", v[23]),
        &json!({"relative_id": v[0], "relation": "spouse"}),
    )
    .await)
    .await;
    assert_eq!(
        (member_status(c, id, v[23]).await, member_status(c, id, v[19]).await),
        (json!("recused"), json!("serving"))
    );
    // Day 3: the nominee's sibling joins the committee → withdraws at once.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(2)));
    ok(c.api_post(
        &format!("/api/v1/residents/{}/relatives", v[0]),
        &json!({"relative_id": v[18], "relation": "sibling"}),
    )
    .await)
    .await;
    ok(c.api_post(&format!("/api/v1/elections/{id}/committee"), &add(v[18], "member")).await).await;
    assert_eq!(member_status(c, id, v[18]).await, json!("recused"));
    // Day 4: the nominee themself joins the committee → withdraws at once.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(3)));
    ok(c.api_post(&format!("/api/v1/elections/{id}/committee"), &add(v[0], "member")).await).await;
    assert_eq!(member_status(c, id, v[0]).await, json!("recused"));
    app.state.clock.set(None);
}
both!(recusal_follows_every_change_of_its_facts_n);

/// Item 6, LAW.md §6 [P], §7 [N?]: on 13 ballots a member candidate is marked on 4 and written
/// in by name on 3: 7 votes, more than half of the 13 cast — elected, once, and `huanjie verify`
/// recounts the published box to the same result.
async fn a_write_in_of_a_listed_candidate_counts_for_the_candidate_p(app: TestApp) {
    let mut p = crate::polling::ready(&app, "wi").await;
    let id = p.id;
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await).await;
    let (_, paper) = app.client().api_get(&format!("/api/v1/public/elections/{id}/ballot")).await;
    let members = &paper["ballot"]["posts"][2]["candidates"];
    let (m0, m0_name) =
        (members[0]["id"].as_str().unwrap().to_string(), members[0]["name"].as_str().unwrap().to_string());
    let (m1, m2) = (p.cands["member"][1].clone(), p.cands["member"][2].clone());
    assert_eq!(m0, p.cands["member"][0], "{paper}");
    let (c0, v0) = (p.cands["chair"][0].clone(), p.cands["vice_chair"][0].clone());
    let marked = json!({"chair": [c0], "vice_chair": [v0], "member": [m0, m1, m2]});
    let written = json!({"chair": [c0], "vice_chair": [v0], "member": [m1, m2], "write_ins": {"member": [m0_name]}});
    let other = json!({"chair": [c0], "vice_chair": [v0], "member": [m1, m2]});
    for (i, b) in std::iter::repeat_n(&marked, 4)
        .chain(std::iter::repeat_n(&written, 3))
        .chain(std::iter::repeat_n(&other, 6))
        .enumerate()
    {
        let (st, r) = cast(&app, id, &p.codes[&p.voters[i]], b).await;
        assert_eq!(st, S::CREATED, "{r}");
    }
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await).await;
    let r = ok(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await).await;
    let member = r["posts"].as_array().unwrap().iter().find(|x| x["post"] == json!("member")).unwrap().clone();
    let line = member["tally"].as_array().unwrap().iter().find(|l| l["id"] == json!(m0)).unwrap().clone();
    assert_eq!(line["votes"], json!(7), "{member}");
    assert!(member["tally"].as_array().unwrap().iter().all(|l| l["write_in"] == json!(false)), "{member}");
    assert_eq!(member["unfilled"], json!(0), "{member}");
    assert!(r["elected"].as_array().unwrap().iter().any(|e| e["id"] == json!(m0)), "{r}");
    crate::counting::verify_record(&app, id, 1).await;
    app.state.clock.set(None);
}
both!(a_write_in_of_a_listed_candidate_counts_for_the_candidate_p);

/// Files an "omitted" objection about (`name`, `idn`) at the counter and upholds it.
async fn uphold_omitted(c: &mut Client, id: i64, name: &str, idn: &str) -> (S, Value) {
    let body = json!({"filed_by": name, "name": name, "id_number": idn, "kind": "omitted", "reason": "漏登"});
    let o = ok(c.api_post(&format!("/api/v1/elections/{id}/objections"), &body).await).await;
    c.api_post(&format!("/api/v1/objections/{}/decide", o["id"]), &json!({"upheld": true, "decision": "经核实"})).await
}

/// Items 7 and 8, LAW.md §4 [N]: an upheld "omitted" objection applies the election method —
/// household: at most one voter per household; representatives: only elected representatives.
async fn an_upheld_omitted_objection_applies_the_election_method_n(app: TestApp) {
    app.state.clock.set(None);
    let day = huanjie::clock::real_today() + Duration::days(40);
    // Household method: the head votes for household 0001; the adult child is not added.
    let mut w = world(&app, "oh").await;
    let hh = |n: &str| json!({"household_number": n});
    let head_idn = id_number(&years_before(day, 60).to_string(), 101);
    let child_idn = id_number(&years_before(day, 30).to_string(), 103);
    let head =
        resident(&mut w.admin, w.c, "户主甲", &head_idn, json!({"household_number": "0001", "household_head": "是"}))
            .await;
    let child = resident(&mut w.admin, w.c, "成年子", &child_idn, hh("0001")).await;
    let other =
        resident(&mut w.admin, w.c, "长者乙", &id_number(&years_before(day, 70).to_string(), 105), hh("0002")).await;
    let id = open(&mut w, &plan("2026", "household", day)).await;
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await).await;
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await).await;
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await).await;
    // Day 2: the child objects that they were omitted; the committee upholds it.
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(1)));
    let r = uphold_omitted(&mut w.committee, id, "成年子", &child_idn).await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("not_household_representative")), "{}", r.1);
    assert_eq!(roll_of(&mut w.committee, id).await, vec![head, other]);
    let _ = child;

    // Representatives method: group 1 elected two representatives; a third member is not added.
    app.state.clock.set(None);
    let mut v = world(&app, "or").await;
    ok(v.admin.api_post(&format!("/api/v1/communities/{}/groups", v.c), &json!({"number": 1, "name": "第一组"})).await)
        .await;
    let mut g = Vec::new();
    let mut idns = Vec::new();
    for i in 0..3u32 {
        let idn = id_number(&years_before(day, 40 + i as i32).to_string(), 111 + 2 * i);
        g.push(resident(&mut v.admin, v.c, &format!("组员{i}"), &idn, json!({"group_number": "1"})).await);
        idns.push(idn);
    }
    let id = open(&mut v, &plan("2026", "representatives", day)).await;
    ok(v.committee
        .api_post(
            &format!("/api/v1/elections/{id}/representatives"),
            &json!({"group_number": 1, "residents": [g[0], g[1]]}),
        )
        .await)
    .await;
    ok(v.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await).await;
    ok(v.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await).await;
    ok(v.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await).await;
    app.state.clock.set(Some(huanjie::clock::real_today() + Duration::days(1)));
    let r = uphold_omitted(&mut v.committee, id, "组员2", &idns[2]).await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("not_representative")), "{}", r.1);
    assert_eq!(roll_of(&mut v.committee, id).await, vec![g[0], g[1]]);
    app.state.clock.set(None);
}
both!(an_upheld_omitted_objection_applies_the_election_method_n);

/// Item 9, rehearsal mode: a street admin of a `huanjie rehearse` deployment walks an election
/// over days by moving the clock (API and staff page); every page shows the 演练 banner; the
/// record verifies but `huanjie verify` reports it as a rehearsal's (exit 4), never as real.
async fn a_rehearsal_walks_the_weeks_and_its_record_is_never_real(app: TestApp) {
    assert!(app.state.config.log_name.starts_with(huanjie::clock::REHEARSAL_LOG_PREFIX));
    let day = huanjie::clock::real_today() + Duration::days(40);
    let mut w = world(&app, "rh").await;
    let (_, c) = w.admin.api_get("/api/v1/rehearsal/clock").await;
    assert_eq!((c["rehearsal"].clone(), c["moved"].clone()), (json!(true), json!(false)), "{c}");
    for (i, name) in ["演一", "演二", "演三"].iter().enumerate() {
        let idn = id_number(&years_before(day, 30 + i as i32).to_string(), 11 + 2 * i as u32);
        resident(&mut w.admin, w.c, name, &idn, json!({})).await;
    }
    let id = open(&mut w, &plan("2026", "direct", day)).await;
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await).await;
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await).await;
    // Nineteen days before election day: too late to publish the list (LAW.md §3 [N]: 20 days).
    let late = (day - Duration::days(19)).to_string();
    let c = ok(w.admin.api_post("/api/v1/rehearsal/clock", &json!({"day": late})).await).await;
    assert_eq!(c["today"], json!(late), "{c}");
    let r = w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await;
    assert_eq!(law_code(&r), (S::UNPROCESSABLE_ENTITY, json!("deadline_voter_list_published")), "{}", r.1);
    // Back to 25 days before: in time. The committee (not an administrator) cannot move the clock.
    let r = w.committee.api_post("/api/v1/rehearsal/clock", &json!({"day": late})).await;
    assert_eq!(r.0, S::FORBIDDEN, "{}", r.1);
    let on_time = (day - Duration::days(25)).to_string();
    ok(w.admin.api_post("/api/v1/rehearsal/clock", &json!({"day": on_time})).await).await;
    ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await).await;
    let (_, e) = w.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    assert_eq!(e["list_published_on"], json!(on_time), "{e}");
    // The staff page moves it too; every page, public ones included, shows the banner.
    let mut html = app.html_login("rh-admin").await;
    let page = html.get("/staff/rehearsal").await.text();
    assert!(page.contains("rehearsal-banner") && page.contains(&on_time), "{page}");
    let next = (day - Duration::days(24)).to_string();
    let r = html.form("/staff/rehearsal", &[("day", &next)]).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    assert_eq!(app.state.clock.get().map(|d| d.to_string()), Some(next.clone()));
    for path in ["/".to_string(), format!("/public/elections/{id}"), "/vote".into(), "/login".into()] {
        let body = app.client().get(&path).await.text();
        assert!(body.contains("rehearsal-banner") && body.contains("演练"), "{path}: {body}");
    }
    // The record verifies, and says it is a rehearsal's.
    let (st, rec) = app.client().api_get(&format!("/api/v1/elections/{id}/record")).await;
    assert_eq!(st, S::OK, "{rec}");
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("record.json");
    std::fs::write(&f, rec.to_string()).unwrap();
    let (code, text) = crate::helpers::huanjie_verify(app.verify_args(&f)).await;
    assert_eq!(code, Some(4), "{text}");
    assert!(text.starts_with("REHEARSAL (演练): rehearsal."), "{text}");
}

mod a_rehearsal_walks_the_weeks_and_its_record_is_never_real {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::a_rehearsal_walks_the_weeks_and_its_record_is_never_real(
            crate::helpers::TestApp::sqlite_rehearsal().await,
        )
        .await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        match crate::helpers::TestApp::postgres_rehearsal().await {
            Some(app) => super::a_rehearsal_walks_the_weeks_and_its_record_is_never_real(app).await,
            None => eprintln!("SKIPPED a_rehearsal_walks_the_weeks_and_its_record_is_never_real::postgres"),
        }
    }
}

/// Item 9: a real deployment's clock cannot be moved, and its pages show no banner.
async fn a_real_deployment_refuses_the_rehearsal_clock(app: TestApp) {
    let mut w = world(&app, "rl").await;
    let r = w.admin.api_post("/api/v1/rehearsal/clock", &json!({"day": "2027-01-01"})).await;
    assert_ne!(r.0, S::OK, "{}", r.1);
    assert_eq!(r.1["key"], json!("err.not_rehearsal"), "{}", r.1);
    assert_eq!(app.state.clock.get(), None);
    let body = app.client().get("/").await.text();
    assert!(!body.contains("rehearsal-banner"), "{body}");
}
both!(a_real_deployment_refuses_the_rehearsal_clock);

/// Case 1 again, LAW.md §3 [N?, P] and §1 [N] (5-year terms): the term is the one the city
/// declares for its deployment, not a fixed national calendar. Nationally December 2026 and
/// January 2027 are one term (2026–2030); a city whose terms run from 2022 begins a new term in
/// 2027, so the same ID number registers in December 2026 and again in January 2027, and a
/// third community's election in March 2027 (the same term as January's) refuses it. Once
/// voters hold claims the calendar cannot change.
async fn one_place_only_follows_the_term_the_city_declares_n_p(app: TestApp) {
    let day = |y, m, d| Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
    app.state.clock.set(Some(day(2026, 11, 1)));
    let store = app.store();
    let cli = huanjie::audit::Actor::system("cli");
    let declare = |y| app.state.clock.scope(huanjie::service::term_calendar::declare(store, &cli, y));
    match declare(1900).await {
        Err(huanjie::service::ServiceError::Law { code, .. }) => assert_eq!(code, "term_first_year"),
        other => panic!("accepted a first year of 1900: {other:?}"),
    }
    let cal = declare(2022).await.unwrap();
    assert_eq!((cal.first_year, cal.years), (2022, 5));
    let idn = id_number("1980-05-05", 11);
    let mut ids = Vec::new();
    for (code, d) in [("dca", day(2026, 12, 20)), ("dcb", day(2027, 1, 17)), ("dcc", day(2027, 3, 14))] {
        let mut w = world(&app, code).await;
        resident(&mut w.admin, w.c, "三地人", &idn, json!({})).await;
        let id = open(&mut w, &plan("2026", "direct", d)).await;
        ok(w.committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await).await;
        ids.push((id, w));
    }
    // Day 1: December's election registers the resident (term 2022–2026).
    let (e, w) = &mut ids[0];
    let report = ok(w.committee.api_post_empty(&format!("/api/v1/elections/{e}/voters/register")).await).await;
    assert_eq!(report["registered"], json!(1), "{report}");
    // Day 2: January's registers them too — a new term on the city's calendar (on the national
    // one this was refused as the same term).
    app.state.clock.set(Some(day(2026, 11, 2)));
    let (e, w) = &mut ids[1];
    let report = ok(w.committee.api_post_empty(&format!("/api/v1/elections/{e}/voters/register")).await).await;
    assert_eq!(report["registered"], json!(1), "{report}");
    // Day 3: March's is the same term as January's: refused.
    app.state.clock.set(Some(day(2026, 11, 3)));
    let (e, w) = &mut ids[2];
    let report = ok(w.committee.api_post_empty(&format!("/api/v1/elections/{e}/voters/register")).await).await;
    assert_eq!(report["registered"], json!(0), "{report}");
    assert_eq!(report["refused"][0]["code"], json!("registered_elsewhere"), "{report}");
    // The claims are keyed on the declared calendar: it is frozen now.
    match declare(2021).await {
        Err(huanjie::service::ServiceError::Law { code, .. }) => assert_eq!(code, "term_calendar_in_use"),
        other => panic!("the calendar changed under existing claims: {other:?}"),
    }
    // The declaration is in the system log, as the operator's act.
    let (st, b) = ids[0].1.admin.api_get("/api/v1/logs/system/entries?start=0").await;
    assert_eq!(st, S::OK, "{b}");
    let declared: Vec<&Value> =
        b["entries"].as_array().unwrap().iter().filter(|e| e["entry"]["type"] == json!("term.declared")).collect();
    assert_eq!(declared.len(), 1, "{b}");
    assert_eq!(declared[0]["entry"]["payload"]["first_year"], json!(2022));
    assert_eq!(declared[0]["entry"]["role"], json!("system"));
    app.state.clock.set(None);
}
both!(one_place_only_follows_the_term_the_city_declares_n_p);
