use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, People, fk};

/// A group's first-three-sessions evaluation (and later reviews).
#[derive(DeriveIden)]
enum GroupReviews {
    Table,
    Id,
    GroupId,
    Notes,
    ReviewedBy,
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
                    .table(GroupReviews::Table)
                    .col(pk_uuid(GroupReviews::Id))
                    .col(uuid(GroupReviews::GroupId))
                    .col(text(GroupReviews::Notes))
                    .col(uuid_null(GroupReviews::ReviewedBy))
                    .col(timestamp_with_time_zone(GroupReviews::CreatedAt))
                    .foreign_key(&mut fk(
                        GroupReviews::Table,
                        GroupReviews::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        GroupReviews::Table,
                        GroupReviews::ReviewedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_group_reviews_group")
                    .table(GroupReviews::Table)
                    .col(GroupReviews::GroupId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(GroupReviews::Table).to_owned())
            .await
    }
}
