use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::check_in;

use crate::{
    connection,
    domain::{care::check_ins, pagination::PageArgs},
    graphql::{
        connection::Total,
        context::{ContextExt, signed_in},
        groups::types::Group,
        ids::{self, Kind},
        loaders::must,
        scalars::{Date, StressRating},
    },
};

/// A stress check-in. Only the person who made it can ever read it.
#[derive(Clone)]
pub struct CheckIn(pub check_in::Model);

#[Object]
impl CheckIn {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::CheckIn, self.0.id)
    }

    async fn group(&self, ctx: &Context<'_>) -> Result<Group> {
        Ok(Group(
            must(
                &ctx.loaders()?.groups_unchecked,
                self.0.group_id,
                "check-in without group",
            )
            .await?,
        ))
    }

    /// The day, in the group's time zone.
    async fn date(&self) -> Date {
        Date(self.0.local_date)
    }

    async fn rating(&self) -> StressRating {
        StressRating(self.0.rating)
    }

    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

connection!(
    CheckInConnection,
    CheckInEdge,
    CheckIn,
    "A page of the viewer's check-ins."
);

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum TrendBucket {
    /// Monday to Sunday.
    #[default]
    Week,
}

/// One week of the viewer's own stress series.
#[derive(SimpleObject)]
pub struct StressTrendPoint {
    pub start: Date,
    pub end: Date,
    pub check_ins: i32,
    /// Null in a week without check-ins.
    pub average_rating: Option<f64>,
}

/// `Viewer.checkIns`: newest first.
pub async fn viewer_check_ins(
    ctx: &Context<'_>,
    from: Option<Date>,
    to: Option<Date>,
    args: PageArgs,
) -> Result<CheckInConnection> {
    let access = crate::graphql::context::access(ctx).await?;
    let (result, total) = check_ins::own_page(
        ctx.db()?,
        &access,
        from.map(|d| d.0),
        to.map(|d| d.0),
        &args,
    )
    .await?;
    Ok(CheckInConnection::new(
        result.map(CheckIn),
        Total::Known(total),
    ))
}

/// `Viewer.stressTrend`: the viewer's own weekly series; empty for anonymous callers.
pub async fn viewer_trend(
    ctx: &Context<'_>,
    from: Date,
    to: Date,
) -> Result<Vec<StressTrendPoint>> {
    let Some(me) = ctx.viewer()?.person_id else {
        return Ok(Vec::new());
    };
    let points = check_ins::trend(ctx.db()?, me, from.0, to.0).await?;
    Ok(points
        .into_iter()
        .map(|p| StressTrendPoint {
            start: Date(p.start),
            end: Date(p.end),
            check_ins: p.check_ins,
            average_rating: p.average_rating,
        })
        .collect())
}

#[derive(InputObject)]
pub struct SubmitCheckInInput {
    pub group_id: ID,
    pub rating: StressRating,
    /// Private to you.
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct DeleteCheckInInput {
    pub check_in_id: ID,
}

#[derive(SimpleObject)]
pub struct SubmitCheckInPayload {
    pub check_in: CheckIn,
}

#[derive(SimpleObject)]
pub struct DeleteCheckInPayload {
    pub deleted_check_in_id: ID,
}

#[derive(Default)]
pub struct CheckInMutation;

#[Object]
impl CheckInMutation {
    /// Today's check-in for a group you actively belong to; a second one today replaces it.
    async fn submit_check_in(
        &self,
        ctx: &Context<'_>,
        input: SubmitCheckInInput,
    ) -> Result<SubmitCheckInPayload> {
        let access = signed_in(ctx).await?;
        let group = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let saved =
            check_ins::submit(ctx.db()?, &access, group, input.rating.0, input.note).await?;
        Ok(SubmitCheckInPayload {
            check_in: CheckIn(saved),
        })
    }

    /// Deletes one of your own check-ins.
    async fn delete_check_in(
        &self,
        ctx: &Context<'_>,
        input: DeleteCheckInInput,
    ) -> Result<DeleteCheckInPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::CheckIn, "checkInId", &input.check_in_id)?;
        check_ins::delete(ctx.db()?, &access, id).await?;
        Ok(DeleteCheckInPayload {
            deleted_check_in_id: input.check_in_id,
        })
    }
}
