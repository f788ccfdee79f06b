use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, Meetings, fk};

/// A meeting's feedback summary, computed and frozen once after its window closed: noisy
/// per-answer histograms (so the released means cannot be un-noised by asking again), the
/// comments in a random order, or the reason it is withheld.
#[derive(DeriveIden)]
enum FeedbackSummaries {
    Table,
    Id,
    MeetingId,
    GroupId,
    /// The meeting's start, for the group's budget of releases per period.
    MeetingStartsAt,
    /// Established respondents (true count; decides release, never shown).
    Established,
    /// `TOO_FEW_CONTRIBUTORS`, `BUDGET_SPENT`, or null when released.
    Withheld,
    /// Noisy counts of answers 1 … 5.
    Relevance1,
    Relevance2,
    Relevance3,
    Relevance4,
    Relevance5,
    Format1,
    Format2,
    Format3,
    Format4,
    Format5,
    /// Noisy counts of answers −2 … 2.
    Stress1,
    Stress2,
    Stress3,
    Stress4,
    Stress5,
    /// JSON array of the comments, shuffled; null unless released.
    Comments,
    FrozenAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use FeedbackSummaries as F;
        let mut table = Table::create();
        table
            .table(F::Table)
            .col(pk_uuid(F::Id))
            .col(uuid_uniq(F::MeetingId))
            .col(uuid(F::GroupId))
            .col(timestamp_with_time_zone(F::MeetingStartsAt))
            .col(integer(F::Established))
            .col(string_len_null(F::Withheld, 40));
        for c in [
            F::Relevance1,
            F::Relevance2,
            F::Relevance3,
            F::Relevance4,
            F::Relevance5,
            F::Format1,
            F::Format2,
            F::Format3,
            F::Format4,
            F::Format5,
            F::Stress1,
            F::Stress2,
            F::Stress3,
            F::Stress4,
            F::Stress5,
        ] {
            table.col(integer(c));
        }
        table
            .col(text_null(F::Comments))
            .col(timestamp_with_time_zone(F::FrozenAt))
            .foreign_key(&mut fk(
                F::Table,
                F::MeetingId,
                Meetings::Table,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                F::Table,
                F::GroupId,
                Groups::Table,
                ForeignKeyAction::Cascade,
            ));
        manager.create_table(table.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_feedback_summaries_group_starts")
                    .table(F::Table)
                    .col(F::GroupId)
                    .col(F::MeetingStartsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FeedbackSummaries::Table).to_owned())
            .await
    }
}
