//! Accounts and sessions: sign-up, sign-in with a failure limit, refresh-token rotation with
//! reuse detection, sign-out.

use chrono::{DateTime, Duration, Utc};
use entity::{login_failure, person, refresh_token};
use sea_orm::TransactionSession as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    throttle,
    values::{Email, Password, TimeZone, locale, text},
};
use crate::{
    auth::{JwtKeys, PasswordHasher, tokens},
    config::Config,
    error::{AppError, AppResult},
};

pub struct Session {
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub person: person::Model,
}

pub struct SignUp {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub timezone: Option<String>,
    pub locale: Option<String>,
}

/// Everything sign-in needs besides the database.
pub struct Credentials<'a> {
    pub config: &'a Config,
    pub hasher: &'a PasswordHasher,
    pub keys: &'a JwtKeys,
}

const FAILURE_WINDOW_SECS: i64 = 60;
/// An address may fail this many times the per-email limit over all emails in the window
/// (a shared office or mobile-network address serves many people).
const ADDRESS_LIMIT_FACTOR: u64 = 4;

pub async fn sign_up(
    db: &impl TransactionTrait,
    creds: &Credentials<'_>,
    input: SignUp,
) -> AppResult<Session> {
    let email = Email::parse("email", &input.email)?;
    let password = Password::parse("password", &input.password)?;
    let display_name = text("displayName", &input.display_name, 80)?;
    let timezone = match input.timezone.as_deref() {
        Some(tz) => TimeZone::parse("timezone", tz)?.into_inner(),
        None => "UTC".to_owned(),
    };
    let locale = match input.locale.as_deref() {
        Some(l) => locale("locale", l)?,
        None => "en".to_owned(),
    };
    let hash = creds.hasher.hash(password.into_inner()).await?;
    let txn = super::begin(db).await?;
    if person::Entity::find()
        .filter(person::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(throttle::Oracle::EmailRegistered.answer());
    }
    let person = insert_person(&txn, email, display_name, hash, timezone, locale).await?;
    let session = issue_session(&txn, creds, person, None).await?;
    txn.commit().await?;
    Ok(session)
}

pub async fn insert_person(
    db: &impl ConnectionTrait,
    email: Email,
    display_name: String,
    password_hash: String,
    timezone: String,
    locale: String,
) -> AppResult<person::Model> {
    let now = Utc::now();
    Ok(person::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.into_inner()),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        timezone: Set(timezone),
        locale: Set(locale),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

/// Signs in. Every attempt is recorded before the password is checked, so concurrent guesses
/// see each other and no more than the limit get through; the slow hash then runs outside any
/// transaction (on SQLite a write transaction would hold up every other writer meanwhile).
///
/// Guessing is kept slow without letting a stranger lock the owner out (`throttle`): an
/// address is refused after `max` failures for one email, or four times that over all emails,
/// but an email is never refused as such — under guessing from many addresses, attempts for it
/// from addresses that already failed for it are let through one at a time
/// (`throttle::login_turn`), so the right password from an address with no recent failures
/// for it goes straight through.
pub async fn log_in(
    db: &(impl TransactionTrait + ConnectionTrait),
    creds: &Credentials<'_>,
    email: &str,
    password: String,
    client_addr: &str,
) -> AppResult<Session> {
    let email = Email::parse("email", email)?;
    let now = Utc::now();
    let attempt = login_failure::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_owned()),
        client_addr: Set(client_addr.chars().take(64).collect()),
        attempted_at: Set(now),
    }
    .insert(db)
    .await?;
    let since = now - Duration::seconds(FAILURE_WINDOW_SECS);
    let recent = |condition: Condition| {
        login_failure::Entity::find()
            .filter(condition)
            .filter(login_failure::Column::AttemptedAt.gt(since))
            .order_by_asc(login_failure::Column::AttemptedAt)
    };
    let max = u64::from(creds.config.login_max_failures);
    let from_here = login_failure::Column::ClientAddr.eq(attempt.client_addr.as_str());
    let for_email = login_failure::Column::Email.eq(email.as_str());
    for (condition, limit) in [
        (
            Condition::all()
                .add(for_email.clone())
                .add(from_here.clone()),
            max,
        ),
        (
            Condition::all().add(from_here.clone()),
            max * ADDRESS_LIMIT_FACTOR,
        ),
    ] {
        let rows = recent(condition);
        // This attempt is among the rows: more than `limit` means `limit` failures came before.
        if rows.clone().count(db).await? > limit {
            login_failure::Entity::delete_by_id(attempt.id)
                .exec(db)
                .await?;
            let oldest = rows.one(db).await?.map_or(now, |f| f.attempted_at);
            let wait = (oldest + Duration::seconds(FAILURE_WINDOW_SECS) - now).num_seconds();
            return Err(AppError::RateLimited {
                retry_after_secs: u64::try_from(wait.clamp(1, FAILURE_WINDOW_SECS)).unwrap_or(1),
            });
        }
    }
    let failures = recent(Condition::all().add(for_email.clone()))
        .count(db)
        .await?;
    if failures > max {
        let own = recent(Condition::all().add(for_email).add(from_here))
            .count(db)
            .await?;
        match take_turn(db, &attempt, failures, max, own).await? {
            throttle::Turn::Now => {}
            throttle::Turn::At(slot) => {
                tokio::time::sleep((slot - Utc::now()).to_std().unwrap_or_default()).await;
            }
            throttle::Turn::Refuse(retry_after_secs) => {
                login_failure::Entity::delete_by_id(attempt.id)
                    .exec(db)
                    .await?;
                return Err(AppError::RateLimited { retry_after_secs });
            }
        }
    }
    let found = person::Entity::find()
        .filter(person::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    let stored = found.as_ref().map(|p| p.password_hash.clone());
    let verified = creds.hasher.verify(password, stored).await?;
    let (true, Some(person)) = (verified, found) else {
        // The attempt row stays as the failure. Old rows have no further use; clearing them
        // here needs no background job.
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::AttemptedAt.lt(now - Duration::hours(1)))
            .exec(db)
            .await?;
        return Err(AppError::Unauthenticated(
            "the email or password is wrong".to_owned(),
        ));
    };
    let txn = super::begin(db).await?;
    // Only this address's failures for the email are forgiven: the owner signing in must not
    // reset the count of someone guessing from elsewhere.
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Email.eq(person.email.as_str()))
        .filter(login_failure::Column::ClientAddr.eq(attempt.client_addr.as_str()))
        .exec(&txn)
        .await?;
    let session = issue_session(&txn, creds, person, None).await?;
    txn.commit().await?;
    Ok(session)
}

/// Places a sign-in attempt in its email's queue (`throttle::login_turn`): reading the
/// latest turn and taking the next is one step per email — SQLite's write transaction, and a
/// transaction-scoped advisory lock on the email on PostgreSQL — so parallel attempts queue one
/// after another instead of all taking the same turn.
async fn take_turn(
    db: &(impl TransactionTrait + ConnectionTrait),
    attempt: &login_failure::Model,
    failures: u64,
    max: u64,
    own: u64,
) -> AppResult<throttle::Turn> {
    let txn = super::begin(db).await?;
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [attempt.email.clone().into()],
        ))
        .await?;
    }
    let latest = login_failure::Entity::find()
        .filter(login_failure::Column::Email.eq(attempt.email.as_str()))
        .filter(login_failure::Column::Id.ne(attempt.id))
        .order_by_desc(login_failure::Column::AttemptedAt)
        .one(&txn)
        .await?
        .map(|f| f.attempted_at);
    let turn = throttle::login_turn(failures, max, own, latest, Utc::now());
    if let throttle::Turn::At(slot) = turn {
        // Recorded at its turn, so the next attempt queues after it.
        login_failure::Entity::update_many()
            .col_expr(login_failure::Column::AttemptedAt, Expr::value(slot))
            .filter(login_failure::Column::Id.eq(attempt.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(turn)
}

/// Rotates a refresh token. Presenting an already-used token means it was copied: the whole
/// family (every token descended from that sign-in) is revoked.
pub async fn refresh_session(
    db: &impl TransactionTrait,
    creds: &Credentials<'_>,
    refresh_token: &str,
) -> AppResult<Session> {
    let invalid =
        || AppError::Unauthenticated("the refresh token is invalid or expired".to_owned());
    let now = Utc::now();
    let txn = super::begin(db).await?;
    let Some(token) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(tokens::token_hash(refresh_token)))
        .one(&txn)
        .await?
    else {
        return Err(invalid());
    };
    if token.revoked_at.is_some() || token.expires_at <= now {
        return Err(invalid());
    }
    // Claim the token atomically: of two concurrent uses, only one can succeed.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        revoke_family(&txn, token.family_id, now).await?;
        txn.commit().await?;
        tracing::warn!(family = %token.family_id, "refresh token reused; family revoked");
        return Err(AppError::Unauthenticated(
            "this refresh token was already used; the session has been ended for safety".to_owned(),
        ));
    }
    let person = person::Entity::find_by_id(token.person_id)
        .one(&txn)
        .await?
        .ok_or_else(invalid)?;
    let session = issue_session(&txn, creds, person, Some(token.family_id)).await?;
    txn.commit().await?;
    Ok(session)
}

/// Ends the session the refresh token belongs to, or every session of the person.
pub async fn log_out(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    refresh_token: Option<&str>,
    all_sessions: bool,
) -> AppResult<()> {
    let now = Utc::now();
    if all_sessions {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::PersonId.eq(person_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(db)
            .await?;
        return Ok(());
    }
    let Some(raw) = refresh_token else {
        return Err(AppError::bad_input(
            "refreshToken",
            "give the refresh token of the session to end, or set allSessions",
        ));
    };
    let token = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(tokens::token_hash(raw)))
        .filter(refresh_token::Column::PersonId.eq(person_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("session"))?;
    revoke_family(db, token.family_id, now).await
}

async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(
            Condition::all()
                .add(refresh_token::Column::FamilyId.eq(family_id))
                .add(refresh_token::Column::RevokedAt.is_null()),
        )
        .exec(db)
        .await?;
    Ok(())
}

async fn issue_session(
    db: &impl ConnectionTrait,
    creds: &Credentials<'_>,
    person: person::Model,
    family: Option<Uuid>,
) -> AppResult<Session> {
    let family_id = family.unwrap_or_else(Uuid::now_v7);
    let (access_token, access_token_expires_at) = creds.keys.issue(person.id, family_id)?;
    let refresh = tokens::random_token()?;
    let now = Utc::now();
    let ttl = Duration::from_std(creds.config.refresh_token_ttl).map_err(AppError::internal)?;
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person.id),
        family_id: Set(family_id),
        token_hash: Set(tokens::token_hash(&refresh)),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(Session {
        access_token,
        access_token_expires_at,
        refresh_token: refresh,
        person,
    })
}
