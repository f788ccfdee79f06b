use sea_orm::entity::prelude::*;

use crate::{EvidenceKind, EvidenceStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub program_id: Uuid,
    pub competency_id: Uuid,
    pub trainee_id: Uuid,
    pub submitted_by: Option<Uuid>,
    pub kind: EvidenceKind,
    pub note: String,
    pub url: Option<String>,
    pub meeting_id: Option<Uuid>,
    pub status: EvidenceStatus,
    pub reviewed_by: Option<Uuid>,
    pub review_comment: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
