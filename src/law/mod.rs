//! The law engine: the Organic Law of Urban Residents' Committees (2025 revision) and a province's
//! measures as pure functions. No I/O, no async, no global state: every input is an argument and
//! every number comes from a [`RuleProfile`], so a result can be recomputed by anyone.
//!
//! Each rule cites its section of LAW.md and its source tag: **N** (national text), **N?**
//! (national, inferred from the Village Committee Organic Law) or **P** (provincial practice, a
//! profile setting).

pub mod after_vote;
pub mod ballot;
pub mod contest;
pub mod count;
pub mod electorate;
pub mod eligibility;
pub mod fraction;
pub mod group;
pub mod nomination;
pub mod outcome;
pub mod primary;
pub mod profile;
pub mod proxy;
pub mod race;
pub mod recall;
pub mod recount;
pub mod recount_input;
pub mod recusal;
pub mod settings;
pub(crate) mod steps;
pub mod strokes;
pub mod synthetic;
pub mod tally;
pub mod timetable;
pub mod women;

pub use profile::{Fraction, RuleProfile};

use serde::{Deserialize, Serialize};

/// The three posts of a committee (LAW.md §1 [N]: one chair, vice-chair(s), members), in the order
/// in which `separate` counting fills them (LAW.md §7 [P]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    Chair,
    ViceChair,
    Member,
}

impl Post {
    pub const ALL: [Post; 3] = [Post::Chair, Post::ViceChair, Post::Member];

    pub fn index(self) -> usize {
        match self {
            Post::Chair => 0,
            Post::ViceChair => 1,
            Post::Member => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Post::Chair => "chair",
            Post::ViceChair => "vice_chair",
            Post::Member => "member",
        }
    }
}

/// Who casts the ballots (LAW.md §4): the method fixes the electorate and the validity quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Every registered voter (全体有选举权的居民).
    Direct,
    /// One representative per household (每户派代表).
    Household,
    /// Residents' representatives (居民代表).
    Representatives,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Direct => "direct",
            Method::Household => "household",
            Method::Representatives => "representatives",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
}

/// Seats per post for one count (a first round fills the committee; a run-off or re-vote fills
/// what is left).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seats {
    #[serde(default)]
    pub chair: u32,
    #[serde(default)]
    pub vice_chair: u32,
    #[serde(default)]
    pub member: u32,
}

impl Seats {
    pub fn get(&self, post: Post) -> u32 {
        match post {
            Post::Chair => self.chair,
            Post::ViceChair => self.vice_chair,
            Post::Member => self.member,
        }
    }

    pub fn set(&mut self, post: Post, n: u32) {
        match post {
            Post::Chair => self.chair = n,
            Post::ViceChair => self.vice_chair = n,
            Post::Member => self.member = n,
        }
    }

    pub fn total(&self) -> u32 {
        self.chair.saturating_add(self.vice_chair).saturating_add(self.member)
    }
}

/// Dates as `YYYY-MM-DD` in JSON and TOML.
pub mod date_fmt {
    time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");
}
