//! Organisations and their cluster tree. Batch reads for lists and loaders are `reads`.

pub mod reads;

use chrono::Utc;
use entity::{OrganisationKind, Role, cluster, organisation, person, role_grant};
use sea_orm::TransactionSession as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    access::Access,
    accounts::insert_person,
    authz::{self, manages_place, require_person},
    pagination::{Page, PageArgs, Sort, page_and_total},
    values::{Email, Password, Slug, optional_text, sort_key, text},
};
use crate::{
    auth::PasswordHasher,
    error::{AppError, AppResult},
};

/// Clusters nest to any practical depth; the cap keeps paths bounded.
pub const MAX_CLUSTER_DEPTH: i32 = 32;

pub struct NewOrganisation {
    pub slug: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub description: Option<String>,
}

/// Any signed-in person may start an organisation; they become its first ADMIN.
pub async fn create_organisation(
    db: &impl TransactionTrait,
    access: &Access,
    input: NewOrganisation,
) -> AppResult<organisation::Model> {
    let person_id = require_person(access)?;
    let txn = super::begin(db).await?;
    let org = insert_organisation(&txn, input).await?;
    insert_grant(&txn, person_id, Role::Admin, org.id, None, Some(person_id)).await?;
    txn.commit().await?;
    Ok(org)
}

pub struct NewAdmin {
    pub org_slug: String,
    pub org_name: String,
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// Bootstraps an umbrella and its first ADMIN (the `create-admin` command). The email must
/// not belong to an account yet: existing people are made admins with `grantRole`.
pub async fn create_umbrella_with_admin(
    db: &impl TransactionTrait,
    hasher: &PasswordHasher,
    input: NewAdmin,
) -> AppResult<(organisation::Model, person::Model)> {
    let email = Email::parse("email", &input.email)?;
    let password = Password::parse("password", &input.password)?;
    let display_name = text("displayName", &input.display_name, 80)?;
    let hash = hasher.hash(password.into_inner()).await?;
    let txn = super::begin(db).await?;
    let taken = person::Entity::find()
        .filter(person::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
        .is_some();
    if taken {
        return Err(AppError::conflict(
            "an account with this email already exists; grant it ADMIN with grantRole instead",
        ));
    }
    let org = insert_organisation(
        &txn,
        NewOrganisation {
            slug: input.org_slug,
            name: input.org_name,
            kind: OrganisationKind::Umbrella,
            description: None,
        },
    )
    .await?;
    let admin = insert_person(&txn, email, display_name, hash, "UTC".into(), "en".into()).await?;
    insert_grant(&txn, admin.id, Role::Admin, org.id, None, None).await?;
    txn.commit().await?;
    Ok((org, admin))
}

pub async fn insert_organisation(
    db: &impl ConnectionTrait,
    input: NewOrganisation,
) -> AppResult<organisation::Model> {
    let slug = Slug::parse("slug", &input.slug)?.into_inner();
    let name = text("name", &input.name, 200)?;
    let description = optional_text("description", input.description.as_deref(), 5000)?;
    if organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(slug.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(format!("the slug `{slug}` is taken")));
    }
    let now = Utc::now();
    Ok(organisation::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug),
        sort_name: Set(sort_key(&name)),
        name: Set(name),
        kind: Set(input.kind),
        description: Set(description),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub async fn insert_grant(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    role: Role,
    organisation_id: Uuid,
    cluster_id: Option<Uuid>,
    granted_by: Option<Uuid>,
) -> AppResult<role_grant::Model> {
    Ok(role_grant::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person_id),
        role: Set(role),
        organisation_id: Set(organisation_id),
        cluster_id: Set(cluster_id),
        scope_id: Set(cluster_id.unwrap_or(organisation_id)),
        granted_by: Set(granted_by),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

pub async fn find_cluster(db: &impl ConnectionTrait, id: Uuid) -> AppResult<cluster::Model> {
    cluster::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("cluster"))
}

pub async fn find_organisation(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<organisation::Model> {
    organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("organisation"))
}

pub struct NewCluster {
    pub organisation_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
}

/// ADMIN of the organisation anywhere; a COORDINATOR below a cluster they hold.
pub async fn create_cluster(
    db: &impl TransactionTrait,
    access: &Access,
    input: NewCluster,
) -> AppResult<cluster::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let org = lock_tree(&txn, input.organisation_id).await?;
    let parent = match input.parent_id {
        Some(pid) => {
            let parent = find_cluster(&txn, pid).await?;
            if parent.organisation_id != org.id {
                return Err(AppError::bad_input(
                    "parentId",
                    "the parent belongs to another organisation",
                ));
            }
            Some(parent)
        }
        None => None,
    };
    let parent_path = parent.as_ref().map(|p| p.path.as_str());
    if !manages_place(access, org.id, parent_path) {
        return Err(AppError::forbidden("you may not create clusters here"));
    }
    let depth = parent.as_ref().map_or(0, |p| p.depth + 1);
    if depth >= MAX_CLUSTER_DEPTH {
        return Err(AppError::bad_input(
            "parentId",
            format!("clusters nest at most {MAX_CLUSTER_DEPTH} deep"),
        ));
    }
    let created = insert_cluster(
        &txn,
        &org,
        parent.as_ref(),
        &input.name,
        input.description.as_deref(),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Changes to an organisation's cluster tree run one at a time: the organisation row is
/// locked for the transaction on PostgreSQL (SQLite write transactions are serial already).
/// Otherwise two crossing moves could both pass the cycle check, or a new child could take
/// the path its parent had before a move.
pub(super) async fn lock_tree(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
) -> AppResult<organisation::Model> {
    use sea_orm::QuerySelect;
    organisation::Entity::find_by_id(organisation_id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("organisation"))
}

pub async fn insert_cluster(
    db: &impl ConnectionTrait,
    org: &organisation::Model,
    parent: Option<&cluster::Model>,
    name: &str,
    description: Option<&str>,
) -> AppResult<cluster::Model> {
    let name = text("name", name, 200)?;
    let description = optional_text("description", description, 5000)?;
    let id = Uuid::now_v7();
    let now = Utc::now();
    Ok(cluster::ActiveModel {
        id: Set(id),
        organisation_id: Set(org.id),
        parent_id: Set(parent.map(|p| p.id)),
        sort_name: Set(sort_key(&name)),
        name: Set(name),
        description: Set(description),
        path: Set(format!("{}{id}/", parent.map_or("/", |p| p.path.as_str()))),
        depth: Set(parent.map_or(0, |p| p.depth + 1)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub struct ClusterPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
}

/// Managers of the cluster (ADMIN, or COORDINATOR of it or an ancestor).
pub async fn update_cluster(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
    expected_version: i32,
    patch: ClusterPatch,
) -> AppResult<cluster::Model> {
    require_person(access)?;
    let current = find_cluster(db, id).await?;
    authz::check(
        true,
        manages_place(access, current.organisation_id, Some(&current.path)),
        "cluster",
        "change this cluster",
    )?;
    let name = match patch.name {
        Some(n) => text("name", &n, 200)?,
        None => current.name.clone(),
    };
    let description = match patch.description {
        Some(d) => optional_text("description", d.as_deref(), 5000)?,
        None => current.description.clone(),
    };
    let updated = cluster::Entity::update_many()
        .col_expr(cluster::Column::SortName, Expr::value(sort_key(&name)))
        .col_expr(cluster::Column::Name, Expr::value(name))
        .col_expr(cluster::Column::Description, Expr::value(description))
        .col_expr(cluster::Column::Version, Expr::value(expected_version + 1))
        .col_expr(cluster::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(cluster::Column::Id.eq(id))
        .filter(cluster::Column::Version.eq(expected_version))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::stale_version("the cluster"));
    }
    find_cluster(db, id).await
}

/// Moves a cluster (and its whole subtree) under a new parent, or to the top level.
/// The mover must manage both the old and the new parent; a cluster cannot move into itself
/// or its own descendants.
pub async fn move_cluster(
    db: &impl TransactionTrait,
    access: &Access,
    id: Uuid,
    new_parent_id: Option<Uuid>,
    expected_version: i32,
) -> AppResult<cluster::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let organisation_id = find_cluster(&txn, id).await?.organisation_id;
    lock_tree(&txn, organisation_id).await?;
    // Read again under the lock: a move that just committed may have changed it.
    let cluster = find_cluster(&txn, id).await?;
    let old_parent_path = parent_path_of(&cluster);
    if !manages_place(access, cluster.organisation_id, old_parent_path.as_deref()) {
        return Err(AppError::forbidden("you may not move this cluster"));
    }
    if expected_version != cluster.version {
        return Err(AppError::stale_version("the cluster"));
    }
    let new_parent = match new_parent_id {
        Some(pid) => Some(find_cluster(&txn, pid).await?),
        None => None,
    };
    if let Some(parent) = &new_parent {
        if parent.organisation_id != cluster.organisation_id {
            return Err(AppError::bad_input(
                "parentId",
                "clusters cannot move between organisations",
            ));
        }
        if parent.path.starts_with(&cluster.path) {
            return Err(AppError::bad_input(
                "parentId",
                "a cluster cannot move into itself or one of its own sub-clusters",
            ));
        }
    }
    let new_parent_path = new_parent.as_ref().map(|p| p.path.as_str());
    if !manages_place(access, cluster.organisation_id, new_parent_path) {
        return Err(AppError::forbidden(
            "you may not move clusters to that place",
        ));
    }
    let new_path = format!("{}{}/", new_parent_path.unwrap_or("/"), cluster.id);
    let depth_shift = new_parent.as_ref().map_or(0, |p| p.depth + 1) - cluster.depth;
    let subtree = cluster::Entity::find()
        .filter(cluster::Column::Path.starts_with(cluster.path.as_str()))
        .all(&txn)
        .await?;
    if subtree
        .iter()
        .any(|c| c.depth + depth_shift >= MAX_CLUSTER_DEPTH)
    {
        return Err(AppError::bad_input(
            "parentId",
            format!("clusters nest at most {MAX_CLUSTER_DEPTH} deep"),
        ));
    }
    for node in subtree {
        let mut update = cluster::Entity::update_many()
            .col_expr(
                cluster::Column::Path,
                Expr::value(format!("{new_path}{}", &node.path[cluster.path.len()..])),
            )
            .col_expr(
                cluster::Column::Depth,
                Expr::value(node.depth + depth_shift),
            )
            .filter(cluster::Column::Id.eq(node.id));
        if node.id == cluster.id {
            update = update
                .col_expr(
                    cluster::Column::ParentId,
                    Expr::value(new_parent.as_ref().map(|p| p.id)),
                )
                .col_expr(cluster::Column::Version, Expr::value(expected_version + 1))
                .col_expr(cluster::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(cluster::Column::Version.eq(expected_version));
        }
        if update.exec(&txn).await?.rows_affected == 0 {
            return Err(AppError::stale_version("the cluster"));
        }
    }
    let moved = find_cluster(&txn, id).await?;
    txn.commit().await?;
    Ok(moved)
}

fn parent_path_of(cluster: &cluster::Model) -> Option<String> {
    let own = format!("{}/", cluster.id);
    cluster
        .path
        .strip_suffix(&own)
        .filter(|p| *p != "/")
        .map(str::to_owned)
}

/// An organisation by its slug (any case); organisations are public.
pub async fn organisation_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> AppResult<Option<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(slug.trim().to_lowercase()))
        .one(db)
        .await?)
}

/// Every organisation, by name.
pub async fn organisations(
    db: &impl ConnectionTrait,
    args: &PageArgs,
) -> AppResult<(Page<organisation::Model>, u64)> {
    let sort = Sort {
        key: Some(organisation::Column::SortName),
        id: organisation::Column::Id,
        descending: false,
    };
    page_and_total(db, organisation::Entity::find(), &sort, args).await
}
