//! The roll re-check (LAW.md §3 [N], issue 16 item 2), below both `elections` (a plan change
//! re-checks the roll) and `voters` (publication refuses while anyone on the roll no longer
//! qualifies): it reads through `store` and asks `law::electorate`, and imports no other use case,
//! so the service layer stays a one-way order (issue 14 Build 5).

use std::collections::HashMap;

use time::Date;

use super::Result;
use crate::law::eligibility::{Hukou, ResidentFacts};
use crate::store::elections as st;
use crate::store::registry::{self, Resident};
use crate::store::{Store, Tx};

/// The registry's facts about a resident, as the law engine reads them.
pub fn facts(r: &Resident, request: Option<&str>) -> Option<ResidentFacts> {
    let dob = crate::domain::parse_date(&r.birth_date)?;
    Some(ResidentFacts {
        date_of_birth: dob,
        deprived_of_political_rights: r.political_rights == "deprived",
        // Set by the callers from the committee's confirmations (service::electorate_facts).
        incapacity_confirmed: false,
        hukou: if r.hukou_here { Hukou::Here } else { Hukou::Elsewhere },
        months_living_here: u32::try_from(r.months_resident).unwrap_or(0),
        community_worker_months: r.community_worker.then(|| u32::try_from(r.worker_months).unwrap_or(0)),
        applied: request.is_some(),
        approved: request == Some("approved"),
        opted_in: request.is_some(),
        registered_elsewhere_this_round: false,
    })
}

/// LAW.md §3 [N]: the voters on election `id`'s roll (read in `tx`) who would not qualify on
/// `day` under `profile`, as (resident id, ID number, refusal code). A plan change that moves
/// election day removes them; publication refuses while any remain (issue 16 item 2).
pub async fn ineligible_on_roll(
    tx: &mut Tx,
    store: &Store,
    id: i64,
    day: Date,
    profile: &crate::law::RuleProfile,
) -> Result<Vec<(i64, String, &'static str)>> {
    let requests: HashMap<i64, String> = st::requests(store, id).await?.into_iter().collect();
    let mut facts_of = Vec::new();
    for v in st::roll(&mut *tx, id).await? {
        let Some(r) = registry::resident(&mut *tx, v.resident_id).await? else { continue };
        let Some(f) = facts(&r, requests.get(&r.id).map(String::as_str)) else { continue };
        facts_of.push(((r.id, r.id_number.clone()), f));
    }
    Ok(crate::law::electorate::roll_recheck(&facts_of, day, profile)
        .into_iter()
        .map(|((rid, idn), refusal)| (rid, idn, refusal.code.as_str()))
        .collect())
}

/// Removes the voters `ineligible_on_roll` found (before publication; the round's claim is
/// released so they may register elsewhere).
pub async fn remove_ineligible(tx: &mut Tx, round: &str, id: i64, out: &[(i64, String, &str)]) -> Result<()> {
    for (rid, idn, _) in out {
        st::remove_voter(tx, id, *rid).await?;
        st::release_round(tx, round, idn, id).await?;
    }
    Ok(())
}
