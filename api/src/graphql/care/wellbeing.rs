//! `Group.wellbeing`: the group's check-ins in aggregate, withheld below the cohort size.

use std::str::FromStr;

use async_graphql::{Context, Enum, Result, SimpleObject};
use chrono::Utc;
use entity::group;

use crate::{
    domain::care::wellbeing::{self, Bucket, ClosedWeeks, IntervalsOf, Weeks, Withheld},
    error::AppError,
    graphql::{context::ContextExt, meetings::health::metrics_allowed, scalars::Date},
};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum WellbeingBucketSize {
    /// Monday to Sunday in the group's zone.
    Week,
    /// From the week of one meeting up to the week of the next, in whole weeks.
    MeetingInterval,
}

/// Why an aggregate shows no values.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum WithheldReason {
    /// Fewer distinct established contributors than the privacy cohort
    /// (CANOPY_PRIVACY_MIN_COHORT): in this bucket, in one week of a meeting interval, or
    /// among a meeting's answers. Established: an account and a membership at least 28 days
    /// old, and present at two earlier held meetings of the group (docs/privacy.md).
    TooFewContributors,
    /// The bucket, or a meeting's feedback window, has not ended; released once it has.
    NotClosed,
    /// The group's privacy budget for the period is spent: at most four feedback summaries
    /// per group in 28 days are released.
    BudgetSpent,
}

impl From<Withheld> for WithheldReason {
    fn from(w: Withheld) -> Self {
        match w {
            Withheld::TooFewContributors => Self::TooFewContributors,
            Withheld::NotClosed => Self::NotClosed,
            Withheld::BudgetSpent => Self::BudgetSpent,
        }
    }
}

/// How many contributed one rating. Each person counts once per week (their week's check-ins
/// averaged and rounded) and the count carries differential-privacy noise.
#[derive(SimpleObject)]
pub struct RatingCount {
    pub rating: i32,
    /// Noisy count of people whose week rounded to `rating` (for an interval, person-weeks).
    pub check_ins: i32,
}

/// One bucket of a group's wellbeing, computed and frozen once when first read after it closed,
/// with differential-privacy noise (docs/privacy.md). When `suppressed`, every value is null.
#[derive(SimpleObject)]
pub struct WellbeingBucket {
    pub start: Date,
    pub end: Date,
    /// People who checked in (noisy; the sum of `distribution`). For a meeting interval,
    /// person-weeks: the sum of its frozen weeks.
    pub contributors: Option<i32>,
    pub average_rating: Option<f64>,
    /// Check-ins per rating, 1 to 5.
    pub distribution: Option<Vec<RatingCount>>,
    pub suppressed: bool,
    pub withheld: Option<WithheldReason>,
}

impl From<Bucket> for WellbeingBucket {
    fn from(b: Bucket) -> Self {
        let (start, end) = (Date(b.start), Date(b.end));
        match b.figures {
            Ok(f) => Self {
                start,
                end,
                contributors: Some(f.contributors),
                average_rating: f.average(),
                distribution: Some(
                    f.rated
                        .iter()
                        .zip(1..)
                        .map(|(count, rating)| RatingCount {
                            rating,
                            check_ins: *count,
                        })
                        .collect(),
                ),
                suppressed: false,
                withheld: None,
            },
            Err(why) => Self {
                start,
                end,
                contributors: None,
                average_rating: None,
                distribution: None,
                suppressed: true,
                withheld: Some(why.into()),
            },
        }
    }
}

pub async fn group_wellbeing(
    ctx: &Context<'_>,
    g: &group::Model,
    from: Date,
    to: Date,
    size: WellbeingBucketSize,
) -> Result<Vec<WellbeingBucket>> {
    metrics_allowed(ctx, g).await?;
    let weeks = Weeks::covering(from.0, to.0)?;
    let tz = chrono_tz::Tz::from_str(&g.timezone).map_err(AppError::internal)?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let min_cohort =
        i32::try_from(ctx.services()?.config.privacy_min_cohort).map_err(AppError::internal)?;
    let loaders = ctx.loaders()?;
    let created = g.created_at.with_timezone(&tz).date_naive();
    let mut frozen = match wellbeing::to_freeze(weeks, today, created) {
        Some(closed) => loaders
            .care
            .load_one(ClosedWeeks {
                group: g.id,
                weeks: closed,
            })
            .await?
            .unwrap_or_default(),
        None => Default::default(),
    };
    wellbeing::empty_before(weeks, created, &mut frozen);
    let weekly = wellbeing::weekly(weeks, &frozen, min_cohort);
    let buckets = match size {
        WellbeingBucketSize::Week => weekly,
        WellbeingBucketSize::MeetingInterval => {
            let key = IntervalsOf {
                group: g.id,
                tz,
                weeks,
            };
            let spans = loaders.care.load_one(key).await?.unwrap_or_default();
            wellbeing::by_interval(&weekly, &spans)
        }
    };
    Ok(buckets.into_iter().map(WellbeingBucket::from).collect())
}
