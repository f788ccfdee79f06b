use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::suggestion;

use crate::graphql::loaders::{
    CountKey,
    care_lists::{CareList, CarePage, group_page},
};
use crate::{
    connection,
    domain::{care::suggestions, pagination::PageArgs},
    error::AppError,
    graphql::{
        connection::Total,
        context::{ContextExt, signed_in},
        enums::SuggestionStatus,
        ids::{self, Kind},
        meetings::types::runs,
    },
};

#[derive(Clone)]
pub struct Suggestion(pub suggestion::Model);

/// An anonymous suggestion: it carries no author, anywhere. Its time is kept to the UTC day,
/// and it is shown (and counted) only from the next UTC day on, so nobody can tell from when
/// it appeared who dropped it.
#[Object]
impl Suggestion {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Suggestion, self.0.id)
    }

    async fn text(&self) -> &str {
        &self.0.text
    }

    async fn status(&self) -> SuggestionStatus {
        self.0.status.into()
    }

    /// Midnight UTC of the day it was dropped.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

connection!(
    SuggestionConnection,
    SuggestionEdge,
    Suggestion,
    "A page of suggestions."
);

/// `Group.suggestions`: newest first, for the group's facilitators and managers; released
/// suggestions only (the filter is in the list's statement, for pages and counts).
pub async fn group_suggestions(
    ctx: &Context<'_>,
    g: &entity::group::Model,
    status: Option<SuggestionStatus>,
    args: PageArgs,
) -> Result<SuggestionConnection> {
    if !runs(ctx, g).await? {
        return Err(
            AppError::forbidden("the suggestion box is read by the group's facilitators").into(),
        );
    }
    let list = CareList::Suggestions(status.map(Into::into));
    let CarePage::Suggestions(page) = group_page(ctx, g.id, list, args).await? else {
        return Err(AppError::internal("suggestions page of another kind").into());
    };
    let total = Total::Batched(CountKey::CareList { group: g.id, list });
    Ok(SuggestionConnection::new(page.map(Suggestion), total))
}

#[derive(InputObject)]
pub struct SubmitSuggestionInput {
    pub group_id: ID,
    pub text: String,
}

#[derive(InputObject)]
pub struct SetSuggestionStatusInput {
    pub suggestion_id: ID,
    pub status: SuggestionStatus,
}

#[derive(SimpleObject)]
pub struct SubmitSuggestionPayload {
    /// Accepted; the suggestion itself is shown to the facilitators only, from the next UTC
    /// day on.
    pub ok: bool,
}

#[derive(SimpleObject)]
pub struct SetSuggestionStatusPayload {
    pub suggestion: Suggestion,
}

#[derive(Default)]
pub struct SuggestionMutation;

#[Object]
impl SuggestionMutation {
    /// Drops an anonymous suggestion in the group's box (active members). The facilitators see
    /// it from the next UTC day on, with the day it was dropped and nothing finer.
    async fn submit_suggestion(
        &self,
        ctx: &Context<'_>,
        input: SubmitSuggestionInput,
    ) -> Result<SubmitSuggestionPayload> {
        let access = signed_in(ctx).await?;
        let group = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        suggestions::submit(ctx.db()?, &access, group, &input.text).await?;
        Ok(SubmitSuggestionPayload { ok: true })
    }

    /// Facilitators mark a released suggestion ADDRESSED, DECLINED or OPEN again (one dropped
    /// today is NOT_FOUND until tomorrow).
    async fn set_suggestion_status(
        &self,
        ctx: &Context<'_>,
        input: SetSuggestionStatusInput,
    ) -> Result<SetSuggestionStatusPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Suggestion, "suggestionId", &input.suggestion_id)?;
        let s = suggestions::set_status(ctx.db()?, &access, id, input.status.into()).await?;
        Ok(SetSuggestionStatusPayload {
            suggestion: Suggestion(s),
        })
    }
}
