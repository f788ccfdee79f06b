//! Batch reads of groups and their memberships, for lists and loaders: groups by id as the
//! viewer may see them, pages of a cluster's groups, a group's members, facilitators and
//! active members, a person's memberships. One statement per batch of parents.
//!
//! Groups come out of here through the visibility rule in SQL (`authz::visible_groups`), so no
//! caller can hand a private group to someone outside it by forgetting a check. The one raw
//! read, `by_ids_unchecked`, is for guards that must tell "hidden" from "missing" themselves.

use std::collections::HashMap;

use entity::{MembershipRole, MembershipStatus, cluster, group, membership, person};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QueryTrait, Select,
    sea_query::{Alias, Expr, JoinType},
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz, in_ids,
        pagination::{ChildRows, Page, PageArgs, Sort, pages_by_parent, pages_with_parents},
        reads, select_prefixed,
    },
    error::AppResult,
};

/// The groups of `ids` the viewer may see (`authz::can_see_group`, applied in SQL); a hidden
/// group is simply absent, exactly like a missing one.
pub async fn visible_by_ids(
    db: &impl ConnectionTrait,
    access: &Access,
    ids: &[Uuid],
) -> AppResult<Vec<group::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    Ok(group::Entity::find()
        .filter(in_ids(
            backend,
            Expr::col((group::Entity, group::Column::Id)),
            ids,
        ))
        .filter(authz::visible_groups(access, backend))
        .all(db)
        .await?)
}

/// The groups of `ids` whoever asks, hidden ones included. Only for guards that check the
/// viewer's rights on the group themselves (and answer NOT_FOUND for a hidden one); never
/// hand its rows to a client unchecked.
pub async fn by_ids_unchecked(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<Vec<group::Model>> {
    reads::by_ids::<group::Entity>(db, ids).await
}

/// Visible groups in clusters, directly or anywhere below them.
fn cluster_groups_rows(
    backend: sea_orm::DatabaseBackend,
    access: &Access,
    include_descendants: bool,
) -> ChildRows {
    let mut q = group::Entity::find()
        .filter(authz::visible_groups(access, backend))
        .into_query();
    if include_descendants {
        q.join_as(
            JoinType::InnerJoin,
            cluster::Entity,
            Alias::new("gc"),
            Expr::col((Alias::new("gc"), cluster::Column::Id))
                .equals((group::Entity, group::Column::ClusterId)),
        )
        .join_as(
            JoinType::InnerJoin,
            cluster::Entity,
            Alias::new("req"),
            Expr::cust(r#""gc"."path" LIKE "req"."path" || '%'"#),
        );
        ChildRows::new(q, (Alias::new("req"), Alias::new("id")))
    } else {
        ChildRows::new(q, (group::Entity, group::Column::ClusterId))
    }
}

/// Groups by name.
fn group_sort() -> Sort<group::Entity> {
    Sort {
        key: Some(group::Column::SortName),
        id: group::Column::Id,
        descending: false,
    }
}

/// A page of the visible groups of each cluster (with `include_descendants`, of its whole
/// subtree), and the clusters themselves, read along in the same statement.
pub async fn cluster_group_pages(
    db: &impl ConnectionTrait,
    access: &Access,
    include_descendants: bool,
    clusters: &[Uuid],
    args: &PageArgs,
) -> AppResult<(HashMap<Uuid, Page<group::Model>>, Vec<cluster::Model>)> {
    let rows = cluster_groups_rows(db.get_database_backend(), access, include_descendants);
    pages_with_parents::<cluster::Entity, group::Entity>(db, rows, clusters, &group_sort(), args)
        .await
}

/// How many visible groups each cluster (or its subtree) holds.
pub async fn cluster_group_counts(
    db: &impl ConnectionTrait,
    access: &Access,
    include_descendants: bool,
    clusters: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    cluster_groups_rows(db.get_database_backend(), access, include_descendants)
        .count(db, clusters)
        .await
}

fn members_rows(statuses: &[MembershipStatus]) -> ChildRows {
    let q = membership::Entity::find()
        .filter(membership::Column::Status.is_in(statuses.iter().copied()))
        .into_query();
    ChildRows::new(q, (membership::Entity, membership::Column::GroupId))
}

/// A page of each group's memberships in `statuses`, oldest first. Who may list them is the
/// resolver's check (insiders only).
pub async fn member_pages(
    db: &impl ConnectionTrait,
    statuses: &[MembershipStatus],
    groups: &[Uuid],
    args: &PageArgs,
) -> AppResult<HashMap<Uuid, Page<membership::Model>>> {
    let sort = Sort::<membership::Entity>::oldest_first(membership::Column::Id);
    pages_by_parent(db, members_rows(statuses), groups, &sort, args).await
}

pub async fn member_counts(
    db: &impl ConnectionTrait,
    statuses: &[MembershipStatus],
    groups: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    members_rows(statuses).count(db, groups).await
}

/// Memberships with their people, in one statement: `membership { person { … } }` then costs
/// nothing more once the caller keeps the people.
async fn with_people(
    db: &impl ConnectionTrait,
    select: Select<membership::Entity>,
) -> AppResult<Vec<(membership::Model, person::Model)>> {
    let mut q = select.into_query();
    q.join_as(
        JoinType::InnerJoin,
        person::Entity,
        Alias::new("p"),
        Expr::col((Alias::new("p"), person::Column::Id))
            .equals((membership::Entity, membership::Column::PersonId)),
    );
    select_prefixed::<person::Entity>(&mut q, "p", "p_");
    let rows = db.query_all(&q).await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        found.push((
            membership::Model::from_query_result(&row, "")?,
            person::Model::from_query_result(&row, "p_")?,
        ));
    }
    Ok(found)
}

/// Memberships by id, each with its person.
pub async fn memberships_with_people(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<Vec<(membership::Model, person::Model)>> {
    let select = membership::Entity::find().filter(in_ids(
        db.get_database_backend(),
        Expr::col((membership::Entity, membership::Column::Id)),
        ids,
    ));
    with_people(db, select).await
}

/// The ACTIVE facilitators and co-facilitators of each group (lead facilitators first), each
/// with its person.
pub async fn facilitators_with_people(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
) -> AppResult<Vec<(membership::Model, person::Model)>> {
    let select = active_facilitators(db.get_database_backend(), groups)
        .order_by_desc(membership::Column::Role)
        .order_by_asc(membership::Column::Id);
    with_people(db, select).await
}

/// The ACTIVE facilitators and co-facilitators of `groups`, unordered: the one definition of
/// who runs a group today that the facilitator lists and the load read share.
pub fn active_facilitators(
    backend: sea_orm::DatabaseBackend,
    groups: &[Uuid],
) -> Select<membership::Entity> {
    membership::Entity::find()
        .filter(in_ids(
            backend,
            Expr::col((membership::Entity, membership::Column::GroupId)),
            groups,
        ))
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .filter(
            membership::Column::Role
                .is_in([MembershipRole::Facilitator, MembershipRole::CoFacilitator]),
        )
}

/// Each group's ACTIVE memberships, oldest first.
pub async fn active_members(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<membership::Model>>> {
    let select = membership::Entity::find()
        .filter(membership::Column::Status.eq(MembershipStatus::Active))
        .order_by_asc(membership::Column::Id);
    reads::under(db, select, membership::Column::GroupId, groups, |m| {
        m.group_id
    })
    .await
}

/// Each person's ACTIVE memberships (who may see a person depends on them).
pub async fn active_memberships_of(
    db: &impl ConnectionTrait,
    people: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<membership::Model>>> {
    let select =
        membership::Entity::find().filter(membership::Column::Status.eq(MembershipStatus::Active));
    reads::under(db, select, membership::Column::PersonId, people, |m| {
        m.person_id
    })
    .await
}

/// One person's memberships (in any state) of `groups`, by group.
pub async fn memberships_in(
    db: &impl ConnectionTrait,
    person: Uuid,
    groups: &[Uuid],
) -> AppResult<HashMap<Uuid, membership::Model>> {
    let select = membership::Entity::find().filter(membership::Column::PersonId.eq(person));
    let found = reads::under(db, select, membership::Column::GroupId, groups, |m| {
        m.group_id
    })
    .await?;
    Ok(found
        .into_iter()
        .filter_map(|(group, mut rows)| rows.pop().map(|m| (group, m)))
        .collect())
}
