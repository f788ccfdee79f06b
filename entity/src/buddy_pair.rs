use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "buddy_pairs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub group_id: Uuid,
    pub membership_id: Uuid,
    pub buddy_membership_id: Uuid,
    pub started_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    pub ended_by: Option<Uuid>,
    pub assigned_by: Option<Uuid>,
}

impl Model {
    /// Active until ended by hand or until its term runs out, whichever is first.
    pub fn is_active(&self, now: DateTimeUtc) -> bool {
        self.ended_at.is_none() && now < self.ends_at
    }

    /// When it ended (or will end, if still active).
    pub fn ended(&self) -> DateTimeUtc {
        self.ended_at.unwrap_or(self.ends_at)
    }

    pub fn involves(&self, membership: Uuid) -> bool {
        self.membership_id == membership || self.buddy_membership_id == membership
    }

    pub fn partner_of(&self, membership: Uuid) -> Uuid {
        if self.membership_id == membership {
            self.buddy_membership_id
        } else {
            self.membership_id
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
