//! Casting with group commit (issue 8; DESIGN.md "Casting uses group commit").
//!
//! Every browser ballot — remote, booth, proxy through the browser — goes through one writer
//! task per process. It takes every cast waiting in its queue (up to [`MAX_BATCH`]), writes them
//! in ONE transaction and answers each only after that commit is durable (SQLite
//! `synchronous=FULL`, PostgreSQL's default synchronous commit). Per cast, the transaction
//! marks the roll with the atomic conditional insert (one voter, one ballot across every
//! channel and every process) and drops the ballot; per election and batch it appends ONE audit
//! entry holding the batch's receipts.
//!
//! Secrecy (DESIGN.md): within a batch the ballots are inserted in shuffled order with random
//! ids, and the receipts in the audit entry are sorted, so neither the box's physical order
//! nor the entry's order follows the order in which voters cast.

use rand::seq::SliceRandom;
use serde::Serialize;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use super::audit;
use crate::audit::{Actor, EventKind, election_log};
use crate::store::{self, Store, e2e_credentials, polling};

/// The most casts one transaction takes. Bounded so that one commit's latency stays small.
pub const MAX_BATCH: usize = 512;
/// Voters per roll statement on PostgreSQL (SQLite takes the whole batch as one JSON
/// parameter: see `store::polling::mark_roll_many`).
const ROLL_CHUNK: usize = 64;
/// Casts waiting beyond this answer "busy" (503) instead of queueing without bound.
const QUEUE: usize = 8192;

/// How a cast is admitted to the box.
#[derive(Debug, Clone)]
pub enum Admission {
    /// Mark the roll in the same transaction (remote, or a proxy casting in the browser).
    Roll { resident_id: i64, channel: &'static str, proxy_id: Option<i64> },
    /// A booth a clerk unlocked after marking the roll at check-in: take its one ballot.
    Booth { booth_id: i64 },
    /// The voter is known by the keyed hash of their voting code only: the writer finds them on
    /// the roll in the same transaction (one query per chunk of casts, not one per cast).
    Code { hash: Vec<u8>, channel: &'static str },
}

#[derive(Debug, Clone)]
pub struct CastRequest {
    pub election_id: i64,
    pub round_no: i64,
    pub admission: Admission,
    /// The polling station the ballot is counted with (`remote` for the voter's own phone).
    pub station: String,
    /// The ballot in the box encoding (`domain::ballot::encode`, or `domain::e2e::to_content`).
    pub content: String,
    /// An encrypted ballot (issue 18 item 4), already checked: its credential and tracker.
    pub e2e: Option<E2eCast>,
}

/// What the writer needs of an encrypted ballot whose signature and proofs the request handler
/// has checked: the credential it claims (listed, live, once per round) and its tracker.
#[derive(Debug, Clone)]
pub struct E2eCast {
    /// Hex of the credential.
    pub credential: String,
    /// Hex of `EncryptedBallot::tracker()`: the voter's receipt.
    pub tracker: String,
    /// The server encrypted it on the voter's behalf (the no-JavaScript path): counted per batch
    /// in the cast entry, never per voter.
    pub by_server: bool,
}

/// Proof that participation was recorded: the receipt code appears in log entry `index`.
/// It says nothing about what was voted (DESIGN.md: no proof to sell a vote).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Receipt {
    pub receipt: String,
    pub log: String,
    pub index: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This voter already received a ballot in this round, through some channel.
    AlreadyVoted,
    PollsClosed,
    BoothLocked,
    /// The queue is full: try again.
    Busy,
    /// The transaction failed (logged); nothing of the batch was written.
    Failed,
    /// No registered voter of this election holds that voting code.
    UnknownCode,
    /// The ballot's credential is not listed, is revoked, or already cast in this round; or its
    /// ciphertext is already in the box (docs/e2e.md §5).
    Credential,
}

struct Job {
    req: CastRequest,
    reply: oneshot::Sender<Result<Receipt, Refusal>>,
}

/// What a cast needs to know of its election while its polls are open: the frozen plan and the
/// round's ballot. Kept per process for [`CONTEXT_TTL`] so that the cast path reads the voter's
/// code and nothing else. Safe with many servers: whether the round is still open is decided
/// again inside the writer's transaction, and a refusal there drops the cached entry.
#[derive(Debug)]
pub struct CastContext {
    pub election: crate::domain::Election,
    pub poll: crate::store::polling::PollRow,
    pub paper: crate::domain::ballot::BallotPaper,
    pub remote_ok: bool,
    /// `Some` when the round's browser box is encrypted (issue 18; `service::e2e::round`).
    pub e2e: Option<super::e2e::E2eRound>,
}

pub const CONTEXT_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// The credentials of signed-in voters of end-to-end rounds (issue 18 item 4), by session id:
/// the no-JavaScript path's server encrypts and signs for the voter with it. In memory only,
/// never stored; gone at the cast, at a restart, or when too many wait.
type Credentials = std::sync::Mutex<std::collections::HashMap<Vec<u8>, huanjie_crypto::credential::Credential>>;
/// Signed-in sessions whose credential is kept; beyond this the oldest are not told apart and
/// all are dropped (those voters sign in again).
const KEPT_CREDENTIALS: usize = 100_000;

type ContextCache = std::sync::Mutex<std::collections::HashMap<i64, (std::time::Instant, std::sync::Arc<CastContext>)>>;

/// The handle requests use to cast; cheap to clone.
#[derive(Clone)]
pub struct BallotWriter {
    queue: mpsc::Sender<Job>,
    contexts: std::sync::Arc<ContextCache>,
    credentials: std::sync::Arc<Credentials>,
}

impl BallotWriter {
    /// Starts the writer. On SQLite it runs on a thread of its own (a single-threaded runtime):
    /// every statement is a hand-off to sqlx's SQLite worker thread, and the writer must not
    /// wait behind the HTTP tasks of the main runtime to take each answer. On PostgreSQL, whose
    /// connections belong to the main runtime, it is a task there. It stops when the last
    /// handle is dropped.
    pub fn start(store: Store) -> BallotWriter {
        let (queue, rx) = mpsc::channel(QUEUE);
        if matches!(store, Store::Sqlite(_)) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
            match rt {
                Ok(rt) => {
                    let spawned = std::thread::Builder::new()
                        .name("ballot-writer".into())
                        .spawn(move || rt.block_on(async move { run(store.for_writer().await, rx).await }));
                    if let Err(e) = spawned {
                        tracing::error!(error = %e, "cannot start the ballot writer thread");
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "no runtime for the ballot writer thread; using the main one");
                    tokio::spawn(run(store, rx));
                }
            }
        } else {
            tokio::spawn(run(store, rx));
        }
        BallotWriter { queue, contexts: Default::default(), credentials: Default::default() }
    }

    /// Keeps a signed-in voter's credential in memory for their session.
    pub fn keep_credential(&self, session: Vec<u8>, credential: huanjie_crypto::credential::Credential) {
        if let Ok(mut m) = self.credentials.lock() {
            if m.len() >= KEPT_CREDENTIALS {
                m.clear();
            }
            m.insert(session, credential);
        }
    }

    pub fn credential(&self, session: &[u8]) -> Option<huanjie_crypto::credential::Credential> {
        self.credentials.lock().ok()?.get(session).cloned()
    }

    pub fn drop_credential(&self, session: &[u8]) {
        if let Ok(mut m) = self.credentials.lock() {
            m.remove(session);
        }
    }

    pub fn context(&self, election_id: i64) -> Option<std::sync::Arc<CastContext>> {
        let m = self.contexts.lock().ok()?;
        m.get(&election_id).filter(|(at, _)| at.elapsed() < CONTEXT_TTL).map(|(_, c)| c.clone())
    }

    pub fn remember(&self, election_id: i64, ctx: std::sync::Arc<CastContext>) {
        if let Ok(mut m) = self.contexts.lock() {
            m.insert(election_id, (std::time::Instant::now(), ctx));
        }
    }

    pub fn forget(&self, election_id: i64) {
        if let Ok(mut m) = self.contexts.lock() {
            m.remove(&election_id);
        }
    }

    /// Casts one ballot; returns once it is durably in the box, or refused.
    pub async fn cast(&self, req: CastRequest) -> Result<Receipt, Refusal> {
        let (reply, answer) = oneshot::channel();
        self.queue.try_send(Job { req, reply }).map_err(|_| Refusal::Busy)?;
        answer.await.unwrap_or(Err(Refusal::Failed))
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        // Everything that queued up while the previous commit was in flight joins this one:
        // no added wait under light load, big batches under heavy load.
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        commit(&store, &mut batch).await;
    }
}

async fn commit(store: &Store, batch: &mut Vec<Job>) {
    // A stable lock order on the roll (deadlock-free across PostgreSQL nodes).
    batch.sort_by_key(|j| (j.req.election_id, j.req.round_no, admission_key(&j.req.admission)));
    let results = match write(store, batch).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, casts = batch.len(), "ballot batch failed; nothing written");
            vec![Err(Refusal::Failed); batch.len()]
        }
    };
    for (job, result) in batch.drain(..).zip(results) {
        let _ = job.reply.send(result);
    }
}

fn admission_key(a: &Admission) -> (i64, i64) {
    match a {
        Admission::Roll { resident_id, .. } => (0, *resident_id),
        Admission::Booth { booth_id } => (1, *booth_id),
        Admission::Code { .. } => (2, 0),
    }
}

fn voter() -> Actor {
    Actor { user_id: None, username: String::new(), role: "voter".into() }
}

/// A receipt code: 80 random bits, in groups of four hex digits.
fn new_receipt() -> String {
    let raw = hex::encode_upper(rand::random::<[u8; 10]>());
    raw.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

async fn write(store: &Store, jobs: &[Job]) -> store::Result<Vec<Result<Receipt, Refusal>>> {
    let mut results: Vec<Result<Receipt, Refusal>> = vec![Err(Refusal::Failed); jobs.len()];
    let mut tx = store.begin().await?;
    let chunk_size = if matches!(tx, store::Tx::Sqlite(_)) { MAX_BATCH } else { ROLL_CHUNK };
    let mut start = 0;
    while start < jobs.len() {
        let (e, r) = (jobs[start].req.election_id, jobs[start].req.round_no);
        let end = start + jobs[start..].iter().take_while(|j| j.req.election_id == e && j.req.round_no == r).count();
        if !polling::hold_open(&mut tx, e, r).await? {
            results[start..end].fill(Err(Refusal::PollsClosed));
            start = end;
            continue;
        }
        let mut accepted: Vec<usize> = Vec::with_capacity(end - start);
        // Issue 18 item 4: an encrypted ballot first claims its credential (listed, live, once
        // per round) and its tracker, in this transaction; a refused claim takes no roll mark.
        let mut claimed: Vec<usize> = Vec::new();
        for k in start..end {
            if let Some(x) = &jobs[k].req.e2e {
                if e2e_credentials::claim(&mut tx, e, r, &x.credential, &x.tracker).await? {
                    claimed.push(k);
                } else {
                    results[k] = Err(Refusal::Credential);
                }
            }
        }
        let refused = |k: usize| jobs[k].req.e2e.is_some() && !claimed.contains(&k);
        // The roll first: one multi-row conditional insert per chunk; the voters it returns are
        // the ones who got their ballot now (the first cast of a voter within a batch wins).
        let mut rolls: Vec<(usize, i64, &'static str, Option<i64>)> = (start..end)
            .filter(|&k| !refused(k))
            .filter_map(|k| match &jobs[k].req.admission {
                Admission::Roll { resident_id, channel, proxy_id } => Some((k, *resident_id, *channel, *proxy_id)),
                _ => None,
            })
            .collect();
        // Voters known by their code: resolved on the roll here, in chunks.
        let coded: Vec<(usize, &[u8], &'static str)> = (start..end)
            .filter(|&k| !refused(k))
            .filter_map(|k| match &jobs[k].req.admission {
                Admission::Code { hash, channel } => Some((k, hash.as_slice(), *channel)),
                _ => None,
            })
            .collect();
        for chunk in coded.chunks(chunk_size) {
            let hashes: Vec<&[u8]> = chunk.iter().map(|c| c.1).collect();
            let found = polling::voters_by_codes(&mut tx, e, &hashes).await?;
            for &(k, hash, channel) in chunk {
                match found.iter().find(|(h, _)| h.as_slice() == hash) {
                    Some((_, resident)) => rolls.push((k, *resident, channel, None)),
                    None => results[k] = Err(Refusal::UnknownCode),
                }
            }
        }
        rolls.sort_by_key(|r| r.1);
        let mut marked = std::collections::HashSet::new();
        for chunk in rolls.chunks(chunk_size) {
            let rows: Vec<(i64, &str, &str, Option<i64>)> =
                chunk.iter().map(|&(k, r, ch, p)| (r, ch, jobs[k].req.station.as_str(), p)).collect();
            marked.extend(polling::mark_roll_many(&mut tx, e, r, &rows).await?);
        }
        for &(k, resident, _, _) in &rolls {
            if marked.remove(&resident) {
                accepted.push(k);
            } else {
                results[k] = Err(Refusal::AlreadyVoted);
            }
        }
        for (k, job) in jobs.iter().enumerate().take(end).skip(start) {
            if refused(k) {
                continue;
            }
            if let Admission::Booth { booth_id } = &job.req.admission {
                if polling::consume_booth(&mut tx, *booth_id, r).await? {
                    accepted.push(k);
                } else {
                    results[k] = Err(Refusal::BoothLocked);
                }
            }
        }
        for &k in &claimed {
            if !accepted.contains(&k)
                && let Some(x) = &jobs[k].req.e2e
            {
                e2e_credentials::unclaim(&mut tx, e, r, &x.credential).await?;
            }
        }
        if !accepted.is_empty() {
            let mut order = accepted.clone();
            order.shuffle(&mut rand::rng());
            let ballots: Vec<(Vec<u8>, &str, Option<i64>, &str)> = order
                .iter()
                .map(|&k| {
                    (
                        rand::random::<[u8; 16]>().to_vec(),
                        jobs[k].req.station.as_str(),
                        None,
                        jobs[k].req.content.as_str(),
                    )
                })
                .collect();
            polling::drop_ballots(&mut tx, e, r, &ballots).await?;
            // An encrypted ballot's receipt is its tracker (docs/e2e.md §5).
            let codes: Vec<String> = accepted
                .iter()
                .map(|&k| jobs[k].req.e2e.as_ref().map_or_else(new_receipt, |x| x.tracker.clone()))
                .collect();
            let mut listed = codes.clone();
            listed.sort();
            let log = election_log(e);
            let mut payload = json!({"round": r, "ballots": accepted.len(), "receipts": listed});
            let encrypted: Vec<bool> =
                accepted.iter().filter_map(|&k| jobs[k].req.e2e.as_ref().map(|x| x.by_server)).collect();
            if !encrypted.is_empty() {
                let server = encrypted.iter().filter(|b| **b).count();
                payload["encrypted_by"] = json!({"server": server, "voter": encrypted.len() - server});
            }
            let index =
                audit::record(&mut tx, &log, &voter(), EventKind::BallotsCast, &format!("election:{e}"), payload)
                    .await?;
            for (&k, code) in accepted.iter().zip(codes) {
                results[k] = Ok(Receipt { receipt: code, log: log.clone(), index });
            }
        }
        start = end;
    }
    tx.commit().await?;
    Ok(results)
}
