use sea_orm::entity::prelude::*;

use crate::ApplicationStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub group_id: Uuid,
    pub person_id: Uuid,
    pub statement: Option<String>,
    pub proposed_by: Option<Uuid>,
    pub status: ApplicationStatus,
    pub expires_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// The status as of `now`: a PENDING application past its expiry reads EXPIRED even before
    /// anything has written that down.
    pub fn status_at(&self, now: DateTimeUtc) -> ApplicationStatus {
        if self.status == ApplicationStatus::Pending && now >= self.expires_at {
            ApplicationStatus::Expired
        } else {
            self.status
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
