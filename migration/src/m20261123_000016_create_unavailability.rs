use sea_orm_migration::{prelude::*, schema::*};

use crate::{Memberships, fk};

/// Periods a member cannot facilitate (rotation skips them).
#[derive(DeriveIden)]
enum Unavailability {
    Table,
    Id,
    MembershipId,
    FromDate,
    ToDate,
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
                    .table(Unavailability::Table)
                    .col(pk_uuid(Unavailability::Id))
                    .col(uuid(Unavailability::MembershipId))
                    .col(date(Unavailability::FromDate))
                    .col(date(Unavailability::ToDate))
                    .col(timestamp_with_time_zone(Unavailability::CreatedAt))
                    .foreign_key(&mut fk(
                        Unavailability::Table,
                        Unavailability::MembershipId,
                        Memberships::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_unavailability_membership")
                    .table(Unavailability::Table)
                    .col(Unavailability::MembershipId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Unavailability::Table).to_owned())
            .await
    }
}
