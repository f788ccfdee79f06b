//! Versions: every content change is one (immutable, see migration 000047); those that were
//! published are recorded as releases, and only releases are read by a resource's audience.

use chrono::{DateTime, Utc};
use entity::{resource, resource_release, resource_version};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{content::ContentInput, edits};
use crate::{
    domain::{access::Access, meetings::agenda},
    error::{AppError, AppResult},
};

pub async fn find_version(
    db: &impl ConnectionTrait,
    resource_id: Uuid,
    number: i32,
    field: &str,
) -> AppResult<resource_version::Model> {
    resource_version::Entity::find()
        .filter(resource_version::Column::ResourceId.eq(resource_id))
        .filter(resource_version::Column::Number.eq(number))
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_input(field, format!("the resource has no version {number}")))
}

pub fn content_of_version(v: &resource_version::Model) -> ContentInput {
    ContentInput {
        title: v.title.clone(),
        summary: v.summary.clone(),
        body: Some(v.body.clone()),
        url: v.url.clone(),
        language: v.language.clone(),
        tags: super::content::tags_from_json(&v.tags),
        audience: v.audience.clone(),
        duration_minutes: v.duration_minutes,
        licence: v.licence.clone(),
        attribution: v.attribution.clone(),
        agenda_items: v.agenda_items.as_deref().map(agenda::parse),
    }
}

/// A version the viewer may read: any, for its editors; a released one, for its audience.
/// Any other number reads as absent (`field` names the input that asked).
pub async fn readable_version(
    db: &impl ConnectionTrait,
    access: &Access,
    r: &resource::Model,
    number: i32,
    field: &str,
) -> AppResult<resource_version::Model> {
    if !edits(access, r) && !is_released(db, r.id, number).await? {
        return Err(AppError::bad_input(
            field,
            format!("the resource has no published version {number}"),
        ));
    }
    find_version(db, r.id, number, field).await
}

pub async fn is_released(
    db: &impl ConnectionTrait,
    resource_id: Uuid,
    number: i32,
) -> AppResult<bool> {
    Ok(resource_release::Entity::find()
        .filter(resource_release::Column::ResourceId.eq(resource_id))
        .filter(resource_release::Column::VersionNumber.eq(number))
        .count(db)
        .await?
        > 0)
}

/// Records that a version was published (once).
pub async fn release(
    db: &impl ConnectionTrait,
    resource_id: Uuid,
    number: i32,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    // Status changes hold the resource row (a guarded UPDATE), so two releases of one
    // version never race.
    if is_released(db, resource_id, number).await? {
        return Ok(());
    }
    resource_release::ActiveModel {
        resource_id: Set(resource_id),
        version_number: Set(number),
        released_by: Set(by),
        released_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}
