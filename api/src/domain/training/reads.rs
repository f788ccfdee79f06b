//! Batch reads of training for lists and loaders: a programme's competencies and workshops,
//! a workshop's sessions, trainers and enrollments, a session's attendance, a person's
//! certifications and trainees. One statement per batch of parents. Who may read them is the
//! resolvers' check against the rules in `training/mod.rs`.

use std::collections::HashMap;

use entity::{
    certification, competency, enrollment, workshop, workshop_attendance, workshop_session,
    workshop_trainer,
};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, QueryTrait};
use uuid::Uuid;

use super::succession;
use crate::{
    domain::{
        pagination::{ChildRows, Page, PageArgs, Sort, pages_by_parent},
        raw_statement, reads,
    },
    error::AppResult,
};

/// Each programme's competencies, in order.
pub async fn competencies_of(
    db: &impl ConnectionTrait,
    programs: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<competency::Model>>> {
    let select = competency::Entity::find().order_by_asc(competency::Column::Position);
    reads::under(db, select, competency::Column::ProgramId, programs, |c| {
        c.program_id
    })
    .await
}

/// Each workshop's sessions, in order.
pub async fn sessions_of(
    db: &impl ConnectionTrait,
    workshops: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<workshop_session::Model>>> {
    let select = workshop_session::Entity::find().order_by_asc(workshop_session::Column::Position);
    reads::under(
        db,
        select,
        workshop_session::Column::WorkshopId,
        workshops,
        |s| s.workshop_id,
    )
    .await
}

/// Each workshop's trainers (person ids), in order.
pub async fn trainers_of(
    db: &impl ConnectionTrait,
    workshops: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let select = workshop_trainer::Entity::find().order_by_asc(workshop_trainer::Column::Position);
    let found = reads::under(
        db,
        select,
        workshop_trainer::Column::WorkshopId,
        workshops,
        |t| t.workshop_id,
    )
    .await?;
    Ok(found
        .into_iter()
        .map(|(w, trainers)| (w, trainers.into_iter().map(|t| t.person_id).collect()))
        .collect())
}

/// Each workshop's enrollments, oldest application first.
pub async fn enrollments_of(
    db: &impl ConnectionTrait,
    workshops: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<enrollment::Model>>> {
    let select = enrollment::Entity::find()
        .order_by_asc(enrollment::Column::AppliedAt)
        .order_by_asc(enrollment::Column::Id);
    reads::under(db, select, enrollment::Column::WorkshopId, workshops, |e| {
        e.workshop_id
    })
    .await
}

/// Attendance taken at each session.
pub async fn session_attendance(
    db: &impl ConnectionTrait,
    sessions: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<workshop_attendance::Model>>> {
    reads::under(
        db,
        workshop_attendance::Entity::find(),
        workshop_attendance::Column::SessionId,
        sessions,
        |a| a.session_id,
    )
    .await
}

/// Every certification each person holds or held, newest first.
pub async fn certifications_of(
    db: &impl ConnectionTrait,
    people: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<certification::Model>>> {
    let select = certification::Entity::find().order_by_desc(certification::Column::IssuedAt);
    reads::under(db, select, certification::Column::PersonId, people, |c| {
        c.person_id
    })
    .await
}

/// People certified through workshops each trainer trained, by trainer.
pub async fn trainees_of(
    db: &impl ConnectionTrait,
    trainers: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let backend = db.get_database_backend();
    let (cond, values) = succession::in_list(backend, "wt.person_id", trainers);
    let sql = format!(
        "SELECT DISTINCT wt.person_id AS trainer, c.person_id AS trainee \
         FROM workshop_trainers wt JOIN certifications c ON c.workshop_id = wt.workshop_id \
         WHERE {cond}"
    );
    let rows = db
        .query_all_raw(raw_statement(backend, &sql, values))
        .await?;
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in rows {
        let trainer: Uuid = row.try_get("", "trainer")?;
        out.entry(trainer)
            .or_default()
            .push(row.try_get("", "trainee")?);
    }
    Ok(out)
}

fn workshops_rows() -> ChildRows {
    ChildRows::new(
        workshop::Entity::find().into_query(),
        (workshop::Entity, workshop::Column::ProgramId),
    )
}

/// A page of each programme's workshops, soonest first.
pub async fn workshop_pages(
    db: &impl ConnectionTrait,
    programs: &[Uuid],
    args: &PageArgs,
) -> AppResult<HashMap<Uuid, Page<workshop::Model>>> {
    let sort: Sort<workshop::Entity> = Sort {
        key: Some(workshop::Column::StartsAt),
        id: workshop::Column::Id,
        descending: false,
    };
    pages_by_parent(db, workshops_rows(), programs, &sort, args).await
}

pub async fn workshop_counts(
    db: &impl ConnectionTrait,
    programs: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    workshops_rows().count(db, programs).await
}
