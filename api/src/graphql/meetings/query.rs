use async_graphql::{Context, ID, Object, Result};

use super::types::Meeting;
use crate::{
    domain::meetings::visible_meeting,
    graphql::{
        context::{ContextExt, access},
        ids::{self, Kind},
    },
};

#[derive(Default)]
pub struct MeetingQuery;

#[Object]
impl MeetingQuery {
    /// A meeting, for its group's active members and managers; NOT_FOUND for everyone else.
    async fn meeting(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Meeting>> {
        let id = ids::decode(Kind::Meeting, "id", &id)?;
        let access = access(ctx).await?;
        let (meeting, _, _) = visible_meeting(ctx.db()?, &access, id).await?;
        Ok(Some(Meeting(meeting)))
    }
}
