//! Succession: is a group about to lose its certified facilitators?
//!
//! CRITICAL: no active facilitator or co-facilitator holds a valid certification.
//! AT_RISK: only one does, or one of theirs expires within 60 days, or a facilitator's load
//! is at risk (`domain::meetings::load`). Otherwise OK.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{MembershipStatus, certification::EXPIRING_SOON_DAYS, membership, named_successor};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Set,
    TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access, authz, groups::visible_group, meetings::load::LoadEntry, raw_statement,
    },
    error::{AppError, AppResult},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SuccessionRisk {
    Critical,
    AtRisk,
    Ok,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Succession {
    pub active_certified_facilitators: i32,
    pub expiring_soon: i32,
    pub trainees_in_pipeline: i32,
    /// Memberships (still active) the group has named.
    pub named_successors: Vec<Uuid>,
    pub risk: SuccessionRisk,
    pub reasons: Vec<String>,
}

/// The risk from who is certified and for how long (`best`: each certified facilitator's
/// latest valid-until), and the facilitators' load.
pub fn assess(
    best: &[DateTime<Utc>],
    load: &[LoadEntry],
    now: DateTime<Utc>,
) -> (SuccessionRisk, Vec<String>) {
    let soon = now + Duration::days(EXPIRING_SOON_DAYS);
    let expiring = best.iter().filter(|until| **until <= soon).count();
    let mut reasons = Vec::new();
    let mut risk = SuccessionRisk::Ok;
    match best.len() {
        0 => {
            risk = SuccessionRisk::Critical;
            reasons.push("no active facilitator holds a valid certification".to_owned());
        }
        1 => {
            risk = SuccessionRisk::AtRisk;
            reasons.push("only one active facilitator holds a valid certification".to_owned());
        }
        _ => {}
    }
    if expiring > 0 {
        risk = risk.min(SuccessionRisk::AtRisk);
        reasons.push(format!(
            "{expiring} facilitator certification(s) expire within {EXPIRING_SOON_DAYS} days"
        ));
    }
    for entry in load.iter().filter(|e| e.at_risk) {
        risk = risk.min(SuccessionRisk::AtRisk);
        reasons.push(format!(
            "a facilitator's load is at risk: {}",
            entry.reasons.join("; ")
        ));
    }
    (risk, reasons)
}

/// Who may read a group's succession: its facilitators, its managers, and TRAINERs and
/// ANALYSTs whose scope covers it.
pub fn may_see(access: &Access, g: &entity::group::Model, cluster_path: &str) -> bool {
    authz::can_run_group(access, g, cluster_path)
        || access.has_role_covering(
            &[entity::Role::Trainer, entity::Role::Analyst],
            g.organisation_id,
            Some(cluster_path),
        )
}

/// Who may list a place's groups at risk: managers, TRAINERs and ANALYSTs covering it.
pub fn may_list(access: &Access, organisation_id: Uuid, cluster_path: Option<&str>) -> bool {
    access.has_role_covering(
        &[
            entity::Role::Admin,
            entity::Role::Coordinator,
            entity::Role::Trainer,
            entity::Role::Analyst,
        ],
        organisation_id,
        cluster_path,
    )
}

/// Facilitators and managers name an active member to take over facilitation one day.
pub async fn name_successor(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    membership_id: Uuid,
) -> AppResult<named_successor::Model> {
    let me = authz::require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let (g, c) = visible_group(&txn, access, group_id).await?;
    authz::check(
        true,
        authz::can_run_group(access, &g, &c.path),
        "group",
        "name this group's successors",
    )?;
    let m = membership::Entity::find_by_id(membership_id)
        .one(&txn)
        .await?
        .filter(|m| m.group_id == g.id && m.status == MembershipStatus::Active)
        .ok_or_else(|| AppError::bad_input("membershipId", "not an ACTIVE member of this group"))?;
    if m.role == entity::MembershipRole::Facilitator {
        return Err(AppError::bad_input(
            "membershipId",
            "the lead facilitator cannot succeed themself",
        ));
    }
    let existing = named_successor::Entity::find()
        .filter(named_successor::Column::GroupId.eq(g.id))
        .filter(named_successor::Column::MembershipId.eq(m.id))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(AppError::conflict("this member is already named"));
    }
    let saved = named_successor::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(g.id),
        membership_id: Set(m.id),
        named_by: Set(Some(me)),
        named_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// `column IN (ids)` for raw statements: one array parameter on PostgreSQL.
pub fn in_list(
    backend: DatabaseBackend,
    column: &str,
    ids: &[Uuid],
) -> (String, Vec<sea_orm::Value>) {
    match backend {
        DatabaseBackend::Postgres => (
            format!("{column} = ANY(?)"),
            vec![sea_orm::Value::Array(
                sea_orm::sea_query::ArrayType::Uuid,
                Some(Box::new(ids.iter().map(|id| (*id).into()).collect())),
            )],
        ),
        _ => {
            let marks = vec!["?"; ids.len().max(1)].join(", ");
            let mut values: Vec<sea_orm::Value> = ids.iter().map(|id| (*id).into()).collect();
            if values.is_empty() {
                values.push(Uuid::nil().into());
            }
            (format!("{column} IN ({marks})"), values)
        }
    }
}

/// Each group's facilitators' best valid-until, per certified facilitator person.
pub async fn certified_facilitators(
    db: &impl ConnectionTrait,
    group_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, Vec<DateTime<Utc>>>> {
    let backend = db.get_database_backend();
    let (cond, mut values) = in_list(backend, "m.group_id", group_ids);
    let sql = format!(
        "SELECT m.group_id AS group_id, MAX(c.valid_until) AS best \
         FROM memberships m \
         JOIN \"groups\" g ON g.id = m.group_id \
         JOIN certifications c ON c.person_id = m.person_id \
              AND c.organisation_id = g.organisation_id \
              AND c.revoked_at IS NULL AND c.valid_until > ? \
         WHERE {cond} AND m.status = 'ACTIVE' \
           AND m.role IN ('FACILITATOR', 'CO_FACILITATOR') \
         GROUP BY m.group_id, m.person_id"
    );
    values.insert(0, now.into());
    let rows = db
        .query_all_raw(raw_statement(backend, &sql, values))
        .await?;
    let mut out: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for row in rows {
        let group: Uuid = row.try_get("", "group_id")?;
        let best: DateTime<Utc> = row.try_get("", "best")?;
        out.entry(group).or_default().push(best);
    }
    Ok(out)
}

/// Active members in training (accepted into or through a workshop of the organisation, or
/// mentored in one of its programmes) who are not certified yet, per group.
pub async fn trainees_in_pipeline(
    db: &impl ConnectionTrait,
    group_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, i32>> {
    let backend = db.get_database_backend();
    let (cond, mut values) = in_list(backend, "m.group_id", group_ids);
    let sql = format!(
        "SELECT m.group_id AS group_id, COUNT(DISTINCT m.person_id) AS n \
         FROM memberships m JOIN \"groups\" g ON g.id = m.group_id \
         WHERE {cond} AND m.status = 'ACTIVE' \
           AND (EXISTS (SELECT 1 FROM enrollments e JOIN workshops w ON w.id = e.workshop_id \
                        WHERE e.person_id = m.person_id AND w.organisation_id = g.organisation_id \
                          AND e.status IN ('ACCEPTED', 'COMPLETED')) \
                OR EXISTS (SELECT 1 FROM mentorships ms \
                           JOIN training_programs p ON p.id = ms.program_id \
                           WHERE ms.mentee_id = m.person_id AND ms.ended_at IS NULL \
                             AND p.organisation_id = g.organisation_id)) \
           AND NOT EXISTS (SELECT 1 FROM certifications c \
                           WHERE c.person_id = m.person_id AND c.organisation_id = g.organisation_id \
                             AND c.revoked_at IS NULL AND c.valid_until > ?) \
         GROUP BY m.group_id"
    );
    values.push(now.into());
    let rows = db
        .query_all_raw(raw_statement(backend, &sql, values))
        .await?;
    let mut out = HashMap::new();
    for row in rows {
        let group: Uuid = row.try_get("", "group_id")?;
        let n: i64 = row.try_get("", "n")?;
        out.insert(group, n as i32);
    }
    Ok(out)
}

/// A group that may be at risk, with what SQL could tell: the certification counts, and
/// whether a facilitator's load needs the exact check (`domain::meetings::load`).
#[derive(Clone, Debug)]
pub struct Candidate {
    pub group_id: Uuid,
    pub sort_name: String,
    pub certified: i64,
    pub expiring: i64,
    pub load_candidate: bool,
}

impl Candidate {
    /// The risk from certifications alone; load can only add AT_RISK to an OK group.
    pub fn certification_risk(&self) -> SuccessionRisk {
        match (self.certified, self.expiring) {
            (0, _) => SuccessionRisk::Critical,
            (1, _) | (_, 1..) => SuccessionRisk::AtRisk,
            _ => SuccessionRisk::Ok,
        }
    }
}

/// The groups of an organisation (under `paths` when given: cluster path prefixes) that are
/// not CLOSED and may be at risk: every group at risk is among them. The load condition is a
/// necessary one (more meetings than the rules allow, or a high self-report); the caller
/// checks it exactly.
pub async fn candidates(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    paths: &[String],
    now: DateTime<Utc>,
) -> AppResult<Vec<Candidate>> {
    let backend = db.get_database_backend();
    let scope = if paths.is_empty() {
        String::new()
    } else {
        let likes = vec!["cl.path LIKE ?"; paths.len()].join(" OR ");
        format!(" AND ({likes})")
    };
    let soon = now + Duration::days(EXPIRING_SOON_DAYS);
    let since8 = now - Duration::weeks(8);
    let since16 = now - Duration::weeks(16);
    // Set-based (one pass over facilitators, meetings and reports), not one probe per group.
    let sql = format!(
        "SELECT g.id AS id, g.sort_name AS sort_name, \
           COALESCE(f.certified, 0) AS certified, COALESCE(f.expiring, 0) AS expiring, \
           CASE WHEN l.group_id IS NOT NULL OR r.group_id IS NOT NULL THEN 1 ELSE 0 END \
             AS load_candidate \
         FROM \"groups\" g \
         JOIN clusters cl ON cl.id = g.cluster_id \
         LEFT JOIN ( \
           SELECT b.group_id AS group_id, COUNT(*) AS certified, \
                  SUM(CASE WHEN b.best <= ? THEN 1 ELSE 0 END) AS expiring \
           FROM ( \
             SELECT m.group_id AS group_id, MAX(c.valid_until) AS best \
             FROM memberships m \
             JOIN certifications c ON c.person_id = m.person_id AND c.organisation_id = ? \
                  AND c.revoked_at IS NULL AND c.valid_until > ? \
             WHERE m.status = 'ACTIVE' AND m.role IN ('FACILITATOR', 'CO_FACILITATOR') \
             GROUP BY m.group_id, m.person_id \
           ) b GROUP BY b.group_id \
         ) f ON f.group_id = g.id \
         LEFT JOIN ( \
           SELECT DISTINCT mt.group_id AS group_id \
           FROM meetings mt \
           JOIN memberships fm ON fm.id = mt.facilitator_id AND fm.status = 'ACTIVE' \
           JOIN \"groups\" mg ON mg.id = mt.group_id AND mg.organisation_id = ? \
           WHERE mt.status <> 'CANCELLED' AND mt.starts_at > ? AND mt.starts_at <= ? \
           GROUP BY mt.group_id, mt.facilitator_id, mg.rotation_max_consecutive_blocks \
           HAVING COUNT(*) > mg.rotation_max_consecutive_blocks \
               OR SUM(CASE WHEN mt.starts_at >= ? THEN 1 ELSE 0 END) > {max8} \
         ) l ON l.group_id = g.id \
         LEFT JOIN ( \
           SELECT DISTINCT rm.group_id AS group_id \
           FROM facilitator_load_reports r JOIN memberships rm ON rm.id = r.membership_id \
           WHERE rm.status = 'ACTIVE' AND r.created_at >= ? AND r.rating >= {high} \
         ) r ON r.group_id = g.id \
         WHERE g.organisation_id = ? AND g.status <> 'CLOSED'{scope} \
           AND (COALESCE(f.certified, 0) <= 1 OR COALESCE(f.expiring, 0) > 0 \
                OR l.group_id IS NOT NULL OR r.group_id IS NOT NULL)",
        max8 = crate::domain::meetings::load::MAX_MEETINGS_8_WEEKS,
        high = crate::domain::meetings::load::HIGH_SELF_REPORT,
    );
    let mut values: Vec<sea_orm::Value> = vec![
        soon.into(),
        organisation_id.into(),
        now.into(),
        organisation_id.into(),
        since16.into(),
        now.into(),
        since8.into(),
        since8.into(),
        organisation_id.into(),
    ];
    for p in paths {
        // Paths are made by the service from ids: no wildcards to escape.
        values.push(format!("{p}%").into());
    }
    let rows = db
        .query_all_raw(raw_statement(backend, &sql, values))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let load: i32 = row.try_get("", "load_candidate")?;
        out.push(Candidate {
            group_id: row.try_get("", "id")?,
            sort_name: row.try_get("", "sort_name")?,
            certified: row.try_get("", "certified")?,
            expiring: row.try_get("", "expiring")?,
            load_candidate: load != 0,
        });
    }
    Ok(out)
}

/// Named successors whose membership is still active, per group.
pub async fn named(
    db: &impl ConnectionTrait,
    group_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let backend = db.get_database_backend();
    let (cond, values) = in_list(backend, "n.group_id", group_ids);
    let sql = format!(
        "SELECT n.group_id AS group_id, n.membership_id AS membership_id \
         FROM named_successors n JOIN memberships m ON m.id = n.membership_id \
         WHERE {cond} AND m.status = 'ACTIVE' ORDER BY n.named_at, n.id"
    );
    let rows = db
        .query_all_raw(raw_statement(backend, &sql, values))
        .await?;
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in rows {
        let group: Uuid = row.try_get("", "group_id")?;
        out.entry(group)
            .or_default()
            .push(row.try_get("", "membership_id")?);
    }
    Ok(out)
}
