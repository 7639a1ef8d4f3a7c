//! The ballot paper (选票) of one round and what a voter marked on it.
//!
//! A marked ballot is stored in exactly the encoding `huanjie count` reads (README "Recounting a
//! ballot box"): `{"chair": [ids], "vice_chair": [ids], "member": [ids], "write_ins": {post:
//! [voter ids]}, "unreadable": {post: n}}`, or `{"blank": true}` / `{"invalid": true}`. Keeping
//! the encoding here, apart from storage, is what lets an encrypted box replace it later
//! (DESIGN.md, last section).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::law::Post;

mod published;
pub use published::{
    BallotBox, Ballots, BoxCandidate, BoxComment, BoxPerson, ElectionBox, PlainBallot, PostCounts, PostLists,
    PublishedBox, RecallBox, RecallOf,
};

/// The ballot of one round, fixed when the round opens (LAW.md §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BallotPaper {
    pub round_no: i64,
    /// `first`, `runoff` or `revote` (LAW.md §7).
    pub kind: String,
    pub posts: Vec<PostSheet>,
    /// A write-in line (另选他人) per post (LAW.md §6 [P]).
    pub write_ins: bool,
}

impl BallotPaper {
    /// What the log says of a round's ballot when it opens: `(posts, candidates)`, i.e. the
    /// seats per post and the candidate ids per post in ballot order.
    pub fn logged(&self) -> (Value, Value) {
        let seats: Map<String, Value> =
            self.posts.iter().map(|s| (s.post.as_str().to_string(), json!(s.seats))).collect();
        let lists: Map<String, Value> = self
            .posts
            .iter()
            .map(|s| (s.post.as_str().to_string(), json!(s.candidates.iter().map(|c| &c.id).collect::<Vec<_>>())))
            .collect();
        (Value::Object(seats), Value::Object(lists))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PostSheet {
    pub post: Post,
    pub seats: u32,
    /// In list order (surname strokes, LAW.md §5 [P]).
    pub candidates: Vec<CandidateLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CandidateLine {
    /// `n<nomination id>` ([`candidate_id`]): what the box and the count name the candidate by.
    pub id: String,
    pub resident_id: i64,
    pub name: String,
    /// `male`, `female` or empty.
    pub gender: String,
}

/// How the box names a formal candidate: `n<nomination id>`.
pub fn candidate_id(nomination_id: i64) -> String {
    format!("n{nomination_id}")
}

/// How the box names a voter written in (另选他人): `r<resident id>`. The two prefixes keep
/// candidates and written-in voters apart in every count.
pub fn write_in_id(resident_id: i64) -> String {
    format!("r{resident_id}")
}

/// What a voter (or a clerk copying a paper ballot) marked, as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Marks {
    #[serde(default)]
    pub chair: Vec<String>,
    #[serde(default)]
    pub vice_chair: Vec<String>,
    #[serde(default)]
    pub member: Vec<String>,
    /// Names written on the write-in line, per post.
    #[serde(default)]
    pub write_ins: WriteIns,
    /// Paper only: marks that cannot be read, per post (LAW.md §6 [P]: they void only themselves).
    #[serde(default)]
    pub unreadable: WriteInCounts,
    /// Paper only: the count declared the whole ballot invalid.
    #[serde(default)]
    pub invalid: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WriteIns {
    #[serde(default)]
    pub chair: Vec<String>,
    #[serde(default)]
    pub vice_chair: Vec<String>,
    #[serde(default)]
    pub member: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WriteInCounts {
    #[serde(default)]
    pub chair: u32,
    #[serde(default)]
    pub vice_chair: u32,
    #[serde(default)]
    pub member: u32,
}

impl Marks {
    pub fn on(&self, post: Post) -> &[String] {
        match post {
            Post::Chair => &self.chair,
            Post::ViceChair => &self.vice_chair,
            Post::Member => &self.member,
        }
    }
    pub fn written_in(&self, post: Post) -> &[String] {
        match post {
            Post::Chair => &self.write_ins.chair,
            Post::ViceChair => &self.write_ins.vice_chair,
            Post::Member => &self.write_ins.member,
        }
    }
    pub fn unreadable_on(&self, post: Post) -> u32 {
        match post {
            Post::Chair => self.unreadable.chair,
            Post::ViceChair => self.unreadable.vice_chair,
            Post::Member => self.unreadable.member,
        }
    }
}

/// Why a submitted ballot cannot be taken, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotError {
    #[error("{field}: not a candidate of this post")]
    UnknownCandidate { field: String },
    #[error("{field}: more names than seats")]
    TooManyNames { field: String, seats: u32 },
    #[error("{field}: this ballot has no write-in line")]
    NoWriteIns { field: String },
    #[error("{field}: a name is 1 to 50 characters")]
    BadName { field: String },
    #[error("{field}: this post is not on the ballot")]
    NoSuchPost { field: String },
}

impl BallotError {
    pub fn field(&self) -> &str {
        match self {
            BallotError::UnknownCandidate { field }
            | BallotError::TooManyNames { field, .. }
            | BallotError::NoWriteIns { field }
            | BallotError::BadName { field }
            | BallotError::NoSuchPost { field } => field,
        }
    }
}

/// Where the ballot comes from: a browser ballot is checked as it is filled, so it cannot carry
/// more names than seats; a paper ballot is copied as marked and judged by the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Browser,
    Paper,
}

/// Marks checked against the paper, write-in names still unresolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedMarks {
    pub marks: Marks,
}

impl BallotPaper {
    pub fn sheet(&self, post: Post) -> Option<&PostSheet> {
        self.posts.iter().find(|s| s.post == post)
    }

    /// Checks marks against this paper (LAW.md §6): candidates of the post only, each once;
    /// write-ins only where the paper has the line; for browser ballots, no more names than seats.
    pub fn check(&self, marks: &Marks, source: Source) -> Result<CheckedMarks, BallotError> {
        let mut out = marks.clone();
        for post in Post::ALL {
            let field = post.as_str();
            let chosen = marks.on(post);
            let written = marks.written_in(post);
            let Some(sheet) = self.sheet(post) else {
                if !chosen.is_empty() || !written.is_empty() || marks.unreadable_on(post) > 0 {
                    return Err(BallotError::NoSuchPost { field: field.into() });
                }
                continue;
            };
            let mut ids: Vec<String> = Vec::with_capacity(chosen.len());
            for (i, id) in chosen.iter().enumerate() {
                if !sheet.candidates.iter().any(|c| &c.id == id) {
                    return Err(BallotError::UnknownCandidate { field: format!("{field}[{i}]") });
                }
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            let mut names: Vec<String> =
                written.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
            if !names.is_empty() && !self.write_ins {
                return Err(BallotError::NoWriteIns { field: format!("write_ins.{field}") });
            }
            if let Some(i) = names.iter().position(|n| n.chars().count() > 50) {
                return Err(BallotError::BadName { field: format!("write_ins.{field}[{i}]") });
            }
            // Issue 15 item 5 (LAW.md §6 (N?) secret ballot): the box keeps marks in list
            // order, never in the order the voter clicked them — an order of the voter's own
            // choosing would be a signature a buyer could ask for.
            ids.sort_by_key(|id| sheet.candidates.iter().position(|c| &c.id == id));
            names.sort();
            let total = ids.len() + names.len();
            if source == Source::Browser && total > sheet.seats as usize {
                return Err(BallotError::TooManyNames { field: field.into(), seats: sheet.seats });
            }
            match post {
                Post::Chair => (out.chair, out.write_ins.chair) = (ids, names),
                Post::ViceChair => (out.vice_chair, out.write_ins.vice_chair) = (ids, names),
                Post::Member => (out.member, out.write_ins.member) = (ids, names),
            }
        }
        if source == Source::Browser {
            out.unreadable = WriteInCounts::default();
            out.invalid = false;
        }
        Ok(CheckedMarks { marks: out })
    }
}

/// A write-in name resolved against the roll: the voter's id, or None (unreadable or not an
/// eligible voter: LAW.md §6 [P], that mark alone is void).
pub type Resolved = Option<String>;

/// The stored encoding of a ballot ([`PlainBallot`]); `resolve` maps each write-in name to a
/// voter id.
pub fn encode(m: &CheckedMarks, mut resolve: impl FnMut(Post, &str) -> Resolved) -> String {
    let m = &m.marks;
    let mut b = PlainBallot::default();
    if m.invalid {
        b.invalid = true;
    } else {
        let (mut write_ins, mut unreadable) = (PostLists::default(), PostCounts::default());
        for post in Post::ALL {
            let ids = m.on(post).to_vec();
            match post {
                Post::Chair => b.chair = ids,
                Post::ViceChair => b.vice_chair = ids,
                Post::Member => b.member = ids,
            }
            let mut unread = m.unreadable_on(post);
            for name in m.written_in(post) {
                match resolve(post, name) {
                    Some(id) => write_ins.get_mut(post).push(id),
                    None => unread += 1,
                }
            }
            // Voters written in, in one canonical order too (issue 15 item 5).
            write_ins.get_mut(post).sort_by(|a, b| canonical_write_in(a).cmp(&canonical_write_in(b)));
            *unreadable.get_mut(post) = unread;
        }
        b.write_ins = Some(write_ins).filter(|w| *w != PostLists::default());
        b.unreadable = Some(unreadable).filter(|u| *u != PostCounts::default());
        b.blank = b == PlainBallot::default();
    }
    // A plain ballot always serialises (strings and numbers only).
    b.to_stored().unwrap_or_default()
}

/// The canonical order of voters written in: by resident id (`r<id>`), numerically.
fn canonical_write_in(id: &str) -> (Option<i64>, &str) {
    (id.strip_prefix('r').and_then(|n| n.parse().ok()), id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_stored_in_list_order_whatever_the_click_order_issue_15_item_5() {
        let clicked = Marks {
            member: vec!["5".into(), "3".into()],
            write_ins: WriteIns { chair: vec!["赵六".into(), "王五".into()], ..WriteIns::default() },
            ..Marks::default()
        };
        let in_order = Marks {
            member: vec!["3".into(), "5".into()],
            write_ins: WriteIns { chair: vec!["王五".into(), "赵六".into()], ..WriteIns::default() },
            ..Marks::default()
        };
        let id = |_: Post, n: &str| Some(if n == "王五" { "r10".to_string() } else { "r9".to_string() });
        let a = encode(&paper().check(&clicked, Source::Paper).unwrap(), id);
        let b = encode(&paper().check(&in_order, Source::Paper).unwrap(), id);
        assert_eq!(a, b);
        assert_eq!(a, r#"{"member":["3","5"],"write_ins":{"chair":["r9","r10"]}}"#);
        // A browser ballot the same way (it may not over-vote, so without the write-ins).
        let browser = Marks { member: vec!["5".into(), "3".into()], ..Marks::default() };
        let c = encode(&paper().check(&browser, Source::Browser).unwrap(), id);
        assert_eq!(c, r#"{"member":["3","5"]}"#);
    }

    fn paper() -> BallotPaper {
        let line = |id: &str| CandidateLine { id: id.into(), resident_id: 1, name: id.into(), gender: String::new() };
        BallotPaper {
            round_no: 1,
            kind: "first".into(),
            posts: vec![
                PostSheet { post: Post::Chair, seats: 1, candidates: vec![line("1"), line("2")] },
                PostSheet { post: Post::Member, seats: 2, candidates: vec![line("3"), line("4"), line("5")] },
            ],
            write_ins: true,
        }
    }

    #[test]
    fn browser_ballot_may_not_name_more_than_seats_law_6_p() {
        let m = Marks { member: vec!["3".into(), "4".into()], ..Marks::default() };
        let mut over = m.clone();
        over.write_ins.member = vec!["李四".into()];
        assert!(paper().check(&m, Source::Browser).is_ok());
        assert_eq!(
            paper().check(&over, Source::Browser),
            Err(BallotError::TooManyNames { field: "member".into(), seats: 2 })
        );
        // A paper over-vote is copied as marked: the count voids it (LAW.md §6 [P]).
        assert!(paper().check(&over, Source::Paper).is_ok());
    }

    #[test]
    fn candidates_of_another_post_or_no_post_are_refused() {
        let m = Marks { chair: vec!["3".into()], ..Marks::default() };
        assert_eq!(paper().check(&m, Source::Browser).unwrap_err().field(), "chair[0]");
        let m = Marks { vice_chair: vec!["1".into()], ..Marks::default() };
        assert_eq!(paper().check(&m, Source::Browser).unwrap_err().field(), "vice_chair");
    }

    #[test]
    fn encoding_is_what_huanjie_count_reads() {
        let m = Marks {
            chair: vec!["1".into(), "1".into()],
            write_ins: WriteIns { member: vec!["王五".into(), "无名".into()], ..WriteIns::default() },
            ..Marks::default()
        };
        let c = paper().check(&m, Source::Browser).unwrap();
        let s = encode(&c, |_, n| (n == "王五").then(|| "77".to_string()));
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v, json!({"chair": ["1"], "write_ins": {"member": ["77"]}, "unreadable": {"member": 1}}));
        let blank = paper().check(&Marks::default(), Source::Browser).unwrap();
        assert_eq!(encode(&blank, |_, _| None), r#"{"blank":true}"#);
        let inv = paper().check(&Marks { invalid: true, ..Marks::default() }, Source::Paper).unwrap();
        assert_eq!(encode(&inv, |_, _| None), r#"{"invalid":true}"#);
    }

    #[test]
    fn write_ins_need_the_line() {
        let mut p = paper();
        p.write_ins = false;
        let m =
            Marks { write_ins: WriteIns { chair: vec!["王五".into()], ..WriteIns::default() }, ..Marks::default() };
        assert_eq!(p.check(&m, Source::Browser).unwrap_err().field(), "write_ins.chair");
    }
}
