//! Staff roles and the scope they act in (DESIGN.md "Identity and roles").

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 街道办事处: sets up elections for every community of its street office.
    StreetAdmin,
    /// 居民选举委员会成员: runs one community's election.
    Committee,
    /// Polling staff of one community.
    Clerk,
    /// Read-only: the public's and the supervisors' eyes.
    Observer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::StreetAdmin, Role::Committee, Role::Clerk, Role::Observer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::StreetAdmin => "street_admin",
            Role::Committee => "committee",
            Role::Clerk => "clerk",
            Role::Observer => "observer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    StreetOffice,
    Community,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::StreetOffice => "street_office",
            ScopeKind::Community => "community",
        }
    }
    pub fn parse(s: &str) -> Option<ScopeKind> {
        match s {
            "street_office" => Some(ScopeKind::StreetOffice),
            "community" => Some(ScopeKind::Community),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scope {
    pub kind: ScopeKind,
    pub id: i64,
}

/// A role held over a scope: what a staff account is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}
