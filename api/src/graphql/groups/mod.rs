//! Groups, the directory, and memberships.

pub mod inputs;
pub mod mutation;
pub mod query;
pub mod types;
