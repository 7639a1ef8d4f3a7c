//! Residents' group elections (issue 16; LAW.md §4 [N 2018, P], §10 [N 2018]), end to end
//! through the API on both databases, as a scenario over days with the app's clock: each group
//! elects its representatives on the polling machinery, a group where not more than half vote
//! elects nobody, a tie at the last seat is re-voted, and the main election's electorate (the
//! representatives method) is exactly the representatives elected (plus a group meeting held
//! on paper, the alternative that stays).

use std::collections::HashMap;

use axum::http::StatusCode as S;
use serde_json::{Value, json};
use time::Duration;

use crate::both;
use crate::helpers::{Client, K, R, TestApp, id_number};
use crate::polling::{STATION, cast};

struct Group {
    id: i64,
    codes: HashMap<i64, String>,
}

/// Opens a group election, publishes its roll, issues the cards.
async fn group_election(
    admin: &mut Client,
    committee: &mut Client,
    main: i64,
    group: i64,
    candidates: &[i64],
    day: time::Date,
) -> Group {
    let body = json!({"group_number": group, "seats": 2, "candidates": candidates, "election_day": day.to_string()});
    let (st, b) = admin.api_post(&format!("/api/v1/elections/{main}/group-elections"), &body).await;
    assert_eq!(st, S::OK, "{b}");
    let id = b["id"].as_i64().unwrap();
    let (st, b) = committee.api_post_empty(&format!("/api/v1/group-elections/{id}/roll/publish")).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, cards) = committee.api_post(&format!("/api/v1/elections/{id}/cards"), &json!({})).await;
    assert_eq!(st, S::OK, "{cards}");
    let codes = cards["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["resident_id"].as_i64().unwrap(), c["code"].as_str().unwrap().to_string()))
        .collect();
    Group { id, codes }
}

fn g(rid: i64) -> String {
    format!("g{rid}")
}

async fn vote(app: &TestApp, gr: &Group, voter: i64, marks: &[i64]) {
    let ballot = json!({"member": marks.iter().map(|m| g(*m)).collect::<Vec<_>>()});
    let (st, b) = cast(app, gr.id, &gr.codes[&voter], &ballot).await;
    assert_eq!(st, S::CREATED, "{b}");
}

async fn close_and_count(committee: &mut Client, id: i64) -> Value {
    let (st, b) = committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    count(committee, id).await
}

async fn count(committee: &mut Client, id: i64) -> Value {
    // The committee's count (law::count) is not a group election's (LAW.md §4 [N 2018, P]).
    let (st, b) = committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("illegal_transition")), "{b}");
    let (st, r) = committee.api_post_empty(&format!("/api/v1/group-elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    r
}

fn ids(v: &Value) -> Vec<i64> {
    let mut out: Vec<i64> = v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
    out.sort();
    out
}

/// `huanjie verify` accepts the group election's exported record (its chain, checkpoints,
/// witness, roll fingerprint and the boxes committed at each close).
async fn verifies(app: &TestApp, id: i64) {
    let (st, rec) = app.client().api_get(&format!("/api/v1/elections/{id}/record")).await;
    assert_eq!(st, S::OK, "{rec}");
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("record.json");
    std::fs::write(&f, rec.to_string()).unwrap();
    let (code, text) = crate::helpers::huanjie_verify(app.verify_args(&f)).await;
    assert_eq!(code, Some(0), "{text}");
}

async fn log_types(c: &mut Client, id: i64) -> Vec<String> {
    let (st, b) = c.api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    assert_eq!(st, S::OK, "{b}");
    b["entries"].as_array().unwrap().iter().map(|e| e["entry"]["type"].as_str().unwrap_or("").to_string()).collect()
}

/// LAW.md §4 [N 2018, P], §10 [N 2018]: groups 1 and 2 elect their representatives through
/// the system (group 2 after a re-vote of a tie at the last seat), group 3's vote has exactly
/// half the group voting and elects nobody, so its meeting is recorded on paper; the main
/// election's electorate is exactly those six representatives.
async fn residents_groups_elect_the_representatives_law_4_10_n_2018_p(app: TestApp) {
    app.state.clock.set(None);
    let real = huanjie::clock::real_today();
    let group_day = real + Duration::days(25);
    let main_day = real + Duration::days(60);
    let street = app.street("grp-s").await;
    let c = app.community(street, "grp").await;
    app.user("grp-admin", R::StreetAdmin, K::StreetOffice, street).await;
    app.user("grp-wy", R::Committee, K::Community, c).await;
    app.user("grp-clerk", R::Clerk, K::Community, c).await;
    app.user("grp-clerk2", R::Clerk, K::Community, c).await;
    let mut admin = app.login("grp-admin").await;
    let mut committee = app.login("grp-wy").await;
    let mut groups: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut seq = 0u32;
    for (number, size) in [(1i64, 5usize), (2, 5), (3, 4)] {
        let (st, b) = admin
            .api_post(
                &format!("/api/v1/communities/{c}/groups"),
                &json!({"number": number, "name": format!("第{number}组")}),
            )
            .await;
        assert_eq!(st, S::OK, "{b}");
        for i in 0..size {
            seq += 1;
            let birth = main_day.replace_year(main_day.year() - 30 - seq as i32).unwrap();
            let body = json!({"name": format!("组{number}居民{i}"), "id_number": id_number(&birth.to_string(), 400 + 2 * seq),
                              "hukou_here": "是", "months_resident": "100", "group_number": number.to_string()});
            let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
            assert_eq!(st, S::OK, "{r}");
            groups.entry(number).or_default().push(r["id"].as_i64().unwrap());
        }
    }
    let (g1, g2, g3) = (groups[&1].clone(), groups[&2].clone(), groups[&3].clone());
    let plan = json!({"round": "2026", "method": "representatives", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
        "profile": "national", "election_day": main_day.to_string(),
        "channels": ["paper", "remote"], "remote_legal_basis": "区民政局试点批复（测试）",
        "stations": [{"name": STATION, "supervisors": ["丁", "戊", "己"]}]});
    let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/elections"), &plan).await;
    assert_eq!(st, S::OK, "{r}");
    let main = r["id"].as_i64().unwrap();

    // Refusals, state untouched: one seat is too few (LAW.md §4 [N 2018, P]: 2–3), a candidate
    // from another group is not the group's, fewer candidates than seats.
    let path = format!("/api/v1/elections/{main}/group-elections");
    let day = group_day.to_string();
    let (st, b) = admin
        .api_post(&path, &json!({"group_number": 1, "seats": 1, "candidates": [g1[0]], "election_day": day}))
        .await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("representatives_per_group")), "{b}");
    let (st, b) = admin
        .api_post(&path, &json!({"group_number": 1, "seats": 2, "candidates": [g1[0], g2[0]], "election_day": day}))
        .await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{b}");
    let (st, b) = admin
        .api_post(&path, &json!({"group_number": 1, "seats": 2, "candidates": [g1[0]], "election_day": day}))
        .await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("group_too_few_candidates")), "{b}");
    assert_eq!(app.count("SELECT COUNT(*) FROM group_elections").await, 0);

    // Weeks before: each group election opens with its candidates and publishes its roll.
    let e1 = group_election(&mut admin, &mut committee, main, 1, &[g1[0], g1[1], g1[2]], group_day).await;
    let e2 = group_election(&mut admin, &mut committee, main, 2, &[g2[0], g2[1], g2[2]], group_day).await;
    let e3 = group_election(&mut admin, &mut committee, main, 3, &[g3[0], g3[1]], group_day).await;
    let (_, roll) = committee.api_get(&format!("/api/v1/elections/{}/voters", e1.id)).await;
    let mut on: Vec<i64> =
        roll["voters"].as_array().unwrap().iter().map(|v| v["resident_id"].as_i64().unwrap()).collect();
    on.sort();
    assert_eq!(on, g1, "the roll is the group's voters");

    // Before the day the polls do not open.
    app.state.clock.set(Some(group_day - Duration::days(1)));
    let (st, b) = committee.api_post_empty(&format!("/api/v1/group-elections/{}/polls/open", e1.id)).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("not_election_day")), "{b}");

    // The group meetings' day.
    app.state.clock.set(Some(group_day));
    for gr in [&e1, &e2, &e3] {
        let (st, b) = committee.api_post_empty(&format!("/api/v1/group-elections/{}/polls/open", gr.id)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    // A voter of group 2 has no card for group 1's vote.
    let (st, _) = cast(&app, e1.id, &e2.codes[&g2[0]], &json!({"member": [g(g1[0])]})).await;
    assert_ne!(st, S::CREATED);

    // Group 1: 4 of 5 vote; g1[0] and g1[1] have 3 of 4 ballots each (more than half).
    vote(&app, &e1, g1[0], &[g1[0], g1[1]]).await;
    vote(&app, &e1, g1[1], &[g1[0], g1[1]]).await;
    vote(&app, &e1, g1[2], &[g1[0], g1[1]]).await;
    // g1[3] votes on paper at the station: check-in, the close, double entry, the box accepted.
    let mut clerk = app.login("grp-clerk").await;
    let mut clerk2 = app.login("grp-clerk2").await;
    let checkin = json!({"resident_id": g1[3], "channel": "paper", "station": STATION});
    let (st, b) = clerk.api_post(&format!("/api/v1/elections/{}/checkin", e1.id), &checkin).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, b) = committee.api_post_empty(&format!("/api/v1/elections/{}/polls/close", e1.id)).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, b) = committee.api_post_empty(&format!("/api/v1/group-elections/{}/count", e1.id)).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("paper_boxes_pending")), "{b}");
    for (c, pass) in [(&mut clerk, 1), (&mut clerk2, 2)] {
        let entry = json!({"station": STATION, "pass": pass, "member": [g(g1[2])]});
        let (st, b) = c.api_post(&format!("/api/v1/elections/{}/paper/entries", e1.id), &entry).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let accept = json!({"station": STATION, "spoiled": 0});
    let (st, b) = committee.api_post(&format!("/api/v1/elections/{}/paper/accept", e1.id), &accept).await;
    assert_eq!(st, S::OK, "{b}");
    let r1 = count(&mut committee, e1.id).await;
    assert_eq!(r1["ballots_cast"], json!(4), "three by code, one on paper: {r1}");
    assert_eq!(r1["valid"], json!(true), "{r1}");
    let mut elected1: Vec<String> =
        r1["elected"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
    elected1.sort();
    let mut want1 = vec![g(g1[0]), g(g1[1])];
    want1.sort();
    assert_eq!(elected1, want1, "{r1}");

    // Group 2: all 5 vote; g2[0] leads, g2[1] and g2[2] tie with 3 each for the last seat.
    vote(&app, &e2, g2[0], &[g2[0], g2[1]]).await;
    vote(&app, &e2, g2[1], &[g2[0], g2[2]]).await;
    vote(&app, &e2, g2[2], &[g2[0], g2[1]]).await;
    vote(&app, &e2, g2[3], &[g2[0], g2[2]]).await;
    vote(&app, &e2, g2[4], &[g2[1], g2[2]]).await;
    let mut committee2 = app.login("grp-wy").await;
    let r2 = close_and_count(&mut committee2, e2.id).await;
    assert_eq!(r2["elected"], json!([g(g2[0])]), "{r2}");
    assert_eq!((r2["tied"].clone(), r2["tied_seats"].clone()), (json!([g(g2[1]), g(g2[2])]), json!(1)), "{r2}");
    // A tie is re-voted, not certified.
    let (st, b) = committee.api_post_empty(&format!("/api/v1/group-elections/{}/certify", e2.id)).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("revote_pending")), "{b}");
    let (st, b) = committee.api_post_empty(&format!("/api/v1/group-elections/{}/revote", e2.id)).await;
    assert_eq!(st, S::OK, "{b}");
    let listed: Vec<&str> =
        b["ballot"]["posts"][0]["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(listed, vec![g(g2[1]), g(g2[2])], "the re-vote lists only the tied");
    assert_eq!(b["ballot"]["posts"][0]["seats"], json!(1));
    // The re-vote's ballot refuses the candidate already elected.
    let (st, _) = cast(&app, e2.id, &e2.codes[&g2[0]], &json!({"member": [g(g2[0])]})).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    vote(&app, &e2, g2[0], &[g2[1]]).await;
    vote(&app, &e2, g2[1], &[g2[1]]).await;
    vote(&app, &e2, g2[2], &[g2[1]]).await;
    vote(&app, &e2, g2[3], &[g2[2]]).await;
    let r2b = close_and_count(&mut committee, e2.id).await;
    assert_eq!(r2b["elected"], json!([g(g2[1])]), "{r2b}");

    // Group 3: exactly half (2 of 4) vote: not more than half, nobody elected, void.
    vote(&app, &e3, g3[0], &[g3[0], g3[1]]).await;
    vote(&app, &e3, g3[1], &[g3[0], g3[1]]).await;
    let r3 = close_and_count(&mut committee, e3.id).await;
    assert_eq!((r3["valid"].clone(), r3["elected"].clone()), (json!(false), json!([])), "{r3}");
    let (_, v3) = committee.api_get(&format!("/api/v1/group-elections/{}", e3.id)).await;
    assert_eq!(v3["stage"], json!("void"), "{v3}");
    let (st, _) = committee.api_post_empty(&format!("/api/v1/group-elections/{}/certify", e3.id)).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);

    // The next day the committee certifies: the elected become the groups' representatives.
    app.state.clock.set(Some(group_day + Duration::days(1)));
    // The committee's certification would not write the representatives: refused.
    let (st, b) = committee.api_post_empty(&format!("/api/v1/elections/{}/certify", e1.id)).await;
    assert!(matches!(st, S::FORBIDDEN | S::UNPROCESSABLE_ENTITY), "{st} {b}");
    assert_eq!(app.count("SELECT COUNT(*) FROM group_representatives").await, 0);
    let (st, b) = committee.api_post_empty(&format!("/api/v1/group-elections/{}/certify", e1.id)).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(ids(&b["residents"]), vec![g1[0], g1[1]], "{b}");
    let (st, b) = committee.api_post_empty(&format!("/api/v1/group-elections/{}/certify", e2.id)).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(ids(&b["residents"]), vec![g2[0], g2[1]], "{b}");
    // Group 3 held its meeting on paper: its result is recorded (the alternative that stays).
    let (st, b) = committee
        .api_post(
            &format!("/api/v1/elections/{main}/representatives"),
            &json!({"group_number": 3, "residents": [g3[2], g3[3]]}),
        )
        .await;
    assert_eq!(st, S::OK, "{b}");
    let (st, reps) = committee.api_get(&format!("/api/v1/elections/{main}/group-elections")).await;
    assert_eq!(st, S::OK, "{reps}");
    let from_system =
        reps["representatives"].as_array().unwrap().iter().filter(|r| !r["group_election_id"].is_null()).count();
    assert_eq!(from_system, 4, "{reps}");
    assert_eq!(reps["group_elections"].as_array().unwrap().len(), 3, "{reps}");

    // The main election's electorate is exactly the six representatives.
    let (st, b) = committee.api_post_empty(&format!("/api/v1/elections/{main}/registration/start")).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, report) = committee.api_post_empty(&format!("/api/v1/elections/{main}/voters/register")).await;
    assert_eq!(st, S::OK, "{report}");
    let (_, roll) = committee.api_get(&format!("/api/v1/elections/{main}/voters")).await;
    let mut on: Vec<i64> =
        roll["voters"].as_array().unwrap().iter().map(|v| v["resident_id"].as_i64().unwrap()).collect();
    on.sort();
    let mut want = vec![g1[0], g1[1], g2[0], g2[1], g3[2], g3[3]];
    want.sort();
    assert_eq!(on, want, "{report}");
    let refused = report["refused"].as_array().unwrap();
    assert!(refused.iter().any(|r| r["resident_id"] == json!(g1[2]) && r["code"] == json!("not_representative")));

    // Once the main election's list is published, its electorate is fixed (LAW.md §4): no
    // new group election opens for it.
    let (st, b) = committee.api_post_empty(&format!("/api/v1/elections/{main}/voter-list/publish")).await;
    assert_eq!(st, S::OK, "{b}");
    let late =
        json!({"group_number": 3, "seats": 2, "candidates": [g3[0], g3[1]], "election_day": main_day.to_string()});
    let (st, b) = admin.api_post(&path, &late).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("list_locked")), "{b}");

    // Each group election has its own log: counted, certified, and it verifies.
    let types = log_types(&mut committee, e2.id).await;
    for t in [
        "election.opened",
        "group_election.roll_published",
        "polls.opened",
        "polls.closed",
        "group_election.counted",
        "group_election.certified",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} missing: {types:?}");
    }
    assert_eq!(types.iter().filter(|x| *x == "group_election.counted").count(), 2, "{types:?}");
    verifies(&app, e1.id).await;
    verifies(&app, e2.id).await;
    verifies(&app, e3.id).await;
}
both!(residents_groups_elect_the_representatives_law_4_10_n_2018_p);

/// LAW.md §4 [P]: the group election's quorum is the profile's `meetings.group_election_quorum`:
/// under "2/3", 2 of 3 voters is not more than two thirds and the group elects nobody; under the
/// national default (1/2) the same turnout elects.
async fn the_group_quorum_is_a_profile_setting_law_4_p(app: TestApp) {
    app.state.clock.set(None);
    let real = huanjie::clock::real_today();
    let group_day = real + Duration::days(25);
    let main_day = real + Duration::days(60);
    let street = app.street("gq-s").await;
    let c = app.community(street, "gq").await;
    app.user("gq-admin", R::StreetAdmin, K::StreetOffice, street).await;
    app.user("gq-wy", R::Committee, K::Community, c).await;
    let mut admin = app.login("gq-admin").await;
    let mut committee = app.login("gq-wy").await;
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    for number in [1i64, 2] {
        let (st, b) =
            admin.api_post(&format!("/api/v1/communities/{c}/groups"), &json!({"number": number, "name": "组"})).await;
        assert_eq!(st, S::OK, "{b}");
        for i in 0..3u32 {
            let seq = number as u32 * 10 + i;
            let birth = main_day.replace_year(main_day.year() - 30 - seq as i32).unwrap();
            let body = json!({"name": format!("甲{number}{i}"), "id_number": id_number(&birth.to_string(), 600 + 2 * seq),
                              "hukou_here": "是", "months_resident": "100", "group_number": number.to_string()});
            let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
            assert_eq!(st, S::OK, "{r}");
            members.entry(number).or_default().push(r["id"].as_i64().unwrap());
        }
    }
    let mut results = Vec::new();
    for (round, profile) in [
        ("2026", "name = \"two-thirds\"\nversion = \"1\"\n[meetings]\ngroup_election_quorum = \"2/3\"\n"),
        ("2027", "national"),
    ] {
        let plan = json!({"round": round, "method": "representatives", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
            "profile": profile, "election_day": main_day.to_string(), "channels": ["paper", "remote"],
            "remote_legal_basis": "区民政局试点批复（测试）", "stations": [{"name": STATION, "supervisors": ["丁", "戊", "己"]}]});
        let (st, r) = admin.api_post(&format!("/api/v1/communities/{c}/elections"), &plan).await;
        assert_eq!(st, S::OK, "{r}");
        let main = r["id"].as_i64().unwrap();
        let m = &members[if round == "2026" { &1 } else { &2 }];
        app.state.clock.set(None);
        let gr = group_election(
            &mut admin,
            &mut committee,
            main,
            if round == "2026" { 1 } else { 2 },
            &[m[0], m[1]],
            group_day,
        )
        .await;
        app.state.clock.set(Some(group_day));
        let (st, b) = committee.api_post_empty(&format!("/api/v1/group-elections/{}/polls/open", gr.id)).await;
        assert_eq!(st, S::OK, "{b}");
        vote(&app, &gr, m[0], &[m[0], m[1]]).await;
        vote(&app, &gr, m[1], &[m[0], m[1]]).await;
        results.push(close_and_count(&mut committee, gr.id).await);
    }
    assert_eq!(
        (results[0]["valid"].clone(), results[0]["elected"].clone()),
        (json!(false), json!([])),
        "{}",
        results[0]
    );
    assert_eq!(results[0]["quorum_needed"], json!(3), "{}", results[0]);
    assert_eq!(results[1]["valid"], json!(true), "{}", results[1]);
    assert_eq!(results[1]["elected"].as_array().unwrap().len(), 2, "{}", results[1]);
}
both!(the_group_quorum_is_a_profile_setting_law_4_p);
