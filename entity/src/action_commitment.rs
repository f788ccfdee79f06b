use sea_orm::entity::prelude::*;

use crate::CommitmentStatus;

/// One concrete step a member commits to at a meeting; open until reviewed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_commitments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub membership_id: Uuid,
    pub text: String,
    pub due_on: Option<Date>,
    pub status: CommitmentStatus,
    pub created_by: Option<Uuid>,
    pub review_note: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
