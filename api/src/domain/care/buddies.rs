//! The buddy system: facilitators pair a member with an experienced one for a while
//! (CANOPY_BUDDY_PAIR_DAYS, 90 by default). Experienced means at least 90 days in the group or
//! 4 attended meetings; among those, people with the fewest active pairs come first, then the
//! most consistent attenders.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{
    AttendanceStatus, MeetingStatus, MembershipStatus, attendance, buddy_pair, group, meeting,
    membership,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef, Set, TransactionSession as _, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz::{can_run_group, can_see_membership, require_person},
        in_ids,
        meetings::metrics::{CONSISTENCY_WINDOW, consistency},
        umbrella::find_cluster,
    },
    error::{AppError, AppResult},
};

pub const MIN_TENURE_DAYS: i64 = 90;
pub const MIN_ATTENDED: i64 = 4;
pub const MAX_SUGGESTIONS: usize = 20;

#[derive(Clone, Debug)]
pub struct Candidate {
    pub membership: membership::Model,
    pub active_pairs: i32,
    pub attended: i64,
    pub tenure_days: i64,
    pub consistency: Option<f64>,
}

/// What is missing for a member to be someone's buddy; empty when they qualify.
pub fn missing(m: &membership::Model, attended: i64, now: DateTime<Utc>) -> Vec<String> {
    let tenure = tenure_days(m, now);
    if tenure >= MIN_TENURE_DAYS || attended >= MIN_ATTENDED {
        return Vec::new();
    }
    vec![format!(
        "a buddy has been in the group {MIN_TENURE_DAYS} days (this member: {tenure}) or attended {MIN_ATTENDED} meetings (this member: {attended})"
    )]
}

fn tenure_days(m: &membership::Model, now: DateTime<Utc>) -> i64 {
    (now - m.joined_at.unwrap_or(m.created_at)).num_days()
}

/// The membership with its group, when the viewer may see it; FORBIDDEN unless they run the
/// group.
async fn runnable_membership(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<(membership::Model, group::Model)> {
    let not_found = || AppError::not_found("membership");
    let m = membership::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let g = group::Entity::find_by_id(m.group_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let path = find_cluster(db, g.cluster_id).await?.path;
    if !can_see_membership(access, &m, &g, &path) {
        return Err(not_found());
    }
    if !can_run_group(access, &g, &path) {
        return Err(AppError::forbidden(
            "buddies are arranged by the group's facilitators",
        ));
    }
    Ok((m, g))
}

fn require_active(m: &membership::Model, field: &str) -> AppResult<()> {
    if m.status == MembershipStatus::Active {
        Ok(())
    } else {
        Err(AppError::bad_input(
            field,
            "only ACTIVE members have buddies",
        ))
    }
}

/// PRESENT attendance at HELD meetings of the group, per membership.
async fn attended_counts(
    db: &impl ConnectionTrait,
    group_id: Uuid,
) -> AppResult<HashMap<Uuid, i64>> {
    let to_meeting: RelationDef = attendance::Entity::belongs_to(meeting::Entity)
        .from(attendance::Column::MeetingId)
        .to(meeting::Column::Id)
        .into();
    let rows: Vec<(Uuid, i64)> = attendance::Entity::find()
        .select_only()
        .column(attendance::Column::MembershipId)
        .column_as(attendance::Column::Id.count(), "n")
        .join(JoinType::InnerJoin, to_meeting)
        .filter(meeting::Column::GroupId.eq(group_id))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held))
        .filter(attendance::Column::Status.eq(AttendanceStatus::Present))
        .group_by(attendance::Column::MembershipId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

async fn group_pairs(
    db: &impl ConnectionTrait,
    group_id: Uuid,
) -> AppResult<Vec<buddy_pair::Model>> {
    Ok(buddy_pair::Entity::find()
        .filter(buddy_pair::Column::GroupId.eq(group_id))
        .filter(buddy_pair::Column::EndedAt.is_null())
        .filter(buddy_pair::Column::EndsAt.gt(Utc::now()))
        .all(db)
        .await?)
}

/// Ranked buddy candidates for a member: eligible active members not already paired with
/// them, fewest active pairs first, then better attendance consistency, then longer tenure.
pub async fn suggest(
    db: &impl ConnectionTrait,
    access: &Access,
    membership_id: Uuid,
    limit: usize,
) -> AppResult<Vec<Candidate>> {
    require_person(access)?;
    if limit == 0 || limit > MAX_SUGGESTIONS {
        return Err(AppError::bad_input(
            "first",
            format!("ask for 1 to {MAX_SUGGESTIONS} candidates"),
        ));
    }
    let (target, g) = runnable_membership(db, access, membership_id).await?;
    require_active(&target, "membershipId")?;
    let now = Utc::now();
    let members = membership::Entity::find()
        .filter(membership::Column::GroupId.eq(g.id))
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .all(db)
        .await?;
    let attended = attended_counts(db, g.id).await?;
    let pairs = group_pairs(db, g.id).await?;
    let recent_held: Vec<(Uuid, DateTime<Utc>)> = meeting::Entity::find()
        .filter(meeting::Column::GroupId.eq(g.id))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held))
        .order_by_desc(meeting::Column::StartsAt)
        .limit(u64::try_from(CONSISTENCY_WINDOW * 4).unwrap_or(16))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.starts_at))
        .collect();
    let held_ids: Vec<Uuid> = recent_held.iter().map(|(id, _)| *id).collect();
    let recent_attendance = attendance::Entity::find()
        .filter(in_ids(
            db.get_database_backend(),
            Expr::col((attendance::Entity, attendance::Column::MeetingId)),
            &held_ids,
        ))
        .all(db)
        .await?;
    let mut out: Vec<Candidate> = members
        .into_iter()
        .filter(|m| m.id != target.id)
        .filter(|m| {
            !pairs
                .iter()
                .any(|p| p.involves(target.id) && p.involves(m.id))
        })
        .filter_map(|m| {
            let n = attended.get(&m.id).copied().unwrap_or(0);
            missing(&m, n, now).is_empty().then(|| Candidate {
                active_pairs: i32::try_from(pairs.iter().filter(|p| p.involves(m.id)).count())
                    .unwrap_or(i32::MAX),
                attended: n,
                tenure_days: tenure_days(&m, now),
                consistency: consistency(&m, &recent_held, &recent_attendance),
                membership: m,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.active_pairs
            .cmp(&b.active_pairs)
            .then_with(|| {
                b.consistency
                    .unwrap_or(0.0)
                    .total_cmp(&a.consistency.unwrap_or(0.0))
            })
            .then_with(|| b.tenure_days.cmp(&a.tenure_days))
            .then_with(|| a.membership.id.cmp(&b.membership.id))
    });
    out.truncate(limit);
    Ok(out)
}

/// A facilitator pairs a member (who has no active buddy) with an eligible buddy.
pub async fn assign(
    db: &impl TransactionTrait,
    access: &Access,
    membership_id: Uuid,
    buddy_membership_id: Uuid,
    days: u32,
) -> AppResult<buddy_pair::Model> {
    let me = require_person(access)?;
    if membership_id == buddy_membership_id {
        return Err(AppError::bad_input(
            "buddyMembershipId",
            "a member cannot be their own buddy",
        ));
    }
    let txn = crate::domain::begin(db).await?;
    // Lock the group first, then read the memberships, so a concurrent leave cannot slip in.
    if let Some(m) = membership::Entity::find_by_id(membership_id)
        .one(&txn)
        .await?
    {
        crate::domain::groups::core::lock_group(&txn, m.group_id).await?;
    }
    let (target, g) = runnable_membership(&txn, access, membership_id).await?;
    require_active(&target, "membershipId")?;
    let buddy = membership::Entity::find_by_id(buddy_membership_id)
        .one(&txn)
        .await?
        .filter(|b| b.group_id == g.id && b.status == MembershipStatus::Active)
        .ok_or_else(|| {
            AppError::bad_input(
                "buddyMembershipId",
                "the buddy is an ACTIVE member of the same group",
            )
        })?;
    let now = Utc::now();
    let attended = attended_counts(&txn, g.id).await?;
    let lacking = missing(&buddy, attended.get(&buddy.id).copied().unwrap_or(0), now);
    if !lacking.is_empty() {
        return Err(AppError::NotEligible {
            message: "this member cannot be a buddy yet".into(),
            missing: lacking,
        });
    }
    let pairs = group_pairs(&txn, g.id).await?;
    if pairs.iter().any(|p| p.membership_id == target.id) {
        return Err(AppError::conflict(
            "this member already has a buddy; end that pair first",
        ));
    }
    if pairs
        .iter()
        .any(|p| p.involves(target.id) && p.involves(buddy.id))
    {
        return Err(AppError::conflict("these two are already paired"));
    }
    let saved = buddy_pair::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(g.id),
        membership_id: Set(target.id),
        buddy_membership_id: Set(buddy.id),
        started_at: Set(now),
        ends_at: Set(now + Duration::days(i64::from(days))),
        ended_at: Set(None),
        ended_by: Set(None),
        assigned_by: Set(Some(me)),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// The pair, for its two members and the group's facilitators and managers; NOT_FOUND for
/// anyone else.
pub async fn visible(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<buddy_pair::Model> {
    let not_found = || AppError::not_found("buddy pair");
    let p = buddy_pair::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let g = group::Entity::find_by_id(p.group_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let path = find_cluster(db, g.cluster_id).await?.path;
    if can_run_group(access, &g, &path) {
        return Ok(p);
    }
    let me = access.person_id.ok_or_else(not_found)?;
    let mine = membership::Entity::find()
        .filter(in_ids(
            db.get_database_backend(),
            Expr::col((membership::Entity, membership::Column::Id)),
            &[p.membership_id, p.buddy_membership_id],
        ))
        .filter(membership::Column::PersonId.eq(me))
        .one(db)
        .await?;
    mine.map(|_| p).ok_or_else(not_found)
}

/// Either member of the pair, or a facilitator, ends it early.
pub async fn end(
    db: &impl TransactionTrait,
    access: &Access,
    pair_id: Uuid,
) -> AppResult<buddy_pair::Model> {
    let me = require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let p = visible(&txn, access, pair_id).await?;
    let now = Utc::now();
    if !p.is_active(now) {
        return Err(AppError::conflict("the pair has already ended"));
    }
    let mut active: buddy_pair::ActiveModel = p.into();
    active.ended_at = Set(Some(now));
    active.ended_by = Set(Some(me));
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Ends the active pairs of a membership that has ended.
pub async fn end_pairs_of(
    db: &impl ConnectionTrait,
    membership_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    buddy_pair::Entity::update_many()
        .col_expr(buddy_pair::Column::EndedAt, Some(now).into())
        .filter(
            sea_orm::Condition::any()
                .add(buddy_pair::Column::MembershipId.eq(membership_id))
                .add(buddy_pair::Column::BuddyMembershipId.eq(membership_id)),
        )
        .filter(buddy_pair::Column::EndedAt.is_null())
        .filter(buddy_pair::Column::EndsAt.gt(now))
        .exec(db)
        .await?;
    Ok(())
}
