//! `huanjie bench` (issue 8): election-day load against the physical limit.
//!
//! `cast` seeds a fresh database with an election of N voters whose polls are open, starts the
//! real server as a child process (`huanjie serve`) on it, drives the real HTTP cast API over
//! loopback with C concurrent clients for a fixed time (or at an offered rate), reports casts/s
//! and latency percentiles, checks that every acknowledged cast is in the box and on the roll,
//! reads the server's peak RSS, and measures the physical baseline: the fastest durable insert
//! of the same ballot rows into the same database (batched, no HTTP, no logic).
//! `signin` compares voting-code sign-ins (HMAC + index) with argon2id staff logins.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::audit::Actor;
use crate::domain::ballot::{BallotPaper, CandidateLine, PostSheet};
use crate::law::Post;
use crate::service::registry;
use crate::store::{Store, Tx, now_ms};

/// An election with open polls and its voters' codes.
pub struct Seeded {
    pub election_id: i64,
    pub codes: Vec<String>,
    pub resident_ids: Vec<i64>,
    pub ballot: String,
}

async fn exec(tx: &mut Tx, sql: &str, args: &[i64], texts: &[&str]) -> Result<(), String> {
    crate::store::on_conn!(tx tx, |c| {
        let mut q = sqlx::query(sql);
        for a in args {
            q = q.bind(*a);
        }
        for t in texts {
            q = q.bind(*t);
        }
        q.execute(c).await.map_err(|e| e.to_string())?;
    });
    Ok(())
}

/// Seeds `voters` registered voters with voting codes (hashed with `key`) into an election of a
/// new community whose first round is open for remote casting. A benchmark and crash-test
/// fixture: rows are written directly (the registration path has its own benchmark).
pub async fn seed_polling(store: &Store, key: &[u8], voters: usize, code: &str) -> Result<Seeded, String> {
    let sys = Actor::system("bench");
    let street = registry::create_street_office(store, &sys, &format!("{code}-s"), "压力测试街道")
        .await
        .map_err(|e| e.to_string())?;
    let community =
        registry::create_community_as(store, &sys, street, code, "压力测试社区").await.map_err(|e| e.to_string())?;
    let mut profile = crate::law::RuleProfile::national();
    profile.voting.remote_channel_allowed = true;
    profile.voting.remote_legal_basis = "benchmark".into();
    let profile_json = serde_json::to_string(&profile).map_err(|e| e.to_string())?;
    let day = crate::clock::real_today().to_string();
    let row = crate::store::elections::PlanRow {
        method: "direct",
        seats: (1, 1, 3),
        profile_json: &profile_json,
        election_day: &day,
        channels: "remote",
        remote_legal_basis: "benchmark",
        stations_json: "[]",
    };
    let line = |i: usize| CandidateLine {
        id: format!("n{i}"),
        resident_id: 0,
        name: format!("候选人{i}"),
        gender: "female".into(),
    };
    let paper = BallotPaper {
        round_no: 1,
        kind: "first".into(),
        posts: vec![
            PostSheet { post: Post::Chair, seats: 1, candidates: vec![line(1), line(2)] },
            PostSheet { post: Post::ViceChair, seats: 1, candidates: vec![line(3), line(4)] },
            PostSheet { post: Post::Member, seats: 3, candidates: (5..10).map(line).collect() },
        ],
        write_ins: true,
    };
    let paper_json = serde_json::to_string(&paper).map_err(|e| e.to_string())?;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let id = crate::store::elections::insert(&mut tx, community, "2026", "regular", &row, now_ms())
        .await
        .map_err(|e| e.to_string())?;
    exec(&mut tx, "UPDATE elections SET stage = 'polling' WHERE id = $1", &[id], &[]).await?;
    crate::store::polling::insert_poll(
        &mut tx,
        id,
        crate::domain::Round::FIRST_ELECTION,
        "first",
        &paper_json,
        now_ms(),
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;

    let mut codes = Vec::with_capacity(voters);
    let mut resident_ids = Vec::with_capacity(voters);
    let base: i64 = match store {
        Store::Sqlite(p) => sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM residents").fetch_one(p).await,
        Store::Postgres(p) => {
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0)::BIGINT FROM residents").fetch_one(p).await
        }
    }
    .map_err(|e| e.to_string())?;
    let now = now_ms();
    // Large batches on PostgreSQL; small statements on SQLite (its named-parameter lookup).
    let per = if matches!(store, Store::Sqlite(_)) { 8 } else { 400 };
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    for chunk_start in (0..voters).step_by(per) {
        let n = per.min(voters - chunk_start);
        let mut r_sql = String::from(
            "INSERT INTO residents (id, community_id, name, gender, ethnicity, birth_date, id_number, hukou_here, months_resident, \
             community_worker, worker_months, political_rights, household_head, phone, version, created_ms, updated_ms) VALUES ",
        );
        let mut v_sql = String::from(
            "INSERT INTO voters (election_id, resident_id, category, status, code_hash, code_issued_ms, registered_ms) VALUES ",
        );
        let mut hashes = Vec::with_capacity(n);
        for k in 0..n {
            let i = chunk_start + k;
            let rid = base + 1 + i as i64;
            if k > 0 {
                r_sql.push(',');
                v_sql.push(',');
            }
            // Values are generated here (digits only), not user input.
            r_sql.push_str(&format!(
                "({rid}, {community}, '选民{i}', 'male', '汉族', '1980-01-01', 'B{i:017}', TRUE, 100, FALSE, 0, 'full', FALSE, '', 1, {now}, {now})"
            ));
            v_sql.push_str(&format!("({id}, {rid}, 'hukou', 'registered', ${}, {now}, {now})", k + 1));
            let code = crate::service::voters::new_code();
            hashes.push(crate::service::voters::code_hash(key, &code));
            codes.push(code);
            resident_ids.push(rid);
        }
        exec(&mut tx, &r_sql, &[], &[]).await?;
        crate::store::on_conn!(tx &mut tx, |c| {
            let mut q = sqlx::query(&v_sql);
            for h in &hashes {
                q = q.bind(h.as_slice());
            }
            q.execute(c).await.map_err(|e| e.to_string())?;
        });
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    let ballot = json!({"chair": ["n1"], "vice_chair": ["n3"], "member": ["n5", "n6", "n7"]}).to_string();
    Ok(Seeded { election_id: id, codes, resident_ids, ballot })
}

/// The server under test, as a child process of its own (killed when dropped).
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts `huanjie serve` from `exe` on `database_url` with the secrets in `data_dir`.
    pub async fn start(exe: &Path, database_url: &str, data_dir: &Path, port: u16) -> Result<ServerProcess, String> {
        ServerProcess::start_with(exe, database_url, data_dir, port, &[]).await
    }

    /// [`ServerProcess::start`] with extra environment (e.g. `HUANJIE_WITNESS_KEYS`/`_URLS`).
    pub async fn start_with(
        exe: &Path,
        database_url: &str,
        data_dir: &Path,
        port: u16,
        env: &[(&str, &str)],
    ) -> Result<ServerProcess, String> {
        let child = std::process::Command::new(exe)
            .args(["serve", "--database-url", database_url, "--bind", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
            .envs(env.iter().copied())
            .env("HUANJIE_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        let base = format!("http://127.0.0.1:{port}");
        // Waits for the child to listen (up to 30 s): start-up, not a timing assertion.
        for _ in 0..600 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Ok(ServerProcess { child, base });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("the server did not start listening".into())
    }

    /// CPU seconds (user + system) the server used so far.
    pub fn cpu_seconds(&self) -> Option<f64> {
        cpu_of(&format!("/proc/{}/stat", self.child.id()))
    }

    /// Peak resident set size (VmHWM) of the server, in MiB.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: f64 = s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }
}

/// utime + stime of a /proc stat file, in seconds (assumes the usual 100 ticks per second).
fn cpu_of(path: &str) -> Option<f64> {
    let s = std::fs::read_to_string(path).ok()?;
    let rest = s.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

pub fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// A fresh database: a new SQLite file in `dir`, or a new database on the PostgreSQL server of
/// `pg_admin_url`.
pub async fn fresh_database(dir: &Path, pg_admin_url: Option<&str>) -> Result<String, String> {
    match pg_admin_url {
        None => Ok(format!("sqlite://{}", dir.join("bench.db").display())),
        Some(url) => {
            let name = format!("huanjie_bench_{}", hex::encode(rand::random::<[u8; 4]>()));
            let admin = sqlx::PgPool::connect(url).await.map_err(|e| e.to_string())?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.map_err(|e| e.to_string())?;
            admin.close().await;
            let cut = url.rfind('/').filter(|i| *i > url.find("://").map(|j| j + 2).unwrap_or(0)).unwrap_or(url.len());
            Ok(format!("{}/{name}", &url[..cut]))
        }
    }
}

pub struct CastOptions {
    pub voters: usize,
    pub clients: usize,
    pub seconds: u64,
    /// Offered casts per second in all (None: as fast as the clients go).
    pub rate: Option<u64>,
    pub pg_admin_url: Option<String>,
    /// Issue 18: cast encrypted ballots (a finished key ceremony and a credential list are
    /// seeded; every client's ballot is encrypted and signed before the timed part).
    pub e2e: bool,
}

/// Seeds a done key ceremony of three trustees (k = 2) made with the trustee tool's own steps,
/// and each code's credential on the list, then encrypts one ballot per code. Returns the
/// request bodies, by code.
async fn seed_e2e(store: &Store, seeded: &Seeded) -> Result<Vec<String>, String> {
    use crate::domain::ceremony::{CeremonyBoard, TrusteeBoard, ceremony_id};
    let log_name = std::env::var("HUANJIE_LOG_NAME").unwrap_or_else(|_| "huanjie.localhost".into());
    let id = seeded.election_id;
    let e = |x: crate::store::StoreError| x.to_string();
    let mut rng = rand::rng();
    let mut board = CeremonyBoard {
        election_id: id,
        number: 1,
        ceremony: ceremony_id(&log_name, id, 1),
        n: 3,
        k: 2,
        status: "keys".into(),
        trustees: (1..=3)
            .map(|t| TrusteeBoard {
                trustee: t,
                name: format!("受托人{t}"),
                key: None,
                dealing: None,
                checked: false,
                withdrawn: None,
            })
            .collect(),
        complaints: vec![],
        qualified: vec![],
        election_key: None,
        verification_keys: vec![],
        fingerprint: None,
    };
    let mut states = Vec::new();
    for t in 1..=3u32 {
        let (st, key) = crate::trustee::key_step(&mut rng, &board, t);
        board.trustees[t as usize - 1].key = Some(key);
        states.push(st);
    }
    board.status = "dealing".into();
    for (i, st) in states.iter_mut().enumerate() {
        board.trustees[i].dealing = Some(crate::trustee::deal_step(&mut rng, &board, st).map_err(|x| x.to_string())?);
    }
    let mut tx = store.begin().await.map_err(e)?;
    crate::store::ceremony::insert(&mut tx, id, 1, 3, 2, now_ms()).await.map_err(e)?;
    for (i, t) in board.trustees.iter().enumerate() {
        let token = hex::encode(rand::random::<[u8; 16]>());
        crate::store::ceremony::insert_trustee(&mut tx, id, 1, t.trustee, seeded.resident_ids[i], &token)
            .await
            .map_err(e)?;
        if let (Some(k), Some(d)) = (&t.key, &t.dealing) {
            crate::store::ceremony::set_key(&mut tx, id, 1, t.trustee, k).await.map_err(e)?;
            crate::store::ceremony::set_dealing(&mut tx, id, 1, t.trustee, d).await.map_err(e)?;
        }
        crate::store::ceremony::set_checked(&mut tx, id, 1, t.trustee).await.map_err(e)?;
    }
    let dealings: Vec<huanjie_crypto::dkg::Dealing> =
        board.trustees.iter().filter_map(|t| t.dealing.as_ref().and_then(|d| d.parse(t.trustee).ok())).collect();
    let t = huanjie_crypto::dkg::Threshold::new(3, 2).map_err(|x| x.to_string())?;
    let key = huanjie_crypto::dkg::election_key(t, &dealings.iter().collect::<Vec<_>>()).map_err(|x| x.to_string())?;
    let key_hex = crate::domain::ceremony::point_hex(&key.key);
    crate::store::ceremony::set_status(&mut tx, id, 1, "keys", "done", Some(&key_hex)).await.map_err(e)?;
    let now = now_ms();
    let creds: Vec<huanjie_crypto::credential::Credential> =
        seeded.codes.iter().map(|c| crate::service::credentials::derive(&log_name, id, c)).collect();
    for (c, r) in creds.iter().zip(&seeded.resident_ids) {
        crate::store::e2e_credentials::add(&mut tx, id, &hex::encode(c.public()), "server", Some(*r), now)
            .await
            .map_err(e)?;
    }
    tx.commit().await.map_err(e)?;
    let paper = crate::store::polling::latest_poll(store, id).await.map_err(e)?.ok_or("no poll")?.paper;
    let round = crate::service::e2e::round(store, &log_name, id, &paper)
        .await
        .map_err(|x| x.to_string())?
        .ok_or("the seeded ceremony is not done")?;
    let mut bodies = Vec::with_capacity(creds.len());
    let mut choices: Vec<huanjie_crypto::ballot::PostChoice> =
        round.shape.posts.iter().map(|_| Default::default()).collect();
    choices[0].marks = vec![0];
    for c in &creds {
        let b = huanjie_crypto::ballot::EncryptedBallot::encrypt(
            &mut rng,
            &round.key.key.key,
            &round.context,
            &round.shape,
            c,
            &choices,
        )
        .map_err(|x| x.to_string())?;
        bodies.push(json!({"encrypted": hex::encode(b.to_bytes())}).to_string());
    }
    Ok(bodies)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs the cast benchmark and prints its table.
pub async fn cast(opts: CastOptions) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("huanjie-bench-cast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = fresh_database(&dir, opts.pg_admin_url.as_deref()).await?;
    let secrets = crate::Secrets::load_or_create(&dir).map_err(|e| e.to_string())?;
    let store = Store::connect(&url).await.map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    let t = Instant::now();
    let seeded = seed_polling(&store, &secrets.voting_code_key, opts.voters, "bench").await?;
    println!("seeded {} voters in {:.1} s ({})", opts.voters, t.elapsed().as_secs_f64(), store.backend());
    let bodies: Vec<String> = if opts.e2e {
        let t = Instant::now();
        let b = seed_e2e(&store, &seeded).await?;
        println!(
            "end-to-end: key ceremony and credentials seeded, {} ballots encrypted in {:.1} s",
            b.len(),
            t.elapsed().as_secs_f64()
        );
        b
    } else {
        vec![seeded.ballot.clone(); seeded.codes.len()]
    };
    let bodies = Arc::new(bodies);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let server = ServerProcess::start(&exe, &url, &dir, free_port()?).await?;
    let rss_idle = server.peak_rss_mib();
    let (cpu_server0, cpu_self0) = (server.cpu_seconds().unwrap_or(0.0), cpu_of("/proc/self/stat").unwrap_or(0.0));
    let target = format!("{}/api/v1/elections/{}/ballots", server.base, seeded.election_id);
    let seeded = Arc::new(seeded);
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(opts.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..opts.clients {
        let (seeded, next, target, bodies) = (seeded.clone(), next.clone(), target.clone(), bodies.clone());
        let interval = opts.rate.map(|r| Duration::from_secs_f64(opts.clients as f64 / r.max(1) as f64));
        tasks.push(tokio::spawn(async move {
            let http = crate::net::Http::default();
            let mut lat = Vec::new();
            let mut acked = Vec::new();
            let mut errors = 0usize;
            let mut slot = Instant::now() + interval.map(|i| i.mul_f64(c as f64 / 64.0)).unwrap_or_default();
            while Instant::now() < deadline {
                if let Some(i) = interval {
                    tokio::time::sleep_until(slot.into()).await;
                    slot += i;
                }
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= seeded.codes.len() {
                    break;
                }
                let t = Instant::now();
                match http.post_json(&target, &seeded.codes[k], bodies[k].clone()).await {
                    Ok((201, _)) => {
                        lat.push(t.elapsed());
                        acked.push(k);
                    }
                    _ => errors += 1,
                }
            }
            (lat, acked, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut acked = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, a, e) = t.await.map_err(|e| e.to_string())?;
        lat.extend(l);
        acked.extend(a);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_peak = server.peak_rss_mib();
    let cpu_server = server.cpu_seconds().unwrap_or(0.0) - cpu_server0;
    let cpu_client = cpu_of("/proc/self/stat").unwrap_or(0.0) - cpu_self0;
    drop(server);
    lat.sort_unstable();
    let rate = acked.len() as f64 / elapsed;
    // Every acknowledged cast is in the box and on the roll.
    let id = seeded.election_id;
    let (in_box, on_roll): (i64, i64) = match &store {
        Store::Sqlite(p) => (
            sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE election_id = $1").bind(id).fetch_one(p).await,
            sqlx::query_scalar("SELECT COUNT(*) FROM participation WHERE election_id = $1").bind(id).fetch_one(p).await,
        ),
        Store::Postgres(p) => (
            sqlx::query_scalar("SELECT COUNT(*) FROM ballots WHERE election_id = $1").bind(id).fetch_one(p).await,
            sqlx::query_scalar("SELECT COUNT(*) FROM participation WHERE election_id = $1").bind(id).fetch_one(p).await,
        ),
    }
    .pipe(|(a, b)| Ok::<_, String>((a.map_err(|e| e.to_string())?, b.map_err(|e| e.to_string())?)))?;
    let marked: HashSet<i64> = match &store {
        Store::Sqlite(p) => {
            sqlx::query_scalar("SELECT resident_id FROM participation WHERE election_id = $1")
                .bind(id)
                .fetch_all(p)
                .await
        }
        Store::Postgres(p) => {
            sqlx::query_scalar("SELECT resident_id FROM participation WHERE election_id = $1")
                .bind(id)
                .fetch_all(p)
                .await
        }
    }
    .map_err(|e| e.to_string())?
    .into_iter()
    .collect();
    let missing = acked.iter().filter(|k| !marked.contains(&seeded.resident_ids[**k])).count();
    let baseline = baseline_inserts(&store, id, 20_000).await?;
    println!();
    println!("| cast ({}) | value |", store.backend());
    println!("|---|---|");
    println!("| voters / clients / seconds | {} / {} / {} |", opts.voters, opts.clients, opts.seconds);
    if let Some(r) = opts.rate {
        println!("| offered rate | {r} casts/s |");
    }
    println!("| acknowledged casts | {} ({errors} errors) |", acked.len());
    println!("| casts/s | {rate:.0} |");
    println!(
        "| latency p50 / p95 / p99 / max | {:.1} / {:.1} / {:.1} / {:.1} ms |",
        pct(&lat, 0.5),
        pct(&lat, 0.95),
        pct(&lat, 0.99),
        pct(&lat, 1.0)
    );
    println!("| acknowledged but missing from the roll | {missing} |");
    println!("| ballots in the box / voters on the roll | {in_box} / {on_roll} |");
    println!("| physical baseline (batched durable inserts of the same rows) | {baseline:.0} rows/s |");
    println!("| end-to-end ÷ baseline | {:.2} |", rate / baseline.max(1.0));
    println!(
        "| CPU seconds: server / load generator (2 cores × {elapsed:.0} s available) | {cpu_server:.1} / {cpu_client:.1} |"
    );
    if let (Some(a), Some(b)) = (rss_idle, rss_peak) {
        println!("| server RSS after start / peak | {a:.0} / {b:.0} MiB |");
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    if missing > 0 || in_box != on_roll {
        return Err("an acknowledged cast is missing, or the box and the roll disagree".into());
    }
    Ok(())
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

/// The fastest durable insert of `n` ballot rows into the same database: batches of 512 in
/// one transaction each (the writer's batch size), multi-row statements, no HTTP or logic.
async fn baseline_inserts(store: &Store, election_id: i64, n: usize) -> Result<f64, String> {
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    crate::store::polling::insert_poll(
        &mut tx,
        election_id,
        crate::domain::Round::Election(99),
        "revote",
        "{}",
        now_ms(),
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    let content = json!({"chair": ["n1"], "vice_chair": ["n3"], "member": ["n5", "n6", "n7"]}).to_string();
    let t = Instant::now();
    for _ in 0..n.div_ceil(512) {
        let rows: Vec<(Vec<u8>, &str, Option<i64>, &str)> =
            (0..512).map(|_| (rand::random::<[u8; 16]>().to_vec(), "remote", None, content.as_str())).collect();
        let mut tx = store.begin().await.map_err(|e| e.to_string())?;
        crate::store::polling::drop_ballots(&mut tx, election_id, 99, &rows).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    Ok((n.div_ceil(512) * 512) as f64 / t.elapsed().as_secs_f64())
}

/// Voting-code sign-ins per second (HMAC + index lookup, `tasks` at a time) against argon2id
/// staff password checks per second.
pub async fn signin(voters: usize, tasks: usize, seconds: u64) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("huanjie-bench-signin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = fresh_database(&dir, None).await?;
    let key = [7u8; 32];
    let store = Store::connect(&url).await.map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    let seeded = Arc::new(seed_polling(&store, &key, voters, "signin").await?);
    let done = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let t = Instant::now();
    let mut hs = Vec::new();
    for w in 0..tasks {
        let (store, seeded, done) = (store.clone(), seeded.clone(), done.clone());
        hs.push(tokio::spawn(async move {
            let mut k = w;
            while Instant::now() < deadline {
                let code = &seeded.codes[k % seeded.codes.len()];
                if let Ok(Some(_)) = crate::service::polling::voter_by_code(&store, &key, code).await {
                    done.fetch_add(1, Ordering::Relaxed);
                }
                k += tasks;
            }
        }));
    }
    for h in hs {
        h.await.map_err(|e| e.to_string())?;
    }
    let code_rate = done.load(Ordering::Relaxed) as f64 / t.elapsed().as_secs_f64();
    let hash =
        crate::service::accounts::hash_password("a long staff passphrase".into()).await.map_err(|e| e.to_string())?;
    let t = Instant::now();
    let mut n = 0;
    while t.elapsed() < Duration::from_secs(seconds.min(5)) {
        crate::service::accounts::verify_password("a long staff passphrase".into(), hash.clone())
            .await
            .map_err(|e| e.to_string())?;
        n += 1;
    }
    let staff_rate = n as f64 / t.elapsed().as_secs_f64();
    println!("| sign-in | per second |");
    println!("|---|---|");
    println!("| voting code (HMAC-SHA-256 + index, {tasks} tasks, {voters} voters) | {code_rate:.0} |");
    println!("| staff password (argon2id m=19456 KiB t=2 p=1, one core) | {staff_rate:.1} |");
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

pub fn data_dir_for(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("huanjie-{name}-{}", std::process::id()))
}

/// `huanjie bench e2e` (issue 18, docs/e2e.md §5–§7): natively, for `ballots` ballots of the
/// demo's shape (chair and vice chair 1 of 2, members 3 of 4, a write-in slot per seat: 8
/// ciphertexts), the time to encrypt and prove them, to shuffle them with a proof, to verify
/// that proof, and one trustee's decryption shares with proofs and their check. Run it on a
/// release build; it prints the times.
pub fn e2e(ballots: usize) -> Result<(), String> {
    use huanjie_crypto::ballot::{BallotContext, EncryptedBallot, PostChoice, PostShape, Shape};
    use huanjie_crypto::credential::Credential;
    use huanjie_crypto::dkg::{ElectionKey, check_decryption_share, decryption_share};
    use huanjie_crypto::group::{mul_g, random_scalar};
    use huanjie_crypto::shuffle::{shuffle, verify_shuffle};
    if ballots == 0 {
        return Err("--ballots must be at least 1".into());
    }
    let post = |name: &str, candidates, seats| PostShape { post: name.into(), candidates, seats, write_ins: seats };
    let shape = Shape::new(vec![post("chair", 2, 1), post("vice_chair", 2, 1), post("member", 4, 3)])
        .map_err(|e| e.to_string())?;
    let mut rng = rand::rng();
    let x = random_scalar(&mut rng);
    let key = mul_g(&x);
    let ctx = BallotContext { election: b"bench/election-1".to_vec(), round: b"1".to_vec() };
    let choices = vec![
        PostChoice { marks: vec![0], write_ins: vec![] },
        PostChoice { marks: vec![1], write_ins: vec![] },
        PostChoice { marks: vec![0, 2, 3], write_ins: vec![] },
    ];
    let creds: Vec<Credential> = (0..ballots).map(|i| Credential::derive(b"bench", &format!("code-{i}"))).collect();
    let t = Instant::now();
    let mut rows = Vec::with_capacity(ballots);
    for c in &creds {
        let b = EncryptedBallot::encrypt(&mut rng, &key, &ctx, &shape, c, &choices).map_err(|e| e.to_string())?;
        rows.push(b.ciphertexts);
    }
    let per = t.elapsed().as_secs_f64() * 1000.0 / ballots as f64;
    println!("encrypt, prove and sign {ballots} ballots ({} ciphertexts each): {per:.3} ms a ballot", shape.slots());
    let t = Instant::now();
    let (output, proof) = shuffle(&mut rng, b"bench/mix-1", &key, &rows).map_err(|e| e.to_string())?;
    println!("shuffle with proof of {ballots} ballots: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    verify_shuffle(b"bench/mix-1", &key, &rows, &output, &proof).map_err(|e| e.to_string())?;
    println!("verify that shuffle: {:.2} s", t.elapsed().as_secs_f64());
    let cts = crate::domain::mix::flatten(&output);
    let t = Instant::now();
    let share = decryption_share(&mut rng, b"bench/round-1", 1, &x, &cts);
    println!("one trustee's decryption shares with proofs of {ballots} ballots: {:.2} s", t.elapsed().as_secs_f64());
    let keys = ElectionKey { key, verification: vec![key] };
    let t = Instant::now();
    check_decryption_share(b"bench/round-1", &keys, &cts, &share)
        .map_err(|j| format!("share check failed at {j:?}"))?;
    println!("check those shares: {:.2} s", t.elapsed().as_secs_f64());
    Ok(())
}
