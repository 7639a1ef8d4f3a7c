//! Role isolation: the matrix of roles × routes. A user never reads or changes anything
//! outside their scope; ids outside one's scope answer 404 (no probing), a missing permission
//! inside it 403.

use axum::http::StatusCode as S;
use serde_json::json;

use crate::both;
use crate::helpers::{K, R, TestApp, id_number, resident_json};

struct World {
    c1: i64,
    c2: i64,
    c3: i64,
    s1: i64,
    s2: i64,
    resident_c1: i64,
    /// A (draft) election in C1 and one in C3.
    e1: i64,
    e3: i64,
}

/// Ids that exist nowhere.
const MISSING: i64 = 987_654;

fn plan(round: &str) -> serde_json::Value {
    let day = huanjie::service::elections::today() + time::Duration::days(60);
    json!({"round": round, "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
           "profile": "national", "election_day": day.to_string(), "channels": ["paper"]})
}

async fn open_election(c: &mut crate::helpers::Client, community: i64) -> i64 {
    let (st, body) = c.api_post(&format!("/api/v1/communities/{community}/elections"), &plan("2026")).await;
    assert_eq!(st, S::OK, "{body}");
    body["id"].as_i64().unwrap()
}

async fn world(app: &TestApp) -> World {
    let s1 = app.street("s-one").await;
    let s2 = app.street("s-two").await;
    let c1 = app.community(s1, "c-one").await;
    let c2 = app.community(s1, "c-two").await;
    let c3 = app.community(s2, "c-three").await;
    app.user("admin1", R::StreetAdmin, K::StreetOffice, s1).await;
    app.user("admin2", R::StreetAdmin, K::StreetOffice, s2).await;
    app.user("committee1", R::Committee, K::Community, c1).await;
    app.user("clerk1", R::Clerk, K::Community, c1).await;
    app.user("observer1", R::Observer, K::StreetOffice, s1).await;
    let mut admin = app.login("admin1").await;
    let (st, body) = admin
        .api_post(&format!("/api/v1/communities/{c1}/residents"), &resident_json("王芳", &id_number("1980-05-06", 12)))
        .await;
    assert_eq!(st, S::OK, "{body}");
    let e1 = open_election(&mut admin, c1).await;
    let e3 = open_election(&mut app.login("admin2").await, c3).await;
    World { c1, c2, c3, s1, s2, resident_c1: body["id"].as_i64().unwrap(), e1, e3 }
}

/// Rows that change something, and so must leave no trace when refused.
fn stored(app: &TestApp) -> impl std::future::Future<Output = i64> + '_ {
    app.count(
        "SELECT (SELECT COUNT(*) FROM audit_entries) + (SELECT COUNT(*) FROM users) \
         + (SELECT COUNT(*) FROM user_roles) + (SELECT COUNT(*) FROM elections) \
         + (SELECT COUNT(*) FROM communities) + (SELECT COUNT(*) FROM residents) \
         + (SELECT COUNT(*) FROM resident_groups)",
    )
}

/// Every role against every route. The rule: out of scope or nonexistent is 404 (the same
/// answer, so ids cannot be probed), in scope without the permission 403; a refused request
/// changes nothing.
async fn role_matrix(app: TestApp) {
    let w = world(&app).await;
    let users = ["admin1", "committee1", "clerk1", "observer1", "admin2"];
    let mut clients = Vec::new();
    for u in users {
        clients.push(app.login(u).await);
    }
    let mut seq = 100;
    let (ok, no, nf) = (S::OK, S::FORBIDDEN, S::NOT_FOUND);
    // Refused by the law engine: the request got past scope and permission.
    let law = S::UNPROCESSABLE_ENTITY;
    let recall = json!({"member_id": "nobody", "reasons": "不履行职责", "signers": [], "election_day": "2030-01-01"});
    let by = json!({"election_day": "2030-01-01"});
    let community = |id: i64| json!({"role": "clerk", "scope": format!("community:{id}")});
    let street = |id: i64| json!({"role": "observer", "scope": format!("street_office:{id}")});
    // (what, method, path, body, expected status per user in `users` order)
    let rows: Vec<(&str, &str, String, serde_json::Value, [S; 5])> = vec![
        (
            "list residents of C1",
            "GET",
            format!("/api/v1/communities/{}/residents", w.c1),
            json!(null),
            [ok, ok, ok, ok, nf],
        ),
        (
            "list residents of C2 (other community, same street)",
            "GET",
            format!("/api/v1/communities/{}/residents", w.c2),
            json!(null),
            [ok, nf, nf, ok, nf],
        ),
        (
            "list residents of C3 (other street)",
            "GET",
            format!("/api/v1/communities/{}/residents", w.c3),
            json!(null),
            [nf, nf, nf, nf, ok],
        ),
        (
            "register a resident in C1",
            "POST",
            format!("/api/v1/communities/{}/residents", w.c1),
            json!(null),
            [ok, ok, no, no, nf],
        ),
        (
            "create a group in C1",
            "POST-group",
            format!("/api/v1/communities/{}/groups", w.c1),
            json!(null),
            [ok, ok, no, no, nf],
        ),
        (
            "create a community in S1",
            "POST-community",
            format!("/api/v1/street-offices/{}/communities", w.s1),
            json!(null),
            [ok, no, no, no, nf],
        ),
        (
            "create a community in a missing street office",
            "POST-community",
            format!("/api/v1/street-offices/{MISSING}/communities"),
            json!(null),
            [nf, nf, nf, nf, nf],
        ),
        ("create a clerk account for C1", "POST-user", "/api/v1/users".into(), community(w.c1), [ok, no, no, no, nf]),
        (
            "create a clerk account for C2 (other community, same street)",
            "POST-user",
            "/api/v1/users".into(),
            community(w.c2),
            [ok, nf, nf, no, nf],
        ),
        (
            "create a clerk account for C3 (other street)",
            "POST-user",
            "/api/v1/users".into(),
            community(w.c3),
            [nf, nf, nf, nf, ok],
        ),
        (
            "create a clerk account for a missing community",
            "POST-user",
            "/api/v1/users".into(),
            community(MISSING),
            [nf, nf, nf, nf, nf],
        ),
        ("create an observer for S1", "POST-user", "/api/v1/users".into(), street(w.s1), [ok, no, no, no, nf]),
        ("create an observer for S2", "POST-user", "/api/v1/users".into(), street(w.s2), [nf, nf, nf, nf, ok]),
        (
            "create an observer for a missing street office",
            "POST-user",
            "/api/v1/users".into(),
            street(MISSING),
            [nf, nf, nf, nf, nf],
        ),
        (
            "open an election in C1",
            "POST-json",
            format!("/api/v1/communities/{}/elections", w.c1),
            plan("2027"),
            [ok, no, no, no, nf],
        ),
        (
            "open an election in C2 (other community, same street)",
            "POST-json",
            format!("/api/v1/communities/{}/elections", w.c2),
            plan("2027"),
            [ok, nf, nf, no, nf],
        ),
        (
            "open an election in C3 (other street)",
            "POST-json",
            format!("/api/v1/communities/{}/elections", w.c3),
            plan("2027"),
            [nf, nf, nf, nf, ok],
        ),
        (
            "open an election in a missing community",
            "POST-json",
            format!("/api/v1/communities/{MISSING}/elections"),
            plan("2027"),
            [nf, nf, nf, nf, nf],
        ),
        (
            "open an election in C3 with a malformed round",
            "POST-json",
            format!("/api/v1/communities/{}/elections", w.c3),
            plan("twenty"),
            [nf, nf, nf, nf, law],
        ),
        (
            "open a recall of E1 (C1; the term is not in office)",
            "POST-json",
            format!("/api/v1/elections/{}/recalls", w.e1),
            recall.clone(),
            [law, no, no, no, nf],
        ),
        (
            "open a recall of E3 (other street)",
            "POST-json",
            format!("/api/v1/elections/{}/recalls", w.e3),
            recall.clone(),
            [nf, nf, nf, nf, law],
        ),
        (
            "open a recall of a missing election",
            "POST-json",
            format!("/api/v1/elections/{MISSING}/recalls"),
            recall.clone(),
            [nf, nf, nf, nf, nf],
        ),
        (
            "open a by-election of E1 (C1; no vacancy)",
            "POST-json",
            format!("/api/v1/elections/{}/byelection", w.e1),
            by.clone(),
            [law, no, no, no, nf],
        ),
        (
            "open a by-election of E3 (other street)",
            "POST-json",
            format!("/api/v1/elections/{}/byelection", w.e3),
            by.clone(),
            [nf, nf, nf, nf, law],
        ),
        (
            "open a by-election of a missing election",
            "POST-json",
            format!("/api/v1/elections/{MISSING}/byelection"),
            by.clone(),
            [nf, nf, nf, nf, nf],
        ),
        (
            "open a recall of E1 (HTML form)",
            "FORM",
            format!("/staff/elections/{}/results/action", w.e1),
            json!({"action": "recall_open", "member_id": "nobody", "reason": "不履行职责", "election_day": "2030-01-01"}),
            [law, no, no, no, nf],
        ),
        (
            "open a by-election of E3 (HTML form)",
            "FORM",
            format!("/staff/elections/{}/results/action", w.e3),
            json!({"action": "byelection", "election_day": "2030-01-01"}),
            [nf, nf, nf, nf, law],
        ),
        (
            "read a resident of C1",
            "GET",
            format!("/api/v1/residents/{}", w.resident_c1),
            json!(null),
            [ok, ok, ok, ok, nf],
        ),
        (
            "read a resident's edit history",
            "GET",
            format!("/api/v1/residents/{}/history", w.resident_c1),
            json!(null),
            [ok, ok, ok, no, nf],
        ),
        (
            "edit a resident of C1",
            "PUT",
            format!("/api/v1/residents/{}", w.resident_c1),
            json!(null),
            [ok, ok, no, no, nf],
        ),
        (
            "export C1 as CSV (HTML route)",
            "GET",
            format!("/staff/communities/{}/residents.csv", w.c1),
            json!(null),
            [ok, ok, ok, ok, nf],
        ),
        (
            "open the import page of C1",
            "GET",
            format!("/staff/communities/{}/import", w.c1),
            json!(null),
            [ok, ok, no, no, nf],
        ),
        ("open the staff list", "GET", "/staff/users".into(), json!(null), [ok, no, no, no, ok]),
    ];
    // Every wrong answer is collected, so one run shows them all.
    let mut wrong = Vec::new();
    for (what, method, path, body, expected) in rows {
        for (i, c) in clients.iter_mut().enumerate() {
            seq += 2;
            let put_body = if method == "PUT" {
                let (_, cur) = app.login("admin1").await.api_get(&path).await;
                let mut b = resident_json("王芳", &id_number("1980-05-06", 12));
                b["version"] = cur["version"].clone();
                b["phone"] = json!(format!("139{seq:08}"));
                b
            } else {
                json!(null)
            };
            let before = stored(&app).await;
            let status = match method {
                "GET" => c.get(&path).await.status,
                "POST" => c.api_post(&path, &resident_json("李强", &id_number("1975-01-02", seq + 1))).await.0,
                "POST-group" => c.api_post(&path, &json!({"number": seq, "name": format!("第{seq}组")})).await.0,
                "POST-community" => c.api_post(&path, &json!({"code": format!("new-{seq}"), "name": "新社区"})).await.0,
                "POST-user" => {
                    let mut b =
                        json!({"username": format!("u{seq}"), "display_name": "新人", "password": "long enough pw"});
                    b["role"] = body["role"].clone();
                    b["scope"] = body["scope"].clone();
                    c.api_post(&path, &b).await.0
                }
                "POST-json" => c.api_post(&path, &body).await.0,
                "FORM" => {
                    let fields: Vec<(&str, &str)> =
                        body.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect();
                    c.form(&path, &fields).await.status
                }
                "PUT" => c.api_put(&path, &put_body).await.0,
                _ => unreachable!(),
            };
            if status != expected[i] {
                wrong.push(format!("{what}: {} got {status}, expected {}", users[i], expected[i]));
            }
            if !status.is_success() && stored(&app).await != before {
                wrong.push(format!("{what}: {} was refused ({status}) but something changed", users[i]));
            }
        }
    }
    assert!(wrong.is_empty(), "{} wrong answers:\n{}", wrong.len(), wrong.join("\n"));
}
both!(role_matrix);

async fn observers_see_masked_id_numbers(app: TestApp) {
    let w = world(&app).await;
    let mut obs = app.login("observer1").await;
    let (_, r) = obs.api_get(&format!("/api/v1/residents/{}", w.resident_c1)).await;
    let shown = r["id_number"].as_str().unwrap();
    assert!(shown.contains("****"), "{shown}");
    assert_ne!(shown, id_number("1980-05-06", 12));
    // Nor can they probe ID numbers through the search.
    let prefix = &id_number("1980-05-06", 12)[..8];
    let (_, found) = obs.api_get(&format!("/api/v1/communities/{}/residents?q={prefix}", w.c1)).await;
    assert_eq!(found["total"], json!(0));
    let mut admin = app.login("admin1").await;
    let (_, r) = admin.api_get(&format!("/api/v1/residents/{}", w.resident_c1)).await;
    assert_eq!(r["id_number"], json!(id_number("1980-05-06", 12)));
    let (_, found) = admin.api_get(&format!("/api/v1/communities/{}/residents?q={prefix}", w.c1)).await;
    assert_eq!(found["total"], json!(1));
}
both!(observers_see_masked_id_numbers);

async fn unauthenticated_requests_are_turned_away(app: TestApp) {
    let w = world(&app).await;
    let mut anon = app.client();
    assert_eq!(anon.api_get("/api/v1/communities").await.0, S::UNAUTHORIZED);
    let r = anon.get(&format!("/staff/communities/{}", w.c1)).await;
    assert_eq!(r.status, S::SEE_OTHER);
    assert!(r.location().starts_with("/login?next="), "{}", r.location());
}
both!(unauthenticated_requests_are_turned_away);
