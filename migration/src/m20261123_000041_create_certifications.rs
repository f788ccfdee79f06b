use sea_orm_migration::{prelude::*, schema::*};

use crate::{Organisations, People, TrainingPrograms, Workshops, fk};

/// A person certified in a programme. One continuous period from `issued_at` to
/// `valid_until` (renewal extends it; an expired one is issued anew), ended early by
/// revocation. `badge_salt` salts the recipient hash of its Open Badge.
#[derive(DeriveIden)]
enum Certifications {
    Table,
    Id,
    ProgramId,
    OrganisationId,
    PersonId,
    WorkshopId,
    IssuedBy,
    IssuedAt,
    ValidUntil,
    RenewedAt,
    RevokedAt,
    RevokedBy,
    RevokedReason,
    BadgeSalt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Certifications::Table)
                    .col(pk_uuid(Certifications::Id))
                    .col(uuid(Certifications::ProgramId))
                    .col(uuid(Certifications::OrganisationId))
                    .col(uuid(Certifications::PersonId))
                    .col(uuid_null(Certifications::WorkshopId))
                    .col(uuid_null(Certifications::IssuedBy))
                    .col(timestamp_with_time_zone(Certifications::IssuedAt))
                    .col(timestamp_with_time_zone(Certifications::ValidUntil))
                    .col(timestamp_with_time_zone_null(Certifications::RenewedAt))
                    .col(timestamp_with_time_zone_null(Certifications::RevokedAt))
                    .col(uuid_null(Certifications::RevokedBy))
                    .col(text_null(Certifications::RevokedReason))
                    .col(string_len(Certifications::BadgeSalt, 64))
                    .foreign_key(&mut fk(
                        Certifications::Table,
                        Certifications::ProgramId,
                        TrainingPrograms::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Certifications::Table,
                        Certifications::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Certifications::Table,
                        Certifications::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Certifications::Table,
                        Certifications::WorkshopId,
                        Workshops::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Certifications::Table,
                        Certifications::IssuedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Certifications::Table,
                        Certifications::RevokedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_certifications_person",
                vec![Certifications::PersonId, Certifications::OrganisationId],
            ),
            (
                "idx_certifications_program",
                vec![Certifications::ProgramId, Certifications::IssuedAt],
            ),
            (
                "idx_certifications_workshop",
                vec![Certifications::WorkshopId],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Certifications::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Certifications::Table).to_owned())
            .await
    }
}
