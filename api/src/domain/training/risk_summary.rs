//! The stored succession risk of each group (`group_succession`), so that listing an
//! organisation's groups at risk reads one table instead of evaluating thousands of groups per
//! request.
//!
//! Database triggers (migration 000045) bump a row's `version` whenever something its risk is
//! computed from is written, in the writer's transaction, so no write path can forget it. A row
//! is stale when it was never computed, when its `computed_version` is behind, or when its
//! `fresh_until` (`succession::fresh_until`: time alone would change the risk) has passed.
//! Readers recompute stale rows with the same rules as `Group.succession` and store them only
//! if no write came in between.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend};
use uuid::Uuid;

use crate::{
    domain::{raw_statement, training::succession::SuccessionRisk},
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

/// A group at risk, in list order (CRITICAL first, then by name).
#[derive(Clone, Debug)]
pub struct Listed {
    pub group_id: Uuid,
    pub sort_name: String,
    pub risk: SuccessionRisk,
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

/// The rows in scope that need recomputing.
pub async fn stale(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    paths: &[String],
    now: DateTime<Utc>,
) -> AppResult<Vec<Stale>> {
    let (cond, scope_values) = scope(paths);
    let sql = format!(
        "SELECT s.group_id AS group_id, s.version AS version {GROUPS_IN_SCOPE}{cond} \
           AND (s.computed_version IS NULL OR s.computed_version <> s.version \
                OR s.fresh_until <= ?)"
    );
    let mut values: Vec<sea_orm::Value> = vec![organisation_id.into()];
    values.extend(scope_values);
    values.push(now.into());
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(raw_statement(backend, &sql, values))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Stale {
                group_id: row.try_get("", "group_id")?,
                version: row.try_get("", "version")?,
            })
        })
        .collect()
}

/// Rows per statement: well under both databases' limits on bound values.
const STORE_CHUNK: usize = 500;

/// Stores recomputed rows; a row whose `version` moved on since it was read stays stale.
pub async fn store(db: &impl ConnectionTrait, rows: &[Computed]) -> AppResult<()> {
    let backend = db.get_database_backend();
    for chunk in rows.chunks(STORE_CHUNK) {
        let tuple = match backend {
            // A NULL `fresh_until` still needs its type on PostgreSQL.
            DatabaseBackend::Postgres => "(?::uuid, ?::bigint, ?::varchar, ?::timestamptz)",
            _ => "(?, ?, ?, ?)",
        };
        // A CTE names the VALUES columns on both databases (SQLite has no `AS v(…)`).
        let sql = format!(
            "WITH v(group_id, version, risk, fresh_until) AS (VALUES {}) \
             UPDATE group_succession SET computed_version = v.version, risk = v.risk, \
               fresh_until = v.fresh_until \
             FROM v \
             WHERE group_succession.group_id = v.group_id \
               AND group_succession.version = v.version",
            vec![tuple; chunk.len()].join(", ")
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 4);
        for r in chunk {
            values.push(r.group_id.into());
            values.push(r.version.into());
            values.push(r.risk.as_str().into());
            values.push(r.fresh_until.into());
        }
        db.execute_raw(raw_statement(backend, &sql, values)).await?;
    }
    Ok(())
}

/// The groups in scope whose stored risk is CRITICAL or AT_RISK.
pub async fn at_risk(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    paths: &[String],
) -> AppResult<Vec<Listed>> {
    let (cond, scope_values) = scope(paths);
    let sql = format!(
        "SELECT s.group_id AS group_id, g.sort_name AS sort_name, s.risk AS risk \
         {GROUPS_IN_SCOPE}{cond} AND s.risk IN ('CRITICAL', 'AT_RISK')"
    );
    let mut values: Vec<sea_orm::Value> = vec![organisation_id.into()];
    values.extend(scope_values);
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(raw_statement(backend, &sql, values))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let risk: String = row.try_get("", "risk")?;
        out.push(Listed {
            group_id: row.try_get("", "group_id")?,
            sort_name: row.try_get("", "sort_name")?,
            risk: SuccessionRisk::parse(&risk).unwrap_or(SuccessionRisk::Critical),
        });
    }
    Ok(out)
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
