use sea_orm_migration::{prelude::*, schema::*};

use crate::Groups;

#[derive(DeriveIden)]
enum Col {
    /// Facilitators serve in blocks of this many weeks.
    RotationPeriodWeeks,
    /// How many blocks in a row one person may take while someone else is eligible.
    RotationMaxConsecutiveBlocks,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Groups::Table)
                    .add_column(integer(Col::RotationPeriodWeeks).default(2))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Groups::Table)
                    .add_column(integer(Col::RotationMaxConsecutiveBlocks).default(1))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Col::RotationMaxConsecutiveBlocks, Col::RotationPeriodWeeks] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Groups::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
