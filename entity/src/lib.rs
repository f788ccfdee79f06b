//! sea-orm entities and the enums stored in them. Knows nothing of GraphQL.

pub mod cluster;
pub mod enums;
pub mod group;
pub mod login_failure;
pub mod membership;
pub mod organisation;
pub mod person;
pub mod refresh_token;
pub mod role_grant;

pub use enums::*;
