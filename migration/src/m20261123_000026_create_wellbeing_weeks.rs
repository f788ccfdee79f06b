use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, fk};

/// A group's wellbeing for one closed week (Monday to Sunday in its zone), fixed the first
/// time it is read after the week closed. Freezing keeps a later deletion from showing up as
/// a difference between two reads of the same week.
#[derive(DeriveIden)]
enum WellbeingWeeks {
    Table,
    Id,
    GroupId,
    WeekStart,
    Contributors,
    /// Check-ins rated 1 … 5.
    Rated1,
    Rated2,
    Rated3,
    Rated4,
    Rated5,
    FrozenAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WellbeingWeeks::Table)
                    .col(pk_uuid(WellbeingWeeks::Id))
                    .col(uuid(WellbeingWeeks::GroupId))
                    .col(date(WellbeingWeeks::WeekStart))
                    .col(integer(WellbeingWeeks::Contributors))
                    .col(integer(WellbeingWeeks::Rated1))
                    .col(integer(WellbeingWeeks::Rated2))
                    .col(integer(WellbeingWeeks::Rated3))
                    .col(integer(WellbeingWeeks::Rated4))
                    .col(integer(WellbeingWeeks::Rated5))
                    .col(timestamp_with_time_zone(WellbeingWeeks::FrozenAt))
                    .foreign_key(&mut fk(
                        WellbeingWeeks::Table,
                        WellbeingWeeks::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_wellbeing_weeks_group_week")
                    .table(WellbeingWeeks::Table)
                    .col(WellbeingWeeks::GroupId)
                    .col(WellbeingWeeks::WeekStart)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WellbeingWeeks::Table).to_owned())
            .await
    }
}
