use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, People, fk};

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    PersonId,
    GroupId,
    Role,
    Status,
    Statement,
    JoinedAt,
    LeftAt,
    WaitlistedAt,
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
                    .table(Memberships::Table)
                    .col(pk_uuid(Memberships::Id))
                    .col(uuid(Memberships::PersonId))
                    .col(uuid(Memberships::GroupId))
                    .col(string_len(Memberships::Role, 16))
                    .col(string_len(Memberships::Status, 16))
                    .col(text_null(Memberships::Statement))
                    .col(timestamp_with_time_zone_null(Memberships::JoinedAt))
                    .col(timestamp_with_time_zone_null(Memberships::LeftAt))
                    .col(timestamp_with_time_zone_null(Memberships::WaitlistedAt))
                    .col(timestamp_with_time_zone(Memberships::CreatedAt))
                    .col(timestamp_with_time_zone(Memberships::UpdatedAt))
                    .foreign_key(&mut fk(
                        Memberships::Table,
                        Memberships::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Memberships::Table,
                        Memberships::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_memberships_person_group")
                    .table(Memberships::Table)
                    .col(Memberships::PersonId)
                    .col(Memberships::GroupId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_memberships_group_status")
                    .table(Memberships::Table)
                    .col(Memberships::GroupId)
                    .col(Memberships::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Memberships::Table).to_owned())
            .await
    }
}
