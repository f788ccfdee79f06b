use sea_orm_migration::{prelude::*, schema::*};

use crate::{People, TrainingPrograms, fk, m20261129_000046_create_resources::Resources};

/// FACILITATOR_TOOLKIT resources a training programme hands its trainees, in order.
#[derive(DeriveIden)]
enum ProgramToolkit {
    Table,
    ProgramId,
    ResourceId,
    Position,
    AddedBy,
    AddedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgramToolkit::Table)
                    .col(uuid(ProgramToolkit::ProgramId))
                    .col(uuid(ProgramToolkit::ResourceId))
                    .col(integer(ProgramToolkit::Position))
                    .col(uuid_null(ProgramToolkit::AddedBy))
                    .col(timestamp_with_time_zone(ProgramToolkit::AddedAt))
                    .primary_key(
                        Index::create()
                            .col(ProgramToolkit::ProgramId)
                            .col(ProgramToolkit::ResourceId),
                    )
                    .foreign_key(&mut fk(
                        ProgramToolkit::Table,
                        ProgramToolkit::ProgramId,
                        TrainingPrograms::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ProgramToolkit::Table,
                        ProgramToolkit::ResourceId,
                        Resources::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ProgramToolkit::Table,
                        ProgramToolkit::AddedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProgramToolkit::Table).to_owned())
            .await
    }
}
