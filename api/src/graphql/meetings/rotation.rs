//! Facilitator rotation and load: types, fields and mutations.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{group, unavailability};

use super::types::Meeting;
use crate::{
    domain::{authz, meetings::load, meetings::rotation},
    error::AppError,
    graphql::{
        context::{ContextExt, access, signed_in},
        groups::types::Membership,
        ids::{self, Kind},
        loaders::meetings::LoadKey,
        scalars::Date,
    },
};

/// Facilitators serve in blocks of `periodWeeks`; nobody takes more than
/// `maxConsecutiveBlocks` in a row while someone else can.
#[derive(SimpleObject)]
pub struct RotationPolicy {
    pub period_weeks: i32,
    pub max_consecutive_blocks: i32,
}

impl From<&group::Model> for RotationPolicy {
    fn from(g: &group::Model) -> Self {
        Self {
            period_weeks: g.rotation_period_weeks,
            max_consecutive_blocks: g.rotation_max_consecutive_blocks,
        }
    }
}

/// How much a facilitator has carried lately, and whether that is a burnout risk.
pub struct FacilitatorLoad(pub load::LoadEntry);

#[Object]
impl FacilitatorLoad {
    async fn membership(&self) -> Membership {
        Membership(self.0.membership.clone())
    }

    async fn meetings_last_8_weeks(&self) -> i32 {
        self.0.meetings_last_8_weeks
    }

    /// Rotation blocks in a row, up to the latest, that this person facilitated.
    async fn consecutive_blocks(&self) -> i32 {
        self.0.consecutive_blocks
    }

    async fn last_facilitated_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_facilitated_at
    }

    /// Their own latest rating (1–5) of the last 8 weeks, if they shared one.
    async fn self_reported_load(&self) -> Option<i32> {
        self.0.self_reported_load
    }

    async fn at_risk(&self) -> bool {
        self.0.at_risk
    }

    /// Why `atRisk` is true, in words.
    async fn reasons(&self) -> &[String] {
        &self.0.reasons
    }
}

/// `Group.facilitatorLoad`: everyone's for managers; a facilitator sees only their own.
pub async fn facilitator_load(ctx: &Context<'_>, g: &group::Model) -> Result<Vec<FacilitatorLoad>> {
    let access = access(ctx).await?;
    if !access.is_signed_in() {
        return Err(AppError::unauthenticated().into());
    }
    let path = ctx
        .loaders()?
        .clusters
        .load_one(g.cluster_id)
        .await?
        .ok_or_else(|| AppError::internal("group without cluster"))?
        .path;
    let manager = authz::manages_group(&access, g, &path);
    if !manager && !access.runs_group(g.id) {
        return Err(AppError::forbidden(
            "facilitator load is for the facilitators and their coordinators",
        )
        .into());
    }
    let data = ctx
        .loaders()?
        .meeting_data
        .load_one(LoadKey(g.id))
        .await?
        .unwrap_or_default();
    let entries = load::compute(
        g,
        data.facilitators,
        &data.meetings,
        &data.reports,
        Utc::now(),
    );
    Ok(entries
        .into_iter()
        .filter(|e| manager || access.person_id == Some(e.membership.person_id))
        .map(FacilitatorLoad)
        .collect())
}

/// A period in which a member cannot facilitate.
pub struct Unavailability(pub unavailability::Model);

#[Object]
impl Unavailability {
    async fn from(&self) -> Date {
        Date(self.0.from_date)
    }

    async fn to(&self) -> Date {
        Date(self.0.to_date)
    }
}

#[derive(InputObject)]
pub struct SetRotationPolicyInput {
    pub group_id: ID,
    /// 1–8.
    pub period_weeks: i32,
    /// 1–12.
    pub max_consecutive_blocks: i32,
}

#[derive(InputObject)]
pub struct SetUnavailabilityInput {
    pub group_id: ID,
    pub from: Date,
    pub to: Date,
}

#[derive(InputObject)]
pub struct PlanRotationInput {
    pub group_id: ID,
    /// Plan SCHEDULED meetings up to this day (in the group's zone).
    pub until: Date,
}

#[derive(InputObject)]
pub struct SwapFacilitatorInput {
    pub meeting_id: ID,
    pub facilitator_membership_id: ID,
    pub co_facilitator_membership_id: Option<ID>,
}

#[derive(InputObject)]
pub struct ReportFacilitatorLoadInput {
    pub group_id: ID,
    /// 1 (light) to 5 (too much).
    pub rating: i32,
    pub note: Option<String>,
}

#[derive(SimpleObject)]
pub struct SetRotationPolicyPayload {
    pub rotation_policy: RotationPolicy,
}

#[derive(SimpleObject)]
pub struct SetUnavailabilityPayload {
    pub unavailability: Unavailability,
}

#[derive(SimpleObject)]
pub struct PlanRotationPayload {
    /// The meetings the plan assigned (manual assignments are left out, and kept).
    pub meetings: Vec<Meeting>,
}

#[derive(SimpleObject)]
pub struct SwapFacilitatorPayload {
    pub meeting: Meeting,
}

#[derive(SimpleObject)]
pub struct ReportFacilitatorLoadPayload {
    /// Accepted.
    pub ok: bool,
}

#[derive(Default)]
pub struct RotationMutation;

#[Object]
impl RotationMutation {
    /// Facilitators and managers of the group.
    async fn set_rotation_policy(
        &self,
        ctx: &Context<'_>,
        input: SetRotationPolicyInput,
    ) -> Result<SetRotationPolicyPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let g = rotation::set_rotation_policy(
            ctx.db()?,
            &access,
            id,
            input.period_weeks,
            input.max_consecutive_blocks,
        )
        .await?;
        Ok(SetRotationPolicyPayload {
            rotation_policy: (&g).into(),
        })
    }

    /// An active member declares days they cannot facilitate.
    async fn set_unavailability(
        &self,
        ctx: &Context<'_>,
        input: SetUnavailabilityInput,
    ) -> Result<SetUnavailabilityPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let u =
            rotation::set_unavailability(ctx.db()?, &access, id, input.from.0, input.to.0).await?;
        Ok(SetUnavailabilityPayload {
            unavailability: Unavailability(u),
        })
    }

    /// Assigns facilitators (and co-facilitators) to SCHEDULED meetings up to `until`.
    async fn plan_rotation(
        &self,
        ctx: &Context<'_>,
        input: PlanRotationInput,
    ) -> Result<PlanRotationPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let planned = rotation::plan_rotation(ctx.db()?, &access, id, input.until.0).await?;
        Ok(PlanRotationPayload {
            meetings: planned.into_iter().map(Meeting).collect(),
        })
    }

    /// Puts someone on a meeting by hand (MANUAL; re-planning keeps it).
    async fn swap_facilitator(
        &self,
        ctx: &Context<'_>,
        input: SwapFacilitatorInput,
    ) -> Result<SwapFacilitatorPayload> {
        let access = signed_in(ctx).await?;
        let meeting = ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?;
        let lead = ids::decode(
            Kind::Membership,
            "facilitatorMembershipId",
            &input.facilitator_membership_id,
        )?;
        let co = input
            .co_facilitator_membership_id
            .map(|c| ids::decode(Kind::Membership, "coFacilitatorMembershipId", &c))
            .transpose()?;
        let m = rotation::swap_facilitator(ctx.db()?, &access, meeting, lead, co).await?;
        Ok(SwapFacilitatorPayload {
            meeting: Meeting(m),
        })
    }

    /// A facilitator's own, explicitly shared signal of how heavy the role feels.
    async fn report_facilitator_load(
        &self,
        ctx: &Context<'_>,
        input: ReportFacilitatorLoadInput,
    ) -> Result<ReportFacilitatorLoadPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        load::report_load(ctx.db()?, &access, id, input.rating, input.note).await?;
        Ok(ReportFacilitatorLoadPayload { ok: true })
    }
}

/// `Group.rotationPolicy` for insiders.
pub async fn rotation_policy(
    ctx: &Context<'_>,
    g: &group::Model,
) -> Result<Option<RotationPolicy>> {
    Ok(super::types::insider(ctx, g).await?.then(|| g.into()))
}
