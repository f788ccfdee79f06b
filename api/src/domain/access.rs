//! What the viewer holds: their role grants and current memberships, loaded once per request
//! in one statement and consulted by every rule in `authz`.

use std::{collections::HashSet, sync::Arc};

use entity::{MembershipRole, MembershipStatus, Role};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The viewer's rights for one request, kept in the request's data: loaded once (with the
/// session check, when a token came), reused by every resolver and loader, and read again
/// after a mutation that changed them.
#[derive(Debug)]
pub struct Rights {
    /// The person and session a verified token names; None for an anonymous caller.
    of: Option<(Uuid, Uuid)>,
    /// Held under the lock while loading, so concurrent resolvers wait for one statement
    /// instead of each sending their own.
    cached: Mutex<Option<Arc<Access>>>,
}

impl Rights {
    pub fn anonymous() -> Self {
        Self {
            of: None,
            cached: Mutex::new(Some(Arc::new(Access::anonymous()))),
        }
    }

    /// The rights of a signed-in person, or `None` when the token no longer stands for anyone
    /// (see `Access::load`).
    pub async fn signed_in(
        db: &impl ConnectionTrait,
        person_id: Uuid,
        session_id: Uuid,
    ) -> AppResult<Option<Self>> {
        Ok(Access::load(db, person_id, session_id)
            .await?
            .map(|access| Self {
                of: Some((person_id, session_id)),
                cached: Mutex::new(Some(Arc::new(access))),
            }))
    }

    pub async fn get(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Access>> {
        let mut cached = self.cached.lock().await;
        if let Some(access) = cached.as_ref() {
            return Ok(access.clone());
        }
        let access = match self.of {
            Some((person, session)) => Arc::new(
                Access::load(db, person, session)
                    .await?
                    .ok_or_else(|| AppError::Unauthenticated("the session has ended".to_owned()))?,
            ),
            None => Arc::new(Access::anonymous()),
        };
        *cached = Some(access.clone());
        Ok(access)
    }

    /// After a mutation that changed the viewer's own grants or memberships: the rest of the
    /// request (the payload, later mutations) must see the new rights, not the old ones.
    pub async fn forget(&self) {
        *self.cached.lock().await = None;
    }
}

#[derive(Debug, Clone)]
pub struct GrantRef {
    pub role: Role,
    pub organisation_id: Uuid,
    /// None: the whole organisation.
    pub cluster_id: Option<Uuid>,
    /// The granted cluster's materialised path; descendants share it as a prefix.
    pub cluster_path: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MembershipRef {
    pub group_id: Uuid,
    pub organisation_id: Uuid,
    pub role: MembershipRole,
    pub status: MembershipStatus,
    /// The group's time zone, read along (check-ins need the group's calendar day).
    pub timezone: String,
}

#[derive(Debug, Clone, Default)]
pub struct Access {
    pub person_id: Option<Uuid>,
    pub grants: Vec<GrantRef>,
    /// Only current memberships (pending, waitlisted, active, paused).
    pub memberships: Vec<MembershipRef>,
}

impl Access {
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// The rights of a signed-in person, or `None` when the token no longer stands for
    /// anyone: the person is gone, or the session it was issued in has ended (signed out,
    /// or revoked when a refresh token was reused).
    pub async fn load(
        db: &impl ConnectionTrait,
        person_id: Uuid,
        session_id: Uuid,
    ) -> AppResult<Option<Self>> {
        let backend = db.get_database_backend();
        let p: Vec<String> = (1..=4)
            .map(|i| match backend {
                DatabaseBackend::Postgres => format!("${i}"),
                _ => "?".to_owned(),
            })
            .collect();
        // One statement for the session check and both halves of the rights keeps every
        // signed-in request's fixed cost at one query. The 'S' row exists only while the
        // person exists and their session is live.
        let sql = format!(
            "SELECT 'G' AS kind, rg.role AS role, rg.organisation_id AS organisation_id, \
                    rg.cluster_id AS cluster_id, c.path AS path, NULL AS group_id, NULL AS status, \
                    NULL AS timezone \
             FROM role_grants rg LEFT JOIN clusters c ON c.id = rg.cluster_id \
             WHERE rg.person_id = {p1} \
             UNION ALL \
             SELECT 'M', m.role, g.organisation_id, g.cluster_id, NULL, m.group_id, m.status, \
                    g.timezone \
             FROM memberships m JOIN \"groups\" g ON g.id = m.group_id \
             WHERE m.person_id = {p2} AND m.status IN ('PENDING', 'WAITLISTED', 'ACTIVE', 'PAUSED') \
             UNION ALL \
             SELECT 'S', '', p.id, NULL, NULL, NULL, NULL, NULL \
             FROM people p \
             WHERE p.id = {p3} AND EXISTS (SELECT 1 FROM refresh_tokens rt \
                 WHERE rt.family_id = {p4} AND rt.person_id = p.id AND rt.revoked_at IS NULL)",
            p1 = p[0],
            p2 = p[1],
            p3 = p[2],
            p4 = p[3],
        );
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    person_id.into(),
                    person_id.into(),
                    person_id.into(),
                    session_id.into(),
                ],
            ))
            .await?;
        let mut access = Self {
            person_id: Some(person_id),
            ..Self::default()
        };
        let mut live = false;
        for row in rows {
            let kind: String = row.try_get("", "kind")?;
            if kind == "S" {
                live = true;
                continue;
            }
            let role: String = row.try_get("", "role")?;
            let organisation_id: Uuid = row.try_get("", "organisation_id")?;
            if kind == "G" {
                let Some(role) = parse_role(&role) else {
                    continue;
                };
                access.grants.push(GrantRef {
                    role,
                    organisation_id,
                    cluster_id: row.try_get("", "cluster_id")?,
                    cluster_path: row.try_get("", "path")?,
                });
            } else {
                let status: String = row.try_get("", "status")?;
                let (Some(role), Some(status)) = (
                    parse_membership_role(&role),
                    parse_membership_status(&status),
                ) else {
                    continue;
                };
                access.memberships.push(MembershipRef {
                    group_id: row.try_get("", "group_id")?,
                    organisation_id,
                    role,
                    status,
                    timezone: row.try_get("", "timezone")?,
                });
            }
        }
        Ok(live.then_some(access))
    }

    pub fn is_signed_in(&self) -> bool {
        self.person_id.is_some()
    }

    /// Organisations the person is part of: through a grant, or as an active (or paused)
    /// member of one of its groups. Someone still waiting or applying is not in yet.
    pub fn organisations(&self) -> HashSet<Uuid> {
        self.grants
            .iter()
            .map(|g| g.organisation_id)
            .chain(
                self.memberships
                    .iter()
                    .filter(|m| {
                        matches!(
                            m.status,
                            MembershipStatus::Active | MembershipStatus::Paused
                        )
                    })
                    .map(|m| m.organisation_id),
            )
            .collect()
    }

    pub fn membership(&self, group_id: Uuid) -> Option<&MembershipRef> {
        self.memberships.iter().find(|m| m.group_id == group_id)
    }

    pub fn is_active_member(&self, group_id: Uuid) -> bool {
        self.membership(group_id)
            .is_some_and(|m| m.status == MembershipStatus::Active)
    }

    /// Active facilitator or co-facilitator of the group.
    pub fn runs_group(&self, group_id: Uuid) -> bool {
        self.membership(group_id)
            .is_some_and(|m| m.status == MembershipStatus::Active && m.role.runs_group())
    }

    pub fn is_facilitator(&self, group_id: Uuid) -> bool {
        self.membership(group_id).is_some_and(|m| {
            m.status == MembershipStatus::Active && m.role == MembershipRole::Facilitator
        })
    }

    /// A grant with one of `roles` that covers a place in `organisation_id`: the organisation
    /// itself (`cluster_path: None`) or a cluster with that path. Cluster grants cascade down.
    pub fn has_role_covering(
        &self,
        roles: &[Role],
        organisation_id: Uuid,
        cluster_path: Option<&str>,
    ) -> bool {
        self.grants.iter().any(|g| {
            g.organisation_id == organisation_id
                && roles.contains(&g.role)
                && match (&g.cluster_path, cluster_path) {
                    (None, _) => true,
                    (Some(granted), Some(target)) => target.starts_with(granted.as_str()),
                    (Some(_), None) => false,
                }
        })
    }

    pub fn is_admin_of(&self, organisation_id: Uuid) -> bool {
        self.has_role_covering(&[Role::Admin], organisation_id, None)
    }

    /// Any grant at all inside the organisation (used for visibility of PRIVATE things).
    pub fn has_any_grant_covering(&self, organisation_id: Uuid, cluster_path: &str) -> bool {
        self.has_role_covering(
            &[
                Role::Admin,
                Role::Coordinator,
                Role::Trainer,
                Role::Curator,
                Role::Analyst,
            ],
            organisation_id,
            Some(cluster_path),
        )
    }
}

fn parse_role(s: &str) -> Option<Role> {
    use sea_orm::ActiveEnum;
    Role::try_from_value(&s.to_owned()).ok()
}

fn parse_membership_role(s: &str) -> Option<MembershipRole> {
    use sea_orm::ActiveEnum;
    MembershipRole::try_from_value(&s.to_owned()).ok()
}

fn parse_membership_status(s: &str) -> Option<MembershipStatus> {
    use sea_orm::ActiveEnum;
    MembershipStatus::try_from_value(&s.to_owned()).ok()
}
