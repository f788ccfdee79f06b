//! The shared resource repository in GraphQL: thin resolvers over `domain::resources`.

pub mod mutation;
pub mod query;
pub mod types;
