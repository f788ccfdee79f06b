use sea_orm_migration::{prelude::*, schema::*};

use crate::{Clusters, Groups, Organisations, fk, sort_key};

#[derive(DeriveIden)]
enum Col {
    OrganisationId,
    ClusterId,
    Slug,
    Name,
    SortName,
    /// Name, purpose and focus lower-cased by the service, for the directory's text filter
    /// (SQLite's LOWER() folds only ASCII).
    SearchText,
    Purpose,
    Focus,
    Format,
    Modality,
    CadenceFrequency,
    CadenceWeekday,
    CadenceWeekOfMonth,
    CadenceLocalStartTime,
    CadenceDurationMinutes,
    Timezone,
    CapacityMin,
    CapacityMax,
    VenueName,
    VenueArea,
    VenueAddress,
    VenueLocationNotes,
    VenueApproximate,
    ConferenceUrl,
    Status,
    Admission,
    Visibility,
    MembershipSource,
    GroundRules,
    HostPartnerId,
    /// Kept in step with ACTIVE memberships inside the same transaction: seat checks and
    /// `memberCount` cost no extra statement.
    ActiveMemberCount,
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
                    .table(Groups::Table)
                    .col(pk_uuid(Groups::Id))
                    .col(uuid(Col::OrganisationId))
                    .col(uuid(Col::ClusterId))
                    .col(string_len_uniq(Col::Slug, 64))
                    .col(string_len(Col::Name, 200))
                    .col(sort_key(manager, Col::SortName))
                    .col(text(Col::SearchText))
                    .col(text(Col::Purpose))
                    .col(string_len_null(Col::Focus, 200))
                    .col(string_len(Col::Format, 32))
                    .col(string_len(Col::Modality, 16))
                    .col(string_len(Col::CadenceFrequency, 16))
                    .col(string_len_null(Col::CadenceWeekday, 16))
                    .col(integer_null(Col::CadenceWeekOfMonth))
                    .col(string_len_null(Col::CadenceLocalStartTime, 5))
                    .col(integer(Col::CadenceDurationMinutes))
                    .col(string_len(Col::Timezone, 64))
                    .col(integer(Col::CapacityMin))
                    .col(integer(Col::CapacityMax))
                    .col(string_len_null(Col::VenueName, 200))
                    .col(string_len_null(Col::VenueArea, 200))
                    .col(text_null(Col::VenueAddress))
                    .col(text_null(Col::VenueLocationNotes))
                    .col(boolean(Col::VenueApproximate).default(false))
                    .col(text_null(Col::ConferenceUrl))
                    .col(string_len(Col::Status, 16))
                    .col(string_len(Col::Admission, 16))
                    .col(string_len(Col::Visibility, 16))
                    .col(string_len(Col::MembershipSource, 16))
                    .col(text_null(Col::GroundRules))
                    .col(uuid_null(Col::HostPartnerId))
                    .col(integer(Col::ActiveMemberCount).default(0))
                    .col(integer(Col::Version).default(1))
                    .col(timestamp_with_time_zone(Col::CreatedAt))
                    .col(timestamp_with_time_zone(Col::UpdatedAt))
                    .foreign_key(&mut fk(
                        Groups::Table,
                        Col::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Groups::Table,
                        Col::ClusterId,
                        Clusters::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Groups::Table,
                        Col::HostPartnerId,
                        Organisations::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_groups_cluster", Col::ClusterId),
            ("idx_groups_organisation", Col::OrganisationId),
            ("idx_groups_sort_name", Col::SortName),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Groups::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Groups::Table).to_owned())
            .await
    }
}
