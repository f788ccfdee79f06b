//! Confidentiality pledges: versioned text per group; an acceptance lasts 12 months (set by
//! CANOPY_PLEDGE_VALIDITY_MONTHS); joining a group that has a pledge takes accepting its
//! current version.

use chrono::{DateTime, Duration, Months, Utc};
use entity::{pledge, pledge_acceptance};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession as _, TransactionTrait, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access, authz::require_person, groups::core::runnable_group,
        groups::core::visible_group, values::text,
    },
    error::{AppError, AppResult},
};

/// Acceptances ending within this many days are "expiring soon".
pub const EXPIRING_SOON_DAYS: i64 = 30;

pub async fn current(
    db: &impl ConnectionTrait,
    group_id: Uuid,
) -> AppResult<Option<pledge::Model>> {
    Ok(pledge::Entity::find()
        .filter(pledge::Column::GroupId.eq(group_id))
        .order_by_desc(pledge::Column::Version)
        .one(db)
        .await?)
}

/// The group's facilitators (or managers) publish a new version.
pub async fn publish(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    pledge_text: &str,
) -> AppResult<pledge::Model> {
    let me = require_person(access)?;
    let pledge_text = text("text", pledge_text, 10_000)?;
    let txn = crate::domain::begin(db).await?;
    let g = runnable_group(&txn, access, group_id, "publish this group's pledge").await?;
    let version = current(&txn, g.id).await?.map_or(1, |p| p.version + 1);
    let saved = sea_orm::ActiveModelTrait::insert(
        pledge::ActiveModel {
            id: Set(Uuid::now_v7()),
            group_id: Set(g.id),
            version: Set(version),
            text: Set(pledge_text),
            published_by: Set(Some(me)),
            created_at: Set(Utc::now()),
        },
        &txn,
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Accepts (or renews) the group's current pledge; an older version is refused.
pub async fn accept(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    version: i32,
    validity_months: u32,
) -> AppResult<pledge_acceptance::Model> {
    let me = require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let (g, _) = visible_group(&txn, access, group_id).await?;
    let Some(pledge) = current(&txn, g.id).await? else {
        return Err(AppError::bad_input(
            "groupId",
            "this group has no pledge to accept",
        ));
    };
    if pledge.version != version {
        return Err(AppError::bad_input(
            "version",
            format!(
                "version {version} is not the current pledge; the current one is version {}",
                pledge.version
            ),
        ));
    }
    let now = Utc::now();
    let valid_until = now
        .checked_add_months(Months::new(validity_months))
        .ok_or_else(|| AppError::internal("date overflow"))?;
    pledge_acceptance::Entity::insert(pledge_acceptance::ActiveModel {
        id: Set(Uuid::now_v7()),
        pledge_id: Set(pledge.id),
        person_id: Set(me),
        accepted_at: Set(now),
        valid_until: Set(valid_until),
    })
    .on_conflict(
        OnConflict::columns([
            pledge_acceptance::Column::PledgeId,
            pledge_acceptance::Column::PersonId,
        ])
        .update_columns([
            pledge_acceptance::Column::AcceptedAt,
            pledge_acceptance::Column::ValidUntil,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let saved = pledge_acceptance::Entity::find()
        .filter(pledge_acceptance::Column::PledgeId.eq(pledge.id))
        .filter(pledge_acceptance::Column::PersonId.eq(me))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("acceptance vanished"))?;
    txn.commit().await?;
    Ok(saved)
}

/// Joining needs a valid acceptance of the group's current pledge, when it has one.
pub async fn require_accepted(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    group_id: Uuid,
) -> AppResult<()> {
    let Some(pledge) = current(db, group_id).await? else {
        return Ok(());
    };
    let accepted = pledge_acceptance::Entity::find()
        .filter(pledge_acceptance::Column::PledgeId.eq(pledge.id))
        .filter(pledge_acceptance::Column::PersonId.eq(person_id))
        .filter(pledge_acceptance::Column::ValidUntil.gt(Utc::now()))
        .one(db)
        .await?;
    if accepted.is_none() {
        let need = format!(
            "accept the group's confidentiality pledge (version {})",
            pledge.version
        );
        return Err(AppError::NotEligible {
            message: format!("first {need}"),
            missing: vec![need],
        });
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Missing,
    Expired,
    ExpiringSoon,
}

/// Where an acceptance of the current pledge stands; None when it is fine.
pub fn standing(valid_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Standing> {
    match valid_until {
        None => Some(Standing::Missing),
        Some(t) if t <= now => Some(Standing::Expired),
        Some(t) if t <= now + Duration::days(EXPIRING_SOON_DAYS) => Some(Standing::ExpiringSoon),
        Some(_) => None,
    }
}
