//! The ballot box's sum. A ballot is encoded as a multiset of counter indices (almost always a 0/1
//! vector) and a tally only adds such vectors, so an encrypted tally (exponential ElGamal, added
//! homomorphically and decrypted by trustees, DESIGN.md last section) can replace [`PlainTally`]
//! without touching the count: the count reads only the decrypted [`Totals`].

use crate::law::ballot::{self, Ballot, InvalidReason, Verdict};
use crate::law::profile::OvervoteVoids;
use crate::law::{Post, Seats};

const CAST: usize = 0;
const BLANK: usize = 1;
const INVALID_OVERVOTE: usize = 2;
const INVALID_DECLARED: usize = 3;
const PER_POST: usize = 4; // void marks, voided posts, then 2 spare
const FIXED: usize = 4 + 3 * PER_POST;

/// The meaning of every counter for one count: who is on the roster, the seats (for the
/// over-vote rule), and whether carry-down totals are kept (LAW.md §7 [P] `single_carry_down`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub people: usize,
    pub seats: Seats,
    pub overvote: OvervoteVoids,
    pub carry_down: bool,
}

impl Layout {
    pub fn counters(&self) -> usize {
        FIXED + 3 * self.people + if self.carry_down { 2 * self.people } else { 0 }
    }

    fn votes_at(&self, post: Post, person: usize) -> usize {
        FIXED + post.index() * self.people + person
    }

    fn at_or_above_at(&self, post: Post, person: usize) -> Option<usize> {
        match post {
            Post::Chair => Some(self.votes_at(Post::Chair, person)),
            _ if !self.carry_down => None,
            _ => Some(FIXED + (2 + post.index()) * self.people + person),
        }
    }
}

/// Turns ballots into counter vectors; owns scratch space so encoding allocates nothing.
#[derive(Debug, Clone)]
pub struct Encoder {
    layout: Layout,
    scratch: [Vec<u32>; 3],
    union: Vec<u32>,
    out: Vec<u32>,
}

impl Encoder {
    pub fn new(layout: Layout) -> Encoder {
        Encoder { layout, scratch: Default::default(), union: Vec::new(), out: Vec::new() }
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Judge and encode one ballot; returns the verdict and the counters it adds one to.
    /// Marks naming a person outside the roster are counted as ineligible.
    pub fn encode(&mut self, b: &Ballot) -> (Verdict, &[u32]) {
        self.out.clear();
        let verdict = ballot::judge(b, &self.layout.seats, self.layout.overvote, &mut self.scratch);
        self.out.push(CAST as u32);
        match verdict {
            Verdict::Blank => self.out.push(BLANK as u32),
            Verdict::Invalid(InvalidReason::Overvote) => self.out.push(INVALID_OVERVOTE as u32),
            Verdict::Invalid(InvalidReason::DeclaredInvalid) => self.out.push(INVALID_DECLARED as u32),
            Verdict::Valid { voided_posts } => {
                let n = self.layout.people;
                self.union.clear();
                for post in Post::ALL {
                    let k = post.index();
                    let base = (4 + k * PER_POST) as u32;
                    if voided_posts & (1 << k) != 0 {
                        self.out.push(base + 1);
                        continue;
                    }
                    for m in &b.marks[k] {
                        if !matches!(m, ballot::Mark::Person(i) if (*i as usize) < n) {
                            self.out.push(base);
                        }
                    }
                    for &i in &self.scratch[k] {
                        let i = i as usize;
                        if i < n {
                            self.out.push(self.layout.votes_at(post, i) as u32);
                            self.union.push(i as u32);
                        }
                    }
                    // A vote for someone at a higher post is a vote for them here too once
                    // they lose there (LAW.md §7 [P] single_carry_down); counted once per ballot.
                    if self.layout.carry_down && post != Post::Chair {
                        self.union.sort_unstable();
                        self.union.dedup();
                        for &i in &self.union {
                            if let Some(c) = self.layout.at_or_above_at(post, i as usize) {
                                self.out.push(c as u32);
                            }
                        }
                    }
                }
            }
        }
        (verdict, &self.out)
    }
}

/// Something ballots can be added to. The plain tally adds integers; an encrypted one would add
/// ciphertexts and produce [`Totals`] only by decryption.
pub trait Tally {
    fn layout(&self) -> &Layout;
    /// Add one encoded ballot (each index adds one).
    fn add_encoded(&mut self, ones: &[u32]);
}

#[derive(Debug, Clone)]
pub struct PlainTally {
    layout: Layout,
    counters: Vec<u64>,
}

impl PlainTally {
    pub fn new(layout: Layout) -> PlainTally {
        let n = layout.counters();
        PlainTally { layout, counters: vec![0; n] }
    }

    pub fn totals(&self) -> Totals {
        Totals { layout: self.layout.clone(), counters: self.counters.clone() }
    }

    pub fn into_totals(self) -> Totals {
        Totals { layout: self.layout, counters: self.counters }
    }
}

impl Tally for PlainTally {
    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn add_encoded(&mut self, ones: &[u32]) {
        for &i in ones {
            if let Some(c) = self.counters.get_mut(i as usize) {
                *c += 1;
            }
        }
    }
}

/// Tally every ballot of a box in the clear.
pub fn tally_ballots<'a, I: IntoIterator<Item = &'a Ballot>>(layout: Layout, ballots: I) -> Totals {
    let mut enc = Encoder::new(layout.clone());
    let mut t = PlainTally::new(layout);
    for b in ballots {
        let (_, ones) = enc.encode(b);
        t.add_encoded(ones);
    }
    t.into_totals()
}

/// The summed counters of a box, read by the count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    layout: Layout,
    counters: Vec<u64>,
}

impl Totals {
    /// From decrypted or published counters; `None` if their number does not fit the layout.
    pub fn from_counters(layout: Layout, counters: Vec<u64>) -> Option<Totals> {
        (counters.len() == layout.counters()).then_some(Totals { layout, counters })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    fn at(&self, i: usize) -> u64 {
        self.counters.get(i).copied().unwrap_or(0)
    }

    pub fn cast(&self) -> u64 {
        self.at(CAST)
    }
    pub fn blank(&self) -> u64 {
        self.at(BLANK)
    }
    pub fn invalid_overvote(&self) -> u64 {
        self.at(INVALID_OVERVOTE)
    }
    pub fn invalid_declared(&self) -> u64 {
        self.at(INVALID_DECLARED)
    }
    pub fn invalid(&self) -> u64 {
        self.invalid_overvote() + self.invalid_declared()
    }
    /// Marks voided one by one (unreadable, ineligible) on a post.
    pub fn void_marks(&self, post: Post) -> u64 {
        self.at(4 + post.index() * PER_POST)
    }
    /// Ballots whose post was voided by an over-vote (`overvote_voids = post`).
    pub fn voided_posts(&self, post: Post) -> u64 {
        self.at(4 + post.index() * PER_POST + 1)
    }
    pub fn votes(&self, post: Post, person: usize) -> u64 {
        self.at(self.layout.votes_at(post, person))
    }
    /// Ballots marking the person on this post or a higher one (carry-down layouts only).
    pub fn votes_at_or_above(&self, post: Post, person: usize) -> u64 {
        match self.layout.at_or_above_at(post, person) {
            Some(i) => self.at(i),
            None => self.votes(post, person),
        }
    }
    /// Any mark at all on a post (to tell an uncontested post from one nobody voted on).
    pub fn post_marked(&self, post: Post) -> bool {
        self.void_marks(post) > 0
            || self.voided_posts(post) > 0
            || (0..self.layout.people).any(|i| self.votes(post, i) > 0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::law::ballot::Mark;

    fn layout(carry: bool) -> Layout {
        Layout {
            people: 4,
            seats: Seats { chair: 1, vice_chair: 1, member: 2 },
            overvote: OvervoteVoids::Post,
            carry_down: carry,
        }
    }

    #[test]
    fn blank_and_invalid_count_as_cast_n_q() {
        let bs = vec![
            Ballot::blank(),
            Ballot { declared_invalid: true, ..Ballot::default() },
            Ballot::with(Post::Member, &[0, 1]),
        ];
        let t = tally_ballots(layout(false), &bs);
        assert_eq!((t.cast(), t.blank(), t.invalid()), (3, 1, 1));
        assert_eq!(t.votes(Post::Member, 0), 1);
    }

    #[test]
    fn void_marks_and_voided_posts_p() {
        let mut b = Ballot::with(Post::Member, &[0, 1, 2]);
        b.marks[0] = vec![Mark::Unreadable];
        let t = tally_ballots(layout(false), [&b]);
        assert_eq!(t.voided_posts(Post::Member), 1);
        assert_eq!(t.votes(Post::Member, 0), 0);
        assert_eq!(t.void_marks(Post::Chair), 1);
    }

    #[test]
    fn carry_down_counts_each_ballot_once_p() {
        let mut b = Ballot::with(Post::Chair, &[0]);
        b.marks[1] = vec![Mark::Person(0)];
        b.marks[2] = vec![Mark::Person(0), Mark::Person(1)];
        let t = tally_ballots(layout(true), [&b, &Ballot::with(Post::Chair, &[0])]);
        assert_eq!(t.votes_at_or_above(Post::Member, 0), 2);
        assert_eq!(t.votes_at_or_above(Post::ViceChair, 0), 2);
        assert_eq!(t.votes_at_or_above(Post::Member, 1), 1);
        assert_eq!(t.votes(Post::Member, 0), 1);
    }

    #[test]
    fn totals_from_counters_checks_length() {
        let l = layout(false);
        assert!(Totals::from_counters(l.clone(), vec![0; l.counters()]).is_some());
        assert!(Totals::from_counters(l, vec![0; 3]).is_none());
    }
}
