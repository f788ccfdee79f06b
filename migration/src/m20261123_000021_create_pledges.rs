use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, People, Pledges, fk};

#[derive(DeriveIden)]
enum Col {
    GroupId,
    /// 1, 2, 3… per group; the highest is the current pledge.
    Version,
    Text,
    PublishedBy,
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
                    .table(Pledges::Table)
                    .col(pk_uuid(Pledges::Id))
                    .col(uuid(Col::GroupId))
                    .col(integer(Col::Version))
                    .col(text(Col::Text))
                    .col(uuid_null(Col::PublishedBy))
                    .col(timestamp_with_time_zone(Col::CreatedAt))
                    .foreign_key(&mut fk(
                        Pledges::Table,
                        Col::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Pledges::Table,
                        Col::PublishedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_pledges_group_version")
                    .table(Pledges::Table)
                    .col(Col::GroupId)
                    .col(Col::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Pledges::Table).to_owned())
            .await
    }
}
