//! Ballot validity (LAW.md §6): over-votes, blank ballots, unreadable or ineligible marks, and
//! write-ins (另选他人). A ballot here is already resolved against the roster of the count:
//! marks name people by their index in [`crate::law::count::Contest::people`]. Encoding a ballot
//! for the tally lives in [`crate::law::tally`], separate from storage (DESIGN.md, last section).

use crate::law::profile::OvervoteVoids;
use crate::law::{Post, Seats};
use serde::Serialize;

/// One mark on one post of a ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    /// A person of the roster: a candidate of the post, or a write-in (另选他人) of an eligible
    /// voter — the roster only holds people who may be elected.
    Person(u32),
    /// Cannot be read: voids only this mark (LAW.md §6 [P]).
    Unreadable,
    /// Names someone who may not be elected: voids only this mark (LAW.md §6 [P]).
    Ineligible,
}

/// A returned ballot, resolved. `marks[post.index()]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ballot {
    /// Declared invalid by the count for a reason not visible in the marks (e.g. torn apart).
    pub declared_invalid: bool,
    pub marks: [Vec<Mark>; 3],
}

impl Ballot {
    pub fn blank() -> Ballot {
        Ballot::default()
    }

    pub fn with(post: Post, people: &[u32]) -> Ballot {
        let mut b = Ballot::default();
        b.marks[post.index()] = people.iter().map(|&i| Mark::Person(i)).collect();
        b
    }

    pub fn is_blank(&self) -> bool {
        !self.declared_invalid && self.marks.iter().all(Vec::is_empty)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidReason {
    /// LAW.md §6 [P], `overvote_voids = ballot`: more names than seats on a post.
    Overvote,
    DeclaredInvalid,
}

/// What a ballot counts as. Every returned ballot counts as cast (LAW.md §7 [N?]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// LAW.md §6 [P]: a blank ballot is valid and counts as cast.
    Blank,
    Invalid(InvalidReason),
    /// Valid; bit `post.index()` of `voided_posts` is set for posts voided by an over-vote when
    /// `overvote_voids = post`.
    Valid {
        voided_posts: u8,
    },
}

/// Distinct names marked on a post. The same person marked twice is one name: a voter cannot give
/// one person two votes on one post, and LAW.md is silent, so the mark is not held against them.
pub fn names_marked(marks: &[Mark], scratch: &mut Vec<u32>) -> usize {
    scratch.clear();
    let mut other = 0usize;
    for m in marks {
        match m {
            Mark::Person(i) => scratch.push(*i),
            Mark::Unreadable | Mark::Ineligible => other += 1,
        }
    }
    scratch.sort_unstable();
    scratch.dedup();
    scratch.len() + other
}

/// Judge a ballot (LAW.md §6 [P]). `scratch` holds, per post, the distinct people marked (empty
/// for a voided post) for the encoder to use.
pub fn judge(ballot: &Ballot, seats: &Seats, overvote: OvervoteVoids, scratch: &mut [Vec<u32>; 3]) -> Verdict {
    if ballot.declared_invalid {
        return Verdict::Invalid(InvalidReason::DeclaredInvalid);
    }
    if ballot.is_blank() {
        for s in scratch.iter_mut() {
            s.clear();
        }
        return Verdict::Blank;
    }
    let mut voided_posts = 0u8;
    for post in Post::ALL {
        let k = post.index();
        let n = names_marked(&ballot.marks[k], &mut scratch[k]);
        if n > seats.get(post) as usize {
            match overvote {
                OvervoteVoids::Ballot => return Verdict::Invalid(InvalidReason::Overvote),
                OvervoteVoids::Post => {
                    voided_posts |= 1 << k;
                    scratch[k].clear();
                }
            }
        }
    }
    Verdict::Valid { voided_posts }
}

/// Ways a ballot reaches the box (DESIGN.md, LAW.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Paper,
    MobileBox,
    Proxy,
    Booth,
    Remote,
}

impl Channel {
    pub const ALL: [Channel; 5] = [Channel::Paper, Channel::MobileBox, Channel::Proxy, Channel::Booth, Channel::Remote];

    /// The channel's name as stored with the plan and shown on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Paper => "paper",
            Channel::MobileBox => "mobile_box",
            Channel::Proxy => "proxy",
            Channel::Booth => "booth",
            Channel::Remote => "remote",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Why a channel may not be used in an election.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ChannelRefusal {
    /// LAW.md §6: no rule authorises remote internet casting; the profile must allow it with its
    /// legal basis recorded.
    RemoteNotAllowed { rule: &'static str },
    /// LAW.md §6 [P]: a mobile ballot box needs at least this many named supervisors.
    TooFewSupervisors { have: u32, need: u32, rule: &'static str },
}

/// LAW.md §6: may this channel be used? `supervisors` counts the named supervisors of a mobile
/// box (ignored for other channels). `booth` is legally paper in a booth; `remote` needs the
/// profile's permission and recorded basis.
pub fn check_channel(
    channel: Channel,
    supervisors: u32,
    profile: &crate::law::RuleProfile,
) -> Result<(), ChannelRefusal> {
    let v = &profile.voting;
    match channel {
        Channel::Remote if !v.remote_channel_allowed || v.remote_legal_basis.trim().is_empty() => {
            Err(ChannelRefusal::RemoteNotAllowed { rule: "LAW.md §6" })
        }
        Channel::MobileBox if supervisors < v.mobile_box_supervisors => Err(ChannelRefusal::TooFewSupervisors {
            have: supervisors,
            need: v.mobile_box_supervisors,
            rule: "LAW.md §6 [P]",
        }),
        _ => Ok(()),
    }
}

/// LAW.md §6 [P], §7: a write-in (另选他人) naming a listed candidate of the same post is a vote
/// for that candidate, not for "another person": it is stored under the candidate's id, so the
/// count (and `huanjie verify`'s recount of the published box) adds it to the candidate's marks
/// — the same person marked and written in on one ballot is still one name ([`names_marked`]).
/// `candidates`: (resident, candidate id) of the post's ballot lines; `resident`: whom the
/// write-in names. Issue 16 item 6.
pub fn write_in_reads_as<'a>(candidates: impl IntoIterator<Item = (i64, &'a str)>, resident: i64) -> Option<&'a str> {
    candidates.into_iter().find(|(r, _)| *r == resident).map(|(_, id)| id)
}

/// LAW.md §6 [P]: every polling station and mobile ballot box the plan names has at least
/// `mobile_box_supervisors` named supervisors (the profile's number, national default 3).
/// `supervisors` counts the non-blank names. The central election meeting that a plan without
/// a fixed station implies is presided over by the election committee itself (LAW.md §2 [N]).
pub fn check_station_supervisors(supervisors: u32, profile: &crate::law::RuleProfile) -> Result<(), ChannelRefusal> {
    let need = profile.voting.mobile_box_supervisors;
    if supervisors < need {
        return Err(ChannelRefusal::TooFewSupervisors { have: supervisors, need, rule: "LAW.md §6 [P]" });
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn seats() -> Seats {
        Seats { chair: 1, vice_chair: 1, member: 3 }
    }

    fn judged(b: &Ballot, o: OvervoteVoids) -> Verdict {
        let mut s: [Vec<u32>; 3] = Default::default();
        judge(b, &seats(), o, &mut s)
    }

    #[test]
    fn overvote_voids_whole_ballot_by_default_p() {
        let b = Ballot::with(Post::Member, &[1, 2, 3, 4]);
        assert_eq!(judged(&b, OvervoteVoids::Ballot), Verdict::Invalid(InvalidReason::Overvote));
    }

    #[test]
    fn overvote_voids_only_the_post_when_set_p() {
        let mut b = Ballot::with(Post::Member, &[1, 2, 3, 4]);
        b.marks[0] = vec![Mark::Person(0)];
        assert_eq!(judged(&b, OvervoteVoids::Post), Verdict::Valid { voided_posts: 0b100 });
    }

    #[test]
    fn ballot_validity_table_p() {
        let table: Vec<(Ballot, Verdict)> = vec![
            (Ballot::blank(), Verdict::Blank),
            (Ballot { declared_invalid: true, ..Ballot::default() }, Verdict::Invalid(InvalidReason::DeclaredInvalid)),
            (Ballot::with(Post::Member, &[1, 2, 3]), Verdict::Valid { voided_posts: 0 }),
            // the same name twice is one name
            (Ballot::with(Post::Chair, &[1, 1]), Verdict::Valid { voided_posts: 0 }),
            // unreadable marks still count as names for the over-vote rule
            (
                {
                    let mut b = Ballot::with(Post::Chair, &[1]);
                    b.marks[0].push(Mark::Unreadable);
                    b
                },
                Verdict::Invalid(InvalidReason::Overvote),
            ),
            // an unreadable or ineligible mark voids only itself
            (
                {
                    let mut b = Ballot::default();
                    b.marks[2] = vec![Mark::Unreadable, Mark::Ineligible, Mark::Person(2)];
                    b
                },
                Verdict::Valid { voided_posts: 0 },
            ),
        ];
        for (i, (b, want)) in table.into_iter().enumerate() {
            assert_eq!(judged(&b, OvervoteVoids::Ballot), want, "case {i}");
        }
    }

    #[test]
    fn remote_channel_off_nationally_and_mobile_box_needs_3_supervisors_p() {
        let mut p = crate::law::RuleProfile::national();
        assert!(check_channel(Channel::Booth, 0, &p).is_ok());
        assert!(check_channel(Channel::Remote, 0, &p).is_err());
        p.voting.remote_channel_allowed = true;
        assert!(check_channel(Channel::Remote, 0, &p).is_err(), "no legal basis recorded");
        p.voting.remote_legal_basis = "pilot approved by the district".into();
        assert!(check_channel(Channel::Remote, 0, &p).is_ok());
        assert!(check_channel(Channel::MobileBox, 2, &p).is_err());
        assert!(check_channel(Channel::MobileBox, 3, &p).is_ok());
    }

    #[test]
    fn a_write_in_of_a_listed_candidate_reads_as_the_candidate_p() {
        let lines = [(11, "n1"), (12, "n2")];
        assert_eq!(write_in_reads_as(lines, 12), Some("n2"));
        assert_eq!(write_in_reads_as(lines, 13), None);
    }

    #[test]
    fn every_station_and_mobile_box_needs_3_named_supervisors_p() {
        let p = crate::law::RuleProfile::national();
        assert!(check_station_supervisors(0, &p).is_err());
        assert!(check_station_supervisors(2, &p).is_err());
        assert!(check_station_supervisors(3, &p).is_ok());
    }
}
