//! Attendance: facilitators record who came, after the meeting has started.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{AttendanceStatus, MeetingStatus, MembershipStatus, attendance, membership};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, Set, TransactionSession as _, TransactionTrait,
    sea_query::OnConflict,
};
use uuid::Uuid;

use super::runnable_meeting;
use crate::{
    domain::{access::Access, authz::require_person},
    error::{AppError, AppResult},
};

pub const MAX_ENTRIES: usize = 200;

pub struct Entry {
    pub membership_id: Uuid,
    pub status: AttendanceStatus,
}

/// Upserts one status per membership. Only ACTIVE memberships of the meeting's group count;
/// a CANCELLED meeting or one that has not started yet takes no attendance.
pub async fn record_attendance(
    db: &impl TransactionTrait,
    access: &Access,
    meeting_id: Uuid,
    entries: Vec<Entry>,
) -> AppResult<Vec<attendance::Model>> {
    let me = require_person(access)?;
    if entries.is_empty() || entries.len() > MAX_ENTRIES {
        return Err(AppError::bad_input(
            "entries",
            format!("give 1 to {MAX_ENTRIES} entries"),
        ));
    }
    let mut seen = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        if !seen.insert(e.membership_id) {
            return Err(AppError::bad_input(
                format!("entries[{i}].membershipId"),
                "each membership once",
            ));
        }
    }
    let txn = crate::domain::begin(db).await?;
    let (meeting, group) = runnable_meeting(&txn, access, meeting_id, "record attendance").await?;
    if meeting.status == MeetingStatus::Cancelled {
        return Err(AppError::bad_input(
            "meetingId",
            "the meeting was cancelled: there is no attendance to record",
        ));
    }
    let now = Utc::now();
    if meeting.starts_at > now {
        return Err(AppError::bad_input(
            "meetingId",
            "the meeting has not started yet",
        ));
    }
    let ids: Vec<Uuid> = entries.iter().map(|e| e.membership_id).collect();
    let members: HashMap<Uuid, membership::Model> = membership::Entity::find()
        .filter(membership::Column::Id.is_in(ids.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    for (i, e) in entries.iter().enumerate() {
        let valid = members
            .get(&e.membership_id)
            .is_some_and(|m| m.group_id == group.id && m.status == MembershipStatus::Active);
        if !valid {
            return Err(AppError::bad_input(
                format!("entries[{i}].membershipId"),
                "not an ACTIVE membership of this meeting's group",
            ));
        }
    }
    // One upsert for all entries: a second recording of the same meeting corrects the first.
    let rows = entries.iter().map(|e| attendance::ActiveModel {
        id: Set(Uuid::now_v7()),
        meeting_id: Set(meeting.id),
        membership_id: Set(e.membership_id),
        status: Set(e.status),
        recorded_by: Set(Some(me)),
        recorded_at: Set(now),
    });
    attendance::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                attendance::Column::MeetingId,
                attendance::Column::MembershipId,
            ])
            .update_columns([
                attendance::Column::Status,
                attendance::Column::RecordedBy,
                attendance::Column::RecordedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let mut saved: HashMap<Uuid, attendance::Model> = attendance::Entity::find()
        .filter(attendance::Column::MeetingId.eq(meeting.id))
        .filter(attendance::Column::MembershipId.is_in(ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|a| (a.membership_id, a))
        .collect();
    let saved: Vec<attendance::Model> = entries
        .iter()
        .filter_map(|e| saved.remove(&e.membership_id))
        .collect();
    txn.commit().await?;
    Ok(saved)
}
