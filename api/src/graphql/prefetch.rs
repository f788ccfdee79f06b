//! Pages below a page, read by the resolver of the page above. Left to themselves, the nodes
//! of a list each ask the loaders for their own page, and the loader sends what arrived within
//! its delay: on a busy machine a pass over a long list outlasts the delay and a level goes out
//! as two or three statements. Here the connection whose nodes ask for pages of their own reads
//! all of them with one `load_many` per level, so each level is one statement however the
//! executor schedules the nodes; the nodes' fields then find their pages in the loaders' cache.
//! The keys are the ones the fields make themselves, read ahead from the same selection.

use async_graphql::{Context, Lookahead};
use entity::{cluster, group};

use crate::{
    domain::{authz, pagination::Page},
    error::AppResult,
    graphql::{
        context::{ContextExt, access},
        loaders::{GroupPageKey, meetings::MeetingPageKey},
        meetings::fields::meetings_page_ahead,
        umbrella::types::groups_page_ahead,
    },
};

/// The selection of each node of the connection a resolver returns.
fn nodes<'a>(connection: &Lookahead<'a>) -> Lookahead<'a> {
    connection.field("edges").field("node")
}

/// `Organisation.clusters`, `Cluster.children`: the `groups` page of every cluster on `page`,
/// and the pages below those groups.
pub async fn below_clusters(ctx: &Context<'_>, page: &Page<cluster::Model>) -> AppResult<()> {
    let connection = ctx.look_ahead();
    let cluster = nodes(&connection);
    // The selection is the same for every cluster: read once, the key made per cluster.
    let Some(key) = groups_page_ahead(&cluster, uuid::Uuid::nil()) else {
        return Ok(());
    };
    let keys: Vec<_> = page
        .items
        .iter()
        .map(|(_, c)| GroupPageKey {
            cluster: c.id,
            ..key.clone()
        })
        .collect();
    if keys.is_empty() {
        return Ok(());
    }
    let pages = ctx.loaders()?.pages.load_many(keys).await?;
    let groups: Vec<&group::Model> = pages.values().flat_map(Page::rows).collect();
    below_groups(ctx, &cluster.field("groups"), &groups).await
}

/// `Cluster.groups` (and the clusters above it): the `meetings` page of every group on a page
/// whose meetings the viewer may read (its insiders, the rule the field itself applies before
/// it hands a page out; no other group's meetings are read).
pub async fn below_groups(
    ctx: &Context<'_>,
    connection: &Lookahead<'_>,
    groups: &[&group::Model],
) -> AppResult<()> {
    let Some(key) = meetings_page_ahead(&nodes(connection)) else {
        return Ok(());
    };
    let access = access(ctx).await?;
    if !access.is_signed_in() {
        return Ok(());
    }
    let loaders = ctx.loaders()?;
    let clusters = loaders
        .clusters
        .load_many(groups.iter().map(|g| g.cluster_id))
        .await?;
    let mut keys = Vec::new();
    for g in groups {
        let Some(c) = clusters.get(&g.cluster_id) else {
            continue;
        };
        let is_insider = authz::is_insider(&access, g, &c.path);
        // The meetings' own fields ask again for each meeting: they find the answer kept.
        loaders.remember_insider(g.id, is_insider);
        if is_insider {
            keys.push(MeetingPageKey {
                group: g.id,
                ..key.clone()
            });
        }
    }
    if !keys.is_empty() {
        loaders.pages.load_many(keys).await?;
    }
    Ok(())
}
