use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::poll;

use crate::domain::care::wellbeing::Withheld;
use crate::graphql::loaders::{
    CountKey,
    care_lists::{CareList, CarePage, group_page},
};
use crate::{
    connection,
    domain::{care::polls, pagination::PageArgs},
    error::AppError,
    graphql::{
        care::wellbeing::WithheldReason,
        connection::Total,
        context::{ContextExt, signed_in},
        enums::Thumb,
        ids::{self, Kind},
        loaders::care::VotesKey,
        meetings::types::{Meeting, require_insider},
    },
};

#[derive(Clone)]
pub struct Poll(pub poll::Model);

/// A poll's votes as released to the group. When `suppressed`, every figure is null — how
/// many voted included — and `withheld` says why: `NOT_CLOSED` while a secret ballot is open
/// (a live count would reveal each vote as it arrives or changes), `TOO_FEW_CONTRIBUTORS`
/// when it closed with fewer voters than the privacy cohort (CANOPY_PRIVACY_MIN_COHORT) —
/// counting only voters who were established members of the group when the poll was asked.
/// A closed secret ballot's tally is frozen when first read and never moves after.
/// An open ballot is never suppressed.
#[derive(SimpleObject)]
pub struct PollTally {
    pub up: Option<i32>,
    pub down: Option<i32>,
    /// Distinct people who voted.
    pub voters: Option<i32>,
    pub suppressed: bool,
    pub withheld: Option<WithheldReason>,
}

impl PollTally {
    fn new(released: Result<polls::Tally, Withheld>) -> crate::error::AppResult<Self> {
        let count = |n: usize| i32::try_from(n).map_err(AppError::internal);
        Ok(match released {
            Ok(t) => Self {
                up: Some(count(t.up)?),
                down: Some(count(t.down)?),
                voters: Some(count(t.voters())?),
                suppressed: false,
                withheld: None,
            },
            Err(why) => Self {
                up: None,
                down: None,
                voters: None,
                suppressed: true,
                withheld: Some(why.into()),
            },
        })
    }
}

/// A thumbs up/down question to the group. Each voter sees their own vote, nobody anyone
/// else's. A secret ballot (the default) is counted only once it has closed, and only if at
/// least the privacy cohort voted; an open ballot (`openBallot`) shows its live tally.
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

    /// An open ballot: declared when the poll was asked and never changed. Its live tally is
    /// shown to the group as votes arrive, so each voter's choice may be inferred by anyone
    /// watching. False for a secret ballot, counted only once closed.
    async fn open_ballot(&self) -> bool {
        self.0.open_ballot
    }

    /// The tally, released as `PollTally` describes.
    async fn tally(&self, ctx: &Context<'_>) -> Result<PollTally> {
        let min_cohort = usize::try_from(ctx.services()?.config.privacy_min_cohort)
            .map_err(AppError::internal)?;
        let now = Utc::now();
        // Only an open ballot reads the live votes; a closed secret ballot its frozen tally.
        let (p, votes) = if self.0.open_ballot {
            (self.0.clone(), self.votes(ctx).await?)
        } else {
            (
                polls::frozen_tally(ctx.db()?, &self.0, now).await?,
                Vec::new(),
            )
        };
        Ok(PollTally::new(polls::released(
            &p, &votes, now, min_cohort,
        ))?)
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
    /// Show the live tally to the group while the poll runs (voters are told, on the poll's
    /// `openBallot`). Fixed once asked. By default false: a secret ballot, counted only once
    /// closed and only if at least the privacy cohort voted.
    #[graphql(default_with = "Some(false)")]
    pub open_ballot: Option<bool>,
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
    /// Facilitators and managers ask the group, as a secret ballot unless `openBallot`.
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
        let new = polls::NewPoll {
            group_id: group,
            meeting_id: meeting,
            question: &input.question,
            closes_at: input.closes_at,
            // An explicit null means the default: a secret ballot.
            open_ballot: input.open_ballot.unwrap_or(false),
        };
        let p = polls::create(ctx.db()?, &access, new).await?;
        Ok(CreatePollPayload { poll: Poll(p) })
    }

    /// Up or down, once per active member; changeable while the poll is open. On a secret
    /// ballot (the default) nobody sees the tally until the poll closes, and then only if at
    /// least the privacy cohort voted. On an open ballot (`Poll.openBallot`) the group sees
    /// the live tally change as this vote is cast or changed.
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
