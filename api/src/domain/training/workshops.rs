//! Workshops: scheduling with qualified trainers, applications, screening decisions, the
//! waitlist, attendance per session, and completion.

use chrono::{DateTime, Duration, Utc};
use entity::{
    AttendanceStatus, EnrollmentStatus, Modality, Role, WorkshopKind, enrollment, training_program,
    workshop, workshop_attendance, workshop_session, workshop_trainer,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession as _, TransactionTrait, sea_query::OnConflict,
};
use uuid::Uuid;

use super::{certified_trainer, is_trainer, manages_training, sees_training, visible_program};
use crate::{
    domain::{
        access::Access,
        authz::require_person,
        values::{optional_text, text, web_url},
    },
    error::{AppError, AppResult},
};

pub const MAX_TRAINERS: usize = 6;
pub const MAX_SESSIONS: usize = 20;
pub const MAX_CAPACITY: i32 = 200;

pub struct NewSession {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

pub struct NewWorkshop {
    pub program_id: Uuid,
    pub title: String,
    pub kind: WorkshopKind,
    pub trainer_ids: Vec<Uuid>,
    pub sessions: Vec<NewSession>,
    pub modality: Modality,
    pub venue: Option<String>,
    pub conference_url: Option<String>,
    pub capacity: i32,
}

fn check_sessions(sessions: &[NewSession], now: DateTime<Utc>) -> AppResult<()> {
    if sessions.is_empty() || sessions.len() > MAX_SESSIONS {
        return Err(AppError::bad_input(
            "sessions",
            format!("a workshop has 1 to {MAX_SESSIONS} sessions"),
        ));
    }
    for (i, s) in sessions.iter().enumerate() {
        let field = format!("sessions.{i}");
        if s.ends_at <= s.starts_at || s.ends_at - s.starts_at > Duration::hours(12) {
            return Err(AppError::bad_input(
                format!("{field}.endsAt"),
                "a session ends after it starts, within 12 hours",
            ));
        }
        // Workshops held before the umbrella used this service may be recorded afterwards.
        if (s.starts_at - now).abs() > Duration::days(2 * 366) {
            return Err(AppError::bad_input(
                format!("{field}.startsAt"),
                "a session is within two years of today",
            ));
        }
        if i > 0 && s.starts_at < sessions[i - 1].ends_at {
            return Err(AppError::bad_input(
                format!("{field}.startsAt"),
                "sessions are in order and do not overlap",
            ));
        }
    }
    Ok(())
}

/// A trainer must be a TRAINER grant holder in the organisation or hold an active
/// certification of one of its trainer programmes.
async fn qualified_trainer(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    organisation_id: Uuid,
) -> AppResult<bool> {
    let grant = entity::role_grant::Entity::find()
        .filter(entity::role_grant::Column::PersonId.eq(person_id))
        .filter(entity::role_grant::Column::OrganisationId.eq(organisation_id))
        .filter(entity::role_grant::Column::Role.eq(Role::Trainer))
        .one(db)
        .await?;
    if grant.is_some() {
        return Ok(true);
    }
    certified_trainer(db, person_id, organisation_id, Utc::now()).await
}

pub async fn schedule(
    db: &impl TransactionTrait,
    access: &Access,
    input: NewWorkshop,
) -> AppResult<workshop::Model> {
    let me = require_person(access)?;
    let now = Utc::now();
    let title = text("title", &input.title, 200)?;
    let venue = optional_text("venue", input.venue.as_deref(), 500)?;
    let conference_url = input
        .conference_url
        .as_deref()
        .map(|u| web_url("conferenceUrl", u))
        .transpose()?;
    if !(1..=MAX_CAPACITY).contains(&input.capacity) {
        return Err(AppError::bad_input(
            "capacity",
            format!("between 1 and {MAX_CAPACITY} places"),
        ));
    }
    let mut trainers = input.trainer_ids.clone();
    trainers.dedup();
    if trainers.is_empty() || trainers.len() > MAX_TRAINERS {
        return Err(AppError::bad_input(
            "trainerIds",
            format!("a workshop has 1 to {MAX_TRAINERS} trainers"),
        ));
    }
    check_sessions(&input.sessions, now)?;
    let txn = crate::domain::begin(db).await?;
    let program = visible_program(&txn, access, input.program_id).await?;
    if !is_trainer(&txn, access, program.organisation_id).await? {
        return Err(AppError::forbidden(
            "only the organisation's trainers schedule workshops",
        ));
    }
    for (i, person) in trainers.iter().enumerate() {
        if !qualified_trainer(&txn, *person, program.organisation_id).await? {
            return Err(AppError::NotEligible {
                message: "every trainer needs a TRAINER grant or an active trainer certification"
                    .to_owned(),
                missing: vec![format!(
                    "trainerIds.{i}: no TRAINER grant and no active certification of a trainer programme"
                )],
            });
        }
    }
    let id = Uuid::now_v7();
    let first = input.sessions.first().map_or(now, |s| s.starts_at);
    let last = input.sessions.last().map_or(now, |s| s.ends_at);
    let saved = workshop::ActiveModel {
        id: Set(id),
        program_id: Set(program.id),
        organisation_id: Set(program.organisation_id),
        title: Set(title),
        kind: Set(input.kind),
        modality: Set(input.modality),
        venue: Set(venue),
        conference_url: Set(conference_url),
        capacity: Set(input.capacity),
        starts_at: Set(first),
        ends_at: Set(last),
        created_by: Set(Some(me)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    workshop_trainer::Entity::insert_many(trainers.iter().enumerate().map(|(i, p)| {
        workshop_trainer::ActiveModel {
            workshop_id: Set(id),
            person_id: Set(*p),
            position: Set(i as i32),
        }
    }))
    .exec(&txn)
    .await?;
    workshop_session::Entity::insert_many(input.sessions.iter().enumerate().map(|(i, s)| {
        workshop_session::ActiveModel {
            id: Set(Uuid::now_v7()),
            workshop_id: Set(id),
            position: Set(i as i32),
            starts_at: Set(s.starts_at),
            ends_at: Set(s.ends_at),
        }
    }))
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The workshop and its programme, if the viewer is part of the organisation.
pub async fn visible_workshop(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<(workshop::Model, training_program::Model)> {
    let w = workshop::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|w| sees_training(access, w.organisation_id))
        .ok_or_else(|| AppError::not_found("workshop"))?;
    let program = visible_program(db, access, w.program_id).await?;
    Ok((w, program))
}

pub async fn trainers_of(db: &impl ConnectionTrait, workshop_id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(workshop_trainer::Entity::find()
        .filter(workshop_trainer::Column::WorkshopId.eq(workshop_id))
        .order_by_asc(workshop_trainer::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.person_id)
        .collect())
}

/// The workshop's own trainers and the organisation's training managers run a workshop:
/// they screen applications, take attendance and record completion.
pub fn runs_workshop(access: &Access, w: &workshop::Model, trainers: &[Uuid]) -> bool {
    access.person_id.is_some_and(|me| trainers.contains(&me))
        || manages_training(access, w.organisation_id)
}

pub async fn apply(
    db: &impl TransactionTrait,
    access: &Access,
    workshop_id: Uuid,
    statement: &str,
) -> AppResult<enrollment::Model> {
    let me = require_person(access)?;
    let statement = text("statement", statement, 4000)?;
    let txn = crate::domain::begin(db).await?;
    let (w, _) = visible_workshop(&txn, access, workshop_id).await?;
    if trainers_of(&txn, w.id).await?.contains(&me) {
        return Err(AppError::forbidden(
            "a workshop's trainers do not apply to it",
        ));
    }
    if w.ends_at <= Utc::now() {
        return Err(AppError::bad_input("workshopId", "this workshop is over"));
    }
    let existing = enrollment::Entity::find()
        .filter(enrollment::Column::WorkshopId.eq(w.id))
        .filter(enrollment::Column::PersonId.eq(me))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(AppError::conflict(
            "you have already applied to this workshop",
        ));
    }
    let saved = enrollment::ActiveModel {
        id: Set(Uuid::now_v7()),
        workshop_id: Set(w.id),
        person_id: Set(me),
        statement: Set(statement),
        status: Set(EnrollmentStatus::Applied),
        screening_notes: Set(None),
        applied_at: Set(Utc::now()),
        decided_at: Set(None),
        decided_by: Set(None),
        waitlisted_at: Set(None),
        completed_at: Set(None),
        completed_by: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// An enrollment of a workshop the viewer runs: NOT_FOUND when the viewer may not see it
/// (they are neither its applicant nor part of the organisation), FORBIDDEN otherwise.
async fn runnable_enrollment(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
    action: &str,
) -> AppResult<(enrollment::Model, workshop::Model)> {
    let e = enrollment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("enrollment"))?;
    let (w, _) = visible_workshop(db, access, e.workshop_id)
        .await
        .map_err(|e| e.hidden_as("enrollment"))?;
    // Lock the workshop: seats are counted and given under it.
    workshop::Entity::find_by_id(w.id)
        .lock_exclusive()
        .one(db)
        .await?;
    let trainers = trainers_of(db, w.id).await?;
    let mine = access.person_id == Some(e.person_id);
    if !runs_workshop(access, &w, &trainers) {
        return Err(if mine {
            AppError::forbidden(format!("you may not {action}"))
        } else {
            AppError::not_found("enrollment")
        });
    }
    if mine {
        return Err(AppError::forbidden(format!(
            "you may not {action} for yourself"
        )));
    }
    Ok((e, w))
}

/// Places taken: accepted, completed and not-completed enrollments.
async fn seats_taken(db: &impl ConnectionTrait, workshop_id: Uuid) -> AppResult<i32> {
    let taken = enrollment::Entity::find()
        .filter(enrollment::Column::WorkshopId.eq(workshop_id))
        .filter(enrollment::Column::Status.is_in([
            EnrollmentStatus::Accepted,
            EnrollmentStatus::Completed,
            EnrollmentStatus::NotCompleted,
        ]))
        .all(db)
        .await?
        .len();
    Ok(taken as i32)
}

/// Fills free places from the waitlist, first come first served.
async fn promote_waitlist(
    db: &impl ConnectionTrait,
    w: &workshop::Model,
    by: Uuid,
) -> AppResult<()> {
    let free = w.capacity - seats_taken(db, w.id).await?;
    if free <= 0 {
        return Ok(());
    }
    let waiting = enrollment::Entity::find()
        .filter(enrollment::Column::WorkshopId.eq(w.id))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Waitlisted))
        .order_by_asc(enrollment::Column::WaitlistedAt)
        .order_by_asc(enrollment::Column::Id)
        .limit(free as u64)
        .all(db)
        .await?;
    let now = Utc::now();
    for e in waiting {
        let mut next: enrollment::ActiveModel = e.into();
        next.status = Set(EnrollmentStatus::Accepted);
        next.decided_at = Set(Some(now));
        next.decided_by = Set(Some(by));
        next.update(db).await?;
    }
    Ok(())
}

pub async fn decide(
    db: &impl TransactionTrait,
    access: &Access,
    enrollment_id: Uuid,
    decision: EnrollmentStatus,
    screening_notes: Option<String>,
) -> AppResult<enrollment::Model> {
    let me = require_person(access)?;
    if !matches!(
        decision,
        EnrollmentStatus::Accepted | EnrollmentStatus::Waitlisted | EnrollmentStatus::Declined
    ) {
        return Err(AppError::bad_input(
            "decision",
            "a decision is ACCEPTED, WAITLISTED or DECLINED",
        ));
    }
    let notes = optional_text("screeningNotes", screening_notes.as_deref(), 4000)?;
    let txn = crate::domain::begin(db).await?;
    let (e, w) =
        runnable_enrollment(&txn, access, enrollment_id, "screen this application").await?;
    if matches!(
        e.status,
        EnrollmentStatus::Completed | EnrollmentStatus::NotCompleted
    ) {
        return Err(AppError::conflict(
            "this enrollment is already completed; its decision is final",
        ));
    }
    if decision == EnrollmentStatus::Accepted
        && e.status != EnrollmentStatus::Accepted
        && seats_taken(&txn, w.id).await? >= w.capacity
    {
        return Err(AppError::conflict(
            "the workshop is full; waitlist the application instead",
        ));
    }
    let now = Utc::now();
    let freed = e.status == EnrollmentStatus::Accepted && decision != EnrollmentStatus::Accepted;
    let was_waitlisted = e.waitlisted_at;
    let mut next: enrollment::ActiveModel = e.into();
    next.status = Set(decision);
    next.decided_at = Set(Some(now));
    next.decided_by = Set(Some(me));
    if notes.is_some() {
        next.screening_notes = Set(notes);
    }
    next.waitlisted_at = Set(match decision {
        EnrollmentStatus::Waitlisted => was_waitlisted.or(Some(now)),
        _ => None,
    });
    let saved = next.update(&txn).await?;
    if freed {
        promote_waitlist(&txn, &w, me).await?;
    }
    txn.commit().await?;
    Ok(saved)
}

pub struct AttendanceEntry {
    pub enrollment_id: Uuid,
    pub status: AttendanceStatus,
}

pub async fn record_attendance(
    db: &impl TransactionTrait,
    access: &Access,
    session_id: Uuid,
    entries: Vec<AttendanceEntry>,
) -> AppResult<Vec<workshop_attendance::Model>> {
    let me = require_person(access)?;
    if entries.is_empty() || entries.len() > MAX_CAPACITY as usize {
        return Err(AppError::bad_input(
            "entries",
            format!("1 to {MAX_CAPACITY} entries"),
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let session = workshop_session::Entity::find_by_id(session_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("workshop session"))?;
    let (w, _) = visible_workshop(&txn, access, session.workshop_id)
        .await
        .map_err(|e| e.hidden_as("workshop session"))?;
    let trainers = trainers_of(&txn, w.id).await?;
    if !runs_workshop(access, &w, &trainers) {
        return Err(AppError::forbidden(
            "only the workshop's trainers take attendance",
        ));
    }
    let now = Utc::now();
    if session.starts_at > now {
        return Err(AppError::bad_input(
            "sessionId",
            "attendance is taken once the session has started",
        ));
    }
    let enrolled = enrollment::Entity::find()
        .filter(enrollment::Column::WorkshopId.eq(w.id))
        .filter(enrollment::Column::Status.is_in([
            EnrollmentStatus::Accepted,
            EnrollmentStatus::Completed,
            EnrollmentStatus::NotCompleted,
        ]))
        .all(&txn)
        .await?;
    let mut rows = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        if !enrolled.iter().any(|e| e.id == entry.enrollment_id) {
            return Err(AppError::bad_input(
                format!("entries.{i}.enrollmentId"),
                "not an accepted participant of this workshop",
            ));
        }
        if entries[..i]
            .iter()
            .any(|other| other.enrollment_id == entry.enrollment_id)
        {
            return Err(AppError::bad_input(
                format!("entries.{i}.enrollmentId"),
                "listed twice",
            ));
        }
        rows.push(workshop_attendance::Model {
            session_id: session.id,
            enrollment_id: entry.enrollment_id,
            status: entry.status,
            recorded_by: Some(me),
            recorded_at: now,
        });
    }
    // Locked in enrollment order whatever the entries' order: two trainers recording the same
    // session at once queue instead of deadlocking.
    let mut ordered: Vec<&workshop_attendance::Model> = rows.iter().collect();
    ordered.sort_by_key(|r| r.enrollment_id);
    workshop_attendance::Entity::insert_many(ordered.into_iter().map(|r| {
        workshop_attendance::ActiveModel {
            session_id: Set(r.session_id),
            enrollment_id: Set(r.enrollment_id),
            status: Set(r.status),
            recorded_by: Set(r.recorded_by),
            recorded_at: Set(r.recorded_at),
        }
    }))
    .on_conflict(
        OnConflict::columns([
            workshop_attendance::Column::SessionId,
            workshop_attendance::Column::EnrollmentId,
        ])
        .update_columns([
            workshop_attendance::Column::Status,
            workshop_attendance::Column::RecordedBy,
            workshop_attendance::Column::RecordedAt,
        ])
        .to_owned(),
    )
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(rows)
}

pub async fn complete(
    db: &impl TransactionTrait,
    access: &Access,
    enrollment_id: Uuid,
    outcome: EnrollmentStatus,
) -> AppResult<enrollment::Model> {
    let me = require_person(access)?;
    if !matches!(
        outcome,
        EnrollmentStatus::Completed | EnrollmentStatus::NotCompleted
    ) {
        return Err(AppError::bad_input(
            "outcome",
            "an outcome is COMPLETED or NOT_COMPLETED",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let (e, w) = runnable_enrollment(&txn, access, enrollment_id, "record this outcome").await?;
    if !matches!(
        e.status,
        EnrollmentStatus::Accepted | EnrollmentStatus::Completed | EnrollmentStatus::NotCompleted
    ) {
        return Err(AppError::bad_input(
            "enrollmentId",
            "only an accepted participant completes a workshop",
        ));
    }
    let last_session = workshop_session::Entity::find()
        .filter(workshop_session::Column::WorkshopId.eq(w.id))
        .order_by_desc(workshop_session::Column::Position)
        .one(&txn)
        .await?;
    if last_session.is_some_and(|s| s.starts_at > Utc::now()) {
        return Err(AppError::bad_input(
            "enrollmentId",
            "a workshop is completed once its last session has started",
        ));
    }
    let mut next: enrollment::ActiveModel = e.into();
    next.status = Set(outcome);
    next.completed_at = Set(Some(Utc::now()));
    next.completed_by = Set(Some(me));
    let saved = next.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Screening notes are for the workshop's trainers and the training managers only.
pub fn sees_screening_notes(access: &Access, w: &workshop::Model, trainers: &[Uuid]) -> bool {
    runs_workshop(access, w, trainers)
}
