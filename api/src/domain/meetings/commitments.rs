//! Action commitments: one concrete step a member commits to at a meeting, reviewed later.

use chrono::{NaiveDate, Utc};
use entity::{
    AttendanceStatus, CommitmentStatus, MeetingStatus, MembershipStatus, action_commitment,
    attendance, group, membership,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::{can_see_meeting, visible_meeting};
use crate::{
    domain::{
        access::Access,
        authz::{can_run_group, require_person},
        groups::core::visible_group,
        values::{optional_text, text},
    },
    error::{AppError, AppResult},
};

/// A member commits for themself; a facilitator (or manager) may record a commitment for any
/// member who was present.
pub async fn add_commitment(
    db: &impl TransactionTrait,
    access: &Access,
    meeting_id: Uuid,
    membership_id: Option<Uuid>,
    commitment: &str,
    due_on: Option<NaiveDate>,
) -> AppResult<action_commitment::Model> {
    let me = require_person(access)?;
    let commitment = text("text", commitment, 500)?;
    let txn = crate::domain::begin(db).await?;
    let (meeting, group, cluster) = visible_meeting(&txn, access, meeting_id).await?;
    if meeting.status == MeetingStatus::Cancelled {
        return Err(AppError::bad_input(
            "meetingId",
            "a cancelled meeting takes no commitments",
        ));
    }
    let own = crate::domain::groups::core::active_membership(&txn, group.id, me).await?;
    let target = match membership_id {
        None => own
            .clone()
            .ok_or_else(|| AppError::forbidden("only members of the group make commitments"))?,
        Some(id) if own.as_ref().is_some_and(|m| m.id == id) => own
            .clone()
            .ok_or_else(|| AppError::not_found("membership"))?,
        Some(id) => {
            if !can_run_group(access, &group, &cluster.path) {
                return Err(AppError::forbidden(
                    "only facilitators record commitments for others",
                ));
            }
            let target = membership::Entity::find_by_id(id).one(&txn).await?;
            let Some(target) =
                target.filter(|m| m.group_id == group.id && m.status == MembershipStatus::Active)
            else {
                return Err(AppError::bad_input(
                    "membershipId",
                    "not an ACTIVE membership of this group",
                ));
            };
            let present = attendance::Entity::find()
                .filter(attendance::Column::MeetingId.eq(meeting.id))
                .filter(attendance::Column::MembershipId.eq(target.id))
                .filter(attendance::Column::Status.eq(AttendanceStatus::Present))
                .one(&txn)
                .await?
                .is_some();
            if !present {
                return Err(AppError::bad_input(
                    "membershipId",
                    "this member was not recorded as present",
                ));
            }
            target
        }
    };
    let now = Utc::now();
    let saved = action_commitment::ActiveModel {
        id: Set(Uuid::now_v7()),
        meeting_id: Set(meeting.id),
        membership_id: Set(target.id),
        text: Set(commitment),
        due_on: Set(due_on),
        status: Set(CommitmentStatus::Open),
        created_by: Set(Some(me)),
        review_note: Set(None),
        reviewed_by: Set(None),
        reviewed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Whether the viewer may see a commitment: insiders of its group (the shared record lists
/// action items).
pub async fn visible_commitment(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<(
    action_commitment::Model,
    membership::Model,
    group::Model,
    String,
)> {
    let not_found = || AppError::not_found("commitment");
    let c = action_commitment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let m = membership::Entity::find_by_id(c.membership_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let (g, cluster) = visible_group(db, access, m.group_id)
        .await
        .map_err(|e| e.hidden_as("commitment"))?;
    if !can_see_meeting(access, &g, &cluster.path) && access.person_id != Some(m.person_id) {
        return Err(not_found());
    }
    Ok((c, m, g, cluster.path))
}

/// The member themself or a facilitator reviews: DONE, PARTIAL, NOT_DONE or DROPPED.
pub async fn review_commitment(
    db: &impl TransactionTrait,
    access: &Access,
    id: Uuid,
    status: CommitmentStatus,
    note: Option<String>,
) -> AppResult<action_commitment::Model> {
    let me = require_person(access)?;
    if status == CommitmentStatus::Open {
        return Err(AppError::bad_input(
            "status",
            "a review sets DONE, PARTIAL, NOT_DONE or DROPPED",
        ));
    }
    let note = optional_text("note", note.as_deref(), 1000)?;
    let txn = crate::domain::begin(db).await?;
    let (c, m, g, path) = visible_commitment(&txn, access, id).await?;
    if m.person_id != me && !can_run_group(access, &g, &path) {
        return Err(AppError::forbidden(
            "only the member or a facilitator reviews a commitment",
        ));
    }
    let now = Utc::now();
    let mut active: action_commitment::ActiveModel = c.into();
    active.status = Set(status);
    active.review_note = Set(note);
    active.reviewed_by = Set(Some(me));
    active.reviewed_at = Set(Some(now));
    active.updated_at = Set(now);
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}
