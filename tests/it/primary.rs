//! Issue 6, the nomination primary (预选, LAW.md §5 [P]), through the HTTP API on both
//! databases: more qualified nominees than places blocks the list until a primary is held; the
//! primary is a round of polling during nominations (remote, booth and paper with double
//! entry; no proxy, no mobile box); a tie across the last place goes to a re-vote; the list is
//! made from the counts; the reserve moves up on withdrawal; `huanjie verify` recounts the
//! primary's boxes.

use axum::http::StatusCode as S;
use serde_json::{Value, json};
use time::Duration;

use crate::both;
use crate::counting::verify_record;
use crate::helpers::TestApp;
use crate::polling::{MOBILE, Polling, STATION, booth_cast, cast, issue_cards, nominating};

/// Self-nominations (national: allowed), each with consent and a qualifying review.
async fn nominate(p: &mut Polling, post: &str, nominees: &[i64]) -> Vec<String> {
    let id = p.id;
    let mut out = Vec::new();
    for n in nominees {
        let body = json!({"post": post, "nominee_id": n, "route": "self", "nominators": []});
        let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/nominations"), &body).await;
        assert_eq!(st, S::OK, "{b}");
        let nid = b["id"].as_i64().unwrap();
        assert_eq!(p.committee.api_post_empty(&format!("/api/v1/nominations/{nid}/consent")).await.0, S::OK);
        let (st, b) =
            p.committee.api_post(&format!("/api/v1/nominations/{nid}/review"), &json!({"qualified": true})).await;
        assert_eq!(st, S::OK, "{b}");
        out.push(format!("n{nid}"));
    }
    out
}

fn check_in(resident: i64, channel: &str, station: &str) -> Value {
    json!({"resident_id": resident, "channel": channel, "station": station})
}

fn list_of(published: &Value, post: &str) -> Vec<String> {
    published["lists"][post].as_array().unwrap().iter().map(|v| format!("n{}", v.as_str().unwrap())).collect()
}

async fn too_many_nominees_go_to_a_primary_and_a_tie_to_a_revote_law_5_p(app: TestApp) {
    let mut p = nominating(&app, "pr", "national", false).await;
    let id = p.id;
    // Twenty days before election day: inside the publication deadline (5 days before).
    app.state.clock.set(Some(p.day - Duration::days(20)));
    let v = p.voters.clone();
    // Chair: 1 seat + 1 = 2 places, 3 nominees. Vice-chair: 2 places, 2 nominees. Member: 3 + 3 = 6
    // places, 7 nominees.
    let chair = nominate(&mut p, "chair", &v[0..3]).await;
    let vice = nominate(&mut p, "vice_chair", &v[3..5]).await;
    let member = nominate(&mut p, "member", &v[5..12]).await;
    let publish = format!("/api/v1/elections/{id}/candidates/publish");
    let (st, b) = p.committee.api_post_empty(&publish).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("primary_required")), "{b}");
    issue_cards(&mut p).await;

    // The primary's ballot: only the posts with too many nominees; places as seats; no write-ins.
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/open")).await;
    assert_eq!(st, S::OK, "{b}");
    let posts = b["ballot"]["posts"].as_array().unwrap();
    assert_eq!(posts.iter().map(|s| s["post"].as_str().unwrap()).collect::<Vec<_>>(), ["chair", "member"]);
    assert_eq!((posts[0]["seats"].clone(), posts[1]["seats"].clone()), (json!(2), json!(6)));
    assert_eq!((b["ballot"]["kind"].clone(), b["ballot"]["write_ins"].clone()), (json!("primary"), json!(false)));
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/open")).await;
    assert_eq!((st, b["key"].clone()), (S::CONFLICT, json!("err.primary_open")), "{b}");
    // Nominating, consent and review are fixed once the primary's ballot is.
    let body = json!({"post": "member", "nominee_id": v[12], "route": "self", "nominators": []});
    let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/nominations"), &body).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("primary_held")), "{b}");
    // The public sees the primary's ballot like any round's.
    let (st, bp) = app.client().api_get(&format!("/api/v1/public/elections/{id}/ballot")).await;
    assert_eq!((st, bp["ballot"]["kind"].clone()), (S::OK, json!("primary")), "{bp}");

    // The pages: the polling page runs the primary; the voter's ballot (no JavaScript) says
    // it is the primary's, names the nominees and has no write-in line.
    let html = p.committee.get(&format!("/staff/elections/{id}/polling")).await.text();
    assert!(html.contains("结束预选投票") && html.contains("name=\"q\""), "{html}");
    assert!(html.contains("预选轮次 1") && !html.contains("-100"), "{html}");
    let mut voter = app.client();
    let code = huanjie::web::auth::urlencode(&p.codes[&v[20]]);
    assert_eq!(voter.form_raw("/vote/signin", &format!("code={code}")).await.location(), "/vote/ballot");
    let html = voter.get("/vote/ballot").await.text();
    assert!(html.contains("预选选票") && !html.contains("name=\"wi_") && !html.contains("“另选他人”"), "{html}");
    let (_, nominees) = p.committee.api_get(&format!("/api/v1/elections/{id}/nominations")).await;
    let name_of_first = nominees["nominations"][0]["nominee_name"].as_str().unwrap_or("").to_string();
    assert!(!name_of_first.is_empty() && html.contains(&name_of_first), "{nominees}");

    // Remote votes: chair A 9, B 4, C 4 (a tie across the last place); members m0..m5 9 each.
    let six: Vec<String> = member[..6].to_vec();
    for (i, voter) in v[0..10].iter().enumerate() {
        let chair_marks = match i {
            0..=3 => json!([chair[0], chair[1]]),
            4..=7 => json!([chair[0], chair[2]]),
            8 => json!([chair[0]]),
            _ => json!([]),
        };
        let members = if i < 9 { json!(six) } else { json!([]) };
        let (st, r) = cast(&app, id, &p.codes[voter], &json!({"chair": chair_marks, "member": members})).await;
        assert_eq!(st, S::CREATED, "{i}: {r}");
    }
    // More names than places on a post: 422 naming it; a post not on the primary's ballot: 422.
    let (st, b) = cast(&app, id, &p.codes[&v[10]], &json!({"member": member.clone()})).await;
    assert_eq!((st, b["fields"][0]["field"].clone()), (S::UNPROCESSABLE_ENTITY, json!("member")), "{b}");
    let (st, _) = cast(&app, id, &p.codes[&v[10]], &json!({"vice_chair": [vice[0]]})).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    // One ballot per voter per round, across channels.
    assert_eq!(cast(&app, id, &p.codes[&v[0]], &json!({})).await.0, S::CONFLICT);
    let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v[0], "paper", STATION)).await;
    assert_eq!((st, b["key"].clone()), (S::CONFLICT, json!("err.already_voted")), "{b}");
    // No proxy and no mobile box in nomination (LAW.md §5 [P]).
    let mut proxy = check_in(v[21], "proxy", STATION);
    proxy["proxy_id"] = json!(v[22]);
    let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &proxy).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("channel_not_in_nomination")), "{b}");
    let (st, b) =
        p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v[13], "mobile_box", MOBILE)).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("channel_not_in_nomination")), "{b}");
    // Paper: two voters check in at the station.
    for voter in &v[10..12] {
        let (st, b) =
            p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(*voter, "paper", STATION)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    // Booth: the clerk unlocks a tablet for one voter's one ballot.
    let (st, booth) = p
        .clerk
        .api_post(&format!("/api/v1/elections/{id}/booths"), &json!({"station": STATION, "name": "1号写票间"}))
        .await;
    assert_eq!(st, S::OK, "{booth}");
    let mut unlock = check_in(v[12], "booth", STATION);
    unlock["booth_id"] = booth["id"].clone();
    assert_eq!(p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &unlock).await.0, S::OK);
    let token = booth["token"].as_str().unwrap();
    let (st, b) = booth_cast(&app, token, &json!({"member": [member[6]]})).await;
    assert_eq!(st, S::CREATED, "{b}");
    // Nothing is decided while the primary is open.
    let (st, b) = p.committee.api_post_empty(&publish).await;
    assert_eq!((st, b["key"].clone()), (S::CONFLICT, json!("err.primary_open")), "{b}");
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/close")).await;
    assert_eq!((st, b["issued"].clone(), b["browser_ballots"].clone()), (S::OK, json!(13), json!(11)), "{b}");
    // Casting after the close is refused; the stage is still nominations.
    let (st, b) = cast(&app, id, &p.codes[&v[14]], &json!({})).await;
    assert_eq!((st, b["key"].clone()), (S::FORBIDDEN, json!("err.polls_not_open")), "{b}");
    let (_, e) = p.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    assert_eq!(e["stage"], json!("nominations"), "{e}");
    // The count waits for the paper box; the box is entered twice, by two clerks.
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/count")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("paper_boxes_pending")), "{b}");
    let path = format!("/api/v1/elections/{id}/paper/entries");
    for (clerk, pass) in [(&mut p.clerk, 1), (&mut p.clerk2, 2)] {
        for ballot in [json!({"chair": [chair[1]], "member": [member[6]]}), json!({"chair": [chair[2]]})] {
            let mut entry = ballot;
            entry["station"] = json!(STATION);
            entry["pass"] = json!(pass);
            let (st, r) = clerk.api_post(&path, &entry).await;
            assert_eq!(st, S::OK, "{r}");
        }
    }
    let (st, r) = p
        .committee
        .api_post(&format!("/api/v1/elections/{id}/paper/accept"), &json!({"station": STATION, "spoiled": 0}))
        .await;
    assert_eq!((st, r["returned_exceeds_issued"].clone()), (S::OK, json!(false)), "{r}");
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/count")).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!(r["ballots_cast"], json!(13), "{r}");
    let chair_result = &r["posts"][0];
    assert_eq!(chair_result["votes"][0], json!({"id": chair[0], "votes": 9}), "{r}");
    assert_eq!(
        (chair_result["tied"].clone(), chair_result["tied_places"].clone()),
        (json!([chair[1], chair[2]]), json!(1))
    );
    assert_eq!(r["posts"][1]["on_list"].as_array().unwrap().len(), 6, "{r}");
    assert_eq!(r["posts"][1]["below"], json!([member[6]]), "{r}");
    assert_eq!(r["posts"][1]["votes"][6], json!({"id": member[6], "votes": 2}), "{r}");
    let html = p.committee.get(&format!("/staff/elections/{id}")).await.text();
    assert!(html.contains("票数相等，须再次投票") && html.contains("列为正式候选人"), "{html}");
    // Counting the same round twice is refused; the tie blocks the list.
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/count")).await.0, S::CONFLICT);
    let (st, b) = p.committee.api_post_empty(&publish).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("primary_tie")), "{b}");

    // The re-vote: only the tied chair nominees, for the one place left; everyone votes afresh.
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/open")).await;
    assert_eq!(st, S::OK, "{b}");
    let posts = b["ballot"]["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 1, "{b}");
    assert_eq!((posts[0]["post"].clone(), posts[0]["seats"].clone()), (json!("chair"), json!(1)));
    let ids: Vec<&str> = posts[0]["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&chair[1].as_str()) && ids.contains(&chair[2].as_str()), "{b}");
    for (voter, pick) in [(v[0], &chair[1]), (v[1], &chair[1]), (v[2], &chair[2])] {
        let (st, r) = cast(&app, id, &p.codes[&voter], &json!({"chair": [pick]})).await;
        assert_eq!(st, S::CREATED, "{r}");
    }
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/close")).await.0, S::OK);
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/count")).await;
    assert_eq!((st, r["posts"][0]["on_list"].clone()), (S::OK, json!([chair[1]])), "{r}");
    // No tie is left: a further primary is refused.
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/open")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("primary_not_needed")), "{b}");

    // The list: the primary's choice per post, the rest by nominators; 差额 holds.
    let (st, published) = p.committee.api_post_empty(&publish).await;
    assert_eq!(st, S::OK, "{published}");
    let mut on_chair = list_of(&published, "chair");
    on_chair.sort();
    let mut want = vec![chair[0].clone(), chair[1].clone()];
    want.sort();
    assert_eq!(on_chair, want);
    assert_eq!(list_of(&published, "vice_chair").len(), 2);
    let mut on_member = list_of(&published, "member");
    on_member.sort();
    let mut six_sorted = six.clone();
    six_sorted.sort();
    assert_eq!(on_member, six_sorted);
    // The public primary page shows both counted rounds.
    let (st, view) = app.client().api_get(&format!("/api/v1/public/elections/{id}/primary")).await;
    assert_eq!((st, view["rounds"].as_array().map(Vec::len)), (S::OK, Some(2)), "{view}");

    // A withdrawal moves up the reserve the primary ranked first (递补).
    let withdrawn = chair[0].trim_start_matches('n');
    let (st, w) = p
        .committee
        .api_post(&format!("/api/v1/nominations/{withdrawn}/withdraw"), &json!({"written_record": true}))
        .await;
    assert_eq!(st, S::OK, "{w}");
    assert_eq!(w["moved_up"], json!(chair[2].trim_start_matches('n')), "{w}");
    assert_eq!(w["margin_broken"], Value::Null, "{w}");

    // The record recounts both primary rounds; a slipped-in ballot is caught.
    verify_record(&app, id, 2).await;
}
both!(too_many_nominees_go_to_a_primary_and_a_tie_to_a_revote_law_5_p);

async fn without_a_primary_the_most_nominators_go_on_the_list_by_the_deadline_law_5_p(app: TestApp) {
    let profile = "name = \"no-primary\"\nversion = \"1\"\n[nomination]\nprimary_allowed = false\n";
    let mut p = nominating(&app, "np", profile, false).await;
    let id = p.id;
    app.state.clock.set(Some(p.day - Duration::days(20)));
    let v = p.voters.clone();
    let chair = nominate(&mut p, "chair", &v[0..3]).await;
    // Chair nominee 3 has ten joint nominators besides: the most supported goes first.
    let body = json!({"post": "chair", "nominee_id": v[12], "route": "joint_voters", "nominators": v[13..23].to_vec()});
    let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/nominations"), &body).await;
    assert_eq!(st, S::OK, "{b}");
    let joint = b["id"].as_i64().unwrap();
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/nominations/{joint}/consent")).await.0, S::OK);
    let (st, _) =
        p.committee.api_post(&format!("/api/v1/nominations/{joint}/review"), &json!({"qualified": true})).await;
    assert_eq!(st, S::OK);
    nominate(&mut p, "vice_chair", &v[3..5]).await;
    nominate(&mut p, "member", &v[5..9]).await;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/primary/open")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("primary_not_allowed")), "{b}");
    // The list is published at least `candidate_list_days` (national: 5) before election day.
    app.state.clock.set(Some(p.day - Duration::days(4)));
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/candidates/publish")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("deadline_candidate_list_published")), "{b}");
    app.state.clock.set(Some(p.day - Duration::days(5)));
    let (st, published) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/candidates/publish")).await;
    assert_eq!(st, S::OK, "{published}");
    let on_chair = list_of(&published, "chair");
    assert_eq!(on_chair.len(), 2);
    assert!(on_chair.contains(&format!("n{joint}")), "{published}");
    assert!(on_chair.iter().filter(|c| chair.contains(c)).count() == 1, "{published}");
}
both!(without_a_primary_the_most_nominators_go_on_the_list_by_the_deadline_law_5_p);
