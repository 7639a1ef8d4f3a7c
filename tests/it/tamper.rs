//! Issue 15 item 8, the rows of items 2 and 3: an insider with write access to the database
//! changes one thing behind the application's back (SQL on the test app's store, dropping the
//! append-only triggers as they could), and `huanjie verify` on the election's public record
//! (`/api/v1/elections/{id}/record`) fails and names the place; a count after the change is
//! refused. Plus the honest path, which verifies.

use axum::http::StatusCode as S;
use serde_json::{Value, json};

use crate::both;
use crate::counting::verify_record;
use crate::helpers::TestApp;
use crate::polling::{MOBILE, Polling, STATION, cast, ready};

/// An election whose polls are closed and whose paper box (with the mobile box entered with
/// it, LAW.md §6) is accepted: 3 browser ballots for chair candidate 0, 3 for candidate 1, one
/// paper ballot at the station and one in the mobile box.
async fn closed(app: &TestApp, code: &str) -> Polling {
    let mut p = ready(app, code).await;
    let id = p.id;
    assert_eq!(p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await.0, S::OK);
    for (i, v) in p.voters[0..6].iter().enumerate() {
        let ballot = json!({"chair": [p.cands["chair"][i / 3]]});
        let (st, b) = cast(app, id, &p.codes[v], &ballot).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    for (v, channel, station) in [(p.voters[6], "paper", STATION), (p.voters[7], "mobile_box", MOBILE)] {
        let body = json!({"resident_id": v, "channel": channel, "station": station});
        let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &body).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    assert!(b["browser_root"].is_string() && b["issued_by"].as_array().unwrap().len() == 3, "{b}");
    for (clerk, pass) in [(&mut p.clerk, 1), (&mut p.clerk2, 2)] {
        for station in [STATION, MOBILE] {
            let e = json!({"station": station, "pass": pass, "chair": [p.cands["chair"][1]]});
            let (st, b) = clerk.api_post(&format!("/api/v1/elections/{id}/paper/entries"), &e).await;
            assert_eq!(st, S::OK, "{b}");
        }
    }
    // The mobile box is never accepted alone: it goes in with the station's box.
    let (st, b) =
        p.committee.api_post(&format!("/api/v1/elections/{id}/paper/accept"), &json!({"station": MOBILE})).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("mobile_box_with_station")), "{b}");
    let (st, b) =
        p.committee.api_post(&format!("/api/v1/elections/{id}/paper/accept"), &json!({"station": STATION})).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(
        (b["returned"].clone(), b["issued"].clone(), b["mobile"].clone()),
        (json!(2), json!(2), json!([MOBILE]))
    );
    p
}

async fn count(p: &mut Polling) -> (S, Value) {
    p.committee.api_post_empty(&format!("/api/v1/elections/{}/count", p.id)).await
}

async fn record(app: &TestApp, id: i64) -> Value {
    let (st, rec) = app.client().api_get(&format!("/api/v1/elections/{id}/record")).await;
    assert_eq!(st, S::OK, "{rec}");
    rec
}

/// `huanjie verify` on the public record: it must fail, and its output is returned.
async fn verify_fails(app: &TestApp, id: i64) -> String {
    let rec = record(app, id).await;
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("record.json");
    std::fs::write(&f, rec.to_string()).unwrap();
    let (code, text) = crate::helpers::huanjie_verify(app.verify_args(&f)).await;
    assert_eq!(code, Some(1), "a tampered record verified: {text}");
    text
}

/// SQL as an insider runs it: first the append-only triggers go.
async fn insider(app: &TestApp, sql: &str) {
    let drops: &[&str] = match app.store() {
        huanjie::store::Store::Sqlite(_) => &[
            "DROP TRIGGER IF EXISTS ballots_no_update",
            "DROP TRIGGER IF EXISTS ballots_no_delete",
            "DROP TRIGGER IF EXISTS participation_no_update",
            "DROP TRIGGER IF EXISTS participation_no_delete",
        ],
        huanjie::store::Store::Postgres(_) => &[
            "DROP TRIGGER IF EXISTS ballots_no_change ON ballots",
            "DROP TRIGGER IF EXISTS participation_no_change ON participation",
        ],
    };
    for d in drops {
        app.exec(d).await;
    }
    app.exec(sql).await;
}

/// A ballot id as an SQL literal of either dialect.
fn blob(app: &TestApp, hex: &str) -> String {
    match app.store() {
        huanjie::store::Store::Sqlite(_) => format!("X'{hex}'"),
        huanjie::store::Store::Postgres(_) => format!("decode('{hex}', 'hex')"),
    }
}

/// A browser ballot for chair candidate 0 (its id and text), from the published record.
async fn a_ballot_for_candidate_0(app: &TestApp, p: &Polling) -> (String, String) {
    let rec = record(app, p.id).await;
    let c0 = &p.cands["chair"][0];
    rec["reconcile"]["rounds"][0]["browser"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["id"].as_str().unwrap().to_string(), b["ballot"].as_str().unwrap().to_string()))
        .find(|(_, b)| b.contains(c0.as_str()))
        .unwrap()
}

async fn an_honest_counted_election_verifies_from_its_public_record(app: TestApp) {
    let mut p = closed(&app, "th").await;
    let id = p.id;
    let rec = record(&app, id).await;
    let round = &rec["reconcile"]["rounds"][0];
    // One electronic box (never per booth or station), one paper box for the station holding
    // the mobile box too; no box of its own for the mobile box.
    assert_eq!(round["browser"].as_array().unwrap().len(), 6, "{round}");
    let paper = round["paper"].as_array().unwrap();
    assert_eq!((paper.len(), paper[0]["station"].clone()), (1, json!(STATION)), "{round}");
    assert_eq!(paper[0]["ballots"].as_array().unwrap().len(), 2);
    assert_eq!(rec["reconcile"]["voter_list"]["voters"].as_array().unwrap().len(), p.voters.len());
    let (st, r) = count(&mut p).await;
    assert_eq!(st, S::OK, "{r}");
    verify_record(&app, id, 1).await;
}
both!(an_honest_counted_election_verifies_from_its_public_record);

async fn a_ballot_changed_after_the_close_is_refused_by_the_count_and_named_by_verify(app: TestApp) {
    let mut p = closed(&app, "tc").await;
    let (bid, text) = a_ballot_for_candidate_0(&app, &p).await;
    // 3–3 would become 2–4 (4–2 the other way): one vote moved to candidate 1.
    let changed = text.replace(&p.cands["chair"][0], &p.cands["chair"][1]);
    insider(&app, &format!("UPDATE ballots SET content = '{changed}' WHERE id = {}", blob(&app, &bid))).await;
    let (st, b) = count(&mut p).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("box_not_as_committed")), "{b}");
    assert!(b.to_string().contains(&bid), "the refusal names the ballot: {b}");
    let (_, e) = p.committee.api_get(&format!("/api/v1/elections/{}", p.id)).await;
    assert_eq!(e["stage"], json!("counting"), "the refused count changed nothing");
    let out = verify_fails(&app, p.id).await;
    assert!(out.contains(&format!("ballot {bid} was changed")), "{out}");
}
both!(a_ballot_changed_after_the_close_is_refused_by_the_count_and_named_by_verify);

async fn a_ballot_changed_or_deleted_after_the_count_is_named_by_verify(app: TestApp) {
    let mut p = closed(&app, "tx").await;
    assert_eq!(count(&mut p).await.0, S::OK);
    let (bid, text) = a_ballot_for_candidate_0(&app, &p).await;
    let changed = text.replace(&p.cands["chair"][0], &p.cands["chair"][1]);
    insider(&app, &format!("UPDATE ballots SET content = '{changed}' WHERE id = {}", blob(&app, &bid))).await;
    let out = verify_fails(&app, p.id).await;
    assert!(out.contains(&format!("ballot {bid} was changed")), "{out}");
    insider(&app, &format!("DELETE FROM ballots WHERE id = {}", blob(&app, &bid))).await;
    let out = verify_fails(&app, p.id).await;
    assert!(out.contains(&format!("ballot {bid} is missing")), "{out}");
}
both!(a_ballot_changed_or_deleted_after_the_count_is_named_by_verify);

async fn a_participation_row_added_or_changed_is_named_by_station(app: TestApp) {
    let mut p = closed(&app, "tp").await;
    let id = p.id;
    // Issued 8 → 9: a voter who never came is added to the roll at the station.
    let sql = format!(
        "INSERT INTO participation (election_id, round_no, resident_id, channel, station) VALUES ({id}, 1, {}, 'paper', '{STATION}')",
        p.voters[23]
    );
    insider(&app, &sql).await;
    let (st, b) = count(&mut p).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("box_not_as_committed")), "{b}");
    let out = verify_fails(&app, id).await;
    assert!(out.contains(&format!("station {STATION} (paper)")), "{out}");
    // Undone, the count goes ahead; then a row changed (a paper voter moved to the browser).
    insider(&app, &format!("DELETE FROM participation WHERE election_id = {id} AND resident_id = {}", p.voters[23]))
        .await;
    assert_eq!(count(&mut p).await.0, S::OK);
    let sql = format!(
        "UPDATE participation SET channel = 'remote' WHERE election_id = {id} AND resident_id = {}",
        p.voters[6]
    );
    insider(&app, &sql).await;
    let out = verify_fails(&app, id).await;
    assert!(out.contains(&format!("station {STATION} (paper)")), "{out}");
}
both!(a_participation_row_added_or_changed_is_named_by_station);

async fn a_shrunken_electorate_is_refused_by_the_count_and_named_by_verify(app: TestApp) {
    let mut p = closed(&app, "te").await;
    let id = p.id;
    // 24 → 10 voters: a turnout that missed the quorum would pass it.
    let gone: Vec<String> = p.voters[10..].iter().map(|v| v.to_string()).collect();
    insider(
        &app,
        &format!(
            "UPDATE voters SET status = 'removed' WHERE election_id = {id} AND resident_id IN ({})",
            gone.join(",")
        ),
    )
    .await;
    let (st, b) = count(&mut p).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("box_not_as_committed")), "{b}");
    assert!(b.to_string().contains("10 voters"), "{b}");
    let out = verify_fails(&app, id).await;
    assert!(out.contains("the published voter list (10 voters)") && out.contains("24 voters"), "{out}");
}
both!(a_shrunken_electorate_is_refused_by_the_count_and_named_by_verify);
