//! Plain types shared by every layer. Input is parsed into these at the edge (web, import,
//! CLI); below the edge nothing re-validates strings.

pub mod ballot;
mod election;
mod id_card;
mod person;
mod roles;
mod round;

pub use election::{CHANNELS, ElectionKind, Stage};
pub use id_card::{IdCardError, IdCardNumber};
pub use person::{Gender, NewResident, PersonName, PoliticalRights, RawResident, ResidentInputError, parse_date};
pub use roles::{Role, Scope, ScopeKind};
pub use round::Round;
