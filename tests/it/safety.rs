//! Issue 12, "safe to run a real election", at the HTTP level on both databases: voter
//! sessions live on the server (cast, sign-out, a reissued card and the close end them),
//! wrong voting codes and public objections are rate-limited per address and per election in
//! the database, the public log does not tell whether the person an objection names exists,
//! and a tablet made a booth holds no staff session.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode as S, header};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Client, Resp, TestApp};
use crate::polling::{STATION, nominating, ready};

/// A request as if from `ip` (the TCP peer; no proxy is trusted).
fn from(ip: &str, mut req: Request<Body>) -> Request<Body> {
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

async fn cast_from(app: &TestApp, ip: &str, id: i64, code: &str, ballot: &Value) -> Resp {
    let req = Request::post(format!("/api/v1/elections/{id}/ballots"))
        .header(header::AUTHORIZATION, format!("Bearer {code}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(ballot.to_string()))
        .unwrap();
    app.client().send(from(ip, req)).await
}

async fn signin_from(c: &mut Client, ip: &str, code: &str) -> Resp {
    let req = Request::post("/vote/signin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("code={}", huanjie::web::auth::urlencode(code))))
        .unwrap();
    c.send(from(ip, req)).await
}

fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[i..].split('"').next().unwrap().to_string()
}

/// A wrong code of the right shape (20 letters and digits).
fn wrong_code(i: usize) -> String {
    format!("ZZZZ-ZZZZ-ZZZZ-ZZ{:02}-{:04}", i % 100, i)
}

async fn open_polls(app: &TestApp, p: &mut crate::polling::Polling) {
    let _ = app;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{}/polls/open", p.id)).await;
    assert_eq!(st, S::OK, "{b}");
}

/// Signs a voter in through the page and returns their client and the ballot form's token.
async fn signed_in(app: &TestApp, code: &str) -> (Client, String) {
    let mut v = app.client();
    let r = signin_from(&mut v, "10.1.0.1", code).await;
    assert_eq!(r.location(), "/vote/ballot", "{}", r.text());
    let page = v.get("/vote/ballot").await;
    let csrf = csrf_of(&page.text());
    (v, csrf)
}

// ---- item 6: voter sessions live on the server ----

async fn voter_sessions_end_at_cast_signout_reissue_and_close(app: TestApp) {
    let mut p = ready(&app, "vs").await;
    open_polls(&app, &mut p).await;
    let id = p.id;
    let chair = p.cands["chair"][0].clone();
    let ballots = || async { app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id}")).await };

    // Signing out ends the session on the server: the old cookie, replayed, casts nothing.
    let (mut a, csrf) = signed_in(&app, &p.codes[&p.voters[1]]).await;
    let kept = a.others.clone();
    let r = a.form_raw("/vote/signout", &format!("csrf={csrf}")).await;
    assert_eq!(r.location(), "/vote");
    a.others = kept;
    let r = a.form_raw("/vote/cast", &format!("csrf={csrf}&chair={chair}")).await;
    assert_eq!(r.location(), "/vote", "a signed-out session must not cast");
    assert_eq!(ballots().await, 0);

    // A reissued card ends the sessions signed in with the old one.
    let (mut b, csrf) = signed_in(&app, &p.codes[&p.voters[2]]).await;
    let (st, body) =
        p.committee.api_post(&format!("/api/v1/elections/{id}/cards"), &json!({"resident_id": p.voters[2]})).await;
    assert_eq!(st, S::OK, "{body}");
    let r = b.form_raw("/vote/cast", &format!("csrf={csrf}&chair={chair}")).await;
    assert_eq!(r.location(), "/vote", "a session from before the reissue must not cast");
    assert_eq!(ballots().await, 0);

    // Casting ends the session: the same cookie cannot come back to the ballot.
    let (mut c, csrf) = signed_in(&app, &p.codes[&p.voters[3]]).await;
    let r = c.form_raw("/vote/cast", &format!("csrf={csrf}&chair={chair}")).await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.text());
    assert!(c.get(&r.location()).await.text().contains("投票成功"));
    assert_eq!(ballots().await, 1);
    let r = c.get("/vote/ballot").await;
    assert_eq!(r.location(), "/vote", "the session ended with the cast");
    // Signing in again says the ballot was received (and there is nothing more to do).
    let (_, _) = (signin_from(&mut c, "10.1.0.1", &p.codes[&p.voters[3]]).await, ());
    assert!(c.get("/vote/ballot").await.text().contains("已经领取过选票"));

    // The close of the polls ends every voter session of the election.
    let (mut d, csrf) = signed_in(&app, &p.codes[&p.voters[4]]).await;
    assert!(app.count(&format!("SELECT COUNT(*) FROM voter_sessions WHERE election_id = {id}")).await >= 1);
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM voter_sessions WHERE election_id = {id}")).await, 0);
    let r = d.form_raw("/vote/review", &format!("csrf={csrf}&chair={chair}")).await;
    assert_eq!(r.location(), "/vote");
    assert_eq!(ballots().await, 1);
}
both!(voter_sessions_end_at_cast_signout_reissue_and_close);

// ---- item 4: wrong voting codes are bounded ----

async fn wrong_codes_are_limited_per_address_and_a_correct_code_always_passes(app: TestApp) {
    let mut p = ready(&app, "wc").await;
    open_polls(&app, &mut p).await;
    let id = p.id;
    let ballot = json!({"chair": [p.cands["chair"][0]]});
    // A polling station's shared address: one voter's few mistakes lock nobody out.
    for i in 0..3 {
        let r = cast_from(&app, "10.2.0.1", id, &wrong_code(i), &ballot).await;
        assert_eq!(r.status, S::UNAUTHORIZED, "{}", r.text());
    }
    let r = cast_from(&app, "10.2.0.1", id, &p.codes[&p.voters[1]], &ballot).await;
    assert_eq!(r.status, S::CREATED, "{}", r.text());

    // One address guessing: after 30 failures in the window it is refused before any check,
    // with Retry-After and a message in Chinese; even a correct code from it waits.
    let per_address = huanjie::service::limits::CODE_FAILURES_PER_ADDRESS.max as usize;
    for i in 0..per_address {
        let r = cast_from(&app, "10.2.0.2", id, &wrong_code(100 + i), &ballot).await;
        assert_eq!(r.status, S::UNAUTHORIZED, "attempt {i}: {}", r.text());
    }
    let r = cast_from(&app, "10.2.0.2", id, &wrong_code(99), &ballot).await;
    assert_eq!(r.status, S::TOO_MANY_REQUESTS, "{}", r.text());
    let wait: i64 = r.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&wait), "{wait}");
    assert_eq!(r.json()["error"], json!("rate_limited"));
    assert!(r.json()["message"].as_str().unwrap().contains("投票码输错次数过多"), "{}", r.text());
    let r = cast_from(&app, "10.2.0.2", id, &p.codes[&p.voters[2]], &ballot).await;
    assert_eq!(r.status, S::TOO_MANY_REQUESTS);
    // Other addresses are not affected: the spoofable part of a request plays no role.
    let r = cast_from(&app, "10.2.0.3", id, &p.codes[&p.voters[2]], &ballot).await;
    assert_eq!(r.status, S::CREATED, "{}", r.text());

    // The sign-in form shares the same per-address limit.
    let mut v = app.client();
    let r = signin_from(&mut v, "10.2.0.2", &p.codes[&p.voters[3]]).await;
    assert_eq!(r.status, S::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.text().contains("投票码输错次数过多"), "{}", r.text());
    let r = signin_from(&mut v, "10.2.0.4", &p.codes[&p.voters[3]]).await;
    assert_eq!(r.location(), "/vote/ballot");
    // Two ballots cast: nothing a refused request did reached the box or the roll.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id}")).await, 2);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM participation WHERE election_id = {id}")).await, 2);
}
both!(wrong_codes_are_limited_per_address_and_a_correct_code_always_passes);

/// Guessing spread over many addresses: past the election's budget wrong codes are slowed with
/// a 429, while a correct code is never refused by it.
async fn the_election_limit_slows_failures_only(app: TestApp) {
    let mut p = ready(&app, "el").await;
    open_polls(&app, &mut p).await;
    let id = p.id;
    let ballot = json!({"chair": [p.cands["chair"][0]]});
    let limit = huanjie::service::limits::CODE_FAILURES_PER_ELECTION.max as usize;
    let mut limited = 0;
    for i in 0..limit + 5 {
        // 20 per address, under the per-address limit.
        let ip = format!("10.3.{}.{}", i / 20 / 250, (i / 20) % 250 + 1);
        let r = cast_from(&app, &ip, id, &wrong_code(i), &ballot).await;
        match r.status {
            S::UNAUTHORIZED => {}
            S::TOO_MANY_REQUESTS => limited += 1,
            s => panic!("{s}: {}", r.text()),
        }
    }
    assert_eq!(limited, 5, "failures past the election's budget are slowed");
    let r = cast_from(&app, "10.3.9.9", id, &p.codes[&p.voters[5]], &ballot).await;
    assert_eq!(r.status, S::CREATED, "a correct code always passes: {}", r.text());
}
both!(the_election_limit_slows_failures_only);

// ---- items 4 and 5: public objections ----

async fn objection_from(app: &TestApp, ip: &str, id: i64, body: &Value) -> Resp {
    let req = Request::post(format!("/api/v1/public/elections/{id}/objections"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    app.client().send(from(ip, req)).await
}

async fn public_objections_are_bounded_per_address_and_per_election(app: TestApp) {
    let p = nominating(&app, "ob", "national", false).await;
    let id = p.id;
    let body = json!({"filed_by": "路人", "kind": "omitted", "reason": "测试"});
    let entries = || async { app.count("SELECT COUNT(*) FROM audit_entries").await };
    for _ in 0..5 {
        let r = objection_from(&app, "10.4.0.1", id, &body).await;
        assert_eq!(r.status, S::OK, "{}", r.text());
    }
    let before = entries().await;
    let r = objection_from(&app, "10.4.0.1", id, &body).await;
    assert_eq!(r.status, S::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert!(r.json()["message"].as_str().unwrap().contains("申诉提交过于频繁"), "{}", r.text());
    assert_eq!(entries().await, before, "a refused objection writes no audit entry");
    // The HTML form answers the same, in the page's language.
    let req = Request::post(format!("/public/elections/{id}/objections"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(Body::from("filed_by=x&kind=omitted&reason=y"))
        .unwrap();
    let mut en = app.client();
    en.lang = "en";
    let r = en.send(from("10.4.0.1", req)).await;
    assert_eq!(r.status, S::TOO_MANY_REQUESTS);
    assert!(r.text().contains("Too many objections"), "{}", r.text());
    // Per election: filings from many addresses stop at the election's budget.
    let per_election = huanjie::service::limits::OBJECTIONS_PER_ELECTION.max as usize;
    let mut ok = 5;
    for i in 0..per_election {
        let r = objection_from(&app, &format!("10.5.{}.{}", i / 200, i % 200 + 1), id, &body).await;
        if r.status == S::OK {
            ok += 1;
        } else {
            assert_eq!(r.status, S::TOO_MANY_REQUESTS, "{}", r.text());
        }
    }
    assert_eq!(ok, per_election, "exactly the election's budget went in");
    let filed = app.count(&format!("SELECT COUNT(*) FROM objections WHERE election_id = {id}")).await;
    assert_eq!(filed as usize, per_election);
}
both!(public_objections_are_bounded_per_address_and_per_election);

/// LAW.md §3 [N?]: anyone may object; the public log must not show whether the person named
/// lives in the community until the committee decides.
async fn the_public_log_does_not_tell_whether_the_named_person_exists(app: TestApp) {
    let mut p = nominating(&app, "ex", "national", false).await;
    let id = p.id;
    let (_, roll) = p.committee.api_get(&format!("/api/v1/elections/{id}/voters")).await;
    let v = roll["voters"][0].clone();
    let real = json!({"filed_by": "甲", "name": v["name"], "id_number": v["id_number"], "kind": "wrongly_included", "reason": "已迁出"});
    let invented = json!({"filed_by": "甲", "name": "无此人", "id_number": crate::helpers::id_number("1970-01-01", 11),
                          "kind": "wrongly_included", "reason": "已迁出"});
    let a = objection_from(&app, "10.6.0.1", id, &real).await;
    let b = objection_from(&app, "10.6.0.1", id, &invented).await;
    assert_eq!((a.status, b.status), (S::OK, S::OK));
    let mut anon = app.client();
    let (st, log) = anon.api_get(&format!("/api/v1/logs/election-{id}/entries?start=0&end=1000")).await;
    assert_eq!(st, S::OK, "{log}");
    let filed: Vec<Value> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"].clone())
        .filter(|e| e.to_string().contains("objection.filed"))
        .collect();
    assert_eq!(filed.len(), 2, "{log}");
    let shape = |e: &Value| {
        let mut e = e.clone();
        let s = e.to_string();
        assert!(!s.contains("resident_id"), "no resident in a filing: {s}");
        // Everything but the ids, times and chain must be the same for both.
        for k in ["prev", "seq", "at"] {
            e.as_object_mut().map(|o| o.remove(k));
        }
        let mut s = e.to_string();
        for n in [a.json()["id"].to_string(), b.json()["id"].to_string()] {
            s = s.replace(&n, "N");
        }
        s
    };
    assert_eq!(shape(&filed[0]), shape(&filed[1]));
    // The decision, once published, names the resident.
    let (st, d) = p
        .committee
        .api_post(
            &format!("/api/v1/objections/{}/decide", a.json()["id"]),
            &json!({"upheld": false, "decision": "经核实仍居住"}),
        )
        .await;
    assert_eq!(st, S::OK, "{d}");
    let (_, log) = anon.api_get(&format!("/api/v1/logs/election-{id}/entries?start=0&end=1000")).await;
    let decided =
        log["entries"].as_array().unwrap().iter().find(|e| e["entry"].to_string().contains("objection.decided"));
    assert!(decided.unwrap()["entry"].to_string().contains(&format!("\"resident_id\":{}", v["resident_id"])));
}
both!(the_public_log_does_not_tell_whether_the_named_person_exists);

// ---- item 7: the booth tablet is a kiosk ----

async fn a_booth_tablet_holds_no_staff_session(app: TestApp) {
    let mut p = ready(&app, "bk").await;
    open_polls(&app, &mut p).await;
    let id = p.id;
    let mut tablet = app.login("bk-clerk").await;
    let session = tablet.cookie.clone().expect("signed in");
    assert_eq!(tablet.get("/staff").await.status, S::OK);
    let r = tablet
        .form("/booth/setup", &[("election_id", &id.to_string()), ("station", STATION), ("name", "3号写票间")])
        .await;
    assert_eq!(r.location(), "/booth", "{}", r.text());
    assert!(tablet.cookie.is_none(), "the setup clears the staff cookie");
    assert!(tablet.others.contains_key("hj_booth"));
    // Every staff URL from the device shows the sign-in page, whichever cookies it replays.
    tablet.cookie = Some(session.clone());
    for path in ["/staff", &format!("/staff/elections/{id}/polling"), "/staff/elections"] {
        let r = tablet.get(path).await;
        assert!(r.location().starts_with("/login"), "{path}: {} {}", r.status, r.location());
    }
    let (st, _) = tablet.api_get(&format!("/api/v1/elections/{id}/turnout")).await;
    assert_eq!(st, S::UNAUTHORIZED);
    // The clerk's session itself is gone on the server, not just hidden by the booth cookie.
    let mut replay = app.client();
    replay.cookie = Some(session);
    assert!(replay.get("/staff").await.location().starts_with("/login"));
    // The booth's pages carry no staff link and no link out of the booth.
    tablet.cookie = None;
    let page = tablet.get("/booth").await.text();
    assert!(page.contains("已锁定"), "{page}");
    for link in ["href=\"/staff", "href=\"/\"", "href=\"/observe", "action=\"/logout"] {
        assert!(!page.contains(link), "{link} on the booth page: {page}");
    }
    let (_, booths) = p.clerk.api_get(&format!("/api/v1/elections/{id}/booths")).await;
    let booth_id = booths["booths"][0]["id"].as_i64().unwrap();
    let how = format!("booth|{STATION}|{booth_id}");
    let r = p
        .clerk
        .form(&format!("/staff/elections/{id}/checkin"), &[("resident_id", &p.voters[6].to_string()), ("how", &how)])
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let page = tablet.get("/booth").await.text();
    assert!(page.contains("另选他人"), "{page}");
    for link in ["href=\"/staff", "href=\"/\"", "href=\"/observe"] {
        assert!(!page.contains(link), "{link} on the booth ballot: {page}");
    }
    // The audit entry says the staff session on the device ended.
    let (_, log) = app.client().api_get(&format!("/api/v1/logs/election-{id}/entries?start=0&end=1000")).await;
    let setups: Vec<&Value> =
        log["entries"].as_array().unwrap().iter().filter(|e| e["entry"]["type"] == json!("booth.registered")).collect();
    assert_eq!(setups.len(), 1);
    assert_eq!(setups[0]["entry"]["payload"]["staff_signed_out"], json!(true));
    // A staff member who signs in on the device retires it as a booth: the booth token goes.
    let mut again = app.client();
    again.others = tablet.others.clone();
    let r =
        again.api_post("/api/v1/session", &json!({"username": "bk-clerk", "password": crate::helpers::PASSWORD})).await;
    assert_eq!(r.0, S::OK, "{}", r.1);
    assert!(!again.others.contains_key("hj_booth"), "sign-in clears the booth token");
    assert_eq!(again.get("/staff").await.status, S::OK);
}
both!(a_booth_tablet_holds_no_staff_session);
