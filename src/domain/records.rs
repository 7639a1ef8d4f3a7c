//! The plain records the registry, the roll, the objections, the proxies, the committee and
//! the nominations are listed as (issue 14 item 1): the store reads them (hence `FromRow`), the
//! service layer returns them, the pages and the JSON show them. Only the store builds them.

use serde::{Deserialize, Serialize};

use crate::law::Post;
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

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CommunityStats {
    pub id: i64,
    pub street_office_id: i64,
    pub code: String,
    pub name: String,
    pub groups: i64,
    pub households: i64,
    pub residents: i64,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ResidentGroup {
    pub id: i64,
    pub community_id: i64,
    pub number: i64,
    pub name: String,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct Household {
    pub id: i64,
    pub community_id: i64,
    pub group_id: Option<i64>,
    pub number: String,
    pub address: String,
}

#[derive(Debug, Clone, FromRow, Serialize, serde::Deserialize, PartialEq, utoipa::ToSchema)]
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

/// One stored change of a resident: the versions before and after as stored (the API shows
/// the text) and as read (`store::registry` parses them once).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryRow {
    pub version: i64,
    pub changed_ms: i64,
    pub actor: String,
    pub before_json: String,
    pub after_json: String,
    #[serde(skip)]
    pub before: serde_json::Map<String, serde_json::Value>,
    #[serde(skip)]
    pub after: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct HouseholdRow {
    pub id: i64,
    pub number: String,
    pub address: String,
    pub group_number: Option<i64>,
    pub members: i64,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct RelativeRow {
    pub id: i64,
    pub name: String,
    pub relation: String,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MemberRow {
    pub resident_id: i64,
    pub name: String,
    pub position: String,
    pub order_no: i64,
    pub username: String,
    pub status: String,
    pub note: String,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct DecisionRow {
    pub id: i64,
    pub subject: String,
    pub members: i64,
    pub present: i64,
    pub yes: i64,
    pub adopted: bool,
    pub decided_on: String,
}

/// A nomination as the store reads it (`store::nominations` parses the stored values).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NominationRow {
    pub id: i64,
    pub election_id: i64,
    pub post: Post,
    pub nominee_id: i64,
    pub nominee_name: String,
    pub route: String,
    /// The residents who nominated; on the wire as the stored JSON text, as always.
    #[serde(serialize_with = "ids_as_text")]
    #[schema(value_type = String)]
    pub nominators: Vec<i64>,
    pub consent_on: Option<String>,
    pub review: String,
    pub reviewer: String,
    pub reviewed_on: Option<String>,
    pub review_reasons: String,
    pub status: NominationStatus,
    pub list_order: Option<i64>,
    pub support: i64,
}

/// Where a nomination stands (LAW.md §5): nominated, then on the formal list (`candidate`) or
/// kept in reserve, or withdrawn. Stored and on the wire as the snake_case strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    Nominated,
    Candidate,
    Reserve,
    Withdrawn,
}

impl NominationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NominationStatus::Nominated => "nominated",
            NominationStatus::Candidate => "candidate",
            NominationStatus::Reserve => "reserve",
            NominationStatus::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
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

/// A staged import row, its stored values parsed once in `store::imports`.
#[derive(Debug, Clone)]
pub struct StagedRow {
    pub row_no: i64,
    /// The row exactly as staged (the commit digests these bytes).
    pub data_json: String,
    /// `data_json` read.
    pub data: crate::domain::RawResident,
    /// What is wrong with the row (empty for a good row).
    pub errors: Vec<crate::domain::ResidentInputError>,
}

/// A polling booth (a kiosk) as the polling page and the booth itself show it; its token
/// stays in the store.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Booth {
    pub id: i64,
    pub election_id: i64,
    pub station: String,
    pub name: String,
    pub unlocked_round: Option<i64>,
}

/// A recall proceeding (罢免, LAW.md §9) as stored: the member, the reasons, the signers.
#[derive(Debug, Clone, Serialize)]
pub struct RecallRow {
    pub election_id: i64,
    pub term_election_id: i64,
    pub member_id: String,
    pub member_post: String,
    pub member_name: String,
    pub reasons: String,
    /// The residents who signed the petition (parsed once, in `store::recall`).
    pub signers: Vec<i64>,
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

/// A list of ids written as its JSON text (`"[1,2]"`), as the pages and the API have shown it.
fn ids_as_text<S: serde::Serializer>(ids: &[i64], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&serde_json::to_string(ids).map_err(serde::ser::Error::custom)?)
}
