use sea_orm_migration::{prelude::*, schema::*};

use crate::{People, Workshops, fk};

/// Who leads a workshop. Lineage (who trained whom) is read from here.
#[derive(DeriveIden)]
enum WorkshopTrainers {
    Table,
    WorkshopId,
    PersonId,
    Position,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkshopTrainers::Table)
                    .col(uuid(WorkshopTrainers::WorkshopId))
                    .col(uuid(WorkshopTrainers::PersonId))
                    .col(integer(WorkshopTrainers::Position))
                    .primary_key(
                        Index::create()
                            .col(WorkshopTrainers::WorkshopId)
                            .col(WorkshopTrainers::PersonId),
                    )
                    .foreign_key(&mut fk(
                        WorkshopTrainers::Table,
                        WorkshopTrainers::WorkshopId,
                        Workshops::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        WorkshopTrainers::Table,
                        WorkshopTrainers::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_workshop_trainers_person")
                    .table(WorkshopTrainers::Table)
                    .col(WorkshopTrainers::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WorkshopTrainers::Table).to_owned())
            .await
    }
}
