use sea_orm::entity::prelude::*;

use crate::{
    Admission, CadenceFrequency, GroupFormat, GroupStatus, MembershipSource, Modality, Visibility,
    Weekday,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub cluster_id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    /// `name` lower-cased; the order of lists (byte-wise on both databases).
    pub sort_name: String,
    /// Name, purpose and focus lower-cased: what the directory's text filter searches.
    pub search_text: String,
    pub purpose: String,
    pub focus: Option<String>,
    pub format: GroupFormat,
    pub modality: Modality,
    pub cadence_frequency: CadenceFrequency,
    pub cadence_weekday: Option<Weekday>,
    pub cadence_week_of_month: Option<i32>,
    /// "HH:MM" in `timezone`.
    pub cadence_local_start_time: Option<String>,
    pub cadence_duration_minutes: i32,
    pub timezone: String,
    pub capacity_min: i32,
    pub capacity_max: i32,
    pub venue_name: Option<String>,
    pub venue_area: Option<String>,
    pub venue_address: Option<String>,
    pub venue_location_notes: Option<String>,
    pub venue_approximate: bool,
    pub conference_url: Option<String>,
    pub status: GroupStatus,
    pub admission: Admission,
    pub visibility: Visibility,
    pub membership_source: MembershipSource,
    pub ground_rules: Option<String>,
    pub host_partner_id: Option<Uuid>,
    pub active_member_count: i32,
    /// JSON agenda items for new meetings; None: the default agenda.
    pub agenda_template: Option<String>,
    /// The AGENDA_TEMPLATE resource and version `agenda_template` was copied from.
    pub agenda_template_resource_id: Option<Uuid>,
    pub agenda_template_resource_version: Option<i32>,
    pub rotation_period_weeks: i32,
    pub rotation_max_consecutive_blocks: i32,
    /// Consents that approve an application; None: half the active members, rounded up.
    pub consent_quorum: Option<i32>,
    /// Rotation only assigns certified facilitators, and trainees in practicum as co-facilitator.
    pub requires_certified_facilitator: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
