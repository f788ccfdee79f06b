use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::poll;

use crate::graphql::loaders::{
    CountKey,
    care_lists::{CareList, CarePage, group_page},
};
use crate::{
    connection,
    domain::{care::polls, pagination::PageArgs},
    error::AppError,
    graphql::{
        connection::Total,
        context::{ContextExt, signed_in},
        enums::Thumb,
        ids::{self, Kind},
        loaders::care::VotesKey,
        meetings::types::{Meeting, require_insider},
    },
};

/// A thumbs up/down question to the group. Members see the tally and their own vote.
#[derive(Clone)]
pub struct Poll(pub poll::Model);

#[derive(SimpleObject)]
pub struct PollTally {
    pub up: i64,
    pub down: i64,
}

#[Object]
impl Poll {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Poll, self.0.id)
    }

    async fn question(&self) -> &str {
        &self.0.question
    }

    async fn meeting(&self, ctx: &Context<'_>) -> Result<Option<Meeting>> {
        let Some(id) = self.0.meeting_id else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.meetings.load_one(id).await?.map(Meeting))
    }

    async fn closes_at(&self) -> DateTime<Utc> {
        self.0.closes_at
    }

    async fn open(&self) -> bool {
        self.0.is_open(Utc::now())
    }

    async fn tally(&self, ctx: &Context<'_>) -> Result<PollTally> {
        let votes = self.votes(ctx).await?;
        let up = votes.iter().filter(|v| v.vote == entity::Thumb::Up).count() as i64;
        Ok(PollTally {
            up,
            down: votes.len() as i64 - up,
        })
    }

    /// The viewer's own vote; nobody sees anyone else's.
    async fn viewer_vote(&self, ctx: &Context<'_>) -> Result<Option<Thumb>> {
        let Some(person) = ctx.viewer()?.person_id else {
            return Ok(None);
        };
        let votes = self.votes(ctx).await?;
        Ok(votes
            .iter()
            .find(|v| v.person_id == person)
            .map(|v| v.vote.into()))
    }
}

impl Poll {
    async fn votes(
        &self,
        ctx: &Context<'_>,
    ) -> crate::error::AppResult<Vec<entity::poll_vote::Model>> {
        Ok(ctx
            .loaders()?
            .care
            .load_one(VotesKey(self.0.id))
            .await?
            .unwrap_or_default())
    }
}

connection!(PollConnection, PollEdge, Poll, "A page of polls.");

/// `Group.polls`: newest first, for the group's members and managers.
pub async fn group_polls(
    ctx: &Context<'_>,
    g: &entity::group::Model,
    args: PageArgs,
) -> Result<PollConnection> {
    require_insider(ctx, g, "polls").await?;
    let list = CareList::Polls;
    let CarePage::Polls(page) = group_page(ctx, g.id, list, args).await? else {
        return Err(AppError::internal("polls page of another kind").into());
    };
    let total = Total::Batched(CountKey::CareList { group: g.id, list });
    Ok(PollConnection::new(page.map(Poll), total))
}

#[derive(InputObject)]
pub struct CreatePollInput {
    pub group_id: ID,
    pub meeting_id: Option<ID>,
    pub question: String,
    /// Within the next 90 days.
    pub closes_at: DateTime<Utc>,
}

#[derive(InputObject)]
pub struct CastVoteInput {
    pub poll_id: ID,
    pub vote: Thumb,
}

#[derive(InputObject)]
pub struct ClosePollInput {
    pub poll_id: ID,
}

#[derive(SimpleObject)]
pub struct CreatePollPayload {
    pub poll: Poll,
}

#[derive(SimpleObject)]
pub struct CastVotePayload {
    pub poll: Poll,
}

#[derive(SimpleObject)]
pub struct ClosePollPayload {
    pub poll: Poll,
}

#[derive(Default)]
pub struct PollMutation;

#[Object]
impl PollMutation {
    /// Facilitators and managers ask the group.
    async fn create_poll(
        &self,
        ctx: &Context<'_>,
        input: CreatePollInput,
    ) -> Result<CreatePollPayload> {
        let access = signed_in(ctx).await?;
        let group = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let meeting = input
            .meeting_id
            .map(|m| ids::decode(Kind::Meeting, "meetingId", &m))
            .transpose()?;
        let p = polls::create(
            ctx.db()?,
            &access,
            group,
            meeting,
            &input.question,
            input.closes_at,
        )
        .await?;
        Ok(CreatePollPayload { poll: Poll(p) })
    }

    /// Up or down, once per active member; changeable while the poll is open.
    async fn cast_vote(&self, ctx: &Context<'_>, input: CastVoteInput) -> Result<CastVotePayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Poll, "pollId", &input.poll_id)?;
        let p = polls::vote(ctx.db()?, &access, id, input.vote.into()).await?;
        Ok(CastVotePayload { poll: Poll(p) })
    }

    async fn close_poll(
        &self,
        ctx: &Context<'_>,
        input: ClosePollInput,
    ) -> Result<ClosePollPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Poll, "pollId", &input.poll_id)?;
        let p = polls::close(ctx.db()?, &access, id).await?;
        Ok(ClosePollPayload { poll: Poll(p) })
    }
}
