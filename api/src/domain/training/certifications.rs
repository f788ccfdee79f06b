//! Issuing, renewing and revoking certifications.

use chrono::{DateTime, Duration, Months, Utc};
use entity::{
    EnrollmentStatus, MeetingStatus, WorkshopKind, certification, enrollment, person, workshop,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession as _, TransactionTrait,
};
use uuid::Uuid;

use super::{is_trainer, progress, valid_certification, visible_program};
use crate::{
    domain::{access::Access, authz::require_person, raw_statement, values::text},
    error::{AppError, AppResult},
};

/// Renewal takes this many facilitated HELD meetings in the last 12 months…
pub const RENEWAL_MEETINGS: i64 = 6;

fn valid_until(from: DateTime<Utc>, months: i32) -> DateTime<Utc> {
    from.checked_add_months(Months::new(months.max(1) as u32))
        .unwrap_or(from + Duration::days(30 * i64::from(months)))
}

/// 32 random bytes, hex: salts the recipient hash of the badge.
fn badge_salt() -> AppResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub async fn issue(
    db: &impl TransactionTrait,
    access: &Access,
    person_id: Uuid,
    program_id: Uuid,
) -> AppResult<certification::Model> {
    let me = require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let program = visible_program(&txn, access, program_id).await?;
    if !is_trainer(&txn, access, program.organisation_id).await? {
        return Err(AppError::forbidden("certifications are issued by trainers"));
    }
    if person_id == me {
        return Err(AppError::forbidden("you may not certify yourself"));
    }
    if person::Entity::find_by_id(person_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::bad_input("personId", "no such person"));
    }
    let now = Utc::now();
    if valid_certification(&txn, person_id, program.id, now)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "this person already holds a valid certification of this programme; renew it instead",
        ));
    }
    let months = program.certification_validity_months;
    let progress = progress::compute(&txn, program, person_id, now).await?;
    if !progress.eligible() {
        return Err(AppError::NotEligible {
            message: "not every requirement of the programme is met".to_owned(),
            missing: progress.missing,
        });
    }
    let saved = certification::ActiveModel {
        // Random, so a credential id says nothing about when or in what order it was issued.
        id: Set(crate::domain::care::feedback::random_id()?),
        program_id: Set(progress.program.id),
        organisation_id: Set(progress.program.organisation_id),
        person_id: Set(person_id),
        workshop_id: Set(progress.completed_workshop),
        issued_by: Set(Some(me)),
        issued_at: Set(now),
        valid_until: Set(valid_until(now, months)),
        renewed_at: Set(None),
        revoked_at: Set(None),
        revoked_by: Set(None),
        revoked_reason: Set(None),
        badge_salt: Set(badge_salt()?),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// A certification a trainer of its organisation may change; NOT_FOUND for anyone else who
/// is not its holder, FORBIDDEN for the holder.
async fn trainer_certification(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
    action: &str,
) -> AppResult<certification::Model> {
    let c = certification::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("certification"))?;
    let trainer = is_trainer(db, access, c.organisation_id).await?;
    if trainer && access.person_id != Some(c.person_id) {
        return Ok(c);
    }
    if access.person_id == Some(c.person_id) {
        return Err(AppError::forbidden(format!(
            "you may not {action} your own certification"
        )));
    }
    Err(AppError::not_found("certification"))
}

/// HELD meetings the person led as facilitator since `since`.
async fn facilitated_since(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    since: DateTime<Utc>,
) -> AppResult<i64> {
    let sql = "SELECT COUNT(*) AS n FROM meetings mt \
         JOIN memberships fa ON fa.id = mt.facilitator_id \
         WHERE fa.person_id = ? AND mt.status = ? AND mt.starts_at >= ?";
    let row = db
        .query_one_raw(raw_statement(
            db.get_database_backend(),
            sql,
            vec![
                person_id.into(),
                MeetingStatus::Held.as_str().into(),
                since.into(),
            ],
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "n")?,
        None => 0,
    })
}

/// Needs 6 facilitated HELD meetings in the last 12 months, or a refresher workshop of the
/// programme completed since the certification was issued or last renewed.
pub async fn renew(
    db: &impl TransactionTrait,
    access: &Access,
    certification_id: Uuid,
) -> AppResult<certification::Model> {
    require_person(access)?;
    let txn = crate::domain::begin(db).await?;
    let c = trainer_certification(&txn, access, certification_id, "renew").await?;
    let now = Utc::now();
    if c.revoked_at.is_some() {
        return Err(AppError::conflict(
            "a revoked certification cannot be renewed",
        ));
    }
    if c.valid_until <= now {
        return Err(AppError::conflict(
            "an expired certification is not renewed; issue a new one once the person is eligible",
        ));
    }
    let meetings = facilitated_since(&txn, c.person_id, now - Duration::days(365)).await?;
    let since = c.renewed_at.unwrap_or(c.issued_at);
    let refreshers = sea_orm::sea_query::Query::select()
        .column(workshop::Column::Id)
        .from(workshop::Entity)
        .and_where(workshop::Column::ProgramId.eq(c.program_id))
        .and_where(workshop::Column::Kind.eq(WorkshopKind::Refresher))
        .to_owned();
    let refresher = enrollment::Entity::find()
        .filter(enrollment::Column::PersonId.eq(c.person_id))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Completed))
        .filter(enrollment::Column::CompletedAt.gte(since))
        .filter(enrollment::Column::WorkshopId.in_subquery(refreshers))
        .one(&txn)
        .await?;
    if meetings < RENEWAL_MEETINGS && refresher.is_none() {
        return Err(AppError::NotEligible {
            message: "renewal needs recent facilitation or a refresher workshop".to_owned(),
            missing: vec![
                format!(
                    "facilitated meetings: {meetings} of {RENEWAL_MEETINGS} HELD meetings in the last 12 months"
                ),
                "refresher: no COMPLETED refresher workshop of this programme since the certification was issued or renewed".to_owned(),
            ],
        });
    }
    let program = entity::training_program::Entity::find_by_id(c.program_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("certification without programme"))?;
    // Renewal continues the period: from its end, so renewing early loses nothing.
    let until = valid_until(c.valid_until, program.certification_validity_months);
    let mut next: certification::ActiveModel = c.into();
    next.valid_until = Set(until);
    next.renewed_at = Set(Some(now));
    let saved = next.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}

pub async fn revoke(
    db: &impl TransactionTrait,
    access: &Access,
    certification_id: Uuid,
    reason: &str,
) -> AppResult<certification::Model> {
    let me = require_person(access)?;
    let reason = text("reason", reason, 2000)?;
    let txn = crate::domain::begin(db).await?;
    let c = trainer_certification(&txn, access, certification_id, "revoke").await?;
    if c.revoked_at.is_some() {
        return Err(AppError::conflict("this certification is already revoked"));
    }
    let mut next: certification::ActiveModel = c.into();
    next.revoked_at = Set(Some(Utc::now()));
    next.revoked_by = Set(Some(me));
    next.revoked_reason = Set(Some(reason));
    let saved = next.update(&txn).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Who reads a certification inside the API (the public badge is separate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    Yes,
    No,
    /// Only a trainer of the organisation: the caller knows (or reads) whether the viewer is.
    IfTrainer,
}

/// Its holder; the people of the organisation while it is valid (facilitators'
/// certification is how groups know who may run them); and the organisation's trainers and
/// managers always. The rule both layers apply.
pub fn reader(access: &Access, c: &certification::Model, now: DateTime<Utc>) -> Reader {
    if access.person_id == Some(c.person_id) {
        Reader::Yes
    } else if !super::sees_training(access, c.organisation_id) {
        Reader::No
    } else if c.is_valid(now) {
        Reader::Yes
    } else {
        Reader::IfTrainer
    }
}

/// `reader`, with the trainer question read when it arises.
pub async fn may_read(
    db: &impl ConnectionTrait,
    access: &Access,
    c: &certification::Model,
) -> AppResult<bool> {
    match reader(access, c, Utc::now()) {
        Reader::Yes => Ok(true),
        Reader::No => Ok(false),
        Reader::IfTrainer => is_trainer(db, access, c.organisation_id).await,
    }
}

#[cfg(test)]
mod tests {
    use entity::Role;

    use super::*;
    use crate::domain::{access::GrantRef, training::certified_as_trainer};

    fn held(organisation_id: Uuid, now: DateTime<Utc>) -> certification::Model {
        certification::Model {
            id: Uuid::now_v7(),
            program_id: Uuid::now_v7(),
            organisation_id,
            person_id: Uuid::now_v7(),
            workshop_id: None,
            issued_by: None,
            issued_at: now - Duration::days(30),
            valid_until: now + Duration::days(300),
            renewed_at: None,
            revoked_at: None,
            revoked_by: None,
            revoked_reason: None,
            badge_salt: String::new(),
        }
    }

    fn granted(organisation_id: Uuid, role: Role) -> Access {
        Access {
            person_id: Some(Uuid::now_v7()),
            grants: vec![GrantRef {
                role,
                organisation_id,
                cluster_id: None,
                cluster_path: None,
            }],
            memberships: Vec::new(),
        }
    }

    #[test]
    fn a_trainer_holds_a_valid_certification_of_a_trainer_programme_of_the_organisation() {
        let (now, org) = (Utc::now(), Uuid::now_v7());
        let c = held(org, now);
        let trains = |p: Uuid| p == c.program_id;
        assert!(certified_as_trainer([&c], trains, org, now));
        assert!(
            !certified_as_trainer([&c], |_| false, org, now),
            "not a trainer programme"
        );
        assert!(
            !certified_as_trainer([&c], trains, Uuid::now_v7(), now),
            "another organisation"
        );
        let lapsed = certification::Model {
            valid_until: now,
            ..c.clone()
        };
        assert!(!certified_as_trainer([&lapsed], trains, org, now));
        let revoked = certification::Model {
            revoked_at: Some(now),
            ..c.clone()
        };
        assert!(!certified_as_trainer([&revoked], trains, org, now));
    }

    #[test]
    fn a_certification_is_read_by_its_holder_the_organisation_while_valid_and_trainers_always() {
        let (now, org) = (Utc::now(), Uuid::now_v7());
        let c = held(org, now);
        let lapsed = certification::Model {
            valid_until: now - Duration::days(1),
            ..c.clone()
        };
        let holder = Access {
            person_id: Some(c.person_id),
            ..Access::anonymous()
        };
        assert_eq!(reader(&holder, &lapsed, now), Reader::Yes);
        let colleague = granted(org, Role::Coordinator);
        assert_eq!(reader(&colleague, &c, now), Reader::Yes);
        assert_eq!(reader(&colleague, &lapsed, now), Reader::IfTrainer);
        let outsider = granted(Uuid::now_v7(), Role::Admin);
        assert_eq!(reader(&outsider, &c, now), Reader::No);
        assert_eq!(reader(&Access::anonymous(), &c, now), Reader::No);
    }
}
