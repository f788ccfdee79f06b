use sea_orm_migration::{prelude::*, schema::*};

use crate::{Competencies, Meetings, People, TrainingPrograms, fk};

/// What a trainee (or their mentor) shows for a competency, and a trainer's sign-off.
#[derive(DeriveIden)]
enum Evidence {
    Table,
    Id,
    ProgramId,
    CompetencyId,
    TraineeId,
    SubmittedBy,
    Kind,
    Note,
    Url,
    MeetingId,
    Status,
    ReviewedBy,
    ReviewComment,
    ReviewedAt,
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
                    .table(Evidence::Table)
                    .col(pk_uuid(Evidence::Id))
                    .col(uuid(Evidence::ProgramId))
                    .col(uuid(Evidence::CompetencyId))
                    .col(uuid(Evidence::TraineeId))
                    .col(uuid_null(Evidence::SubmittedBy))
                    .col(string_len(Evidence::Kind, 32))
                    .col(text(Evidence::Note))
                    .col(text_null(Evidence::Url))
                    .col(uuid_null(Evidence::MeetingId))
                    .col(string_len(Evidence::Status, 32))
                    .col(uuid_null(Evidence::ReviewedBy))
                    .col(text_null(Evidence::ReviewComment))
                    .col(timestamp_with_time_zone_null(Evidence::ReviewedAt))
                    .col(timestamp_with_time_zone(Evidence::CreatedAt))
                    .foreign_key(&mut fk(
                        Evidence::Table,
                        Evidence::ProgramId,
                        TrainingPrograms::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Evidence::Table,
                        Evidence::CompetencyId,
                        Competencies::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Evidence::Table,
                        Evidence::TraineeId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Evidence::Table,
                        Evidence::SubmittedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Evidence::Table,
                        Evidence::MeetingId,
                        Meetings::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Evidence::Table,
                        Evidence::ReviewedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_evidence_trainee_program")
                    .table(Evidence::Table)
                    .col(Evidence::TraineeId)
                    .col(Evidence::ProgramId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Evidence::Table).to_owned())
            .await
    }
}
