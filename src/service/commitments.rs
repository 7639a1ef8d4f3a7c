//! Commit before counting (issue 15 item 2): what the close of a round, the acceptance of a
//! paper box and the publication of the voter list write into the log (the byte formats are
//! `audit::reconcile`'s), and the check at the start of every count that the boxes, the
//! participation roll and the voter list are still exactly what the log committed to.
//!
//! An insider with the database can change a row; they cannot change the signed log. So the
//! count refuses (state untouched) when a row differs from its commitment, and `huanjie verify`
//! finds the same difference from the published record.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Result, ServiceError};
use crate::audit::merkle::{Hash, leaf_hash};
use crate::audit::reconcile::{self as rc, Issued};
use crate::audit::{EventKind, election_log};
use crate::domain::Election;
use crate::store::elections::VoterRow;
use crate::store::polling as pst;
use crate::store::{Store, Tx};

fn refuse(detail: String) -> ServiceError {
    ServiceError::Law {
        code: "box_not_as_committed".into(),
        rule: "LAW.md §6 [N?] (the count reads the boxes committed at the close)".into(),
        detail,
    }
}

/// Issued counts as rows `(station, channel, n)` → the committed form.
pub fn issued(rows: &[(String, String, i64)]) -> Vec<Issued> {
    rows.iter()
        .map(|(s, c, n)| Issued { station: s.clone(), channel: c.clone(), issued: u64::try_from(*n).unwrap_or(0) })
        .collect()
}

fn pairs<'a>(rows: impl Iterator<Item = (&'a [u8], &'a str)>) -> Vec<(String, String)> {
    rows.map(|(id, c)| (hex::encode(id), c.to_string())).collect()
}

/// Adds `more`'s fields to the object `payload`.
pub fn merge(payload: &mut Value, more: Value) {
    if let (Some(p), Value::Object(m)) = (payload.as_object_mut(), more) {
        p.extend(m);
    }
}

/// The fields the close of a round (`polls.closed`, `primary.closed`) adds to its entry: the
/// browser box's root and leaves, and the ballots issued per station and channel. Read in the
/// closing transaction, after the close: nothing can be cast any more.
pub async fn at_close(tx: &mut Tx, election_id: i64, round_no: i64) -> Result<Value> {
    let browser = pst::browser_ballots_tx(tx, election_id, round_no).await?;
    let (root, leaves) = rc::box_commitment(&pairs(browser.iter().map(|(i, c)| (i.as_slice(), c.as_str()))));
    let issued = issued(&pst::turnout(&mut *tx, election_id, round_no).await?);
    Ok(json!({"browser_root": root, "leaves": leaves, "issued_by": issued}))
}

/// A paper box's commitment at acceptance, over the ballots going into it `(id, content)`.
pub fn paper_box(ballots: &[(Vec<u8>, &str)]) -> (String, Vec<String>) {
    rc::box_commitment(&pairs(ballots.iter().map(|(i, c)| (i.as_slice(), *c))))
}

/// The voter list's leaf hashes, in list order (`audit::reconcile` has the bytes).
pub fn list_leaves(roll: &[VoterRow]) -> Vec<Hash> {
    roll.iter()
        .enumerate()
        .map(|(i, v)| {
            leaf_hash(rc::voter_leaf(i + 1, &v.name, v.group_number, v.household_number.as_deref()).as_bytes())
        })
        .collect()
}

/// The absentee notices left out of the turnout denominator (LAW.md §3 [P]): one leaf
/// `absent\t<number>\n` per voter on the list who notified in time (`service::electorate_facts`),
/// by their number on the list. None where the profile leaves the setting off.
pub fn absentee_leaves(roll: &[VoterRow]) -> Vec<Hash> {
    roll.iter()
        .enumerate()
        .filter(|(_, v)| v.absent)
        .map(|(i, _)| leaf_hash(rc::absentee_leaf(i + 1).as_bytes()))
        .collect()
}

/// The voter list's fingerprint: RFC 6962 root over its voter leaves then its absentee leaves.
pub fn fingerprint(roll: &[VoterRow]) -> String {
    rc::list_fingerprint(&list_leaves(roll), &absentee_leaves(roll))
}

/// What the log committed for a round, read back from the election's log.
#[derive(Debug, Default)]
struct Committed {
    close: Option<Value>,
    paper: BTreeMap<String, Value>,
    list: Option<(u64, String)>,
}

async fn committed(store: &Store, election_id: i64, round_no: i64) -> Result<Committed> {
    let rows = crate::store::audit::entries(store, &election_log(election_id), 0, i64::MAX).await?;
    let mut c = Committed::default();
    for r in rows {
        let v: Value = serde_json::from_slice(&r.leaf).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let p = &v["payload"];
        let this_round = p["round"].as_i64() == Some(round_no);
        // Matched by kind (not by name: the event names are the events' own words).
        use EventKind as K;
        match v["type"].as_str().and_then(EventKind::parse) {
            Some(K::VoterListPublished | K::VoterListRepublished | K::RecallVerified) => {
                c.list = Some((p["voters"].as_u64().unwrap_or(0), p["sha256"].as_str().unwrap_or("").to_string()));
            }
            Some(K::PollsClosed | K::PrimaryClosed) if this_round => c.close = Some(p.clone()),
            Some(K::PaperBoxAccepted) if this_round => {
                c.paper.insert(p["station"].as_str().unwrap_or("").to_string(), p.clone());
            }
            _ => {}
        }
    }
    Ok(c)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
}

/// Called at the start of every count: the round's boxes, its participation roll and the
/// voter list are exactly what the log committed (at the close, at each box's acceptance, at
/// the list's last publication); otherwise the count is refused, naming the ballot or station.
pub async fn check_before_count(store: &Store, e: &Election, round_no: i64) -> Result<()> {
    let c = committed(store, e.id, round_no).await?;
    let close = c.close.ok_or_else(|| refuse(format!("round {round_no} has no close in the log")))?;
    let rows = pst::ballot_box(store, e.id, round_no).await?;
    let browser = pairs(rows.iter().filter(|r| r.entry_no.is_none()).map(|r| (r.id.as_slice(), r.content.as_str())));
    rc::compare_box(close["browser_root"].as_str().unwrap_or(""), &strings(&close["leaves"]), &browser)
        .map_err(|w| refuse(format!("the electronic box: {w}")))?;
    let mut by_station: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.entry_no.is_some()) {
        by_station.entry(r.station.as_str()).or_default().push((hex::encode(&r.id), r.content.clone()));
    }
    for (station, p) in &c.paper {
        let ballots = by_station.remove(station.as_str()).unwrap_or_default();
        rc::compare_box(p["box_root"].as_str().unwrap_or(""), &strings(&p["leaves"]), &ballots)
            .map_err(|w| refuse(format!("the paper box of {station}: {w}")))?;
    }
    if let Some((station, _)) = by_station.into_iter().next() {
        return Err(refuse(format!("the paper box of {station} was never accepted")));
    }
    let now = issued(&pst::turnout(store, e.id, round_no).await?);
    let was = rc::committed_issued(&close).map_err(|w| refuse(format!("the close of round {round_no}: {w}")))?;
    rc::compare_issued(&was, &now).map_err(refuse)?;
    if let Some((voters, sha)) = c.list {
        let roll = crate::store::elections::roll(store, e.id).await?;
        if roll.len() as u64 != voters || fingerprint(&roll) != sha {
            return Err(refuse(format!(
                "the voter list holds {} voters, not the {voters} of the list published (fingerprint {sha})",
                roll.len()
            )));
        }
    }
    Ok(())
}
