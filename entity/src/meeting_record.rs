use sea_orm::entity::prelude::*;

/// The finalised, read-only record of a held meeting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub meeting_id: Uuid,
    pub summary: String,
    /// JSON array of strings.
    pub topics: String,
    /// JSON array of strings.
    pub decisions: String,
    pub finalized_by: Option<Uuid>,
    pub finalized_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
