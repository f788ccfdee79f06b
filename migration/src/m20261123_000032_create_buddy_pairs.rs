use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, Memberships, People, fk};

/// A newer member paired with an experienced one for a while. A pair is active until
/// `ends_at` (set from CANOPY_BUDDY_PAIR_DAYS) or until someone ends it; nothing runs in the
/// background, the end is evaluated when read.
#[derive(DeriveIden)]
enum BuddyPairs {
    Table,
    Id,
    GroupId,
    /// The member who gets a buddy.
    MembershipId,
    /// The experienced member.
    BuddyMembershipId,
    StartedAt,
    EndsAt,
    EndedAt,
    EndedBy,
    AssignedBy,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BuddyPairs::Table)
                    .col(pk_uuid(BuddyPairs::Id))
                    .col(uuid(BuddyPairs::GroupId))
                    .col(uuid(BuddyPairs::MembershipId))
                    .col(uuid(BuddyPairs::BuddyMembershipId))
                    .col(timestamp_with_time_zone(BuddyPairs::StartedAt))
                    .col(timestamp_with_time_zone(BuddyPairs::EndsAt))
                    .col(timestamp_with_time_zone_null(BuddyPairs::EndedAt))
                    .col(uuid_null(BuddyPairs::EndedBy))
                    .col(uuid_null(BuddyPairs::AssignedBy))
                    .foreign_key(&mut fk(
                        BuddyPairs::Table,
                        BuddyPairs::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        BuddyPairs::Table,
                        BuddyPairs::MembershipId,
                        Memberships::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        BuddyPairs::Table,
                        BuddyPairs::BuddyMembershipId,
                        Memberships::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        BuddyPairs::Table,
                        BuddyPairs::EndedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        BuddyPairs::Table,
                        BuddyPairs::AssignedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_buddy_pairs_membership", BuddyPairs::MembershipId),
            ("idx_buddy_pairs_buddy", BuddyPairs::BuddyMembershipId),
            ("idx_buddy_pairs_group", BuddyPairs::GroupId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(BuddyPairs::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BuddyPairs::Table).to_owned())
            .await
    }
}
