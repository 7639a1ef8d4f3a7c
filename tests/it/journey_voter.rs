//! Issue 13, the voter's journey: items 2 (the card's QR code leads to the vote page with the
//! code in the fragment; the check-in number), 3 (the receipt survives a refresh: POST/redirect/
//! GET) and 9 (check-in finds people by name part, ID digits and check-in number, never by the
//! secret code). HTTP tests run on SQLite and PostgreSQL (`both!`); the Chromium tests at 390×844
//! in both languages, with the WeChat and Alipay in-app browsers' user agents, without
//! `history.replaceState`, and without JavaScript.

use axum::http::StatusCode as S;
use fantoccini::Locator;
use serde_json::{Value, json};

use crate::both;
use crate::browser::{Browser, browser_with, plain_http};
use crate::helpers::{Client, K, R, TestApp};
use crate::polling::{Polling, STATION, csrf_of, ready};

/// A phone in WeChat's in-app browser (Android, XWEB), as it sends its user agent.
const WECHAT_UA: &str = "Mozilla/5.0 (Linux; Android 12; V2049A Build/SP1A.210812.003; wv) AppleWebKit/537.36 \
    (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 \
    MMWEBID/6294 MicroMessenger/8.0.28.2240(0x28001C35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";
/// A phone in Alipay's in-app browser (Android, UC/Nebula).
const ALIPAY_UA: &str = "Mozilla/5.0 (Linux; U; Android 12; zh-CN; M2012K11AC Build/SKQ1.211006.001) \
    AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.58 UWS/3.22.2.43 Mobile Safari/537.36 \
    UCBS/3.22.2.43_220817202140 ChannelId(0) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:393|0|2.75) \
    AliApp(AP/10.5.0.6000) AlipayClient/10.5.0.6000 Language/zh-Hans";

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html.find(start).unwrap_or_else(|| panic!("{start} not in {html}")) + start.len();
    let j = html[i..].find(end).unwrap() + i;
    &html[i..j]
}

/// Reissues one voter's card on the printable page; returns (page, code, check-in number).
async fn reissue_on_page(p: &mut Polling, voter: i64) -> (String, String, String) {
    let r = p.committee.form(&format!("/staff/elections/{}/cards", p.id), &[("resident_id", &voter.to_string())]).await;
    assert_eq!(r.status, S::OK, "{}", r.text());
    let html = r.text();
    let code = between(&html, "<span class=\"code mono\">", "<").to_string();
    let number = between(&html, "<strong class=\"mono checkin-no\">", "<").to_string();
    p.codes.insert(voter, code.clone());
    (html, code, number)
}

async fn sign_in(app: &TestApp, code: &str) -> (Client, String) {
    let mut v = app.client();
    let r = v.form_raw("/vote/signin", &format!("code={}", huanjie::web::auth::urlencode(code))).await;
    assert_eq!(r.location(), "/vote/ballot", "{}", r.text());
    let csrf = csrf_of(&v.get("/vote/ballot").await.text());
    (v, csrf)
}

async fn ballots(app: &TestApp, id: i64) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id}")).await
}

async fn open(app: &TestApp, p: &mut Polling) {
    let _ = app;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{}/polls/open", p.id)).await;
    assert_eq!(st, S::OK, "{b}");
}

// ---- item 2: the card ----

/// The card's QR code holds `<public address>/vote#code=<code>`: the code only in the fragment
/// (never in the path or query a server or proxy logs); the card prints the address, the code
/// and the check-in number, which is not the code and stays the same on a reissued card.
async fn card_qr_is_the_public_vote_url_with_the_code_in_the_fragment(app: TestApp) {
    let mut p = ready(&app, "jc").await;
    let id = p.id;
    let base = app.state.config.public_base();
    // Every voter got a check-in number with the first cards: 1..=24, one each.
    let numbered = app
        .count(&format!(
            "SELECT COUNT(DISTINCT checkin_no) FROM voters WHERE election_id = {id} AND checkin_no BETWEEN 1 AND 24"
        ))
        .await;
    assert_eq!(numbered, 24);
    let voter = p.voters[5];
    let before =
        app.count(&format!("SELECT checkin_no FROM voters WHERE election_id = {id} AND resident_id = {voter}")).await;
    let (html, code, number) = reissue_on_page(&mut p, voter).await;
    assert_eq!(number, before.to_string(), "a reissued card keeps its check-in number");
    assert_ne!(number, code);
    // The QR code on the page encodes exactly the link: rendered again here and compared.
    let link = huanjie::service::voters::card_link(&base, &code);
    assert_eq!(link, format!("{base}/vote#code={code}"));
    let (before_fragment, fragment) = link.split_once('#').unwrap();
    assert!(!before_fragment.contains(&code) && !before_fragment.contains('?'), "{link}");
    assert_eq!(fragment, format!("code={code}"));
    let svg = huanjie::report::qr::svg(&link, 96).unwrap();
    assert!(html.contains(&svg), "the card's QR code is not the vote link");
    assert!(html.contains(&format!("{base}/vote")), "the card prints the address");
    assert!(html.contains("签到号") && html.contains("投票码"), "{html}");
    // The API's cards carry the number too.
    let (st, cards) =
        p.committee.api_post(&format!("/api/v1/elections/{id}/cards"), &json!({"resident_id": voter})).await;
    assert_eq!(st, S::OK, "{cards}");
    assert_eq!(cards["cards"][0]["checkin_no"], json!(before));
    // The printed PDF: the address, the check-in number and the code in words.
    let r = p
        .committee
        .form_raw(
            &format!("/staff/elections/{id}/cards.pdf"),
            &format!("csrf={}&resident_id={voter}", p.committee.csrf.clone()),
        )
        .await;
    assert_eq!(r.status, S::OK, "{}", r.text());
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("cards.pdf");
    std::fs::write(&f, &r.body).unwrap();
    match std::process::Command::new("pdftotext").arg(&f).arg("-").output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).replace(' ', "");
            assert!(text.contains(&format!("{base}/vote")), "{text}");
            assert!(text.contains(&format!("签到号{before}")), "{text}");
            // The code in words (a new one: printing the PDF reissued the card).
            let printed = between(&text, "投票码：", "\n").to_string();
            assert_eq!(printed.len(), 24, "{text}");
            assert_ne!(printed, cards["cards"][0]["code"].as_str().unwrap());
        }
        Err(_) => eprintln!("SKIPPED PDF text check: install poppler-utils (pdftotext)"),
    }
    // A pasted card link signs in as the code does.
    open(&app, &mut p).await;
    let code = p.codes[&p.voters[6]].clone();
    let mut v = app.client();
    let pasted = huanjie::service::voters::card_link(&base, &code);
    let r = v.form_raw("/vote/signin", &format!("code={}", huanjie::web::auth::urlencode(&pasted))).await;
    assert_eq!(r.location(), "/vote/ballot", "{}", r.text());
}
both!(card_qr_is_the_public_vote_url_with_the_code_in_the_fragment);

/// The script the vote page loads is served from 'self' with a script type, and the pages that
/// load it keep the CSP that forbids inline script.
async fn vote_script_is_served_from_self(app: TestApp) {
    let mut c = app.client();
    let r = c.get("/static/vote.js").await;
    assert_eq!(r.status, S::OK);
    let ct = r.headers.get(axum::http::header::CONTENT_TYPE).unwrap().to_str().unwrap().to_string();
    assert!(ct.starts_with("text/javascript"), "{ct}");
    assert!(r.text().contains("replaceState"));
    let page = c.get("/vote").await;
    let csp = page.headers.get(axum::http::header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(page.text().contains("<script src=\"/static/vote.js\" defer></script>"));
}
both!(vote_script_is_served_from_self);

// ---- item 3: the receipt survives a refresh ----

/// Casting answers 303 to a receipt page whose address holds the receipt; reloading it shows the
/// same receipt and casts nothing more; a made-up receipt is not shown as cast; the voter who
/// comes back is told they have voted and how to check the receipt.
async fn cast_redirects_to_a_receipt_that_survives_reload(app: TestApp) {
    let mut p = ready(&app, "jr").await;
    let id = p.id;
    open(&app, &mut p).await;
    let chair = p.cands["chair"][0].clone();
    let code = p.codes[&p.voters[2]].clone();
    let (mut v, csrf) = sign_in(&app, &code).await;
    let r = v.form_raw("/vote/cast", &format!("csrf={csrf}&chair={chair}")).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let url = r.location();
    assert!(url.starts_with(&format!("/vote/receipt?log=election-{id}&index=")), "{url}");
    assert_eq!(ballots(&app, id).await, 1);
    let first = v.get(&url).await;
    assert_eq!(first.status, S::OK);
    let receipt = between(&first.text(), "<p class=\"mono big\" id=\"receipt\">", "<").to_string();
    assert_eq!(receipt.len(), 24, "{receipt}");
    assert!(url.ends_with(&format!("receipt={receipt}")), "{url}");
    assert!(first.text().contains("投票成功"));
    // Reloading (the same GET, also from another device holding the bookmark): the same
    // receipt, and still one ballot.
    for client in [&mut v, &mut app.client()] {
        let again = client.get(&url).await;
        assert_eq!(again.status, S::OK);
        assert!(again.text().contains(&receipt));
    }
    assert_eq!(ballots(&app, id).await, 1, "a reload casts nothing");
    // A receipt that is not in that entry is not shown as a cast ballot.
    let forged = url.replace(&format!("receipt={receipt}"), "receipt=AAAABBBBCCCCDDDDEEEEFFFF");
    let r = v.get(&forged).await;
    assert_eq!(r.status, S::NOT_FOUND);
    assert!(!r.text().contains("投票成功"), "{}", r.text());
    // Coming back with the used code: told they voted, and how to check a receipt.
    let mut back = app.client();
    back.form_raw("/vote/signin", &format!("code={}", huanjie::web::auth::urlencode(&code))).await;
    let html = back.get("/vote/ballot").await.text();
    assert!(html.contains("已经领取过选票") && html.contains("回执码") && html.contains("href=\"/receipt\""), "{html}");
    assert!(!html.contains("name=\"chair\""), "no ballot for a voter who voted");
    // In English too.
    let mut en = app.client();
    en.lang = "en";
    en.form_raw("/vote/signin", &format!("code={}", huanjie::web::auth::urlencode(&code))).await;
    let html = en.get("/vote/ballot").await.text();
    assert!(html.contains("already received a ballot") && html.contains("look up the receipt"), "{html}");
    let r = en.get(&url).await.text();
    assert!(r.contains("Your ballot is cast") && r.contains("Reloading the page does not vote again"), "{r}");
    assert_eq!(ballots(&app, id).await, 1);
}
both!(cast_redirects_to_a_receipt_that_survives_reload);

/// The booth: the cast answers 303 to the receipt, which reloads for the voter who cast; the
/// booth then returns to its ready (locked) page, and from there the last receipt's address
/// shows nothing of the last voter (LAW.md §6 [N?]: secret ballot; the booth is a kiosk).
async fn booth_cast_redirects_and_the_booth_forgets_the_receipt(app: TestApp) {
    let mut p = ready(&app, "jb").await;
    let id = p.id;
    open(&app, &mut p).await;
    let mut tablet = app.login("jb-clerk").await;
    let r =
        tablet.form("/booth/setup", &[("election_id", &id.to_string()), ("station", STATION), ("name", "1号")]).await;
    assert_eq!(r.location(), "/booth", "{}", r.text());
    tablet.cookie = None;
    let (_, booths) = p.clerk.api_get(&format!("/api/v1/elections/{id}/booths")).await;
    let booth_id = booths["booths"][0]["id"].as_i64().unwrap();
    let how = format!("booth|{STATION}|{booth_id}");
    let voter = p.voters[3];
    let r = p
        .clerk
        .form(&format!("/staff/elections/{id}/checkin"), &[("resident_id", &voter.to_string()), ("how", &how)])
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let csrf = csrf_of(&tablet.get("/booth").await.text());
    let chair = p.cands["chair"][1].clone();
    let r = tablet.form_raw("/booth/cast", &format!("csrf={csrf}&chair={chair}")).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let url = r.location();
    assert!(url.starts_with("/booth/receipt?"), "{url}");
    let page = tablet.get(&url).await.text();
    assert!(page.contains("投票成功") && page.contains("id=\"receipt\""), "{page}");
    assert!(!page.contains("href=\"/receipt"), "no link out of the kiosk");
    assert!(tablet.get(&url).await.text().contains("id=\"receipt\""), "a reload shows it again");
    assert_eq!(ballots(&app, id).await, 1);
    // Another device with the address sees nothing.
    let mut other = app.client();
    assert_eq!(other.get(&url).await.location(), "/booth");
    // "Done": the booth's ready page; the last receipt is gone from this tablet.
    let ready_page = tablet.get("/booth").await.text();
    assert!(ready_page.contains("已锁定"), "{ready_page}");
    let r = tablet.get(&url).await;
    assert_eq!(r.location(), "/booth", "the next voter finds nothing of the last one");
    // The next voter, unlocked: going back to the address shows the ballot's booth, not the receipt.
    let r = p
        .clerk
        .form(&format!("/staff/elections/{id}/checkin"), &[("resident_id", &p.voters[4].to_string()), ("how", &how)])
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    assert_eq!(tablet.get(&url).await.location(), "/booth");
    assert_eq!(ballots(&app, id).await, 1);
}
both!(booth_cast_redirects_and_the_booth_forgets_the_receipt);

// ---- item 9: check-in finds people ----

/// The clerk finds a voter by part of the name, the last four digits of the ID number, or the
/// card's check-in number; never by the voting code. A vote cast on a phone shows no station
/// called `remote`. A clerk of another community finds nothing of this one (scope).
async fn checkin_finds_by_name_part_id_digits_and_number_never_the_code(app: TestApp) {
    let mut p = ready(&app, "jk").await;
    let id = p.id;
    open(&app, &mut p).await;
    let voter = p.voters[9]; // 丁二
    let roll = huanjie::store::elections::roll(app.store(), id).await.unwrap();
    let row = roll.iter().find(|v| v.resident_id == voter).unwrap().clone();
    let last4 = row.id_number[row.id_number.len() - 4..].to_string();
    let number = row.checkin_no.unwrap().to_string();
    let form = |v: i64| format!("name=\"resident_id\" value=\"{v}\"");
    // Part of the name: "丁" finds 丁一, 丁二, 丁三.
    let html = search(&mut p.clerk, id, "丁".into()).await;
    assert!(html.contains(&form(voter)) && html.contains("丁一") && html.contains("丁三"), "{html}");
    // The last four digits of the ID number.
    let html = search(&mut p.clerk, id, last4.clone()).await;
    assert!(html.contains(&form(voter)), "{last4}: {html}");
    // The check-in number on the card.
    let html = search(&mut p.clerk, id, number.clone()).await;
    assert!(html.contains(&form(voter)), "{number}: {html}");
    assert!(html.contains(&format!("<span class=\"mono\">{number}</span>")), "{html}");
    // The voting code finds no one, typed or as the card's link.
    let code = p.codes[&voter].clone();
    let link = huanjie::service::voters::card_link(&app.state.config.public_base(), &code);
    for q in [code.clone(), code.replace('-', ""), link, format!("HJ:{id}:{code}")] {
        let html = search(&mut p.clerk, id, q.clone()).await;
        assert!(!html.contains("name=\"resident_id\""), "{q} found a voter: {html}");
        assert!(html.contains("没有找到这位选民"), "{html}");
    }
    let (st, b) =
        p.clerk.api_get(&format!("/api/v1/elections/{id}/checkin?q={}", huanjie::web::auth::urlencode(&code))).await;
    assert_eq!((st, b["voters"].clone()), (S::OK, json!([])), "{b}");
    let (_, b) = p.clerk.api_get(&format!("/api/v1/elections/{id}/checkin?q={last4}")).await;
    assert!(b["voters"].as_array().unwrap().iter().any(|v| v["resident_id"] == json!(voter)), "{b}");
    // In English, the same search, and the help says what to type.
    p.clerk.lang = "en";
    let html = search(&mut p.clerk, id, last4.clone()).await;
    assert!(html.contains(&form(voter)) && html.contains("last four digits"), "{html}");
    p.clerk.lang = "zh-CN";
    // A remote vote: the turnout's station column and the desk say no "remote".
    let (mut v, csrf) = sign_in(&app, &p.codes[&voter]).await;
    let chair = p.cands["chair"][0].clone();
    assert_eq!(v.form_raw("/vote/cast", &format!("csrf={csrf}&chair={chair}")).await.status, S::SEE_OTHER);
    let html = search(&mut p.clerk, id, number.clone()).await;
    assert!(!html.contains(">remote<") && !html.contains("· remote"), "{html}");
    assert!(html.contains("不在投票站"), "{html}");
    // Scope (service::access): a clerk of another community cannot search this election.
    let street = app.street("jk-other-s").await;
    let c = app.community(street, "jk-other").await;
    app.user("jk-other-clerk", R::Clerk, K::Community, c).await;
    let mut stranger = app.login("jk-other-clerk").await;
    let r = stranger.get(&format!("/staff/elections/{id}/polling?q={}", huanjie::web::auth::urlencode("丁"))).await;
    assert!(r.status == S::NOT_FOUND || r.status == S::FORBIDDEN, "{}", r.status);
    assert!(!r.text().contains("丁二"));
}
both!(checkin_finds_by_name_part_id_digits_and_number_never_the_code);

async fn search(c: &mut Client, id: i64, q: String) -> String {
    c.get(&format!("/staff/elections/{id}/polling?q={}", huanjie::web::auth::urlencode(&q))).await.text()
}

// ---- Chromium at 390×844 ----

async fn js(b: &fantoccini::Client, script: &str) -> Value {
    b.execute(script, vec![]).await.unwrap()
}

/// Visits the card's link (the configured public address mapped onto the served copy) and
/// checks: the field holds the code, the address bar and the history entry do not, and no
/// history entry was added.
async fn scan(br: &Browser, link: &str, code: &str, lang: &str) {
    let (b, base) = (&br.b, &br.base);
    b.goto(&format!("{base}/lang/{lang}")).await.unwrap();
    let before = js(b, "return history.length").await.as_i64().unwrap();
    b.goto(link).await.unwrap();
    b.wait().for_element(Locator::Id("code")).await.unwrap();
    let field = b.find(Locator::Id("code")).await.unwrap();
    // The script runs deferred, after parsing: wait until it filled the field (no timing guess).
    let mut value = String::new();
    for _ in 0..200 {
        value = field.prop("value").await.unwrap().unwrap_or_default();
        if !value.is_empty() {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(value, code, "the code field is filled from the fragment");
    let href = js(b, "return window.location.href").await.as_str().unwrap().to_string();
    assert!(!href.contains(code) && !href.contains("code="), "the address bar still holds the code: {href}");
    assert!(href.ends_with("/vote"), "{href}");
    let after = js(b, "return history.length").await.as_i64().unwrap();
    assert_eq!(after, before + 1, "the page replaced its history entry, it did not add one");
    let lang_attr = js(b, "return document.documentElement.lang").await;
    assert_eq!(lang_attr, json!(if lang == "en" { "en" } else { "zh-CN" }));
}

async fn phone(app: &TestApp, ua: Option<&str>, prefs: Value) -> Option<Browser> {
    let args: Vec<String> = ua.map(|u| vec![format!("--user-agent={u}")]).unwrap_or_default();
    browser_with(app, 390, 844, &args, prefs).await
}

/// Scanning the card in a phone browser, in WeChat's and in Alipay's (their user agents), in
/// both languages: the code is filled in and gone from the address bar and the history; then
/// signing in, casting and reloading the receipt page shows one receipt and one ballot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanning_the_card_fills_the_code_and_clears_the_address() {
    let app = plain_http().await;
    let mut p = ready(&app, "js").await;
    let id = p.id;
    open(&app, &mut p).await;
    let public = app.state.config.public_base();
    for (k, (ua, lang)) in
        [(None, "zh"), (None, "en"), (Some(WECHAT_UA), "zh"), (Some(ALIPAY_UA), "en")].into_iter().enumerate()
    {
        let Some(br) = phone(&app, ua, json!({})).await else { return };
        let b = &br.b;
        if let Some(ua) = ua {
            assert_eq!(js(b, "return navigator.userAgent").await, json!(ua));
        }
        let voter = p.voters[k];
        let code = p.codes[&voter].clone();
        let link = huanjie::service::voters::card_link(&public, &code).replacen(&public, &br.base, 1);
        scan(&br, &link, &code, lang).await;
        // Sign in with the filled field: one tap.
        b.find(Locator::Css("form[action='/vote/signin'] button")).await.unwrap().click().await.unwrap();
        b.wait().for_element(Locator::Css("fieldset.post")).await.unwrap();
        // Back to the sign-in page: the history entry holds no code.
        b.back().await.unwrap();
        b.wait().for_element(Locator::Css("main")).await.unwrap();
        let href = b.current_url().await.unwrap().to_string();
        assert!(!href.contains("code="), "going back shows the code: {href}");
        b.goto(&format!("{}/vote/ballot", br.base)).await.unwrap();
        let chair = p.cands["chair"][k % 2].clone();
        b.wait().for_element(Locator::Id(&format!("c-{chair}"))).await.unwrap().click().await.unwrap();
        b.find(Locator::Css("form[action='/vote/review'] button[type=submit]")).await.unwrap().click().await.unwrap();
        b.wait().for_element(Locator::Css("form[action='/vote/cast'] button")).await.unwrap().click().await.unwrap();
        b.wait().for_element(Locator::Id("receipt")).await.unwrap();
        let url = b.current_url().await.unwrap();
        assert_eq!(url.path(), "/vote/receipt", "{url}");
        let receipt = b.find(Locator::Id("receipt")).await.unwrap().text().await.unwrap();
        b.refresh().await.unwrap();
        b.wait().for_element(Locator::Id("receipt")).await.unwrap();
        assert_eq!(b.find(Locator::Id("receipt")).await.unwrap().text().await.unwrap(), receipt);
        assert_eq!(b.current_url().await.unwrap(), url, "the reload stays on the receipt");
        assert_eq!(ballots(&app, id).await, k as i64 + 1, "one ballot per voter, reload or not");
        let voted = app
            .count(&format!("SELECT COUNT(*) FROM participation WHERE election_id = {id} AND resident_id = {voter}"))
            .await;
        assert_eq!(voted, 1);
        // The voter comes back with the card: told they have voted.
        scan(&br, &link, &code, lang).await;
        b.find(Locator::Css("form[action='/vote/signin'] button")).await.unwrap().click().await.unwrap();
        b.wait().for_element(Locator::Css("a[href='/receipt']")).await.unwrap();
        let page = b.source().await.unwrap();
        let told = if lang == "en" { "already received a ballot" } else { "已经领取过选票" };
        assert!(page.contains(told), "{page}");
        crate::browser::close(b).await;
    }
    assert_eq!(ballots(&app, id).await, 4);
}

/// An in-app browser without `history.replaceState`: the script fills the field, throws
/// nothing, and still takes the code out of the address bar (by `location.replace`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_replace_state_the_script_fills_the_code_and_throws_nothing() {
    let app = plain_http().await;
    let mut p = ready(&app, "jn").await;
    open(&app, &mut p).await;
    let Some(br) = phone(&app, Some(WECHAT_UA), json!({})).await else { return };
    let b = &br.b;
    let code = p.codes[&p.voters[1]].clone();
    b.goto(&format!("{}/vote", br.base)).await.unwrap();
    b.wait().for_element(Locator::Id("code")).await.unwrap();
    // Take replaceState away, put the card's fragment in the address, and run the page's own
    // script again (a script element from 'self', as the CSP allows).
    let ran = js(
        b,
        &format!(
            "window.__errors = [];
             window.addEventListener('error', function (e) {{ window.__errors.push(String(e.message)); }});
             History.prototype.replaceState = undefined;
             try {{ delete window.history.replaceState; }} catch (e) {{}}
             location.hash = '#code={code}';
             var s = document.createElement('script');
             s.src = '/static/vote.js?again';
             s.onload = function () {{ window.__ran = true; }};
             document.head.appendChild(s);
             return typeof history.replaceState;"
        ),
    )
    .await;
    assert_eq!(ran, json!("undefined"));
    let mut done = false;
    for _ in 0..500 {
        if js(b, "return window.__ran === true").await == json!(true) {
            done = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(done, "the script did not load");
    assert_eq!(js(b, "return window.__errors").await, json!([]), "the script threw");
    let value = b.find(Locator::Id("code")).await.unwrap().prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(value, code);
    let href = js(b, "return window.location.href").await.as_str().unwrap().to_string();
    assert!(!href.contains("code="), "{href}");
    // And the form works with it.
    b.find(Locator::Css("form[action='/vote/signin'] button")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Locator::Css("fieldset.post")).await.unwrap();
    crate::browser::close(b).await;
}

/// No JavaScript at all (an in-app browser with it off): the page still works by typing the
/// code printed on the card; casting goes to the receipt page, which survives a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_card_code_is_typed_and_the_receipt_reloads() {
    let app = plain_http().await;
    let mut p = ready(&app, "jj").await;
    let id = p.id;
    open(&app, &mut p).await;
    let public = app.state.config.public_base();
    let no_js = json!({"profile.managed_default_content_settings.javascript": 2});
    for (k, lang) in ["zh", "en"].into_iter().enumerate() {
        let Some(br) = phone(&app, Some(ALIPAY_UA), no_js.clone()).await else { return };
        let b = &br.b;
        let voter = p.voters[6 + k];
        let code = p.codes[&voter].clone();
        b.goto(&format!("{}/lang/{lang}", br.base)).await.unwrap();
        let link = huanjie::service::voters::card_link(&public, &code).replacen(&public, &br.base, 1);
        b.goto(&link).await.unwrap();
        let field = b.wait().for_element(Locator::Id("code")).await.unwrap();
        assert_eq!(field.prop("value").await.unwrap().unwrap_or_default(), "", "no script ran");
        field.send_keys(&code).await.unwrap();
        b.find(Locator::Css("form[action='/vote/signin'] button")).await.unwrap().click().await.unwrap();
        let member = p.cands["member"][k].clone();
        b.wait().for_element(Locator::Id(&format!("c-{member}"))).await.unwrap().click().await.unwrap();
        b.find(Locator::Css("form[action='/vote/review'] button[type=submit]")).await.unwrap().click().await.unwrap();
        b.wait().for_element(Locator::Css("form[action='/vote/cast'] button")).await.unwrap().click().await.unwrap();
        b.wait().for_element(Locator::Id("receipt")).await.unwrap();
        let receipt = b.find(Locator::Id("receipt")).await.unwrap().text().await.unwrap();
        let url = b.current_url().await.unwrap();
        assert_eq!(url.path(), "/vote/receipt");
        b.refresh().await.unwrap();
        b.wait().for_element(Locator::Id("receipt")).await.unwrap();
        assert_eq!(b.find(Locator::Id("receipt")).await.unwrap().text().await.unwrap(), receipt);
        let heading = b.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(heading, if lang == "en" { "Your ballot is cast" } else { "投票成功" });
        assert_eq!(ballots(&app, id).await, k as i64 + 1);
        crate::browser::close(b).await;
    }
}

/// The clerk's check-in on a phone, in both languages: found by part of the name, by the last
/// four ID digits and by the check-in number; the voting code finds no one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_finds_a_voter_on_a_phone_by_name_digits_and_number() {
    let app = plain_http().await;
    let mut p = ready(&app, "jp").await;
    let id = p.id;
    open(&app, &mut p).await;
    let voter = p.voters[10]; // 李二
    let roll = huanjie::store::elections::roll(app.store(), id).await.unwrap();
    let row = roll.iter().find(|v| v.resident_id == voter).unwrap().clone();
    let last4 = row.id_number[row.id_number.len() - 4..].to_string();
    let number = row.checkin_no.unwrap().to_string();
    let Some(br) = phone(&app, None, json!({})).await else { return };
    let (b, base) = (&br.b, &br.base);
    b.goto(&format!("{base}/login")).await.unwrap();
    b.find(Locator::Id("username")).await.unwrap().send_keys("jp-clerk").await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(crate::helpers::PASSWORD).await.unwrap();
    b.find(Locator::Css("form[action='/login'] button")).await.unwrap().click().await.unwrap();
    // Signed in once the header offers to sign out (the login page has a <main> too).
    b.wait().for_element(Locator::Css("form[action='/logout']")).await.unwrap();
    for lang in ["zh", "en"] {
        b.goto(&format!("{base}/lang/{lang}")).await.unwrap();
        for q in ["二".to_string(), last4.clone(), number.clone()] {
            b.goto(&format!("{base}/staff/elections/{id}/polling")).await.unwrap();
            let field = b.wait().for_element(Locator::Id("q")).await.unwrap();
            field.send_keys(&q).await.unwrap();
            b.find(Locator::Css("form.search button")).await.unwrap().click().await.unwrap();
            // The search page before the click has the same help text: wait for the answer's
            // own row (bounded), not for an element both pages share.
            let how = format!("how-{voter}");
            let found = b.wait().at_most(std::time::Duration::from_secs(20)).for_element(Locator::Id(&how)).await;
            assert!(found.is_ok(), "{lang}: {q} did not find the voter");
        }
        b.goto(&format!("{base}/staff/elections/{id}/polling")).await.unwrap();
        let field = b.wait().for_element(Locator::Id("q")).await.unwrap();
        field.send_keys(&p.codes[&voter]).await.unwrap();
        b.find(Locator::Css("form.search button")).await.unwrap().click().await.unwrap();
        // The answer page is the one whose field carries the query in its HTML (typing into
        // the page before it changes no attribute).
        let answered = format!("input#q[value='{}']", p.codes[&voter]);
        b.wait().for_element(Locator::Css(&answered)).await.unwrap();
        assert!(b.find(Locator::Css("select[id^='how-']")).await.is_err(), "{lang}: the code found a voter");
        let help = b.find(Locator::Id("q-help")).await.unwrap().text().await.unwrap();
        assert!(help.contains(if lang == "en" { "check-in number" } else { "签到号" }), "{help}");
    }
    crate::browser::close(b).await;
}
