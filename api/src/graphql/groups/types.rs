use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{group, membership};

use crate::{
    connection,
    domain::{authz, pagination::PageArgs},
    error::{AppError, AppResult},
    graphql::loaders::must,
    graphql::{
        accounts::types::Person,
        connection::Total,
        context::{ContextExt, access},
        enums::{
            Admission, CadenceFrequency, GroupFormat, GroupStatus, MembershipRole,
            MembershipSource, MembershipStatus, Modality, Visibility, Weekday,
        },
        ids::{self, Kind},
        loaders::{CountKey, MemberPageKey},
        meetings::fields as meeting_fields,
        scalars::{LocalTime, TimeZone},
        umbrella::types::{Cluster, Organisation},
    },
};

/// A peer support group.
#[derive(Clone)]
pub struct Group(pub group::Model);

/// When a group meets.
#[derive(SimpleObject)]
pub struct Cadence {
    pub frequency: CadenceFrequency,
    pub weekday: Option<Weekday>,
    /// For MONTHLY: 1–4, or -1 for the last such weekday of the month.
    pub week_of_month: Option<i32>,
    /// In `timezone`.
    pub local_start_time: Option<LocalTime>,
    pub duration_minutes: i32,
    pub timezone: TimeZone,
}

#[derive(SimpleObject)]
pub struct Capacity {
    pub min: i32,
    pub max: i32,
}

/// Where an in-person group meets. When `approximate`, only the group's own members and
/// managers see `address` and `locationNotes`; everyone else sees `name` and `area`.
#[derive(SimpleObject)]
pub struct Venue {
    pub name: Option<String>,
    /// A neighbourhood or town: the approximate location shown to everyone.
    pub area: Option<String>,
    pub address: Option<String>,
    pub location_notes: Option<String>,
    pub approximate: bool,
}

impl Group {
    async fn cluster_path(&self, ctx: &Context<'_>) -> AppResult<String> {
        let cluster = ctx.loaders()?.clusters.load_one(self.0.cluster_id).await?;
        Ok(cluster
            .ok_or_else(|| AppError::internal("group without cluster"))?
            .path)
    }

    /// Active member or manager: sees the conference link, exact address and member list.
    async fn insider(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let access = access(ctx).await?;
        if !access.is_signed_in() {
            return Ok(false);
        }
        let path = self.cluster_path(ctx).await?;
        Ok(authz::is_insider(&access, &self.0, &path))
    }
}

#[Object]
impl Group {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Group, self.0.id)
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The purpose statement.
    async fn purpose(&self) -> &str {
        &self.0.purpose
    }

    async fn focus(&self) -> Option<&str> {
        self.0.focus.as_deref()
    }

    async fn format(&self) -> GroupFormat {
        self.0.format.into()
    }

    async fn modality(&self) -> Modality {
        self.0.modality.into()
    }

    async fn cadence(&self) -> Cadence {
        let g = &self.0;
        Cadence {
            frequency: g.cadence_frequency.into(),
            weekday: g.cadence_weekday.map(Into::into),
            week_of_month: g.cadence_week_of_month,
            local_start_time: g.cadence_local_start_time.clone().map(LocalTime),
            duration_minutes: g.cadence_duration_minutes,
            timezone: TimeZone(g.timezone.clone()),
        }
    }

    async fn capacity(&self) -> Capacity {
        Capacity {
            min: self.0.capacity_min,
            max: self.0.capacity_max,
        }
    }

    async fn venue(&self, ctx: &Context<'_>) -> Result<Option<Venue>> {
        let g = &self.0;
        if g.venue_name.is_none() && g.venue_area.is_none() && g.venue_address.is_none() {
            return Ok(None);
        }
        let exact = !g.venue_approximate || self.insider(ctx).await?;
        Ok(Some(Venue {
            name: g.venue_name.clone(),
            area: g.venue_area.clone(),
            address: if exact { g.venue_address.clone() } else { None },
            location_notes: if exact {
                g.venue_location_notes.clone()
            } else {
                None
            },
            approximate: g.venue_approximate,
        }))
    }

    /// Members only (and the group's managers); null for everyone else.
    async fn conference_url(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.0.conference_url.is_none() || !self.insider(ctx).await? {
            return Ok(None);
        }
        Ok(self.0.conference_url.clone())
    }

    async fn status(&self) -> GroupStatus {
        self.0.status.into()
    }

    async fn admission(&self) -> Admission {
        self.0.admission.into()
    }

    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }

    async fn membership_source(&self) -> MembershipSource {
        self.0.membership_source.into()
    }

    /// Consents that approve an application to join, as set; null means the default (half
    /// the active members, rounded up). See `consentQuorumNow`.
    async fn consent_quorum(&self) -> Option<i32> {
        self.0.consent_quorum
    }

    /// The consents an application needs today.
    /// Rotation only assigns certified facilitators (and trainees in practicum as
    /// co-facilitator).
    async fn requires_certified_facilitator(&self) -> bool {
        self.0.requires_certified_facilitator
    }

    /// Whether the group is about to lose its certified facilitators: for its facilitators
    /// and managers, and TRAINERs and ANALYSTs in scope.
    async fn succession(
        &self,
        ctx: &Context<'_>,
    ) -> Result<crate::graphql::training::succession::Succession> {
        crate::graphql::training::succession::succession_of(ctx, &self.0).await
    }

    async fn consent_quorum_now(&self) -> i32 {
        crate::domain::care::admission::quorum(&self.0)
    }

    async fn ground_rules(&self) -> Option<&str> {
        self.0.ground_rules.as_deref()
    }

    /// The partner organisation that hosts the group, if any.
    async fn host_partner(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.host_partner_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()?
            .organisations
            .load_one(id)
            .await?
            .map(Organisation))
    }

    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        Ok(Organisation(
            must(
                &ctx.loaders()?.organisations,
                self.0.organisation_id,
                "group without organisation",
            )
            .await?,
        ))
    }

    async fn cluster(&self, ctx: &Context<'_>) -> Result<Cluster> {
        Ok(Cluster(
            must(
                &ctx.loaders()?.clusters,
                self.0.cluster_id,
                "group without cluster",
            )
            .await?,
        ))
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

    /// Members in order of joining, ACTIVE ones unless `statuses` says otherwise. Active
    /// members see the active list; the waitlist, applicants and former members are for the
    /// group's facilitators and managers.
    #[allow(clippy::too_many_arguments)] // the GraphQL arguments of the field
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "vec![MembershipStatus::Active]")] statuses: Vec<MembershipStatus>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<MembershipConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        let mut statuses: Vec<entity::MembershipStatus> =
            statuses.into_iter().map(Into::into).collect();
        statuses.sort_by_key(|s| s.as_str());
        statuses.dedup();
        if statuses.is_empty() {
            return Err(AppError::bad_input("statuses", "name at least one status").into());
        }
        let access = access(ctx).await?;
        if !access.is_signed_in() {
            return Err(AppError::unauthenticated().into());
        }
        let path = self.cluster_path(ctx).await?;
        let only_active = statuses == [entity::MembershipStatus::Active];
        let allowed = if only_active {
            authz::is_insider(&access, &self.0, &path)
        } else {
            authz::can_run_group(&access, &self.0, &path)
        };
        if !allowed {
            return Err(
                AppError::forbidden("only the group's members see who belongs to it").into(),
            );
        }
        let total = Total::Batched(CountKey::GroupMembers {
            group: self.0.id,
            statuses: statuses.clone(),
        });
        let key = MemberPageKey {
            group: self.0.id,
            statuses,
            args,
        };
        let page = ctx
            .loaders()?
            .pages
            .load_one(key)
            .await?
            .unwrap_or_default();
        Ok(MembershipConnection::new(page.map(Membership), total))
    }

    /// Who facilitates: visible to everyone who can see the group (display names only).
    async fn facilitators(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        let found = ctx.loaders()?.facilitators.load_one(self.0.id).await?;
        Ok(found
            .unwrap_or_default()
            .into_iter()
            .map(Membership)
            .collect())
    }

    /// The group's meetings in order of start. For its active members and managers.
    #[allow(clippy::too_many_arguments)] // the GraphQL arguments of the field
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        filter: Option<meeting_fields::MeetingFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<crate::graphql::meetings::types::MeetingConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        meeting_fields::meetings(ctx, &self.0, filter, args).await
    }

    /// The next SCHEDULED meeting; null for those who are not members.
    async fn next_meeting(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::graphql::meetings::types::Meeting>> {
        meeting_fields::next_meeting(ctx, &self.0).await
    }

    /// The group's shared, read-only log of held meetings, newest first. For its members.
    async fn record(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<crate::graphql::meetings::types::MeetingRecordConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        meeting_fields::record(ctx, &self.0, args).await
    }

    /// The agenda new meetings start with (the default agenda unless the group set its own).
    async fn agenda_template(&self) -> Vec<crate::graphql::meetings::types::AgendaItem> {
        meeting_fields::agenda_template(&self.0)
    }

    /// The AGENDA_TEMPLATE resource the agenda template was taken from, if the viewer may
    /// see it.
    async fn agenda_template_resource(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::graphql::resources::types::Resource>> {
        crate::graphql::resources::types::group_template_resource(ctx, &self.0).await
    }

    /// Which version of `agendaTemplateResource` it was taken from.
    async fn agenda_template_resource_version(&self) -> Option<i32> {
        self.0.agenda_template_resource_version
    }

    /// Resources the group adopted (those the viewer may see), newest adoption first.
    async fn adopted_resources(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::graphql::resources::types::ResourceAdoptionConnection> {
        crate::graphql::resources::types::adoptions(
            ctx,
            crate::graphql::loaders::resources::ResourceList::GroupAdoptions,
            self.0.id,
            first,
            after,
        )
        .await
    }

    /// For the group's members; null for everyone else.
    async fn rotation_policy(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::graphql::meetings::rotation::RotationPolicy>> {
        crate::graphql::meetings::rotation::rotation_policy(ctx, &self.0).await
    }

    /// Each facilitator's recent load and burnout signals: all of them for the group's
    /// coordinators and admins; a facilitator sees their own.
    async fn facilitator_load(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::meetings::rotation::FacilitatorLoad>> {
        crate::graphql::meetings::rotation::facilitator_load(ctx, &self.0).await
    }

    /// Attended ÷ the last 4 HELD meetings, over active members (docs/metrics.md).
    async fn attendance_consistency(
        &self,
        ctx: &Context<'_>,
    ) -> Result<crate::graphql::meetings::health::AttendanceConsistency> {
        crate::graphql::meetings::health::attendance_consistency(ctx, &self.0).await
    }

    /// Reviewed commitments from meetings starting in [from, to) (docs/metrics.md).
    async fn commitment_completion_rate(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<crate::graphql::meetings::health::CommitmentCompletion> {
        crate::graphql::meetings::health::commitment_completion(ctx, &self.0, from, to).await
    }

    /// Active members, their median tenure, and departures of the last 90 days.
    async fn retention(
        &self,
        ctx: &Context<'_>,
    ) -> Result<crate::graphql::meetings::health::Retention> {
        crate::graphql::meetings::health::retention(ctx, &self.0).await
    }

    /// True once the group has held 3 meetings and has not been reviewed yet.
    async fn evaluation_due(&self, ctx: &Context<'_>) -> Result<bool> {
        crate::graphql::meetings::health::evaluation_due(ctx, &self.0).await
    }

    /// The current confidentiality pledge; joining takes accepting it.
    async fn pledge(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::graphql::care::pledges::Pledge>> {
        crate::graphql::care::pledges::group_pledge(ctx, &self.0).await
    }

    /// Active members whose pledge is missing, expired or expiring within 30 days
    /// (facilitators and managers).
    async fn pledge_status(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::care::pledges::PledgeStatusEntry>> {
        crate::graphql::care::pledges::pledge_status(ctx, &self.0).await
    }

    /// Check-ins in aggregate, per week or per meeting interval, for the group's facilitators,
    /// managers and analysts. `from` and `to` widen to whole weeks (Monday to Sunday in the
    /// group's zone); a bucket with fewer contributors than the privacy cohort, or not yet
    /// ended, is suppressed.
    async fn wellbeing(
        &self,
        ctx: &Context<'_>,
        from: crate::graphql::scalars::Date,
        to: crate::graphql::scalars::Date,
        #[graphql(default_with = "crate::graphql::care::wellbeing::WellbeingBucketSize::Week")]
        bucket: crate::graphql::care::wellbeing::WellbeingBucketSize,
    ) -> Result<Vec<crate::graphql::care::wellbeing::WellbeingBucket>> {
        crate::graphql::care::wellbeing::group_wellbeing(ctx, &self.0, from, to, bucket).await
    }

    /// Applications to join (BY_CONSENT groups), newest first; for members and managers.
    #[allow(clippy::too_many_arguments)] // the GraphQL arguments of the field
    async fn applications(
        &self,
        ctx: &Context<'_>,
        status: Option<crate::graphql::enums::ApplicationStatus>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<crate::graphql::care::admission::MembershipApplicationConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        crate::graphql::care::admission::group_applications(ctx, &self.0, status, args).await
    }

    /// Thumbs polls, newest first; for the group's members and managers.
    async fn polls(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<crate::graphql::care::polls::PollConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        crate::graphql::care::polls::group_polls(ctx, &self.0, args).await
    }

    /// The anonymous suggestion box, newest first; for the group's facilitators and managers.
    #[allow(clippy::too_many_arguments)] // the GraphQL arguments of the field
    async fn suggestions(
        &self,
        ctx: &Context<'_>,
        status: Option<crate::graphql::enums::SuggestionStatus>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<crate::graphql::care::suggestions::SuggestionConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        crate::graphql::care::suggestions::group_suggestions(ctx, &self.0, status, args).await
    }

    /// Active members.
    async fn member_count(&self) -> i32 {
        self.0.active_member_count
    }

    /// Free places before the group is full (new members are then waitlisted).
    async fn seats_left(&self) -> i32 {
        (self.0.capacity_max - self.0.active_member_count).max(0)
    }

    /// The viewer's own membership in this group, in any state; null if none.
    async fn viewer_membership(&self, ctx: &Context<'_>) -> Result<Option<Membership>> {
        if ctx.viewer()?.person_id.is_none() {
            return Ok(None);
        }
        let found = ctx
            .loaders()?
            .viewer_memberships
            .load_one(self.0.id)
            .await?;
        Ok(found.map(Membership))
    }
}

connection!(GroupConnection, GroupEdge, Group, "A page of groups.");
connection!(
    MembershipConnection,
    MembershipEdge,
    Membership,
    "A page of memberships."
);

/// A person's place in a group.
#[derive(Clone)]
pub struct Membership(pub membership::Model);

#[Object]
impl Membership {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Membership, self.0.id)
    }

    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        Ok(Person(
            must(
                &ctx.loaders()?.people,
                self.0.person_id,
                "membership without person",
            )
            .await?,
        ))
    }

    /// The group, while the viewer may see it: someone who left a PRIVATE group keeps their
    /// membership record but no longer sees the group.
    async fn group(&self, ctx: &Context<'_>) -> Result<Option<Group>> {
        Ok(ctx
            .loaders()?
            .groups
            .load_one(self.0.group_id)
            .await?
            .map(Group))
    }

    async fn role(&self) -> MembershipRole {
        self.0.role.into()
    }

    async fn status(&self) -> MembershipStatus {
        self.0.status.into()
    }

    async fn joined_at(&self) -> Option<DateTime<Utc>> {
        self.0.joined_at
    }

    async fn left_at(&self) -> Option<DateTime<Utc>> {
        self.0.left_at
    }

    /// What the person wrote when asking to join: for them, the group's facilitators and its
    /// managers.
    async fn statement(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(text) = &self.0.statement else {
            return Ok(None);
        };
        let access = access(ctx).await?;
        if access.person_id == Some(self.0.person_id) {
            return Ok(Some(text.clone()));
        }
        let Some(g) = ctx
            .loaders()?
            .groups_unchecked
            .load_one(self.0.group_id)
            .await?
        else {
            return Ok(None);
        };
        let path = Group(g.clone()).cluster_path(ctx).await?;
        Ok(authz::can_run_group(&access, &g, &path).then(|| text.clone()))
    }

    /// Attended ÷ the group's last 4 HELD meetings since joining; null before any. For the
    /// member and the group's facilitators.
    async fn attendance_consistency(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        crate::graphql::meetings::health::member_consistency(ctx, &self.0).await
    }

    /// The other member of this member's newest active buddy pair; for the two of them and
    /// the group's facilitators and managers (null for anyone else).
    async fn buddy(&self, ctx: &Context<'_>) -> Result<Option<Membership>> {
        crate::graphql::care::buddies::buddy_of(ctx, &self.0).await
    }

    /// The newest active buddy pair, with its dates; same readers as `buddy`.
    async fn buddy_pair(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::graphql::care::buddies::BuddyPair>> {
        Ok(crate::graphql::care::buddies::current_pair(ctx, &self.0)
            .await?
            .map(crate::graphql::care::buddies::BuddyPair))
    }

    /// Until when the member's acceptance of the current pledge holds; null without one. For
    /// the member and the group's facilitators.
    async fn pledge_valid_until(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        crate::graphql::care::pledges::membership_valid_until(ctx, &self.0).await
    }

    /// Commitments not yet reviewed; for the member and the group's facilitators.
    async fn open_commitments(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::meetings::types::ActionCommitment>> {
        meeting_fields::open_commitments(ctx, &self.0).await
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
