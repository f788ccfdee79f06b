//! A trainee's progress in a programme and what certification still needs. The practicum is
//! counted from real meetings, never entered by hand.

use chrono::{DateTime, Utc};
use entity::{
    EnrollmentStatus, EvidenceStatus, WorkshopKind, certification, competency, enrollment,
    evidence, training_program, workshop,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{is_trainer, mentoring::active_mentor, programs::program_by_slug};
use crate::{
    domain::{access::Access, raw_statement},
    error::{AppError, AppResult},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompetencyStatus {
    NotStarted,
    /// Evidence waits for review.
    Evidenced,
    Accepted,
}

#[derive(Clone, Debug)]
pub struct CompetencyProgress {
    pub competency: competency::Model,
    pub status: CompetencyStatus,
}

#[derive(Clone, Debug)]
pub struct Progress {
    pub person_id: Uuid,
    pub program: training_program::Model,
    pub competencies: Vec<CompetencyProgress>,
    pub practicum_done: i64,
    /// The latest completed (standard) workshop of the programme.
    pub completed_workshop: Option<Uuid>,
    /// The current (valid) certification, if any.
    pub certification: Option<certification::Model>,
    pub missing: Vec<String>,
}

impl Progress {
    pub fn eligible(&self) -> bool {
        self.missing.is_empty()
    }
}

/// HELD meetings with a finalised record where the trainee co-facilitated while the
/// facilitator held a certification of the programme valid on the meeting's date.
pub async fn practicum_count(
    db: &impl ConnectionTrait,
    program_id: Uuid,
    trainee: Uuid,
) -> AppResult<i64> {
    let sql = "SELECT COUNT(DISTINCT mt.id) AS n \
         FROM meetings mt \
         JOIN memberships co ON co.id = mt.co_facilitator_id \
         JOIN memberships fa ON fa.id = mt.facilitator_id \
         JOIN certifications c ON c.person_id = fa.person_id AND c.program_id = ? \
         WHERE co.person_id = ? AND fa.person_id <> co.person_id \
           AND mt.status = 'HELD' \
           AND EXISTS (SELECT 1 FROM meeting_records r WHERE r.meeting_id = mt.id) \
           AND c.issued_at <= mt.starts_at AND mt.starts_at < c.valid_until \
           AND (c.revoked_at IS NULL OR mt.starts_at < c.revoked_at)";
    let row = db
        .query_one_raw(raw_statement(
            db.get_database_backend(),
            sql,
            vec![program_id.into(), trainee.into()],
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "n")?,
        None => 0,
    })
}

pub async fn compute(
    db: &impl ConnectionTrait,
    program: training_program::Model,
    person_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Progress> {
    let competencies = competency::Entity::find()
        .filter(competency::Column::ProgramId.eq(program.id))
        .order_by_asc(competency::Column::Position)
        .all(db)
        .await?;
    let evidence = evidence::Entity::find()
        .filter(evidence::Column::ProgramId.eq(program.id))
        .filter(evidence::Column::TraineeId.eq(person_id))
        .all(db)
        .await?;
    let practicum_done = practicum_count(db, program.id, person_id).await?;
    let standard = sea_orm::sea_query::Query::select()
        .column(workshop::Column::Id)
        .from(workshop::Entity)
        .and_where(workshop::Column::ProgramId.eq(program.id))
        .and_where(workshop::Column::Kind.eq(WorkshopKind::Standard))
        .to_owned();
    let completed_workshop = enrollment::Entity::find()
        .filter(enrollment::Column::PersonId.eq(person_id))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Completed))
        .filter(enrollment::Column::WorkshopId.in_subquery(standard))
        .order_by_desc(enrollment::Column::CompletedAt)
        .one(db)
        .await?
        .map(|e| e.workshop_id);
    let certification = super::valid_certification(db, person_id, program.id, now).await?;
    let competencies: Vec<CompetencyProgress> = competencies
        .into_iter()
        .map(|c| {
            let mine = evidence.iter().filter(|e| e.competency_id == c.id);
            let status = if mine.clone().any(|e| e.status == EvidenceStatus::Accepted) {
                CompetencyStatus::Accepted
            } else if mine.clone().any(|e| e.status == EvidenceStatus::Submitted) {
                CompetencyStatus::Evidenced
            } else {
                CompetencyStatus::NotStarted
            };
            CompetencyProgress {
                competency: c,
                status,
            }
        })
        .collect();
    let mut missing = Vec::new();
    for c in &competencies {
        match c.status {
            CompetencyStatus::Accepted => {}
            CompetencyStatus::Evidenced => missing.push(format!(
                "competency {} ({}): evidence waits for a trainer's review",
                c.competency.code, c.competency.title
            )),
            CompetencyStatus::NotStarted => missing.push(format!(
                "competency {} ({}): no accepted evidence",
                c.competency.code, c.competency.title
            )),
        }
    }
    let required = i64::from(program.practicum_meetings_required);
    if practicum_done < required {
        missing.push(format!(
            "practicum: {practicum_done} of {required} co-facilitated meetings under a certified facilitator"
        ));
    }
    if completed_workshop.is_none() {
        missing.push("workshop: no completed workshop of this programme".to_owned());
    }
    Ok(Progress {
        person_id,
        program,
        competencies,
        practicum_done,
        completed_workshop,
        certification,
        missing,
    })
}

/// May the viewer read this person's progress in the programme?
pub async fn may_see_progress(
    db: &impl ConnectionTrait,
    access: &Access,
    program: &training_program::Model,
    person_id: Uuid,
) -> AppResult<bool> {
    let Some(me) = access.person_id else {
        return Ok(false);
    };
    if me == person_id || active_mentor(db, program.id, person_id).await? == Some(me) {
        return Ok(true);
    }
    is_trainer(db, access, program.organisation_id).await
}

pub async fn trainee_progress(
    db: &impl ConnectionTrait,
    access: &Access,
    person_id: Uuid,
    program_slug: &str,
) -> AppResult<Progress> {
    crate::domain::authz::require_person(access)?;
    let program = program_by_slug(db, access, program_slug)
        .await?
        .ok_or_else(|| AppError::not_found("training programme"))?;
    if !may_see_progress(db, access, &program, person_id).await? {
        return Err(AppError::not_found("trainee progress"));
    }
    compute(db, program, person_id, chrono::Utc::now()).await
}
