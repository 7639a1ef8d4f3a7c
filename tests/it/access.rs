//! Role isolation: the matrix of roles × routes. A user never reads or changes anything
//! outside their scope; ids outside one's scope answer 404 (no probing).

use axum::http::StatusCode as S;
use serde_json::json;

use crate::both;
use crate::helpers::{K, R, TestApp, id_number, resident_json};

struct World {
    c1: i64,
    c2: i64,
    c3: i64,
    s1: i64,
    resident_c1: i64,
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
    World { c1, c2, c3, s1, resident_c1: body["id"].as_i64().unwrap() }
}

async fn role_matrix(app: TestApp) {
    let w = world(&app).await;
    let users = ["admin1", "committee1", "clerk1", "observer1", "admin2"];
    let mut clients = Vec::new();
    for u in users {
        clients.push(app.login(u).await);
    }
    let mut seq = 100;
    // (what, method, path, expected status per user in `users` order)
    let rows: Vec<(&str, &str, String, [S; 5])> = vec![
        (
            "list residents of C1",
            "GET",
            format!("/api/v1/communities/{}/residents", w.c1),
            [S::OK, S::OK, S::OK, S::OK, S::NOT_FOUND],
        ),
        (
            "list residents of C2 (other community, same street)",
            "GET",
            format!("/api/v1/communities/{}/residents", w.c2),
            [S::OK, S::NOT_FOUND, S::NOT_FOUND, S::OK, S::NOT_FOUND],
        ),
        (
            "list residents of C3 (other street)",
            "GET",
            format!("/api/v1/communities/{}/residents", w.c3),
            [S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND, S::OK],
        ),
        (
            "register a resident in C1",
            "POST",
            format!("/api/v1/communities/{}/residents", w.c1),
            [S::OK, S::OK, S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
        ),
        (
            "create a group in C1",
            "POST-group",
            format!("/api/v1/communities/{}/groups", w.c1),
            [S::OK, S::OK, S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
        ),
        (
            "create a community in S1",
            "POST-community",
            format!("/api/v1/street-offices/{}/communities", w.s1),
            [S::OK, S::FORBIDDEN, S::FORBIDDEN, S::FORBIDDEN, S::FORBIDDEN],
        ),
        (
            "create a clerk account for C1",
            "POST-user",
            "/api/v1/users".into(),
            [S::OK, S::FORBIDDEN, S::FORBIDDEN, S::FORBIDDEN, S::FORBIDDEN],
        ),
        (
            "read a resident of C1",
            "GET",
            format!("/api/v1/residents/{}", w.resident_c1),
            [S::OK, S::OK, S::OK, S::OK, S::NOT_FOUND],
        ),
        (
            "read a resident's edit history",
            "GET",
            format!("/api/v1/residents/{}/history", w.resident_c1),
            [S::OK, S::OK, S::OK, S::FORBIDDEN, S::NOT_FOUND],
        ),
        (
            "edit a resident of C1",
            "PUT",
            format!("/api/v1/residents/{}", w.resident_c1),
            [S::OK, S::OK, S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
        ),
        (
            "export C1 as CSV (HTML route)",
            "GET",
            format!("/staff/communities/{}/residents.csv", w.c1),
            [S::OK, S::OK, S::OK, S::OK, S::NOT_FOUND],
        ),
        (
            "open the import page of C1",
            "GET",
            format!("/staff/communities/{}/import", w.c1),
            [S::OK, S::OK, S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
        ),
        ("open the staff list", "GET", "/staff/users".into(), [S::OK, S::FORBIDDEN, S::FORBIDDEN, S::FORBIDDEN, S::OK]),
    ];
    for (what, method, path, expected) in rows {
        for (i, c) in clients.iter_mut().enumerate() {
            seq += 2;
            let status = match method {
                "GET" => c.get(&path).await.status,
                "POST" => c.api_post(&path, &resident_json("李强", &id_number("1975-01-02", seq + 1))).await.0,
                "POST-group" => c.api_post(&path, &json!({"number": seq, "name": format!("第{seq}组")})).await.0,
                "POST-community" => c.api_post(&path, &json!({"code": format!("new-{seq}"), "name": "新社区"})).await.0,
                "POST-user" => {
                    c.api_post(
                        &path,
                        &json!({"username": format!("u{seq}"), "display_name": "新人", "password": "long enough pw",
                        "role": "clerk", "scope": format!("community:{}", w.c1)}),
                    )
                    .await
                    .0
                }
                "PUT" => {
                    let (_, cur) = app.login("admin1").await.api_get(&path).await;
                    let mut body = resident_json("王芳", &id_number("1980-05-06", 12));
                    body["version"] = cur["version"].clone();
                    body["phone"] = json!(format!("139{seq:08}"));
                    c.api_put(&path, &body).await.0
                }
                _ => unreachable!(),
            };
            assert_eq!(status, expected[i], "{what}: {} got {status}", users[i]);
        }
    }
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
