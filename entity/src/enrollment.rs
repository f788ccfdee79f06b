use sea_orm::entity::prelude::*;

use crate::EnrollmentStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workshop_id: Uuid,
    pub person_id: Uuid,
    pub statement: String,
    pub status: EnrollmentStatus,
    pub screening_notes: Option<String>,
    pub applied_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    /// When it joined the waitlist: the order of promotion.
    pub waitlisted_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
