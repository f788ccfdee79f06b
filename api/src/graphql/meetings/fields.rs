//! Meeting-related fields of other types (Group, Membership, Viewer), kept here with the
//! rest of the meeting code.

use async_graphql::{Context, InputObject, InputType as _, Lookahead, Result};
use chrono::{DateTime, Utc};
use entity::{MeetingStatus as StoredStatus, group, membership};

use super::types::{
    ActionCommitment, AgendaItem, Attendance, AttendanceConnection, Meeting, MeetingConnection,
    MeetingRecord, MeetingRecordConnection, insider, runs,
};
use crate::{
    domain::{
        meetings::agenda,
        pagination::{Page, PageArgs},
    },
    error::AppError,
    graphql::{
        connection::Total,
        context::{ContextExt, access},
        enums::MeetingStatus,
        loaders::{
            CountKey,
            meetings::{
                Asked, MeetingFilter as FilterKey, MeetingPageKey, OpenCommitmentsKey, RecordKey,
                asked,
            },
        },
    },
};

#[derive(InputObject, Default)]
pub struct MeetingFilter {
    /// Meetings starting at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Meetings starting before this instant.
    pub to: Option<DateTime<Utc>>,
    /// One status or several.
    pub status: Option<Vec<MeetingStatus>>,
}

async fn require_insider(ctx: &Context<'_>, group: &group::Model) -> Result<()> {
    Ok(crate::graphql::meetings::types::require_insider(ctx, group, "meetings").await?)
}

/// `Group.meetings`: in order of start.
pub async fn meetings(
    ctx: &Context<'_>,
    group: &group::Model,
    filter: Option<MeetingFilter>,
    args: PageArgs,
) -> Result<MeetingConnection> {
    require_insider(ctx, group).await?;
    let filter = filter_key(filter);
    let total = Total::Batched(CountKey::Meetings {
        group: group.id,
        filter: filter.clone(),
    });
    let key = MeetingPageKey {
        group: group.id,
        filter,
        args,
        with_counts: counts_ahead(&ctx.look_ahead()),
    };
    let page = ctx
        .loaders()?
        .pages
        .load_one(key)
        .await?
        .unwrap_or_default();
    Ok(MeetingConnection::new(page.map(Meeting), total))
}

/// The dashboards' shape: each meeting's attendance counts, read with the page, when the
/// page's nodes ask for them (never with `unrecorded`, which needs the memberships).
fn counts_ahead(page: &async_graphql::Lookahead<'_>) -> Option<Asked> {
    let summary = page.field("edges").field("node").field("attendanceSummary");
    (summary.exists() && !summary.field("unrecorded").exists()).then(|| asked(&summary))
}

/// What `meetings` makes of its filter: statuses sorted and deduplicated, so that equal
/// filters make equal keys.
fn filter_key(filter: Option<MeetingFilter>) -> FilterKey {
    let filter = filter.unwrap_or_default();
    let mut statuses: Vec<StoredStatus> = filter
        .status
        .unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect();
    statuses.sort_by_key(|s| s.as_str());
    statuses.dedup();
    FilterKey {
        from: filter.from,
        to: filter.to,
        statuses,
        newest_first: false,
    }
}

/// The key of the one `meetings` page asked in `group`'s selection, read ahead of the group
/// (its `group` is nil: the caller fills it in) so that a parent can read it before the field
/// runs; the same key the field makes. None when there is none, several, or arguments the
/// field will refuse.
pub fn meetings_page_ahead(group: &Lookahead<'_>) -> Option<MeetingPageKey> {
    let page = group.field("meetings");
    let asked = page.selection_fields();
    let [field] = asked.as_slice() else {
        return None;
    };
    let mut filter = None;
    let args = crate::graphql::connection::page_args_ahead(field, |name, value| {
        name == "filter"
            && Option::<MeetingFilter>::parse(Some(value.clone()))
                .map(|parsed| filter = parsed)
                .is_ok()
    })?;
    Some(MeetingPageKey {
        group: uuid::Uuid::nil(),
        filter: filter_key(filter),
        args,
        with_counts: counts_ahead(&page),
    })
}

/// `Group.nextMeeting`: the next SCHEDULED meeting, for insiders (null for everyone else).
pub async fn next_meeting(ctx: &Context<'_>, group: &group::Model) -> Result<Option<Meeting>> {
    if !insider(ctx, group).await? {
        return Ok(None);
    }
    let filter = FilterKey {
        from: Some(Utc::now()),
        to: None,
        statuses: vec![StoredStatus::Scheduled],
        newest_first: false,
    };
    let key = MeetingPageKey {
        group: group.id,
        filter,
        args: PageArgs::new(Some(1), None, None, None)?,
        with_counts: None,
    };
    let page = ctx
        .loaders()?
        .pages
        .load_one(key)
        .await?
        .unwrap_or_default();
    Ok(page.items.into_iter().next().map(|(_, m)| Meeting(m)))
}

/// `Group.record`: held meetings' records, newest first.
pub async fn record(
    ctx: &Context<'_>,
    group: &group::Model,
    args: PageArgs,
) -> Result<MeetingRecordConnection> {
    require_insider(ctx, group).await?;
    let filter = FilterKey {
        statuses: vec![StoredStatus::Held],
        newest_first: true,
        ..FilterKey::default()
    };
    let total = Total::Batched(CountKey::Meetings {
        group: group.id,
        filter: filter.clone(),
    });
    let loaders = ctx.loaders()?;
    let held = loaders
        .pages
        .load_one(MeetingPageKey {
            group: group.id,
            filter,
            args,
            with_counts: None,
        })
        .await?
        .unwrap_or_default();
    let keys: Vec<RecordKey> = held.items.iter().map(|(_, m)| RecordKey(m.id)).collect();
    let records = loaders.meeting_data.load_many(keys).await?;
    let page = Page {
        items: held
            .items
            .into_iter()
            .filter_map(|(cursor, meeting)| {
                let record = records.get(&RecordKey(meeting.id))?.clone();
                Some((cursor, MeetingRecord { record, meeting }))
            })
            .collect(),
        has_next_page: held.has_next_page,
        has_previous_page: held.has_previous_page,
    };
    Ok(MeetingRecordConnection::new(page, total))
}

/// `Group.agendaTemplate`: what new meetings start with.
pub fn agenda_template(group: &group::Model) -> Vec<AgendaItem> {
    group
        .agenda_template
        .as_deref()
        .map(agenda::parse)
        .unwrap_or_else(agenda::default_agenda)
        .into_iter()
        .map(Into::into)
        .collect()
}

/// `Membership.openCommitments`: for the member and the group's facilitators.
pub async fn open_commitments(
    ctx: &Context<'_>,
    membership: &membership::Model,
) -> Result<Vec<ActionCommitment>> {
    let access = access(ctx).await?;
    if access.person_id != Some(membership.person_id) {
        let g = ctx
            .loaders()?
            .groups_unchecked
            .load_one(membership.group_id)
            .await?;
        let g = g.ok_or_else(|| AppError::internal("membership without group"))?;
        if !runs(ctx, &g).await? {
            return Err(
                AppError::forbidden("commitments are for the member and the facilitators").into(),
            );
        }
    }
    let found = ctx
        .loaders()?
        .meeting_data
        .load_one(OpenCommitmentsKey(membership.id))
        .await?;
    Ok(found
        .unwrap_or_default()
        .into_iter()
        .map(ActionCommitment)
        .collect())
}

/// `Viewer.attendance`: the viewer's own history, newest first.
pub async fn viewer_attendance(ctx: &Context<'_>, args: PageArgs) -> Result<AttendanceConnection> {
    let access = access(ctx).await?;
    let (result, total) =
        crate::domain::meetings::attendance::own_history(ctx.db()?, &access, &args).await?;
    Ok(AttendanceConnection::new(
        result.map(Attendance),
        Total::Known(total),
    ))
}
