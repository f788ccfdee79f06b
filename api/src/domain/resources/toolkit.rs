//! A training programme's facilitator toolkit: published FACILITATOR_TOOLKIT resources its
//! training managers attach, in order.

use chrono::Utc;
use entity::{ResourceKind, ResourceStatus, ResourceVisibility, program_toolkit, training_program};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionSession as _,
    TransactionTrait,
};
use uuid::Uuid;

use super::visible_resource;
use crate::{
    domain::{
        access::Access,
        authz::require_person,
        begin,
        training::{manages_training, visible_program},
    },
    error::{AppError, AppResult},
};

pub const MAX_TOOLKIT: u64 = 50;

pub async fn link_toolkit_resource(
    db: &impl TransactionTrait,
    access: &Access,
    program_id: Uuid,
    resource_id: Uuid,
) -> AppResult<training_program::Model> {
    let me = require_person(access)?;
    let txn = begin(db).await?;
    let program = visible_program(&txn, access, program_id).await?;
    if !manages_training(access, program.organisation_id) {
        return Err(AppError::forbidden(
            "only the organisation's admins and trainers change programmes",
        ));
    }
    let r = visible_resource(&txn, access, resource_id).await?;
    if r.kind != ResourceKind::FacilitatorToolkit {
        return Err(AppError::bad_input(
            "resourceId",
            "only FACILITATOR_TOOLKIT resources go into a toolkit",
        ));
    }
    if r.status != ResourceStatus::Published {
        return Err(AppError::conflict(format!(
            "only a PUBLISHED resource goes into a toolkit (it is {})",
            r.status.as_str()
        )));
    }
    let shared = match r.visibility {
        ResourceVisibility::Public => true,
        ResourceVisibility::Network => r.organisation_id == program.organisation_id,
        ResourceVisibility::Group => false,
    };
    if !shared {
        return Err(AppError::bad_input(
            "resourceId",
            "the toolkit's trainees could not all read this resource",
        ));
    }
    let linked = program_toolkit::Entity::find()
        .filter(program_toolkit::Column::ProgramId.eq(program.id))
        .all(&txn)
        .await?;
    if linked.iter().any(|l| l.resource_id == r.id) {
        return Ok(program);
    }
    if linked.len() as u64 >= MAX_TOOLKIT {
        return Err(AppError::bad_input(
            "programId",
            format!("a toolkit holds at most {MAX_TOOLKIT} resources"),
        ));
    }
    program_toolkit::ActiveModel {
        program_id: Set(program.id),
        resource_id: Set(r.id),
        // After the last one: positions stay unique when resources were taken out.
        position: Set(linked.iter().map(|l| l.position + 1).max().unwrap_or(0)),
        added_by: Set(Some(me)),
        added_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(program)
}

pub async fn unlink_toolkit_resource(
    db: &impl TransactionTrait,
    access: &Access,
    program_id: Uuid,
    resource_id: Uuid,
) -> AppResult<training_program::Model> {
    require_person(access)?;
    let txn = begin(db).await?;
    let program = visible_program(&txn, access, program_id).await?;
    if !manages_training(access, program.organisation_id) {
        return Err(AppError::forbidden(
            "only the organisation's admins and trainers change programmes",
        ));
    }
    let removed = program_toolkit::Entity::delete_many()
        .filter(program_toolkit::Column::ProgramId.eq(program.id))
        .filter(program_toolkit::Column::ResourceId.eq(resource_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(AppError::not_found("toolkit resource"));
    }
    txn.commit().await?;
    Ok(program)
}
