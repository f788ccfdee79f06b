//! The shared resource repository: coping tools groups make, the umbrella curates, and other
//! groups find, adopt, adapt and rate.
//!
//! Who may do what, in one place:
//! - **curators** of an organisation are its ADMINs and CURATORs with an organisation-wide
//!   grant (the library is organisation-wide; a grant on a cluster does not cover it); they
//!   review, and edit anything in it;
//! - **editors** of a resource are its author, the organisation's curators and, for a group's
//!   resource, that group's facilitators;
//! - the **audience** of a resource is everyone (PUBLIC), people of its organisation
//!   (NETWORK), or the active members of its group (GROUP);
//! - a resource is seen by its editors in every status, and by its audience while PUBLISHED;
//!   of its versions, the audience sees those that were published (`resource_releases`);
//! - a curator who is neither its author nor the author of the version under review
//!   approves or sends it back; a GROUP resource may instead be published by its group's
//!   facilitators;
//! - adopting, applying an agenda template and rating need a PUBLISHED resource the viewer
//!   sees; adopting also needs the group to be in its audience.

pub mod adoption;
pub mod catalogue;
pub mod content;
pub mod forks;
pub mod licence;
pub mod ratings;
pub mod reads;
pub mod search;
pub mod search_query;
pub mod templates;
pub mod toolkit;
pub mod versions;
pub mod workflow;

use entity::{ResourceStatus, ResourceVisibility, Role, resource};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{access::Access, in_ids};
use crate::error::{AppError, AppResult};

/// ADMIN or CURATOR of the whole organisation.
pub fn curates(access: &Access, organisation_id: Uuid) -> bool {
    access.has_role_covering(CURATORS, organisation_id, None)
}

const CURATORS: &[Role] = &[Role::Admin, Role::Curator];

pub fn edits(access: &Access, r: &resource::Model) -> bool {
    access.person_id.is_some_and(|me| r.author_id == Some(me))
        || curates(access, r.organisation_id)
        || r.group_id.is_some_and(|g| access.runs_group(g))
}

/// Whom the resource is meant for once published.
pub fn in_audience(access: &Access, r: &resource::Model) -> bool {
    match r.visibility {
        ResourceVisibility::Public => true,
        ResourceVisibility::Network => access.organisations().contains(&r.organisation_id),
        ResourceVisibility::Group => r.group_id.is_some_and(|g| access.is_active_member(g)),
    }
}

pub fn sees(access: &Access, r: &resource::Model) -> bool {
    edits(access, r) || (r.status == ResourceStatus::Published && in_audience(access, r))
}

/// The SQL form of `sees`, for lists and search.
pub fn visible_condition(access: &Access, backend: DatabaseBackend) -> Condition {
    let col = |c: resource::Column| Expr::col((resource::Entity, c));
    let mut audience = Condition::any()
        .add(col(resource::Column::Visibility).eq(ResourceVisibility::Public.as_str()));
    let orgs: Vec<Uuid> = access.organisations().into_iter().collect();
    if !orgs.is_empty() {
        audience = audience.add(
            Condition::all()
                .add(col(resource::Column::Visibility).eq(ResourceVisibility::Network.as_str()))
                .add(in_ids(
                    backend,
                    col(resource::Column::OrganisationId),
                    &orgs,
                )),
        );
    }
    let member_of: Vec<Uuid> = access
        .memberships
        .iter()
        .filter(|m| m.status == entity::MembershipStatus::Active)
        .map(|m| m.group_id)
        .collect();
    if !member_of.is_empty() {
        audience = audience.add(
            Condition::all()
                .add(col(resource::Column::Visibility).eq(ResourceVisibility::Group.as_str()))
                .add(in_ids(backend, col(resource::Column::GroupId), &member_of)),
        );
    }
    Condition::any()
        .add(
            Condition::all()
                .add(col(resource::Column::Status).eq(ResourceStatus::Published.as_str()))
                .add(audience),
        )
        .add(editable_condition(access, backend))
}

/// The SQL form of `edits`; never true for an anonymous viewer.
pub fn editable_condition(access: &Access, backend: DatabaseBackend) -> Condition {
    let col = |c: resource::Column| Expr::col((resource::Entity, c));
    let mut any = Condition::any().add(Expr::cust("1 = 0"));
    if let Some(me) = access.person_id {
        any = any.add(col(resource::Column::AuthorId).eq(me));
    }
    let curated: Vec<Uuid> = access
        .grants
        .iter()
        .filter(|g| g.cluster_id.is_none() && CURATORS.contains(&g.role))
        .map(|g| g.organisation_id)
        .collect();
    if !curated.is_empty() {
        any = any.add(in_ids(
            backend,
            col(resource::Column::OrganisationId),
            &curated,
        ));
    }
    let runs: Vec<Uuid> = access
        .memberships
        .iter()
        .filter(|m| m.status == entity::MembershipStatus::Active && m.role.runs_group())
        .map(|m| m.group_id)
        .collect();
    if !runs.is_empty() {
        any = any.add(in_ids(backend, col(resource::Column::GroupId), &runs));
    }
    any
}

pub async fn find_resource(db: &impl ConnectionTrait, id: Uuid) -> AppResult<resource::Model> {
    resource::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("resource"))
}

/// A resource the viewer sees; NOT_FOUND otherwise (existence is not revealed).
pub async fn visible_resource(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<resource::Model> {
    let r = find_resource(db, id).await?;
    if sees(access, &r) {
        Ok(r)
    } else {
        Err(AppError::not_found("resource"))
    }
}

/// A visible resource the viewer edits; FORBIDDEN when they only see it.
pub async fn editable_resource(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
    action: &str,
) -> AppResult<resource::Model> {
    let r = visible_resource(db, access, id).await?;
    if !edits(access, &r) {
        return Err(AppError::forbidden(format!("you may not {action}")));
    }
    Ok(r)
}

pub async fn resource_by_slug(
    db: &impl ConnectionTrait,
    access: &Access,
    slug: &str,
) -> AppResult<Option<resource::Model>> {
    Ok(resource::Entity::find()
        .filter(resource::Column::Slug.eq(slug.trim().to_lowercase()))
        .one(db)
        .await?
        .filter(|r| sees(access, r)))
}
