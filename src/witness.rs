//! `huanjie witness`: an independent party that cosigns the log's checkpoints after checking
//! that the log only ever grew (a consistency proof from the last checkpoint it cosigned).
//! It keeps its own Ed25519 key and state in its own directory; a forked or shrunk log is
//! refused and reported, and the witness keeps the state it had.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::audit::merkle::Hash;
use crate::audit::note::{Cosigner, NoteVerifier};
use crate::audit::witness::{WitnessState, note_origin, witness_checkpoint};
use crate::net::Http;

pub struct Witness {
    pub dir: PathBuf,
    pub cosigner: Cosigner,
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
        Ok(Witness { dir: dir.to_path_buf(), cosigner })
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
        let (line, new_state) = witness_checkpoint(state.as_ref(), log_key, &note, &proof, &self.cosigner, now_secs)
            .map_err(|r| format!("REFUSED to cosign {origin} at size {new_size}: {r:?}"))?;
        http.post(&format!("{log_url}/cosignatures?size={new_size}"), line).await?;
        self.save_state(&origin, &new_state)?;
        Ok(new_size)
    }
}
