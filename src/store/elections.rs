//! Elections, their voter rolls, registration requests and objections.

use sqlx::FromRow;

use super::on_conn;
use super::{Db, Result, Store, StoreError, Tx};
pub use crate::domain::records::{DecisionRow, MemberRow, ObjectionRow, ProxyRow, VoterRow};
use crate::domain::{ChannelSet, Election, ElectionKind, Plan, Stage, Station, parse_date};
use crate::law::{Method, RuleProfile};

/// An `elections` row as stored; parsed into [`Election`] before it leaves this module.
#[derive(FromRow)]
struct ElectionRow {
    id: i64,
    community_id: i64,
    round: String,
    kind: String,
    method: String,
    seats_chair: i64,
    seats_vice_chair: i64,
    seats_member: i64,
    profile_json: String,
    election_day: String,
    channels: String,
    remote_legal_basis: String,
    stations_json: String,
    stage: String,
    list_published_on: Option<String>,
    list_fingerprint: Option<String>,
    list_version: i64,
    version: i64,
}

fn parse_method(s: &str) -> Option<Method> {
    match s {
        "direct" => Some(Method::Direct),
        "household" => Some(Method::Household),
        "representatives" => Some(Method::Representatives),
        _ => None,
    }
}

impl ElectionRow {
    /// Parses every stored value; the first that does not parse is an error logged with the
    /// row's id (a default stage or profile would run the election under the wrong rules).
    fn parse(self) -> Result<Election> {
        let id = self.id;
        let corrupt = |what: &str, detail: String| {
            tracing::error!(table = "elections", id, what, %detail, "stored value does not parse");
            StoreError::CorruptRow { table: "elections", id, what: what.to_string() }
        };
        let stage = Stage::parse(&self.stage).ok_or_else(|| corrupt("stage", self.stage.clone()))?;
        let kind = ElectionKind::parse(&self.kind).ok_or_else(|| corrupt("kind", self.kind.clone()))?;
        let method = parse_method(&self.method).ok_or_else(|| corrupt("method", self.method.clone()))?;
        let profile: RuleProfile =
            serde_json::from_str(&self.profile_json).map_err(|e| corrupt("profile_json", e.to_string()))?;
        let stations: Vec<Station> =
            serde_json::from_str(&self.stations_json).map_err(|e| corrupt("stations_json", e.to_string()))?;
        let day = parse_date(&self.election_day).ok_or_else(|| corrupt("election_day", self.election_day.clone()))?;
        let channels =
            ChannelSet::parse_stored(&self.channels).ok_or_else(|| corrupt("channels", self.channels.clone()))?;
        let list_published_on = match self.list_published_on.as_deref() {
            None => None,
            Some(d) => Some(parse_date(d).ok_or_else(|| corrupt("list_published_on", d.to_string()))?),
        };
        Ok(Election {
            id,
            community_id: self.community_id,
            round: self.round,
            kind,
            method,
            seats_chair: self.seats_chair,
            seats_vice_chair: self.seats_vice_chair,
            seats_member: self.seats_member,
            stage,
            plan: Plan { day, channels, stations, profile, remote_legal_basis: self.remote_legal_basis },
            list_published_on,
            list_fingerprint: self.list_fingerprint,
            list_version: self.list_version,
            version: self.version,
        })
    }
}

fn parse_all(rows: Vec<ElectionRow>) -> Result<Vec<Election>> {
    rows.into_iter().map(ElectionRow::parse).collect()
}

const COLS: &str = "id, community_id, round, kind, method, seats_chair, seats_vice_chair, seats_member, profile_json, \
     election_day, channels, remote_legal_basis, stations_json, stage, list_published_on, list_fingerprint, list_version, version";

/// The plan's fields, as written by create and update.
pub struct PlanRow<'a> {
    pub method: &'a str,
    pub seats: (i64, i64, i64),
    pub profile_json: &'a str,
    pub election_day: &'a str,
    pub channels: &'a str,
    pub remote_legal_basis: &'a str,
    pub stations_json: &'a str,
}

pub async fn insert(tx: &mut Tx, community_id: i64, round: &str, kind: &str, p: &PlanRow<'_>, now: i64) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO elections (community_id, round, kind, method, seats_chair, seats_vice_chair, seats_member, \
             profile_json, election_day, channels, remote_legal_basis, stations_json, stage, list_version, version, \
             created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', 0, 1, $13, $13) \
             RETURNING id",
        )
        .bind(community_id)
        .bind(round)
        .bind(kind)
        .bind(p.method)
        .bind(p.seats.0)
        .bind(p.seats.1)
        .bind(p.seats.2)
        .bind(p.profile_json)
        .bind(p.election_day)
        .bind(p.channels)
        .bind(p.remote_legal_basis)
        .bind(p.stations_json)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

/// Rewrites the plan if the election is still at `version` and not frozen; false otherwise.
pub async fn update_plan(tx: &mut Tx, id: i64, version: i64, p: &PlanRow<'_>, now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE elections SET method = $1, seats_chair = $2, seats_vice_chair = $3, seats_member = $4, \
             profile_json = $5, election_day = $6, channels = $7, remote_legal_basis = $8, stations_json = $9, \
             version = version + 1, updated_ms = $10 \
             WHERE id = $11 AND version = $12 AND stage IN ('draft', 'registration')",
        )
        .bind(p.method)
        .bind(p.seats.0)
        .bind(p.seats.1)
        .bind(p.seats.2)
        .bind(p.profile_json)
        .bind(p.election_day)
        .bind(p.channels)
        .bind(p.remote_legal_basis)
        .bind(p.stations_json)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Moves the stage from `from` to `to` (atomic compare-and-set: two clicks, one transition).
/// Only `service::lifecycle::advance` calls it: every step is checked against the lifecycle rule.
pub async fn set_stage(tx: &mut Tx, id: i64, from: Stage, to: Stage, now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE elections SET stage = $1, version = version + 1, updated_ms = $2 WHERE id = $3 AND stage = $4")
            .bind(to.as_str())
            .bind(now)
            .bind(id)
            .bind(from.as_str())
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn set_list_published(tx: &mut Tx, id: i64, on: &str, fingerprint: &str, now: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE elections SET list_published_on = COALESCE(list_published_on, $1), list_fingerprint = $2, \
             list_version = list_version + 1, updated_ms = $3 WHERE id = $4",
        )
        .bind(on)
        .bind(fingerprint)
        .bind(now)
        .bind(id)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// One election, on the pool or inside a transaction in progress (`impl Into<Db>`: one reader).
pub async fn get(db: impl Into<Db<'_>>, id: i64) -> Result<Option<Election>> {
    let sql = format!("SELECT {COLS} FROM elections WHERE id = $1");
    let row = on_conn!(db db.into(), |c| sqlx::query_as::<_, ElectionRow>(&sql).bind(id).fetch_optional(c).await?);
    row.map(ElectionRow::parse).transpose()
}

/// Every election of the deployment, oldest first (the public index filters the published ones).
pub async fn all(store: &Store) -> Result<Vec<Election>> {
    let sql = format!("SELECT {COLS} FROM elections ORDER BY id");
    parse_all(on_conn!(pool store, |c| sqlx::query_as::<_, ElectionRow>(&sql).fetch_all(c).await?))
}

pub async fn for_communities(store: &Store, ids: &[i64]) -> Result<Vec<Election>> {
    let sql = format!("SELECT {COLS} FROM elections WHERE community_id = $1 ORDER BY id");
    let mut out = Vec::new();
    for id in ids {
        out.extend(parse_all(
            on_conn!(pool store, |c| sqlx::query_as::<_, ElectionRow>(&sql).bind(*id).fetch_all(c).await?),
        )?);
    }
    Ok(out)
}

// ---- voters ----

/// Claims the person's one place in the round; false if another election already has them.
pub async fn claim_round(tx: &mut Tx, round: &str, id_number: &str, election_id: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("INSERT INTO round_registrations (round, id_number, election_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(round)
            .bind(id_number)
            .bind(election_id)
            .execute(c)
            .await?
            .rows_affected()
    });
    if n == 1 {
        return Ok(true);
    }
    // Already claimed: by this same election (a re-run of registration) is fine.
    let owner: Option<i64> = on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>("SELECT election_id FROM round_registrations WHERE round = $1 AND id_number = $2")
            .bind(round)
            .bind(id_number)
            .fetch_optional(c)
            .await?
    });
    Ok(owner == Some(election_id))
}

pub async fn release_round(tx: &mut Tx, round: &str, id_number: &str, election_id: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM round_registrations WHERE round = $1 AND id_number = $2 AND election_id = $3")
            .bind(round)
            .bind(id_number)
            .bind(election_id)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Adds (or re-adds) a voter; returns true if the roll changed.
pub async fn upsert_voter(tx: &mut Tx, election_id: i64, resident_id: i64, category: &str, now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO voters (election_id, resident_id, category, status, registered_ms) VALUES ($1, $2, $3, 'registered', $4) \
             ON CONFLICT (election_id, resident_id) DO UPDATE SET status = 'registered', category = excluded.category \
             WHERE voters.status <> 'registered'",
        )
        .bind(election_id)
        .bind(resident_id)
        .bind(category)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Takes a voter off the roll; their code and every session they hold end with it.
pub async fn remove_voter(tx: &mut Tx, election_id: i64, resident_id: i64) -> Result<bool> {
    super::voter_sessions::end_in_tx(tx, election_id, Some(resident_id)).await?;
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE voters SET status = 'removed', code_hash = NULL WHERE election_id = $1 AND resident_id = $2 AND status = 'registered'",
        )
        .bind(election_id)
        .bind(resident_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// The registered voters in list order: residents' group, household, name (on the pool or in a
/// transaction).
pub async fn roll(db: impl Into<Db<'_>>, election_id: i64) -> Result<Vec<VoterRow>> {
    Ok(on_conn!(db db.into(), |c| {
        sqlx::query_as::<_, VoterRow>(
            "SELECT r.id AS resident_id, r.name, r.gender, r.id_number, g.number AS group_number, \
             h.number AS household_number, h.address, v.category, (v.code_hash IS NOT NULL) AS has_code, \
             v.checkin_no, EXISTS (SELECT 1 FROM absentee_notices a WHERE a.election_id = v.election_id \
             AND a.resident_id = v.resident_id) AS absent \
             FROM voters v JOIN residents r ON r.id = v.resident_id \
             LEFT JOIN resident_groups g ON g.id = r.group_id LEFT JOIN households h ON h.id = r.household_id \
             WHERE v.election_id = $1 AND v.status = 'registered' \
             ORDER BY g.number, h.number, r.name, r.id",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

/// Whether the resident is a registered voter of the election (on the pool or in a transaction).
pub async fn is_voter(db: impl Into<Db<'_>>, election_id: i64, resident_id: i64) -> Result<bool> {
    let n: i64 = on_conn!(db db.into(), |c| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM voters WHERE election_id = $1 AND resident_id = $2 AND status = 'registered'",
        )
        .bind(election_id)
        .bind(resident_id)
        .fetch_one(c)
        .await?
    });
    Ok(n > 0)
}

/// Gives a voter a (new) code: the old code and every session signed in with it end. Returns
/// the voter's check-in number, or `None` when no registered voter was updated.
pub async fn set_code(tx: &mut Tx, election_id: i64, resident_id: i64, hash: &[u8], now: i64) -> Result<Option<i64>> {
    super::voter_sessions::end_in_tx(tx, election_id, Some(resident_id)).await?;
    let n = on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, Option<i64>>(
            // The check-in number comes with the first card and stays with a reissued one.
            "UPDATE voters SET code_hash = $1, code_issued_ms = $2, checkin_no = COALESCE(checkin_no, \
             (SELECT COALESCE(MAX(o.checkin_no), 0) + 1 FROM voters o WHERE o.election_id = $3)) \
             WHERE election_id = $3 AND resident_id = $4 AND status = 'registered' RETURNING checkin_no",
        )
        .bind(hash)
        .bind(now)
        .bind(election_id)
        .bind(resident_id)
        .fetch_optional(c)
        .await?
    });
    Ok(n.flatten())
}

/// (election, resident) holding a voting code, looked up by the code's keyed hash.
pub async fn by_code(store: &Store, hash: &[u8]) -> Result<Option<(i64, i64)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT election_id, resident_id FROM voters WHERE code_hash = $1 AND status = 'registered'",
        )
        .bind(hash)
        .fetch_optional(c)
        .await?
    }))
}

// ---- registration requests ----

pub async fn request(tx: &mut Tx, election_id: i64, resident_id: i64, now: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO registration_requests (election_id, resident_id, status, created_ms) VALUES ($1, $2, 'applied', $3) \
             ON CONFLICT (election_id, resident_id) DO NOTHING",
        )
        .bind(election_id)
        .bind(resident_id)
        .bind(now)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn decide_request(tx: &mut Tx, election_id: i64, resident_id: i64, approve: bool, now: i64) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query(
            "UPDATE registration_requests SET status = $1, decided_ms = $2 WHERE election_id = $3 AND resident_id = $4 AND status = 'applied'",
        )
        .bind(if approve { "approved" } else { "rejected" })
        .bind(now)
        .bind(election_id)
        .bind(resident_id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// resident id → request status, for one election.
pub async fn requests(store: &Store, election_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, String)>("SELECT resident_id, status FROM registration_requests WHERE election_id = $1")
            .bind(election_id)
            .fetch_all(c)
            .await?
    }))
}

// ---- objections ----

#[allow(clippy::too_many_arguments)]
pub async fn insert_objection(
    tx: &mut Tx,
    election_id: i64,
    resident_id: Option<i64>,
    filed_by: &str,
    kind: &str,
    reason: &str,
    filed_on: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO objections (election_id, resident_id, filed_by, kind, reason, filed_on, status, decision, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', '', $7) RETURNING id",
        )
        .bind(election_id)
        .bind(resident_id)
        .bind(filed_by)
        .bind(kind)
        .bind(reason)
        .bind(filed_on)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn decide_objection(tx: &mut Tx, id: i64, upheld: bool, decision: &str, on: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE objections SET status = $1, decision = $2, decided_on = $3 WHERE id = $4 AND status = 'open'")
            .bind(if upheld { "upheld" } else { "rejected" })
            .bind(decision)
            .bind(on)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn objections(store: &Store, election_id: i64) -> Result<Vec<ObjectionRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, ObjectionRow>(
            "SELECT id, election_id, resident_id, filed_by, kind, reason, filed_on, status, decision, decided_on \
             FROM objections WHERE election_id = $1 ORDER BY id",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

pub async fn objection(store: &Store, id: i64) -> Result<Option<ObjectionRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, ObjectionRow>(
            "SELECT id, election_id, resident_id, filed_by, kind, reason, filed_on, status, decision, decided_on \
             FROM objections WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

// ---- proxies ----

const PROXY_SELECT: &str = "SELECT p.id, p.election_id, p.principal_id, a.name AS principal_name, p.proxy_id, \
     b.name AS proxy_name, p.reason, p.applied_on, p.status, p.decided_on FROM proxies p \
     JOIN residents a ON a.id = p.principal_id JOIN residents b ON b.id = p.proxy_id";

pub async fn insert_proxy(
    tx: &mut Tx,
    election_id: i64,
    principal: i64,
    proxy: i64,
    reason: &str,
    on: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO proxies (election_id, principal_id, proxy_id, reason, applied_on, status, created_ms) \
             VALUES ($1, $2, $3, $4, $5, 'applied', $6) RETURNING id",
        )
        .bind(election_id)
        .bind(principal)
        .bind(proxy)
        .bind(reason)
        .bind(on)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

/// One proxy authorisation, on the pool or inside a transaction in progress.
pub async fn proxy(db: impl Into<Db<'_>>, id: i64) -> Result<Option<ProxyRow>> {
    let sql = format!("{PROXY_SELECT} WHERE p.id = $1");
    Ok(on_conn!(db db.into(), |c| sqlx::query_as::<_, ProxyRow>(&sql).bind(id).fetch_optional(c).await?))
}

pub async fn proxies(store: &Store, election_id: i64) -> Result<Vec<ProxyRow>> {
    let sql = format!("{PROXY_SELECT} WHERE p.election_id = $1 ORDER BY p.id");
    Ok(on_conn!(pool store, |c| sqlx::query_as::<_, ProxyRow>(&sql).bind(election_id).fetch_all(c).await?))
}

/// Approved authorisations a person holds as proxy, read inside the deciding transaction.
pub async fn held_by(tx: &mut Tx, election_id: i64, proxy_id: i64) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM proxies WHERE election_id = $1 AND proxy_id = $2 AND status = 'approved'",
        )
        .bind(election_id)
        .bind(proxy_id)
        .fetch_one(c)
        .await?
    }))
}

pub async fn decide_proxy(tx: &mut Tx, id: i64, approve: bool, on: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE proxies SET status = $1, decided_on = $2 WHERE id = $3 AND status = 'applied'")
            .bind(if approve { "approved" } else { "rejected" })
            .bind(on)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// Serialises decisions within one election (a no-op write takes the row lock on PostgreSQL;
/// SQLite's BEGIN IMMEDIATE already serialises writers), so limits hold under concurrency.
pub async fn lock_election(tx: &mut Tx, id: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("UPDATE elections SET updated_ms = updated_ms WHERE id = $1").bind(id).execute(c).await?;
    });
    Ok(())
}

pub async fn are_near_relatives(tx: &mut Tx, a: i64, b: i64) -> Result<bool> {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    let n: i64 = on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM near_relatives WHERE resident_a = $1 AND resident_b = $2")
            .bind(lo)
            .bind(hi)
            .fetch_one(c)
            .await?
    });
    Ok(n > 0)
}

// ---- election committee ----

pub async fn insert_member(
    tx: &mut Tx,
    election_id: i64,
    resident_id: i64,
    position: &str,
    username: &str,
    status: &str,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query(
            "INSERT INTO committee_members (election_id, resident_id, position, order_no, username, status, note) \
             VALUES ($1, $2, $3, (SELECT COALESCE(MAX(order_no), 0) + 1 FROM committee_members WHERE election_id = $1), $4, $5, '')",
        )
        .bind(election_id)
        .bind(resident_id)
        .bind(position)
        .bind(username)
        .bind(status)
        .execute(c)
        .await?;
    });
    Ok(())
}

pub async fn set_member_status(
    tx: &mut Tx,
    election_id: i64,
    resident_id: i64,
    status: &str,
    note: &str,
) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("UPDATE committee_members SET status = $1, note = $2 WHERE election_id = $3 AND resident_id = $4")
            .bind(status)
            .bind(note)
            .bind(election_id)
            .bind(resident_id)
            .execute(c)
            .await?;
    });
    Ok(())
}

pub async fn members(store: &Store, election_id: i64) -> Result<Vec<MemberRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, MemberRow>(
            "SELECT m.resident_id, r.name, m.position, m.order_no, m.username, m.status, m.note FROM committee_members m \
             JOIN residents r ON r.id = m.resident_id WHERE m.election_id = $1 ORDER BY m.order_no",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_decision(
    tx: &mut Tx,
    election_id: i64,
    subject: &str,
    members: i64,
    present: i64,
    yes: i64,
    adopted: bool,
    on: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO committee_decisions (election_id, subject, members, present, yes, adopted, decided_on, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(election_id)
        .bind(subject)
        .bind(members)
        .bind(present)
        .bind(yes)
        .bind(adopted)
        .bind(on)
        .bind(now)
        .fetch_one(c)
        .await?
    }))
}

pub async fn decisions(store: &Store, election_id: i64) -> Result<Vec<DecisionRow>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, DecisionRow>(
            "SELECT id, subject, members, present, yes, adopted, decided_on FROM committee_decisions WHERE election_id = $1 ORDER BY id",
        )
        .bind(election_id)
        .fetch_all(c)
        .await?
    }))
}

// ---- residents' representatives ----

pub async fn set_group_representatives(tx: &mut Tx, election_id: i64, group_id: i64, residents: &[i64]) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("DELETE FROM group_representatives WHERE election_id = $1 AND group_id = $2")
            .bind(election_id)
            .bind(group_id)
            .execute(&mut *c)
            .await?;
        for r in residents {
            sqlx::query("INSERT INTO group_representatives (election_id, group_id, resident_id) VALUES ($1, $2, $3)")
                .bind(election_id)
                .bind(group_id)
                .bind(*r)
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(())
}

/// (group id, resident id) of every recorded representative.
pub async fn representatives(store: &Store, election_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, (i64, i64)>("SELECT group_id, resident_id FROM group_representatives WHERE election_id = $1")
            .bind(election_id)
            .fetch_all(c)
            .await?
    }))
}

/// Whether an ID number holds a place in any round (its owner is someone's voter).
pub async fn is_claimed(tx: &mut Tx, id_number: &str) -> Result<bool> {
    let n: i64 = on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM round_registrations WHERE id_number = $1")
            .bind(id_number)
            .fetch_one(c)
            .await?
    });
    Ok(n > 0)
}
