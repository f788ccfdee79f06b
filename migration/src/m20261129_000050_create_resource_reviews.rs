use sea_orm_migration::{prelude::*, schema::*};

use crate::{People, fk, m20261129_000046_create_resources::Resources};

/// A curator's decision on a version submitted for review.
#[derive(DeriveIden)]
enum ResourceReviews {
    Table,
    Id,
    ResourceId,
    VersionNumber,
    ReviewerId,
    /// APPROVE or REQUEST_CHANGES.
    Decision,
    Comment,
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
                    .table(ResourceReviews::Table)
                    .col(pk_uuid(ResourceReviews::Id))
                    .col(uuid(ResourceReviews::ResourceId))
                    .col(integer(ResourceReviews::VersionNumber))
                    .col(uuid_null(ResourceReviews::ReviewerId))
                    .col(string_len(ResourceReviews::Decision, 32))
                    .col(text_null(ResourceReviews::Comment))
                    .col(timestamp_with_time_zone(ResourceReviews::CreatedAt))
                    .foreign_key(&mut fk(
                        ResourceReviews::Table,
                        ResourceReviews::ResourceId,
                        Resources::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ResourceReviews::Table,
                        ResourceReviews::ReviewerId,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_resource_reviews_resource")
                    .table(ResourceReviews::Table)
                    .col(ResourceReviews::ResourceId)
                    .col(ResourceReviews::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ResourceReviews::Table).to_owned())
            .await
    }
}
