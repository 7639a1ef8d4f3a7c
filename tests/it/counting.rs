//! Issue 7 end to end through the API on both databases, each from a fresh election to its
//! final state, and `huanjie verify` on each record reproducing the announced result.

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
pub async fn verify_record(app: &TestApp, id: i64, rounds: usize) {
    let (st, rec) = app.client().api_get(&format!("/api/v1/elections/{id}/record")).await;
    assert_eq!(st, S::OK, "{rec}");
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("record.json");
    std::fs::write(&f, rec.to_string()).unwrap();
    let (code, text) = crate::helpers::huanjie_verify(app.verify_args(&f)).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(&format!("recounted {rounds} round(s)")) && text.contains("witnessed: "), "{text}");
    // The public count screen shows every counted round's certified figures (issue 13 item 5).
    crate::journey_words::public_count_matches_result(app, id).await;
    // Changing one ballot in the published box makes verify fail and say so.
    let mut bad = rec.clone();
    // (Slip one blank ballot into the box.)
    let bx = bad["boxes"][0]["box"].as_str().unwrap().replacen("\"ballots\":[", "\"ballots\":[{\"blank\":true},", 1);
    assert_ne!(bx, rec["boxes"][0]["box"].as_str().unwrap());
    bad["boxes"][0]["box"] = json!(bx);
    std::fs::write(&f, bad.to_string()).unwrap();
    let (code, text) = crate::helpers::huanjie_verify(app.verify_args(&f)).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("not the one counted"), "{text}");
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

/// A certified term from a clean first round (voters[0..14] vote for the first candidates).
async fn certified_term(app: &TestApp, code: &str) -> Polling {
    let mut p = ready(app, code).await;
    open(&mut p).await;
    let c = |post: &str, i: usize| p.cands[post][i].clone();
    let ballot = json!({"chair": [c("chair", 0)], "vice_chair": [c("vice_chair", 0)], "member": [c("member", 0), c("member", 1), c("member", 2)]});
    votes(app, &p, 0, 14, ballot).await;
    close_and_count(&mut p).await;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{}/certify", p.id)).await;
    assert_eq!(st, S::OK, "{b}");
    p
}

/// Issues cards for an election and returns resident → code.
async fn cards(p: &mut Polling, id: i64) -> std::collections::HashMap<i64, String> {
    let (st, cards) = p.committee.api_post(&format!("/api/v1/elections/{id}/cards"), &json!({})).await;
    assert_eq!(st, S::OK, "{cards}");
    cards["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["resident_id"].as_i64().unwrap(), c["code"].as_str().unwrap().to_string()))
        .collect()
}

/// A recall from petition to certified outcome; `yes` voters of 24 vote to recall, `no` against.
async fn recall(
    app: &TestApp,
    p: &mut Polling,
    admin: &mut crate::helpers::Client,
    member: &str,
    yes: usize,
    no: usize,
) -> (i64, Value) {
    let today = app.state.clock.get().unwrap();
    let day = today + time::Duration::days(25);
    let body = |signers: &[i64], reasons: &str| json!({"member_id": member, "reasons": reasons, "signers": signers, "election_day": day.to_string()});
    // ≥ 1/5 of the term's 24 voters must sign (LAW.md §9 [N?, P]), with written reasons.
    let (st, b) =
        admin.api_post(&format!("/api/v1/elections/{}/recalls", p.id), &body(&p.voters[10..14], "不履行职责")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("too_few_signatures")), "{b}");
    let (st, b) = admin.api_post(&format!("/api/v1/elections/{}/recalls", p.id), &body(&p.voters[10..15], "")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("no_written_reasons")), "{b}");
    let (st, b) = admin
        .api_post(&format!("/api/v1/elections/{}/recalls", p.id), &body(&p.voters[10..15], "长期不履行职责"))
        .await;
    assert_eq!(st, S::OK, "{b}");
    let rid = b["id"].as_i64().unwrap();
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{rid}/recall/verify")).await;
    assert_eq!(st, S::OK, "{b}");
    // No vote before the member's answer is published.
    app.state.clock.set(Some(day));
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{rid}/polls/open")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("answer_not_published")), "{b}");
    let (st, _) = p
        .committee
        .api_post(&format!("/api/v1/elections/{rid}/recall/answer"), &json!({"answer": "本人一直认真履职。"}))
        .await;
    assert_eq!(st, S::OK);
    let (_, public) = app.client().api_get(&format!("/api/v1/public/elections/{rid}/recall")).await;
    assert_eq!(public["answer"], json!("本人一直认真履职。"), "{public}");
    let codes = cards(p, rid).await;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{rid}/polls/open")).await;
    assert_eq!(st, S::OK, "{b}");
    for (i, v) in p.voters[..yes + no].iter().enumerate() {
        let choice = if i < yes { "yes" } else { "no" };
        let (st, b) = cast(app, rid, &codes[v], &json!({"member": [choice]})).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    let (st, _) = p.committee.api_post_empty(&format!("/api/v1/elections/{rid}/polls/close")).await;
    assert_eq!(st, S::OK);
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{rid}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    let (st, c) = p.committee.api_post_empty(&format!("/api/v1/elections/{rid}/certify")).await;
    assert_eq!(st, S::OK, "{c}");
    verify_record(app, rid, 1).await;
    (rid, r)
}

async fn recall_fails_quorum_then_passes_and_the_by_election_follows(app: TestApp) {
    let mut p = certified_term(&app, "rc").await;
    let mut admin = app.login("rc-admin").await;
    let term = p.id;
    let member = p.cands["member"][0].clone();
    // 5 of 24 vote: the recall vote is not valid (LAW.md §9 [N]: more than half must vote).
    let (_, r) = recall(&app, &mut p, &mut admin, &member, 5, 0).await;
    assert_eq!((r["outcome"].clone(), r["valid"].clone()), (json!("quorum_missed"), json!(false)), "{r}");
    let (_, v) = p.committee.api_get(&format!("/api/v1/elections/{term}/vacancies")).await;
    assert_eq!(v["vacancies"], json!([]), "the member stays in office");
    // 14 vote, 9 to recall: more than half of the ballots cast → recalled, the seat is vacant.
    let (_, r) = recall(&app, &mut p, &mut admin, &member, 9, 5).await;
    assert_eq!(r["outcome"], json!("recalled"), "{r}");
    let (_, v) = p.committee.api_get(&format!("/api/v1/elections/{term}/vacancies")).await;
    let vac = &v["vacancies"][0];
    assert_eq!(
        (vac["cause"].clone(), vac["post"].clone(), vac["member_id"].clone()),
        (json!("recall"), json!("member"), json!(member)),
        "{v}"
    );
    assert!(vac["filing_by"].is_string() && vac["byelection_by"].is_string());
    // Another member resigns in writing: a second vacancy.
    let (st, b) = p
        .committee
        .api_post(
            &format!("/api/v1/elections/{term}/vacancies"),
            &json!({"member_id": p.cands["member"][1], "cause": "resignation"}),
        )
        .await;
    assert_eq!(st, S::OK, "{b}");

    // The by-election (Art. 18): the two member seats, the same procedure as the first vote.
    let day = app.state.clock.get().unwrap() + time::Duration::days(30);
    let (st, b) = admin
        .api_post(&format!("/api/v1/elections/{term}/byelection"), &json!({"election_day": day.to_string()}))
        .await;
    assert_eq!(st, S::OK, "{b}");
    let by = b["id"].as_i64().unwrap();
    let (_, e) = p.committee.api_get(&format!("/api/v1/elections/{by}")).await;
    assert_eq!(
        (e["kind"].clone(), e["seats"]["member"].clone(), e["seats"]["chair"].clone()),
        (json!("by_election"), json!(2), json!(0)),
        "{e}"
    );
    let ok = |(st, b): (S, Value)| assert_eq!(st, S::OK, "{b}");
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{by}/registration/start")).await);
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{by}/voters/register")).await);
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{by}/voter-list/publish")).await);
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{by}/nominations/open")).await);
    let mut nids = Vec::new();
    for (k, nominee) in p.voters[15..18].iter().enumerate() {
        let by_voters: Vec<i64> = p.voters[(k % 2) * 10..(k % 2) * 10 + 10].to_vec();
        let (st, b) = p
            .committee
            .api_post(
                &format!("/api/v1/elections/{by}/nominations"),
                &json!({"post": "member", "nominee_id": nominee, "route": "joint_voters", "nominators": by_voters}),
            )
            .await;
        assert_eq!(st, S::OK, "{b}");
        let nid = b["id"].as_i64().unwrap();
        ok(p.committee.api_post_empty(&format!("/api/v1/nominations/{nid}/consent")).await);
        ok(p.committee.api_post(&format!("/api/v1/nominations/{nid}/review"), &json!({"qualified": true})).await);
        nids.push(format!("n{nid}"));
    }
    // No chair seat in this by-election: a chair nomination is refused.
    let (st, _) = p
        .committee
        .api_post(&format!("/api/v1/elections/{by}/nominations"), &json!({"post": "chair", "nominee_id": p.voters[19], "route": "joint_voters", "nominators": p.voters[0..10].to_vec()}))
        .await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{by}/candidates/publish")).await);
    let codes = cards(&mut p, by).await;
    app.state.clock.set(Some(day));
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{by}/polls/open")).await);
    for v in &p.voters[0..14] {
        let (st, b) = cast(&app, by, &codes[v], &json!({"member": [nids[0], nids[1]]})).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{by}/polls/close")).await);
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{by}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    let mut got = ids(&r["elected"]);
    got.sort();
    let mut want = vec![nids[0].clone(), nids[1].clone()];
    want.sort();
    assert_eq!(got, want, "{r}");
    ok(p.committee.api_post_empty(&format!("/api/v1/elections/{by}/certify")).await);
    verify_record(&app, by, 1).await;
}
both!(recall_fails_quorum_then_passes_and_the_by_election_follows);

/// The recall and by-election pages without JavaScript: the street office records the
/// petition, the committee verifies it and publishes the answer; a resignation opens a
/// vacancy and the by-election is opened from the page.
async fn recall_and_by_election_pages(app: TestApp) {
    let mut p = certified_term(&app, "rp").await;
    let mut admin = app.login("rp-admin").await;
    let term = p.id;
    let page = admin.get(&format!("/staff/elections/{term}/results")).await.text();
    assert!(page.contains("登记罢免联名") && !page.contains("组织补选"), "{page}");
    let member = p.cands["member"][0].clone();
    let signers = p.voters[10..15].iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ");
    let day = (app.state.clock.get().unwrap() + time::Duration::days(25)).to_string();
    let r = admin
        .form(
            &format!("/staff/elections/{term}/results/action"),
            &[
                ("action", "recall_open"),
                ("member_id", &member),
                ("reason", "长期不履职"),
                ("signers", &signers),
                ("election_day", &day),
            ],
        )
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let recall_page = r.location();
    let rid: i64 = recall_page.split('/').nth(3).unwrap().parse().unwrap();
    let page = p.committee.get(&recall_page).await.text();
    assert!(page.contains("长期不履职") && page.contains("核实联名"), "{page}");
    let r = p.committee.form(&format!("/staff/elections/{rid}/results/action"), &[("action", "recall_verify")]).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let r = p
        .committee
        .form(&format!("/staff/elections/{rid}/results/action"), &[("action", "recall_answer"), ("note", "我一直履职")])
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let (_, e) = p.committee.api_get(&format!("/api/v1/elections/{rid}")).await;
    assert_eq!(e["stage"], json!("list_published"));
    // A resignation, then the by-election from the page.
    let r = p
        .committee
        .form(
            &format!("/staff/elections/{term}/results/action"),
            &[("action", "member_left"), ("member_id", &p.cands["member"][1]), ("cause", "resignation")],
        )
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let page = admin.get(&format!("/staff/elections/{term}/results")).await.text();
    assert!(page.contains("书面辞职") && page.contains("组织补选"), "{page}");
    let by_day = (app.state.clock.get().unwrap() + time::Duration::days(30)).to_string();
    let r = admin
        .form(
            &format!("/staff/elections/{term}/results/action"),
            &[("action", "byelection"), ("election_day", &by_day)],
        )
        .await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let by: i64 = r.location().split('/').nth(3).unwrap().parse().unwrap();
    let (_, e) = admin.api_get(&format!("/api/v1/elections/{by}")).await;
    assert_eq!((e["kind"].clone(), e["seats"]["member"].clone()), (json!("by_election"), json!(1)), "{e}");
}
both!(recall_and_by_election_pages);
