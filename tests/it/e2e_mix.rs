//! Issue 18, "Done when" (docs/e2e.md §6–§8) on both databases: the key ceremony (three
//! trustees of the election committee, k = 2, LAW.md §2 [N]), encrypted ballots cast into the
//! one electronic box, a paper box entered twice and accepted as today (LAW.md §6 [N?]), the
//! polls closed; two trustees shuffle with proofs and two decrypt with proofs, each checking the
//! mix input and every earlier shuffle itself; the count reads the decrypted ballots with the
//! paper box and elects whom the known votes elect; `huanjie verify` passes on the record. Then
//! an insider changes the mix's tables behind the application's back — a ballot dropped from a
//! shuffle, a wrong decryption share, a changed decrypted ballot — and `verify` fails naming the
//! round, the trustee and the step.

use axum::body::Body;
use axum::http::{Request, StatusCode as S, header};
use huanjie::domain::ceremony::CeremonyBoard;
use huanjie::domain::mix::MixBoard;
use huanjie::trustee::{TrusteeState, check_step, deal_step, decrypt_step, finish_step, key_step, mix_step};
use huanjie_crypto::ballot::{EncryptedBallot, PostChoice};
use huanjie_crypto::credential::Credential;
use huanjie_crypto::dkg::DecryptionShare;
use huanjie_crypto::drbg::Drbg;
use huanjie_crypto::group::G;
use huanjie_crypto::shuffle::{rows_from_bytes, rows_to_bytes};
use serde_json::{Value, json};

use crate::both;
use crate::counting::verify_record;
use crate::helpers::TestApp;
use crate::polling::{Polling, STATION, ready};

async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> (S, Value) {
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = app.client().send(req).await;
    (r.status, r.json())
}

async fn ceremony_board(app: &TestApp, id: i64) -> CeremonyBoard {
    let (st, b) = app.client().api_get(&format!("/api/v1/elections/{id}/ceremony")).await;
    assert_eq!(st, S::OK, "{b}");
    serde_json::from_value(b).unwrap()
}

async fn mix_board(app: &TestApp, id: i64, round: i64) -> MixBoard {
    let (st, b) = app.client().api_get(&format!("/api/v1/elections/{id}/rounds/{round}/shuffles")).await;
    assert_eq!(st, S::OK, "{b}");
    serde_json::from_value(b).unwrap()
}

async fn record(app: &TestApp, id: i64) -> Value {
    let (st, rec) = app.client().api_get(&format!("/api/v1/elections/{id}/record")).await;
    assert_eq!(st, S::OK, "{rec}");
    rec
}

/// The key ceremony through the API with `huanjie trustee`'s steps: three honest trustees
/// (voters 12–14 on the election committee), k = 2 by majority.
async fn ceremony(app: &TestApp, p: &mut Polling, rng: &mut Drbg) -> (Vec<String>, Vec<TrusteeState>) {
    let id = p.id;
    for (i, r) in p.voters[12..15].iter().enumerate() {
        let body = json!({"resident_id": r, "position": if i == 0 { "chair" } else { "member" }});
        let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/committee"), &body).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, opened) = p.committee.api_post(&format!("/api/v1/elections/{id}/ceremony"), &json!({})).await;
    assert_eq!((st, opened["k"].clone()), (S::OK, json!(2)), "{opened}");
    let tokens: Vec<String> =
        opened["trustees"].as_array().unwrap().iter().map(|t| t["token"].as_str().unwrap().to_string()).collect();
    let url = |what: &str| format!("/api/v1/elections/{id}/ceremony/{what}");
    let b = ceremony_board(app, id).await;
    let (mut states, keys): (Vec<_>, Vec<_>) = (1..=3).map(|l| key_step(rng, &b, l)).unzip();
    for l in 0..3 {
        assert_eq!(post(app, &url("key"), &tokens[l], &json!(keys[l])).await.0, S::OK);
    }
    let b = ceremony_board(app, id).await;
    for l in 0..3 {
        let m = deal_step(rng, &b, &mut states[l]).unwrap();
        assert_eq!(post(app, &url("dealing"), &tokens[l], &json!(m)).await.0, S::OK);
    }
    let b = ceremony_board(app, id).await;
    for l in 0..3 {
        let m = check_step(rng, &b, &mut states[l]).unwrap();
        assert_eq!(post(app, &url("check"), &tokens[l], &json!(m)).await.0, S::OK);
    }
    let b = ceremony_board(app, id).await;
    assert_eq!(b.status, "done");
    for s in &mut states {
        finish_step(&b, s).unwrap();
    }
    (tokens, states)
}

/// What one encrypted ballot marks: indexes into each post's candidate list, and on `member`
/// optionally one voter written in (by resident id).
#[derive(Clone)]
struct Vote {
    chair: Vec<u32>,
    vice_chair: Vec<u32>,
    member: Vec<u32>,
    write_in: Option<i64>,
}

struct Closed {
    p: Polling,
    round: i64,
    tokens: Vec<String>,
    states: Vec<TrusteeState>,
    rng: Drbg,
    /// The resident written in on one ballot.
    written: i64,
}

/// Ceremony; polls open; 14 encrypted ballots cast through the writer (the box path every
/// browser ballot takes); one paper ballot at the station, entered twice and accepted; polls
/// closed. Chair: 9 for candidate 0, 4 for candidate 1, 1 blank ballot, and the paper ballot for
/// candidate 1. Vice chair: 10 for candidate 0. Members: 10 for candidates 0–2, one of them
/// with a voter written in.
async fn closed(app: &TestApp, code: &str) -> Closed {
    let mut p = ready(app, code).await;
    let id = p.id;
    let mut rng = Drbg::new(format!("e2e mix test {code}").as_bytes());
    let (tokens, states) = ceremony(app, &mut p, &mut rng).await;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await;
    assert_eq!(st, S::OK, "{b}");
    let store = app.store();
    let poll = huanjie::store::polling::latest_poll(store, id).await.unwrap().unwrap();
    let e2e = huanjie::service::e2e::round(store, &app.state.log.name, id, &poll.paper).await.unwrap().unwrap();
    let roll: Vec<i64> =
        huanjie::store::elections::roll(store, id).await.unwrap().iter().map(|v| v.resident_id).collect();
    let written = p.voters[16];
    let domain = huanjie::domain::e2e::credential_domain(&app.state.log.name, id);
    let full = Vote { chair: vec![0], vice_chair: vec![0], member: vec![0, 1, 2], write_in: None };
    let mut votes = vec![full.clone(); 9];
    votes[0].write_in = Some(written);
    votes.extend(vec![Vote { chair: vec![1], vice_chair: vec![], member: vec![], write_in: None }; 3]);
    votes.push(Vote { chair: vec![1], vice_chair: vec![0], member: vec![0, 1, 2], write_in: None });
    votes.push(Vote { chair: vec![], vice_chair: vec![], member: vec![], write_in: None });
    assert_eq!(votes.len(), 14);
    for (v, vote) in p.voters[0..14].iter().zip(&votes) {
        let choices: Vec<PostChoice> = poll
            .paper
            .posts
            .iter()
            .map(|s| {
                let marks = match s.post.as_str() {
                    "chair" => vote.chair.clone(),
                    "vice_chair" => vote.vice_chair.clone(),
                    _ => vote.member.clone(),
                };
                let write_ins = match (s.post.as_str(), vote.write_in, poll.paper.write_ins) {
                    ("member", Some(r), true) => vec![huanjie::domain::e2e::write_in_number(&roll, r).unwrap()],
                    _ => vec![],
                };
                PostChoice { marks, write_ins }
            })
            .collect();
        let cred = Credential::derive(domain.as_bytes(), &p.codes[v]);
        let ballot =
            EncryptedBallot::encrypt(&mut rng, &e2e.key.key.key, &e2e.context, &e2e.shape, &cred, &choices).unwrap();
        // Through the cast API, as a voter's device sends it (issue 18 item 4).
        let body = json!({"encrypted": hex::encode(ballot.to_bytes())});
        let (st, b) = crate::polling::cast(app, id, &p.codes[v], &body).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    let body = json!({"resident_id": p.voters[20], "channel": "paper", "station": STATION});
    let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &body).await;
    assert_eq!(st, S::OK, "{b}");
    // The mix waits for the close.
    assert_eq!(mix_board(app, id, poll.round_no).await.status, "polling");
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    for (clerk, pass) in [(&mut p.clerk, 1), (&mut p.clerk2, 2)] {
        let e = json!({"station": STATION, "pass": pass, "chair": [p.cands["chair"][1]]});
        let (st, b) = clerk.api_post(&format!("/api/v1/elections/{id}/paper/entries"), &e).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, b) =
        p.committee.api_post(&format!("/api/v1/elections/{id}/paper/accept"), &json!({"station": STATION})).await;
    assert_eq!(st, S::OK, "{b}");
    Closed { p, round: poll.round_no, tokens, states, rng, written }
}

fn shuffles_url(id: i64, round: i64) -> String {
    format!("/api/v1/elections/{id}/rounds/{round}/shuffles")
}

fn decryptions_url(id: i64, round: i64) -> String {
    format!("/api/v1/elections/{id}/rounds/{round}/decryptions")
}

/// Trustees 1 and 3 shuffle, 2 and 3 decrypt, each with `huanjie trustee`'s steps.
async fn mix_and_decrypt(app: &TestApp, c: &mut Closed) {
    let (id, round) = (c.p.id, c.round);
    for l in [0usize, 2] {
        let board = mix_board(app, id, round).await;
        let m = mix_step(&mut c.rng, &board, &record(app, id).await, &c.states[l]).unwrap();
        let (st, b) = post(app, &shuffles_url(id, round), &c.tokens[l], &json!(m)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    for l in [1usize, 2] {
        let board = mix_board(app, id, round).await;
        let m = decrypt_step(&mut c.rng, &board, &record(app, id).await, &c.states[l]).unwrap();
        let (st, b) = post(app, &decryptions_url(id, round), &c.tokens[l], &json!(m)).await;
        assert_eq!(st, S::OK, "{b}");
    }
}

async fn two_trustees_shuffle_two_decrypt_and_the_count_elects_from_the_decrypted_box_docs_e2e_6_7_8_law_6_n(
    app: TestApp,
) {
    let mut c = closed(&app, "mx").await;
    let (id, round) = (c.p.id, c.round);
    // The count waits for k trustees, in both languages.
    let (st, b) = c.p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("e2e_waiting_for_trustees")), "{b}");
    assert!(b["message"].as_str().unwrap_or("").contains("0/2 shuffles"), "{b}");
    let board = mix_board(&app, id, round).await;
    assert_eq!((board.status.as_str(), board.k, board.n), ("mixing", 2, 3));
    assert_eq!(rows_from_bytes(&hex::decode(&board.input).unwrap()).unwrap().len(), 14, "the whole encrypted box");
    // Nobody decrypts before k shuffles: neither the trustee's tool nor the server lets them.
    let rec = record(&app, id).await;
    assert!(decrypt_step(&mut c.rng, &board, &rec, &c.states[1]).is_err());
    let early = huanjie_crypto::dkg::DecryptionShare { trustee: 2, parts: vec![], proofs: vec![] };
    let (st, b) =
        post(&app, &decryptions_url(id, round), &c.tokens[1], &json!({"share": hex::encode(early.to_bytes())})).await;
    assert_eq!((st, b["key"].clone()), (S::CONFLICT, json!("err.e2e_mix_step")), "{b}");
    // A shuffle that drops a ballot is refused: its proof does not hold.
    let honest = mix_step(&mut c.rng, &board, &rec, &c.states[0]).unwrap();
    let mut rows = rows_from_bytes(&hex::decode(&honest.output).unwrap()).unwrap();
    rows.pop();
    let dropped = json!({"output": hex::encode(rows_to_bytes(&rows)), "proof": honest.proof});
    let (st, b) = post(&app, &shuffles_url(id, round), &c.tokens[0], &dropped).await;
    assert_eq!((st, b["fields"][0]["key"].clone()), (S::UNPROCESSABLE_ENTITY, json!("err.e2e_proof")), "{b}");
    // A wrong token is refused.
    assert_eq!(post(&app, &shuffles_url(id, round), "not-a-token", &json!(honest)).await.0, S::UNAUTHORIZED);
    // The honest one goes in; the same trustee cannot shuffle twice.
    let (st, b) = post(&app, &shuffles_url(id, round), &c.tokens[0], &json!(honest)).await;
    assert_eq!(st, S::OK, "{b}");
    let board = mix_board(&app, id, round).await;
    assert!(mix_step(&mut c.rng, &board, &record(&app, id).await, &c.states[0]).is_err());
    // A board whose input is not the committed box is refused by the trustee's own check.
    let mut lying = board.clone();
    lying.input = lying.shuffles[0].output.clone();
    assert!(mix_step(&mut c.rng, &lying, &record(&app, id).await, &c.states[2]).unwrap_err().contains("mix input"));
    let m = mix_step(&mut c.rng, &board, &record(&app, id).await, &c.states[2]).unwrap();
    let (st, b) = post(&app, &shuffles_url(id, round), &c.tokens[2], &json!(m)).await;
    assert_eq!(st, S::OK, "{b}");
    let board = mix_board(&app, id, round).await;
    assert_eq!(board.status, "decrypting");
    // A third shuffle is not taken once k trustees have shuffled.
    let m = mix_step(&mut c.rng, &board, &record(&app, id).await, &c.states[1]).unwrap();
    assert_eq!(post(&app, &shuffles_url(id, round), &c.tokens[1], &json!(m)).await.0, S::CONFLICT);
    // A wrong decryption share is refused: its proof does not hold against Y_2.
    let good = decrypt_step(&mut c.rng, &board, &record(&app, id).await, &c.states[1]).unwrap();
    let mut share = DecryptionShare::from_bytes(&hex::decode(&good.share).unwrap()).unwrap();
    share.parts[3] += G;
    let (st, b) =
        post(&app, &decryptions_url(id, round), &c.tokens[1], &json!({"share": hex::encode(share.to_bytes())})).await;
    assert_eq!((st, b["fields"][0]["key"].clone()), (S::UNPROCESSABLE_ENTITY, json!("err.e2e_proof")), "{b}");
    for (l, m) in [(1usize, good)] {
        let (st, b) = post(&app, &decryptions_url(id, round), &c.tokens[l], &json!(m)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    // One share is not enough: the count still waits, and says so.
    let (st, b) = c.p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("e2e_waiting_for_trustees")), "{b}");
    let m = decrypt_step(&mut c.rng, &board, &record(&app, id).await, &c.states[2]).unwrap();
    let (st, b) = post(&app, &decryptions_url(id, round), &c.tokens[2], &json!(m)).await;
    assert_eq!(st, S::OK, "{b}");
    let board = mix_board(&app, id, round).await;
    assert_eq!((board.status.as_str(), board.decrypted.len()), ("decrypted", 14));
    // The decrypted ballots are the votes cast, in another order than the box's.
    let cand = |post: &str, i: usize| c.p.cands[post][i].clone();
    let full = json!({"chair": [cand("chair", 0)], "vice_chair": [cand("vice_chair", 0)],
        "member": [cand("member", 0), cand("member", 1), cand("member", 2)]});
    let count_of =
        |v: &Value| board.decrypted.iter().filter(|b| serde_json::from_str::<Value>(b).unwrap() == *v).count();
    assert_eq!(count_of(&full), 8, "{:?}", board.decrypted);
    assert_eq!(count_of(&json!({"blank": true})), 1, "{:?}", board.decrypted);
    assert_eq!(count_of(&json!({"chair": [cand("chair", 1)]})), 3, "{:?}", board.decrypted);
    let written = huanjie::domain::ballot::write_in_id(c.written);
    assert_eq!(board.decrypted.iter().filter(|b| b.contains(&written)).count(), 1, "the write-in names the voter");
    // The count reads the decrypted box with the paper box and elects from the known votes.
    let (st, r) = c.p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!(
        (r["valid"].clone(), r["ballots_cast"].clone(), r["blank_ballots"].clone()),
        (json!(true), json!(15), json!(1)),
        "{r}"
    );
    let mut elected: Vec<String> =
        r["elected"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    elected.sort();
    let mut expected =
        vec![cand("chair", 0), cand("vice_chair", 0), cand("member", 0), cand("member", 1), cand("member", 2)];
    expected.sort();
    assert_eq!(elected, expected, "{r}");
    // The public count calls the 15 ballots one by one, the decrypted ones like paper.
    let (_, pc) = app.client().api_get(&format!("/api/v1/public/elections/{id}/count?k=15")).await;
    assert_eq!((pc["total"].clone(), pc["blank"].clone()), (json!(15), json!(1)), "{pc}");
    // And the record verifies, the mix and the decryption included.
    verify_record(&app, id, 1).await;
    let out = verify_output(&app, id).await;
    assert!(out.contains("2 shuffle proof(s) and 2 decryption share(s) checked"), "{out}");
}
both!(two_trustees_shuffle_two_decrypt_and_the_count_elects_from_the_decrypted_box_docs_e2e_6_7_8_law_6_n);

/// `huanjie verify` on the public record: (exit code, output).
async fn verify_run(app: &TestApp, id: i64) -> (Option<i32>, String) {
    let rec = record(app, id).await;
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("record.json");
    std::fs::write(&f, rec.to_string()).unwrap();
    crate::helpers::huanjie_verify(app.verify_args(&f)).await
}

async fn verify_output(app: &TestApp, id: i64) -> String {
    let (code, text) = verify_run(app, id).await;
    assert_eq!(code, Some(0), "{text}");
    text
}

async fn verify_fails(app: &TestApp, id: i64) -> String {
    let (code, text) = verify_run(app, id).await;
    assert_eq!(code, Some(1), "a tampered record verified: {text}");
    text
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

async fn an_insider_changing_the_mix_behind_the_app_is_named_by_verify_docs_e2e_8(app: TestApp) {
    let mut c = closed(&app, "mt").await;
    let (id, round) = (c.p.id, c.round);
    mix_and_decrypt(&app, &mut c).await;
    let board = mix_board(&app, id, round).await;
    // A changed decrypted ballot before the count: the count refuses (the log fixed their root).
    let target = board.decrypted.iter().position(|b| b != r#"{"blank":true}"#).unwrap() + 1;
    let original = board.decrypted[target - 1].clone();
    let set_decrypted = |content: &str| {
        format!(
            "UPDATE e2e_decrypted SET content = {} WHERE election_id = {id} AND round_no = {round} AND seq = {target}",
            quote(content)
        )
    };
    app.exec(&set_decrypted(r#"{"blank":true}"#)).await;
    let (st, b) = c.p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("box_not_as_committed")), "{b}");
    app.exec(&set_decrypted(&original)).await;
    let (st, r) = c.p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    verify_output(&app, id).await;

    // 1. A ballot dropped from the first shuffle's output.
    let out = &board.shuffles[0].output;
    let mut rows = rows_from_bytes(&hex::decode(out).unwrap()).unwrap();
    rows.remove(4);
    let set_output = |o: &str| {
        format!(
            "UPDATE e2e_shuffles SET output = {} WHERE election_id = {id} AND round_no = {round} AND seq = 1",
            quote(o)
        )
    };
    app.exec(&set_output(&hex::encode(rows_to_bytes(&rows)))).await;
    let text = verify_fails(&app, id).await;
    assert!(text.contains(&format!("round {round}, shuffle 1 by trustee 1")), "{text}");
    app.exec(&set_output(out)).await;
    verify_output(&app, id).await;

    // 2. A wrong decryption share of trustee 2.
    let d = board.decryptions.iter().find(|d| d.trustee == 2).unwrap().share.clone();
    let mut share = DecryptionShare::from_bytes(&hex::decode(&d).unwrap()).unwrap();
    share.parts[0] += G;
    let set_share = |s: &str| {
        format!(
            "UPDATE e2e_decryptions SET share = {} WHERE election_id = {id} AND round_no = {round} AND trustee = 2",
            quote(s)
        )
    };
    app.exec(&set_share(&hex::encode(share.to_bytes()))).await;
    let text = verify_fails(&app, id).await;
    assert!(text.contains(&format!("round {round}, the decryption share of trustee 2")), "{text}");
    app.exec(&set_share(&d)).await;
    verify_output(&app, id).await;

    // 3. A changed decrypted ballot after the count.
    app.exec(&set_decrypted(r#"{"blank":true}"#)).await;
    let text = verify_fails(&app, id).await;
    assert!(text.contains(&format!("round {round}, the decryption: decrypted ballot {target}")), "{text}");
}
both!(an_insider_changing_the_mix_behind_the_app_is_named_by_verify_docs_e2e_8);

/// The demo's trustees (`huanjie demo`'s three, k = 2) shuffle and decrypt the closed round of
/// an end-to-end demo election through the API with `huanjie trustee`'s steps, so that its count
/// can run: trustees 1 and 2 shuffle, 1 and 2 decrypt.
pub(crate) async fn demo_trustees_mix_and_decrypt(app: &TestApp, id: i64, t: &huanjie::demo::DemoTrustees) {
    let round = huanjie::store::polling::latest_poll(app.store(), id).await.unwrap().unwrap().round_no;
    let mut rng = Drbg::new(b"demo trustees");
    for l in [0usize, 1] {
        let board = mix_board(app, id, round).await;
        let m = mix_step(&mut rng, &board, &record(app, id).await, &t.states[l]).unwrap();
        let (st, b) = post(app, &shuffles_url(id, round), &t.trustees[l].2, &json!(m)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    for l in [0usize, 1] {
        let board = mix_board(app, id, round).await;
        let m = decrypt_step(&mut rng, &board, &record(app, id).await, &t.states[l]).unwrap();
        let (st, b) = post(app, &decryptions_url(id, round), &t.trustees[l].2, &json!(m)).await;
        assert_eq!(st, S::OK, "{b}");
    }
}
