use async_graphql::{Context, Object, Result, SimpleObject};

use super::{
    inputs::{
        AddCommitmentInput, AmendMeetingRecordInput, CancelMeetingInput,
        FinalizeMeetingRecordInput, RecordAttendanceInput, ReviewCommitmentInput,
        ScheduleMeetingInput, ScheduleMeetingsFromCadenceInput, SetAgendaInput,
        SetAgendaTemplateInput, UpdateMeetingInput,
    },
    types::{ActionCommitment, Attendance, Meeting, MeetingRecord, RecordAmendment},
};
use crate::{
    domain::meetings::{self, attendance, commitments, records},
    graphql::{
        context::{ContextExt, signed_in},
        groups::types::Group,
        ids::{self, Kind},
    },
};

#[derive(Default)]
pub struct MeetingMutation;

#[derive(SimpleObject)]
pub struct ScheduleMeetingPayload {
    pub meeting: Meeting,
}

#[derive(SimpleObject)]
pub struct ScheduleMeetingsFromCadencePayload {
    /// The meetings this call created (none when they all existed already).
    pub meetings: Vec<Meeting>,
    pub created_count: i32,
}

#[derive(SimpleObject)]
pub struct UpdateMeetingPayload {
    pub meeting: Meeting,
}

#[derive(SimpleObject)]
pub struct CancelMeetingPayload {
    pub meeting: Meeting,
}

#[derive(SimpleObject)]
pub struct SetAgendaPayload {
    pub meeting: Meeting,
}

#[derive(SimpleObject)]
pub struct SetAgendaTemplatePayload {
    pub group: Group,
}

#[derive(SimpleObject)]
pub struct RecordAttendancePayload {
    pub attendance: Vec<Attendance>,
}

#[derive(SimpleObject)]
pub struct FinalizeMeetingRecordPayload {
    pub meeting: Meeting,
    pub record: MeetingRecord,
}

#[derive(SimpleObject)]
pub struct AmendMeetingRecordPayload {
    pub amendment: RecordAmendment,
}

#[derive(SimpleObject)]
pub struct AddCommitmentPayload {
    pub commitment: ActionCommitment,
}

#[derive(SimpleObject)]
pub struct ReviewCommitmentPayload {
    pub commitment: ActionCommitment,
}

#[Object]
impl MeetingMutation {
    /// Facilitators and managers of the group.
    async fn schedule_meeting(
        &self,
        ctx: &Context<'_>,
        input: ScheduleMeetingInput,
    ) -> Result<ScheduleMeetingPayload> {
        let access = signed_in(ctx).await?;
        let group = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let m = meetings::schedule_meeting(ctx.db()?, &access, group, input.into_fields()).await?;
        Ok(ScheduleMeetingPayload {
            meeting: Meeting(m),
        })
    }

    /// Creates the group's meetings from its cadence through `until` (idempotent).
    async fn schedule_meetings_from_cadence(
        &self,
        ctx: &Context<'_>,
        input: ScheduleMeetingsFromCadenceInput,
    ) -> Result<ScheduleMeetingsFromCadencePayload> {
        let access = signed_in(ctx).await?;
        let group = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let created =
            meetings::schedule_from_cadence(ctx.db()?, &access, group, input.until.0).await?;
        Ok(ScheduleMeetingsFromCadencePayload {
            created_count: created.len() as i32,
            meetings: created.into_iter().map(Meeting).collect(),
        })
    }

    async fn update_meeting(
        &self,
        ctx: &Context<'_>,
        input: UpdateMeetingInput,
    ) -> Result<UpdateMeetingPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?;
        let version = input.expected_version;
        let m =
            meetings::update_meeting(ctx.db()?, &access, id, version, input.into_fields()).await?;
        Ok(UpdateMeetingPayload {
            meeting: Meeting(m),
        })
    }

    async fn cancel_meeting(
        &self,
        ctx: &Context<'_>,
        input: CancelMeetingInput,
    ) -> Result<CancelMeetingPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?;
        let m = meetings::cancel_meeting(ctx.db()?, &access, id, &input.reason).await?;
        Ok(CancelMeetingPayload {
            meeting: Meeting(m),
        })
    }

    /// Replaces the agenda: positions unique, minutes positive, total within the meeting.
    async fn set_agenda(
        &self,
        ctx: &Context<'_>,
        input: SetAgendaInput,
    ) -> Result<SetAgendaPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?;
        let items = input.items.into_iter().map(Into::into).collect();
        let m = meetings::set_agenda(ctx.db()?, &access, id, items).await?;
        Ok(SetAgendaPayload {
            meeting: Meeting(m),
        })
    }

    /// The agenda new meetings of the group start with.
    async fn set_agenda_template(
        &self,
        ctx: &Context<'_>,
        input: SetAgendaTemplateInput,
    ) -> Result<SetAgendaTemplatePayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        if let Some(resource) = input.resource_id {
            if input.items.is_some() {
                return Err(crate::error::AppError::bad_input(
                    "items",
                    "give either items or resourceId, not both",
                )
                .into());
            }
            let resource = ids::decode(Kind::Resource, "resourceId", &resource)?;
            let g = crate::domain::resources::templates::use_as_group_template(
                ctx.db()?,
                &access,
                id,
                resource,
                input.version_number,
            )
            .await?;
            return Ok(SetAgendaTemplatePayload { group: Group(g) });
        }
        let items = input
            .items
            .map(|items| items.into_iter().map(Into::into).collect());
        let g = meetings::set_agenda_template(ctx.db()?, &access, id, items).await?;
        Ok(SetAgendaTemplatePayload { group: Group(g) })
    }

    /// Facilitators record who came (an upsert per membership), once the meeting has started.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordAttendanceInput,
    ) -> Result<RecordAttendancePayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?;
        let rows = attendance::record_attendance(ctx.db()?, &access, id, input.entries()?).await?;
        Ok(RecordAttendancePayload {
            attendance: rows.into_iter().map(Attendance).collect(),
        })
    }

    /// Writes the meeting's record and marks it HELD; the record is read-only afterwards.
    async fn finalize_meeting_record(
        &self,
        ctx: &Context<'_>,
        input: FinalizeMeetingRecordInput,
    ) -> Result<FinalizeMeetingRecordPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?;
        let (meeting, record) = records::finalize_record(
            ctx.db()?,
            &access,
            id,
            &input.summary,
            input.topics,
            input.decisions,
        )
        .await?;
        Ok(FinalizeMeetingRecordPayload {
            record: MeetingRecord {
                record,
                meeting: meeting.clone(),
            },
            meeting: Meeting(meeting),
        })
    }

    /// Appends a dated, attributed correction; the original record never changes.
    async fn amend_meeting_record(
        &self,
        ctx: &Context<'_>,
        input: AmendMeetingRecordInput,
    ) -> Result<AmendMeetingRecordPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?;
        let amendment = records::amend_record(ctx.db()?, &access, id, &input.text).await?;
        Ok(AmendMeetingRecordPayload {
            amendment: RecordAmendment(amendment),
        })
    }

    /// A member commits for themself; a facilitator for any member who was present.
    async fn add_commitment(
        &self,
        ctx: &Context<'_>,
        input: AddCommitmentInput,
    ) -> Result<AddCommitmentPayload> {
        let access = signed_in(ctx).await?;
        let meeting = ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?;
        let membership = input
            .membership_id
            .map(|m| ids::decode(Kind::Membership, "membershipId", &m))
            .transpose()?;
        let due = input.due_on.map(|d| d.0);
        let c =
            commitments::add_commitment(ctx.db()?, &access, meeting, membership, &input.text, due)
                .await?;
        Ok(AddCommitmentPayload {
            commitment: ActionCommitment(c),
        })
    }

    /// The member or a facilitator reviews an open commitment.
    async fn review_commitment(
        &self,
        ctx: &Context<'_>,
        input: ReviewCommitmentInput,
    ) -> Result<ReviewCommitmentPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::ActionCommitment, "commitmentId", &input.commitment_id)?;
        let c =
            commitments::review_commitment(ctx.db()?, &access, id, input.status.into(), input.note)
                .await?;
        Ok(ReviewCommitmentPayload {
            commitment: ActionCommitment(c),
        })
    }
}
