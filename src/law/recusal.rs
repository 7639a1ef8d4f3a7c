//! Recusal (回避, LAW.md §2): election-committee members and counting staff who must step aside
//! because they or a near relative stand.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum RecusalCause {
    Nominated,
    NearRelativeNominated { nominee: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recusal {
    pub member: String,
    #[serde(flatten)]
    pub cause: RecusalCause,
}

/// LAW.md §2 [N]: an election-committee member withdraws when they or a near relative is
/// nominated. `near_relatives(a, b)` says whether two people are near relatives (近亲属).
pub fn committee_recusals(
    committee: &[String],
    nominees: &[String],
    near_relatives: impl Fn(&str, &str) -> bool,
) -> Vec<Recusal> {
    committee
        .iter()
        .filter_map(|m| {
            if nominees.contains(m) {
                return Some(Recusal { member: m.clone(), cause: RecusalCause::Nominated });
            }
            nominees.iter().find(|n| near_relatives(m, n)).map(|n| Recusal {
                member: m.clone(),
                cause: RecusalCause::NearRelativeNominated { nominee: n.clone() },
            })
        })
        .collect()
}

/// LAW.md §2 [N]: recused members leave; the next people on the substitute list move up in order
/// (依次递补), skipping any who would have to withdraw themselves. Returns the new committee and
/// how many places stay empty (to be chosen anew).
pub fn replace_recused(
    committee: &[String],
    recusals: &[Recusal],
    substitutes: &[String],
    nominees: &[String],
    near_relatives: impl Fn(&str, &str) -> bool,
) -> (Vec<String>, usize) {
    let mut out: Vec<String> =
        committee.iter().filter(|m| !recusals.iter().any(|r| &r.member == *m)).cloned().collect();
    let mut missing = committee.len() - out.len();
    for s in substitutes {
        if missing == 0 {
            break;
        }
        let conflicted = nominees.contains(s) || nominees.iter().any(|n| near_relatives(s, n));
        if !conflicted && !out.contains(s) {
            out.push(s.clone());
            missing -= 1;
        }
    }
    (out, missing)
}

/// LAW.md §2 [P]: candidates and their near relatives may not be scrutineer, caller or tallier.
/// Returns (staff member, candidate) pairs in conflict.
pub fn counting_staff_conflicts(
    staff: &[String],
    candidates: &[String],
    near_relatives: impl Fn(&str, &str) -> bool,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in staff {
        for c in candidates {
            if s == c || near_relatives(s, c) {
                out.push((s.clone(), c.clone()));
            }
        }
    }
    out
}

/// LAW.md §1 [P]: members of a committee may not be near relatives of each other (近亲属回避).
/// Returns every related pair among the elected, to be flagged for the committee.
pub fn related_members(elected: &[String], near_relatives: impl Fn(&str, &str) -> bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, a) in elected.iter().enumerate() {
        for b in &elected[i + 1..] {
            if near_relatives(a, b) || near_relatives(b, a) {
                out.push((a.clone(), b.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn committee_member_or_near_relative_nominated_recuses_n() {
        let committee = s(&["m1", "m2", "m3"]);
        let nominees = s(&["m1", "x"]);
        let rel = |a: &str, b: &str| (a, b) == ("m2", "x") || (a, b) == ("s1", "x");
        let r = committee_recusals(&committee, &nominees, rel);
        assert_eq!(
            r,
            vec![
                Recusal { member: "m1".into(), cause: RecusalCause::Nominated },
                Recusal { member: "m2".into(), cause: RecusalCause::NearRelativeNominated { nominee: "x".into() } },
            ]
        );
        let (new, missing) = replace_recused(&committee, &r, &s(&["s1", "s2"]), &nominees, rel);
        assert_eq!((new, missing), (s(&["m3", "s2"]), 1));
    }

    #[test]
    fn candidates_may_not_count_votes_p() {
        let rel = |a: &str, b: &str| (a, b) == ("t2", "c2");
        let c = counting_staff_conflicts(&s(&["t1", "t2", "c1"]), &s(&["c1", "c2"]), rel);
        assert_eq!(c, vec![("t2".into(), "c2".into()), ("c1".into(), "c1".into())]);
    }

    #[test]
    fn elected_members_may_not_be_near_relatives_p() {
        let rel = |a: &str, b: &str| (a, b) == ("b", "a");
        assert_eq!(related_members(&s(&["a", "b", "c"]), rel), vec![("a".into(), "b".into())]);
    }
}
