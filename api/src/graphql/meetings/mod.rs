//! Meetings, agendas, attendance, the shared record and action commitments.

pub mod fields;
pub mod health;
pub mod inputs;
pub mod mutation;
pub mod query;
pub mod rotation;
pub mod types;
