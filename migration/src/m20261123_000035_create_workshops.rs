use sea_orm_migration::{prelude::*, schema::*};

use crate::{Organisations, People, TrainingPrograms, Workshops, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Workshops::Table)
                    .col(pk_uuid(Workshops::Id))
                    .col(uuid(Workshops::ProgramId))
                    .col(uuid(Workshops::OrganisationId))
                    .col(string_len(Workshops::Title, 200))
                    .col(string_len(Workshops::Kind, 32))
                    .col(string_len(Workshops::Modality, 32))
                    .col(text_null(Workshops::Venue))
                    .col(text_null(Workshops::ConferenceUrl))
                    .col(integer(Workshops::Capacity))
                    .col(timestamp_with_time_zone(Workshops::StartsAt))
                    .col(timestamp_with_time_zone(Workshops::EndsAt))
                    .col(uuid_null(Workshops::CreatedBy))
                    .col(timestamp_with_time_zone(Workshops::CreatedAt))
                    .foreign_key(&mut fk(
                        Workshops::Table,
                        Workshops::ProgramId,
                        TrainingPrograms::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Workshops::Table,
                        Workshops::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Workshops::Table,
                        Workshops::CreatedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_workshops_program")
                    .table(Workshops::Table)
                    .col(Workshops::ProgramId)
                    .col(Workshops::StartsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Workshops::Table).to_owned())
            .await
    }
}
