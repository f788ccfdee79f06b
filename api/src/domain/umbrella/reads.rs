//! Batch reads of the umbrella: clusters under organisations or clusters, role grants inside
//! organisations or on clusters — one page per parent, or a count per parent, in one
//! statement for a whole batch of parents. Organisations, clusters and grants by id are
//! `domain::reads::by_ids`. None of these rows is secret: who may list grants is checked by
//! the resolver before it asks.

use std::collections::HashMap;

use entity::{cluster, role_grant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryTrait};
use uuid::Uuid;

use crate::{
    domain::pagination::{ChildRows, Page, PageArgs, Sort, pages_by_parent},
    error::AppResult,
};

/// Which clusters of a parent a list shows: under an organisation (all of them, or the
/// top-level ones only), or the children of a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClusterList {
    InOrganisation { top_level_only: bool },
    InCluster,
}

/// Whose role grants a list shows: every grant inside an organisation, or those on a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GrantList {
    InOrganisation,
    OnCluster,
}

fn cluster_rows(list: ClusterList) -> ChildRows {
    let mut q = cluster::Entity::find();
    let parent = match list {
        ClusterList::InOrganisation { top_level_only } => {
            if top_level_only {
                q = q.filter(cluster::Column::ParentId.is_null());
            }
            cluster::Column::OrganisationId
        }
        ClusterList::InCluster => cluster::Column::ParentId,
    };
    ChildRows::new(q.into_query(), (cluster::Entity, parent))
}

fn grant_rows(list: GrantList) -> ChildRows {
    let parent = match list {
        GrantList::InOrganisation => role_grant::Column::OrganisationId,
        GrantList::OnCluster => role_grant::Column::ScopeId,
    };
    ChildRows::new(
        role_grant::Entity::find().into_query(),
        (role_grant::Entity, parent),
    )
}

/// Clusters by name.
fn cluster_sort() -> Sort<cluster::Entity> {
    Sort {
        key: Some(cluster::Column::SortName),
        id: cluster::Column::Id,
        descending: false,
    }
}

/// Grants in the order they were made (ids are time-ordered).
fn grant_sort() -> Sort<role_grant::Entity> {
    Sort::oldest_first(role_grant::Column::Id)
}

pub async fn cluster_pages(
    db: &impl ConnectionTrait,
    list: ClusterList,
    parents: &[Uuid],
    args: &PageArgs,
) -> AppResult<HashMap<Uuid, Page<cluster::Model>>> {
    pages_by_parent(db, cluster_rows(list), parents, &cluster_sort(), args).await
}

pub async fn cluster_counts(
    db: &impl ConnectionTrait,
    list: ClusterList,
    parents: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    cluster_rows(list).count(db, parents).await
}

pub async fn grant_pages(
    db: &impl ConnectionTrait,
    list: GrantList,
    parents: &[Uuid],
    args: &PageArgs,
) -> AppResult<HashMap<Uuid, Page<role_grant::Model>>> {
    pages_by_parent(db, grant_rows(list), parents, &grant_sort(), args).await
}

pub async fn grant_counts(
    db: &impl ConnectionTrait,
    list: GrantList,
    parents: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    grant_rows(list).count(db, parents).await
}
