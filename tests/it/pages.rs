//! Pages and documents not covered elsewhere: households, the observer portal, the OpenAPI
//! document (every path it lists is routed).

use axum::body::Body;
use axum::http::{Request, StatusCode as S};

use crate::both;
use crate::helpers::{K, R, TestApp};

async fn households_are_listed_and_created(app: TestApp) {
    let s = app.street("hh").await;
    let c = app.community(s, "hh-c").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    app.user("obs", R::Observer, K::StreetOffice, s).await;
    let mut api = app.login("admin").await;
    let r = api
        .form(
            &format!("/staff/communities/{c}/households"),
            &[("number", "A-0101"), ("address", "和平里1号"), ("group_number", "")],
        )
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let page = api.get(&format!("/staff/communities/{c}/households")).await.text();
    assert!(page.contains("A-0101") && page.contains("和平里1号"));
    assert!(page.contains("?q=A-0101"));
    // An observer reads the list but gets no form, and cannot post one.
    let mut obs = app.login("obs").await;
    let page = obs.get(&format!("/staff/communities/{c}/households")).await.text();
    assert!(page.contains("A-0101") && !page.contains("name=\"address\""));
    let r = obs.form(&format!("/staff/communities/{c}/households"), &[("number", "B"), ("address", "x")]).await;
    assert_eq!(r.status, S::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM households").await, 1);
}
both!(households_are_listed_and_created);

async fn observer_portal_shows_the_signed_checkpoint_to_all_and_events_to_staff(app: TestApp) {
    let s = app.street("obs").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    let mut admin = app.login("admin").await;
    let anon = app.client().get("/observe").await;
    assert_eq!(anon.status, S::OK);
    let page = anon.text();
    assert!(page.contains(&app.state.log.verifier_key()));
    assert!(page.contains("<svg"), "QR code of the latest checkpoint");
    assert!(page.contains(&format!("{}/system", app.state.log.name)));
    assert!(!page.contains("创建街道办事处"), "anonymous visitors do not see the registry timeline");
    let page = admin.get("/observe").await.text();
    assert!(page.contains("创建街道办事处") && page.contains("登录"), "{page}");
}
both!(observer_portal_shows_the_signed_checkpoint_to_all_and_events_to_staff);

#[tokio::test]
async fn every_openapi_path_is_routed() {
    let app = TestApp::sqlite().await;
    // Data behind every id 1, so that a 404 can only mean "not routed".
    let s = app.street("oa").await;
    let community = app.community(s, "oa-c").await;
    app.user("oa-admin", R::StreetAdmin, K::StreetOffice, s).await;
    let mut admin = app.login("oa-admin").await;
    let day = (huanjie::service::elections::today() + time::Duration::days(40)).to_string();
    let (st, b) = admin
        .api_post(
            &format!("/api/v1/communities/{community}/elections"),
            &serde_json::json!({"round": "2026", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1,
                "seats_member": 3, "profile": "national", "election_day": day}),
        )
        .await;
    assert_eq!(st, S::OK, "{b}");
    let (st, _) = admin.api_post_empty(&format!("/api/v1/elections/{}/registration/start", b["id"])).await;
    assert_eq!(st, S::OK);
    let mut c = admin;
    let doc = c.get("/api/v1/openapi.json").await.json();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 15);
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let uri = format!("/api/v1{}", path.replace("{id}", "1").replace("{log}", "system"));
            let req = Request::builder().method(method.to_uppercase().as_str()).uri(&uri).body(Body::empty()).unwrap();
            let r = c.send(req).await;
            let unrouted = r.status == S::METHOD_NOT_ALLOWED || r.json()["error"] == serde_json::json!("no_route");
            assert!(!unrouted, "{method} {uri}: {} {}", r.status, r.text());
        }
    }
}

#[tokio::test]
async fn unknown_api_paths_say_no_route() {
    let app = TestApp::sqlite().await;
    let r = app.client().get("/api/v1/nothing/here").await;
    assert_eq!(r.status, S::NOT_FOUND);
    assert_eq!(r.json()["error"], serde_json::json!("no_route"));
}
