use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, m20261129_000046_create_resources::Resources};

/// A resource's tags, one row each, for `resources(filter: {tags})`.
#[derive(DeriveIden)]
enum ResourceTags {
    Table,
    ResourceId,
    Tag,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ResourceTags::Table)
                    .col(uuid(ResourceTags::ResourceId))
                    .col(string_len(ResourceTags::Tag, 50))
                    .primary_key(
                        Index::create()
                            .col(ResourceTags::ResourceId)
                            .col(ResourceTags::Tag),
                    )
                    .foreign_key(&mut fk(
                        ResourceTags::Table,
                        ResourceTags::ResourceId,
                        Resources::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_resource_tags_tag")
                    .table(ResourceTags::Table)
                    .col(ResourceTags::Tag)
                    .col(ResourceTags::ResourceId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ResourceTags::Table).to_owned())
            .await
    }
}
