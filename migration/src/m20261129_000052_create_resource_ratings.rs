use sea_orm_migration::{prelude::*, schema::*};

use crate::{People, fk, m20261129_000046_create_resources::Resources};

/// How helpful a person found a resource (1–5), one rating per person and resource.
#[derive(DeriveIden)]
enum ResourceRatings {
    Table,
    Id,
    ResourceId,
    PersonId,
    Helpfulness,
    Comment,
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
                    .table(ResourceRatings::Table)
                    .col(pk_uuid(ResourceRatings::Id))
                    .col(uuid(ResourceRatings::ResourceId))
                    .col(uuid(ResourceRatings::PersonId))
                    .col(integer(ResourceRatings::Helpfulness))
                    .col(text_null(ResourceRatings::Comment))
                    .col(timestamp_with_time_zone(ResourceRatings::CreatedAt))
                    .col(timestamp_with_time_zone(ResourceRatings::UpdatedAt))
                    .foreign_key(&mut fk(
                        ResourceRatings::Table,
                        ResourceRatings::ResourceId,
                        Resources::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ResourceRatings::Table,
                        ResourceRatings::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_resource_ratings_resource_person")
                    .table(ResourceRatings::Table)
                    .col(ResourceRatings::ResourceId)
                    .col(ResourceRatings::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ResourceRatings::Table).to_owned())
            .await
    }
}
