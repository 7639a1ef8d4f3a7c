//! Issue 18 items 3 and 4 (docs/e2e.md §5, §8) on both databases: the credential list is
//! published and logged with the cards; an end-to-end round's cast API takes an encrypted,
//! signed ballot, checks it before the writer and refuses unknown credentials, bad proofs,
//! replays and a second ballot; the server encrypts for a voter who sends marks; the receipt is
//! the tracker; a reissued card revokes the old credential; and `huanjie verify` checks every
//! encrypted ballot from the record — and names the ballot when an insider, in SQL during
//! polling, adds a ballot of an unlisted credential, a second ballot of one credential, or
//! changes a ciphertext.

use axum::body::Body;
use axum::http::{Request, StatusCode as S, header};
use huanjie::domain::ballot::BallotPaper;
use huanjie::domain::ceremony::{CeremonyBoard, point};
use huanjie::trustee::{check_step, deal_step, finish_step, key_step};
use huanjie_crypto::RistrettoPoint;
use huanjie_crypto::ballot::{BallotContext, EncryptedBallot, PostChoice, Shape};
use huanjie_crypto::credential::Credential;
use huanjie_crypto::drbg::Drbg;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::TestApp;
use crate::polling::{Polling, cast, ready};

/// An end-to-end election with its polls open: the key ceremony done by three honest trustees.
struct E2e {
    p: Polling,
    key: RistrettoPoint,
    ctx: BallotContext,
    shape: Shape,
    domain: String,
    rng: Drbg,
}

impl E2e {
    fn credential(&self, code: &str) -> Credential {
        Credential::derive(self.domain.as_bytes(), code)
    }

    /// A ballot for chair candidate `chair`, signed with `cred`, in context `ctx`.
    fn ballot_in(&mut self, ctx: &BallotContext, cred: &Credential, chair: u32) -> EncryptedBallot {
        let mut choices: Vec<PostChoice> = self.shape.posts.iter().map(|_| PostChoice::default()).collect();
        choices[0].marks = vec![chair];
        EncryptedBallot::encrypt(&mut self.rng, &self.key, ctx, &self.shape, cred, &choices).unwrap()
    }

    fn ballot(&mut self, cred: &Credential, chair: u32) -> EncryptedBallot {
        let ctx = self.ctx.clone();
        self.ballot_in(&ctx, cred, chair)
    }

    fn code(&self, i: usize) -> String {
        self.p.codes[&self.p.voters[i]].clone()
    }
}

async fn board(app: &TestApp, id: i64) -> CeremonyBoard {
    let (st, b) = app.client().api_get(&format!("/api/v1/elections/{id}/ceremony")).await;
    assert_eq!(st, S::OK, "{b}");
    serde_json::from_value(b).unwrap()
}

async fn trustee_post(app: &TestApp, id: i64, what: &str, token: &str, body: &Value) {
    let req = Request::post(format!("/api/v1/elections/{id}/ceremony/{what}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = app.client().send(req).await;
    assert_eq!(r.status, S::OK, "{}", r.json());
}

async fn e2e_polling(app: &TestApp, code: &str) -> E2e {
    let mut p = ready(app, code).await;
    let id = p.id;
    let mut rng = Drbg::new(code.as_bytes());
    for (i, r) in p.voters[12..15].iter().enumerate() {
        let body = json!({"resident_id": r, "position": if i == 0 { "chair" } else { "member" }});
        let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/committee"), &body).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, opened) = p.committee.api_post(&format!("/api/v1/elections/{id}/ceremony"), &json!({})).await;
    assert_eq!(st, S::OK, "{opened}");
    let tokens: Vec<String> =
        opened["trustees"].as_array().unwrap().iter().map(|t| t["token"].as_str().unwrap().to_string()).collect();
    let b0 = board(app, id).await;
    let (mut states, keys): (Vec<_>, Vec<_>) = (1..=3).map(|l| key_step(&mut rng, &b0, l)).unzip();
    for l in 0..3 {
        trustee_post(app, id, "key", &tokens[l], &json!(keys[l])).await;
    }
    let b1 = board(app, id).await;
    for l in 0..3 {
        let m = deal_step(&mut rng, &b1, &mut states[l]).unwrap();
        trustee_post(app, id, "dealing", &tokens[l], &json!(m)).await;
    }
    let b2 = board(app, id).await;
    for l in 0..3 {
        let c = check_step(&mut rng, &b2, &mut states[l]).unwrap();
        trustee_post(app, id, "check", &tokens[l], &json!(c)).await;
    }
    let done = board(app, id).await;
    assert_eq!(done.status, "done");
    for s in states.iter_mut() {
        finish_step(&done, s).unwrap();
    }
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, pb) = app.client().api_get(&format!("/api/v1/public/elections/{id}/ballot")).await;
    assert_eq!(st, S::OK, "{pb}");
    let paper: BallotPaper = serde_json::from_value(pb["ballot"].clone()).unwrap();
    let shape = huanjie::domain::e2e::shape(&paper).unwrap();
    let ctx = huanjie::domain::e2e::context(&done.ceremony, paper.round_no);
    let (st, creds) = app.client().api_get(&format!("/api/v1/elections/{id}/credentials")).await;
    assert_eq!(st, S::OK, "{creds}");
    let key = point(done.election_key.as_deref().unwrap(), "key").unwrap();
    E2e { p, key, ctx, shape, domain: creds["domain"].as_str().unwrap().to_string(), rng }
}

async fn cast_encrypted(app: &TestApp, id: i64, code: &str, b: &EncryptedBallot) -> (S, Value) {
    cast(app, id, code, &json!({"encrypted": hex::encode(b.to_bytes())})).await
}

async fn record(app: &TestApp, id: i64) -> Value {
    let (st, rec) = app.client().api_get(&format!("/api/v1/elections/{id}/record")).await;
    assert_eq!(st, S::OK, "{rec}");
    rec
}

async fn verify(app: &TestApp, id: i64) -> (Option<i32>, String) {
    let rec = record(app, id).await;
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("record.json");
    std::fs::write(&f, rec.to_string()).unwrap();
    crate::helpers::huanjie_verify(app.verify_args(&f)).await
}

async fn close(e: &mut E2e) {
    let (st, b) = e.p.committee.api_post_empty(&format!("/api/v1/elections/{}/polls/close", e.p.id)).await;
    assert_eq!(st, S::OK, "{b}");
}

fn entries_of(log: &Value, ty: &str) -> Vec<Value> {
    log["entries"].as_array().unwrap().iter().map(|e| e["entry"].clone()).filter(|e| e["type"] == json!(ty)).collect()
}

async fn an_encrypted_round_casts_checks_and_verifies_docs_e2e_5_8(app: TestApp) {
    let mut e = e2e_polling(&app, "ec").await;
    let id = e.p.id;
    // The credential list: one key per card, sorted, no names, logged with its digest.
    let (_, creds) = app.client().api_get(&format!("/api/v1/elections/{id}/credentials")).await;
    assert_eq!(
        (creds["size"].clone(), creds["live"].clone(), creds["source"].clone()),
        (json!(24), json!(24), json!("server"))
    );
    let keys: Vec<String> = creds["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["credential"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let mine = hex::encode(e.credential(&e.code(0)).public());
    assert!(keys.contains(&mine));
    let (_, log) = app.client().api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    let published = entries_of(&log, "e2e.credentials_published");
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["payload"]["sha256"], creds["sha256"]);
    assert_eq!(published[0]["payload"]["source"], json!("server"));

    // A ballot the voter's device encrypted: accepted, its receipt is the tracker.
    let cred0 = e.credential(&e.code(0));
    let b0 = e.ballot(&cred0, 1);
    let (st, r) = cast_encrypted(&app, id, &e.code(0), &b0).await;
    assert_eq!(st, S::CREATED, "{r}");
    assert_eq!(r["receipt"], json!(hex::encode(b0.tracker())));
    // The tracker checks as a receipt: it is in the cast entry the voter was given.
    let q = format!(
        "/api/v1/public/receipts?log=election-{id}&index={}&receipt={}",
        r["index"],
        r["receipt"].as_str().unwrap()
    );
    let (st, found) = app.client().api_get(&q).await;
    assert_eq!((st, found["found"].clone()), (S::OK, json!(true)), "{found}");
    // The same ballot again, or another of the same credential: refused.
    let (st, _) = cast_encrypted(&app, id, &e.code(0), &b0).await;
    assert_eq!(st, S::CONFLICT);
    // Replay into another round, a changed ciphertext: refused before the writer, nothing marked.
    let cred1 = e.credential(&e.code(1));
    let other_round = BallotContext { election: e.ctx.election.clone(), round: b"2".to_vec() };
    let replay = e.ballot_in(&other_round, &cred1, 0);
    let (st, r) = cast_encrypted(&app, id, &e.code(1), &replay).await;
    assert_eq!((st, r["fields"][0]["key"].clone()), (S::UNPROCESSABLE_ENTITY, json!("err.e2e_ballot")), "{r}");
    let mut bytes = e.ballot(&cred1, 0).to_bytes();
    bytes[50] ^= 1;
    let (st, _) = cast(&app, id, &e.code(1), &json!({"encrypted": hex::encode(&bytes)})).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    // A credential not on the list: refused, and the voter's roll mark is not taken.
    let stranger = Credential::derive(e.domain.as_bytes(), "NOTA-CARD-CODE-0000-0000");
    let sb = e.ballot(&stranger, 0);
    let (st, r) = cast_encrypted(&app, id, &e.code(1), &sb).await;
    assert_eq!((st, r["key"].clone()), (S::CONFLICT, json!("err.e2e_credential")), "{r}");
    let b1 = e.ballot(&cred1, 0);
    let (st, r) = cast_encrypted(&app, id, &e.code(1), &b1).await;
    assert_eq!(st, S::CREATED, "{r}");
    // Marks sent in an end-to-end round: the server encrypts them for the voter.
    let ballot = json!({"chair": [e.p.cands["chair"][0]], "member": [e.p.cands["member"][1]]});
    let (st, r) = cast(&app, id, &e.code(2), &ballot).await;
    assert_eq!(st, S::CREATED, "{r}");
    assert_eq!(r["receipt"].as_str().unwrap().len(), 64, "{r}");
    // The box holds only ciphertexts.
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id}")).await, 3);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM ballots WHERE election_id = {id} AND content LIKE 'hjb1:%'")).await,
        3
    );
    let (_, log) = app.client().api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    let by: Vec<Value> =
        entries_of(&log, "ballots.cast").iter().map(|c| c["payload"]["encrypted_by"].clone()).collect();
    assert!(by.contains(&json!({"server": 1, "voter": 0})) && by.contains(&json!({"server": 0, "voter": 1})), "{by:?}");

    // A reissued card: refused once the voter voted; otherwise the old key is revoked.
    let cards = format!("/api/v1/elections/{id}/cards");
    let (st, b) = e.p.committee.api_post(&cards, &json!({"resident_id": e.p.voters[0]})).await;
    assert_eq!((st, b["code"].clone()), (S::UNPROCESSABLE_ENTITY, json!("card_voted")), "{b}");
    let old = hex::encode(e.credential(&e.code(10)).public());
    let (st, b) = e.p.committee.api_post(&cards, &json!({"resident_id": e.p.voters[10]})).await;
    assert_eq!(st, S::OK, "{b}");
    let new_code = b["cards"][0]["code"].as_str().unwrap().to_string();
    let new = hex::encode(e.credential(&new_code).public());
    let (_, creds) = app.client().api_get(&format!("/api/v1/elections/{id}/credentials")).await;
    assert_eq!((creds["size"].clone(), creds["live"].clone()), (json!(25), json!(24)));
    let status = |k: &str| {
        creds["credentials"].as_array().unwrap().iter().find(|c| c["credential"] == json!(k)).unwrap()["status"].clone()
    };
    assert_eq!((status(&old), status(&new)), (json!("revoked"), json!("live")));
    let (_, log) = app.client().api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    let re = entries_of(&log, "e2e.credential_reissued");
    assert_eq!((re[0]["payload"]["old"].clone(), re[0]["payload"]["new"].clone()), (json!(old), json!(new)));
    let nb = e.ballot(&e.credential(&new_code), 1);
    let (st, r) = cast_encrypted(&app, id, &new_code, &nb).await;
    assert_eq!(st, S::CREATED, "{r}");

    // Nothing stored or logged names the code.
    let text = log.to_string();
    assert!(!text.contains(&e.code(0)));

    close(&mut e).await;
    let (code, out) = verify(&app, id).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("4 encrypted ballot(s) checked"), "{out}");
    assert!(out.contains("stuffing by the operator is not excluded"), "{out}");
}
both!(an_encrypted_round_casts_checks_and_verifies_docs_e2e_5_8);

/// SQL as an insider runs it during polling: the append-only triggers go first.
async fn insider(app: &TestApp, sql: &str) {
    let drops: &[&str] = match app.store() {
        huanjie::store::Store::Sqlite(_) => &["DROP TRIGGER IF EXISTS ballots_no_update"],
        huanjie::store::Store::Postgres(_) => &["DROP TRIGGER IF EXISTS ballots_no_change ON ballots"],
    };
    for d in drops {
        app.exec(d).await;
    }
    app.exec(sql).await;
}

fn blob(app: &TestApp, hex: &str) -> String {
    match app.store() {
        huanjie::store::Store::Sqlite(_) => format!("X'{hex}'"),
        huanjie::store::Store::Postgres(_) => format!("decode('{hex}', 'hex')"),
    }
}

/// The insider stuffs `b` into the box during polling, with the roll mark that goes with it
/// (for `voter`, who did not vote), so the counts still add up.
async fn stuff(app: &TestApp, e: &E2e, voter: usize, b: &EncryptedBallot) {
    let id = e.p.id;
    let content = huanjie::domain::e2e::to_content(b);
    let bid = hex::encode(rand::random::<[u8; 16]>());
    insider(
        app,
        &format!(
            "INSERT INTO ballots (election_id, round_no, id, station, entry_no, content) VALUES ({id}, 1, {}, 'remote', NULL, '{content}')",
            blob(app, &bid)
        ),
    )
    .await;
    insider(
        app,
        &format!(
            "INSERT INTO participation (election_id, round_no, resident_id, channel, station) VALUES ({id}, 1, {}, 'remote', 'remote')",
            e.p.voters[voter]
        ),
    )
    .await;
}

async fn two_honest_ballots(app: &TestApp, code: &str) -> E2e {
    let mut e = e2e_polling(app, code).await;
    for i in 0..2 {
        let c = e.credential(&e.code(i));
        let b = e.ballot(&c, 0);
        let (st, r) = cast_encrypted(app, e.p.id, &e.code(i), &b).await;
        assert_eq!(st, S::CREATED, "{r}");
    }
    e
}

async fn verify_names_a_stuffed_ballot_of_an_unlisted_credential_docs_e2e_8(app: TestApp) {
    let mut e = two_honest_ballots(&app, "es").await;
    let stranger = Credential::derive(e.domain.as_bytes(), "NOTA-CARD-CODE-0000-0001");
    let b = e.ballot(&stranger, 1);
    stuff(&app, &e, 5, &b).await;
    close(&mut e).await;
    let (code, out) = verify(&app, e.p.id).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("is not in the published credential list"), "{out}");
    assert!(out.contains(&hex::encode(b.tracker())), "the ballot is named by its tracker: {out}");
}
both!(verify_names_a_stuffed_ballot_of_an_unlisted_credential_docs_e2e_8);

async fn verify_names_a_second_ballot_of_one_credential_docs_e2e_8(app: TestApp) {
    let mut e = two_honest_ballots(&app, "ed").await;
    let c0 = e.credential(&e.code(0));
    let b = e.ballot(&c0, 1);
    stuff(&app, &e, 6, &b).await;
    close(&mut e).await;
    let (code, out) = verify(&app, e.p.id).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("a second ballot for credential"), "{out}");
}
both!(verify_names_a_second_ballot_of_one_credential_docs_e2e_8);

async fn verify_names_a_changed_ciphertext_docs_e2e_8(app: TestApp) {
    let mut e = two_honest_ballots(&app, "eh").await;
    let id = e.p.id;
    // The insider re-encrypts (changes) one slot of a stored ballot during polling.
    let store = app.store();
    let rows: Vec<(Vec<u8>, String)> = match store {
        huanjie::store::Store::Sqlite(p) => sqlx::query_as("SELECT id, content FROM ballots WHERE election_id = $1")
            .bind(id)
            .fetch_all(p)
            .await
            .unwrap(),
        huanjie::store::Store::Postgres(p) => sqlx::query_as("SELECT id, content FROM ballots WHERE election_id = $1")
            .bind(id)
            .fetch_all(p)
            .await
            .unwrap(),
    };
    let (bid, content) = &rows[0];
    let mut b = huanjie::domain::e2e::from_content(content).unwrap().unwrap();
    let s = huanjie_crypto::group::random_scalar(&mut e.rng);
    b.ciphertexts[0] = b.ciphertexts[0].rerandomise(&e.key, &s);
    let changed = huanjie::domain::e2e::to_content(&b);
    insider(&app, &format!("UPDATE ballots SET content = '{changed}' WHERE id = {}", blob(&app, &hex::encode(bid))))
        .await;
    close(&mut e).await;
    let (code, out) = verify(&app, id).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("its shape, signature or proof fails"), "{out}");
}
both!(verify_names_a_changed_ciphertext_docs_e2e_8);
