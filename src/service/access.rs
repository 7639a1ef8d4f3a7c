//! Who may do what, where. A staff member holds roles scoped to a street office or a community;
//! every use case asks [`Staff::authorize`] for the permission it needs on the community it
//! touches, and records the role that allowed it.
//!
//! One rule for every answer: scope first, then permission. A community, street office or
//! anything inside one that does not exist or lies outside one's scope is `NotFound` (404), the
//! same answer for both, so nobody can probe which ids exist; inside one's scope a missing
//! permission is `Forbidden` (403). Validation of the request comes after both.

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

    /// The role that grants `p` on street office `street_id`: an act of the street office itself
    /// (create communities, manage staff). The one rule of this module applies: a street office
    /// that does not exist or lies outside one's scope answers `NotFound`; one inside it (a grant
    /// on the office or on one of its communities) without the permission answers `Forbidden`.
    pub async fn authorize_street(&self, store: &Store, p: Permission, street_id: i64) -> Result<Role> {
        if registry::street_office(store, street_id).await?.is_none() || !self.sees_street(store, street_id).await? {
            return Err(ServiceError::NotFound);
        }
        self.street_role(p, street_id).ok_or(ServiceError::Forbidden)
    }

    /// The street-level role that grants `p` over community `community_id`: the street office's
    /// acts on one of its communities (open an election, a recall or a by-election there, grant a
    /// role in it). A community role never counts here, however high. Unknown or out of scope:
    /// `NotFound`; in scope without the permission: `Forbidden`.
    pub async fn authorize_street_over(
        &self,
        store: &Store,
        p: Permission,
        community_id: i64,
    ) -> Result<(Role, registry::Community)> {
        let c = self.visible_community(store, community_id).await?;
        let role = self.street_role(p, c.street_office_id).ok_or(ServiceError::Forbidden)?;
        Ok((role, c))
    }

    /// The role that grants `p` on community `community_id` (directly, or through its street
    /// office). Unknown communities and communities out of scope answer the same `NotFound`,
    /// so ids outside one's scope cannot be probed; in scope without `p` is `Forbidden`.
    pub async fn authorize(&self, store: &Store, p: Permission, community_id: i64) -> Result<Role> {
        let c = self.visible_community(store, community_id).await?;
        let direct = self
            .grants
            .iter()
            .find(|g| g.scope.kind == ScopeKind::Community && g.scope.id == c.id && role_allows(g.role, p));
        if let Some(g) = direct {
            return Ok(g.role);
        }
        self.street_role(p, c.street_office_id).ok_or(ServiceError::Forbidden)
    }

    /// Whether `p` is granted on community `community_id`, for pages that only show or hide a
    /// step: "no" for out of scope or not granted, and a database failure stays an error (it is
    /// never read as "no").
    pub async fn may(&self, store: &Store, p: Permission, community_id: i64) -> Result<bool> {
        match self.authorize(store, p, community_id).await {
            Ok(_) => Ok(true),
            Err(ServiceError::Forbidden | ServiceError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The community, if it exists and lies in this staff member's scope; `NotFound` otherwise
    /// (the same answer for both, checked before any permission).
    async fn visible_community(&self, store: &Store, community_id: i64) -> Result<registry::Community> {
        match registry::community(store, community_id).await? {
            Some(c) if self.can_see(&c) => Ok(c),
            _ => Err(ServiceError::NotFound),
        }
    }

    fn can_see(&self, c: &registry::Community) -> bool {
        self.grants.iter().any(|g| match g.scope.kind {
            ScopeKind::Community => g.scope.id == c.id,
            ScopeKind::StreetOffice => g.scope.id == c.street_office_id,
        })
    }

    /// Whether street office `street_id` lies in this staff member's scope: a grant on the office
    /// or on one of its communities (a committee member knows which office their community
    /// belongs to).
    async fn sees_street(&self, store: &Store, street_id: i64) -> Result<bool> {
        for g in &self.grants {
            let street = match g.scope.kind {
                ScopeKind::StreetOffice => Some(g.scope.id),
                ScopeKind::Community => registry::community(store, g.scope.id).await?.map(|c| c.street_office_id),
            };
            if street == Some(street_id) {
                return Ok(true);
            }
        }
        Ok(false)
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
