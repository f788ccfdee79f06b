//! Loaders for meetings and what hangs off them: pages of a group's meetings, attendance,
//! summaries, records, amendments and commitments, and what group metrics are computed from —
//! each one statement per batch, read by `domain::meetings::reads` and `metric_reads`.

use std::collections::HashMap;

use crate::db::Db;
use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use entity::{
    CommitmentStatus, action_commitment, attendance, cluster, group, meeting, meeting_record,
    record_amendment,
};
use uuid::Uuid;

use super::{PageLoader, batches};
use crate::{
    domain::{
        meetings::{metric_reads, reads},
        pagination::{Page, PageArgs},
    },
    error::AppError,
};

pub use crate::domain::meetings::{
    load::LoadData,
    metric_reads::HealthData,
    reads::{Asked, AttendanceCounts, CountedMeeting, MeetingFilter},
};

/// Which counts of an `AttendanceSummary` the selection of an `attendanceSummary` field asks.
pub fn asked(summary: &async_graphql::Lookahead<'_>) -> Asked {
    Asked {
        present: summary.field("present").exists(),
        absent: summary.field("absent").exists(),
        excused: summary.field("excused").exists(),
        unrecorded: summary.field("unrecorded").exists(),
    }
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
            let pages =
                reads::meeting_pages(&self.db, &filter, &parents, &args, with_counts).await?;
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
/// detail). Nothing goes into the caches: the caller checks the viewer may see the group, then
/// hands the page to `feed_meeting_page` so the `meetings` field reads nothing more. None when
/// no group has the slug.
pub async fn group_with_meetings(
    db: &Db,
    slug: &str,
    key: &MeetingPageKey,
) -> Result<Option<(group::Model, cluster::Model, Page<CountedMeeting>)>, AppError> {
    reads::group_with_meetings(db, slug, &key.filter, &key.args, key.with_counts).await
}

/// A page of `group`'s meetings read along with something else, into the caches as if the
/// loader had read it (with its meetings and their counts).
pub async fn feed_meeting_page(
    loaders: &super::Loaders,
    group: Uuid,
    key: MeetingPageKey,
    page: Page<CountedMeeting>,
) {
    feed_seen(&loaders.seen(), [&page], key.with_counts).await;
    let key = MeetingPageKey { group, ..key };
    loaders.pages.feed_one(key, page.map(|(m, _)| m)).await;
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
            let mut pages = reads::commitment_pages(&self.db, &parents, &args).await?;
            for meeting in parents {
                let page = pages.remove(&meeting).unwrap_or_default();
                let args = args.clone();
                out.insert(CommitmentPageKey { meeting, args }, page);
            }
        }
        Ok(out)
    }
}

/// Per-meeting (and per-record, per-membership, per-group) data. One loader, one key type per
/// kind.
pub struct MeetingDataLoader {
    pub(super) db: Db,
}

/// A meeting's attendance counts, for the fields of `AttendanceSummary` a query asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SummaryKey {
    pub meeting: Uuid,
    pub asked: Asked,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HealthKey(pub Uuid);
/// (HELD meetings, reviews) per group, for the first-three-sessions evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EvaluationKey(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LoadKey(pub Uuid);

/// Commitments made at a group's meetings starting in [from, to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CompletionKey {
    pub group: Uuid,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

by_parent!(
    MeetingDataLoader,
    AttendanceKey,
    Vec<attendance::Model>,
    |db, ids| { reads::attendance_of(db, &ids) }
);
by_parent!(
    MeetingDataLoader,
    RecordKey,
    meeting_record::Model,
    |db, ids| reads::records_of(db, &ids)
);
by_parent!(
    MeetingDataLoader,
    AmendmentsKey,
    Vec<record_amendment::Model>,
    |db, ids| { reads::amendments_of(db, &ids) }
);
by_parent!(
    MeetingDataLoader,
    OpenCommitmentsKey,
    Vec<action_commitment::Model>,
    |db, ids| { reads::open_commitments_of(db, &ids) }
);
by_parent!(
    MeetingDataLoader,
    ToReviewKey,
    Vec<action_commitment::Model>,
    |db, ids| { reads::commitments_to_review(db, &ids) }
);
by_parent!(MeetingDataLoader, HealthKey, HealthData, |db, ids| {
    metric_reads::health_data(db, &ids)
});
by_parent!(MeetingDataLoader, EvaluationKey, (u64, u64), |db, ids| {
    metric_reads::evaluation_counts(db, &ids)
});
by_parent!(MeetingDataLoader, LoadKey, LoadData, |db, ids| {
    metric_reads::load_data(db, &ids, Utc::now())
});

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
            let counts = reads::attendance_counts(&self.db, &ids, unrecorded).await?;
            for key in asked {
                let found = counts.get(&key.meeting).copied().unwrap_or_default();
                out.insert(key, found);
            }
        }
        Ok(out)
    }
}

impl Loader<CompletionKey> for MeetingDataLoader {
    type Value = Vec<CommitmentStatus>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CompletionKey],
    ) -> Result<HashMap<CompletionKey, Self::Value>, AppError> {
        let mut out = HashMap::new();
        // Keys with the same range share a statement; ranges rarely differ within a request.
        for ((from, to), groups) in batches(keys, |k| ((k.from, k.to), k.group)) {
            let mut found = metric_reads::commitment_statuses(&self.db, &groups, from, to).await?;
            for group in groups {
                let statuses = found.remove(&group).unwrap_or_default();
                out.insert(CompletionKey { group, from, to }, statuses);
            }
        }
        Ok(out)
    }
}
