//! `huanjie witness`: an independent party that cosigns the log's checkpoints after checking
//! that the log only ever grew (a consistency proof from the last checkpoint it cosigned).
//! It keeps its own Ed25519 key and state in its own directory; a forked or shrunk log is
//! refused and reported, and the witness keeps the state it had.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::audit::merkle::Hash;
use crate::audit::note::{Cosigner, NoteVerifier};
use crate::audit::witness::{WitnessRefusal, WitnessState, note_origin, witness_checkpoint};
use crate::net::Http;

pub struct Witness {
    pub dir: PathBuf,
    pub cosigner: Cosigner,
    lock: tokio::sync::Mutex<()>,
}

fn read_or_create_seed(path: &Path) -> Result<[u8; 32], String> {
    match std::fs::read_to_string(path) {
        Ok(s) => {
            let v = hex::decode(s.trim()).map_err(|_| format!("{}: not hex", path.display()))?;
            v.try_into().map_err(|_| format!("{}: expected 32 bytes", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let seed: [u8; 32] = rand::random();
            crate::secrets::write_private(path, hex::encode(seed).as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(seed)
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

impl Witness {
    pub fn open(dir: &Path, name: &str) -> Result<Witness, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let seed = read_or_create_seed(&dir.join("witness-ed25519.key"))?;
        let cosigner = Cosigner::new(name, &seed).map_err(|e| format!("witness name {name:?}: {e:?}"))?;
        Ok(Witness { dir: dir.to_path_buf(), cosigner, lock: tokio::sync::Mutex::new(()) })
    }

    pub fn verifier_key(&self) -> String {
        self.cosigner.verifier_key_string()
    }

    fn state_path(&self, origin: &str) -> PathBuf {
        let safe: String =
            origin.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
        self.dir.join(format!("state-{safe}.json"))
    }

    fn load_state(&self, origin: &str) -> Result<Option<WitnessState>, String> {
        match std::fs::read(self.state_path(origin)) {
            Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| format!("witness state: {e}")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("witness state: {e}")),
        }
    }

    fn save_state(&self, origin: &str, st: &WitnessState) -> Result<(), String> {
        let p = self.state_path(origin);
        let tmp = p.with_extension("tmp");
        let bytes = serde_json::to_vec_pretty(st).map_err(|e| e.to_string())?;
        std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &p).map_err(|e| format!("{}: {e}", p.display()))
    }

    fn latest_path(&self, origin: &str) -> PathBuf {
        self.state_path(origin).with_extension("note")
    }

    /// The latest checkpoint this witness cosigned for `origin`, as a note with its own
    /// cosignature line appended (what `GET /latest?origin=` serves), if any.
    pub fn latest(&self, origin: &str) -> Result<Option<String>, String> {
        match std::fs::read_to_string(self.latest_path(origin)) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("witness latest: {e}")),
        }
    }

    /// C2SP tlog-witness `add-checkpoint`: `old` must be the size this witness last cosigned
    /// for the note's origin (0 if none), `proof` the consistency proof from there. Cosigns,
    /// persists the state (and the cosigned note), and returns the cosignature line. One
    /// request at a time, so two logs' requests cannot interleave a read and a write of state.
    pub async fn add_checkpoint(
        &self,
        log_key: &NoteVerifier,
        old: u64,
        proof: &[Hash],
        note: &str,
        now_secs: u64,
    ) -> Result<String, AddRefusal> {
        let _one = self.lock.lock().await;
        let origin = note_origin(note).ok_or(AddRefusal::Malformed("the checkpoint has no origin line".into()))?;
        let state = self.load_state(&origin).map_err(AddRefusal::Io)?;
        let known = state.as_ref().map_or(0, |s| s.last_size);
        if old != known {
            return Err(AddRefusal::Conflict(known));
        }
        let (line, new_state) = witness_checkpoint(state.as_ref(), log_key, note, proof, &self.cosigner, now_secs)
            .map_err(AddRefusal::Refused)?;
        self.save_state(&origin, &new_state).map_err(AddRefusal::Io)?;
        let mut cosigned = note.to_string();
        cosigned.push_str(&line);
        let p = self.latest_path(&origin);
        let tmp = p.with_extension("tmp");
        std::fs::write(&tmp, cosigned).map_err(|e| AddRefusal::Io(format!("{}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, &p).map_err(|e| AddRefusal::Io(format!("{}: {e}", p.display())))?;
        Ok(line)
    }

    /// One round against `log_url` (e.g. `http://host/api/v1/logs/system`): fetch the
    /// checkpoint, check it grew consistently from what we cosigned, cosign, hand the
    /// cosignature back. Returns the size cosigned.
    pub async fn round(
        &self,
        http: &Http,
        log_url: &str,
        log_key: &NoteVerifier,
        now_secs: u64,
    ) -> Result<u64, String> {
        let note = String::from_utf8(http.get(&format!("{log_url}/checkpoint")).await?)
            .map_err(|_| "checkpoint is not UTF-8".to_string())?;
        let origin = note_origin(&note).ok_or("the checkpoint has no origin line")?;
        let state = self.load_state(&origin)?;
        let new_size: u64 =
            note.lines().nth(1).and_then(|l| l.parse().ok()).ok_or("the checkpoint has no size line")?;
        // The served note carries the cosignatures already kept: the witness signs the log's
        // note alone.
        let note = log_note(&note);
        let proof: Vec<Hash> = match &state {
            Some(s) if s.last_size > 0 && new_size > s.last_size => {
                let body =
                    http.get(&format!("{log_url}/proofs/consistency?from={}&to={new_size}", s.last_size)).await?;
                let v: serde_json::Value =
                    serde_json::from_slice(&body).map_err(|e| format!("consistency proof: {e}"))?;
                v["proof"]
                    .as_array()
                    .ok_or("consistency proof: no proof")?
                    .iter()
                    .map(|h| {
                        let raw = B64.decode(h.as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
                        raw.try_into().map_err(|_| "proof hash is not 32 bytes".to_string())
                    })
                    .collect::<Result<_, String>>()?
            }
            _ => Vec::new(),
        };
        let old = state.as_ref().map_or(0, |s| s.last_size);
        let line = self.add_checkpoint(log_key, old, &proof, &note, now_secs).await.map_err(|r| match r {
            AddRefusal::Refused(r) => format!("REFUSED to cosign {origin} at size {new_size}: {r:?}"),
            other => other.to_string(),
        })?;
        http.post(&format!("{log_url}/cosignatures?size={new_size}"), line).await?;
        Ok(new_size)
    }
}

/// The log's own note: its text and the log's signature lines, without cosignature lines
/// (those start with the em dash too, so: everything up to the first signature line that is
/// not the log's, i.e. the text and the first signature).
fn log_note(served: &str) -> String {
    let Some((text, sigs)) = served.split_once("\n\n") else { return served.to_string() };
    let first = sigs.lines().next().unwrap_or_default();
    format!("{text}\n\n{first}\n")
}

/// Why `add-checkpoint` did not cosign.
#[derive(Debug)]
pub enum AddRefusal {
    /// The caller's `old` is not the size this witness holds (409 with that size).
    Conflict(u64),
    /// The checkpoint is bad or the log misbehaved (shrunk, forked, inconsistent).
    Refused(WitnessRefusal),
    Malformed(String),
    Io(String),
}

impl std::fmt::Display for AddRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Conflict(n) => write!(f, "this witness holds size {n}"),
            Self::Refused(r) => write!(f, "refused: {r}"),
            Self::Malformed(m) => write!(f, "malformed request: {m}"),
            Self::Io(e) => write!(f, "witness state: {e}"),
        }
    }
}

/// Parses a C2SP tlog-witness `add-checkpoint` body: `old N`, proof hashes one per line in
/// base64, a blank line, the signed note.
pub fn parse_add_checkpoint(body: &str) -> Result<(u64, Vec<Hash>, String), String> {
    let (head, note) = body.split_once("\n\n").ok_or("no blank line before the checkpoint")?;
    let mut lines = head.lines();
    let old = lines
        .next()
        .and_then(|l| l.strip_prefix("old "))
        .and_then(|n| n.parse().ok())
        .ok_or("the first line must be `old <size>`")?;
    let proof = lines
        .map(|l| {
            let raw = B64.decode(l.trim()).map_err(|_| format!("proof line {l:?} is not base64"))?;
            raw.try_into().map_err(|_| "proof hash is not 32 bytes".to_string())
        })
        .collect::<Result<Vec<Hash>, String>>()?;
    Ok((old, proof, note.to_string()))
}

/// The witness's HTTP face (`huanjie witness --listen`):
/// - `POST /add-checkpoint` (C2SP tlog-witness): 200 with the cosignature line; 409 with the
///   size it holds (`text/x.tlog.size`) when `old` is another; 403 for a note not signed by
///   the pinned log key; 409 for a shrunk or forked log, 422 for a failed proof; 400 malformed.
/// - `GET /latest?origin=ORIGIN`: the latest checkpoint it cosigned for that log with its
///   cosignature (404 if none) — how `huanjie verify` learns the largest size witnessed.
pub fn router(w: std::sync::Arc<Witness>, log_key: NoteVerifier) -> axum::Router {
    use axum::extract::{Query, State};
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    type St = std::sync::Arc<(std::sync::Arc<Witness>, NoteVerifier)>;

    async fn add(State(st): State<St>, body: String) -> Response {
        let (w, key) = (&st.0, &st.1);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let (old, proof, note) = match parse_add_checkpoint(&body) {
            Ok(x) => x,
            Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
        };
        match w.add_checkpoint(key, old, &proof, &note, now).await {
            Ok(line) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/x.tlog.cosignature")], line).into_response(),
            Err(AddRefusal::Conflict(n)) => {
                (StatusCode::CONFLICT, [(header::CONTENT_TYPE, "text/x.tlog.size")], format!("{n}\n")).into_response()
            }
            Err(AddRefusal::Refused(r)) => {
                tracing::warn!(refusal = %r, "witness refused a checkpoint");
                let status = match r {
                    WitnessRefusal::BadLogSignature(_) | WitnessRefusal::WrongOrigin { .. } => StatusCode::FORBIDDEN,
                    WitnessRefusal::Inconsistent { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                    WitnessRefusal::Cosign(_) => StatusCode::INTERNAL_SERVER_ERROR,
                    WitnessRefusal::Shrunk { .. } | WitnessRefusal::Fork { .. } => StatusCode::CONFLICT,
                };
                (status, r.to_string()).into_response()
            }
            Err(AddRefusal::Malformed(m)) => (StatusCode::BAD_REQUEST, m).into_response(),
            Err(AddRefusal::Io(e)) => {
                tracing::error!(error = %e, "witness state");
                (StatusCode::INTERNAL_SERVER_ERROR, "witness state error").into_response()
            }
        }
    }

    #[derive(serde::Deserialize)]
    struct OriginQ {
        origin: String,
    }

    async fn latest(State(st): State<St>, Query(q): Query<OriginQ>) -> Response {
        match st.0.latest(&q.origin) {
            Ok(Some(note)) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response(),
            Ok(None) => (StatusCode::NOT_FOUND, "nothing cosigned for this origin").into_response(),
            Err(e) => {
                tracing::error!(error = %e, "witness state");
                (StatusCode::INTERNAL_SERVER_ERROR, "witness state error").into_response()
            }
        }
    }

    axum::Router::new()
        .route("/add-checkpoint", post(add))
        .route("/latest", get(latest))
        .with_state(std::sync::Arc::new((w, log_key)))
}

/// Serves [`router`] on `listener` until the task is dropped.
pub async fn serve(
    w: std::sync::Arc<Witness>,
    log_key: NoteVerifier,
    listener: tokio::net::TcpListener,
) -> Result<(), String> {
    axum::serve(listener, router(w, log_key)).await.map_err(|e| e.to_string())
}

/// A `huanjie witness --listen` child process with its own state directory, as a street
/// office or an observer runs one (`huanjie demo` and the crash tests start one). Killed on drop.
pub struct WitnessProcess {
    pub child: std::process::Child,
    /// Base URL, for `HUANJIE_WITNESS_URLS` and `--witness-url`.
    pub url: String,
    /// Verifier key, for `HUANJIE_WITNESS_KEYS` and `--witness`.
    pub key: String,
}

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl WitnessProcess {
    /// Starts `exe witness` for the log `log_key` with its state in `state_dir`.
    pub async fn start(exe: &Path, state_dir: &Path, name: &str, log_key: &str) -> Result<WitnessProcess, String> {
        // The key first: the witness prints it (and creates it on first use).
        let out = std::process::Command::new(exe)
            .arg("witness")
            .arg("--state-dir")
            .arg(state_dir)
            .args(["--name", name])
            .env("HUANJIE_LOG", "warn")
            .output()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        let key = String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("witness key: ").map(str::to_owned))
            .ok_or("the witness printed no key")?;
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let child = std::process::Command::new(exe)
            .arg("witness")
            .arg("--state-dir")
            .arg(state_dir)
            .args(["--name", name, "--log-key", log_key, "--listen", &format!("127.0.0.1:{port}")])
            .env("HUANJIE_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        // Waits for it to listen (up to 30 s): start-up, not a timing assertion.
        for _ in 0..600 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Ok(WitnessProcess { child, url: format!("http://127.0.0.1:{port}"), key });
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Err("the witness did not start listening".into())
    }
}
