//! Issue 15 items 1 and 4 (and their rows of item 8): one record URL per election, and a
//! history that cannot be rewound. Each attack is made in the database with SQL, bypassing the
//! application, as an insider with the database file would; `huanjie verify` (the real
//! command, with the witness key pinned) must fail and name the place.

use axum::http::StatusCode as S;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, huanjie_verify, temp_dir};
use crate::polling::{Polling, cast, ready};
use huanjie::store::Store;

/// Runs a test-only SQL statement with parameters on either database.
async fn exec_with(store: &Store, sql: &str, a: &str, b: i64) {
    match store {
        Store::Sqlite(p) => sqlx::query(sql).bind(a).bind(b).execute(p).await.map(|_| ()).unwrap(),
        Store::Postgres(p) => sqlx::query(sql).bind(a).bind(b).execute(p).await.map(|_| ()).unwrap(),
    }
}

/// What a DBA with full rights could do: switch the append-only triggers off.
async fn disable_guards(app: &TestApp) {
    match app.store() {
        Store::Sqlite(_) => {
            for t in
                ["audit_entries_no_update", "audit_entries_no_delete", "checkpoints_no_update", "checkpoints_no_delete"]
            {
                app.exec(&format!("DROP TRIGGER IF EXISTS {t}")).await;
            }
        }
        Store::Postgres(_) => {
            app.exec("ALTER TABLE audit_entries DISABLE TRIGGER USER").await;
            app.exec("ALTER TABLE checkpoints DISABLE TRIGGER USER").await;
        }
    }
}

/// An election voted on remotely, closed (the close cosigned by the app's witness) and
/// counted, as the demo's polling election ends.
async fn counted(app: &TestApp, code: &str) -> Polling {
    let mut p = ready(app, code).await;
    let id = p.id;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await;
    assert_eq!(st, S::OK, "{b}");
    let c = |post: &str, i: usize| p.cands[post][i].clone();
    let ballot = json!({"chair": [c("chair", 0)], "vice_chair": [c("vice_chair", 0)], "member": [c("member", 0), c("member", 1), c("member", 2)]});
    for v in p.voters.clone().iter().take(12) {
        let (st, b) = cast(app, id, &p.codes[v], &ballot).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{b}");
    p
}

/// The record from the kept URL, written to a file; `huanjie verify` on it with `extra` flags.
async fn verify_file(app: &TestApp, rec: &Value, extra: &[&str]) -> (Option<i32>, String) {
    let dir = temp_dir();
    let f = dir.0.join("record.json");
    std::fs::write(&f, rec.to_string()).unwrap();
    let mut args = app.verify_args(&f);
    args.extend(extra.iter().map(|s| s.to_string()));
    huanjie_verify(args).await
}

async fn record(app: &TestApp, id: i64) -> Value {
    let (st, rec) = app.client().api_get(&format!("/api/v1/elections/{id}/record")).await;
    assert_eq!(st, S::OK, "{rec}");
    rec
}

/// Checkpoint sizes of the election's log, oldest first.
async fn checkpoint_sizes(app: &TestApp, id: i64) -> Vec<i64> {
    huanjie::store::audit::checkpoints(app.store(), &huanjie::audit::election_log(id))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.size)
        .collect()
}

/// Cuts the log back to its first `size` entries the way an insider would: the entries, the
/// checkpoints and cosignatures beyond, and the head (size and frontier) rewound to match.
async fn rewind(app: &TestApp, id: i64, size: i64) {
    let log = huanjie::audit::election_log(id);
    disable_guards(app).await;
    exec_with(app.store(), "DELETE FROM audit_entries WHERE log_id = $1 AND idx >= $2", &log, size).await;
    exec_with(app.store(), "DELETE FROM checkpoints WHERE log_id = $1 AND size > $2", &log, size).await;
    exec_with(app.store(), "DELETE FROM cosignatures WHERE log_id = $1 AND size > $2", &log, size).await;
    let mut f = huanjie::audit::Frontier::new();
    for h in huanjie::store::audit::leaf_hashes(app.store(), &log, size).await.unwrap() {
        f.append(h);
    }
    match app.store() {
        Store::Sqlite(p) => sqlx::query("UPDATE audit_heads SET size = $1, frontier = $2 WHERE log_id = $3")
            .bind(size)
            .bind(f.to_bytes())
            .bind(&log)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap(),
        Store::Postgres(p) => sqlx::query("UPDATE audit_heads SET size = $1, frontier = $2 WHERE log_id = $3")
            .bind(size)
            .bind(f.to_bytes())
            .bind(&log)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap(),
    }
}

/// Issue 15's row "delete the last entries and their checkpoint, rewind the head, let the server
/// re-sign" (verify said OK, "witnessed by 0 of 0"): the witness refuses the shorter log, and
/// says it cosigned more than the record holds. Also cut back exactly to an older, witnessed
/// checkpoint (which needs no re-signing): the witness's largest size still gives it away.
async fn truncation_and_re_signing_is_detected(app: TestApp) {
    let p = counted(&app, "hr").await;
    let id = p.id;
    let (code, text) = verify_file(&app, &record(&app, id).await, &[]).await;
    assert_eq!(code, Some(0), "honest record: {text}");
    let sizes = checkpoint_sizes(&app, id).await;
    assert!(sizes.len() >= 4, "{sizes:?}");
    // 1. Cut inside the history (one entry after an older checkpoint's own log entry), so the
    //    server signs a new, shorter head.
    let older = sizes[sizes.len() - 3];
    rewind(&app, id, older + 2).await;
    let rec = record(&app, id).await;
    assert_eq!(*checkpoint_sizes(&app, id).await.last().unwrap(), older + 2, "the server re-signed the cut head");
    let (code, text) = verify_file(&app, &rec, &[]).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("FAILED") && text.contains("rewound"), "{text}");
    // Even accepting an unwitnessed record does not accept a rewound one.
    let (code, text) = verify_file(&app, &rec, &["--allow-unwitnessed"]).await;
    assert_eq!(code, Some(1), "{text}");
    // 2. Back to the older checkpoint itself, witnessed long ago.
    rewind(&app, id, older + 1).await;
    exec_with(
        app.store(),
        "DELETE FROM checkpoints WHERE log_id = $1 AND size > $2",
        &huanjie::audit::election_log(id),
        older,
    )
    .await;
    let rec = record(&app, id).await;
    assert_eq!(rec["checkpoints"].as_array().unwrap().len(), sizes.len() - 2, "{rec}");
    let (code, text) = verify_file(&app, &rec, &[]).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("rewound") && text.contains(&format!("record ends at {older}")), "{text}");
}
both!(truncation_and_re_signing_is_detected);

/// Issue 15's row "delete a checkpoint in the middle" (verify said OK): every checkpoint is
/// logged at its own size, so the entry names the one that is gone.
async fn a_deleted_middle_checkpoint_is_detected(app: TestApp) {
    let p = counted(&app, "hm").await;
    let id = p.id;
    let sizes = checkpoint_sizes(&app, id).await;
    let middle = sizes[sizes.len() / 2];
    disable_guards(&app).await;
    exec_with(
        app.store(),
        "DELETE FROM checkpoints WHERE log_id = $1 AND size = $2",
        &huanjie::audit::election_log(id),
        middle,
    )
    .await;
    let (code, text) = verify_file(&app, &record(&app, id).await, &[]).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "FAILED: entry {middle}: the checkpoint of size {middle} logged here is missing from the record"
        )),
        "{text}"
    );
    // The same when the observer's file loses it (an edited download).
    let mut rec = record(&app, id).await;
    let cps = rec["checkpoints"].as_array_mut().unwrap();
    let at = cps.len() / 2;
    cps.remove(at);
    let (code, text) = verify_file(&app, &rec, &[]).await;
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("missing from the record"), "{text}");
}
both!(a_deleted_middle_checkpoint_is_detected);

/// Without a pinned witness's cosignature `verify` prints UNWITNESSED and exits non-zero;
/// `--allow-unwitnessed` accepts it.
async fn an_unwitnessed_record_is_refused_unless_accepted(app: TestApp) {
    let p = counted(&app, "hu").await;
    let rec = record(&app, p.id).await;
    let dir = temp_dir();
    let f = dir.0.join("record.json");
    std::fs::write(&f, rec.to_string()).unwrap();
    // No witness key pinned.
    let key = app.state.log.verifier_key();
    let (code, text) = huanjie_verify(vec![f.display().to_string(), "--log-key".into(), key.clone()]).await;
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("UNWITNESSED: the latest checkpoint"), "{text}");
    let (code, text) =
        huanjie_verify(vec![f.display().to_string(), "--log-key".into(), key, "--allow-unwitnessed".into()]).await;
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("OK ") && text.contains("UNWITNESSED (accepted with --allow-unwitnessed)"), "{text}");
    // The witness key pinned, but the latest checkpoint's cosignatures stripped.
    let mut bare = rec.clone();
    let last = bare["checkpoints"].as_array().unwrap().len() - 1;
    bare["checkpoints"][last]["cosignatures"] = json!([]);
    let (code, text) = verify_file(&app, &bare, &[]).await;
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("UNWITNESSED"), "{text}");
    // The witness cannot be asked (no URL anywhere): a rewound history cannot be ruled out.
    let mut nowhere = rec.clone();
    nowhere["witness_urls"] = json!([]);
    let (code, text) = verify_file(&app, &nowhere, &[]).await;
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("no pinned witness answered"), "{text}");
}
both!(an_unwitnessed_record_is_refused_unless_accepted);

/// Issue 15's row "honest, counted election: verify on /api/v1/logs/election-2/record FAILS":
/// the kept URL (`/api/v1/elections/{id}/record`) verifies and recounts; the old one answers
/// 308 to it, and `huanjie verify` given the old URL follows it and verifies too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_counted_election_verifies_and_the_old_record_url_redirects() {
    let app = TestApp::sqlite().await;
    let p = counted(&app, "hk").await;
    let id = p.id;
    let r = app.client().get(&format!("/api/v1/logs/election-{id}/record")).await;
    assert_eq!(r.status, S::PERMANENT_REDIRECT);
    assert_eq!(r.location(), format!("/api/v1/elections/{id}/record"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(huanjie::web::serve(app.router.clone(), listener));
    for url in [format!("{base}/api/v1/elections/{id}/record"), format!("{base}/api/v1/logs/election-{id}/record")] {
        let (code, text) = huanjie_verify(vec![
            url.clone(),
            "--log-key".into(),
            app.state.log.verifier_key(),
            "--witness".into(),
            app.witness.key.clone(),
        ])
        .await;
        assert_eq!(code, Some(0), "{url}: {text}");
        assert!(text.contains("recounted 1 round(s)") && text.contains("witnessed: latest checkpoint"), "{text}");
    }
}

/// The count waits for a witnessed close: with the witness down the count is refused with a
/// sentence in the user's language, and nothing is counted; once the witness is back, it goes.
async fn the_count_waits_for_the_close_to_be_witnessed(mut app: TestApp) {
    let mut p = ready(&app, "hw").await;
    let id = p.id;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/open")).await;
    assert_eq!(st, S::OK, "{b}");
    let url = app.witness.url.clone();
    app.witness.stop();
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    assert_eq!(st, S::OK, "{b}");
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::FORBIDDEN, "{b}");
    assert!(b["message"].as_str().unwrap().contains("见证方会签"), "{b}");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM counts WHERE election_id = {id}")).await, 0);
    p.committee.lang = "en";
    let (_, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert!(b["message"].as_str().unwrap().contains("No witness has cosigned"), "{b}");
    app.witness.restart(&url).await;
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{b}");
}
both!(the_count_waits_for_the_close_to_be_witnessed);
