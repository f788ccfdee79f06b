use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{action_commitment, attendance, meeting, meeting_record, record_amendment};

use crate::{
    connection,
    domain::{authz, meetings::agenda, meetings::records::parse_lines, pagination::PageArgs},
    error::{AppError, AppResult},
    graphql::loaders::must,
    graphql::{
        accounts::types::Person,
        connection::Total,
        context::{ContextExt, access},
        enums::{
            AgendaItemKind, AssignedBy, AttendanceStatus, CommitmentStatus, MeetingStatus,
            MeetingTheme, Modality,
        },
        groups::types::{Group, Membership, Venue},
        ids::{self, Kind},
        loaders::{
            CountKey,
            meetings::{
                AmendmentsKey, AttendanceKey, CommitmentPageKey, RecordKey, SummaryKey,
                ToReviewKey, asked,
            },
        },
        scalars::{Date, TimeZone},
    },
};

/// One session of a group. Only the group's active members and its managers see meetings.
#[derive(Clone)]
pub struct Meeting(pub meeting::Model);

#[derive(SimpleObject, Clone)]
pub struct AgendaItem {
    pub position: i32,
    pub kind: AgendaItemKind,
    pub title: String,
    pub minutes: i32,
}

impl From<agenda::AgendaItem> for AgendaItem {
    fn from(i: agenda::AgendaItem) -> Self {
        Self {
            position: i.position,
            kind: i.kind.into(),
            title: i.title,
            minutes: i.minutes,
        }
    }
}

/// Counts for the group's members; who attended is for facilitators.
#[derive(SimpleObject)]
pub struct AttendanceSummary {
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
    /// Active members with no entry yet.
    pub unrecorded: i64,
}

async fn group_of(ctx: &Context<'_>, group_id: uuid::Uuid) -> AppResult<entity::group::Model> {
    let g = ctx.loaders()?.groups_unchecked.load_one(group_id).await?;
    g.ok_or_else(|| AppError::internal("meeting without group"))
}

async fn cluster_path(ctx: &Context<'_>, cluster_id: uuid::Uuid) -> AppResult<String> {
    let c = ctx.loaders()?.clusters.load_one(cluster_id).await?;
    Ok(
        c.ok_or_else(|| AppError::internal("group without cluster"))?
            .path,
    )
}

/// Meeting content is for the group's insiders. Meetings are only handed out to insiders, but
/// these fields check again: an object kept from an earlier path (an ex-member's own
/// attendance, say) must not open the meeting.
/// The decision is kept per group for the request, so a page of meetings reads nothing for it
/// after the first.
async fn guard(ctx: &Context<'_>, meeting: &meeting::Model) -> AppResult<()> {
    let is_insider = match ctx.loaders()?.known_insider(meeting.group_id) {
        Some(known) => known,
        None => insider(ctx, &group_of(ctx, meeting.group_id).await?).await?,
    };
    if !is_insider {
        return Err(AppError::forbidden("meetings are for the group's members"));
    }
    Ok(())
}

/// The meeting, when the viewer may see it (null otherwise).
async fn meeting_if_visible(ctx: &Context<'_>, id: uuid::Uuid) -> AppResult<Option<Meeting>> {
    let m = must(&ctx.loaders()?.meetings, id, "meeting of a row").await?;
    let g = group_of(ctx, m.group_id).await?;
    Ok(insider(ctx, &g).await?.then_some(Meeting(m)))
}

/// Facilitators and managers of the group.
pub async fn runs(ctx: &Context<'_>, group: &entity::group::Model) -> AppResult<bool> {
    let access = access(ctx).await?;
    let path = cluster_path(ctx, group.cluster_id).await?;
    Ok(authz::can_run_group(&access, group, &path))
}

/// Insiders pass; anyone else gets UNAUTHENTICATED when anonymous, FORBIDDEN (saying `what`
/// is for the group's members) when signed in.
pub async fn require_insider(
    ctx: &Context<'_>,
    group: &entity::group::Model,
    what: &str,
) -> AppResult<()> {
    if insider(ctx, group).await? {
        return Ok(());
    }
    if access(ctx).await?.is_signed_in() {
        Err(AppError::forbidden(format!(
            "{what} are for the group's members"
        )))
    } else {
        Err(AppError::unauthenticated())
    }
}

/// Active members and managers of the group (decided once per group and request).
pub async fn insider(ctx: &Context<'_>, group: &entity::group::Model) -> AppResult<bool> {
    let loaders = ctx.loaders()?;
    if let Some(known) = loaders.known_insider(group.id) {
        return Ok(known);
    }
    let access = access(ctx).await?;
    let is_insider = access.is_signed_in() && {
        let path = cluster_path(ctx, group.cluster_id).await?;
        authz::is_insider(&access, group, &path)
    };
    loaders.remember_insider(group.id, is_insider);
    Ok(is_insider)
}

#[Object]
impl Meeting {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Meeting, self.0.id)
    }

    async fn group(&self, ctx: &Context<'_>) -> Result<Group> {
        guard(ctx, &self.0).await?;
        Ok(Group(group_of(ctx, self.0.group_id).await?))
    }

    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    async fn duration_minutes(&self) -> i64 {
        self.0.duration_minutes()
    }

    /// The group's zone, for showing local times.
    async fn timezone(&self) -> TimeZone {
        TimeZone(self.0.timezone.clone())
    }

    async fn status(&self) -> MeetingStatus {
        self.0.status.into()
    }

    async fn theme(&self) -> Option<MeetingTheme> {
        self.0.theme.map(Into::into)
    }

    async fn topic(&self) -> Option<&str> {
        self.0.topic.as_deref()
    }

    /// The meeting's own, else the group's.
    async fn modality(&self, ctx: &Context<'_>) -> Result<Modality> {
        Ok(match self.0.modality {
            Some(m) => m.into(),
            None => group_of(ctx, self.0.group_id).await?.modality.into(),
        })
    }

    /// The meeting's own venue, else the group's.
    async fn venue(&self, ctx: &Context<'_>) -> Result<Option<Venue>> {
        guard(ctx, &self.0).await?;
        let m = &self.0;
        if m.has_own_venue() {
            return Ok(Some(Venue {
                name: m.venue_name.clone(),
                area: m.venue_area.clone(),
                address: m.venue_address.clone(),
                location_notes: m.venue_location_notes.clone(),
                approximate: m.venue_approximate.unwrap_or(false),
            }));
        }
        let g = group_of(ctx, m.group_id).await?;
        if g.venue_name.is_none() && g.venue_area.is_none() && g.venue_address.is_none() {
            return Ok(None);
        }
        // Meetings are only shown to the group's insiders, who see the exact place.
        Ok(Some(Venue {
            name: g.venue_name,
            area: g.venue_area,
            address: g.venue_address,
            location_notes: g.venue_location_notes,
            approximate: g.venue_approximate,
        }))
    }

    /// The meeting's own link, else the group's; members only.
    async fn conference_url(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let g = group_of(ctx, self.0.group_id).await?;
        if !insider(ctx, &g).await? {
            return Ok(None);
        }
        Ok(self.0.conference_url.clone().or(g.conference_url))
    }

    async fn facilitator(&self, ctx: &Context<'_>) -> Result<Option<Membership>> {
        let Some(id) = self.0.facilitator_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()?
            .memberships
            .load_one(id)
            .await?
            .map(Membership))
    }

    async fn co_facilitator(&self, ctx: &Context<'_>) -> Result<Option<Membership>> {
        let Some(id) = self.0.co_facilitator_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()?
            .memberships
            .load_one(id)
            .await?
            .map(Membership))
    }

    async fn facilitator_assigned_by(&self) -> Option<AssignedBy> {
        self.0.facilitator_assigned_by.map(Into::into)
    }

    /// In order of position.
    async fn agenda(&self) -> Vec<AgendaItem> {
        agenda::parse(&self.0.agenda)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }

    /// Pass as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Attendees' anonymous feedback in aggregate (facilitators, managers and analysts);
    /// suppressed until the 72-hour feedback window closes, and below the privacy cohort.
    async fn feedback_summary(
        &self,
        ctx: &Context<'_>,
    ) -> Result<crate::graphql::care::feedback::MeetingFeedbackSummary> {
        crate::graphql::care::feedback::summary(ctx, &self.0).await
    }

    /// The finalised record; null until the meeting is HELD.
    async fn record(&self, ctx: &Context<'_>) -> Result<Option<MeetingRecord>> {
        guard(ctx, &self.0).await?;
        let found = ctx
            .loaders()?
            .meeting_data
            .load_one(RecordKey(self.0.id))
            .await?;
        Ok(found.map(|r| MeetingRecord {
            record: r,
            meeting: self.0.clone(),
        }))
    }

    /// Who came, for the group's facilitators and managers.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<Vec<Attendance>> {
        let g = group_of(ctx, self.0.group_id).await?;
        if !runs(ctx, &g).await? {
            return Err(AppError::forbidden("attendance is for the group's facilitators").into());
        }
        let rows = ctx
            .loaders()?
            .meeting_data
            .load_one(AttendanceKey(self.0.id))
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Attendance)
            .collect())
    }

    /// How many came: for the group's members.
    async fn attendance_summary(&self, ctx: &Context<'_>) -> Result<AttendanceSummary> {
        guard(ctx, &self.0).await?;
        // Who has no entry yet needs the memberships; the other counts need only attendance.
        let asked = asked(&ctx.look_ahead());
        let unrecorded = asked.unrecorded;
        let key = SummaryKey {
            meeting: self.0.id,
            asked,
        };
        let counts = ctx
            .loaders()?
            .meeting_data
            .load_one(key)
            .await?
            .unwrap_or_default();
        let unrecorded = if unrecorded {
            let active = i64::from(group_of(ctx, self.0.group_id).await?.active_member_count);
            (active - counts.recorded_active).max(0)
        } else {
            0
        };
        Ok(AttendanceSummary {
            present: counts.present,
            absent: counts.absent,
            excused: counts.excused,
            unrecorded,
        })
    }

    /// Commitments made at this meeting, oldest first.
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ActionCommitmentConnection> {
        guard(ctx, &self.0).await?;
        let args = PageArgs::new(first, after, last, before)?;
        let key = CommitmentPageKey {
            meeting: self.0.id,
            args,
        };
        let page = ctx
            .loaders()?
            .pages
            .load_one(key)
            .await?
            .unwrap_or_default();
        let total = Total::Batched(CountKey::MeetingCommitments(self.0.id));
        Ok(ActionCommitmentConnection::new(
            page.map(ActionCommitment),
            total,
        ))
    }

    /// Open commitments from the group's previous HELD meeting, to review at this one.
    async fn commitments_to_review(&self, ctx: &Context<'_>) -> Result<Vec<ActionCommitment>> {
        guard(ctx, &self.0).await?;
        let found = ctx
            .loaders()?
            .meeting_data
            .load_one(ToReviewKey(self.0.id))
            .await?;
        Ok(found
            .unwrap_or_default()
            .into_iter()
            .map(ActionCommitment)
            .collect())
    }
}

connection!(
    MeetingConnection,
    MeetingEdge,
    Meeting,
    "A page of meetings."
);
connection!(
    ActionCommitmentConnection,
    ActionCommitmentEdge,
    ActionCommitment,
    "A page of commitments."
);
connection!(
    AttendanceConnection,
    AttendanceEdge,
    Attendance,
    "A page of attendance entries."
);
connection!(
    MeetingRecordConnection,
    MeetingRecordEdge,
    MeetingRecord,
    "A page of the group's record."
);

/// One member's attendance at one meeting.
#[derive(Clone)]
pub struct Attendance(pub attendance::Model);

#[Object]
impl Attendance {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Attendance, self.0.id)
    }

    /// The meeting, while the viewer is a member of its group; null once they are not.
    async fn meeting(&self, ctx: &Context<'_>) -> Result<Option<Meeting>> {
        Ok(meeting_if_visible(ctx, self.0.meeting_id).await?)
    }

    async fn membership(&self, ctx: &Context<'_>) -> Result<Membership> {
        Ok(Membership(
            must(
                &ctx.loaders()?.memberships,
                self.0.membership_id,
                "attendance without membership",
            )
            .await?,
        ))
    }

    async fn status(&self) -> AttendanceStatus {
        self.0.status.into()
    }

    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// A held meeting's entry in the group's shared, read-only log.
#[derive(Clone)]
pub struct MeetingRecord {
    pub record: meeting_record::Model,
    pub meeting: meeting::Model,
}

#[Object]
impl MeetingRecord {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::MeetingRecord, self.record.id)
    }

    async fn meeting(&self) -> Meeting {
        Meeting(self.meeting.clone())
    }

    /// When the meeting took place.
    async fn date(&self) -> DateTime<Utc> {
        self.meeting.starts_at
    }

    async fn topic(&self) -> Option<&str> {
        self.meeting.topic.as_deref()
    }

    async fn summary(&self) -> &str {
        &self.record.summary
    }

    async fn topics(&self) -> Vec<String> {
        parse_lines(&self.record.topics)
    }

    async fn decisions(&self) -> Vec<String> {
        parse_lines(&self.record.decisions)
    }

    /// The commitments made at the meeting (up to 100).
    async fn action_items(&self, ctx: &Context<'_>) -> Result<Vec<ActionCommitment>> {
        let args = PageArgs::new(Some(100), None, None, None)?;
        let key = CommitmentPageKey {
            meeting: self.meeting.id,
            args,
        };
        let page = ctx
            .loaders()?
            .pages
            .load_one(key)
            .await?
            .unwrap_or_default();
        Ok(page
            .items
            .into_iter()
            .map(|(_, c)| ActionCommitment(c))
            .collect())
    }

    /// Corrections, oldest first; the original text above never changes.
    async fn amendments(&self, ctx: &Context<'_>) -> Result<Vec<RecordAmendment>> {
        let found = ctx
            .loaders()?
            .meeting_data
            .load_one(AmendmentsKey(self.record.id))
            .await?;
        Ok(found
            .unwrap_or_default()
            .into_iter()
            .map(RecordAmendment)
            .collect())
    }

    async fn finalized_at(&self) -> DateTime<Utc> {
        self.record.finalized_at
    }

    async fn finalized_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.record.finalized_by else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.people.load_one(id).await?.map(Person))
    }
}

/// A dated, attributed correction appended to a record.
#[derive(Clone)]
pub struct RecordAmendment(pub record_amendment::Model);

#[Object]
impl RecordAmendment {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::RecordAmendment, self.0.id)
    }

    async fn text(&self) -> &str {
        &self.0.text
    }

    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.0.author_id else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.people.load_one(id).await?.map(Person))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One concrete step a member committed to at a meeting.
#[derive(Clone)]
pub struct ActionCommitment(pub action_commitment::Model);

#[Object]
impl ActionCommitment {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ActionCommitment, self.0.id)
    }

    /// The meeting, while the viewer is a member of its group; null once they are not.
    async fn meeting(&self, ctx: &Context<'_>) -> Result<Option<Meeting>> {
        Ok(meeting_if_visible(ctx, self.0.meeting_id).await?)
    }

    async fn membership(&self, ctx: &Context<'_>) -> Result<Membership> {
        Ok(Membership(
            must(
                &ctx.loaders()?.memberships,
                self.0.membership_id,
                "commitment without membership",
            )
            .await?,
        ))
    }

    async fn text(&self) -> &str {
        &self.0.text
    }

    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Date)
    }

    async fn status(&self) -> CommitmentStatus {
        self.0.status.into()
    }

    async fn review_note(&self) -> Option<&str> {
        self.0.review_note.as_deref()
    }

    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
