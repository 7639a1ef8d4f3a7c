//! `huanjie verify`'s check of the mix and the threshold decryption of every end-to-end round
//! (issue 18; docs/e2e.md §8, "The record and verification"), fed each log entry in order by
//! `audit::reconcile::ReconcileCheck` with what the record publishes beside the log
//! (`reconcile.rounds[].e2e`, `service::mix::published`). It trusts neither the server nor its
//! tables:
//!
//! 1. the key: from the ceremony entries of the log (`e2e.dealing_posted`, the verdicts of
//!    `e2e.shares_checked`), every qualified dealing is checked (`dkg::check_dealing`) and the
//!    election key Y and every verification key Y_l are recomputed and compared with what the
//!    last check logged;
//! 2. at the close of an end-to-end round, the mix input is recomputed from the published
//!    electronic box (`domain::mix::mix_input`), which the reconciliation has just matched with
//!    the close's commitment;
//! 3. each `e2e.shuffle_posted`: the published output and proof are those the entry's SHA-256s
//!    name, and the proof holds over the previous list (`shuffle::verify_shuffle`);
//! 4. each `e2e.decryption_posted`: the published share is the one logged, it covers the last
//!    shuffle's output, and every Chaum–Pedersen proof holds against the trustee's Y_l;
//! 5. `e2e.decrypted`: the logged trustees' shares combine and decode to exactly the published
//!    decrypted ballots (`domain::mix::decrypt`), whose root is the logged one;
//! 6. the count of the round (`ReconcileCheck`) counted those decrypted ballots with the paper
//!    boxes, and nothing published was left unlogged ([`E2eMixCheck::finish`]).
//!
//! Every failure names the round, the trustee and the step.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine as _;
use huanjie_crypto::dkg::{
    DecryptionShare, ElectionKey, Threshold, check_dealing, check_decryption_share, election_key,
};
use huanjie_crypto::shuffle::{Row, ShuffleProof, rows_from_bytes, verify_shuffle};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::merkle::{leaf_hash, root_from_leaves};
use super::reconcile::Published;
use crate::domain::ballot::BallotPaper;
use crate::domain::ceremony::{DealingMessage, point_hex};
use crate::domain::mix::{DecryptionBoard, ShuffleBoard, decrypt, decryption_context, flatten, mix_context};

/// The RFC 6962 root (base64) of the decrypted ballots in decrypted order, as `e2e.decrypted`
/// logs it and `huanjie verify` recomputes it.
pub fn decrypted_root(ballots: &[String]) -> String {
    let leaves: Vec<_> = ballots.iter().map(|b| leaf_hash(b.as_bytes())).collect();
    base64::engine::general_purpose::STANDARD.encode(root_from_leaves(&leaves))
}

/// What the record publishes of an end-to-end round's mix (`reconcile.rounds[].e2e`).
#[derive(Debug, Clone, Deserialize)]
pub struct PublishedMix {
    pub paper: BallotPaper,
    /// Voter-list number → `r<resident id>` for the numbers decrypted write-ins name.
    #[serde(default)]
    pub write_ins: BTreeMap<String, String>,
    #[serde(default)]
    pub shuffles: Vec<ShuffleBoard>,
    #[serde(default)]
    pub decryptions: Vec<DecryptionBoard>,
    #[serde(default)]
    pub decrypted: Vec<String>,
}

#[derive(Debug, Default)]
struct CeremonyLog {
    ceremony: String,
    n: u32,
    k: u32,
    dealings: BTreeMap<u32, DealingMessage>,
    faulty: BTreeSet<u32>,
}

#[derive(Debug, Clone)]
struct Key {
    ceremony: String,
    threshold: Threshold,
    key: ElectionKey,
}

#[derive(Debug, Default)]
struct RoundState {
    list: Vec<Row>,
    shuffles: usize,
    shares: Vec<DecryptionShare>,
    decrypted: bool,
}

/// The check, fed every entry in order.
#[derive(Debug, Default)]
pub struct E2eMixCheck {
    ceremonies: BTreeMap<i64, CeremonyLog>,
    key: Option<Key>,
    rounds: HashMap<i64, RoundState>,
    /// Shuffle proofs and decryption shares checked, rounds decrypted (for the report).
    pub shuffles_checked: usize,
    pub shares_checked: usize,
    pub rounds_decrypted: usize,
}

fn mix_of(published: &Published, round: i64) -> Option<&PublishedMix> {
    published.rounds.iter().find(|r| r.round == round).and_then(|r| r.e2e.as_ref())
}

fn sha256_of_hex(h: &str) -> Option<String> {
    hex::decode(h).ok().map(|b| hex::encode(Sha256::digest(b)))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

impl E2eMixCheck {
    /// One entry of type `ty` with payload `p`; `published` is what the record carries beside the log.
    pub fn check(&mut self, ty: &str, p: &Value, published: &Published) -> Result<(), String> {
        let round = p["round"].as_i64().unwrap_or(0);
        match ty {
            "e2e.ceremony_opened" => {
                let number = p["number"].as_i64().unwrap_or(0);
                let c = CeremonyLog {
                    ceremony: p["ceremony"].as_str().unwrap_or("").to_string(),
                    n: p["n"].as_u64().unwrap_or(0) as u32,
                    k: p["k"].as_u64().unwrap_or(0) as u32,
                    ..CeremonyLog::default()
                };
                self.ceremonies.insert(number, c);
            }
            "e2e.dealing_posted" => {
                let c = self.ceremony(p)?;
                let trustee = p["trustee"].as_u64().unwrap_or(0) as u32;
                let m: DealingMessage = serde_json::from_value(p["dealing"].clone())
                    .map_err(|e| format!("the key ceremony: trustee {trustee}'s dealing does not parse: {e}"))?;
                c.dealings.insert(trustee, m);
            }
            "e2e.shares_checked" => {
                let c = self.ceremony(p)?;
                for cm in p["complaints"].as_array().into_iter().flatten() {
                    if cm["verdict"] == "dealer" {
                        c.faulty.insert(cm["dealer"].as_u64().unwrap_or(0) as u32);
                    }
                }
                if p["status"] == "done" {
                    self.key = Some(self.fixed_key(p)?);
                }
            }
            "polls.closed" | "primary.closed" => {
                let r = published.rounds.iter().find(|r| r.round == round);
                let mix = r.and_then(|r| r.e2e.as_ref());
                let browser: Vec<(String, String)> =
                    r.map(|r| r.browser.iter().map(|b| (b.id.clone(), b.ballot.clone())).collect()).unwrap_or_default();
                let encrypted = browser.iter().any(|(_, c)| crate::domain::e2e::is_encrypted(c));
                let Some(mix) = mix else {
                    if encrypted {
                        return Err(format!(
                            "round {round}: its electronic box is encrypted, the record publishes no mix"
                        ));
                    }
                    return Ok(());
                };
                if self.key.is_none() {
                    return Err(format!("round {round}: a mix is published but the log fixed no election key"));
                }
                let shape = crate::domain::e2e::shape(&mix.paper).map_err(|e| format!("round {round}: {e}"))?;
                let list =
                    crate::domain::mix::mix_input(browser.iter().map(|(i, c)| (i.clone(), c.as_str())), shape.slots())
                        .map_err(|e| format!("round {round}, the mix input: {e}"))?;
                self.rounds.insert(round, RoundState { list, ..RoundState::default() });
            }
            "e2e.shuffle_posted" => self.shuffled(round, p, published)?,
            "e2e.decryption_posted" => self.decryption(round, p, published)?,
            "e2e.decrypted" => self.decrypted(round, p, published)?,
            _ => {}
        }
        Ok(())
    }

    fn ceremony(&mut self, p: &Value) -> Result<&mut CeremonyLog, String> {
        let number = p["number"].as_i64().unwrap_or(0);
        self.ceremonies.get_mut(&number).ok_or_else(|| format!("the key ceremony {number} was never opened"))
    }

    /// Y and every Y_l recomputed from the qualified dealings in the log, compared with the last
    /// check's `election_key` and `verification_keys`.
    fn fixed_key(&self, p: &Value) -> Result<Key, String> {
        let number = p["number"].as_i64().unwrap_or(0);
        let c = self.ceremonies.get(&number).ok_or_else(|| format!("the key ceremony {number} was never opened"))?;
        let t = Threshold::new(c.n, c.k).map_err(|e| format!("the key ceremony: {e}"))?;
        let mut qualified = Vec::new();
        let mut dealings = Vec::new();
        for (dealer, m) in c.dealings.iter().filter(|(d, _)| !c.faulty.contains(d)) {
            let d = m.parse(*dealer).map_err(|f| format!("the key ceremony: dealing {dealer}: bad {}", f.0))?;
            check_dealing(c.ceremony.as_bytes(), t, &d)
                .map_err(|e| format!("the key ceremony: dealing {dealer}: {e}"))?;
            qualified.push(*dealer);
            dealings.push(d);
        }
        let logged: Vec<u32> =
            p["qualified"].as_array().into_iter().flatten().filter_map(|x| x.as_u64()).map(|x| x as u32).collect();
        if logged != qualified {
            return Err(format!("the key ceremony: the log qualifies dealers {logged:?}, its verdicts {qualified:?}"));
        }
        let refs: Vec<_> = dealings.iter().collect();
        let key = election_key(t, &refs).map_err(|e| format!("the key ceremony: {e}"))?;
        if p["election_key"].as_str() != Some(point_hex(&key.key).as_str()) {
            return Err("the key ceremony: the logged election key is not the one its qualified dealings make".into());
        }
        let ys: Vec<String> = key.verification.iter().map(point_hex).collect();
        if strs(&p["verification_keys"]) != ys {
            return Err("the key ceremony: the logged verification keys are not the ones its dealings make".into());
        }
        Ok(Key { ceremony: c.ceremony.clone(), threshold: t, key })
    }

    fn state(&mut self, round: i64, what: &str) -> Result<(&mut RoundState, Key), String> {
        let key = self.key.clone().ok_or_else(|| format!("round {round}: {what} without an election key"))?;
        let s = self.rounds.get_mut(&round).ok_or_else(|| format!("round {round}: {what} before the polls closed"))?;
        Ok((s, key))
    }

    fn shuffled(&mut self, round: i64, p: &Value, published: &Published) -> Result<(), String> {
        let seq = p["seq"].as_i64().unwrap_or(0);
        let trustee = p["trustee"].as_u64().unwrap_or(0) as u32;
        let step = format!("round {round}, shuffle {seq} by trustee {trustee}");
        let mix = mix_of(published, round).ok_or_else(|| format!("{step}: the record publishes no mix"))?;
        let (s, key) = self.state(round, "a shuffle")?;
        if seq != s.shuffles as i64 + 1 || !s.shares.is_empty() {
            return Err(format!("{step}: out of sequence"));
        }
        let b = mix
            .shuffles
            .iter()
            .find(|x| x.seq == seq)
            .ok_or_else(|| format!("{step}: the record does not publish it"))?;
        if b.trustee != trustee {
            return Err(format!("{step}: the record says trustee {} posted it", b.trustee));
        }
        if sha256_of_hex(&b.output).as_deref() != p["output_sha256"].as_str() {
            return Err(format!("{step}: the published output is not the one the log fixed"));
        }
        if sha256_of_hex(&b.proof).as_deref() != p["proof_sha256"].as_str() {
            return Err(format!("{step}: the published proof is not the one the log fixed"));
        }
        let output = hex::decode(&b.output)
            .ok()
            .and_then(|x| rows_from_bytes(&x).ok())
            .ok_or_else(|| format!("{step}: the output does not parse"))?;
        let proof = hex::decode(&b.proof)
            .ok()
            .and_then(|x| ShuffleProof::from_bytes(&x).ok())
            .ok_or_else(|| format!("{step}: the proof does not parse"))?;
        verify_shuffle(&mix_context(&key.ceremony, round, seq), &key.key.key, &s.list, &output, &proof)
            .map_err(|e| format!("{step}: {e}"))?;
        s.list = output;
        s.shuffles += 1;
        self.shuffles_checked += 1;
        Ok(())
    }

    fn decryption(&mut self, round: i64, p: &Value, published: &Published) -> Result<(), String> {
        let trustee = p["trustee"].as_u64().unwrap_or(0) as u32;
        let step = format!("round {round}, the decryption share of trustee {trustee}");
        let mix = mix_of(published, round).ok_or_else(|| format!("{step}: the record publishes no mix"))?;
        let (s, key) = self.state(round, "a decryption share")?;
        if s.shuffles < key.threshold.k as usize {
            return Err(format!("{step}: posted after {} shuffles, fewer than k = {}", s.shuffles, key.threshold.k));
        }
        if s.decrypted || s.shares.iter().any(|x| x.trustee == trustee) {
            return Err(format!("{step}: out of sequence"));
        }
        let b = mix
            .decryptions
            .iter()
            .find(|x| x.trustee == trustee)
            .ok_or_else(|| format!("{step}: the record does not publish it"))?;
        if sha256_of_hex(&b.share).as_deref() != p["share_sha256"].as_str() {
            return Err(format!("{step}: the published share is not the one the log fixed"));
        }
        let share = hex::decode(&b.share)
            .ok()
            .and_then(|x| DecryptionShare::from_bytes(&x).ok())
            .filter(|d| d.trustee == trustee)
            .ok_or_else(|| format!("{step}: the share does not parse"))?;
        let cts = flatten(&s.list);
        check_decryption_share(&decryption_context(&key.ceremony, round), &key.key, &cts, &share).map_err(
            |j| match j {
                Some(j) => format!("{step}: the proof of ciphertext {j} does not hold against Y_{trustee}"),
                None => format!("{step}: it does not cover the last shuffle's output"),
            },
        )?;
        s.shares.push(share);
        self.shares_checked += 1;
        Ok(())
    }

    fn decrypted(&mut self, round: i64, p: &Value, published: &Published) -> Result<(), String> {
        let step = format!("round {round}, the decryption");
        let mix = mix_of(published, round).ok_or_else(|| format!("{step}: the record publishes no mix"))?;
        let (s, key) = self.state(round, "a decryption")?;
        let used: Vec<u32> =
            p["trustees"].as_array().into_iter().flatten().filter_map(|x| x.as_u64()).map(|x| x as u32).collect();
        let shares: Vec<&DecryptionShare> = s.shares.iter().filter(|x| used.contains(&x.trustee)).collect();
        if shares.len() != used.len() || shares.len() < key.threshold.k as usize {
            return Err(format!(
                "{step}: it names trustees {used:?}, whose checked shares are not k = {}",
                key.threshold.k
            ));
        }
        let shape = crate::domain::e2e::shape(&mix.paper).map_err(|e| format!("{step}: {e}"))?;
        let resident = |n: u32| {
            mix.write_ins.get(&n.to_string()).and_then(|id| id.strip_prefix('r')).and_then(|x| x.parse::<i64>().ok())
        };
        let ballots = decrypt(key.threshold, &mix.paper, &shape, &resident, &s.list, &shares)
            .map_err(|e| format!("{step}: {e}"))?;
        if ballots.len() != mix.decrypted.len() {
            return Err(format!(
                "{step}: the shares decrypt {} ballots, the record publishes {}",
                ballots.len(),
                mix.decrypted.len()
            ));
        }
        if let Some(i) = ballots.iter().zip(&mix.decrypted).position(|(a, b)| a != b) {
            return Err(format!("{step}: decrypted ballot {} is not what the trustees' shares decrypt to", i + 1));
        }
        if p["root"].as_str() != Some(decrypted_root(&mix.decrypted).as_str())
            || p["ballots"].as_u64() != Some(ballots.len() as u64)
        {
            return Err(format!("{step}: the decrypted ballots do not hash to the root the log fixed"));
        }
        s.decrypted = true;
        self.rounds_decrypted += 1;
        Ok(())
    }

    /// Whether the round's count must read the decrypted ballots (an end-to-end round).
    pub fn decrypted_round(&self, round: i64) -> bool {
        self.rounds.get(&round).is_some_and(|s| s.decrypted)
    }

    /// Whether the round's electronic box is encrypted (its close started a mix).
    pub fn is_e2e_round(&self, round: i64) -> bool {
        self.rounds.contains_key(&round)
    }

    /// After the last entry: nothing the record publishes of a mix went unlogged.
    pub fn finish(&self, published: &Published) -> Result<(), String> {
        for (round, s) in &self.rounds {
            let Some(mix) = mix_of(published, *round) else { continue };
            if mix.shuffles.len() != s.shuffles || mix.decryptions.len() != s.shares.len() {
                return Err(format!(
                    "round {round}: the record publishes {} shuffles and {} decryption shares, the log {} and {}",
                    mix.shuffles.len(),
                    mix.decryptions.len(),
                    s.shuffles,
                    s.shares.len()
                ));
            }
            if !mix.decrypted.is_empty() && !s.decrypted {
                return Err(format!("round {round}: the record publishes decrypted ballots the log never fixed"));
            }
        }
        Ok(())
    }

    /// What an observer reads after `OK`.
    pub fn print_report(&self) {
        if self.shuffles_checked + self.shares_checked > 0 {
            println!(
                "end-to-end: {} shuffle proof(s) and {} decryption share(s) checked; {} round(s) decrypted as the log fixed",
                self.shuffles_checked, self.shares_checked, self.rounds_decrypted
            );
        }
    }
}
