//! Granting and revoking roles. ADMIN of the organisation may grant any role in it;
//! a COORDINATOR may grant non-admin roles on clusters inside their own subtree.

use entity::{Role, person, role_grant};
use sea_orm::TransactionSession as _;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use uuid::Uuid;

use super::{
    access::Access,
    authz::require_person,
    umbrella::{find_cluster, find_organisation, insert_grant},
    values::Email,
};
use crate::error::{AppError, AppResult};

pub enum Grantee {
    Id(Uuid),
    Email(String),
}

pub struct NewGrant {
    pub grantee: Grantee,
    pub role: Role,
    pub organisation_id: Uuid,
    pub cluster_id: Option<Uuid>,
}

/// May the viewer hand out (or take back) `role` at this scope?
fn may_grant(
    access: &Access,
    role: Role,
    organisation_id: Uuid,
    cluster_path: Option<&str>,
) -> bool {
    if access.is_admin_of(organisation_id) {
        return true;
    }
    role != Role::Admin
        && cluster_path.is_some()
        && access.has_role_covering(&[Role::Coordinator], organisation_id, cluster_path)
}

pub async fn grant_role(
    db: &impl TransactionTrait,
    access: &Access,
    input: NewGrant,
) -> AppResult<role_grant::Model> {
    let me = require_person(access)?;
    let txn = super::begin(db).await?;
    let org = find_organisation(&txn, input.organisation_id).await?;
    let cluster = match input.cluster_id {
        Some(id) => {
            let c = find_cluster(&txn, id).await?;
            if c.organisation_id != org.id {
                return Err(AppError::bad_input(
                    "clusterId",
                    "the cluster belongs to another organisation",
                ));
            }
            Some(c)
        }
        None => None,
    };
    if input.role == Role::Admin && cluster.is_some() {
        return Err(AppError::bad_input(
            "clusterId",
            "ADMIN is granted on a whole organisation, not a cluster",
        ));
    }
    if !may_grant(
        access,
        input.role,
        org.id,
        cluster.as_ref().map(|c| c.path.as_str()),
    ) {
        return Err(AppError::forbidden("you may not grant this role here"));
    }
    let grantee = match input.grantee {
        Grantee::Id(id) => person::Entity::find_by_id(id).one(&txn).await?,
        Grantee::Email(raw) => {
            let email = Email::parse("personEmail", &raw)?;
            person::Entity::find()
                .filter(person::Column::Email.eq(email.as_str()))
                .one(&txn)
                .await?
        }
    }
    .ok_or_else(|| AppError::not_found("person"))?;
    let scope_id = cluster.as_ref().map_or(org.id, |c| c.id);
    let exists = role_grant::Entity::find()
        .filter(role_grant::Column::PersonId.eq(grantee.id))
        .filter(role_grant::Column::Role.eq(input.role))
        .filter(role_grant::Column::ScopeId.eq(scope_id))
        .count(&txn)
        .await?;
    if exists > 0 {
        return Err(AppError::conflict(
            "this person already holds this role here",
        ));
    }
    let grant = insert_grant(
        &txn,
        grantee.id,
        input.role,
        org.id,
        cluster.map(|c| c.id),
        Some(me),
    )
    .await?;
    txn.commit().await?;
    Ok(grant)
}

/// Removes a grant. The last ADMIN of an organisation cannot be removed.
pub async fn revoke_role(
    db: &impl TransactionTrait,
    access: &Access,
    grant_id: Uuid,
) -> AppResult<role_grant::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let grant = role_grant::Entity::find_by_id(grant_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("role grant"))?;
    let path = match grant.cluster_id {
        Some(id) => Some(find_cluster(&txn, id).await?.path),
        None => None,
    };
    let visible = access.person_id == Some(grant.person_id)
        || access.has_role_covering(
            &[Role::Admin, Role::Coordinator],
            grant.organisation_id,
            path.as_deref(),
        );
    if !visible {
        return Err(AppError::not_found("role grant"));
    }
    if !may_grant(access, grant.role, grant.organisation_id, path.as_deref()) {
        return Err(AppError::forbidden("you may not revoke this role"));
    }
    if grant.role == Role::Admin {
        // Serialise with other revocations in this organisation, so two admins revoking each
        // other cannot both see a second admin and leave none.
        super::umbrella::lock_tree(&txn, grant.organisation_id).await?;
        let admins = role_grant::Entity::find()
            .filter(role_grant::Column::OrganisationId.eq(grant.organisation_id))
            .filter(role_grant::Column::Role.eq(Role::Admin))
            .count(&txn)
            .await?;
        if admins <= 1 {
            return Err(AppError::conflict(
                "an organisation must keep at least one ADMIN",
            ));
        }
    }
    role_grant::Entity::delete_by_id(grant.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(grant)
}

/// The viewer's own role grants, across all organisations (none for an anonymous caller).
pub async fn own(
    db: &impl sea_orm::ConnectionTrait,
    access: &Access,
) -> AppResult<Vec<role_grant::Model>> {
    let Some(me) = access.person_id else {
        return Ok(Vec::new());
    };
    Ok(role_grant::Entity::find()
        .filter(role_grant::Column::PersonId.eq(me))
        .all(db)
        .await?)
}
