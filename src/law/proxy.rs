//! Proxy voting (委托投票, LAW.md §6): who may hold a proxy, how many, and by when.

use crate::law::RuleProfile;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use time::{Date, Duration};

/// The facts of one proxy application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRequest {
    pub principal: String,
    pub proxy: String,
    /// LAW.md §6 [N]: the authorisation is written.
    pub written: bool,
    /// LAW.md §6 [N]: both are voters of the same community (this election's roll).
    pub principal_is_voter_here: bool,
    pub proxy_is_voter_here: bool,
    /// LAW.md §6 [P]: the election committee approved it.
    pub approved: bool,
    pub applied_on: Date,
    /// LAW.md §6 [P]: a candidate may hold a proxy only for a near relative.
    pub proxy_is_candidate: bool,
    pub near_relatives: bool,
    /// Proxies the proxy already holds (approved), not counting this one.
    pub already_held: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProxyRefusalCode {
    NotWritten,
    PrincipalNotVoterHere,
    ProxyNotVoterHere,
    SelfProxy,
    NotApproved,
    AfterCutoff,
    CandidateAsProxy,
    TooManyProxies,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyRefusal {
    pub code: ProxyRefusalCode,
    pub rule: &'static str,
}

impl fmt::Display for ProxyRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({})", self.code, self.rule)
    }
}

/// The last day a proxy application is accepted (LAW.md §6 [P]).
pub fn proxy_cutoff(election_day: Date, profile: &RuleProfile) -> Option<Date> {
    election_day.checked_sub(Duration::days(i64::from(profile.deadlines.proxy_cutoff_days)))
}

/// Every reason a proxy may not be approved or used (LAW.md §6, §11).
pub fn check_proxy(r: &ProxyRequest, election_day: Date, profile: &RuleProfile) -> Result<(), Vec<ProxyRefusal>> {
    use ProxyRefusalCode as C;
    let mut out = Vec::new();
    let mut no = |code, rule| out.push(ProxyRefusal { code, rule });
    if !r.written {
        no(C::NotWritten, "LAW.md §6 [N]");
    }
    if !r.principal_is_voter_here {
        no(C::PrincipalNotVoterHere, "LAW.md §6 [N]");
    }
    if !r.proxy_is_voter_here {
        no(C::ProxyNotVoterHere, "LAW.md §6 [N]");
    }
    // "To another voter": LAW.md §6 [N].
    if r.principal == r.proxy {
        no(C::SelfProxy, "LAW.md §6 [N]");
    }
    if !r.approved {
        no(C::NotApproved, "LAW.md §6 [P]");
    }
    if proxy_cutoff(election_day, profile).is_none_or(|c| r.applied_on > c) {
        no(C::AfterCutoff, "LAW.md §6 [P]");
    }
    if let Err(refusal) = candidate_may_hold(r.proxy_is_candidate, r.near_relatives) {
        no(refusal.code, refusal.rule);
    }
    if r.already_held >= profile.voting.max_proxies_per_person {
        no(C::TooManyProxies, "LAW.md §6 [P]");
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// LAW.md §6 [P]: a candidate may act as proxy only for a near relative. Checked when a proxy is
/// approved, again when the formal candidate list is published (a proxy approved before may
/// have become a candidate since) and again when the proxy is used (issue 16 item 4).
pub fn candidate_may_hold(proxy_is_candidate: bool, near_relatives: bool) -> Result<(), ProxyRefusal> {
    if proxy_is_candidate && !near_relatives {
        return Err(ProxyRefusal { code: ProxyRefusalCode::CandidateAsProxy, rule: "LAW.md §6 [P]" });
    }
    Ok(())
}

/// LAW.md §6 [P], §11: proxies holding more than `max_proxies_per_person` in a published list of
/// (principal, proxy) pairs, with how many they hold; principals named twice are listed too.
pub fn overloaded_proxies(pairs: &[(String, String)], profile: &RuleProfile) -> (Vec<(String, u32)>, Vec<String>) {
    let mut held: HashMap<&str, u32> = HashMap::new();
    let mut principals: HashMap<&str, u32> = HashMap::new();
    for (principal, proxy) in pairs {
        *held.entry(proxy).or_default() += 1;
        *principals.entry(principal).or_default() += 1;
    }
    let limit = profile.voting.max_proxies_per_person;
    let mut over: Vec<(String, u32)> =
        held.into_iter().filter(|(_, n)| *n > limit).map(|(p, n)| (p.to_string(), n)).collect();
    over.sort();
    let mut twice: Vec<String> = principals.into_iter().filter(|(_, n)| *n > 1).map(|(p, _)| p.to_string()).collect();
    twice.sort();
    (over, twice)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use time::macros::date;

    const DAY: Date = date!(2026 - 06 - 14);

    fn ok() -> ProxyRequest {
        ProxyRequest {
            principal: "a".into(),
            proxy: "b".into(),
            written: true,
            principal_is_voter_here: true,
            proxy_is_voter_here: true,
            approved: true,
            applied_on: date!(2026 - 06 - 11),
            proxy_is_candidate: false,
            near_relatives: false,
            already_held: 2,
        }
    }

    #[test]
    fn proxy_written_same_community_n_limit_cutoff_approval_p() {
        let p = RuleProfile::national();
        assert_eq!(check_proxy(&ok(), DAY, &p), Ok(()));
        let table: Vec<(ProxyRequest, ProxyRefusalCode)> = vec![
            (ProxyRequest { written: false, ..ok() }, ProxyRefusalCode::NotWritten),
            (ProxyRequest { proxy_is_voter_here: false, ..ok() }, ProxyRefusalCode::ProxyNotVoterHere),
            (ProxyRequest { principal_is_voter_here: false, ..ok() }, ProxyRefusalCode::PrincipalNotVoterHere),
            (ProxyRequest { proxy: "a".into(), ..ok() }, ProxyRefusalCode::SelfProxy),
            (ProxyRequest { approved: false, ..ok() }, ProxyRefusalCode::NotApproved),
            (ProxyRequest { applied_on: date!(2026 - 06 - 12), ..ok() }, ProxyRefusalCode::AfterCutoff),
            (ProxyRequest { proxy_is_candidate: true, ..ok() }, ProxyRefusalCode::CandidateAsProxy),
            (ProxyRequest { already_held: 3, ..ok() }, ProxyRefusalCode::TooManyProxies),
        ];
        for (r, code) in table {
            let e = check_proxy(&r, DAY, &p).unwrap_err();
            assert_eq!(e.iter().map(|x| x.code).collect::<Vec<_>>(), vec![code]);
        }
        // a candidate may hold a proxy for a near relative
        let r = ProxyRequest { proxy_is_candidate: true, near_relatives: true, ..ok() };
        assert_eq!(check_proxy(&r, DAY, &p), Ok(()));
    }

    #[test]
    fn published_list_over_the_limit_p() {
        let mut p = RuleProfile::national();
        p.voting.max_proxies_per_person = 2;
        let pairs: Vec<(String, String)> = [("a", "x"), ("b", "x"), ("c", "x"), ("d", "y"), ("a", "y")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let (over, twice) = overloaded_proxies(&pairs, &p);
        assert_eq!(over, vec![("x".to_string(), 3)]);
        assert_eq!(twice, vec!["a".to_string()]);
    }
}
