//! Anonymous meeting feedback: the mutation and `Meeting.feedbackSummary`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::Utc;
use entity::meeting;

use crate::{
    domain::care::{
        feedback::{self, Answers, SummaryOf},
        wellbeing::Withheld,
    },
    error::AppError,
    graphql::{
        care::wellbeing::WithheldReason,
        context::{ContextExt, signed_in},
        ids::{self, Kind},
        meetings::{health::metrics_allowed, types::Meeting},
    },
};

/// What attendees said about a meeting, in aggregate: computed once after the feedback window
/// closed, with differential-privacy noise (docs/privacy.md), and released only when enough
/// established members answered. When `suppressed`, every value is null.
#[derive(SimpleObject)]
pub struct MeetingFeedbackSummary {
    /// Noisy count of answers. The averages are null when released but noise left no count
    /// to average (rare).
    pub responses: Option<i32>,
    pub average_relevance: Option<f64>,
    pub average_format: Option<f64>,
    /// −2 (more stressed) to 2 (less stressed).
    pub average_stress_impact: Option<f64>,
    /// In a random order fixed when the summary was frozen, so the order says nothing about
    /// who answered when.
    pub comments: Option<Vec<String>>,
    pub suppressed: bool,
    pub withheld: Option<WithheldReason>,
}

/// `Meeting.feedbackSummary`: for the group's facilitators, managers and analysts, once the
/// feedback window has closed and enough established members answered.
pub async fn summary(ctx: &Context<'_>, m: &meeting::Model) -> Result<MeetingFeedbackSummary> {
    let g = crate::graphql::loaders::must(
        &ctx.loaders()?.groups_unchecked,
        m.group_id,
        "meeting without group",
    )
    .await?;
    metrics_allowed(ctx, &g).await?;
    let min_cohort =
        i32::try_from(ctx.services()?.config.privacy_min_cohort).map_err(AppError::internal)?;
    let released = if feedback::is_closed(m.starts_at, Utc::now()) {
        // Frozen once (noise, comment order, budget) on the first read after the window.
        let frozen = ctx
            .loaders()?
            .care
            .load_one(SummaryOf {
                meeting: m.id,
                group: m.group_id,
                starts_at: m.starts_at,
                min_cohort,
            })
            .await?
            .unwrap_or_default();
        feedback::release(&frozen, min_cohort)
    } else {
        Err(Withheld::NotClosed)
    };
    Ok(match released {
        Ok(s) => MeetingFeedbackSummary {
            responses: Some(s.responses),
            average_relevance: s.average_relevance,
            average_format: s.average_format,
            average_stress_impact: s.average_stress_impact,
            comments: Some(s.comments),
            suppressed: false,
            withheld: None,
        },
        Err(why) => MeetingFeedbackSummary {
            responses: None,
            average_relevance: None,
            average_format: None,
            average_stress_impact: None,
            comments: None,
            suppressed: true,
            withheld: Some(why.into()),
        },
    })
}

#[derive(InputObject)]
pub struct SubmitMeetingFeedbackInput {
    pub meeting_id: ID,
    /// 1 (not relevant) to 5 (very relevant).
    pub relevance: i32,
    /// 1 (the format did not work) to 5 (it worked very well).
    pub format: i32,
    /// −2 (left more stressed) to 2 (left less stressed).
    pub stress_impact: i32,
    pub comment: Option<String>,
}

#[derive(SimpleObject)]
pub struct SubmitMeetingFeedbackPayload {
    pub meeting: Meeting,
    /// Always true: the answer itself is not returned, nor any id for it.
    pub accepted: bool,
}

#[derive(Default)]
pub struct FeedbackMutation;

#[Object]
impl FeedbackMutation {
    /// Anonymous feedback on a HELD meeting you attended: once, within 72 hours of its start.
    async fn submit_meeting_feedback(
        &self,
        ctx: &Context<'_>,
        input: SubmitMeetingFeedbackInput,
    ) -> Result<SubmitMeetingFeedbackPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Meeting, "meetingId", &input.meeting_id)?;
        let secret = ctx.services()?.config.receipt_key.expose();
        let answers = Answers {
            relevance: input.relevance,
            format: input.format,
            stress_impact: input.stress_impact,
            comment: input.comment,
        };
        let m = feedback::submit(ctx.db()?, &access, secret, id, answers).await?;
        Ok(SubmitMeetingFeedbackPayload {
            meeting: Meeting(m),
            accepted: true,
        })
    }
}
