//! Who may see and do what with organisations, clusters, groups and memberships.
//! Every path that reaches one of these objects (typed fields, `node(id:)`, mutations) asks here.

use entity::{MembershipStatus, Role, Visibility, group, membership};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ColumnTrait, Condition, DatabaseBackend,
    sea_query::{Expr, Query},
};
use uuid::Uuid;

use super::{access::Access, in_ids};
use crate::error::{AppError, AppResult};

const MANAGERS: &[Role] = &[Role::Admin, Role::Coordinator];

pub fn require_person(access: &Access) -> AppResult<Uuid> {
    access.person_id.ok_or_else(AppError::unauthenticated)
}

/// Managers of a place: ADMIN of the organisation, or a COORDINATOR whose cluster contains it.
/// `cluster_path: None` is the organisation's root, which only admins manage.
pub fn manages_place(access: &Access, organisation_id: Uuid, cluster_path: Option<&str>) -> bool {
    access.has_role_covering(MANAGERS, organisation_id, cluster_path)
}

pub fn manages_group(access: &Access, group: &group::Model, cluster_path: &str) -> bool {
    manages_place(access, group.organisation_id, Some(cluster_path))
}

pub fn can_see_group(access: &Access, group: &group::Model, cluster_path: &str) -> bool {
    match group.visibility {
        Visibility::Public => true,
        Visibility::Network => {
            access.organisations().contains(&group.organisation_id)
                || access.membership(group.id).is_some()
        }
        Visibility::Private => {
            access.membership(group.id).is_some()
                || access.has_any_grant_covering(group.organisation_id, cluster_path)
        }
    }
}

/// Sees what only the group itself should: the conference link, an exact address when the
/// venue is approximate, the member list. Active members and the group's managers.
pub fn is_insider(access: &Access, group: &group::Model, cluster_path: &str) -> bool {
    access.is_active_member(group.id) || manages_group(access, group, cluster_path)
}

/// Facilitators run their group's settings; managers may too.
pub fn can_run_group(access: &Access, group: &group::Model, cluster_path: &str) -> bool {
    GroupScope::runnable(access).contains(group, cluster_path)
}

/// The groups one rule lets the viewer reach, as facts that either layer can use: groups by
/// id, whole organisations, and cluster subtrees (by path prefix). `contains` answers for a
/// group in hand; `condition` is the same rule as SQL, for writes that check it in the
/// statement that writes.
#[derive(Debug, Default)]
pub struct GroupScope {
    groups: Vec<Uuid>,
    organisations: Vec<Uuid>,
    cluster_paths: Vec<(Uuid, String)>,
}

impl GroupScope {
    /// Who runs a group: its active facilitators and co-facilitators, and its managers
    /// (ADMINs of the organisation, COORDINATORs of a cluster containing it).
    pub fn runnable(access: &Access) -> Self {
        let mut scope = Self {
            groups: access
                .memberships
                .iter()
                .filter(|m| m.status == MembershipStatus::Active && m.role.runs_group())
                .map(|m| m.group_id)
                .collect(),
            ..Self::default()
        };
        for g in access.grants.iter().filter(|g| MANAGERS.contains(&g.role)) {
            match &g.cluster_path {
                None => scope.organisations.push(g.organisation_id),
                Some(path) => scope.cluster_paths.push((g.organisation_id, path.clone())),
            }
        }
        scope
    }

    pub fn contains(&self, group: &group::Model, cluster_path: &str) -> bool {
        self.groups.contains(&group.id)
            || self.organisations.contains(&group.organisation_id)
            || self
                .cluster_paths
                .iter()
                .any(|(org, path)| *org == group.organisation_id && cluster_path.starts_with(path))
    }

    /// The rule over a group row (`group`: its table or alias) and its cluster's path column.
    pub fn condition(
        &self,
        backend: DatabaseBackend,
        group: impl sea_orm::sea_query::IntoIden + Clone,
        cluster_path: Expr,
    ) -> Condition {
        let col = |c: group::Column| Expr::col((group.clone(), c));
        let mut any = Condition::any();
        if !self.groups.is_empty() {
            any = any.add(in_ids(backend, col(group::Column::Id), &self.groups));
        }
        if !self.organisations.is_empty() {
            any = any.add(in_ids(
                backend,
                col(group::Column::OrganisationId),
                &self.organisations,
            ));
        }
        for (org, path) in &self.cluster_paths {
            any = any.add(
                Condition::all()
                    .add(col(group::Column::OrganisationId).eq(*org))
                    .add(cluster_path.clone().like(format!("{path}%"))),
            );
        }
        if self.groups.is_empty() && self.organisations.is_empty() && self.cluster_paths.is_empty()
        {
            // Nobody: an empty `any` would be true.
            any = any.add(Expr::cust("1 = 0"));
        }
        any
    }
}

/// Choosing facilitators is for the group's lead facilitator and its managers.
pub fn can_assign_roles(access: &Access, group: &group::Model, cluster_path: &str) -> bool {
    access.is_facilitator(group.id) || manages_group(access, group, cluster_path)
}

pub fn can_see_membership(
    access: &Access,
    membership: &membership::Model,
    group: &group::Model,
    cluster_path: &str,
) -> bool {
    if access.person_id == Some(membership.person_id) {
        return true;
    }
    if can_run_group(access, group, cluster_path) {
        return true;
    }
    membership.status == MembershipStatus::Active
        && (access.is_active_member(group.id)
            || (membership.role.runs_group() && can_see_group(access, group, cluster_path)))
}

/// Not found unless visible; forbidden unless also allowed.
pub fn check(visible: bool, allowed: bool, what: &str, action: &str) -> AppResult<()> {
    if !visible {
        return Err(AppError::not_found(what));
    }
    if !allowed {
        return Err(AppError::forbidden(format!("you may not {action}")));
    }
    Ok(())
}

/// The SQL form of `can_see_group`, for lists.
pub fn visible_groups(access: &Access, backend: DatabaseBackend) -> Condition {
    let mut any = Condition::any().add(group::Column::Visibility.eq(Visibility::Public));
    if !access.is_signed_in() {
        return any;
    }
    let orgs: Vec<Uuid> = access.organisations().into_iter().collect();
    if !orgs.is_empty() {
        any = any.add(
            Condition::all()
                .add(group::Column::Visibility.eq(Visibility::Network))
                .add(in_ids(
                    backend,
                    Expr::col((group::Entity, group::Column::OrganisationId)),
                    &orgs,
                )),
        );
    }
    let own: Vec<Uuid> = access.memberships.iter().map(|m| m.group_id).collect();
    if !own.is_empty() {
        any = any.add(in_ids(
            backend,
            Expr::col((group::Entity, group::Column::Id)),
            &own,
        ));
    }
    let org_wide: Vec<Uuid> = access
        .grants
        .iter()
        .filter(|g| g.cluster_id.is_none())
        .map(|g| g.organisation_id)
        .collect();
    if !org_wide.is_empty() {
        any = any.add(in_ids(
            backend,
            Expr::col((group::Entity, group::Column::OrganisationId)),
            &org_wide,
        ));
    }
    let paths: Vec<&str> = access
        .grants
        .iter()
        .filter_map(|g| g.cluster_path.as_deref())
        .collect();
    if !paths.is_empty() {
        let mut under = Condition::any();
        for path in paths {
            under = under.add(Expr::col(entity::cluster::Column::Path).like(format!("{path}%")));
        }
        let subtree = Query::select()
            .column(entity::cluster::Column::Id)
            .from(entity::cluster::Entity)
            .cond_where(under)
            .to_owned();
        any = any.add(Expr::col((group::Entity, group::Column::ClusterId)).in_subquery(subtree));
    }
    any
}

/// Aggregates about a group (attendance consistency, completion, retention): its
/// facilitators, its managers, and ANALYSTs in scope.
pub fn can_see_group_metrics(access: &Access, group: &group::Model, cluster_path: &str) -> bool {
    can_run_group(access, group, cluster_path)
        || access.has_role_covering(&[Role::Analyst], group.organisation_id, Some(cluster_path))
}
