//! Member care: check-ins and group wellbeing, pledges, polls, meeting feedback and the
//! suggestion box.

pub mod admission;
pub mod buddies;
pub mod check_ins;
pub mod feedback;
pub mod pending;
pub mod pledges;
pub mod polls;
pub mod suggestions;
pub mod wellbeing;
