use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, People, fk};

/// Asking to join a BY_CONSENT group: the applicant's own request, or a member's proposal.
#[derive(DeriveIden)]
enum MembershipApplications {
    Table,
    Id,
    GroupId,
    PersonId,
    Statement,
    /// The member who proposed the person; null when they applied themselves.
    ProposedBy,
    /// PENDING, APPROVED, DECLINED or EXPIRED.
    Status,
    /// Unresolved applications expire 14 days after they are made.
    ExpiresAt,
    DecidedAt,
    /// The facilitator who declined it; null otherwise.
    DecidedBy,
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
                    .table(MembershipApplications::Table)
                    .col(pk_uuid(MembershipApplications::Id))
                    .col(uuid(MembershipApplications::GroupId))
                    .col(uuid(MembershipApplications::PersonId))
                    .col(text_null(MembershipApplications::Statement))
                    .col(uuid_null(MembershipApplications::ProposedBy))
                    .col(string_len(MembershipApplications::Status, 16))
                    .col(timestamp_with_time_zone(MembershipApplications::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        MembershipApplications::DecidedAt,
                    ))
                    .col(uuid_null(MembershipApplications::DecidedBy))
                    .col(timestamp_with_time_zone(MembershipApplications::CreatedAt))
                    .col(timestamp_with_time_zone(MembershipApplications::UpdatedAt))
                    .foreign_key(&mut fk(
                        MembershipApplications::Table,
                        MembershipApplications::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        MembershipApplications::Table,
                        MembershipApplications::PersonId,
                        People::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        MembershipApplications::Table,
                        MembershipApplications::ProposedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        MembershipApplications::Table,
                        MembershipApplications::DecidedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_membership_applications_group_status")
                    .table(MembershipApplications::Table)
                    .col(MembershipApplications::GroupId)
                    .col(MembershipApplications::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_membership_applications_person")
                    .table(MembershipApplications::Table)
                    .col(MembershipApplications::PersonId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(MembershipApplications::Table)
                    .to_owned(),
            )
            .await
    }
}
