use sea_orm_migration::{prelude::*, schema::*};

use crate::{Groups, Meetings, Memberships, fk};

#[derive(DeriveIden)]
enum Col {
    GroupId,
    StartsAt,
    EndsAt,
    Timezone,
    /// The next five override the group's settings when set.
    Modality,
    VenueName,
    VenueArea,
    VenueAddress,
    VenueLocationNotes,
    VenueApproximate,
    ConferenceUrl,
    Status,
    Theme,
    Topic,
    FacilitatorId,
    CoFacilitatorId,
    FacilitatorAssignedBy,
    /// Ordered agenda items as JSON text.
    Agenda,
    CancelReason,
    CancelledAt,
    FromCadence,
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
                    .table(Meetings::Table)
                    .col(pk_uuid(Meetings::Id))
                    .col(uuid(Col::GroupId))
                    .col(timestamp_with_time_zone(Col::StartsAt))
                    .col(timestamp_with_time_zone(Col::EndsAt))
                    .col(string_len(Col::Timezone, 64))
                    .col(string_len_null(Col::Modality, 16))
                    .col(string_len_null(Col::VenueName, 200))
                    .col(string_len_null(Col::VenueArea, 200))
                    .col(text_null(Col::VenueAddress))
                    .col(text_null(Col::VenueLocationNotes))
                    .col(boolean_null(Col::VenueApproximate))
                    .col(text_null(Col::ConferenceUrl))
                    .col(string_len(Col::Status, 16))
                    .col(string_len_null(Col::Theme, 32))
                    .col(string_len_null(Col::Topic, 200))
                    .col(uuid_null(Col::FacilitatorId))
                    .col(uuid_null(Col::CoFacilitatorId))
                    .col(string_len_null(Col::FacilitatorAssignedBy, 16))
                    .col(text(Col::Agenda))
                    .col(string_len_null(Col::CancelReason, 500))
                    .col(timestamp_with_time_zone_null(Col::CancelledAt))
                    .col(boolean(Col::FromCadence).default(false))
                    .col(integer(Col::Version).default(1))
                    .col(timestamp_with_time_zone(Col::CreatedAt))
                    .col(timestamp_with_time_zone(Col::UpdatedAt))
                    .foreign_key(&mut fk(
                        Meetings::Table,
                        Col::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Meetings::Table,
                        Col::FacilitatorId,
                        Memberships::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Meetings::Table,
                        Col::CoFacilitatorId,
                        Memberships::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One meeting per group and start: cadence generation stays idempotent under races.
        manager
            .create_index(
                Index::create()
                    .name("uq_meetings_group_start")
                    .table(Meetings::Table)
                    .col(Col::GroupId)
                    .col(Col::StartsAt)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Meetings::Table).to_owned())
            .await
    }
}
