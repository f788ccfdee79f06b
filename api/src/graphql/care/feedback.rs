//! Anonymous meeting feedback: the mutation and `Meeting.feedbackSummary`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::Utc;
use entity::meeting;

use crate::{
    domain::care::feedback::{self, Answers},
    graphql::{
        care::wellbeing::WithheldReason,
        context::{ContextExt, signed_in},
        ids::{self, Kind},
        loaders::care::FeedbackKey,
        meetings::{health::metrics_allowed, types::Meeting},
    },
};

/// What attendees said about a meeting, in aggregate. When `suppressed`, every value is null.
#[derive(SimpleObject)]
pub struct MeetingFeedbackSummary {
    pub responses: Option<i32>,
    pub average_relevance: Option<f64>,
    pub average_format: Option<f64>,
    /// −2 (more stressed) to 2 (less stressed).
    pub average_stress_impact: Option<f64>,
    /// In alphabetical order, so the order says nothing about who answered when.
    pub comments: Option<Vec<String>>,
    pub suppressed: bool,
    pub withheld: Option<WithheldReason>,
}

/// `Meeting.feedbackSummary`: for the group's facilitators, managers and analysts, once the
/// feedback window has closed and enough people answered.
pub async fn summary(ctx: &Context<'_>, m: &meeting::Model) -> Result<MeetingFeedbackSummary> {
    let g =
        crate::graphql::loaders::must(&ctx.loaders()?.groups, m.group_id, "meeting without group")
            .await?;
    metrics_allowed(ctx, &g).await?;
    let answers = ctx
        .loaders()?
        .care
        .load_one(FeedbackKey(m.id))
        .await?
        .unwrap_or_default();
    let min_cohort =
        usize::try_from(ctx.services()?.config.privacy_min_cohort).unwrap_or(usize::MAX);
    Ok(
        match feedback::summarise(m, &answers, min_cohort, Utc::now()) {
            Ok(s) => MeetingFeedbackSummary {
                responses: Some(s.responses),
                average_relevance: Some(s.average_relevance),
                average_format: Some(s.average_format),
                average_stress_impact: Some(s.average_stress_impact),
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
        },
    )
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
