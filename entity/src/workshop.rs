use sea_orm::entity::prelude::*;

use crate::{Modality, WorkshopKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workshops")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub program_id: Uuid,
    pub organisation_id: Uuid,
    pub title: String,
    pub kind: WorkshopKind,
    pub modality: Modality,
    pub venue: Option<String>,
    pub conference_url: Option<String>,
    pub capacity: i32,
    /// The first session's start and the last session's end.
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
