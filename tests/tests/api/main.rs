//! The one integration test binary: every module below talks to a real server over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod accounts;
mod admission;
mod buddies;
mod check_ins;
mod cohorts;
mod connections;
mod data_layer;
mod demo;
mod explain;
mod feedback;
mod groups;
mod house;
mod http_surface;
mod input_sweep;
mod limits;
mod meetings;
mod memberships;
mod oracles;
mod pending;
mod pledges;
mod polls;
mod rating_privacy;
mod resources;
mod rotation;
mod schema;
mod sessions;
mod spec;
mod statements;
mod succession;
mod suggestions;
mod training;
mod umbrella;
mod wellbeing;
