//! The stored succession risk of each group (`group_succession`), so that listing an
//! organisation's groups at risk is one index range instead of evaluating thousands of groups
//! per request.
//!
//! Database triggers (migration 000045) bump a row's `version` and clear its `fresh_until`
//! whenever something its risk is computed from is written, in the writer's transaction, so no
//! write path can forget it. A row is stale when `fresh_until` is NULL (never computed, or
//! written since) or has passed (`succession::fresh_until`: time alone changes the risk then).
//! Readers recompute stale rows with the rules of `Group.succession` (`recompute`) and store
//! them only if no write came in between.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{GroupStatus, cluster, group, group_succession as summary};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Select,
    sea_query::{ArrayType, Expr, ExprTrait as _, Query},
};
use uuid::Uuid;

use crate::{
    domain::{
        meetings::load,
        pagination::{Page, PageArgs, Sort, page},
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
#[derive(Clone, Debug)]
pub struct Computed {
    pub group_id: Uuid,
    pub version: i64,
    pub risk: SuccessionRisk,
    /// Where the group stands in the list; `None`: not listed.
    pub list_key: Option<String>,
    pub fresh_until: Option<DateTime<Utc>>,
}

/// Stored as `fresh_until` when only a write can change a risk (a date both databases store
/// and compare like any other).
pub const NEVER_BY_TIME: DateTime<Utc> = DateTime::from_naive_utc_and_offset(
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .expect("a valid date")
        .and_hms_opt(0, 0, 0)
        .expect("a valid time"),
    Utc,
);

/// The rows of an organisation, under cluster `paths` when given.
fn in_scope(organisation_id: Uuid, paths: &[String]) -> Select<summary::Entity> {
    let select =
        summary::Entity::find().filter(summary::Column::OrganisationId.eq(organisation_id));
    if paths.is_empty() {
        return select;
    }
    // Paths are made by the service from ids: no wildcards to escape.
    let under = paths.iter().fold(Condition::any(), |any, p| {
        any.add(cluster::Column::Path.like(format!("{p}%")))
    });
    let groups = Query::select()
        .column((group::Entity, group::Column::Id))
        .from(group::Entity)
        .inner_join(
            cluster::Entity,
            Expr::col((cluster::Entity, cluster::Column::Id))
                .equals((group::Entity, group::Column::ClusterId)),
        )
        .cond_where(under)
        .to_owned();
    select.filter(summary::Column::GroupId.in_subquery(groups))
}

/// The rows in scope that need recomputing.
pub async fn stale(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    paths: &[String],
    now: DateTime<Utc>,
) -> AppResult<Vec<Stale>> {
    let rows: Vec<(Uuid, i64)> = in_scope(organisation_id, paths)
        .filter(
            Condition::any()
                .add(summary::Column::FreshUntil.is_null())
                .add(summary::Column::FreshUntil.lte(now)),
        )
        .select_only()
        .column(summary::Column::GroupId)
        .column(summary::Column::Version)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(group_id, version)| Stale { group_id, version })
        .collect())
}

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
    let (risk, _) = succession::assess_group(g, load, best, now);
    let rank = match risk {
        SuccessionRisk::Critical => Some(0),
        SuccessionRisk::AtRisk => Some(1),
        SuccessionRisk::Ok => None,
    };
    Computed {
        group_id: stale.group_id,
        version: stale.version,
        risk,
        list_key: rank
            .filter(|_| g.status != GroupStatus::Closed)
            .map(|rank| format!("{rank}:{}", g.sort_name)),
        fresh_until,
    }
}

/// Rows per statement on SQLite: well under its limit on bound values.
const STORE_CHUNK: usize = 400;

/// Stores recomputed rows; a row whose `version` moved on since it was read stays stale, and
/// so does one a writer holds locked (it is about to move on): readers never wait for writers
/// on PostgreSQL.
pub async fn store(db: &impl ConnectionTrait, rows: &[Computed]) -> AppResult<()> {
    let backend = db.get_database_backend();
    let until = |r: &Computed| r.fresh_until.unwrap_or(NEVER_BY_TIME);
    if backend == DatabaseBackend::Postgres {
        let array =
            |ty, values: Vec<sea_orm::Value>| sea_orm::Value::Array(ty, Some(Box::new(values)));
        let ids = || rows.iter().map(|r| r.group_id.into()).collect();
        // Arrays hold no NULLs here: an unlisted row travels as '' and is stored as NULL.
        let sql = "UPDATE group_succession s SET risk = v.risk, \
                     list_key = NULLIF(v.list_key, ''), fresh_until = v.fresh_until \
                   FROM unnest(?, ?, ?, ?, ?) AS v(group_id, version, risk, list_key, fresh_until) \
                   WHERE s.group_id = v.group_id AND s.version = v.version \
                     AND s.group_id IN (SELECT l.group_id FROM group_succession l \
                                        WHERE l.group_id = ANY(?) ORDER BY l.group_id \
                                        FOR UPDATE SKIP LOCKED)";
        let values = vec![
            array(ArrayType::Uuid, ids()),
            array(
                ArrayType::BigInt,
                rows.iter().map(|r| r.version.into()).collect(),
            ),
            array(
                ArrayType::String,
                rows.iter().map(|r| r.risk.as_str().into()).collect(),
            ),
            array(
                ArrayType::String,
                rows.iter()
                    .map(|r| r.list_key.clone().unwrap_or_default().into())
                    .collect(),
            ),
            array(
                ArrayType::ChronoDateTimeUtc,
                rows.iter().map(|r| until(r).into()).collect(),
            ),
            array(ArrayType::Uuid, ids()),
        ];
        db.execute_raw(raw_statement(backend, sql, values)).await?;
        return Ok(());
    }
    for chunk in rows.chunks(STORE_CHUNK) {
        // A CTE names the VALUES columns (SQLite has no `AS v(…)`).
        let sql = format!(
            "WITH v(group_id, version, risk, list_key, fresh_until) AS (VALUES {}) \
             UPDATE group_succession SET risk = v.risk, list_key = v.list_key, \
               fresh_until = v.fresh_until \
             FROM v \
             WHERE group_succession.group_id = v.group_id \
               AND group_succession.version = v.version",
            vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 5);
        for r in chunk {
            values.push(r.group_id.into());
            values.push(r.version.into());
            values.push(r.risk.as_str().into());
            values.push(r.list_key.clone().into());
            values.push(until(r).into());
        }
        db.execute_raw(raw_statement(backend, &sql, values)).await?;
    }
    Ok(())
}

/// The groups in scope listed as CRITICAL or AT_RISK: CRITICAL first, then by name.
fn listed(organisation_id: Uuid, paths: &[String]) -> Select<summary::Entity> {
    in_scope(organisation_id, paths).filter(summary::Column::ListKey.is_not_null())
}

/// A page of the groups at risk in scope (their ids), and how many there are.
pub async fn page_at_risk(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    paths: &[String],
    args: &PageArgs,
) -> AppResult<(Page<Uuid>, u64)> {
    let sort = Sort::<summary::Entity> {
        key: Some(summary::Column::ListKey),
        id: summary::Column::GroupId,
        descending: false,
    };
    let (found, total) = futures_util::future::try_join(
        page(db, listed(organisation_id, paths), &sort, args),
        async {
            let n = listed(organisation_id, paths).count(db).await?;
            Ok(n)
        },
    )
    .await?;
    Ok((found.map(|row| row.group_id), total))
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
