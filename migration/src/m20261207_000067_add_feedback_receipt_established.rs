use sea_orm_migration::{prelude::*, schema::*};

/// Whether the person behind a feedback receipt was an established member of the group when
/// the meeting began: only those count toward the summary's cohort. It sits on the receipt
/// (a keyed hash, no person) and never on the answer.
#[derive(DeriveIden)]
enum MeetingFeedbackReceipts {
    Table,
    Established,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MeetingFeedbackReceipts::Table)
                    .add_column(boolean(MeetingFeedbackReceipts::Established).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MeetingFeedbackReceipts::Table)
                    .drop_column(MeetingFeedbackReceipts::Established)
                    .to_owned(),
            )
            .await
    }
}
