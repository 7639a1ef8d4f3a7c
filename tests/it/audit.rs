//! The tamper-evident log end to end: the record the server exports verifies; changing any
//! single stored row (content, order, deletion, insertion) makes `verify` fail and name the
//! entry; witnesses cosign a growing log and refuse a forked one.

use axum::http::StatusCode as S;
use huanjie::audit::{NoteVerifier, Record, Trust, verify_record_with};
use huanjie::store::Store;

use crate::both;
use crate::helpers::{K, R, TestApp, id_number, resident_json};

async fn exec(store: &Store, sql: &str) {
    match store {
        Store::Sqlite(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
        Store::Postgres(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
    }
}

/// What a DBA with full rights could do: switch the append-only triggers off.
async fn disable_guards(store: &Store) {
    match store {
        Store::Sqlite(_) => {
            exec(store, "DROP TRIGGER audit_entries_no_update").await;
            exec(store, "DROP TRIGGER audit_entries_no_delete").await;
        }
        Store::Postgres(_) => exec(store, "ALTER TABLE audit_entries DISABLE TRIGGER USER").await,
    }
}

async fn populated(app: &TestApp) -> crate::helpers::Client {
    let s = app.street("aud").await;
    let c = app.community(s, "aud-c").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    let mut api = app.login("admin").await;
    for i in 0..6 {
        let (st, _) = api
            .api_post(
                &format!("/api/v1/communities/{c}/residents"),
                &resident_json(&format!("居民{i}"), &id_number("1970-01-01", 100 + i * 2)),
            )
            .await;
        assert_eq!(st, S::OK);
        if i % 2 == 0 {
            // A checkpoint now and then, as the minute timer would issue them.
            huanjie::service::audit::checkpoint_now(app.store(), &app.state.log, "system").await.unwrap();
        }
    }
    api
}

/// `key` is the log key and the app's witness key, `log+…|witness+…`: the latest checkpoint
/// must carry the witness's cosignature (issue 15 item 4).
fn verify(rec: &Record, key: &str) -> Result<String, (Option<u64>, String)> {
    let (log, witness) = key.split_once('|').unwrap();
    let trust = Trust {
        log_key: Some(NoteVerifier::parse(log).unwrap()),
        witnesses: vec![NoteVerifier::parse(witness).unwrap()],
        min_cosignatures: 1,
        allow_unsigned_tail: false,
    };
    let mut check = |i: u64, leaf: &[u8]| huanjie::audit::events::check_entry(i, leaf);
    verify_record_with(rec, &trust, &mut check).map(|s| s.to_string()).map_err(|f| (f.entry_index, f.to_string()))
}

async fn record(api: &mut crate::helpers::Client) -> Record {
    let r = api.get("/api/v1/logs/system/record").await;
    assert_eq!(r.status, S::OK);
    serde_json::from_slice(&r.body).unwrap()
}

async fn exported_record_verifies(app: TestApp) {
    let mut api = populated(&app).await;
    let key = app.state.log.verifier_key();
    let rec = record(&mut api).await;
    assert!(rec.checkpoints.len() >= 3);
    let ok = verify(&rec, &format!("{key}|{}", app.witness.key)).unwrap();
    assert!(ok.starts_with("OK") && ok.contains("witnessed by 1 of 1"), "{ok}");
    // The public key endpoint and checkpoint agree with the record.
    assert_eq!(api.get("/api/v1/logs/key").await.text().trim(), key);
    let note = app.client().get("/api/v1/logs/system/checkpoint").await.text();
    assert!(note.starts_with(&format!("{}/system\n", app.state.log.name)));
    // Entries are not public: the system log holds registry data.
    assert_eq!(app.client().get("/api/v1/logs/system/record").await.status, S::FORBIDDEN);
}
both!(exported_record_verifies);

async fn tampering_with_any_row_is_caught_and_named(app: TestApp) {
    let mut api = populated(&app).await;
    let key = format!("{}|{}", app.state.log.verifier_key(), app.witness.key);
    let n = record(&mut api).await.entries.len() as i64;
    disable_guards(app.store()).await;
    let target = n / 2;
    // 1. Content: rewrite one entry's bytes (and its stored hash, to be thorough).
    let original = app.count(&format!("SELECT COUNT(*) FROM audit_entries WHERE idx = {target}")).await;
    assert_eq!(original, 1);
    match app.store() {
        Store::Sqlite(p) => {
            sqlx::query(r#"UPDATE audit_entries SET leaf = CAST(REPLACE(CAST(leaf AS TEXT), '"at":', '"at":1') AS BLOB) WHERE log_id = 'system' AND idx = $1"#)
                .bind(target).execute(p).await.unwrap();
        }
        Store::Postgres(p) => {
            sqlx::query("UPDATE audit_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '\"at\":', '\"at\":1'), 'UTF8') WHERE log_id = 'system' AND idx = $1")
                .bind(target).execute(p).await.unwrap();
        }
    }
    let rec = record(&mut api).await;
    let (idx, msg) = verify(&rec, &key).unwrap_err();
    assert_eq!(idx, Some(target as u64), "content change: {msg}");
}
both!(tampering_with_any_row_is_caught_and_named);

/// The same for deletion, insertion and reordering, on the exported record itself (what an
/// observer downloads), each named by entry.
async fn deletion_insertion_and_reordering_are_named(app: TestApp) {
    let mut api = populated(&app).await;
    let key = format!("{}|{}", app.state.log.verifier_key(), app.witness.key);
    let good = record(&mut api).await;
    assert!(verify(&good, &key).is_ok());
    let k = good.entries.len() / 2;
    // deletion (renumbered so the indexes look contiguous)
    let mut r = good.clone();
    r.entries.remove(k);
    for (i, e) in r.entries.iter_mut().enumerate() {
        e.index = i as u64;
    }
    let (idx, msg) = verify(&r, &key).unwrap_err();
    assert_eq!(idx, Some(k as u64), "deletion: {msg}");
    // insertion of a copy
    let mut r = good.clone();
    let dup = r.entries[k].clone();
    r.entries.insert(k + 1, dup);
    for (i, e) in r.entries.iter_mut().enumerate() {
        e.index = i as u64;
    }
    let (idx, msg) = verify(&r, &key).unwrap_err();
    // The copy at k+1 repeats entry k: the verifier names entry k and where it reappears.
    assert_eq!(idx, Some(k as u64), "insertion: {msg}");
    assert!(msg.contains(&format!("at {}", k + 1)), "insertion: {msg}");
    // reordering two neighbours
    let mut r = good.clone();
    r.entries.swap(k, k + 1);
    for (i, e) in r.entries.iter_mut().enumerate() {
        e.index = i as u64;
    }
    let (idx, msg) = verify(&r, &key).unwrap_err();
    assert_eq!(idx, Some(k as u64), "reorder: {msg}");
}
both!(deletion_insertion_and_reordering_are_named);

async fn the_database_refuses_checkpoint_rewrites(app: TestApp) {
    populated(&app).await;
    let r = match app.store() {
        Store::Sqlite(p) => sqlx::query("DELETE FROM checkpoints").execute(p).await.map(|_| ()),
        Store::Postgres(p) => sqlx::query("DELETE FROM checkpoints").execute(p).await.map(|_| ()),
    };
    assert!(r.is_err());
}
both!(the_database_refuses_checkpoint_rewrites);

/// A witness over real HTTP: cosigns, sees the log grow consistently, cosigns again; the
/// server shows the cosignature; a second server with the same key but another history (a
/// fork) is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witness_cosigns_a_growing_log_and_refuses_a_fork() {
    let dir = crate::helpers::temp_dir();
    let witness = huanjie::witness::Witness::open(&dir.0, "w1.example").unwrap();
    let secrets = huanjie::Secrets::random();
    let make = |secrets: huanjie::Secrets, wkey: String| async move {
        let d = crate::helpers::temp_dir();
        let mut cfg = huanjie::Config::new(None, "127.0.0.1:0".parse().unwrap(), d.0.clone());
        cfg.witness_keys = vec![wkey];
        let (router, state) = huanjie::web::build_app(cfg, secrets).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(huanjie::web::serve(router, listener));
        (state, format!("http://{addr}/api/v1/logs/system"), d)
    };
    let (a, url_a, _da) = make(secrets.clone(), witness.verifier_key()).await;
    let log_key = NoteVerifier::parse(&a.log.verifier_key()).unwrap();
    let http = huanjie::net::Http::default();
    let sys = huanjie::audit::Actor::system("test");
    huanjie::service::registry::create_street_office(&a.store, &sys, "w-a", "甲街道").await.unwrap();
    assert_eq!(witness.round(&http, &url_a, &log_key, 1_800_000_000).await.unwrap(), 1);
    // The checkpoint of size 1 is logged at index 1 (issue 15 item 4), so the next is at 3.
    huanjie::service::registry::create_street_office(&a.store, &sys, "w-b", "乙街道").await.unwrap();
    assert_eq!(witness.round(&http, &url_a, &log_key, 1_800_000_060).await.unwrap(), 3);
    let shown = String::from_utf8(http.get(&format!("{url_a}/checkpoint")).await.unwrap()).unwrap();
    assert!(shown.contains("— w1.example "), "{shown}");
    // Fork: another server, same signing key and origin, different entries.
    let (b, url_b, _db) = make(secrets, witness.verifier_key()).await;
    huanjie::service::registry::create_street_office(&b.store, &sys, "w-x", "丙街道").await.unwrap();
    huanjie::service::registry::create_street_office(&b.store, &sys, "w-y", "丁街道").await.unwrap();
    huanjie::service::registry::create_street_office(&b.store, &sys, "w-w", "己街道").await.unwrap();
    let err = witness.round(&http, &url_b, &log_key, 1_800_000_120).await.unwrap_err();
    assert!(err.starts_with("REFUSED") && err.contains("Fork"), "{err}");
    huanjie::service::registry::create_street_office(&b.store, &sys, "w-z", "戊街道").await.unwrap();
    let err = witness.round(&http, &url_b, &log_key, 1_800_000_180).await.unwrap_err();
    assert!(err.starts_with("REFUSED") && err.contains("Inconsistent"), "{err}");
}
