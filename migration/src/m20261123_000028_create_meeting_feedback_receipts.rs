use sea_orm_migration::{prelude::*, schema::*};

use crate::{Meetings, fk};

/// That someone gave feedback on a meeting, as HMAC-SHA256(meeting, person) under a server
/// key: enough to refuse a second submission, and no person id to join on.
#[derive(DeriveIden)]
enum MeetingFeedbackReceipts {
    Table,
    Id,
    MeetingId,
    Receipt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MeetingFeedbackReceipts::Table)
                    .col(pk_uuid(MeetingFeedbackReceipts::Id))
                    .col(uuid(MeetingFeedbackReceipts::MeetingId))
                    .col(string_len(MeetingFeedbackReceipts::Receipt, 64))
                    .foreign_key(&mut fk(
                        MeetingFeedbackReceipts::Table,
                        MeetingFeedbackReceipts::MeetingId,
                        Meetings::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_meeting_feedback_receipts_receipt")
                    .table(MeetingFeedbackReceipts::Table)
                    .col(MeetingFeedbackReceipts::Receipt)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(MeetingFeedbackReceipts::Table)
                    .to_owned(),
            )
            .await
    }
}
