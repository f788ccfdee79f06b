use sea_orm_migration::prelude::*;

use crate::m20261208_000069_add_connection_indexes::{Replacement, add_all, remove_all};

/// Indexes for the pages and counts the API filters by status, found by measuring the
/// dashboard (an organisation's clusters, five groups each, each group's last three HELD
/// meetings with how many were present): a group's meetings of one status in the order they
/// page, so a page reads the rows it keeps instead of every meeting of the group and dropping
/// the others (four times as many in the benchmark's data, where the future ones are
/// SCHEDULED); and a meeting's attendance by status, so a count reads the index alone instead
/// of every entry's row.
const INDEXES: &[Replacement] = &[
    Replacement {
        table: "meetings",
        name: "idx_meetings_group_status_start",
        columns: &["group_id", "status", "starts_at", "id"],
        replaces: None,
    },
    Replacement {
        table: "attendance",
        name: "idx_attendance_meeting_status",
        columns: &["meeting_id", "status"],
        replaces: None,
    },
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_all(manager, INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        remove_all(manager, INDEXES).await
    }
}
