use sea_orm_migration::{prelude::*, schema::*};

use crate::Groups;

#[derive(DeriveIden)]
enum Col {
    /// Rotation only assigns certified facilitators (and trainees in practicum as co-facilitator).
    RequiresCertifiedFacilitator,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Groups::Table)
                    .add_column(boolean(Col::RequiresCertifiedFacilitator).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Groups::Table)
                    .drop_column(Col::RequiresCertifiedFacilitator)
                    .to_owned(),
            )
            .await
    }
}
