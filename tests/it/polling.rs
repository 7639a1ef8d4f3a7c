//! Issue 6, polling, through the HTTP API on both databases: every channel casts, one voter
//! gets one ballot across every pair of channels and under a concurrent race, casting outside
//! polling hours is refused, paper double entry catches mismatches, returned > issued is
//! flagged, and no table or log row links a voter to ballot content.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode as S, header};
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::both;
use crate::helpers::{Client, K, R, TestApp, id_number};

pub struct Polling {
    pub id: i64,
    pub day: Date,
    pub committee: Client,
    pub clerk: Client,
    pub clerk2: Client,
    pub voters: Vec<i64>,
    pub codes: HashMap<i64, String>,
    /// Candidate (nomination) ids per post, in list order.
    pub cands: HashMap<String, Vec<String>>,
}

pub const STATION: &str = "第一投票站";
pub const MOBILE: &str = "流动票箱一";

/// An election ready for polling: 24 voters, 2 chair / 2 vice-chair / 4 member candidates,
/// cards issued, one approved proxy (voters[22] for voters[21]), on election day.
pub async fn ready(app: &TestApp, code: &str) -> Polling {
    ready_with(app, code, "national", false).await
}

/// `ready` with a rule profile (preset or TOML) and, when `male_members`, three men and one
/// woman nominated for member (voters[4..7] men, voters[7] a woman).
pub async fn ready_with(app: &TestApp, code: &str, profile: &str, male_members: bool) -> Polling {
    let mut p = nominating(app, code, profile, male_members).await;
    let (id, voters) = (p.id, p.voters.clone());
    let committee = &mut p.committee;
    let ok = |(st, b): (S, Value)| assert_eq!(st, S::OK, "{b}");
    let first: Vec<i64> = voters[1..11].to_vec();
    let second: Vec<i64> = voters[11..21].to_vec();
    for (post, nominee, by) in [
        ("chair", voters[0], &first),
        ("chair", voters[1], &second),
        ("vice_chair", voters[2], &first),
        ("vice_chair", voters[3], &second),
        ("member", voters[4], &first),
        ("member", voters[5], &first),
        ("member", voters[6], &first),
        ("member", voters[7], &second),
    ] {
        let body = json!({"post": post, "nominee_id": nominee, "route": "joint_voters", "nominators": by});
        let (st, b) = committee.api_post(&format!("/api/v1/elections/{id}/nominations"), &body).await;
        assert_eq!(st, S::OK, "{b}");
        let nid = b["id"].as_i64().unwrap();
        ok(committee.api_post_empty(&format!("/api/v1/nominations/{nid}/consent")).await);
        ok(committee.api_post(&format!("/api/v1/nominations/{nid}/review"), &json!({"qualified": true})).await);
    }
    let (st, published) = committee.api_post_empty(&format!("/api/v1/elections/{id}/candidates/publish")).await;
    assert_eq!(st, S::OK, "{published}");
    for post in ["chair", "vice_chair", "member"] {
        let list: Vec<String> =
            published["lists"][post].as_array().unwrap().iter().map(|v| format!("n{}", v.as_str().unwrap())).collect();
        p.cands.insert(post.to_string(), list);
    }
    issue_cards(&mut p).await;
    // Election day (LAW.md §6 [P]: polls open on the day the plan fixed).
    app.state.clock.set(Some(p.day));
    p
}

/// Voting cards for every voter: `p.codes`.
pub async fn issue_cards(p: &mut Polling) {
    let (st, cards) = p.committee.api_post(&format!("/api/v1/elections/{}/cards", p.id), &json!({})).await;
    assert_eq!(st, S::OK, "{cards}");
    p.codes = cards["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["resident_id"].as_i64().unwrap(), c["code"].as_str().unwrap().to_string()))
        .collect();
}

/// An election with nominations open: 24 voters on the published list, one approved proxy
/// (voters[22] for voters[21]), the plan's stations and every channel; no nominations yet.
pub async fn nominating(app: &TestApp, code: &str, profile: &str, male_members: bool) -> Polling {
    app.state.clock.set(None);
    let real = huanjie::clock::real_today();
    let day = real + Duration::days(40);
    let street = app.street(&format!("{code}-s")).await;
    let c = app.community(street, code).await;
    app.user(&format!("{code}-admin"), R::StreetAdmin, K::StreetOffice, street).await;
    app.user(&format!("{code}-wy"), R::Committee, K::Community, c).await;
    app.user(&format!("{code}-clerk"), R::Clerk, K::Community, c).await;
    app.user(&format!("{code}-clerk2"), R::Clerk, K::Community, c).await;
    app.user(&format!("{code}-obs"), R::Observer, K::Community, c).await;
    let mut admin = app.login(&format!("{code}-admin")).await;
    let mut committee = app.login(&format!("{code}-wy")).await;
    let clerk = app.login(&format!("{code}-clerk")).await;
    let clerk2 = app.login(&format!("{code}-clerk2")).await;
    let surnames = ["王", "丁", "李", "张", "刘", "陈", "杨", "赵"];
    let mut voters = Vec::new();
    for i in 0..24u32 {
        let name = format!("{}{}", surnames[(i % 8) as usize], ["一", "二", "三"][(i / 8) as usize]);
        let birth = day.replace_year(day.year() - 30 - i as i32).unwrap();
        let male = i % 2 == 0 || (male_members && (4..7).contains(&i));
        let gender = if male { "男" } else { "女" };
        let seq = if male { 301 + 2 * i } else { 300 + 2 * i };
        let body = json!({"name": name, "id_number": id_number(&birth.to_string(), seq), "hukou_here": "是",
                          "months_resident": "100", "gender": gender});
        let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
        assert_eq!(st, S::OK, "{r}");
        voters.push(r["id"].as_i64().unwrap());
    }
    let plan = json!({"round": "2026", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
        "profile": profile, "election_day": day.to_string(),
        "channels": ["paper", "booth", "remote", "mobile_box"], "remote_legal_basis": "区民政局试点批复（测试）",
        "stations": [{"name": STATION, "supervisors": ["丁", "戊", "己"]}, {"name": MOBILE, "mobile": true, "supervisors": ["甲", "乙", "丙"]}]});
    let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/elections"), &plan).await;
    assert_eq!(st, S::OK, "{r}");
    let id = r["id"].as_i64().unwrap();
    let ok = |(st, b): (S, Value)| assert_eq!(st, S::OK, "{b}");
    ok(committee.api_post_empty(&format!("/api/v1/elections/{id}/registration/start")).await);
    ok(committee.api_post_empty(&format!("/api/v1/elections/{id}/voters/register")).await);
    ok(committee.api_post_empty(&format!("/api/v1/elections/{id}/voter-list/publish")).await);
    let (st, p) = committee
        .api_post(
            &format!("/api/v1/elections/{id}/proxies"),
            &json!({"principal_id": voters[21], "proxy_id": voters[22], "reason": "外出务工"}),
        )
        .await;
    assert_eq!(st, S::OK, "{p}");
    ok(committee.api_post(&format!("/api/v1/proxies/{}/decide", p["id"]), &json!({"approve": true})).await);
    ok(committee.api_post_empty(&format!("/api/v1/elections/{id}/nominations/open")).await);
    Polling { id, day, committee, clerk, clerk2, voters, codes: HashMap::new(), cands: HashMap::new() }
}

/// Casts through the voter API with a voting code.
pub async fn cast(app: &TestApp, id: i64, code: &str, ballot: &Value) -> (S, Value) {
    let req = Request::post(format!("/api/v1/elections/{id}/ballots"))
        .header(header::AUTHORIZATION, format!("Bearer {code}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(ballot.to_string()))
        .unwrap();
    let r = app.client().send(req).await;
    (r.status, r.json())
}

pub async fn booth_cast(app: &TestApp, token: &str, ballot: &Value) -> (S, Value) {
    let req = Request::post("/api/v1/booth/ballots")
        .header("x-booth-token", token)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(ballot.to_string()))
        .unwrap();
    let r = app.client().send(req).await;
    (r.status, r.json())
}

fn check_in(resident: i64, channel: &str, station: &str) -> Value {
    json!({"resident_id": resident, "channel": channel, "station": station})
}

async fn every_channel_casts_and_one_voter_gets_one_ballot(app: TestApp) {
    let mut p = ready(&app, "pl").await;
    let id = p.id;
    let chair = p.cands["chair"].clone();
    let members = p.cands["member"].clone();
    let ballot = json!({"chair": [chair[0]], "member": [members[0], members[1]]});
    // Before the polls open, casting is refused (403), and so is opening before election day.
    let (st, b) = cast(&app, id, &p.codes[&p.voters[0]], &ballot).await;
    assert_eq!((st, b["key"].clone()), (S::FORBIDDEN, json!("err.polls_not_open")), "{b}");
    app.state.clock.set(Some(p.day - Duration::days(1)));
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("not_election_day")), "{b}");
    app.state.clock.set(Some(p.day));
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(b["ballot"]["posts"][2]["candidates"].as_array().unwrap().len(), 4);

    // remote: 201 with a receipt; the same voter again → 409 on every channel.
    let v0 = p.voters[0];
    let (st, receipt) = cast(&app, id, &p.codes[&v0], &ballot).await;
    assert_eq!(st, S::CREATED, "{receipt}");
    assert_eq!(receipt["log"], json!(format!("election-{id}")));
    let (st, _) = cast(&app, id, &p.codes[&v0], &json!({})).await;
    assert_eq!(st, S::CONFLICT);
    let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v0, "paper", STATION)).await;
    assert_eq!((st, b["key"].clone()), (S::CONFLICT, json!("err.already_voted")), "{b}");
    // A code typed with spaces and lower case, or scanned from the card's QR code, is the same code.
    let v1 = p.voters[1];
    let qr = format!("HJ:{id}:{}", p.codes[&v1].to_lowercase());
    let (st, b) = cast(&app, id, &qr, &json!({"member": [members[2]]})).await;
    assert_eq!(st, S::CREATED, "{b}");
    // A code of no one, or none at all → 401.
    let (st, _) = cast(&app, id, "AAAA-BBBB-CCCC-DDDD-EEEE", &ballot).await;
    assert_eq!(st, S::UNAUTHORIZED);

    // 422 naming the field: more names than seats, a candidate of another post.
    let v2 = p.voters[2];
    let over = json!({"member": [members[0], members[1], members[2], members[3]]});
    let (st, b) = cast(&app, id, &p.codes[&v2], &over).await;
    assert_eq!((st, b["fields"][0]["field"].clone()), (S::UNPROCESSABLE_ENTITY, json!("member")), "{b}");
    let (st, b) = cast(&app, id, &p.codes[&v2], &json!({"chair": [members[0]]})).await;
    assert_eq!((st, b["fields"][0]["field"].clone()), (S::UNPROCESSABLE_ENTITY, json!("chair[0]")), "{b}");
    // Nothing was taken: v2 may still vote, with a write-in (另选他人) of a registered voter.
    let (st, b) = cast(&app, id, &p.codes[&v2], &json!({"write_ins": {"member": ["赵三"]}})).await;
    assert_eq!(st, S::CREATED, "{b}");

    // paper: check-in marks the roll; remote and booth are then refused.
    let v3 = p.voters[3];
    let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v3, "paper", STATION)).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, _) = cast(&app, id, &p.codes[&v3], &ballot).await;
    assert_eq!(st, S::CONFLICT);
    // mobile box: only at a mobile station.
    let v4 = p.voters[4];
    let (st, _) =
        p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v4, "mobile_box", STATION)).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    let (st, b) =
        p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v4, "mobile_box", MOBILE)).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, _) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v4, "paper", STATION)).await;
    assert_eq!(st, S::CONFLICT);

    // booth: the clerk checks the voter in and unlocks the booth for exactly one ballot.
    let (st, booth) = p
        .clerk
        .api_post(&format!("/api/v1/elections/{id}/booths"), &json!({"station": STATION, "name": "1号写票间"}))
        .await;
    assert_eq!(st, S::OK, "{booth}");
    let token = booth["token"].as_str().unwrap().to_string();
    let (st, b) = booth_cast(&app, &token, &ballot).await;
    assert_eq!((st, b["key"].clone()), (S::FORBIDDEN, json!("err.booth_locked")), "a locked booth takes no ballot");
    let v5 = p.voters[5];
    let mut unlock = check_in(v5, "booth", STATION);
    unlock["booth_id"] = booth["id"].clone();
    let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &unlock).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, b) = booth_cast(&app, &token, &ballot).await;
    assert_eq!(st, S::CREATED, "{b}");
    let (st, _) = booth_cast(&app, &token, &ballot).await;
    assert_eq!(st, S::FORBIDDEN, "the booth locked itself again");
    let (st, _) = cast(&app, id, &p.codes[&v5], &ballot).await;
    assert_eq!(st, S::CONFLICT);

    // proxy: voters[22] casts for voters[21] in the browser, then for themself; a third
    // voter is not their principal.
    let (principal, proxy) = (p.voters[21], p.voters[22]);
    let mut for_principal = ballot.clone();
    for_principal["for"] = json!(principal);
    let (st, b) = cast(&app, id, &p.codes[&proxy], &for_principal).await;
    assert_eq!(st, S::CREATED, "{b}");
    let (st, _) = cast(&app, id, &p.codes[&proxy], &for_principal).await;
    assert_eq!(st, S::CONFLICT, "one ballot per principal");
    let (st, _) = cast(&app, id, &p.codes[&principal], &ballot).await;
    assert_eq!(st, S::CONFLICT, "the principal's ballot was cast by the proxy");
    let (st, b) = cast(&app, id, &p.codes[&proxy], &ballot).await;
    assert_eq!(st, S::CREATED, "{b}");
    let mut not_mine = ballot.clone();
    not_mine["for"] = json!(p.voters[20]);
    let (st, b) = cast(&app, id, &p.codes[&proxy], &not_mine).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("proxy_not_approved")));

    // Turnout for the committee: counts only.
    let (st, t) = p.committee.api_get(&format!("/api/v1/elections/{id}/turnout")).await;
    assert_eq!(st, S::OK, "{t}");
    assert_eq!(t["issued_total"], json!(8), "{t}");
    // Observers may not check voters in.
    let (st, _) = app
        .client()
        .api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(p.voters[6], "paper", STATION))
        .await;
    assert_eq!(st, S::UNAUTHORIZED);

    // The receipt is in the public log and covered by a signed checkpoint.
    let q = format!(
        "/api/v1/public/receipts?log=election-{id}&index={}&receipt={}",
        receipt["index"],
        receipt["receipt"].as_str().unwrap()
    );
    let (st, r) = app.client().api_get(&q).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!((r["found"].clone(), r["in_checkpoint"].clone()), (json!(true), json!(true)), "{r}");
    let (_, r) = app.client().api_get(&q.replace("receipt=", "receipt=0")).await;
    assert_eq!(r["found"], json!(false));

    // The observer portal shows observers the participation roll (who, by channel), and
    // anonymous visitors only the public log.
    let mut obs = app.login("pl-obs").await;
    let page = obs.get(&format!("/observe?log=election-{id}")).await.text();
    assert!(page.contains("参加投票名单") && page.contains("王一") && page.contains("流动票箱"), "{page}");
    let page = app.client().get(&format!("/observe?log=election-{id}")).await.text();
    assert!(!page.contains("参加投票名单"));
    let (st, _) =
        obs.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(p.voters[6], "paper", STATION)).await;
    assert_eq!(st, S::FORBIDDEN, "observers read, never check in");

    // Close: nothing more can be cast; the box holds one ballot per browser voter.
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!((b["issued"].clone(), b["browser_ballots"].clone()), (json!(8), json!(6)), "{b}");
    let (st, _) = cast(&app, id, &p.codes[&p.voters[6]], &ballot).await;
    assert_eq!(st, S::FORBIDDEN);
    let browser =
        app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id} AND entry_no IS NULL")).await;
    let roll = app
        .count(&format!(
            "SELECT COUNT(*) FROM participation WHERE election_id = {id} AND channel IN ('remote', 'booth', 'proxy')"
        ))
        .await;
    assert_eq!((browser, roll), (6, 6));
    let ok = app
        .count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id} AND content LIKE '%\"write_ins\"%'"))
        .await;
    assert_eq!(ok, 1, "the write-in resolved to the one voter of that name");
}
both!(every_channel_casts_and_one_voter_gets_one_ballot);

async fn a_race_across_channels_yields_exactly_one_ballot(app: TestApp) {
    let mut p = ready(&app, "race").await;
    let id = p.id;
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await.0, S::OK);
    let ballot = json!({"chair": [p.cands["chair"][0]]});
    for v in [p.voters[8], p.voters[9]] {
        let code = p.codes[&v].clone();
        let mut tasks = Vec::new();
        for i in 0..24 {
            let (router_app, code, ballot) = (app.router.clone(), code.clone(), ballot.clone());
            let mut clerk = if i % 6 == 0 {
                Some(app.login(&format!("race-clerk{}", if i % 12 == 0 { "" } else { "2" })).await)
            } else {
                None
            };
            tasks.push(tokio::spawn(async move {
                if let Some(c) = clerk.as_mut() {
                    c.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v, "paper", STATION)).await.0
                } else {
                    use tower::ServiceExt;
                    let req = Request::post(format!("/api/v1/elections/{id}/ballots"))
                        .header(header::AUTHORIZATION, format!("Bearer {code}"))
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(ballot.to_string()))
                        .unwrap();
                    router_app.oneshot(req).await.unwrap().status()
                }
            }));
        }
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap());
        }
        let won = codes.iter().filter(|s| **s == S::CREATED || **s == S::OK).count();
        let lost = codes.iter().filter(|s| **s == S::CONFLICT).count();
        assert_eq!((won, lost), (1, 23), "{codes:?}");
        let marked = app
            .count(&format!("SELECT COUNT(*) FROM participation WHERE election_id = {id} AND resident_id = {v}"))
            .await;
        assert_eq!(marked, 1);
    }
    // Ballots in the box = browser voters on the roll.
    let browser = app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id}")).await;
    let roll =
        app.count(&format!("SELECT COUNT(*) FROM participation WHERE election_id = {id} AND channel = 'remote'")).await;
    assert_eq!(browser, roll);
}
both!(a_race_across_channels_yields_exactly_one_ballot);

async fn paper_double_entry_catches_mismatches_and_flags_returned_over_issued(app: TestApp) {
    let mut p = ready(&app, "pe").await;
    let id = p.id;
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await.0, S::OK);
    for v in &p.voters[0..2] {
        let (st, b) =
            p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(*v, "paper", STATION)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let chair = p.cands["chair"].clone();
    let entry = |pass: i64, b: Value| {
        let mut e = b;
        e["station"] = json!(STATION);
        e["pass"] = json!(pass);
        e
    };
    // Entry before the close is refused: paper ballots are entered after the polls close.
    let (st, _) = p.clerk.api_post(&format!("/api/v1/elections/{id}/paper/entries"), &entry(1, json!({}))).await;
    assert_eq!(st, S::FORBIDDEN);
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await.0, S::OK);
    let path = format!("/api/v1/elections/{id}/paper/entries");
    // Pass 1 (clerk): a ballot for chair[0], a blank one, and one over-voted on members (copied as marked).
    let members = p.cands["member"].clone();
    let over = json!({"member": [members[0], members[1], members[2], members[3]]});
    for b in [json!({"chair": [chair[0]]}), json!({}), over.clone()] {
        let (st, r) = p.clerk.api_post(&path, &entry(1, b)).await;
        assert_eq!(st, S::OK, "{r}");
    }
    // The same clerk may not also make the second entry.
    let (st, r) = p.clerk.api_post(&path, &entry(2, json!({}))).await;
    assert_eq!((st, r["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("same_clerk_both_passes")), "{r}");
    // Pass 2 (clerk2) misreads the first ballot.
    for b in [json!({"chair": [chair[1]]}), json!({}), over] {
        let (st, r) = p.clerk2.api_post(&path, &entry(2, b)).await;
        assert_eq!(st, S::OK, "{r}");
    }
    let (st, cmp) = p
        .committee
        .api_get(&format!("/api/v1/elections/{id}/paper?station={}", huanjie::web::auth::urlencode(STATION)))
        .await;
    assert_eq!(st, S::OK, "{cmp}");
    assert_eq!(cmp["mismatches"], json!([1]), "{cmp}");
    let accept = json!({"station": STATION, "spoiled": 0});
    let (st, r) = p.committee.api_post(&format!("/api/v1/elections/{id}/paper/accept"), &accept).await;
    assert_eq!((st, r["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("double_entry_mismatch")), "{r}");
    // clerk2 corrects ballot 1 of their pass; now the box is accepted, and 3 returned > 2 issued is flagged.
    let mut fix = entry(2, json!({"chair": [chair[0]]}));
    fix["seq"] = json!(1);
    assert_eq!(p.clerk2.api_post(&path, &fix).await.0, S::OK);
    let (st, r) = p.committee.api_post(&format!("/api/v1/elections/{id}/paper/accept"), &accept).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!(
        (r["returned"].clone(), r["issued"].clone(), r["returned_exceeds_issued"].clone()),
        (json!(3), json!(2), json!(true))
    );
    let paper =
        app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id} AND entry_no IS NOT NULL")).await;
    assert_eq!(paper, 3);
    // An accepted box is closed to further entry.
    let (st, _) = p.clerk.api_post(&path, &entry(1, json!({}))).await;
    assert_eq!(st, S::CONFLICT);
}
both!(paper_double_entry_catches_mismatches_and_flags_returned_over_issued);

/// DESIGN.md ballot secrecy: no table holding ballot content has a column that could name a
/// voter or a time, and no log entry of the polling carries a resident.
async fn no_row_links_a_voter_to_ballot_content(app: TestApp) {
    let mut p = ready(&app, "sec").await;
    let id = p.id;
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await.0, S::OK);
    let (st, _) = cast(&app, id, &p.codes[&p.voters[0]], &json!({"chair": [p.cands["chair"][0]]})).await;
    assert_eq!(st, S::CREATED);
    let cols: Vec<String> = match app.store() {
        huanjie::store::Store::Sqlite(pool) => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info('ballots')").fetch_all(pool).await.unwrap()
        }
        huanjie::store::Store::Postgres(pool) => {
            sqlx::query_scalar("SELECT column_name::text FROM information_schema.columns WHERE table_name = 'ballots'")
                .fetch_all(pool)
                .await
                .unwrap()
        }
    };
    let mut sorted = cols.clone();
    sorted.sort();
    assert_eq!(sorted, ["content", "election_id", "entry_no", "id", "round_no", "station"]);
    for c in &cols {
        for bad in ["resident", "voter", "person", "ms", "time", "at", "created", "channel", "code"] {
            assert!(!c.contains(bad) || c == "station", "ballots.{c}");
        }
    }
    // The participation roll has no ballot reference and no time.
    let roll_cols: Vec<String> = match app.store() {
        huanjie::store::Store::Sqlite(pool) => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info('participation')").fetch_all(pool).await.unwrap()
        }
        huanjie::store::Store::Postgres(pool) => sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'participation'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    assert!(roll_cols.iter().all(|c| !c.contains("ballot") && !c.ends_with("_ms") && c != "content"), "{roll_cols:?}");
    // Log entries of the polling name no resident and carry no marks.
    let (_, rec) = app.client().api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    let entries = rec["entries"].as_array().cloned().unwrap_or_default();
    assert!(entries.iter().any(|e| e["entry"]["type"] == json!("ballots.cast")), "{rec}");
    for e in entries {
        let v = &e["entry"];
        let ty = v["type"].as_str().unwrap_or("");
        if ty.starts_with("ballot") || ty.starts_with("polls") {
            let s = v["payload"].to_string();
            assert!(!s.contains("resident"), "{ty}: {s}");
        }
        if ty == "ballots.cast" {
            let mut keys: Vec<&String> = v["payload"].as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["ballots", "receipts", "round"], "a cast entry holds counts and receipts only");
        }
    }
    // The box and the roll cannot be changed.
    let res = match app.store() {
        huanjie::store::Store::Sqlite(pool) => sqlx::query("DELETE FROM ballots").execute(pool).await.map(|_| ()),
        huanjie::store::Store::Postgres(pool) => sqlx::query("DELETE FROM ballots").execute(pool).await.map(|_| ()),
    };
    assert!(res.is_err(), "the ballot box refuses DELETE");
}
both!(no_row_links_a_voter_to_ballot_content);

pub(crate) fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[i..].split('"').next().unwrap().to_string()
}

/// The pages without JavaScript: a resident signs in with the code, fills the ballot, reviews
/// it, casts, gets a receipt and cannot vote again; a clerk checks a voter in at a booth and
/// the booth tablet takes exactly one ballot; paper ballots are entered in the page.
async fn html_voting_booth_and_paper_flow(app: TestApp) {
    let mut p = ready(&app, "hv").await;
    let id = p.id;
    let r = p.committee.get(&format!("/staff/elections/{id}/polling")).await;
    assert_eq!(r.status, S::OK);
    // The printable ballot, before the polls open: candidates, write-in lines, no serial.
    let pdf = p.clerk.get(&format!("/staff/elections/{id}/ballot.pdf")).await;
    assert_eq!(pdf.status, S::OK, "{}", pdf.text());
    crate::elections::check_pdf(&pdf.body, "另选他人");
    crate::elections::check_pdf(&pdf.body, "王一");
    let r = p.committee.form(&format!("/staff/elections/{id}/polling/open"), &[("confirm", "1")]).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());

    // Remote: sign in with the code.
    let mut voter = app.client();
    let r = voter.form_raw("/vote/signin", &format!("code={}", huanjie::web::auth::urlencode("wrong"))).await;
    assert!(r.text().contains("投票码不对"), "{}", r.text());
    let code = p.codes[&p.voters[10]].clone();
    let r = voter.form_raw("/vote/signin", &format!("code={}", huanjie::web::auth::urlencode(&code))).await;
    assert_eq!(r.location(), "/vote/ballot");
    let page = voter.get("/vote/ballot").await;
    let html = page.text();
    assert!(html.contains("另选他人") && html.contains("王一"), "{html}");
    let csrf = csrf_of(&html);
    let chair = p.cands["chair"][0].clone();
    let members = p.cands["member"].clone();
    // Too many members: back to the ballot with the reason, choices kept.
    let over = format!(
        "csrf={csrf}&chair={chair}&member={}&member={}&member={}&member={}",
        members[0], members[1], members[2], members[3]
    );
    let r = voter.form_raw("/vote/review", &over).await;
    assert!(r.text().contains("超过应选名额"), "{}", r.text());
    let good =
        format!("csrf={csrf}&chair={chair}&member={}&wi_member={}", members[0], huanjie::web::auth::urlencode("赵三"));
    let r = voter.form_raw("/vote/review", &good).await;
    let html = r.text();
    assert!(html.contains("核对选票") && html.contains("赵三"), "{html}");
    // A forged form without the token is refused.
    let r = voter.form_raw("/vote/cast", &good.replace(&csrf, "x")).await;
    assert_eq!(r.status, S::FORBIDDEN);
    let r = voter.form_raw("/vote/cast", &good).await;
    // POST/redirect/GET (issue 13): the receipt is a page of its own.
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    assert!(r.location().starts_with("/vote/receipt?"), "{}", r.location());
    let html = voter.get(&r.location()).await.text();
    assert!(html.contains("投票成功") && html.contains("id=\"receipt\""), "{html}");
    // The cast ended the session (issue 12): the same cookie casts nothing more.
    let r = voter.form_raw("/vote/cast", &good).await;
    assert_eq!(r.location(), "/vote");
    // Signed in again, the voter is told the ballot was received.
    voter.form_raw("/vote/signin", &format!("code={}", huanjie::web::auth::urlencode(&code))).await;
    let again = voter.get("/vote/ballot").await;
    assert!(again.text().contains("已经领取过选票"), "{}", again.text());
    let (st, _) = cast(&app, id, &code, &json!({"chair": [chair.clone()]})).await;
    assert_eq!(st, S::CONFLICT);

    // Booth: a clerk sets the tablet up; it stays locked until a check-in unlocks it.
    let mut tablet = app.login("hv-clerk").await;
    let r = tablet
        .form("/booth/setup", &[("election_id", &id.to_string()), ("station", STATION), ("name", "2号写票间")])
        .await;
    assert_eq!(r.location(), "/booth", "{}", r.text());
    tablet.cookie = None; // the tablet keeps only its booth token
    let locked = tablet.get("/booth").await;
    assert!(locked.text().contains("已锁定"), "{}", locked.text());
    let (_, booths) = p.clerk.api_get(&format!("/api/v1/elections/{id}/booths")).await;
    let booth_id = booths["booths"][0]["id"].as_i64().unwrap();
    let q = p.clerk.get(&format!("/staff/elections/{id}/polling?q={}", huanjie::web::auth::urlencode("李二"))).await;
    let html = q.text();
    assert!(html.contains("李二"), "{html}");
    // voters[10] already voted remotely: the page says so and offers no check-in.
    assert!(html.contains("已经领取过选票"), "{html}");
    let v = p.voters[12];
    let how = format!("booth|{STATION}|{booth_id}");
    let r = p
        .clerk
        .form(&format!("/staff/elections/{id}/checkin"), &[("resident_id", &v.to_string()), ("how", &how)])
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let page = tablet.get("/booth").await;
    let html = page.text();
    assert!(html.contains("另选他人"), "{html}");
    let bcsrf = csrf_of(&html);
    let r = tablet.form_raw("/booth/cast", &format!("csrf={bcsrf}&chair={chair}")).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    assert!(tablet.get(&r.location()).await.text().contains("投票成功"));
    assert!(tablet.get("/booth").await.text().contains("已锁定"));
    let r = tablet.form_raw("/booth/cast", &format!("csrf={bcsrf}&chair={chair}")).await;
    assert_eq!(r.status, S::FORBIDDEN, "one check-in, one ballot");

    // Paper: check in on paper, close, enter twice in the page, accept.
    let v = p.voters[13];
    let how = format!("paper|{STATION}|");
    let r = p
        .clerk
        .form(&format!("/staff/elections/{id}/checkin"), &[("resident_id", &v.to_string()), ("how", &how)])
        .await;
    assert_eq!(r.status, S::SEE_OTHER);
    let r = p.committee.form(&format!("/staff/elections/{id}/polling/close"), &[("confirm", "1")]).await;
    assert_eq!(r.status, S::SEE_OTHER);
    for (clerk, pass) in [(&mut p.clerk, "1"), (&mut p.clerk2, "2")] {
        let r = clerk
            .form(
                &format!("/staff/elections/{id}/paper"),
                &[("station", STATION), ("pass", pass), ("chair", &chair), ("un_member", "1")],
            )
            .await;
        assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    }
    let page = p
        .committee
        .get(&format!("/staff/elections/{id}/paper?station={}", huanjie::web::auth::urlencode(STATION)))
        .await;
    assert!(page.text().contains("核对一致，入箱"), "{}", page.text());
    let r = p
        .committee
        .form(&format!("/staff/elections/{id}/paper/accept"), &[("station", STATION), ("spoiled", "0")])
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let stored = app
        .count(&format!(
            "SELECT COUNT(*) FROM ballots WHERE election_id = {id} AND entry_no = 1 AND content LIKE '%unreadable%'"
        ))
        .await;
    assert_eq!(stored, 1);
}
both!(html_voting_booth_and_paper_flow);
