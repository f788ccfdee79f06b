use sea_orm_migration::{prelude::*, schema::*};

use crate::Polls;

/// A secret ballot's tally, frozen when it is first read after the poll closed: the votes
/// and the number of voters established when the poll was asked (who decide release), kept
/// so that a vote deleted later (a member leaving) cannot move a released figure. Null until
/// frozen; open ballots are never frozen.
// The variants name the columns, which share their prefix on purpose.
#[expect(clippy::enum_variant_names)]
#[derive(DeriveIden, Clone, Copy)]
enum Col {
    TallyUp,
    TallyDown,
    TallyEstablished,
}

const COLUMNS: [Col; 3] = [Col::TallyUp, Col::TallyDown, Col::TallyEstablished];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for col in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Polls::Table)
                        .add_column(integer_null(col))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in COLUMNS.into_iter().rev() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Polls::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
