use sea_orm_migration::{prelude::*, schema::*};

use crate::Groups;

#[derive(DeriveIden)]
enum Col {
    /// Agenda items new meetings start with, as JSON text; null: the default agenda.
    AgendaTemplate,
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
                    .add_column(text_null(Col::AgendaTemplate))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Groups::Table)
                    .drop_column(Col::AgendaTemplate)
                    .to_owned(),
            )
            .await
    }
}
