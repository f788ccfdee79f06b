use sea_orm_migration::{prelude::*, schema::*};

use crate::{MeetingRecords, Meetings, People, fk};

#[derive(DeriveIden)]
enum Col {
    MeetingId,
    Summary,
    /// JSON array of strings.
    Topics,
    /// JSON array of strings.
    Decisions,
    FinalizedBy,
    FinalizedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MeetingRecords::Table)
                    .col(pk_uuid(MeetingRecords::Id))
                    .col(uuid_uniq(Col::MeetingId))
                    .col(text(Col::Summary))
                    .col(text(Col::Topics))
                    .col(text(Col::Decisions))
                    .col(uuid_null(Col::FinalizedBy))
                    .col(timestamp_with_time_zone(Col::FinalizedAt))
                    .foreign_key(&mut fk(
                        MeetingRecords::Table,
                        Col::MeetingId,
                        Meetings::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        MeetingRecords::Table,
                        Col::FinalizedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MeetingRecords::Table).to_owned())
            .await
    }
}
