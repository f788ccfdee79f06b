use sea_orm_migration::{prelude::*, schema::*};

use crate::People;

#[derive(DeriveIden)]
enum Col {
    Email,
    DisplayName,
    PasswordHash,
    Timezone,
    Locale,
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
                    .table(People::Table)
                    .col(pk_uuid(People::Id))
                    .col(string_len_uniq(Col::Email, 254))
                    .col(string_len(Col::DisplayName, 80))
                    .col(string_len(Col::PasswordHash, 255))
                    .col(string_len(Col::Timezone, 64))
                    .col(string_len(Col::Locale, 35))
                    .col(integer(Col::Version).default(1))
                    .col(timestamp_with_time_zone(Col::CreatedAt))
                    .col(timestamp_with_time_zone(Col::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(People::Table).to_owned())
            .await
    }
}
