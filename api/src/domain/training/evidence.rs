//! Evidence of competencies and a trainer's sign-off.

use chrono::Utc;
use entity::{EvidenceKind, EvidenceStatus, competency, evidence, meeting, membership};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::{is_trainer, mentoring::active_mentor, visible_program};
use crate::{
    domain::{
        access::Access,
        authz::require_person,
        values::{optional_text, text, web_url},
    },
    error::{AppError, AppResult},
};

pub struct NewEvidence {
    pub program_id: Uuid,
    pub competency_id: Uuid,
    /// None: the viewer is the trainee.
    pub trainee_id: Option<Uuid>,
    pub kind: EvidenceKind,
    pub note: String,
    pub url: Option<String>,
    pub meeting_id: Option<Uuid>,
}

/// Did the trainee take part in the meeting: as facilitator, co-facilitator or attendee?
async fn took_part(
    db: &impl ConnectionTrait,
    trainee: Uuid,
    m: &meeting::Model,
) -> AppResult<bool> {
    let mine = membership::Entity::find()
        .filter(membership::Column::GroupId.eq(m.group_id))
        .filter(membership::Column::PersonId.eq(trainee))
        .all(db)
        .await?;
    if mine
        .iter()
        .any(|ms| Some(ms.id) == m.facilitator_id || Some(ms.id) == m.co_facilitator_id)
    {
        return Ok(true);
    }
    let ids: Vec<Uuid> = mine.iter().map(|ms| ms.id).collect();
    if ids.is_empty() {
        return Ok(false);
    }
    let attended = entity::attendance::Entity::find()
        .filter(entity::attendance::Column::MeetingId.eq(m.id))
        .filter(entity::attendance::Column::MembershipId.is_in(ids))
        .filter(entity::attendance::Column::Status.eq(entity::AttendanceStatus::Present))
        .one(db)
        .await?;
    Ok(attended.is_some())
}

pub async fn submit(
    db: &impl TransactionTrait,
    access: &Access,
    input: NewEvidence,
) -> AppResult<evidence::Model> {
    let me = require_person(access)?;
    let trainee = input.trainee_id.unwrap_or(me);
    let note = text("note", &input.note, 4000)?;
    let url = input
        .url
        .as_deref()
        .map(|u| web_url("url", u))
        .transpose()?;
    if input.kind == EvidenceKind::ObservedMeeting && input.meeting_id.is_none() {
        return Err(AppError::bad_input(
            "meetingId",
            "an OBSERVED_MEETING names the meeting",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let program = visible_program(&txn, access, input.program_id).await?;
    if trainee != me && active_mentor(&txn, program.id, trainee).await? != Some(me) {
        return Err(AppError::forbidden(
            "evidence is submitted by the trainee or their mentor",
        ));
    }
    let comp = competency::Entity::find_by_id(input.competency_id)
        .one(&txn)
        .await?
        .filter(|c| c.program_id == program.id)
        .ok_or_else(|| AppError::bad_input("competencyId", "not a competency of this programme"))?;
    if let Some(meeting_id) = input.meeting_id {
        let m = meeting::Entity::find_by_id(meeting_id).one(&txn).await?;
        let ok = match &m {
            Some(m) => took_part(&txn, trainee, m).await?,
            None => false,
        };
        if !ok {
            return Err(AppError::bad_input(
                "meetingId",
                "not a meeting the trainee facilitated or attended",
            ));
        }
    }
    let saved = evidence::ActiveModel {
        id: Set(Uuid::now_v7()),
        program_id: Set(program.id),
        competency_id: Set(comp.id),
        trainee_id: Set(trainee),
        submitted_by: Set(Some(me)),
        kind: Set(input.kind),
        note: Set(note),
        url: Set(url),
        meeting_id: Set(input.meeting_id),
        status: Set(EvidenceStatus::Submitted),
        reviewed_by: Set(None),
        review_comment: Set(None),
        reviewed_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Who may read a piece of evidence: the trainee, their mentor, and the trainers.
pub async fn may_read(
    db: &impl ConnectionTrait,
    access: &Access,
    e: &evidence::Model,
    organisation_id: Uuid,
) -> AppResult<bool> {
    let Some(me) = access.person_id else {
        return Ok(false);
    };
    if me == e.trainee_id {
        return Ok(true);
    }
    if active_mentor(db, e.program_id, e.trainee_id).await? == Some(me) {
        return Ok(true);
    }
    is_trainer(db, access, organisation_id).await
}

pub async fn review(
    db: &impl TransactionTrait,
    access: &Access,
    evidence_id: Uuid,
    decision: EvidenceStatus,
    comment: Option<String>,
) -> AppResult<evidence::Model> {
    let me = require_person(access)?;
    if decision == EvidenceStatus::Submitted {
        return Err(AppError::bad_input(
            "decision",
            "a review ACCEPTS or REJECTS",
        ));
    }
    let comment = optional_text("comment", comment.as_deref(), 4000)?;
    if decision == EvidenceStatus::Rejected && comment.is_none() {
        return Err(AppError::bad_input(
            "comment",
            "say why the evidence is rejected, so the trainee can act on it",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let e = evidence::Entity::find_by_id(evidence_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("evidence"))?;
    let program = visible_program(&txn, access, e.program_id)
        .await
        .map_err(|e| e.hidden_as("evidence"))?;
    if !may_read(&txn, access, &e, program.organisation_id).await? {
        return Err(AppError::not_found("evidence"));
    }
    if e.trainee_id == me {
        return Err(AppError::forbidden("you may not review your own evidence"));
    }
    if !is_trainer(&txn, access, program.organisation_id).await? {
        return Err(AppError::forbidden("evidence is reviewed by a trainer"));
    }
    if e.submitted_by == Some(me) {
        return Err(AppError::forbidden(
            "evidence is reviewed by someone other than who submitted it",
        ));
    }
    if e.status != EvidenceStatus::Submitted {
        return Err(AppError::conflict(
            "this evidence has already been reviewed",
        ));
    }
    let mut next: evidence::ActiveModel = e.into();
    next.status = Set(decision);
    next.reviewed_by = Set(Some(me));
    next.review_comment = Set(comment);
    next.reviewed_at = Set(Some(Utc::now()));
    let saved = next.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}
