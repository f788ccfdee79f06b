use sea_orm_migration::{prelude::*, schema::*};

use crate::{Organisations, sort_key};

#[derive(DeriveIden)]
enum Col {
    Slug,
    Name,
    SortName,
    Kind,
    Description,
    Version,
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
                    .table(Organisations::Table)
                    .col(pk_uuid(Organisations::Id))
                    .col(string_len_uniq(Col::Slug, 64))
                    .col(string_len(Col::Name, 200))
                    .col(sort_key(manager, Col::SortName))
                    .col(string_len(Col::Kind, 16))
                    .col(text_null(Col::Description))
                    .col(integer(Col::Version).default(1))
                    .col(timestamp_with_time_zone(Col::CreatedAt))
                    .col(timestamp_with_time_zone(Col::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organisations::Table).to_owned())
            .await
    }
}
