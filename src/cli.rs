//! The command line: `serve`, `demo`, `migrate`, `user add`, `street add`, `import residents`,
//! `events`. Every flag also reads a `HUANJIE_*` environment variable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::audit::Actor;
use crate::domain::{Role, Scope, ScopeKind};
use crate::service::{self, accounts, import, registry as reg_svc};
use crate::store::users::Grant;
use crate::store::{Store, registry, users};
use crate::web::{build_app, serve};
use crate::{Config, Secrets};

#[derive(Parser)]
#[command(name = "huanjie", version, about = "换届 · Residents' committee re-elections, end to end and by the law")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Common {
    /// Data directory: the SQLite database and the generated secrets live here.
    #[arg(long, env = "HUANJIE_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// sqlite://PATH or postgres://USER@HOST/DB (default: sqlite://<data-dir>/huanjie.db).
    #[arg(long, env = "HUANJIE_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service (migrations run at start).
    Serve {
        #[command(flatten)]
        common: Common,
        #[arg(long, env = "HUANJIE_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// The address people reach the service at, e.g. https://huanjie.example.gov.cn.
        /// Cookies are Secure unless it starts with http:// (unset: Secure).
        #[arg(long, env = "HUANJIE_PUBLIC_URL")]
        public_url: Option<String>,
        /// Reverse proxies whose X-Forwarded-For is believed: addresses and CIDR ranges,
        /// comma-separated (default: none; the TCP peer is the client).
        #[arg(long, env = "HUANJIE_TRUSTED_PROXIES", default_value = "")]
        trusted_proxies: String,
    },
    /// Run the web service as a rehearsal (模拟演练): street admins move its clock at
    /// /staff/rehearsal or `POST /api/v1/rehearsal/clock`, every page shows the 演练 banner, and
    /// its log name starts with `rehearsal.` so `huanjie verify` reports its records as a
    /// rehearsal's, never as real. Same flags as `serve`; use a data directory of its own.
    Rehearse {
        #[command(flatten)]
        common: Common,
        #[arg(long, env = "HUANJIE_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        #[arg(long, env = "HUANJIE_PUBLIC_URL")]
        public_url: Option<String>,
        #[arg(long, env = "HUANJIE_TRUSTED_PROXIES", default_value = "")]
        trusted_proxies: String,
    },
    /// Run the service on a fresh SQLite file with a demo street office and print its accounts.
    Demo {
        #[arg(long, env = "HUANJIE_DATA_DIR", default_value = "demo-data")]
        data_dir: PathBuf,
        #[arg(long, env = "HUANJIE_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// The address the demo is opened at (default http://<bind>, so plain-http cookies work).
        #[arg(long, env = "HUANJIE_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        common: Common,
    },
    /// Street offices.
    Street {
        #[command(subcommand)]
        cmd: StreetCmd,
    },
    /// Communities.
    Community {
        #[command(subcommand)]
        cmd: CommunityCmd,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Import data.
    Import {
        #[command(subcommand)]
        cmd: ImportCmd,
    },
    /// Print the audit event catalogue as a Markdown table.
    Events,
    /// Delete or reduce a finished term's personal data after the retention period (PIPL):
    /// one election (`--election N`) or every election that is due (`--due`). Audited.
    PurgePersonalData {
        #[command(flatten)]
        common: Common,
        /// The election to purge.
        #[arg(long, conflicts_with = "due")]
        election: Option<i64>,
        /// Every election whose retention period is over and that was not purged yet.
        #[arg(long)]
        due: bool,
        /// Days kept after the term ends (default: HUANJIE_PERSONAL_DATA_RETENTION_DAYS, else 365).
        #[arg(long)]
        retention_days: Option<u32>,
    },
    /// Declare the city's term calendar (LAW.md §1 [N], §3 [N?, P]): the first year of one of
    /// its 5-year terms (default without a declaration: 2021). One place only holds per term on
    /// this calendar. Audited; refused once voters are registered under another calendar.
    DeclareTerm {
        #[command(flatten)]
        common: Common,
        /// The first year of a term, e.g. 2022 for terms 2022–2026, 2027–2031, ….
        #[arg(long)]
        first_year: i32,
    },
    /// Verify a log record (a file, or an http:// URL of `/api/v1/logs/{log}/record`): every
    /// leaf, checkpoint signature, cosignature and the consistency between checkpoints.
    Verify {
        /// Record file or URL.
        record: String,
        /// Pin the log's verifier key (name+hash+base64) from an independent source.
        #[arg(long, env = "HUANJIE_VERIFY_LOG_KEY")]
        log_key: Option<String>,
        /// A witness key to trust (repeatable).
        #[arg(long = "witness")]
        witnesses: Vec<String>,
        /// Cosignatures required on the latest checkpoint (at least one from a pinned witness
        /// is always required, unless --allow-unwitnessed).
        #[arg(long, default_value_t = 0)]
        min_cosignatures: usize,
        /// A witness to ask how far it has cosigned (`huanjie witness --listen`'s base URL;
        /// repeatable). The record's `witness_urls` are asked too.
        #[arg(long = "witness-url")]
        witness_urls: Vec<String>,
        /// Accept a record no pinned witness vouches for (prints UNWITNESSED, exits 0).
        #[arg(long)]
        allow_unwitnessed: bool,
    },
    /// Benchmarks (issue 8): `cast` (election-day load over real HTTP, with the physical
    /// baseline) and `signin` (voting codes vs argon2id staff passwords).
    Bench {
        #[command(subcommand)]
        what: BenchCmd,
    },
    /// Recount a published ballot box (JSON) with the law engine and print the result as JSON.
    Count {
        /// A preset (national, gansu-2025, chongqing-2025) or a TOML profile file; overrides the box's own.
        #[arg(long)]
        profile: Option<String>,
        /// The ballot box JSON file (`-` for standard input).
        ballot_box: PathBuf,
    },
    /// Run as an independent witness: check the log only grew, then cosign its checkpoint.
    Witness {
        /// The witness's own directory (its key and what it has cosigned).
        #[arg(long, env = "HUANJIE_WITNESS_DIR", default_value = "witness-data")]
        state_dir: PathBuf,
        /// The witness's name, as the server's HUANJIE_WITNESS_KEYS will know it.
        #[arg(long, default_value = "witness.localhost")]
        name: String,
        /// The log's base URL, e.g. http://127.0.0.1:8080/api/v1/logs/system
        #[arg(long)]
        log: Option<String>,
        /// The log's verifier key (from `GET /api/v1/logs/key`, checked out of band).
        #[arg(long)]
        log_key: Option<String>,
        /// Repeat every N seconds (default: one round).
        #[arg(long)]
        every: Option<u64>,
        /// Serve the witness API on this address (C2SP `POST /add-checkpoint`, which the log
        /// calls with each new checkpoint, and `GET /latest?origin=`, which `huanjie verify`
        /// asks); needs --log-key. Runs until stopped.
        #[arg(long, env = "HUANJIE_WITNESS_LISTEN")]
        listen: Option<SocketAddr>,
    },
    /// The offline credential authority (issue 18 item 3, docs/e2e.md §5): `generate`.
    Credentials {
        #[command(subcommand)]
        what: CredentialsCmd,
    },
    /// A trustee's side of the key ceremony (issue 18, docs/e2e.md §4), run on the trustee's
    /// own computer: `key`, then `deal`, then `check`, then `finish` (prints the key's
    /// fingerprint to compare aloud with the other trustees); `status` shows the board; after
    /// the polls close, `mix --round R` and `decrypt --round R` (docs/e2e.md §6–§7).
    Trustee {
        #[command(subcommand)]
        step: TrusteeStep,
        /// The server's base URL, e.g. http://127.0.0.1:8080
        #[arg(long, env = "HUANJIE_SERVER", global = true, default_value = "http://127.0.0.1:8080")]
        server: String,
        /// The election's id.
        #[arg(long, global = true, default_value_t = 0)]
        election: i64,
        /// This trustee's number on the board (1…n).
        #[arg(long, global = true, default_value_t = 0)]
        trustee: u32,
        /// The token the committee handed over when it opened the ceremony.
        #[arg(long, env = "HUANJIE_TRUSTEE_TOKEN", global = true, default_value = "")]
        token: String,
        /// The encrypted state file that holds this trustee's secrets.
        #[arg(long, global = true, default_value = "trustee.json")]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum CredentialsCmd {
    /// Make codes and credentials for the cards offline: writes `cards.csv` (voter number and
    /// code, to print) and `upload.json` (the codes' keyed hashes by voter number, and — not
    /// linked to them — the credentials in key order) for `POST /api/v1/elections/{id}/credentials`.
    Generate {
        /// What the credentials are bound to: `<log name>/election-<id>` (the `domain` of
        /// `GET /api/v1/elections/{id}/credentials`).
        #[arg(long)]
        election_domain: String,
        /// The voters' numbers on the published list: `1,2,5` or `1-300`.
        #[arg(long)]
        voters: String,
        /// The deployment's voting-code key file (`voting-code.key`): the server keeps codes
        /// only as keyed hashes, so the authority needs it to make hashes the server can check.
        #[arg(long)]
        code_key: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

/// `1,2,5` or `1-300` (or a mix) as voter numbers.
fn voter_numbers(spec: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || format!("--voters: {part:?} is not a number or a range");
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) =
                    (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
                if a == 0 || b < a {
                    return Err(bad());
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn credentials_cli(cmd: CredentialsCmd) -> Result<ExitCode, String> {
    let CredentialsCmd::Generate { election_domain, voters, code_key, out } = cmd;
    let numbers = voter_numbers(&voters)?;
    if numbers.is_empty() {
        return Err("--voters names no voter".into());
    }
    let key = std::fs::read(&code_key).map_err(|e| format!("{}: {e}", code_key.display()))?;
    let key: Vec<u8> = match hex::decode(String::from_utf8_lossy(&key).trim()) {
        Ok(k) if k.len() == 32 => k,
        _ if key.len() == 32 => key,
        _ => return Err(format!("{}: not a 32-byte key", code_key.display())),
    };
    let (cards, upload) = crate::service::credentials::generate(&election_domain, &numbers, &key);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut csv = String::from("voter,code\n");
    for (v, c) in &cards {
        csv.push_str(&format!("{v},{c}\n"));
    }
    let cards_file = out.join("cards.csv");
    std::fs::write(&cards_file, csv).map_err(|e| format!("{}: {e}", cards_file.display()))?;
    let up = serde_json::to_string_pretty(&upload).map_err(|e| e.to_string())?;
    let up_file = out.join("upload.json");
    std::fs::write(&up_file, up).map_err(|e| format!("{}: {e}", up_file.display()))?;
    println!(
        "{} cards in {} (print them, then destroy the file); upload {} to POST /api/v1/elections/{{id}}/credentials",
        cards.len(),
        cards_file.display(),
        up_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Clone)]
enum TrusteeStep {
    /// Make and post this trustee's ceremony key.
    Key,
    /// Check every trustee's key, deal, post the dealing.
    Deal,
    /// Check every dealing, open the shares sealed to this trustee, post the result.
    Check,
    /// Recompute the election key from the board, keep this trustee's share, print the fingerprint.
    Finish,
    /// Print the board.
    Status,
    /// Print the paper backup of this trustee's share (after `finish`): keep it sealed.
    Backup,
    /// Make a new state file from a typed backup page, checked against the board's Y_l.
    Restore {
        /// The typed backup page.
        #[arg(long)]
        from: PathBuf,
    },
    /// After the polls of an end-to-end round close: check the mix input against the election
    /// record and every shuffle so far, then shuffle the latest list with a proof and post it.
    Mix {
        /// The round's number (as in the URLs).
        #[arg(long)]
        round: i64,
    },
    /// After k trustees have shuffled: check the mix input and every shuffle proof again, then
    /// post this trustee's decryption shares of the last shuffle's output with their proofs.
    Decrypt {
        #[arg(long)]
        round: i64,
    },
}

#[derive(Subcommand)]
enum BenchCmd {
    /// Casts over HTTP against a child `huanjie serve`, then the durable-insert baseline.
    Cast {
        #[arg(long, default_value_t = 200_000)]
        voters: usize,
        #[arg(long, default_value_t = 256)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Offered casts per second in all (default: as fast as the clients go).
        #[arg(long)]
        rate: Option<u64>,
        /// A PostgreSQL server (admin URL) to run on, in a fresh database; default SQLite.
        #[arg(long)]
        database_url: Option<String>,
        /// Cast encrypted, signed ballots (issue 18; clients encrypt before the timed part).
        #[arg(long)]
        e2e: bool,
    },
    /// End-to-end cryptography natively (issue 18): encrypt, shuffle with proof, verify the
    /// shuffle, decryption shares with proofs, for ballots of the demo's shape.
    E2e {
        #[arg(long, default_value_t = 1_000)]
        ballots: usize,
    },
    /// Voting-code sign-ins per second vs argon2id staff password checks per second.
    Signin {
        #[arg(long, default_value_t = 100_000)]
        voters: usize,
        #[arg(long, default_value_t = 64)]
        tasks: usize,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
}

#[derive(Subcommand)]
enum StreetCmd {
    /// Create a street office: `huanjie street add CODE NAME`.
    Add {
        #[command(flatten)]
        common: Common,
        code: String,
        name: String,
    },
}

#[derive(Subcommand)]
enum CommunityCmd {
    /// Create a community in a street office: `huanjie community add --street CODE CODE NAME`.
    Add {
        #[command(flatten)]
        common: Common,
        /// The street office's code.
        #[arg(long)]
        street: String,
        code: String,
        name: String,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create a staff account. The password is read from HUANJIE_PASSWORD or generated and printed.
    Add {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "")]
        name: String,
        /// street_admin | committee | clerk | observer
        #[arg(long)]
        role: String,
        /// street:CODE or community:CODE
        #[arg(long)]
        scope: String,
        #[arg(long, env = "HUANJIE_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Reset an account's two-step verification (a lost phone): its sessions end, and a
    /// street admin sets it up again at the next sign-in.
    TotpReset {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// Import residents from CSV/XLSX into a community; all rows or none.
    Residents {
        #[command(flatten)]
        common: Common,
        /// The community's code.
        #[arg(long)]
        community: String,
        file: PathBuf,
    },
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HUANJIE_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("huanjie: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("huanjie: {msg}");
            ExitCode::from(2)
        }
    }
}

fn config(common: &Common, bind: SocketAddr) -> Config {
    Config::new(common.database_url.clone(), bind, common.data_dir.clone())
}

async fn open(common: &Common) -> Result<Store, String> {
    std::fs::create_dir_all(&common.data_dir).map_err(|e| format!("{}: {e}", common.data_dir.display()))?;
    let cfg = config(common, SocketAddr::from(([127, 0, 0, 1], 0)));
    let store = Store::connect(&cfg.database_url).await.map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    Ok(store)
}

fn svc_err(e: service::ServiceError) -> String {
    let msgs = crate::web::error::messages(crate::i18n::Lang::Zh, &e, "");
    format!("{} ({e})", msgs.join("; "))
}

async fn run_server(cfg: Config, banner: Option<String>) -> Result<ExitCode, String> {
    std::fs::create_dir_all(&cfg.data_dir).map_err(|e| format!("{}: {e}", cfg.data_dir.display()))?;
    let secrets = Secrets::load_or_create(&cfg.data_dir).map_err(|e| e.to_string())?;
    let bind = cfg.bind;
    let (router, state) = build_app(cfg, secrets).await.map_err(|e| e.to_string())?;
    // At least one checkpoint a minute while a log grows (issue 4); transitions sign their own.
    tokio::spawn(service::audit::run_periodic(
        state.store.clone(),
        state.log.clone(),
        std::time::Duration::from_secs(60),
    ));
    // Idle and expired sessions nobody comes back to are swept on the same beat.
    tokio::spawn(service::accounts::run_session_sweep(state.store.clone(), std::time::Duration::from_secs(60)));
    let log_key = state.log.verifier_key();
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| format!("cannot bind {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some(b) = banner {
        println!("{b}");
    }
    println!("Huanjie listening on http://{addr}/");
    println!("Log verifier key: {log_key}");
    serve(router, listener).await.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

async fn run(cmd: Command) -> Result<ExitCode, String> {
    match cmd {
        Command::Serve { common, bind, public_url, trusted_proxies } => {
            let mut cfg = config(&common, bind);
            if public_url.is_some() {
                cfg.set_public_url(public_url);
            }
            // A list that does not parse stops the start: trusting the wrong proxies would let
            // anyone choose their address for the sign-in limits.
            cfg.trusted_proxies = crate::config::TrustedProxies::parse(&trusted_proxies)?;
            run_server(cfg, None).await
        }
        Command::Rehearse { common, bind, public_url, trusted_proxies } => {
            let mut cfg = config(&common, bind);
            if public_url.is_some() {
                cfg.set_public_url(public_url);
            }
            cfg.trusted_proxies = crate::config::TrustedProxies::parse(&trusted_proxies)?;
            cfg.set_rehearsal();
            let banner = format!(
                "REHEARSAL (演练) deployment, log {}: street admins move the clock at /staff/rehearsal; \
                 no record of it is a real election's.",
                cfg.log_name
            );
            run_server(cfg, Some(banner)).await
        }
        Command::Demo { data_dir, bind, public_url } => {
            // A fresh database every time: the demo must always start from the same state.
            for f in ["huanjie.db", "huanjie.db-wal", "huanjie.db-shm"] {
                let _ = std::fs::remove_file(data_dir.join(f));
            }
            let common = Common { data_dir: data_dir.clone(), database_url: None };
            let store = open(&common).await?;
            let started = std::time::Instant::now();
            let accounts = crate::demo::seed(&store).await.map_err(svc_err)?;
            let secrets = Secrets::load_or_create(&data_dir).map_err(|e| e.to_string())?;
            let mut cfg = Config::new(None, bind, data_dir.clone());
            // The demo's own witness (issue 15 item 4): a separate process with its own key and
            // state, as a street office or an observer would run one. Fresh with the database,
            // or it would refuse the new, shorter logs as rewound.
            let witness = demo_witness(&data_dir, &cfg, &secrets).await?;
            cfg.witness_keys.push(witness.key.clone());
            cfg.witness_urls.push(witness.url.clone());
            let log = service::audit::LogIdentity::new(&cfg.log_name, &secrets.log_key, &cfg.witness_keys)?
                .with_witness_urls(&cfg.witness_urls);
            let election = crate::demo::seed_election(&store, &log, &accounts).await.map_err(svc_err)?;
            let polling = crate::demo::seed_polling_election(
                &store,
                &log,
                &secrets.voting_code_key,
                &accounts,
                Some(&data_dir.join("demo-trustees")),
            )
            .await
            .map_err(svc_err)?;
            let admin_totp =
                crate::demo::enrol_admin(&store, &secrets.session_key, &accounts).await.map_err(svc_err)?;
            store.close().await;
            let mut banner = format!(
                "Demo street office ready in {:.1} s: 示范街道办事处 / 幸福社区 (8 residents' groups, 700 households).\n\
                 The 2026 re-election (id {election}) is at voter registration: open /staff/elections/{election}.\n\
                 和平社区's election (id {p}) is polling today, remote voting enabled as a pilot: open /vote on a phone\n\
                 and type one of these voting codes (one ballot each), or watch /staff/elections/{p}/polling:\n",
                started.elapsed().as_secs_f64(),
                p = polling.election
            );
            // Each code also as its card's QR link (issue 13), to open on a phone.
            let public = public_url.clone().unwrap_or_else(|| format!("http://{bind}"));
            for (name, code) in &polling.codes {
                let link = crate::service::voters::card_link(public.trim_end_matches('/'), code);
                banner.push_str(&format!("  {code}   ({name})   {link}\n"));
            }
            let t = &polling.trustees;
            banner.push_str(&format!(
                "Its ballots are end-to-end (docs/e2e.md): the demo ran the key ceremony for its three trustees\n\
                 (any {} of them decrypt; key fingerprint {}). Their state files (passphrase {}) and tokens:\n",
                t.k, t.fingerprint, t.passphrase
            ));
            for (n, name, token, file) in &t.trustees {
                let file = file.as_ref().map(|f| f.display().to_string()).unwrap_or_default();
                banner.push_str(&format!("  trustee {n} ({name}): {file}  token {token}\n"));
            }
            banner.push_str(&format!(
                "After the polls close (/staff/elections/{p}/polling), any two trustees shuffle, then decrypt, each with\n\
                 HUANJIE_TRUSTEE_PASSPHRASE={} huanjie trustee mix --server {public} --election {p} --round 1 \\\n\
                 \x20   --trustee N --token <token> --file <state file>   (then the same with `decrypt`), and the\n\
                 count runs from the results page; then anyone verifies the record (below).\n",
                t.passphrase,
                p = polling.election
            ));
            banner.push_str("Staff accounts (passwords shown once):\n");
            for (user, pw, role) in &accounts.lines {
                banner.push_str(&format!("  {user:<10} {pw}   ({role})\n"));
            }
            banner.push_str(&admin_totp);
            banner.push_str(&format!(
                "Witness (its own process, state in {}): {} key {}\n\
                 Observers: huanjie verify {public}/api/v1/elections/{p}/record --witness \"{}\"\n",
                data_dir.join("witness").display(),
                witness.url,
                witness.key,
                witness.key,
                p = polling.election
            ));
            cfg.set_public_url(Some(public_url.unwrap_or_else(|| format!("http://{bind}"))));
            let served = run_server(cfg, Some(banner)).await;
            drop(witness);
            served
        }
        Command::Migrate { common } => {
            let store = open(&common).await?;
            println!("migrations applied ({})", store.backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::Street { cmd: StreetCmd::Add { common, code, name } } => {
            let store = open(&common).await?;
            let id =
                reg_svc::create_street_office(&store, &Actor::system("cli"), &code, &name).await.map_err(svc_err)?;
            println!("street office {code} created (id {id})");
            Ok(ExitCode::SUCCESS)
        }
        Command::Community { cmd: CommunityCmd::Add { common, street, code, name } } => {
            let store = open(&common).await?;
            let so = registry::street_office_by_code(&store, &street)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no street office with that code")?;
            let id = reg_svc::create_community_as(&store, &Actor::system("cli"), so.id, &code, &name)
                .await
                .map_err(svc_err)?;
            println!("community {code} created (id {id})");
            Ok(ExitCode::SUCCESS)
        }
        Command::User { cmd: UserCmd::Add { common, username, name, role, scope, password } } => {
            let store = open(&common).await?;
            let role = Role::parse(&role).ok_or("role must be street_admin, committee, clerk or observer")?;
            let scope = resolve_scope(&store, &scope).await?;
            let (pw, generated) = match password {
                Some(p) => (p, false),
                None => (crate::demo::password_for_cli(), true),
            };
            let display = if name.is_empty() { username.clone() } else { name };
            accounts::create_user(&store, None, &username, &display, &pw, &[Grant { role, scope }])
                .await
                .map_err(svc_err)?;
            if generated {
                println!("user {username} created; password (shown once): {pw}");
            } else {
                println!("user {username} created");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User { cmd: UserCmd::TotpReset { common, username } } => {
            let store = open(&common).await?;
            let u = users::by_username(&store, &username)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no user with that username")?;
            service::signin::reset(&store, None, u.id).await.map_err(svc_err)?;
            println!("two-step verification of {username} reset; its sessions ended");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { cmd: ImportCmd::Residents { common, community, file } } => {
            let store = open(&common).await?;
            let c = registry::community_by_code(&store, &community)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no community with that code")?;
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let staff = cli_staff(&store, c.street_office_id).await?;
            let batch = import::preview(&store, &staff, c.id, &name, &bytes).await.map_err(svc_err)?;
            let b = crate::store::imports::batch(&store, batch)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("batch vanished")?;
            if b.error_rows > 0 {
                for r in crate::store::imports::rows(&store, batch, true, 50, 0).await.map_err(|e| e.to_string())? {
                    for e in r.errors {
                        eprintln!("{}", crate::web::staff::import::row_error(crate::i18n::Lang::Zh, r.row_no, &e));
                    }
                }
                eprintln!("{} of {} rows have errors; nothing was imported", b.error_rows, b.total_rows);
                return Ok(ExitCode::from(1));
            }
            let total = b.total_rows;
            let n = import::commit(&store, &staff, batch, &|done, _| {
                if done % 10_000 == 0 {
                    eprintln!("  {done} / {total}");
                }
            })
            .await
            .map_err(svc_err)?;
            println!("imported {n} residents into {}", c.name);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { what } => {
            match what {
                BenchCmd::Cast { voters, clients, seconds, rate, database_url, e2e } => {
                    let pg = database_url.filter(|u| u.starts_with("postgres"));
                    let opts = crate::bench::CastOptions { voters, clients, seconds, rate, pg_admin_url: pg, e2e };
                    crate::bench::cast(opts).await?
                }
                BenchCmd::Signin { voters, tasks, seconds } => crate::bench::signin(voters, tasks, seconds).await?,
                BenchCmd::E2e { ballots } => crate::bench::e2e(ballots)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { record, log_key, witnesses, min_cosignatures, witness_urls, allow_unwitnessed } => {
            verify(&record, log_key, &witnesses, min_cosignatures, &witness_urls, allow_unwitnessed).await
        }
        Command::Witness { state_dir, name, log, log_key, every, listen } => {
            let w = crate::witness::Witness::open(&state_dir, &name)?;
            println!("witness key: {}", w.verifier_key());
            if let Some(addr) = listen {
                let key = log_key.ok_or("--listen needs --log-key (the log whose checkpoints it cosigns)")?;
                let key = crate::audit::NoteVerifier::parse(key.trim()).map_err(|e| format!("--log-key: {e:?}"))?;
                let listener =
                    tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot bind {addr}: {e}"))?;
                let at = listener.local_addr().map_err(|e| e.to_string())?;
                println!("witness listening on http://{at}/");
                crate::witness::serve(std::sync::Arc::new(w), key, listener).await?;
                return Ok(ExitCode::SUCCESS);
            }
            let (Some(log), Some(log_key)) = (log, log_key) else {
                println!(
                    "(give --log URL and --log-key KEY to cosign; add the key above to the server's HUANJIE_WITNESS_KEYS)"
                );
                return Ok(ExitCode::SUCCESS);
            };
            let key = crate::audit::NoteVerifier::parse(log_key.trim()).map_err(|e| format!("--log-key: {e:?}"))?;
            let http = crate::net::Http::default();
            loop {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                match w.round(&http, log.trim_end_matches('/'), &key, now).await {
                    Ok(size) => println!("cosigned {log} at size {size}"),
                    Err(e) if e.starts_with("REFUSED") => {
                        eprintln!("{e}");
                        return Ok(ExitCode::from(1));
                    }
                    Err(e) => eprintln!("witness: {e}"),
                }
                match every {
                    Some(secs) => tokio::time::sleep(std::time::Duration::from_secs(secs.max(1))).await,
                    None => return Ok(ExitCode::SUCCESS),
                }
            }
        }
        Command::Count { profile, ballot_box } => Ok(count(profile.as_deref(), &ballot_box)),
        Command::PurgePersonalData { common, election, due, retention_days } => {
            let retention_days = match retention_days {
                Some(d) => d,
                None => crate::config::retention_days_from_env()?,
            };
            let store = open(&common).await?;
            let ids = match (election, due) {
                (Some(id), _) => vec![id],
                (None, true) => service::retention::due(&store, retention_days).await.map_err(svc_err)?,
                (None, false) => return Err("name --election N or --due".into()),
            };
            let actor = Actor::system("cli");
            for id in &ids {
                let r = service::retention::purge(&store, &actor, *id, retention_days).await.map_err(svc_err)?;
                println!(
                    "election {id}: personal data purged (term ended {}): {}",
                    r.term_ended_on,
                    serde_json::to_string(&r.purged).unwrap_or_default()
                );
            }
            if ids.is_empty() {
                println!("no election is due");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::DeclareTerm { common, first_year } => {
            let store = open(&common).await?;
            let cal =
                service::term_calendar::declare(&store, &Actor::system("cli"), first_year).await.map_err(svc_err)?;
            println!("term calendar: terms of {} years from {}", cal.years, cal.first_year);
            Ok(ExitCode::SUCCESS)
        }
        Command::Events => {
            print!("{}", crate::audit::events::markdown());
            Ok(ExitCode::SUCCESS)
        }
        Command::Credentials { what } => credentials_cli(what),
        Command::Trustee { step, server, election, trustee, token, file } => {
            trustee_cli(step, &server, election, trustee, &token, &file).await.map_err(|e| e.to_string())
        }
    }
}

/// The trustee's passphrase: `HUANJIE_TRUSTEE_PASSPHRASE`, else one line from standard input.
fn passphrase() -> Result<String, String> {
    if let Ok(p) = std::env::var("HUANJIE_TRUSTEE_PASSPHRASE") {
        return Ok(p);
    }
    eprint!("passphrase for the trustee state file: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| e.to_string())?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.chars().count() < 8 {
        return Err("the passphrase must have at least 8 characters".into());
    }
    Ok(p)
}

async fn trustee_cli(
    step: TrusteeStep,
    server: &str,
    election: i64,
    trustee: u32,
    token: &str,
    file: &Path,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    use crate::domain::ceremony::CeremonyBoard;
    let http = crate::net::Http::default();
    let base = format!("{}/api/v1/elections/{election}/ceremony", server.trim_end_matches('/'));
    let board: CeremonyBoard = serde_json::from_slice(&http.get(&base).await?)?;
    let post = async |what: &str, body: String| -> Result<(), Box<dyn std::error::Error>> {
        let (status, b) = http.post_json(&format!("{base}/{what}"), token, body).await?;
        if status != 200 {
            return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&b)).into());
        }
        Ok(())
    };
    let write = |st: &crate::trustee::TrusteeState, pass: &str| -> Result<(), Box<dyn std::error::Error>> {
        // Written beside, then renamed over: a crash never leaves half a state file.
        let tmp = file.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        crate::secrets::write_private(&tmp, crate::trustee::seal(st, pass)?.as_bytes())?;
        std::fs::rename(&tmp, file)?;
        Ok(())
    };
    let read = |pass: &str| -> Result<crate::trustee::TrusteeState, Box<dyn std::error::Error>> {
        Ok(crate::trustee::unseal(&std::fs::read_to_string(file)?, pass)?)
    };
    let mut rng = rand::rng();
    match step {
        TrusteeStep::Status => {
            println!("{}", serde_json::to_string_pretty(&board)?);
        }
        TrusteeStep::Key => {
            if file.exists() {
                return Err(format!("{} exists: this trustee already has a key", file.display()).into());
            }
            if trustee == 0 || trustee > board.n {
                return Err("--trustee must be this trustee's number on the board".into());
            }
            let pass = passphrase()?;
            let (st, m) = crate::trustee::key_step(&mut rng, &board, trustee);
            write(&st, &pass)?;
            post("key", serde_json::to_string(&m)?).await?;
            println!("ceremony key posted; the state file is {}", file.display());
        }
        TrusteeStep::Deal => {
            let pass = passphrase()?;
            let mut st = read(&pass)?;
            let m = crate::trustee::deal_step(&mut rng, &board, &mut st)?;
            write(&st, &pass)?;
            post("dealing", serde_json::to_string(&m)?).await?;
            println!("dealing posted");
        }
        TrusteeStep::Check => {
            let pass = passphrase()?;
            let mut st = read(&pass)?;
            let m = crate::trustee::check_step(&mut rng, &board, &mut st)?;
            write(&st, &pass)?;
            let n = m.complaints.len();
            post("check", serde_json::to_string(&m)?).await?;
            println!("shares checked: {n} complaint(s) filed");
        }
        TrusteeStep::Finish => {
            let pass = passphrase()?;
            let mut st = read(&pass)?;
            let fp = crate::trustee::finish_step(&board, &mut st)?;
            write(&st, &pass)?;
            println!("election key fingerprint (compare it aloud with the other trustees): {fp}");
        }
        TrusteeStep::Backup => {
            let pass = passphrase()?;
            print!("{}", crate::trustee_backup::paper(&read(&pass)?)?);
        }
        TrusteeStep::Restore { from } => {
            if file.exists() {
                return Err(format!("{} exists: restore into a new file", file.display()).into());
            }
            let st = crate::trustee_backup::restore(&std::fs::read_to_string(&from)?, &board)?;
            if trustee != 0 && st.trustee != trustee {
                return Err(format!("the page is trustee {}'s, not {trustee}'s", st.trustee).into());
            }
            let pass = passphrase()?;
            write(&st, &pass)?;
            println!("trustee {}'s share restored into {} (it matches the board)", st.trustee, file.display());
        }
        TrusteeStep::Mix { round } | TrusteeStep::Decrypt { round } => {
            let root = server.trim_end_matches('/');
            let mix_url = format!("{root}/api/v1/elections/{election}/rounds/{round}/shuffles");
            let mix: crate::domain::mix::MixBoard = serde_json::from_slice(&http.get(&mix_url).await?)?;
            let record: serde_json::Value =
                serde_json::from_slice(&http.get(&format!("{root}/api/v1/elections/{election}/record")).await?)?;
            let pass = passphrase()?;
            let st = read(&pass)?;
            let (url, body, done) = if let TrusteeStep::Mix { .. } = step {
                let m = crate::trustee::mix_step(&mut rng, &mix, &record, &st)?;
                (mix_url, serde_json::to_string(&m)?, "shuffle posted (every earlier shuffle checked)")
            } else {
                let m = crate::trustee::decrypt_step(&mut rng, &mix, &record, &st)?;
                let url = format!("{root}/api/v1/elections/{election}/rounds/{round}/decryptions");
                (url, serde_json::to_string(&m)?, "decryption shares posted (the mix input and every shuffle checked)")
            };
            let (status, b) = http.post_json(&url, token, body).await?;
            if status != 200 {
                return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&b)).into());
            }
            println!("{done}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts the demo's witness process on a fresh state directory under the data dir.
async fn demo_witness(
    data_dir: &std::path::Path,
    cfg: &Config,
    secrets: &Secrets,
) -> Result<crate::witness::WitnessProcess, String> {
    let dir = data_dir.join("witness");
    let _ = std::fs::remove_dir_all(&dir);
    let log = service::audit::LogIdentity::new(&cfg.log_name, &secrets.log_key, &[])?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    crate::witness::WitnessProcess::start(&exe, &dir, "witness.demo.localhost", &log.verifier_key()).await
}

async fn resolve_scope(store: &Store, s: &str) -> Result<Scope, String> {
    let (kind, code) = s.split_once(':').ok_or("scope must be street:CODE or community:CODE")?;
    match kind {
        "street" | "street_office" => {
            let so = registry::street_office_by_code(store, code)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no street office with that code")?;
            Ok(Scope { kind: ScopeKind::StreetOffice, id: so.id })
        }
        "community" => {
            let c = registry::community_by_code(store, code)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no community with that code")?;
            Ok(Scope { kind: ScopeKind::Community, id: c.id })
        }
        _ => Err("scope must be street:CODE or community:CODE".into()),
    }
}

/// The machine's operator acts as a street administrator of the community's street office.
async fn cli_staff(store: &Store, street_id: i64) -> Result<service::Staff, String> {
    let _ = users::by_id(store, 0).await;
    Ok(service::Staff {
        user_id: 0,
        username: "cli".into(),
        display_name: "cli".into(),
        grants: vec![Grant { role: Role::StreetAdmin, scope: Scope { kind: ScopeKind::StreetOffice, id: street_id } }],
    })
}

/// `huanjie verify`: exit 0 with `OK …`; 1 with `FAILED: …` (tampered, rewound, forked);
/// 3 with `UNWITNESSED: …` when no pinned witness vouches for the latest checkpoint or none
/// answered how far it cosigned (0 with `--allow-unwitnessed`); 2 for bad input; 4 with
/// `REHEARSAL (演练): …` for a verified record of a rehearsal deployment (never reported as real).
async fn verify(
    record: &str,
    log_key: Option<String>,
    witnesses: &[String],
    min_cosignatures: usize,
    witness_urls: &[String],
    allow_unwitnessed: bool,
) -> Result<ExitCode, String> {
    use crate::audit::history::{Witnessing, check_logged_checkpoints, check_witnessed, witnessed_head};
    use crate::audit::{NoteVerifier, Record, Trust, verify_record_with};
    let bytes = if record.starts_with("http://") || record.starts_with("https://") {
        crate::net::Http::default().get(record).await?
    } else {
        std::fs::read(record).map_err(|e| format!("{record}: {e}"))?
    };
    let rec: Record = serde_json::from_slice(&bytes).map_err(|e| format!("{record}: not a Huanjie record: {e}"))?;
    let trust = Trust {
        log_key: log_key.map(|k| NoteVerifier::parse(k.trim()).map_err(|e| format!("--log-key: {e:?}"))).transpose()?,
        witnesses: witnesses
            .iter()
            .map(|k| NoteVerifier::parse(k.trim()).map_err(|e| format!("--witness: {e:?}")))
            .collect::<Result<_, _>>()?,
        min_cosignatures,
        allow_unsigned_tail: false,
    };
    let raw: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let mut lifecycle = crate::audit::events::LifecycleCheck::default();
    let mut recount = crate::audit::recount::RecountCheck::from_record(&raw);
    let mut reconcile = crate::audit::reconcile::ReconcileCheck::from_record(&raw);
    // Issue 18 (docs/e2e.md §8): the encrypted ballots, checked at each close before the counts.
    let mut e2e_ballots = crate::audit::e2e_ballots::E2eBallotsCheck::from_record(&raw);
    let mut check = |index: u64, leaf: &[u8]| {
        lifecycle.check(index, leaf)?;
        recount.check(index, leaf)?;
        e2e_ballots.check(index, leaf)?;
        reconcile.check(index, leaf)
    };
    let summary = match verify_record_with(&rec, &trust, &mut check)
        .and_then(|s| reconcile.finish().map(|()| s))
        .and_then(|s| e2e_ballots.finish().map(|()| s))
        .and_then(|s| check_logged_checkpoints(&rec, &s).map(|()| s))
    {
        Ok(s) => s,
        Err(f) => {
            println!("FAILED: {f}");
            return Ok(ExitCode::from(1));
        }
    };
    // Ask every witness we know of how far it has cosigned this log (issue 15 item 4).
    let log = NoteVerifier::parse(&summary.log_key).map_err(|e| format!("log key: {e:?}"))?;
    let mut urls: Vec<String> = witness_urls.iter().map(|u| u.trim_end_matches('/').to_string()).collect();
    for u in &rec.witness_urls {
        let u = u.trim_end_matches('/').to_string();
        if !urls.contains(&u) {
            urls.push(u);
        }
    }
    let http = crate::net::Http::default();
    let mut heads = Vec::new();
    for u in &urls {
        let asked = format!("{u}/latest?origin={}", crate::net::urlencode(&rec.origin));
        match http.get(&asked).await {
            Ok(body) => match witnessed_head(&String::from_utf8_lossy(&body), &rec.origin, &log, &trust.witnesses) {
                Ok(h) => heads.push(h),
                Err(e) => eprintln!("witness {u}: {e}"),
            },
            Err(e) => eprintln!("witness {u}: {e}"),
        }
    }
    let witnessing = check_witnessed(&rec, &summary, &heads);
    if let Witnessing::Rewound(f) = &witnessing {
        println!("FAILED: {f}");
        return Ok(ExitCode::from(1));
    }
    // A rehearsal's record verifies like any other, but is never reported as a real one.
    let rehearsal = crate::clock::is_rehearsal_origin(&rec.origin);
    if rehearsal {
        println!("REHEARSAL (演练): {} is a rehearsal deployment's log, not the record of a real election", rec.origin);
    }
    println!("{summary}");
    reconcile.print_report();
    e2e_ballots.print_report();
    if recount.recounted > 0 {
        println!("recounted {} round(s): every box matches the log and the announced result", recount.recounted);
    }
    match witnessing {
        Witnessing::Witnessed(line) => {
            println!("{line}");
            Ok(if rehearsal { ExitCode::from(4) } else { ExitCode::SUCCESS })
        }
        Witnessing::Unwitnessed(why) if allow_unwitnessed => {
            println!("UNWITNESSED (accepted with --allow-unwitnessed): {why}");
            Ok(ExitCode::SUCCESS)
        }
        Witnessing::Unwitnessed(why) => {
            println!("UNWITNESSED: {why}");
            Ok(ExitCode::from(3))
        }
        Witnessing::Rewound(_) => Ok(ExitCode::from(1)),
    }
}

/// `huanjie count`: exit 0 with the result on stdout; exit 2 with one line naming the bad
/// field on stderr (never a panic).
fn count(profile: Option<&str>, path: &std::path::Path) -> ExitCode {
    use crate::law::RuleProfile;
    let fail = |msg: String| {
        eprintln!("huanjie count: {msg}");
        ExitCode::from(2)
    };
    let profile = match profile {
        None => None,
        Some(p) if RuleProfile::PRESETS.contains(&p) => match RuleProfile::preset(p) {
            Ok(p) => Some(p),
            Err(e) => return fail(format!("--profile: {e}")),
        },
        Some(file) => match std::fs::read_to_string(file) {
            Ok(text) => match RuleProfile::from_toml(&text) {
                Ok(p) => Some(p),
                Err(e) => return fail(format!("--profile {file}: {e}")),
            },
            Err(e) => return fail(format!("--profile {file}: {e}")),
        },
    };
    let input = if path.as_os_str() == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            return fail(format!("stdin: {e}"));
        }
        s
    } else {
        match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => return fail(format!("{}: {e}", path.display())),
        }
    };
    match crate::law::recount::recount_published(&input, profile).and_then(|r| r.to_published()) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e.to_string()),
    }
}
