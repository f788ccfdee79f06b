use async_graphql::{Context, ID, Object, Result};
use entity::organisation;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::types::{Cluster, Organisation, OrganisationConnection};
use crate::{
    domain::pagination::{PageArgs, Sort, page},
    error::AppError,
    graphql::{
        connection::Total,
        context::ContextExt,
        ids::{self, Kind},
    },
};

#[derive(Default)]
pub struct UmbrellaQuery;

#[Object]
impl UmbrellaQuery {
    /// Organisations and clusters are public; an unknown slug is NOT_FOUND.
    async fn organisation(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Organisation>> {
        let org = organisation::Entity::find()
            .filter(organisation::Column::Slug.eq(slug.trim().to_lowercase()))
            .one(ctx.db()?)
            .await
            .map_err(AppError::from)?;
        Ok(Some(Organisation(
            org.ok_or_else(|| AppError::not_found("organisation"))?,
        )))
    }

    /// All organisations, by name.
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<OrganisationConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        let db = ctx.db()?;
        let sort = Sort {
            key: Some(organisation::Column::SortName),
            id: organisation::Column::Id,
            descending: false,
        };
        let result = page(db, organisation::Entity::find(), &sort, &args).await?;
        let total = organisation::Entity::find()
            .count(db)
            .await
            .map_err(AppError::from)?;
        Ok(OrganisationConnection::new(
            result.map(Organisation),
            Total::Known(total),
        ))
    }

    async fn cluster(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Cluster>> {
        let id = ids::decode(Kind::Cluster, "id", &id)?;
        let loaders = ctx.loaders()?;
        // A page of its groups reads the cluster along: ask for it first, and the cluster
        // below is found in the cache.
        if let Some(key) = crate::graphql::umbrella::types::groups_page_ahead(ctx, id) {
            loaders.pages.load_one(key).await?;
        }
        let cluster = loaders.clusters.load_one(id).await?;
        Ok(Some(Cluster(
            cluster.ok_or_else(|| AppError::not_found("cluster"))?,
        )))
    }
}
