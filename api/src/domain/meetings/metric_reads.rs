//! Batch reads of what a group's metrics are computed from — health (memberships, recent
//! HELD meetings and their attendance), commitment completion, the first-three-sessions
//! evaluation and facilitator load — for a batch of groups at once. The computations are
//! pure (`metrics`, `load`); who may read them is checked by the resolver
//! (`can_see_group_metrics`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    CommitmentStatus, MeetingStatus, action_commitment, attendance,
    facilitator_load_report as report, group_review, meeting, membership,
};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QueryTrait,
    sea_query::{Alias, Expr, JoinType},
};
use uuid::Uuid;

use super::{
    load::{self, LoadData},
    metrics::CONSISTENCY_WINDOW,
    reads::{MeetingFilter, meetings_rows},
};
use crate::{
    domain::{
        groups::reads as group_reads,
        in_ids,
        pagination::{ChildRows, PageArgs, Sort, pages_by_parent},
        reads,
    },
    error::AppResult,
};

/// What a group's health metrics are computed from.
#[derive(Clone, Debug, Default)]
pub struct HealthData {
    /// Every membership of the group, in any state.
    pub memberships: Vec<membership::Model>,
    /// The group's last HELD meetings (id, start), newest first.
    pub recent_held: Vec<(Uuid, DateTime<Utc>)>,
    /// Attendance at those meetings.
    pub attendance: Vec<attendance::Model>,
}

/// Each group's health data; every group asked has an entry.
pub async fn health_data(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
) -> AppResult<HashMap<Uuid, HealthData>> {
    let mut out: HashMap<Uuid, HealthData> =
        groups.iter().map(|g| (*g, HealthData::default())).collect();
    let memberships = reads::under(
        db,
        membership::Entity::find(),
        membership::Column::GroupId,
        groups,
        |m| m.group_id,
    )
    .await?;
    for (group, rows) in memberships {
        out.entry(group).or_default().memberships = rows;
    }
    let filter = MeetingFilter {
        statuses: vec![MeetingStatus::Held],
        newest_first: true,
        ..MeetingFilter::default()
    };
    let sort: Sort<meeting::Entity> = Sort {
        key: Some(meeting::Column::StartsAt),
        id: meeting::Column::Id,
        descending: true,
    };
    let args = PageArgs::new(Some(CONSISTENCY_WINDOW as i32), None, None, None)?;
    let pages = pages_by_parent(db, meetings_rows(&filter), groups, &sort, &args).await?;
    let mut held_ids = Vec::new();
    let mut meeting_group: HashMap<Uuid, Uuid> = HashMap::new();
    for (group, page) in pages {
        let entry = out.entry(group).or_default();
        for (_, m) in page.items {
            held_ids.push(m.id);
            meeting_group.insert(m.id, group);
            entry.recent_held.push((m.id, m.starts_at));
        }
    }
    if !held_ids.is_empty() {
        let backend = db.get_database_backend();
        for a in attendance::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((attendance::Entity, attendance::Column::MeetingId)),
                &held_ids,
            ))
            .all(db)
            .await?
        {
            if let Some(group) = meeting_group.get(&a.meeting_id) {
                out.entry(*group).or_default().attendance.push(a);
            }
        }
    }
    Ok(out)
}

/// The statuses of the commitments made at each group's meetings starting in [from, to).
pub async fn commitment_statuses(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> AppResult<HashMap<Uuid, Vec<CommitmentStatus>>> {
    let m = Alias::new("m");
    let mut q = action_commitment::Entity::find().into_query();
    q.join_as(
        JoinType::InnerJoin,
        meeting::Entity,
        m.clone(),
        Expr::col((m.clone(), meeting::Column::Id)).equals((
            action_commitment::Entity,
            action_commitment::Column::MeetingId,
        )),
    )
    .expr_as(
        Expr::col((m.clone(), meeting::Column::GroupId)),
        Alias::new("for_group"),
    )
    .and_where(in_ids(
        db.get_database_backend(),
        Expr::col((m.clone(), meeting::Column::GroupId)),
        groups,
    ));
    if let Some(from) = from {
        q.and_where(Expr::col((m.clone(), meeting::Column::StartsAt)).gte(from));
    }
    if let Some(to) = to {
        q.and_where(Expr::col((m, meeting::Column::StartsAt)).lt(to));
    }
    let mut out: HashMap<Uuid, Vec<CommitmentStatus>> = HashMap::new();
    for row in db.query_all(&q).await? {
        let group: Uuid = row.try_get("", "for_group")?;
        let c = action_commitment::Model::from_query_result(&row, "")?;
        out.entry(group).or_default().push(c.status);
    }
    Ok(out)
}

/// (HELD meetings, reviews) per group, for the first-three-sessions evaluation.
pub async fn evaluation_counts(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
) -> AppResult<HashMap<Uuid, (u64, u64)>> {
    let filter = MeetingFilter {
        statuses: vec![MeetingStatus::Held],
        ..MeetingFilter::default()
    };
    let held = meetings_rows(&filter).count(db, groups).await?;
    let reviews = ChildRows::new(
        group_review::Entity::find().into_query(),
        (group_review::Entity, group_review::Column::GroupId),
    )
    .count(db, groups)
    .await?;
    Ok(groups
        .iter()
        .map(|g| {
            let n = |counts: &HashMap<Uuid, u64>| counts.get(g).copied().unwrap_or(0);
            (*g, (n(&held), n(&reviews)))
        })
        .collect())
}

/// What each group's facilitator load is computed from; every group asked has an entry.
pub async fn load_data(
    db: &impl ConnectionTrait,
    groups: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, LoadData>> {
    let backend = db.get_database_backend();
    let mut out: HashMap<Uuid, LoadData> =
        groups.iter().map(|g| (*g, LoadData::default())).collect();
    let facilitators = group_reads::active_facilitators(backend, groups)
        .order_by_asc(membership::Column::Id)
        .all(db);
    let filter = MeetingFilter {
        from: Some(now - chrono::Duration::weeks(load::HISTORY_WEEKS)),
        to: Some(now),
        ..MeetingFilter::default()
    };
    let meetings = meeting::Model::find_by_statement(
        backend.build(&meetings_rows(&filter).of_parents(backend, groups)),
    )
    .all(db);
    // Independent: both at once (the reports need the facilitators).
    let (facilitators, meetings) = futures_util::future::try_join(facilitators, meetings).await?;
    let facilitator_ids: Vec<Uuid> = facilitators.iter().map(|m| m.id).collect();
    let reports = if facilitator_ids.is_empty() {
        Vec::new()
    } else {
        report::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((report::Entity, report::Column::MembershipId)),
                &facilitator_ids,
            ))
            .filter(
                report::Column::CreatedAt.gte(now - chrono::Duration::weeks(load::WINDOW_WEEKS)),
            )
            .all(db)
            .await?
    };
    let group_of: HashMap<Uuid, Uuid> = facilitators.iter().map(|m| (m.id, m.group_id)).collect();
    for m in facilitators {
        out.entry(m.group_id).or_default().facilitators.push(m);
    }
    for m in meetings {
        out.entry(m.group_id).or_default().meetings.push(m);
    }
    for r in reports {
        if let Some(group) = group_of.get(&r.membership_id) {
            out.entry(*group).or_default().reports.push(r);
        }
    }
    Ok(out)
}
