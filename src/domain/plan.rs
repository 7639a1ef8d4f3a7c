//! An election as every layer above the store sees it: parsed once from its row in `store/`,
//! so a stage, kind, profile or station list that does not parse is an error there, never a
//! default here.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{ElectionKind, Stage};
use crate::law::ballot::Channel;
use crate::law::{Method, RuleProfile};

/// A polling station or mobile ballot box with its named supervisors (LAW.md §6 [P]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Station {
    pub name: String,
    #[serde(default)]
    pub mobile: bool,
    #[serde(default)]
    pub supervisors: Vec<String>,
}

/// The voting channels a plan enables (DESIGN.md "Voting channels"), each once, in the order
/// the committee listed them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelSet(Vec<Channel>);

impl ChannelSet {
    pub fn insert(&mut self, c: Channel) {
        if !self.0.contains(&c) {
            self.0.push(c);
        }
    }

    pub fn contains(&self, c: Channel) -> bool {
        self.0.contains(&c)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Channel> + '_ {
        self.0.iter().copied()
    }

    /// The channels' names, as stored and shown (`paper`, `mobile_box`…).
    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(Channel::as_str).collect()
    }

    /// The stored form: names joined by commas.
    pub fn to_stored(&self) -> String {
        self.names().join(",")
    }

    /// Parses the stored form; `None` if a name is not a channel.
    pub fn parse_stored(s: &str) -> Option<ChannelSet> {
        let mut set = ChannelSet::default();
        for name in s.split(',').filter(|n| !n.is_empty()) {
            set.insert(Channel::parse(name)?);
        }
        Some(set)
    }
}

/// The election plan (选举工作方案) as the committee fixed it: frozen once the voter list is
/// published (LAW.md §4).
#[derive(Debug, Clone)]
pub struct Plan {
    pub day: Date,
    pub channels: ChannelSet,
    pub stations: Vec<Station>,
    /// The rule profile as stored with the election (with the remote permission, if any).
    pub profile: RuleProfile,
    /// LAW.md §6: the recorded legal basis for remote casting (empty without the pilot).
    pub remote_legal_basis: String,
}

/// One election (a regular re-election, a by-election or a recall vote).
#[derive(Debug, Clone)]
pub struct Election {
    pub id: i64,
    pub community_id: i64,
    /// The re-election's year, e.g. `2026` (one place only per round, LAW.md §3).
    pub round: String,
    pub kind: ElectionKind,
    pub method: Method,
    pub seats_chair: i64,
    pub seats_vice_chair: i64,
    pub seats_member: i64,
    pub stage: Stage,
    pub plan: Plan,
    pub list_published_on: Option<Date>,
    /// SHA-256 of the voter list as last published.
    pub list_fingerprint: Option<String>,
    pub list_version: i64,
    pub version: i64,
}

impl Election {
    /// Whether the election's log and public pages are open to everyone: from publication of
    /// the voter list on (issue 4).
    pub fn is_public(&self) -> bool {
        self.stage >= Stage::ListPublished
    }

    pub fn is_recall(&self) -> bool {
        self.kind == ElectionKind::Recall
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_round_trip_their_stored_names_and_refuse_others() {
        let set = ChannelSet::parse_stored("paper,mobile_box,proxy,booth,remote,paper").unwrap();
        assert_eq!(set.to_stored(), "paper,mobile_box,proxy,booth,remote");
        assert!(set.contains(Channel::Booth));
        assert_eq!(ChannelSet::parse_stored("").unwrap(), ChannelSet::default());
        assert!(ChannelSet::parse_stored("paper,fax").is_none());
    }
}
