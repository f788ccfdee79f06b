//! How helpful people found a resource: one rating (1–5) per person, changeable. The
//! resource keeps the count and sum, so lists show averages and order by them without
//! reading ratings.

use chrono::Utc;
use entity::{ResourceStatus, resource, resource_rating};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set, TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::visible_resource;
use crate::{
    domain::{access::Access, authz::require_person, begin, raw_statement, values::optional_text},
    error::{AppError, AppResult},
};

pub struct Rating {
    pub resource_id: Uuid,
    pub helpfulness: i32,
    pub comment: Option<String>,
}

/// TOP_RATED orders by this: the average in thousandths, then how many rated (capped, so the
/// count never reaches into the average's digits).
pub const SCORE_SQL: &str = "UPDATE resources SET rating_score = CASE WHEN rating_count = 0 \
     THEN 0 ELSE (CAST(rating_sum AS BIGINT) * 1000 / rating_count) * 1000000 \
     + CASE WHEN rating_count > 999999 THEN 999999 ELSE rating_count END END WHERE id = ?";

/// Adds to a resource's rating count and sum, and recomputes its TOP_RATED score.
pub async fn add_to_totals(
    db: &impl ConnectionTrait,
    resource_id: Uuid,
    count: i32,
    sum: i32,
) -> AppResult<()> {
    let backend = db.get_database_backend();
    db.execute_raw(raw_statement(
        backend,
        "UPDATE resources SET rating_count = rating_count + ?, rating_sum = rating_sum + ? \
         WHERE id = ?",
        vec![count.into(), sum.into(), resource_id.into()],
    ))
    .await?;
    db.execute_raw(raw_statement(backend, SCORE_SQL, vec![resource_id.into()]))
        .await?;
    Ok(())
}

pub async fn rate_resource(
    db: &impl TransactionTrait,
    access: &Access,
    rating: Rating,
) -> AppResult<(resource::Model, resource_rating::Model)> {
    let me = require_person(access)?;
    if !(1..=5).contains(&rating.helpfulness) {
        return Err(AppError::bad_input(
            "helpfulness",
            "helpfulness is from 1 (not helpful) to 5 (very helpful)",
        ));
    }
    let comment = optional_text("comment", rating.comment.as_deref(), 2000)?;
    let txn = begin(db).await?;
    let r = visible_resource(&txn, access, rating.resource_id).await?;
    if r.author_id == Some(me) {
        return Err(AppError::forbidden("you cannot rate your own resource"));
    }
    if r.status != ResourceStatus::Published {
        return Err(AppError::conflict(format!(
            "only a PUBLISHED resource is rated (it is {})",
            r.status.as_str()
        )));
    }
    let now = Utc::now();
    let mut mine = resource_rating::Entity::find()
        .filter(resource_rating::Column::ResourceId.eq(r.id))
        .filter(resource_rating::Column::PersonId.eq(me));
    // The change to the sum is computed from this row: hold it, so that two changes by one
    // person cannot both count from the same old value (SQLite's write transaction already
    // serialises them).
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        mine = mine.lock_exclusive();
    }
    let existing = mine.one(&txn).await?;
    let saved = match existing {
        Some(found) => {
            let delta = rating.helpfulness - found.helpfulness;
            let mut active = found.into_active_model();
            active.helpfulness = Set(rating.helpfulness);
            active.comment = Set(comment);
            active.updated_at = Set(now);
            let saved = active.update(&txn).await?;
            add_to_totals(&txn, r.id, 0, delta).await?;
            saved
        }
        None => {
            let saved = resource_rating::ActiveModel {
                id: Set(Uuid::now_v7()),
                resource_id: Set(r.id),
                person_id: Set(me),
                helpfulness: Set(rating.helpfulness),
                comment: Set(comment),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            add_to_totals(&txn, r.id, 1, rating.helpfulness).await?;
            saved
        }
    };
    let r = super::find_resource(&txn, r.id).await?;
    txn.commit().await?;
    Ok((r, saved))
}
