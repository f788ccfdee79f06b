//! Batch reads of meetings and what hangs off them, for lists and loaders: pages of a group's
//! meetings (with their attendance counts read along when asked), a group's detail page by
//! slug, a meeting's commitments, attendance, records and amendments, the commitments a
//! meeting reviews. One statement per batch of parents. Who may read them is checked by the
//! resolver on the meeting's group before it asks (`can_see_meeting`, `is_insider`). What the
//! group metrics are computed from is `metric_reads`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    AttendanceStatus, CommitmentStatus, MeetingStatus, action_commitment, attendance, cluster,
    group, meeting, meeting_record, membership, record_amendment,
};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ActiveEnum as _, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QueryTrait, Statement, Value,
    sea_query::{Alias, Expr, JoinType, Query},
};
use uuid::Uuid;

use crate::{
    domain::{
        in_ids,
        pagination::{
            ChildRows, PAGED, Page, PageArgs, PagesWith, Sort, pages_by_parent,
            pages_by_parent_with, pages_of_found_parents,
        },
        reads,
    },
    error::AppResult,
};

/// Which of a group's meetings a list shows, and in which order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MeetingFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Empty: every status.
    pub statuses: Vec<MeetingStatus>,
    pub newest_first: bool,
}

/// Recorded attendance of a meeting, counted by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttendanceCounts {
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
    /// Entries whose membership is still ACTIVE (to work out who is unrecorded).
    pub recorded_active: i64,
}

/// Which counts of a meeting's attendance summary are asked for. `unrecorded` needs the
/// entries of ACTIVE members (a join with memberships the others do not need); a page of
/// meetings counts only the asked statuses along with the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Asked {
    pub present: bool,
    pub absent: bool,
    pub excused: bool,
    pub unrecorded: bool,
}

impl Asked {
    fn statuses(self) -> impl Iterator<Item = (AttendanceStatus, &'static str)> {
        [
            (self.present, AttendanceStatus::Present, "present_n"),
            (self.absent, AttendanceStatus::Absent, "absent_n"),
            (self.excused, AttendanceStatus::Excused, "excused_n"),
        ]
        .into_iter()
        .filter(|(asked, _, _)| *asked)
        .map(|(_, status, column)| (status, column))
    }
}

/// A meeting of a page, with its attendance counts when they were asked along.
pub type CountedMeeting = (meeting::Model, Option<AttendanceCounts>);

/// A group's meetings that pass the filter.
pub(super) fn meetings_rows(filter: &MeetingFilter) -> ChildRows {
    let mut q = meeting::Entity::find();
    if let Some(from) = filter.from {
        q = q.filter(meeting::Column::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(meeting::Column::StartsAt.lt(to));
    }
    if !filter.statuses.is_empty() {
        q = q.filter(meeting::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    ChildRows::new(q.into_query(), (meeting::Entity, meeting::Column::GroupId))
}

/// Meetings in order of start, newest first when the filter says so.
fn meetings_sort(filter: &MeetingFilter) -> Sort<meeting::Entity> {
    Sort {
        key: Some(meeting::Column::StartsAt),
        id: meeting::Column::Id,
        descending: filter.newest_first,
    }
}

/// The attendance counts asked of each meeting on a page, as columns of the page statement.
fn counts_columns(with_counts: Option<Asked>) -> Vec<(Alias, Expr)> {
    with_counts
        .into_iter()
        .flat_map(Asked::statuses)
        .map(|(status, name)| (Alias::new(name), count_of(status)))
        .collect()
}

/// How many entries of a meeting on the page have `status`.
fn count_of(status: AttendanceStatus) -> Expr {
    let a = Alias::new("counted");
    Expr::from(
        Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_as(attendance::Entity, a.clone())
            .and_where(
                Expr::col((a.clone(), attendance::Column::MeetingId))
                    .equals((Alias::new(PAGED), meeting::Column::Id)),
            )
            .and_where(Expr::col((a, attendance::Column::Status)).eq(status.to_value()))
            .to_owned(),
    )
}

/// Those counts, read back from a row of the page statement.
fn decode_counts(
    with_counts: Option<Asked>,
    row: &sea_orm::QueryResult,
) -> AppResult<Option<AttendanceCounts>> {
    let Some(asked) = with_counts else {
        return Ok(None);
    };
    let n = |wanted: bool, name: &str| -> AppResult<i64> {
        Ok(if wanted {
            row.try_get::<i64>("", name)?
        } else {
            0
        })
    };
    Ok(Some(AttendanceCounts {
        present: n(asked.present, "present_n")?,
        absent: n(asked.absent, "absent_n")?,
        excused: n(asked.excused, "excused_n")?,
        recorded_active: 0,
    }))
}

/// A page of each group's meetings that pass the filter; with `with_counts` (never with
/// `unrecorded`), each meeting's attendance counts read along in the same statement.
pub async fn meeting_pages(
    db: &impl ConnectionTrait,
    filter: &MeetingFilter,
    groups: &[Uuid],
    args: &PageArgs,
    with_counts: Option<Asked>,
) -> AppResult<PagesWith<meeting::Model, Option<AttendanceCounts>>> {
    pages_by_parent_with(
        db,
        meetings_rows(filter),
        groups,
        &meetings_sort(filter),
        args,
        counts_columns(with_counts),
        |row| decode_counts(with_counts, row),
    )
    .await
}

pub async fn meeting_counts(
    db: &impl ConnectionTrait,
    filter: &MeetingFilter,
    groups: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    meetings_rows(filter).count(db, groups).await
}

/// A group by slug with its cluster and one page of its meetings, in one statement (a group's
/// detail). The group comes unchecked: the caller decides whether the viewer may see it
/// before it hands out any of this. None when no group has the slug.
pub async fn group_with_meetings(
    db: &impl ConnectionTrait,
    slug: &str,
    filter: &MeetingFilter,
    args: &PageArgs,
    with_counts: Option<Asked>,
) -> AppResult<Option<(group::Model, cluster::Model, Page<CountedMeeting>)>> {
    let which = Condition::all()
        .add(Expr::col((Alias::new("page"), group::Column::Slug)).eq(slug.to_owned()));
    let found = pages_of_found_parents::<group::Entity, cluster::Entity, meeting::Entity, _>(
        db,
        meetings_rows(filter),
        which,
        group::Column::ClusterId,
        &meetings_sort(filter),
        args,
        counts_columns(with_counts),
        |row| decode_counts(with_counts, row),
    )
    .await?;
    Ok(found.into_iter().next())
}

fn commitments_rows() -> ChildRows {
    ChildRows::new(
        action_commitment::Entity::find().into_query(),
        (
            action_commitment::Entity,
            action_commitment::Column::MeetingId,
        ),
    )
}

/// A page of each meeting's commitments, in the order they were made.
pub async fn commitment_pages(
    db: &impl ConnectionTrait,
    meetings: &[Uuid],
    args: &PageArgs,
) -> AppResult<HashMap<Uuid, Page<action_commitment::Model>>> {
    let sort = Sort::<action_commitment::Entity>::oldest_first(action_commitment::Column::Id);
    pages_by_parent(db, commitments_rows(), meetings, &sort, args).await
}

pub async fn commitment_counts(
    db: &impl ConnectionTrait,
    meetings: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    commitments_rows().count(db, meetings).await
}

/// Attendance per meeting and status in one statement; with `active`, also how many entries
/// are of ACTIVE memberships. Every meeting asked has an entry.
pub async fn attendance_counts(
    db: &impl ConnectionTrait,
    meetings: &[Uuid],
    active: bool,
) -> AppResult<HashMap<Uuid, AttendanceCounts>> {
    let backend = db.get_database_backend();
    let (a, m) = (Alias::new("a"), Alias::new("m"));
    let mut q = Query::select();
    q.expr_as(
        Expr::col((a.clone(), attendance::Column::MeetingId)),
        Alias::new("meeting_id"),
    )
    .expr_as(
        Expr::col((a.clone(), attendance::Column::Status)),
        Alias::new("status"),
    )
    .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
    .from_as(attendance::Entity, a.clone())
    .and_where(in_ids(
        backend,
        Expr::col((a.clone(), attendance::Column::MeetingId)),
        meetings,
    ))
    .group_by_col((a.clone(), attendance::Column::MeetingId))
    .group_by_col((a.clone(), attendance::Column::Status));
    if active {
        q.expr_as(
            Expr::cust(r#"SUM(CASE WHEN "m"."status" = 'ACTIVE' THEN 1 ELSE 0 END)"#),
            Alias::new("active_n"),
        )
        .join_as(
            JoinType::InnerJoin,
            membership::Entity,
            m.clone(),
            Expr::col((m, membership::Column::Id)).equals((a, attendance::Column::MembershipId)),
        );
    }
    let rows = db.query_all(&q).await?;
    let mut out: HashMap<Uuid, AttendanceCounts> = meetings
        .iter()
        .map(|id| (*id, AttendanceCounts::default()))
        .collect();
    for row in rows {
        let meeting: Uuid = row.try_get("", "meeting_id")?;
        let status: String = row.try_get("", "status")?;
        let n: i64 = row.try_get("", "n")?;
        let entry = out.entry(meeting).or_default();
        match status.as_str() {
            "PRESENT" => entry.present += n,
            "ABSENT" => entry.absent += n,
            _ => entry.excused += n,
        }
        if active {
            entry.recorded_active += row.try_get::<Option<i64>>("", "active_n")?.unwrap_or(0);
        }
    }
    Ok(out)
}

/// Each meeting's attendance entries, in the order they were recorded.
pub async fn attendance_of(
    db: &impl ConnectionTrait,
    meetings: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<attendance::Model>>> {
    let select = attendance::Entity::find().order_by_asc(attendance::Column::Id);
    reads::under(db, select, attendance::Column::MeetingId, meetings, |a| {
        a.meeting_id
    })
    .await
}

/// Each meeting's record, by meeting.
pub async fn records_of(
    db: &impl ConnectionTrait,
    meetings: &[Uuid],
) -> AppResult<HashMap<Uuid, meeting_record::Model>> {
    let select = meeting_record::Entity::find();
    let found = reads::under(
        db,
        select,
        meeting_record::Column::MeetingId,
        meetings,
        |r| r.meeting_id,
    )
    .await?;
    Ok(found
        .into_iter()
        .filter_map(|(meeting, mut rows)| rows.pop().map(|r| (meeting, r)))
        .collect())
}

/// Each record's amendments, oldest first.
pub async fn amendments_of(
    db: &impl ConnectionTrait,
    records: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<record_amendment::Model>>> {
    let select = record_amendment::Entity::find().order_by_asc(record_amendment::Column::Id);
    reads::under(
        db,
        select,
        record_amendment::Column::RecordId,
        records,
        |a| a.record_id,
    )
    .await
}

/// Each membership's OPEN commitments, oldest first.
pub async fn open_commitments_of(
    db: &impl ConnectionTrait,
    memberships: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<action_commitment::Model>>> {
    let select = action_commitment::Entity::find()
        .filter(action_commitment::Column::Status.eq(CommitmentStatus::Open))
        .order_by_asc(action_commitment::Column::Id);
    reads::under(
        db,
        select,
        action_commitment::Column::MembershipId,
        memberships,
        |c| c.membership_id,
    )
    .await
}

/// For each meeting, the open commitments made at its group's previous HELD meeting: one
/// statement with a correlated subquery picking that meeting.
pub async fn commitments_to_review(
    db: &impl ConnectionTrait,
    meetings: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<action_commitment::Model>>> {
    let backend = db.get_database_backend();
    let (id_list, values) = match backend {
        DatabaseBackend::Postgres => {
            let array = Value::Array(
                sea_orm::sea_query::ArrayType::Uuid,
                Some(Box::new(
                    meetings.iter().map(|id| Value::from(*id)).collect(),
                )),
            );
            ("= ANY($1)".to_owned(), vec![array])
        }
        _ => (
            format!("IN ({})", vec!["?"; meetings.len()].join(", ")),
            meetings.iter().map(|id| Value::from(*id)).collect(),
        ),
    };
    let sql = format!(
        "SELECT m.id AS for_meeting, c.* FROM meetings m \
         JOIN action_commitments c ON c.meeting_id = ( \
           SELECT p.id FROM meetings p \
           WHERE p.group_id = m.group_id AND p.status = 'HELD' AND p.starts_at < m.starts_at \
           ORDER BY p.starts_at DESC LIMIT 1) \
         WHERE m.id {id_list} AND c.status = 'OPEN' \
         ORDER BY c.id"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut out: HashMap<Uuid, Vec<action_commitment::Model>> = HashMap::new();
    for row in rows {
        let meeting: Uuid = row.try_get("", "for_meeting")?;
        out.entry(meeting)
            .or_default()
            .push(action_commitment::Model::from_query_result(&row, "")?);
    }
    Ok(out)
}
