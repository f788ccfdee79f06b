use sea_orm_migration::{prelude::*, schema::*};

use crate::{Organisations, People, TrainingPrograms, fk, sort_key};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrainingPrograms::Table)
                    .col(pk_uuid(TrainingPrograms::Id))
                    .col(uuid(TrainingPrograms::OrganisationId))
                    .col(string_len_uniq(TrainingPrograms::Slug, 64))
                    .col(string_len(TrainingPrograms::Name, 200))
                    .col(sort_key(manager, TrainingPrograms::SortName))
                    .col(text_null(TrainingPrograms::Description))
                    .col(integer(TrainingPrograms::PracticumMeetingsRequired))
                    .col(integer(TrainingPrograms::CertificationValidityMonths))
                    .col(boolean(TrainingPrograms::IsTrainerProgram))
                    .col(uuid_null(TrainingPrograms::CreatedBy))
                    .col(timestamp_with_time_zone(TrainingPrograms::CreatedAt))
                    .foreign_key(&mut fk(
                        TrainingPrograms::Table,
                        TrainingPrograms::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        TrainingPrograms::Table,
                        TrainingPrograms::CreatedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_training_programs_organisation")
                    .table(TrainingPrograms::Table)
                    .col(TrainingPrograms::OrganisationId)
                    .col(TrainingPrograms::SortName)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TrainingPrograms::Table).to_owned())
            .await
    }
}
