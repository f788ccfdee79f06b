use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, Memberships, People, fk};

/// Members a group has named to take over facilitation.
#[derive(DeriveIden)]
enum NamedSuccessors {
    Table,
    Id,
    GroupId,
    MembershipId,
    NamedBy,
    NamedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(NamedSuccessors::Table)
                    .col(pk_uuid(NamedSuccessors::Id))
                    .col(uuid(NamedSuccessors::GroupId))
                    .col(uuid(NamedSuccessors::MembershipId))
                    .col(uuid_null(NamedSuccessors::NamedBy))
                    .col(timestamp_with_time_zone(NamedSuccessors::NamedAt))
                    .foreign_key(&mut fk(
                        NamedSuccessors::Table,
                        NamedSuccessors::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        NamedSuccessors::Table,
                        NamedSuccessors::MembershipId,
                        Memberships::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        NamedSuccessors::Table,
                        NamedSuccessors::NamedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_named_successors_group_membership")
                    .table(NamedSuccessors::Table)
                    .col(NamedSuccessors::GroupId)
                    .col(NamedSuccessors::MembershipId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NamedSuccessors::Table).to_owned())
            .await
    }
}
