use sea_orm_migration::{prelude::*, schema::*};

use crate::{Enrollments, People, Workshops, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Enrollments::Table)
                    .col(pk_uuid(Enrollments::Id))
                    .col(uuid(Enrollments::WorkshopId))
                    .col(uuid(Enrollments::PersonId))
                    .col(text(Enrollments::Statement))
                    .col(string_len(Enrollments::Status, 32))
                    .col(text_null(Enrollments::ScreeningNotes))
                    .col(timestamp_with_time_zone(Enrollments::AppliedAt))
                    .col(timestamp_with_time_zone_null(Enrollments::DecidedAt))
                    .col(uuid_null(Enrollments::DecidedBy))
                    .col(timestamp_with_time_zone_null(Enrollments::WaitlistedAt))
                    .col(timestamp_with_time_zone_null(Enrollments::CompletedAt))
                    .col(uuid_null(Enrollments::CompletedBy))
                    .foreign_key(&mut fk(
                        Enrollments::Table,
                        Enrollments::WorkshopId,
                        Workshops::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Enrollments::Table,
                        Enrollments::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Enrollments::Table,
                        Enrollments::DecidedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Enrollments::Table,
                        Enrollments::CompletedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrollments_workshop_person")
                    .table(Enrollments::Table)
                    .col(Enrollments::WorkshopId)
                    .col(Enrollments::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrollments_person")
                    .table(Enrollments::Table)
                    .col(Enrollments::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Enrollments::Table).to_owned())
            .await
    }
}
