use async_graphql::{ID, InputObject, MaybeUndefined};

use crate::graphql::enums::{OrganisationKind, Role};

#[derive(InputObject)]
pub struct CreateOrganisationInput {
    pub slug: String,
    pub name: String,
    #[graphql(default_with = "OrganisationKind::Umbrella")]
    pub kind: OrganisationKind,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct CreateClusterInput {
    pub organisation_id: ID,
    /// Leave out for a top-level cluster.
    pub parent_id: Option<ID>,
    pub name: String,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateClusterInput {
    pub cluster_id: ID,
    pub expected_version: i32,
    pub name: Option<String>,
    /// null clears it.
    pub description: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct MoveClusterInput {
    pub cluster_id: ID,
    /// The new parent; null moves the cluster to the top level.
    pub parent_id: Option<ID>,
    pub expected_version: i32,
}

#[derive(InputObject)]
pub struct GrantRoleInput {
    /// Who receives the role: give `personId` or `personEmail`.
    pub person_id: Option<ID>,
    pub person_email: Option<String>,
    pub role: Role,
    pub organisation_id: ID,
    /// Leave out to grant on the whole organisation.
    pub cluster_id: Option<ID>,
}

#[derive(InputObject)]
pub struct RevokeRoleInput {
    pub role_grant_id: ID,
}
