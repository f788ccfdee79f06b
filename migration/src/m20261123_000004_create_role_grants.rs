use sea_orm_migration::{prelude::*, schema::*};

use crate::{Clusters, Organisations, People, fk};

#[derive(DeriveIden)]
enum RoleGrants {
    Table,
    Id,
    PersonId,
    Role,
    OrganisationId,
    ClusterId,
    /// The cluster id for cluster grants, else the organisation id: makes grants unique.
    ScopeId,
    GrantedBy,
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
                    .table(RoleGrants::Table)
                    .col(pk_uuid(RoleGrants::Id))
                    .col(uuid(RoleGrants::PersonId))
                    .col(string_len(RoleGrants::Role, 16))
                    .col(uuid(RoleGrants::OrganisationId))
                    .col(uuid_null(RoleGrants::ClusterId))
                    .col(uuid(RoleGrants::ScopeId))
                    .col(uuid_null(RoleGrants::GrantedBy))
                    .col(timestamp_with_time_zone(RoleGrants::CreatedAt))
                    .foreign_key(&mut fk(
                        RoleGrants::Table,
                        RoleGrants::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        RoleGrants::Table,
                        RoleGrants::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        RoleGrants::Table,
                        RoleGrants::ClusterId,
                        Clusters::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        RoleGrants::Table,
                        RoleGrants::GrantedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_role_grants_person_role_scope")
                    .table(RoleGrants::Table)
                    .col(RoleGrants::PersonId)
                    .col(RoleGrants::Role)
                    .col(RoleGrants::ScopeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_role_grants_organisation")
                    .table(RoleGrants::Table)
                    .col(RoleGrants::OrganisationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoleGrants::Table).to_owned())
            .await
    }
}
