//! Training root fields.

use async_graphql::{Context, ID, Object, Result};

use super::types::{TraineeProgress, TrainingProgram, TrainingProgramConnection};
use crate::{
    domain::{
        pagination::PageArgs,
        training::{programs, progress},
    },
    graphql::{
        connection::Total,
        context::{ContextExt, access, signed_in},
        ids::{self, Kind},
    },
};

#[derive(Default)]
pub struct TrainingQuery;

#[Object]
impl TrainingQuery {
    /// A programme of an organisation the viewer is part of; null otherwise.
    async fn training_program(
        &self,
        ctx: &Context<'_>,
        slug: String,
    ) -> Result<Option<TrainingProgram>> {
        let access = access(ctx).await?;
        Ok(programs::program_by_slug(ctx.db()?, &access, &slug)
            .await?
            .map(TrainingProgram))
    }

    /// Programmes of the organisations the viewer is part of (optionally one), by name.
    async fn training_programs(
        &self,
        ctx: &Context<'_>,
        organisation_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<TrainingProgramConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        let access = access(ctx).await?;
        let only = organisation_id
            .map(|id| ids::decode(Kind::Organisation, "organisationId", &id))
            .transpose()?;
        let (found, total) = programs::visible_page(ctx.db()?, &access, only, &args).await?;
        Ok(TrainingProgramConnection::new(
            found.map(TrainingProgram),
            Total::Known(total),
        ))
    }

    /// Where a trainee stands: for the trainee, their mentor, and the organisation's trainers.
    async fn trainee_progress(
        &self,
        ctx: &Context<'_>,
        person_id: ID,
        program_slug: String,
    ) -> Result<TraineeProgress> {
        let access = signed_in(ctx).await?;
        let person = ids::decode(Kind::Person, "personId", &person_id)?;
        let p = progress::trainee_progress(ctx.db()?, &access, person, &program_slug).await?;
        Ok(TraineeProgress(p))
    }
}
