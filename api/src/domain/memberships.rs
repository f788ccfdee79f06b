//! Joining and leaving groups, roles within a group, removal, and the waitlist.

use chrono::Utc;
use entity::{Admission, GroupStatus, MembershipRole, MembershipStatus, group, membership};
use sea_orm::TransactionSession as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{
    access::Access,
    authz::{self, can_assign_roles, can_run_group, can_see_group, require_person},
    groups::core::{adjust_active_count, has_free_seat, lock_group, place, promote_waitlist},
    pagination::{Page, PageArgs, Sort, page_and_total},
    umbrella::find_cluster,
    values::optional_text,
};
use crate::error::{AppError, AppResult};

/// OPEN groups admit at once (or waitlist when full); BY_CONSENT groups record a PENDING
/// application for the members to decide; CLOSED groups admit nobody.
///
/// Joining an OPEN group is one placement that checks its own rules (`place_in_open_group`);
/// anything else — a BY_CONSENT group, a proposal, a rule that does not hold — takes the path
/// below, which also says which rule failed.
pub async fn join_group(
    db: &(impl TransactionTrait + ConnectionTrait),
    access: &Access,
    group_id: Uuid,
    statement: Option<String>,
) -> AppResult<membership::Model> {
    let person_id = require_person(access)?;
    let statement = optional_text("statement", statement.as_deref(), 2000)?;
    if access.membership(group_id).is_none()
        && let Some(placed) =
            place_in_open_group(db, access, person_id, group_id, statement.as_deref()).await?
    {
        return Ok(placed);
    }
    let txn = super::begin(db).await?;
    let g = lock_group(&txn, group_id).await?;
    let cluster = find_cluster(&txn, g.cluster_id).await?;
    // A member's proposal lets the person find a group they could not otherwise see.
    let proposal = if g.admission == Admission::ByConsent {
        super::care::admission::expire_stale(&txn, group_id).await?;
        super::care::admission::open_proposal(&txn, group_id, person_id).await?
    } else {
        None
    };
    if !can_see_group(access, &g, &cluster.path) && proposal.is_none() {
        return Err(AppError::not_found("group"));
    }
    if g.admission == Admission::Closed || g.status == GroupStatus::Closed {
        return Err(AppError::forbidden("this group is not taking new members"));
    }
    super::care::pledges::require_accepted(&txn, person_id, group_id).await?;
    let existing = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::GroupId.eq(group_id))
        .one(&txn)
        .await?;
    if let Some(m) = &existing {
        match m.status {
            MembershipStatus::Left => {}
            MembershipStatus::Removed => {
                return Err(AppError::forbidden(
                    "you were removed from this group; ask its facilitators to talk it through",
                ));
            }
            _ => {
                return Err(AppError::conflict(
                    "you already belong to or applied to this group",
                ));
            }
        }
    }
    let status = if g.admission == Admission::ByConsent {
        MembershipStatus::Pending
    } else if !has_free_seat(&txn, &g).await? {
        MembershipStatus::Waitlisted
    } else {
        MembershipStatus::Active
    };
    let saved = place(
        &txn,
        existing,
        person_id,
        group_id,
        status,
        statement.clone(),
    )
    .await?;
    if status == MembershipStatus::Active {
        adjust_active_count(&txn, group_id, 1).await?;
    }
    let saved = match (status, proposal) {
        (MembershipStatus::Pending, Some(p)) => {
            super::care::admission::accept_proposal(&txn, &g, p).await?;
            // Approved already if the members had consented: read what it became.
            membership::Entity::find_by_id(saved.id)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::internal("membership vanished"))?
        }
        (MembershipStatus::Pending, None) => {
            super::care::admission::open(&txn, &g, person_id, statement, None).await?;
            saved
        }
        _ => saved,
    };
    txn.commit().await?;
    Ok(saved)
}

/// The placement of an OPEN join, every rule in the statement that writes: the group is OPEN
/// and not CLOSED, the viewer may see it (`authz::visible_groups`), they accepted its current
/// pledge if it has one, and no row of theirs stands in the way but a LEFT one (reused, one row
/// per person and group). It only seats: a free seat (from the group's row, read under its
/// lock) and nobody waiting, and the active count moves with it. A full group or one with a
/// queue takes the general path, which reads the waitlist after taking the lock (this
/// statement's waitlist check sees the rows of before the lock wait).
///
/// PostgreSQL: one statement (the group's row locked `FOR UPDATE`, the count updated in a
/// data-modifying CTE). SQLite has no such CTEs: there the placement and the count are two
/// statements in one transaction (its writers are serialised anyway). None when a rule does
/// not hold: nothing was written.
async fn place_in_open_group(
    db: &(impl TransactionTrait + ConnectionTrait),
    access: &Access,
    person_id: Uuid,
    group_id: Uuid,
    statement: Option<&str>,
) -> AppResult<Option<membership::Model>> {
    use sea_orm::{
        ActiveEnum as _, DatabaseBackend, FromQueryResult as _,
        sea_query::{Query, SqliteQueryBuilder},
    };
    let backend = db.get_database_backend();
    let now = Utc::now();
    // Built with `?` placeholders for both databases: `raw_statement` numbers them in order.
    let (visible, visible_values) = Query::select()
        .column((group::Entity, group::Column::Id))
        .from(group::Entity)
        .cond_where(authz::visible_groups(access, backend))
        .build(SqliteQueryBuilder);
    let (open, closed) = (Admission::Open.to_value(), GroupStatus::Closed.to_value());
    let (active, waitlisted, left) = (
        MembershipStatus::Active.to_value(),
        MembershipStatus::Waitlisted.to_value(),
        MembershipStatus::Left.to_value(),
    );
    let lock = if backend == DatabaseBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let open_group = format!(
        "SELECT g.id, g.active_member_count, g.capacity_max FROM groups g \
         WHERE g.id = ? AND g.admission = '{open}' AND g.status <> '{closed}' \
         AND g.id IN ({visible}) \
         AND NOT EXISTS (SELECT 1 FROM pledges pl WHERE pl.group_id = g.id \
           AND pl.version = (SELECT MAX(v.version) FROM pledges v WHERE v.group_id = g.id) \
           AND NOT EXISTS (SELECT 1 FROM pledge_acceptances a WHERE a.pledge_id = pl.id \
             AND a.person_id = ? AND a.valid_until > ?)){lock}"
    );
    let place = |source: &str| {
        format!(
            "INSERT INTO memberships (id, person_id, group_id, role, status, statement, \
               joined_at, left_at, waitlisted_at, created_at, updated_at) \
             SELECT ?, ?, g.id, '{member}', '{active}', ?, ?, NULL, NULL, ?, ? \
             FROM {source} g \
             WHERE g.active_member_count < g.capacity_max \
               AND NOT EXISTS (SELECT 1 FROM memberships w \
                 WHERE w.group_id = g.id AND w.status = '{waitlisted}') \
             ON CONFLICT (person_id, group_id) DO UPDATE SET role = excluded.role, \
               status = excluded.status, statement = excluded.statement, \
               joined_at = excluded.joined_at, left_at = NULL, \
               waitlisted_at = NULL, updated_at = excluded.updated_at \
             WHERE memberships.status = '{left}' \
             RETURNING *",
            member = MembershipRole::Member.to_value(),
        )
    };
    let group_values = || -> Vec<sea_orm::Value> {
        let mut values = vec![group_id.into()];
        values.extend(visible_values.0.iter().cloned());
        values.extend([person_id.into(), now.into()]);
        values
    };
    let placement_values = || -> Vec<sea_orm::Value> {
        vec![
            Uuid::now_v7().into(),
            person_id.into(),
            statement.map(str::to_owned).into(),
            now.into(),
            now.into(),
            now.into(),
        ]
    };
    if backend == DatabaseBackend::Postgres {
        let sql = format!(
            "WITH open_group AS ({open_group}), placed AS ({}), \
             counted AS (UPDATE groups SET active_member_count = active_member_count + 1 \
               FROM placed WHERE groups.id = placed.group_id AND placed.status = '{active}') \
             SELECT * FROM placed",
            place("open_group")
        );
        let mut values = group_values();
        values.extend(placement_values());
        return Ok(membership::Model::find_by_statement(super::raw_statement(
            backend, &sql, values,
        ))
        .one(db)
        .await?);
    }
    let sql = place(&format!("({open_group})"));
    let mut values = placement_values();
    values.extend(group_values());
    let txn = super::begin(db).await?;
    let placed = membership::Model::find_by_statement(super::raw_statement(backend, &sql, values))
        .one(&txn)
        .await?;
    if let Some(m) = &placed
        && m.status == MembershipStatus::Active
    {
        adjust_active_count(&txn, group_id, 1).await?;
    }
    txn.commit().await?;
    Ok(placed)
}

/// Stores an ACTIVE membership directly (demo data and set-up; no admission rules).
pub async fn insert_active(
    db: &impl ConnectionTrait,
    group_id: Uuid,
    person_id: Uuid,
    role: MembershipRole,
    joined_at: chrono::DateTime<Utc>,
) -> AppResult<membership::Model> {
    let m = membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        group_id: Set(group_id),
        role: Set(role),
        status: Set(MembershipStatus::Active),
        statement: Set(None),
        joined_at: Set(Some(joined_at)),
        left_at: Set(None),
        waitlisted_at: Set(None),
        created_at: Set(joined_at),
        updated_at: Set(joined_at),
    }
    .insert(db)
    .await?;
    adjust_active_count(db, group_id, 1).await?;
    Ok(m)
}

/// Leaving frees a seat, which goes to the longest-waiting person on the waitlist.
pub async fn leave_group(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
) -> AppResult<membership::Model> {
    let person_id = require_person(access)?;
    let txn = super::begin(db).await?;
    let g = lock_group(&txn, group_id).await?;
    let mine = membership::Entity::find()
        .filter(membership::Column::PersonId.eq(person_id))
        .filter(membership::Column::GroupId.eq(group_id))
        .one(&txn)
        .await?
        .filter(|m| m.status.is_current())
        .ok_or_else(|| AppError::not_found("membership"))?;
    let left = end_membership(&txn, &g, mine, MembershipStatus::Left).await?;
    txn.commit().await?;
    Ok(left)
}

async fn end_membership(
    db: &impl ConnectionTrait,
    g: &group::Model,
    m: membership::Model,
    status: MembershipStatus,
) -> AppResult<membership::Model> {
    let was_active = m.status == MembershipStatus::Active;
    if m.status == MembershipStatus::Pending {
        // An application still open ends with the membership: withdrawn by the person
        // leaving, declined by a facilitator removing them.
        let outcome = if status == MembershipStatus::Removed {
            entity::ApplicationStatus::Declined
        } else {
            entity::ApplicationStatus::Withdrawn
        };
        super::care::admission::close_open(db, g.id, m.person_id, outcome).await?;
    }
    let now = Utc::now();
    let mut active: membership::ActiveModel = m.into();
    active.status = Set(status);
    active.left_at = Set(Some(now));
    active.waitlisted_at = Set(None);
    active.updated_at = Set(now);
    let ended = active.update(db).await?;
    super::care::buddies::end_pairs_of(db, ended.id, now).await?;
    if was_active {
        adjust_active_count(db, g.id, -1).await?;
        promote_waitlist(db, g.id, g.capacity_max, g.active_member_count - 1).await?;
        if g.admission == Admission::ByConsent {
            // Their votes no longer stand and the quorum may have dropped.
            super::care::admission::reconsider(db, g.id).await?;
        }
    }
    Ok(ended)
}

/// Loads a membership with its group and the group's cluster path, answering NOT_FOUND when
/// the viewer may not see it. The group row is locked first and the membership read after
/// the lock, so it cannot change under a concurrent join, leave or removal.
async fn locked_membership(
    db: &impl ConnectionTrait,
    access: &Access,
    membership_id: Uuid,
) -> AppResult<(membership::Model, group::Model, String)> {
    let not_found = || AppError::not_found("membership");
    let find = || membership::Entity::find_by_id(membership_id).one(db);
    let group_id = find().await?.ok_or_else(not_found)?.group_id;
    let g = lock_group(db, group_id).await?;
    let m = find().await?.ok_or_else(not_found)?;
    let path = find_cluster(db, g.cluster_id).await?.path;
    if !authz::can_see_membership(access, &m, &g, &path) {
        return Err(not_found());
    }
    Ok((m, g, path))
}

/// The group's FACILITATOR or its managers choose facilitators; only ACTIVE members can hold
/// a facilitating role.
pub async fn set_membership_role(
    db: &impl TransactionTrait,
    access: &Access,
    membership_id: Uuid,
    role: MembershipRole,
) -> AppResult<membership::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let (m, g, path) = locked_membership(&txn, access, membership_id).await?;
    authz::check(
        true,
        can_assign_roles(access, &g, &path),
        "membership",
        "change roles in this group",
    )?;
    if role.runs_group() && m.status != MembershipStatus::Active {
        return Err(AppError::bad_input(
            "role",
            "only an ACTIVE member can facilitate",
        ));
    }
    if m.role == role {
        return Ok(m);
    }
    let mut active: membership::ActiveModel = m.into();
    active.role = Set(role);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Facilitators and managers may remove a member; their seat goes to the waitlist. Removing
/// someone who facilitates takes what appointing them takes (the lead facilitator or a
/// manager), so a co-facilitator cannot remove the facilitator.
pub async fn remove_member(
    db: &impl TransactionTrait,
    access: &Access,
    membership_id: Uuid,
) -> AppResult<membership::Model> {
    let me = require_person(access)?;
    let txn = super::begin(db).await?;
    let (m, g, path) = locked_membership(&txn, access, membership_id).await?;
    let allowed = if m.role.runs_group() {
        can_assign_roles(access, &g, &path)
    } else {
        can_run_group(access, &g, &path)
    };
    authz::check(true, allowed, "membership", "remove this member")?;
    if m.person_id == me {
        return Err(AppError::bad_input(
            "membershipId",
            "to leave a group yourself, use leaveGroup",
        ));
    }
    if !m.status.is_current() {
        return Err(AppError::conflict("this person is no longer in the group"));
    }
    let removed = end_membership(&txn, &g, m, MembershipStatus::Removed).await?;
    txn.commit().await?;
    Ok(removed)
}

/// The viewer's own memberships, oldest first (none for an anonymous caller).
pub async fn own(
    db: &impl ConnectionTrait,
    access: &Access,
    args: &PageArgs,
) -> AppResult<(Page<membership::Model>, u64)> {
    let Some(me) = access.person_id else {
        return Ok((Page::default(), 0));
    };
    let sort = Sort {
        key: None,
        id: membership::Column::Id,
        descending: false,
    };
    let mine = membership::Entity::find().filter(membership::Column::PersonId.eq(me));
    page_and_total(db, mine, &sort, args).await
}
