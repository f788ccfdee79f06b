use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, People, fk};

/// Stress check-ins: health-adjacent, readable by their person only.
#[derive(DeriveIden)]
enum CheckIns {
    Table,
    Id,
    PersonId,
    GroupId,
    /// The calendar day in the group's time zone: one check-in per person, group and day.
    LocalDate,
    Rating,
    Note,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CheckIns::Table)
                    .col(pk_uuid(CheckIns::Id))
                    .col(uuid(CheckIns::PersonId))
                    .col(uuid(CheckIns::GroupId))
                    .col(date(CheckIns::LocalDate))
                    .col(integer(CheckIns::Rating))
                    .col(text_null(CheckIns::Note))
                    .col(timestamp_with_time_zone(CheckIns::CreatedAt))
                    .col(timestamp_with_time_zone(CheckIns::UpdatedAt))
                    .foreign_key(&mut fk(
                        CheckIns::Table,
                        CheckIns::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        CheckIns::Table,
                        CheckIns::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_check_ins_person_group_day")
                    .table(CheckIns::Table)
                    .col(CheckIns::PersonId)
                    .col(CheckIns::GroupId)
                    .col(CheckIns::LocalDate)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_check_ins_group_day")
                    .table(CheckIns::Table)
                    .col(CheckIns::GroupId)
                    .col(CheckIns::LocalDate)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CheckIns::Table).to_owned())
            .await
    }
}
