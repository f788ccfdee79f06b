//! Train-the-facilitator: programmes and competencies, workshops, evidence, practicum,
//! certification (with its Open Badge), mentoring, lineage and succession.
//!
//! Who may do what, in one place:
//! - programmes and workshops are seen by people of the organisation (a grant there, or an
//!   active membership in one of its groups);
//! - programmes are created by its ADMINs and TRAINER grant holders ("training managers");
//! - trainers are training managers and holders of an active certification of one of its
//!   trainer programmes: they schedule workshops, review evidence and issue certifications;
//! - a workshop's own trainers run its enrollments and attendance;
//! - a trainee's progress is theirs, their mentor's, and the trainers'.

pub mod badge;
pub mod certifications;
pub mod evidence;
pub mod lineage;
pub mod mentoring;
pub mod programs;
pub mod progress;
pub mod reads;
pub mod risk_summary;
pub mod succession;
pub mod workshops;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{Role, certification, training_program};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::access::Access;
use crate::error::{AppError, AppResult};

/// ADMIN of the organisation, or a TRAINER grant anywhere in it.
pub fn manages_training(access: &Access, organisation_id: Uuid) -> bool {
    access.is_admin_of(organisation_id)
        || access
            .grants
            .iter()
            .any(|g| g.organisation_id == organisation_id && g.role == Role::Trainer)
}

/// Part of the organisation: any grant in it, or an active membership in one of its groups.
pub fn sees_training(access: &Access, organisation_id: Uuid) -> bool {
    access.organisations().contains(&organisation_id)
}

/// Certified as a trainer of the organisation at `now`: one of the certifications `held`
/// is valid and of one of its trainer programmes (`trains_trainers` answers that for a
/// programme id). The rule both layers apply; each supplies the facts its own way (a query
/// here, the request's loaders in GraphQL).
pub fn certified_as_trainer<'a>(
    held: impl IntoIterator<Item = &'a certification::Model>,
    trains_trainers: impl Fn(Uuid) -> bool,
    organisation_id: Uuid,
    now: DateTime<Utc>,
) -> bool {
    held.into_iter().any(|c| {
        c.organisation_id == organisation_id && c.is_valid(now) && trains_trainers(c.program_id)
    })
}

/// The facts of `certified_as_trainer` for one person, read: their certifications in the
/// organisation and which of those programmes train trainers.
pub async fn certified_trainer(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    organisation_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let held = certification::Entity::find()
        .filter(certification::Column::PersonId.eq(person_id))
        .filter(certification::Column::OrganisationId.eq(organisation_id))
        .all(db)
        .await?;
    let valid: Vec<Uuid> = held
        .iter()
        .filter(|c| c.is_valid(now))
        .map(|c| c.program_id)
        .collect();
    if valid.is_empty() {
        return Ok(false);
    }
    let trainer_programmes: HashSet<Uuid> = training_program::Entity::find()
        .filter(training_program::Column::Id.is_in(valid))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| p.is_trainer_program)
        .map(|p| p.id)
        .collect();
    Ok(certified_as_trainer(
        &held,
        |p| trainer_programmes.contains(&p),
        organisation_id,
        now,
    ))
}

/// A trainer of the organisation: a training manager or a certified trainer.
pub async fn is_trainer(
    db: &impl ConnectionTrait,
    access: &Access,
    organisation_id: Uuid,
) -> AppResult<bool> {
    if manages_training(access, organisation_id) {
        return Ok(true);
    }
    match access.person_id {
        Some(me) => certified_trainer(db, me, organisation_id, Utc::now()).await,
        None => Ok(false),
    }
}

/// A programme the viewer may see; NOT_FOUND otherwise.
pub async fn visible_program(
    db: &impl ConnectionTrait,
    access: &Access,
    program_id: Uuid,
) -> AppResult<training_program::Model> {
    let program = training_program::Entity::find_by_id(program_id)
        .one(db)
        .await?
        .filter(|p| sees_training(access, p.organisation_id))
        .ok_or_else(|| AppError::not_found("training programme"))?;
    Ok(program)
}

/// The holder's certifications of a programme that are valid now (at most one in practice).
pub async fn valid_certification(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    program_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Option<certification::Model>> {
    Ok(certification::Entity::find()
        .filter(certification::Column::PersonId.eq(person_id))
        .filter(certification::Column::ProgramId.eq(program_id))
        .filter(certification::Column::RevokedAt.is_null())
        .filter(certification::Column::ValidUntil.gt(now))
        .one(db)
        .await?)
}

/// Of `people`, who holds a valid certification of one of the organisation's programmes, and
/// who is in practicum (accepted into or through one of its workshops, or mentored in one of
/// its programmes) without one. For rotation in groups that require certified facilitators.
pub async fn certified_and_in_practicum(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    people: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<(
    std::collections::HashSet<Uuid>,
    std::collections::HashSet<Uuid>,
)> {
    use entity::{EnrollmentStatus, enrollment, mentorship, workshop};
    let certified: std::collections::HashSet<Uuid> = certification::Entity::find()
        .filter(certification::Column::OrganisationId.eq(organisation_id))
        .filter(certification::Column::PersonId.is_in(people.iter().copied()))
        .filter(certification::Column::RevokedAt.is_null())
        .filter(certification::Column::ValidUntil.gt(now))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.person_id)
        .collect();
    let workshops = sea_orm::sea_query::Query::select()
        .column(workshop::Column::Id)
        .from(workshop::Entity)
        .and_where(workshop::Column::OrganisationId.eq(organisation_id))
        .to_owned();
    let mut training: std::collections::HashSet<Uuid> = enrollment::Entity::find()
        .filter(enrollment::Column::PersonId.is_in(people.iter().copied()))
        .filter(
            enrollment::Column::Status
                .is_in([EnrollmentStatus::Accepted, EnrollmentStatus::Completed]),
        )
        .filter(enrollment::Column::WorkshopId.in_subquery(workshops))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.person_id)
        .collect();
    let programs = sea_orm::sea_query::Query::select()
        .column(training_program::Column::Id)
        .from(training_program::Entity)
        .and_where(training_program::Column::OrganisationId.eq(organisation_id))
        .to_owned();
    training.extend(
        mentorship::Entity::find()
            .filter(mentorship::Column::MenteeId.is_in(people.iter().copied()))
            .filter(mentorship::Column::EndedAt.is_null())
            .filter(mentorship::Column::ProgramId.in_subquery(programs))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.mentee_id),
    );
    training.retain(|p| !certified.contains(p));
    Ok((certified, training))
}
