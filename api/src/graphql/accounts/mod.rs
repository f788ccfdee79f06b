//! People, sign-in and the `viewer`.

pub mod inputs;
pub mod mutation;
pub mod query;
pub mod types;
