//! Schema migrations, one change per file. Landed files are never edited: add a new one.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_organisations;
mod m20261123_000002_create_people;
mod m20261123_000003_create_clusters;
mod m20261123_000004_create_role_grants;
mod m20261123_000005_create_groups;
mod m20261123_000006_create_memberships;
mod m20261123_000007_create_refresh_tokens;
mod m20261123_000008_create_login_failures;
mod m20261123_000009_create_meetings;
mod m20261123_000010_add_group_agenda_template;
mod m20261123_000011_create_attendance;
mod m20261123_000012_create_meeting_records;
mod m20261123_000013_create_record_amendments;
mod m20261123_000014_create_action_commitments;
mod m20261123_000015_add_group_rotation_policy;
mod m20261123_000016_create_unavailability;
mod m20261123_000017_create_facilitator_load_reports;
mod m20261123_000018_create_group_reviews;
mod m20261123_000019_add_meeting_cadence_date;
mod m20261123_000020_create_check_ins;
mod m20261123_000021_create_pledges;
mod m20261123_000022_create_pledge_acceptances;
mod m20261123_000023_create_polls;
mod m20261123_000024_create_poll_votes;
mod m20261123_000025_create_suggestions;
mod m20261123_000026_create_wellbeing_weeks;
mod m20261123_000027_create_meeting_feedback;
mod m20261123_000028_create_meeting_feedback_receipts;
mod m20261123_000029_create_membership_applications;
mod m20261123_000030_create_application_votes;
mod m20261123_000031_add_group_consent_quorum;
mod m20261123_000032_create_buddy_pairs;
mod m20261123_000033_create_training_programs;
mod m20261123_000034_create_competencies;
mod m20261123_000035_create_workshops;
mod m20261123_000036_create_workshop_trainers;
mod m20261123_000037_create_workshop_sessions;
mod m20261123_000038_create_enrollments;
mod m20261123_000039_create_workshop_attendance;
mod m20261123_000040_create_evidence;
mod m20261123_000041_create_certifications;
mod m20261123_000042_create_mentorships;
mod m20261123_000043_create_named_successors;
mod m20261123_000044_add_group_requires_certified_facilitator;
mod m20261129_000045_create_group_succession;
mod m20261129_000046_create_resources;
mod m20261129_000047_create_resource_versions;
mod m20261129_000048_create_resource_tags;
mod m20261129_000049_create_resource_search;
mod m20261129_000050_create_resource_reviews;
mod m20261129_000051_create_resource_adoptions;
mod m20261129_000052_create_resource_ratings;
mod m20261129_000053_create_program_toolkit;
mod m20261129_000054_add_group_agenda_template_resource;
mod m20261129_000055_create_resource_releases;
mod m20261130_000056_add_published_resource_search_index;
mod m20261207_000057_create_throttle_events;
mod m20261207_000060_add_resource_rating_releases;
mod m20261207_000063_add_poll_open_ballot;
mod m20261207_000064_add_poll_frozen_tally;
mod m20261207_000066_add_wellbeing_week_established;
mod m20261207_000067_add_feedback_receipt_established;
mod m20261207_000068_create_feedback_summaries;
mod m20261208_000069_add_connection_indexes;
mod m20261208_000070_statement_level_succession_triggers;
mod m20261208_000071_add_more_connection_indexes;
mod m20261208_000072_add_status_page_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_organisations::Migration),
            Box::new(m20261123_000002_create_people::Migration),
            Box::new(m20261123_000003_create_clusters::Migration),
            Box::new(m20261123_000004_create_role_grants::Migration),
            Box::new(m20261123_000005_create_groups::Migration),
            Box::new(m20261123_000006_create_memberships::Migration),
            Box::new(m20261123_000007_create_refresh_tokens::Migration),
            Box::new(m20261123_000008_create_login_failures::Migration),
            Box::new(m20261123_000009_create_meetings::Migration),
            Box::new(m20261123_000010_add_group_agenda_template::Migration),
            Box::new(m20261123_000011_create_attendance::Migration),
            Box::new(m20261123_000012_create_meeting_records::Migration),
            Box::new(m20261123_000013_create_record_amendments::Migration),
            Box::new(m20261123_000014_create_action_commitments::Migration),
            Box::new(m20261123_000015_add_group_rotation_policy::Migration),
            Box::new(m20261123_000016_create_unavailability::Migration),
            Box::new(m20261123_000017_create_facilitator_load_reports::Migration),
            Box::new(m20261123_000018_create_group_reviews::Migration),
            Box::new(m20261123_000019_add_meeting_cadence_date::Migration),
            Box::new(m20261123_000020_create_check_ins::Migration),
            Box::new(m20261123_000021_create_pledges::Migration),
            Box::new(m20261123_000022_create_pledge_acceptances::Migration),
            Box::new(m20261123_000023_create_polls::Migration),
            Box::new(m20261123_000024_create_poll_votes::Migration),
            Box::new(m20261123_000025_create_suggestions::Migration),
            Box::new(m20261123_000026_create_wellbeing_weeks::Migration),
            Box::new(m20261123_000027_create_meeting_feedback::Migration),
            Box::new(m20261123_000028_create_meeting_feedback_receipts::Migration),
            Box::new(m20261123_000029_create_membership_applications::Migration),
            Box::new(m20261123_000030_create_application_votes::Migration),
            Box::new(m20261123_000031_add_group_consent_quorum::Migration),
            Box::new(m20261123_000032_create_buddy_pairs::Migration),
            Box::new(m20261123_000033_create_training_programs::Migration),
            Box::new(m20261123_000034_create_competencies::Migration),
            Box::new(m20261123_000035_create_workshops::Migration),
            Box::new(m20261123_000036_create_workshop_trainers::Migration),
            Box::new(m20261123_000037_create_workshop_sessions::Migration),
            Box::new(m20261123_000038_create_enrollments::Migration),
            Box::new(m20261123_000039_create_workshop_attendance::Migration),
            Box::new(m20261123_000040_create_evidence::Migration),
            Box::new(m20261123_000041_create_certifications::Migration),
            Box::new(m20261123_000042_create_mentorships::Migration),
            Box::new(m20261123_000043_create_named_successors::Migration),
            Box::new(m20261123_000044_add_group_requires_certified_facilitator::Migration),
            Box::new(m20261129_000045_create_group_succession::Migration),
            Box::new(m20261129_000046_create_resources::Migration),
            Box::new(m20261129_000047_create_resource_versions::Migration),
            Box::new(m20261129_000048_create_resource_tags::Migration),
            Box::new(m20261129_000049_create_resource_search::Migration),
            Box::new(m20261129_000050_create_resource_reviews::Migration),
            Box::new(m20261129_000051_create_resource_adoptions::Migration),
            Box::new(m20261129_000052_create_resource_ratings::Migration),
            Box::new(m20261129_000053_create_program_toolkit::Migration),
            Box::new(m20261129_000054_add_group_agenda_template_resource::Migration),
            Box::new(m20261129_000055_create_resource_releases::Migration),
            Box::new(m20261130_000056_add_published_resource_search_index::Migration),
            Box::new(m20261207_000057_create_throttle_events::Migration),
            Box::new(m20261207_000060_add_resource_rating_releases::Migration),
            Box::new(m20261207_000063_add_poll_open_ballot::Migration),
            Box::new(m20261207_000064_add_poll_frozen_tally::Migration),
            Box::new(m20261207_000066_add_wellbeing_week_established::Migration),
            Box::new(m20261207_000067_add_feedback_receipt_established::Migration),
            Box::new(m20261207_000068_create_feedback_summaries::Migration),
            Box::new(m20261208_000069_add_connection_indexes::Migration),
            Box::new(m20261208_000070_statement_level_succession_triggers::Migration),
            Box::new(m20261208_000071_add_more_connection_indexes::Migration),
            Box::new(m20261208_000072_add_status_page_indexes::Migration),
        ]
    }
}

/// Identifiers shared by several migrations (tables referenced by foreign keys).
#[derive(DeriveIden)]
pub(crate) enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub(crate) enum People {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub(crate) enum Clusters {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub(crate) enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub(crate) enum Memberships {
    Table,
}

#[derive(DeriveIden)]
pub(crate) enum Meetings {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub(crate) enum Polls {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub(crate) enum Pledges {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub(crate) enum MembershipApplications {
    Table,
}

#[derive(DeriveIden)]
pub(crate) enum MeetingRecords {
    Table,
    Id,
}

/// A training programme of an organisation: what it certifies and for how long.
#[derive(DeriveIden)]
pub(crate) enum TrainingPrograms {
    Table,
    Id,
    OrganisationId,
    /// Unique across the service (`trainingProgram(slug)`).
    Slug,
    Name,
    SortName,
    Description,
    PracticumMeetingsRequired,
    CertificationValidityMonths,
    /// Certifies trainers rather than facilitators.
    IsTrainerProgram,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Competencies {
    Table,
}

/// A train-the-facilitator workshop; `starts_at`/`ends_at` span its sessions.
#[derive(DeriveIden)]
pub(crate) enum Workshops {
    Table,
    Id,
    ProgramId,
    OrganisationId,
    Title,
    /// STANDARD or REFRESHER (a refresher renews a certification).
    Kind,
    Modality,
    Venue,
    ConferenceUrl,
    Capacity,
    StartsAt,
    EndsAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum WorkshopSessions {
    Table,
    Id,
    WorkshopId,
    Position,
    StartsAt,
    EndsAt,
}

/// An application to a workshop and what became of it; the waitlist is ordered by
/// `waitlisted_at`.
#[derive(DeriveIden)]
pub(crate) enum Enrollments {
    Table,
    Id,
    WorkshopId,
    PersonId,
    Statement,
    Status,
    /// For trainers and admins only.
    ScreeningNotes,
    AppliedAt,
    DecidedAt,
    DecidedBy,
    WaitlistedAt,
    CompletedAt,
    CompletedBy,
}

/// A sort key: the name lower-cased by the service, compared byte-wise on both databases
/// (PostgreSQL would otherwise order by its locale and SQLite by bytes, and pages and cursors
/// would differ between them).
pub(crate) fn sort_key(manager: &SchemaManager, col: impl IntoIden) -> ColumnDef {
    let mut column = ColumnDef::new(col);
    column.string_len(200).not_null();
    bytewise(manager, &mut column);
    column
}

/// Text compared byte-wise on both databases (see `sort_key`).
pub(crate) fn bytewise(manager: &SchemaManager, column: &mut ColumnDef) {
    if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
        column.extra("COLLATE \"C\"");
    }
}

/// A foreign key `from_table.from_col → to_table.id`.
pub(crate) fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_tbl(from_table)
        .from_col(from_col)
        .to_tbl(to_table)
        .to_col(Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}
