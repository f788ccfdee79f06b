use async_graphql::InputObject;

use crate::graphql::scalars::TimeZone;

#[derive(InputObject)]
pub struct SignUpInput {
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    /// A first name or pseudonym; no surname needed.
    pub display_name: String,
    /// Defaults to UTC.
    pub timezone: Option<TimeZone>,
    /// A language tag; defaults to `en`.
    pub locale: Option<String>,
}

#[derive(InputObject)]
pub struct LogInInput {
    pub email: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct RefreshSessionInput {
    pub refresh_token: String,
}

#[derive(InputObject)]
pub struct LogOutInput {
    /// The refresh token of the session to end.
    pub refresh_token: Option<String>,
    /// End every session of this account instead.
    #[graphql(default = false)]
    pub all_sessions: bool,
}
