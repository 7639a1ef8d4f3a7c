//! Parsing the `huanjie count` input (format in [`crate::law::recount`]): the ballots are read
//! in one pass with their ids borrowed from the input, and every error names its field.

use crate::law::{Gender, Post};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// A one-line input error: the field (JSON path) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecountError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for RecountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for RecountError {}

pub(crate) fn err(field: impl Into<String>, message: impl Into<String>) -> RecountError {
    RecountError { field: field.into(), message: message.into() }
}

/// An id borrowed from the input when it has no escapes.
#[derive(Debug)]
pub(crate) struct Id<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id<'a>, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Id<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Id<'a>, E> {
                Ok(Id(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id<'a>, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PerPost<T> {
    #[serde(default)]
    pub(crate) chair: T,
    #[serde(default)]
    pub(crate) vice_chair: T,
    #[serde(default)]
    pub(crate) member: T,
}

impl<T> PerPost<T> {
    pub(crate) fn get(&self, p: Post) -> &T {
        match p {
            Post::Chair => &self.chair,
            Post::ViceChair => &self.vice_chair,
            Post::Member => &self.member,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BallotIn<'a> {
    #[serde(default)]
    pub(crate) blank: bool,
    #[serde(default)]
    pub(crate) invalid: bool,
    #[serde(default, borrow)]
    pub(crate) chair: Vec<Id<'a>>,
    #[serde(default, borrow)]
    pub(crate) vice_chair: Vec<Id<'a>>,
    #[serde(default, borrow)]
    pub(crate) member: Vec<Id<'a>>,
    #[serde(default, borrow)]
    pub(crate) write_ins: Option<Box<PerPost<Vec<Id<'a>>>>>,
    #[serde(default)]
    pub(crate) unreadable: Option<Box<PerPost<u32>>>,
}

impl<'a> BallotIn<'a> {
    pub(crate) fn marks(&self, p: Post) -> &[Id<'a>] {
        match p {
            Post::Chair => &self.chair,
            Post::ViceChair => &self.vice_chair,
            Post::Member => &self.member,
        }
    }
}

pub(crate) struct BallotsSeed;

impl<'de> DeserializeSeed<'de> for BallotsSeed {
    type Value = Vec<BallotIn<'de>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for BallotsSeed {
    type Value = Vec<BallotIn<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ballots: a list of ballots")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
        loop {
            match seq.next_element::<BallotIn<'de>>() {
                Ok(Some(b)) => out.push(b),
                Ok(None) => return Ok(out),
                Err(e) => return Err(de::Error::custom(format!("ballots[{}]: {e}", out.len()))),
            }
        }
    }
}

const FIELDS: [&str; 18] = [
    "method",
    "round",
    "election_day",
    "electorate",
    "notified_absentees",
    "ballots_issued",
    "ballots_returned",
    "seats",
    "candidates",
    "write_in_voters",
    "settled",
    "already_elected",
    "public_count",
    "announced_on_spot",
    "profile",
    "ballots",
    "comment",
    "by_election",
];

pub(crate) struct Top<'a> {
    pub(crate) rest: Map<String, Value>,
    pub(crate) ballots: Option<Vec<BallotIn<'a>>>,
}

pub(crate) struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a ballot box object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let mut top = Top { rest: Map::new(), ballots: None };
        while let Some(key) = map.next_key::<String>()? {
            if !FIELDS.contains(&key.as_str()) {
                return Err(de::Error::custom(format!("{key}: unknown field")));
            }
            if key == "ballots" {
                top.ballots = Some(map.next_value_seed(BallotsSeed)?);
            } else {
                let v: Value = map.next_value()?;
                top.rest.insert(key, v);
            }
        }
        Ok(top)
    }
}

pub(crate) fn field<T: for<'de> Deserialize<'de>>(
    rest: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>, RecountError> {
    match rest.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => T::deserialize(v).map(Some).map_err(|e| err(name, e.to_string())),
    }
}

pub(crate) fn required<T: for<'de> Deserialize<'de>>(rest: &Map<String, Value>, name: &str) -> Result<T, RecountError> {
    field(rest, name)?.ok_or_else(|| err(name, "missing"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CandidateIn {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) gender: Option<Gender>,
    pub(crate) post: Post,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VoterIn {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) gender: Option<Gender>,
}

#[derive(Deserialize)]
pub(crate) struct DateIn(#[serde(with = "crate::law::date_fmt::iso_date")] pub(crate) time::Date);

pub(crate) fn list<T: for<'de> Deserialize<'de>>(
    rest: &Map<String, Value>,
    name: &str,
) -> Result<Vec<T>, RecountError> {
    match rest.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| T::deserialize(v).map_err(|e| err(format!("{name}[{i}]"), e.to_string())))
            .collect(),
        Some(_) => Err(err(name, "expected a list")),
    }
}
