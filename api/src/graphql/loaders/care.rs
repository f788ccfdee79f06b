//! Loaders for member care: current pledges and acceptances, poll votes, and the frozen
//! wellbeing weeks and meeting intervals of groups.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{pledge, pledge_acceptance};
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use chrono::NaiveDate;

use crate::{
    domain::{
        care::{
            feedback::{self, FrozenSummary, SummaryOf},
            wellbeing::{self, ClosedWeeks, FrozenWeek, IntervalsOf},
        },
        in_ids,
    },
    error::AppError,
};

pub struct CareLoader {
    pub(super) db: DatabaseConnection,
}

/// The rows of `select` whose `parent` column is one of `parents`, in one statement, listed
/// under the key `key_of` gives each row.
pub(super) async fn rows_under<E, K>(
    db: &DatabaseConnection,
    select: sea_orm::Select<E>,
    parent: E::Column,
    parents: &[Uuid],
    key_of: impl Fn(&E::Model) -> K,
) -> Result<HashMap<K, Vec<E::Model>>, AppError>
where
    E: EntityTrait,
    K: std::hash::Hash + Eq,
{
    let rows = select
        .filter(in_ids(
            db.get_database_backend(),
            Expr::col((E::default(), parent)),
            parents,
        ))
        .all(db)
        .await?;
    let mut out: HashMap<K, Vec<E::Model>> = HashMap::new();
    for row in rows {
        out.entry(key_of(&row)).or_default().push(row);
    }
    Ok(out)
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

impl Loader<CurrentPledgeKey> for CareLoader {
    type Value = pledge::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CurrentPledgeKey],
    ) -> Result<HashMap<CurrentPledgeKey, Self::Value>, AppError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let backend = self.db.get_database_backend();
        let rows = pledge::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((pledge::Entity, pledge::Column::GroupId)),
                &ids,
            ))
            .order_by_asc(pledge::Column::Version)
            .all(&self.db)
            .await?;
        // Ascending versions: the last one written for a group is its current pledge.
        Ok(rows
            .into_iter()
            .map(|p| (CurrentPledgeKey(p.group_id), p))
            .collect())
    }
}

impl Loader<AcceptanceKey> for CareLoader {
    type Value = pledge_acceptance::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[AcceptanceKey],
    ) -> Result<HashMap<AcceptanceKey, Self::Value>, AppError> {
        let pledges: Vec<Uuid> = keys.iter().map(|k| k.pledge).collect();
        let backend = self.db.get_database_backend();
        let rows = pledge_acceptance::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((
                    pledge_acceptance::Entity,
                    pledge_acceptance::Column::PledgeId,
                )),
                &pledges,
            ))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|a| {
                (
                    AcceptanceKey {
                        pledge: a.pledge_id,
                        person: a.person_id,
                    },
                    a,
                )
            })
            .filter(|(k, _)| keys.contains(k))
            .collect())
    }
}

/// The votes of a poll. Resolvers derive the tally (only as `polls::released` allows) and the
/// viewer's own vote from them; no field ever returns anyone else's vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VotesKey(pub Uuid);

impl Loader<VotesKey> for CareLoader {
    type Value = Vec<entity::poll_vote::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[VotesKey]) -> Result<HashMap<VotesKey, Self::Value>, AppError> {
        use entity::poll_vote::{Column, Entity};
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let select = Entity::find();
        rows_under(&self.db, select, Column::PollId, &ids, |v| {
            VotesKey(v.poll_id)
        })
        .await
    }
}

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

impl Loader<ApplicationVotesKey> for CareLoader {
    type Value = Vec<entity::application_vote::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ApplicationVotesKey],
    ) -> Result<HashMap<ApplicationVotesKey, Self::Value>, AppError> {
        use entity::application_vote::{Column, Entity};
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let select = Entity::find();
        rows_under(&self.db, select, Column::ApplicationId, &ids, |v| {
            ApplicationVotesKey(v.application_id)
        })
        .await
    }
}

/// Every buddy pair a membership is part of, on either side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuddyPairsKey(pub Uuid);

impl Loader<BuddyPairsKey> for CareLoader {
    type Value = Vec<entity::buddy_pair::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[BuddyPairsKey],
    ) -> Result<HashMap<BuddyPairsKey, Self::Value>, AppError> {
        use entity::buddy_pair;
        use sea_orm::Condition;
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let backend = self.db.get_database_backend();
        let rows = buddy_pair::Entity::find()
            .filter(
                Condition::any()
                    .add(in_ids(
                        backend,
                        Expr::col((buddy_pair::Entity, buddy_pair::Column::MembershipId)),
                        &ids,
                    ))
                    .add(in_ids(
                        backend,
                        Expr::col((buddy_pair::Entity, buddy_pair::Column::BuddyMembershipId)),
                        &ids,
                    )),
            )
            .all(&self.db)
            .await?;
        let mut out: HashMap<BuddyPairsKey, Self::Value> = HashMap::new();
        for row in rows {
            for side in [row.membership_id, row.buddy_membership_id] {
                if ids.contains(&side) {
                    out.entry(BuddyPairsKey(side))
                        .or_default()
                        .push(row.clone());
                }
            }
        }
        Ok(out)
    }
}

/// A group's ACTIVE memberships.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActiveMembersKey(pub Uuid);

impl Loader<ActiveMembersKey> for CareLoader {
    type Value = Vec<entity::membership::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ActiveMembersKey],
    ) -> Result<HashMap<ActiveMembersKey, Self::Value>, AppError> {
        use entity::{
            MembershipStatus,
            membership::{Column, Entity},
        };
        use sea_orm::{ColumnTrait, QueryOrder};
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let select = Entity::find()
            .filter(Column::Status.eq(MembershipStatus::Active))
            .order_by_asc(Column::Id);
        rows_under(&self.db, select, Column::GroupId, &ids, |m| {
            ActiveMembersKey(m.group_id)
        })
        .await
    }
}
