use sea_orm_migration::{prelude::*, schema::*};

use crate::{Memberships, fk};

/// A facilitator's own, explicitly shared rating of their load (1–5).
#[derive(DeriveIden)]
enum FacilitatorLoadReports {
    Table,
    Id,
    MembershipId,
    Rating,
    Note,
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
                    .table(FacilitatorLoadReports::Table)
                    .col(pk_uuid(FacilitatorLoadReports::Id))
                    .col(uuid(FacilitatorLoadReports::MembershipId))
                    .col(integer(FacilitatorLoadReports::Rating))
                    .col(text_null(FacilitatorLoadReports::Note))
                    .col(timestamp_with_time_zone(FacilitatorLoadReports::CreatedAt))
                    .foreign_key(&mut fk(
                        FacilitatorLoadReports::Table,
                        FacilitatorLoadReports::MembershipId,
                        Memberships::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_facilitator_load_membership")
                    .table(FacilitatorLoadReports::Table)
                    .col(FacilitatorLoadReports::MembershipId)
                    .col(FacilitatorLoadReports::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(FacilitatorLoadReports::Table)
                    .to_owned(),
            )
            .await
    }
}
