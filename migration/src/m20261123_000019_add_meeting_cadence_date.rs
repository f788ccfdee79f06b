use sea_orm_migration::{prelude::*, schema::*};

use crate::Meetings;

#[derive(DeriveIden)]
enum Col {
    GroupId,
    /// The cadence occurrence (local date) a generated meeting stands for; it stays when the
    /// meeting is moved or cancelled, so generating again never repeats that occurrence.
    CadenceDate,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Meetings::Table)
                    .add_column(date_null(Col::CadenceDate))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_meetings_group_cadence_date")
                    .table(Meetings::Table)
                    .col(Col::GroupId)
                    .col(Col::CadenceDate)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("uq_meetings_group_cadence_date")
                    .table(Meetings::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Meetings::Table)
                    .drop_column(Col::CadenceDate)
                    .to_owned(),
            )
            .await
    }
}
