//! Training programmes and their competencies.

use chrono::Utc;
use entity::{competency, training_program};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::{manages_training, sees_training, visible_program};
use crate::{
    domain::{
        access::Access,
        authz::require_person,
        pagination::{Page, PageArgs, Sort, page_and_total},
        throttle::Oracle,
        umbrella::find_organisation,
        values::{Slug, optional_text, sort_key, text},
    },
    error::{AppError, AppResult},
};

pub const DEFAULT_PRACTICUM_MEETINGS: i32 = 3;
pub const DEFAULT_VALIDITY_MONTHS: i32 = 24;
/// A programme holds at most this many competencies.
pub const MAX_COMPETENCIES: u64 = 50;

pub struct NewProgram {
    pub organisation_id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub practicum_meetings_required: i32,
    pub certification_validity_months: i32,
    pub is_trainer_program: bool,
}

pub async fn create_program(
    db: &impl TransactionTrait,
    access: &Access,
    input: NewProgram,
) -> AppResult<training_program::Model> {
    let me = require_person(access)?;
    let slug = Slug::parse("slug", &input.slug)?.into_inner();
    let name = text("name", &input.name, 200)?;
    let description = optional_text("description", input.description.as_deref(), 5000)?;
    if !(0..=50).contains(&input.practicum_meetings_required) {
        return Err(AppError::bad_input(
            "practicumMeetingsRequired",
            "between 0 and 50 meetings",
        ));
    }
    if !(1..=120).contains(&input.certification_validity_months) {
        return Err(AppError::bad_input(
            "certificationValidityMonths",
            "between 1 and 120 months",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    let org = find_organisation(&txn, input.organisation_id).await?;
    if !manages_training(access, org.id) {
        return Err(AppError::forbidden(
            "only the organisation's admins and trainers create programmes",
        ));
    }
    let taken = training_program::Entity::find()
        .filter(training_program::Column::Slug.eq(slug.as_str()))
        .count(&txn)
        .await?;
    if taken > 0 {
        // Programmes are seen only inside their organisation: the answer does not say whose.
        return Err(Oracle::SlugUnavailable.answer());
    }
    let saved = training_program::ActiveModel {
        id: Set(Uuid::now_v7()),
        organisation_id: Set(org.id),
        slug: Set(slug),
        sort_name: Set(sort_key(&name)),
        name: Set(name),
        description: Set(description),
        practicum_meetings_required: Set(input.practicum_meetings_required),
        certification_validity_months: Set(input.certification_validity_months),
        is_trainer_program: Set(input.is_trainer_program),
        created_by: Set(Some(me)),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

pub struct NewCompetency {
    pub program_id: Uuid,
    pub code: String,
    pub title: String,
    pub description: Option<String>,
}

/// A competency code: upper-case letters, digits and underscores, e.g. ACTIVE_LISTENING.
fn competency_code(raw: &str) -> AppResult<String> {
    let code = raw.trim();
    let ok = (2..=64).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(AppError::bad_input(
            "code",
            "2–64 upper-case letters, digits and underscores, starting with a letter",
        ));
    }
    Ok(code.to_owned())
}

pub async fn add_competency(
    db: &impl TransactionTrait,
    access: &Access,
    input: NewCompetency,
) -> AppResult<competency::Model> {
    require_person(access)?;
    let code = competency_code(&input.code)?;
    let title = text("title", &input.title, 200)?;
    let description = optional_text("description", input.description.as_deref(), 5000)?;
    let txn = crate::domain::begin(db).await?;
    let program = visible_program(&txn, access, input.program_id).await?;
    if !manages_training(access, program.organisation_id) {
        return Err(AppError::forbidden(
            "only the organisation's admins and trainers change programmes",
        ));
    }
    let existing = competency::Entity::find()
        .filter(competency::Column::ProgramId.eq(program.id))
        .all(&txn)
        .await?;
    if existing.iter().any(|c| c.code == code) {
        return Err(AppError::conflict(
            "this programme already has a competency with this code",
        ));
    }
    if existing.len() as u64 >= MAX_COMPETENCIES {
        return Err(AppError::bad_input(
            "programId",
            format!("a programme has at most {MAX_COMPETENCIES} competencies"),
        ));
    }
    let saved = competency::ActiveModel {
        id: Set(Uuid::now_v7()),
        program_id: Set(program.id),
        code: Set(code),
        title: Set(title),
        description: Set(description),
        position: Set(existing.len() as i32),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn program_by_slug(
    db: &impl ConnectionTrait,
    access: &Access,
    slug: &str,
) -> AppResult<Option<training_program::Model>> {
    Ok(training_program::Entity::find()
        .filter(training_program::Column::Slug.eq(slug.trim().to_lowercase()))
        .one(db)
        .await?
        .filter(|p| sees_training(access, p.organisation_id)))
}

/// The programmes of the viewer's organisations (or of one of them); None when there are
/// none to see.
fn visible_select(
    backend: sea_orm::DatabaseBackend,
    access: &Access,
    organisation_id: Option<Uuid>,
) -> Option<sea_orm::Select<training_program::Entity>> {
    let orgs: Vec<Uuid> = access
        .organisations()
        .into_iter()
        .filter(|o| organisation_id.is_none_or(|want| want == *o))
        .collect();
    (!orgs.is_empty()).then(|| {
        training_program::Entity::find().filter(crate::domain::in_ids(
            backend,
            sea_orm::sea_query::Expr::col((
                training_program::Entity,
                training_program::Column::OrganisationId,
            )),
            &orgs,
        ))
    })
}

/// Every programme the viewer may see, by organisation and name (programmes are few).
pub async fn visible_programs(
    db: &impl ConnectionTrait,
    access: &Access,
    organisation_id: Option<Uuid>,
) -> AppResult<Vec<training_program::Model>> {
    let Some(select) = visible_select(db.get_database_backend(), access, organisation_id) else {
        return Ok(Vec::new());
    };
    Ok(select
        .order_by_asc(training_program::Column::SortName)
        .order_by_asc(training_program::Column::Id)
        .all(db)
        .await?)
}

/// A page of the programmes the viewer may see, by name, and how many there are.
pub async fn visible_page(
    db: &impl ConnectionTrait,
    access: &Access,
    organisation_id: Option<Uuid>,
    args: &PageArgs,
) -> AppResult<(Page<training_program::Model>, u64)> {
    let Some(select) = visible_select(db.get_database_backend(), access, organisation_id) else {
        return Ok((Page::default(), 0));
    };
    let sort = Sort {
        key: Some(training_program::Column::SortName),
        id: training_program::Column::Id,
        descending: false,
    };
    page_and_total(db, select, &sort, args).await
}
