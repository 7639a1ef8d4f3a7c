//! Plain types shared by every layer. Input is parsed into these at the edge (web, import,
//! CLI); below the edge nothing re-validates strings.

pub mod action;
pub mod ballot;
pub mod ceremony;
pub mod e2e;
mod election;
mod id_card;
pub mod mix;
mod person;
mod plan;
pub mod records;
mod roles;
mod round;

pub use action::Action;
pub use election::{ElectionKind, Stage};
pub use id_card::{IdCardError, IdCardNumber, mask_id_number};
pub use person::{Gender, NewResident, PersonName, PoliticalRights, RawResident, ResidentInputError, parse_date};
pub use plan::{ChannelSet, Election, Plan, Station};
pub use roles::{Grant, Role, Scope, ScopeKind};
pub use round::Round;
