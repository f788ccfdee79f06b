//! Loaders for member care: current pledges and acceptances, poll votes, and the frozen
//! wellbeing weeks and meeting intervals of groups — over `domain::care::reads` and the
//! care rules' own batch reads.

use std::collections::HashMap;

use crate::db::Db;
use async_graphql::dataloader::Loader;
use entity::{pledge, pledge_acceptance};
use uuid::Uuid;

use chrono::NaiveDate;

use crate::{
    domain::{
        care::{
            feedback::{self, FrozenSummary, SummaryOf},
            reads,
            wellbeing::{self, ClosedWeeks, FrozenWeek, IntervalsOf},
        },
        groups::reads as group_reads,
    },
    error::AppError,
};

pub struct CareLoader {
    pub(super) db: Db,
}

/// The current (highest) pledge version of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CurrentPledgeKey(pub Uuid);

/// A person's acceptance of a pledge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AcceptanceKey {
    pub pledge: Uuid,
    pub person: Uuid,
}

by_parent!(CareLoader, CurrentPledgeKey, pledge::Model, |db, ids| {
    reads::current_pledges(db, &ids)
});

impl Loader<AcceptanceKey> for CareLoader {
    type Value = pledge_acceptance::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[AcceptanceKey],
    ) -> Result<HashMap<AcceptanceKey, Self::Value>, AppError> {
        let pairs: Vec<(Uuid, Uuid)> = keys.iter().map(|k| (k.pledge, k.person)).collect();
        let found = reads::acceptances(&self.db, &pairs).await?;
        Ok(found
            .into_iter()
            .map(|((pledge, person), a)| (AcceptanceKey { pledge, person }, a))
            .collect())
    }
}

/// The votes of a poll. Resolvers derive the tally (only as `polls::released` allows) and the
/// viewer's own vote from them; no field ever returns anyone else's vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VotesKey(pub Uuid);

by_parent!(
    CareLoader,
    VotesKey,
    Vec<entity::poll_vote::Model>,
    |db, ids| { reads::poll_votes(db, &ids) }
);

impl Loader<ClosedWeeks> for CareLoader {
    type Value = HashMap<NaiveDate, FrozenWeek>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ClosedWeeks],
    ) -> Result<HashMap<ClosedWeeks, Self::Value>, AppError> {
        let frozen = wellbeing::frozen(&self.db, keys).await?;
        Ok(keys
            .iter()
            .map(|k| {
                let weeks = k
                    .weeks
                    .starts()
                    .filter_map(|s| frozen.get(&(k.group, s)).map(|f| (s, *f)))
                    .collect();
                (*k, weeks)
            })
            .collect())
    }
}

impl Loader<IntervalsOf> for CareLoader {
    type Value = Vec<(NaiveDate, NaiveDate)>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[IntervalsOf],
    ) -> Result<HashMap<IntervalsOf, Self::Value>, AppError> {
        wellbeing::intervals(&self.db, keys).await
    }
}

/// A meeting's frozen feedback summary (frozen here on the first read after its window).
impl Loader<SummaryOf> for CareLoader {
    type Value = FrozenSummary;
    type Error = AppError;

    async fn load(&self, keys: &[SummaryOf]) -> Result<HashMap<SummaryOf, Self::Value>, AppError> {
        let frozen = feedback::frozen_summaries(&self.db, keys).await?;
        Ok(keys
            .iter()
            .filter_map(|k| frozen.get(&k.meeting).map(|f| (*k, f.clone())))
            .collect())
    }
}

/// The votes on a membership application; resolvers give out counts, the viewer's own vote
/// and (to facilitators) objection reasons, never a vote with its voter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ApplicationVotesKey(pub Uuid);

by_parent!(
    CareLoader,
    ApplicationVotesKey,
    Vec<entity::application_vote::Model>,
    |db, ids| { reads::application_votes(db, &ids) }
);

/// Every buddy pair a membership is part of, on either side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuddyPairsKey(pub Uuid);

by_parent!(
    CareLoader,
    BuddyPairsKey,
    Vec<entity::buddy_pair::Model>,
    |db, ids| { reads::buddy_pairs_of(db, &ids) }
);

/// A group's ACTIVE memberships.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActiveMembersKey(pub Uuid);

by_parent!(
    CareLoader,
    ActiveMembersKey,
    Vec<entity::membership::Model>,
    |db, ids| { group_reads::active_members(db, &ids) }
);
