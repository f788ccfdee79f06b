//! Train-the-facilitator in GraphQL: thin resolvers over `domain::training`.

pub mod mutation;
pub mod query;
pub mod succession;
pub mod types;

use async_graphql::Context;
use chrono::Utc;
use uuid::Uuid;

use crate::{
    domain::training::{certified_as_trainer, manages_training},
    error::AppResult,
    graphql::{
        context::{ContextExt, access},
        loaders::training::{CertificationsOf, ProgramKey},
    },
};

/// Is the viewer a trainer of the organisation (a training manager, or certified in one of
/// its trainer programmes)? Read through the loaders, so a list of objects asks once.
pub async fn viewer_is_trainer(ctx: &Context<'_>, organisation_id: Uuid) -> AppResult<bool> {
    let access = access(ctx).await?;
    if manages_training(&access, organisation_id) {
        return Ok(true);
    }
    let Some(me) = access.person_id else {
        return Ok(false);
    };
    let loaders = ctx.loaders()?;
    let now = Utc::now();
    let mine = loaders
        .training
        .load_one(CertificationsOf(me))
        .await?
        .unwrap_or_default();
    let programs = loaders
        .training
        .load_many(
            mine.iter()
                .filter(|c| c.organisation_id == organisation_id && c.is_valid(now))
                .map(|c| ProgramKey(c.program_id)),
        )
        .await?;
    Ok(certified_as_trainer(
        &mine,
        |id| {
            programs
                .get(&ProgramKey(id))
                .is_some_and(|p| p.is_trainer_program)
        },
        organisation_id,
        now,
    ))
}
