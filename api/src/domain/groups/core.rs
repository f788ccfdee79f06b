//! The group core every other feature builds on: finding a group, whether the viewer may see
//! or run it, its row lock, its seats and its waitlist, and a person's place in it.
//! Memberships, member care and meetings depend on this module; it depends on none of them.

use chrono::Utc;
use entity::{MembershipRole, MembershipStatus, cluster, group, membership};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz::{self, can_run_group, can_see_group},
        umbrella::find_cluster,
    },
    error::{AppError, AppResult},
};

pub async fn find_group(db: &impl ConnectionTrait, id: Uuid) -> AppResult<group::Model> {
    group::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("group"))
}

/// A group by slug together with its cluster, in one statement.
pub async fn by_slug_with_cluster(
    db: &impl ConnectionTrait,
    slug: &str,
) -> AppResult<Option<(group::Model, cluster::Model)>> {
    use sea_orm::{
        FromQueryResult, QueryTrait,
        sea_query::{Alias, JoinType},
    };
    let mut q = group::Entity::find()
        .filter(group::Column::Slug.eq(slug))
        .into_query();
    q.join_as(
        JoinType::InnerJoin,
        cluster::Entity,
        Alias::new("c"),
        Expr::col((Alias::new("c"), cluster::Column::Id))
            .equals((group::Entity, group::Column::ClusterId)),
    );
    crate::domain::select_prefixed::<cluster::Entity>(&mut q, "c", "c_");
    let Some(row) = db.query_one(&q).await? else {
        return Ok(None);
    };
    Ok(Some((
        group::Model::from_query_result(&row, "")?,
        cluster::Model::from_query_result(&row, "c_")?,
    )))
}

/// The group with its cluster, if the viewer may see it.
pub async fn visible_group(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<(group::Model, cluster::Model)> {
    let g = find_group(db, id).await?;
    let c = find_cluster(db, g.cluster_id).await?;
    if !can_see_group(access, &g, &c.path) {
        return Err(AppError::not_found("group"));
    }
    Ok((g, c))
}

/// The group, if the viewer may run it (NOT_FOUND when invisible, FORBIDDEN otherwise).
pub async fn runnable_group(
    db: &impl ConnectionTrait,
    access: &Access,
    group_id: Uuid,
    action: &str,
) -> AppResult<group::Model> {
    let (g, c) = visible_group(db, access, group_id).await?;
    authz::check(true, can_run_group(access, &g, &c.path), "group", action)?;
    Ok(g)
}

/// The group row, locked for the rest of the transaction on PostgreSQL so seat counts cannot
/// race (SQLite transactions here already hold the write lock).
pub async fn lock_group(db: &impl ConnectionTrait, id: Uuid) -> AppResult<group::Model> {
    group::Entity::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("group"))
}

pub async fn adjust_active_count(
    db: &impl ConnectionTrait,
    group_id: Uuid,
    delta: i32,
) -> AppResult<()> {
    group::Entity::update_many()
        .col_expr(
            group::Column::ActiveMemberCount,
            Expr::col(group::Column::ActiveMemberCount).add(delta),
        )
        .filter(group::Column::Id.eq(group_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A seat is free while the group is below capacity and nobody waits: while anyone waits,
/// newcomers wait too, so nobody jumps the queue.
pub async fn has_free_seat(db: &impl ConnectionTrait, g: &group::Model) -> AppResult<bool> {
    if g.active_member_count >= g.capacity_max {
        return Ok(false);
    }
    let waiting = membership::Entity::find()
        .filter(membership::Column::GroupId.eq(g.id))
        .filter(membership::Column::Status.eq(MembershipStatus::Waitlisted))
        .count(db)
        .await?;
    Ok(waiting == 0)
}

/// Writes the person's membership with a fresh status. A returning person reuses their row
/// (one row per person and group).
pub async fn place(
    db: &impl ConnectionTrait,
    existing: Option<membership::Model>,
    person_id: Uuid,
    group_id: Uuid,
    status: MembershipStatus,
    statement: Option<String>,
) -> AppResult<membership::Model> {
    let now = Utc::now();
    let fresh = existing.is_none();
    let mut active: membership::ActiveModel = match existing {
        Some(m) => m.into(),
        None => membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(person_id),
            group_id: Set(group_id),
            created_at: Set(now),
            ..Default::default()
        },
    };
    active.role = Set(MembershipRole::Member);
    active.status = Set(status);
    active.statement = Set(statement);
    active.joined_at = Set((status == MembershipStatus::Active).then_some(now));
    active.left_at = Set(None);
    active.waitlisted_at = Set((status == MembershipStatus::Waitlisted).then_some(now));
    active.updated_at = Set(now);
    Ok(if fresh {
        active.insert(db).await?
    } else {
        active.update(db).await?
    })
}

/// Fills free seats from the waitlist, oldest first.
pub async fn promote_waitlist(
    db: &impl ConnectionTrait,
    group_id: Uuid,
    capacity_max: i32,
    active_count: i32,
) -> AppResult<()> {
    let free = capacity_max - active_count;
    if free <= 0 {
        return Ok(());
    }
    let waiting = membership::Entity::find()
        .filter(membership::Column::GroupId.eq(group_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Waitlisted))
        .order_by_asc(membership::Column::WaitlistedAt)
        .order_by_asc(membership::Column::Id)
        .limit(free as u64)
        .all(db)
        .await?;
    let promoted = waiting.len() as i32;
    let now = Utc::now();
    for m in waiting {
        let mut active: membership::ActiveModel = m.into();
        active.status = Set(MembershipStatus::Active);
        active.joined_at = Set(Some(now));
        active.waitlisted_at = Set(None);
        active.updated_at = Set(now);
        active.update(db).await?;
    }
    if promoted > 0 {
        adjust_active_count(db, group_id, promoted).await?;
    }
    Ok(())
}

/// The person's ACTIVE membership of the group, if they have one.
pub async fn active_membership(
    db: &impl ConnectionTrait,
    group_id: Uuid,
    person_id: Uuid,
) -> AppResult<Option<membership::Model>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::GroupId.eq(group_id))
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .one(db)
        .await?)
}
