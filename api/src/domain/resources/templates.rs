//! AGENDA_TEMPLATE resources in group life: applied to a meeting's agenda, or made a group's
//! agenda template (both with the agenda rules of `meetings::agenda`).

use entity::{ResourceKind, ResourceStatus, group, meeting, resource};
use sea_orm::{ConnectionTrait, TransactionSession as _, TransactionTrait};
use uuid::Uuid;

use super::{adoption, versions::readable_version, visible_resource};
use crate::{
    domain::{
        access::Access,
        authz::require_person,
        begin,
        meetings::{
            self,
            agenda::{self, AgendaItem},
        },
    },
    error::{AppError, AppResult},
};

/// The template's items: the version asked for, else the one the group adopted, else the
/// latest. The resource must be a PUBLISHED agenda template shared with the group.
async fn template_items(
    db: &impl ConnectionTrait,
    access: &Access,
    resource_id: Uuid,
    version_number: Option<i32>,
    g: &group::Model,
) -> AppResult<(resource::Model, i32, Vec<AgendaItem>)> {
    let r = visible_resource(db, access, resource_id).await?;
    if r.kind != ResourceKind::AgendaTemplate {
        return Err(AppError::bad_input(
            "resourceId",
            "this resource is not an AGENDA_TEMPLATE",
        ));
    }
    if r.status != ResourceStatus::Published {
        return Err(AppError::conflict(format!(
            "only a PUBLISHED agenda template is used (it is {})",
            r.status.as_str()
        )));
    }
    if !adoption::shared_with(&r, g) {
        return Err(AppError::bad_input(
            "resourceId",
            "this resource is not shared with the group",
        ));
    }
    let number = match version_number {
        Some(n) => n,
        None => adoption::adoption_of(db, r.id, g.id)
            .await?
            .map_or(r.version_number, |a| a.version_number),
    };
    let version = readable_version(db, access, &r, number, "versionNumber").await?;
    let items = version
        .agenda_items
        .as_deref()
        .map(agenda::parse)
        .unwrap_or_default();
    Ok((r, number, items))
}

pub struct ApplyTemplate {
    pub meeting_id: Uuid,
    pub resource_id: Uuid,
    pub version_number: Option<i32>,
}

/// Sets a SCHEDULED meeting's agenda from a template (it must fit the meeting).
pub async fn apply_agenda_template(
    db: &impl TransactionTrait,
    access: &Access,
    apply: ApplyTemplate,
) -> AppResult<meeting::Model> {
    require_person(access)?;
    let txn = begin(db).await?;
    let (m, g) = meetings::runnable_meeting(
        &txn,
        access,
        apply.meeting_id,
        "change this meeting's agenda",
    )
    .await?;
    let (_, _, items) =
        template_items(&txn, access, apply.resource_id, apply.version_number, &g).await?;
    let saved = meetings::replace_agenda(&txn, m, items, "resourceId").await?;
    txn.commit().await?;
    Ok(saved)
}

/// Makes a template the agenda new meetings of the group start with.
pub async fn use_as_group_template(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    resource_id: Uuid,
    version_number: Option<i32>,
) -> AppResult<group::Model> {
    require_person(access)?;
    let txn = begin(db).await?;
    let g = crate::domain::groups::core::runnable_group(
        &txn,
        access,
        group_id,
        "change this group's agenda template",
    )
    .await?;
    let (r, number, items) = template_items(&txn, access, resource_id, version_number, &g).await?;
    let saved =
        meetings::store_agenda_template(&txn, &g, Some(items), Some((r.id, number)), "resourceId")
            .await?;
    txn.commit().await?;
    Ok(saved)
}
