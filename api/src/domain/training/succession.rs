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
        access::Access,
        authz,
        groups::core::visible_group,
        meetings::load::{self, LoadEntry},
        raw_statement,
    },
    error::{AppError, AppResult},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SuccessionRisk {
    Critical,
    AtRisk,
    Ok,
}

impl SuccessionRisk {
    /// How it is stored (`group_succession.risk`) and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "CRITICAL",
            Self::AtRisk => "AT_RISK",
            Self::Ok => "OK",
        }
    }
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

/// A group's risk from its facilitators' certifications (`best`) and their load: what
/// `Group.succession` shows and `groupsAtRisk` stores.
pub fn assess_group(
    g: &entity::group::Model,
    load: load::LoadData,
    best: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> (SuccessionRisk, Vec<String>) {
    let entries = load::compute(g, load.facilitators, &load.meetings, &load.reports, now);
    assess(best, &entries, now)
}

/// The first instant at which the risk could change with nothing written: a certification
/// starting to expire soon or lapsing, the next meeting starting, a meeting or a self-report
/// leaving its window (`domain::meetings::load`). `None`: only a write can change it.
/// `meetings`: the start of each meeting the load was computed from (the last
/// `HISTORY_WEEKS`); `next_meeting`: the first one still to start.
pub fn fresh_until(
    best: &[DateTime<Utc>],
    meetings: impl IntoIterator<Item = DateTime<Utc>>,
    next_meeting: Option<DateTime<Utc>>,
    reports: impl IntoIterator<Item = DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    // Windows include their first instant: a start leaves one just after it.
    let just_after = |t: DateTime<Utc>| t + Duration::nanoseconds(1);
    let window = Duration::weeks(load::WINDOW_WEEKS);
    let history = Duration::weeks(load::HISTORY_WEEKS);
    let certifications = best
        .iter()
        .flat_map(|until| [*until - Duration::days(EXPIRING_SOON_DAYS), *until]);
    let meetings = meetings
        .into_iter()
        .flat_map(|start| [just_after(start + window), just_after(start + history)]);
    let reports = reports.into_iter().map(|at| just_after(at + window));
    certifications
        .chain(meetings)
        .chain(next_meeting.map(just_after))
        .chain(reports)
        .filter(|t| *t > now)
        .min()
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
    }

    fn ns(n: i64) -> Duration {
        Duration::nanoseconds(n)
    }

    #[test]
    fn nothing_time_can_change_is_fresh_until_a_write() {
        assert_eq!(fresh_until(&[], [], None, [], now()), None);
    }

    #[test]
    fn a_certification_matters_when_it_starts_to_expire_soon_and_when_it_lapses() {
        let until = now() + Duration::days(100);
        let soon = until - Duration::days(EXPIRING_SOON_DAYS);
        assert_eq!(fresh_until(&[until], [], None, [], now()), Some(soon));
        // The risk really changes there: OK-with-two before, AT_RISK from then on.
        let two = [until, now() + Duration::days(500)];
        assert_eq!(assess(&two, &[], soon - ns(1)).0, SuccessionRisk::Ok);
        assert_eq!(assess(&two, &[], soon).0, SuccessionRisk::AtRisk);
        // Already expiring: what is left is the lapse.
        let close = now() + Duration::days(30);
        assert_eq!(fresh_until(&[close], [], None, [], now()), Some(close));
    }

    #[test]
    fn meetings_and_reports_matter_when_they_start_and_when_they_leave_their_windows() {
        let later = [now() + Duration::days(900)];
        let held = now() - Duration::weeks(3);
        assert_eq!(
            fresh_until(&later, [held], None, [], now()),
            Some(held + Duration::weeks(load::WINDOW_WEEKS) + ns(1))
        );
        // Older than the window: what is left is the history the block runs read.
        let old = now() - Duration::weeks(10);
        assert_eq!(
            fresh_until(&later, [old], None, [], now()),
            Some(old + Duration::weeks(load::HISTORY_WEEKS) + ns(1))
        );
        let next = now() + Duration::days(2);
        assert_eq!(
            fresh_until(&later, [held], Some(next), [], now()),
            Some(next + ns(1))
        );
        let reported = now() - Duration::weeks(7) - Duration::days(6);
        assert_eq!(
            fresh_until(&later, [held], Some(next), [reported], now()),
            Some(reported + Duration::weeks(load::WINDOW_WEEKS) + ns(1))
        );
    }
}
