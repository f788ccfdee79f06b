use async_graphql::{Enum, ID, InputObject, MaybeUndefined};

use crate::{
    domain::groups::{CadenceFields, GroupFields, GroupFilter as DomainFilter, Patch, VenueFields},
    error::AppResult,
    graphql::{
        enums::{
            Admission, CadenceFrequency, GroupFormat, GroupStatus, MembershipRole,
            MembershipSource, Modality, Visibility, Weekday,
        },
        ids::{self, Kind},
        scalars::{LocalTime, TimeZone, Url},
    },
};

#[derive(InputObject, Default)]
pub struct GroupFilter {
    /// Matches name, purpose and focus, ignoring case.
    pub text: Option<String>,
    pub formats: Option<Vec<GroupFormat>>,
    pub modalities: Option<Vec<Modality>>,
    pub statuses: Option<Vec<GroupStatus>>,
    pub admissions: Option<Vec<Admission>>,
    pub organisation_id: Option<ID>,
    pub cluster_id: Option<ID>,
    /// With `clusterId`: also groups in every cluster below it.
    #[graphql(default = false)]
    pub include_descendants: bool,
    pub weekday: Option<Weekday>,
    pub timezone: Option<TimeZone>,
    /// true: only groups with free seats; false: only full groups.
    pub has_seats: Option<bool>,
}

impl GroupFilter {
    pub fn into_domain(self) -> AppResult<DomainFilter> {
        Ok(DomainFilter {
            text: self.text,
            formats: self
                .formats
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            modalities: self
                .modalities
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            admissions: self
                .admissions
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            organisation_id: self
                .organisation_id
                .map(|id| ids::decode(Kind::Organisation, "filter.organisationId", &id))
                .transpose()?,
            cluster_id: self
                .cluster_id
                .map(|id| ids::decode(Kind::Cluster, "filter.clusterId", &id))
                .transpose()?,
            include_descendants: self.include_descendants,
            weekday: self.weekday.map(Into::into),
            timezone: self.timezone.map(|t| t.0),
            has_seats: self.has_seats,
        })
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum GroupOrderField {
    #[default]
    Name,
    CreatedAt,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

#[derive(InputObject, Default)]
pub struct GroupOrder {
    #[graphql(default)]
    pub field: GroupOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl GroupOrder {
    pub fn into_domain(self) -> crate::domain::groups::GroupOrder {
        use crate::domain::groups::GroupOrder as O;
        match (self.field, self.direction) {
            (GroupOrderField::Name, OrderDirection::Asc) => O::NameAsc,
            (GroupOrderField::Name, OrderDirection::Desc) => O::NameDesc,
            (GroupOrderField::CreatedAt, OrderDirection::Asc) => O::OldestFirst,
            (GroupOrderField::CreatedAt, OrderDirection::Desc) => O::NewestFirst,
        }
    }
}

#[derive(InputObject, Clone)]
pub struct CadenceInput {
    pub frequency: CadenceFrequency,
    /// Required unless AD_HOC.
    pub weekday: Option<Weekday>,
    /// MONTHLY only: 1–4, or -1 for the last week.
    pub week_of_month: Option<i32>,
    /// Required unless AD_HOC.
    pub local_start_time: Option<LocalTime>,
    /// Default 60.
    pub duration_minutes: Option<i32>,
    pub timezone: TimeZone,
}

impl From<CadenceInput> for CadenceFields {
    fn from(c: CadenceInput) -> Self {
        Self {
            frequency: c.frequency.into(),
            weekday: c.weekday.map(Into::into),
            week_of_month: c.week_of_month,
            local_start_time: c.local_start_time.map(|t| t.0),
            duration_minutes: c.duration_minutes,
            timezone: c.timezone.0,
        }
    }
}

#[derive(InputObject, Clone, Default)]
pub struct CapacityInput {
    /// Default 8.
    pub min: Option<i32>,
    /// Default 12.
    pub max: Option<i32>,
}

#[derive(InputObject, Clone, Default)]
pub struct VenueInput {
    pub name: Option<String>,
    pub area: Option<String>,
    pub address: Option<String>,
    pub location_notes: Option<String>,
    /// Show non-members only `name` and `area`.
    #[graphql(default = false)]
    pub approximate: bool,
}

impl From<VenueInput> for VenueFields {
    fn from(v: VenueInput) -> Self {
        Self {
            name: v.name,
            area: v.area,
            address: v.address,
            location_notes: v.location_notes,
            approximate: v.approximate,
        }
    }
}

fn patch<T, U>(value: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Patch<U> {
    match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(f(v)),
    }
}

fn partner(value: MaybeUndefined<ID>) -> AppResult<Patch<uuid::Uuid>> {
    Ok(match value {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(id) => {
            Patch::Set(ids::decode(Kind::Organisation, "hostPartnerId", &id)?)
        }
    })
}

#[derive(InputObject)]
pub struct CreateGroupInput {
    pub cluster_id: ID,
    /// 3–64 lower-case letters, digits and hyphens; unique.
    pub slug: String,
    pub name: String,
    /// The purpose statement.
    pub purpose: String,
    pub focus: Option<String>,
    pub format: GroupFormat,
    pub modality: Modality,
    pub cadence: CadenceInput,
    pub capacity: Option<CapacityInput>,
    pub venue: Option<VenueInput>,
    pub conference_url: Option<Url>,
    #[graphql(default_with = "GroupStatus::Forming")]
    pub status: GroupStatus,
    #[graphql(default_with = "Admission::Open")]
    pub admission: Admission,
    #[graphql(default_with = "Visibility::Network")]
    pub visibility: Visibility,
    #[graphql(default_with = "MembershipSource::Community")]
    pub membership_source: MembershipSource,
    pub ground_rules: Option<String>,
    /// A PARTNER organisation hosting the group (ADMIN only).
    pub host_partner_id: Option<ID>,
    /// BY_CONSENT groups: consents that approve an application. Default: half the active
    /// members, rounded up.
    pub consent_quorum: Option<i32>,
    /// Rotation only assigns facilitators with an active certification (and trainees in
    /// practicum as co-facilitator).
    #[graphql(default = false)]
    pub requires_certified_facilitator: bool,
}

impl CreateGroupInput {
    pub fn into_fields(self) -> AppResult<GroupFields> {
        let capacity = self.capacity.unwrap_or_default();
        Ok(GroupFields {
            slug: Some(self.slug),
            name: Some(self.name),
            purpose: Some(self.purpose),
            focus: self.focus.map_or(Patch::Keep, Patch::Set),
            format: Some(self.format.into()),
            modality: Some(self.modality.into()),
            cadence: Some(self.cadence.into()),
            capacity_min: capacity.min,
            capacity_max: capacity.max,
            venue: self.venue.map_or(Patch::Keep, |v| Patch::Set(v.into())),
            conference_url: self.conference_url.map_or(Patch::Keep, |u| Patch::Set(u.0)),
            status: Some(self.status.into()),
            admission: Some(self.admission.into()),
            visibility: Some(self.visibility.into()),
            membership_source: Some(self.membership_source.into()),
            ground_rules: self.ground_rules.map_or(Patch::Keep, Patch::Set),
            host_partner_id: match self.host_partner_id {
                Some(id) => Patch::Set(ids::decode(Kind::Organisation, "hostPartnerId", &id)?),
                None => Patch::Keep,
            },
            consent_quorum: self.consent_quorum.map_or(Patch::Keep, Patch::Set),
            requires_certified_facilitator: Some(self.requires_certified_facilitator),
        })
    }
}

/// Only the fields given change; for optional settings `null` clears them.
#[derive(InputObject)]
pub struct UpdateGroupInput {
    pub group_id: ID,
    pub expected_version: i32,
    pub slug: Option<String>,
    pub name: Option<String>,
    pub purpose: Option<String>,
    pub focus: MaybeUndefined<String>,
    pub format: Option<GroupFormat>,
    pub modality: Option<Modality>,
    /// Replaces the whole cadence.
    pub cadence: Option<CadenceInput>,
    pub capacity: Option<CapacityInput>,
    /// Replaces the whole venue; null removes it.
    pub venue: MaybeUndefined<VenueInput>,
    pub conference_url: MaybeUndefined<Url>,
    pub status: Option<GroupStatus>,
    pub admission: Option<Admission>,
    pub visibility: Option<Visibility>,
    pub membership_source: Option<MembershipSource>,
    pub ground_rules: MaybeUndefined<String>,
    /// ADMIN only.
    pub host_partner_id: MaybeUndefined<ID>,
    /// Null returns to the default: half the active members, rounded up.
    pub consent_quorum: MaybeUndefined<i32>,
    pub requires_certified_facilitator: Option<bool>,
}

impl UpdateGroupInput {
    pub fn into_fields(self) -> AppResult<GroupFields> {
        let capacity = self.capacity.unwrap_or_default();
        Ok(GroupFields {
            slug: self.slug,
            name: self.name,
            purpose: self.purpose,
            focus: patch(self.focus, |f| f),
            format: self.format.map(Into::into),
            modality: self.modality.map(Into::into),
            cadence: self.cadence.map(Into::into),
            capacity_min: capacity.min,
            capacity_max: capacity.max,
            venue: patch(self.venue, Into::into),
            conference_url: patch(self.conference_url, |u| u.0),
            status: self.status.map(Into::into),
            admission: self.admission.map(Into::into),
            visibility: self.visibility.map(Into::into),
            membership_source: self.membership_source.map(Into::into),
            ground_rules: patch(self.ground_rules, |r| r),
            host_partner_id: partner(self.host_partner_id)?,
            consent_quorum: patch(self.consent_quorum, |q| q),
            requires_certified_facilitator: self.requires_certified_facilitator,
        })
    }
}

#[derive(InputObject)]
pub struct MoveGroupInput {
    pub group_id: ID,
    pub cluster_id: ID,
    pub expected_version: i32,
}

#[derive(InputObject)]
pub struct JoinGroupInput {
    pub group_id: ID,
    /// A few words about why you would like to join (shown to the facilitators).
    pub statement: Option<String>,
}

#[derive(InputObject)]
pub struct LeaveGroupInput {
    pub group_id: ID,
}

#[derive(InputObject)]
pub struct SetMembershipRoleInput {
    pub membership_id: ID,
    pub role: MembershipRole,
}

#[derive(InputObject)]
pub struct RemoveMemberInput {
    pub membership_id: ID,
}
