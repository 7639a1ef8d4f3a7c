//! Who may do what, where. A staff member holds roles scoped to a street office or a community;
//! every use case asks [`Staff::authorize`] for the permission it needs on the community it
//! touches, and records the role that allowed it.

use crate::audit::Actor;
use crate::domain::{Role, ScopeKind};
use crate::store::users::Grant;
use crate::store::{Store, registry};

use super::{Result, ServiceError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// See the registry (observers see ID numbers masked).
    ReadRegistry,
    /// Create and edit groups, households, residents; import.
    WriteRegistry,
    /// Create communities in a street office.
    ManageCommunities,
    /// Create staff accounts and grant roles.
    ManageUsers,
    /// Open a community's election (the street office's act).
    OpenElection,
    /// Run an election: plan, registration, publication, objections, cards (the committee).
    RunElection,
    /// Polling-station work: check voters in, set up booths, enter paper ballots (clerks, and
    /// the committee who supervise them).
    ConductPolling,
}

#[derive(Clone, Debug)]
pub struct Staff {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
}

fn role_allows(role: Role, p: Permission) -> bool {
    match role {
        Role::StreetAdmin => true,
        Role::Committee => matches!(
            p,
            Permission::ReadRegistry | Permission::WriteRegistry | Permission::RunElection | Permission::ConductPolling
        ),
        Role::Clerk => matches!(p, Permission::ReadRegistry | Permission::ConductPolling),
        Role::Observer => matches!(p, Permission::ReadRegistry),
    }
}

impl Staff {
    pub fn actor(&self, role: Role) -> Actor {
        Actor { user_id: Some(self.user_id), username: self.username.clone(), role: role.as_str().into() }
    }

    /// The role that grants `p` on street office `street_id`, if any. Only street-level grants
    /// count: a committee member of one community has no say over its street office.
    pub fn street_role(&self, p: Permission, street_id: i64) -> Option<Role> {
        self.grants
            .iter()
            .find(|g| g.scope.kind == ScopeKind::StreetOffice && g.scope.id == street_id && role_allows(g.role, p))
            .map(|g| g.role)
    }

    pub fn authorize_street(&self, p: Permission, street_id: i64) -> Result<Role> {
        self.street_role(p, street_id).ok_or(ServiceError::Forbidden)
    }

    /// The role that grants `p` on community `community_id` (directly, or through its street
    /// office). Unknown communities and communities out of scope answer the same `NotFound`,
    /// so ids outside one's scope cannot be probed.
    pub async fn authorize(&self, store: &Store, p: Permission, community_id: i64) -> Result<Role> {
        let c = registry::community(store, community_id).await?.ok_or(ServiceError::NotFound)?;
        let direct = self
            .grants
            .iter()
            .find(|g| g.scope.kind == ScopeKind::Community && g.scope.id == c.id && role_allows(g.role, p));
        if let Some(g) = direct {
            return Ok(g.role);
        }
        if let Some(r) = self.street_role(p, c.street_office_id) {
            return Ok(r);
        }
        if self.can_see(&c) { Err(ServiceError::Forbidden) } else { Err(ServiceError::NotFound) }
    }

    fn can_see(&self, c: &registry::Community) -> bool {
        self.grants.iter().any(|g| match g.scope.kind {
            ScopeKind::Community => g.scope.id == c.id,
            ScopeKind::StreetOffice => g.scope.id == c.street_office_id,
        })
    }

    /// Whether this person sees full ID numbers in `community_id` (observers see them masked).
    pub fn sees_full_ids(&self, role: Role) -> bool {
        role != Role::Observer
    }

    /// Every community id the staff member can read, in order.
    pub async fn readable_communities(&self, store: &Store) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        for g in &self.grants {
            match g.scope.kind {
                ScopeKind::Community => ids.push(g.scope.id),
                ScopeKind::StreetOffice => ids.extend(registry::community_ids_in_street(store, g.scope.id).await?),
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// Street offices where this staff member holds a street-level role.
    pub fn street_ids(&self) -> Vec<i64> {
        let mut v: Vec<i64> =
            self.grants.iter().filter(|g| g.scope.kind == ScopeKind::StreetOffice).map(|g| g.scope.id).collect();
        v.dedup();
        v
    }
}
