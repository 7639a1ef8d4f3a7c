//! `huanjie verify`, the encrypted ballots' part (issue 18; docs/e2e.md §8): from the record
//! alone, without trusting the server, every encrypted ballot of a closed round's electronic box
//! parses, has the round's shape, carries its credential's signature and a proof for every
//! ciphertext, and is signed by a credential of the published list that is live; one ballot per
//! credential and round, no ciphertext twice; the published list is the one the log committed
//! to last (`e2e.credentials_published`, `e2e.credential_reissued`: its SHA-256 and size).
//!
//! The box is checked at its close entry (`polls.closed`, `primary.closed`), before the
//! reconciliation of the counts, so a ballot stuffed during polling is named as what it is —
//! a ballot of an unlisted credential, a second ballot of one credential, a changed ciphertext —
//! not only as a count that does not add up. A failure names the ballot (its box id and
//! tracker) and the check.

use std::collections::{HashMap, HashSet};

use huanjie_crypto::ballot::{BallotContext, PostShape, Shape};
use serde::Deserialize;
use serde_json::Value;

use crate::store::e2e_credentials::CredentialRow;

#[derive(Debug, Default, Deserialize)]
struct Published {
    #[serde(default)]
    credentials: Vec<CredentialRow>,
    #[serde(default)]
    ceremony: Option<String>,
    #[serde(default)]
    election_key: Option<String>,
    #[serde(default)]
    rounds: Vec<PublishedRound>,
}

#[derive(Debug, Deserialize)]
struct PublishedRound {
    round: i64,
    context_round: String,
    shape: Vec<PublishedPost>,
}

#[derive(Debug, Clone, Deserialize)]
struct PublishedPost {
    post: String,
    candidates: u32,
    seats: u32,
    write_ins: u32,
}

#[derive(Debug, Default)]
pub struct E2eBallotsCheck {
    published: Published,
    /// round → the electronic box as published: (id hex, content).
    boxes: HashMap<i64, Vec<(String, String)>>,
    /// (sha256, size, source, entry) of the latest logged list.
    logged: Option<(String, u64, String, u64)>,
    /// (election key, entry) the ceremony's last check fixed.
    logged_key: Option<(String, u64)>,
    seen_credentials: HashSet<(i64, [u8; 32])>,
    seen_ciphertexts: HashMap<[u8; 32], String>,
    /// Encrypted ballots checked.
    pub checked: usize,
}

impl E2eBallotsCheck {
    pub fn from_record(record: &Value) -> E2eBallotsCheck {
        let r = &record["reconcile"];
        let published = serde_json::from_value(r["e2e"].clone()).unwrap_or_default();
        let mut boxes = HashMap::new();
        for round in r["rounds"].as_array().into_iter().flatten() {
            let n = round["round"].as_i64().unwrap_or(0);
            let rows = round["browser"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| (b["id"].as_str().unwrap_or("").to_string(), b["ballot"].as_str().unwrap_or("").to_string()))
                .collect();
            boxes.insert(n, rows);
        }
        E2eBallotsCheck { published, boxes, ..E2eBallotsCheck::default() }
    }

    /// The per-entry hook (run before the reconciliation's).
    pub fn check(&mut self, index: u64, leaf: &[u8]) -> Result<(), String> {
        let v: Value = serde_json::from_slice(leaf).map_err(|e| e.to_string())?;
        let p = &v["payload"];
        match v["type"].as_str().unwrap_or("") {
            "e2e.credentials_published" | "e2e.credential_reissued" => {
                self.logged = Some((
                    p["sha256"].as_str().unwrap_or("").to_string(),
                    p["size"].as_u64().unwrap_or(0),
                    p["source"].as_str().unwrap_or("").to_string(),
                    index,
                ));
            }
            "e2e.shares_checked" => {
                if let Some(k) = p["election_key"].as_str() {
                    self.logged_key = Some((k.to_string(), index));
                }
            }
            "polls.closed" | "primary.closed" => self.closed(p["round"].as_i64().unwrap_or(0))?,
            _ => {}
        }
        Ok(())
    }

    fn closed(&mut self, round: i64) -> Result<(), String> {
        let rows = self.boxes.get(&round).cloned().unwrap_or_default();
        let encrypted: Vec<&(String, String)> =
            rows.iter().filter(|(_, c)| crate::domain::e2e::is_encrypted(c)).collect();
        if encrypted.is_empty() {
            return Ok(());
        }
        self.list_matches_log()?;
        let at = |id: &str, what: String| format!("round {round}, encrypted ballot {id}: {what}");
        let (ceremony, key) = match (&self.published.ceremony, &self.published.election_key) {
            (Some(c), Some(k)) => (c.clone(), k.clone()),
            _ => return Err(format!("round {round}: encrypted ballots but no election key in the record")),
        };
        if let Some((logged, at)) = &self.logged_key
            && *logged != key
        {
            return Err(format!(
                "round {round}: the record's election key is not the one the ceremony fixed at entry {at}"
            ));
        }
        let key = crate::domain::ceremony::point(&key, "election_key")
            .map_err(|_| format!("round {round}: the record's election key does not decode"))?;
        let pr = self
            .published
            .rounds
            .iter()
            .find(|r| r.round == round)
            .ok_or_else(|| format!("round {round}: the record lacks the round's ballot shape"))?;
        let posts = pr
            .shape
            .iter()
            .map(|p| PostShape {
                post: p.post.clone(),
                candidates: p.candidates,
                seats: p.seats,
                write_ins: p.write_ins,
            })
            .collect();
        let shape = Shape::new(posts).map_err(|e| format!("round {round}: the ballot shape: {e}"))?;
        let ctx = BallotContext { election: ceremony.into_bytes(), round: pr.context_round.clone().into_bytes() };
        let listed: HashMap<&str, &CredentialRow> =
            self.published.credentials.iter().map(|c| (c.credential.as_str(), c)).collect();
        for (id, content) in encrypted {
            let b = match crate::domain::e2e::from_content(content) {
                Some(Ok(b)) => b,
                _ => return Err(at(id, "does not parse as an HJB1 ballot (docs/e2e.md §5)".into())),
            };
            let tracker = hex::encode(b.tracker());
            let at = |what: &str| at(id, format!("(tracker {tracker}) {what}"));
            b.check(&key, &ctx, &shape).map_err(|e| at(&format!("its shape, signature or proof fails: {e}")))?;
            let cred = hex::encode(b.credential);
            match listed.get(cred.as_str()) {
                None => return Err(at(&format!("its credential {cred} is not in the published credential list"))),
                Some(c) if c.status != "live" => return Err(at(&format!("its credential {cred} is revoked"))),
                Some(_) => {}
            }
            if !self.seen_credentials.insert((round, b.credential)) {
                return Err(at(&format!("a second ballot for credential {cred} in this round")));
            }
            for c in &b.ciphertexts {
                let a: [u8; 32] = c.to_bytes()[..32].try_into().unwrap_or([0; 32]);
                if let Some(other) = self.seen_ciphertexts.insert(a, id.clone()) {
                    return Err(at(&format!("repeats a ciphertext of ballot {other}")));
                }
            }
            self.checked += 1;
        }
        Ok(())
    }

    fn list_matches_log(&self) -> Result<(), String> {
        let rows = &self.published.credentials;
        let sha = crate::service::credentials::list_sha256(rows);
        match &self.logged {
            None => Err("encrypted ballots, but the log never published a credential list".into()),
            Some((logged, size, _, at)) if *logged != sha || *size != rows.len() as u64 => Err(format!(
                "the published credential list ({} entries, sha256 {sha}) is not the list logged at entry {at} ({size} entries, sha256 {logged})",
                rows.len()
            )),
            Some(_) => Ok(()),
        }
    }

    /// After the last entry: the published list is the one logged last.
    pub fn finish(&self) -> Result<(), super::verify::VerifyFailure> {
        if self.logged.is_none() && self.published.credentials.is_empty() {
            return Ok(());
        }
        self.list_matches_log().map_err(|what| super::verify::VerifyFailure {
            entry_index: None,
            checkpoint: None,
            what,
        })
    }

    /// What an observer reads after `OK`.
    pub fn print_report(&self) {
        if let Some((_, size, source, _)) = &self.logged {
            let live = self.published.credentials.iter().filter(|c| c.status == "live").count();
            println!(
                "credential list: {size} credentials ({live} live) match the log; {} encrypted ballot(s) checked: shape, signature, proof, listed and live credential, one per credential, no repeated ciphertext",
                self.checked
            );
            if source != "authority" {
                println!("NOTE: credentials generated by the server: stuffing by the operator is not excluded");
            }
        }
    }
}
