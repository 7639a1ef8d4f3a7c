//! Reproducible synthetic ballot boxes for benchmarks and load tests (no I/O; a xorshift
//! generator so the law module needs no random-number crate).

use crate::law::ballot::{Ballot, Mark};
use crate::law::contest::{Contest, Person, Round};
use crate::law::recount::RecountError;
use crate::law::{Gender, Method, Post, Seats};

/// A reproducible ballot box of `n_ballots` for 3 posts and 9 candidates (chair 2, vice-chair 2,
/// members 5; seats 1/1/3), as recount JSON, for benchmarks and load tests.
pub fn synthetic_box(n_ballots: usize, seed: u64) -> String {
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut s = String::with_capacity(n_ballots * 64 + 1024);
    let electorate = n_ballots + n_ballots / 4 + 1;
    s.push_str(&format!(
        "{{\"method\":\"direct\",\"round\":\"first\",\"electorate\":{electorate},\"ballots_issued\":{n_ballots},\
         \"seats\":{{\"chair\":1,\"vice_chair\":1,\"member\":3}},\"candidates\":["
    ));
    let cands = [
        ("c1", "female", "chair"),
        ("c2", "male", "chair"),
        ("c3", "male", "vice_chair"),
        ("c4", "female", "vice_chair"),
        ("c5", "female", "member"),
        ("c6", "male", "member"),
        ("c7", "male", "member"),
        ("c8", "female", "member"),
        ("c9", "male", "member"),
    ];
    for (i, (id, g, p)) in cands.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("{{\"id\":\"{id}\",\"gender\":\"{g}\",\"post\":\"{p}\"}}"));
    }
    s.push_str("],\"ballots\":[");
    for i in 0..n_ballots {
        if i > 0 {
            s.push(',');
        }
        let r = next();
        if r % 50 == 0 {
            s.push_str("{\"blank\":true}");
            continue;
        }
        // Skewed preferences so the count has winners: c1, c3, c5, c6, c7 lead.
        let chair = if r % 10 < 6 { "c1" } else { "c2" };
        let vice = if (r >> 8) % 10 < 6 { "c3" } else { "c4" };
        let mut members = Vec::new();
        for (k, m) in ["c5", "c6", "c7", "c8", "c9"].iter().enumerate() {
            let p = [70, 65, 60, 35, 20][k];
            if (next() % 100) < p && members.len() < 3 {
                members.push(format!("\"{m}\""));
            }
        }
        s.push_str(&format!(
            "{{\"chair\":[\"{chair}\"],\"vice_chair\":[\"{vice}\"],\"member\":[{}]}}",
            members.join(",")
        ));
    }
    s.push_str("]}");
    s
}

/// The same box as [`synthetic_box`], already resolved: for timing the tally and count alone.
pub fn synthetic_contest(n_ballots: usize, seed: u64) -> Result<(Contest, Vec<Ballot>), RecountError> {
    let people: Vec<Person> =
        ["chair", "chair", "vice_chair", "vice_chair", "member", "member", "member", "member", "member"]
            .iter()
            .enumerate()
            .map(|(i, p)| Person {
                id: format!("c{}", i + 1),
                name: String::new(),
                gender: Some(if [0, 3, 4, 7].contains(&i) { Gender::Female } else { Gender::Male }),
                stands_for: Some(match *p {
                    "chair" => Post::Chair,
                    "vice_chair" => Post::ViceChair,
                    _ => Post::Member,
                }),
            })
            .collect();
    let contest = Contest {
        method: Method::Direct,
        round: Round::First,
        electorate: (n_ballots + n_ballots / 4 + 1) as u64,
        notified_absentees: 0,
        ballots_issued: n_ballots as u64,
        ballots_returned: None,
        seats: Seats { chair: 1, vice_chair: 1, member: 3 },
        people,
        settled: Default::default(),
        already_elected: Vec::new(),
        public_count: true,
        announced_on_spot: true,
        election_day: None,
    };
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut ballots = Vec::with_capacity(n_ballots);
    for _ in 0..n_ballots {
        let r = next();
        if r % 50 == 0 {
            ballots.push(Ballot::blank());
            continue;
        }
        let mut b = Ballot::default();
        b.marks[0].push(Mark::Person(if r % 10 < 6 { 0 } else { 1 }));
        b.marks[1].push(Mark::Person(if (r >> 8) % 10 < 6 { 2 } else { 3 }));
        for (k, p) in [70u64, 65, 60, 35, 20].iter().enumerate() {
            if next() % 100 < *p && b.marks[2].len() < 3 {
                b.marks[2].push(Mark::Person(4 + k as u32));
            }
        }
        ballots.push(b);
    }
    Ok((contest, ballots))
}
