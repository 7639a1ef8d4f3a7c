//! The storage suite, run on both databases: the audit log is append-only in the database
//! itself, every change is one transaction with its audit entry, and edits never overwrite a
//! newer version.

use axum::http::StatusCode as S;
use huanjie::audit::merkle::{Frontier, leaf_hash, node_hash};
use huanjie::store::{Store, audit as audit_store};
use serde_json::json;

use crate::both;
use crate::helpers::{K, R, TestApp, id_number, resident_json};

async fn exec(store: &Store, sql: &str) -> Result<u64, sqlx::Error> {
    match store {
        Store::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        Store::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
    }
}

async fn audit_log_refuses_update_and_delete(app: TestApp) {
    app.street("log").await;
    let n = app.count("SELECT COUNT(*) FROM audit_entries").await;
    assert!(n >= 1);
    let e = exec(app.store(), "UPDATE audit_entries SET leaf = leaf").await.unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = exec(app.store(), "DELETE FROM audit_entries").await.unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_entries").await, n);
}
both!(audit_log_refuses_update_and_delete);

async fn every_change_is_one_entry_and_the_head_matches_the_leaves(app: TestApp) {
    let s = app.street("chg").await;
    let c = app.community(s, "chg-c").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    let before = audit_store::size(app.store(), "system").await.unwrap();
    let mut api = app.login("admin").await; // one entry: session.login
    let (st, _) = api.api_post(&format!("/api/v1/communities/{c}/groups"), &json!({"number": 1, "name": "一组"})).await;
    assert_eq!(st, S::OK);
    let after = audit_store::size(app.store(), "system").await.unwrap();
    assert_eq!(after, before + 2);
    // The stored frontier's root equals the root recomputed from every stored leaf.
    let entries = audit_store::entries(app.store(), "system", 0, after as i64).await.unwrap();
    let mut f = Frontier::default();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.idx, i as i64);
        assert_eq!(e.leaf_hash, leaf_hash(&e.leaf).to_vec());
        f.append(leaf_hash(&e.leaf));
    }
    let last: serde_json::Value = serde_json::from_slice(&entries.last().unwrap().leaf).unwrap();
    assert_eq!(last["type"], json!("group.created"));
    assert_eq!(last["actor"], json!("admin"));
    assert_eq!(last["role"], json!("street_admin"));
    let _ = node_hash(&[0; 32], &[0; 32]);
    assert_eq!(f.size(), after);
}
both!(every_change_is_one_entry_and_the_head_matches_the_leaves);

async fn a_refused_change_leaves_no_row_and_no_entry(app: TestApp) {
    let s = app.street("atom").await;
    let c = app.community(s, "atom-c").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    let mut api = app.login("admin").await;
    let id = id_number("1970-03-03", 21);
    let (st, _) = api.api_post(&format!("/api/v1/communities/{c}/residents"), &resident_json("甲", &id)).await;
    assert_eq!(st, S::OK);
    let residents = app.count("SELECT COUNT(*) FROM residents").await;
    let households = app.count("SELECT COUNT(*) FROM households").await;
    let entries = app.count("SELECT COUNT(*) FROM audit_entries").await;
    // Same ID number in a NEW household: the household insert happens first inside the
    // transaction, then the resident insert fails; the household must be rolled back too.
    let mut dup = resident_json("乙", &id);
    dup["household_number"] = json!("9999");
    let (st, body) = api.api_post(&format!("/api/v1/communities/{c}/residents"), &dup).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, residents);
    assert_eq!(app.count("SELECT COUNT(*) FROM households").await, households);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_entries").await, entries);
}
both!(a_refused_change_leaves_no_row_and_no_entry);

async fn a_stale_edit_is_refused_and_history_kept(app: TestApp) {
    let s = app.street("ver").await;
    let c = app.community(s, "ver-c").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    let mut api = app.login("admin").await;
    let id = id_number("1966-06-06", 31);
    let (_, body) = api.api_post(&format!("/api/v1/communities/{c}/residents"), &resident_json("丙", &id)).await;
    let rid = body["id"].as_i64().unwrap();
    let mut edit = resident_json("丙丙", &id);
    edit["version"] = json!(1);
    let (st, r) = api.api_put(&format!("/api/v1/residents/{rid}"), &edit).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!(r["version"], json!(2));
    // A second editor who still holds version 1 is refused.
    edit["name"] = json!("丁");
    let (st, r) = api.api_put(&format!("/api/v1/residents/{rid}"), &edit).await;
    assert_eq!(st, S::CONFLICT, "{r}");
    let (_, cur) = api.api_get(&format!("/api/v1/residents/{rid}")).await;
    assert_eq!(cur["name"], json!("丙丙"));
    let (_, h) = api.api_get(&format!("/api/v1/residents/{rid}/history")).await;
    let h = h["history"].as_array().unwrap();
    assert_eq!(h.len(), 1);
    assert!(h[0]["before_json"].as_str().unwrap().contains("\"丙\""));
    assert!(h[0]["after_json"].as_str().unwrap().contains("丙丙"));
}
both!(a_stale_edit_is_refused_and_history_kept);

async fn near_relatives_are_linked_both_ways_once(app: TestApp) {
    let s = app.street("rel").await;
    let c = app.community(s, "rel-c").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    let mut api = app.login("admin").await;
    let (_, a) = api
        .api_post(&format!("/api/v1/communities/{c}/residents"), &resident_json("父", &id_number("1950-01-01", 41)))
        .await;
    let (_, b) = api
        .api_post(&format!("/api/v1/communities/{c}/residents"), &resident_json("子", &id_number("1980-01-01", 43)))
        .await;
    let (a, b) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    let (st, _) = api
        .api_post(&format!("/api/v1/residents/{b}/relatives"), &json!({"relative_id": a, "relation": "parent"}))
        .await;
    assert_eq!(st, S::OK);
    let (st, _) = api
        .api_post(&format!("/api/v1/residents/{a}/relatives"), &json!({"relative_id": b, "relation": "child"}))
        .await;
    assert_eq!(st, S::CONFLICT);
    let (_, r) = api.api_get(&format!("/api/v1/residents/{a}/relatives")).await;
    assert_eq!(r["relatives"][0]["id"], json!(b));
    let (st, _) = api
        .api_post(&format!("/api/v1/residents/{a}/relatives"), &json!({"relative_id": a, "relation": "child"}))
        .await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
}
both!(near_relatives_are_linked_both_ways_once);
