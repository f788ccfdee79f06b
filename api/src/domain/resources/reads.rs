//! Batch reads of the resource repository for lists and loaders: resources by id as the
//! viewer may see them, versions by number, releases, reviews, the viewer's ratings, a
//! programme's toolkit, and the lists hanging off a resource or a group. One statement per
//! batch of parents.
//!
//! A draft or an audience-restricted resource never leaves `visible_by_ids` for someone
//! outside it: the rule (`sees`) is applied in SQL (`visible_condition`), so no resolver can
//! leak one by forgetting the check. The lists filter the same way.

use std::collections::{HashMap, HashSet};

use entity::{
    group, program_toolkit, resource, resource_adoption, resource_rating, resource_release,
    resource_review, resource_version,
};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QueryTrait,
    sea_query::{Alias, Expr, JoinType, Query},
};
use uuid::Uuid;

use super::{editable_condition, visible_condition};
use crate::{
    domain::{
        access::Access,
        authz, in_ids,
        pagination::{ChildRows, Page, PageArgs, Sort, pages_by_parent},
        reads,
    },
    error::AppResult,
};

/// The resources of `ids` the viewer sees (`sees`, applied in SQL); a hidden one is simply
/// absent, exactly like a missing one.
pub async fn visible_by_ids(
    db: &impl ConnectionTrait,
    access: &Access,
    ids: &[Uuid],
) -> AppResult<Vec<resource::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    Ok(resource::Entity::find()
        .filter(in_ids(
            backend,
            Expr::col((resource::Entity, resource::Column::Id)),
            ids,
        ))
        .filter(visible_condition(access, backend))
        .all(db)
        .await?)
}

/// The versions of `(resource, number)` pairs that exist.
pub async fn versions(
    db: &impl ConnectionTrait,
    pairs: &[(Uuid, i32)],
) -> AppResult<HashMap<(Uuid, i32), resource_version::Model>> {
    let wanted: HashSet<(Uuid, i32)> = pairs.iter().copied().collect();
    let resources: Vec<Uuid> = pairs.iter().map(|(r, _)| *r).collect();
    let numbers: Vec<i32> = pairs.iter().map(|(_, n)| *n).collect();
    // Versions of the wanted resources with any wanted number, then the exact pairs.
    let select =
        resource_version::Entity::find().filter(resource_version::Column::Number.is_in(numbers));
    let found = reads::under(
        db,
        select,
        resource_version::Column::ResourceId,
        &resources,
        |v| (v.resource_id, v.number),
    )
    .await?;
    Ok(found
        .into_iter()
        .filter(|(pair, _)| wanted.contains(pair))
        .filter_map(|(pair, mut rows)| rows.pop().map(|v| (pair, v)))
        .collect())
}

/// The published version numbers of each resource.
pub async fn releases_of(
    db: &impl ConnectionTrait,
    resources: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<i32>>> {
    let found = reads::under(
        db,
        resource_release::Entity::find(),
        resource_release::Column::ResourceId,
        resources,
        |r| r.resource_id,
    )
    .await?;
    Ok(found
        .into_iter()
        .map(|(r, releases)| (r, releases.into_iter().map(|r| r.version_number).collect()))
        .collect())
}

/// The reviews of each resource, newest first.
pub async fn reviews_of(
    db: &impl ConnectionTrait,
    resources: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<resource_review::Model>>> {
    let select = resource_review::Entity::find().order_by_desc(resource_review::Column::Id);
    reads::under(
        db,
        select,
        resource_review::Column::ResourceId,
        resources,
        |r| r.resource_id,
    )
    .await
}

/// One person's ratings of `resources`, by resource.
pub async fn ratings_by(
    db: &impl ConnectionTrait,
    person: Uuid,
    resources: &[Uuid],
) -> AppResult<HashMap<Uuid, resource_rating::Model>> {
    let select =
        resource_rating::Entity::find().filter(resource_rating::Column::PersonId.eq(person));
    let found = reads::under(
        db,
        select,
        resource_rating::Column::ResourceId,
        resources,
        |r| r.resource_id,
    )
    .await?;
    Ok(found
        .into_iter()
        .filter_map(|(r, mut rows)| rows.pop().map(|rating| (r, rating)))
        .collect())
}

/// Each programme's toolkit, in order: the resources themselves, unfiltered (callers keep
/// those the viewer `sees`).
pub async fn toolkits_of(
    db: &impl ConnectionTrait,
    programs: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<resource::Model>>> {
    let mut q = resource::Entity::find().into_query();
    q.join(
        JoinType::InnerJoin,
        program_toolkit::Entity,
        Expr::col((program_toolkit::Entity, program_toolkit::Column::ResourceId))
            .equals((resource::Entity, resource::Column::Id)),
    )
    .expr_as(
        Expr::col((program_toolkit::Entity, program_toolkit::Column::ProgramId)),
        Alias::new("toolkit_program"),
    )
    .and_where(in_ids(
        db.get_database_backend(),
        Expr::col((program_toolkit::Entity, program_toolkit::Column::ProgramId)),
        programs,
    ))
    .order_by(
        (program_toolkit::Entity, program_toolkit::Column::Position),
        sea_orm::Order::Asc,
    );
    let mut out: HashMap<Uuid, Vec<resource::Model>> = HashMap::new();
    for row in db.query_all(&q).await? {
        let program: Uuid = row.try_get("", "toolkit_program")?;
        out.entry(program)
            .or_default()
            .push(resource::Model::from_query_result(&row, "")?);
    }
    Ok(out)
}

/// Lists of a parent (a resource or a group) the resource pages and counts serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceList {
    /// A resource's versions, newest first.
    Versions,
    /// Visible adaptations of a resource, newest first.
    Derivatives,
    /// Adoptions of a resource by groups the viewer sees.
    AdoptedBy,
    /// A group's adoptions of resources the viewer sees.
    GroupAdoptions,
}

/// What a page of each list holds.
#[derive(Clone, Debug)]
pub enum ResourcePage {
    Versions(Page<resource_version::Model>),
    Resources(Page<resource::Model>),
    Adoptions(Page<resource_adoption::Model>),
}

impl ResourceList {
    /// An empty page of this list.
    pub fn empty(self) -> ResourcePage {
        match self {
            Self::Versions => ResourcePage::Versions(Page::default()),
            Self::Derivatives => ResourcePage::Resources(Page::default()),
            Self::AdoptedBy | Self::GroupAdoptions => ResourcePage::Adoptions(Page::default()),
        }
    }

    /// Every item of the list the viewer may see, with the parent column.
    fn rows(self, backend: DatabaseBackend, access: &Access) -> ChildRows {
        let parent = |table: &str, column: &str| (Alias::new(table), Alias::new(column));
        match self {
            Self::Versions => {
                // Released versions, and every version of a resource the viewer edits.
                let released = Query::select()
                    .expr(Expr::val(1))
                    .from(resource_release::Entity)
                    .and_where(
                        Expr::col((
                            resource_release::Entity,
                            resource_release::Column::ResourceId,
                        ))
                        .equals((
                            resource_version::Entity,
                            resource_version::Column::ResourceId,
                        )),
                    )
                    .and_where(
                        Expr::col((
                            resource_release::Entity,
                            resource_release::Column::VersionNumber,
                        ))
                        .equals((resource_version::Entity, resource_version::Column::Number)),
                    )
                    .to_owned();
                let edited = Query::select()
                    .column((resource::Entity, resource::Column::Id))
                    .from(resource::Entity)
                    .cond_where(editable_condition(access, backend))
                    .to_owned();
                let mut q = resource_version::Entity::find().into_query();
                q.cond_where(
                    Condition::any().add(Expr::exists(released)).add(
                        Expr::col((
                            resource_version::Entity,
                            resource_version::Column::ResourceId,
                        ))
                        .in_subquery(edited),
                    ),
                );
                ChildRows::new(q, parent("resource_versions", "resource_id"))
            }
            Self::Derivatives => ChildRows::new(
                resource::Entity::find()
                    .filter(visible_condition(access, backend))
                    .into_query(),
                parent("resources", "derived_from_id"),
            ),
            Self::AdoptedBy => {
                let mut q = resource_adoption::Entity::find().into_query();
                q.join(
                    JoinType::InnerJoin,
                    group::Entity,
                    Expr::col((group::Entity, group::Column::Id)).equals((
                        resource_adoption::Entity,
                        resource_adoption::Column::GroupId,
                    )),
                )
                .cond_where(authz::visible_groups(access, backend));
                ChildRows::new(q, parent("resource_adoptions", "resource_id"))
            }
            Self::GroupAdoptions => {
                let mut q = resource_adoption::Entity::find().into_query();
                q.join(
                    JoinType::InnerJoin,
                    resource::Entity,
                    Expr::col((resource::Entity, resource::Column::Id)).equals((
                        resource_adoption::Entity,
                        resource_adoption::Column::ResourceId,
                    )),
                )
                .cond_where(visible_condition(access, backend));
                ChildRows::new(q, parent("resource_adoptions", "group_id"))
            }
        }
    }
}

/// A page of one list of each parent, as the viewer may see it.
pub async fn resource_pages(
    db: &impl ConnectionTrait,
    access: &Access,
    list: ResourceList,
    parents: &[Uuid],
    args: &PageArgs,
) -> AppResult<HashMap<Uuid, ResourcePage>> {
    let rows = list.rows(db.get_database_backend(), access);
    Ok(match list {
        ResourceList::Versions => {
            let sort = Sort::<resource_version::Entity>::newest_first(resource_version::Column::Id);
            pages_by_parent(db, rows, parents, &sort, args)
                .await?
                .into_iter()
                .map(|(k, p)| (k, ResourcePage::Versions(p)))
                .collect()
        }
        ResourceList::Derivatives => {
            let sort = Sort::<resource::Entity>::newest_first(resource::Column::Id);
            pages_by_parent(db, rows, parents, &sort, args)
                .await?
                .into_iter()
                .map(|(k, p)| (k, ResourcePage::Resources(p)))
                .collect()
        }
        ResourceList::AdoptedBy | ResourceList::GroupAdoptions => {
            let sort =
                Sort::<resource_adoption::Entity>::newest_first(resource_adoption::Column::Id);
            pages_by_parent(db, rows, parents, &sort, args)
                .await?
                .into_iter()
                .map(|(k, p)| (k, ResourcePage::Adoptions(p)))
                .collect()
        }
    })
}

/// How many items one list of each parent holds (all pages), as the viewer may see it.
pub async fn resource_counts(
    db: &impl ConnectionTrait,
    access: &Access,
    list: ResourceList,
    parents: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    list.rows(db.get_database_backend(), access)
        .count(db, parents)
        .await
}
