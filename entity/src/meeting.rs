use sea_orm::entity::prelude::*;

use crate::{AssignedBy, MeetingStatus, MeetingTheme, Modality};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub group_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// The group's IANA zone when the meeting was made.
    pub timezone: String,
    /// Overrides of the group's modality, venue and link; None: the group's.
    pub modality: Option<Modality>,
    pub venue_name: Option<String>,
    pub venue_area: Option<String>,
    pub venue_address: Option<String>,
    pub venue_location_notes: Option<String>,
    pub venue_approximate: Option<bool>,
    pub conference_url: Option<String>,
    pub status: MeetingStatus,
    pub theme: Option<MeetingTheme>,
    pub topic: Option<String>,
    pub facilitator_id: Option<Uuid>,
    pub co_facilitator_id: Option<Uuid>,
    pub facilitator_assigned_by: Option<AssignedBy>,
    /// JSON array of agenda items.
    pub agenda: String,
    pub cancel_reason: Option<String>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub from_cadence: bool,
    /// For generated meetings: the cadence occurrence (local date) it stands for.
    pub cadence_date: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    pub fn duration_minutes(&self) -> i64 {
        (self.ends_at - self.starts_at).num_minutes()
    }

    /// True when the meeting carries its own venue instead of the group's.
    pub fn has_own_venue(&self) -> bool {
        self.venue_name.is_some() || self.venue_area.is_some() || self.venue_address.is_some()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
