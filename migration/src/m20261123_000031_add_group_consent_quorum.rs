use sea_orm_migration::{prelude::*, schema::*};

use crate::Groups;

#[derive(DeriveIden)]
enum Col {
    /// Consents that approve an application; null: half of the active members, rounded up.
    ConsentQuorum,
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
                    .add_column(integer_null(Col::ConsentQuorum))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Groups::Table)
                    .drop_column(Col::ConsentQuorum)
                    .to_owned(),
            )
            .await
    }
}
