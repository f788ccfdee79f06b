//! Member care: stress check-ins (the person's own, always).

pub mod check_ins;
pub mod pledges;
pub mod polls;
pub mod suggestions;
