//! Commit before counting, and reconcile everything (issue 15 items 2 and 3): the byte formats
//! of the commitments the log carries, and the check `huanjie verify` runs over them.
//!
//! Formats (README "Recording and verifying" has the same text):
//! - a **ballot leaf** is `hex(ballot id) ‖ 0x0A ‖ ballot` (the ballot as stored and published,
//!   UTF-8); a box's root is RFC 6962's `MTH` over the leaves sorted by ballot id, and its
//!   `leaves` list names each one as `"<id hex>:<first 16 hex digits of its leaf hash>"`;
//! - a **voter leaf** is `<number>\t<name>\t<group>\t<household>\n` (the published list's line,
//!   numbered from 1 in list order), an **absentee leaf** `absent\t<number>\n`; the list's
//!   fingerprint is the hex of `MTH` over the voter leaves then the absentee leaves.
//!
//! The log commits, at each close of polls (`polls.closed`, `primary.closed`), the browser box
//! and the ballots issued per station and channel; at each `paper_box.accepted`, that box; at
//! each (re-)publication of the voter list, its size and fingerprint. The record carries what
//! the verifier recomputes them from (`reconcile`: the voter leaves, each closed round's boxes
//! and issued counts), never a link between a voter and a ballot.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use serde_json::Value;

use super::merkle::{Hash, leaf_hash, root_from_leaves};

/// The leaf bytes of one ballot.
pub fn ballot_leaf(id_hex: &str, ballot: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(id_hex.len() + 1 + ballot.len());
    v.extend_from_slice(id_hex.as_bytes());
    v.push(b'\n');
    v.extend_from_slice(ballot.as_bytes());
    v
}

/// A box's commitment: its root (base64) and its leaves' names, both over the ballots sorted by
/// id. `ballots` are `(id hex, ballot)`.
pub fn box_commitment(ballots: &[(String, String)]) -> (String, Vec<String>) {
    let mut sorted: Vec<&(String, String)> = ballots.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let hashes: Vec<Hash> = sorted.iter().map(|(id, b)| leaf_hash(&ballot_leaf(id, b))).collect();
    let names = sorted.iter().zip(&hashes).map(|((id, _), h)| format!("{id}:{}", &hex::encode(h)[..16])).collect();
    (B64.encode(root_from_leaves(&hashes)), names)
}

/// Why a box is not the one committed, naming the ballot: compares the committed leaves with
/// the box's own. `Ok` when the roots agree.
pub fn compare_box(committed_root: &str, committed: &[String], ballots: &[(String, String)]) -> Result<(), String> {
    let (root, names) = box_commitment(ballots);
    if root == committed_root {
        return Ok(());
    }
    let split = |s: &String| s.split_once(':').map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or_default();
    let was: BTreeMap<String, String> = committed.iter().map(split).collect();
    let now: BTreeMap<String, String> = names.iter().map(split).collect();
    for (id, h) in &was {
        match now.get(id) {
            None => return Err(format!("ballot {id} is missing")),
            Some(x) if x != h => return Err(format!("ballot {id} was changed")),
            _ => {}
        }
    }
    if let Some(id) = now.keys().find(|id| !was.contains_key(*id)) {
        return Err(format!("ballot {id} was added"));
    }
    Err("its ballots do not hash to the committed root".into())
}

/// One line of the published voter list, as its leaf bytes.
pub fn voter_leaf(number: usize, name: &str, group: Option<i64>, household: Option<&str>) -> String {
    let g = group.map(|g| g.to_string()).unwrap_or_default();
    format!("{number}\t{name}\t{g}\t{}\n", household.unwrap_or_default())
}

/// An absentee notice's leaf bytes (LAW.md §3 [P]: left out of the turnout denominator).
pub fn absentee_leaf(number: usize) -> String {
    format!("absent\t{number}\n")
}

/// The list's fingerprint from its leaf hashes (voters first, then absentees).
pub fn list_fingerprint(voters: &[Hash], absentees: &[Hash]) -> String {
    let all: Vec<Hash> = voters.iter().chain(absentees).copied().collect();
    hex::encode(root_from_leaves(&all))
}

/// What the record carries for the reconciliation (`reconcile` beside the log).
#[derive(Debug, Default, Deserialize)]
pub struct Published {
    #[serde(default)]
    pub voter_list: PublishedList,
    #[serde(default)]
    pub rounds: Vec<PublishedRound>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PublishedList {
    /// Base64 leaf hashes, in list order.
    #[serde(default)]
    pub voters: Vec<String>,
    #[serde(default)]
    pub absentees: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PublishedRound {
    pub round: i64,
    #[serde(default)]
    pub browser: Vec<PublishedBallot>,
    #[serde(default)]
    pub paper: Vec<PublishedPaperBox>,
    #[serde(default)]
    pub issued: Vec<Issued>,
    /// An end-to-end round's mix (docs/e2e.md §8; `audit::e2e_mix`).
    #[serde(default)]
    pub e2e: Option<super::e2e_mix::PublishedMix>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PublishedBallot {
    pub id: String,
    pub ballot: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PublishedPaperBox {
    pub station: String,
    #[serde(default)]
    pub ballots: Vec<PublishedBallot>,
}

/// Ballots issued at a station on a channel (the participation roll's count, never who).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq, Eq)]
pub struct Issued {
    pub station: String,
    pub channel: String,
    pub issued: u64,
}

fn pairs(b: &[PublishedBallot]) -> Vec<(String, String)> {
    b.iter().map(|x| (x.id.clone(), x.ballot.clone())).collect()
}

fn issued_map(v: &[Issued]) -> BTreeMap<(String, String), u64> {
    v.iter().map(|i| ((i.station.clone(), i.channel.clone()), i.issued)).collect()
}

/// Where two issued tables differ, naming the station and channel.
pub fn compare_issued(committed: &[Issued], now: &[Issued]) -> Result<(), String> {
    let (a, b) = (issued_map(committed), issued_map(now));
    for k in a.keys().chain(b.keys()) {
        let (x, y) = (a.get(k).copied().unwrap_or(0), b.get(k).copied().unwrap_or(0));
        if x != y {
            return Err(format!(
                "station {} ({}): the participation roll says {y} ballots issued, the close committed {x}",
                k.0, k.1
            ));
        }
    }
    Ok(())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

/// The paper channels: their ballots are in the station's paper box.
pub const PAPER_CHANNELS: [&str; 3] = ["paper", "mobile_box", "proxy"];

#[derive(Debug, Default)]
struct Closed {
    index: u64,
    issued: Vec<Issued>,
}

/// The ballots issued per station and channel that a close (`polls.closed`,
/// `primary.closed`) commits, read from its payload.
pub fn committed_issued(close: &Value) -> Result<Vec<Issued>, String> {
    serde_json::from_value(close["issued_by"].clone()).map_err(|e| e.to_string())
}

/// `huanjie verify`'s reconciliation, fed each entry in order (like `RecountCheck`), then
/// [`ReconcileCheck::finish`].
#[derive(Debug, Default)]
pub struct ReconcileCheck {
    published: Published,
    /// round → the counted box's text (from the record's `boxes`).
    boxes: HashMap<i64, String>,
    /// (voters, fingerprint, entry) of the latest publication.
    list: Option<(u64, String, u64)>,
    cast: HashMap<i64, u64>,
    closed: HashMap<i64, Closed>,
    /// Lawful outcomes found on the way (returned > issued: LAW.md §6).
    pub outcomes: Vec<String>,
    /// Boxes whose commitments were recomputed.
    pub boxes_checked: usize,
    /// The mix and decryption of end-to-end rounds (issue 18).
    pub e2e: super::e2e_mix::E2eMixCheck,
}

impl ReconcileCheck {
    pub fn from_record(record: &Value) -> ReconcileCheck {
        let published = serde_json::from_value(record["reconcile"].clone()).unwrap_or_default();
        ReconcileCheck { published, boxes: super::recount::record_boxes(record), ..ReconcileCheck::default() }
    }

    fn round(&self, round: i64) -> Result<&PublishedRound, String> {
        self.published
            .rounds
            .iter()
            .find(|r| r.round == round)
            .ok_or_else(|| format!("the record lacks the committed boxes of round {round}"))
    }

    pub fn check(&mut self, index: u64, leaf: &[u8]) -> Result<(), String> {
        let v: Value = serde_json::from_slice(leaf).map_err(|e| e.to_string())?;
        let p = &v["payload"];
        let round = p["round"].as_i64().unwrap_or(0);
        self.e2e.check(v["type"].as_str().unwrap_or(""), p, &self.published)?;
        match v["type"].as_str().unwrap_or("") {
            "voter_list.published" | "voter_list.republished" | "recall.petition_verified" => {
                self.list = Some((p["voters"].as_u64().unwrap_or(0), p["sha256"].as_str().unwrap_or("").into(), index));
            }
            "ballots.cast" => {
                let n = p["ballots"].as_u64().unwrap_or(0);
                if strings(&p["receipts"]).len() as u64 != n {
                    return Err(format!("{n} ballots cast with another number of receipts"));
                }
                *self.cast.entry(round).or_default() += n;
            }
            "polls.closed" | "primary.closed" => self.closed(index, round, p)?,
            "paper_box.accepted" => self.accepted(round, p)?,
            "count.announced" => self.counted(round)?,
            _ => {}
        }
        Ok(())
    }

    fn closed(&mut self, index: u64, round: i64, p: &Value) -> Result<(), String> {
        let root = p["browser_root"].as_str().ok_or_else(|| format!("the close of round {round} commits no box"))?;
        let r = self.round(round)?;
        compare_box(root, &strings(&p["leaves"]), &pairs(&r.browser))
            .map_err(|w| format!("round {round}, the electronic box (committed here at the close): {w}"))?;
        let committed = committed_issued(p)?;
        compare_issued(&committed, &r.issued).map_err(|w| format!("round {round}: {w}"))?;
        let total: u64 = committed.iter().map(|i| i.issued).sum();
        if Some(total) != p["issued"].as_u64() {
            return Err(format!("round {round}: {total} ballots issued by station, {} in all", p["issued"]));
        }
        let browser = r.browser.len() as u64;
        let cast = self.cast.get(&round).copied().unwrap_or(0);
        if p["browser_ballots"].as_u64() != Some(browser) || cast != browser {
            return Err(format!(
                "round {round}: {browser} ballots in the electronic box, {cast} in the log's ballots.cast receipts, {} at the close",
                p["browser_ballots"]
            ));
        }
        self.boxes_checked += 1;
        self.closed.insert(round, Closed { index, issued: committed });
        Ok(())
    }

    fn accepted(&mut self, round: i64, p: &Value) -> Result<(), String> {
        let station = p["station"].as_str().unwrap_or("").to_string();
        let root =
            p["box_root"].as_str().ok_or_else(|| format!("the paper box of {station} is committed without a root"))?;
        let r = self.round(round)?;
        let ballots = r.paper.iter().find(|b| b.station == station).map(|b| pairs(&b.ballots)).unwrap_or_default();
        compare_box(root, &strings(&p["leaves"]), &ballots)
            .map_err(|w| format!("round {round}, the paper box of station {station}: {w}"))?;
        // Ballots issued on paper at the station and the mobile boxes entered with it.
        let mut with = strings(&p["mobile"]);
        with.push(station.clone());
        let issued: u64 = self
            .closed
            .get(&round)
            .map(|c| c.issued.iter())
            .into_iter()
            .flatten()
            .filter(|i| with.contains(&i.station) && PAPER_CHANNELS.contains(&i.channel.as_str()))
            .map(|i| i.issued)
            .sum();
        let returned = ballots.len() as u64;
        if p["returned"].as_u64() != Some(returned) || p["issued"].as_u64() != Some(issued) {
            return Err(format!(
                "round {round}, station {station}: {returned} ballots in the box and {issued} issued on paper; the acceptance says {} and {}",
                p["returned"], p["issued"]
            ));
        }
        if returned > issued {
            // LAW.md §6 [P, CQ Art. 34(5)]: the law's void outcome, not tampering.
            self.outcomes.push(format!(
                "round {round}, station {station}: {returned} ballots returned > {issued} issued: the election is void (LAW.md §6)"
            ));
        }
        self.boxes_checked += 1;
        Ok(())
    }

    /// The counted box holds exactly the committed ballots (the split recomputed from them), the
    /// electorate published, and the ballots issued at the close.
    fn counted(&mut self, round: i64) -> Result<(), String> {
        let bx = self.boxes.get(&round).ok_or_else(|| format!("the box of round {round} is not in the record"))?;
        let head = crate::domain::ballot::PublishedBox::parse(bx).map_err(|e| format!("box of round {round}: {e}"))?;
        let missing = |f: &str| format!("box of round {round}: missing field `{f}`");
        let (electorate, ballots_issued) = (
            head.electorate.ok_or_else(|| missing("electorate"))?,
            head.ballots_issued.ok_or_else(|| missing("ballots_issued"))?,
        );
        let r = self.round(round)?;
        let mut counted: Vec<String> = head.ballots.iter().map(Value::to_string).collect();
        let text = |b: &str| crate::domain::ballot::PublishedBox::ballot_text(b).unwrap_or_default();
        let paper = r.paper.iter().flat_map(|b| b.ballots.iter()).map(|b| text(&b.ballot));
        // An end-to-end round counts its decrypted ballots as the electronic box (`audit::e2e_mix`).
        let electronic: Vec<String> = if self.e2e.is_e2e_round(round) {
            if !self.e2e.decrypted_round(round) {
                return Err(format!("round {round} was counted before k trustees decrypted its encrypted box"));
            }
            r.e2e.as_ref().map(|m| m.decrypted.iter().map(|b| text(b)).collect()).unwrap_or_default()
        } else {
            r.browser.iter().map(|b| text(&b.ballot)).collect()
        };
        let browser_count = electronic.len();
        let mut committed: Vec<String> = electronic.into_iter().chain(paper).collect();
        counted.sort();
        committed.sort();
        if counted != committed {
            return Err(format!(
                "round {round}: the counted box ({} ballots) is not the committed boxes ({} electronic, {} paper)",
                counted.len(),
                browser_count,
                committed.len() - browser_count
            ));
        }
        let closed = self.closed.get(&round).ok_or_else(|| format!("round {round} was counted before its close"))?;
        let issued: u64 = closed.issued.iter().map(|i| i.issued).sum();
        if ballots_issued != issued {
            return Err(format!(
                "round {round}: the box says {ballots_issued} ballots issued; the close (entry {}) committed {issued}",
                closed.index
            ));
        }
        if let Some((voters, _, at)) = &self.list
            && electorate != *voters
        {
            return Err(format!(
                "round {round}: the count's electorate is {electorate}, the voter list published at entry {at} has {voters} voters"
            ));
        }
        Ok(())
    }

    /// What an observer reads after `OK`: the commitments recomputed, and lawful outcomes.
    pub fn print_report(&self) {
        self.e2e.print_report();
        if self.boxes_checked > 0 {
            println!(
                "reconciled {} committed box(es) with the log: roots, ballots issued per station, ballots.cast receipts, the voter list",
                self.boxes_checked
            );
        }
        for o in &self.outcomes {
            println!("OUTCOME: {o}");
        }
    }

    /// After the last entry: the published voter list is the one the log committed to last.
    pub fn finish(&self) -> Result<(), super::verify::VerifyFailure> {
        self.finish_list()
            .and_then(|()| self.e2e.finish(&self.published))
            .map_err(|what| super::verify::VerifyFailure { entry_index: None, checkpoint: None, what })
    }

    fn finish_list(&self) -> Result<(), String> {
        let Some((voters, sha, at)) = &self.list else { return Ok(()) };
        let decode = |v: &[String]| -> Result<Vec<Hash>, String> {
            v.iter()
                .map(|s| {
                    B64.decode(s)
                        .ok()
                        .and_then(|b| <Hash>::try_from(b.as_slice()).ok())
                        .ok_or_else(|| "a voter leaf is not a base64 hash".to_string())
                })
                .collect()
        };
        let list = &self.published.voter_list;
        let (v, a) = (decode(&list.voters)?, decode(&list.absentees)?);
        if v.len() as u64 != *voters || list_fingerprint(&v, &a) != *sha {
            return Err(format!(
                "the published voter list ({} voters) is not the list committed at entry {at} ({voters} voters, fingerprint {sha})",
                v.len()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ballots() -> Vec<(String, String)> {
        vec![("bb".into(), "{\"blank\":true}".into()), ("aa".into(), "{\"chair\":[\"n1\"]}".into())]
    }

    #[test]
    fn a_box_commitment_is_over_ballots_sorted_by_id() {
        let (root, leaves) = box_commitment(&ballots());
        let mut rev = ballots();
        rev.reverse();
        assert_eq!(box_commitment(&rev).0, root);
        assert!(leaves[0].starts_with("aa:") && leaves[1].starts_with("bb:"));
        let h = leaf_hash(b"aa\n{\"chair\":[\"n1\"]}");
        assert_eq!(leaves[0], format!("aa:{}", &hex::encode(h)[..16]));
    }

    #[test]
    fn a_changed_missing_or_added_ballot_is_named() {
        let (root, leaves) = box_commitment(&ballots());
        assert_eq!(compare_box(&root, &leaves, &ballots()), Ok(()));
        let mut b = ballots();
        b[0].1 = "{\"invalid\":true}".into();
        assert_eq!(compare_box(&root, &leaves, &b), Err("ballot bb was changed".into()));
        let b = ballots()[..1].to_vec();
        assert_eq!(compare_box(&root, &leaves, &b), Err("ballot aa is missing".into()));
        let mut b = ballots();
        b.push(("cc".into(), "{}".into()));
        assert_eq!(compare_box(&root, &leaves, &b), Err("ballot cc was added".into()));
    }

    #[test]
    fn issued_tables_name_the_station() {
        let a = vec![Issued { station: "s".into(), channel: "paper".into(), issued: 7 }];
        let b = vec![Issued { station: "s".into(), channel: "paper".into(), issued: 8 }];
        assert!(compare_issued(&a, &a).is_ok());
        let e = compare_issued(&a, &b).expect_err("differs");
        assert!(e.contains("station s (paper)") && e.contains("8") && e.contains("7"), "{e}");
    }
}
