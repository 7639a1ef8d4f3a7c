//! Issue 13, the front door: the public landing page at `/` (item 1) and the observer
//! portal as an index of every published election (item 4), over plain HTTP on both
//! databases and in Chromium at 390×844 in both languages; and the README screenshots
//! (item 11, `--ignored`).

use std::process::Command;

use axum::http::StatusCode as S;
use fantoccini::Locator;
use serde_json::{Value, json};

use crate::both;
use crate::browser::{browser, browser_at, plain_http};
use crate::helpers::{Client, K, R, TestApp, id_number};
use crate::polling::{cast, nominating, ready};

/// An election in a community of its own (`{code}社区`) on the real clock: a draft, or with
/// `publish` its three voters (ID numbers from `seq`, unlike any other test election's, as a
/// person has one place per round) registered and the list published.
async fn election(app: &TestApp, code: &str, publish: bool, seq: u32) -> i64 {
    let street = app.street(&format!("{code}-s")).await;
    let c = app.community(street, code).await;
    app.user(&format!("{code}-admin"), R::StreetAdmin, K::StreetOffice, street).await;
    let mut admin = app.login(&format!("{code}-admin")).await;
    let day = huanjie::clock::real_today() + time::Duration::days(45);
    let ok = |(st, b): (S, Value)| assert_eq!(st, S::OK, "{b}");
    for i in 0..3 {
        let body = json!({"name": format!("{code}居民{i}"), "id_number": id_number("1970-05-06", seq + 2 * i + 1),
                          "hukou_here": "是", "months_resident": "100", "gender": "男"});
        ok(admin.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await);
    }
    let plan = json!({"round": "2026", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
        "profile": "national", "election_day": day.to_string(), "channels": ["paper"], "stations": [{"name": "站", "supervisors": ["甲", "乙", "丙"]}]});
    let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/elections"), &plan).await;
    assert_eq!(st, S::OK, "{r}");
    let id = r["id"].as_i64().unwrap();
    if publish {
        ok(admin.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await);
        ok(admin.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await);
        ok(admin.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await);
    }
    id
}

async fn draft_election(app: &TestApp, code: &str) -> i64 {
    election(app, code, false, 0).await
}

/// Opens the polls, casts one ballot per voter in `voters[..n]`, closes and counts.
async fn vote_close_and_count(app: &TestApp, p: &mut crate::polling::Polling, n: usize) {
    let id = p.id;
    let ok = |(st, b): (S, Value)| assert_eq!(st, S::OK, "{b}");
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await);
    let ballot = json!({"chair": [p.cands["chair"][0]], "vice_chair": [p.cands["vice_chair"][0]],
        "member": [p.cands["member"][0], p.cands["member"][1], p.cands["member"][2]]});
    for v in &p.voters[..n] {
        let (st, b) = cast(app, id, &p.codes[v], &ballot).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await);
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await);
}

/// Every local link (`href="/…"`) of a page, without its fragment, language and 大字版 switches
/// (redirects by design) left out.
fn local_links(page: &str) -> Vec<String> {
    let mut out: Vec<String> = page
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| {
            h.starts_with('/') && !h.starts_with("/lang/") && !h.starts_with("/display/") && !h.starts_with("/static/")
        })
        .map(|h| h.split('#').next().unwrap_or(h).replace("&amp;", "&"))
        .collect();
    out.sort();
    out.dedup();
    out
}

async fn every_link_answers(c: &mut Client, page: &str) {
    for link in local_links(page) {
        let r = c.get(&link).await;
        assert_eq!(r.status, S::OK, "{link} answered {}", r.status);
    }
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The text of the `<textarea id="{id}">` on a page, unescaped.
fn textarea(page: &str, id: &str) -> String {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let rest = &page[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</textarea>").unwrap();
    unescape(&rest[open..close])
}

/// Splits a command line as a POSIX shell does for words and "double-quoted" words.
fn shell_words(cmd: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for ch in cmd.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quotes in {cmd}");
    if any {
        out.push(cur);
    }
    out
}

/// Issue 13 item 1: `/` is public. It offers 我要投票 (→ /vote), lists the published
/// election with its stage in plain words, election day and public pages, and not the draft;
/// the links that appear follow the stage (candidates → count → results); every link on it
/// answers; English too; signed-in staff see the same page with a link to /staff.
async fn the_landing_page_lists_published_elections_and_not_drafts(app: TestApp) {
    let draft = draft_election(&app, "dr").await;
    let mut p = ready(&app, "lf").await;
    let id = p.id;
    let mut anon = app.client();
    let r = anon.get("/").await;
    assert_eq!(r.status, S::OK, "/ is a public page, not a redirect: {}", r.location());
    let page = r.text();
    for want in [
        "href=\"/vote\"",
        "我要投票",
        "选举公告",
        "公开核验",
        "href=\"/observe\"",
        "href=\"/login\"",
        "工作人员登录",
        "lf社区",
        "候选人名单已公布，等待投票",
    ] {
        assert!(page.contains(want), "landing page lacks {want}: {page}");
    }
    assert!(page.contains(&format!("href=\"/public/elections/{id}\"")), "{page}");
    assert!(page.contains(&format!("href=\"/public/elections/{id}#candidates\"")), "{page}");
    assert!(page.contains(&p.day.to_string()), "the election day: {page}");
    assert!(!page.contains("dr社区") && !page.contains(&format!("/public/elections/{draft}")), "a draft is listed");
    assert!(!page.contains(&format!("/public/elections/{id}/count")), "no count before the polls close");
    assert!(!page.contains(&format!("/public/elections/{id}/results")), "no results before the count");
    every_link_answers(&mut app.client(), &page).await;
    // The candidates link lands on the candidate list.
    let public = anon.get(&format!("/public/elections/{id}")).await.text();
    assert!(public.contains("id=\"candidates\""), "{public}");

    // English.
    let mut en = app.client();
    en.lang = "en";
    let page = en.get("/").await.text();
    for want in [
        "Vote now",
        "Election notices",
        "Observer portal",
        "Staff sign-in",
        "lf社区",
        "The candidate list is published",
    ] {
        assert!(page.contains(want), "English landing page lacks {want}: {page}");
    }
    assert!(!page.contains("我要投票"), "{page}");

    // Signed-in staff see the landing page, with their workspace one tap away.
    let mut staff = app.html_login("lf-wy").await;
    let r = staff.get("/").await;
    assert_eq!(r.status, S::OK);
    let page = r.text();
    assert!(page.contains("href=\"/staff\"") && page.contains("我要投票"), "{page}");
    assert!(!page.contains("href=\"/login\""), "{page}");

    // After the close and the count: the public count and the results are linked.
    vote_close_and_count(&app, &mut p, 14).await;
    let page = anon.get("/").await.text();
    assert!(page.contains(&format!("href=\"/public/elections/{id}/count\"")), "{page}");
    assert!(page.contains(&format!("href=\"/public/elections/{id}/results\"")), "{page}");
    every_link_answers(&mut app.client(), &page).await;
}
both!(the_landing_page_lists_published_elections_and_not_drafts);

/// Issue 13 item 4: the observer portal lists every published election (not the draft) with
/// its public page, log, count, results and downloads, each answering; the verify command
/// pins the log key and the witness key, and run as printed against the served record it
/// succeeds and recounts the box. An election's log page shows that election's entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_observer_index_lists_each_published_election_with_a_verify_command_that_works() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = TestApp::sqlite_with(|c| {
        c.set_public_url(Some(base.clone()));
    })
    .await;
    // The app's own witness (issue 15 item 4): the record names where to ask it.
    let wkey = app.witness.key.clone();
    tokio::spawn(huanjie::web::serve(app.router.clone(), listener));
    let listed = election(&app, "ob2", true, 700).await;
    let draft = draft_election(&app, "obd").await;
    let mut p = ready(&app, "ob").await;
    let id = p.id;
    vote_close_and_count(&app, &mut p, 12).await;
    let log_key = app.state.log.verifier_key();

    let mut anon = app.client();
    let r = anon.get("/observe").await;
    assert_eq!(r.status, S::OK);
    let page = r.text();
    assert!(page.contains("全部已公布的选举"), "{page}");
    for e in [id, listed] {
        for want in [
            format!("id=\"election-{e}\""),
            format!("href=\"/public/elections/{e}\""),
            format!("href=\"/observe?log=election-{e}\""),
            format!("href=\"/api/v1/elections/{e}/record\""),
            format!("href=\"/public/elections/{e}/voters.pdf\""),
            format!("href=\"/api/v1/logs/election-{e}/checkpoint\""),
        ] {
            assert!(page.contains(&want), "the index lacks {want}: {page}");
        }
        let cmd = textarea(&page, &format!("verify-{e}"));
        assert_eq!(
            cmd,
            format!("huanjie verify {base}/api/v1/elections/{e}/record --log-key \"{log_key}\" --witness \"{wkey}\"")
        );
    }
    for want in [
        format!("href=\"/public/elections/{id}/count\""),
        format!("href=\"/public/elections/{id}/results\""),
        format!("href=\"/public/elections/{id}/results.pdf\""),
    ] {
        assert!(page.contains(&want), "the counted election lacks {want}: {page}");
    }
    assert!(!page.contains(&format!("/public/elections/{listed}/count")), "no count before polls close");
    assert!(!page.contains(&format!("/public/elections/{listed}/results")), "no results before a count");
    assert!(!page.contains("obd社区") && !page.contains(&format!("election-{draft}\"")), "a draft is listed");
    every_link_answers(&mut app.client(), &page).await;

    // The command, run exactly as printed, verifies the served record and recounts its box.
    let words = shell_words(&textarea(&page, &format!("verify-{id}")));
    assert_eq!(words[0], "huanjie");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_huanjie")).args(&words[1..]).output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("OK "), "{stdout}");
    assert!(stdout.contains("recounted 1 round(s)"), "{stdout}");

    // An election's log page carries that election's entry and a way back to the index.
    let page = anon.get(&format!("/observe?log=election-{id}")).await.text();
    assert!(page.contains(&format!("id=\"verify-{id}\"")) && page.contains("href=\"/observe\""), "{page}");
    assert!(!page.contains(&format!("id=\"verify-{listed}\"")), "{page}");

    // English.
    let mut en = app.client();
    en.lang = "en";
    let page = en.get("/observe").await.text();
    for want in ["Every published election", "Verify command", "Log and checkpoints", "Election record (JSON"] {
        assert!(page.contains(want), "English portal lacks {want}");
    }
}

fn scroll_width(v: Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("scrollWidth: {v}"))
}

/// Issue 13 items 1 and 10, on a 390×844 phone in both languages: the landing page lists
/// the published election and not the draft, does not scroll sideways, and 我要投票 / Vote
/// now reaches the code form of /vote in one tap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_landing_page_reaches_the_vote_in_one_tap_in_both_languages() {
    let app = plain_http().await;
    let Some(br) = browser(&app, 390, 844).await else { return };
    let id = nominating(&app, "ph", "national", false).await.id;
    draft_election(&app, "phd").await;
    let (b, base) = (&br.b, &br.base);
    for (lang, label, notices) in [("zh", "我要投票", "选举公告"), ("en", "Vote now", "Election notices")] {
        b.goto(&format!("{base}/lang/{lang}")).await.unwrap();
        b.goto(&format!("{base}/")).await.unwrap();
        let vote = b.wait().for_element(Locator::Id("vote")).await.unwrap();
        assert_eq!(vote.text().await.unwrap().trim(), label);
        let list = b.find(Locator::Id("elections")).await.unwrap().text().await.unwrap();
        assert!(list.contains(notices) && list.contains("ph社区"), "{lang}: {list}");
        assert!(!list.contains("phd社区"), "{lang}: a draft is listed: {list}");
        b.find(Locator::Css(&format!("#election-{id} a[href='/public/elections/{id}']"))).await.unwrap();
        let w = scroll_width(b.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap());
        assert!(w <= 390, "{lang}: the landing page is {w} px wide at 390");
        // One tap.
        vote.click().await.unwrap();
        b.wait().for_element(Locator::Id("code")).await.unwrap();
        assert_eq!(b.current_url().await.unwrap().path(), "/vote", "{lang}");
    }
    crate::browser::close(b).await;
}

/// Issue 13 item 4 on a 390×844 phone in both languages: the portal lists the published
/// election with its links and a verify command holding the log key, not the draft, and does
/// not scroll sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_observer_index_lists_the_election_and_its_verify_command_in_both_languages() {
    let app = plain_http().await;
    let Some(br) = browser(&app, 390, 844).await else { return };
    let id = nominating(&app, "po", "national", false).await.id;
    let draft = draft_election(&app, "pod").await;
    let key = app.state.log.verifier_key();
    let (b, base) = (&br.b, &br.base);
    for (lang, heading) in [("zh", "全部已公布的选举"), ("en", "Every published election")] {
        b.goto(&format!("{base}/lang/{lang}")).await.unwrap();
        b.goto(&format!("{base}/observe")).await.unwrap();
        let section = b.wait().for_element(Locator::Id("elections")).await.unwrap().text().await.unwrap();
        assert!(section.contains(heading) && section.contains("po社区"), "{lang}: {section}");
        assert!(!section.contains("pod社区"), "{lang}: {section}");
        assert!(b.find(Locator::Id(&format!("election-{draft}"))).await.is_err(), "{lang}: the draft is listed");
        for href in [
            format!("/public/elections/{id}"),
            format!("/observe?log=election-{id}"),
            format!("/api/v1/elections/{id}/record"),
            format!("/public/elections/{id}/voters.pdf"),
        ] {
            b.find(Locator::Css(&format!("#election-{id} a[href='{href}']"))).await.unwrap();
        }
        let cmd = b.find(Locator::Id(&format!("verify-{id}"))).await.unwrap().prop("value").await.unwrap().unwrap();
        assert!(cmd.starts_with("huanjie verify ") && cmd.contains(&format!("--log-key \"{key}\"")), "{cmd}");
        let w = scroll_width(b.execute("return document.documentElement.scrollWidth", vec![]).await.unwrap());
        assert!(w <= 390, "{lang}: the observer portal is {w} px wide at 390");
        // The log link opens that election's log.
        b.find(Locator::Css(&format!("#election-{id} a[href='/observe?log=election-{id}']")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.wait().for_element(Locator::Css("pre.note")).await.unwrap();
        assert_eq!(b.current_url().await.unwrap().query(), Some(format!("log=election-{id}").as_str()));
    }
    crate::browser::close(b).await;
}

/// Issue 13 item 11: README's phone screenshots (390×844) from the demo data: the landing
/// page, the ballot, the receipt and the public count, saved to `assets/screenshots/`.
/// Regenerate with `cargo test --test it journey_front::readme_screenshots -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes assets/screenshots/*.png; run by hand after UI changes"]
async fn readme_screenshots() {
    let app = plain_http().await;
    let Some(br) = browser_at(&app, 390, 844, 2.0).await else { panic!("chromedriver is needed for the screenshots") };
    let store = app.store();
    let accounts = huanjie::demo::seed(store).await.unwrap();
    huanjie::demo::seed_election(store, &app.state.log, &accounts).await.unwrap();
    let demo = huanjie::demo::seed_polling_election(
        store,
        &app.state.log,
        &app.state.secrets.voting_code_key,
        &accounts,
        None,
    )
    .await
    .unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let (b, base) = (&br.b, &br.base);
    let shot = |name: &'static str| {
        let path = dir.join(name);
        async move {
            let png = b.screenshot().await.unwrap();
            assert!(png.starts_with(b"\x89PNG"), "{name}");
            std::fs::write(&path, png).unwrap();
        }
    };
    b.goto(&format!("{base}/lang/zh")).await.unwrap();
    b.goto(&format!("{base}/")).await.unwrap();
    b.wait().for_element(Locator::Id("vote")).await.unwrap();
    shot("landing.png").await;

    // Each of the demo's five voters votes on the phone: the first ballot and receipt are kept.
    for (i, (_, code)) in demo.codes.iter().enumerate() {
        b.goto(&format!("{base}/vote")).await.unwrap();
        b.wait().for_element(Locator::Id("code")).await.unwrap().send_keys(code).await.unwrap();
        b.find(Locator::Css("form[action='/vote/signin'] button")).await.unwrap().click().await.unwrap();
        b.wait().for_element(Locator::Css("fieldset.post")).await.unwrap();
        // The first candidate of each post (a different one for some voters).
        for post in b.find_all(Locator::Css("fieldset.post")).await.unwrap() {
            let boxes = post.find_all(Locator::Css("input[type=checkbox]")).await.unwrap();
            if let Some(c) = boxes.get(i % 2).or(boxes.first()) {
                c.click().await.unwrap();
            }
        }
        if i == 0 {
            b.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
            shot("ballot.png").await;
        }
        b.find(Locator::Css("form[action='/vote/review'] button[type=submit]")).await.unwrap().click().await.unwrap();
        b.wait().for_element(Locator::Css("form[action='/vote/cast']")).await.unwrap();
        b.find(Locator::Css("form[action='/vote/cast'] button")).await.unwrap().click().await.unwrap();
        b.wait().for_element(Locator::Id("receipt")).await.unwrap();
        if i == 0 {
            shot("receipt.png").await;
        }
    }
    huanjie::service::polling::close_polls(store, &app.state.log, &accounts.staff, demo.election).await.unwrap();
    let n = demo.codes.len();
    b.goto(&format!("{base}/public/elections/{}/count?k={n}", demo.election)).await.unwrap();
    b.wait().for_element(Locator::Css("main")).await.unwrap();
    shot("count.png").await;
    crate::browser::close(b).await;
    for name in ["landing.png", "ballot.png", "receipt.png", "count.png"] {
        let len = std::fs::metadata(dir.join(name)).unwrap().len();
        assert!(len > 5_000, "{name} is {len} bytes");
    }
}
