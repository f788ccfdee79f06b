//! Throttles for the answers that cannot help revealing something about other people.
//!
//! Some answers are oracles by nature: signing up with an email that has an account must say
//! so, and a slug is unique across the whole network, so asking for one that a private group
//! or someone's draft holds must fail. Their wording is neutral (`unavailable`, never whose or
//! why), and each such answer is counted against its actors — the person and the address —
//! so that nobody can walk through a list of emails or slugs: past the limit every attempt of
//! that kind is refused with RATE_LIMITED until the window has passed, whatever the answer
//! would have been. Counts live in the database, so the limits hold across replicas.
//!
//! Sign-in guessing is throttled in `accounts::log_in`; `slow_down` is its pure part.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use entity::throttle_event;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// An answer that reveals whether something of someone else's exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oracle {
    /// `signUp` with an email that has an account.
    EmailRegistered,
    /// `createGroup`, `updateGroup`, `createResource` or `forkResource` with a slug in use.
    SlugUnavailable,
}

impl Oracle {
    fn action(self) -> &'static str {
        match self {
            Self::EmailRegistered => "EMAIL_REGISTERED",
            Self::SlugUnavailable => "SLUG_UNAVAILABLE",
        }
    }

    /// How many such answers one actor gets per window: enough for a person who mistyped or
    /// forgot they had an account, far too few to test a list.
    fn limit(self) -> u64 {
        match self {
            Self::EmailRegistered => 5,
            Self::SlugUnavailable => 10,
        }
    }

    fn window() -> Duration {
        Duration::hours(1)
    }

    /// The one answer of this kind, worded so that it says nothing about whose or why.
    pub fn answer(self) -> AppError {
        AppError::Conflict(self.message().to_owned())
    }

    fn message(self) -> &'static str {
        match self {
            Self::EmailRegistered => "an account with this email already exists; sign in instead",
            Self::SlugUnavailable => "this slug is unavailable; choose another",
        }
    }

    fn answered(self, result: &AppError) -> bool {
        matches!(result, AppError::Conflict(m) if m.as_str() == self.message())
    }
}

/// Who is asking: the person when signed in, and always the client's address.
pub fn actors(person: Option<Uuid>, client_addr: &str) -> Vec<String> {
    let mut actors = vec![format!(
        "addr:{}",
        client_addr.chars().take(64).collect::<String>()
    )];
    if let Some(id) = person {
        actors.push(format!("person:{id}"));
    }
    actors
}

/// Runs `attempt` unless one of `actors` has used up its answers of this kind; the oracle's
/// answer (`Oracle::answer`, the only way these attempts reveal anything) is counted against
/// every actor.
///
/// The attempt is counted *before* it runs and uncounted afterwards unless it gave the
/// oracle's answer, so that parallel probes see each other: counting only finished answers
/// would let a burst of simultaneous requests all pass the check.
pub async fn guard<T>(
    db: &impl ConnectionTrait,
    oracle: Oracle,
    actors: &[String],
    attempt: impl Future<Output = AppResult<T>>,
) -> AppResult<T> {
    let now = Utc::now();
    let since = now - Oracle::window();
    let mut counted = Vec::with_capacity(actors.len());
    for actor in actors {
        let event = throttle_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            action: Set(oracle.action().to_owned()),
            actor: Set(actor.clone()),
            occurred_at: Set(now),
        }
        .insert(db)
        .await?;
        counted.push(event.id);
    }
    let uncount = |ids: Vec<Uuid>| {
        throttle_event::Entity::delete_many()
            .filter(throttle_event::Column::Id.is_in(ids))
            .exec(db)
    };
    for actor in actors {
        let recent = throttle_event::Entity::find()
            .filter(throttle_event::Column::Action.eq(oracle.action()))
            .filter(throttle_event::Column::Actor.eq(actor.as_str()))
            .filter(throttle_event::Column::OccurredAt.gt(since));
        // This attempt is among the rows: more than `limit` means `limit` came before.
        if recent.clone().count(db).await? > oracle.limit() {
            uncount(counted).await?;
            let oldest = recent
                .order_by_asc(throttle_event::Column::OccurredAt)
                .one(db)
                .await?
                .map_or(now, |e| e.occurred_at);
            let wait = (oldest + Oracle::window() - now).num_seconds().max(1);
            return Err(AppError::RateLimited {
                retry_after_secs: u64::try_from(wait).unwrap_or(1),
            });
        }
    }
    let result = attempt.await;
    let revealed = matches!(&result, Err(e) if oracle.answered(e));
    // Written after the attempt's own transaction has ended (SQLite allows one writer).
    if revealed {
        throttle_event::Entity::delete_many()
            .filter(throttle_event::Column::OccurredAt.lt(now - Duration::days(1)))
            .exec(db)
            .await?;
    } else {
        uncount(counted).await?;
    }
    result
}

/// How long to hold a sign-in attempt for an email that `failures` recent attempts (from any
/// address) have failed: nothing up to the per-address limit `max`, then a quarter second more
/// for each further failure, at most three seconds. Guessing from many addresses gets slow;
/// the owner, from an address with no failures of its own, still gets in.
pub fn slow_down(failures: u64, max: u64) -> Option<StdDuration> {
    let excess = failures.checked_sub(max).filter(|n| *n > 0)?;
    Some(StdDuration::from_millis(250 * excess.min(12)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_slow_down_within_the_limit() {
        assert_eq!(slow_down(0, 5), None);
        assert_eq!(slow_down(5, 5), None);
    }

    #[test]
    fn slow_down_grows_with_the_failures_and_is_capped() {
        assert_eq!(slow_down(6, 5), Some(StdDuration::from_millis(250)));
        assert_eq!(slow_down(9, 5), Some(StdDuration::from_millis(1000)));
        assert_eq!(slow_down(17, 5), Some(StdDuration::from_secs(3)));
        assert_eq!(slow_down(10_000, 5), Some(StdDuration::from_secs(3)));
    }

    #[test]
    fn actors_are_the_address_and_the_person() {
        let id = Uuid::nil();
        assert_eq!(
            actors(Some(id), "203.0.113.7"),
            vec!["addr:203.0.113.7".to_owned(), format!("person:{id}")]
        );
        assert_eq!(actors(None, "::1"), vec!["addr:::1".to_owned()]);
    }
}
