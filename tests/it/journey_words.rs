//! Issue 13 items 5 and 6: the public count screen agrees with the certified result (it replays
//! the published box with the law engine's own validity decisions), and no page shows a raw
//! code, a "?" or a LAW.md tag to the people it is for.

use std::collections::HashMap;

use axum::http::StatusCode as S;
use huanjie::i18n::{Lang, text};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{K, R, TestApp};
use crate::polling::{Polling, STATION, cast, ready};

/// Text between `start` and the next `end`, for every occurrence.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    s.split(start).skip(1).filter_map(|x| x.split(end).next()).collect()
}

fn figure(html: &str, name: &str) -> u64 {
    let v = between(html, &format!("data-figure=\"{name}\">"), "<");
    v.first().and_then(|x| x.trim().parse().ok()).unwrap_or_else(|| panic!("no figure {name} in {html}"))
}

/// The public count page after its last ballot, read as a resident sees it: per section
/// heading, name → votes; and the totals.
fn read_count_page(html: &str) -> (HashMap<String, HashMap<String, u64>>, u64, u64, u64) {
    let mut posts = HashMap::new();
    for section in between(html, "<section class=\"card\"><h2>", "</section>") {
        let title = section.split("</h2>").next().unwrap_or("").to_string();
        let mut lines = HashMap::new();
        for row in section.split("<tr>").skip(1) {
            let name = between(row, "<td data-name>", "</td>").first().copied().unwrap_or("").to_string();
            let votes: u64 = between(row, "data-votes>", "</td>").first().and_then(|x| x.parse().ok()).unwrap();
            *lines.entry(name).or_insert(0) += votes;
        }
        if !lines.is_empty() {
            posts.insert(title, lines);
        }
    }
    (posts, figure(html, "returned"), figure(html, "blank"), figure(html, "invalid"))
}

/// For every counted round of the election (primary, run-off, recall included): the count
/// screen at its last ballot shows exactly the certified result's figures — each name's
/// votes, ballots returned, blank and invalid. Returns the number of rounds checked.
pub async fn public_count_matches_result(app: &TestApp, id: i64) -> usize {
    let counts = huanjie::store::counting::counts(app.store(), id).await.unwrap();
    for c in &counts {
        let r: Value = serde_json::from_str(&c.result).unwrap();
        let bx: Value = serde_json::from_str(&c.box_json).unwrap();
        let mut names: HashMap<String, String> = HashMap::new();
        for cand in bx["candidates"].as_array().into_iter().flatten() {
            names.insert(cand["id"].as_str().unwrap().into(), cand["name"].as_str().unwrap_or("").into());
        }
        let mut want: HashMap<String, HashMap<String, u64>> = HashMap::new();
        if r.get("outcome").is_some() {
            let line = want.entry(text(Lang::Zh, "count.recall").into()).or_default();
            line.insert(text(Lang::Zh, "count.recall_yes").into(), r["yes"].as_u64().unwrap());
            line.insert(text(Lang::Zh, "count.recall_no").into(), r["no"].as_u64().unwrap());
        } else {
            let primary = r["primary"] == json!(true);
            for p in r["posts"].as_array().unwrap() {
                let label = text(Lang::Zh, &format!("post.{}", p["post"].as_str().unwrap())).to_string();
                let lines = if primary { &p["votes"] } else { &p["tally"] };
                for l in lines.as_array().unwrap() {
                    let lid = l["id"].as_str().unwrap();
                    let name = match names.get(lid) {
                        Some(n) => n.clone(),
                        None => {
                            let rid: i64 = lid.trim_start_matches('r').parse().unwrap();
                            huanjie::store::registry::resident(app.store(), rid).await.unwrap().unwrap().name
                        }
                    };
                    *want.entry(label.clone()).or_default().entry(name).or_insert(0) += l["votes"].as_u64().unwrap();
                }
            }
        }
        let page = app.client().get(&format!("/public/elections/{id}/count?round={}&k=1000000", c.round_no)).await;
        assert_eq!(page.status, S::OK, "round {}: {}", c.round_no, page.text());
        let html = page.text();
        // Issue 13 item 6: the stored station marker of a remote ballot is never shown (the
        // first and the last ballot called, whichever channel they came by).
        let first = app.client().get(&format!("/public/elections/{id}/count?round={}&k=1", c.round_no)).await;
        for h in [&html, &first.text()] {
            assert!(!h.contains("· remote<"), "round {}: the raw station marker is shown: {h}", c.round_no);
        }
        let (shown, returned, blank, invalid) = read_count_page(&html);
        for (post, lines) in &want {
            let got =
                shown.get(post).unwrap_or_else(|| panic!("round {}: no {post} on the screen: {html}", c.round_no));
            for (name, n) in lines {
                assert_eq!(got.get(name).copied().unwrap_or(0), *n, "round {} {post} {name}: {html}", c.round_no);
            }
            for (name, n) in got {
                assert_eq!(
                    lines.get(name).copied().unwrap_or(0),
                    *n,
                    "round {} {post} {name} shown: {html}",
                    c.round_no
                );
            }
        }
        assert_eq!(shown.len(), want.len(), "round {}: {html}", c.round_no);
        let figures = (returned, blank, invalid);
        let result = (
            r["ballots_cast"].as_u64().unwrap(),
            r["blank_ballots"].as_u64().unwrap(),
            r["invalid_ballots"].as_u64().unwrap(),
        );
        assert_eq!(figures, result, "round {}: returned, blank, invalid: {html}", c.round_no);
    }
    counts.len()
}

fn check_in(resident: i64, station: &str) -> Value {
    json!({"resident_id": resident, "channel": "paper", "station": station})
}

/// Paper ballots entered twice (two clerks) and the station's box accepted.
async fn enter_paper(p: &mut Polling, station: &str, ballots: &[Value]) {
    let id = p.id;
    let path = format!("/api/v1/elections/{id}/paper/entries");
    for (pass, clerk) in [(1, &mut p.clerk), (2, &mut p.clerk2)] {
        for b in ballots {
            let mut e = b.clone();
            e["station"] = json!(station);
            e["pass"] = json!(pass);
            let (st, r) = clerk.api_post(&path, &e).await;
            assert_eq!(st, S::OK, "{r}");
        }
    }
    let (st, r) = p
        .committee
        .api_post(&format!("/api/v1/elections/{id}/paper/accept"), &json!({"station": station, "spoiled": 0}))
        .await;
    assert_eq!(st, S::OK, "{r}");
}

/// The case: an over-voted paper ballot is invalid in the result (national profile:
/// `overvote_voids = ballot`, LAW.md §6 [P]); the count screen said 无效票 0 and counted its
/// names. Now the screen, ballot by ballot and at the end, carries the count's decisions.
async fn an_over_voted_paper_ballot_is_invalid_on_the_count_screen_as_in_the_result_law_6_p(app: TestApp) {
    let mut p = ready(&app, "ov").await;
    let id = p.id;
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await.0, S::OK);
    let cands = p.cands.clone();
    let c = |post: &str, i: usize| cands[post][i].clone();
    let full = json!({"chair": [c("chair", 0)], "vice_chair": [c("vice_chair", 0)], "member": [c("member", 0), c("member", 1), c("member", 2)]});
    for v in &p.voters[0..14] {
        let (st, b) = cast(&app, id, &p.codes[v], &full).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    let paper_voters: Vec<i64> = p.voters[14..17].to_vec();
    for v in paper_voters {
        let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v, STATION)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await.0, S::OK);
    let over =
        json!({"chair": [c("chair", 1)], "member": [c("member", 0), c("member", 1), c("member", 2), c("member", 3)]});
    enter_paper(&mut p, STATION, &[over, json!({"chair": [c("chair", 1)]}), json!({})]).await;
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!((r["invalid_ballots"].clone(), r["blank_ballots"].clone()), (json!(1), json!(1)), "{r}");
    // Paper ballots are called first: ballot 1 is the over-voted one, shown as invalid, and
    // its names count for nobody.
    let html = app.client().get(&format!("/public/elections/{id}/count?k=1")).await.text();
    assert!(html.contains(&format!("<li> {}</li>", text(Lang::Zh, "count.invalid"))), "{html}");
    assert_eq!((figure(&html, "invalid"), figure(&html, "blank")), (1, 0), "{html}");
    let (posts, ..) = read_count_page(&html);
    assert!(posts.values().flat_map(|l| l.values()).all(|n| *n == 0), "{html}");
    let html = app.client().get(&format!("/public/elections/{id}/count?k=3")).await.text();
    assert!(html.contains(&format!("<li> {}</li>", text(Lang::Zh, "count.blank"))), "{html}");
    assert_eq!(public_count_matches_result(&app, id).await, 1);
    // The JSON API is built from the same view.
    let (_, pc) = app.client().api_get(&format!("/api/v1/public/elections/{id}/count?k=17")).await;
    assert_eq!(
        (pc["invalid"].clone(), pc["blank"].clone(), pc["total"].clone()),
        (json!(1), json!(1), json!(17)),
        "{pc}"
    );
}
both!(an_over_voted_paper_ballot_is_invalid_on_the_count_screen_as_in_the_result_law_6_p);

/// Every demo election (`huanjie demo`): the polling one is voted on (remote codes and paper
/// with an over-vote), closed and counted — too few voters, so the count voids it — and its
/// count screen agrees with the result; the one still in registration has no count.
async fn every_demo_election_count_screen_agrees_with_its_result(app: TestApp) {
    let store = app.store();
    let accounts = huanjie::demo::seed(store).await.unwrap();
    let first = huanjie::demo::seed_election(store, &app.state.log, &accounts).await.unwrap();
    let demo = huanjie::demo::seed_polling_election(
        store,
        &app.state.log,
        &app.state.secrets.voting_code_key,
        &accounts,
        None,
    )
    .await
    .unwrap();
    let id = demo.election;
    let e = huanjie::store::elections::get(store, id).await.unwrap().unwrap();
    app.user("dm-wy", R::Committee, K::Community, e.community_id).await;
    app.user("dm-clerk", R::Clerk, K::Community, e.community_id).await;
    app.user("dm-clerk2", R::Clerk, K::Community, e.community_id).await;
    let (_, paper) = app.client().api_get(&format!("/api/v1/public/elections/{id}/ballot")).await;
    let cands = |post: usize| -> Vec<String> {
        paper["ballot"]["posts"][post]["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (chair, members) = (cands(0), cands(2));
    for (i, (_, code)) in demo.codes.iter().enumerate() {
        let b = json!({"chair": [chair[i % 2]], "member": [members[0], members[1 + i % 3]]});
        let (st, r) = cast(&app, id, code, &b).await;
        assert_eq!(st, S::CREATED, "{r}");
    }
    let mut p = Polling {
        id,
        day: huanjie::clock::real_today(),
        committee: app.login("dm-wy").await,
        clerk: app.login("dm-clerk").await,
        clerk2: app.login("dm-clerk2").await,
        voters: Vec::new(),
        codes: HashMap::new(),
        cands: HashMap::new(),
    };
    let station = "和平社区活动室投票站";
    let roll = huanjie::store::elections::roll(store, id).await.unwrap();
    for v in &roll[20..23] {
        let (st, b) =
            p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v.resident_id, station)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await.0, S::OK);
    let over = json!({"chair": [chair[0]], "member": members.clone()});
    enter_paper(&mut p, station, &[over, json!({"chair": [chair[1]]}), json!({"member": [members[0]]})]).await;
    // The demo's election is end-to-end (issue 18): its trustees shuffle and decrypt first.
    crate::e2e_mix::demo_trustees_mix_and_decrypt(&app, id, &demo.trustees).await;
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!((r["valid"].clone(), r["invalid_ballots"].clone()), (json!(false), json!(1)), "{r}");
    for eid in [first, id] {
        let n = public_count_matches_result(&app, eid).await;
        assert_eq!(n, usize::from(eid == id), "election {eid}");
    }
    walk_results_and_dashboard(&app, id, "dm-wy", text(Lang::Zh, "stage.void")).await;
}
both!(every_demo_election_count_screen_agrees_with_its_result);

/// The text a reader sees: tags removed, entities left as they are.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// What must never reach a page: a "?" for a missing message, a message key, a raw code
/// (snake_case), a LAW.md tag ([N], [P], [N?]); on a resident's page no LAW.md at all.
fn assert_plain(page: &str, html: &str, resident: bool) {
    let text = visible(html);
    for token in text.split(|c: char| c.is_whitespace() || "·,;()（）：:、".contains(c)) {
        let raw_code = token.contains('_')
            && token.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            && token.len() > 2;
        assert!(token != "?" && !raw_code, "{page}: shows {token:?}:\n{text}");
    }
    for tag in ["[N]", "[P]", "[N?]", "[P:", "stage.", "law.", "err.", "field."] {
        assert!(!text.contains(tag), "{page}: shows {tag:?}:\n{text}");
    }
    if resident {
        assert!(!text.contains("LAW.md"), "{page}: shows a LAW.md citation to residents:\n{text}");
    }
}

/// The results pages (staff and public) and the staff dashboard with its chart, in both
/// languages: a stage name for every stage (void too), figures, no raw codes.
async fn walk_results_and_dashboard(app: &TestApp, id: i64, staff_user: &str, stage_zh: &str) {
    let mut staff = app.html_login(staff_user).await;
    for lang in ["zh-CN", "en"] {
        staff.lang = lang;
        let mut public = app.client();
        public.lang = lang;
        for (page, resident) in [
            (format!("/staff/elections/{id}/results"), false),
            (format!("/staff/elections/{id}"), false),
            ("/staff".to_string(), false),
            (format!("/public/elections/{id}/results"), true),
            (format!("/public/elections/{id}"), true),
            (format!("/public/elections/{id}/count"), true),
        ] {
            let c = if resident { &mut public } else { &mut staff };
            let r = c.get(&page).await;
            assert_eq!(r.status, S::OK, "{page}: {}", r.text());
            let html = r.text();
            assert_plain(&format!("{lang} {page}"), &html, resident);
            if lang == "zh-CN" && page.ends_with("/results") {
                assert!(html.contains(stage_zh), "{page}: no stage {stage_zh}: {html}");
                assert!(!html.contains(text(Lang::Zh, "results.none_yet")), "{page}: says not counted: {html}");
                assert!(!html.contains(">年换届"), "{page}: a report link without its year: {html}");
            }
        }
    }
}

/// Refusals in words: counting with a paper box still out says which station and what to do,
/// with a plain citation for staff (LAW.md §6: all boxes are counted together), never the code;
/// a field error names the field in words; a resident's objection refused by the law carries
/// no citation.
async fn refusals_say_what_to_do_in_words_law_6(app: TestApp) {
    let mut p = ready(&app, "rw").await;
    let id = p.id;
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await.0, S::OK);
    let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(p.voters[0], STATION)).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await.0, S::OK);
    for (lang, sentence, basis) in [
        ("zh-CN", "请先完成两遍录入并接收票箱，再计票", "（依据 LAW.md §6）"),
        ("en", "then count", "(rule: LAW.md §6)"),
    ] {
        p.committee.lang = lang;
        let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
        assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("paper_boxes_pending")), "{b}");
        let msg = b["message"].as_str().unwrap();
        assert!(msg.contains(sentence) && msg.contains(STATION) && msg.contains(basis), "{lang}: {msg}");
        assert!(
            !msg.contains("paper_boxes_pending") && !msg.contains('[') && !msg.contains("{detail}"),
            "{lang}: {msg}"
        );
    }
    // A field error names the field in words, in the user's language.
    p.clerk.lang = "zh-CN";
    let (st, b) = p
        .clerk
        .api_post(&format!("/api/v1/elections/{id}/checkin"), &json!({"channel": "paper", "station": STATION}))
        .await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{b}");
    let msg = b["message"].as_str().unwrap();
    assert!(msg.starts_with("居民：") && !msg.contains("resident_id") && !msg.contains("missing field"), "{msg}");
    // Objections: back to the day the list was published (inside the objection period).
    app.state.clock.set(None);
    let mut resident = app.client();
    resident.peer = Some("10.9.8.7:40000".parse().unwrap());
    for (lang, label) in [("zh-CN", "申诉人："), ("en", "Filed by: ")] {
        resident.lang = lang;
        let r =
            resident.form_raw(&format!("/public/elections/{id}/objections"), "filed_by=&kind=omitted&reason=x").await;
        assert_eq!(r.status, S::UNPROCESSABLE_ENTITY, "{}", r.text());
        let html = r.text();
        assert!(html.contains(label) && !html.contains("filed_by:"), "{lang}: {html}");
        assert_plain(&format!("{lang} objection error"), &html, true);
    }
    // After the objection period the law refuses a resident's objection: the sentence says what
    // to do, and the page carries no citation (LAW.md §3).
    resident.lang = "zh-CN";
    app.state.clock.set(Some(p.day + time::Duration::days(1)));
    let r = resident
        .form_raw(&format!("/public/elections/{id}/objections"), "filed_by=%E7%8E%8B%E4%BA%94&kind=omitted&reason=x")
        .await;
    assert_eq!(r.status, S::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(html.contains(text(Lang::Zh, "law.objection_window_closed")), "{html}");
    assert_plain("objection refused", &html, true);
}
both!(refusals_say_what_to_do_in_words_law_6);
