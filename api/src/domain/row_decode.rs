//! Rows of a page statement decoded by position. sea-orm's derived decoding finds every column
//! by name in every row (hashing the name, and formatting a message for each NULL it meets):
//! with 1,000 meetings and 250 groups on the dashboard that was a fifth of its CPU. The columns
//! of a statement are the same in every row, so the wide, often listed models (meetings,
//! groups) find them by name once per statement and read each row by position; every other
//! model keeps sea-orm's decoding.

use entity::{
    action_commitment, attendance, check_in, cluster, group, group_succession, meeting, membership,
    membership_application, organisation, poll, resource, resource_adoption, resource_version,
    role_grant, suggestion, training_program, workshop,
};
use sea_orm::{DbErr, EntityTrait, FromQueryResult, IdenStatic as _, Iterable, QueryResult};

/// Where each of an entity's columns sits in a statement's rows, in the entity's column order.
pub struct Positions(Vec<usize>);

impl Positions {
    /// The positions of `E`'s columns in rows shaped like `row` (the first column of that
    /// name); None when one is missing.
    fn of<E: EntityTrait>(row: &QueryResult) -> Option<Self> {
        let names = row.column_names();
        E::Column::iter()
            .map(|c| names.iter().position(|n| n == c.as_str()))
            .collect::<Option<Vec<_>>>()
            .map(Self)
    }

    fn get<T: sea_orm::TryGetable>(&self, row: &QueryResult, column: usize) -> Result<T, DbErr> {
        row.try_get_by_index(self.0[column])
    }
}

/// A model a page statement's rows decode into.
pub trait PageRow: FromQueryResult {
    /// Found once per statement from its first row; None: each row is decoded by name.
    fn positions(_first: &QueryResult) -> Option<Positions> {
        None
    }

    /// A row read at the positions `positions` found (only asked when it found them).
    fn at_positions(row: &QueryResult, _at: &Positions) -> Result<Self, DbErr> {
        Self::from_query_result(row, "")
    }

    fn decode(row: &QueryResult, at: Option<&Positions>) -> Result<Self, DbErr> {
        match at {
            Some(at) => Self::at_positions(row, at),
            None => Self::from_query_result(row, ""),
        }
    }
}

impl PageRow for meeting::Model {
    fn positions(first: &QueryResult) -> Option<Positions> {
        Positions::of::<meeting::Entity>(first)
    }

    fn at_positions(row: &QueryResult, at: &Positions) -> Result<Self, DbErr> {
        use meeting::Column as C;
        Ok(Self {
            id: at.get(row, C::Id as usize)?,
            group_id: at.get(row, C::GroupId as usize)?,
            starts_at: at.get(row, C::StartsAt as usize)?,
            ends_at: at.get(row, C::EndsAt as usize)?,
            timezone: at.get(row, C::Timezone as usize)?,
            modality: at.get(row, C::Modality as usize)?,
            venue_name: at.get(row, C::VenueName as usize)?,
            venue_area: at.get(row, C::VenueArea as usize)?,
            venue_address: at.get(row, C::VenueAddress as usize)?,
            venue_location_notes: at.get(row, C::VenueLocationNotes as usize)?,
            venue_approximate: at.get(row, C::VenueApproximate as usize)?,
            conference_url: at.get(row, C::ConferenceUrl as usize)?,
            status: at.get(row, C::Status as usize)?,
            theme: at.get(row, C::Theme as usize)?,
            topic: at.get(row, C::Topic as usize)?,
            facilitator_id: at.get(row, C::FacilitatorId as usize)?,
            co_facilitator_id: at.get(row, C::CoFacilitatorId as usize)?,
            facilitator_assigned_by: at.get(row, C::FacilitatorAssignedBy as usize)?,
            agenda: at.get(row, C::Agenda as usize)?,
            cancel_reason: at.get(row, C::CancelReason as usize)?,
            cancelled_at: at.get(row, C::CancelledAt as usize)?,
            from_cadence: at.get(row, C::FromCadence as usize)?,
            cadence_date: at.get(row, C::CadenceDate as usize)?,
            version: at.get(row, C::Version as usize)?,
            created_at: at.get(row, C::CreatedAt as usize)?,
            updated_at: at.get(row, C::UpdatedAt as usize)?,
        })
    }
}

impl PageRow for group::Model {
    fn positions(first: &QueryResult) -> Option<Positions> {
        Positions::of::<group::Entity>(first)
    }

    fn at_positions(row: &QueryResult, at: &Positions) -> Result<Self, DbErr> {
        use group::Column as C;
        Ok(Self {
            id: at.get(row, C::Id as usize)?,
            organisation_id: at.get(row, C::OrganisationId as usize)?,
            cluster_id: at.get(row, C::ClusterId as usize)?,
            slug: at.get(row, C::Slug as usize)?,
            name: at.get(row, C::Name as usize)?,
            sort_name: at.get(row, C::SortName as usize)?,
            search_text: at.get(row, C::SearchText as usize)?,
            purpose: at.get(row, C::Purpose as usize)?,
            focus: at.get(row, C::Focus as usize)?,
            format: at.get(row, C::Format as usize)?,
            modality: at.get(row, C::Modality as usize)?,
            cadence_frequency: at.get(row, C::CadenceFrequency as usize)?,
            cadence_weekday: at.get(row, C::CadenceWeekday as usize)?,
            cadence_week_of_month: at.get(row, C::CadenceWeekOfMonth as usize)?,
            cadence_local_start_time: at.get(row, C::CadenceLocalStartTime as usize)?,
            cadence_duration_minutes: at.get(row, C::CadenceDurationMinutes as usize)?,
            timezone: at.get(row, C::Timezone as usize)?,
            capacity_min: at.get(row, C::CapacityMin as usize)?,
            capacity_max: at.get(row, C::CapacityMax as usize)?,
            venue_name: at.get(row, C::VenueName as usize)?,
            venue_area: at.get(row, C::VenueArea as usize)?,
            venue_address: at.get(row, C::VenueAddress as usize)?,
            venue_location_notes: at.get(row, C::VenueLocationNotes as usize)?,
            venue_approximate: at.get(row, C::VenueApproximate as usize)?,
            conference_url: at.get(row, C::ConferenceUrl as usize)?,
            status: at.get(row, C::Status as usize)?,
            admission: at.get(row, C::Admission as usize)?,
            visibility: at.get(row, C::Visibility as usize)?,
            membership_source: at.get(row, C::MembershipSource as usize)?,
            ground_rules: at.get(row, C::GroundRules as usize)?,
            host_partner_id: at.get(row, C::HostPartnerId as usize)?,
            active_member_count: at.get(row, C::ActiveMemberCount as usize)?,
            agenda_template: at.get(row, C::AgendaTemplate as usize)?,
            agenda_template_resource_id: at.get(row, C::AgendaTemplateResourceId as usize)?,
            agenda_template_resource_version: at
                .get(row, C::AgendaTemplateResourceVersion as usize)?,
            rotation_period_weeks: at.get(row, C::RotationPeriodWeeks as usize)?,
            rotation_max_consecutive_blocks: at
                .get(row, C::RotationMaxConsecutiveBlocks as usize)?,
            consent_quorum: at.get(row, C::ConsentQuorum as usize)?,
            requires_certified_facilitator: at
                .get(row, C::RequiresCertifiedFacilitator as usize)?,
            version: at.get(row, C::Version as usize)?,
            created_at: at.get(row, C::CreatedAt as usize)?,
            updated_at: at.get(row, C::UpdatedAt as usize)?,
        })
    }
}

/// Listed models that keep sea-orm's decoding by name (narrower, or listed a page at a time).
macro_rules! by_name {
    ($($m:ident),* $(,)?) => { $(impl PageRow for $m::Model {})* };
}

by_name!(
    action_commitment,
    attendance,
    check_in,
    cluster,
    group_succession,
    membership,
    membership_application,
    organisation,
    poll,
    resource,
    resource_adoption,
    resource_version,
    role_grant,
    suggestion,
    training_program,
    workshop,
);

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    /// `Column::X as usize` is where X is in `Column::iter()`, the order `Positions` records.
    #[test]
    fn a_column_discriminant_is_its_place_in_the_entity() {
        for (i, c) in entity::meeting::Column::iter().enumerate() {
            assert_eq!(c as usize, i);
        }
        for (i, c) in entity::group::Column::iter().enumerate() {
            assert_eq!(c as usize, i);
        }
    }
}
