//! Reads and writes that keep the law's rules true whenever their facts change (issue 16):
//! the method's electorate at an objection decision, proxies re-checked at candidate-list
//! publication.

use super::on_conn;
use super::{Result, Store, Tx};

/// Is another member of household `household_id` registered on election `election_id`'s roll?
pub async fn household_on_roll_tx(tx: &mut Tx, election_id: i64, household_id: i64, except: i64) -> Result<bool> {
    let n: i64 = on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM voters v JOIN residents r ON r.id = v.resident_id \
             WHERE v.election_id = $1 AND v.status = 'registered' AND r.household_id = $2 AND r.id <> $3",
        )
        .bind(election_id)
        .bind(household_id)
        .bind(except)
        .fetch_one(c)
        .await?
    });
    Ok(n > 0)
}

/// Did a residents' group elect `resident_id` representative for election `election_id`?
pub async fn is_representative_tx(tx: &mut Tx, election_id: i64, resident_id: i64) -> Result<bool> {
    let n: i64 = on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM group_representatives WHERE election_id = $1 AND resident_id = $2",
        )
        .bind(election_id)
        .bind(resident_id)
        .fetch_one(c)
        .await?
    });
    Ok(n > 0)
}

/// The approved proxies of election `election_id` as (request id, principal, proxy).
pub async fn approved_proxies_tx(tx: &mut Tx, election_id: i64) -> Result<Vec<(i64, i64, i64)>> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT id, principal_id, proxy_id FROM proxies WHERE election_id = $1 AND status = 'approved' ORDER BY id",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

/// Withdraws an approved proxy that the law no longer allows (stored as rejected on `on`, so
/// the principal may name another proxy). False if it was not approved.
pub async fn revoke_proxy_tx(tx: &mut Tx, id: i64, on: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE proxies SET status = 'rejected', decided_on = $1 WHERE id = $2 AND status = 'approved'")
            .bind(on)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// Are `a` and `b` recorded as near relatives (a read outside any transaction)?
pub async fn are_near_relatives(store: &Store, a: i64, b: i64) -> Result<bool> {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    let n: i64 = on_conn!(pool store, |c| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM near_relatives WHERE resident_a = $1 AND resident_b = $2")
            .bind(lo)
            .bind(hi)
            .fetch_one(c)
            .await?
    });
    Ok(n > 0)
}

/// One place only per term (LAW.md §3 [N?, P], issue 16 item 1): claims `id_number` for election
/// `election_id` of `community_id` under the term's `key`. True if the claim is this election's,
/// or another election's of the same community (its re-run or by-election): registering again in
/// one's own community is not registering elsewhere.
pub async fn claim_term(tx: &mut Tx, key: &str, id_number: &str, election_id: i64, community_id: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("INSERT INTO round_registrations (round, id_number, election_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(key)
            .bind(id_number)
            .bind(election_id)
            .execute(c)
            .await?
            .rows_affected()
    });
    if n == 1 {
        return Ok(true);
    }
    let owner: Option<(i64, i64)> = on_conn!(tx tx, |c| {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT r.election_id, e.community_id FROM round_registrations r JOIN elections e ON e.id = r.election_id \
             WHERE r.round = $1 AND r.id_number = $2",
        )
        .bind(key)
        .bind(id_number)
        .fetch_optional(c)
        .await?
    });
    Ok(owner.is_some_and(|(e, c)| e == election_id || c == community_id))
}
