//! The anonymous suggestion box. A suggestion is stored with its group only: nothing, not
//! even the database, says who made it, and its time is kept to the day (UTC).
//!
//! A suggestion is **released** — shown and counted in every list, `totalCount`, page and
//! cursor, `node(id:)`, and open to status changes — only once the UTC day it is stored under
//! has ended. Until then it does not exist for any reader. Without this a facilitator polling
//! `totalCount` would see it arrive to the second and match it to who was around, undoing the
//! day rounding. UTC rather than the group's zone because the stored day is a UTC day: the
//! release then falls exactly on the rounding boundary, so everything dropped on one stored
//! day appears at the same instant and readers learn the day and nothing finer. A release at
//! the group's local midnight would either cut a stored day in two (revealing which part of
//! it a suggestion came from) or wait longer for no gain.

use chrono::{DateTime, NaiveTime, Utc};
use entity::{SuggestionStatus, suggestion};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, Set, TransactionSession as _, TransactionTrait,
    sea_query::SimpleExpr,
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz::{can_run_group, require_person},
        groups::core::visible_group,
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
    let member = crate::domain::groups::core::active_membership(&txn, g.id, me).await?;
    if member.is_none() {
        return Err(AppError::forbidden(
            "only the group's active members make suggestions",
        ));
    }
    // Kept to the day, with a random id: an exact time (or a time-ordered id) could be matched
    // to who was around when it was written.
    let now = day_start(Utc::now());
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

/// Midnight UTC starting the day of `at`: the time a suggestion is stored under.
pub(crate) fn day_start(at: DateTime<Utc>) -> DateTime<Utc> {
    at.date_naive().and_time(NaiveTime::MIN).and_utc()
}

/// Whether a suggestion stored under `created_at` is released at `now`: its day has ended.
pub fn is_released(created_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    created_at < day_start(now)
}

/// `is_released` in SQL, for every read of the box: the filter travels with the statement, so
/// no list or count can forget it.
pub fn released(now: DateTime<Utc>) -> SimpleExpr {
    suggestion::Column::CreatedAt.lt(day_start(now))
}

/// A released suggestion, for the facilitators and managers of its group; NOT_FOUND for
/// anyone else, and for everyone on the day it was dropped.
pub async fn visible(
    db: &impl sea_orm::ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<suggestion::Model> {
    let not_found = || AppError::not_found("suggestion");
    let s = suggestion::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| is_released(s.created_at, Utc::now()))
        .ok_or_else(not_found)?;
    let (g, c) = visible_group(db, access, s.group_id)
        .await
        .map_err(|e| e.hidden_as("suggestion"))?;
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
    let s = visible(&txn, access, id).await?;
    let mut active: suggestion::ActiveModel = s.into();
    active.status = Set(status);
    active.updated_at = Set(Utc::now());
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_suggestion_is_released_when_its_utc_day_ends() {
        let at = |h, m, s| Utc.with_ymd_and_hms(2026, 3, 4, h, m, s).unwrap();
        let stored = day_start(at(17, 30, 0));
        assert_eq!(stored, at(0, 0, 0));
        assert!(!is_released(stored, at(17, 30, 0)));
        assert!(!is_released(stored, at(23, 59, 59)));
        let next_day = Utc.with_ymd_and_hms(2026, 3, 5, 0, 0, 0).unwrap();
        assert!(is_released(stored, next_day));
    }
}
