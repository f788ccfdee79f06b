use sea_orm_migration::{prelude::*, schema::*};

use crate::{Clusters, Organisations, fk, sort_key};

#[derive(DeriveIden)]
enum Col {
    OrganisationId,
    ParentId,
    Name,
    SortName,
    Description,
    /// Materialised path "/<root id>/…/<own id>/": subtree queries are one prefix match.
    Path,
    Depth,
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
                    .table(Clusters::Table)
                    .col(pk_uuid(Clusters::Id))
                    .col(uuid(Col::OrganisationId))
                    .col(uuid_null(Col::ParentId))
                    .col(string_len(Col::Name, 200))
                    .col(sort_key(manager, Col::SortName))
                    .col(text_null(Col::Description))
                    .col(text(Col::Path))
                    .col(integer(Col::Depth))
                    .col(integer(Col::Version).default(1))
                    .col(timestamp_with_time_zone(Col::CreatedAt))
                    .col(timestamp_with_time_zone(Col::UpdatedAt))
                    .foreign_key(&mut fk(
                        Clusters::Table,
                        Col::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Clusters::Table,
                        Col::ParentId,
                        Clusters::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_clusters_organisation_parent")
                    .table(Clusters::Table)
                    .col(Col::OrganisationId)
                    .col(Col::ParentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_clusters_parent")
                    .table(Clusters::Table)
                    .col(Col::ParentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_clusters_path")
                    .table(Clusters::Table)
                    .col(Col::Path)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Clusters::Table).to_owned())
            .await
    }
}
