//! The plain records the registry, the roll, the objections, the proxies, the committee and
//! the nominations are listed as (issue 14 item 1): the store reads them (hence `FromRow`), the
//! service layer returns them, the pages and the JSON show them. Only the store builds them.

use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct StreetOffice {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Community {
    pub id: i64,
    pub street_office_id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct CommunityStats {
    pub id: i64,
    pub street_office_id: i64,
    pub code: String,
    pub name: String,
    pub groups: i64,
    pub households: i64,
    pub residents: i64,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ResidentGroup {
    pub id: i64,
    pub community_id: i64,
    pub number: i64,
    pub name: String,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Household {
    pub id: i64,
    pub community_id: i64,
    pub group_id: Option<i64>,
    pub number: String,
    pub address: String,
}

#[derive(Debug, Clone, FromRow, Serialize, serde::Deserialize, PartialEq)]
pub struct Resident {
    pub id: i64,
    pub community_id: i64,
    pub household_id: Option<i64>,
    pub group_id: Option<i64>,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_number: String,
    pub hukou_here: bool,
    pub months_resident: i64,
    pub community_worker: bool,
    pub worker_months: i64,
    pub political_rights: String,
    pub household_head: bool,
    pub phone: String,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct HistoryRow {
    pub version: i64,
    pub changed_ms: i64,
    pub actor: String,
    pub before_json: String,
    pub after_json: String,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct HouseholdRow {
    pub id: i64,
    pub number: String,
    pub address: String,
    pub group_number: Option<i64>,
    pub members: i64,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct RelativeRow {
    pub id: i64,
    pub name: String,
    pub relation: String,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct VoterRow {
    pub resident_id: i64,
    pub name: String,
    pub gender: String,
    pub id_number: String,
    pub group_number: Option<i64>,
    pub household_number: Option<String>,
    pub address: Option<String>,
    pub category: String,
    pub has_code: bool,
    /// The check-in number printed on the card (issue 13): given with the first card.
    pub checkin_no: Option<i64>,
    /// Notified in time that they cannot return (LAW.md §3 [P], `absentee_notices`): committed
    /// with the list as an absentee leaf and left out of the turnout denominator.
    pub absent: bool,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ObjectionRow {
    pub id: i64,
    pub election_id: i64,
    pub resident_id: Option<i64>,
    pub filed_by: String,
    pub kind: String,
    pub reason: String,
    pub filed_on: String,
    pub status: String,
    pub decision: String,
    pub decided_on: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ProxyRow {
    pub id: i64,
    pub election_id: i64,
    pub principal_id: i64,
    pub principal_name: String,
    pub proxy_id: i64,
    pub proxy_name: String,
    pub reason: String,
    pub applied_on: String,
    pub status: String,
    pub decided_on: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct MemberRow {
    pub resident_id: i64,
    pub name: String,
    pub position: String,
    pub order_no: i64,
    pub username: String,
    pub status: String,
    pub note: String,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct DecisionRow {
    pub id: i64,
    pub subject: String,
    pub members: i64,
    pub present: i64,
    pub yes: i64,
    pub adopted: bool,
    pub decided_on: String,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct NominationRow {
    pub id: i64,
    pub election_id: i64,
    pub post: String,
    pub nominee_id: i64,
    pub nominee_name: String,
    pub route: String,
    pub nominators: String,
    pub consent_on: Option<String>,
    pub review: String,
    pub reviewer: String,
    pub reviewed_on: Option<String>,
    pub review_reasons: String,
    pub status: String,
    pub list_order: Option<i64>,
    pub support: i64,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Batch {
    pub id: i64,
    pub community_id: i64,
    pub created_by: Option<i64>,
    pub created_ms: i64,
    pub filename: String,
    pub status: String,
    pub total_rows: i64,
    pub error_rows: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct StagedRow {
    pub row_no: i64,
    pub data_json: String,
    pub errors_json: String,
}

/// A polling booth (a kiosk) as the polling page and the booth itself show it; its token
/// stays in the store.
#[derive(Debug, Clone, Serialize)]
pub struct Booth {
    pub id: i64,
    pub election_id: i64,
    pub station: String,
    pub name: String,
    pub unlocked_round: Option<i64>,
}

/// A recall proceeding (罢免, LAW.md §9) as stored: the member, the reasons, the signers.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct RecallRow {
    pub election_id: i64,
    pub term_election_id: i64,
    pub member_id: String,
    pub member_post: String,
    pub member_name: String,
    pub reasons: String,
    pub signers: String,
    pub verified_on: Option<String>,
    pub answer: Option<String>,
    pub answer_on: Option<String>,
}

/// A vacancy on a committee and the by-election that fills it (LAW.md §9).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct VacancyRow {
    pub id: i64,
    pub term_election_id: i64,
    pub post: String,
    pub member_id: Option<String>,
    pub cause: String,
    pub arose_on: String,
    pub filing_by: String,
    pub byelection_by: String,
    pub byelection_id: Option<i64>,
}
