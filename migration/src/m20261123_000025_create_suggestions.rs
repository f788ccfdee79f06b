use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, fk};

/// The anonymous suggestion box: no column links a suggestion to a person.
#[derive(DeriveIden)]
enum Suggestions {
    Table,
    Id,
    GroupId,
    Text,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Suggestions::Table)
                    .col(pk_uuid(Suggestions::Id))
                    .col(uuid(Suggestions::GroupId))
                    .col(text(Suggestions::Text))
                    .col(string_len(Suggestions::Status, 16))
                    .col(timestamp_with_time_zone(Suggestions::CreatedAt))
                    .col(timestamp_with_time_zone(Suggestions::UpdatedAt))
                    .foreign_key(&mut fk(
                        Suggestions::Table,
                        Suggestions::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_suggestions_group")
                    .table(Suggestions::Table)
                    .col(Suggestions::GroupId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Suggestions::Table).to_owned())
            .await
    }
}
