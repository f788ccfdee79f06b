//! One error type for the whole service, with stable codes.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql converts any `Display`
//! type into a client-visible message, which would leak internals and drop the code. The only
//! way into a GraphQL error is `From<AppError>` below, which always sets `extensions.code`.

use std::sync::Arc;

use async_graphql::ErrorExtensions as _;
use sea_orm::{DbErr, SqlErr};

#[derive(Debug, Clone)]
pub enum AppError {
    /// No (valid) credentials where they are required.
    Unauthenticated(String),
    /// The object is visible, but the viewer may not do this to it.
    Forbidden(String),
    /// The object does not exist, or the viewer may not know that it does.
    NotFound(String),
    /// Input that can never succeed; `field` is the input path, e.g. `capacity.max`.
    BadInput {
        field: String,
        message: String,
    },
    /// A uniqueness clash or a stale `expectedVersion`.
    Conflict(String),
    /// A precondition of the domain is not met; `missing` lists what is lacking.
    NotEligible {
        message: String,
        missing: Vec<String>,
    },
    RateLimited {
        retry_after_secs: u64,
    },
    ServiceUnavailable(String),
    /// Never shown to clients; the cause goes to the log with the request id.
    Internal(Arc<str>),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::NotEligible { .. } => "NOT_ELIGIBLE",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::ServiceUnavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The message a client may see.
    pub fn public_message(&self) -> String {
        match self {
            Self::Unauthenticated(m)
            | Self::Forbidden(m)
            | Self::Conflict(m)
            | Self::ServiceUnavailable(m) => m.clone(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::BadInput { message, .. } => message.clone(),
            Self::NotEligible { message, .. } => message.clone(),
            Self::RateLimited { retry_after_secs } => {
                format!("too many attempts; try again in {retry_after_secs} s")
            }
            Self::Internal(_) => "internal error".to_owned(),
        }
    }

    /// For logs and the command line (includes internal causes).
    pub fn describe(&self) -> String {
        match self {
            Self::Internal(cause) => format!("internal error: {cause}"),
            other => format!("{}: {}", other.code(), other.public_message()),
        }
    }

    pub fn unauthenticated() -> Self {
        Self::Unauthenticated("sign in to do this".to_owned())
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    /// A refusal about a parent, told as NOT_FOUND of `what` so the child's existence is not
    /// revealed; a failure of the service (database down, internal) stays what it is, so a
    /// client is never told that something which exists does not.
    pub fn hidden_as(self, what: impl Into<String>) -> Self {
        if self.is_failure() {
            self
        } else {
            Self::not_found(what)
        }
    }

    /// The service failed (rather than refusing the request): never to be hidden as "absent".
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Internal(_) | Self::ServiceUnavailable(_))
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    pub fn stale_version(what: &str) -> Self {
        Self::Conflict(format!(
            "{what} was changed by someone else; reload it and apply your change again"
        ))
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string().into())
    }

    /// Prefix the field path, for input objects nested in other inputs.
    pub fn within(self, parent: &str) -> Self {
        match self {
            Self::BadInput { field, message } => Self::BadInput {
                field: format!("{parent}.{field}"),
                message,
            },
            other => other,
        }
    }
}

/// A lookup whose refusal means "no such object" (`nodes` answers null), while a failure of the
/// service stays an error.
pub fn found<T>(result: AppResult<T>) -> AppResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_failure() => Err(e),
        Err(_) => Ok(None),
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        // Checked uniqueness comes first in the domain with a precise message; this is the
        // fallback for a race between two writers.
        if let Some(SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
            return Self::Conflict("this already exists".to_owned());
        }
        if matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) || connection_lost(&err) {
            tracing::error!(error = %err, "database unavailable");
            return Self::ServiceUnavailable(
                "the service cannot reach its database; try again shortly".to_owned(),
            );
        }
        Self::Internal(err.to_string().into())
    }
}

/// The database went away under a statement: its connection broke, or the server is shutting
/// it down (SQLSTATE class 08, 57P01–57P05; a dropped database ends its connections with
/// 57P01). The service is unavailable then, not broken. A pooled connection in recent use is
/// handed out without a ping (`db::Pool::PING_IF_IDLE_FOR`), so this is where an outage shows
/// first.
fn connection_lost(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error};
    let (DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    match e.as_ref() {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolClosed
        | Error::PoolTimedOut
        | Error::WorkerCrashed => true,
        Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P0")),
        _ => false,
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(cause) = &err {
            // Runs inside the request span, so the log line carries the request id.
            tracing::error!(%cause, "internal error");
        }
        let mut gql = async_graphql::Error::new(err.public_message());
        let code = err.code();
        gql = gql.extend_with(|_, ext| ext.set("code", code));
        match err {
            AppError::BadInput { field, .. } => {
                gql = gql.extend_with(|_, ext| ext.set("field", field.as_str()));
            }
            AppError::NotEligible { missing, .. } => {
                gql = gql.extend_with(|_, ext| {
                    ext.set(
                        "missing",
                        async_graphql::Value::List(
                            missing
                                .iter()
                                .map(|m| async_graphql::Value::from(m.as_str()))
                                .collect(),
                        ),
                    )
                });
            }
            AppError::RateLimited { retry_after_secs } => {
                gql = gql.extend_with(|_, ext| ext.set("retryAfterSeconds", retry_after_secs));
            }
            _ => {}
        }
        gql
    }
}

impl From<AppError> for anyhow::Error {
    fn from(err: AppError) -> Self {
        anyhow::anyhow!(err.describe())
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use sea_orm::{RuntimeErr, sqlx};

    use super::*;

    fn query_failed(e: sqlx::Error) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
    }

    #[test]
    fn a_connection_broken_under_a_statement_is_unavailable_not_internal() {
        let reset = io::Error::new(io::ErrorKind::ConnectionReset, "reset by peer");
        for err in [
            query_failed(sqlx::Error::Io(reset)),
            query_failed(sqlx::Error::PoolClosed),
            DbErr::Exec(RuntimeErr::SqlxError(Arc::new(sqlx::Error::WorkerCrashed))),
        ] {
            assert_eq!(AppError::from(err).code(), "SERVICE_UNAVAILABLE");
        }
    }

    #[test]
    fn a_statement_the_database_refused_is_internal() {
        let err = query_failed(sqlx::Error::Protocol("unexpected message".to_owned()));
        assert_eq!(AppError::from(err).code(), "INTERNAL");
        let err = DbErr::Custom("a bug".to_owned());
        assert_eq!(AppError::from(err).code(), "INTERNAL");
    }
}
