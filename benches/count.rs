//! Counting 1,000,000 ballots of 3 posts / 9 candidates (issue 3: well under 1 s in release).
//! `cargo bench --bench count [-- N]`.

use huanjie::law::RuleProfile;
use huanjie::law::count::count;
use huanjie::law::recount::{recount_json, synthetic_box, synthetic_contest};
use huanjie::law::tally::tally_ballots;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let profile = RuleProfile::national();

    let (contest, ballots) = match synthetic_contest(n, 42) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let t = Instant::now();
    let totals = tally_ballots(contest.layout(&profile), &ballots);
    let result = count(&contest, &totals, &profile);
    let tally_time = t.elapsed();
    println!(
        "tally + count, {n} ballots in memory: {:.1} ms ({} elected, valid = {})",
        tally_time.as_secs_f64() * 1e3,
        result.elected.len(),
        result.valid
    );

    let text = synthetic_box(n, 42);
    let t = Instant::now();
    match recount_json(&text, None) {
        Ok(out) => println!(
            "recount_json (parse + resolve + tally + count), {n} ballots, {} MB JSON: {:.1} ms ({} bytes out)",
            text.len() / 1_000_000,
            t.elapsed().as_secs_f64() * 1e3,
            out.len()
        ),
        Err(e) => eprintln!("{e}"),
    }
}
