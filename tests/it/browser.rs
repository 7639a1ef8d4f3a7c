//! End-to-end in a real browser (Debian chromium + chromedriver, driven with fantoccini):
//! sign in and register a resident through the UI. Skipped, saying so, when chromedriver is
//! not installed (`.ci/run` installs it).

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::helpers::{K, PASSWORD, R, TestApp, id_number};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Kills chromedriver (and with it the browser) when the test ends, pass or fail.
struct Driver(std::process::Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Ends a WebDriver session at the end of a test. Every assertion has run by then; the driver
/// process is killed on drop whatever happens, so a failure to close (chromedriver sometimes
/// drops the connection while the session ends) is reported, not a test failure.
pub(crate) async fn close(b: &fantoccini::Client) {
    if let Err(e) = b.clone().close().await {
        eprintln!("browser: closing the WebDriver session failed ({e}); the driver is killed on drop");
    }
}

async fn wait_for_port(port: u16) -> bool {
    // Waiting for a child process to start listening (not a timing assertion): up to 20 s.
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_register_a_resident_in_a_real_browser() {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        eprintln!(
            "SKIPPED browser test: {CHROMEDRIVER} not installed (apt-get install chromium chromium-driver; .ci/run does)"
        );
        return;
    }
    let app = plain_http().await;
    let s = app.street("web").await;
    let c = app.community(s, "web-c").await;
    app.user("webadmin", R::StreetAdmin, K::StreetOffice, s).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(huanjie::web::serve(app.router.clone(), listener));

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let _driver = Driver(
        std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    assert!(wait_for_port(port).await, "chromedriver did not start");
    let profile = crate::helpers::temp_dir();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--window-size=360,800", format!("--user-data-dir={}", profile.0.display())]}),
    );
    let browser = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();

    // Sign in through the form (a 360-px phone-sized window).
    browser.goto(&format!("{base}/login")).await.unwrap();
    browser.find(Locator::Id("username")).await.unwrap().send_keys("webadmin").await.unwrap();
    browser.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    browser.find(Locator::Css("form[action='/login'] button")).await.unwrap().click().await.unwrap();
    // A street admin's second step: the code from the authenticator (computed here).
    let code = app.totp_code("webadmin").await.unwrap();
    browser.wait().for_element(Locator::Id("code")).await.unwrap().send_keys(&code).await.unwrap();
    browser.find(Locator::Css("form[action='/login/code'] button")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css("table.list")).await.unwrap();
    assert!(browser.current_url().await.unwrap().path().starts_with("/staff"));

    // Register a resident through the real form.
    let id = id_number("1985-03-04", 21);
    browser.goto(&format!("{base}/staff/communities/{c}/residents/new")).await.unwrap();
    browser.find(Locator::Id("name")).await.unwrap().send_keys("欧阳明").await.unwrap();
    browser.find(Locator::Id("id_number")).await.unwrap().send_keys(&id).await.unwrap();
    browser.find(Locator::Id("household_number")).await.unwrap().send_keys("0808").await.unwrap();
    browser.find(Locator::Css("form.form button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.wait().for_element(Locator::Css("dl.facts")).await.unwrap();
    let title = browser.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert!(title.contains("欧阳明"), "{title}");
    let page = browser.source().await.unwrap();
    assert!(page.contains(&id), "the page shows the stored ID number");
    assert_eq!(app.count("SELECT COUNT(*) FROM residents WHERE name = '欧阳明'").await, 1);
    crate::browser::close(&browser).await;
}

/// Issue 5: the committee's walk in a real browser, from a new election to the published list
/// and the printed voter cards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committee_walks_from_new_election_to_published_list_and_cards() {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        eprintln!("SKIPPED browser test: {CHROMEDRIVER} not installed");
        return;
    }
    let app = plain_http().await;
    let s = app.street("walk").await;
    let c = app.community(s, "walk-c").await;
    app.user("walkadmin", R::StreetAdmin, K::StreetOffice, s).await;
    let mut api = app.login("walkadmin").await;
    for (i, name) in ["钱一", "孙二", "李三"].iter().enumerate() {
        let (st, b) = api
            .api_post(
                &format!("/api/v1/communities/{c}/residents"),
                &json!({"name": name, "id_number": id_number("1970-01-01", 201 + 2 * i as u32), "hukou_here": "是"}),
            )
            .await;
        assert_eq!(st, axum::http::StatusCode::OK, "{b}");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(huanjie::web::serve(app.router.clone(), listener));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let _driver = Driver(
        std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    assert!(wait_for_port(port).await, "chromedriver did not start");
    let profile = crate::helpers::temp_dir();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--window-size=390,900", "--lang=zh-CN", format!("--user-data-dir={}", profile.0.display())]}),
    );
    let b = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    b.goto(&format!("{base}/login")).await.unwrap();
    b.find(Locator::Id("username")).await.unwrap().send_keys("walkadmin").await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("form[action='/login'] button")).await.unwrap().click().await.unwrap();
    let code = app.totp_code("walkadmin").await.unwrap();
    b.wait().for_element(Locator::Id("code")).await.unwrap().send_keys(&code).await.unwrap();
    b.find(Locator::Css("form[action='/login/code'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("table.list")).await.unwrap();
    // Open the election from the community page (the plan form comes with lawful defaults).
    b.goto(&format!("{base}/staff/communities/{c}")).await.unwrap();
    b.find(Locator::Css("details summary")).await.unwrap().click().await.unwrap();
    b.find(Locator::Css("form[action$='/elections'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("span.stage")).await.unwrap();
    let url = b.current_url().await.unwrap();
    assert!(url.path().starts_with("/staff/elections/"), "{url}");
    // Start registration, register, publish: one button each. After each click, wait until
    // the stored state shows the effect, then load the page afresh (no timing guesses).
    let id: i64 = url.path().rsplit('/').next().unwrap().parse().unwrap();
    for action in ["start_registration", "register", "publish"] {
        b.find(Locator::Css(&format!("input[value='{action}'] + button"))).await.unwrap().click().await.unwrap();
        if action == "publish" {
            // Publishing asks first (issue 13 item 7).
            b.wait().for_element(Locator::Id("confirm-yes")).await.unwrap().click().await.unwrap();
        }
        let mut done = false;
        for _ in 0..20_000 {
            let e = huanjie::store::elections::get(app.store(), id).await.unwrap().unwrap();
            let voters = huanjie::store::elections::roll(app.store(), id).await.unwrap().len();
            done = match action {
                "start_registration" => e.stage == huanjie::domain::Stage::Registration,
                "register" => voters == 3,
                _ => e.stage == huanjie::domain::Stage::ListPublished,
            };
            if done {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(done, "{action} took no effect");
        b.goto(url.as_str()).await.unwrap();
        b.wait().for_element(Locator::Css("span.stage")).await.unwrap();
    }
    // Print the cards: the page shows one card per voter with its code.
    b.find(Locator::Css("form[action$='/cards'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css(".vcard")).await.unwrap();
    let cards = b.find_all(Locator::Css(".vcard")).await.unwrap();
    assert_eq!(cards.len(), 3);
    let code = b.find(Locator::Css(".vcard .code")).await.unwrap().text().await.unwrap();
    assert_eq!(code.len(), 24, "{code}");
    crate::browser::close(&b).await;
}

/// A headless Chromium of the given window size on a served copy of the app.
pub(crate) struct Browser {
    pub(crate) b: fantoccini::Client,
    pub(crate) base: String,
    _driver: Driver,
    _profile: crate::helpers::TempDir,
}

pub(crate) async fn browser(app: &TestApp, width: u32, height: u32) -> Option<Browser> {
    launch(app, width, height, 2.0, &[], json!({})).await
}

/// [`browser`] with a device pixel ratio (the README screenshots use 2, a phone's).
pub(crate) async fn browser_at(app: &TestApp, width: u32, height: u32, pixel_ratio: f64) -> Option<Browser> {
    launch(app, width, height, pixel_ratio, &[], json!({})).await
}

/// [`browser`] with more Chromium arguments (e.g. `--user-agent=…`) and profile preferences
/// (e.g. JavaScript off).
pub(crate) async fn browser_with(
    app: &TestApp,
    width: u32,
    height: u32,
    extra_args: &[String],
    prefs: serde_json::Value,
) -> Option<Browser> {
    launch(app, width, height, 2.0, extra_args, prefs).await
}

async fn launch(
    app: &TestApp,
    width: u32,
    height: u32,
    pixel_ratio: f64,
    extra_args: &[String],
    prefs: serde_json::Value,
) -> Option<Browser> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        eprintln!("SKIPPED browser test: {CHROMEDRIVER} not installed");
        return None;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(huanjie::web::serve(app.router.clone(), listener));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let driver = Driver(
        std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    assert!(wait_for_port(port).await, "chromedriver did not start");
    let profile = crate::helpers::temp_dir();
    let mut args = vec![
        json!("--headless"),
        json!("--no-sandbox"),
        json!("--disable-gpu"),
        json!("--disable-quic"),
        json!("--no-first-run"),
        json!("--disable-background-networking"),
        json!("--disable-component-update"),
        json!("--disable-sync"),
        json!("--disable-dev-shm-usage"),
        json!(format!("--window-size={width},{height}")),
        json!("--lang=zh-CN"),
        json!(format!("--user-data-dir={}", profile.0.display())),
    ];
    args.extend(extra_args.iter().map(|a| json!(a)));
    let mut caps = serde_json::Map::new();
    // Headless Chromium makes no window narrower than 500 px: a phone's viewport is emulated
    // (width × height CSS px, a touch screen that honours the viewport meta tag). Not with
    // JavaScript switched off: chromedriver's emulation then never finishes loading a page, so
    // the no-JavaScript runs lay out in the narrowest real window (500 px).
    let no_js = prefs.get("profile.managed_default_content_settings.javascript").is_some();
    caps.insert("goog:chromeOptions".into(), json!({"binary": "/usr/bin/chromium", "args": args, "prefs": prefs}));
    if width < 500 && !no_js {
        caps["goog:chromeOptions"]["mobileEmulation"] = json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": pixel_ratio, "touch": true, "mobile": true}});
    }
    let b = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    Some(Browser { b, base, _driver: driver, _profile: profile })
}

/// Issue 6: on a 390×844 phone, a resident signs in with the code from the card, votes,
/// reviews, casts, sees the receipt, and cannot vote again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_votes_on_a_phone_and_cannot_vote_again() {
    let app = plain_http().await;
    let Some(br) = browser(&app, 390, 844).await else { return };
    let mut p = crate::polling::ready(&app, "ph").await;
    let id = p.id;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await;
    assert_eq!(st, axum::http::StatusCode::OK, "{b}");
    let (b, base) = (&br.b, &br.base);
    let voter = p.voters[14];
    b.goto(&format!("{base}/lang/zh")).await.unwrap();
    b.goto(&format!("{base}/vote")).await.unwrap();
    b.find(Locator::Id("code")).await.unwrap().send_keys(&p.codes[&voter]).await.unwrap();
    b.find(Locator::Css("form[action='/vote/signin'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("fieldset.post")).await.unwrap();
    let chair = p.cands["chair"][1].clone();
    b.find(Locator::Id(&format!("c-{chair}"))).await.unwrap().click().await.unwrap();
    b.find(Locator::Id("wi-member-1")).await.unwrap().send_keys("赵三").await.unwrap();
    b.find(Locator::Css("form[action='/vote/review'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action='/vote/cast']")).await.unwrap();
    let review = b.source().await.unwrap();
    assert!(review.contains("赵三"), "the review shows the write-in");
    b.find(Locator::Css("form[action='/vote/cast'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Id("receipt")).await.unwrap();
    let receipt = b.find(Locator::Id("receipt")).await.unwrap().text().await.unwrap();
    assert_eq!(receipt.len(), 24, "{receipt}");
    // The receipt is found in the public log.
    b.find(Locator::Css("a[href^='/receipt']")).await.unwrap().click().await.unwrap();
    // Wait for the check page itself (the receipt page has a notice too, so waiting on one races).
    b.wait().for_element(Locator::Css("form[action='/receipt'] ~ p.notice")).await.unwrap();
    // Back to the ballot: the cast ended the session (issue 12), so it asks for the code;
    // with the code again, refused, whatever the voter tries.
    b.goto(&format!("{base}/vote/ballot")).await.unwrap();
    b.wait().for_element(Locator::Id("code")).await.unwrap();
    b.find(Locator::Id("code")).await.unwrap().send_keys(&p.codes[&voter]).await.unwrap();
    b.find(Locator::Css("form[action='/vote/signin'] button")).await.unwrap().click().await.unwrap();
    // The refusal's status line: the sign-in page has a `main section` too, so waiting on that
    // returned before the navigation and read the old page (CI, stop 26).
    b.wait().for_element(Locator::Css("main section p[role=status]")).await.unwrap();
    let page = b.source().await.unwrap();
    assert!(page.contains("已经领取过选票"), "{page}");
    let marked = app
        .count(&format!("SELECT COUNT(*) FROM participation WHERE election_id = {id} AND resident_id = {voter}"))
        .await;
    assert_eq!(marked, 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id}")).await, 1);
    crate::browser::close(b).await;
}

/// Issue 6: a clerk sets up a booth tablet and checks a voter in to it; the tablet takes
/// exactly one ballot and locks again. Issue 12: the tablet is a kiosk — the voter in the booth
/// taps the header, tries the staff pages and the check-in, and no staff page opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_checks_in_and_the_booth_takes_one_ballot() {
    let app = plain_http().await;
    let Some(br) = browser(&app, 800, 1000).await else { return };
    let mut p = crate::polling::ready(&app, "bo").await;
    let id = p.id;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await;
    assert_eq!(st, axum::http::StatusCode::OK, "{b}");
    let (b, base) = (&br.b, &br.base);
    b.goto(&format!("{base}/lang/zh")).await.unwrap();
    b.goto(&format!("{base}/login")).await.unwrap();
    b.find(Locator::Id("username")).await.unwrap().send_keys("bo-clerk").await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("form[action='/login'] button")).await.unwrap().click().await.unwrap();
    // Signed in once the header offers to sign out (the login page has a <main> too).
    b.wait().for_element(Locator::Css("form[action='/logout']")).await.unwrap();
    // Set this browser up as booth 1 of the station: it shows the locked screen.
    b.goto(&format!("{base}/staff/elections/{id}/polling")).await.unwrap();
    b.find(Locator::Id("booth-name")).await.unwrap().send_keys("1号写票间").await.unwrap();
    b.find(Locator::Css("form[action='/booth/setup'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action='/booth']")).await.unwrap();
    assert!(b.source().await.unwrap().contains("已锁定"));
    // The clerk checks a voter in at the desk (another device), issuing the ballot to the booth.
    let (_, booths) = p.clerk.api_get(&format!("/api/v1/elections/{id}/booths")).await;
    let booth_id = booths["booths"][0]["id"].as_i64().unwrap();
    let voter = p.voters[14];
    let how = format!("booth|{}|{booth_id}", crate::polling::STATION);
    let r = p
        .clerk
        .form(&format!("/staff/elections/{id}/checkin"), &[("resident_id", &voter.to_string()), ("how", &how)])
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.text());
    // The voter in the booth attacks: the header has no link to follow, and every staff
    // page, typed in, shows the sign-in page; the check-in of another voter cannot be reached.
    b.goto(&format!("{base}/booth")).await.unwrap();
    b.wait().for_element(Locator::Css("fieldset.post")).await.unwrap();
    assert!(b.find(Locator::Css("header a.brand")).await.is_err(), "the logo leads nowhere in a booth");
    assert!(b.find(Locator::Css("a[href^='/staff']")).await.is_err(), "no staff link in a booth");
    let other = p.voters[15];
    for path in ["/".to_string(), "/staff".to_string(), format!("/staff/elections/{id}/polling?q=杨")] {
        b.goto(&format!("{base}{path}")).await.unwrap();
        b.wait().for_element(Locator::Css("main")).await.unwrap();
        let url = b.current_url().await.unwrap();
        assert!(url.path() == "/login", "{path} opened {url} on the booth tablet");
        assert!(b.find(Locator::Id(&format!("how-{other}"))).await.is_err(), "{path}: a check-in form opened");
        assert!(b.find(Locator::Css("form[action='/logout']")).await.is_err(), "{path}: a staff menu opened");
    }
    b.goto(&format!("{base}/api/v1/elections/{id}/participation")).await.unwrap();
    assert!(b.source().await.unwrap().contains("unauthenticated"), "the staff API refuses the tablet");
    // The booth now shows the ballot, once.
    b.goto(&format!("{base}/booth")).await.unwrap();
    b.wait().for_element(Locator::Css("fieldset.post")).await.unwrap();
    let member = p.cands["member"][2].clone();
    b.find(Locator::Id(&format!("c-{member}"))).await.unwrap().click().await.unwrap();
    b.find(Locator::Css("form[action='/booth/review'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action='/booth/cast']")).await.unwrap();
    b.find(Locator::Css("form[action='/booth/cast'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Id("receipt")).await.unwrap();
    b.find(Locator::Css("form[action='/booth'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action='/booth']")).await.unwrap();
    assert!(b.source().await.unwrap().contains("已锁定"), "the booth locked itself");
    let marked =
        app.count(&format!("SELECT COUNT(*) FROM participation WHERE election_id = {id} AND channel = 'booth'")).await;
    assert_eq!(marked, 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id}")).await, 1);
    crate::browser::close(b).await;
}

/// The browsers reach the server over plain http, like `huanjie demo` (public URL http://…).
pub(crate) async fn plain_http() -> TestApp {
    TestApp::sqlite_with(|c| c.set_public_url(Some("http://127.0.0.1".into()))).await
}
