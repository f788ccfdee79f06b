//! Organisations, clusters and role grants.

pub mod inputs;
pub mod mutation;
pub mod query;
pub mod types;
