use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, Meetings, People, Polls, fk};

#[derive(DeriveIden)]
enum Col {
    GroupId,
    MeetingId,
    Question,
    ClosesAt,
    ClosedAt,
    CreatedBy,
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
                    .table(Polls::Table)
                    .col(pk_uuid(Polls::Id))
                    .col(uuid(Col::GroupId))
                    .col(uuid_null(Col::MeetingId))
                    .col(string_len(Col::Question, 300))
                    .col(timestamp_with_time_zone(Col::ClosesAt))
                    .col(timestamp_with_time_zone_null(Col::ClosedAt))
                    .col(uuid_null(Col::CreatedBy))
                    .col(timestamp_with_time_zone(Col::CreatedAt))
                    .foreign_key(&mut fk(
                        Polls::Table,
                        Col::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Polls::Table,
                        Col::MeetingId,
                        Meetings::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Polls::Table,
                        Col::CreatedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_polls_group")
                    .table(Polls::Table)
                    .col(Col::GroupId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Polls::Table).to_owned())
            .await
    }
}
