//! The nomination primary (预选), LAW.md §5 [P]: when a post has more qualified nominees than
//! the formal candidate list takes, the voters choose among them; the nominees with the most
//! votes go on the list, up to its places. A tie across the last place is settled by a re-vote
//! among the tied nominees for the places left (the usual provincial rule); the others wait to
//! move up (递补) in the order of their votes. A primary decides who stands, not who is elected:
//! there is no quorum and no majority to reach.
//!
//! A primary box is published and recounted like any other (`huanjie count` reads it): the box
//! names the places per post (`seats`), the nominees (`candidates`) and the ballots, with
//! `"primary": true`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::law::Post;
use crate::law::recount_input::RecountError;
use crate::law::recount_input::err;

/// One post's outcome in one primary round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostOutcome {
    pub post: Post,
    pub places: u32,
    /// Every nominee on this round's ballot with their votes, most votes first (ballot order
    /// among equals).
    pub votes: Vec<(String, u64)>,
    /// Sure of a place on the list.
    pub on_list: Vec<String>,
    /// Tied across the last place: a re-vote among them decides `tied_places` places.
    pub tied: Vec<String>,
    pub tied_places: u32,
    /// Below the last place (or the tie), most votes first: they wait to move up.
    pub below: Vec<String>,
}

/// Decides one post of one primary round from the votes (`votes` in ballot order).
pub fn decide_round(post: Post, places: u32, votes: &[(String, u64)]) -> PostOutcome {
    let mut sorted = votes.to_vec();
    // Stable: equal votes keep ballot order.
    sorted.sort_by_key(|x| std::cmp::Reverse(x.1));
    let ids = |v: &[(String, u64)]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    let places_n = places as usize;
    let mut out = PostOutcome {
        post,
        places,
        votes: sorted.clone(),
        on_list: Vec::new(),
        tied: Vec::new(),
        tied_places: 0,
        below: Vec::new(),
    };
    if sorted.len() <= places_n {
        out.on_list = ids(&sorted);
        return out;
    }
    if places_n == 0 {
        out.below = ids(&sorted);
        return out;
    }
    let last = sorted[places_n - 1].1;
    let above: Vec<_> = sorted.iter().filter(|x| x.1 > last).cloned().collect();
    let at: Vec<_> = sorted.iter().filter(|x| x.1 == last).cloned().collect();
    let below: Vec<_> = sorted.iter().filter(|x| x.1 < last).cloned().collect();
    if above.len() + at.len() <= places_n {
        out.on_list = ids(&sorted[..places_n]);
        out.below = ids(&sorted[places_n..]);
    } else {
        out.on_list = ids(&above);
        out.tied_places = u32::try_from(places_n - above.len()).unwrap_or(0);
        out.tied = ids(&at);
        out.below = ids(&below);
    }
    out
}

/// Where one post stands after its primary rounds so far, in the order they were held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub on_list: Vec<String>,
    /// In move-up order: the losers of the latest round first, each round's by votes.
    pub reserve: Vec<String>,
    /// A tie the rounds so far leave open: (the tied nominees, the places among them).
    pub open_tie: Option<(Vec<String>, u32)>,
}

pub fn standing(rounds: &[&PostOutcome]) -> Standing {
    let mut on_list = Vec::new();
    for r in rounds {
        on_list.extend(r.on_list.iter().cloned());
    }
    let reserve = rounds.iter().rev().flat_map(|r| r.below.iter().cloned()).collect();
    let open_tie = rounds.last().filter(|r| !r.tied.is_empty()).map(|r| (r.tied.clone(), r.tied_places));
    Standing { on_list, reserve, open_tie }
}

/// Where each post stands after the announced primary rounds (their typed results, in the
/// order they were held; posts no round has held are absent).
pub fn standings<'a>(results: impl IntoIterator<Item = &'a PrimaryCount>) -> HashMap<Post, Standing> {
    let mut rounds: HashMap<Post, Vec<PostOutcome>> = HashMap::new();
    for result in results {
        for post in Post::ALL {
            if let Some(o) = result.outcome(post) {
                rounds.entry(post).or_default().push(o);
            }
        }
    }
    rounds
        .into_iter()
        .map(|(post, rs)| {
            let refs: Vec<&PostOutcome> = rs.iter().collect();
            (post, standing(&refs))
        })
        .collect()
}

/// A primary box's announced result (the text `huanjie count` prints and the count stores).
/// Fields are in alphabetical order: the published bytes are those of the result before it
/// was typed (a `json!` object, whose keys come out sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryCount {
    pub ballots_cast: u64,
    pub blank_ballots: u64,
    pub invalid_ballots: u64,
    pub posts: Vec<PrimaryPost>,
    /// Always `true`: what tells a primary's result from an election round's.
    pub primary: bool,
}

/// One post of a primary's result: [`PostOutcome`] with the void marks (keys sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryPost {
    pub below: Vec<String>,
    pub on_list: Vec<String>,
    pub places: u32,
    pub post: Post,
    pub tied: Vec<String>,
    pub tied_places: u32,
    pub void_marks: u64,
    pub votes: Vec<PrimaryVotes>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryVotes {
    pub id: String,
    pub votes: u64,
}

/// Tallies a primary box: per post, a ballot's marks count when they name at most the post's
/// places and only nominees of that post; otherwise that post of the ballot is void (an
/// over-marked nomination ballot, LAW.md §5 [P]). Blank and invalid ballots count as cast.
pub fn tally(input: &Value) -> Result<(Vec<PostOutcome>, PrimaryCount), RecountError> {
    let seats = input["seats"].as_object().ok_or_else(|| err("seats", "missing"))?;
    let candidates = input["candidates"].as_array().ok_or_else(|| err("candidates", "missing"))?;
    let ballots = input["ballots"].as_array().ok_or_else(|| err("ballots", "missing"))?;
    let mut outcomes = Vec::new();
    let mut figures = Vec::new();
    let (mut blank, mut invalid) = (0u64, 0u64);
    for b in ballots {
        if b["invalid"] == json!(true) {
            invalid += 1;
        } else if b["blank"] == json!(true) {
            blank += 1;
        }
    }
    for post in Post::ALL {
        let Some(places) = seats.get(post.as_str()) else { continue };
        let places = places
            .as_u64()
            .and_then(|p| u32::try_from(p).ok())
            .ok_or_else(|| err(format!("seats.{}", post.as_str()), "not a number of places"))?;
        let on_ballot: Vec<String> = candidates
            .iter()
            .filter(|c| c["post"].as_str() == Some(post.as_str()))
            .filter_map(|c| c["id"].as_str().map(str::to_string))
            .collect();
        let mut votes: HashMap<&str, u64> = on_ballot.iter().map(|c| (c.as_str(), 0)).collect();
        let mut void = 0u64;
        for b in ballots.iter().filter(|b| b["invalid"] != json!(true) && b["blank"] != json!(true)) {
            let marks: Vec<&str> =
                b[post.as_str()].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let mut distinct = marks.clone();
            distinct.sort_unstable();
            distinct.dedup();
            let lawful = distinct.len() == marks.len()
                && marks.len() <= places as usize
                && marks.iter().all(|m| votes.contains_key(m));
            if !lawful {
                void += 1;
                continue;
            }
            for m in marks {
                if let Some(v) = votes.get_mut(m) {
                    *v += 1;
                }
            }
        }
        let in_order: Vec<(String, u64)> =
            on_ballot.iter().map(|c| (c.clone(), votes.get(c.as_str()).copied().unwrap_or(0))).collect();
        let o = decide_round(post, places, &in_order);
        figures.push(PrimaryPost {
            below: o.below.clone(),
            on_list: o.on_list.clone(),
            places,
            post,
            tied: o.tied.clone(),
            tied_places: o.tied_places,
            void_marks: void,
            votes: o.votes.iter().map(|(id, n)| PrimaryVotes { id: id.clone(), votes: *n }).collect(),
        });
        outcomes.push(o);
    }
    let summary = PrimaryCount {
        ballots_cast: ballots.len() as u64,
        blank_ballots: blank,
        invalid_ballots: invalid,
        posts: figures,
        primary: true,
    };
    Ok((outcomes, summary))
}

/// Recounts a published primary box to the result the count announced.
pub fn recount_primary(input: &str) -> Result<PrimaryCount, RecountError> {
    let v: Value = serde_json::from_str(input).map_err(|e| err("input", e.to_string()))?;
    Ok(tally(&v)?.1)
}

/// As [`recount_primary`], as the published text (pretty JSON).
pub fn recount_primary_json(input: &str) -> Result<String, RecountError> {
    serde_json::to_string_pretty(&recount_primary(input)?).map_err(|e| err("output", e.to_string()))
}

impl PrimaryCount {
    /// One post's outcome in this round, read back from the announced result (the post's first
    /// line; `None` when the round did not hold the post).
    pub fn outcome(&self, post: Post) -> Option<PostOutcome> {
        let p = self.posts.iter().find(|p| p.post == post)?;
        Some(PostOutcome {
            post,
            places: p.places,
            votes: p.votes.iter().map(|v| (v.id.clone(), v.votes)).collect(),
            on_list: p.on_list.clone(),
            tied: p.tied.clone(),
            tied_places: p.tied_places,
            below: p.below.clone(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn v(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(a, b)| (a.to_string(), *b)).collect()
    }

    #[test]
    fn most_votes_go_on_the_list_the_rest_wait_by_votes_law_5_p() {
        let o = decide_round(Post::Member, 2, &v(&[("a", 3), ("b", 9), ("c", 5), ("d", 1)]));
        assert_eq!(o.on_list, ["b", "c"]);
        assert_eq!(o.below, ["a", "d"]);
        assert!(o.tied.is_empty());
    }

    #[test]
    fn a_tie_across_the_last_place_needs_a_revote_for_the_places_left_law_5_p() {
        let o = decide_round(Post::Member, 3, &v(&[("a", 7), ("b", 4), ("c", 4), ("d", 4), ("e", 1)]));
        assert_eq!(o.on_list, ["a"]);
        assert_eq!((o.tied.clone(), o.tied_places), (vec!["b".to_string(), "c".into(), "d".into()], 2));
        assert_eq!(o.below, ["e"]);
        // A tie inside the list (both get a place) needs nothing.
        let o = decide_round(Post::Member, 3, &v(&[("a", 7), ("b", 4), ("c", 4), ("d", 2)]));
        assert_eq!((o.on_list.len(), o.tied.len()), (3, 0));
    }

    #[test]
    fn the_revote_settles_the_tie_and_its_losers_move_up_first_law_5_p() {
        let first = decide_round(Post::Member, 3, &v(&[("a", 7), ("b", 4), ("c", 4), ("d", 4), ("e", 1)]));
        let s = standing(&[&first]);
        assert_eq!(s.open_tie, Some((vec!["b".to_string(), "c".into(), "d".into()], 2)));
        let revote = decide_round(Post::Member, 2, &v(&[("b", 2), ("c", 6), ("d", 5)]));
        let s = standing(&[&first, &revote]);
        assert_eq!(s.on_list, ["a", "c", "d"]);
        assert_eq!(s.reserve, ["b", "e"]);
        assert_eq!(s.open_tie, None);
    }

    #[test]
    fn an_over_marked_or_foreign_post_is_void_and_the_recount_is_stable_law_5_p() {
        let bx = json!({
            "primary": true,
            "seats": {"member": 2},
            "candidates": [{"id": "n1", "post": "member"}, {"id": "n2", "post": "member"}, {"id": "n3", "post": "member"}],
            "ballots": [
                {"member": ["n1", "n2"]}, {"member": ["n1"]}, {"member": ["n1", "n2", "n3"]},
                {"member": ["n9"]}, {"member": ["n2", "n2"]}, {"blank": true}, {"invalid": true},
            ],
        });
        let (o, summary) = tally(&bx).unwrap();
        assert_eq!(o[0].votes, v(&[("n1", 2), ("n2", 1), ("n3", 0)]));
        assert_eq!(summary.posts[0].void_marks, 3);
        assert_eq!((summary.blank_ballots, summary.invalid_ballots), (1, 1));
        let text = bx.to_string();
        assert_eq!(recount_primary_json(&text).unwrap(), recount_primary_json(&text).unwrap());
        let stored: PrimaryCount = serde_json::from_str(&recount_primary_json(&text).unwrap()).unwrap();
        assert_eq!(stored.outcome(Post::Member).as_ref(), Some(&o[0]));
        assert_eq!(stored.outcome(Post::Chair), None);
        assert_eq!(standings([&stored])[&Post::Member].on_list, o[0].on_list);
        // The typed result prints the bytes of the `json!` result it replaced (issue 14 item 4).
        let p = &o[0];
        let before = json!({
            "primary": true, "ballots_cast": 7, "blank_ballots": 1, "invalid_ballots": 1,
            "posts": [{
                "post": "member", "places": 2,
                "votes": p.votes.iter().map(|(id, n)| json!({"id": id, "votes": n})).collect::<Vec<_>>(),
                "void_marks": 3, "on_list": p.on_list, "tied": p.tied, "tied_places": p.tied_places, "below": p.below,
            }],
        });
        assert_eq!(recount_primary_json(&text).unwrap(), serde_json::to_string_pretty(&before).unwrap());
    }
}
