//! sea-orm entities and the enums stored in them. Knows nothing of GraphQL.

pub mod action_commitment;
pub mod application_vote;
pub mod attendance;
pub mod buddy_pair;
pub mod check_in;
pub mod cluster;
pub mod enums;
pub mod facilitator_load_report;
pub mod group;
pub mod group_review;
pub mod login_failure;
pub mod meeting;
pub mod meeting_feedback;
pub mod meeting_feedback_receipt;
pub mod meeting_record;
pub mod membership;
pub mod membership_application;
pub mod organisation;
pub mod person;
pub mod pledge;
pub mod pledge_acceptance;
pub mod poll;
pub mod poll_vote;
pub mod record_amendment;
pub mod refresh_token;
pub mod role_grant;
pub mod suggestion;
pub mod unavailability;
pub mod wellbeing_week;

pub use enums::*;
