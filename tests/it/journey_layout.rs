//! Issue 13 item 10: phone layout and accessibility, in Chromium on the demo (`huanjie demo`'s
//! two elections, seeded the same way). Every staff and public page is opened at 390×844 in
//! Chinese and in English and must not scroll sideways; axe-core (tests/axe, installed by
//! `.ci/run` with `npm ci --prefix tests/axe`) finds no serious or critical violation on the
//! main pages; the 大字版 switch works without JavaScript and persists; the focus ring has
//! at least 3:1 contrast against what surrounds it (WCAG 2.2 SC 1.4.11 / 2.4.13); every QR
//! image has a text alternative; the dashboard chart is not clipped and its text grows in 大字版.
//! The walk includes the answers of forms: the voter cards (a POST), staff enrolment
//! (/login/enrol), the 2FA enrolment page, and a booth tablet's (kiosk) ballot.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fantoccini::Locator;
use huanjie::service::Staff;
use serde_json::{Value, json};

use crate::browser::{Browser, browser, plain_http};
use crate::helpers::TestApp;

const W: u32 = 390;
const H: u32 = 844;
const AXE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/axe/node_modules/axe-core/axe.min.js");

/// The demo as `huanjie demo` builds it, in a test app served over plain http.
struct Demo {
    app: TestApp,
    staff: Staff,
    admin_password: String,
    xingfu: i64,
    heping: i64,
    registration: i64,
    polling: i64,
    codes: Vec<String>,
    resident: i64,
    batch: i64,
    /// The committee member's password (not enrolled in two-step verification).
    weiyuan_password: String,
    /// The polling election's trustees (issue 18), to mix and decrypt before the count.
    trustees: huanjie::demo::DemoTrustees,
    /// A booth of the polling election, unlocked for one checked-in voter: its cookie.
    booth_token: String,
    /// A voter of the polling election whose card is issued again on every pass (not one of
    /// `codes`, which are cards 41 to 45 of the list).
    reissue: i64,
}

/// The street admin the demo has not enrolled yet: signing in leads to /login/enrol.
const NEW_ADMIN: &str = "newadmin";
const STATION: &str = "和平社区活动室投票站";

/// The resident at place `k` of election `id`'s voter list (list order: group, household, name).
async fn on_list(app: &TestApp, id: i64, k: usize) -> i64 {
    app.count(&format!(
        "SELECT r.id FROM voters v JOIN residents r ON r.id = v.resident_id \
         LEFT JOIN resident_groups g ON g.id = r.group_id LEFT JOIN households h ON h.id = r.household_id \
         WHERE v.election_id = {id} AND v.status = 'registered' ORDER BY g.number, h.number, r.name, r.id \
         LIMIT 1 OFFSET {k}"
    ))
    .await
}

async fn demo() -> Demo {
    let app = plain_http().await;
    let store = app.store();
    let accounts = huanjie::demo::seed(store).await.unwrap();
    let registration = huanjie::demo::seed_election(store, &app.state.log, &accounts).await.unwrap();
    let p = huanjie::demo::seed_polling_election(
        store,
        &app.state.log,
        &app.state.secrets.voting_code_key,
        &accounts,
        None,
    )
    .await
    .unwrap();
    huanjie::demo::enrol_admin(store, &app.state.secrets.session_key, &accounts).await.unwrap();
    let admin_password = accounts.lines.iter().find(|l| l.0 == "admin").unwrap().1.clone();
    let heping = huanjie::store::elections::get(store, p.election).await.unwrap().unwrap().community_id;
    let xingfu = accounts.community;
    let resident = app.count(&format!("SELECT MIN(id) FROM residents WHERE community_id = {xingfu}")).await;
    let batch = app.count("SELECT MIN(id) FROM import_batches").await;
    let weiyuan_password = accounts.lines.iter().find(|l| l.0 == "weiyuan").unwrap().1.clone();
    let grants = accounts.staff.grants.clone();
    huanjie::service::accounts::create_user(store, None, NEW_ADMIN, "新街道管理员", crate::helpers::PASSWORD, &grants)
        .await
        .unwrap();
    let (booth_id, booth_token) =
        huanjie::service::polling::register_booth(store, &accounts.staff, p.election, STATION, "1号", None)
            .await
            .unwrap();
    let booth_voter = on_list(&app, p.election, 0).await;
    let checkin = huanjie::service::polling::CheckIn {
        resident_id: booth_voter,
        channel: "booth".into(),
        station: STATION.into(),
        booth_id: Some(booth_id),
        proxy_id: None,
        assisted_by: None,
    };
    huanjie::service::polling::check_in(store, &accounts.staff, p.election, &checkin).await.unwrap();
    let reissue = on_list(&app, p.election, 1).await;
    Demo {
        weiyuan_password,
        trustees: p.trustees,
        booth_token,
        reissue,
        staff: accounts.staff,
        admin_password,
        xingfu,
        heping,
        registration,
        polling: p.election,
        codes: p.codes.into_iter().map(|c| c.1).collect(),
        resident,
        batch,
        app,
    }
}

/// The document's width, the viewport's, and — when wider — the outermost elements that
/// stick out (not those inside a container that scrolls by itself).
const MEASURE: &str = r#"
const de = document.documentElement;
const vw = de.clientWidth;
const out = [];
if (de.scrollWidth > vw) {
  const clipped = (el) => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    const p = el.parentElement.getBoundingClientRect();
    if (r.right > vw + 0.5 && p.right <= vw + 0.5 && !clipped(el)) {
      const cls = el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\s+/g, '.') : '';
      out.push(el.tagName.toLowerCase() + cls + ' ' + Math.round(r.width) + 'px "' + (el.textContent || '').trim().slice(0, 40) + '"');
    }
  }
}
return {scroll: de.scrollWidth, client: vw, inner: window.innerWidth, wide: out.slice(0, 6),
        h1: (document.querySelector('h1') || {textContent: ''}).textContent.trim().slice(0, 40)};
"#;

/// The smallest chart text as drawn on the screen, in CSS px: its font size in the drawing's
/// units times the drawing's scale.
const CHART_TEXT_PX: &str = r#"
const s = document.querySelector('.chart svg');
const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
return Math.min(...[...s.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
"#;

/// axe-core's run, serious and critical violations only.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => v.impact + ' ' + v.id + ' (' + v.help + '): ' + v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | '))))
  .catch(e => done(['axe failed: ' + e]));
"#;

/// What went wrong, collected over the whole walk and reported at once.
#[derive(Default)]
struct Report {
    too_wide: Vec<String>,
    axe: Vec<String>,
    measured: usize,
    axed: usize,
}

struct Walk<'a> {
    br: &'a Browser,
    axe: Option<String>,
    /// The pass: language, and 大字版 or not.
    lang: &'static str,
    report: Report,
}

impl Walk<'_> {
    /// Measures the page now shown; runs axe on it when `main_page`.
    async fn check(&mut self, label: &str, main_page: bool) {
        let b = &self.br.b;
        let m = b.execute(MEASURE, vec![]).await.unwrap();
        let url = b.current_url().await.unwrap();
        let (scroll, client) = (m["scroll"].as_i64().unwrap(), m["client"].as_i64().unwrap());
        assert_eq!(client, W as i64, "{url}: the layout viewport is a 390-px phone's");
        self.report.measured += 1;
        if scroll > client {
            self.report.too_wide.push(format!(
                "[{}] {label} {} ({}): {scroll}px wide in a {client}px viewport; sticking out: {}",
                self.lang,
                url.path(),
                m["h1"].as_str().unwrap_or(""),
                m["wide"]
            ));
        }
        if main_page && let Some(src) = &self.axe {
            b.execute(src, vec![]).await.unwrap();
            let v = b.execute_async(AXE_RUN, vec![]).await.unwrap();
            self.report.axed += 1;
            for line in v.as_array().unwrap() {
                self.report.axe.push(format!(
                    "[{}] {label} {}: {}",
                    self.lang,
                    url.path(),
                    line.as_str().unwrap_or("")
                ));
            }
        }
    }

    async fn visit(&mut self, path: &str, main_page: bool) {
        let url = format!("{}{path}", self.br.base);
        self.br.b.goto(&url).await.unwrap();
        self.br.b.wait().for_element(Locator::Css("body")).await.unwrap();
        self.check(path, main_page).await;
    }

    /// Visits a staff page, failing if the session was lost on the way.
    async fn staff(&mut self, path: &str, main_page: bool) {
        self.visit(path, main_page).await;
        let now = self.br.b.current_url().await.unwrap();
        assert_ne!(now.path(), "/login", "{path}: signed out");
    }
}

/// The public pages, the staff sign-in, every staff page of the demo and a resident's vote,
/// in the language the browser has been switched to. `code` is a voting code not used yet.
async fn walk_everything(w: &mut Walk<'_>, d: &Demo, code: &str) {
    let (x, h, reg, poll) = (d.xingfu, d.heping, d.registration, d.polling);
    // Public pages, signed out.
    w.visit("/", true).await;
    w.visit("/vote", true).await;
    w.visit("/observe", true).await;
    w.visit(&format!("/observe?log=election-{poll}"), false).await;
    w.visit("/receipt", false).await;
    w.visit("/booth", false).await;
    w.visit(&format!("/public/elections/{reg}"), false).await;
    w.visit(&format!("/public/elections/{poll}"), true).await;
    w.visit(&format!("/public/elections/{poll}/results"), false).await;
    w.visit(&format!("/public/elections/{poll}/count"), false).await;
    w.visit("/no-such-page", false).await;

    // A street admin without two-step verification yet is led to enrol before anything else.
    let b = &w.br.b;
    w.visit("/login", false).await;
    b.find(Locator::Id("username")).await.unwrap().send_keys(NEW_ADMIN).await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(crate::helpers::PASSWORD).await.unwrap();
    b.find(Locator::Css("form[action='/login'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css(".qr svg")).await.unwrap();
    assert_eq!(b.current_url().await.unwrap().path(), "/login/enrol");
    w.check("staff enrolment", true).await;
    b.delete_cookie("hj_pending").await.unwrap();
    // A committee member starts two-step verification from their account: the enrolment page.
    w.visit("/login", false).await;
    b.find(Locator::Id("username")).await.unwrap().send_keys("weiyuan").await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(&d.weiyuan_password).await.unwrap();
    b.find(Locator::Css("form[action='/login'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action='/logout']")).await.unwrap();
    w.staff("/account/2fa", false).await;
    if let Ok(start) = b.find(Locator::Css("form[action='/account/2fa/start'] button")).await {
        start.click().await.unwrap();
    }
    b.wait().for_element(Locator::Css(".qr svg")).await.unwrap();
    w.check("the 2FA enrolment", true).await;
    b.find(Locator::Css("form[action='/logout'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action='/login']")).await.unwrap();

    // The staff sign-in: password, then the authenticator's code.
    w.visit("/login", true).await;
    b.find(Locator::Id("username")).await.unwrap().send_keys("admin").await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(&d.admin_password).await.unwrap();
    b.find(Locator::Css("form[action='/login'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Id("code")).await.unwrap();
    w.check("the code step", false).await;
    let totp = d.app.totp_code("admin").await.unwrap();
    b.find(Locator::Id("code")).await.unwrap().send_keys(&totp).await.unwrap();
    b.find(Locator::Css("form[action='/login/code'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("table.list")).await.unwrap();

    // Every staff page (the GET routes of src/web/staff/mod.rs) with the demo's ids.
    w.staff("/staff", true).await;
    for c in [x, h] {
        w.staff(&format!("/staff/communities/{c}"), false).await;
    }
    w.staff(&format!("/staff/communities/{x}/households"), false).await;
    w.staff(&format!("/staff/communities/{x}/residents/new"), false).await;
    w.staff(&format!("/staff/residents/{}", d.resident), false).await;
    w.staff(&format!("/staff/residents/{}/edit", d.resident), false).await;
    w.staff(&format!("/staff/imports/{}", d.batch), false).await;
    w.staff("/staff/users", false).await;
    w.staff("/staff/elections", true).await;
    w.staff(&format!("/staff/elections/{reg}"), true).await;
    w.staff(&format!("/staff/elections/{poll}"), true).await;
    w.staff(&format!("/staff/elections/{reg}/voters/print"), false).await;
    w.staff(&format!("/staff/elections/{poll}/voters/print"), false).await;
    w.staff(&format!("/staff/elections/{poll}/polling"), true).await;
    w.staff(&format!("/staff/elections/{poll}/polling?q=%E7%8E%8B"), false).await;
    w.staff(&format!("/staff/elections/{poll}/paper"), false).await;
    w.staff(&format!("/staff/elections/{reg}/results"), false).await;
    w.staff(&format!("/staff/elections/{poll}/results"), false).await;
    w.staff("/observe", false).await;
    w.staff(&format!("/observe?log=election-{poll}"), false).await;
    w.staff("/account/password", false).await;
    w.staff("/account/2fa", false).await;
    // The voter cards, a POST's answer: one voter's card issued again (with its QR code).
    w.staff(&format!("/staff/elections/{poll}"), false).await;
    b.find(Locator::Id("reissue")).await.unwrap().send_keys(&d.reissue.to_string()).await.unwrap();
    b.find(Locator::Css("form:has(#reissue) button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("body.print .vcard .qr svg")).await.unwrap();
    assert_eq!(b.current_url().await.unwrap().path(), format!("/staff/elections/{poll}/cards"));
    w.check("the voter cards", true).await;

    // A resident votes on the phone: sign-in, ballot, review, receipt, the receipt check, and
    // the page for someone who has voted already.
    let b = &w.br.b;
    w.visit("/vote", false).await;
    b.find(Locator::Id("code")).await.unwrap().send_keys(code).await.unwrap();
    b.find(Locator::Css("form[action='/vote/signin'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("fieldset.post")).await.unwrap();
    w.check("the ballot", true).await;
    b.find(Locator::Css("fieldset.post input[type=checkbox]")).await.unwrap().click().await.unwrap();
    b.find(Locator::Css("form[action='/vote/review'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action='/vote/cast']")).await.unwrap();
    w.check("the review", true).await;
    b.find(Locator::Css("form[action='/vote/cast'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Id("receipt")).await.unwrap();
    w.check("the receipt", true).await;
    b.find(Locator::Css("a[href^='/receipt']")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action='/receipt']")).await.unwrap();
    w.check("the receipt check", false).await;
    w.visit("/vote", false).await;
    b.find(Locator::Id("code")).await.unwrap().send_keys(code).await.unwrap();
    b.find(Locator::Css("form[action='/vote/signin'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("main section p[role=status]")).await.unwrap();
    w.check("voted already", false).await;

    // The booth tablet (a kiosk), unlocked for a checked-in voter: the ballot.
    let set = format!("document.cookie = '{}={}; path=/';", huanjie::web::auth::BOOTH_COOKIE, d.booth_token);
    b.execute(&set, vec![]).await.unwrap();
    w.visit("/booth", false).await;
    b.wait().for_element(Locator::Css("fieldset.post")).await.unwrap();
    w.check("the kiosk ballot", true).await;
    b.delete_cookie(huanjie::web::auth::BOOTH_COOKIE).await.unwrap();
}

/// The pages a counted election adds (the count, the results, the record).
async fn walk_counted(w: &mut Walk<'_>, d: &Demo) {
    let poll = d.polling;
    w.visit(&format!("/public/elections/{poll}/results"), true).await;
    w.visit(&format!("/public/elections/{poll}/count"), true).await;
    w.visit(&format!("/public/elections/{poll}"), false).await;
    w.visit("/observe", false).await;
    w.staff(&format!("/staff/elections/{poll}/results"), true).await;
    w.staff(&format!("/staff/elections/{poll}"), false).await;
    w.staff("/staff/elections", false).await;
}

/// Issue 13 item 10: no page of the demo scrolls sideways on a 390-px phone, in Chinese and
/// in English, and axe-core finds no serious or critical violation on the main pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_page_fits_a_phone_and_passes_axe_in_both_languages() {
    let d = demo().await;
    let Some(br) = browser(&d.app, W, H).await else { return };
    let axe = match std::fs::read_to_string(AXE) {
        Ok(s) => Some(s),
        Err(_) => {
            eprintln!("SKIPPED axe-core checks: {AXE} missing (npm ci --prefix tests/axe; .ci/run does)");
            None
        }
    };
    let mut w = Walk { br: &br, axe, lang: "zh", report: Report::default() };
    // Chinese, English, and Chinese in 大字版 (22-px type must fit the phone too).
    let passes = [("zh", "zh", "standard"), ("en", "en", "standard"), ("zh-大字版", "zh", "large")];
    for ((label, lang, display), code) in passes.into_iter().zip(&d.codes) {
        br.b.delete_all_cookies().await.unwrap();
        br.b.goto(&format!("{}/lang/{lang}", br.base)).await.unwrap();
        br.b.goto(&format!("{}/display/{display}", br.base)).await.unwrap();
        w.lang = label;
        walk_everything(&mut w, &d, code).await;
    }
    // Close the polls, take in the (empty) paper box, count: the results pages, in both.
    let (store, log, staff) = (d.app.store(), &d.app.state.log, &d.staff);
    huanjie::service::polling::close_polls(store, log, staff, d.polling).await.unwrap();
    huanjie::service::polling::accept_box(store, staff, d.polling, STATION, 0).await.unwrap();
    // The demo's election is end-to-end (issue 18): its trustees shuffle and decrypt first.
    crate::e2e_mix::demo_trustees_mix_and_decrypt(&d.app, d.polling, &d.trustees).await;
    huanjie::service::counting::count_round(store, log, staff, d.polling).await.unwrap();
    for (label, lang, display) in passes {
        br.b.goto(&format!("{}/lang/{lang}", br.base)).await.unwrap();
        br.b.goto(&format!("{}/display/{display}", br.base)).await.unwrap();
        w.lang = label;
        walk_counted(&mut w, &d).await;
    }
    // The dashboard chart: every label and figure inside the drawing (not cut off), in both
    // displays; in 大字版 its text grows with the rest (not a fixed 11 px).
    let mut chart_px = Vec::new();
    for (lang, display) in [("zh", "standard"), ("en", "standard"), ("zh", "large"), ("en", "large")] {
        br.b.goto(&format!("{}/lang/{lang}", br.base)).await.unwrap();
        br.b.goto(&format!("{}/display/{display}", br.base)).await.unwrap();
        br.b.goto(&format!("{}/staff/elections", br.base)).await.unwrap();
        let px = br.b.execute(CHART_TEXT_PX, vec![]).await.unwrap().as_f64().unwrap();
        chart_px.push((lang, display, px));
        let cut: Value =
            br.b.execute(
                "const s = document.querySelector('.chart svg'); const vb = s.viewBox.baseVal; \
                 return [...s.querySelectorAll('text, rect')].filter(t => { const b = t.getBBox(); \
                 return b.x < 0 || b.y < 0 || b.x + b.width > vb.width || b.y + b.height > vb.height; }) \
                 .map(t => t.tagName + ' ' + t.textContent);",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(cut, json!([]), "[{lang}] the dashboard chart cuts these off");
        let label = br.b.find(Locator::Css(".chart svg")).await.unwrap().attr("aria-label").await.unwrap().unwrap();
        assert_ne!(label, "progress", "the chart has a label in the page's language");
    }
    br.b.goto(&format!("{}/display/standard", br.base)).await.unwrap();
    for (lang, display, px) in &chart_px {
        let standard = chart_px.iter().find(|c| c.0 == *lang && c.1 == "standard").unwrap().2;
        if *display == "large" {
            assert!(*px >= 17.0 && *px > standard * 1.4, "[{lang}] 大字版 chart text is {px:.1} px ({standard:.1} px)");
        }
    }
    eprintln!("chart text px: {chart_px:?}");
    let r = w.report;
    eprintln!("measured {} pages at {W}×{H}, axe on {} of them", r.measured, r.axed);
    assert!(r.measured >= 170, "every page was visited in every pass ({})", r.measured);
    assert!(
        r.too_wide.is_empty() && r.axe.is_empty(),
        "pages wider than the phone:\n{}\naxe-core serious/critical violations:\n{}",
        r.too_wide.join("\n"),
        r.axe.join("\n")
    );
    crate::browser::close(&br.b).await;
}

/// The computed `font-size` of `body` and the `<html>` class, in px.
async fn body_font(br: &Browser) -> (f64, String) {
    let v =
        br.b.execute(
            "return [parseFloat(getComputedStyle(document.body).fontSize), document.documentElement.className];",
            vec![],
        )
        .await
        .unwrap();
    (v[0].as_f64().unwrap(), v[1].as_str().unwrap_or("").to_string())
}

/// The contrast ratio (WCAG 2) of two CSS `rgb(…)` colours.
fn contrast(a: &str, b: &str) -> f64 {
    fn lum(c: &str) -> f64 {
        let n: Vec<f64> = c
            .trim_start_matches("rgba(")
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .take(3)
            .map(|x| x.trim().parse::<f64>().unwrap() / 255.0)
            .map(|x| if x <= 0.03928 { x / 12.92 } else { ((x + 0.055) / 1.055).powf(2.4) })
            .collect();
        0.2126 * n[0] + 0.7152 * n[1] + 0.0722 * n[2]
    }
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The focus ring of the element `css` (focused by script) and the background around it.
const FOCUS: &str = r#"
const el = document.querySelector(arguments[0]);
el.focus();
if (document.activeElement !== el) return ['not focused', 'none', 0, ''];
const s = getComputedStyle(el);
let bg = 'rgb(255, 255, 255)';
for (let a = el.parentElement; a; a = a.parentElement) {
  const c = getComputedStyle(a).backgroundColor;
  if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
}
return [s.outlineColor, s.outlineStyle, parseFloat(s.outlineWidth), bg];
"#;

/// Issue 13 item 10: the 大字版 switch, without JavaScript, in a real browser: after it the
/// body text is larger (≥ 18 px, the 适老化 guidance's floor) and the choice stays across
/// pages and sign-in; the standard switch undoes it. The focus ring has ≥ 3:1 contrast against
/// its background (WCAG 2.2 SC 1.4.11) on the page and in the red header, in both modes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_type_switch_persists_and_the_focus_ring_is_visible() {
    let app = plain_http().await;
    let Some(br) = browser(&app, W, H).await else { return };
    let (b, base) = (&br.b, &br.base);
    b.goto(&format!("{base}/lang/zh")).await.unwrap();
    b.goto(&format!("{base}/vote")).await.unwrap();
    let (standard, class) = body_font(&br).await;
    assert_eq!(class, "");
    let mut rings = Vec::new();
    // The switch is a plain link in the header: follow it as a resident would.
    for (mode, page) in [("standard", "/vote"), ("large", "/vote"), ("large", "/observe"), ("large", "/login")] {
        if mode == "large" && page == "/vote" {
            b.find(Locator::Css("header a.display-switch")).await.unwrap().click().await.unwrap();
            b.wait().for_element(Locator::Css("html.large")).await.unwrap();
            assert_eq!(b.current_url().await.unwrap().path(), "/vote", "the switch returns to the page");
        } else {
            b.goto(&format!("{base}{page}")).await.unwrap();
        }
        let (size, class) = body_font(&br).await;
        if mode == "large" {
            assert_eq!(class, "large", "{page}: the choice persists");
            assert!(size >= 18.0 && size > standard * 1.2, "{page}: {size}px vs {standard}px");
            let m = b.execute(MEASURE, vec![]).await.unwrap();
            assert!(m["scroll"].as_i64() <= m["client"].as_i64(), "{page} in large type is too wide: {m}");
        }
        for css in ["header a", "main input:not([type=hidden]), main a, main button"] {
            let v = b.execute(FOCUS, vec![json!(css)]).await.unwrap();
            let (ring, style, width, bg) =
                (v[0].as_str().unwrap(), v[1].as_str().unwrap(), v[2].as_f64().unwrap(), v[3].as_str().unwrap());
            let ratio = contrast(ring, bg);
            rings.push(format!("{mode} {page} {css}: {ring} on {bg} = {ratio:.2}:1"));
            assert!(style != "none" && width >= 2.0, "{mode} {page} {css}: no focus ring ({style} {width})");
            assert!(ratio >= 3.0, "{mode} {page} {css}: focus ring {ring} on {bg} is only {ratio:.2}:1");
        }
    }
    eprintln!("focus rings:\n{}", rings.join("\n"));
    // Back to standard from any page.
    b.find(Locator::Css("header a.display-switch")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("form[action='/login']")).await.unwrap();
    assert_eq!(b.current_url().await.unwrap().path(), "/login");
    assert_eq!(body_font(&br).await, (standard, String::new()));
    crate::browser::close(b).await;
}

/// Issue 13 item 10: the switch answers without JavaScript (a redirect and a cookie), goes
/// back only to a local page, and the page it returns to carries the class.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_type_switch_is_a_plain_redirect_to_a_local_page() {
    let app = TestApp::sqlite().await;
    let mut c = app.client();
    let get = |path: &str, referer: Option<&str>| {
        let mut r = Request::get(path);
        if let Some(from) = referer {
            r = r.header(header::REFERER, from);
        }
        r.body(Body::empty()).unwrap()
    };
    let r = c.send(get("/display/large?next=/observe", None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/observe");
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("display=large;") && cookie.contains("Path=/"), "{cookie}");
    let r = c.send(get("/display/large?next=//evil.example/x", Some("https://evil.example/y"))).await;
    assert_eq!(r.location(), "/y", "only the path of a referer is used, never another site");
    let r = c.send(get("/display/standard", Some("http://h/vote/review"))).await;
    assert_eq!(r.location(), "/vote/ballot", "a form's answer page returns to the start of its flow");
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.starts_with("display=standard;"), "{cookie}");
    let page = c.get("/vote").await.text();
    assert!(page.contains("<html lang=\"zh-CN\">") && page.contains("href=\"/display/large\""), "{page}");
    c.others.insert("display".into(), "large".into());
    let page = c.get("/vote").await.text();
    assert!(page.contains("<html lang=\"zh-CN\" class=\"large\">"), "{page}");
    assert!(page.contains("href=\"/display/standard\""));
}

/// Issue 13 item 10: every QR code drawn in a template sits in an element with `role="img"`
/// and a translated `aria-label` (the drawing itself is hidden from screen readers).
#[test]
fn every_qr_code_has_a_text_alternative() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    let mut seen = 0;
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("class=\"qr\"") {
                seen += 1;
                let end = i + text[i..].find("|safe }}").unwrap();
                let around = &text[i..end];
                assert!(
                    around.contains("role=\"img\"")
                        && around.contains("aria-label=\"{{")
                        && around.contains("t.t(\"qr."),
                    "{}: a QR code without a translated text alternative: {around}",
                    path.display()
                );
            }
        }
    }
    assert!(seen >= 6, "found the QR codes ({seen})");
    let svg = huanjie::report::qr::svg("x", 10).unwrap();
    assert!(svg.contains("aria-hidden=\"true\"") && !svg.contains("role="), "{svg}");
}
