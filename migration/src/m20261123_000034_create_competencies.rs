use sea_orm_migration::{prelude::*, schema::*};

use crate::{TrainingPrograms, fk};

/// What a programme's trainees must show, each signed off through evidence.
#[derive(DeriveIden)]
enum Competencies {
    Table,
    Id,
    ProgramId,
    /// Unique within the programme, e.g. ACTIVE_LISTENING.
    Code,
    Title,
    Description,
    Position,
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
                    .table(Competencies::Table)
                    .col(pk_uuid(Competencies::Id))
                    .col(uuid(Competencies::ProgramId))
                    .col(string_len(Competencies::Code, 64))
                    .col(string_len(Competencies::Title, 200))
                    .col(text_null(Competencies::Description))
                    .col(integer(Competencies::Position))
                    .col(timestamp_with_time_zone(Competencies::CreatedAt))
                    .foreign_key(&mut fk(
                        Competencies::Table,
                        Competencies::ProgramId,
                        TrainingPrograms::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_competencies_program_code")
                    .table(Competencies::Table)
                    .col(Competencies::ProgramId)
                    .col(Competencies::Code)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Competencies::Table).to_owned())
            .await
    }
}
