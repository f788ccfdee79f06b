//! The first-three-sessions evaluation: due once a group has held three meetings and has not
//! been reviewed; recording a review clears it.

use chrono::Utc;
use entity::group_review;
use sea_orm::{ActiveModelTrait, Set, TransactionSession as _, TransactionTrait};
use uuid::Uuid;

use crate::domain::groups::core::runnable_group;
use crate::{
    domain::{access::Access, authz::require_person, values::text},
    error::AppResult,
};

pub const EVALUATION_AFTER_HELD: u64 = 3;

pub fn evaluation_due(held_meetings: u64, reviews: u64) -> bool {
    held_meetings >= EVALUATION_AFTER_HELD && reviews == 0
}

/// The group's facilitators or managers record the review.
pub async fn record_review(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    notes: &str,
) -> AppResult<group_review::Model> {
    let me = require_person(access)?;
    let notes = text("notes", notes, 10_000)?;
    let txn = crate::domain::begin(db).await?;
    let g = runnable_group(&txn, access, group_id, "review this group").await?;
    let saved = group_review::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(g.id),
        notes: Set(notes),
        reviewed_by: Set(Some(me)),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}
