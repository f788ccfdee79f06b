use sea_orm::entity::prelude::*;

use crate::CertificationStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub program_id: Uuid,
    pub organisation_id: Uuid,
    pub person_id: Uuid,
    /// The workshop the holder completed: its trainers are who trained them.
    pub workshop_id: Option<Uuid>,
    pub issued_by: Option<Uuid>,
    pub issued_at: DateTimeUtc,
    pub valid_until: DateTimeUtc,
    pub renewed_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<Uuid>,
    pub revoked_reason: Option<String>,
    /// Salts the recipient hash of the Open Badge.
    pub badge_salt: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Within this many days of `valid_until` a certification is EXPIRING_SOON.
pub const EXPIRING_SOON_DAYS: i64 = 60;

impl Model {
    pub fn status(&self, now: DateTimeUtc) -> CertificationStatus {
        if self.revoked_at.is_some() {
            CertificationStatus::Revoked
        } else if self.valid_until <= now {
            CertificationStatus::Expired
        } else if self.valid_until <= now + chrono::Duration::days(EXPIRING_SOON_DAYS) {
            CertificationStatus::ExpiringSoon
        } else {
            CertificationStatus::Active
        }
    }

    /// ACTIVE or EXPIRING_SOON: the holder is certified now.
    pub fn is_valid(&self, now: DateTimeUtc) -> bool {
        self.revoked_at.is_none() && now < self.valid_until
    }

    /// Was the holder certified at `at`? Revocation ends the period early.
    pub fn valid_at(&self, at: DateTimeUtc) -> bool {
        self.issued_at <= at && at < self.valid_until && self.revoked_at.is_none_or(|r| at < r)
    }
}
