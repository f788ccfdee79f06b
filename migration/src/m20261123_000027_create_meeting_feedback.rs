use sea_orm_migration::{prelude::*, schema::*};

use crate::{Meetings, fk};

/// Anonymous feedback on a HELD meeting. Deliberately no person, no timestamp and a random
/// id: nothing in the row says who gave it or when. Who already gave feedback is kept apart,
/// as keyed hashes, in `meeting_feedback_receipts`.
#[derive(DeriveIden)]
enum MeetingFeedback {
    Table,
    Id,
    MeetingId,
    Relevance,
    Format,
    StressImpact,
    Comment,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MeetingFeedback::Table)
                    .col(pk_uuid(MeetingFeedback::Id))
                    .col(uuid(MeetingFeedback::MeetingId))
                    .col(integer(MeetingFeedback::Relevance))
                    .col(integer(MeetingFeedback::Format))
                    .col(integer(MeetingFeedback::StressImpact))
                    .col(text_null(MeetingFeedback::Comment))
                    .foreign_key(&mut fk(
                        MeetingFeedback::Table,
                        MeetingFeedback::MeetingId,
                        Meetings::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_meeting_feedback_meeting")
                    .table(MeetingFeedback::Table)
                    .col(MeetingFeedback::MeetingId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MeetingFeedback::Table).to_owned())
            .await
    }
}
