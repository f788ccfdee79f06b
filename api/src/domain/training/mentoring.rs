//! Mentorships: a certified facilitator accompanies a trainee and sees their progress.

use chrono::Utc;
use entity::{mentorship, person};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::{is_trainer, valid_certification, visible_program};
use crate::{
    domain::{access::Access, authz::require_person},
    error::{AppError, AppResult},
};

/// The mentee's current mentor in the programme.
pub async fn active_mentor(
    db: &impl ConnectionTrait,
    program_id: Uuid,
    mentee_id: Uuid,
) -> AppResult<Option<Uuid>> {
    Ok(mentorship::Entity::find()
        .filter(mentorship::Column::ProgramId.eq(program_id))
        .filter(mentorship::Column::MenteeId.eq(mentee_id))
        .filter(mentorship::Column::EndedAt.is_null())
        .one(db)
        .await?
        .map(|m| m.mentor_id))
}

/// The mentee asks a certified facilitator to mentor them, or a trainer pairs them. Nobody
/// is given a mentor (who then reads their progress) without asking, except by a trainer.
pub async fn start(
    db: &impl TransactionTrait,
    access: &Access,
    program_id: Uuid,
    mentor_id: Uuid,
    mentee_id: Uuid,
) -> AppResult<mentorship::Model> {
    let me = require_person(access)?;
    if mentor_id == mentee_id {
        return Err(AppError::bad_input(
            "mentorId",
            "a mentor is someone other than the mentee",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let program = visible_program(&txn, access, program_id).await?;
    if me != mentee_id && !is_trainer(&txn, access, program.organisation_id).await? {
        return Err(AppError::forbidden(
            "a mentorship is started by the mentee or a trainer",
        ));
    }
    for (field, id) in [("mentorId", mentor_id), ("menteeId", mentee_id)] {
        if person::Entity::find_by_id(id).one(&txn).await?.is_none() {
            return Err(AppError::bad_input(field, "no such person"));
        }
    }
    let now = Utc::now();
    if valid_certification(&txn, mentor_id, program.id, now)
        .await?
        .is_none()
    {
        return Err(AppError::NotEligible {
            message: "a mentor holds an active certification of the programme".to_owned(),
            missing: vec!["the mentor's active certification of this programme".to_owned()],
        });
    }
    if active_mentor(&txn, program.id, mentee_id).await?.is_some() {
        return Err(AppError::conflict(
            "the mentee already has a mentor in this programme; end that mentorship first",
        ));
    }
    let saved = mentorship::ActiveModel {
        id: Set(Uuid::now_v7()),
        program_id: Set(program.id),
        mentor_id: Set(mentor_id),
        mentee_id: Set(mentee_id),
        started_by: Set(Some(me)),
        started_at: Set(now),
        ended_at: Set(None),
        ended_by: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The mentor, the mentee or a trainer ends it.
pub async fn end(
    db: &impl TransactionTrait,
    access: &Access,
    mentorship_id: Uuid,
) -> AppResult<mentorship::Model> {
    let me = require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let m = mentorship::Entity::find_by_id(mentorship_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("mentorship"))?;
    let program = visible_program(&txn, access, m.program_id)
        .await
        .map_err(|e| e.hidden_as("mentorship"))?;
    let party = me == m.mentor_id || me == m.mentee_id;
    if !party && !is_trainer(&txn, access, program.organisation_id).await? {
        return Err(AppError::not_found("mentorship"));
    }
    if m.ended_at.is_some() {
        return Err(AppError::conflict("this mentorship has already ended"));
    }
    let mut next: mentorship::ActiveModel = m.into();
    next.ended_at = Set(Some(Utc::now()));
    next.ended_by = Set(Some(me));
    let saved = next.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}
