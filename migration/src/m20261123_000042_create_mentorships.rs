use sea_orm_migration::{prelude::*, schema::*};

use crate::{People, TrainingPrograms, fk};

/// A certified facilitator accompanying a trainee through a programme.
#[derive(DeriveIden)]
enum Mentorships {
    Table,
    Id,
    ProgramId,
    MentorId,
    MenteeId,
    StartedBy,
    StartedAt,
    EndedAt,
    EndedBy,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Mentorships::Table)
                    .col(pk_uuid(Mentorships::Id))
                    .col(uuid(Mentorships::ProgramId))
                    .col(uuid(Mentorships::MentorId))
                    .col(uuid(Mentorships::MenteeId))
                    .col(uuid_null(Mentorships::StartedBy))
                    .col(timestamp_with_time_zone(Mentorships::StartedAt))
                    .col(timestamp_with_time_zone_null(Mentorships::EndedAt))
                    .col(uuid_null(Mentorships::EndedBy))
                    .foreign_key(&mut fk(
                        Mentorships::Table,
                        Mentorships::ProgramId,
                        TrainingPrograms::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Mentorships::Table,
                        Mentorships::MentorId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Mentorships::Table,
                        Mentorships::MenteeId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Mentorships::Table,
                        Mentorships::StartedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Mentorships::Table,
                        Mentorships::EndedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_mentorships_mentee", Mentorships::MenteeId),
            ("idx_mentorships_mentor", Mentorships::MentorId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Mentorships::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Mentorships::Table).to_owned())
            .await
    }
}
