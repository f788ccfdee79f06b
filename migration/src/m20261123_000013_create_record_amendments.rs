use sea_orm_migration::{prelude::*, schema::*};

use crate::{MeetingRecords, People, fk};

/// Corrections to a finalised record: appended, never edited.
#[derive(DeriveIden)]
enum RecordAmendments {
    Table,
    Id,
    RecordId,
    AuthorId,
    Text,
    CreatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RecordAmendments::Table)
                    .col(pk_uuid(RecordAmendments::Id))
                    .col(uuid(RecordAmendments::RecordId))
                    .col(uuid_null(RecordAmendments::AuthorId))
                    .col(text(RecordAmendments::Text))
                    .col(timestamp_with_time_zone(RecordAmendments::CreatedAt))
                    .foreign_key(&mut fk(
                        RecordAmendments::Table,
                        RecordAmendments::RecordId,
                        MeetingRecords::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        RecordAmendments::Table,
                        RecordAmendments::AuthorId,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_record_amendments_record")
                    .table(RecordAmendments::Table)
                    .col(RecordAmendments::RecordId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecordAmendments::Table).to_owned())
            .await
    }
}
