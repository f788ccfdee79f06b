use async_graphql::{Context, Object, Result, SimpleObject};

use super::{
    inputs::{
        CreateClusterInput, CreateOrganisationInput, GrantRoleInput, MoveClusterInput,
        RevokeRoleInput, UpdateClusterInput,
    },
    types::{Cluster, Organisation, RoleGrant},
};
use crate::{
    domain::{
        grants::{self, Grantee, NewGrant},
        umbrella::{self, ClusterPatch, NewCluster, NewOrganisation},
    },
    error::AppError,
    graphql::{
        context::{ContextExt, access, signed_in},
        ids::{self, Kind},
    },
};

#[derive(Default)]
pub struct UmbrellaMutation;

#[derive(SimpleObject)]
pub struct CreateOrganisationPayload {
    pub organisation: Organisation,
}

#[derive(SimpleObject)]
pub struct CreateClusterPayload {
    pub cluster: Cluster,
}

#[derive(SimpleObject)]
pub struct UpdateClusterPayload {
    pub cluster: Cluster,
}

#[derive(SimpleObject)]
pub struct MoveClusterPayload {
    pub cluster: Cluster,
}

#[derive(SimpleObject)]
pub struct GrantRolePayload {
    pub role_grant: RoleGrant,
}

#[derive(SimpleObject)]
pub struct RevokeRolePayload {
    /// The grant as it was before it was removed.
    pub role_grant: RoleGrant,
}

#[Object]
impl UmbrellaMutation {
    /// Starts an organisation; the caller becomes its first ADMIN.
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganisationInput,
    ) -> Result<CreateOrganisationPayload> {
        let access = access(ctx).await?;
        let org = umbrella::create_organisation(
            ctx.db()?,
            &access,
            NewOrganisation {
                slug: input.slug,
                name: input.name,
                kind: input.kind.into(),
                description: input.description,
            },
        )
        .await?;
        crate::graphql::context::forget_access(ctx).await?;
        Ok(CreateOrganisationPayload {
            organisation: Organisation(org),
        })
    }

    /// ADMIN anywhere in the organisation; COORDINATOR below a cluster they hold.
    async fn create_cluster(
        &self,
        ctx: &Context<'_>,
        input: CreateClusterInput,
    ) -> Result<CreateClusterPayload> {
        let access = signed_in(ctx).await?;
        let cluster = umbrella::create_cluster(
            ctx.db()?,
            &access,
            NewCluster {
                organisation_id: ids::decode(
                    Kind::Organisation,
                    "organisationId",
                    &input.organisation_id,
                )?,
                parent_id: input
                    .parent_id
                    .map(|id| ids::decode(Kind::Cluster, "parentId", &id))
                    .transpose()?,
                name: input.name,
                description: input.description,
            },
        )
        .await?;
        Ok(CreateClusterPayload {
            cluster: Cluster(cluster),
        })
    }

    async fn update_cluster(
        &self,
        ctx: &Context<'_>,
        input: UpdateClusterInput,
    ) -> Result<UpdateClusterPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Cluster, "clusterId", &input.cluster_id)?;
        let patch = ClusterPatch {
            name: input.name,
            description: match input.description {
                async_graphql::MaybeUndefined::Undefined => None,
                async_graphql::MaybeUndefined::Null => Some(None),
                async_graphql::MaybeUndefined::Value(d) => Some(Some(d)),
            },
        };
        let cluster =
            umbrella::update_cluster(ctx.db()?, &access, id, input.expected_version, patch).await?;
        Ok(UpdateClusterPayload {
            cluster: Cluster(cluster),
        })
    }

    /// Moves a cluster with everything below it. Moving into its own subtree is refused.
    async fn move_cluster(
        &self,
        ctx: &Context<'_>,
        input: MoveClusterInput,
    ) -> Result<MoveClusterPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Cluster, "clusterId", &input.cluster_id)?;
        let parent = input
            .parent_id
            .map(|p| ids::decode(Kind::Cluster, "parentId", &p))
            .transpose()?;
        let cluster =
            umbrella::move_cluster(ctx.db()?, &access, id, parent, input.expected_version).await?;
        Ok(MoveClusterPayload {
            cluster: Cluster(cluster),
        })
    }

    /// ADMIN grants any role in the organisation; a COORDINATOR grants non-admin roles on
    /// clusters within their own subtree.
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        input: GrantRoleInput,
    ) -> Result<GrantRolePayload> {
        let access = signed_in(ctx).await?;
        let grantee = match (input.person_id, input.person_email) {
            (Some(id), None) => Grantee::Id(ids::decode(Kind::Person, "personId", &id)?),
            (None, Some(email)) => Grantee::Email(email),
            _ => {
                return Err(AppError::bad_input(
                    "personId",
                    "give exactly one of personId and personEmail",
                )
                .into());
            }
        };
        let grant = grants::grant_role(
            ctx.db()?,
            &access,
            NewGrant {
                grantee,
                role: input.role.into(),
                organisation_id: ids::decode(
                    Kind::Organisation,
                    "organisationId",
                    &input.organisation_id,
                )?,
                cluster_id: input
                    .cluster_id
                    .map(|c| ids::decode(Kind::Cluster, "clusterId", &c))
                    .transpose()?,
            },
        )
        .await?;
        crate::graphql::context::forget_access(ctx).await?;
        Ok(GrantRolePayload {
            role_grant: RoleGrant(grant),
        })
    }

    async fn revoke_role(
        &self,
        ctx: &Context<'_>,
        input: RevokeRoleInput,
    ) -> Result<RevokeRolePayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::RoleGrant, "roleGrantId", &input.role_grant_id)?;
        let grant = grants::revoke_role(ctx.db()?, &access, id).await?;
        crate::graphql::context::forget_access(ctx).await?;
        Ok(RevokeRolePayload {
            role_grant: RoleGrant(grant),
        })
    }
}
