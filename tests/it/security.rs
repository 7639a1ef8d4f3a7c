//! CSRF, sign-in throttling, sessions, and bad input that must never crash or change state.

use axum::body::Body;
use axum::http::{Request, StatusCode as S, header};
use serde_json::json;

use crate::both;
use crate::helpers::{K, PASSWORD, R, TestApp, id_number, resident_json};

async fn setup(app: &TestApp) -> i64 {
    let s = app.street("sec").await;
    let c = app.community(s, "sec-c").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    c
}

async fn html_login(app: &TestApp, user: &str) -> crate::helpers::Client {
    app.html_login(user).await
}

async fn csrf_token_required_on_every_form_and_api_write(app: TestApp) {
    let c = setup(&app).await;
    let mut web = html_login(&app, "admin").await;
    let groups_before = app.count("SELECT COUNT(*) FROM resident_groups").await;
    // No token, a wrong token: refused, nothing written.
    let r = web.form_raw(&format!("/staff/communities/{c}/groups"), "number=1&name=a").await;
    assert_eq!(r.status, S::FORBIDDEN);
    let r = web.form_raw(&format!("/staff/communities/{c}/groups"), "number=1&name=a&csrf=forged").await;
    assert_eq!(r.status, S::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM resident_groups").await, groups_before);
    // The right token: accepted.
    let r = web.form(&format!("/staff/communities/{c}/groups"), &[("number", "1"), ("name", "第一组")]).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM resident_groups").await, groups_before + 1);
    // API write without the header.
    let token = std::mem::take(&mut web.csrf);
    let (st, _) = web.api_post(&format!("/api/v1/communities/{c}/groups"), &json!({"number": 2, "name": "b"})).await;
    assert_eq!(st, S::FORBIDDEN);
    web.csrf = token;
    // A cross-site browser request is refused by the origin check before any handler runs.
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from("username=admin&password=x"))
        .unwrap();
    let r = web.send(req).await;
    assert_eq!(r.status, S::FORBIDDEN);
    assert!(r.text().contains("页面已过期或来源不明"), "{}", r.text());
}
both!(csrf_token_required_on_every_form_and_api_write);

async fn sign_in_is_throttled_per_account_and_per_address(app: TestApp) {
    setup(&app).await;
    let mut c = app.client();
    for _ in 0..huanjie::service::accounts::ACCOUNT_LIMIT {
        let r = c.form_raw("/login", "username=admin&password=wrong-password").await;
        assert_eq!(r.status, S::UNAUTHORIZED);
        assert!(r.text().contains("用户名或密码错误"));
    }
    // Locked now, even with the right password; the message says so in Chinese.
    let r = c.form_raw("/login", &format!("username=admin&password={}", PASSWORD.replace(' ', "+"))).await;
    assert_eq!(r.status, S::TOO_MANY_REQUESTS);
    assert!(r.text().contains("登录尝试次数过多"), "{}", r.text());
    assert!(r.headers.get(header::RETRY_AFTER).is_some());
    // Per address: failures spread over many usernames lock the address for everyone.
    app.user("other", R::Observer, K::StreetOffice, 1).await;
    for i in 0..huanjie::service::accounts::IP_LIMIT {
        c.form_raw("/login", &format!("username=nobody{i}&password=x")).await;
    }
    let (st, body) = c.api_post("/api/v1/session", &json!({"username": "other", "password": PASSWORD})).await;
    assert_eq!(st, S::TOO_MANY_REQUESTS, "{body}");
}
both!(sign_in_is_throttled_per_account_and_per_address);

async fn sessions_cycle_at_login_and_end_at_logout_and_password_change(app: TestApp) {
    setup(&app).await;
    let mut c = app.login("admin").await;
    let first = c.cookie.clone().unwrap();
    // Signing in again issues a new id and ends the old one.
    let mut c2 = app.client();
    c2.cookie = Some(first.clone());
    app.html_login_as(&mut c2, "admin").await;
    assert_ne!(c2.cookie.clone().unwrap(), first);
    let mut old = app.client();
    old.cookie = Some(first);
    assert_eq!(old.api_get("/api/v1/me").await.0, S::UNAUTHORIZED);
    // Logout ends the session.
    let (st, _) = c.api("DELETE", "/api/v1/session").await;
    assert!(st == S::OK || st == S::UNAUTHORIZED);
    let mut c = app.login("admin").await;
    let cookie = c.cookie.clone();
    let (st, _) = c.api("DELETE", "/api/v1/session").await;
    assert_eq!(st, S::OK);
    let mut again = app.client();
    again.cookie = cookie;
    assert_eq!(again.api_get("/api/v1/me").await.0, S::UNAUTHORIZED);
    // Password change: wrong old password refused; right one ends every session.
    let mut web = html_login(&app, "admin").await;
    let r = web.form("/account/password", &[("old_password", "nope"), ("new_password", "a brand new password")]).await;
    assert_eq!(r.status, S::UNPROCESSABLE_ENTITY);
    let mut other = app.login("admin").await;
    let r =
        web.form("/account/password", &[("old_password", PASSWORD), ("new_password", "a brand new password")]).await;
    assert_eq!(r.status, S::SEE_OTHER);
    assert_eq!(other.api_get("/api/v1/me").await.0, S::UNAUTHORIZED);
    let (st, _) = app
        .client()
        .api_post(
            "/api/v1/session",
            &json!({"username": "admin", "password": "a brand new password", "code": app.totp_code("admin").await}),
        )
        .await;
    assert_eq!(st, S::OK);
}
both!(sessions_cycle_at_login_and_end_at_logout_and_password_change);

async fn bad_input_gets_a_clear_error_and_changes_nothing(app: TestApp) {
    let c = setup(&app).await;
    let mut api = app.login("admin").await;
    let mut web = html_login(&app, "admin").await;
    let base = format!("/api/v1/communities/{c}/residents");
    let before = app.count("SELECT COUNT(*) FROM residents").await;
    let entries_before = app.count("SELECT COUNT(*) FROM audit_entries").await;
    // Wrong check digit: 422 naming the field, in Chinese.
    let mut bad = id_number("1990-01-01", 11);
    bad.pop();
    bad.push(if id_number("1990-01-01", 11).ends_with('0') { '1' } else { '0' });
    let (st, body) = api.api_post(&base, &resident_json("张三", &bad)).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("校验位"), "{body}");
    assert_eq!(body["fields"][0]["field"], json!("id_number"));
    // Wrong types and malformed JSON.
    let (st, _) = api.api_post(&base, &json!({"name": 5})).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    let req = Request::post(&base).header("x-csrf-token", api.csrf.clone()).body(Body::from("{not json")).unwrap();
    assert_eq!(api.send(req).await.status, S::UNPROCESSABLE_ENTITY);
    // Invalid UTF-8 in a form body.
    let req = Request::post(format!("/staff/communities/{c}/groups"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(vec![b'n', b'a', b'm', b'e', b'=', 0xff, 0xfe]))
        .unwrap();
    let st = web.send(req).await.status;
    assert!(st.is_client_error(), "{st}");
    // Missing fields and wrong types in a form.
    let r = web.form(&format!("/staff/communities/{c}/groups"), &[("number", "abc"), ("name", "x")]).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    // Oversize body.
    let huge = "x".repeat(huanjie::web::BODY_LIMIT + 10);
    let r = web.form(&format!("/staff/communities/{c}/groups"), &[("number", "1"), ("name", &huge)]).await;
    assert_eq!(r.status, S::PAYLOAD_TOO_LARGE);
    assert!(r.text().contains("提交的内容过大"));
    // Unknown ids.
    assert_eq!(api.api_get("/api/v1/residents/999999").await.0, S::NOT_FOUND);
    assert_eq!(api.api_get("/api/v1/communities/999999/residents").await.0, S::NOT_FOUND);
    let r = web.get("/staff/residents/notanumber").await;
    assert_eq!(r.status, S::BAD_REQUEST);
    assert!(r.text().contains("格式不对"), "framework rejections answer in the user's language");
    let r = web.get("/no/such/page").await;
    assert_eq!(r.status, S::NOT_FOUND);
    assert!(r.text().contains("找不到该页面"));
    let r = web.form_raw("/login", "username=only").await;
    assert_eq!(r.status, S::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("格式不对"), "{}", r.text());
    let (st, body) = api.api_get("/api/v1/residents/abc").await;
    assert_eq!(st, S::BAD_REQUEST);
    assert_eq!(body["error"], json!("invalid"));
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_entries").await, entries_before);
    // SQL and HTML in names are stored as text and escaped on output.
    let evil = "<script>alert(1)</script>';DROP TABLE x;--";
    let (st, body) = api.api_post(&base, &resident_json(evil, &id_number("1990-01-01", 13))).await;
    assert_eq!(st, S::OK, "{body}");
    let page = web.get(&format!("/staff/residents/{}", body["id"])).await.text();
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{page}");
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, before + 1);
}
both!(bad_input_gets_a_clear_error_and_changes_nothing);

async fn english_on_request(app: TestApp) {
    setup(&app).await;
    let mut c = app.client();
    c.lang = "en-US,en;q=0.9";
    let r = c.get("/login").await;
    assert!(r.text().contains("Staff sign-in"));
    let r = c.get("/lang/zh").await;
    assert!(r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().starts_with("lang=zh"));
    let r = c.form_raw("/login", "username=admin&password=wrong-password").await;
    assert!(r.text().contains("Wrong username or password"));
    // Security headers on every page.
    let csp = r.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("form-action 'self'"));
    assert!(r.headers.get("x-request-id").is_some());
}
both!(english_on_request);

/// The review's findings, kept fixed: no personal data in the system log; a password typed as
/// a username is not kept; ID numbers that hold a place in a round cannot change.
async fn logs_keep_no_personal_data(app: TestApp) {
    let c = setup(&app).await;
    let mut api = app.login("admin").await;
    let id = id_number("1988-02-03", 77);
    let mut body = resident_json("隐私人", &id);
    body["phone"] = json!("13912345678");
    let (_, r) = api.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
    let rid = r["id"].as_i64().unwrap();
    let mut edit = resident_json("隐私人改", &id);
    edit["version"] = json!(1);
    assert_eq!(api.api_put(&format!("/api/v1/residents/{rid}"), &edit).await.0, S::OK);
    app.client().form_raw("/login", "username=my+secret+pass!&password=x").await;
    let leaves = huanjie::store::audit::entries(app.store(), "system", 0, 100_000).await.unwrap();
    for e in &leaves {
        let t = String::from_utf8_lossy(&e.leaf);
        for secret in [id.as_str(), "13912345678", "隐私人", "my secret pass!"] {
            assert!(!t.contains(secret), "{secret} found in the log: {t}");
        }
    }
    let updated = leaves.iter().rev().find(|e| String::from_utf8_lossy(&e.leaf).contains("resident.updated")).unwrap();
    let leaf: serde_json::Value = serde_json::from_slice(&updated.leaf).unwrap();
    assert_eq!(leaf["payload"]["fields"], json!(["name", "phone"]), "only the names of changed fields");
}
both!(logs_keep_no_personal_data);
