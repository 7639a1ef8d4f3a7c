//! Sign-in under attack (issue 12 items 2, 3, 10, 11): `next` never half-succeeds, attempts
//! are reserved before hashing, X-Forwarded-For only from configured proxies, the owner still
//! gets in during an attack, Secure cookies from the public URL, two-step verification.

use axum::body::Body;
use axum::http::{Request, StatusCode as S, header};
use huanjie::service::{signin, totp};
use serde_json::json;

use crate::both;
use crate::helpers::{Client, K, PASSWORD, R, TestApp};

async fn setup(app: &TestApp) -> (i64, i64) {
    let s = app.street("si").await;
    let c = app.community(s, "si-c").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    app.user("clerk1", R::Clerk, K::Community, c).await;
    (s, c)
}

fn pw() -> String {
    PASSWORD.replace(' ', "+")
}

async fn failed_logins(app: &TestApp, reason: &str) -> usize {
    let leaves = huanjie::store::audit::entries(app.store(), "system", 0, 100_000).await.unwrap();
    leaves
        .iter()
        .filter(|e| {
            let v: serde_json::Value = serde_json::from_slice(&e.leaf).unwrap();
            v["type"] == json!("session.login_failed") && v["payload"]["reason"] == json!(reason)
        })
        .count()
}

async fn system_log_text(app: &TestApp) -> String {
    let leaves = huanjie::store::audit::entries(app.store(), "system", 0, 100_000).await.unwrap();
    leaves.iter().map(|e| String::from_utf8_lossy(&e.leaf).to_string()).collect::<Vec<_>>().join("\n")
}

/// A form post to /login from `peer` with an X-Forwarded-For header.
async fn login_from(c: &mut Client, xff: Option<&str>, user: &str, password: &str) -> S {
    let mut req = Request::post("/login").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    let body = serde_urlencoded::to_string([("username", user), ("password", password)]).unwrap();
    c.send(req.body(Body::from(body)).unwrap()).await.status
}

fn from(addr: &str) -> Option<std::net::SocketAddr> {
    Some(format!("{addr}:40000").parse().unwrap())
}

// ---- item 2: next ----

async fn next_is_a_strict_local_path_and_sign_in_never_half_succeeds(app: TestApp) {
    setup(&app).await;
    for (next, want) in [
        ("/staff\u{1}", "/staff"),
        ("/\t/evil.example/", "/staff"),
        ("//evil.example/", "/staff"),
        ("/\\evil.example", "/staff"),
        ("https://evil.example/", "/staff"),
        ("/staff/elections?id=3&x=%20", "/staff/elections?id=3&x=%20"),
    ] {
        let mut c = app.client();
        let sessions = app.count("SELECT COUNT(*) FROM sessions").await;
        let body =
            serde_urlencoded::to_string([("username", "clerk1"), ("password", PASSWORD), ("next", next)]).unwrap();
        let r = c.form_raw("/login", &body).await;
        // A whole sign-in: the redirect, the cookie and the session row, or nothing (no 500
        // after the commit).
        assert_eq!(r.status, S::SEE_OTHER, "{next}: {}", r.text());
        assert_eq!(r.location(), want, "{next}");
        assert!(c.cookie.is_some(), "{next}");
        assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, sessions + 1, "{next}");
    }
    let page = app.client().get("/login?next=/%09/evil.example/").await.text();
    assert!(page.contains("name=\"next\" value=\"/staff\""), "{page}");
    // The language switch follows the Referer only to a plain local path.
    let mut c = app.client();
    let req = Request::get("/lang/en").header(header::REFERER, "http://h.example/\t/evil.example/").body(Body::empty());
    let r = c.send(req.unwrap()).await;
    assert_eq!(r.status, S::SEE_OTHER);
    assert_eq!(r.location(), "/");
    let req = Request::get("/lang/en").header(header::REFERER, "http://h.example/staff/users").body(Body::empty());
    assert_eq!(c.send(req.unwrap()).await.location(), "/staff/users");
}
both!(next_is_a_strict_local_path_and_sign_in_never_half_succeeds);

// ---- item 3: throttling ----

async fn forty_parallel_wrong_passwords_are_checked_at_most_five_times(app: TestApp) {
    setup(&app).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let mut c = app.client();
        tasks.push(tokio::spawn(async move {
            let (st, _) =
                c.api_post("/api/v1/session", &json!({"username": "clerk1", "password": format!("wrong-{i}")})).await;
            st
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == S::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == S::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 35), "{statuses:?}");
    assert_eq!(failed_logins(&app, "credentials").await, 5, "only five passwords were hashed and checked");
}
both!(forty_parallel_wrong_passwords_are_checked_at_most_five_times);

async fn forwarded_for_from_an_untrusted_peer_is_ignored(app: TestApp) {
    setup(&app).await;
    // No proxy is configured: a client on loopback rotating X-Forwarded-For is still one address.
    let mut attacker = app.client();
    attacker.peer = from("127.0.0.1");
    for i in 0..huanjie::service::accounts::IP_LIMIT {
        let st = login_from(&mut attacker, Some(&format!("198.51.100.{i}")), &format!("nobody{i}"), "x").await;
        assert_eq!(st, S::UNAUTHORIZED, "attempt {i}");
    }
    let st = login_from(&mut attacker, Some("198.51.100.250"), "nobody-else", "x").await;
    assert_eq!(st, S::TOO_MANY_REQUESTS, "rotating X-Forwarded-For bypassed the per-address limit");
    // Spoofing the victim's address locks only the attacker's own.
    let mut attacker = app.client();
    attacker.peer = from("127.0.0.2");
    for _ in 0..6 {
        login_from(&mut attacker, Some("203.0.113.50"), "clerk1", "wrong").await;
    }
    assert_eq!(login_from(&mut attacker, Some("203.0.113.50"), "clerk1", PASSWORD).await, S::TOO_MANY_REQUESTS);
    let mut victim = app.client();
    victim.peer = from("203.0.113.50");
    assert_eq!(login_from(&mut victim, None, "clerk1", PASSWORD).await, S::SEE_OTHER);
}
both!(forwarded_for_from_an_untrusted_peer_is_ignored);

async fn the_owner_gets_in_from_their_own_address_while_the_account_is_under_attack(app: TestApp) {
    setup(&app).await;
    let mut owner = app.client();
    owner.peer = from("198.51.100.9");
    assert_eq!(login_from(&mut owner, None, "clerk1", PASSWORD).await, S::SEE_OTHER);
    // Attackers on many addresses, each under its own limit, spend the account's budget.
    let mut refused = 0;
    for a in 1..=4 {
        let mut attacker = app.client();
        attacker.peer = from(&format!("203.0.113.{a}"));
        for _ in 0..huanjie::service::accounts::ACCOUNT_LIMIT {
            if login_from(&mut attacker, None, "clerk1", "wrong-guess").await == S::TOO_MANY_REQUESTS {
                refused += 1;
            }
        }
    }
    // 20 guesses: the first 10 checked, then one per 30 s from new addresses (one slot here).
    assert_eq!(failed_logins(&app, "credentials").await as i64, signin::ACCOUNT_BUDGET + 1);
    assert_eq!(refused, 20 - signin::ACCOUNT_BUDGET - 1);
    // A new address waits for the next slot, even with the right password...
    let mut stranger = app.client();
    stranger.peer = from("192.0.2.77");
    assert_eq!(login_from(&mut stranger, None, "clerk1", PASSWORD).await, S::TOO_MANY_REQUESTS);
    // ...but the owner, from an address that signed in before, gets in at once.
    let mut owner = app.client();
    owner.peer = from("198.51.100.9");
    assert_eq!(login_from(&mut owner, None, "clerk1", PASSWORD).await, S::SEE_OTHER);
}
both!(the_owner_gets_in_from_their_own_address_while_the_account_is_under_attack);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_from_a_trusted_proxy_names_the_rightmost_untrusted_hop() {
    let app = TestApp::sqlite_with(|c| {
        c.trusted_proxies = huanjie::config::TrustedProxies::parse("10.0.0.0/8").unwrap();
    })
    .await;
    setup(&app).await;
    let mut proxy = app.client();
    proxy.peer = from("10.0.0.2");
    // The client put a fake hop first; the proxy appended the real address.
    for _ in 0..huanjie::service::accounts::ACCOUNT_LIMIT {
        assert_eq!(login_from(&mut proxy, Some("6.6.6.6, 198.51.100.20"), "clerk1", "wrong").await, S::UNAUTHORIZED);
    }
    // Through a second proxy of ours the same client is still the same address.
    assert_eq!(login_from(&mut proxy, Some("198.51.100.20, 10.0.0.3"), "clerk1", PASSWORD).await, S::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not locked out.
    assert_eq!(login_from(&mut proxy, Some("6.6.6.6, 198.51.100.21"), "clerk1", PASSWORD).await, S::SEE_OTHER);
}

// ---- item 10: Secure cookies from the public URL ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_unless_the_public_url_is_plain_http() {
    for (url, secure) in
        [(Some("https://huanjie.example.gov.cn"), true), (Some("http://127.0.0.1:8080"), false), (None, true)]
    {
        let app = TestApp::sqlite_with(|c| c.set_public_url(url.map(str::to_string))).await;
        assert_eq!(app.state.config.bind.ip().to_string(), "127.0.0.1");
        setup(&app).await;
        let mut c = app.client();
        let r = c.form_raw("/login", &format!("username=clerk1&password={}", pw())).await;
        let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
        assert!(cookie.starts_with("hj_session="));
        assert_eq!(cookie.contains("; Secure"), secure, "{url:?}: {cookie}");
        let r = c.get("/lang/en").await;
        let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
        assert_eq!(cookie.contains("; Secure"), secure, "{url:?}: {cookie}");
    }
}

// ---- item 11: two-step verification ----

fn between<'a>(page: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    page.split(start).skip(1).filter_map(|p| p.split(end).next()).collect()
}

async fn code_form(c: &mut Client, code: &str) -> crate::helpers::Resp {
    let page = c.get("/login/code").await.text();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")[0].to_string();
    c.form_raw("/login/code", &serde_urlencoded::to_string([("code", code), ("csrf", &csrf)]).unwrap()).await
}

async fn a_street_admin_enrols_before_anything_else_then_signs_in_in_two_steps(app: TestApp) {
    setup(&app).await;
    let key = app.state.secrets.session_key;
    let uid = huanjie::store::users::by_username(app.store(), "admin").await.unwrap().unwrap().id;
    // The helper enrols street admins; this one starts without (like a new account).
    signin::reset(app.store(), None, uid).await.unwrap();
    let sessions = app.count("SELECT COUNT(*) FROM sessions").await;
    let mut c = app.client();
    let r = c.form_raw("/login", &format!("username=admin&password={}&next=/staff/users", pw())).await;
    assert_eq!(r.status, S::SEE_OTHER);
    assert_eq!(r.location(), "/login/enrol");
    assert!(c.cookie.is_none() && c.others.contains_key("hj_pending"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, sessions, "no session before the code");
    // Half signed in: nothing else opens, and the API refuses the account until it has enrolled.
    assert!(c.get("/staff").await.location().starts_with("/login"));
    let (st, body) =
        app.client().api_post("/api/v1/session", &json!({"username": "admin", "password": PASSWORD})).await;
    assert_eq!(st, S::FORBIDDEN, "{body}");
    let page = c.get("/login/enrol").await.text();
    let secret = signin::unconfirmed_secret(app.store(), &key, uid).await.unwrap().unwrap();
    assert!(page.contains(&totp::base32(&secret)), "the key is shown");
    assert!(page.contains("otpauth://totp/Huanjie%3Aadmin?secret="));
    assert!(page.contains("<svg"), "a QR code");
    assert!(page.contains("<label for=\"code\">"));
    // A wrong code: still no session.
    let wrong = if totp::code_at(&secret, huanjie::store::now_ms()) == "000000" { "111111" } else { "000000" };
    assert_eq!(code_form(&mut c, wrong).await.status, S::UNAUTHORIZED);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, sessions);
    let r = code_form(&mut c, &totp::code_at(&secret, huanjie::store::now_ms())).await;
    assert_eq!(r.status, S::OK, "{}", r.text());
    let codes: Vec<String> = between(&r.text(), "<li><code>", "</code>").iter().map(|s| s.to_string()).collect();
    assert_eq!(codes.len(), 10);
    assert!(r.text().contains("href=\"/staff/users\""), "continues to next");
    assert!(c.cookie.is_some() && !c.others.contains_key("hj_pending"));
    assert_eq!(c.get("/staff/users").await.status, S::OK);
    let log = system_log_text(&app).await;
    assert!(log.contains("user.totp_enrolled"));
    for secret_text in [totp::base32(&secret), hex::encode(&secret), codes[0].clone()] {
        assert!(!log.contains(&secret_text), "a secret in the log");
    }

    // Two steps from now on; the code the enrolment used is spent.
    let mut c = app.client();
    c.form_raw("/login", &format!("username=admin&password={}", pw())).await;
    let used = totp::code_at(&secret, huanjie::store::now_ms());
    let r = code_form(&mut c, &used).await;
    let next_step = totp::code_for_step(&secret, totp::step_of(huanjie::store::now_ms()) + 1);
    if r.status == S::SEE_OTHER {
        // The enrolment happened in the step before; this one was fresh. Replay it now.
        let mut again = app.client();
        again.form_raw("/login", &format!("username=admin&password={}", pw())).await;
        assert_eq!(code_form(&mut again, &used).await.status, S::UNAUTHORIZED, "a code is accepted once");
    } else {
        assert_eq!(r.status, S::UNAUTHORIZED, "a code is accepted once");
        assert_eq!(code_form(&mut c, &next_step).await.status, S::SEE_OTHER);
    }
    // The API takes both factors in one call.
    app.exec("UPDATE staff_totp SET last_step = 0").await;
    let (st, _) = app.client().api_post("/api/v1/session", &json!({"username": "admin", "password": PASSWORD})).await;
    assert_eq!(st, S::UNAUTHORIZED, "the code is required");
    let code = totp::code_at(&secret, huanjie::store::now_ms());
    let (st, body) = app
        .client()
        .api_post("/api/v1/session", &json!({"username": "admin", "password": PASSWORD, "code": code}))
        .await;
    assert_eq!(st, S::OK, "{body}");

    // A recovery code works once, and is an audit entry.
    let mut c = app.client();
    c.form_raw("/login", &format!("username=admin&password={}", pw())).await;
    assert_eq!(code_form(&mut c, &codes[3].to_uppercase()).await.status, S::SEE_OTHER);
    assert!(system_log_text(&app).await.contains("user.recovery_code_used"));
    let mut c = app.client();
    c.form_raw("/login", &format!("username=admin&password={}", pw())).await;
    assert_eq!(code_form(&mut c, &codes[3]).await.status, S::UNAUTHORIZED);
    // Five wrong codes end the pending sign-in; so does its time limit.
    for _ in 0..signin::CODE_ATTEMPTS - 1 {
        assert_eq!(code_form(&mut c, "000000x").await.status, S::UNAUTHORIZED);
    }
    let r = code_form(&mut c, &codes[4]).await;
    assert_eq!(r.status, S::UNAUTHORIZED);
    assert!(r.text().contains("登录已超时"), "{}", r.text());
    let mut c = app.client();
    c.peer = from("192.0.2.10");
    c.form_raw("/login", &format!("username=admin&password={}", pw())).await;
    let page = c.get("/login/code").await.text();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")[0].to_string();
    app.exec("UPDATE login_pending SET expires_ms = 0").await;
    let r =
        c.form_raw("/login/code", &serde_urlencoded::to_string([("code", &codes[4]), ("csrf", &csrf)]).unwrap()).await;
    assert!(r.text().contains("登录已超时"), "{}", r.text());
    assert_eq!(c.get("/login/code").await.location(), "/login");
    assert_eq!(failed_logins(&app, "code").await, 3 + 4, "wrong codes are failed sign-ins");
}
both!(a_street_admin_enrols_before_anything_else_then_signs_in_in_two_steps);

async fn totp_is_offered_to_every_account_and_a_street_admin_can_reset_it(app: TestApp) {
    let (_, c) = setup(&app).await;
    let key = app.state.secrets.session_key;
    let clerk_id = huanjie::store::users::by_username(app.store(), "clerk1").await.unwrap().unwrap().id;
    let mut clerk = app.html_login("clerk1").await;
    let page = clerk.get("/account/2fa").await.text();
    assert!(page.contains("action=\"/account/2fa/start\""), "{page}");
    assert_eq!(clerk.form("/account/2fa/start", &[]).await.status, S::SEE_OTHER);
    let secret = signin::unconfirmed_secret(app.store(), &key, clerk_id).await.unwrap().unwrap();
    assert!(clerk.get("/account/2fa").await.text().contains(&totp::base32(&secret)));
    let r = clerk.form("/account/2fa/confirm", &[("code", &totp::code_at(&secret, huanjie::store::now_ms()))]).await;
    assert_eq!(r.status, S::OK, "{}", r.text());
    assert_eq!(between(&r.text(), "<li><code>", "</code>").len(), 10);
    // Now the clerk's password alone opens nothing.
    let mut c2 = app.client();
    let r = c2.form_raw("/login", &format!("username=clerk1&password={}", pw())).await;
    assert_eq!(r.location(), "/login/code");
    // A street admin of another street office cannot see the account; one of its own resets it.
    let other = app.street("far").await;
    app.user("faradmin", R::StreetAdmin, K::StreetOffice, other).await;
    let mut far = app.login("faradmin").await;
    assert_eq!(far.form(&format!("/staff/users/{clerk_id}/totp/reset"), &[]).await.status, S::NOT_FOUND);
    let mut admin = app.html_login("admin").await;
    assert!(admin.get("/staff/users").await.text().contains(&format!("/staff/users/{clerk_id}/totp/reset")));
    let r = admin.form(&format!("/staff/users/{clerk_id}/totp/reset"), &[]).await;
    assert_eq!(r.status, S::SEE_OTHER);
    assert!(admin.get(&r.location()).await.text().contains("已重置"));
    assert_eq!(clerk.get("/staff").await.status, S::SEE_OTHER, "the reset ended the clerk's sessions");
    assert!(system_log_text(&app).await.contains("user.totp_reset"));
    let r = app.client().form_raw("/login", &format!("username=clerk1&password={}", pw())).await;
    assert_eq!(r.location(), "/staff", "password only again");
    // The operator (what `huanjie user totp-reset` calls) resets too; nothing to reset is a 409.
    let admin_id = huanjie::store::users::by_username(app.store(), "admin").await.unwrap().unwrap().id;
    signin::reset(app.store(), None, admin_id).await.unwrap();
    assert!(signin::reset(app.store(), None, admin_id).await.is_err());
    let _ = c;
}
both!(totp_is_offered_to_every_account_and_a_street_admin_can_reset_it);
