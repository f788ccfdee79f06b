//! Loaders for meetings and what hangs off them: pages of a group's meetings, attendance,
//! summaries, records, amendments and commitments — each one statement per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use entity::{
    AttendanceStatus, CommitmentStatus, MeetingStatus, action_commitment, attendance, cluster,
    group, meeting, meeting_record, membership, record_amendment,
};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ActiveEnum as _, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QueryTrait, Statement, Value,
    sea_query::{Alias, Expr},
};
use uuid::Uuid;

use super::{PageLoader, batches};
use crate::{
    domain::{
        in_ids,
        meetings::load,
        pagination::{
            ChildRows, PAGED, Page, PageArgs, Sort, pages_by_parent, pages_by_parent_with,
            pages_of_found_parents,
        },
    },
    error::AppError,
};

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MeetingFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Empty: every status.
    pub statuses: Vec<MeetingStatus>,
    pub newest_first: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MeetingPageKey {
    pub group: Uuid,
    pub filter: MeetingFilter,
    pub args: PageArgs,
    /// Also count each meeting's attendance for these summary fields (filling the summary
    /// cache); never with `unrecorded`, which needs the memberships.
    pub with_counts: Option<Asked>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CommitmentPageKey {
    pub meeting: Uuid,
    pub args: PageArgs,
}

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

/// A meeting's commitments.
pub(super) fn commitments_rows() -> ChildRows {
    ChildRows::new(
        action_commitment::Entity::find().into_query(),
        (
            action_commitment::Entity,
            action_commitment::Column::MeetingId,
        ),
    )
}

impl Loader<MeetingPageKey> for PageLoader {
    type Value = Page<meeting::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[MeetingPageKey],
    ) -> Result<HashMap<MeetingPageKey, Self::Value>, AppError> {
        let groups = batches(keys, |k| {
            ((k.filter.clone(), k.args.clone(), k.with_counts), k.group)
        });
        let mut out = HashMap::new();
        for ((filter, args, with_counts), parents) in groups {
            let pages = pages_by_parent_with(
                &self.db,
                meetings_rows(&filter),
                &parents,
                &meetings_sort(&filter),
                &args,
                counts_columns(with_counts),
                |row| decode_counts(with_counts, row),
            )
            .await?;
            feed_seen(&self.seen, pages.values(), with_counts).await;
            let mut pages: HashMap<Uuid, Page<meeting::Model>> = pages
                .into_iter()
                .map(|(g, p)| (g, p.map(|(m, _)| m)))
                .collect();
            for group in parents {
                let page = pages.remove(&group).unwrap_or_default();
                let key = MeetingPageKey {
                    group,
                    filter: filter.clone(),
                    args: args.clone(),
                    with_counts,
                };
                out.insert(key, page);
            }
        }
        Ok(out)
    }
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

/// Those counts, read back from a row of the page statement.
fn decode_counts(
    with_counts: Option<Asked>,
    row: &sea_orm::QueryResult,
) -> Result<Option<AttendanceCounts>, AppError> {
    let Some(asked) = with_counts else {
        return Ok(None);
    };
    let n = |wanted: bool, name: &str| -> Result<i64, AppError> {
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

type CountedMeeting = (meeting::Model, Option<AttendanceCounts>);

/// The meetings of pages and their counts, into the by-id and summary caches.
async fn feed_seen<'a>(
    seen: &super::Seen,
    pages: impl IntoIterator<Item = &'a Page<CountedMeeting>> + Clone,
    with_counts: Option<Asked>,
) {
    let meetings = super::Seen::rows_of(pages.clone(), |(m, _): &CountedMeeting| {
        Some((m.id, m.clone()))
    });
    seen.meetings.feed_many(meetings).await;
    let counts = super::Seen::rows_of(pages, |(m, counts): &CountedMeeting| {
        let key = |asked| SummaryKey {
            meeting: m.id,
            asked,
        };
        counts.zip(with_counts).map(|(c, asked)| (key(asked), c))
    });
    seen.meeting_data.feed_many(counts).await;
}

/// A group by slug with its cluster and one page of its meetings, in one statement (a group's
/// detail); the page and its meetings go into the caches so the `meetings` field reads nothing
/// more (the caller feeds the group and cluster once it has checked them). None when no group
/// has the slug.
pub async fn group_with_meetings(
    db: &DatabaseConnection,
    loaders: &super::Loaders,
    slug: &str,
    key: MeetingPageKey,
) -> Result<Option<(group::Model, cluster::Model)>, AppError> {
    let MeetingPageKey {
        filter,
        args,
        with_counts,
        ..
    } = key;
    let which = Condition::all()
        .add(Expr::col((Alias::new("page"), group::Column::Slug)).eq(slug.to_owned()));
    let found = pages_of_found_parents::<group::Entity, cluster::Entity, meeting::Entity, _>(
        db,
        meetings_rows(&filter),
        which,
        group::Column::ClusterId,
        &meetings_sort(&filter),
        &args,
        counts_columns(with_counts),
        |row| decode_counts(with_counts, row),
    )
    .await?;
    let Some((g, c, page)) = found.into_iter().next() else {
        return Ok(None);
    };
    feed_seen(&loaders.seen(), [&page], with_counts).await;
    let key = MeetingPageKey {
        group: g.id,
        filter,
        args,
        with_counts,
    };
    loaders.pages.feed_one(key, page.map(|(m, _)| m)).await;
    Ok(Some((g, c)))
}

/// How many entries of a meeting on the page have `status`.
fn count_of(status: AttendanceStatus) -> Expr {
    let a = Alias::new("counted");
    Expr::from(
        sea_orm::sea_query::Query::select()
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

impl Loader<CommitmentPageKey> for PageLoader {
    type Value = Page<action_commitment::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CommitmentPageKey],
    ) -> Result<HashMap<CommitmentPageKey, Self::Value>, AppError> {
        let groups = batches(keys, |k| (k.args.clone(), k.meeting));
        let mut out = HashMap::new();
        for (args, parents) in groups {
            let sort: Sort<action_commitment::Entity> = Sort {
                key: None,
                id: action_commitment::Column::Id,
                descending: false,
            };
            let rows = commitments_rows();
            let mut pages = pages_by_parent(&self.db, rows, &parents, &sort, &args).await?;
            for meeting in parents {
                let page = pages.remove(&meeting).unwrap_or_default();
                out.insert(
                    CommitmentPageKey {
                        meeting,
                        args: args.clone(),
                    },
                    page,
                );
            }
        }
        Ok(out)
    }
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

/// Per-meeting (and per-record, per-membership) data. One loader, one key type per kind.
pub struct MeetingDataLoader {
    pub(super) db: DatabaseConnection,
}

/// A meeting's attendance counts, for the fields of `AttendanceSummary` a query asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SummaryKey {
    pub meeting: Uuid,
    pub asked: Asked,
}

/// Which counts of an `AttendanceSummary` a query asks for. `unrecorded` needs the entries of
/// ACTIVE members (a join with memberships the others do not need); a page of meetings counts
/// only the asked statuses along with the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Asked {
    pub present: bool,
    pub absent: bool,
    pub excused: bool,
    pub unrecorded: bool,
}

impl Asked {
    /// From the selection of an `attendanceSummary` field.
    pub fn of(summary: &async_graphql::Lookahead<'_>) -> Self {
        Self {
            present: summary.field("present").exists(),
            absent: summary.field("absent").exists(),
            excused: summary.field("excused").exists(),
            unrecorded: summary.field("unrecorded").exists(),
        }
    }

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AttendanceKey(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RecordKey(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AmendmentsKey(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OpenCommitmentsKey(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ToReviewKey(pub Uuid);

fn keys_of<K: Copy>(keys: &[K], id: impl Fn(K) -> Uuid) -> Vec<Uuid> {
    keys.iter().map(|k| id(*k)).collect()
}

impl Loader<SummaryKey> for MeetingDataLoader {
    type Value = AttendanceCounts;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[SummaryKey],
    ) -> Result<HashMap<SummaryKey, Self::Value>, AppError> {
        let mut out: HashMap<SummaryKey, AttendanceCounts> = HashMap::new();
        for unrecorded in [false, true] {
            let asked: Vec<SummaryKey> = keys
                .iter()
                .filter(|k| k.asked.unrecorded == unrecorded)
                .copied()
                .collect();
            if asked.is_empty() {
                continue;
            }
            let ids: Vec<Uuid> = asked.iter().map(|k| k.meeting).collect();
            let counts = self.attendance_counts(&ids, unrecorded).await?;
            for key in asked {
                let found = counts.get(&key.meeting).copied().unwrap_or_default();
                out.insert(key, found);
            }
        }
        Ok(out)
    }
}

impl MeetingDataLoader {
    /// Attendance per meeting and status in one statement; with `active`, also how many
    /// entries are of ACTIVE memberships.
    async fn attendance_counts(
        &self,
        ids: &[Uuid],
        active: bool,
    ) -> Result<HashMap<Uuid, AttendanceCounts>, AppError> {
        let backend = self.db.get_database_backend();
        let (a, m) = (Alias::new("a"), Alias::new("m"));
        let mut q = sea_orm::sea_query::Query::select();
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
            ids,
        ))
        .group_by_col((a.clone(), attendance::Column::MeetingId))
        .group_by_col((a.clone(), attendance::Column::Status));
        if active {
            q.expr_as(
                Expr::cust(r#"SUM(CASE WHEN "m"."status" = 'ACTIVE' THEN 1 ELSE 0 END)"#),
                Alias::new("active_n"),
            )
            .join_as(
                sea_orm::sea_query::JoinType::InnerJoin,
                membership::Entity,
                m.clone(),
                Expr::col((m, membership::Column::Id))
                    .equals((a, attendance::Column::MembershipId)),
            );
        }
        let rows = self.db.query_all(&q).await?;
        let mut out: HashMap<Uuid, AttendanceCounts> = ids
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
}

impl Loader<AttendanceKey> for MeetingDataLoader {
    type Value = Vec<attendance::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[AttendanceKey],
    ) -> Result<HashMap<AttendanceKey, Self::Value>, AppError> {
        let ids = keys_of(keys, |k| k.0);
        let backend = self.db.get_database_backend();
        let rows = attendance::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((attendance::Entity, attendance::Column::MeetingId)),
                &ids,
            ))
            .order_by_asc(attendance::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<AttendanceKey, Vec<attendance::Model>> = HashMap::new();
        for row in rows {
            out.entry(AttendanceKey(row.meeting_id))
                .or_default()
                .push(row);
        }
        Ok(out)
    }
}

impl Loader<RecordKey> for MeetingDataLoader {
    type Value = meeting_record::Model;
    type Error = AppError;

    async fn load(&self, keys: &[RecordKey]) -> Result<HashMap<RecordKey, Self::Value>, AppError> {
        let ids = keys_of(keys, |k| k.0);
        let backend = self.db.get_database_backend();
        let rows = meeting_record::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((meeting_record::Entity, meeting_record::Column::MeetingId)),
                &ids,
            ))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (RecordKey(r.meeting_id), r))
            .collect())
    }
}

impl Loader<AmendmentsKey> for MeetingDataLoader {
    type Value = Vec<record_amendment::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[AmendmentsKey],
    ) -> Result<HashMap<AmendmentsKey, Self::Value>, AppError> {
        let ids = keys_of(keys, |k| k.0);
        let backend = self.db.get_database_backend();
        let rows = record_amendment::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((record_amendment::Entity, record_amendment::Column::RecordId)),
                &ids,
            ))
            .order_by_asc(record_amendment::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<AmendmentsKey, Vec<record_amendment::Model>> = HashMap::new();
        for row in rows {
            out.entry(AmendmentsKey(row.record_id))
                .or_default()
                .push(row);
        }
        Ok(out)
    }
}

impl Loader<OpenCommitmentsKey> for MeetingDataLoader {
    type Value = Vec<action_commitment::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[OpenCommitmentsKey],
    ) -> Result<HashMap<OpenCommitmentsKey, Self::Value>, AppError> {
        let ids = keys_of(keys, |k| k.0);
        let backend = self.db.get_database_backend();
        let rows = action_commitment::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((
                    action_commitment::Entity,
                    action_commitment::Column::MembershipId,
                )),
                &ids,
            ))
            .filter(action_commitment::Column::Status.eq(CommitmentStatus::Open))
            .order_by_asc(action_commitment::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<OpenCommitmentsKey, Vec<action_commitment::Model>> = HashMap::new();
        for row in rows {
            out.entry(OpenCommitmentsKey(row.membership_id))
                .or_default()
                .push(row);
        }
        Ok(out)
    }
}

/// For each meeting, the open commitments made at its group's previous HELD meeting: one
/// statement with a correlated subquery picking that meeting.
impl Loader<ToReviewKey> for MeetingDataLoader {
    type Value = Vec<action_commitment::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ToReviewKey],
    ) -> Result<HashMap<ToReviewKey, Self::Value>, AppError> {
        let ids = keys_of(keys, |k| k.0);
        let backend = self.db.get_database_backend();
        let (id_list, values) = match backend {
            DatabaseBackend::Postgres => {
                let array = Value::Array(
                    sea_orm::sea_query::ArrayType::Uuid,
                    Some(Box::new(ids.iter().map(|id| Value::from(*id)).collect())),
                );
                ("= ANY($1)".to_owned(), vec![array])
            }
            _ => (
                format!("IN ({})", vec!["?"; ids.len()].join(", ")),
                ids.iter().map(|id| Value::from(*id)).collect(),
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
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        let mut out: HashMap<ToReviewKey, Vec<action_commitment::Model>> = HashMap::new();
        for row in rows {
            let meeting: Uuid = row.try_get("", "for_meeting")?;
            out.entry(ToReviewKey(meeting))
                .or_default()
                .push(action_commitment::Model::from_query_result(&row, "")?);
        }
        Ok(out)
    }
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HealthKey(pub Uuid);

impl Loader<HealthKey> for MeetingDataLoader {
    type Value = HealthData;
    type Error = AppError;

    async fn load(&self, keys: &[HealthKey]) -> Result<HashMap<HealthKey, Self::Value>, AppError> {
        use crate::domain::meetings::metrics::CONSISTENCY_WINDOW;
        let ids = keys_of(keys, |k| k.0);
        let backend = self.db.get_database_backend();
        let mut out: HashMap<HealthKey, HealthData> =
            keys.iter().map(|k| (*k, HealthData::default())).collect();
        for m in membership::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((membership::Entity, membership::Column::GroupId)),
                &ids,
            ))
            .all(&self.db)
            .await?
        {
            out.entry(HealthKey(m.group_id))
                .or_default()
                .memberships
                .push(m);
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
        let pages = pages_by_parent(&self.db, meetings_rows(&filter), &ids, &sort, &args).await?;
        let mut held_ids = Vec::new();
        for (group, page) in pages {
            let entry = out.entry(HealthKey(group)).or_default();
            for (_, m) in page.items {
                held_ids.push(m.id);
                entry.recent_held.push((m.id, m.starts_at));
            }
        }
        if !held_ids.is_empty() {
            let meeting_group: HashMap<Uuid, Uuid> = out
                .iter()
                .flat_map(|(k, d)| d.recent_held.iter().map(move |(id, _)| (*id, k.0)))
                .collect();
            for a in attendance::Entity::find()
                .filter(in_ids(
                    backend,
                    Expr::col((attendance::Entity, attendance::Column::MeetingId)),
                    &held_ids,
                ))
                .all(&self.db)
                .await?
            {
                if let Some(group) = meeting_group.get(&a.meeting_id) {
                    out.entry(HealthKey(*group)).or_default().attendance.push(a);
                }
            }
        }
        Ok(out)
    }
}

/// A span of meeting starts, either end open.
type Range = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Commitments made at a group's meetings starting in [from, to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CompletionKey {
    pub group: Uuid,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Loader<CompletionKey> for MeetingDataLoader {
    type Value = Vec<CommitmentStatus>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CompletionKey],
    ) -> Result<HashMap<CompletionKey, Self::Value>, AppError> {
        let backend = self.db.get_database_backend();
        let mut out = HashMap::new();
        // Keys with the same range share a statement; ranges rarely differ within a request.
        let mut by_range: HashMap<Range, Vec<Uuid>> = HashMap::new();
        for k in keys {
            by_range.entry((k.from, k.to)).or_default().push(k.group);
        }
        for ((from, to), groups) in by_range {
            let mut q = action_commitment::Entity::find().into_query();
            q.join_as(
                sea_orm::sea_query::JoinType::InnerJoin,
                meeting::Entity,
                Alias::new("m"),
                Expr::col((Alias::new("m"), meeting::Column::Id)).equals((
                    action_commitment::Entity,
                    action_commitment::Column::MeetingId,
                )),
            )
            .expr_as(
                Expr::col((Alias::new("m"), meeting::Column::GroupId)),
                Alias::new("for_group"),
            )
            .and_where(in_ids(
                backend,
                Expr::col((Alias::new("m"), meeting::Column::GroupId)),
                &groups,
            ));
            if let Some(from) = from {
                q.and_where(Expr::col((Alias::new("m"), meeting::Column::StartsAt)).gte(from));
            }
            if let Some(to) = to {
                q.and_where(Expr::col((Alias::new("m"), meeting::Column::StartsAt)).lt(to));
            }
            let rows = self.db.query_all(&q).await?;
            let mut per_group: HashMap<Uuid, Vec<CommitmentStatus>> = HashMap::new();
            for row in rows {
                let group: Uuid = row.try_get("", "for_group")?;
                let c = action_commitment::Model::from_query_result(&row, "")?;
                per_group.entry(group).or_default().push(c.status);
            }
            for group in groups {
                out.insert(
                    CompletionKey { group, from, to },
                    per_group.remove(&group).unwrap_or_default(),
                );
            }
        }
        Ok(out)
    }
}

/// (HELD meetings, reviews) per group, for the first-three-sessions evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EvaluationKey(pub Uuid);

impl Loader<EvaluationKey> for MeetingDataLoader {
    type Value = (u64, u64);
    type Error = AppError;

    async fn load(
        &self,
        keys: &[EvaluationKey],
    ) -> Result<HashMap<EvaluationKey, Self::Value>, AppError> {
        let ids = keys_of(keys, |k| k.0);
        let filter = MeetingFilter {
            statuses: vec![MeetingStatus::Held],
            ..MeetingFilter::default()
        };
        let held = meetings_rows(&filter).count(&self.db, &ids).await?;
        let reviews = ChildRows::new(
            entity::group_review::Entity::find().into_query(),
            (
                entity::group_review::Entity,
                entity::group_review::Column::GroupId,
            ),
        )
        .count(&self.db, &ids)
        .await?;
        Ok(keys
            .iter()
            .map(|k| {
                (
                    *k,
                    (
                        held.get(&k.0).copied().unwrap_or(0),
                        reviews.get(&k.0).copied().unwrap_or(0),
                    ),
                )
            })
            .collect())
    }
}

pub use crate::domain::meetings::load::LoadData;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LoadKey(pub Uuid);

impl Loader<LoadKey> for MeetingDataLoader {
    type Value = LoadData;
    type Error = AppError;

    async fn load(&self, keys: &[LoadKey]) -> Result<HashMap<LoadKey, Self::Value>, AppError> {
        use entity::{MembershipRole, MembershipStatus, facilitator_load_report as report};
        let ids = keys_of(keys, |k| k.0);
        let backend = self.db.get_database_backend();
        let mut out: HashMap<LoadKey, LoadData> =
            keys.iter().map(|k| (*k, LoadData::default())).collect();
        let facilitators = membership::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((membership::Entity, membership::Column::GroupId)),
                &ids,
            ))
            .filter(membership::Column::Status.eq(MembershipStatus::Active))
            .filter(
                membership::Column::Role
                    .is_in([MembershipRole::Facilitator, MembershipRole::CoFacilitator]),
            )
            .order_by_asc(membership::Column::Id)
            .all(&self.db);
        let now = Utc::now();
        let filter = MeetingFilter {
            from: Some(now - chrono::Duration::weeks(load::HISTORY_WEEKS)),
            to: Some(now),
            ..MeetingFilter::default()
        };
        let meetings = meeting::Model::find_by_statement(
            backend.build(&meetings_rows(&filter).of_parents(backend, &ids)),
        )
        .all(&self.db);
        // Independent: both at once (the reports need the facilitators).
        let (facilitators, meetings) =
            futures_util::future::try_join(facilitators, meetings).await?;
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
                    report::Column::CreatedAt
                        .gte(now - chrono::Duration::weeks(load::WINDOW_WEEKS)),
                )
                .all(&self.db)
                .await?
        };
        let group_of: HashMap<Uuid, Uuid> =
            facilitators.iter().map(|m| (m.id, m.group_id)).collect();
        for m in facilitators {
            out.entry(LoadKey(m.group_id))
                .or_default()
                .facilitators
                .push(m);
        }
        for m in meetings {
            out.entry(LoadKey(m.group_id)).or_default().meetings.push(m);
        }
        for r in reports {
            if let Some(group) = group_of.get(&r.membership_id) {
                out.entry(LoadKey(*group)).or_default().reports.push(r);
            }
        }
        Ok(out)
    }
}
