use sea_orm_migration::{prelude::*, schema::*};

use crate::{Meetings, Memberships, People, fk};

#[derive(DeriveIden)]
enum ActionCommitments {
    Table,
    Id,
    MeetingId,
    MembershipId,
    Text,
    DueOn,
    Status,
    CreatedBy,
    ReviewNote,
    ReviewedBy,
    ReviewedAt,
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
                    .table(ActionCommitments::Table)
                    .col(pk_uuid(ActionCommitments::Id))
                    .col(uuid(ActionCommitments::MeetingId))
                    .col(uuid(ActionCommitments::MembershipId))
                    .col(text(ActionCommitments::Text))
                    .col(date_null(ActionCommitments::DueOn))
                    .col(string_len(ActionCommitments::Status, 16))
                    .col(uuid_null(ActionCommitments::CreatedBy))
                    .col(text_null(ActionCommitments::ReviewNote))
                    .col(uuid_null(ActionCommitments::ReviewedBy))
                    .col(timestamp_with_time_zone_null(ActionCommitments::ReviewedAt))
                    .col(timestamp_with_time_zone(ActionCommitments::CreatedAt))
                    .col(timestamp_with_time_zone(ActionCommitments::UpdatedAt))
                    .foreign_key(&mut fk(
                        ActionCommitments::Table,
                        ActionCommitments::MeetingId,
                        Meetings::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ActionCommitments::Table,
                        ActionCommitments::MembershipId,
                        Memberships::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        ActionCommitments::Table,
                        ActionCommitments::CreatedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        ActionCommitments::Table,
                        ActionCommitments::ReviewedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            (
                "idx_action_commitments_meeting",
                ActionCommitments::MeetingId,
            ),
            (
                "idx_action_commitments_membership",
                ActionCommitments::MembershipId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ActionCommitments::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ActionCommitments::Table).to_owned())
            .await
    }
}
