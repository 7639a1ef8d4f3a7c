//! Deployment secrets: the session key, the HMAC key for voting codes and the Ed25519 key that
//! signs log checkpoints. Read from `HUANJIE_SESSION_KEY`, `HUANJIE_VOTING_CODE_KEY`,
//! `HUANJIE_LOG_KEY` (64 hex digits each) or generated on first start into the data dir with
//! mode 0600. Never logged, never shown.

use std::fmt;
use std::io::Write;
use std::path::Path;

#[derive(Clone)]
pub struct Secrets {
    pub session_key: [u8; 32],
    pub voting_code_key: [u8; 32],
    pub log_key: [u8; 32],
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{0}: expected 64 hex digits")]
    Malformed(String),
    #[error("cannot read or write {0}: {1}")]
    Io(String, std::io::Error),
}

impl Secrets {
    pub fn load_or_create(dir: &Path) -> Result<Secrets, SecretError> {
        std::fs::create_dir_all(dir).map_err(|e| SecretError::Io(dir.display().to_string(), e))?;
        Ok(Secrets {
            session_key: one(dir, "session.key", "HUANJIE_SESSION_KEY")?,
            voting_code_key: one(dir, "voting-code.key", "HUANJIE_VOTING_CODE_KEY")?,
            log_key: one(dir, "log-ed25519.key", "HUANJIE_LOG_KEY")?,
        })
    }

    /// Fresh random secrets (tests).
    pub fn random() -> Secrets {
        Secrets { session_key: rand::random(), voting_code_key: rand::random(), log_key: rand::random() }
    }
}

/// Compares in constant time (the token is a secret).
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn parse_hex(name: &str, s: &str) -> Result<[u8; 32], SecretError> {
    let v = hex::decode(s.trim()).map_err(|_| SecretError::Malformed(name.into()))?;
    v.try_into().map_err(|_| SecretError::Malformed(name.into()))
}

fn one(dir: &Path, file: &str, env: &str) -> Result<[u8; 32], SecretError> {
    if let Ok(v) = std::env::var(env) {
        return parse_hex(env, &v);
    }
    let path = dir.join(file);
    let shown = path.display().to_string();
    match std::fs::read_to_string(&path) {
        Ok(s) => parse_hex(&shown, &s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = rand::random();
            write_private(&path, hex::encode(key).as_bytes()).map_err(|e| SecretError::Io(shown, e))?;
            Ok(key)
        }
        Err(e) => Err(SecretError::Io(shown, e)),
    }
}

/// Creates the file with mode 0600 from the start (no window where others could read it).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_with_private_permissions_then_reread() {
        let dir = std::env::temp_dir().join(format!("huanjie-secrets-{}", rand::random::<u64>()));
        let a = Secrets::load_or_create(&dir).unwrap();
        let b = Secrets::load_or_create(&dir).unwrap();
        assert_eq!(a.session_key, b.session_key);
        assert_ne!(a.session_key, a.log_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("log-ed25519.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(format!("{a:?}"), "Secrets(..)");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
