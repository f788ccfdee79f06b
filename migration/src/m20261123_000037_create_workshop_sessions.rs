use sea_orm_migration::{prelude::*, schema::*};

use crate::{WorkshopSessions, Workshops, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkshopSessions::Table)
                    .col(pk_uuid(WorkshopSessions::Id))
                    .col(uuid(WorkshopSessions::WorkshopId))
                    .col(integer(WorkshopSessions::Position))
                    .col(timestamp_with_time_zone(WorkshopSessions::StartsAt))
                    .col(timestamp_with_time_zone(WorkshopSessions::EndsAt))
                    .foreign_key(&mut fk(
                        WorkshopSessions::Table,
                        WorkshopSessions::WorkshopId,
                        Workshops::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_workshop_sessions_workshop")
                    .table(WorkshopSessions::Table)
                    .col(WorkshopSessions::WorkshopId)
                    .col(WorkshopSessions::Position)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WorkshopSessions::Table).to_owned())
            .await
    }
}
