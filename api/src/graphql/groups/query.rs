use async_graphql::{Context, Object, Result};

use super::{
    inputs::{GroupFilter, GroupOrder},
    types::{Group, GroupConnection},
};
use crate::{
    domain::{authz, groups, pagination::PageArgs},
    error::AppError,
    graphql::{
        connection::Total,
        context::{ContextExt, access},
    },
};

#[derive(Default)]
pub struct GroupQuery;

#[Object]
impl GroupQuery {
    /// A group by slug. NOT_FOUND both when it does not exist and when the viewer may not see
    /// it, so existence is never revealed.
    async fn group(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Group>> {
        let slug = slug.trim().to_lowercase();
        // A group's detail with its meetings: the group, its cluster and the page are one
        // statement (the nested `meetings` finds its page in the loaders' cache, once the
        // group has been checked).
        let loaders = ctx.loaders()?;
        let ahead = crate::graphql::meetings::fields::meetings_page_ahead(&ctx.look_ahead());
        let found = match ahead {
            Some(key) => {
                crate::graphql::loaders::meetings::group_with_meetings(ctx.db()?, &slug, &key)
                    .await?
                    .map(|(g, c, page)| (g, c, Some((key, page))))
            }
            None => groups::core::by_slug_with_cluster(ctx.db()?, &slug)
                .await?
                .map(|(g, c)| (g, c, None)),
        };
        let access = access(ctx).await?;
        let Some((g, cluster, page)) =
            found.filter(|(g, c, _)| authz::can_see_group(&access, g, &c.path))
        else {
            return Err(AppError::not_found("group").into());
        };
        if let Some((key, page)) = page {
            crate::graphql::loaders::meetings::feed_meeting_page(loaders, g.id, key, page).await;
        }
        // Nested fields ask the loaders for these two again: answer from this statement.
        loaders.feed_seen_group(g.clone(), cluster).await;
        Ok(Some(Group(g)))
    }

    /// The group directory: every group the viewer may see (anonymous callers: PUBLIC ones).
    #[allow(clippy::too_many_arguments)] // the GraphQL arguments of the field
    async fn groups(
        &self,
        ctx: &Context<'_>,
        filter: Option<GroupFilter>,
        order_by: Option<GroupOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<GroupConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let order = order_by.unwrap_or_default().into_domain();
        let access = access(ctx).await?;
        let page = groups::directory(ctx.db()?, &access, &filter, order, &args).await?;
        Ok(GroupConnection::new(
            page.map(Group),
            Total::Directory(filter),
        ))
    }
}
