#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

//! Tests of `count.rs` (and through it `women.rs`): every void reason, every `next` outcome, and
//! the properties issue 3 asks for.

use super::*;
use crate::law::ballot::{Ballot, Mark};
use crate::law::profile::{OvervoteVoids, WomenSeat};
use crate::law::tally::tally_ballots;
use crate::law::women::WomenStatus;
use crate::law::{Gender, Method, Seats};
use proptest::prelude::*;
use time::macros::date;

/// c0,c1 chair; c2,c3 vice-chair; c4..c8 members; c4 and c7 women.
fn contest() -> Contest {
    let posts = [
        Post::Chair,
        Post::Chair,
        Post::ViceChair,
        Post::ViceChair,
        Post::Member,
        Post::Member,
        Post::Member,
        Post::Member,
        Post::Member,
    ];
    Contest {
        method: Method::Direct,
        round: Round::First,
        electorate: 10,
        notified_absentees: 0,
        ballots_issued: 10,
        ballots_returned: None,
        seats: Seats { chair: 1, vice_chair: 1, member: 3 },
        people: posts
            .iter()
            .enumerate()
            .map(|(i, &p)| Person {
                id: format!("c{i}"),
                name: String::new(),
                gender: Some(if i == 4 || i == 7 { Gender::Female } else { Gender::Male }),
                stands_for: Some(p),
            })
            .collect(),
        settled: Default::default(),
        already_elected: Vec::new(),
        public_count: true,
        announced_on_spot: true,
        election_day: Some(date!(2026 - 06 - 14)),
    }
}

fn ballot(ch: &[u32], vc: &[u32], m: &[u32]) -> Ballot {
    let p = |v: &[u32]| v.iter().map(|&i| Mark::Person(i)).collect();
    Ballot { declared_invalid: false, marks: [p(ch), p(vc), p(m)] }
}

fn run(c: &Contest, bs: &[Ballot], profile: &RuleProfile) -> CountResult {
    count(c, &tally_ballots(c.layout(profile), bs), profile)
}

fn good(n: usize) -> Vec<Ballot> {
    vec![ballot(&[0], &[2], &[4, 5, 6]); n]
}

#[test]
fn quorum_more_than_half_of_voters_n_q() {
    let p = RuleProfile::national();
    let c = contest();
    assert_eq!(run(&c, &good(5), &p).void_reasons, vec![VoidReason::QuorumMissed]);
    assert!(run(&c, &good(6), &p).valid);
}

#[test]
fn quorum_representatives_two_thirds_n_q() {
    let p = RuleProfile::national();
    let mut c = contest();
    c.method = Method::Representatives;
    c.electorate = 9;
    assert!(!run(&c, &good(6), &p).valid); // 6/9 is not more than 2/3
    assert!(run(&c, &good(7), &p).valid);
    c.method = Method::Household;
    assert!(run(&c, &good(5), &p).valid); // 5/9 > 1/2
}

#[test]
fn notified_absentees_leave_the_denominator_when_set_p() {
    let mut p = RuleProfile::national();
    let mut c = contest();
    c.notified_absentees = 2;
    assert!(!run(&c, &good(5), &p).valid);
    p.registration.exclude_notified_absentees = true;
    let r = run(&c, &good(5), &p);
    assert!(r.valid, "{r:?}");
    assert_eq!(r.notified_absentees_excluded, 2);
}

#[test]
fn void_reasons_each_p_cq_art_34() {
    let p = RuleProfile::national();
    let table: Vec<(Box<dyn Fn(&mut Contest)>, VoidReason)> = vec![
        (Box::new(|c| c.ballots_issued = 5), VoidReason::ReturnedExceedsIssued),
        (Box::new(|c| c.ballots_returned = Some(7)), VoidReason::TotalsDoNotReconcile),
        (Box::new(|c| c.people[1].stands_for = Some(Post::Member)), VoidReason::MarginBroken),
        (Box::new(|c| c.public_count = false), VoidReason::NoPublicCount),
        (Box::new(|c| c.announced_on_spot = false), VoidReason::NotAnnouncedOnSpot),
    ];
    for (edit, reason) in table {
        let mut c = contest();
        edit(&mut c);
        let r = run(&c, &good(6), &p);
        assert_eq!(r.void_reasons, vec![reason]);
        assert!(r.elected.is_empty());
        assert!(
            matches!(&r.next[..], [Next::Rerun { within_days: 30, by: Some(d), .. }] if *d == date!(2026 - 07 - 14))
        );
    }
}

#[test]
fn blank_and_invalid_ballots_count_as_cast_n_q() {
    let p = RuleProfile::national();
    let c = contest();
    // 4 votes of 8 cast is not more than half when blank and invalid ballots count.
    let mut bs = good(4);
    bs.push(Ballot::blank());
    bs.push(Ballot::blank());
    bs.push(Ballot { declared_invalid: true, ..Ballot::default() });
    bs.push(ballot(&[0, 1], &[], &[]));
    let r = run(&c, &bs, &p);
    assert_eq!((r.ballots_cast, r.blank_ballots, r.invalid_ballots, r.valid_ballots), (8, 2, 2, 6));
    assert!(r.elected.is_empty());
}

#[test]
fn overvote_post_only_keeps_other_posts_p() {
    let mut p = RuleProfile::national();
    p.voting.overvote_voids = OvervoteVoids::Post;
    let c = contest();
    let bs = vec![ballot(&[0], &[2], &[4, 5, 6, 7]); 6];
    let r = run(&c, &bs, &p);
    assert_eq!(r.invalid_ballots, 0);
    assert_eq!(r.posts[2].voided_by_overvote, 6);
    assert_eq!(r.elected.len(), 2);
}

#[test]
fn next_nothing_revote_runoff_vacancy_n_p() {
    let p = RuleProfile::national();
    let c = contest();
    assert_eq!(run(&c, &good(6), &p).next, vec![Next::Nothing]);
    // tie at the cut-off
    let mut bs = vec![ballot(&[0], &[2], &[4, 5, 6]); 2];
    bs.extend(vec![ballot(&[0], &[2], &[4, 5, 7]); 2]);
    bs.extend(vec![ballot(&[0], &[2], &[4, 6, 7]); 2]);
    let r = run(&c, &bs, &p);
    assert!(r.next.contains(&Next::Revote {
        post: Post::Member,
        candidates: vec!["c5".into(), "c6".into(), "c7".into()],
        seats: 2,
        women_only: false
    }));
    // unfilled → run-off with more candidates than seats; the four tied at 0 all stand, since
    // a lot may not pick three of them
    let bs = vec![ballot(&[0], &[2], &[4]); 6];
    let r = run(&c, &bs, &p);
    assert!(
        matches!(&r.next[..], [Next::Runoff { post: Post::Member, seats: 2, candidates, .. }] if candidates.len() == 4)
    );
    let mut bs = vec![ballot(&[0], &[2], &[4, 5]); 6];
    bs[0] = ballot(&[0], &[2], &[4, 6]);
    let r = run(&c, &bs, &p);
    assert!(
        matches!(&r.next[..], [Next::Runoff { post: Post::Member, seats: 1, candidates, .. }] if candidates == &vec!["c6".to_string(), "c7".to_string(), "c8".to_string()]),
        "{:?}",
        r.next
    );
    // a run-off round short of a third → vacancy with a by-election deadline
    let mut c2 = contest();
    c2.round = Round::Runoff;
    c2.seats = Seats { chair: 0, vice_chair: 0, member: 1 };
    c2.people.truncate(8);
    for x in c2.people.iter_mut().take(4) {
        x.stands_for = None;
    }
    // c7, a woman, was elected in the first round: the women rule is met.
    c2.people[7].stands_for = None;
    c2.already_elected = vec![7];
    let mut bs = vec![ballot(&[], &[], &[4]); 3];
    bs.extend(vec![ballot(&[], &[], &[5]); 3]);
    bs.extend(vec![ballot(&[], &[], &[6]); 3]);
    bs.extend(vec![Ballot::blank(); 1]);
    let r = run(&c2, &bs, &p);
    assert_eq!(
        r.next,
        vec![Next::Vacancy {
            post: Post::Member,
            seats: 1,
            women_only: false,
            byelection_within_months: 3,
            byelection_by: Some(date!(2026 - 09 - 14))
        }]
    );
}

#[test]
fn women_rule_reserve_highest_warn_p() {
    let c = contest();
    // men only elected: c5 c6 c8 members; women c4 (2 votes) and c7 (1 vote)
    let mut bs = vec![ballot(&[0], &[2], &[5, 6, 8]); 4];
    bs.push(ballot(&[0], &[2], &[5, 6]));
    bs.push(ballot(&[0], &[2], &[4, 7]));
    bs.push(ballot(&[0], &[2], &[4, 5]));
    let mut p = RuleProfile::national();
    let r = run(&c, &bs, &p);
    assert_eq!(r.women_rule.status, WomenStatus::SeatReserved);
    assert!(r.next.iter().any(|n| matches!(n, Next::Runoff { women_only: true, seats: 1, candidates, .. } if candidates == &vec!["c4".to_string(), "c7".to_string()])));
    assert_eq!(r.elected.len(), 4);
    p.counting.women_seat = WomenSeat::HighestWoman;
    let r = run(&c, &bs, &p);
    assert_eq!(r.women_rule.status, WomenStatus::WomanSeated);
    assert_eq!(r.women_rule.woman.as_deref(), Some("c4"));
    assert!(r.elected.iter().any(|e| e.id == "c4"));
    p.counting.women_seat = WomenSeat::Warn;
    let r = run(&c, &bs, &p);
    assert_eq!(r.women_rule.status, WomenStatus::Warning);
    assert_eq!(r.next, vec![Next::Nothing]);
    p.committee.woman_required = false;
    assert_eq!(run(&c, &bs, &p).women_rule.status, WomenStatus::NotRequired);
}

#[test]
fn women_rule_displaced_men_tied_go_to_revote_p() {
    let c = contest();
    // c5 6, c6 5, c8 5: lowest men tied → re-vote between them for one seat
    let mut bs = vec![ballot(&[0], &[2], &[5, 6, 8]); 5];
    bs.push(ballot(&[0], &[2], &[5, 4]));
    let r = run(&c, &bs, &RuleProfile::national());
    assert!(r.next.iter().any(|n| matches!(n, Next::Revote { seats: 1, candidates, .. } if candidates == &vec!["c6".to_string(), "c8".to_string()])));
}

#[test]
fn election_won_by_bribery_is_annulled_by_election_follows_n() {
    let p = RuleProfile::national();
    let r = run(&contest(), &good(6), &p);
    let n = annul_election_of(&r, "c5", &p, Some(date!(2026 - 06 - 20)));
    assert_eq!(
        n,
        Some(Next::Vacancy {
            post: Post::Member,
            seats: 1,
            women_only: false,
            byelection_within_months: 3,
            byelection_by: Some(date!(2026 - 09 - 20))
        })
    );
    assert_eq!(annul_election_of(&r, "c8", &p, None), None);
}

#[test]
fn women_rule_takes_the_tied_seat_first_p() {
    let mut c = contest();
    c.people[7].gender = Some(Gender::Male);
    // c5 7, c6 5, c7 and c8 tied at 4 for the last seat, no woman elected: the tied seat is kept
    // for a woman and both tied men lose it without a lot.
    let mut bs = vec![ballot(&[0], &[2], &[5, 6, 7]); 3];
    bs.extend(vec![ballot(&[0], &[2], &[5, 6, 8]); 2]);
    bs.push(ballot(&[0], &[2], &[5, 7, 8]));
    bs.push(ballot(&[0], &[2], &[5, 8]));
    let r = run(&c, &bs, &RuleProfile::national());
    let m = &r.posts[2];
    assert_eq!(m.elected, vec!["c5".to_string(), "c6".to_string()], "{r:?}");
    assert!(m.tied.is_empty());
    assert_eq!(r.women_rule.status, WomenStatus::SeatReserved);
    assert_eq!(r.women_rule.displaced, vec!["c7".to_string(), "c8".to_string()]);
    assert!(r.next.iter().all(|n| !matches!(n, Next::Revote { .. })));
    // only one woman stands: no 差额 for a women-only run-off, so a by-election
    assert!(r.next.iter().any(|n| matches!(n, Next::Vacancy { women_only: true, seats: 1, .. })));
}

#[test]
fn a_tally_kept_elsewhere_counts_the_same() {
    // What an encrypted tally would do: add each ballot's 0/1 vector, hand back the sums.
    use crate::law::tally::{Encoder, Totals};
    let p = RuleProfile::national();
    let c = contest();
    let mut bs = good(5);
    bs.push(ballot(&[1], &[3], &[7, 8]));
    bs.push(Ballot::blank());
    let layout = c.layout(&p);
    let mut enc = Encoder::new(layout.clone());
    let mut sums = vec![0u64; layout.counters()];
    for b in &bs {
        let (_, ones) = enc.encode(b);
        let mut dense = vec![0u64; layout.counters()];
        for &i in ones {
            dense[i as usize] += 1;
        }
        for (s, d) in sums.iter_mut().zip(dense) {
            *s += d;
        }
    }
    let totals = Totals::from_counters(layout, sums).unwrap();
    assert_eq!(count(&c, &totals, &p), run(&c, &bs, &p));
}

// ---- properties -------------------------------------------------------------------------

fn arb_ballot() -> impl Strategy<Value = Ballot> {
    (
        prop::collection::vec(0u32..2, 0..3),
        prop::collection::vec(2u32..4, 0..3),
        prop::collection::vec(4u32..9, 0..5),
        0u8..20,
    )
        .prop_map(|(a, b, m, k)| {
            if k == 0 {
                return Ballot::blank();
            }
            ballot(&a, &b, &m)
        })
}

fn warn_profile(order: usize) -> RuleProfile {
    let mut p = RuleProfile::national();
    p.counting.women_seat = WomenSeat::Warn;
    p.counting.post_order = [PostOrder::Separate, PostOrder::SingleCarryDown, PostOrder::MembersFirst][order % 3];
    p
}

fn big(c: &mut Contest, n: usize) {
    c.electorate = n as u64;
    c.ballots_issued = n as u64;
}

fn votes_of(r: &CountResult, post: Post, id: &str) -> u64 {
    r.posts
        .iter()
        .find(|p| p.post == post)
        .and_then(|p| p.tally.iter().find(|t| t.id == id))
        .map(|t| t.votes)
        .unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_more_elected_than_seats(bs in prop::collection::vec(arb_ballot(), 1..40), order in 0usize..3, ov in any::<bool>()) {
        let mut p = warn_profile(order);
        if ov { p.voting.overvote_voids = OvervoteVoids::Post; }
        let mut c = contest();
        big(&mut c, bs.len());
        let r = run(&c, &bs, &p);
        prop_assert!(r.elected.len() as u32 <= c.seats.total());
        for post in &r.posts {
            prop_assert!(post.elected.len() as u32 <= post.seats);
        }
    }

    #[test]
    fn every_elected_meets_the_threshold_of_its_round(bs in prop::collection::vec(arb_ballot(), 1..40), order in 0usize..3, runoff in any::<bool>()) {
        let p = warn_profile(order);
        let mut c = contest();
        big(&mut c, bs.len());
        if runoff { c.round = Round::Runoff; }
        let r = run(&c, &bs, &p);
        for post in &r.posts {
            if let Some(need) = post.votes_needed {
                for id in &post.elected {
                    let v = votes_of(&r, post.post, id);
                    prop_assert!(v >= need && v > 0, "{id} {v} < {need}");
                    if runoff { prop_assert!(3 * v >= r.ballots_cast); } else { prop_assert!(2 * v > r.ballots_cast); }
                }
            }
        }
    }

    #[test]
    fn result_does_not_depend_on_ballot_order(bs in prop::collection::vec(arb_ballot(), 1..40), seed in any::<u64>(), order in 0usize..3) {
        let p = warn_profile(order);
        let mut c = contest();
        big(&mut c, bs.len());
        let mut shuffled = bs.clone();
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(run(&c, &bs, &p), run(&c, &shuffled, &p));
    }

    #[test]
    fn adding_a_vote_to_an_elected_candidate_never_unelects(bs in prop::collection::vec(arb_ballot(), 1..40), pick in any::<prop::sample::Index>(), order in 0usize..2) {
        let p = warn_profile(order);
        let mut c = contest();
        big(&mut c, bs.len());
        let r = run(&c, &bs, &p);
        if r.elected.is_empty() { return Ok(()); }
        let e = &r.elected[pick.index(r.elected.len())];
        let person = c.people.iter().position(|x| x.id == e.id).unwrap_or(0) as u32;
        let k = e.post.index();
        // A valid ballot with room on that post and no mark for them gets one.
        let mut more = bs.clone();
        let seats = c.seats.get(e.post) as usize;
        let Some(b) = more.iter_mut().find(|b| {
            let mut s: [Vec<u32>; 3] = Default::default();
            matches!(crate::law::ballot::judge(b, &c.seats, p.voting.overvote_voids, &mut s), crate::law::ballot::Verdict::Valid { voided_posts: 0 })
                && b.marks[k].len() < seats && !b.marks[k].contains(&Mark::Person(person))
        }) else { return Ok(()); };
        b.marks[k].push(Mark::Person(person));
        let r2 = run(&c, &more, &p);
        prop_assert!(r2.elected.iter().any(|x| x.id == e.id && x.post == e.post), "{} lost {:?}", e.id, e.post);
    }

    #[test]
    fn runoff_candidates_always_more_than_remaining_seats(bs in prop::collection::vec(arb_ballot(), 1..40), order in 0usize..3, women in 0usize..3) {
        let mut p = warn_profile(order);
        p.counting.women_seat = [WomenSeat::Reserve, WomenSeat::HighestWoman, WomenSeat::Warn][women];
        let mut c = contest();
        big(&mut c, bs.len());
        let r = run(&c, &bs, &p);
        for n in &r.next {
            match n {
                Next::Runoff { candidates, seats, .. } => prop_assert!(candidates.len() > *seats as usize),
                Next::Revote { candidates, seats, .. } => prop_assert!(candidates.len() > *seats as usize && *seats > 0),
                _ => {}
            }
        }
    }
}
