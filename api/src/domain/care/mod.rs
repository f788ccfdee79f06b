//! Member care. The data here is health-adjacent: nobody but the person reads an individual
//! check-in, on any path.

pub mod admission;
pub mod buddies;
pub mod check_ins;
pub mod feedback;
pub mod pending;
pub mod pledges;
pub mod polls;
pub mod reads;
pub mod suggestions;
pub mod wellbeing;
// issue 15 (stats): who counts toward a cohort, and the noise on released aggregates.
pub mod established;
pub mod noise;
