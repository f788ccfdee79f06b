//! Meetings, agendas, attendance, the shared record and action commitments.

pub mod fields;
pub mod inputs;
pub mod mutation;
pub mod query;
pub mod types;
