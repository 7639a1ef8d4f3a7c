//! What `huanjie verify` checks of the counts in an election's record (issue 4 item 6, issue 7):
//! each `count.announced` entry names a box by its SHA-256; the record carries that box; the law
//! engine recounts it to a result with the logged SHA-256; and the box holds exactly the
//! ballots the log says went in — the receipts of that round's `ballots.cast` entries for the
//! browser ballots, the accepted paper boxes for the paper ones.

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::ballot::PublishedBox;

/// A record's `boxes`, `[{"round": n, "box": "<the box JSON text>"}]`: round → the box text,
/// as published (read here for both the recount and the reconciliation).
pub(crate) fn record_boxes(record: &Value) -> HashMap<i64, String> {
    record["boxes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| Some((b["round"].as_i64()?, b["box"].as_str()?.to_string())))
        .collect()
}

#[derive(Debug, Default)]
pub struct RecountCheck {
    /// round → the box text, as published.
    boxes: HashMap<i64, String>,
    cast: HashMap<i64, u64>,
    paper: HashMap<i64, u64>,
    /// Rounds recounted so far.
    pub recounted: usize,
}

impl RecountCheck {
    pub fn from_record(record: &Value) -> RecountCheck {
        RecountCheck { boxes: record_boxes(record), ..RecountCheck::default() }
    }

    pub fn check(&mut self, _index: u64, leaf: &[u8]) -> Result<(), String> {
        let v: Value = serde_json::from_slice(leaf).map_err(|e| e.to_string())?;
        let p = &v["payload"];
        let round = p["round"].as_i64().unwrap_or(0);
        match v["type"].as_str().unwrap_or("") {
            "ballots.cast" => *self.cast.entry(round).or_default() += p["ballots"].as_u64().unwrap_or(0),
            "paper_box.accepted" => *self.paper.entry(round).or_default() += p["returned"].as_u64().unwrap_or(0),
            "count.announced" => {
                let bx =
                    self.boxes.get(&round).ok_or_else(|| format!("the box of round {round} is not in the record"))?;
                if hex::encode(Sha256::digest(bx.as_bytes())) != p["box_sha256"].as_str().unwrap_or("") {
                    return Err(format!("the box of round {round} is not the one counted (SHA-256 differs)"));
                }
                // The box's own account of its ballots, read through the published box's type.
                let b = PublishedBox::parse(bx).map_err(|e| format!("box of round {round}: {e}"))?;
                let (browser, paper) =
                    b.comment.map(|c| (c.browser_ballots, c.paper_ballots)).unwrap_or((u64::MAX, u64::MAX));
                let ballots = b.ballots.len() as u64;
                let logged =
                    (self.cast.get(&round).copied().unwrap_or(0), self.paper.get(&round).copied().unwrap_or(0));
                if (browser, paper) != logged || browser + paper != ballots {
                    return Err(format!(
                        "round {round}: the box holds {browser} browser and {paper} paper ballots ({ballots} in all); the log says {} and {}",
                        logged.0, logged.1
                    ));
                }
                let result = crate::law::recount::recount_published(bx, None)
                    .and_then(|r| r.to_published())
                    .map_err(|e| format!("recount of round {round}: {e}"))?;
                if hex::encode(Sha256::digest(result.as_bytes())) != p["result_sha256"].as_str().unwrap_or("") {
                    return Err(format!("recounting round {round} gives another result than the one announced"));
                }
                self.recounted += 1;
            }
            _ => {}
        }
        Ok(())
    }
}
