//! Canopy: a GraphQL API for umbrella networks of peer support groups.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod startup;
pub mod telemetry;
