//! Resource root fields: one resource by slug, and search.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};

use super::types::{Resource, ResourceConnection};
use crate::{
    domain::{
        pagination::PageArgs,
        resources::{
            resource_by_slug,
            search::{self, ResourceFilter as Filter, ResourceOrder as Order, Search},
        },
    },
    graphql::{
        connection::Total,
        context::{ContextExt, access},
        enums::{ResourceKind, ResourceStatus, ResourceVisibility},
        ids::{self, Kind},
    },
};

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::resources::search::ResourceOrder")]
pub enum ResourceOrder {
    /// Best match first (title matches above summary and tags, above the body); without
    /// search text, the same as NEWEST.
    Relevance,
    Newest,
    MostAdopted,
    /// Highest published rating first (see `Resource.rating`); resources whose rating is
    /// suppressed come after all of them, newest first.
    TopRated,
}

#[derive(InputObject, Default)]
pub struct ResourceFilter {
    /// Any of these kinds.
    pub kinds: Option<Vec<ResourceKind>>,
    /// Every one of these tags.
    pub tags: Option<Vec<String>>,
    /// Any of these licences (SPDX identifiers, e.g. CC-BY-SA-4.0).
    pub licences: Option<Vec<String>>,
    /// A language and its regional variants: `en` also finds `en-GB`.
    pub language: Option<String>,
    pub visibility: Option<ResourceVisibility>,
    pub organisation_id: Option<ID>,
    /// Resources this group adopted (a group the viewer may see).
    pub adopted_by_group_id: Option<ID>,
    /// Default PUBLISHED; drafts and reviews show only to those who may see them.
    pub statuses: Option<Vec<ResourceStatus>>,
}

#[derive(Default)]
pub struct ResourceQuery;

#[Object]
impl ResourceQuery {
    /// A resource the viewer may see; null otherwise.
    async fn resource(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Resource>> {
        let access = access(ctx).await?;
        Ok(resource_by_slug(ctx.db()?, &access, &slug)
            .await?
            .map(Resource))
    }

    /// The library: full-text search in web-search syntax (`"a phrase"`, `OR`, `-exclude`;
    /// at most 256 characters) with filters, always within what the viewer may see
    /// (anonymous callers: PUBLIC, PUBLISHED resources). Pages forward only.
    async fn resources(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        filter: Option<ResourceFilter>,
        order_by: Option<ResourceOrder>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ResourceConnection> {
        let args = PageArgs::new(first, after, None, None)?;
        let access = access(ctx).await?;
        let f = filter.unwrap_or_default();
        let decode = |field: &str, kind: Kind, id: Option<ID>| {
            id.map(|id| ids::decode(kind, &format!("filter.{field}"), &id))
                .transpose()
        };
        let filter = Filter {
            kinds: f
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            tags: f.tags.unwrap_or_default(),
            licences: f.licences.unwrap_or_default(),
            language: f.language,
            visibility: f.visibility.map(Into::into),
            organisation_id: decode("organisationId", Kind::Organisation, f.organisation_id)?,
            adopted_by_group_id: decode("adoptedByGroupId", Kind::Group, f.adopted_by_group_id)?,
            statuses: f
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        let db = ctx.db()?;
        let order: Option<Order> = order_by.map(Into::into);
        let s = Search::new(db, &access, search.as_deref(), filter, order).await?;
        let page = search::page(db, &access, &s, &args).await?;
        Ok(ResourceConnection::new(
            page.map(Resource),
            Total::ResourceSearch(Box::new(s)),
        ))
    }
}
