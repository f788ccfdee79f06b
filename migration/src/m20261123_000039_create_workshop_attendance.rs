use sea_orm_migration::{prelude::*, schema::*};

use crate::{Enrollments, People, WorkshopSessions, fk};

/// Who was at each session of a workshop.
#[derive(DeriveIden)]
enum WorkshopAttendance {
    Table,
    SessionId,
    EnrollmentId,
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
                    .table(WorkshopAttendance::Table)
                    .col(uuid(WorkshopAttendance::SessionId))
                    .col(uuid(WorkshopAttendance::EnrollmentId))
                    .col(string_len(WorkshopAttendance::Status, 32))
                    .col(uuid_null(WorkshopAttendance::RecordedBy))
                    .col(timestamp_with_time_zone(WorkshopAttendance::RecordedAt))
                    .primary_key(
                        Index::create()
                            .col(WorkshopAttendance::SessionId)
                            .col(WorkshopAttendance::EnrollmentId),
                    )
                    .foreign_key(&mut fk(
                        WorkshopAttendance::Table,
                        WorkshopAttendance::SessionId,
                        WorkshopSessions::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        WorkshopAttendance::Table,
                        WorkshopAttendance::EnrollmentId,
                        Enrollments::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        WorkshopAttendance::Table,
                        WorkshopAttendance::RecordedBy,
                        People::Table,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_workshop_attendance_enrollment")
                    .table(WorkshopAttendance::Table)
                    .col(WorkshopAttendance::EnrollmentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WorkshopAttendance::Table).to_owned())
            .await
    }
}
