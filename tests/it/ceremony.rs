//! Issue 18, the key ceremony (docs/e2e.md §4) end to end on both databases: the election
//! committee's serving members are the trustees (LAW.md §2 [N]); they make the election key
//! through the server's bulletin board with `huanjie trustee`'s steps, a dealer who seals a bad
//! share is named from public data and left out, a false accuser is named too, every trustee
//! recomputes the key itself, any k of them decrypt, and the log alone proves the key.

use axum::body::Body;
use axum::http::{Request, StatusCode as S, header};
use huanjie::domain::ceremony::{CeremonyBoard, CheckMessage, ComplaintMessage, DealingMessage, point};
use huanjie::trustee::{check_step, deal_step, finish_step, key_step};
use huanjie_crypto::dkg::{Complaint, DecryptionShare, Threshold, combine, decryption_share, election_key};
use huanjie_crypto::drbg::Drbg;
use huanjie_crypto::elgamal::{Ciphertext, DlogTable};
use huanjie_crypto::group::{decode_scalar, random_scalar};
use huanjie_crypto::proofs::DleqProof;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::TestApp;
use crate::polling::ready;

async fn trustee_post(app: &TestApp, id: i64, what: &str, token: &str, body: &Value) -> (S, Value) {
    let req = Request::post(format!("/api/v1/elections/{id}/ceremony/{what}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = app.client().send(req).await;
    (r.status, r.json())
}

async fn board(app: &TestApp, id: i64) -> CeremonyBoard {
    let (st, b) = app.client().api_get(&format!("/api/v1/elections/{id}/ceremony")).await;
    assert_eq!(st, S::OK, "{b}");
    serde_json::from_value(b).unwrap()
}

fn scalar(hex_str: &str) -> huanjie_crypto::Scalar {
    decode_scalar(&hex::decode(hex_str).unwrap(), "test").unwrap()
}

async fn the_committee_makes_the_key_and_the_board_names_a_cheating_dealer_docs_e2e_4_law_2_n(app: TestApp) {
    let mut p = ready(&app, "ek").await;
    let id = p.id;
    let mut rng = Drbg::new(b"ceremony test");
    // Before there is a committee, there are no trustees.
    let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/ceremony"), &json!({})).await;
    assert_eq!((st, b["key"].clone()), (S::FORBIDDEN, json!("err.e2e_no_trustees")), "{b}");
    for (i, r) in p.voters[12..15].iter().enumerate() {
        let body = json!({"resident_id": r, "position": if i == 0 { "chair" } else { "member" }});
        let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/committee"), &body).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, opened) = p.committee.api_post(&format!("/api/v1/elections/{id}/ceremony"), &json!({})).await;
    assert_eq!(st, S::OK, "{opened}");
    assert_eq!((opened["n"].clone(), opened["k"].clone()), (json!(3), json!(2)), "k defaults to a majority");
    let tokens: Vec<String> =
        opened["trustees"].as_array().unwrap().iter().map(|t| t["token"].as_str().unwrap().to_string()).collect();
    let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/ceremony"), &json!({})).await;
    assert_eq!((st, b["key"].clone()), (S::CONFLICT, json!("err.e2e_ceremony_exists")));

    // Step 1: keys. A wrong token, a proof made for another trustee, a second key: refused.
    let b0 = board(&app, id).await;
    assert_eq!(b0.status, "keys");
    let (mut states, keys): (Vec<_>, Vec<_>) = (1..=3).map(|l| key_step(&mut rng, &b0, l)).unzip();
    let (st, _) = trustee_post(&app, id, "key", "not-a-token", &json!(keys[0])).await;
    assert_eq!(st, S::UNAUTHORIZED);
    let (st, b) = trustee_post(&app, id, "key", &tokens[1], &json!(keys[0])).await;
    assert_eq!((st, b["fields"][0]["key"].clone()), (S::UNPROCESSABLE_ENTITY, json!("err.e2e_proof")), "{b}");
    for l in 0..3 {
        let (st, b) = trustee_post(&app, id, "key", &tokens[l], &json!(keys[l])).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, _) = trustee_post(&app, id, "key", &tokens[0], &json!(keys[0])).await;
    assert_eq!(st, S::CONFLICT, "keys are over: the ceremony is dealing");

    // Step 2: dealings. Dealer 1 seals a bad share to trustee 2 (the server cannot see it).
    let b1 = board(&app, id).await;
    assert_eq!(b1.status, "dealing");
    for l in 0..3 {
        let mut m: DealingMessage = deal_step(&mut rng, &b1, &mut states[l]).unwrap();
        if l == 0 {
            let s = m.shares.iter_mut().find(|s| s.recipient == 2).unwrap();
            let mut bytes = hex::decode(&s.sealed).unwrap();
            bytes[5] ^= 0x40;
            s.sealed = hex::encode(bytes);
        }
        let (st, b) = trustee_post(&app, id, "dealing", &tokens[l], &json!(m)).await;
        assert_eq!(st, S::OK, "{b}");
    }

    // Step 3: checks. Trustee 2 complains about dealer 1 (rightly); trustee 3 accuses dealer 2
    // of a share that is good (its published pad key and proof are honest, so anyone can see).
    let b2 = board(&app, id).await;
    assert_eq!(b2.status, "checking");
    let c1 = check_step(&mut rng, &b2, &mut states[0]).unwrap();
    let c2 = check_step(&mut rng, &b2, &mut states[1]).unwrap();
    assert_eq!(c2.complaints.iter().map(|c| c.dealer).collect::<Vec<_>>(), vec![1]);
    let mut c3 = check_step(&mut rng, &b2, &mut states[2]).unwrap();
    assert!(c1.complaints.is_empty() && c3.complaints.is_empty());
    let d2 = b2.trustees[1].dealing.as_ref().unwrap().parse(2).unwrap();
    let e = d2.shares.iter().find(|s| s.recipient == 3).unwrap().ephemeral;
    let secret3 = scalar(&states[2].ceremony_secret);
    let ctx = huanjie_crypto::hash::Hasher::new("complaint").bytes(b2.ceremony.as_bytes()).u64(2).u64(3).finish();
    let false_claim = Complaint {
        dealer: 2,
        recipient: 3,
        pad_key: e * secret3,
        proof: DleqProof::prove(&mut rng, &ctx, &secret3, &e),
    };
    c3.complaints.push(ComplaintMessage::from_complaint(&false_claim));
    for (l, c) in [(0, &c1), (1, &c2), (2, &c3)] {
        let body: &CheckMessage = c;
        let (st, b) = trustee_post(&app, id, "check", &tokens[l], &json!(body)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let done = board(&app, id).await;
    assert_eq!(done.status, "done");
    assert_eq!(done.qualified, vec![2, 3], "dealer 1 is out, the false accuser's target stays");
    let verdicts: Vec<(u32, u32, &str)> =
        done.complaints.iter().map(|c| (c.dealer, c.recipient, c.verdict.as_str())).collect();
    assert_eq!(verdicts, vec![(1, 2, "dealer"), (2, 3, "accuser")]);

    // Step 4: each trustee recomputes the key itself; all read the same fingerprint.
    let fps: Vec<String> = states.iter_mut().map(|s| finish_step(&done, s).unwrap()).collect();
    assert!(fps.iter().all(|f| Some(f) == done.fingerprint.as_ref()), "{fps:?}");
    // A board that names another key is refused by the trustee's own check.
    let mut lying = done.clone();
    lying.election_key = Some(lying.verification_keys[0].clone());
    assert!(finish_step(&lying, &mut states[0].clone()).is_err());

    // Any two trustees decrypt; one alone cannot.
    let key = point(done.election_key.as_deref().unwrap(), "key").unwrap();
    let cts: Vec<Ciphertext> =
        [5u32, 0, 9].iter().map(|m| Ciphertext::encrypt(&key, *m, &random_scalar(&mut rng))).collect();
    let ds: Vec<DecryptionShare> = states
        .iter()
        .map(|s| {
            decryption_share(&mut rng, done.ceremony.as_bytes(), s.trustee, &scalar(s.share.as_ref().unwrap()), &cts)
        })
        .collect();
    let t = Threshold::new(3, 2).unwrap();
    let table = DlogTable::new();
    for pair in [[0, 1], [0, 2], [1, 2]] {
        let pts = combine(t, &cts, &[&ds[pair[0]], &ds[pair[1]]]).unwrap();
        assert_eq!(pts.iter().map(|p| table.decode(p)).collect::<Vec<_>>(), vec![Some(5), Some(0), Some(9)]);
    }
    assert!(combine(t, &cts, &[&ds[0]]).is_err());

    // The log alone proves the key: its dealings, minus the dealer the verdicts name, make it.
    let (st, b) = app.client().api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    assert_eq!(st, S::OK);
    let entries: Vec<Value> = b["entries"].as_array().unwrap().iter().map(|e| e["entry"].clone()).collect();
    let of = |ty: &str| entries.iter().filter(|e| e["type"] == json!(ty)).cloned().collect::<Vec<_>>();
    assert_eq!(of("e2e.ceremony_opened").len(), 1);
    assert_eq!(of("e2e.key_posted").len(), 3);
    let checks = of("e2e.shares_checked");
    assert_eq!(checks.len(), 3);
    let fixed = &checks[2]["payload"];
    assert_eq!(fixed["election_key"], json!(done.election_key));
    let logged: Vec<_> = of("e2e.dealing_posted")
        .iter()
        .map(|e| {
            let m: DealingMessage = serde_json::from_value(e["payload"]["dealing"].clone()).unwrap();
            m.parse(e["payload"]["trustee"].as_u64().unwrap() as u32).unwrap()
        })
        .filter(|d| d.dealer != 1)
        .collect();
    let from_log = election_key(t, &logged.iter().collect::<Vec<_>>()).unwrap();
    assert_eq!(Some(huanjie::domain::ceremony::point_hex(&from_log.key)), done.election_key);
    // No token is stored or logged; only its hash is.
    let text = b.to_string();
    for tok in &tokens {
        assert!(!text.contains(tok.as_str()));
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM e2e_trustees WHERE token_hash = '{tok}'")).await, 0);
    }
}
both!(the_committee_makes_the_key_and_the_board_names_a_cheating_dealer_docs_e2e_4_law_2_n);

/// Runs every step of an opened ceremony honestly for all its trustees.
async fn honest_ceremony(app: &TestApp, id: i64, tokens: &[String], rng: &mut Drbg) -> CeremonyBoard {
    let b0 = board(app, id).await;
    let (mut states, keys): (Vec<_>, Vec<_>) = (1..=tokens.len() as u32).map(|l| key_step(rng, &b0, l)).unzip();
    for (t, k) in tokens.iter().zip(&keys) {
        let (st, b) = trustee_post(app, id, "key", t, &json!(k)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let b1 = board(app, id).await;
    for (t, s) in tokens.iter().zip(states.iter_mut()) {
        let m = deal_step(rng, &b1, s).unwrap();
        let (st, b) = trustee_post(app, id, "dealing", t, &json!(m)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let b2 = board(app, id).await;
    for (t, s) in tokens.iter().zip(states.iter_mut()) {
        let m = check_step(rng, &b2, s).unwrap();
        let (st, b) = trustee_post(app, id, "check", t, &json!(m)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    board(app, id).await
}

fn tokens_of(opened: &Value) -> Vec<String> {
    opened["trustees"].as_array().unwrap().iter().map(|t| t["token"].as_str().unwrap().to_string()).collect()
}

/// LAW.md §2 [N] (a committee member who must withdraw takes no further part), docs/e2e.md §4:
/// a withdrawal before the key is fixed fails the ceremony and the next one leaves the member
/// out; after the key is fixed the ceremony stands while k serve, and fails with fewer than k
/// before the polls open. The withdrawn trustee's token opens nothing; the reason is a code.
async fn a_trustee_who_withdraws_takes_no_further_part_and_fewer_than_k_before_the_polls_means_a_new_key_law_2_n(
    app: TestApp,
) {
    let mut p = ready(&app, "wd").await;
    let id = p.id;
    let mut rng = Drbg::new(b"withdrawal test");
    for (i, r) in p.voters[12..16].iter().enumerate() {
        let body = json!({"resident_id": r, "position": if i == 0 { "chair" } else { "member" }});
        let (st, b) = p.committee.api_post(&format!("/api/v1/elections/{id}/committee"), &body).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let withdraw = |n: u32| format!("/api/v1/elections/{id}/ceremony/trustees/{n}/withdraw");
    let (st, opened) = p.committee.api_post(&format!("/api/v1/elections/{id}/ceremony"), &json!({"k": 2})).await;
    assert_eq!((st, opened["n"].clone()), (S::OK, json!(4)), "{opened}");
    let tokens = tokens_of(&opened);
    let b0 = board(&app, id).await;
    let (_, key) = key_step(&mut rng, &b0, 1);
    assert_eq!(trustee_post(&app, id, "key", &tokens[0], &json!(key)).await.0, S::OK);

    // A reason outside the list (free text could carry health facts) is refused, nothing changes.
    let (st, b) = p.committee.api_post(&withdraw(4), &json!({"reason": "住院"})).await;
    assert_eq!(
        (st, b["fields"][0]["key"].clone()),
        (S::UNPROCESSABLE_ENTITY, json!("err.e2e_withdrawal_reason")),
        "{b}"
    );
    assert_eq!(board(&app, id).await.status, "keys");
    // Trustee 4 withdraws while the keys are posted: the ceremony fails; its token opens nothing.
    let (st, w) = p.committee.api_post(&withdraw(4), &json!({"reason": "unavailable"})).await;
    assert_eq!((st, w["status"].clone(), w["serving"].clone()), (S::OK, json!("failed"), json!(3)), "{w}");
    let (_, key4) = key_step(&mut rng, &b0, 4);
    let (st, b) = trustee_post(&app, id, "key", &tokens[3], &json!(key4)).await;
    assert_eq!((st, b["key"].clone()), (S::FORBIDDEN, json!("err.e2e_withdrawn")), "{b}");
    let (st, _) = p.committee.api_post(&withdraw(4), &json!({"reason": "unavailable"})).await;
    assert_eq!(st, S::CONFLICT, "a failed ceremony takes no further withdrawal");

    // The next ceremony is made by the three still serving.
    let (st, opened) = p.committee.api_post(&format!("/api/v1/elections/{id}/ceremony"), &json!({"k": 2})).await;
    assert_eq!((st, opened["n"].clone(), opened["number"].clone()), (S::OK, json!(3), json!(2)), "{opened}");
    let withdrawn_resident = p.voters[15];
    let names: Vec<String> = opened["trustees"].as_array().unwrap().iter().map(|t| t["name"].to_string()).collect();
    let r = app
        .count(&format!("SELECT COUNT(*) FROM e2e_trustees WHERE number = 2 AND resident_id = {withdrawn_resident}"))
        .await;
    assert_eq!(r, 0, "the member who withdrew is not a trustee again: {names:?}");
    let tokens = tokens_of(&opened);
    let done = honest_ceremony(&app, id, &tokens, &mut rng).await;
    assert_eq!(done.status, "done");

    // After the key is fixed: one withdrawal leaves 2 = k serving, the key stands.
    let (st, w) = p.committee.api_post(&withdraw(1), &json!({"reason": "left_committee"})).await;
    assert_eq!((st, w["status"].clone(), w["serving"].clone()), (S::OK, json!("done"), json!(2)), "{w}");
    let b = board(&app, id).await;
    assert_eq!(b.trustees[0].withdrawn.as_deref(), Some("left_committee"));
    assert_eq!(b.election_key, done.election_key);
    let fk = huanjie::service::ceremony::finished_key(app.store(), &app.state.log.name, id).await.unwrap().unwrap();
    assert_eq!(fk.serving, vec![2, 3]);
    // A second one, before the polls open, leaves fewer than k: a new key must be made.
    let (st, w) = p.committee.api_post(&withdraw(2), &json!({"reason": "recused"})).await;
    assert_eq!((st, w["status"].clone(), w["serving"].clone()), (S::OK, json!("failed"), json!(1)), "{w}");
    assert!(huanjie::service::ceremony::finished_key(app.store(), &app.state.log.name, id).await.unwrap().is_none());

    let (st, b) = app.client().api_get(&format!("/api/v1/logs/election-{id}/entries?start=0")).await;
    assert_eq!(st, S::OK);
    let logged: Vec<Value> = b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"].clone())
        .filter(|e| e["type"] == json!("e2e.trustee_withdrawn"))
        .map(|e| e["payload"]["status"].clone())
        .collect();
    assert_eq!(logged, vec![json!("failed"), json!("done"), json!("failed")]);
}
both!(a_trustee_who_withdraws_takes_no_further_part_and_fewer_than_k_before_the_polls_means_a_new_key_law_2_n);
