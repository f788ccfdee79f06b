use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, People, fk, m20261129_000046_create_resources::Resources};

/// A group's use of a resource, pinned to one version; one row per group and resource.
#[derive(DeriveIden)]
enum ResourceAdoptions {
    Table,
    Id,
    ResourceId,
    GroupId,
    VersionNumber,
    AdoptedBy,
    AdoptedAt,
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
                    .table(ResourceAdoptions::Table)
                    .col(pk_uuid(ResourceAdoptions::Id))
                    .col(uuid(ResourceAdoptions::ResourceId))
                    .col(uuid(ResourceAdoptions::GroupId))
                    .col(integer(ResourceAdoptions::VersionNumber))
                    .col(uuid_null(ResourceAdoptions::AdoptedBy))
                    .col(timestamp_with_time_zone(ResourceAdoptions::AdoptedAt))
                    .col(timestamp_with_time_zone(ResourceAdoptions::UpdatedAt))
                    .foreign_key(&mut fk(
                        ResourceAdoptions::Table,
                        ResourceAdoptions::ResourceId,
                        Resources::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ResourceAdoptions::Table,
                        ResourceAdoptions::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ResourceAdoptions::Table,
                        ResourceAdoptions::AdoptedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_resource_adoptions_resource_group")
                    .table(ResourceAdoptions::Table)
                    .col(ResourceAdoptions::ResourceId)
                    .col(ResourceAdoptions::GroupId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_resource_adoptions_group")
                    .table(ResourceAdoptions::Table)
                    .col(ResourceAdoptions::GroupId)
                    .col(ResourceAdoptions::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ResourceAdoptions::Table).to_owned())
            .await
    }
}
