//! Thumbs polls: facilitators ask, active members vote up or down (changeable while open);
//! everyone in the group sees the tally and their own vote, never anyone else's.

use chrono::{Duration, Utc};
use entity::{Thumb, meeting, poll, poll_vote};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionSession as _, TransactionTrait,
    sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz::{can_run_group, require_person},
        groups::visible_group,
        meetings::{can_see_meeting, runnable_group},
        values::text,
    },
    error::{AppError, AppResult},
};

pub async fn create(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    meeting_id: Option<Uuid>,
    question: &str,
    closes_at: chrono::DateTime<Utc>,
) -> AppResult<poll::Model> {
    let me = require_person(access)?;
    let question = text("question", question, 300)?;
    let now = Utc::now();
    if closes_at <= now || closes_at > now + Duration::days(90) {
        return Err(AppError::bad_input(
            "closesAt",
            "a poll closes within the next 90 days",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let g = runnable_group(&txn, access, group_id, "ask this group").await?;
    if let Some(id) = meeting_id {
        let m = meeting::Entity::find_by_id(id).one(&txn).await?;
        if m.is_none_or(|m| m.group_id != g.id) {
            return Err(AppError::bad_input(
                "meetingId",
                "not a meeting of this group",
            ));
        }
    }
    let saved = poll::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(g.id),
        meeting_id: Set(meeting_id),
        question: Set(question),
        closes_at: Set(closes_at),
        closed_at: Set(None),
        created_by: Set(Some(me)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The poll with whether the viewer runs its group; NOT_FOUND unless the viewer is an insider.
pub async fn visible(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<(poll::Model, bool)> {
    let not_found = || AppError::not_found("poll");
    let p = poll::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let (g, c) = visible_group(db, access, p.group_id)
        .await
        .map_err(|_| not_found())?;
    if !can_see_meeting(access, &g, &c.path) {
        return Err(not_found());
    }
    Ok((p, can_run_group(access, &g, &c.path)))
}

/// One vote per active member, changeable while the poll is open.
pub async fn vote(
    db: &impl TransactionTrait,
    access: &Access,
    poll_id: Uuid,
    thumb: Thumb,
) -> AppResult<poll::Model> {
    let me = require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let (p, _) = visible(&txn, access, poll_id).await?;
    let member = crate::domain::memberships::active_membership(&txn, p.group_id, me).await?;
    if member.is_none() {
        return Err(AppError::forbidden("only the group's active members vote"));
    }
    let now = Utc::now();
    if !p.is_open(now) {
        return Err(AppError::bad_input("pollId", "the poll is closed"));
    }
    poll_vote::Entity::insert(poll_vote::ActiveModel {
        id: Set(Uuid::now_v7()),
        poll_id: Set(p.id),
        person_id: Set(me),
        vote: Set(thumb),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([poll_vote::Column::PollId, poll_vote::Column::PersonId])
            .update_columns([poll_vote::Column::Vote, poll_vote::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(p)
}

/// A facilitator closes a poll early.
pub async fn close(
    db: &impl TransactionTrait,
    access: &Access,
    poll_id: Uuid,
) -> AppResult<poll::Model> {
    require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let (p, runs) = visible(&txn, access, poll_id).await?;
    if !runs {
        return Err(AppError::forbidden(
            "only the group's facilitators close polls",
        ));
    }
    let now = Utc::now();
    if !p.is_open(now) {
        return Err(AppError::bad_input("pollId", "the poll is already closed"));
    }
    let mut active: poll::ActiveModel = p.into();
    active.closed_at = Set(Some(now));
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}
