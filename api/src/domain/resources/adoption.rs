//! Groups adopting resources: a facilitator pins one version for their group.

use chrono::Utc;
use entity::{ResourceStatus, ResourceVisibility, group, resource, resource_adoption};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    TransactionSession as _, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use super::{versions::readable_version, visible_resource};
use crate::{
    domain::{
        access::Access,
        authz::{can_run_group, require_person},
        begin,
        groups::core::visible_group,
    },
    error::{AppError, AppResult},
};

pub struct Adoption {
    pub resource_id: Uuid,
    pub group_id: Uuid,
    /// None: the latest version.
    pub version_number: Option<i32>,
}

/// Is the group among those a resource is shared with?
pub fn shared_with(r: &resource::Model, g: &group::Model) -> bool {
    match r.visibility {
        ResourceVisibility::Public => true,
        ResourceVisibility::Network => r.organisation_id == g.organisation_id,
        ResourceVisibility::Group => r.group_id == Some(g.id),
    }
}

/// The group (which the viewer must run) and a PUBLISHED resource shared with it.
async fn runnable_pair(
    db: &impl ConnectionTrait,
    access: &Access,
    resource_id: Uuid,
    group_id: Uuid,
) -> AppResult<(resource::Model, group::Model)> {
    let (g, c) = visible_group(db, access, group_id).await?;
    let r = visible_resource(db, access, resource_id).await?;
    if !can_run_group(access, &g, &c.path) {
        return Err(AppError::forbidden(
            "only the group's facilitators choose its resources",
        ));
    }
    Ok((r, g))
}

async fn bump_count(db: &impl ConnectionTrait, resource_id: Uuid, by: i32) -> AppResult<()> {
    resource::Entity::update_many()
        .col_expr(
            resource::Column::AdoptionCount,
            Expr::col(resource::Column::AdoptionCount).add(by),
        )
        .filter(resource::Column::Id.eq(resource_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Adopts (or re-pins) a version; adopting again moves the pin.
pub async fn adopt_resource(
    db: &impl TransactionTrait,
    access: &Access,
    adoption: Adoption,
) -> AppResult<resource_adoption::Model> {
    let me = require_person(access)?;
    let txn = begin(db).await?;
    let (r, g) = runnable_pair(&txn, access, adoption.resource_id, adoption.group_id).await?;
    if r.status != ResourceStatus::Published {
        return Err(AppError::conflict(format!(
            "only a PUBLISHED resource is adopted (it is {})",
            r.status.as_str()
        )));
    }
    if !shared_with(&r, &g) {
        return Err(AppError::bad_input(
            "groupId",
            "this resource is not shared with that group",
        ));
    }
    let number = adoption.version_number.unwrap_or(r.version_number);
    readable_version(&txn, access, &r, number, "versionNumber").await?;
    let now = Utc::now();
    let existing = resource_adoption::Entity::find()
        .filter(resource_adoption::Column::ResourceId.eq(r.id))
        .filter(resource_adoption::Column::GroupId.eq(g.id))
        .one(&txn)
        .await?;
    let saved = match existing {
        Some(found) => {
            let mut active = found.into_active_model();
            active.version_number = Set(number);
            active.adopted_by = Set(Some(me));
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            let saved = resource_adoption::ActiveModel {
                id: Set(Uuid::now_v7()),
                resource_id: Set(r.id),
                group_id: Set(g.id),
                version_number: Set(number),
                adopted_by: Set(Some(me)),
                adopted_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            bump_count(&txn, r.id, 1).await?;
            saved
        }
    };
    txn.commit().await?;
    Ok(saved)
}

/// The group stops using the resource.
pub async fn unadopt_resource(
    db: &impl TransactionTrait,
    access: &Access,
    resource_id: Uuid,
    group_id: Uuid,
) -> AppResult<resource::Model> {
    require_person(access)?;
    let txn = begin(db).await?;
    let (r, g) = runnable_pair(&txn, access, resource_id, group_id).await?;
    let removed = resource_adoption::Entity::delete_many()
        .filter(resource_adoption::Column::ResourceId.eq(r.id))
        .filter(resource_adoption::Column::GroupId.eq(g.id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(AppError::not_found("adoption"));
    }
    bump_count(&txn, r.id, -1).await?;
    let saved = super::find_resource(&txn, r.id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The adoption of a resource by a group, if any (for `applyAgendaTemplate`'s pinned version).
pub async fn adoption_of(
    db: &impl ConnectionTrait,
    resource_id: Uuid,
    group_id: Uuid,
) -> AppResult<Option<resource_adoption::Model>> {
    Ok(resource_adoption::Entity::find()
        .filter(resource_adoption::Column::ResourceId.eq(resource_id))
        .filter(resource_adoption::Column::GroupId.eq(group_id))
        .one(db)
        .await?)
}
