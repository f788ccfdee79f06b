//! Adaptations: a fork copies one version of a resource into a new DRAFT that remembers where
//! it came from, as far as the original's licence allows (`licence::check_fork`).

use chrono::Utc;
use entity::{ResourceVisibility, resource, resource_version};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession as _,
    TransactionTrait,
};
use uuid::Uuid;

use super::{
    content::{Content, ContentInput},
    licence::{Licence, check_fork},
    visible_resource,
    workflow::{Home, check_home, choose_slug, insert_resource},
};
use crate::{
    domain::{
        access::Access, authz::require_person, begin, meetings::agenda, umbrella::find_organisation,
    },
    error::{AppError, AppResult},
};

pub struct Fork {
    pub resource_id: Uuid,
    /// None: the latest version.
    pub version_number: Option<i32>,
    /// None: the original's organisation.
    pub organisation_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    /// None: the original's (NETWORK when the original was another group's).
    pub visibility: Option<ResourceVisibility>,
    /// None: the original's licence.
    pub licence: Option<String>,
    pub slug: Option<String>,
    pub title: Option<String>,
}

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

pub async fn fork_resource(
    db: &impl TransactionTrait,
    access: &Access,
    fork: Fork,
) -> AppResult<resource::Model> {
    let me = require_person(access)?;
    let txn = begin(db).await?;
    let source = visible_resource(&txn, access, fork.resource_id).await?;
    let number = fork.version_number.unwrap_or(source.version_number);
    let version = find_version(&txn, source.id, number, "versionNumber").await?;
    let organisation_id = fork.organisation_id.unwrap_or(source.organisation_id);
    let same_group = fork.group_id.is_some() && fork.group_id == source.group_id;
    let visibility = fork.visibility.unwrap_or(match source.visibility {
        ResourceVisibility::Group if !same_group => ResourceVisibility::Network,
        v => v,
    });
    let home = Home {
        organisation_id,
        group_id: fork.group_id,
        visibility,
    };
    check_home(&txn, access, &home).await?;
    let source_licence = Licence::stored(&version.licence);
    let licence = match fork.licence.as_deref() {
        Some(raw) => Licence::parse("licence", raw)?,
        None => source_licence,
    };
    check_fork(
        source_licence,
        licence,
        organisation_id == source.organisation_id,
    )?;
    let mut input = content_of_version(&version);
    if let Some(title) = fork.title {
        input.title = title;
    }
    input.licence = licence.id().to_owned();
    if source_licence.requires_attribution() {
        let owner = find_organisation(&txn, source.organisation_id).await?;
        let credit = format!(
            "Adapted from “{}” (version {number}) by {}, {}.",
            version.title,
            owner.name,
            source_licence.id()
        );
        input.attribution = Some(match version.attribution.as_deref() {
            Some(earlier) => format!("{credit} {earlier}"),
            None => credit,
        });
    }
    let content = Content::parse(source.kind, input)?;
    let slug = choose_slug(&txn, fork.slug.as_deref(), &content.title).await?;
    let saved = insert_resource(
        &txn,
        &home,
        slug,
        source.kind,
        &content,
        me,
        Some((source.id, number)),
        Some(format!("Adapted from {} version {number}", source.slug)),
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// An adaptation keeps honouring its original's licence when its own licence changes.
pub async fn check_derivative_licence(
    db: &impl ConnectionTrait,
    source_id: Uuid,
    derivative: &resource::Model,
    licence: Licence,
) -> AppResult<()> {
    let (Some(number), Some(source)) = (
        derivative.derived_from_version,
        resource::Entity::find_by_id(source_id).one(db).await?,
    ) else {
        return Ok(());
    };
    let version = find_version(db, source.id, number, "licence").await?;
    check_fork(
        Licence::stored(&version.licence),
        licence,
        source.organisation_id == derivative.organisation_id,
    )
}
