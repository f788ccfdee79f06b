use async_graphql::{Context, Object, Result};

use super::{
    inputs::{LogInInput, LogOutInput, RefreshSessionInput, SignUpInput},
    types::{LogInPayload, LogOutPayload, RefreshSessionPayload, SignUpPayload},
};
use crate::{
    domain::{
        accounts::{self, Credentials, SignUp},
        throttle::{self, Oracle},
    },
    graphql::{Services, context::ContextExt},
};

#[derive(Default)]
pub struct AccountMutation;

fn credentials(services: &Services) -> Credentials<'_> {
    Credentials {
        config: &services.config,
        hasher: &services.hasher,
        keys: &services.keys,
    }
}

#[Object]
impl AccountMutation {
    /// Creates an account and signs it in. An email that has an account answers CONFLICT;
    /// after 5 such answers in an hour an address gets RATE_LIMITED.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<SignUpPayload> {
        let services = ctx.services()?;
        let viewer = ctx.viewer()?;
        let creds = credentials(services);
        let sign_up = accounts::sign_up(
            &services.db,
            &creds,
            SignUp {
                email: input.email,
                password: input.password,
                display_name: input.display_name,
                timezone: input.timezone.map(|t| t.0),
                locale: input.locale,
            },
        );
        let actors = throttle::actors(None, &viewer.client_addr);
        let session =
            throttle::guard(&services.db, Oracle::EmailRegistered, &actors, sign_up).await?;
        Ok(SignUpPayload(session))
    }

    /// Signs in. RATE_LIMITED after `CANOPY_LOGIN_MAX_FAILURES` failures in a minute for one
    /// email from one address, or four times that from one address; an email guessed at from
    /// many addresses is never locked (guessing addresses take turns, others go straight in).
    async fn log_in(&self, ctx: &Context<'_>, input: LogInInput) -> Result<LogInPayload> {
        let services = ctx.services()?;
        let viewer = ctx.viewer()?;
        let session = accounts::log_in(
            &services.db,
            &credentials(services),
            &input.email,
            input.password,
            &viewer.client_addr,
        )
        .await?;
        Ok(LogInPayload(session))
    }

    /// Exchanges a refresh token (once) for a new access token and refresh token.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        input: RefreshSessionInput,
    ) -> Result<RefreshSessionPayload> {
        let services = ctx.services()?;
        let session =
            accounts::refresh_session(&services.db, &credentials(services), &input.refresh_token)
                .await?;
        Ok(RefreshSessionPayload(session))
    }

    /// Ends a session (its refresh token stops working), or all of the viewer's sessions.
    async fn log_out(&self, ctx: &Context<'_>, input: LogOutInput) -> Result<LogOutPayload> {
        let person_id = ctx.viewer()?.require_person()?;
        accounts::log_out(
            ctx.db()?,
            person_id,
            input.refresh_token.as_deref(),
            input.all_sessions,
        )
        .await?;
        Ok(LogOutPayload { ok: true })
    }
}
