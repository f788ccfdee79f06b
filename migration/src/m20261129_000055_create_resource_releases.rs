use sea_orm_migration::{prelude::*, schema::*};

use crate::{People, fk, m20261129_000046_create_resources::Resources};

/// The versions of a resource that were published (approved by a curator, or published by
/// its group's facilitators): the only versions its audience reads.
#[derive(DeriveIden)]
enum ResourceReleases {
    Table,
    ResourceId,
    VersionNumber,
    ReleasedBy,
    ReleasedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ResourceReleases::Table)
                    .col(uuid(ResourceReleases::ResourceId))
                    .col(integer(ResourceReleases::VersionNumber))
                    .col(uuid_null(ResourceReleases::ReleasedBy))
                    .col(timestamp_with_time_zone(ResourceReleases::ReleasedAt))
                    .primary_key(
                        Index::create()
                            .col(ResourceReleases::ResourceId)
                            .col(ResourceReleases::VersionNumber),
                    )
                    .foreign_key(&mut fk(
                        ResourceReleases::Table,
                        ResourceReleases::ResourceId,
                        Resources::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ResourceReleases::Table,
                        ResourceReleases::ReleasedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ResourceReleases::Table).to_owned())
            .await
    }
}
