use async_graphql::{Context, ID, Object, Result};

use super::types::{Cluster, Organisation, OrganisationConnection};
use crate::{
    domain::pagination::PageArgs,
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
        let org = crate::domain::umbrella::organisation_by_slug(ctx.db()?, &slug).await?;
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
        let (result, total) = crate::domain::umbrella::organisations(ctx.db()?, &args).await?;
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
        if let Some(key) = crate::graphql::umbrella::types::groups_page_ahead(&ctx.look_ahead(), id)
        {
            loaders.pages.load_one(key).await?;
        }
        let cluster = loaders.clusters.load_one(id).await?;
        Ok(Some(Cluster(
            cluster.ok_or_else(|| AppError::not_found("cluster"))?,
        )))
    }
}
