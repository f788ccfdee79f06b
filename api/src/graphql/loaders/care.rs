//! Loaders for member care: each group's current pledge and people's acceptances of it.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{pledge, pledge_acceptance};
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use crate::{domain::in_ids, error::AppError};

pub struct CareLoader {
    pub(super) db: DatabaseConnection,
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

/// Up and down votes of a poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TallyKey(pub Uuid);

impl Loader<TallyKey> for CareLoader {
    type Value = (i64, i64);
    type Error = AppError;

    async fn load(&self, keys: &[TallyKey]) -> Result<HashMap<TallyKey, Self::Value>, AppError> {
        use entity::{Thumb, poll_vote};
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let backend = self.db.get_database_backend();
        let votes = poll_vote::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((poll_vote::Entity, poll_vote::Column::PollId)),
                &ids,
            ))
            .all(&self.db)
            .await?;
        let mut out: HashMap<TallyKey, (i64, i64)> = keys.iter().map(|k| (*k, (0, 0))).collect();
        for v in votes {
            let entry = out.entry(TallyKey(v.poll_id)).or_default();
            match v.vote {
                Thumb::Up => entry.0 += 1,
                Thumb::Down => entry.1 += 1,
            }
        }
        Ok(out)
    }
}

/// One person's own vote on a poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OwnVoteKey {
    pub poll: Uuid,
    pub person: Uuid,
}

impl Loader<OwnVoteKey> for CareLoader {
    type Value = entity::Thumb;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[OwnVoteKey],
    ) -> Result<HashMap<OwnVoteKey, Self::Value>, AppError> {
        use entity::poll_vote;
        let ids: Vec<Uuid> = keys.iter().map(|k| k.poll).collect();
        let backend = self.db.get_database_backend();
        let votes = poll_vote::Entity::find()
            .filter(in_ids(
                backend,
                Expr::col((poll_vote::Entity, poll_vote::Column::PollId)),
                &ids,
            ))
            .all(&self.db)
            .await?;
        Ok(votes
            .into_iter()
            .map(|v| {
                (
                    OwnVoteKey {
                        poll: v.poll_id,
                        person: v.person_id,
                    },
                    v.vote,
                )
            })
            .filter(|(k, _)| keys.contains(k))
            .collect())
    }
}
