//! Issue 15 items 5, 6 and 7, on both databases: the box keeps marks in list order whatever the
//! voter clicked, on every channel; after the close neither the box nor the participation roll
//! keeps the order of casting, down to the database file's pages; the public count screen calls
//! the electronic ballots as one box, never per station or booth.

use axum::http::StatusCode as S;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::TestApp;
use crate::polling::{MOBILE, Polling, STATION, booth_cast, cast, ready};

fn check_in(resident: i64, channel: &str, station: &str) -> Value {
    json!({"resident_id": resident, "channel": channel, "station": station})
}

async fn open(p: &mut Polling) {
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{}/polls/open", p.id)).await;
    assert_eq!(st, S::OK, "{b}");
}

async fn close(p: &mut Polling) {
    let (st, b) = p.committee.api_post_empty(&format!("/api/v1/elections/{}/polls/close", p.id)).await;
    assert_eq!(st, S::OK, "{b}");
}

/// A booth at the station, unlocked for `voter` by the clerk; returns its token.
async fn booth_for(p: &mut Polling, name: &str, voter: i64) -> String {
    let id = p.id;
    let (st, booth) =
        p.clerk.api_post(&format!("/api/v1/elections/{id}/booths"), &json!({"station": STATION, "name": name})).await;
    assert_eq!(st, S::OK, "{booth}");
    let mut unlock = check_in(voter, "booth", STATION);
    unlock["booth_id"] = booth["id"].clone();
    let (st, b) = p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &unlock).await;
    assert_eq!(st, S::OK, "{b}");
    booth["token"].as_str().unwrap().to_string()
}

/// Paper ballots entered twice (two clerks) and the station's box accepted.
async fn enter_paper(p: &mut Polling, station: &str, ballots: &[Value]) {
    enter_twice(p, station, ballots).await;
    let id = p.id;
    let (st, r) = p
        .committee
        .api_post(&format!("/api/v1/elections/{id}/paper/accept"), &json!({"station": station, "spoiled": 0}))
        .await;
    assert_eq!(st, S::OK, "{r}");
}

/// Paper ballots entered twice (two clerks), not yet accepted: a mobile box is accepted with
/// its station's box (issue 15 item 2).
async fn enter_twice(p: &mut Polling, station: &str, ballots: &[Value]) {
    let id = p.id;
    let path = format!("/api/v1/elections/{id}/paper/entries");
    for (pass, clerk) in [(1, &mut p.clerk), (2, &mut p.clerk2)] {
        for b in ballots {
            let mut e = b.clone();
            e["station"] = json!(station);
            e["pass"] = json!(pass);
            let (st, r) = clerk.api_post(&path, &e).await;
            assert_eq!(st, S::OK, "{r}");
        }
    }
}

async fn contents(app: &TestApp, id: i64) -> Vec<Value> {
    let rows: Vec<String> = match app.store() {
        huanjie::store::Store::Sqlite(pool) => {
            sqlx::query_scalar("SELECT content FROM ballots WHERE election_id = $1").bind(id).fetch_all(pool).await
        }
        huanjie::store::Store::Postgres(pool) => {
            sqlx::query_scalar("SELECT content FROM ballots WHERE election_id = $1").bind(id).fetch_all(pool).await
        }
    }
    .unwrap();
    rows.iter().map(|c| serde_json::from_str(c).unwrap()).collect()
}

/// LAW.md §6 (N?) secret ballot, issue 15 item 5: marks ticked in reverse list order (and
/// write-ins in reverse) are stored and published in list order on the remote, booth, proxy and
/// paper channels alike; the stored ballot row has no column naming a voter.
async fn marks_are_stored_in_list_order_on_every_channel_issue_15_item_5(app: TestApp) {
    let mut p = ready(&app, "cano").await;
    let id = p.id;
    open(&mut p).await;
    let m = p.cands["member"].clone();
    let reversed = json!({"chair": [p.cands["chair"][1]], "member": [m[3], m[1], m[0]]});
    let want = vec![m[0].clone(), m[1].clone(), m[3].clone()];
    let (st, b) = cast(&app, id, &p.codes[&p.voters[0]], &reversed).await;
    assert_eq!(st, S::CREATED, "{b}");
    let v1 = p.voters[1];
    let token = booth_for(&mut p, "1号写票间", v1).await;
    let (st, b) = booth_cast(&app, &token, &reversed).await;
    assert_eq!(st, S::CREATED, "{b}");
    let mut by_proxy = reversed.clone();
    by_proxy["for"] = json!(p.voters[21]);
    let (st, b) = cast(&app, id, &p.codes[&p.voters[22]], &by_proxy).await;
    assert_eq!(st, S::CREATED, "{b}");
    // Two write-ins, the later name first; both are voters of this election.
    let (st, b) = cast(&app, id, &p.codes[&p.voters[2]], &json!({"write_ins": {"member": ["赵三", "丁二"]}})).await;
    assert_eq!(st, S::CREATED, "{b}");
    for v in [p.voters[3], p.voters[4]] {
        let (st, b) =
            p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(v, "paper", STATION)).await;
        assert_eq!(st, S::OK, "{b}");
    }
    let (st, b) = p
        .clerk
        .api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(p.voters[5], "mobile_box", MOBILE))
        .await;
    assert_eq!(st, S::OK, "{b}");
    close(&mut p).await;
    enter_twice(&mut p, MOBILE, std::slice::from_ref(&reversed)).await;
    enter_paper(&mut p, STATION, &[reversed.clone(), json!({"member": [m[2], m[0]]})]).await;

    let stored = contents(&app, id).await;
    assert_eq!(stored.len(), 7);
    let ids = |v: &Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect()).unwrap_or_default()
    };
    let full: Vec<&Value> = stored.iter().filter(|b| ids(&b["member"]).len() == 3).collect();
    assert_eq!(full.len(), 5, "remote, booth, proxy, paper and the mobile box: {stored:?}");
    for b in &full {
        assert_eq!(ids(&b["member"]), want, "stored in list order: {b}");
    }
    assert!(stored.iter().any(|b| ids(&b["member"]) == vec![m[0].clone(), m[2].clone()]), "{stored:?}");
    // The write-ins are in resident order (丁二 was registered before 赵三), not as typed.
    let written = stored.iter().find(|b| b.get("write_ins").is_some()).unwrap();
    let w = ids(&written["write_ins"]["member"]);
    assert_eq!(w.len(), 2, "{written}");
    let n = |s: &str| s.trim_start_matches('r').parse::<i64>().unwrap();
    assert!(n(&w[0]) < n(&w[1]), "{written}");
    // Nothing in a ballot row names a voter: its columns are the round, a random id, the
    // station, the paper entry number and the marks.
    let cols: Vec<String> = match app.store() {
        huanjie::store::Store::Sqlite(pool) => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info('ballots') ORDER BY name").fetch_all(pool).await
        }
        huanjie::store::Store::Postgres(pool) => {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'ballots' ORDER BY 1",
            )
            .fetch_all(pool)
            .await
        }
    }
    .unwrap();
    assert_eq!(cols, ["content", "election_id", "entry_no", "id", "round_no", "station"]);
    // The published box reads the same marks in the same order.
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    let counts = huanjie::store::counting::counts(app.store(), id).await.unwrap();
    let bx: Value = serde_json::from_str(&counts[0].box_json).unwrap();
    let published: Vec<&Value> =
        bx["ballots"].as_array().unwrap().iter().filter(|b| ids(&b["member"]).len() == 3).collect();
    assert_eq!(published.len(), 5);
    assert!(published.iter().all(|b| ids(&b["member"]) == want), "{bx}");
}
both!(marks_are_stored_in_list_order_on_every_channel_issue_15_item_5);

// ---- the order of casting (issue 15 item 6, item 8's last sentence) ----

/// One entry of an index b-tree as it lies in the file: its page, the offset of its cell in
/// the page, whether the page is a leaf, and the record's values.
#[derive(Debug, Clone)]
struct Cell {
    page: u32,
    offset: usize,
    leaf: bool,
    values: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Null,
    Int(i64),
    Blob(Vec<u8>),
    Text(String),
}

fn varint(b: &[u8]) -> (u64, usize) {
    let mut v: u64 = 0;
    for (i, &x) in b.iter().enumerate().take(9) {
        if i == 8 {
            return ((v << 8) | u64::from(x), 9);
        }
        v = (v << 7) | u64::from(x & 0x7f);
        if x & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    (v, b.len())
}

fn record(payload: &[u8]) -> Vec<Field> {
    let (hlen, mut at) = varint(payload);
    let mut types = Vec::new();
    while at < hlen as usize {
        let (t, n) = varint(&payload[at..]);
        types.push(t);
        at += n;
    }
    let mut body = hlen as usize;
    let mut out = Vec::new();
    for t in types {
        let int = |len: usize, b: &[u8]| -> i64 {
            let mut v: i64 = if b[0] & 0x80 != 0 { -1 } else { 0 };
            for &x in &b[..len] {
                v = (v << 8) | i64::from(x);
            }
            v
        };
        let (f, len) = match t {
            0 => (Field::Null, 0),
            1..=4 => (Field::Int(int(t as usize, &payload[body..])), t as usize),
            5 => (Field::Int(int(6, &payload[body..])), 6),
            6 => (Field::Int(int(8, &payload[body..])), 8),
            8 => (Field::Int(0), 0),
            9 => (Field::Int(1), 0),
            n if n >= 12 && n % 2 == 0 => {
                let len = ((n - 12) / 2) as usize;
                (Field::Blob(payload[body..body + len].to_vec()), len)
            }
            n if n >= 13 => {
                let len = ((n - 13) / 2) as usize;
                (Field::Text(String::from_utf8_lossy(&payload[body..body + len]).into_owned()), len)
            }
            other => panic!("serial type {other} not expected in these tables"),
        };
        out.push(f);
        body += len;
    }
    out
}

/// Every entry of the index b-tree rooted at `root` (a WITHOUT ROWID table is one), in key
/// order (interior cells of an index b-tree hold entries too).
fn index_cells(db: &[u8], page_size: usize, root: u32) -> Vec<Cell> {
    let page = &db[(root as usize - 1) * page_size..root as usize * page_size];
    let h = if root == 1 { 100 } else { 0 };
    let kind = page[h];
    assert!(kind == 0x02 || kind == 0x0a, "page {root} is not an index b-tree page ({kind:#x})");
    let leaf = kind == 0x0a;
    let n = u16::from_be_bytes([page[h + 3], page[h + 4]]) as usize;
    let ptrs = h + if leaf { 8 } else { 12 };
    let mut out = Vec::new();
    for i in 0..n {
        let off = u16::from_be_bytes([page[ptrs + 2 * i], page[ptrs + 2 * i + 1]]) as usize;
        let mut at = off;
        if !leaf {
            let child = u32::from_be_bytes(page[at..at + 4].try_into().unwrap());
            out.extend(index_cells(db, page_size, child));
            at += 4;
        }
        let (len, k) = varint(&page[at..]);
        let start = at + k;
        let payload = &page[start..start + len as usize];
        out.push(Cell { page: root, offset: off, leaf, values: record(payload) });
    }
    if !leaf {
        let right = u32::from_be_bytes(page[h + 8..h + 12].try_into().unwrap());
        out.extend(index_cells(db, page_size, right));
    }
    out
}

/// The physical order of a leaf page is the order its cells were written in: SQLite fills a
/// page from its end down. The cells of one leaf page, in key order, lie at falling offsets
/// exactly when they were written in key order.
fn leaves_in_key_order(cells: &[Cell]) -> bool {
    cells.windows(2).all(|w| !(w[0].leaf && w[1].leaf && w[0].page == w[1].page) || w[1].offset < w[0].offset)
}

async fn sqlite_file_after_close(app: &TestApp, id: i64, cast_order: &[i64]) {
    let huanjie::store::Store::Sqlite(pool) = app.store() else { unreachable!() };
    let path: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'").fetch_one(pool).await.unwrap();
    let roots: Vec<(String, i64)> = sqlx::query_as(
        "SELECT name, rootpage FROM sqlite_master WHERE name IN ('ballots', 'participation', 'participation_station')",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    // The file as an insider would copy it (no connection of the app is asked anything more).
    let db = std::fs::read(&path).unwrap();
    let wal = std::fs::metadata(format!("{path}-wal")).map(|m| m.len()).unwrap_or(0);
    let page_size = match u16::from_be_bytes([db[16], db[17]]) {
        1 => 65536,
        n => n as usize,
    };
    let freelist = u32::from_be_bytes(db[36..40].try_into().unwrap());
    assert_eq!(db.len() % page_size, 0);
    for (name, root) in &roots {
        let cells: Vec<Cell> = index_cells(&db, page_size, *root as u32)
            .into_iter()
            .filter(|c| c.values.first() == Some(&Field::Int(id)))
            .collect();
        assert!(!cells.is_empty(), "{name}");
        assert!(leaves_in_key_order(&cells), "{name}: the cells lie in the order they were cast: {cells:?}");
        if name == "participation" {
            let residents: Vec<i64> = cells
                .iter()
                .map(|c| match c.values[2] {
                    Field::Int(r) => r,
                    _ => panic!(),
                })
                .collect();
            let mut sorted = cast_order.to_vec();
            sorted.sort_unstable();
            assert_eq!(residents, sorted, "the roll lies in resident order");
            assert_ne!(residents, cast_order, "(the test casts in an order that is not resident order)");
        }
        if name == "ballots" {
            let ids: Vec<Field> = cells.iter().map(|c| c.values[2].clone()).collect();
            let mut sorted = ids.clone();
            sorted.sort();
            assert_eq!(ids, sorted, "the box lies in ballot-id order");
            assert_eq!(ids.len(), cast_order.len());
        }
    }
    assert_eq!(freelist, 0, "no old page survives on the freelist");
    assert_eq!(wal, 0, "the WAL, which held the pages as written during polling, is truncated");
}

async fn postgres_rows_after_close(app: &TestApp, id: i64, cast_order: &[i64]) {
    let huanjie::store::Store::Postgres(pool) = app.store() else { unreachable!() };
    let physical: Vec<Vec<u8>> = sqlx::query_scalar("SELECT id FROM ballots WHERE election_id = $1 ORDER BY ctid")
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap();
    let mut sorted = physical.clone();
    sorted.sort();
    assert_eq!(physical, sorted, "the box lies in ballot-id order");
    assert_eq!(physical.len(), cast_order.len());
    let roll: Vec<i64> =
        sqlx::query_scalar("SELECT resident_id FROM participation WHERE election_id = $1 ORDER BY ctid")
            .bind(id)
            .fetch_all(pool)
            .await
            .unwrap();
    let mut sorted = cast_order.to_vec();
    sorted.sort_unstable();
    assert_eq!(roll, sorted, "the roll lies in resident order");
    // One transaction wrote every row of both: xmin no longer pairs a roll row with a ballot.
    let xmins: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT x) FROM (SELECT xmin::text AS x FROM ballots WHERE election_id = $1 \
         UNION ALL SELECT xmin::text FROM participation WHERE election_id = $1) t",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(xmins, 1);
}

/// What an insider reads from the database in physical order: the roll's residents and the
/// first member mark of each ballot. SQLite: the file's cells of this election by page, then
/// by falling offset (the order SQLite wrote them in); PostgreSQL: rows by ctid.
async fn physical_order(app: &TestApp, id: i64) -> (Vec<i64>, Vec<String>) {
    match app.store() {
        huanjie::store::Store::Sqlite(pool) => {
            let path: String = sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(pool)
                .await
                .unwrap();
            let roots: Vec<(String, i64)> =
                sqlx::query_as("SELECT name, rootpage FROM sqlite_master WHERE name IN ('ballots', 'participation')")
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let db = std::fs::read(&path).unwrap();
            let page_size = u16::from_be_bytes([db[16], db[17]]) as usize;
            let mut roll = Vec::new();
            let mut marks = Vec::new();
            for (name, root) in roots {
                let mut cells: Vec<Cell> = index_cells(&db, page_size, root as u32)
                    .into_iter()
                    .filter(|c| c.values.first() == Some(&Field::Int(id)))
                    .collect();
                cells.sort_by_key(|c| (c.page, std::cmp::Reverse(c.offset)));
                for c in cells {
                    match (name.as_str(), &c.values[2], &c.values[5]) {
                        ("participation", Field::Int(r), _) => roll.push(*r),
                        ("ballots", _, Field::Text(t)) => {
                            let b: Value = serde_json::from_str(t).unwrap();
                            marks.push(b["member"][0].as_str().unwrap_or("").to_string());
                        }
                        other => panic!("{other:?}"),
                    }
                }
            }
            (roll, marks)
        }
        huanjie::store::Store::Postgres(pool) => {
            let roll = sqlx::query_scalar("SELECT resident_id FROM participation WHERE election_id = $1 ORDER BY ctid")
                .bind(id)
                .fetch_all(pool)
                .await
                .unwrap();
            let contents: Vec<String> =
                sqlx::query_scalar("SELECT content FROM ballots WHERE election_id = $1 ORDER BY ctid")
                    .bind(id)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let marks = contents
                .iter()
                .map(|t| serde_json::from_str::<Value>(t).unwrap()["member"][0].as_str().unwrap_or("").to_string())
                .collect();
            (roll, marks)
        }
    }
}

/// Issue 15 item 6 (DESIGN.md ballot secrecy): sixteen voters cast in an order that is not
/// their resident order, each ballot's marks telling its place in the casting order (voter k
/// picks member candidate k mod 4). After the close the database holds no trace of that order:
/// SQLite's file has no free page, an empty WAL, and the cells of the box, the roll and the
/// roll's index lie in key order; PostgreSQL's rows lie in key order (ctid) and share one xmin.
/// The tables stay append-only outside the rewrite.
async fn after_the_close_the_database_forgets_the_order_of_casting_issue_15_item_6(app: TestApp) {
    let mut p = ready(&app, "forget").await;
    let id = p.id;
    open(&mut p).await;
    let m = p.cands["member"].clone();
    let order: Vec<i64> = (0..16).map(|k| p.voters[(k * 7) % 16]).collect();
    for (k, v) in order.iter().enumerate() {
        let (st, b) = cast(&app, id, &p.codes[v], &json!({"member": [m[k % 4]]})).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    let cast_marks: Vec<String> = (0..16).map(|k| m[k % 4].clone()).collect();
    // While the polls are open the physical order is the casting order (the issue's attack:
    // the k-th roll row and the k-th ballot are one voter's). The test reads it to show that
    // its reader sees that order when it is there (README threat model: a copy taken while the
    // polls are open keeps it).
    if let huanjie::store::Store::Sqlite(pool) = app.store() {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.unwrap();
    }
    let (roll, marks) = physical_order(&app, id).await;
    assert_eq!((&roll, &marks), (&order, &cast_marks), "during polling: the order of casting");
    close(&mut p).await;
    let (roll, marks) = physical_order(&app, id).await;
    assert_ne!(roll, order, "after the close the roll's physical order is not the casting order");
    assert_ne!(marks, cast_marks, "after the close the box's physical order is not the casting order");
    match app.store() {
        huanjie::store::Store::Sqlite(_) => sqlite_file_after_close(&app, id, &order).await,
        huanjie::store::Store::Postgres(_) => postgres_rows_after_close(&app, id, &order).await,
    }
    // Same rows as cast: sixteen ballots, four per candidate, sixteen on the roll.
    let stored = contents(&app, id).await;
    for c in &m {
        assert_eq!(stored.iter().filter(|b| b["member"][0] == json!(c)).count(), 4);
    }
    let roll = app.count(&format!("SELECT COUNT(*) FROM participation WHERE election_id = {id}")).await;
    assert_eq!(roll, 16);
    // The rewrite's door is shut again: the box and the roll refuse deletes and changes.
    for sql in [
        format!("DELETE FROM ballots WHERE election_id = {id}"),
        format!("DELETE FROM participation WHERE election_id = {id}"),
        format!("UPDATE ballots SET content = '{{}}' WHERE election_id = {id}"),
    ] {
        let refused = match app.store() {
            huanjie::store::Store::Sqlite(pool) => sqlx::query(&sql).execute(pool).await.is_err(),
            huanjie::store::Store::Postgres(pool) => sqlx::query(&sql).execute(pool).await.is_err(),
        };
        assert!(refused, "{sql}");
    }
    // And a round still open may not be named for a rewrite.
    let insert = "INSERT INTO box_rewrites (election_id, round_no) VALUES ($1, 99)";
    let refused = match app.store() {
        huanjie::store::Store::Sqlite(pool) => sqlx::query(insert).bind(id).execute(pool).await.is_err(),
        huanjie::store::Store::Postgres(pool) => sqlx::query(insert).bind(id).execute(pool).await.is_err(),
    };
    assert!(refused);
    assert_eq!(app.count("SELECT COUNT(*) FROM box_rewrites").await, 0);
    // The count reads every ballot.
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!(r["ballots_cast"], json!(16), "{r}");
}
both!(after_the_close_the_database_forgets_the_order_of_casting_issue_15_item_6);

/// Issue 15 item 7: with one booth voter at a station, the public count screen does not show
/// that station's electronic ballot: booth and remote ballots are called as one electronic box
/// in published order; only the paper ballots name their station's box.
async fn the_public_count_calls_booth_and_remote_ballots_as_one_electronic_box_issue_15_item_7(app: TestApp) {
    let mut p = ready(&app, "ebox").await;
    let id = p.id;
    open(&mut p).await;
    let m = p.cands["member"].clone();
    let v0 = p.voters[0];
    let token = booth_for(&mut p, "1号写票间", v0).await;
    let (st, b) = booth_cast(&app, &token, &json!({"member": [m[0]]})).await;
    assert_eq!(st, S::CREATED, "{b}");
    for v in &p.voters[1..5] {
        let (st, b) = cast(&app, id, &p.codes[v], &json!({"member": [m[1]]})).await;
        assert_eq!(st, S::CREATED, "{b}");
    }
    let (st, b) =
        p.clerk.api_post(&format!("/api/v1/elections/{id}/checkin"), &check_in(p.voters[5], "paper", STATION)).await;
    assert_eq!(st, S::OK, "{b}");
    close(&mut p).await;
    enter_paper(&mut p, STATION, &[json!({"member": [m[2]]})]).await;
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    let electronic = huanjie::i18n::text(huanjie::i18n::Lang::Zh, "count.electronic_box");
    let mut booth_ballot_seen = false;
    for k in 1..=6 {
        let html = app.client().get(&format!("/public/elections/{id}/count?k={k}")).await.text();
        let (_, v) = app.client().api_get(&format!("/api/v1/public/elections/{id}/count?k={k}")).await;
        if k == 1 {
            // The paper box of the station is called first, under its station's name.
            assert!(html.contains(&format!("· {STATION}<")), "{html}");
            assert_eq!(v["current_station"], json!(STATION), "{v}");
            continue;
        }
        assert!(!html.contains(STATION), "ballot {k} names the station: {html}");
        assert!(html.contains(&format!("· {electronic}<")), "{html}");
        assert_eq!(v["current_station"], json!("electronic"), "{v}");
        booth_ballot_seen |= v["current"]["member"] == json!([m[0]]);
    }
    assert!(booth_ballot_seen, "the booth ballot is called, in the electronic box");
}
both!(the_public_count_calls_booth_and_remote_ballots_as_one_electronic_box_issue_15_item_7);

/// Issue 14 item 4: a stored count result is parsed once, in the store; one that does not
/// parse is an error naming the table and the round, never an empty result.
async fn a_stored_count_result_that_does_not_parse_is_a_corrupt_row_issue_14_item_4(app: TestApp) {
    let mut p = ready(&app, "corr").await;
    let id = p.id;
    open(&mut p).await;
    let (st, b) = cast(&app, id, &p.codes[&p.voters[0]], &json!({})).await;
    assert_eq!(st, S::CREATED, "{b}");
    close(&mut p).await;
    let (st, r) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    assert_eq!(st, S::OK, "{r}");
    let rows = huanjie::store::counting::counts(app.store(), id).await.unwrap();
    // The store reads the result as the law engine's typed result, which prints the stored bytes.
    assert!(matches!(rows[0].count, huanjie::law::recount::Recount::Election(_)));
    assert_eq!(rows[0].count.to_published().unwrap(), rows[0].result);
    // An insider edits the stored result behind the application's back.
    match app.store() {
        huanjie::store::Store::Sqlite(_) => app.exec("DROP TRIGGER counts_no_update").await,
        huanjie::store::Store::Postgres(_) => app.exec("ALTER TABLE counts DISABLE TRIGGER counts_no_change").await,
    }
    app.exec(&format!("UPDATE counts SET result = '{{\"valid\": tru' WHERE election_id = {id}")).await;
    let err = huanjie::store::counting::counts(app.store(), id).await.unwrap_err();
    assert!(
        matches!(&err, huanjie::store::StoreError::CorruptRow { table: "counts", id: e, what } if *e == id && what.contains("result")),
        "{err}"
    );
}
both!(a_stored_count_result_that_does_not_parse_is_a_corrupt_row_issue_14_item_4);
