//! Issue 7 end to end through the API on both databases, each from a fresh election to its
//! final state, and `huanjie verify` on each record reproducing the announced result.

use std::process::Command;

use axum::http::StatusCode as S;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::TestApp;
use crate::polling::{Polling, cast, ready, ready_with};

/// Casts `n` ballots like `ballot` from voters[from..from + n].
async fn votes(app: &TestApp, p: &Polling, from: usize, n: usize, ballot: Value) {
    for v in &p.voters[from..from + n] {
        let (st, b) = cast(app, p.id, &p.codes[v], &ballot).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
}

async fn open(p: &mut Polling) {
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{}/polls/open", p.id)).await;
    assert_eq!(st, S::OK, "{b}");
}

async fn close_and_count(p: &mut Polling) -> Value {
    let id = p.id;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    r
}

/// Exports the election's record and runs `huanjie verify` on it: exit 0, and every count
/// recounted from the published box.
async fn verify_record(app: &TestApp, id: i64, rounds: usize) {
    let (st, rec) = app.client().api_get(&format!("/api/v1/elections/{id}/record")).await;
    assert_eq!(st, S::OK, "{rec}");
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("record.json");
    std::fs::write(&f, rec.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_huanjie")).arg("verify").arg(&f).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("recounted {rounds} round(s)")), "{text}");
    // Changing one ballot in the published box makes verify fail and say so.
    let mut bad = rec.clone();
    let bx = bad["boxes"][0]["box"].as_str().unwrap().replacen("\"blank\":true", "\"invalid\":true", 1);
    let bx = if bx == rec["boxes"][0]["box"].as_str().unwrap() {
        bx.replacen("\"chair\":[\"", "\"chair\":[\"x", 1)
    } else {
        bx
    };
    bad["boxes"][0]["box"] = json!(bx);
    std::fs::write(&f, bad.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_huanjie")).arg("verify").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not the one counted"));
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()
}

async fn a_clean_first_round_win_is_certified_and_handed_over(app: TestApp) {
    let mut p = ready(&app, "cw").await;
    let id = p.id;
    open(&mut p).await;
    let c = |post: &str, i: usize| p.cands[post][i].clone();
    let ballot = json!({"chair": [c("chair", 0)], "vice_chair": [c("vice_chair", 0)], "member": [c("member", 0), c("member", 1), c("member", 2)]});
    votes(&app, &p, 0, 14, ballot).await;
    votes(&app, &p, 14, 2, json!({})).await;
    // Counting before the close is refused.
    let (st, _) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::FORBIDDEN);
    let r = close_and_count(&mut p).await;
    assert_eq!(
        (r["valid"].clone(), r["ballots_cast"].clone(), r["blank_ballots"].clone()),
        (json!(true), json!(16), json!(2)),
        "{r}"
    );
    assert_eq!(r["elected"].as_array().unwrap().len(), 5, "{r}");
    assert_eq!(r["next"], json!([{"action": "nothing"}]), "{r}");
    // The public count calls the ballots one by one with the running tally.
    let (_, pc) = app.client().api_get(&format!("/api/v1/public/elections/{id}/count?k=16")).await;
    assert_eq!((pc["total"].clone(), pc["blank"].clone()), (json!(16), json!(2)), "{pc}");
    let (st, cert) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
    assert_eq!(st, S::OK, "{cert}");
    let (_, res) = app.client().api_get(&format!("/api/v1/public/elections/{id}/results")).await;
    assert_eq!(res["stage"], json!("certified"));
    let checks = res["results"]["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["code"] == json!("size") && c["met"] == json!(true)), "{res}");
    // Results notice and certificates render with Chinese text.
    let notice = app.client().get(&format!("/public/elections/{id}/results.pdf")).await;
    assert_eq!(notice.status, S::OK);
    crate::elections::check_pdf(&notice.body, "选举结果公告");
    let certs = p.committee.get(&format!("/staff/elections/{id}/certificates.pdf")).await;
    assert_eq!(certs.status, S::OK);
    crate::elections::check_pdf(&certs.body, "当选证书");
    // Handover: five items, the last completes it.
    for item in ["seals", "premises", "equipment", "finances", "archives"] {
        let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/handover"), &json!({"item": item})).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (_, e) = p.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    assert_eq!(e["stage"], json!("handed_over"), "{e}");
    let archive = p.committee.get(&format!("/staff/elections/{id}/archive.json")).await;
    assert_eq!(archive.status, S::OK);
    let a = archive.json();
    assert!(
        a["record"]["entries"].as_array().unwrap().len() > 10 && a["results"]["elected"].as_array().unwrap().len() == 5
    );
    verify_record(&app, id, 1).await;
}
both!(a_clean_first_round_win_is_certified_and_handed_over);

async fn a_tie_at_the_cut_off_goes_to_a_revote(app: TestApp) {
    let mut p = ready(&app, "tie").await;
    let id = p.id;
    open(&mut p).await;
    let m = p.cands["member"].clone();
    let base = |extra: &[&String]| {
        let mut members: Vec<&String> = vec![&m[0], &m[1]];
        members.extend_from_slice(extra);
        json!({"chair": [p.cands["chair"][1]], "vice_chair": [p.cands["vice_chair"][1]], "member": members})
    };
    // 14 ballots: m0, m1 10 votes each; m2 and m3 8 each, tied for the third seat.
    votes(&app, &p, 0, 4, base(&[&m[2]])).await;
    votes(&app, &p, 4, 4, base(&[&m[3]])).await;
    votes(&app, &p, 8, 2, base(&[])).await;
    votes(
        &app,
        &p,
        10,
        4,
        json!({"chair": [p.cands["chair"][1]], "vice_chair": [p.cands["vice_chair"][1]], "member": [m[2], m[3]]}),
    )
    .await;
    let r = close_and_count(&mut p).await;
    let next = &r["next"][0];
    assert_eq!(next["action"], json!("revote"), "{r}");
    let mut tied: Vec<String> =
        next["candidates"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    tied.sort();
    let mut want = vec![m[2].clone(), m[3].clone()];
    want.sort();
    assert_eq!(tied, want);
    // Certifying with a re-vote pending is refused; the re-vote is a new round on the same roll.
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("runoff_pending")));
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/rounds/next")).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!((b["ballot"]["kind"].clone(), b["ballot"]["posts"][0]["seats"].clone()), (json!("revote"), json!(1)));
    votes(&app, &p, 0, 9, json!({"member": [m[3]]})).await;
    votes(&app, &p, 9, 5, json!({"member": [m[2]]})).await;
    let r2 = close_and_count(&mut p).await;
    assert_eq!(ids(&r2["elected"]), vec![m[3].clone()], "{r2}");
    let (st, cert) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
    assert_eq!(st, S::OK, "{cert}");
    assert_eq!(cert["elected"].as_array().unwrap().len(), 5, "{cert}");
    verify_record(&app, id, 2).await;
}
both!(a_tie_at_the_cut_off_goes_to_a_revote);

async fn unfilled_seats_go_to_a_runoff_with_the_one_third_rule(app: TestApp) {
    let mut p = ready(&app, "ro").await;
    let id = p.id;
    open(&mut p).await;
    let m = p.cands["member"].clone();
    let head = json!({"chair": [p.cands["chair"][1]], "vice_chair": [p.cands["vice_chair"][1]]});
    let with = |members: &[&String]| {
        let mut b = head.clone();
        b["member"] = json!(members);
        b
    };
    // 14 ballots: m0 gets 14; m1 6, m2 5, m3 3: only one member seat filled in round 1.
    votes(&app, &p, 0, 6, with(&[&m[0], &m[1]])).await;
    votes(&app, &p, 6, 5, with(&[&m[0], &m[2]])).await;
    votes(&app, &p, 11, 3, with(&[&m[0], &m[3]])).await;
    let r = close_and_count(&mut p).await;
    let next =
        r["next"].as_array().unwrap().iter().find(|n| n["action"] == json!("runoff")).cloned().unwrap_or_default();
    assert_eq!(next["seats"], json!(2), "{r}");
    assert!(next["candidates"].as_array().unwrap().len() > 2, "more candidates than seats: {r}");
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/rounds/next")).await;
    assert_eq!(st, S::OK, "{b}");
    // Run-off (the quorum still applies): 14 ballots; m1 7, m2 5 (at least a third of 14:
    // elected), m3 2 (below a third).
    votes(&app, &p, 0, 5, json!({"member": [m[1]]})).await;
    votes(&app, &p, 5, 2, json!({"member": [m[1], m[3]]})).await;
    votes(&app, &p, 7, 5, json!({"member": [m[2]]})).await;
    votes(&app, &p, 12, 2, json!({})).await;
    let r2 = close_and_count(&mut p).await;
    let mut got = ids(&r2["elected"]);
    got.sort();
    let mut want = vec![m[1].clone(), m[2].clone()];
    want.sort();
    assert_eq!(got, want, "{r2}");
    let (st, cert) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
    assert_eq!(st, S::OK, "{cert}");
    verify_record(&app, id, 2).await;
}
both!(unfilled_seats_go_to_a_runoff_with_the_one_third_rule);

/// All-male winners under the two women rules (LAW.md §7 [P]).
async fn no_woman_elected(app: TestApp, code: &str, rule: &str) {
    {
        let profile = format!("name = \"test-{rule}\"\nversion = \"1\"\n[counting]\nwomen_seat = \"{rule}\"\n");
        let mut p = ready_with(&app, code, &profile, true).await;
        let id = p.id;
        open(&mut p).await;
        let m = p.cands["member"].clone();
        // chair and vice-chair: the men (candidates 0 are 王/丁 men? pick by gender below).
        let (_, paper) = app.client().api_get(&format!("/api/v1/public/elections/{id}/ballot")).await;
        let man = |post: usize| -> String {
            paper["ballot"]["posts"][post]["candidates"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["gender"] == json!("male"))
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let woman = |post: usize| -> String {
            paper["ballot"]["posts"][post]["candidates"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["gender"] == json!("female"))
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let member_men: Vec<String> = paper["ballot"]["posts"][2]["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["gender"] == json!("male"))
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(member_men.len(), 3);
        let _ = &m;
        let men = json!({"chair": [man(0)], "vice_chair": [man(1)], "member": member_men});
        votes(&app, &p, 0, 13, men).await;
        // The men get 15, 15 and 13 member votes; the woman 3.
        let w =
            json!({"chair": [woman(0)], "vice_chair": [woman(1)], "member": [woman(2), member_men[0], member_men[1]]});
        votes(&app, &p, 13, 3, w).await;
        let r = close_and_count(&mut p).await;
        let w = &r["women_rule"];
        assert_eq!(w["rule"], json!(rule), "{r}");
        if rule == "highest_woman" {
            // The highest woman takes the member seat of the lowest elected man (LAW.md §7 [P]).
            assert_eq!((w["status"].clone(), w["woman"].clone()), (json!("woman_seated"), json!(woman(2))), "{r}");
            assert_eq!(w["displaced"], json!([member_men[2]]), "{r}");
            assert!(ids(&r["elected"]).contains(&woman(2)), "{r}");
            assert_eq!(r["next"], json!([{"action": "nothing"}]), "{r}");
        } else {
            // One member seat is kept for a woman; with one woman candidate there can be no
            // run-off with more candidates than seats, so the seat goes to a by-election.
            assert_eq!(w["status"], json!("seat_reserved"), "{r}");
            assert_eq!(ids(&r["elected"]).len(), 4, "{r}");
            let next = &r["next"][0];
            assert_eq!((next["action"].clone(), next["women_only"].clone()), (json!("vacancy"), json!(true)), "{r}");
            let (st, cert) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
            assert_eq!((st, cert["vacancies"].clone()), (S::OK, json!(1)), "{cert}");
        }
        verify_record(&app, id, 1).await;
    }
}
async fn no_woman_elected_under_highest_woman(app: TestApp) {
    no_woman_elected(app, "wh", "highest_woman").await
}
both!(no_woman_elected_under_highest_woman);

async fn no_woman_elected_under_reserve(app: TestApp) {
    no_woman_elected(app, "wr", "reserve").await
}
both!(no_woman_elected_under_reserve);

async fn turnout_below_quorum_voids_the_election(app: TestApp) {
    let mut p = ready(&app, "qm").await;
    let id = p.id;
    open(&mut p).await;
    votes(&app, &p, 0, 5, json!({"chair": [p.cands["chair"][0]]})).await;
    let r = close_and_count(&mut p).await;
    assert_eq!((r["valid"].clone(), r["void_reasons"].clone()), (json!(false), json!(["quorum_missed"])), "{r}");
    let (_, e) = p.committee.api_get(&format!("/api/v1/elections/{id}")).await;
    assert_eq!(e["stage"], json!("void"));
    let (st, _) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    // The one-place-only claims are released for the re-run.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM round_registrations WHERE election_id = {id}")).await, 0);
    verify_record(&app, id, 1).await;
}
both!(turnout_below_quorum_voids_the_election);

async fn more_ballots_returned_than_issued_voids_the_election(app: TestApp) {
    let mut p = ready(&app, "rx").await;
    let id = p.id;
    open(&mut p).await;
    let ballot = json!({"chair": [p.cands["chair"][0]]});
    votes(&app, &p, 0, 14, ballot.clone()).await;
    let (st, _) = p
        .clerk
        .api_post(
            &format!("/api/v1/elections/{id}/checkin"),
            &json!({"resident_id": p.voters[20], "channel": "paper", "station": crate::polling::STATION}),
        )
        .await;
    assert_eq!(st, S::OK);
    let (st, _) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK);
    // Counting waits for the paper box.
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("paper_boxes_pending")), "{b}");
    // One paper ballot issued, two in the box (both clerks agree).
    for (clerk, pass) in [(&mut p.clerk, 1), (&mut p.clerk2, 2)] {
        for _ in 0..2 {
            let e = json!({"station": crate::polling::STATION, "pass": pass, "chair": [p.cands["chair"][0]]});
            assert_eq!(clerk.api_post(&format!("/api/v1/elections/{id}/paper/entries"), &e).await.0, S::OK);
        }
    }
    let (st, b) = p
        .committee
        .api_post(&format!("/api/v1/elections/{id}/paper/accept"), &json!({"station": crate::polling::STATION}))
        .await;
    assert_eq!(st, S::OK, "{b}");
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!(r["valid"], json!(false));
    assert!(r["void_reasons"].as_array().unwrap().contains(&json!("returned_exceeds_issued")), "{r}");
    verify_record(&app, id, 1).await;
}
both!(more_ballots_returned_than_issued_voids_the_election);
