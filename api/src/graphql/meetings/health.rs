//! Group health metrics and the first-three-sessions evaluation: types, fields, mutation.
//! Definitions: docs/metrics.md.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{MembershipStatus, group, group_review, membership};

use crate::{
    domain::{authz, meetings::metrics, meetings::reviews},
    error::{AppError, AppResult},
    graphql::{
        accounts::types::Person,
        context::{ContextExt, access, signed_in},
        ids::{self, Kind},
        loaders::meetings::{CompletionKey, EvaluationKey, HealthKey},
    },
};

#[derive(SimpleObject)]
pub struct AttendanceConsistency {
    /// Mean of the measured members' rates (0–1); null when nobody is measured yet.
    pub average_rate: Option<f64>,
    pub members_at_or_above_80_percent: i32,
    /// Active members with at least one HELD meeting since joining.
    pub members_measured: i32,
}

#[derive(SimpleObject)]
pub struct CommitmentCompletion {
    pub done: i32,
    pub partial: i32,
    pub not_done: i32,
    pub open: i32,
    /// DONE ÷ (DONE + PARTIAL + NOT_DONE); null when none was reviewed.
    pub rate: Option<f64>,
}

#[derive(SimpleObject)]
pub struct Retention {
    pub active_members: i32,
    pub median_tenure_days: Option<f64>,
    pub left_last_90_days: i32,
}

pub async fn metrics_allowed(ctx: &Context<'_>, g: &group::Model) -> AppResult<()> {
    let access = access(ctx).await?;
    if !access.is_signed_in() {
        return Err(AppError::unauthenticated());
    }
    let path = ctx
        .loaders()?
        .clusters
        .load_one(g.cluster_id)
        .await?
        .ok_or_else(|| AppError::internal("group without cluster"))?
        .path;
    if !authz::can_see_group_metrics(&access, g, &path) {
        return Err(AppError::forbidden(
            "group metrics are for its facilitators, managers and analysts",
        ));
    }
    Ok(())
}

pub async fn attendance_consistency(
    ctx: &Context<'_>,
    g: &group::Model,
) -> Result<AttendanceConsistency> {
    metrics_allowed(ctx, g).await?;
    let data = ctx
        .loaders()?
        .meeting_data
        .load_one(HealthKey(g.id))
        .await?
        .unwrap_or_default();
    let rates = data
        .memberships
        .iter()
        .filter(|m| m.status == MembershipStatus::Active)
        .map(|m| metrics::consistency(m, &data.recent_held, &data.attendance));
    let c = metrics::group_consistency(rates);
    Ok(AttendanceConsistency {
        average_rate: c.average_rate,
        members_at_or_above_80_percent: c.members_at_or_above_80_percent,
        members_measured: c.members_measured,
    })
}

pub async fn commitment_completion(
    ctx: &Context<'_>,
    g: &group::Model,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<CommitmentCompletion> {
    metrics_allowed(ctx, g).await?;
    let key = CompletionKey {
        group: g.id,
        from,
        to,
    };
    let statuses = ctx
        .loaders()?
        .meeting_data
        .load_one(key)
        .await?
        .unwrap_or_default();
    let c = metrics::completion(statuses.into_iter());
    Ok(CommitmentCompletion {
        done: c.done,
        partial: c.partial,
        not_done: c.not_done,
        open: c.open,
        rate: c.rate,
    })
}

pub async fn retention(ctx: &Context<'_>, g: &group::Model) -> Result<Retention> {
    metrics_allowed(ctx, g).await?;
    let data = ctx
        .loaders()?
        .meeting_data
        .load_one(HealthKey(g.id))
        .await?
        .unwrap_or_default();
    let r = metrics::retention(&data.memberships, Utc::now());
    Ok(Retention {
        active_members: r.active_members,
        median_tenure_days: r.median_tenure_days,
        left_last_90_days: r.left_last_90_days,
    })
}

/// `Membership.attendanceConsistency`: for the member, the group's facilitators and managers.
pub async fn member_consistency(ctx: &Context<'_>, m: &membership::Model) -> Result<Option<f64>> {
    let access = access(ctx).await?;
    if access.person_id != Some(m.person_id) {
        let g = ctx.loaders()?.groups_unchecked.load_one(m.group_id).await?;
        let g = g.ok_or_else(|| AppError::internal("membership without group"))?;
        if !super::types::runs(ctx, &g).await? {
            return Err(AppError::forbidden(
                "attendance consistency is for the member and facilitators",
            )
            .into());
        }
    }
    let data = ctx
        .loaders()?
        .meeting_data
        .load_one(HealthKey(m.group_id))
        .await?
        .unwrap_or_default();
    Ok(metrics::consistency(m, &data.recent_held, &data.attendance))
}

/// `Group.evaluationDue`: for the group's facilitators and managers.
pub async fn evaluation_due(ctx: &Context<'_>, g: &group::Model) -> Result<bool> {
    if !super::types::runs(ctx, g).await? {
        return Err(AppError::forbidden(
            "the evaluation is for the group's facilitators and managers",
        )
        .into());
    }
    let (held, reviews) = ctx
        .loaders()?
        .meeting_data
        .load_one(EvaluationKey(g.id))
        .await?
        .unwrap_or_default();
    Ok(reviews::evaluation_due(held, reviews))
}

pub struct GroupReview(pub group_review::Model);

#[Object]
impl GroupReview {
    async fn notes(&self) -> &str {
        &self.0.notes
    }

    async fn reviewed_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.0.reviewed_by else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.people.load_one(id).await?.map(Person))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject)]
pub struct RecordGroupReviewInput {
    pub group_id: ID,
    pub notes: String,
}

#[derive(SimpleObject)]
pub struct RecordGroupReviewPayload {
    pub review: GroupReview,
}

#[derive(Default)]
pub struct HealthMutation;

#[Object]
impl HealthMutation {
    /// Records the group's review (the first-three-sessions evaluation); facilitators and
    /// managers.
    async fn record_group_review(
        &self,
        ctx: &Context<'_>,
        input: RecordGroupReviewInput,
    ) -> Result<RecordGroupReviewPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let r = reviews::record_review(ctx.db()?, &access, id, &input.notes).await?;
        Ok(RecordGroupReviewPayload {
            review: GroupReview(r),
        })
    }
}
