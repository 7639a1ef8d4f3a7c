//! The staff accounts page's read model (issue 14 item 3): for every street office in which
//! the caller may manage accounts, the office, its communities and the accounts holding a role
//! there, so `web/staff/users.rs` calls one function and renders.

use super::access::{Permission, Staff};
use super::{Result, ServiceError};
use crate::domain::records::{Community, StreetOffice};
use crate::store::{Store, registry, users};

/// An account holding a role in the street office or one of its communities.
pub struct Account {
    pub id: i64,
    /// Has two-step verification (a street admin may reset it).
    pub two_factor: bool,
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// The name of the street office or community the role is held in.
    pub scope: String,
}

pub struct StreetAccounts {
    pub street: StreetOffice,
    pub communities: Vec<Community>,
    pub accounts: Vec<Account>,
}

/// The street offices whose accounts `staff` manages; refused (403) when there is none.
pub async fn accounts(store: &Store, staff: &Staff) -> Result<Vec<StreetAccounts>> {
    let mut out = Vec::new();
    for street_id in staff.street_ids() {
        if staff.street_role(Permission::ManageUsers, street_id).is_none() {
            continue;
        }
        let Some(street) = registry::street_office(store, street_id).await? else { continue };
        let mut communities = Vec::new();
        for cid in registry::community_ids_in_street(store, street_id).await? {
            communities.extend(registry::community(store, cid).await?);
        }
        let mut accounts = Vec::new();
        for u in users::list_in_street(store, street_id).await? {
            let scope = if u.scope_kind == "street_office" {
                street.name.clone()
            } else {
                communities.iter().find(|c| c.id == u.scope_id).map(|c| c.name.clone()).unwrap_or_default()
            };
            let two_factor = super::signin::enrolled(store, u.id).await?;
            accounts.push(Account {
                id: u.id,
                two_factor,
                username: u.username,
                display_name: u.display_name,
                role: u.role,
                scope,
            });
        }
        out.push(StreetAccounts { street, communities, accounts });
    }
    if out.is_empty() {
        return Err(ServiceError::Forbidden);
    }
    Ok(out)
}
