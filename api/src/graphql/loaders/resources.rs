//! Loaders for the resource repository: resources and versions by key, the lists hanging off
//! a resource, a group or a programme (each one statement per batch, filtered by what the
//! viewer may see), and their counts.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::{
    group, program_toolkit, resource, resource_adoption, resource_rating, resource_release,
    resource_review, resource_version,
};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QueryTrait,
    sea_query::{Alias, Expr, JoinType, Query},
};
use uuid::Uuid;

use super::{PageLoader, batches, care::rows_under};
use crate::{
    domain::access::Rights,
    domain::{
        authz, in_ids,
        pagination::{ChildRows, Page, PageArgs, Sort, pages_by_parent},
        resources::{editable_condition, visible_condition},
    },
    error::AppError,
};

pub struct ResourceLoader {
    pub(super) db: DatabaseConnection,
    /// The viewer, if signed in (their own ratings).
    pub(super) person: Option<Uuid>,
    pub(super) rights: Arc<Rights>,
}

// Resources and rows by their own id; callers check visibility (`domain::resources::sees`).
keyed_by_id!(ResourceLoader, ResourceKey, resource);
keyed_by_id!(ResourceLoader, VersionById, resource_version);
keyed_by_id!(ResourceLoader, ReviewById, resource_review);
keyed_by_id!(ResourceLoader, AdoptionById, resource_adoption);
keyed_by_id!(ResourceLoader, RatingById, resource_rating);

/// One version of a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VersionKey {
    pub resource: Uuid,
    pub number: i32,
}

impl Loader<VersionKey> for ResourceLoader {
    type Value = resource_version::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[VersionKey],
    ) -> Result<HashMap<VersionKey, Self::Value>, AppError> {
        let wanted: std::collections::HashSet<VersionKey> = keys.iter().copied().collect();
        let resources: Vec<Uuid> = keys.iter().map(|k| k.resource).collect();
        let numbers: Vec<i32> = keys.iter().map(|k| k.number).collect();
        // Versions of the wanted resources with any wanted number, then the exact pairs.
        let rows = resource_version::Entity::find()
            .filter(in_ids(
                self.db.get_database_backend(),
                Expr::col((
                    resource_version::Entity,
                    resource_version::Column::ResourceId,
                )),
                &resources,
            ))
            .filter(resource_version::Column::Number.is_in(numbers))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|v| {
                (
                    VersionKey {
                        resource: v.resource_id,
                        number: v.number,
                    },
                    v,
                )
            })
            .filter(|(k, _)| wanted.contains(k))
            .collect())
    }
}

/// The published version numbers of a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReleasesOf(pub Uuid);

impl Loader<ReleasesOf> for ResourceLoader {
    type Value = Vec<i32>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ReleasesOf],
    ) -> Result<HashMap<ReleasesOf, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = rows_under(
            &self.db,
            resource_release::Entity::find(),
            resource_release::Column::ResourceId,
            &ids,
            |r| ReleasesOf(r.resource_id),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().map(|r| r.version_number).collect()))
            .collect())
    }
}

/// The reviews of a resource, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReviewsOf(pub Uuid);

impl Loader<ReviewsOf> for ResourceLoader {
    type Value = Vec<resource_review::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[ReviewsOf]) -> Result<HashMap<ReviewsOf, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let select = resource_review::Entity::find().order_by_desc(resource_review::Column::Id);
        rows_under(
            &self.db,
            select,
            resource_review::Column::ResourceId,
            &ids,
            |r| ReviewsOf(r.resource_id),
        )
        .await
    }
}

/// The viewer's own rating of a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerRatingOf(pub Uuid);

impl Loader<ViewerRatingOf> for ResourceLoader {
    type Value = resource_rating::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ViewerRatingOf],
    ) -> Result<HashMap<ViewerRatingOf, Self::Value>, AppError> {
        let Some(me) = self.person else {
            return Ok(HashMap::new());
        };
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = resource_rating::Entity::find()
            .filter(resource_rating::Column::PersonId.eq(me))
            .filter(in_ids(
                self.db.get_database_backend(),
                Expr::col((resource_rating::Entity, resource_rating::Column::ResourceId)),
                &ids,
            ))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (ViewerRatingOf(r.resource_id), r))
            .collect())
    }
}

/// A programme's toolkit, in order (the resources themselves; callers filter by `sees`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ToolkitOf(pub Uuid);

impl Loader<ToolkitOf> for ResourceLoader {
    type Value = Vec<resource::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[ToolkitOf]) -> Result<HashMap<ToolkitOf, Self::Value>, AppError> {
        use sea_orm::FromQueryResult;
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
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
            self.db.get_database_backend(),
            Expr::col((program_toolkit::Entity, program_toolkit::Column::ProgramId)),
            &ids,
        ))
        .order_by(
            (program_toolkit::Entity, program_toolkit::Column::Position),
            sea_orm::Order::Asc,
        );
        let mut out: HashMap<ToolkitOf, Vec<resource::Model>> = HashMap::new();
        for row in self.db.query_all(&q).await? {
            let program: Uuid = row.try_get("", "toolkit_program")?;
            out.entry(ToolkitOf(program))
                .or_default()
                .push(resource::Model::from_query_result(&row, "")?);
        }
        Ok(out)
    }
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

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourcePageKey {
    pub list: ResourceList,
    pub parent: Uuid,
    pub args: PageArgs,
}

/// Every item of `list`, visible to the viewer, with the parent column.
fn list_rows(
    db: &impl ConnectionTrait,
    access: &crate::domain::access::Access,
    list: ResourceList,
) -> ChildRows {
    let backend = db.get_database_backend();
    let parent = |table: &str, column: &str| (Alias::new(table), Alias::new(column));
    match list {
        ResourceList::Versions => {
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
                sea_orm::Condition::any().add(Expr::exists(released)).add(
                    Expr::col((
                        resource_version::Entity,
                        resource_version::Column::ResourceId,
                    ))
                    .in_subquery(edited),
                ),
            );
            ChildRows::new(q, parent("resource_versions", "resource_id"))
        }
        ResourceList::Derivatives => ChildRows::new(
            resource::Entity::find()
                .filter(visible_condition(access, backend))
                .into_query(),
            parent("resources", "derived_from_id"),
        ),
        ResourceList::AdoptedBy => {
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
        ResourceList::GroupAdoptions => {
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

/// What a page of each list holds.
#[derive(Clone, Debug)]
pub enum ResourcePage {
    Versions(Page<resource_version::Model>),
    Resources(Page<resource::Model>),
    Adoptions(Page<resource_adoption::Model>),
}

fn newest_first<E: EntityTrait>(id: E::Column) -> Sort<E> {
    Sort {
        key: None,
        id,
        descending: true,
    }
}

impl Loader<ResourcePageKey> for PageLoader {
    type Value = ResourcePage;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ResourcePageKey],
    ) -> Result<HashMap<ResourcePageKey, Self::Value>, AppError> {
        let access = self.rights.get(&self.db).await?;
        let mut out = HashMap::new();
        for ((list, args), parents) in batches(keys, |k| ((k.list, k.args.clone()), k.parent)) {
            let rows = list_rows(&self.db, &access, list);
            let mut pages: HashMap<Uuid, ResourcePage> = match list {
                ResourceList::Versions => {
                    let sort =
                        newest_first::<resource_version::Entity>(resource_version::Column::Id);
                    pages_by_parent(&self.db, rows, &parents, &sort, &args)
                        .await?
                        .into_iter()
                        .map(|(k, p)| (k, ResourcePage::Versions(p)))
                        .collect()
                }
                ResourceList::Derivatives => {
                    let sort = newest_first::<resource::Entity>(resource::Column::Id);
                    pages_by_parent(&self.db, rows, &parents, &sort, &args)
                        .await?
                        .into_iter()
                        .map(|(k, p)| (k, ResourcePage::Resources(p)))
                        .collect()
                }
                ResourceList::AdoptedBy | ResourceList::GroupAdoptions => {
                    let sort =
                        newest_first::<resource_adoption::Entity>(resource_adoption::Column::Id);
                    pages_by_parent(&self.db, rows, &parents, &sort, &args)
                        .await?
                        .into_iter()
                        .map(|(k, p)| (k, ResourcePage::Adoptions(p)))
                        .collect()
                }
            };
            for parent in parents {
                let page = pages.remove(&parent).unwrap_or_else(|| match list {
                    ResourceList::Versions => ResourcePage::Versions(Page::default()),
                    ResourceList::Derivatives => ResourcePage::Resources(Page::default()),
                    _ => ResourcePage::Adoptions(Page::default()),
                });
                out.insert(
                    ResourcePageKey {
                        list,
                        parent,
                        args: args.clone(),
                    },
                    page,
                );
            }
        }
        Ok(out)
    }
}

/// How many items a list holds (all pages), for `totalCount`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceCountKey {
    pub list: ResourceList,
    pub parent: Uuid,
}

impl Loader<ResourceCountKey> for ResourceLoader {
    type Value = u64;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ResourceCountKey],
    ) -> Result<HashMap<ResourceCountKey, u64>, AppError> {
        let access = self.rights.get(&self.db).await?;
        let mut out = HashMap::new();
        for (list, parents) in batches(keys, |k| (k.list, k.parent)) {
            let counts = list_rows(&self.db, &access, list)
                .count(&self.db, &parents)
                .await?;
            for parent in parents {
                out.insert(
                    ResourceCountKey { list, parent },
                    counts.get(&parent).copied().unwrap_or(0),
                );
            }
        }
        Ok(out)
    }
}
