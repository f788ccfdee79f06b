use sea_orm_migration::{prelude::*, schema::*};

use crate::{Meetings, Memberships, People, fk};

#[derive(DeriveIden)]
enum Attendance {
    Table,
    Id,
    MeetingId,
    MembershipId,
    Status,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Attendance::Table)
                    .col(pk_uuid(Attendance::Id))
                    .col(uuid(Attendance::MeetingId))
                    .col(uuid(Attendance::MembershipId))
                    .col(string_len(Attendance::Status, 16))
                    .col(uuid_null(Attendance::RecordedBy))
                    .col(timestamp_with_time_zone(Attendance::RecordedAt))
                    .foreign_key(&mut fk(
                        Attendance::Table,
                        Attendance::MeetingId,
                        Meetings::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Attendance::Table,
                        Attendance::MembershipId,
                        Memberships::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Attendance::Table,
                        Attendance::RecordedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_attendance_meeting_membership")
                    .table(Attendance::Table)
                    .col(Attendance::MeetingId)
                    .col(Attendance::MembershipId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attendance_membership")
                    .table(Attendance::Table)
                    .col(Attendance::MembershipId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Attendance::Table).to_owned())
            .await
    }
}
