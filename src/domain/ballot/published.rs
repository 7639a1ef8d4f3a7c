//! The published ballot box (DESIGN.md ballot secrecy, README "Recounting a ballot box"): the
//! box the count reads, published after the close and recounted by `huanjie count` and
//! `huanjie verify`. Defined once, here; written by the count (`service::counting`).
//!
//! The published text is [`BallotBox::to_published`]: serde's value form printed compactly,
//! so every object's keys come out sorted. Boxes already published keep their exact bytes.
//!
//! The ballots' ENCODING ([`Ballots`]) is apart from storage and from the box's header: today
//! every box is [`Ballots::Plain`]; an encrypted box (the end-to-end verifiability issue) is an
//! added variant.

use serde::{Deserialize, Serialize};

use crate::law::{Post, RuleProfile};

/// A published box: an election round's (a nomination primary's is one with `primary`), or a
/// recall vote's.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum BallotBox {
    Election(ElectionBox),
    Recall(RecallBox),
}

impl BallotBox {
    /// The published text (sorted keys, compact), the bytes whose SHA-256 the log carries.
    pub fn to_published(&self) -> Result<String, serde_json::Error> {
        Ok(serde_json::to_value(self)?.to_string())
    }
}

/// A published box read back (by `huanjie verify` and the public count): the box's own
/// account of its ballots, the figures the verifier reconciles with the log, and the ballots
/// exactly as published. Read through this one type whatever the kind of box; the recount
/// itself reads the published text (`law::recount::recount_published`).
#[derive(Debug, Clone, Deserialize)]
pub struct PublishedBox {
    #[serde(default)]
    pub comment: Option<BoxComment>,
    #[serde(default)]
    pub electorate: Option<u64>,
    #[serde(default)]
    pub ballots_issued: Option<u64>,
    /// As published (today each one a [`PlainBallot`]; an encrypted box publishes others).
    #[serde(default)]
    pub ballots: Vec<serde_json::Value>,
}

impl PublishedBox {
    pub fn parse(text: &str) -> Result<PublishedBox, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// A ballot's text as a published box carries it (`ballots[i]` printed), from the ballot's
    /// text as the log committed it; `None` when that is no JSON.
    pub fn ballot_text(committed: &str) -> Option<String> {
        serde_json::from_str::<serde_json::Value>(committed).ok().map(|v| v.to_string())
    }
}

/// What the box says of itself for people and for `huanjie verify` (which reconciles the
/// browser and paper figures with the log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxComment {
    pub election: i64,
    /// The stored round number.
    pub round: i64,
    pub browser_ballots: u64,
    pub paper_ballots: u64,
}

/// An election round's box in `huanjie count`'s input format (`law::recount`).
#[derive(Debug, Clone, Serialize)]
pub struct ElectionBox {
    pub comment: BoxComment,
    /// `direct`, `household` or `representatives`.
    pub method: String,
    /// `first`, `runoff` or `revote` (LAW.md §7).
    pub round: String,
    pub election_day: String,
    pub electorate: u64,
    /// Voters who notified in time that they cannot return (LAW.md §3 [P]); the count leaves
    /// them out of the turnout denominator where the profile says so. Absent when none.
    #[serde(skip_serializing_if = "no_absentees")]
    pub notified_absentees: u64,
    pub ballots_issued: u64,
    /// Places per post; posts without seats are left out.
    pub seats: std::collections::BTreeMap<String, u32>,
    pub candidates: Vec<BoxCandidate>,
    /// The voters written in (另选他人), with their gender: the women rule counts them too.
    pub write_in_voters: Vec<BoxPerson>,
    /// Members elected in earlier rounds (or still in office, for a by-election).
    pub already_elected: Vec<BoxPerson>,
    pub public_count: bool,
    pub announced_on_spot: bool,
    pub profile: RuleProfile,
    /// A nomination primary's box (LAW.md §5 [P]).
    #[serde(skip_serializing_if = "is_false")]
    pub primary: bool,
    /// A by-election (补选, LAW.md §9 [N] Art. 18).
    #[serde(skip_serializing_if = "is_false")]
    pub by_election: bool,
    pub ballots: Ballots,
}

/// A recall vote's box (`law::recall::recount_recall_json` reads it).
#[derive(Debug, Clone, Serialize)]
pub struct RecallBox {
    pub recall: RecallOf,
    pub comment: BoxComment,
    pub method: String,
    pub electorate: u64,
    pub ballots_issued: u64,
    pub defence_published: bool,
    pub profile: RuleProfile,
    pub ballots: Ballots,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecallOf {
    pub election: i64,
    /// The member's name as on the ballot.
    pub member: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoxCandidate {
    pub id: String,
    pub name: String,
    pub gender: String,
    pub post: Post,
}

#[derive(Debug, Clone, Serialize)]
pub struct BoxPerson {
    pub id: String,
    pub gender: String,
}

/// The ballots of a box, in the order the public count calls them.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Ballots {
    /// Each ballot readable as marked (paper, booth and browser ballots alike, stage 1).
    Plain(Vec<PlainBallot>),
}

impl Ballots {
    pub fn len(&self) -> usize {
        match self {
            Ballots::Plain(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One ballot as stored and published: `{"chair": [ids], "vice_chair": [ids], "member": [ids],
/// "write_ins": {post: [voter ids]}, "unreadable": {post: n}}`, or `{"blank": true}` /
/// `{"invalid": true}`. Empty parts are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlainBallot {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chair: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vice_chair: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member: Vec<String>,
    /// Voters written in (`r<resident id>`), per post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_ins: Option<PostLists>,
    /// Marks that cannot be read, per post (LAW.md §6 [P]: they void only themselves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<PostCounts>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub blank: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub invalid: bool,
}

impl PlainBallot {
    /// The published text of one ballot (what the box's Merkle leaves hash).
    pub fn to_stored(&self) -> Result<String, serde_json::Error> {
        Ok(serde_json::to_value(self)?.to_string())
    }

    /// The one reader of a ballot's stored text ([`PlainBallot::to_stored`] read back): a part
    /// it does not know is an error, never dropped.
    pub fn from_stored(text: &str) -> Result<PlainBallot, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Every voter written in, on any post.
    pub fn written_in(&self) -> impl Iterator<Item = &String> {
        self.write_ins.iter().flat_map(|w| w.chair.iter().chain(&w.vice_chair).chain(&w.member))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostLists {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chair: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vice_chair: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member: Vec<String>,
}

impl PostLists {
    pub fn get_mut(&mut self, p: Post) -> &mut Vec<String> {
        match p {
            Post::Chair => &mut self.chair,
            Post::ViceChair => &mut self.vice_chair,
            Post::Member => &mut self.member,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostCounts {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub chair: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub vice_chair: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub member: u32,
}

impl PostCounts {
    pub fn get_mut(&mut self, p: Post) -> &mut u32 {
        match p {
            Post::Chair => &mut self.chair,
            Post::ViceChair => &mut self.vice_chair,
            Post::Member => &mut self.member,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn no_absentees(n: &u64) -> bool {
    *n == 0
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The published bytes are those of the `json!` box the count wrote before this type.
    #[test]
    fn published_text_is_the_bytes_of_before() {
        let profile = RuleProfile::national();
        let b: PlainBallot =
            serde_json::from_str(r#"{"chair":["n1"],"write_ins":{"member":["r7"]},"unreadable":{"member":1}}"#)
                .unwrap();
        let blank: PlainBallot = serde_json::from_str(r#"{"blank":true}"#).unwrap();
        let comment = BoxComment { election: 3, round: -100, browser_ballots: 1, paper_ballots: 1 };
        let bx = BallotBox::Election(ElectionBox {
            comment: comment.clone(),
            method: "direct".into(),
            round: "first".into(),
            election_day: "2026-06-14".into(),
            electorate: 10,
            notified_absentees: 0,
            ballots_issued: 2,
            seats: [("chair".to_string(), 1), ("member".to_string(), 2)].into_iter().collect(),
            candidates: vec![BoxCandidate {
                id: "n1".into(),
                name: "王芳".into(),
                gender: "female".into(),
                post: Post::Chair,
            }],
            write_in_voters: vec![BoxPerson { id: "r7".into(), gender: "male".into() }],
            already_elected: vec![],
            public_count: true,
            announced_on_spot: true,
            profile: profile.clone(),
            primary: true,
            by_election: false,
            ballots: Ballots::Plain(vec![b.clone(), blank.clone()]),
        });
        let before = json!({
            "comment": {"election": 3, "round": -100, "browser_ballots": 1, "paper_ballots": 1},
            "method": "direct", "round": "first", "election_day": "2026-06-14", "electorate": 10, "ballots_issued": 2,
            "seats": {"chair": 1, "member": 2},
            "candidates": [{"id": "n1", "name": "王芳", "gender": "female", "post": "chair"}],
            "write_in_voters": [{"id": "r7", "gender": "male"}], "already_elected": [],
            "public_count": true, "announced_on_spot": true, "profile": serde_json::to_value(&profile).unwrap(),
            "ballots": [{"chair": ["n1"], "write_ins": {"member": ["r7"]}, "unreadable": {"member": 1}}, {"blank": true}],
            "primary": true,
        });
        assert_eq!(bx.to_published().unwrap(), before.to_string());
        let recall = BallotBox::Recall(RecallBox {
            recall: RecallOf { election: 3, member: Some("李四".into()) },
            comment,
            method: "direct".into(),
            electorate: 10,
            ballots_issued: 2,
            defence_published: true,
            profile: profile.clone(),
            ballots: Ballots::Plain(vec![blank]),
        });
        let before = json!({
            "recall": {"election": 3, "member": "李四"},
            "comment": before["comment"], "method": "direct", "electorate": 10, "ballots_issued": 2,
            "defence_published": true, "profile": before["profile"], "ballots": [{"blank": true}],
        });
        assert_eq!(recall.to_published().unwrap(), before.to_string());
        assert_eq!(
            b.to_stored().unwrap(),
            r#"{"chair":["n1"],"unreadable":{"member":1},"write_ins":{"member":["r7"]}}"#
        );
    }

    #[test]
    fn a_published_box_reads_back_through_one_type() {
        let text = r#"{"comment":{"election":3,"round":1,"browser_ballots":1,"paper_ballots":0},"electorate":10,"ballots_issued":2,"ballots":[{"blank":true}],"method":"direct"}"#;
        let b = PublishedBox::parse(text).unwrap();
        assert_eq!(b.comment.map(|c| c.browser_ballots), Some(1));
        assert_eq!((b.electorate, b.ballots_issued, b.ballots.len()), (Some(10), Some(2), 1));
        assert!(PublishedBox::parse(r#"{"ballots":3}"#).is_err());
    }

    #[test]
    fn a_stored_ballot_with_an_unknown_part_does_not_read() {
        assert!(PlainBallot::from_stored(r#"{"chair":["n1"],"extra":1}"#).is_err());
        let b = PlainBallot::from_stored(r#"{"chair":["n1"],"unreadable":{"member":1}}"#).unwrap();
        assert_eq!(b.to_stored().unwrap(), r#"{"chair":["n1"],"unreadable":{"member":1}}"#);
    }

    #[test]
    fn a_committed_ballot_reads_as_the_box_prints_it() {
        assert_eq!(
            PublishedBox::ballot_text(r#"{ "member": ["n2"], "chair": ["n1"] }"#).as_deref(),
            Some(r#"{"chair":["n1"],"member":["n2"]}"#)
        );
        assert_eq!(PublishedBox::ballot_text("{not json"), None);
    }
}
