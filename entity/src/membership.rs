use sea_orm::entity::prelude::*;

use crate::{MembershipRole, MembershipStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub group_id: Uuid,
    pub role: MembershipRole,
    pub status: MembershipStatus,
    /// What the person wrote when asking to join.
    pub statement: Option<String>,
    pub joined_at: Option<DateTimeUtc>,
    pub left_at: Option<DateTimeUtc>,
    /// Waitlist order: the oldest is promoted first.
    pub waitlisted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
