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
//! Sign-in guessing is throttled in `accounts::log_in`; `login_turn` is its pure part.

use chrono::{DateTime, Duration, Utc};
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

/// Sign-in attempts for one email under guessing from many addresses are checked one at a
/// time, this far apart.
pub const LOGIN_SPACING: Duration = Duration::seconds(2);
/// The longest an attempt waits for its turn; past that its address is told to come back.
const LOGIN_MAX_WAIT: Duration = Duration::seconds(10);

/// When a sign-in attempt may be checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Turn {
    Now,
    /// Wait until then (the attempt's recorded time moves there, so the next waits after it).
    At(DateTime<Utc>),
    /// The queue is too long: RATE_LIMITED, come back in this many seconds.
    Refuse(u64),
}

/// The turn of a sign-in attempt for an email that `failures` recent attempts (this one
/// included, from any address) have failed, `own` of them from this attempt's address, the
/// latest other one recorded at `latest`. Up to the limit `max` nothing waits. Past it the
/// email is under guessing from many addresses, and attempts from addresses that have already
/// failed for it are let through one every `LOGIN_SPACING` — however many run in parallel —
/// while an address with no failure of its own for the email (the owner's, as a rule) goes
/// straight through. Nobody is locked out: the owner is never queued, and a queued address is
/// at worst asked to come back.
pub fn login_turn(
    failures: u64,
    max: u64,
    own: u64,
    latest: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Turn {
    if failures <= max || own <= 1 {
        return Turn::Now;
    }
    let slot = latest.map_or(now, |l| (l + LOGIN_SPACING).max(now));
    if slot - now > LOGIN_MAX_WAIT {
        let wait = (slot - now - LOGIN_MAX_WAIT).num_seconds().max(1);
        return Turn::Refuse(u64::try_from(wait).unwrap_or(1));
    }
    if slot > now {
        Turn::At(slot)
    } else {
        Turn::Now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    #[test]
    fn nothing_waits_within_the_limit() {
        assert_eq!(login_turn(5, 5, 5, Some(at(0)), at(0)), Turn::Now);
    }

    #[test]
    fn an_address_with_no_failure_of_its_own_goes_straight_through() {
        assert_eq!(login_turn(500, 5, 1, Some(at(0)), at(0)), Turn::Now);
    }

    #[test]
    fn guessing_addresses_queue_one_turn_apart() {
        assert_eq!(login_turn(6, 5, 2, Some(at(0)), at(0)), Turn::At(at(2)));
        assert_eq!(login_turn(7, 5, 2, Some(at(2)), at(0)), Turn::At(at(4)));
        assert_eq!(login_turn(7, 5, 2, Some(at(-5)), at(0)), Turn::Now);
    }

    #[test]
    fn a_long_queue_asks_the_guessing_address_to_come_back() {
        assert_eq!(login_turn(9, 5, 3, Some(at(8)), at(0)), Turn::At(at(10)));
        assert_eq!(login_turn(9, 5, 3, Some(at(9)), at(0)), Turn::Refuse(1));
        assert_eq!(login_turn(9, 5, 3, Some(at(20)), at(0)), Turn::Refuse(12));
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
