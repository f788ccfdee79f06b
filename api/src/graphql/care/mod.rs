//! Member care: check-ins and group wellbeing, pledges, polls and the suggestion box.

pub mod check_ins;
pub mod pledges;
pub mod polls;
pub mod suggestions;
pub mod wellbeing;
