//! The anonymous suggestion box. A suggestion is stored with its group only: nothing, not
//! even the database, says who made it, and its time is kept to the day.

use chrono::Utc;
use entity::{SuggestionStatus, suggestion};
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionSession as _, TransactionTrait};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz::{can_run_group, require_person},
        groups::visible_group,
        values::text,
    },
    error::{AppError, AppResult},
};

/// Any active member drops a suggestion in the box.
pub async fn submit(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    suggestion_text: &str,
) -> AppResult<suggestion::Model> {
    let me = require_person(access)?;
    let suggestion_text = text("text", suggestion_text, 2000)?;
    let txn = crate::domain::begin(db).await?;
    let (g, _) = visible_group(&txn, access, group_id).await?;
    let member = crate::domain::memberships::active_membership(&txn, g.id, me).await?;
    if member.is_none() {
        return Err(AppError::forbidden(
            "only the group's active members make suggestions",
        ));
    }
    // Kept to the day, with a random id: an exact time (or a time-ordered id) could be matched
    // to who was around when it was written.
    let now = Utc::now()
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let saved = suggestion::ActiveModel {
        id: Set(crate::domain::care::feedback::random_id()?),
        group_id: Set(g.id),
        text: Set(suggestion_text),
        status: Set(SuggestionStatus::Open),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// A suggestion, for the facilitators and managers of its group; NOT_FOUND for anyone else.
pub async fn visible(
    db: &impl sea_orm::ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<suggestion::Model> {
    let not_found = || AppError::not_found("suggestion");
    let s = suggestion::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let (g, c) = visible_group(db, access, s.group_id)
        .await
        .map_err(|_| not_found())?;
    if !can_run_group(access, &g, &c.path) {
        return Err(not_found());
    }
    Ok(s)
}

/// Facilitators (and managers) mark a suggestion ADDRESSED or DECLINED (or reopen it).
pub async fn set_status(
    db: &impl TransactionTrait,
    access: &Access,
    id: Uuid,
    status: SuggestionStatus,
) -> AppResult<suggestion::Model> {
    require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let not_found = || AppError::not_found("suggestion");
    let s = suggestion::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let (g, c) = visible_group(&txn, access, s.group_id)
        .await
        .map_err(|_| not_found())?;
    if !can_run_group(access, &g, &c.path) {
        return Err(not_found());
    }
    let mut active: suggestion::ActiveModel = s.into();
    active.status = Set(status);
    active.updated_at = Set(Utc::now());
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}
