//! Attendance: facilitators record who came, after the meeting has started.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    AttendanceStatus, MeetingStatus, MembershipStatus, attendance, cluster, group, meeting,
    membership,
};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ActiveEnum as _, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait,
    FromQueryResult as _, Order, QueryFilter,
    sea_query::{Alias, Expr, InsertStatement, JoinType, OnConflict, Query},
};
use uuid::Uuid;

use super::runnable_meeting;
use crate::{
    domain::{
        access::Access,
        authz::{GroupScope, require_person},
        in_ids,
        pagination::{Page, PageArgs, Sort, page_and_total},
    },
    error::{AppError, AppResult},
};

pub const MAX_ENTRIES: usize = 200;

pub struct Entry {
    pub membership_id: Uuid,
    pub status: AttendanceStatus,
}

/// Upserts one status per membership. Only ACTIVE memberships of the meeting's group count;
/// a CANCELLED meeting or one that has not started yet takes no attendance.
///
/// One statement: the upsert checks every precondition itself (the viewer may run the group,
/// the meeting is on and has started, each entry is an ACTIVE membership of its group) and
/// writes all entries or none. Only when it writes nothing are the reasons looked up, to say
/// which one failed.
pub async fn record_attendance(
    db: &impl ConnectionTrait,
    access: &Access,
    meeting_id: Uuid,
    entries: Vec<Entry>,
) -> AppResult<Vec<attendance::Model>> {
    let me = require_person(access)?;
    if entries.is_empty() || entries.len() > MAX_ENTRIES {
        return Err(AppError::bad_input(
            "entries",
            format!("give 1 to {MAX_ENTRIES} entries"),
        ));
    }
    let mut seen = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        if !seen.insert(e.membership_id) {
            return Err(AppError::bad_input(
                format!("entries[{i}].membershipId"),
                "each membership once",
            ));
        }
    }
    let now = Utc::now();
    let upsert = upsert(
        db.get_database_backend(),
        access,
        me,
        meeting_id,
        &entries,
        now,
    )?;
    let mut saved: HashMap<Uuid, attendance::Model> =
        attendance::Model::find_by_statement(db.get_database_backend().build(&upsert))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.membership_id, a))
            .collect();
    if saved.is_empty() {
        return Err(refusal(db, access, meeting_id, &entries, now).await);
    }
    Ok(entries
        .iter()
        .filter_map(|e| saved.remove(&e.membership_id))
        .collect())
}

/// `INSERT … SELECT` from the entries, joined to the meeting, its group and cluster, kept only
/// when every precondition holds. Rows go in membership order, so two facilitators recording
/// the same meeting with their entries in different orders queue instead of deadlocking.
fn upsert(
    backend: DatabaseBackend,
    access: &Access,
    me: Uuid,
    meeting_id: Uuid,
    entries: &[Entry],
    now: DateTime<Utc>,
) -> AppResult<InsertStatement> {
    let (e, m, g, c, v) = (
        Alias::new("e"),
        Alias::new("m"),
        Alias::new("g"),
        Alias::new("c"),
        Alias::new("v"),
    );
    // VALUES columns are column1… on both databases.
    let (new_id, membership_id, status) = (
        Alias::new("column1"),
        Alias::new("column2"),
        Alias::new("column3"),
    );
    let mut rows: Vec<(Uuid, Uuid, String)> = entries
        .iter()
        .map(|x| (Uuid::now_v7(), x.membership_id, x.status.to_value()))
        .collect();
    rows.sort_by_key(|r| r.1);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
    let active_entries = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_as(membership::Entity, v.clone())
        .and_where(in_ids(
            backend,
            Expr::col((v.clone(), membership::Column::Id)),
            &ids,
        ))
        .and_where(
            Expr::col((v.clone(), membership::Column::GroupId))
                .equals((g.clone(), group::Column::Id)),
        )
        .and_where(
            Expr::col((v, membership::Column::Status)).eq(MembershipStatus::Active.to_value()),
        )
        .to_owned();
    let source = Query::select()
        .column((e.clone(), new_id))
        .column((m.clone(), meeting::Column::Id))
        .column((e.clone(), membership_id.clone()))
        .column((e.clone(), status))
        .expr(Expr::val(me))
        .expr(Expr::val(now))
        .from_values(rows, e.clone())
        .join_as(
            JoinType::InnerJoin,
            meeting::Entity,
            m.clone(),
            Expr::col((m.clone(), meeting::Column::Id)).eq(meeting_id),
        )
        .join_as(
            JoinType::InnerJoin,
            group::Entity,
            g.clone(),
            Expr::col((g.clone(), group::Column::Id)).equals((m.clone(), meeting::Column::GroupId)),
        )
        .join_as(
            JoinType::InnerJoin,
            cluster::Entity,
            c.clone(),
            Expr::col((c.clone(), cluster::Column::Id))
                .equals((g.clone(), group::Column::ClusterId)),
        )
        .and_where(
            Expr::col((m.clone(), meeting::Column::Status)).ne(MeetingStatus::Cancelled.to_value()),
        )
        .and_where(Expr::col((m, meeting::Column::StartsAt)).lte(now))
        .cond_where(GroupScope::runnable(access).condition(
            backend,
            g,
            Expr::col((c, cluster::Column::Path)),
        ))
        .and_where(Expr::from(active_entries).eq(ids.len() as i64))
        .order_by((e, membership_id), Order::Asc)
        .to_owned();
    let mut insert = Query::insert();
    insert
        .into_table(attendance::Entity)
        .columns([
            attendance::Column::Id,
            attendance::Column::MeetingId,
            attendance::Column::MembershipId,
            attendance::Column::Status,
            attendance::Column::RecordedBy,
            attendance::Column::RecordedAt,
        ])
        .select_from(source)
        .map_err(AppError::internal)?
        .on_conflict(
            OnConflict::columns([
                attendance::Column::MeetingId,
                attendance::Column::MembershipId,
            ])
            .update_columns([
                attendance::Column::Status,
                attendance::Column::RecordedBy,
                attendance::Column::RecordedAt,
            ])
            .to_owned(),
        )
        .returning_all();
    Ok(insert)
}

/// Why the upsert wrote nothing, in the order a client should hear it: the meeting is not
/// theirs to see or run, it is cancelled or has not started, or an entry is not an ACTIVE
/// membership of its group.
async fn refusal(
    db: &impl ConnectionTrait,
    access: &Access,
    meeting_id: Uuid,
    entries: &[Entry],
    now: DateTime<Utc>,
) -> AppError {
    let (meeting, group) = match runnable_meeting(db, access, meeting_id, "record attendance").await
    {
        Ok(found) => found,
        Err(e) => return e,
    };
    if meeting.status == MeetingStatus::Cancelled {
        return AppError::bad_input(
            "meetingId",
            "the meeting was cancelled: there is no attendance to record",
        );
    }
    if meeting.starts_at > now {
        return AppError::bad_input("meetingId", "the meeting has not started yet");
    }
    let ids: Vec<Uuid> = entries.iter().map(|e| e.membership_id).collect();
    let members: HashMap<Uuid, membership::Model> = match membership::Entity::find()
        .filter(membership::Column::Id.is_in(ids))
        .all(db)
        .await
    {
        Ok(rows) => rows.into_iter().map(|m| (m.id, m)).collect(),
        Err(e) => return e.into(),
    };
    for (i, e) in entries.iter().enumerate() {
        let valid = members
            .get(&e.membership_id)
            .is_some_and(|m| m.group_id == group.id && m.status == MembershipStatus::Active);
        if !valid {
            return AppError::bad_input(
                format!("entries[{i}].membershipId"),
                "not an ACTIVE membership of this meeting's group",
            );
        }
    }
    // Everything holds now: something changed between the two statements.
    AppError::Conflict("the meeting or its members changed meanwhile; try again".into())
}

/// The viewer's own attendance history, newest first (none for an anonymous caller).
pub async fn own_history(
    db: &impl ConnectionTrait,
    access: &Access,
    args: &PageArgs,
) -> AppResult<(Page<attendance::Model>, u64)> {
    let Some(me) = access.person_id else {
        return Ok((Page::default(), 0));
    };
    let my_memberships = Query::select()
        .column(membership::Column::Id)
        .from(membership::Entity)
        .and_where(membership::Column::PersonId.eq(me))
        .to_owned();
    let mine = attendance::Entity::find()
        .filter(attendance::Column::MembershipId.in_subquery(my_memberships));
    let sort = Sort {
        key: None,
        id: attendance::Column::Id,
        descending: true,
    };
    page_and_total(db, mine, &sort, args).await
}
