use sea_orm_migration::{prelude::*, schema::*};

use crate::Polls;

/// Whether a poll was declared an open ballot when it was asked: its live tally is shown
/// while it runs. Existing polls stay secret ballots (counted only once closed).
#[derive(DeriveIden)]
enum Col {
    OpenBallot,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Polls::Table)
                    .add_column(boolean(Col::OpenBallot).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Polls::Table)
                    .drop_column(Col::OpenBallot)
                    .to_owned(),
            )
            .await
    }
}
