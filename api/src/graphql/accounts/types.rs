use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::person;

use crate::{
    domain::{accounts::Session, pagination::PageArgs},
    graphql::{
        connection::Total,
        context::ContextExt,
        groups::types::MembershipConnection,
        ids::{self, Kind},
        umbrella::types::RoleGrant,
    },
};

/// A person with an account. Only the display name (a first name or pseudonym) is shown to
/// others; email, time zone and locale are the person's own.
#[derive(Clone)]
pub struct Person(pub person::Model);

#[Object]
impl Person {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Person, self.0.id)
    }

    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// Only for the person themself.
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(self.is_viewer(ctx)?.then_some(self.0.email.as_str()))
    }

    /// Only for the person themself.
    async fn timezone(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(self.is_viewer(ctx)?.then_some(self.0.timezone.as_str()))
    }

    /// Only for the person themself.
    async fn locale(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(self.is_viewer(ctx)?.then_some(self.0.locale.as_str()))
    }

    /// Their certifications, newest first: all of them for the person and the
    /// organisation's trainers; valid ones for others in the organisation.
    async fn certifications(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::training::types::Certification>> {
        crate::graphql::training::types::certifications_of(ctx, self.0.id).await
    }

    /// People certified through workshops this person trained (lineage), by name: for the
    /// person and trainers of the organisations concerned.
    async fn trainees(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        crate::graphql::training::types::trainees_of(ctx, self.0.id).await
    }
}

impl Person {
    fn is_viewer(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(ctx.viewer()?.person_id == Some(self.0.id))
    }
}

/// Whoever is asking. Works anonymously: `person` is then null and the lists are empty.
pub struct ViewerInfo;

#[Object(name = "Viewer")]
impl ViewerInfo {
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = ctx.viewer()?.person_id else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.people.load_one(id).await?.map(Person))
    }

    /// The viewer's role grants, across all organisations.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<RoleGrant>> {
        let access = crate::graphql::context::access(ctx).await?;
        let grants = crate::domain::grants::own(ctx.db()?, &access).await?;
        Ok(grants.into_iter().map(RoleGrant).collect())
    }

    /// The viewer's own check-ins, newest first, optionally within dates.
    #[allow(clippy::too_many_arguments)] // the GraphQL arguments of the field
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
        from: Option<crate::graphql::scalars::Date>,
        to: Option<crate::graphql::scalars::Date>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<crate::graphql::care::check_ins::CheckInConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        crate::graphql::care::check_ins::viewer_check_ins(ctx, from, to, args).await
    }

    /// The viewer's own stress ratings by week (Monday to Sunday).
    async fn stress_trend(
        &self,
        ctx: &Context<'_>,
        from: crate::graphql::scalars::Date,
        to: crate::graphql::scalars::Date,
        #[graphql(default)] bucket: crate::graphql::care::check_ins::TrendBucket,
    ) -> Result<Vec<crate::graphql::care::check_ins::StressTrendPoint>> {
        match bucket {
            crate::graphql::care::check_ins::TrendBucket::Week => {
                crate::graphql::care::check_ins::viewer_trend(ctx, from, to).await
            }
        }
    }

    /// The viewer's own attendance, newest first.
    async fn attendance(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<crate::graphql::meetings::types::AttendanceConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        crate::graphql::meetings::fields::viewer_attendance(ctx, args).await
    }

    /// What the viewer has to do: pledges to accept or renew, their open commitments, polls
    /// and applications awaiting their vote, and check-ins due since a group's last meeting.
    async fn pending_actions(
        &self,
        ctx: &Context<'_>,
    ) -> Result<crate::graphql::care::pending::PendingActions> {
        crate::graphql::care::pending::viewer_pending(ctx).await
    }

    /// The viewer's own applications to join groups, newest first.
    async fn applications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<crate::graphql::care::admission::MembershipApplicationConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        crate::graphql::care::admission::viewer_applications(ctx, args).await
    }

    /// The viewer's own memberships, oldest first, in every state.
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<MembershipConnection> {
        let args = PageArgs::new(first, after, last, before)?;
        let access = crate::graphql::context::access(ctx).await?;
        let (result, total) = crate::domain::memberships::own(ctx.db()?, &access, &args).await?;
        Ok(MembershipConnection::new(
            result.map(crate::graphql::groups::types::Membership),
            Total::Known(total),
        ))
    }
}

macro_rules! session_payload {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        pub struct $name(pub Session);

        #[Object]
        impl $name {
            /// Send as `Authorization: Bearer <token>`.
            async fn access_token(&self) -> &str {
                &self.0.access_token
            }

            async fn access_token_expires_at(&self) -> DateTime<Utc> {
                self.0.access_token_expires_at
            }

            /// Single use: exchange it with `refreshSession` for a new pair.
            async fn refresh_token(&self) -> &str {
                &self.0.refresh_token
            }

            async fn person(&self) -> Person {
                Person(self.0.person.clone())
            }
        }
    };
}

session_payload!(SignUpPayload, "A new account, signed in.");
session_payload!(LogInPayload, "A new session.");
session_payload!(
    RefreshSessionPayload,
    "A fresh access token and the next refresh token."
);

#[derive(async_graphql::SimpleObject)]
pub struct LogOutPayload {
    /// True when the session (or sessions) ended.
    pub ok: bool,
}
