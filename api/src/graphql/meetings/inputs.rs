use async_graphql::{ID, InputObject, MaybeUndefined};
use chrono::{DateTime, Utc};

use crate::{
    domain::{
        groups::Patch,
        meetings::{MeetingFields, agenda, attendance::Entry},
    },
    error::AppResult,
    graphql::{
        enums::{AgendaItemKind, AttendanceStatus, CommitmentStatus, MeetingTheme, Modality},
        groups::inputs::VenueInput,
        ids::{self, Kind},
        scalars::{Date, Url},
    },
};

fn patch<T, U>(value: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Patch<U> {
    match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(f(v)),
    }
}

#[derive(InputObject)]
pub struct ScheduleMeetingInput {
    pub group_id: ID,
    pub starts_at: DateTime<Utc>,
    /// Default: the group's cadence duration.
    pub duration_minutes: Option<i32>,
    pub theme: Option<MeetingTheme>,
    pub topic: Option<String>,
    /// Overrides the group's modality for this meeting.
    pub modality: Option<Modality>,
    /// Overrides the group's venue for this meeting.
    pub venue: Option<VenueInput>,
    /// Overrides the group's conference link for this meeting.
    pub conference_url: Option<Url>,
}

impl ScheduleMeetingInput {
    pub fn into_fields(self) -> MeetingFields {
        MeetingFields {
            starts_at: Some(self.starts_at),
            duration_minutes: self.duration_minutes,
            theme: self.theme.map_or(Patch::Keep, |t| Patch::Set(t.into())),
            topic: self.topic.map_or(Patch::Keep, Patch::Set),
            modality: self.modality.map_or(Patch::Keep, |m| Patch::Set(m.into())),
            venue: self.venue.map_or(Patch::Keep, |v| Patch::Set(v.into())),
            conference_url: self.conference_url.map_or(Patch::Keep, |u| Patch::Set(u.0)),
        }
    }
}

#[derive(InputObject)]
pub struct ScheduleMeetingsFromCadenceInput {
    pub group_id: ID,
    /// The last day (in the group's zone) to schedule; at most 26 weeks ahead.
    pub until: Date,
}

/// Only the fields given change; `null` removes a meeting's own override.
#[derive(InputObject)]
pub struct UpdateMeetingInput {
    pub meeting_id: ID,
    pub expected_version: i32,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i32>,
    pub theme: MaybeUndefined<MeetingTheme>,
    pub topic: MaybeUndefined<String>,
    pub modality: MaybeUndefined<Modality>,
    pub venue: MaybeUndefined<VenueInput>,
    pub conference_url: MaybeUndefined<Url>,
}

impl UpdateMeetingInput {
    pub fn into_fields(self) -> MeetingFields {
        MeetingFields {
            starts_at: self.starts_at,
            duration_minutes: self.duration_minutes,
            theme: patch(self.theme, Into::into),
            topic: patch(self.topic, |t| t),
            modality: patch(self.modality, Into::into),
            venue: patch(self.venue, Into::into),
            conference_url: patch(self.conference_url, |u| u.0),
        }
    }
}

#[derive(InputObject)]
pub struct CancelMeetingInput {
    pub meeting_id: ID,
    /// Shown to the members.
    pub reason: String,
}

#[derive(InputObject, Clone)]
pub struct AgendaItemInput {
    /// 1, 2, 3…; each position once.
    pub position: i32,
    pub kind: AgendaItemKind,
    pub title: String,
    pub minutes: i32,
}

impl From<AgendaItemInput> for agenda::AgendaItem {
    fn from(i: AgendaItemInput) -> Self {
        Self {
            position: i.position,
            kind: i.kind.into(),
            title: i.title,
            minutes: i.minutes,
        }
    }
}

#[derive(InputObject)]
pub struct SetAgendaInput {
    pub meeting_id: ID,
    pub items: Vec<AgendaItemInput>,
}

#[derive(InputObject)]
pub struct SetAgendaTemplateInput {
    pub group_id: ID,
    /// null (and no `resourceId`): back to the default agenda.
    pub items: Option<Vec<AgendaItemInput>>,
    /// Instead of `items`: take them from a PUBLISHED AGENDA_TEMPLATE resource shared with
    /// the group, which the group's template then points to.
    pub resource_id: Option<ID>,
    /// With `resourceId`: the version to take; else the one the group adopted, else the
    /// latest.
    pub version_number: Option<i32>,
}

#[derive(InputObject)]
pub struct AttendanceEntryInput {
    pub membership_id: ID,
    pub status: AttendanceStatus,
}

#[derive(InputObject)]
pub struct RecordAttendanceInput {
    pub meeting_id: ID,
    pub entries: Vec<AttendanceEntryInput>,
}

impl RecordAttendanceInput {
    pub fn entries(self) -> AppResult<Vec<Entry>> {
        self.entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let field = format!("entries[{i}].membershipId");
                Ok(Entry {
                    membership_id: ids::decode(Kind::Membership, &field, &e.membership_id)?,
                    status: e.status.into(),
                })
            })
            .collect()
    }
}

#[derive(InputObject)]
pub struct FinalizeMeetingRecordInput {
    pub meeting_id: ID,
    pub summary: String,
    #[graphql(default)]
    pub topics: Vec<String>,
    #[graphql(default)]
    pub decisions: Vec<String>,
}

#[derive(InputObject)]
pub struct AmendMeetingRecordInput {
    pub meeting_id: ID,
    pub text: String,
}

#[derive(InputObject)]
pub struct AddCommitmentInput {
    pub meeting_id: ID,
    /// Whose commitment; leave out for your own.
    pub membership_id: Option<ID>,
    pub text: String,
    pub due_on: Option<Date>,
}

#[derive(InputObject)]
pub struct ReviewCommitmentInput {
    pub commitment_id: ID,
    /// DONE, PARTIAL, NOT_DONE or DROPPED.
    pub status: CommitmentStatus,
    pub note: Option<String>,
}
