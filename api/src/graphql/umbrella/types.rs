use async_graphql::{Context, ID, Lookahead, Object, Result, Union};
use chrono::{DateTime, Utc};
use entity::{cluster, organisation, role_grant};

use crate::{
    connection,
    domain::{authz, pagination::PageArgs},
    error::AppError,
    graphql::loaders::must,
    graphql::{
        accounts::types::Person,
        connection::Total,
        context::{ContextExt, access},
        enums::{OrganisationKind, Role},
        groups::types::{Group, GroupConnection},
        ids::{self, Kind},
        loaders::{
            ClusterPageKey, ClusterParent, CountKey, GrantPageKey, GrantParent, GroupPageKey,
        },
    },
};

/// An umbrella organisation, or a partner organisation that hosts groups.
#[derive(Clone)]
pub struct Organisation(pub organisation::Model);

#[Object]
impl Organisation {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Organisation, self.0.id)
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn kind(&self) -> OrganisationKind {
        self.0.kind.into()
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The organisation's clusters by name: all of them, or only the top level.
    async fn clusters(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] top_level_only: bool,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ClusterConnection> {
        let parent = ClusterParent::Organisation {
            id: self.0.id,
            top_level_only,
        };
        cluster_page(ctx, parent, PageArgs::new(first, after, last, before)?).await
    }

    /// Groups at risk of losing their certified facilitators, CRITICAL first, then by name:
    /// for managers, TRAINERs and ANALYSTs (those with cluster grants see their clusters').
    async fn groups_at_risk(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<GroupConnection> {
        use crate::graphql::training::succession::{Scope, groups_at_risk};
        let args = PageArgs::new(first, after, last, before)?;
        groups_at_risk(ctx, Scope::Organisation(self.0.id), args).await
    }

    /// Certified facilitators, active trainers, lineage depth and recent certifications: for
    /// anyone holding a grant in the organisation.
    async fn training_reach(
        &self,
        ctx: &Context<'_>,
    ) -> Result<crate::graphql::training::types::TrainingReach> {
        let access = crate::graphql::context::signed_in(ctx).await?;
        if !access.grants.iter().any(|g| g.organisation_id == self.0.id) {
            return Err(crate::error::AppError::forbidden(
                "training reach is for people with a role in the organisation",
            )
            .into());
        }
        let r = crate::domain::training::lineage::reach(ctx.db()?, self.0.id, Utc::now()).await?;
        Ok(crate::graphql::training::types::TrainingReach {
            certified_facilitators: r.certified_facilitators,
            active_trainers: r.active_trainers,
            generations: r.generations,
            certified_last_12_months: r.certified_last_12_months,
        })
    }

    /// Every role grant in the organisation (on it and on its clusters), oldest first.
    /// For its ADMINs.
    async fn role_grants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RoleGrantConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        let org = self.0.id;
        grant_page(
            ctx,
            GrantParent::Organisation(org),
            |a| a.is_admin_of(org),
            args,
        )
        .await
    }
}

/// Role grants under a place, for those who manage it.
async fn grant_page(
    ctx: &Context<'_>,
    parent: GrantParent,
    allowed: impl FnOnce(&crate::domain::access::Access) -> bool,
    args: PageArgs,
) -> Result<RoleGrantConnection> {
    let access = access(ctx).await?;
    if !access.is_signed_in() {
        return Err(AppError::unauthenticated().into());
    }
    if !allowed(&access) {
        return Err(
            AppError::forbidden("only those who manage this place see its role grants").into(),
        );
    }
    let page = ctx
        .loaders()?
        .pages
        .load_one(GrantPageKey { parent, args })
        .await?
        .unwrap_or_default();
    Ok(RoleGrantConnection::new(
        page.map(RoleGrant),
        Total::Batched(CountKey::Grants(parent)),
    ))
}

async fn cluster_page(
    ctx: &Context<'_>,
    parent: ClusterParent,
    args: PageArgs,
) -> Result<ClusterConnection> {
    let page = ctx
        .loaders()?
        .pages
        .load_one(ClusterPageKey {
            parent: parent.clone(),
            args,
        })
        .await?
        .unwrap_or_default();
    crate::graphql::prefetch::below_clusters(ctx, &page).await?;
    Ok(ClusterConnection::new(
        page.map(Cluster),
        Total::Batched(CountKey::Clusters(parent)),
    ))
}

connection!(
    RoleGrantConnection,
    RoleGrantEdge,
    RoleGrant,
    "A page of role grants."
);
connection!(
    OrganisationConnection,
    OrganisationEdge,
    Organisation,
    "A page of organisations."
);
connection!(
    ClusterConnection,
    ClusterEdge,
    Cluster,
    "A page of clusters."
);

/// A node of an organisation's tree; nests to any depth. Grants on a cluster cover
/// everything below it.
#[derive(Clone)]
pub struct Cluster(pub cluster::Model);

#[Object]
impl Cluster {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Cluster, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// 0 for a top-level cluster.
    async fn depth(&self) -> i32 {
        self.0.depth
    }

    /// Pass as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        Ok(Organisation(
            must(
                &ctx.loaders()?.organisations,
                self.0.organisation_id,
                "cluster without organisation",
            )
            .await?,
        ))
    }

    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Cluster>> {
        let Some(id) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.clusters.load_one(id).await?.map(Cluster))
    }

    /// From the top-level cluster down to this one's parent.
    async fn ancestors(&self, ctx: &Context<'_>) -> Result<Vec<Cluster>> {
        let ids = self.0.ancestor_ids();
        let found = ctx
            .loaders()?
            .clusters
            .load_many(ids.iter().copied())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id).cloned().map(Cluster))
            .collect())
    }

    /// Direct sub-clusters, by name.
    async fn children(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ClusterConnection> {
        cluster_page(
            ctx,
            ClusterParent::Cluster(self.0.id),
            PageArgs::new(first, after, last, before)?,
        )
        .await
    }

    /// Role grants on this cluster itself, oldest first. For those who manage the cluster.
    async fn role_grants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<RoleGrantConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        let (org, path) = (self.0.organisation_id, self.0.path.clone());
        let allowed =
            move |a: &crate::domain::access::Access| authz::manages_place(a, org, Some(&path));
        grant_page(ctx, GrantParent::Cluster(self.0.id), allowed, args).await
    }

    /// Groups here or anywhere below at risk of losing their certified facilitators, CRITICAL
    /// first, then by name: for managers, TRAINERs and ANALYSTs covering the cluster.
    async fn groups_at_risk(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<GroupConnection> {
        use crate::graphql::training::succession::{Scope, groups_at_risk};
        let args = PageArgs::new(first, after, last, before)?;
        groups_at_risk(ctx, Scope::Cluster(self.0.clone()), args).await
    }

    /// Groups in this cluster (or anywhere below it) that the viewer may see, by name.
    async fn groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_descendants: bool,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<GroupConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        let key = GroupPageKey {
            cluster: self.0.id,
            include_descendants,
            args,
        };
        let page = ctx
            .loaders()?
            .pages
            .load_one(key)
            .await?
            .unwrap_or_default();
        let groups: Vec<_> = page.rows().collect();
        crate::graphql::prefetch::below_groups(ctx, &ctx.look_ahead(), &groups).await?;
        Ok(GroupConnection::new(
            page.map(Group),
            Total::Batched(CountKey::ClusterGroups {
                cluster: self.0.id,
                include_descendants,
            }),
        ))
    }
}

/// The key of the one `groups` page asked in `cluster`'s selection, read ahead of the cluster
/// itself (the same key the field makes); None when there is none, several, or arguments the
/// field will refuse.
pub fn groups_page_ahead(cluster: &Lookahead<'_>, id: uuid::Uuid) -> Option<GroupPageKey> {
    let asked = cluster.field("groups").selection_fields();
    let [field] = asked.as_slice() else {
        return None;
    };
    let mut include_descendants = false;
    let args = crate::graphql::connection::page_args_ahead(field, |name, value| {
        let known = name == "includeDescendants";
        if known {
            include_descendants = matches!(value, async_graphql::Value::Boolean(true));
        }
        known
    })?;
    Some(GroupPageKey {
        cluster: id,
        include_descendants,
        args,
    })
}

/// What a role grant covers.
#[derive(Union)]
pub enum RoleScope {
    Organisation(Organisation),
    Cluster(Cluster),
}

/// A person's role in an organisation or a cluster (and everything below it).
#[derive(Clone)]
pub struct RoleGrant(pub role_grant::Model);

#[Object]
impl RoleGrant {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::RoleGrant, self.0.id)
    }

    async fn role(&self) -> Role {
        self.0.role.into()
    }

    async fn scope(&self, ctx: &Context<'_>) -> Result<RoleScope> {
        let loaders = ctx.loaders()?;
        let missing = || AppError::internal("grant scope missing");
        Ok(match self.0.cluster_id {
            Some(id) => RoleScope::Cluster(Cluster(
                loaders.clusters.load_one(id).await?.ok_or_else(missing)?,
            )),
            None => RoleScope::Organisation(Organisation(
                loaders
                    .organisations
                    .load_one(self.0.organisation_id)
                    .await?
                    .ok_or_else(missing)?,
            )),
        })
    }

    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        Ok(Person(
            must(
                &ctx.loaders()?.people,
                self.0.person_id,
                "grant without person",
            )
            .await?,
        ))
    }

    async fn granted_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
