//! The buddy system: suggestions for facilitators, pairs, and `Membership.buddy`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{buddy_pair, membership};

use crate::{
    domain::care::buddies,
    error::AppResult,
    graphql::{
        context::{ContextExt, signed_in},
        groups::types::Membership,
        ids::{self, Kind},
        loaders::{care::BuddyPairsKey, must},
        meetings::types::runs,
    },
};

/// A member paired with an experienced buddy. Active until `endsAt` unless ended sooner.
#[derive(Clone)]
pub struct BuddyPair(pub buddy_pair::Model);

#[Object]
impl BuddyPair {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::BuddyPair, self.0.id)
    }

    /// The member who has a buddy.
    async fn member(&self, ctx: &Context<'_>) -> Result<Membership> {
        let m = must(
            &ctx.loaders()?.memberships,
            self.0.membership_id,
            "pair member",
        )
        .await?;
        Ok(Membership(m))
    }

    /// The experienced member.
    async fn buddy(&self, ctx: &Context<'_>) -> Result<Membership> {
        let m = must(
            &ctx.loaders()?.memberships,
            self.0.buddy_membership_id,
            "pair buddy",
        )
        .await?;
        Ok(Membership(m))
    }

    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }

    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    /// When it ended: by hand, or when its term ran out.
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        (!self.0.is_active(Utc::now())).then(|| self.0.ended())
    }

    async fn active(&self) -> bool {
        self.0.is_active(Utc::now())
    }
}

/// A possible buddy, with what ranked them.
#[derive(SimpleObject)]
pub struct BuddyCandidate {
    pub membership: Membership,
    pub active_pairs: i32,
    pub attended_meetings: i64,
    pub tenure_days: i64,
    /// Attended ÷ the group's last 4 HELD meetings since joining (docs/metrics.md).
    pub attendance_consistency: Option<f64>,
}

/// The newest active pair a membership is part of, for the two members and the group's
/// facilitators and managers (null for anyone else).
pub async fn current_pair(
    ctx: &Context<'_>,
    m: &membership::Model,
) -> AppResult<Option<buddy_pair::Model>> {
    let loaders = ctx.loaders()?;
    let pairs = loaders
        .care
        .load_one(BuddyPairsKey(m.id))
        .await?
        .unwrap_or_default();
    let now = Utc::now();
    let Some(pair) = pairs
        .into_iter()
        .filter(|p| p.is_active(now))
        .max_by_key(|p| p.started_at)
    else {
        return Ok(None);
    };
    let me = ctx.viewer()?.person_id;
    let partner = must(&loaders.memberships, pair.partner_of(m.id), "pair partner").await?;
    if me.is_some() && (me == Some(m.person_id) || me == Some(partner.person_id)) {
        return Ok(Some(pair));
    }
    let g = must(
        &loaders.groups_unchecked,
        m.group_id,
        "membership without group",
    )
    .await?;
    Ok(runs(ctx, &g).await?.then_some(pair))
}

/// `Membership.buddy`: the other member of the newest active pair.
pub async fn buddy_of(ctx: &Context<'_>, m: &membership::Model) -> Result<Option<Membership>> {
    let Some(pair) = current_pair(ctx, m).await? else {
        return Ok(None);
    };
    let partner = must(
        &ctx.loaders()?.memberships,
        pair.partner_of(m.id),
        "pair partner",
    )
    .await?;
    Ok(Some(Membership(partner)))
}

#[derive(InputObject)]
pub struct SuggestBuddiesInput {
    pub membership_id: ID,
    /// 1–20.
    #[graphql(default = 5)]
    pub first: i32,
}

#[derive(Default)]
pub struct BuddyQuery;

#[Object]
impl BuddyQuery {
    /// Ranked buddies for a member (facilitators and managers): at least 90 days in the group
    /// or 4 attended meetings; fewest active pairs first, then the most consistent attenders.
    async fn suggest_buddies(
        &self,
        ctx: &Context<'_>,
        input: SuggestBuddiesInput,
    ) -> Result<Vec<BuddyCandidate>> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Membership, "membershipId", &input.membership_id)?;
        let limit = usize::try_from(input.first).unwrap_or(0);
        let found = buddies::suggest(ctx.db()?, &access, id, limit).await?;
        Ok(found
            .into_iter()
            .map(|c| BuddyCandidate {
                membership: Membership(c.membership),
                active_pairs: c.active_pairs,
                attended_meetings: c.attended,
                tenure_days: c.tenure_days,
                attendance_consistency: c.consistency,
            })
            .collect())
    }
}

#[derive(InputObject)]
pub struct AssignBuddyInput {
    pub membership_id: ID,
    pub buddy_membership_id: ID,
}

#[derive(InputObject)]
pub struct EndBuddyPairInput {
    pub pair_id: ID,
}

#[derive(SimpleObject)]
pub struct AssignBuddyPayload {
    pub pair: BuddyPair,
}

#[derive(SimpleObject)]
pub struct EndBuddyPairPayload {
    pub pair: BuddyPair,
}

#[derive(Default)]
pub struct BuddyMutation;

#[Object]
impl BuddyMutation {
    /// A facilitator pairs a member with an eligible buddy; the pair ends by itself after
    /// CANOPY_BUDDY_PAIR_DAYS.
    async fn assign_buddy(
        &self,
        ctx: &Context<'_>,
        input: AssignBuddyInput,
    ) -> Result<AssignBuddyPayload> {
        let access = signed_in(ctx).await?;
        let member = ids::decode(Kind::Membership, "membershipId", &input.membership_id)?;
        let buddy = ids::decode(
            Kind::Membership,
            "buddyMembershipId",
            &input.buddy_membership_id,
        )?;
        let days = ctx.services()?.config.buddy_pair_days;
        let p = buddies::assign(ctx.db()?, &access, member, buddy, days).await?;
        Ok(AssignBuddyPayload { pair: BuddyPair(p) })
    }

    /// Either member of the pair, or a facilitator, ends it early.
    async fn end_buddy_pair(
        &self,
        ctx: &Context<'_>,
        input: EndBuddyPairInput,
    ) -> Result<EndBuddyPairPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::BuddyPair, "pairId", &input.pair_id)?;
        let p = buddies::end(ctx.db()?, &access, id).await?;
        Ok(EndBuddyPairPayload { pair: BuddyPair(p) })
    }
}
