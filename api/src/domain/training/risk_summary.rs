//! The stored succession risk of each group (`group_succession`), so that listing an
//! organisation's groups at risk reads one table instead of evaluating thousands of groups per
//! request.
//!
//! Database triggers (migration 000045) bump a row's `version` whenever something its risk is
//! computed from is written, in the writer's transaction, so no write path can forget it. A row
//! is stale when it was never computed, when its `computed_version` is behind, or when its
//! `fresh_until` (`succession::fresh_until`: time alone would change the risk) has passed.
//! Readers recompute stale rows with the same rules as `Group.succession` (`recompute`) and
//! store them only if no write came in between.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::group;
use sea_orm::{ConnectionTrait, DatabaseBackend, sea_query::ArrayType};
use uuid::Uuid;

use crate::{
    domain::{
        meetings::load,
        raw_statement,
        training::succession::{self, SuccessionRisk},
    },
    error::AppResult,
};

/// A stale row: the group, and the `version` its recomputation answers to.
#[derive(Clone, Copy, Debug)]
pub struct Stale {
    pub group_id: Uuid,
    pub version: i64,
}

/// A recomputed row.
#[derive(Clone, Copy, Debug)]
pub struct Computed {
    pub group_id: Uuid,
    pub version: i64,
    pub risk: SuccessionRisk,
    pub fresh_until: Option<DateTime<Utc>>,
}

/// A row in scope that is at risk or stale (then `risk` is what it held, if anything).
#[derive(Clone, Debug)]
pub struct Row {
    pub group_id: Uuid,
    pub version: i64,
    pub sort_name: String,
    pub risk: Option<SuccessionRisk>,
    pub stale: bool,
}

/// Groups of an organisation that are not CLOSED, under cluster `paths` when given.
fn scope(paths: &[String]) -> (String, Vec<sea_orm::Value>) {
    if paths.is_empty() {
        return (String::new(), Vec::new());
    }
    let likes = vec!["cl.path LIKE ?"; paths.len()].join(" OR ");
    // Paths are made by the service from ids: no wildcards to escape.
    let values = paths.iter().map(|p| format!("{p}%").into()).collect();
    (format!(" AND ({likes})"), values)
}

const GROUPS_IN_SCOPE: &str = "FROM group_succession s \
     JOIN \"groups\" g ON g.id = s.group_id \
     JOIN clusters cl ON cl.id = g.cluster_id \
     WHERE s.organisation_id = ? AND g.status <> 'CLOSED'";

/// The rows in scope that are stored as CRITICAL or AT_RISK, or need recomputing: one pass.
pub async fn in_scope(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    paths: &[String],
    now: DateTime<Utc>,
) -> AppResult<Vec<Row>> {
    let (cond, scope_values) = scope(paths);
    let stale = "(s.computed_version IS NULL OR s.computed_version <> s.version \
                  OR s.fresh_until <= ?)";
    let sql = format!(
        "SELECT s.group_id AS group_id, s.version AS version, g.sort_name AS sort_name, \
           s.risk AS risk, CASE WHEN {stale} THEN 1 ELSE 0 END AS stale \
         {GROUPS_IN_SCOPE}{cond} AND (s.risk IN ('CRITICAL', 'AT_RISK') OR {stale})"
    );
    let mut values: Vec<sea_orm::Value> = vec![now.into(), organisation_id.into()];
    values.extend(scope_values);
    values.push(now.into());
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(raw_statement(backend, &sql, values))
        .await?;
    rows.iter()
        .map(|row| {
            let risk: Option<String> = row.try_get("", "risk")?;
            let stale: i32 = row.try_get("", "stale")?;
            Ok(Row {
                group_id: row.try_get("", "group_id")?,
                version: row.try_get("", "version")?,
                sort_name: row.try_get("", "sort_name")?,
                risk: risk.as_deref().and_then(SuccessionRisk::parse),
                stale: stale != 0,
            })
        })
        .collect()
}

/// Stored as `fresh_until` when only a write can change a risk (a date both databases store
/// and compare like any other, unlike NULL in an array parameter).
pub const NEVER_BY_TIME: DateTime<Utc> = DateTime::from_naive_utc_and_offset(
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .expect("a valid date")
        .and_hms_opt(0, 0, 0)
        .expect("a valid time"),
    Utc,
);

/// A stale row recomputed with the rules of `Group.succession` (`succession::assess` over
/// `load::compute`), and until when time leaves it so.
pub fn recompute(
    stale: Stale,
    g: &group::Model,
    load: load::LoadData,
    best: &[DateTime<Utc>],
    next_meeting: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Computed {
    let fresh_until = succession::fresh_until(
        best,
        load.meetings.iter().map(|m| m.starts_at),
        next_meeting,
        load.reports.iter().map(|r| r.created_at),
        now,
    );
    let entries = load::compute(g, load.facilitators, &load.meetings, &load.reports, now);
    let (risk, _) = succession::assess(best, &entries, now);
    Computed {
        group_id: stale.group_id,
        version: stale.version,
        risk,
        fresh_until,
    }
}

/// Rows per statement on SQLite: well under its limit on bound values.
const STORE_CHUNK: usize = 500;

/// Stores recomputed rows; a row whose `version` moved on since it was read stays stale, and
/// so does one a writer holds locked (it is about to move on): readers never wait for writers.
pub async fn store(db: &impl ConnectionTrait, rows: &[Computed]) -> AppResult<()> {
    let backend = db.get_database_backend();
    let until = |r: &Computed| r.fresh_until.unwrap_or(NEVER_BY_TIME);
    if backend == DatabaseBackend::Postgres {
        let ids: Vec<sea_orm::Value> = rows.iter().map(|r| r.group_id.into()).collect();
        let array =
            |ty, values: Vec<sea_orm::Value>| sea_orm::Value::Array(ty, Some(Box::new(values)));
        let sql = "UPDATE group_succession s SET computed_version = v.version, risk = v.risk, \
                     fresh_until = v.fresh_until \
                   FROM unnest(?, ?, ?, ?) AS v(group_id, version, risk, fresh_until) \
                   WHERE s.group_id = v.group_id AND s.version = v.version \
                     AND s.group_id IN (SELECT l.group_id FROM group_succession l \
                                        WHERE l.group_id = ANY(?) ORDER BY l.group_id \
                                        FOR UPDATE SKIP LOCKED)";
        let values = vec![
            array(ArrayType::Uuid, ids.clone()),
            array(
                ArrayType::BigInt,
                rows.iter().map(|r| r.version.into()).collect(),
            ),
            array(
                ArrayType::String,
                rows.iter().map(|r| r.risk.as_str().into()).collect(),
            ),
            array(
                ArrayType::ChronoDateTimeUtc,
                rows.iter().map(|r| until(r).into()).collect(),
            ),
            array(ArrayType::Uuid, ids),
        ];
        db.execute_raw(raw_statement(backend, sql, values)).await?;
        return Ok(());
    }
    for chunk in rows.chunks(STORE_CHUNK) {
        // A CTE names the VALUES columns (SQLite has no `AS v(…)`).
        let sql = format!(
            "WITH v(group_id, version, risk, fresh_until) AS (VALUES {}) \
             UPDATE group_succession SET computed_version = v.version, risk = v.risk, \
               fresh_until = v.fresh_until \
             FROM v \
             WHERE group_succession.group_id = v.group_id \
               AND group_succession.version = v.version",
            vec!["(?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 4);
        for r in chunk {
            values.push(r.group_id.into());
            values.push(r.version.into());
            values.push(r.risk.as_str().into());
            values.push(until(r).into());
        }
        db.execute_raw(raw_statement(backend, &sql, values)).await?;
    }
    Ok(())
}

/// Each group's first meeting still to start that someone facilitates.
pub async fn next_meetings(
    db: &impl ConnectionTrait,
    group_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, DateTime<Utc>>> {
    let backend = db.get_database_backend();
    let (cond, mut values) = super::succession::in_list(backend, "group_id", group_ids);
    let sql = format!(
        "SELECT group_id, MIN(starts_at) AS starts_at FROM meetings \
         WHERE {cond} AND starts_at >= ? AND status <> 'CANCELLED' \
           AND facilitator_id IS NOT NULL \
         GROUP BY group_id"
    );
    values.push(now.into());
    let rows = db
        .query_all_raw(raw_statement(backend, &sql, values))
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        out.insert(row.try_get("", "group_id")?, row.try_get("", "starts_at")?);
    }
    Ok(out)
}
